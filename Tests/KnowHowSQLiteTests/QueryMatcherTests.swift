import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Issue 19: candidates of a broad query are checked against it from their text (QueryMatcher),
/// not by asking FTS5 entry by entry; the answer must be FTS5's MATCH, and the bm25 computed from
/// the text FTS5's own.
@Suite struct QueryMatcherTests {
    typealias Seeded = QueryMarkerTests.Seeded

    /// A random query with exclusions in every place render allows and some it drops.
    static func query(_ r: inout Seeded) -> QueryNode {
        let leaf = { (r: inout Seeded) in QueryMarkerTests.leaf(&r) }
        switch r.below(8) {
        case 0: return .and([leaf(&r), .not(.or([leaf(&r), leaf(&r)]))])
        case 1: return .or([.and([leaf(&r), .not(leaf(&r))]), leaf(&r)])
        case 2: return .or([leaf(&r), .not(leaf(&r))])                      // render drops the NOT
        case 3: return .and([.not(leaf(&r)), .or([leaf(&r), .and([leaf(&r), leaf(&r)])])])
        default: return QueryMarkerTests.query(&r)
        }
    }

    static func table(_ db: Database, _ r: inout Seeded, rows: Int) throws {
        try db.execute(sql: """
            CREATE VIRTUAL TABLE t USING fts5(title, tags, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')
            """)
        for i in 1...rows {
            try db.execute(sql: "INSERT INTO t(rowid, title, tags, summary, body) VALUES (?, ?, ?, ?, ?)",
                           arguments: [i, QueryMarkerTests.text(&r), r.below(2) == 0 ? "" : QueryMarkerTests.text(&r),
                                       QueryMarkerTests.text(&r), QueryMarkerTests.text(&r)])
        }
    }

    @Test func theMatcherAgreesWithFTS5OnRandomTextsAndQueries() throws {
        let db = try DatabaseQueue()
        var r = Seeded(state: 2019)
        try db.write { try Self.table($0, &r, rows: 300) }
        var compared = 0, matched = 0, queries = 0
        try db.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT rowid, title, tags, summary, body FROM t ORDER BY rowid")
            for _ in 0..<250 {
                let node = Self.query(&r)
                guard let match = FTS5Query.render(node), let matcher = try QueryMatcher(db, node: node) else { continue }
                queries += 1
                let fts5 = Set(try Int64.fetchAll(db, sql: "SELECT rowid FROM t WHERE t MATCH ?", arguments: [match]))
                for row in rows {
                    let key: Int64 = row[0]
                    let ours = matcher.matches([row[1], row[2], row[3], row[4]])
                    #expect(ours == fts5.contains(key), "\(match) on row \(key)")
                    compared += 1
                    if ours { matched += 1 }
                }
            }
        }
        // Enough of both answers to mean something.
        #expect(queries > 200)
        #expect(matched > 5_000)
        #expect(compared - matched > 5_000)
    }

    @Test func aWordWithoutATokenIsLeftToFTS5() throws {
        let db = try DatabaseQueue()
        let (tokenless, excluding) = try db.read { db in
            (try QueryMatcher(db, node: .or([.term("garden"), .term("—")])), try QueryMatcher(db, node: .and([.term("garden"), .not(.term("soil"))])))
        }
        #expect(tokenless == nil)
        #expect(excluding != nil)
    }

    @Test func bm25FromTheTextIsFTS5sOwn() throws {
        let db = try DatabaseQueue()
        var r = Seeded(state: 219)
        try db.write { try Self.table($0, &r, rows: 300) }
        var compared = 0
        try db.read { db in
            // The index's row count and average length, as FTS5's bm25 reads them.
            let all = try Row.fetchAll(db, sql: "SELECT title, tags, summary, body FROM t")
            let marker = try QueryMarker(db, node: .term("x"))
            let tokens = all.reduce(0) { sum, row in sum + (0..<4).reduce(0) { $0 + marker.tokens(row[$1]).count } }
            let average = Double(tokens) / Double(all.count)
            for _ in 0..<120 {
                let node = QueryMarkerTests.query(&r)
                guard let match = FTS5Query.render(node), let matcher = try QueryMatcher(db, node: node) else { continue }
                // One idf per leaf, from how many rows hold it, as FTS5 counts them.
                var idfs: [Double] = []
                for leaf in matcher.leaves {
                    let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM t WHERE t MATCH ?", arguments: [FTS5Query.render(leaf)!]) ?? 0
                    idfs.append(SQLiteKnowledgeStore.idf(entries: all.count, containing: n))
                }
                for row in try Row.fetchAll(db, sql: """
                    SELECT title, tags, summary, body, bm25(t, 10.0, 6.0, 3.0, 1.0) FROM t WHERE t MATCH ?
                    """, arguments: [match]) {
                    let ours = matcher.bm25([row[0], row[1], row[2], row[3]], idfs: idfs, averageLength: average)
                    let theirs = -(row[4] as Double)
                    #expect(abs(ours - theirs) <= 1e-9 * max(1, abs(theirs)), "\(match): \(ours) against \(theirs)")
                    compared += 1
                }
            }
        }
        #expect(compared > 1_000)
    }
}

