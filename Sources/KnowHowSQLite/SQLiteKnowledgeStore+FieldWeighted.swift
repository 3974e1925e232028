import Foundation
import GRDB
import GRDBSQLite
import KnowHowCore

/// BM25F for natural-language searches (`Query.naturalLanguage`): two FTS5 auxiliary functions,
/// registered on every connection, read each matching entry's word counts per column from FTS5
/// itself (same tokenizer, same stems), and the core's `FieldWeightedBM25` scores them.
/// - `knowhow_bm25f(entry_fts, idf₁, …, idfₙ)`: the entry's BM25F, one idf per phrase of the
///   MATCH expression in its order (the idfs are read once per search, not once per entry);
/// - `knowhow_matched(entry_fts)`: how many of the phrases the entry holds.
extension SQLiteKnowledgeStore {
    static func registerFieldWeightedFunctions(_ db: Database) {
        let api = UnsafeMutablePointer(mutating: FTS5.api(db))
        _ = api.pointee.xCreateFunction(api, "knowhow_bm25f", nil, fieldWeightedScore, nil)
        _ = api.pointee.xCreateFunction(api, "knowhow_matched", nil, matchedPhrases, nil)
        _ = api.pointee.xCreateFunction(api, "knowhow_average_length", nil, averageLengthFunction, nil)
    }

    /// A column's average length in tokens over the whole index, as `knowhow_bm25f` computes it.
    fileprivate static func averageLength(_ x: Fts5ExtensionApi, _ fts: OpaquePointer, column: Int32) -> Double {
        var rows: sqlite3_int64 = 0, total: sqlite3_int64 = 0
        _ = x.xRowCount(fts, &rows)
        _ = x.xColumnTotalSize(fts, column, &total)
        return rows > 0 ? Double(total) / Double(rows) : 1
    }

    /// Each phrase's counts per column in the current row, and the phrase count.
    fileprivate static func counts(_ x: Fts5ExtensionApi, _ fts: OpaquePointer) -> (counts: [[Int]], columns: Int)? {
        let columns = Int(x.xColumnCount(fts)), phrases = Int(x.xPhraseCount(fts))
        var n: Int32 = 0
        guard x.xInstCount(fts, &n) == SQLITE_OK else { return nil }
        var out = Array(repeating: Array(repeating: 0, count: columns), count: phrases)
        for i in 0..<n {
            var phrase: Int32 = 0, column: Int32 = 0, offset: Int32 = 0
            guard x.xInst(fts, i, &phrase, &column, &offset) == SQLITE_OK else { return nil }
            if Int(phrase) < phrases, Int(column) < columns { out[Int(phrase)][Int(column)] += 1 }
        }
        return (out, columns)
    }
}

private let fieldWeightedScore: fts5_extension_function = { api, fts, ctx, argc, argv in
    guard let x = api?.pointee, let fts else { sqlite3_result_error(ctx, "knowhow_bm25f: no FTS5 context", -1); return }
    guard let (counts, columns) = SQLiteKnowledgeStore.counts(x, fts) else {
        sqlite3_result_error(ctx, "knowhow_bm25f: cannot read the entry's words", -1); return
    }
    var idfs: [Double] = []
    for i in 0..<Int(argc) { idfs.append(sqlite3_value_double(argv![i])) }
    var lengths: [Int] = [], averages: [Double] = []
    for c in 0..<Int32(columns) {
        var size: Int32 = 0
        _ = x.xColumnSize(fts, c, &size)
        lengths.append(Int(size))
        averages.append(SQLiteKnowledgeStore.averageLength(x, fts, column: c))
    }
    sqlite3_result_double(ctx, FieldWeightedBM25.natural.score(counts: counts, lengths: lengths, averages: averages, idfs: idfs))
}

private let averageLengthFunction: fts5_extension_function = { api, fts, ctx, argc, argv in
    guard let x = api?.pointee, let fts, argc == 1 else { sqlite3_result_error(ctx, "knowhow_average_length: no FTS5 context", -1); return }
    sqlite3_result_double(ctx, SQLiteKnowledgeStore.averageLength(x, fts, column: sqlite3_value_int(argv![0])))
}

private let matchedPhrases: fts5_extension_function = { api, fts, ctx, _, _ in
    guard let x = api?.pointee, let fts, let (counts, _) = SQLiteKnowledgeStore.counts(x, fts) else {
        sqlite3_result_error(ctx, "knowhow_matched: cannot read the entry's words", -1); return
    }
    sqlite3_result_int(ctx, Int32(counts.filter { $0.contains { $0 > 0 } }.count))
}

extension SQLiteKnowledgeStore {
    /// How many of bm25's best entries BM25F orders: on the reuse benchmark 20 did as well as
    /// every match, and each costs a seek per word (about 0.3 ms for a pasted title at 100k entries).
    static let naturalPool = 20

