import Foundation
import GRDB
import GRDBSQLite
import KnowHowCore

/// A search's pool without its shown text (`closest` re-ranks 50 entries to show 10): marked
/// titles, extracts, tags and answer counts are most of a pasted title's cost at 100,000 entries,
/// so they are built for the shown page only (`hits(for:query:)`).
extension SQLiteKnowledgeStore {
    public func searchPool(_ query: Query, limit: Int) throws -> SearchPool {
        let tuning = searchTuning
        return try read { db in
            let (conds, condArgs, notes) = try Self.conditions(db, query.filters)
            guard notes.isEmpty else { return SearchPool(hits: []) }
            guard let match = query.text.flatMap(FTS5Query.render) else {
                return SearchPool(hits: try Self.search(db, query, limit: limit, listing: nil, tuning: tuning).hits.map(PoolHit.init))
            }
            // A walked word's count is exact: one that no entry holds is named.
            var counted: [String: Int] = [:]
            let rows = try Self.ranked(db, query, match: match, conditions: conds, arguments: condArgs, limit: limit,
                                       tuning: tuning, counted: &counted)
            var absent: [String] = []
            for w in query.text?.positiveWords ?? [] where counted[w] == 0 && !absent.contains(w) { absent.append(w) }
            let question = try db.cachedStatement(sql: "SELECT accepted_answer_id IS NOT NULL FROM question WHERE id = ?")
            let answer = try db.cachedStatement(sql: """
                SELECT q.id, q.accepted_answer_id IS NOT NULL FROM answer a JOIN question q ON q.id = a.question_id WHERE a.id = ?
                """)
            let member = try db.cachedStatement(sql: "SELECT handle FROM member WHERE id = ?")
            var pool: [PoolHit] = []
            // Read raw, a row an entry: GRDB's rows and cursors were most of this loop's time.
            for row in rows.prefix(limit) {
                guard let type = EntryKey.type(row.key) else { continue }
                let n = EntryKey.number(row.key)
                switch type {
                case .member:
                    guard let handle = try Self.stepOnce(member, n, { s in sqlite3_column_text(s, 0).map { String(cString: $0) } }) ?? nil else { continue }
                    pool.append(PoolHit(ref: .member(handle), score: row.rank, matchedWords: row.matched, question: nil, answered: false))
                case .question:
                    guard let answered = try Self.stepOnce(question, n, { s in sqlite3_column_int64(s, 0) != 0 }) else { continue }
                    pool.append(PoolHit(ref: .entry(EntryID(.question, n)), score: row.rank, matchedWords: row.matched,
                                        question: nil, answered: answered))
                case .answer:
                    guard let (q, answered) = try Self.stepOnce(answer, n, { s in (sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1) != 0) }) else { continue }
                    pool.append(PoolHit(ref: .entry(EntryID(.answer, n)), score: row.rank, matchedWords: row.matched,
                                        question: EntryID(.question, q), answered: answered))
                default:
                    pool.append(PoolHit(ref: .entry(EntryID(type, n)), score: row.rank, matchedWords: row.matched, question: nil, answered: false))
                }
            }
            return SearchPool(hits: pool, absentWords: absent)
        }
    }

    /// The first row of `statement` for one id, read by `body`; nil when there is none. The
    /// statement is reset on every way out (see `step`).
    static func stepOnce<T>(_ statement: Statement, _ id: Int64, _ body: (OpaquePointer) -> T) throws -> T? {
        let s = statement.sqliteStatement
        defer { sqlite3_reset(s) }
        sqlite3_reset(s)
        sqlite3_bind_int64(s, 1, id)
        let rc = sqlite3_step(s)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(s))))
        }
        return body(s)
    }

    public func hits(for pool: [PoolHit], query: Query) throws -> [SearchHit] {
        try read { db in
            var rows: [Ranked] = []
            for item in pool where item.hit == nil {
                switch item.ref {
                case .entry(let id): rows.append(Ranked(key: EntryKey.make(id), rank: item.score, matched: item.matchedWords))
                case .member(let handle):
                    if let key = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id << 3 | 1 FROM member WHERE handle = ?"), arguments: [handle]) {
                        rows.append(Ranked(key: key, rank: item.score, matched: item.matchedWords))
                    }
                }
            }
            // One marker for the page, as `search` marks its page.
            let built: [SearchHit]
            if let node = query.text {
                built = try Self.shownHits(db, rows, node: node)
            } else {
                built = try rows.compactMap { try Self.hit(db, key: $0.key, title: nil, snippet: "", score: $0.rank) }
            }
            var byRef: [EntryRef: SearchHit] = [:]
            for hit in built where byRef[hit.ref] == nil { byRef[hit.ref] = hit }
            return pool.compactMap { $0.hit ?? byRef[$0.ref] }
        }
    }
}
