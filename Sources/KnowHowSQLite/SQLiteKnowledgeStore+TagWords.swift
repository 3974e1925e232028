import Foundation
import GRDB
import GRDBSQLite

/// Tags' words as documents hold them, kept per connection: BM25F reads some 50 entries'
/// documents for a pasted title, and reading each entry's tags with their names and aliases was
/// a seek per tag and a subquery for its aliases, some 0.07 ms of the 0.19 ms that reading a
/// pool's documents took at 100,000 entries. A store has few tags beside its entries, and the
/// same ones come back search after search.
extension SQLiteKnowledgeStore {
    /// One tag's words in a document (as `tagText` makes them): its name, then its aliases,
    /// hyphens as spaces. `name` is the name's bytes as stored, what `ORDER BY t.name` sorts by
    /// (SQLite's BINARY collation: bytes, not Swift's order of Strings).
    struct TagWords: Equatable {
        var name: [UInt8]
        /// A name stored as a blob, which SQLite sorts after every text.
        var blob: Bool
        var text: String

        /// Whether `ORDER BY name` puts this tag before `other`.
        func sorts(before other: TagWords) -> Bool {
            blob != other.blob ? !blob : name.lexicographicallyPrecedes(other.name)
        }
    }

    static let tagWordsCache = TagWordsCache()

    /// The tags each connection has read, with what they were read at. Where the store keeps an
    /// index version (`RankStats.indexVersion`, +ListCache), that: a document's tags are its tags'
    /// names and aliases, so renaming or aliasing a tag an entry holds re-indexes the entry and
    /// changes the version, and a tag no entry holds is never asked for; a search's log written
    /// between two searches changes nothing. Else the connection's `PRAGMA data_version` (which
    /// changes when another connection commits) and its own count of changed rows
    /// (`sqlite3_total_changes64`, which its own writes change; data_version does not), so any
    /// write empties them. Kept only while the connection reads in a transaction that has written
    /// nothing: a write that is rolled back leaves the count changed but not the rows, and a read
    /// outside a transaction could see a commit after the version was read.
    final class TagWordsCache: @unchecked Sendable {
        final class Connection {
            /// Weak: a connection closed and another opened at the same address must not find its tags.
            weak var db: Database?
            var version: (data: Int64, changes: Int64) = (-1, -1)
            /// nil: no such tag.
            var words: [Int64: TagWords?] = [:]
            init(_ db: Database) { self.db = db }
        }

        private let lock = NSLock()
        private var connections: [ObjectIdentifier: Connection] = [:]

        /// The connection's tags, emptied when `version` is not the one they were read at.
        func connection(_ db: Database, version: (data: Int64, changes: Int64)) -> Connection {
            lock.lock(); defer { lock.unlock() }
            let id = ObjectIdentifier(db)
            let c: Connection
            if let found = connections[id], found.db === db {
                c = found
            } else {
                connections = connections.filter { $0.value.db != nil }
                c = Connection(db)
                connections[id] = c
            }
            if c.version != version { c.words = [:]; c.version = version }
            return c
        }
    }

    /// The words of the tags `ids`, by id (nil or missing: no such tag), and maybe of others.
    /// Read from the connection's cache where it is current (see `TagWordsCache`), which is
    /// handed back whole rather than copied; the rest from the tables.
    /// `stats`: the store's rank statistics where the caller has read them in this transaction.
    static func tagWords(_ db: Database, ids: Set<Int64>, stats: RankStats?? = nil) throws -> [Int64: TagWords?] {
        guard !ids.isEmpty else { return [:] }
        let version = try tagWordsVersion(db, stats: stats)
        guard readsInTransaction(db) else { return try readTagWords(db, ids: ids).mapValues { $0 } }
        let cache = tagWordsCache.connection(db, version: version)
        let missing = ids.filter { cache.words[$0] == nil }
        if !missing.isEmpty {
            let read = try readTagWords(db, ids: missing)
            for id in missing { cache.words[id] = .some(read[id]) }
        }
        return cache.words
    }

    /// What the connection's tags are kept under (see `TagWordsCache`). Either read also begins
    /// the transaction's read, so the state is the one the tags are read in. No count of changes
    /// is Int64.min: the two kinds of version never meet. `stats`: as `tagWords` takes them.
    static func tagWordsVersion(_ db: Database, stats: RankStats?? = nil) throws -> (data: Int64, changes: Int64) {
        if let stats = try stats ?? rankStats(db) { return (stats.indexVersion, Int64.min) }
        var data: Int64 = 0
        try step(db.cachedStatement(sql: "PRAGMA data_version")) { data = sqlite3_column_int64($0, 0) }
        return (data, sqlite3_total_changes64(db.sqliteConnection!))
    }

    /// The words of the tags `ids`, read from the tables in one statement.
    static func readTagWords(_ db: Database, ids: Set<Int64>) throws -> [Int64: TagWords] {
        var out: [Int64: TagWords] = [:]
        // The aliases' subquery is `tagText`'s, so they come in the same order.
        let statement = try db.cachedStatement(sql: """
            SELECT t.id, t.name, (SELECT group_concat(alias, ' ') FROM tag_alias a WHERE a.tag_id = t.id)
            FROM tag t WHERE t.id IN (SELECT value FROM json_each(?))
            """)
        try statement.setArguments(["[" + ids.map(String.init).joined(separator: ",") + "]"])
        try step(statement) { row in
            // The type first: SQLite's is undefined once a value has been read as another.
            let blob = sqlite3_column_type(row, 1) == SQLITE_BLOB
            let name = text(row, 1) ?? ""
            let aliases = text(row, 2)
            let bytes = sqlite3_column_blob(row, 1).map {
                Array(UnsafeRawBufferPointer(start: $0, count: Int(sqlite3_column_bytes(row, 1))).bindMemory(to: UInt8.self))
            } ?? []
            out[sqlite3_column_int64(row, 0)] = TagWords(name: bytes, blob: blob, text: tagWordsText(name: name, aliases: aliases))
        }
        return out
    }
}
