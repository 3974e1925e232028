import Foundation
import GRDB
import KnowHowCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's file: what a path may be, how a store is recognised, opened read-only, and created.
///
/// Reads never create anything: a store value for a missing file throws `noStore` on a read,
/// and the first write (or `init`, through `create()`) makes the store. A new store is built
/// under a temporary name and linked into place, so nobody ever sees a half-made store, and its
/// file is 0600 (0660 when shared) whatever the umask; SQLite gives its -wal and -shm files the
/// same mode. Paths are handled as plain strings, never through NSString.
extension SQLiteKnowledgeStore {
    /// KnowHow's mark in the SQLite header (`PRAGMA application_id`): 'KnHw'.
    public static let applicationID: Int32 = 0x4B6E_4877

    /// Creates the store if there is none yet (or the file at its path is empty); returns true
    /// when it created it, false when it already existed. In memory there is nothing to create.
    @discardableResult
    public func create() throws -> Bool {
        guard let path else { return false }
        lock.lock(); defer { lock.unlock() }
        switch state {
        case .open: return false
        case .emptyFile:
            try connect(creating: true)
        case .absent:
            if case .missing = Self.kind(of: path) {
                try Self.makeFolders(Self.folder(of: path), mode: shared ? 0o2770 : 0o700)
                try Self.buildNewStore(at: path, mode: shared ? 0o660 : 0o600)
            }
            try openExisting()
            if case .emptyFile = state { try connect(creating: true) }
        }
        return true
    }

    /// The connection (tests reach the database through it).
    var writer: any DatabaseWriter { get throws { try connection() } }

    /// The connection, or the error that says why there is none.
    func connection() throws -> any DatabaseWriter {
        switch state {
        case .open(let writer): return writer
        case .absent: throw KnowHowError.noStore(path: path ?? ":memory:")
        case .emptyFile:
            let p = path ?? ""
            throw KnowHowError.storeUnavailable(path: p, reason: "it is empty, not a KnowHow store; to make it one, run `knowhow --db \(p) init`")
        }
    }

    // MARK: - Paths

    /// Refuses what cannot name a store file, before anything touches the disk.
    static func checkPath(_ path: String) throws {
        if path.isEmpty {
            throw KnowHowError.invalidValue(field: "store path", value: "", expected: "the path of a store file, such as --db ~/knowhow.db")
        }
        if path.utf8.contains(0) {
            throw KnowHowError.invalidValue(field: "store path", value: path.replacingOccurrences(of: "\0", with: "\\0"),
                                            expected: "a path without NUL characters")
        }
    }

