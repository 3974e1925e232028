import Foundation
import Testing
import KnowHowCore
import KnowHowSQLite
@testable import KnowHowPostgres

/// Importing into a PostgreSQL store that already holds a community: the same rules, summaries,
/// errors and resulting community as the SQLite store, all-or-nothing.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresImportTests {
    /// What one import did on a store: its summary (without the founder, which the service
    /// names), or the error it raised.
    enum Outcome: Equatable, CustomStringConvertible {
        case imported(ImportSummary), failed(KnowHowError)
        var description: String {
            switch self { case .imported(let s): return "imported: \(s)"; case .failed(let e): return "failed: \(e)" }
        }
    }

    static func outcome(_ body: () throws -> ImportSummary) -> Outcome {
        do { var s = try body(); s.founder = nil; return .imported(s) } catch let e as KnowHowError { return .failed(e) } catch {
            return .failed(.internalError(code: -1))
        }
    }

    /// Runs the same imports on both stores, expecting the same outcome at each step and the
    /// same community at the end.
    func expectSameImports(_ steps: [(CommunityFile, Bool)], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let sqlite = try SQLiteKnowledgeStore()
        try TestServer.withDatabase { db in
            let pg = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            for (n, (file, renumber)) in steps.enumerated() {
                let file = Self.pinned(file)
                let mine = Self.outcome { try pg.importCommunity(file, renumber: renumber, progress: nil) }
                let theirs = Self.outcome { try sqlite.importCommunity(file, renumber: renumber, progress: nil, as: .system) }
                #expect(mine == theirs, "step \(n)", sourceLocation: sourceLocation)
            }
            let a = try pg.exportCommunity().encoded(), b = try sqlite.exportCommunity().encoded()
            #expect(String(decoding: a, as: UTF8.self) == String(decoding: b, as: UTF8.self), sourceLocation: sourceLocation)
        }
    }

    /// The file with a fixed time for every entry that has none: each store stamps those with
    /// its own "now", and on a busy machine the two imports can fall in different seconds.
    static func pinned(_ file: CommunityFile) -> CommunityFile {
        let at = Timestamp("2026-03-04T05:06:07Z")!
        var file = file
        for i in file.resources.indices where file.resources[i].created == nil { file.resources[i].created = at }
        for i in file.practices.indices where file.practices[i].created == nil { file.practices[i].created = at }
        for i in file.questions.indices where file.questions[i].created == nil { file.questions[i].created = at }
        for i in file.answers.indices where file.answers[i].created == nil { file.answers[i].created = at }
        return file
    }

    static let demo = try! CommunityFile.decode(try! Data(contentsOf: PostgresStoreTests.demo), path: "community.json")

    @Test func importingTheSameCommunityTwiceAddsNothing() throws {
        try expectSameImports([(Self.demo, false), (Self.demo, false)])
    }

    @Test func aFilledStoreTakesOnlyWhatIsNew() throws {
        let r1 = Self.demo.resources[0], q1 = Self.demo.questions[0]
        let file = CommunityFile(
            tags: [Tag(name: "brand-new-tag", description: "New", aliases: ["fresh"]), Tag(name: Self.demo.tags[0].name, aliases: ["extra-alias"])],
            members: [Member(handle: "nia", name: "Nia Newbie", skills: [Skill(tag: "brand-new-tag", level: .expert), Skill(tag: "fresh", level: .learning)]),
                      Self.demo.members[0]],
            resources: [r1, Resource(title: "A new guide", tags: ["fresh", "onboarding"], contributor: "nia"),
                        Resource(id: EntryID(.resource, 900), title: "Numbered guide", authors: ["nia", "nia"])],
            practices: [Practice(title: Self.demo.practices[0].title)],
            questions: [q1, Question(id: EntryID(.question, 700), title: "New question?", asker: "nia", acceptedAnswer: EntryID(.answer, 700))],
            answers: [Answer(id: EntryID(.answer, 700), question: EntryID(.question, 700), body: "Yes."),
                      Answer(question: q1.id!, body: "Another view."), Answer(question: EntryID(.question, 700), body: "Yes.")],
            searches: [SearchLogEntry(at: Timestamp("2026-01-02T03:04:05Z")!, kind: .find, query: "fresh", results: 2, weak: false, member: "nia")])
        try expectSameImports([(Self.demo, false), (file, false), (file, false)])
    }

    /// The import builds search rows for many entries at once; they must hold the same text as
    /// `knowhow.entry_document` (what every other write indexes) for every kind of entry.
    @Test func importedSearchRowsMatchTheOneByOneDocuments() throws {
        try TestServer.withDatabase { db in
            let pg = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            _ = try pg.importCommunity(Self.demo, renumber: false, progress: nil)
            let c = try db.connect()
            let kinds = try c.query("SELECT entry & 7 AS kind, count(*) AS n FROM knowhow.entry_text GROUP BY 1 ORDER BY 1").rows
                .map { "\(try $0.require("kind", as: Int64.self)):\(try $0.require("n", as: Int64.self))" }
            #expect(kinds.count == 6, "members, resources, practices, questions, answers and meetings: \(kinds)")
            let differ: Int64 = try c.query("""
                SELECT count(*) AS n FROM knowhow.entry_key k
                LEFT JOIN knowhow.entry_text t ON t.entry = k.entry, LATERAL knowhow.entry_document(k.entry) d
                WHERE (t.title, t.tags, t.summary, t.body) IS DISTINCT FROM (d.title, d.tags, d.summary, d.body)
                """).first!.require("n")
            #expect(differ == 0)
            let tagged: Int64 = try c.query("SELECT count(*) AS n FROM knowhow.entry_text WHERE tags <> ''").first!.require("n")
            #expect(tagged > 100)
        }
    }

    /// A file's series and meetings go into PostgreSQL as into SQLite: present ones skipped, a
    /// clashing id refused or renumbered, tags a meeting makes usable by the file's links.
    @Test func meetingsOfAFileGoInAsTheSQLiteStoreTakesThem() throws {
        let m1 = Self.demo.meetings[0]
        var clash = m1; clash.title = "Another meeting under the first one's id"
        let fresh = Meeting(title: "Tagged only here", start: Timestamp("2026-05-07T10:00:00Z")!, presenters: [Self.demo.members[0].handle],
                            tags: ["meeting-only-tag"], uid: "only-here@example.org")
        var file = CommunityFile(series: [Self.demo.series[0], MeetingSeries(name: "Teatime", weekday: .friday, at: "16:00", timeZone: "UTC",
                                                                             starts: Day("2026-03-06")!)],
                                 meetings: [m1, clash, fresh, Meeting(title: "No id", start: Timestamp("2026-05-08T10:00:00Z")!)])
        file.endorsements = [Endorsement(member: Self.demo.members[0].handle, tag: "meeting-only-tag", by: Self.demo.members[1].handle,
                                         at: Timestamp("2026-05-07T12:00:00Z")!)]
        try expectSameImports([(Self.demo, false), (file, false), (file, true), (file, true)])
    }

    /// Endorsements, successions, redirects and not-duplicate marks: the same outcome as on
    /// SQLite, including contradicting links refused by record and renumbered ids followed.
    @Test func linksImportAsOnSQLite() throws {
        let m = Self.demo.members.map(\.handle), t = Self.demo.tags.map(\.name)
        let p = Self.demo.practices.compactMap(\.id), r = Self.demo.resources.compactMap(\.id)
        var links = CommunityFile()
        links.endorsements = [Endorsement(member: m[0], tag: t[0], by: m[1], at: Timestamp("2026-01-02T03:04:05Z")!),
                              Endorsement(member: m[2], tag: t[1], by: m[0], at: Timestamp("2026-01-03T03:04:05Z")!)]
        links.successions = [Succession(practice: p[1], supersededBy: p[0])]
        links.redirects = [Redirect(from: "r900", to: r[0].description), Redirect(from: "@gone", to: "@" + m[3])]
        links.notDuplicates = [NotDuplicatePair(a: r[1].description, b: r[0].description)]
        var contradicting = CommunityFile()
        contradicting.successions = [Succession(practice: p[1], supersededBy: p[2])]
        var fromLive = CommunityFile()
        fromLive.redirects = [Redirect(from: r[2].description, to: r[0].description)]
        // A clashing resource renumbered on import: the file's links to it follow its new number.
        var renumbered = CommunityFile(resources: [Resource(id: r[0], title: "Not the first resource")])
        renumbered.notDuplicates = [NotDuplicatePair(a: r[0].description, b: r[3].description)]
        try expectSameImports([(Self.demo, false), (links, false), (links, false), (contradicting, false), (fromLive, false), (renumbered, true)])
    }

    @Test func aClashingIdIsRefusedNamingTheRecordUnlessRenumbered() throws {
        let clash = CommunityFile(
            resources: [Resource(id: EntryID(.resource, 1), title: "Not the first resource")],
            questions: [Question(id: EntryID(.question, 1), title: "Not the first question?")],
            answers: [Answer(id: EntryID(.answer, 1), question: EntryID(.question, 1), body: "An answer that follows its question.")])
        try expectSameImports([(Self.demo, false), (clash, false), (clash, true), (clash, true)])
    }

    @Test(arguments: [
        CommunityFile(members: [Member(handle: "kim", name: "Kim"), Member(handle: "kim", name: "Kim again")]),
        CommunityFile(resources: [Resource(id: EntryID(.resource, 3), title: "A"), Resource(id: EntryID(.resource, 3), title: "B")]),
        CommunityFile(tags: [Tag(name: "a", aliases: ["x"]), Tag(name: "b", aliases: ["x"])]),
        CommunityFile(tags: [Tag(name: "a", aliases: ["b"]), Tag(name: "b")]),
        CommunityFile(resources: [Resource(id: EntryID(.practice, 3), title: "A")]),
        CommunityFile(resources: [Resource(title: "Fine"), Resource(title: "  ")]),
        CommunityFile(resources: [Resource(title: "Fine"), Resource(title: "Bad link", url: "javascript:alert(1)")]),
        CommunityFile(members: [Member(handle: "ok", name: "Ok"), Member(handle: "x", name: "X", email: "x@")]),
        CommunityFile(members: [Member(handle: "Not A Handle!", name: "X")]),
        CommunityFile(resources: [Resource(title: "Guide", contributor: "kim"), Resource(title: "Orphan", contributor: "ghost")]),
        CommunityFile(questions: [Question(id: EntryID(.question, 5), title: "Q?", acceptedAnswer: EntryID(.answer, 9))],
                      answers: [Answer(id: EntryID(.answer, 9), question: EntryID(.question, 6), body: "Elsewhere")]),
        CommunityFile(questions: [Question(id: EntryID(.question, 5), title: "Q?", acceptedAnswer: EntryID(.answer, 9))]),
        CommunityFile(answers: [Answer(question: EntryID(.question, 404), body: "Orphan")]),
        CommunityFile(tags: [Tag(name: "c++")]),
    ])
    func badRecordsAreNamedAsSQLiteNamesThemAndNothingIsKept(_ file: CommunityFile) throws {
        try expectSameImports([(Self.demo, false), (file, false)])
        try expectSameImports([(file, false)])
    }

    /// More records than one batch, from a file read record by record: the same community.
    @Test func aLargeFileStreamsInBatchesWithTheSameResult() throws {
        var file = CommunityFile(members: [Member(handle: "ada", name: "Ada", skills: [Skill(tag: "bulk", level: .expert)])])
        let n = PostgresCommunityImport<CommunityFile>.batchSize * 2 + 17
        let at = Timestamp("2026-03-04T05:06:07Z")!  // "now" would differ between the two imports
        file.resources = (1...n).map { Resource(id: EntryID(.resource, Int64($0)), title: "Bulk guide \($0)", summary: "Tab\there, a \\ and\nlines",
                                                 tags: ["bulk", "t\($0 % 7)"], contributor: "ada", created: at) }
        file.questions = (1...n).map { Question(id: EntryID(.question, Int64($0)), title: "Bulk question \($0)?", created: at, acceptedAnswer: EntryID(.answer, Int64($0))) }
        file.answers = (1...n).map { Answer(id: EntryID(.answer, Int64($0)), question: EntryID(.question, Int64($0)), body: "Answer \($0)", created: at) }
            + (1...n).map { Answer(question: EntryID(.question, Int64($0)), body: "Answer \($0)", created: at) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pg-import-\(UUID().uuidString).json")
        try file.encoded().write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let sqlite = try SQLiteKnowledgeStore()
        let theirs = try sqlite.importCommunity(try CommunityFileReader(path: path.path), renumber: false, progress: nil, as: .system)
        try TestServer.withDatabase { db in
            let pg = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            let mine = try pg.importCommunity(try CommunityFileReader(path: path.path), renumber: false, progress: nil)
            #expect(mine == theirs)
            #expect(mine.skipped == n)
            let a = try pg.exportCommunity().encoded(), b = try sqlite.exportCommunity().encoded()
            #expect(a == b, "\(String(decoding: a, as: UTF8.self).prefix(2000)) \(String(decoding: b, as: UTF8.self).prefix(2000))")
            let hits = try pg.search(try QueryParser.parse("\"bulk guide 4001\""), limit: 3).hits.map(\.ref)
            #expect(hits == [.entry(EntryID(.resource, 4001))])
            // A second time, everything is present.
            let again = try pg.importCommunity(try CommunityFileReader(path: path.path), renumber: false, progress: nil)
            #expect(again.total == 0)
        }
    }

    /// Ids given by PostgreSQL after an import come after the imported ones.
    @Test func numbersAfterAnImportAreFree() throws {
        try TestServer.withDatabase { db in
            let pg = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            _ = try pg.importCommunity(Self.demo)
            let c = try db.connect()
            let next: Int64 = try c.query("INSERT INTO knowhow.resource(title, kind, created, updated) VALUES ('x', 'guide', 'a', 'a') RETURNING id").first!.require("id")
            #expect(next == Int64(Self.demo.resources.count) + 1)
        }
    }
}