/// Issue 19: the paths that rank a broad query without FTS5 scoring every match, held to the
/// exact semantics on a store small enough to rank exactly too.
@Suite struct BroadQueryPathTests {
    static let lists = CommonWordQueryTests.lists
    static let exact = CommonWordQueryTests.exact

    /// RankListTests' store with a word in some entries only (`quince`, listed but far from common)
    /// and a phrase of it; each of these entries a different length, so no two score alike.
    static func community() -> CommunityFile {
        var file = RankListTests.community()
        for i in 1...40 {
            let phrase = ["quince garden", "garden and quince", "garden and plum"][i % 3]
            let padding = String(repeating: " note", count: i)
            file.resources.append(Resource(id: EntryID(.resource, Int64(200 + i)), title: "Note \(i)", kind: .guide,
                                           body: "\(phrase) with soil\(i % 2 == 0 ? " and mulch" : "")\(padding)", contributor: "kim"))
        }
        return file
    }

    func store(_ tuning: SearchTuning) throws -> SQLiteKnowledgeStore {
        let s = try SQLiteKnowledgeStore()
        s.searchTuning = tuning
        _ = try s.importCommunity(Self.community(), as: .system)
        return s
    }

    func keys(_ r: SearchResults) -> [String] { r.hits.map { $0.ref.description } }

    @Test(arguments: ["\"quince garden\"", "\"garden and\"", "\"quince garden\" soil", "\"garden soil\" -mulch"])
    func aPhraseOfListedWordsShowsOnlyItsMatchesAndAFullPage(_ q: String) throws {
        let s = try store(Self.lists)
        let parsed = try QueryParser.parse(q)
        let (routed, quince, entries) = try s.writer.read { db in
            let stats = try SQLiteKnowledgeStore.rankStats(db)!
            return (try SQLiteKnowledgeStore.onlyListedPhrases(db, parsed.text!, stats: stats, tuning: Self.lists),
                    try SQLiteKnowledgeStore.listedEntries(db, "quinc"), stats.entries)
        }
        // `quince` is listed but in far fewer than a quarter of the entries; before, such a phrase
        // was ranked by FTS5 scoring every match.
        #expect(quince.map { $0 < entries / 4 } == true)
        #expect(routed == !q.contains("-"))
        let shown = try s.search(parsed, limit: 10)
        let all = try store(Self.exact).search(parsed, limit: 500)
        #expect(!shown.hits.isEmpty)
        #expect(Set(keys(shown)).isSubset(of: Set(keys(all))), "\(q): \(keys(shown)) not all in the exact results")
        #expect(shown.hits.count == min(10, all.hits.count))
        #expect(shown.more == (all.hits.count > 10))
        // Ranked by bm25 from the text: best first.
        #expect(zip(shown.hits, shown.hits.dropFirst()).allSatisfy { $0.score <= $1.score }, "\(shown.hits.map(\.score))")
    }

    @Test func aPhraseAloneIsInBM25sOrderAmongWhatIsShown() throws {
        // The same entries ranked by FTS5 come in the same order (the phrase's idf is the same for all).
        let s = try store(Self.lists)
        let parsed = try QueryParser.parse("\"quince garden\"")
        let shown = keys(try s.search(parsed, limit: 10))
        let exactOrder = keys(try store(Self.exact).search(parsed, limit: 500)).filter(shown.contains)
        #expect(shown == exactOrder)
    }

    @Test func aPrefixIsExpandedFromTheStemFTS5MatchesIt() throws {
        // FTS5 reads `gardening*` as `garden*` (porter): the lists must be looked up the same way.
        let s = try store(Self.lists)
        let (term, listed) = try s.writer.read { db in
            (try SQLiteKnowledgeStore.prefixTerm(db, "gardening"),
             try SQLiteKnowledgeStore.hasListedLeaf(db, .prefix("gardening"), tuning: Self.lists))
        }
        #expect(term == "garden")
        #expect(listed)
        let shown = try s.search(QueryParser.parse("gardening*"), limit: 10)
        let all = Set(keys(try store(Self.exact).search(QueryParser.parse("gardening*"), limit: 500)))
        #expect(shown.hits.count == 10)
        #expect(Set(keys(shown)).isSubset(of: all))
    }

