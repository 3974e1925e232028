import KnowHowCore

/// Opens stores for the shell (`--db`, `--demo`, `open PATH`): the executable knows which store
/// technology serves a path and hands the shell one of these, so the shell knows only the port.
public protocol StoreOpener {
    /// The store at `path`; nothing is created until a write or `init` (then private, or
    /// group-writable when `shared`). A store that cannot be written is opened read-only.
    func open(path: String, shared: Bool) throws -> KnowledgeStore
    /// A throwaway store holding the demo community.
    func openDemo(environment: [String: String]) throws -> KnowledgeStore
    /// The store used when no `--db` is given.
    func defaultPath(environment: [String: String]) -> String
    /// How messages and the prompt name the store at `path`.
    func label(for path: String) -> String
}

extension StoreOpener {
    /// How messages and the prompt name the store at `path` (an address without its password).
    public func label(for path: String) -> String { path }
}
