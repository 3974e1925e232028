import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Issue 19, the per-query floor: highlights and snippets are made from the stored text in Swift,
/// and must be exactly FTS5's own highlight() and snippet() for the rows FTS5 matched.
@Suite struct QueryMarkerTests {
    /// A deterministic generator (SplitMix64), so a failure names a case that can be run again.
    struct Seeded {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
    }

    // Stems shared by several forms, diacritics, hyphens, very common words, capitals.
    static let words = ["garden", "gardens", "gardening", "Garden", "soil", "soils", "compost", "composting",
                        "mulch", "café", "cafe", "CAFÉ", "e-mail", "email", "run", "running", "runner", "the",
                        "of", "a", "report", "reporting", "reports", "naïve", "naive", "Über", "uber", "x", "1st",
                        "onboarding", "onboard", "board"]
    static let separators = [" ", " ", " ", " ", ", ", ". ", ": ", " - ", "\n", "  ", ".\n", " — ", " (", ") ", "'", ".", ":"]

    static func text(_ r: inout Seeded) -> String {
        let n = r.below(5) == 0 ? r.below(4) : r.below(60)
        var s = r.below(6) == 0 ? r.pick(separators) : ""
        for i in 0..<n {
            if i > 0 { s += r.pick(separators) }
            s += r.pick(words)
        }
        if r.below(3) == 0 { s += r.pick(separators) }
        return s
    }

    static func leaf(_ r: inout Seeded) -> QueryNode {
        let w = r.pick(words)
        switch r.below(6) {
        case 0: return .prefix(String(w.prefix(1 + r.below(4))))
        case 1: return .phrase([w, r.pick(words)], prefix: false)
        case 2: return .phrase([w, r.pick(words), r.pick(words)], prefix: false)
        case 3: return .phrase([w, String(r.pick(words).prefix(2 + r.below(3)))], prefix: true)
        default: return .term(w)
        }
    }

    static func query(_ r: inout Seeded) -> QueryNode {
        switch r.below(5) {
        case 0: return .and([leaf(&r), leaf(&r)])
        case 1: return .or([leaf(&r), leaf(&r), leaf(&r)])
        case 2: return .and([leaf(&r), .not(leaf(&r))])
        case 3: return .and([.or([leaf(&r), leaf(&r)]), leaf(&r)])
        default: return leaf(&r)
        }
    }

    @Test func marksFromTheStoredTextAreFTS5sOwnOnRandomTextsAndQueries() throws {
        let db = try DatabaseQueue()
        var r = Seeded(state: 19)
        try db.write { db in
            try db.execute(sql: """
                CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2')
                """)
            for i in 1...400 {
                try db.execute(sql: "INSERT INTO t(rowid, title, body) VALUES (?, ?, ?)",
                               arguments: [i, Self.text(&r), Self.text(&r)])
            }
        }
        var compared = 0, marked = 0, cut = 0
        try db.read { db in
            for _ in 0..<300 {
                let node = Self.query(&r)
                guard let match = FTS5Query.render(node) else { continue }
                let marker = try QueryMarker(db, node: node)
                for row in try Row.fetchAll(db, sql: """
                    SELECT title, body, highlight(t, 0, char(2), char(3)), snippet(t, 1, char(2), char(3), '…', 14),
                           snippet(t, 0, char(2), char(3), '…', 14)
                    FROM t WHERE t MATCH ?
                    """, arguments: [match]) {
                    let title: String = row[0], body: String = row[1]
                    #expect(marker.highlight(title) == row[2], "highlight of \(title.debugDescription) for \(match)")
                    #expect(marker.snippet(body) == row[3], "snippet of \(body.debugDescription) for \(match)")
                    #expect(marker.snippet(title) == row[4], "snippet of \(title.debugDescription) for \(match)")
                    compared += 1
                    if (row[3] as String).contains(Highlight.open) { marked += 1 }
                    if (row[3] as String).hasPrefix("…") { cut += 1 }
                }
            }
        }
        // The cases cover what they must: many rows, most with marks, many snippets cut short.
        #expect(compared > 2_000)
        #expect(marked > 1_000)
        #expect(cut > 300)
    }

    /// `instances` rules a token out by its first byte and length before comparing it with each
    /// phrase: on random texts and queries (prefixes, phrases ending in a prefix) it finds exactly
    /// what comparing every token finds, and it does rule most tokens out.
    @Test func instancesFoundWithTheFilterAreThoseFoundWithout() throws {
        let db = try DatabaseQueue()
        var r = Seeded(state: 2024)
        var compared = 0, found = 0, passed = 0, tokens = 0
        try db.read { db in
            for _ in 0..<400 {
                let node = Self.query(&r)
                var marker = try QueryMarker(db, node: node)
                var unfiltered = marker
                unfiltered.instanceFilterOn = false
                for _ in 0..<5 {
                    let t = marker.tokens(Self.text(&r))
                    let a = marker.instances(t), b = unfiltered.instances(t)
                    #expect(a.map(\.position) == b.map(\.position) && a.map(\.phrase) == b.map(\.phrase) && a.map(\.size) == b.map(\.size),
                            "\(node)")
                    compared += 1; found += b.count; tokens += t.count
                    passed += (0..<t.count).filter { marker.passesFilter(t, $0) }.count
                }
                marker.instanceFilterOn = true
            }
        }
        #expect(compared == 2_000)
        #expect(found > 1_000)
        #expect(passed < tokens / 2, "\(passed) of \(tokens) tokens passed the filter")
    }

    @Test func aNullColumnHasNoMarksAndAnEmptyOneIsEmpty() throws {
        let db = try DatabaseQueue()
        try db.read { db in
            let marker = try QueryMarker(db, node: .term("garden"))
            #expect(marker.highlight(nil) == nil)
            #expect(marker.snippet(nil) == nil)
            #expect(marker.snippet("") == "")
            #expect(marker.highlight("Gardening: the soil") == "\u{2}Gardening\u{3}: the soil")
        }
    }
}