    /// The folder holding `path`: "." when it has no slash, "/" for a file at the root.
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = path[..<slash]
        return dir.isEmpty ? "/" : String(dir)
    }

    enum FileKind: Equatable { case missing, folder, regular(size: Int64), other }

    static func kind(of path: String) -> FileKind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .folder
        case S_IFREG: return .regular(size: Int64(st.st_size))
        default: return .other
        }
    }

    // MARK: - Opening

    /// Opens the store at `path` if its file exists; leaves the state `absent` or `emptyFile` otherwise.
    func openExisting() throws {
        guard let path else { return }
        switch Self.kind(of: path) {
        case .missing:
            state = .absent
        case .folder:
            let base = path.hasSuffix("/") ? path : path + "/"
            throw KnowHowError.storeUnavailable(path: path, reason: "it is a folder; give the path of a store file inside it, such as \(base)knowhow.db")
        case .other:
            throw KnowHowError.storeUnavailable(path: path, reason: "it is not a regular file (a device, a pipe or a socket), so it cannot hold a store; give the path of a store file with --db")
        case .regular(let size) where size == 0:
            state = .emptyFile
        case .regular:
            try connect(creating: false)
        }
    }

    /// Connects to the file at `path`: checks it is KnowHow's (or, when `creating`, empty), opens
    /// it read-only when it or its folder cannot be written, migrates and stamps it.
    func connect(creating: Bool) throws {
        guard let path else { return }
        let dir = Self.folder(of: path)
        guard access(path, R_OK) == 0 else {
            throw KnowHowError.storeUnavailable(path: path, reason: "the file cannot be read (check its permissions)")
        }
        readOnlyReason = access(path, W_OK) != 0 ? "the file is not writable (check its permissions)"
            : access(dir, W_OK) != 0 ? "its folder \(dir) is not writable, and a store needs to create its journal files beside itself"
            : nil
        if creating, let readOnlyReason {
            throw KnowHowError.cannotWrite(path: path, reason: readOnlyReason)
        }
        var stamped = Self.headerID(path) == Self.applicationID
        do {
            if !stamped {
                // Looked at read-only, so another program's file is never changed (a pool would make it WAL).
                let probe = try Self.openReadOnly(path)
                switch try probe.read(Self.contents) {
                case .knowHow: stamped = true
                case .earlierKnowHow: break
                case .empty:
                    if !creating { state = .emptyFile; return }
                case .other:
                    throw KnowHowError.storeUnavailable(path: path, reason: "it is another program's SQLite database (it lacks KnowHow's mark), so KnowHow leaves it alone; give the path of a KnowHow store, or of a new file, with --db")
                }
                try probe.close()
            }
            state = .open(readOnlyReason == nil
                ? try DatabasePool(path: path, configuration: Self.configuration())
                : try Self.openReadOnly(path))
        } catch let e as DatabaseError {
            throw Self.openError(e, path: path)
        }
        try migrate()
        if !stamped, readOnlyReason == nil {
            do { try connection().writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = \(Self.applicationID)") } }
            catch let e as DatabaseError { throw Self.openError(e, path: path) }
        }
    }

    enum Contents { case knowHow, earlierKnowHow, empty, other }

    /// Whose database this is: KnowHow's mark, or (from before the mark) KnowHow's tables.
    static func contents(_ db: Database) throws -> Contents {
        let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if id == applicationID { return .knowHow }
        guard id == 0 else { return .other }
        let names = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master"))
        if names.isEmpty { return .empty }
        return names.isSuperset(of: ["grdb_migrations", "member", "resource", "practice"]) ? .earlierKnowHow : .other
    }

    /// The application id in a SQLite file's header, without SQLite; nil when it is not one.
    /// (The header on disk may lag a change still in the -wal: a miss is then checked with SQLite.)
    static func headerID(_ path: String) -> Int32? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 72), header.count == 72,
              header.prefix(16) == Data("SQLite format 3\0".utf8) else { return nil }
        return header[68..<72].reduce(Int32(0)) { $0 << 8 | Int32($1) }
    }

    /// A read-only connection. In a folder it cannot write, with no -wal file beside the store,
    /// nobody can be writing to it (a writer would have to create that file), so it is opened
    /// `immutable`: SQLite then needs no -shm file, which it could not create there.
    static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        var config = configuration()
        config.readonly = true
        let dir = folder(of: path)
        if access(dir, W_OK) != 0, kind(of: path + "-wal") == .missing {
            var allowed = CharacterSet.urlPathAllowed
            allowed.remove(charactersIn: "?#%")
            let escaped = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
            return try DatabaseQueue(path: "file:\(escaped)?immutable=1", configuration: config)
        }
        return try DatabaseQueue(path: path, configuration: config)
    }

    // MARK: - Creating

    /// Creates each missing folder of `dir` with `mode` (set again after mkdir, as the umask narrows it).
    static func makeFolders(_ dir: String, mode: mode_t) throws {
        if kind(of: dir) == .folder { return }
        var prefix = dir.hasPrefix("/") ? "/" : ""
        for part in dir.split(separator: "/") {
            prefix += part
            switch kind(of: prefix) {
            case .folder: break
            case .missing:
                if mkdir(prefix, mode) == 0 {
                    chmod(prefix, mode)
                } else if errno != EEXIST {
                    let why = errno == EACCES ? "its parent folder is not writable" : String(cString: strerror(errno))
                    throw KnowHowError.cannotWrite(path: prefix, reason: "cannot create this folder for the store: \(why)")
                }
            default:
                throw KnowHowError.cannotWrite(path: dir, reason: "\(prefix) is a file, not a folder; give another path with --db")
            }
            prefix += "/"
        }
    }

    /// Builds a migrated, stamped store under a temporary name and links it to `path`, so the
    /// store appears whole or not at all. When another process made one first, theirs is kept.
    static func buildNewStore(at path: String, mode: mode_t) throws {
        let dir = folder(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temp = "\(dir)/.\(name).new-\(getpid())"
        let fd = open(temp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let why = errno == EACCES ? "the folder \(dir) is not writable" : String(cString: strerror(errno))
            throw KnowHowError.cannotWrite(path: path, reason: "the store cannot be created: \(why)")
        }
        fchmod(fd, mode)
        close(fd)
        defer { for suffix in ["", "-journal", "-wal", "-shm"] { unlink(temp + suffix) } }
        do {
            let queue = try DatabaseQueue(path: temp, configuration: configuration())
            try upgrade(queue, tuning: .standard)
            try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = \(applicationID)") }
            try queue.close()
        } catch let e as DatabaseError {
            throw openError(e, path: path)
        }
        if link(temp, path) != 0, errno != EEXIST {
            // A file system without hard links: rename, unless a store appeared meanwhile.
            guard kind(of: path) == .missing, rename(temp, path) == 0 else {
                throw KnowHowError.cannotWrite(path: path, reason: "the store cannot be created: \(String(cString: strerror(errno)))")
            }
        }
    }
}
