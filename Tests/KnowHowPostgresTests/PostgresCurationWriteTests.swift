import Foundation
import Testing
import KnowHowCore
import KnowHowSQLite
@testable import KnowHowPostgres

/// The curators' writes on PostgreSQL: each made on the same community in both stores gives the
/// same community after (byte for byte in the export), the same redirects and successors, the
/// same refusals, and is recorded in history with the rows it touched.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresCurationWriteTests {
    static let at = Timestamp("2025-06-01T10:00:00Z")!
    static let curator = "rosa-delgado", contributor = "priya-natarajan", member = "kim-lee"

    func acting(_ handle: String?) -> Acting { Acting(handle.map { .member($0) } ?? .system, at: Self.at) }

    func withBoth(_ body: (PostgresKnowledgeStore, SQLiteKnowledgeStore, TestDatabase) throws -> Void) throws {
        let (demo, _) = try PostgresStoreTests.sqliteDemo()
        _ = try demo.importCommunity(PostgresInsightAndCurationReadTests.extra, as: .system)
        let bytes = try demo.exportCommunity().encoded()
        let sqlite = try SQLiteKnowledgeStore()
        _ = try sqlite.importCommunity(CommunityFile.decode(bytes, path: "exported.json"), as: .system)
        try TestServer.withDatabase { db in
            let pg = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            _ = try pg.importCommunity(CommunityFile.decode(bytes, path: "exported.json"))
            try body(pg, sqlite, db)
        }
    }

    /// Runs one write on both stores: the same result, or the same refusal (and then nothing changed).
    @discardableResult
    func same<T: Equatable>(_ what: String, _ pg: PostgresKnowledgeStore, _ sqlite: SQLiteKnowledgeStore,
                            _ onPG: () throws -> T, _ onSQLite: () throws -> T,
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> Result<T, KnowHowError> {
        func outcome(_ body: () throws -> T) throws -> Result<T, KnowHowError> {
            do { return .success(try body()) } catch let e as KnowHowError { return .failure(e) }
        }
        let before = try pg.exportCommunity().encoded()
        let mine = try outcome(onPG), theirs = try outcome(onSQLite)
        #expect(mine == theirs, "\(what)", sourceLocation: sourceLocation)
        if case .failure = mine { #expect(try pg.exportCommunity().encoded() == before, "\(what): a refusal changes nothing", sourceLocation: sourceLocation) }
        return mine
    }

    func expectSameCommunity(_ pg: PostgresKnowledgeStore, _ sqlite: SQLiteKnowledgeStore, _ what: String,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let a = try pg.exportCommunity().encoded(), b = try sqlite.exportCommunity().encoded()
        guard a != b else { return }
        let x = String(decoding: a, as: UTF8.self).split(separator: "\n"), y = String(decoding: b, as: UTF8.self).split(separator: "\n")
        let i = zip(x, y).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(x.count, y.count)
        Issue.record("\(what): the communities differ at line \(i + 1): \(i < x.count ? x[i] : "-") ≠ \(i < y.count ? y[i] : "-")",
                     sourceLocation: sourceLocation)
    }

    /// The last change recorded, with how many rows it touched.
    func lastChange(_ db: TestDatabase) throws -> (action: String, summary: String, actor: String?, rows: Int) {
        let r = try db.connect().query("""
            SELECT c.action, c.summary, c.actor, (SELECT count(*) FROM knowhow.change_row r WHERE r.change_id = c.id) AS n
            FROM knowhow.change c ORDER BY c.id DESC LIMIT 1
            """).first!
        return (try r.require("action"), try r.require("summary"), try r.get("actor"), try r.require("n"))
    }

    @Test func tagCurationDoesWhatSQLiteDoes() throws {
        try withBoth { pg, sqlite, db in
            let a = acting(Self.curator)
            try same("rename", pg, sqlite, { try pg.renameTag("onboarding", to: "induction-and-onboarding", as: a); return true },
                     { try sqlite.renameTag("onboarding", to: "induction-and-onboarding", as: a); return true })
            #expect(try lastChange(db).summary == "renamed tag onboarding to induction-and-onboarding")
            #expect(try pg.search(try QueryParser.parse("tag:induction-and-onboarding"), limit: 500).hits.map(\.ref)
                    == sqlite.search(try QueryParser.parse("tag:induction-and-onboarding"), limit: 500).hits.map(\.ref))
            try same("aliases", pg, sqlite, { try pg.changeAliases("induction-and-onboarding", add: ["onboarding", "new-starters"], remove: [], as: a) },
                     { try sqlite.changeAliases("induction-and-onboarding", add: ["onboarding", "new-starters"], remove: [], as: a) })
            try same("describe", pg, sqlite, { try pg.describeTag("supervision", "Regular reflective conversations about practice", as: a); return true },
                     { try sqlite.describeTag("supervision", "Regular reflective conversations about practice", as: a); return true })
            try same("merge tags", pg, sqlite, { try pg.mergeTag("mentoring", into: "coaching", as: a) },
                     { try sqlite.mergeTag("mentoring", into: "coaching", as: a) })
            #expect(try lastChange(db).rows > 10, "a tag merge records every row it moved")
            try expectSameCommunity(pg, sqlite, "after the tag changes")
            #expect(try pg.resolveTag("mentoring") == "coaching")
            #expect(try pg.search(try QueryParser.parse("tag:mentoring"), limit: 500).hits.map(\.ref)
                    == sqlite.search(try QueryParser.parse("tag:mentoring"), limit: 500).hits.map(\.ref))
            // Refusals, as sentences SQLite says them.
            for (what, onPG, onSQLite) in [
                ("rename onto a tag", { try pg.renameTag("coaching", to: "supervision", as: a) }, { try sqlite.renameTag("coaching", to: "supervision", as: a) }),
                ("rename an alias", { try pg.renameTag("mentoring", to: "mentors", as: a) }, { try sqlite.renameTag("mentoring", to: "mentors", as: a) }),
                ("alias taken", { _ = try pg.changeAliases("coaching", add: ["supervision"], remove: [], as: a) },
                 { _ = try sqlite.changeAliases("coaching", add: ["supervision"], remove: [], as: a) }),
                ("not an alias", { _ = try pg.changeAliases("coaching", add: [], remove: ["nope"], as: a) },
                 { _ = try sqlite.changeAliases("coaching", add: [], remove: ["nope"], as: a) }),
                ("merge into itself", { _ = try pg.mergeTag("coaching", into: "mentoring", as: a) }, { _ = try sqlite.mergeTag("coaching", into: "mentoring", as: a) }),
                ("unknown tag", { try pg.describeTag("no-such-tagg", "x", as: a) }, { try sqlite.describeTag("no-such-tagg", "x", as: a) }),
                ("a member may not", { try pg.renameTag("coaching", to: "coaching-2", as: acting(Self.member)) },
                 { try sqlite.renameTag("coaching", to: "coaching-2", as: acting(Self.member)) }),
            ] as [(String, () throws -> Void, () throws -> Void)] {
                let r = try same(what, pg, sqlite, { try onPG(); return true }, { try onSQLite(); return true })
                if case .success = r { Issue.record("\(what) was not refused") }
            }
        }
    }

    @Test func mergesMoveEverythingAndLeaveRedirects() throws {
        try withBoth { pg, sqlite, db in
            let a = acting(Self.curator)
            let pairs = try sqlite.duplicates(limit: 50)
            let resources = try #require(pairs.first { $0.keep.type == .resource && $0.why == Similarity.sameAddress })
            let practices = try #require(pairs.first { $0.keep.type == .practice })
            let members = try #require(pairs.first { $0.keep.type == .member && $0.why == Similarity.sameName })
            for p in [resources, practices, members] {
                try same("merge \(p.drop) into \(p.keep)", pg, sqlite, { try pg.merge(keep: p.keep, drop: p.drop, as: a) },
                         { try sqlite.merge(keep: p.keep, drop: p.drop, as: a) })
                #expect(try pg.redirect(p.drop) == p.keep)
                #expect(try lastChange(db).summary == "merged \(p.drop) into \(p.keep)")
                try expectSameCommunity(pg, sqlite, "after merging \(p.drop)")
            }
            // The dropped id reads as the kept one; the dropped handle finds the kept member.
            if case .entry(let d) = resources.drop, case .entry(let k) = resources.keep { #expect(try pg.resource(d) == pg.resource(k)) }
            if case .member(let d) = members.drop, case .member(let k) = members.keep { #expect(try pg.member(d).handle == k) }
            #expect(try pg.duplicates(limit: 50) == sqlite.duplicates(limit: 50))
            // A chain: what pointed at the dropped one follows it on.
            guard case .entry(let kept) = resources.keep else { return }
            let third = try pg.add(Resource(title: "A third copy", url: "https://example.org/onboarding", kind: .guide, contributor: Self.curator), as: a)
            _ = try sqlite.add(Resource(title: "A third copy", url: "https://example.org/onboarding", kind: .guide, contributor: Self.curator), as: a)
            try same("merge the kept one on", pg, sqlite, { try pg.merge(keep: .entry(third), drop: .entry(kept), as: a) },
                     { try sqlite.merge(keep: .entry(third), drop: .entry(kept), as: a) })
            #expect(try pg.redirect(resources.drop) == .entry(third))
            #expect(try pg.redirect(resources.drop) == sqlite.redirect(resources.drop))
            try expectSameCommunity(pg, sqlite, "after the chain")
            for (what, keep, drop) in [("merged already", EntryRef.entry(third), resources.drop), ("itself", .entry(third), .entry(third)),
                                       ("two kinds", .entry(third), practices.keep)] {
                let r = try same(what, pg, sqlite, { try pg.merge(keep: keep, drop: drop, as: a) }, { try sqlite.merge(keep: keep, drop: drop, as: a) })
                if case .success = r { Issue.record("\(what) was not refused") }
            }
            let r = try same("a contributor may not", pg, sqlite, { try pg.merge(keep: practices.keep, drop: .entry(EntryID(.practice, 2)), as: acting(Self.contributor)) },
                             { try sqlite.merge(keep: practices.keep, drop: .entry(EntryID(.practice, 2)), as: acting(Self.contributor)) })
            if case .success = r { Issue.record("a contributor merged") }
        }
    }

    @Test func notDuplicatesLeaveTheListAsInSQLite() throws {
        try withBoth { pg, sqlite, db in
            let a = acting(Self.curator)
            let pair = try #require(try pg.duplicates(limit: 50).first)
            try same("mark", pg, sqlite, { try pg.markNotDuplicates(pair.keep, pair.drop, as: a); return true },
                     { try sqlite.markNotDuplicates(pair.keep, pair.drop, as: a); return true })
            #expect(try !pg.duplicates(limit: 50).contains(pair))
            #expect(try pg.duplicates(limit: 50) == sqlite.duplicates(limit: 50))
            #expect(try lastChange(db).action == ChangeAction.notDuplicates.rawValue)
            for (what, x, y) in [("again", pair.drop, pair.keep), ("one entry", pair.keep, pair.keep),
                                 ("two kinds", EntryRef.entry(EntryID(.resource, 1)), EntryRef.member(Self.member))] {
                let r = try same(what, pg, sqlite, { try pg.markNotDuplicates(x, y, as: a); return true }, { try sqlite.markNotDuplicates(x, y, as: a); return true })
                if case .success = r { Issue.record("\(what) was not refused") }
            }
        }
    }

    @Test func verificationFollowsTheSQLiteStoresRules() throws {
        try withBoth { pg, sqlite, db in
            let file = try sqlite.exportCommunity()
            let proposed = file.practices.filter { $0.status == .proposed }
            #expect(proposed.count >= 6)
            var verified = 0, refused = 0
            for p in proposed.prefix(8) {
                let id = try #require(p.id)
                let experts = file.members.filter { m in m.handle != p.contributor && m.skills.contains { $0.level == .expert && p.tags.contains($0.tag) } }
                let actors = [Self.member, p.contributor!, experts.first?.handle, Self.curator].compactMap { $0 }
                for actor in actors {
                    let r = try same("\(actor) verifies \(id)", pg, sqlite, { try pg.verify(id, reviewBy: nil, as: acting(actor)) },
                                     { try sqlite.verify(id, reviewBy: nil, as: acting(actor)) })
                    if case .success = r { verified += 1; #expect(try lastChange(db).actor == actor); break } else { refused += 1 }
                }
            }
            #expect(verified >= 6 && refused >= 8, "both outcomes were tried: \(verified) verified, \(refused) refused")
            try expectSameCommunity(pg, sqlite, "after verifying")
            // An expert level a member gave themselves does not let them verify until someone vouches for it.
            let practice = try #require(proposed.dropFirst(8).first { !$0.tags.isEmpty }), tag = practice.tags[0]
            let me = try #require(file.members.first { m in m.role == .member && m.handle != practice.contributor && !m.skills.contains { $0.tag == tag } })
            var edited = me
            edited.skills.append(Skill(tag: tag, level: .expert))
            _ = try pg.update(edited, expecting: me, as: acting(me.handle))
            _ = try sqlite.update(edited, expecting: me, as: acting(me.handle))
            let id = try #require(practice.id)
            let refusal = try same("self-made expert", pg, sqlite, { try pg.verify(id, reviewBy: nil, as: acting(me.handle)) },
                                   { try sqlite.verify(id, reviewBy: nil, as: acting(me.handle)) })
            guard case .failure(.verificationRefused) = refusal else { Issue.record("\(refusal)"); return }
            _ = try pg.endorse(me.handle, tag: tag, by: Self.curator, as: acting(Self.curator))
            _ = try sqlite.endorse(me.handle, tag: tag, by: Self.curator, as: acting(Self.curator))
            let review = Day("2026-01-31")!
            try same("endorsed expert", pg, sqlite, { try pg.verify(id, reviewBy: review, as: acting(me.handle)) },
                     { try sqlite.verify(id, reviewBy: review, as: acting(me.handle)) })
            #expect(try pg.practice(id).verifiedBy == me.handle)
            for (what, day) in [("a review date in the past", Day("2024-01-01")!), ("today", Self.at.day)] {
                let r = try same(what, pg, sqlite, { try pg.verify(id, reviewBy: day, as: acting(Self.curator)) },
                                 { try sqlite.verify(id, reviewBy: day, as: acting(Self.curator)) })
                if case .success = r { Issue.record("\(what) was not refused") }
            }
            try expectSameCommunity(pg, sqlite, "after the expert verified")
        }
    }

    @Test func retiringNamesTheSuccessorAsSQLiteDoes() throws {
        try withBoth { pg, sqlite, db in
            let a = acting(Self.curator)
            let file = try sqlite.exportCommunity()
            let live = file.practices.filter { $0.status != .retired }.compactMap(\.id)
            let (old, new) = (live[0], live[1])
            try same("retire", pg, sqlite, { try pg.retire(old, supersededBy: new, as: a) }, { try sqlite.retire(old, supersededBy: new, as: a) })
            #expect(try pg.successor(of: old) == new)
            #expect(try pg.practice(old).status == .retired)
            #expect(try lastChange(db).summary == "retired \(old), superseded by \(new)")
            try same("retire without a successor", pg, sqlite, { try pg.retire(live[2], supersededBy: nil, as: a) },
                     { try sqlite.retire(live[2], supersededBy: nil, as: a) })
            for (what, id, s) in [("itself", live[3], Optional(live[3])), ("a resource", live[3], Optional(EntryID(.resource, 1))),
                                  ("not a practice", EntryID(.resource, 1), nil)] {
                let r = try same(what, pg, sqlite, { try pg.retire(id, supersededBy: s, as: a) }, { try sqlite.retire(id, supersededBy: s, as: a) })
                if case .success = r { Issue.record("\(what) was not refused") }
            }
            let r = try same("verify a retired one", pg, sqlite, { try pg.verify(old, reviewBy: nil, as: a) }, { try sqlite.verify(old, reviewBy: nil, as: a) })
            if case .success = r { Issue.record("a retired practice was verified") }
            try expectSameCommunity(pg, sqlite, "after retiring")
            #expect(try pg.dueForReview(within: 3650, today: Self.at.day) == sqlite.dueForReview(within: 3650, today: Self.at.day))
        }
    }

    @Test func searchLoggingIsTheCuratorsSetting() throws {
        try withBoth { pg, sqlite, _ in
            for actor in [Self.member, Self.contributor] {
                let r = try same("\(actor) sets logging", pg, sqlite, { try pg.setSearchLogging(.off, as: acting(actor)); return true },
                                 { try sqlite.setSearchLogging(.off, as: acting(actor)); return true })
                if case .success = r { Issue.record("\(actor) changed the setting") }
            }
            #expect(throws: KnowHowError.self) { try pg.setSearchLogging(.off, as: Acting(.nobody)) }
            let period = Period(start: Timestamp("2032-01-01T00:00:00Z")!, end: Timestamp("2032-12-31T00:00:00Z")!)
            func log(_ minute: Int) throws {
                try pg.logSearch(SearchLogEntry(at: Timestamp("2032-01-01T10:0\(minute):00Z")!, kind: .find, query: "budget", results: 1, member: Self.member))
            }
            try pg.setSearchLogging(.anonymous, as: acting(Self.curator))
            #expect(try pg.searchLogging() == .anonymous)
            try log(1)
            try pg.setSearchLogging(.off, as: acting(Self.curator))
            try log(2)
            try pg.setSearchLogging(.on, as: acting(Self.curator))
            try log(3)
            #expect(try pg.searchLog(in: period).map { "\($0.at) \($0.member ?? "-")" }
                    == ["2032-01-01T10:01:00Z -", "2032-01-01T10:03:00Z \(Self.member)"])
        }
    }

    typealias Write = (String, (PostgresKnowledgeStore) throws -> Void, (SQLiteKnowledgeStore) throws -> Void)

    /// One of each curation write on the demo, made by the curator, for both stores.
    func curationWrites(_ sqlite: SQLiteKnowledgeStore) throws -> (writes: [Write], drops: [EntryRef], retired: EntryID) {
        let a = acting(Self.curator)
        let pairs = try sqlite.duplicates(limit: 50)
        let resources = try #require(pairs.first { $0.keep.type == .resource && $0.why == Similarity.sameAddress })
        let practices = try #require(pairs.first { $0.keep.type == .practice })
        let members = try #require(pairs.first { $0.keep.type == .member && $0.why == Similarity.sameName })
        let file = try sqlite.exportCommunity()
        let proposed = try #require(file.practices.first { $0.status == .proposed && $0.contributor != Self.curator }?.id)
        let live = file.practices.filter { $0.status != .retired }.compactMap(\.id)
        let writes: [Write] = [
            ("not duplicates", { try $0.markNotDuplicates(pairs[0].keep, pairs[0].drop, as: a) }, { try $0.markNotDuplicates(pairs[0].keep, pairs[0].drop, as: a) }),
            ("rename", { try $0.renameTag("onboarding", to: "starting-out", as: a) }, { try $0.renameTag("onboarding", to: "starting-out", as: a) }),
            ("aliases", { _ = try $0.changeAliases("coaching", add: ["coach"], remove: [], as: a) }, { _ = try $0.changeAliases("coaching", add: ["coach"], remove: [], as: a) }),
            ("describe", { try $0.describeTag("coaching", "Helping people find their own answers", as: a) },
             { try $0.describeTag("coaching", "Helping people find their own answers", as: a) }),
            ("merge tags", { _ = try $0.mergeTag("mentoring", into: "coaching", as: a) }, { _ = try $0.mergeTag("mentoring", into: "coaching", as: a) }),
            ("merge resources", { _ = try $0.merge(keep: resources.keep, drop: resources.drop, as: a) }, { _ = try $0.merge(keep: resources.keep, drop: resources.drop, as: a) }),
            ("merge practices", { _ = try $0.merge(keep: practices.keep, drop: practices.drop, as: a) }, { _ = try $0.merge(keep: practices.keep, drop: practices.drop, as: a) }),
            ("merge members", { _ = try $0.merge(keep: members.keep, drop: members.drop, as: a) }, { _ = try $0.merge(keep: members.keep, drop: members.drop, as: a) }),
            ("verify", { _ = try $0.verify(proposed, reviewBy: nil, as: a) }, { _ = try $0.verify(proposed, reviewBy: nil, as: a) }),
            ("retire", { _ = try $0.retire(live[0], supersededBy: live[1], as: a) }, { _ = try $0.retire(live[0], supersededBy: live[1], as: a) }),
        ]
        return (writes, [resources.drop, practices.drop, members.drop], live[0])
    }

    /// What undo must give back beside the export: search results, redirects, a successor, duplicates.
    func linkState(_ s: PostgresKnowledgeStore, drops: [EntryRef], retired: EntryID) throws -> [String] {
        let queries = ["onboarding", "tag:mentoring", "tag:coaching", "checklist new starters", "buddy"]
        var lines = try queries.map { q in "\(q): " + (try s.search(try QueryParser.parse(q), limit: 20).hits.map(\.ref.description)).joined(separator: " ") }
        for ref in drops { lines.append("\(ref) → \(String(describing: try s.redirect(ref)))") }
        lines.append("\(retired) succeeded by \(String(describing: try s.successor(of: retired)))")
        lines.append("duplicates: \(try s.duplicates(limit: 50).count)")
        return lines
    }

    /// Every curation write undone gives back the community as it was, byte for byte, with its
    /// redirects, successors and search index, as undo does in SQLite.
    @Test func everyCurationWriteCanBeUndone() throws {
        try withBoth { pg, sqlite, _ in
            let a = acting(Self.curator)
            let (writes, drops, retired) = try curationWrites(sqlite)
            func state(_ s: PostgresKnowledgeStore) throws -> [String] { try linkState(s, drops: drops, retired: retired) }
            for (what, onPG, onSQLite) in writes {
                let before = try pg.exportCommunity().encoded(), linksBefore = try state(pg)
                try onPG(pg)
                try onSQLite(sqlite)
                try expectSameCommunity(pg, sqlite, "after \(what)")
                #expect(try pg.exportCommunity().encoded() != before || state(pg) != linksBefore, "\(what) changed something")
                let undone = try pg.undo(nil, as: a), theirs = try sqlite.undo(nil, as: a)
                // Change numbers differ: the SQLite store's import is a change of its own.
                func words(_ summary: String) -> String { summary.replacingOccurrences(of: #"#\d+"#, with: "#", options: .regularExpression) }
                #expect(words(undone.summary) == words(theirs.summary), "\(what)")
                #expect(undone.summary.hasPrefix("undid #"))
                #expect(try pg.exportCommunity().encoded() == before, "undoing \(what) gives the community back")
                #expect(try state(pg) == linksBefore, "undoing \(what) gives back redirects, successors and the index")
                try expectSameCommunity(pg, sqlite, "after undoing \(what)")
            }
        }
    }

    /// A curator's own database login makes every curation write, and undoes it, through the
    /// database's grants and row-level security; a contributor's login is refused each, changing nothing.
    @Test func aCuratorsLoginCuratesThroughTheDatabasesGuardsAndAContributorsCannot() throws {
        try withBoth { owner, sqlite, db in
            var stores: [String: PostgresKnowledgeStore] = [:]
            for (handle, group) in [(Self.curator, "knowhow_curator"), (Self.contributor, "knowhow_contributor")] {
                let login = try db.makeLogin(String(handle.prefix(4)), group: group)
                try db.connect().execute("INSERT INTO knowhow.member_login(login, member_id) SELECT $1, id FROM knowhow.member WHERE handle = $2", [login, handle])
                stores[handle] = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name, "user": login])
            }
            let curator = stores[Self.curator]!, contributor = stores[Self.contributor]!
            let (writes, drops, retired) = try curationWrites(sqlite)
            for (what, onPG, _) in writes {
                let before = try owner.exportCommunity().encoded(), links = try linkState(owner, drops: drops, retired: retired)
                #expect(throws: KnowHowError.self, "a contributor: \(what)") { try onPG(contributor) }
                #expect(try owner.exportCommunity().encoded() == before, "a contributor's \(what) changed nothing")
                do { try onPG(curator) } catch { Issue.record("the curator's login: \(what): \(error)"); continue }
                #expect(try lastChange(db).actor == Self.curator, "\(what)")
                #expect(try owner.exportCommunity().encoded() != before || linkState(owner, drops: drops, retired: retired) != links, "\(what) changed something")
                _ = try curator.undo(nil, as: acting(Self.curator))
                #expect(try owner.exportCommunity().encoded() == before, "the curator's login undid \(what)")
                #expect(try linkState(owner, drops: drops, retired: retired) == links, "undoing \(what) restores links and index")
            }
        }
    }
}
