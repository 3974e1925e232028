import Foundation
import GRDB
import GRDBSQLite

/// Ranked lists as searches read them, kept in memory for the process. A pasted title reads the
/// thousand-entry list of each of its common words (some 1,400 rows a search at 100,000
/// entries, a tenth of its time, each row stepped through SQL), and the common words are the
/// ones that come back search after search: at 100,000 entries there are some 200 lists.
///
/// A list is kept under its store's file and the index's version (`rank_state.index_version`).
/// Every change to the index or its lists changes the version in the same transaction (triggers
/// of migration v9, on the rank_state updates of +RankLists), and the search reads it in its own
/// transaction: a list kept is only used with the index it was read from, whichever connection
/// or process wrote since. Only a read in a transaction that has
/// written nothing uses or fills it (a write rolled back would leave a version to be used again),
/// and stores in memory keep none.
final class ListCache: @unchecked Sendable {
    static let shared = ListCache()

    /// The most entries kept over every list of every store (16 bytes each, 32 MB in all): every
    /// list of a million-entry store (1,129 of 1,000 entries at the benchmark's), with room. Past
    /// it the cache starts again, which costs one read of each list.
    let capacity: Int
    private struct Kept { var version: Int64; var lists: [String: [SortedShares.Share]] }
    private let lock = NSLock()
    private var stores: [String: Kept] = [:]
    private var held = 0

    init(capacity: Int = 2_000_000) { self.capacity = capacity }

    /// The list of `term` kept for the store at `path` at `version`, if any.
    func list(path: String, version: Int64, term: String) -> [SortedShares.Share]? {
        lock.lock(); defer { lock.unlock() }
        guard let kept = stores[path], kept.version == version else { return nil }
        return kept.lists[term]
    }

    /// Keeps `list` as the store's list of `term` at `version`; a store's lists of another
    /// version are dropped.
    func keep(path: String, version: Int64, term: String, list: [SortedShares.Share]) {
        lock.lock(); defer { lock.unlock() }
        if let kept = stores[path], kept.version != version {
            held -= kept.lists.values.reduce(0) { $0 + $1.count }
            stores[path] = nil
        }
        guard list.count <= capacity else { return }
        // Two readers that missed the same list keep it twice: the first is taken off.
        if let old = stores[path]?.lists[term] { held -= old.count }
        if held + list.count > capacity { stores = [:]; held = 0 }
        stores[path, default: Kept(version: version, lists: [:])].lists[term] = list
        held += list.count
    }

    /// How many lists are kept, over every store (for tests).
    var count: Int { lock.lock(); defer { lock.unlock() }; return stores.values.reduce(0) { $0 + $1.lists.count } }
}

extension SQLiteKnowledgeStore {
    /// Whether `db` reads in a transaction that has written nothing: what the process keeps for
    /// a version (`ListCache`, `RecentDocuments`, a connection's tags' words) is only used and
    /// filled then. A write rolled back would leave a version to be drawn again, and a read
    /// outside a transaction could see a commit after the version was read.
    static func readsInTransaction(_ db: Database) -> Bool {
        let c = db.sqliteConnection!
        return sqlite3_get_autocommit(c) == 0 && sqlite3_txn_state(c, "main") == SQLITE_TXN_READ
    }

    /// The store's file, what the process keeps things under, when `db` reads one in a
    /// transaction that has written nothing (`readsInTransaction`); nil for a store in memory.
    static func keptUnderFile(_ db: Database) -> String? {
        guard let name = sqlite3_db_filename(db.sqliteConnection, "main"), name.pointee != 0, readsInTransaction(db) else { return nil }
        return String(cString: name)
    }

    /// Each entry of a term's ranked list with its impact, in entry order (the list's key): from
    /// the process's cache where it may be used (see `ListCache`), else from the table.
    static func listed(_ db: Database, term: String, stats: RankStats) throws -> [SortedShares.Share] {
        let path = keptUnderFile(db)
        if let path, let kept = ListCache.shared.list(path: path, version: stats.indexVersion, term: term) { return kept }
        var list: [SortedShares.Share] = []
        list.reserveCapacity(stats.listLength)
        // Read raw: a list is a thousand rows, and a broad prefix reads fifty lists.
        let statement = try db.cachedStatement(sql: "SELECT entry, impact FROM rank_list WHERE term = ? ORDER BY entry")
        try statement.setArguments([term])
        try step(statement) { s in list.append((sqlite3_column_int64(s, 0), sqlite3_column_double(s, 1))) }
        if let path { ListCache.shared.keep(path: path, version: stats.indexVersion, term: term, list: list) }
        return list
    }
}

/// The documents of the last search's entries, kept for the process under the store's file and
/// the index version, as `ListCache` keeps lists: a document is what its entry was indexed from,
/// so a document kept under a version is the one every read at that version makes. A pasted
/// title's pool reads some fifty documents and its shown page ten of them again (their marks);
/// the page now finds them here. Only the last `capacity` documents of one store are kept.
final class RecentDocuments: @unchecked Sendable {
    static let shared = RecentDocuments()

    struct Key: Equatable { var path: String; var version: Int64 }

    let capacity: Int
    private let lock = NSLock()
    private var key: Key?
    private var kept: [Int64: SQLiteKnowledgeStore.Document] = [:]

    init(capacity: Int = 128) { self.capacity = capacity }

    /// Where `db` may use and fill them: a store file with an index version (`stats`, read in the
    /// same transaction), read in a transaction that has written nothing; nil elsewhere.
    static func usable(_ db: Database, stats: SQLiteKnowledgeStore.RankStats?) -> Key? {
        guard let stats, let path = SQLiteKnowledgeStore.keptUnderFile(db) else { return nil }
        return Key(path: path, version: stats.indexVersion)
    }

    /// Those of `keys` kept under `key`.
    func documents(_ key: Key, _ keys: [Int64]) -> [Int64: SQLiteKnowledgeStore.Document] {
        lock.lock(); defer { lock.unlock() }
        guard self.key == key else { return [:] }
        var out: [Int64: SQLiteKnowledgeStore.Document] = [:]
        for k in keys { if let d = kept[k] { out[k] = d } }
        return out
    }

    /// Keeps `documents` as read under `key`, in place of any kept under another.
    func keep(_ key: Key, _ documents: [Int64: SQLiteKnowledgeStore.Document]) {
        lock.lock(); defer { lock.unlock() }
        if self.key != key || kept.count + documents.count > capacity { kept = [:]; self.key = key }
        guard documents.count <= capacity else { return }
        kept.merge(documents) { _, new in new }
    }
}
