import Foundation
import Testing
import KnowHowCore
@testable import KnowHowPostgres

/// Writes on PostgreSQL: one change per write, checked, recorded row by row and reindexed.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresWriteTests {
    static let now = Timestamp("2025-06-01T10:00:00Z")!

    func acting(_ handle: String? = nil) -> Acting { Acting(handle.map { .member($0) } ?? .system, at: Self.now) }

    /// A store on a fresh database with kim (curator, the first member), sam (contributor) and
    /// ana (member).
    func withStore(_ body: (PostgresKnowledgeStore, TestDatabase) throws -> Void) throws {
        try TestServer.withDatabase { db in
            let s = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            try s.add(Member(handle: "kim", name: "Kim Lee", skills: [Skill(tag: "onboarding", level: .expert)]), as: acting())
            try s.add(Member(handle: "sam", name: "Sam Roe", role: .contributor), as: acting())
            try s.add(Member(handle: "ana", name: "Ana Diaz"), as: acting())
            try body(s, db)
        }
    }

    @Test func aChangeIsRecordedRowByRowAndReindexed() throws {
        try withStore { s, _ in
            #expect(try s.member("kim").role == .curator)
            let id = try s.add(Resource(title: "Induction checklist", tags: ["onboarding", "Checklists"], contributor: "sam"), as: acting("sam"))
            #expect(id == EntryID(.resource, 1))
            let last = try s.db.query("SELECT id, actor, action, summary FROM knowhow.change ORDER BY id DESC LIMIT 1").first!
            #expect(try last.get("actor", as: String.self) == "sam")
            #expect(try last.get("summary", as: String.self) == "added r1: Induction checklist")
            let n: Int64 = try last.require("id")
            let rows = try s.db.query("SELECT tbl, pk, before, after FROM knowhow.change_row WHERE change_id = $1 ORDER BY seq", [n]).rows
            #expect(try rows.map { try $0.require("tbl", as: String.self) } == ["resource", "entry_tag", "tag", "entry_tag"])
            #expect(try rows[0].get("pk", as: String.self) == "[1]")
            #expect(try rows[0].get("before", as: String.self) == nil)
            #expect(try rows[0].get("after", as: String.self)?.hasPrefix(#"{"id":1,"title":"Induction checklist""#) == true)
            #expect(try rows[1].get("pk", as: String.self) == "[\(EntryKeys.make(.resource, 1)),1]")
            let listed = try s.db.query("SELECT entry FROM knowhow.change_entry WHERE change_id = $1 ORDER BY entry", [n]).rows
                .map { try $0.require("entry", as: Int64.self) }
            #expect(listed.contains(EntryKeys.make(.resource, 1)))
            // Indexed by the change: found by its tag's words.
            #expect(try s.search(QueryParser.parse("checklists"), limit: 5).hits.map(\.ref.description) == ["r1"])
            // Outside a change nothing is logged.
            try s.db.execute("UPDATE knowhow.resource SET title = 'x' WHERE id = 1")
            #expect(try s.db.query("SELECT count(*) AS n FROM knowhow.change").first!.require("n", as: Int.self) == 4)
        }
    }

    @Test func aRefusedChangeLeavesNothing() throws {
        try withStore { s, _ in
            let before = try s.db.query("SELECT count(*) AS n FROM knowhow.change").first!.require("n", as: Int.self)
            let e = #expect(throws: KnowHowError.self) { try s.add(Resource(title: "Mine", contributor: "ana"), as: acting("ana")) }
            guard case .permissionDenied(_, .contributor, "ana")? = e else { Issue.record("\(String(describing: e))"); return }
            #expect(throws: KnowHowError.self) { try s.add(Resource(title: "Bad", url: "javascript:x", tags: ["new-tag"]), as: acting("sam")) }
            #expect(try s.db.query("SELECT count(*) AS n FROM knowhow.change").first!.require("n", as: Int.self) == before)
            #expect(try s.resolveTag("new-tag") == nil)
        }
    }

    /// Everything a change can alter that the tests compare: the community file's bytes, the
    /// links it leaves out, and the index rows with the word counts.
    func state(_ s: PostgresKnowledgeStore) throws -> [String] {
        [String(decoding: try s.exportCommunity().encoded(), as: UTF8.self)]
            + (try s.db.query("SELECT entry, title, tags, summary, body FROM knowhow.entry_text ORDER BY entry").rows.map { "\($0.values)" })
            + (try s.db.query("SELECT term, entries FROM knowhow.word ORDER BY term").rows.map { "\($0.values)" })
            + (try s.db.query("SELECT endorser_id, member_id, tag_id FROM knowhow.endorsement ORDER BY 1, 2, 3").rows.map { "\($0.values)" })
    }

    @Test func everyWriteUndoesToTheSameBytesAndIndex() throws {
        try withStore { s, _ in
            try s.add(Resource(title: "Buddy scheme", summary: "Pair each starter", tags: ["onboarding"], contributor: "sam"), as: acting("sam"))
            let start = try state(s)
            let r = try s.add(Resource(title: "Induction checklist", url: "https://example.org/c", tags: ["onboarding", "checklists"],
                                       contributor: "sam"), as: acting("sam"))
            let q = try s.ask(Question(title: "How long should induction take?", tags: ["onboarding"], asker: "ana"), as: acting("ana"))
            let a = try s.answer(Answer(question: q, body: "Two weeks, with a buddy.", author: "sam"), as: acting("sam"))
            #expect(try s.accept(a, as: acting("ana")) == q)
            #expect(try s.endorse("kim", tag: "onboarding", by: "ana", as: acting("ana")))
            #expect(try !s.endorse("kim", tag: "onboarding", by: "ana", as: acting("ana")))
            var edited = try s.resource(r)
            edited.title = "Induction checklist (v2)"; edited.tags = ["checklists", "induction"]; edited.authors = ["kim"]
            #expect(try s.update(edited, expecting: try s.resource(r), as: acting("sam")) == ["title", "tags", "authors"])
            #expect(try s.retag(q, add: ["induction"], remove: ["onboarding"], as: acting("ana")) == ["induction"])
            var me = try s.member("ana")
            me.bio = "New here"; me.skills = [Skill(tag: "onboarding", level: .learning)]
            let changedFields = try s.update(me, expecting: try s.member("ana"), as: acting("ana")); #expect(changedFields == ["about", "skills"])
            #expect(try s.search(QueryParser.parse("v2"), limit: 5).hits.map(\.ref.description) == ["r2"])
            let made = try s.history(of: nil, by: nil, limit: 20).prefix(8)
            #expect(made.map(\.action) == ["edit member", "edit question", "edit resource", "endorse", "accept", "answer", "ask", "add resource"])
            #expect(try s.history(of: "r2", by: nil, limit: 10).map(\.action) == ["edit resource", "add resource"])
            let detail = try s.historyRecord(made[2].number)
            #expect(detail.details.contains { $0.table == "resource" && $0.key == "r2" && $0.fields.contains { $0.name == "title" } })
            // Undo all of it, newest first: as before, to the byte, index included.
            for change in made { _ = try s.undo(change.number, as: acting("kim")) }
            #expect(try state(s) == start)
            #expect(try s.search(QueryParser.parse("checklist"), limit: 5).hits.isEmpty)
            // And the undo of an undo redoes it.
            let undoOfEdit = try s.history(of: nil, by: "kim", limit: 20).first { $0.undoes == made[0].number }!
            let redo = try s.undo(undoOfEdit.number, as: acting("kim"))
            #expect(redo.summary.hasPrefix("undid #"))
            #expect(try s.history(of: nil, by: "ana", limit: 1).first?.undoneBy == nil)
            #expect(try s.member("ana").bio == "New here")
        }
    }

    @Test func anUndoBlockedByALaterChangeSaysWhichAndChangesNothing() throws {
        try withStore { s, _ in
            let r = try s.add(Resource(title: "Guide", contributor: "sam"), as: acting("sam"))
            let added = try s.history(of: nil, by: nil, limit: 1)[0].number
            var e = try s.resource(r); e.summary = "Now with a summary"
            try s.update(e, expecting: try s.resource(r), as: acting("sam"))
            let edit = try s.history(of: nil, by: nil, limit: 1)[0].number
            let before = try state(s)
            let error = #expect(throws: KnowHowError.self) { try s.undo(added, as: acting("sam")) }
            #expect(error?.description.contains("change #\(edit)") == true)
            #expect(try state(s) == before)
            // Undoing one's own last change needs only one's own role; the undo is recorded under them.
            let undone = try s.undo(nil, as: acting("sam"))
            #expect(undone.undoes == edit && undone.actor == "sam")
            #expect(try s.resource(r).summary == nil)
            #expect(throws: KnowHowError.self) { try s.undo(added, as: acting("ana")) }
        }
    }

    @Test func aStaleEditIsRefusedAndNothingIsSaved() throws {
        try withStore { s, db in
            let r = try s.add(Resource(title: "Guide", contributor: "sam"), as: acting("sam"))
            let other = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            let original = try s.resource(r)
            var theirs = try other.resource(r); theirs.summary = "Theirs"
            try other.update(theirs, expecting: theirs.with { $0.summary = nil }, as: acting("kim"))
            var mine = original; mine.title = "Mine"
            let e = #expect(throws: KnowHowError.self) { try s.update(mine, expecting: original, as: acting("sam")) }
            guard case .staleEdit(_, let changed, _)? = e else { Issue.record("\(String(describing: e))"); return }
            #expect(changed == ["summary"])
            #expect(try s.resource(r).title == "Guide")
            #expect(try s.resource(r).summary == "Theirs")
        }
    }

    @Test func twoWritersOnTwoConnectionsLoseNothing() throws {
        try withStore { s, db in
            let stores = [s, try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])]
            let errors = Errors()
            let r = try s.add(Resource(title: "Shared guide", contributor: "sam"), as: acting("sam"))
            DispatchQueue.concurrentPerform(iterations: 2) { w in
                for i in 0..<15 {
                    do {
                        try stores[w].add(Resource(title: "Writer \(w) entry \(i)", contributor: "sam"), as: acting("sam"))
                        _ = try stores[w].ask(Question(title: "Writer \(w) asks \(i)", asker: "ana"), as: acting("ana"))
                        _ = try stores[w].retag(r, add: ["w\(w)-\(i)"], remove: [], as: acting("sam"))
                    } catch { errors.add(error) }
                }
            }
            #expect(errors.all.isEmpty)
            let counts = try s.counts()
            #expect(counts.resources == 31 && counts.questions == 30)
            #expect(try s.resource(r).tags.count == 30)
            let numbers = try s.db.query("SELECT id FROM knowhow.resource ORDER BY id").rows.map { try $0.require("id", as: Int64.self) }
            #expect(numbers == Array(1...31))
            #expect(try s.history(of: nil, by: nil, limit: 200).count == 3 + 1 + 90)
            #expect(try s.history(of: "r1", by: nil, limit: 100).count == 31)
        }
    }

    @Test(arguments: ["40001", "40P01"])
    func aChangeRefusedForASerializationFailureOrDeadlockRunsAgainWhole(_ state: String) throws {
        try withStore { s, _ in
            // The first attempt fails as a deadlock or serialization failure would (a sequence
            // counts attempts: it is not rolled back).
            try s.db.executeScript("""
                CREATE SEQUENCE public.attempts;
                CREATE FUNCTION public.fail_first() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF nextval('public.attempts') = 1 THEN RAISE EXCEPTION 'conflict' USING ERRCODE = '\(state)'; END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER fail_first AFTER INSERT ON knowhow.resource FOR EACH ROW EXECUTE FUNCTION public.fail_first();
                """)
            let before = try s.history(of: nil, by: nil, limit: 100).count
            let id = try s.add(Resource(title: "Saved once", tags: ["retries"], contributor: "sam"), as: acting("sam"))
            #expect(id == EntryID(.resource, 1))
            #expect(try s.db.query("SELECT last_value FROM public.attempts").first!.require("last_value", as: Int.self) == 2)
            let h = try s.history(of: nil, by: nil, limit: 100)
            #expect(h.count == before + 1 && h[0].summary == "added r1: Saved once" && h[0].rowCount == 3)
            #expect(try s.search(QueryParser.parse("retries"), limit: 5).hits.map(\.ref.description) == ["r1"])
        }
    }

    @Test func aMemberCannotEditAnotherMembersEntryThroughTheStoreNorTheDatabase() throws {
        try withStore { s, db in
            let r = try s.add(Resource(title: "Sam's guide", contributor: "sam"), as: acting("sam"))
            let q = try s.ask(Question(title: "Sam asks", asker: "sam"), as: acting("sam"))
            var e = try s.resource(r); e.title = "Ana's now"
            let refused = #expect(throws: KnowHowError.self) { try s.update(e, expecting: try s.resource(r), as: acting("ana")) }
            guard case .permissionDenied(_, .curator, "ana")? = refused else { Issue.record("\(String(describing: refused))"); return }
            #expect(throws: KnowHowError.self) { try s.retag(q, add: ["mine"], remove: [], as: acting("ana")) }
            // Through the database, as ana's own login.
            let login = try db.makeLogin("ana", group: "knowhow_member")
            try s.db.execute("INSERT INTO knowhow.member_login(login, member_id) SELECT $1, id FROM knowhow.member WHERE handle = 'ana'", [login])
            let ana = try db.connect(as: login)
            #expect(try ana.execute("UPDATE knowhow.question SET title = 'Ana''s now' WHERE id = $1", [q.number]) == 0)
            #expect(throws: PGError.self) { try ana.execute("UPDATE knowhow.resource SET title = 'Ana''s now' WHERE id = $1", [r.number]) }
            #expect(throws: PGError.self) { try ana.execute("INSERT INTO knowhow.entry_tag(entry, tag_id) VALUES ($1, 1)", [EntryKeys.make(q)]) }
            #expect(try s.question(q).title == "Sam asks")
            // Nor through the store connected as her login.
            let asAna = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name, "user": login])
            #expect(throws: KnowHowError.self) { try asAna.update(e, expecting: try s.resource(r), as: acting("ana")) }
            #expect(try s.resource(r).title == "Sam's guide")
        }
    }

    /// An undo whose rows the database's row policies keep the login from changing is refused
    /// whole: it is never done in part (a DELETE or UPDATE that touches no row is not success).
    @Test func anUndoTheRowPoliciesHideIsRefusedWholeNeverDoneInPart() throws {
        try withStore { s, db in
            let login = try db.makeLogin("ana", group: "knowhow_member")
            try s.db.execute("INSERT INTO knowhow.member_login(login, member_id) SELECT $1, id FROM knowhow.member WHERE handle = 'ana'", [login])
            let asAna = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name, "user": login])
            let q = try asAna.ask(Question(title: "Ana asks about rotas", tags: ["rotas"], asker: "ana"), as: acting("ana"))
            let before = try s.exportCommunity().encoded()
            // A policy (as a server's own rules might add) that hides questions from members' deletes.
            try s.db.executeScript("CREATE POLICY keep_questions ON knowhow.question AS RESTRICTIVE FOR DELETE TO knowhow_member USING (false)")
            let refused = #expect(throws: KnowHowError.self) { try asAna.undo(nil, as: acting("ana")) }
            #expect(refused?.description.contains("may not change") == true, "\(String(describing: refused))")
            #expect(try s.question(q).title == "Ana asks about rotas")
            #expect(try s.exportCommunity().encoded() == before, "nothing of the undo was kept")
            #expect(try s.search(QueryParser.parse("tag:rotas"), limit: 5).hits.map(\.ref) == [.entry(q)])
        }
    }

    @Test func theLoginIsTheMemberAndOnlyCuratorsActForOthers() throws {
        try withStore { s, db in
            var logins: [String: String] = [:]
            for (handle, group) in [("ana", "knowhow_member"), ("sam", "knowhow_contributor"), ("kim", "knowhow_curator")] {
                logins[handle] = try db.makeLogin(handle, group: group)
                try s.db.execute("INSERT INTO knowhow.member_login(login, member_id) SELECT $1, id FROM knowhow.member WHERE handle = $2",
                                 [logins[handle]!, handle])
            }
            let stranger = try db.makeLogin("stranger", group: "knowhow_member")
            func store(_ login: String) throws -> PostgresKnowledgeStore {
                try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name, "user": login])
            }
            let ana = try store(logins["ana"]!), sam = try store(logins["sam"]!), kim = try store(logins["kim"]!)
            #expect(try ana.loginMember().handle == "ana")
            #expect(try !ana.loginMember().mayActForOthers && kim.loginMember().mayActForOthers)
            // A member's own writes pass the database's guard.
            let q = try ana.ask(Question(title: "Where is the induction pack?", tags: ["induction"], asker: "ana"), as: acting("ana"))
            #expect(try ana.retag(q, add: ["onboarding"], remove: [], as: acting("ana")) == ["induction", "onboarding"])
            var me = try ana.member("ana"); me.bio = "Starter"; me.skills = [Skill(tag: "induction", level: .learning)]
            try ana.update(me, expecting: try ana.member("ana"), as: acting("ana"))
            #expect(try ana.endorse("kim", tag: "onboarding", by: "ana", as: acting("ana")))
            let r = try sam.add(Resource(title: "Induction pack", tags: ["induction"], contributor: "sam"), as: acting("sam"))
            let a = try sam.answer(Answer(question: q, body: "See r\(r.number).", author: "sam"), as: acting("sam"))
            #expect(try ana.accept(a, as: acting("ana")) == q)
            #expect(try ana.search(QueryParser.parse("induction pack"), limit: 5).hits.map(\.ref.description).contains("r1"))
            // Undoing her own changes too, her retag and the whole question once nobody built on it.
            _ = try ana.undo(nil, as: acting("ana"))
            #expect(try ana.question(q).acceptedAnswer == nil)
            // --as another member: refused for a member, allowed to a curator and said in history.
            let e = #expect(throws: KnowHowError.self) { try ana.ask(Question(title: "As sam", asker: "sam"), as: acting("sam")) }
            guard case .actingAsOther(_, "ana", "sam")? = e else { Issue.record("\(String(describing: e))"); return }
            let byKim = try kim.ask(Question(title: "For sam", asker: "sam"), as: acting("sam"))
            let last = try kim.history(of: nil, by: "sam", limit: 1)[0]
            #expect(last.summary == "asked \(byKim): For sam (made by @kim)")
            // A login nobody mapped may not write.
            let unmapped = try store(stranger)
            #expect(try unmapped.loginMember().handle == nil)
            let u = #expect(throws: KnowHowError.self) { try unmapped.ask(Question(title: "Hello", asker: "ana"), as: acting("ana")) }
            guard case .unmappedLogin? = u else { Issue.record("\(String(describing: u))"); return }
        }
    }
}

extension Resource {
    func with(_ change: (inout Resource) -> Void) -> Resource { var r = self; change(&r); return r }
}

final class Errors: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []
    func add(_ e: Error) { lock.lock(); errors.append("\(e)"); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return errors }
}
