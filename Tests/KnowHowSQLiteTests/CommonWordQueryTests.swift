import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Queries made only of common words (issue 19): ranked from the terms' lists, with the best
/// candidates checked one at a time instead of walking every match.
@Suite struct CommonWordQueryTests {
    /// RankListTests' small store, with the common-word rules on from 100 entries (it has 121).
    static let lists = SearchTuning(listMinDocs: 20, listLength: 40, exactLimit: 15, commonWordMinimumStore: 100)
    static let walking = SearchTuning(listMinDocs: 20, listLength: 40, exactLimit: 15, commonWordMinimumStore: 100,
                                      candidateChecks: 0)
    static let exact = SearchTuning(listMinDocs: 20, listLength: 40, exactLimit: 1_000_000)

    func store(_ tuning: SearchTuning) throws -> SQLiteKnowledgeStore {
        let s = try SQLiteKnowledgeStore()
        s.searchTuning = tuning
        _ = try s.importCommunity(RankListTests.community(), as: .system)
        return s
    }

    func keys(_ r: SearchResults) -> [String] { r.hits.map { $0.ref.description } }

    // The last: most candidates fail, so checking gives up and walks the matches.
    @Test(arguments: ["garden soil", "garden soil mulch", "garden compost -weeds", "soil mulch weeds harvest rota beds"])
    func checkingTheBestCandidatesGivesTheSamePageAsWalkingEveryMatch(_ q: String) throws {
        let checked = try store(Self.lists).search(QueryParser.parse(q), limit: 10)
        let walked = try store(Self.walking).search(QueryParser.parse(q), limit: 10)
        #expect(!checked.hits.isEmpty)
        #expect(keys(checked) == keys(walked), "\(q)")
        #expect(zip(checked.hits, walked.hits).allSatisfy { $0.score == $1.score }, "\(q)")
        #expect(checked.more == walked.more)
    }

    // (Not `"garden soil" mulch`: beside a phrase a common word is left out by design.)
    @Test(arguments: ["\"garden soil\"", "\"soil mulch\"", "\"mulch garden\""])
    func phrasesOfCommonWordsShowOnlyEntriesWithThePhrase(_ q: String) throws {
        let s = try store(Self.lists)
        let parsed = try QueryParser.parse(q)
        // The path under test: these phrases go to the lists, not to FTS5's ranking of every match.
        let common = try s.writer.read { db in
            try SQLiteKnowledgeStore.onlyListedPhrases(db, parsed.text!, stats: SQLiteKnowledgeStore.rankStats(db)!, tuning: Self.lists)
        }
        #expect(common)
        let shown = try s.search(parsed, limit: 10)
        let all = Set(keys(try store(Self.exact).search(parsed, limit: 500)))
        #expect(!shown.hits.isEmpty)
        #expect(Set(keys(shown)).isSubset(of: all), "\(q): \(keys(shown)) not all in the exact results")
        #expect(shown.hits.count == min(10, all.count))
    }

    @Test func aPhraseWithARareWordIsStillRankedExactly() throws {
        let s = try store(Self.lists)
        let common = try s.writer.read { db in
            try SQLiteKnowledgeStore.onlyListedPhrases(db, try QueryParser.parse("\"garden kim\"").text!,
                                                       stats: SQLiteKnowledgeStore.rankStats(db)!, tuning: Self.lists)
        }
        #expect(!common)
    }

    @Test(arguments: ["garden", "soil", "compost"])
    func oneListedWordTakesTheTopOfItsListAsTheGeneralPathDoes(_ q: String) throws {
        let s = try store(Self.lists)
        let top = try s.writer.read { db in
            try SQLiteKnowledgeStore.topOfList(db, word: q, stats: SQLiteKnowledgeStore.rankStats(db)!, limit: 11, memberFactor: 0.6)
        }
        let general = try s.writer.read { db in
            try SQLiteKnowledgeStore.listRanking(db, node: .or([.term(q), .term("zzzunknown")]), match: "\"\(q)\" OR \"zzzunknown\"",
                                                 filtered: "", arguments: [], limit: 11, memberFactor: 0.6, tuning: Self.lists)
        }
        #expect(top?.map(\.key) == general.map(\.key))
        #expect(top?.map(\.rank) == general.map(\.rank))
    }

    @Test(arguments: ["garden", "\"garden soil\"", "garden compost", "soil OR mulch", "garden -weeds", "comp*",
                      "\"garden comp\"*", "gardening soils"])
    func marksFromTheStoredTextAreTheMainIndexsOwn(_ q: String) throws {
        // The per-query floor: marks are made in Swift from the stored text, not by FTS5 reading
        // every term's matches again; they must be FTS5's own highlight() and snippet().
        let s = try store(Self.exact)
        let node = try QueryParser.parse(q).text!
        let match = FTS5Query.render(node)!
        let (ours, fts5) = try s.writer.write { db in
            let keys = try Int64.fetchAll(db, sql: "SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? LIMIT 10", arguments: [match])
            // The index keeps no text: FTS5 marks the same documents in a table that does.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE temp.marks_fts USING fts5(title, tags, summary, body,
                    tokenize = 'porter unicode61 remove_diacritics 2')
                """)
            defer { try? db.execute(sql: "DROP TABLE temp.marks_fts") }
            for k in keys {
                let d = try #require(try SQLiteKnowledgeStore.document(db, key: k))
                try db.execute(sql: "INSERT INTO temp.marks_fts(rowid, title, tags, summary, body) VALUES (?, ?, ?, ?, ?)",
                               arguments: [k, d.title, d.tags, d.summary, d.body])
            }
            var fts5: [Int64: [String?]] = [:]
            for k in keys {
                let row = try Row.fetchOne(db, sql: """
                    SELECT highlight(marks_fts, 0, char(2), char(3)), snippet(marks_fts, 2, char(2), char(3), '…', 14),
                           snippet(marks_fts, 3, char(2), char(3), '…', 14)
                    FROM temp.marks_fts WHERE marks_fts MATCH ? AND rowid = ?
                    """, arguments: [match, k])!
                fts5[k] = [row[0], row[1], row[2]]
            }
            return (try SQLiteKnowledgeStore.marked(db, keys: keys, node: node), fts5)
        }
        #expect(!ours.isEmpty)
        #expect(ours == fts5, "\(q)")
        #expect(ours.values.contains { $0.contains { ($0 ?? "").contains(Highlight.open) } })
    }
}