    /// The entries bm25 found for a sentence, ranked again by BM25F. Each phrase's entry count
    /// is read once (a listed term's from its list, another's counted), then each entry is
    /// scored from FTS5's own counts of it.
    static func fieldWeighted(_ db: Database, _ rows: [Ranked], node: QueryNode, match: String,
                              memberFactor: Double, exactLimit: Int = SearchTuning.standard.exactLimit) throws -> [Ranked] {
        guard !rows.isEmpty else { return rows }
        let phrases: [QueryNode]
        if case .or(let cs) = node { phrases = cs } else { phrases = [node] }
        var counts: [Int] = []
        for p in phrases {
            var terms: [String] = []
            if case .term(let w) = p { terms = try indexTerms(db, w) }
            if terms.count == 1, let listed = try listedEntries(db, terms[0]) { counts.append(listed); continue }
            guard let m = FTS5Query.render(p) else { counts.append(0); continue }
            // A sentence's words together (an AND is one phrase here) can be in half a large store,
            // and counting them all costs a tenth of a second: past `exactLimit` their shares of the
            // store, multiplied, stand in. The one idf scales every entry's score alike, so the
            // order is the same.
            let counted = try Int.fetchOne(cached: db, sql: """
                SELECT count(*) FROM (SELECT 1 FROM entry_fts WHERE entry_fts MATCH ? LIMIT ?)
                """, arguments: [m, exactLimit + 1]) ?? 0
            if counted > exactLimit, let stats = try rankStats(db), let expected = try expectedMatches(db, p, stats: stats) {
                counts.append(max(counted, Int(expected.rounded())))
            } else if counted > exactLimit {
                counts.append(try Int.fetchOne(cached: db, sql: "SELECT count(*) FROM entry_fts WHERE entry_fts MATCH ?", arguments: [m]) ?? 0)
            } else {
                counts.append(counted)
            }
        }
        let entries = try rankStats(db)?.entries ?? Int.fetchOne(cached: db, sql: "SELECT count(*) FROM entry_fts_docsize") ?? 0
        let idfs = counts.map { FieldWeightedBM25.idf(entries: entries, containing: $0) }
        if let scored = try fieldWeightedFromText(db, rows, node: node, idfs: idfs, memberFactor: memberFactor) { return scored }
        return try fieldWeightedByFTS5(db, rows, match: match, idfs: idfs, memberFactor: memberFactor)
    }

    /// BM25F read by FTS5 entry by entry (`knowhow_bm25f`), for queries `fieldWeightedFromText` does not take.
    static func fieldWeightedByFTS5(_ db: Database, _ rows: [Ranked], match: String, idfs: [Double],
                                    memberFactor: Double) throws -> [Ranked] {
        let marks = Array(repeating: "?", count: idfs.count).joined(separator: ", ")
        let statement = try db.cachedStatement(sql: """
            SELECT knowhow_bm25f(entry_fts\(idfs.isEmpty ? "" : ", " + marks)), knowhow_matched(entry_fts)
            FROM entry_fts WHERE entry_fts MATCH ? AND rowid = ?
            """)
        var out: [Ranked] = []
        for (i, r) in rows.enumerated() {
            var args = StatementArguments(idfs)
            _ = args.append(contentsOf: [match, r.key])
            guard let row = try Row.fetchOne(statement, arguments: args) else { continue }
            let score: Double = row[0], member = r.key & 7 == EntryKey.code(.member)
            // Ties keep bm25's order.
            out.append(Ranked(key: r.key, rank: -score * (member ? memberFactor : 1) + Double(i) * 1e-9, matched: row[1]))
        }
        out.sort { $0.rank < $1.rank }
        return out
    }

    /// The same BM25F from the entries' stored text: each phrase's instances per column and each
    /// column's length come from the index's own tokenizer (QueryMarker, whose instances are
    /// FTS5's), the store's average lengths from FTS5 once, so no entry costs a seek through every
    /// term's matches. nil when the query's phrases do not line up with FTS5's one for one.
    static func fieldWeightedFromText(_ db: Database, _ rows: [Ranked], node: QueryNode, idfs: [Double],
                                      memberFactor: Double) throws -> [Ranked]? {
        let marker = try QueryMarker(db, node: node)
        guard marker.alignedWithFTS5 else { return nil }
        let columns = 4  // title, tags, summary, body
        guard let row = try Row.fetchOne(db, sql: "SELECT " + (0..<columns).map { "knowhow_average_length(entry_fts, \($0))" }.joined(separator: ", ")
                                          + " FROM entry_fts LIMIT 1") else { return nil }
        let averages: [Double] = (0..<columns).map { row[$0] }
        let statement = try db.cachedStatement(sql: "SELECT title, tags, summary, body FROM entry_fts WHERE rowid = ?")
        var out: [Ranked] = []
        for (i, r) in rows.enumerated() {
            guard let text = try Row.fetchOne(statement, arguments: [r.key]) else { continue }
            var counts = Array(repeating: Array(repeating: 0, count: columns), count: marker.phrases.count)
            var lengths: [Int] = []
            for c in 0..<columns {
                let t = marker.tokens((text[c] as String?) ?? "")
                lengths.append(t.count)
                for instance in marker.instances(t) { counts[instance.phrase][c] += 1 }
            }
            let present = counts.map { $0.contains { $0 > 0 } }
            // Only entries that match the whole query, as FTS5's MATCH kept them.
            var next = 0
            func holds(_ n: QueryNode) -> Bool {
                switch n {
                case .term, .prefix, .phrase: next += 1; return present[next - 1]
                case .and(let cs): return cs.map(holds).allSatisfy { $0 }
                case .or(let cs): return cs.map(holds).contains(true)
                case .not: return false
                }
            }
            guard holds(node) else { continue }
            let score = FieldWeightedBM25.natural.score(counts: counts, lengths: lengths, averages: averages, idfs: idfs)
            let member = r.key & 7 == EntryKey.code(.member)
            // Ties keep bm25's order.
            out.append(Ranked(key: r.key, rank: -score * (member ? memberFactor : 1) + Double(i) * 1e-9,
                              matched: present.filter { $0 }.count))
        }
        out.sort { $0.rank < $1.rank }
        return out
    }
}
