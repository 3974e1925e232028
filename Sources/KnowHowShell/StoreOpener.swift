import Foundation
#if canImport(Glibc)
import Glibc
#endif
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

/// Whether a store could be made at a file path that holds none yet, checked before a command
/// asks its first question: the store finds out only as it makes the file, after the whole form.
enum NewStorePath {
    /// Refuses a path whose nearest existing folder is a file or cannot be written, saying what to
    /// do, in --db's words as the store's own refusals are (`ShellContext.identityAdvice` words
    /// them for `open` where stores are chosen with it).
    static func check(_ path: String) throws {
        var dir = folder(of: path)
        // New folders are made in the nearest one that exists.
        var st = stat()
        while stat(dir, &st) != 0 {
            guard dir != "/", dir != "." else { return }  // the store will say what is wrong
            dir = folder(of: dir)
        }
        if st.st_mode & S_IFMT != S_IFDIR {
            throw KnowHowError.cannotWrite(path: path, reason: "\(dir) is a file, not a folder; give another path with --db (nothing was asked or saved)")
        }
        if access(dir, W_OK | X_OK) != 0 {
            throw KnowHowError.cannotWrite(path: path, reason: "you cannot write in the folder \(dir); give a path in a folder you can write with --db, or ask its owner for access (nothing was asked or saved)")
        }
    }

    /// The folder holding `path`: "." when it has no slash, "/" for a file at the root.
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = path[..<slash]
        return dir.isEmpty ? "/" : String(dir)
    }
}
