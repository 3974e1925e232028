import Foundation
import GRDB
import GRDBSQLite
import KnowHowCore

public enum WalkExperiment {
    public static func run(_ store: SQLiteKnowledgeStore, titles: [String]) throws -> String {
        try store.read { db in
            var words: [String] = []
            for t in titles {
                for w in NaturalQuery.contentWords(WordSplitter.words(t)) {
                    let terms = try SQLiteKnowledgeStore.indexTerms(db, w)
                    if terms.count == 1, try SQLiteKnowledgeStore.listedEntries(db, terms[0]) == nil { words.append(w) }
                }
            }
            let walk = try db.cachedStatement(sql: "SELECT rowid, knowhow_weighted_count(entry_fts) FROM entry_fts WHERE entry_fts MATCH ?")
            let bare = try db.cachedStatement(sql: "SELECT rowid FROM entry_fts WHERE entry_fts MATCH ?")
            var out = ""
            for round in 0..<3 {
                var rows = 0
                var t0 = Date()
                for w in words {
                    try walk.setArguments([FTS5Query.quote(w)])
                    try SQLiteKnowledgeStore.step(walk) { s in rows += 1; _ = sqlite3_column_double(s, 1) }
                }
                let a = Date().timeIntervalSince(t0)
                t0 = Date()
                for w in words {
                    try bare.setArguments([FTS5Query.quote(w)])
                    try SQLiteKnowledgeStore.step(bare) { s in _ = sqlite3_column_int64(s, 0) }
                }
                let b = Date().timeIntervalSince(t0)
                out += "round \(round): \(words.count) words, \(rows) rows; weighted walk \(String(format: "%.3f", a * 1000 / Double(titles.count))) ms/title, rowid walk \(String(format: "%.3f", b * 1000 / Double(titles.count))) ms/title\n"
            }
            return out
        }
    }
}
public enum ReadOverhead {
    public static func run(_ store: SQLiteKnowledgeStore) throws -> String {
        for _ in 0..<1000 { try store.read { _ in } }
        let t0 = Date()
        for _ in 0..<10000 { try store.read { _ in } }
        let a = Date().timeIntervalSince(t0) / 10000 * 1e6
        let t1 = Date()
        for _ in 0..<10000 { try store.read { db in _ = try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM question LIMIT 1")) } }
        let b = Date().timeIntervalSince(t1) / 10000 * 1e6
        return String(format: "empty read %.1f µs, read with one statement %.1f µs", a, b)
    }
}

final class WalkSink { var keys: [Int64] = []; var counts: [Double] = [] }

private let walkCallback: @convention(c) (UnsafePointer<Fts5ExtensionApi>?, OpaquePointer?, UnsafeMutableRawPointer?) -> Int32 = { api, fts, user in
    guard let x = api?.pointee, let fts, let user else { return SQLITE_ERROR }
    let sink = Unmanaged<WalkSink>.fromOpaque(user).takeUnretainedValue()
    var n: Int32 = 0
    guard x.xInstCount(fts, &n) == SQLITE_OK else { return SQLITE_ERROR }
    var total = 0.0
    for i in 0..<n {
        var phrase: Int32 = 0, column: Int32 = 0, offset: Int32 = 0
        guard x.xInst(fts, i, &phrase, &column, &offset) == SQLITE_OK else { continue }
        if Int(column) < SQLiteKnowledgeStore.columnWeights.count { total += SQLiteKnowledgeStore.columnWeights[Int(column)] }
    }
    sink.keys.append(x.xRowid(fts)); sink.counts.append(total)
    return SQLITE_OK
}

private let walkFunction: fts5_extension_function = { api, fts, ctx, argc, argv in
    guard let x = api?.pointee, let fts, argc == 1, let p = sqlite3_value_pointer(argv![0], "knowhow_walk") else { sqlite3_result_error(ctx, "walk", -1); return }
    let rc = x.xQueryPhrase(fts, 0, p, walkCallback)
    sqlite3_result_int(ctx, rc)
}

public enum WalkExperiment2 {
    public static func run(_ store: SQLiteKnowledgeStore, titles: [String]) throws -> String {
        try store.read { db in
            let api = UnsafeMutablePointer(mutating: FTS5.api(db))
            _ = api.pointee.xCreateFunction(api, "knowhow_walk_exp", nil, walkFunction, nil)
            var words: [String] = []
            for t in titles {
                for w in NaturalQuery.contentWords(WordSplitter.words(t)) {
                    let terms = try SQLiteKnowledgeStore.indexTerms(db, w)
                    if terms.count == 1, try SQLiteKnowledgeStore.listedEntries(db, terms[0]) == nil { words.append(w) }
                }
            }
            let walk = try db.cachedStatement(sql: "SELECT rowid, knowhow_weighted_count(entry_fts) FROM entry_fts WHERE entry_fts MATCH ?")
            let q = try db.makeStatement(sql: "SELECT knowhow_walk_exp(entry_fts, ?) FROM entry_fts WHERE entry_fts MATCH ? LIMIT 1")
            var out = ""
            for round in 0..<3 {
                var rows = 0, sum1 = 0.0
                var t0 = Date()
                for w in words {
                    try walk.setArguments([FTS5Query.quote(w)])
                    try SQLiteKnowledgeStore.step(walk) { s in rows += 1; sum1 += sqlite3_column_double(s, 1) + Double(sqlite3_column_int64(s, 0)) }
                }
                let a = Date().timeIntervalSince(t0)
                t0 = Date()
                var rows2 = 0, sum2 = 0.0
                let sink = WalkSink()
                for w in words {
                    sink.keys.removeAll(keepingCapacity: true); sink.counts.removeAll(keepingCapacity: true)
                    let s = q.sqliteStatement
                    sqlite3_reset(s)
                    let unmanaged = Unmanaged.passUnretained(sink).toOpaque()
                    sqlite3_bind_pointer(s, 1, unmanaged, "knowhow_walk", nil)
                    sqlite3_bind_text(s, 2, FTS5Query.quote(w), -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
                    while sqlite3_step(s) == SQLITE_ROW {}
                    sqlite3_reset(s)
                    rows2 += sink.keys.count
                    for i in sink.keys.indices { sum2 += sink.counts[i] + Double(sink.keys[i]) }
                }
                let b = Date().timeIntervalSince(t0)
                out += "round \(round): \(words.count) words, rows \(rows) vs \(rows2), sums equal \(sum1 == sum2); SQL walk \(String(format: "%.3f", a * 1000 / Double(titles.count))) ms/title, xQueryPhrase walk \(String(format: "%.3f", b * 1000 / Double(titles.count))) ms/title\n"
            }
            return out
        }
    }
}
