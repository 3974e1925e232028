import Foundation
import GRDB
import GRDBSQLite
import KnowHowCore

/// Ranked lists: for every term in many entries, the entries where that term weighs most, with
/// the term's share of bm25 ("champion lists", Manning, Raghavan and Schütze, Introduction to
/// Information Retrieval, §7.1.3).
///
/// FTS5 ranks by computing bm25 for every matching row, about a microsecond each: a query that
/// matches a tenth of a million entries costs a tenth of a second however few rows it shows.
/// When a query matches more than `SearchTuning.exactLimit` entries, `find` and `who` rank the
/// union of its terms' lists instead, and still check every shown entry against the full query
/// and its filters. Smaller result sets are ranked exactly by FTS5, as before.
///
/// The lists are rebuilt from the index in one pass after an import, and kept current entry by
/// entry on every other write (see `rankListsIndexed` and `rankListsUnindexed`).
public struct SearchTuning: Sendable, Equatable {
    /// A term gets a ranked list when at least this many entries contain it.
    public var listMinDocs: Int
    /// How many entries each list keeps.
    public var listLength: Int
    /// Queries matching at most this many entries are ranked exactly by FTS5.
    public var exactLimit: Int

    /// Stores with fewer entries rank every word, and rank phrases exactly (see +RankedSearch).
    public var commonWordMinimumStore: Int
    /// At most how many of a query's best candidates are checked one at a time before the rest
    /// are found by walking all the query's matches.
    public var candidateChecks: Int

    public init(listMinDocs: Int = 4_000, listLength: Int = 1_000, exactLimit: Int = 4_000,
                commonWordMinimumStore: Int = 20_000, candidateChecks: Int = 300) {
        self.listMinDocs = listMinDocs
        self.listLength = listLength
        self.exactLimit = exactLimit
        self.commonWordMinimumStore = commonWordMinimumStore
        self.candidateChecks = candidateChecks
    }

    public static let standard = SearchTuning()
}

extension SQLiteKnowledgeStore {
    /// bm25 weights of the columns, as in `rankSQL`.
    static let columnWeights: [Double] = [10, 6, 3, 1]
    static let bm25k1 = 1.2, bm25b = 0.75

    /// The part of a term's bm25 in one entry that does not depend on the term: FTS5's formula
    /// (fts5_aux.c) with the column weights applied to the term's counts.
    static func impact(weightedCount w: Double, length: Double, averageLength: Double) -> Double {
        w * (bm25k1 + 1) / (w + bm25k1 * (1 - bm25b + bm25b * length / max(averageLength, 1)))
    }

    /// FTS5's idf, floored as FTS5 floors it.
    static func idf(entries n: Int, containing hits: Int) -> Double {
        let v = log((Double(n) - Double(hits) + 0.5) / (Double(hits) + 0.5))
        return v > 0 ? v : 1e-6
    }

    struct RankStats {
        var entries: Int
        var tokens: Int
        var listLength: Int
        var listMinDocs: Int
        /// How many entries the index held when the lists were last rebuilt.
        var builtEntries: Int
        /// Changed by every change to the index and its lists, in the same transaction: a new
        /// random number each time rank_state gets a row or its entries or tokens are set, by
        /// triggers (migration v9). What kept lists and tags' words are kept under (`ListCache`).
        var indexVersion: Int64
        var averageLength: Double { entries == 0 ? 1 : Double(tokens) / Double(entries) }
    }

