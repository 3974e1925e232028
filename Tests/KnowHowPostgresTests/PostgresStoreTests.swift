import Foundation
import Testing
import KnowHowCore
import KnowHowSQLite
@testable import KnowHowPostgres

/// The first PostgreSQL store: the round trip with the SQLite store, reads that agree with it,
/// and search on PostgreSQL's full-text machinery.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresStoreTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Data/community.json")

    /// The demo community in a SQLite store, and its export.
    static func sqliteDemo() throws -> (SQLiteKnowledgeStore, Data) {
        let store = try SQLiteKnowledgeStore()
        _ = try store.importCommunity(CommunityFile.decode(try Data(contentsOf: demo), path: "community.json"), as: .system)
        return (store, try store.exportCommunity().encoded())
    }

    func withDemo(_ body: (PostgresKnowledgeStore, SQLiteKnowledgeStore, Data) throws -> Void) throws {
        let (sqlite, bytes) = try Self.sqliteDemo()
        try TestServer.withDatabase { db in
            let pg = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            _ = try pg.importCommunity(CommunityFile.decode(bytes, path: "exported.json"))
            try body(pg, sqlite, bytes)
        }
    }

    func expectSameBytes(_ a: Data, _ b: Data, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard a != b else { return }
        let x = String(decoding: a, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let y = String(decoding: b, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let i = x.indices.first { $0 >= y.count || x[$0] != y[$0] } ?? x.count
        Issue.record("\(what) changed line \(i + 1): \(i < x.count ? x[i] : "") → \(i < y.count ? y[i] : "")", sourceLocation: sourceLocation)
    }

    @Test func theDemoGoesFromSQLiteToPostgreSQLAndBackByteForByte() throws {
        try withDemo { (pg: PostgresKnowledgeStore, _: SQLiteKnowledgeStore, sqliteBytes: Data) throws in
            let pgBytes = try pg.exportCommunity().encoded()
            expectSameBytes(pgBytes, sqliteBytes, "SQLite → PostgreSQL")
            let back = try SQLiteKnowledgeStore()
            _ = try back.importCommunity(CommunityFile.decode(pgBytes, path: "from-postgres.json"), as: .system)
            expectSameBytes(try back.exportCommunity().encoded(), sqliteBytes, "PostgreSQL → SQLite")
        }
    }

    @Test func readsAgreeWithTheSQLiteStore() throws {
        try withDemo { (pg: PostgresKnowledgeStore, sqlite: SQLiteKnowledgeStore, _: Data) throws in
            #expect(try pg.counts() == sqlite.counts())
            let file = try sqlite.exportCommunity()
            for m in file.members { #expect(try pg.member(m.handle) == sqlite.member(m.handle)) }
            for r in file.resources { #expect(try pg.resource(r.id!) == r) }
            for p in file.practices { #expect(try pg.practice(p.id!) == p) }
            for q in file.questions {
                #expect(try pg.question(q.id!) == q)
                #expect(try pg.answers(to: q.id!) == sqlite.answers(to: q.id!))
            }
            for a in file.answers { #expect(try pg.answer(a.id!) == a) }
            for t in file.tags {
                #expect(try pg.tag(t.name) == sqlite.tag(t.name))
                for a in t.aliases { #expect(try pg.resolveTag(a) == t.name) }
            }
            #expect(try pg.listTags(query: nil, limit: 500) == sqlite.listTags(query: nil, limit: 500))
            #expect(try pg.listTags(query: "care", limit: 20) == sqlite.listTags(query: "care", limit: 20))
        }
    }

    @Test func completionAgreesWithTheSQLiteStore() throws {
        try withDemo { (pg: PostgresKnowledgeStore, sqlite: SQLiteKnowledgeStore, _: Data) throws in
            for p in ["", "a", "@b", "EL", "zz", "ü"] {
                #expect(try pg.handles(startingWith: p, limit: 8) == sqlite.handles(startingWith: p, limit: 8), "\(p)")
                #expect(try pg.tagNames(startingWith: p, limit: 8).map { "\($0.name) \($0.count)" }
                        == sqlite.tagNames(startingWith: p, limit: 8).map { "\($0.name) \($0.count)" }, "\(p)")
            }
            for p in ["r", "r1", "p3", "q", "a2", "a55", "r999", "rx", "@kim", ""] {
                #expect(try pg.entryTitles(startingWith: p, limit: 6).map { "\($0.id) \($0.title)" }
                        == sqlite.entryTitles(startingWith: p, limit: 6).map { "\($0.id) \($0.title)" }, "\(p)")
            }
        }
    }

    @Test func unknownIdsHandlesAndTagsAreSentences() throws {
        try withDemo { (pg: PostgresKnowledgeStore, sqlite: SQLiteKnowledgeStore, _: Data) throws in
            #expect(throws: KnowHowError.unknownEntry(EntryID(.resource, 9999))) { try pg.resource(EntryID(.resource, 9999)) }
            #expect(throws: KnowHowError.unknownMember(handle: "nobody-here")) { try pg.member("nobody-here") }
            // A near miss gets the same suggestion from both stores.
            let typo = "onboardin"
            let expected = #expect(throws: KnowHowError.self) { try sqlite.tag(typo) }
            #expect(throws: expected!) { try pg.tag(typo) }
            #expect(try pg.resolveTag("no-such-tag") == nil)
        }
    }

    @Test func searchFindsRanksAndMarksMatches() throws {
        try withDemo { (pg: PostgresKnowledgeStore, sqlite: SQLiteKnowledgeStore, _: Data) throws in
            for words in ["onboarding", "supervision", "reflective practice", "\"first week\"", "risk* -assessment", "budget OR funding"] {
                let q = try QueryParser.parse(words)
                let found = try pg.search(q, limit: 10)
                let expected = try sqlite.search(q, limit: 10)
                #expect(!found.hits.isEmpty, "\(words)")
                // The same entries match, as SQLite finds them.
                let all = try pg.search(q, limit: 1000).hits.map(\.ref), allSQLite = try sqlite.search(q, limit: 1000).hits.map(\.ref)
                #expect(Set(all) == Set(allSQLite), "\(words)")
                #expect(found.hits.map(\.score) == found.hits.map(\.score).sorted(), "\(words)")
                #expect(found.hits.first.map { $0.title.contains(Highlight.open) || $0.snippet.contains(Highlight.open) } == true, "\(words)")
            }
            // Ranking: bm25 as FTS5 computes it (see PostgresBM25) gives SQLite's top three for
            // each of these, and mostly the same top five (91 of 100 for 20 queries on the demo).
            var shared = 0
            let words = ["supervision", "reflective practice", "onboarding", "risk", "budget", "mentoring", "safeguarding",
                         "data", "volunteer", "evaluation", "training", "wellbeing"]
            for w in words {
                let q = try QueryParser.parse(w)
                let mine = try pg.search(q, limit: 5).hits.map(\.ref), theirs = try sqlite.search(q, limit: 5).hits.map(\.ref)
                #expect(Array(mine.prefix(3)) == Array(theirs.prefix(3)), "\(w)")
                shared += Set(mine).intersection(theirs).count
            }
            #expect(shared >= words.count * 9 / 2, "top fives share \(shared) of \(words.count * 5)")
            // Titles weigh most: an entry with the word in its title comes first.
            let top = try #require(try pg.search(try QueryParser.parse("onboarding"), limit: 1).hits.first)
            #expect(Highlight.plain(top.title).lowercased().contains("onboard"))
        }
    }

    @Test func filtersNarrowAsTheSQLiteStoreDoes() throws {
        try withDemo { (pg: PostgresKnowledgeStore, sqlite: SQLiteKnowledgeStore, _: Data) throws in
            let file = try sqlite.exportCommunity()
            let curator = try #require(file.members.first { $0.role == .curator }?.handle)
            let contributor = try #require(file.resources.compactMap(\.contributor).first)
            let sector = try #require(file.members.compactMap(\.sector).first)
            for text in ["tag:onboarding", "onboarding -type:member", "type:practice status:verified", "kind:template",
                         "by:@\(contributor)", "-by:@\(contributor) type:resource", "sector:\"\(sector)\"",
                         "tag:onboarding -type:question", "status:open", "status:answered type:question", "tag:no-such-tag"] {
                let q = try QueryParser.parse(text)
                let found = Set(try pg.search(q, limit: 1000).hits.map(\.ref))
                let sqliteFound = Set(try sqlite.search(q, limit: 1000).hits.map(\.ref))
                #expect(found == sqliteFound, "\(text)")
            }
            let curators = try pg.list(.member, query: try QueryParser.parse("role:curator"), limit: 100).hits.map(\.ref)
            #expect(curators.contains(.member(curator)))
            #expect(curators == (try sqlite.list(.member, query: try QueryParser.parse("role:curator"), limit: 100).hits.map(\.ref)))
            for t in EntryType.allCases {
                #expect(try pg.list(t, query: nil, limit: 500).hits == sqlite.list(t, query: nil, limit: 500).hits, "list \(t.plural)")
            }
            #expect(throws: KnowHowError.self) { try pg.search(try QueryParser.parse("kind:poster x"), limit: 5) }
        }
    }
}

/// What search says beside its hits: notes on empty results, "did you mean", accents folded,
/// as the SQLite store says and does them.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresSearchExtrasTests {
    func withBoth(_ extra: CommunityFile = CommunityFile(), _ body: (PostgresKnowledgeStore, SQLiteKnowledgeStore) throws -> Void) throws {
        let (sqlite, bytes) = try PostgresStoreTests.sqliteDemo()
        _ = try sqlite.importCommunity(extra, as: .system)
        try TestServer.withDatabase { db in
            let pg = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            _ = try pg.importCommunity(CommunityFile.decode(bytes, path: "exported.json"))
            _ = try pg.importCommunity(extra)
            try body(pg, sqlite)
        }
    }

    @Test func emptyResultsCarryTheSameNotesAndSuggestions() throws {
        try withBoth { pg, sqlite in
            for text in ["tag:no-such-tag", "tag:onboardin", "tag:nope tag:nada", "-tag:no-such-tag onboarding",
                         "onboarding tag:budget type:member", "onboarding type:member status:verified",
                         "onbording", "supervison", "mentorng xyzzyqq", "zzzzzzzzz", "\"reflective practise\"",
                         "onboarding -onboarding", "kind:template onbording"] {
                let q = try QueryParser.parse(text)
                let mine = try pg.search(q, limit: 10), theirs = try sqlite.search(q, limit: 10)
                #expect(mine.notes == theirs.notes, "\(text)")
                #expect(mine.suggestions == theirs.suggestions, "\(text)")
                #expect(mine.hits.isEmpty == theirs.hits.isEmpty, "\(text)")
            }
            // At least one of them says something, or the comparison above proves little.
            #expect(try pg.search(try QueryParser.parse("onbording"), limit: 5).suggestions.contains("onboarding"))
            #expect(try !pg.search(try QueryParser.parse("tag:onboardin"), limit: 5).notes.isEmpty)
            let unknown = #expect(throws: KnowHowError.self) { try sqlite.search(try QueryParser.parse("by:@nobody-here x"), limit: 5) }
            #expect(throws: unknown!) { try pg.search(try QueryParser.parse("by:@nobody-here x"), limit: 5) }
        }
    }

    @Test func accentsFoldAsSQLiteFoldsThem() throws {
        let extra = CommunityFile(resources: [Resource(title: "Café culture in the naïve office", summary: "Über-simple résumé tips"),
                                              Resource(title: "Cafe menus", summary: "Resume writing")])
        try withBoth(extra) { pg, sqlite in
            for text in ["cafe", "café", "naive", "NAÏVE", "uber", "résumé", "resume", "caf*", "\"cafe culture\""] {
                let q = try QueryParser.parse(text)
                let mine = Set(try pg.search(q, limit: 50).hits.map(\.ref)), theirs = Set(try sqlite.search(q, limit: 50).hits.map(\.ref))
                #expect(!mine.isEmpty, "\(text)")
                #expect(mine == theirs, "\(text)")
            }
            // The vocabulary is folded too: a typo near an accented word is told the plain spelling.
            let q = try QueryParser.parse("naivx")
            #expect(try pg.search(q, limit: 5).suggestions == sqlite.search(q, limit: 5).suggestions)
        }
    }

    /// The vocabulary follows the index whoever writes it: words leave with the last entry
    /// holding them, and stay while another holds them.
    @Test func theVocabularyFollowsTheIndex() throws {
        try TestServer.withDatabase { db in
            let pg = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            _ = try pg.importCommunity(CommunityFile(resources: [Resource(id: EntryID(.resource, 1), title: "Naïve zebras"),
                                                                 Resource(id: EntryID(.resource, 2), title: "Zebras")]))
            let c = try db.connect()
            func entries(_ w: String) throws -> Int? { try c.query("SELECT entries FROM knowhow.word WHERE term = $1", [w]).first?.get("entries") }
            #expect(try entries("naive") == 1 && entries("zebras") == 2)
            try c.execute("DELETE FROM knowhow.entry_text WHERE entry = $1", [EntryKeys.make(.resource, 1)])
            #expect(try entries("naive") == nil && entries("zebras") == 1)
            try c.execute("UPDATE knowhow.entry_text SET title = 'Giraffes' WHERE entry = $1", [EntryKeys.make(.resource, 2)])
            #expect(try entries("zebras") == nil && entries("giraffes") == 1)
        }
    }
}
