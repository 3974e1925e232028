import Foundation
import GRDB
import KnowHowCore

/// The KnowHow store on SQLite: one value owns the connection; creating it runs the migrations,
/// so a store that exists is migrated. Every write is one transaction.
///
/// `@unchecked Sendable`: the store holds no per-user state (who acts and now come with each
/// write), its connection is GRDB's (a `DatabaseQueue` or `DatabasePool`, both Sendable and
/// serialising their own access), and its three mutable fields (`state`, `readOnlyReason`,
/// `searchTuning`) are read and written only under `lock`; `create()` holds it throughout, so two
/// threads never create the same store twice.
public final class SQLiteKnowledgeStore: KnowledgeStore, @unchecked Sendable {
    /// Guards the mutable fields below (recursive: `create()` holds it while it opens the store).
    let lock = NSRecursiveLock()
    private var _state: State
    private var _readOnlyReason: String?
    private var _searchTuning = SearchTuning.standard

    /// The connection, or why there is none yet (see +Files: a store is created only by a write).
    var state: State {
        get { lock.lock(); defer { lock.unlock() }; return _state }
        set { lock.lock(); defer { lock.unlock() }; _state = newValue }
    }
    /// Where the store lives; nil for an in-memory store.
    public let path: String?
    /// Whether a store this value creates is shared with its group (0660, folder 2770) or private (0600, 0700).
    public let shared: Bool
    /// Why the store can be read but not written (its file or folder is not writable); nil when it can be written.
    public internal(set) var readOnlyReason: String? {
        get { lock.lock(); defer { lock.unlock() }; return _readOnlyReason }
        set { lock.lock(); defer { lock.unlock() }; _readOnlyReason = newValue }
    }
    /// When `find` and `who` rank exactly and when from ranked lists (see +RankLists).
    public var searchTuning: SearchTuning {
        get { lock.lock(); defer { lock.unlock() }; return _searchTuning }
        set { lock.lock(); defer { lock.unlock() }; _searchTuning = newValue }
    }

    enum State {
        case open(any DatabaseWriter)
        /// No file at `path`: reads say so; the first write (or `create()`) makes the store.
        case absent
        /// An empty file at `path`: only `create()` (`init`) makes it a store.
        case emptyFile
    }

    /// Opens the store at `path` if there is one. Nothing is created here: while there is no
    /// file, reads throw `noStore` and the first write creates the store (see `create()`).
    /// A store whose file or folder cannot be written is opened read-only.
    public init(path: String, shared: Bool = false) throws {
        self.path = path
        self.shared = shared
        _state = .absent
        try Self.checkPath(path)
        try openExisting()
    }

    /// A fresh store in memory (tests, `--demo`).
    public init() throws {
        path = nil
        shared = false
        _state = .open(try DatabaseQueue(configuration: Self.configuration()))
        try migrate()
    }

    /// An in-memory copy of the store file at `path` (a throwaway copy: changes are not saved).
    public init(copyOf source: String) throws {
        path = nil
        shared = false
        let queue = try DatabaseQueue(configuration: Self.configuration())
        do {
            var config = Self.configuration()
            config.readonly = true
            let file = try DatabaseQueue(path: source, configuration: config)
            try file.backup(to: queue)
        } catch let e as DatabaseError {
            throw Self.openError(e, path: source)
        }
        _state = .open(queue)
        try migrate()
    }

    /// Writes a consistent copy of this store to a new file at `path`.
    public func saveCopy(to path: String) throws {
        do {
            let file = try DatabaseQueue(path: path, configuration: Self.configuration())
            try connection().backup(to: file)
        } catch let e as DatabaseError {
            throw map(e)
        }
    }

    /// How much of the store file is memory-mapped for reading: all of it, up to SQLite's own
    /// limit (2 GB). Reads then come from the OS page cache without a system call and a copy each:
    /// at a million entries, reads through pread were half of `who`'s time. Mapped pages show in
    /// the resident size, but they are the OS's cache, shared and reclaimable, not the process's heap.
    static let mmapSize: Int64 = 0x7fff_0000

