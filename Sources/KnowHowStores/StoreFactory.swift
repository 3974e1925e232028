import Foundation
import KnowHowCore
import KnowHowPostgres
import KnowHowSQLite
import KnowHowShell

/// Opens stores by path; the one place that knows which store technology serves a path.
public struct StoreFactory: StoreOpener {
    public init() {}

    /// The store at `path`; nothing is created until a write or `init` (then private, or
    /// group-writable when `shared`). A store that cannot be written is opened read-only.
    /// A `postgresql://` or `postgres://` address opens the PostgreSQL store there (libpq reads
    /// it, with PGHOST, PGUSER, ~/.pgpass, service files and the rest as psql does).
    public func open(path: String, shared: Bool) throws -> KnowledgeStore {
        if Self.isPostgres(path) { return try PostgresKnowledgeStore(path) }
        return try SQLiteKnowledgeStore(path: path, shared: shared)
    }

    public static func isPostgres(_ path: String) -> Bool {
        path.hasPrefix("postgresql://") || path.hasPrefix("postgres://")
    }

    /// A PostgreSQL address without its password, as messages and the prompt name it.
    public func label(for path: String) -> String {
        Self.isPostgres(path) ? PGConnection.redacted(path) : path
    }

    /// `--db`, else `KNOWHOW_DB` (a path, or a postgresql:// address), else `$XDG_DATA_HOME/knowhow/knowhow.db` (~/.local/share/knowhow/knowhow.db).
    public func defaultPath(environment: [String: String]) -> String {
        if let p = environment["KNOWHOW_DB"], !p.isEmpty { return p }
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/share")
        return base + "/knowhow/knowhow.db"
    }

    public func openDemo(environment: [String: String]) throws -> KnowledgeStore {
        try DemoData.open(environment: environment)
    }
}