    static func rankStats(_ db: Database) throws -> RankStats? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT entries, tokens, list_length, list_min_docs, built_entries, index_version FROM rank_state WHERE id = 1")) else { return nil }
        return RankStats(entries: row[0], tokens: row[1], listLength: row[2], listMinDocs: row[3], builtEntries: row[4], indexVersion: row[5])
    }

    // MARK: - Building

    /// Rebuilds every list from the index: the instances of each term that gets one, in term order.
    static func rebuildRankLists(_ db: Database, tuning: SearchTuning) throws {
        try db.execute(sql: "DELETE FROM rank_list; DELETE FROM rank_term; DELETE FROM rank_state")
        // Entry lengths by key, looked up once per term and entry: in an array while keys are
        // dense (number << 3 | type), in a dictionary for stores with very large entry numbers.
        let maxKey = try Int64.fetchOne(db, sql: "SELECT max(id) FROM entry_fts_docsize") ?? 0
        var lengths = EntryLengths(maxKey: maxKey)
        var entryCount = 0
        var tokens = 0
        let sizes = try db.makeStatement(sql: "SELECT id, sz FROM entry_fts_docsize")
        try step(sizes) { s in
            let id = sqlite3_column_int64(s, 0)
            let n = Int(sqlite3_column_bytes(s, 1))
            entryCount += 1
            guard n > 0, let blob = sqlite3_column_blob(s, 1) else { return }
            let total = Self.sumVarints(blob.assumingMemoryBound(to: UInt8.self), count: n)
            lengths[id] = Int32(clamping: total)
            tokens += total
        }
        try db.run(sql: "INSERT INTO rank_state(id, entries, tokens, list_length, list_min_docs, built_entries) VALUES (1, ?, ?, ?, ?, ?)",
                   arguments: [entryCount, tokens, tuning.listLength, tuning.listMinDocs, entryCount])
        guard entryCount > 0 else { return }
        let average = Double(tokens) / Double(entryCount)

        // Only terms in at least `listMinDocs` entries get a list: their names come from the
        // index's term counts (one pass in C over every term's entries), then each one's instances
        // are read on their own. Reading every instance of every term, with its text on each
        // row, cost twice as much: at 100,000 entries a quarter of the instances are of rarer
        // terms, and a term's text repeated on each of its rows was most of the rest.
        try db.execute(sql: """
            CREATE VIRTUAL TABLE IF NOT EXISTS temp.entry_term USING fts5vocab(main, entry_fts, 'row');
            CREATE VIRTUAL TABLE IF NOT EXISTS temp.entry_instance USING fts5vocab(main, entry_fts, 'instance');
            """)
        let listed = try String.fetchAll(db, sql: "SELECT term FROM temp.entry_term WHERE doc >= ? ORDER BY term",
                                         arguments: [tuning.listMinDocs])
        let instances = try db.makeStatement(sql: "SELECT doc, col FROM temp.entry_instance WHERE term = ?")
        let insertList = try db.cachedStatement(sql: "INSERT INTO rank_list(term, entry, impact) VALUES (?, ?, ?)")
        let insertTerm = try db.cachedStatement(sql: "INSERT INTO rank_term(term, entries, floor) VALUES (?, ?, ?)")
        var best = TopK(capacity: tuning.listLength)
        for term in listed where !term.isEmpty {
            best.removeAll()
            var entries = 0
            var doc: Int64 = -1
            var weight = 0.0
            func finishDoc() {
                guard doc >= 0 else { return }
                best.offer(impact(weightedCount: weight, length: Double(lengths[doc]), averageLength: average), doc)
                entries += 1
            }
            instances.arguments = [term]
            try step(instances) { s in
                let d = sqlite3_column_int64(s, 0)
                if d != doc { finishDoc(); doc = d; weight = 0 }
                weight += columnWeight(sqlite3_column_text(s, 1))
            }
            finishDoc()
            guard entries >= tuning.listMinDocs else { continue }
            for (score, key) in best.items {
                try insertList.execute(arguments: [term, key, score])
            }
            try insertTerm.execute(arguments: [term, entries, best.floor ?? 0])
        }
    }

    /// The weight of a column from its name as fts5vocab gives it.
    static func columnWeight(_ name: UnsafePointer<UInt8>?) -> Double {
        guard let name else { return 0 }
        switch (name[0], name[1]) {
        case (UInt8(ascii: "t"), UInt8(ascii: "i")): return columnWeights[0]   // title
        case (UInt8(ascii: "t"), UInt8(ascii: "a")): return columnWeights[1]   // tags
        case (UInt8(ascii: "s"), _): return columnWeights[2]                   // summary
        default: return columnWeights[3]                                       // body
        }
    }

    /// The sum of the SQLite varints in an FTS5 docsize record: the entry's tokens per column.
    static func sumVarints(_ p: UnsafePointer<UInt8>, count: Int) -> Int {
        var i = 0, total = 0
        while i < count {
            // SQLite varints: big-endian groups of seven bits; a ninth byte carries eight.
            var v = 0
            for n in 0..<9 where i < count {
                let b = p[i]; i += 1
                if n == 8 { v = v << 8 | Int(b); break }
                v = v << 7 | Int(b & 0x7f)
                if b & 0x80 == 0 { break }
            }
            total += v
        }
        return total
    }

    /// Steps a statement to its end, handing each row's raw statement to `body`.
    static func step(_ statement: Statement, _ body: (OpaquePointer) throws -> Void) throws {
        let s = statement.sqliteStatement
        // Reset on every way out: a cached statement left mid-step would hold its read snapshot
        // and hand its error to the next, unrelated use of the statement.
        defer { sqlite3_reset(s) }
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(s))))
            }
            try body(s)
        }
    }

    // MARK: - Keeping the lists current, entry by entry

    /// Adds a newly indexed entry to the lists of its terms (outside bulk imports, which rebuild).
    static func rankListsIndexed(_ db: Database, key: Int64, _ doc: Document) throws {
        guard var stats = try rankStats(db) else { return }
        let tokenizer = try db.makeTokenizer(stemmer)
        var weights: [String: Double] = [:]
        var length = 0
        for (i, text) in [doc.title, doc.tags, doc.summary, doc.body].enumerated() where !text.isEmpty {
            for (token, flags) in try tokenizer.tokenize(document: text) where !flags.contains(.colocated) {
                weights[token, default: 0] += columnWeights[i]
                length += 1
            }
        }
        stats.entries += 1
        stats.tokens += length
        try db.run(sql: "UPDATE rank_state SET entries = ?, tokens = ? WHERE id = 1", arguments: [stats.entries, stats.tokens])
        // A store that has doubled since the lists were made, one entry at a time, has terms that
        // now deserve a list: rebuild (rarely: each time the store doubles, so the cost per entry
        // stays constant).
        if stats.entries >= stats.listMinDocs, stats.entries >= 2 * max(stats.builtEntries, 1) {
            try rebuildRankLists(db, tuning: SearchTuning(listMinDocs: stats.listMinDocs, listLength: stats.listLength))
            return
        }
        for (term, w) in weights {
            guard let floor = try Double.fetchOne(cached: db, sql: "SELECT floor FROM rank_term WHERE term = ?", arguments: [term]) else { continue }
            let score = impact(weightedCount: w, length: Double(length), averageLength: stats.averageLength)
            try db.run(sql: "UPDATE rank_term SET entries = entries + 1 WHERE term = ?", arguments: [term])
            let size = try Int.fetchOne(cached: db, sql: "SELECT count(*) FROM rank_list WHERE term = ?", arguments: [term]) ?? 0
            guard score > floor || size < stats.listLength else { continue }
            try db.run(sql: "INSERT OR REPLACE INTO rank_list(term, entry, impact) VALUES (?, ?, ?)", arguments: [term, key, score])
            if size + 1 > stats.listLength {
                try db.run(sql: """
                    DELETE FROM rank_list WHERE term = ?1 AND entry =
                        (SELECT entry FROM rank_list WHERE term = ?1 ORDER BY impact, entry DESC LIMIT 1)
                    """, arguments: [term])
            }
            try db.run(sql: "UPDATE rank_term SET floor = (SELECT min(impact) FROM rank_list WHERE term = ?1) WHERE term = ?1", arguments: [term])
        }
    }

    /// Takes an entry out of the lists of its terms (it is being removed or re-indexed); `old` is
    /// the document it was indexed from, so no index by entry is needed.
    static func rankListsUnindexed(_ db: Database, key: Int64, _ old: Document) throws {
        guard try rankStats(db) != nil else { return }
        let tokenizer = try db.makeTokenizer(stemmer)
        var terms = Set<String>()
        for text in [old.title, old.tags, old.summary, old.body] where !text.isEmpty {
            for (token, flags) in try tokenizer.tokenize(document: text) where !flags.contains(.colocated) { terms.insert(token) }
        }
        for term in terms.sorted() {
            try db.run(sql: "DELETE FROM rank_list WHERE term = ? AND entry = ?", arguments: [term, key])
        }
        try db.run(sql: "UPDATE rank_state SET entries = max(entries - 1, 0) WHERE id = 1")
    }
}