/// Issue 19: a sentence's BM25F was read by FTS5 entry by entry (a seek through every term's
/// matches each); it is computed from the stored text now, and must be the same to the bit.
@Suite struct FieldWeightedFromTextTests {
    @Test func bm25fFromTheStoredTextIsFTS5sOnRandomTextsAndSentences() throws {
        let db = try DatabaseQueue()
        var r = QueryMarkerTests.Seeded(state: 1919)
        try db.write { db in
            SQLiteKnowledgeStore.registerFieldWeightedFunctions(db)
            try db.execute(sql: """
                CREATE VIRTUAL TABLE entry_fts USING fts5(title, tags, summary, body,
                    tokenize = 'porter unicode61 remove_diacritics 2')
                """)
            // Rows whose key ends in 1 are members (left out of the statistics, not of the ranking).
            try db.execute(sql: "CREATE TABLE member(id INTEGER PRIMARY KEY)")
            for i in stride(from: 5, through: 300, by: 5) { try db.execute(sql: "INSERT INTO member(id) VALUES (?)", arguments: [i]) }
            for i in 1...300 {
                try db.execute(sql: "INSERT INTO entry_fts(rowid, title, tags, summary, body) VALUES (?, ?, ?, ?, ?)",
                               arguments: [i * 8 + 1 + i % 5, QueryMarkerTests.text(&r), QueryMarkerTests.text(&r),
                                           r.below(3) == 0 ? nil : QueryMarkerTests.text(&r), QueryMarkerTests.text(&r)])
            }
        }
        var compared = 0, reordered = 0
        try db.read { db in
            for _ in 0..<150 {
                // A sentence's shape: any of its words or phrases; some with an AND inside.
                let node: QueryNode = r.below(4) == 0 ? .and([QueryMarkerTests.leaf(&r), QueryMarkerTests.leaf(&r)])
                    : .or((0..<(2 + r.below(3))).map { _ in QueryMarkerTests.leaf(&r) })
                guard let match = FTS5Query.render(node) else { continue }
                let keys = try Int64.fetchAll(db, sql: "SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? LIMIT 20", arguments: [match])
                // Some rows that do not match too: both must leave them out.
                let others = try Int64.fetchAll(db, sql: """
                    SELECT rowid FROM entry_fts WHERE rowid NOT IN (SELECT rowid FROM entry_fts WHERE entry_fts MATCH ?) LIMIT 3
                    """, arguments: [match])
                let rows = (keys + others).enumerated().map { SQLiteKnowledgeStore.Ranked(key: $1, rank: Double($0)) }
                let idfs: [Double]
                if case .or(let cs) = node { idfs = cs.map { _ in 0.5 + Double(r.below(100)) / 37 } } else { idfs = [1.3] }
                let statistics = try SQLiteKnowledgeStore.entryStatistics(db)
                let ours = try SQLiteKnowledgeStore.fieldWeightedFromText(db, rows, node: node, idfs: idfs, statistics: statistics, memberFactor: 0.6) { k in
                    try Row.fetchOne(db, sql: "SELECT title, tags, summary, body FROM entry_fts WHERE rowid = ?", arguments: [k])
                        .map { row in (0..<4).map { (row[$0] as String?) ?? "" } }
                }
                let fts5 = try SQLiteKnowledgeStore.fieldWeightedByFTS5(db, rows, match: match, idfs: idfs, statistics: statistics, memberFactor: 0.6)
                #expect(ours?.map(\.key) == fts5.map(\.key), "\(match)")
                #expect(ours?.map(\.rank) == fts5.map(\.rank), "\(match)")
                #expect(ours?.map(\.matched) == fts5.map(\.matched), "\(match)")
                compared += fts5.count
                if fts5.map(\.key) != Array(keys.prefix(fts5.count)) { reordered += 1 }
            }
        }
        #expect(compared > 1_000)
        #expect(reordered > 20)
    }

    @Test func aQueryWithAnExclusionIsLeftToFTS5() throws {
        let db = try DatabaseQueue()
        try db.read { db in
            let excluding = try QueryMarker(db, node: .and([.term("garden"), .not(.term("soil"))]))
            let tokenless = try QueryMarker(db, node: .or([.term("garden"), .term("—")]))
            let plain = try QueryMarker(db, node: .or([.term("garden"), .phrase(["soil", "mulch"], prefix: true)]))
            #expect(!excluding.alignedWithFTS5)
            #expect(!tokenless.alignedWithFTS5)
            #expect(plain.alignedWithFTS5)
        }
    }
}