    @Test(arguments: ["garden tag:growing", "garden type:resource", "soil -type:member"])
    func aListedWordWithFiltersTakesTheBestOfItsListThatPass(_ q: String) throws {
        // One word's bm25 is its impact times one idf: the best of its list that pass the filters are
        // the best that pass, the same page as FTS5 scoring every match gives.
        let s = try store(Self.lists)
        let parsed = try QueryParser.parse(q)
        let (conds, args, _) = try s.writer.read { try SQLiteKnowledgeStore.conditions($0, parsed.filters) }
        let top = try s.writer.read { db in
            try SQLiteKnowledgeStore.topOfList(db, word: parsed.text!.positiveWords[0], stats: SQLiteKnowledgeStore.rankStats(db)!,
                                               limit: 6, memberFactor: 0.6, filtered: " WHERE " + conds.joined(separator: " AND "),
                                               arguments: args)
        }
        #expect(top?.count == 6)
        let shown = try s.search(parsed, limit: 5)
        let exact = try store(Self.exact).search(parsed, limit: 5)
        #expect(keys(shown) == keys(exact))
        #expect(zip(shown.hits, exact.hits).allSatisfy { abs($0.score - $1.score) < 1e-9 }, "\(shown.hits.map(\.score)) \(exact.hits.map(\.score))")
        #expect(shown.more == exact.more)
    }

    @Test func aMemberDeepInAListDoesNotEndAFilteredPage() throws {
        // Members rank at 0.6 of their score: a member just above the list's lowest impact ranks
        // below entries outside the list, so a page ending on it is not known to be the best.
        let s = try store(Self.lists)
        let kim = EntryKey.make(.member, try s.writer.read { try Int64.fetchOne($0, sql: "SELECT id FROM member WHERE handle = 'kim'")! })
        try s.writer.write { db in
            let floor = try Double.fetchOne(db, sql: "SELECT floor FROM rank_term WHERE term = 'garden'")!
            try db.execute(sql: "INSERT INTO rank_list(term, entry, impact) VALUES ('garden', ?, ?)", arguments: [kim, floor * 1.01])
        }
        func page(_ factor: Double) throws -> [SQLiteKnowledgeStore.Ranked]? {
            try s.writer.read { db in
                try SQLiteKnowledgeStore.topOfList(db, word: "garden", stats: SQLiteKnowledgeStore.rankStats(db)!, limit: 1,
                                                   memberFactor: factor, filtered: " WHERE (k & 7) = 1")
            }
        }
        #expect(try page(0.6) == nil)
        #expect(try page(1)?.map(\.key) == [kim])
    }

    @Test func aSentenceOfCommonWordsIsScoredWordByWordNotAsOnePhrase() throws {
        // BM25F of a sentence gives each of its words its own idf and counts (an AND of the words
        // was once read as one phrase: only the first word counted). Every row here holds all
        // three words, so the AND and the OR of them score alike; and no exact count of the
        // whole AND is needed, so a low exact limit changes nothing.
        let s = try store(Self.lists)
        let node = try QueryParser.parse("garden soil mulch").text!
        let match = FTS5Query.render(node)!
        guard case .and(let words) = node else { Issue.record("not an AND: \(node)"); return }
        let any = QueryNode.or(words), anyMatch = FTS5Query.render(any)!
        let (all, either, limited) = try s.writer.read { db in
            let rows = try SQLiteKnowledgeStore.exactRanking(db, match: match, filtered: "", arguments: [], limit: 20, memberFactor: 0.6)
            return (try SQLiteKnowledgeStore.fieldWeighted(db, rows, node: node, match: match, memberFactor: 0.6, exactLimit: 1_000_000),
                    try SQLiteKnowledgeStore.fieldWeighted(db, rows, node: any, match: anyMatch, memberFactor: 0.6, exactLimit: 1_000_000),
                    try SQLiteKnowledgeStore.fieldWeighted(db, rows, node: node, match: match, memberFactor: 0.6, exactLimit: 5))
        }
        #expect(all.count == 20)
        #expect(all.map(\.key) == either.map(\.key))
        #expect(all.map(\.rank) == either.map(\.rank))
        #expect(limited.map(\.rank) == all.map(\.rank))
    }
}