/// Token counts of entries by key.
struct EntryLengths {
    private var dense: [Int32] = []
    private var sparse: [Int64: Int32] = [:]
    private let useDense: Bool

    init(maxKey: Int64) {
        useDense = maxKey >= 0 && maxKey < 64_000_000
        if useDense { dense = [Int32](repeating: 0, count: Int(maxKey) + 1) }
    }

    subscript(key: Int64) -> Int32 {
        get {
            if useDense { return key >= 0 && key < dense.count ? dense[Int(key)] : 0 }
            return sparse[key] ?? 0
        }
        set {
            if useDense { if key >= 0 && key < dense.count { dense[Int(key)] = newValue } }
            else { sparse[key] = newValue }
        }
    }
}

/// The best `capacity` (score, key) pairs offered, in a min-heap.
struct TopK {
    let capacity: Int
    private(set) var heap: [(Double, Int64)] = []

    init(capacity: Int) { self.capacity = max(capacity, 1) }

    var floor: Double? { heap.first?.0 }
    var items: [(Double, Int64)] { heap }

    mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

    mutating func offer(_ score: Double, _ key: Int64) {
        if heap.count < capacity {
            heap.append((score, key))
            var i = heap.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                guard less(heap[i], heap[p]) else { break }
                heap.swapAt(i, p); i = p
            }
        } else if less(heap[0], (score, key)) {
            heap[0] = (score, key)
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, less(heap[l], heap[m]) { m = l }
                if r < heap.count, less(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m); i = m
            }
        }
    }

    /// Lower score first; on equal scores the newer (larger) key is kept.
    private func less(_ a: (Double, Int64), _ b: (Double, Int64)) -> Bool {
        a.0 != b.0 ? a.0 < b.0 : a.1 < b.1
    }
}

extension SQLiteKnowledgeStore {
    /// After a bulk import: a few entries join the lists one by one; many rebuild them.
    static func rankListsAfterBulk(_ db: Database, keys: [Int64], tuning: SearchTuning) throws {
        let stats = try rankStats(db)
        if let stats, keys.count * 20 < stats.entries {
            for key in keys {
                if let doc = try document(db, key: key) { try rankListsIndexed(db, key: key, doc) }
            }
        } else if !keys.isEmpty || stats == nil {
            try rebuildRankLists(db, tuning: tuning)
        }
    }
}
