import Foundation
import GRDB
import KnowHowCore

/// The KnowHow store on SQLite: one value owns the connection; creating it runs the migrations,
/// so a store that exists is migrated. Every write is one transaction.
public final class SQLiteKnowledgeStore: KnowledgeStore {
    let writer: any DatabaseWriter
    /// Where the store lives; nil for an in-memory store.
    public let path: String?
    /// Whom writes are made for; each is checked against their role and recorded (see +History).
    public var actingAs: ActingAs = .system
    /// When set, changes are stamped with this time instead of the clock's (tests, transcripts).
    public var frozenTime: Timestamp?
    /// When `find` and `who` rank exactly and when from ranked lists (see +RankLists).
    public var searchTuning = SearchTuning.standard

    /// Opens (creating if needed) the store at `path`.
    public init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            catch { throw KnowHowError.storeUnavailable(path: path, reason: "cannot create the folder \(dir)") }
        }
        do {
            writer = try DatabasePool(path: path, configuration: Self.configuration())
        } catch let e as DatabaseError {
            throw Self.openError(e, path: path)
        }
        try migrate()
    }

    /// A fresh store in memory (tests, `--demo`).
    public init() throws {
        path = nil
        writer = try DatabaseQueue(configuration: Self.configuration())
        try migrate()
    }

    /// An in-memory copy of the store file at `path` (a throwaway copy: changes are not saved).
    public init(copyOf source: String) throws {
        path = nil
        let queue = try DatabaseQueue(configuration: Self.configuration())
        do {
            var config = Self.configuration()
            config.readonly = true
            let file = try DatabaseQueue(path: source, configuration: config)
            try file.backup(to: queue)
        } catch let e as DatabaseError {
            throw Self.openError(e, path: source)
        }
        writer = queue
        try migrate()
    }

    /// Writes a consistent copy of this store to a new file at `path`.
    public func saveCopy(to path: String) throws {
        do {
            let file = try DatabaseQueue(path: path, configuration: Self.configuration())
            try writer.backup(to: file)
        } catch let e as DatabaseError {
            throw map(e)
        }
    }

    /// How much of the store file is memory-mapped for reading: all of it, up to SQLite's own
    /// limit (2 GB). Reads then come from the OS page cache without a system call and a copy each:
    /// at a million entries, reads through pread were half of `who`'s time. Mapped pages show in
    /// the resident size, but they are the OS's cache, shared and reclaimable, not the process's heap.
    static let mmapSize: Int64 = 0x7fff_0000

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.label = "knowhow"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // `who` reads thousands of scattered rows (each candidate's latest work): memory-mapped
            // reads serve them from the OS page cache without a system call and a copy each, which
            // nearly halves its time on a 2 GB store. Mapped pages count in the resident size, though they
            // are the OS's cache, not the process's heap; a larger page cache did not help beyond it.
            try db.execute(sql: "PRAGMA mmap_size = \(mmapSize)")
        }
        return config
    }

    static func openError(_ e: DatabaseError, path: String) -> KnowHowError {
        switch e.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .notAStore(path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .storeBusy
        case .SQLITE_CANTOPEN: return .storeUnavailable(path: path, reason: "the file cannot be opened (check the path and its permissions)")
        case .SQLITE_READONLY, .SQLITE_PERM: return .storeUnavailable(path: path, reason: "the file is read-only")
        default: return .storeUnavailable(path: path, reason: "the database reported error \(e.resultCode.rawValue)")
        }
    }

    func migrate() throws {
        do {
            // Most opens find the schema current: check with a read, so no write lock is taken.
            if try writer.read({ try Self.migrator.hasCompletedMigrations($0) }) { return }
            try Self.migrator.migrate(writer)
        } catch let e as DatabaseError {
            throw Self.openError(e, path: path ?? ":memory:")
        }
    }

    /// Runs a read, mapping database errors at the edge so no SQL text reaches a user.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.read(body) } catch let e as DatabaseError { throw map(e) }
    }

    /// Runs one write transaction; on any error nothing is kept.
    /// Ends by bringing derived data up to date (members' work for `who`, see +WorkSummary).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
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

/// Entry keys: one integer for every indexed thing, the FTS rowid. The low three bits say the
/// type, the rest is the entry's number, so `r12` is 12 << 3 | 2.
enum EntryKey {
    static func code(_ t: EntryType) -> Int64 {
        switch t {
        case .member: return 1
        case .resource: return 2
        case .practice: return 3
        case .question: return 4
        case .answer: return 5
        }
    }

    static func make(_ t: EntryType, _ n: Int64) -> Int64 { n << 3 | code(t) }

    /// The number a new row of an entry table was stored under, refused past the largest id:
    /// a larger one would not survive the shift into a key (nor an export and import).
    static func checked(_ t: EntryType, _ n: Int64) throws -> Int64 {
        guard n <= EntryID.maxNumber else { throw KnowHowError.idsExhausted(t) }
        return n
    }
    static func make(_ id: EntryID) -> Int64 { make(id.type, id.number) }

    static func type(_ key: Int64) -> EntryType? {
        EntryType.allCases.first { code($0) == key & 7 }
    }

    static func number(_ key: Int64) -> Int64 { key >> 3 }

    static func table(_ t: EntryType) -> String { t.rawValue }
}