    /// The page size of a new store (see `configuration`).
    static let pageSize = 16_384

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.label = "knowhow"
        config.prepareDatabase { db in
            // A new store gets 16 KB pages (SQLite's default is 4 KB): an entry's row of a few
            // hundred bytes left on average half a row unused at the end of every 4 KB page, 5–7%
            // of the entry tables. A store that has pages keeps their size.
            if try Int.fetchOne(db, sql: "PRAGMA page_count") == 0 {
                try db.execute(sql: "PRAGMA page_size = \(pageSize)")
            }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // `who` reads thousands of scattered rows (each candidate's latest work): memory-mapped
            // reads serve them from the OS page cache without a system call and a copy each, which
            // nearly halves its time on a 2 GB store. Mapped pages count in the resident size, though they
            // are the OS's cache, not the process's heap; a larger page cache did not help beyond it.
            try db.execute(sql: "PRAGMA mmap_size = \(mmapSize)")
            registerFieldWeightedFunctions(db)
        }
        return config
    }

    static func openError(_ e: DatabaseError, path: String) -> KnowHowError {
        switch e.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .notAStore(path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .storeBusy
        case .SQLITE_CANTOPEN: return .storeUnavailable(path: path, reason: "the file cannot be opened (check the path and its permissions)")
        case .SQLITE_READONLY, .SQLITE_PERM: return .storeUnavailable(path: path, reason: "the file cannot be written (check its permissions and its folder's)")
        case .SQLITE_IOERR: return .storeUnavailable(path: path, reason: "the file could not be read (a disk or file-system error)")
        default: return .storeUnavailable(path: path, reason: "it could not be opened as a store (check that it is a KnowHow store file)")
        }
    }

    func migrate() throws {
        do {
            // Most opens find the schema and the derived data current: check with a read, so no
            // write lock is taken.
            let writer = try connection()
            if try writer.read({ try Self.migrator.hasCompletedMigrations($0) && Self.derivedDataIsCurrent($0) }) { return }
            if let readOnlyReason {
                throw KnowHowError.storeUnavailable(path: path ?? ":memory:", reason: "it was made by an earlier KnowHow and must be upgraded once, which needs to write to it, but \(readOnlyReason)")
            }
            try Self.upgrade(writer, tuning: searchTuning)
        } catch let e as DatabaseError {
            throw Self.openError(e, path: path ?? ":memory:")
        }
    }

    /// Runs a read, mapping database errors at the edge so no SQL text reaches a user.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let writer = try connection()
        do { return try writer.read(body) } catch let e as DatabaseError { throw map(e) }
    }

    /// Runs one write transaction; on any error nothing is kept.
    /// Ends by bringing derived data up to date (members' work for `who`, see +WorkSummary).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        if case .absent = state { try create() }
        if let readOnlyReason { throw KnowHowError.cannotWrite(path: path ?? "the store", reason: "the store is read-only: \(readOnlyReason); nothing was changed") }
        let writer = try connection()
        do {
            return try writer.write { db in
                let result = try body(db)
                try Self.refreshWork(db)
                return result
            }
        } catch let e as DatabaseError { throw map(e) }
    }

    func map(_ e: DatabaseError) -> KnowHowError {
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .storeBusy
        case .SQLITE_CONSTRAINT: return .conflict("that change conflicts with what is stored (a duplicate or a missing reference); nothing was changed")
        case .SQLITE_FULL: return .cannotWrite(path: path ?? "the store", reason: "the disk is full")
        case .SQLITE_READONLY: return .cannotWrite(path: path ?? "the store", reason: "the store is read-only")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .notAStore(path ?? "the store")
        case .SQLITE_IOERR, .SQLITE_CANTOPEN: return .storeUnavailable(path: path ?? "the store", reason: "the file could not be read or written")
        default: return .internalError(code: Int(e.resultCode.rawValue))
        }
    }
}

/// Entry keys (the core's `EntryKeys`), here also the FTS rowid.
enum EntryKey {
    static func code(_ t: EntryType) -> Int64 { Int64(EntryKeys.code(t)) }

    static func make(_ t: EntryType, _ n: Int64) -> Int64 { EntryKeys.make(t, n) }

    /// The number a new row of an entry table was stored under, refused past the largest id:
    /// a larger one would not survive the shift into a key (nor an export and import).
    static func checked(_ t: EntryType, _ n: Int64) throws -> Int64 {
        guard n <= EntryID.maxNumber else { throw KnowHowError.idsExhausted(t) }
        return n
    }
    static func make(_ id: EntryID) -> Int64 { EntryKeys.make(id) }

    static func type(_ key: Int64) -> EntryType? { EntryKeys.type(key) }

    static func number(_ key: Int64) -> Int64 { EntryKeys.number(key) }

    static func table(_ t: EntryType) -> String { t.rawValue }
}
