import Foundation
import GRDB
import GRDBSQLite
import KnowHowCore

/// BM25F for natural-language searches (`Query.naturalLanguage`): FTS5 auxiliary functions,
/// registered on every connection, read each matching entry's word counts per column from FTS5
/// itself (same tokenizer, same stems), and the core's `FieldWeightedBM25` scores them.
/// - `knowhow_bm25f(entry_fts, avg₁, …, avg₄, idf₁, …, idfₙ)`: the entry's BM25F, given each
///   column's average length and one idf per phrase of the MATCH expression in its order (both
///   read once per search, not once per entry);
/// - `knowhow_matched(entry_fts)`: how many of the phrases the entry holds;
/// - `knowhow_weighted_count(entry_fts)`: the row's matches, each weighted by its column as
///   `rankSQL` weighs them (read from the match itself: no seek for the row's lengths);
/// - `knowhow_walk(entry_fts, sink)`: on the first row of a one-word MATCH, every row holding the
///   word, in rowid order, with its weighted count, into `sink` (a `WalkedMatches` bound as a
///   pointer of type "knowhow_walk"): the walk of `naturalCandidates` without a SQL row per match;
/// - `knowhow_column_total(entry_fts, c)` (c = -1: the row count) and
///   `knowhow_column_length(entry_fts, c)`: the index's and one row's length in tokens.
extension SQLiteKnowledgeStore {
    static func registerFieldWeightedFunctions(_ db: Database) {
        let api = UnsafeMutablePointer(mutating: FTS5.api(db))
        _ = api.pointee.xCreateFunction(api, "knowhow_bm25f", nil, fieldWeightedScore, nil)
        _ = api.pointee.xCreateFunction(api, "knowhow_matched", nil, matchedPhrases, nil)
        _ = api.pointee.xCreateFunction(api, "knowhow_column_total", nil, columnTotalFunction, nil)
        _ = api.pointee.xCreateFunction(api, "knowhow_column_length", nil, columnLengthFunction, nil)
        _ = api.pointee.xCreateFunction(api, "knowhow_weighted_count", nil, weightedCountFunction, nil)
        _ = api.pointee.xCreateFunction(api, "knowhow_walk", nil, walkFunction, nil)
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

    /// What BM25F normalises by: how many entries there are and each column's average length,
    /// over the entries a natural-language search ranks, members left out. An imported site has
    /// thousands of members whose rows are a name and a handle: counted, they made every title
    /// look long and every word rarer, and on the reuse benchmark leaving them out raised the MRR
    /// of `similar` on both sites (ai 0.311 → 0.334, coffee 0.354 → 0.362).
    struct EntryStatistics: Equatable, Sendable {
        var entries: Int
        /// Title, tags, summary, body.
        var averages: [Double]
    }

    static let statisticsCache = StatisticsCache()

    /// The last statistics computed, by connection and the index's own totals: members' lengths
    /// cost a lookup each (a few milliseconds at 100,000 entries), and they change only when the
    /// index does, which changes its row count or a column's total.
    final class StatisticsCache: @unchecked Sendable {
        private let lock = NSLock()
        private var key: [Int] = []
        private var value: EntryStatistics?
        func get(_ key: [Int]) -> EntryStatistics? { lock.lock(); defer { lock.unlock() }; return key == self.key ? value : nil }
        func set(_ key: [Int], _ value: EntryStatistics) { lock.lock(); defer { lock.unlock() }; self.key = key; self.value = value }
    }

    static func entryStatistics(_ db: Database) throws -> EntryStatistics {
        let columns = 4  // title, tags, summary, body
        let totals = (-1..<columns).map { "knowhow_column_total(entry_fts, \($0))" }.joined(separator: ", ")
        guard let all = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(totals) FROM entry_fts LIMIT 1")) else {
            return EntryStatistics(entries: 0, averages: Array(repeating: 1, count: columns))
        }
        let allTotals: [Int] = (0...columns).map { all[$0] }
        let key = [Int(bitPattern: db.sqliteConnection)] + allTotals
        if let cached = statisticsCache.get(key) { return cached }
        // Members' lengths from FTS5's own record of each row's column sizes (one varint per
        // column): an auxiliary function reads them only for rows a MATCH found.
        let sizes = try Data.fetchCursor(db, sql: "SELECT sz FROM entry_fts_docsize WHERE id IN (SELECT id << 3 | 1 FROM member)")
        var memberRows = 0, memberTotals = Array(repeating: 0, count: columns)
        while let sz = try sizes.next() {
            memberRows += 1
            // SQLite's varints: seven bits a byte, most significant first, the high bit for "more".
            var c = 0, value = 0
            for byte in sz where c < columns {
                value = value << 7 | Int(byte & 0x7f)
                if byte & 0x80 != 0 { continue }
                memberTotals[c] += value
                c += 1; value = 0
            }
        }
        let entries = max(allTotals[0] - memberRows, 0)
        let averages = (0..<columns).map { c -> Double in
            let total = allTotals[c + 1] - memberTotals[c]
            return entries > 0 && total > 0 ? Double(total) / Double(entries) : 1
        }
        let statistics = EntryStatistics(entries: entries, averages: averages)
        statisticsCache.set(key, statistics)
        return statistics
    }
}

