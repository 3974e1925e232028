import Foundation
import KnowHowCore
import KnowHowSQLite
import KnowHowShell

/// Opens stores by path; the one place that knows which store technology serves a path.
public struct StoreFactory: StoreOpener {
    public init() {}

    /// The store at `path`; nothing is created until a write or `init` (then private, or
    /// group-writable when `shared`). A store that cannot be written is opened read-only.
    public func open(path: String, shared: Bool) throws -> KnowledgeStore {
        try SQLiteKnowledgeStore(path: path, shared: shared)
    }

    /// `--db`, else `KNOWHOW_DB`, else `$XDG_DATA_HOME/knowhow/knowhow.db` (~/.local/share/knowhow/knowhow.db).
    public func defaultPath(environment: [String: String]) -> String {
        if let p = environment["KNOWHOW_DB"], !p.isEmpty { return p }
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/share")
        return base + "/knowhow/knowhow.db"
    }

    public func openDemo(environment: [String: String]) throws -> KnowledgeStore {
        try DemoData.open(environment: environment)
    }
}