private let fieldWeightedScore: fts5_extension_function = { api, fts, ctx, argc, argv in
    guard let x = api?.pointee, let fts else { sqlite3_result_error(ctx, "knowhow_bm25f: no FTS5 context", -1); return }
    guard let (counts, columns) = SQLiteKnowledgeStore.counts(x, fts) else {
        sqlite3_result_error(ctx, "knowhow_bm25f: cannot read the entry's words", -1); return
    }
    guard Int(argc) >= columns else { sqlite3_result_error(ctx, "knowhow_bm25f: give each column's average length", -1); return }
    let averages = (0..<columns).map { sqlite3_value_double(argv![$0]) }
    let idfs = (columns..<Int(argc)).map { sqlite3_value_double(argv![$0]) }
    var lengths: [Int] = []
    for c in 0..<Int32(columns) {
        var size: Int32 = 0
        _ = x.xColumnSize(fts, c, &size)
        lengths.append(Int(size))
    }
    sqlite3_result_double(ctx, FieldWeightedBM25.natural.score(counts: counts, lengths: lengths, averages: averages, idfs: idfs))
}

private let columnTotalFunction: fts5_extension_function = { api, fts, ctx, argc, argv in
    guard let x = api?.pointee, let fts, argc == 1 else { sqlite3_result_error(ctx, "knowhow_column_total: no FTS5 context", -1); return }
    var n: sqlite3_int64 = 0
    let column = sqlite3_value_int(argv![0])
    let rc = column < 0 ? x.xRowCount(fts, &n) : x.xColumnTotalSize(fts, column, &n)
    guard rc == SQLITE_OK else { sqlite3_result_error(ctx, "knowhow_column_total: cannot read the index's totals", -1); return }
    sqlite3_result_int64(ctx, n)
}

private let weightedCountFunction: fts5_extension_function = { api, fts, ctx, _, _ in
    guard let x = api?.pointee, let fts else { sqlite3_result_error(ctx, "knowhow_weighted_count: no FTS5 context", -1); return }
    // Each phrase's instances straight off its position list (xPhraseFirst/Next): xInstCount
    // first gathers every phrase's instances into an array, a third of walking a word's matches.
    var total = 0.0
    let weights = SQLiteKnowledgeStore.columnWeights
    for p in 0..<x.xPhraseCount(fts) {
        guard let count = weightedCount(x, fts, phrase: p, weights: weights) else {
            sqlite3_result_error(ctx, "knowhow_weighted_count: cannot read the entry's words", -1); return
        }
        total += count
    }
    sqlite3_result_double(ctx, total)
}

/// One phrase's instances in the current row, each weighted by its column (`weights`), read
/// straight off its position list; nil when FTS5 cannot read it.
private func weightedCount(_ x: Fts5ExtensionApi, _ fts: OpaquePointer, phrase: Int32, weights: [Double]) -> Double? {
    weights.withUnsafeBufferPointer { weightedCount(x.xPhraseFirst, x.xPhraseNext, fts, phrase: phrase, weights: $0) }
}

/// As above, given FTS5's two functions and the weights as a buffer: the walk calls it for each of
/// thousands of rows, where copying FTS5's table of functions and retaining an array were a
/// fifth of its own time.
@inline(__always)
private func weightedCount(_ first: XPhraseFirst, _ next: XPhraseNext, _ fts: OpaquePointer, phrase: Int32,
                           weights: UnsafeBufferPointer<Double>) -> Double? {
    var total = 0.0
    var iter = Fts5PhraseIter()
    var column: Int32 = 0, offset: Int32 = 0
    guard first(fts, phrase, &iter, &column, &offset) == SQLITE_OK else { return nil }
    while column >= 0 {
        if Int(column) < weights.count { total += weights[Int(column)] }
        next(fts, &iter, &column, &offset)
    }
    return total
}

private typealias XPhraseFirst = @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<Fts5PhraseIter>?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?) -> Int32
private typealias XPhraseNext = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Fts5PhraseIter>?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?) -> Void

/// A word's matches as `knowhow_walk` collects them: each row's key and weighted count, in one
/// array (one append a row), which `naturalCandidates` turns into the word's shares in place.
/// Reached through a pointer, a row at a time: a struct's array, not a class's (whose every access
/// is checked for exclusivity, and retained).
struct WalkedMatches {
    /// Key and weighted count.
    var matches: [SortedShares.Share] = []
    var keys: [Int64] { matches.map(\.key) }
    var counts: [Double] { matches.map(\.share) }
    /// The type name the sink is bound with (`sqlite3_bind_pointer`): only a pointer bound with it
    /// reaches the function. SQLite keeps the name's address while bound: a literal's, static.
    nonisolated(unsafe) static let pointerTypeName = UnsafeRawPointer(("knowhow_walk" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    /// The column weights, made once for every walk (see `weightedCount`).
    nonisolated(unsafe) static let weights: UnsafeBufferPointer<Double> = {
        let p = UnsafeMutableBufferPointer<Double>.allocate(capacity: SQLiteKnowledgeStore.columnWeights.count)
        _ = p.initialize(from: SQLiteKnowledgeStore.columnWeights)
        return UnsafeBufferPointer(p)
    }()
}

private let walkRow: @convention(c) (UnsafePointer<Fts5ExtensionApi>?, OpaquePointer?, UnsafeMutableRawPointer?) -> Int32 = { api, fts, sink in
    guard let api, let fts, let sink, let first = api.pointee.xPhraseFirst, let next = api.pointee.xPhraseNext,
          let rowid = api.pointee.xRowid else { return SQLITE_ERROR }
    guard let total = weightedCount(first, next, fts, phrase: 0, weights: WalkedMatches.weights) else { return SQLITE_ERROR }
    sink.assumingMemoryBound(to: WalkedMatches.self).pointee.matches.append((rowid(fts), total))
    return SQLITE_OK
}

private let walkFunction: fts5_extension_function = { api, fts, ctx, argc, argv in
    guard let x = api?.pointee, let fts, argc == 1,
          let sink = sqlite3_value_pointer(argv![0], WalkedMatches.pointerTypeName) else {
        sqlite3_result_error(ctx, "knowhow_walk: give the sink to fill", -1); return
    }
    sink.assumingMemoryBound(to: WalkedMatches.self).pointee.matches.reserveCapacity(256)
    let rc = x.xQueryPhrase(fts, 0, sink, walkRow)
    guard rc == SQLITE_OK else {
        // SQLite's own code (out of memory, a corrupt index, an interrupt) travels with the message.
        sqlite3_result_error(ctx, "knowhow_walk: cannot read the word's matches", -1)
        sqlite3_result_error_code(ctx, rc == SQLITE_ERROR ? SQLITE_ERROR : rc); return
    }
    sqlite3_result_int(ctx, 1)
}

extension SQLiteKnowledgeStore {
    /// Every entry holding a word (`match`, one quoted word) and its weighted count, in key
    /// order, from `knowhow_walk` through `statement` (see `naturalCandidates`).
    static func walkMatches(_ statement: Statement, _ match: String) throws -> WalkedMatches {
        var sink = WalkedMatches()
        let s = statement.sqliteStatement
        sqlite3_reset(s)
        try withUnsafeMutablePointer(to: &sink) { sink in
            // The binding is cleared before `sink` goes (`step` resets on every way out).
            defer { sqlite3_clear_bindings(s) }
            let bound = sqlite3_bind_pointer(s, 1, sink, WalkedMatches.pointerTypeName, nil)
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            guard bound == SQLITE_OK, sqlite3_bind_text(s, 2, match, -1, transient) == SQLITE_OK else {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "cannot bind a word's walk")
            }
            try step(statement) { _ in }
        }
        return sink
    }
}

private let columnLengthFunction: fts5_extension_function = { api, fts, ctx, argc, argv in
    guard let x = api?.pointee, let fts, argc == 1 else { sqlite3_result_error(ctx, "knowhow_column_length: no FTS5 context", -1); return }
    var n: Int32 = 0
    guard x.xColumnSize(fts, sqlite3_value_int(argv![0]), &n) == SQLITE_OK else {
        sqlite3_result_error(ctx, "knowhow_column_length: cannot read the entry's length", -1); return
    }
    sqlite3_result_int(ctx, n)
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
    /// `counted`: entries holding a word, where the pool's search counted them already.
    static func fieldWeighted(_ db: Database, _ rows: [Ranked], node: QueryNode, match: String,
                              memberFactor: Double, exactLimit: Int = SearchTuning.standard.exactLimit,
                              counted: [String: Int] = [:]) throws -> [Ranked] {
        guard !rows.isEmpty else { return rows }
        // One idf per phrase as FTS5 numbers them (every word, phrase and prefix in the order
        // written): an AND of a sentence's words is scored word by word, not as one phrase.
        var phrases: [QueryNode] = []
        func collect(_ n: QueryNode) {
            switch n {
            case .term, .prefix, .phrase: phrases.append(n)
            case .and(let cs), .or(let cs): cs.forEach(collect)
            case .not(let c): collect(c)
            }
        }
        collect(node)
        var counts: [Int] = []
        for p in phrases {
            if case .term(let w) = p, let n = counted[w] { counts.append(n); continue }
            var terms: [String] = []
            if case .term(let w) = p { terms = try indexTerms(db, w) }
            if terms.count == 1, let listed = try listedEntries(db, terms[0]) { counts.append(listed); continue }
            guard let m = FTS5Query.render(p) else { counts.append(0); continue }
            // A word of a large store can be in half of it, and counting every match costs a tenth
            // of a second: past `exactLimit` an estimate stands in where there is one.
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
        let statistics = try entryStatistics(db)
        let idfs = counts.map { FieldWeightedBM25.idf(entries: statistics.entries, containing: $0) }
        if let scored = try fieldWeightedFromText(db, rows, node: node, idfs: idfs, statistics: statistics, memberFactor: memberFactor) {
            return scored
        }
        return try fieldWeightedByFTS5(db, rows, match: match, idfs: idfs, statistics: statistics, memberFactor: memberFactor)
    }

    /// BM25F read by FTS5 entry by entry (`knowhow_bm25f`), for queries `fieldWeightedFromText` does not take.
    static func fieldWeightedByFTS5(_ db: Database, _ rows: [Ranked], match: String, idfs: [Double],
                                    statistics: EntryStatistics, memberFactor: Double) throws -> [Ranked] {
        let marks = Array(repeating: "?", count: statistics.averages.count + idfs.count).joined(separator: ", ")
        let statement = try db.cachedStatement(sql: """
            SELECT knowhow_bm25f(entry_fts, \(marks)), knowhow_matched(entry_fts)
            FROM entry_fts WHERE entry_fts MATCH ? AND rowid = ?
            """)
        var out: [Ranked] = []
        for (i, r) in rows.enumerated() {
            var args = StatementArguments(statistics.averages + idfs)
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
    /// FTS5's), so no entry costs a seek through every term's matches. nil when the query's
    /// phrases do not line up with FTS5's one for one.
    /// `text`: an entry's columns, by default its document made from the tables.
    static func fieldWeightedFromText(_ db: Database, _ rows: [Ranked], node: QueryNode, idfs: [Double],
                                      statistics: EntryStatistics, memberFactor: Double,
                                      text textOf: ((Int64) throws -> [String]?)? = nil) throws -> [Ranked]? {
        let marker = try QueryMarker(db, node: node)
        guard marker.alignedWithFTS5 else { return nil }
        let wordsOnly = marker.wordsOnly
        let columns = 4  // title, tags, summary, body
        let averages = statistics.averages
        var out: [Ranked] = []
        let documents = textOf == nil ? try documents(db, keys: rows.map(\.key)) : [:]
        // One set of arrays for all the entries, cleared for each: made afresh they were some 20
        // allocations an entry.
        let phraseCount = marker.phrases.count
        var counts = Array(repeating: Array(repeating: 0, count: columns), count: phraseCount)
        var lengths = Array(repeating: 0, count: columns)
        var found = Array(repeating: 0, count: phraseCount)
        var present = Array(repeating: false, count: phraseCount)
        for (i, r) in rows.enumerated() {
            let d: Document
            if let textOf {
                guard let t = try textOf(r.key) else { continue }
                d = Document(title: t[0], tags: t[1], summary: t[2], body: t[3])
            } else {
                guard let found = documents[r.key] else { continue }
                d = found
            }
            for p in 0..<phraseCount { for c in 0..<columns { counts[p][c] = 0 } }
            for c in 0..<columns {
                let text = c == 0 ? d.title : c == 1 ? d.tags : c == 2 ? d.summary : d.body
                if wordsOnly {
                    // A sentence's words: counted as the text is cut, its tokens not kept.
                    lengths[c] = marker.counts(text, into: &found)
                    for p in 0..<phraseCount { counts[p][c] = found[p] }
                    continue
                }
                let t = marker.tokens(text)
                lengths[c] = t.count
                for instance in marker.instances(t) { counts[instance.phrase][c] += 1 }
            }
            var matched = 0
            for p in 0..<phraseCount {
                present[p] = counts[p].contains { $0 > 0 }
                if present[p] { matched += 1 }
            }
            // Only entries that match the whole query, as FTS5's MATCH kept them.
            var next = 0
            func holds(_ n: QueryNode) -> Bool {
                switch n {
                case .term, .prefix, .phrase: next += 1; return present[next - 1]
                case .and(let cs):
                    var all = true
                    for c in cs where !holds(c) { all = false }
                    return all
                case .or(let cs):
                    var any = false
                    for c in cs where holds(c) { any = true }
                    return any
                case .not: return false
                }
            }
            guard holds(node) else { continue }
            let score = FieldWeightedBM25.natural.score(counts: counts, lengths: lengths, averages: averages, idfs: idfs)
            let member = r.key & 7 == EntryKey.code(.member)
            // Ties keep bm25's order.
            out.append(Ranked(key: r.key, rank: -score * (member ? memberFactor : 1) + Double(i) * 1e-9, matched: matched))
        }
        out.sort { $0.rank < $1.rank }
        return out
    }
}

extension SQLiteKnowledgeStore {
    /// A large store's pool for a sentence's any-word search (`closest`), for BM25F to order: a
    /// listed word adds its ranked list's scores, as `listRanking` does; any other word adds, to
    /// every entry holding it, its bm25 share as if the entry were of average length, from the
    /// word's column-weighted count read off each match (`knowhow_weighted_count`). Ranking each
    /// match with bm25 itself reads that entry's lengths, a seek each: for the words of a pasted
    /// title thousands of seeks, most of its cost at 100,000 entries. Leaving out the length is
    /// BM25 with b = 0; BM25F, which orders the pool, normalises by each field's length.
    /// nil where the general path serves: a small store, filters, or anything but plain words.
    static func naturalCandidates(_ db: Database, node: QueryNode, limit: Int, memberFactor: Double,
                                  tuning: SearchTuning) throws -> [Ranked]? {
        var counted: [String: Int] = [:]
        return try naturalCandidates(db, node: node, limit: limit, memberFactor: memberFactor, tuning: tuning, counted: &counted)
    }

    /// As above; `counted` gets how many entries hold each word: a walked word's matches (a word
    /// without a list), a listed word's count from its list, so that BM25F's idf need not look
    /// either up again.
    static func naturalCandidates(_ db: Database, node: QueryNode, limit: Int, memberFactor: Double,
                                  tuning: SearchTuning, counted: inout [String: Int]) throws -> [Ranked]? {
        guard case .or(let leaves) = node, let stats = try rankStats(db), stats.entries >= tuning.commonWordMinimumStore else { return nil }
        var words: [(word: String, term: String)] = []
        for leaf in leaves {
            guard case .term(let w) = leaf else { return nil }
            // A word that is several terms (`e-mail`) is a phrase: the general path checks it.
            let terms = try indexTerms(db, w)
            guard terms.count <= 1 else { return nil }
            if let t = terms.first { words.append((w, t)) }
        }
        // Each word's shares first, in entry order, then summed as the lists merge (SortedShares):
        // a table of sums (growing it as the shares came was a sixth of the walk at 100,000
        // entries, a dictionary sized once still a tenth). Each entry's shares are added in the
        // words' order, so every entry's sum is the same.
        var shares: [[(key: Int64, share: Double)]] = []
        let walk = try db.cachedStatement(sql: "SELECT knowhow_walk(entry_fts, ?) FROM entry_fts WHERE entry_fts MATCH ? LIMIT 1")
        for (w, term) in words {
            if let listed = try listedEntries(db, term) {
                counted[w] = listed
                // As `addListScores` adds them.
                let weight = idf(entries: stats.entries, containing: listed)
                var matches = try self.listed(db, term: term, stats: stats)
                matches.withUnsafeMutableBufferPointer { m in for i in m.indices { m[i].share = weight * m[i].share } }
                shares.append(matches)
                continue
            }
            // Walked inside FTS5 (`knowhow_walk`): a word can have thousands of matches, and a row
            // stepped through SQL for each was a tenth of the walk.
            // Each count becomes its share in place: the walk's array is the word's list of shares.
            var walked = try walkMatches(walk, FTS5Query.quote(w)).matches
            counted[w] = walked.count
            let weight = idf(entries: stats.entries, containing: walked.count)
            walked.withUnsafeMutableBufferPointer { m in
                for i in m.indices { m[i].share = weight * impact(weightedCount: m[i].share, length: 1, averageLength: 1) }
            }
            shares.append(walked)
        }
        // The best `limit` of tens of thousands: kept in order as they come (most fall below the
        // last kept at one comparison), not all sorted.
        func before(_ a: Ranked, _ b: Ranked) -> Bool { a.rank != b.rank ? a.rank < b.rank : a.key > b.key }
        var best: [Ranked] = []
        best.reserveCapacity(limit + 1)
        SortedShares.sums(shares) { key, value in
            let r = Ranked(key: key, rank: -value * (key & 7 == EntryKey.code(.member) ? memberFactor : 1))
            if best.count == limit, let last = best.last, !before(r, last) { return }
            var lo = 0, hi = best.count
            while lo < hi { let mid = (lo + hi) / 2; if before(best[mid], r) { lo = mid + 1 } else { hi = mid } }
            best.insert(r, at: lo)
            if best.count > limit { best.removeLast() }
        }
        return best
    }
}

extension SQLiteKnowledgeStore {
    /// The documents of many entries, exactly as `document(_:key:)` makes each, read a table at a
    /// time: BM25F scores some 50 entries for a pasted title, and two or three statements an
    /// entry were a third of its time at 100,000 entries. Members and meetings (seldom many)
    /// are read one by one. Entries that do not exist are left out.
    /// The last documents read are kept (`RecentDocuments`): a pasted title's shown page is ten
    /// of the fifty its pool has just read.
    static func documents(_ db: Database, keys: [Int64]) throws -> [Int64: Document] {
        // Read once for the kept documents and the tags' words (it also begins the transaction's read).
        let stats = try rankStats(db)
        let recent = RecentDocuments.usable(db, stats: stats)
        var out: [Int64: Document] = [:]
        if let recent { out = RecentDocuments.shared.documents(recent, keys) }
        let kept = out.count
        defer { if let recent, out.count > kept { RecentDocuments.shared.keep(recent, out) } }
        var numbers: [EntryType: [Int64]] = [:]
        for k in keys where out[k] == nil {
            guard let type = EntryKey.type(k) else { continue }
            if type == .member || type == .meeting {
                out[k] = try document(db, key: k)
            } else {
                numbers[type, default: []].append(EntryKey.number(k))
            }
        }
        func list(_ ns: [Int64]) -> String { "[" + ns.map(String.init).joined(separator: ",") + "]" }
        // An entry's tags are its own, an answer's its question's.
        var tagsOf: [Int64: Int64] = [:]
        for (type, ns) in numbers {
            // Each id looked up as the list gives it: `id IN (SELECT value FROM json_each(?))` first
            // sorted the list into a temporary index.
            let sql: String
            switch type {
            case .resource: sql = "SELECT r.id, r.title, r.summary, r.body FROM json_each(?) j JOIN resource r ON r.id = j.value"
            case .practice: sql = "SELECT p.id, p.title, p.context, p.practice, p.evidence FROM json_each(?) j JOIN practice p ON p.id = j.value"
            case .question: sql = "SELECT q.id, q.title, q.body FROM json_each(?) j JOIN question q ON q.id = j.value"
            case .answer:
                sql = "SELECT a.id, a.body, a.question_id, q.title FROM json_each(?) j JOIN answer a ON a.id = j.value JOIN question q ON q.id = a.question_id"
            case .member, .meeting: continue
            }
            // Read raw: GRDB's rows copied and decoded each value, most of this function's time.
            let statement = try db.cachedStatement(sql: sql)
            try statement.setArguments([list(ns)])
            try step(statement) { r in
                let key = EntryKey.make(type, sqlite3_column_int64(r, 0))
                var d = Document()
                switch type {
                case .resource: d.title = text(r, 1) ?? ""; d.summary = text(r, 2) ?? ""; d.body = text(r, 3) ?? ""
                case .practice:
                    d.title = text(r, 1) ?? ""; d.summary = text(r, 2) ?? ""
                    d.body = [text(r, 3), text(r, 4)].compactMap { $0 }.joined(separator: "\n\n")
                case .question: d.title = text(r, 1) ?? ""; d.body = text(r, 2) ?? ""
                case .answer: d.summary = text(r, 3) ?? ""; d.body = text(r, 1) ?? ""
                case .member, .meeting: return
                }
                out[key] = d
                tagsOf[key] = type == .answer ? EntryKey.make(.question, sqlite3_column_int64(r, 2)) : key
            }
        }
        guard !tagsOf.isEmpty else { return out }
        // Those entries' tags by id (the primary key holds them: no seek into the rows), then
        // the tags' words, mostly from the connection's cache (+TagWords), in `tagText`'s order.
        var tagIDs: [Int64: [Int64]] = [:], ids = Set<Int64>()
        let statement = try db.cachedStatement(sql: "SELECT e.entry, e.tag_id FROM json_each(?) j JOIN entry_tag e ON e.entry = j.value")
        try statement.setArguments([list(Array(Set(tagsOf.values)))])
        try step(statement) { row in
            let id = sqlite3_column_int64(row, 1)
            tagIDs[sqlite3_column_int64(row, 0), default: []].append(id)
            ids.insert(id)
        }
        let words = try tagWords(db, ids: ids, stats: .some(stats))
        var tags: [Int64: String] = [:]
        for (key, tagged) in tagsOf {
            if tags[tagged] == nil {
                var own: [TagWords] = []
                for id in tagIDs[tagged] ?? [] { if let w = words[id] ?? nil { own.append(w) } }
                if own.count > 1 { own.sort { $0.sorts(before: $1) } }
                tags[tagged] = own.count == 1 ? own[0].text : own.map(\.text).joined(separator: " ")
            }
            out[key]?.tags = tags[tagged]!
        }
        return out
    }

    /// A text column of the current row as GRDB decodes it (up to a NUL, invalid UTF-8 repaired),
    /// nil for NULL: documents must equal `document`'s, which reads through GRDB.
    static func text(_ s: OpaquePointer, _ column: Int32) -> String? {
        guard sqlite3_column_type(s, column) != SQLITE_NULL, let p = sqlite3_column_text(s, column) else { return nil }
        return String(cString: p)
    }
}
