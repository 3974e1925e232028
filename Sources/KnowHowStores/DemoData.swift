import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KnowHowCore
import KnowHowSQLite

/// The demo community: KNOWHOW_DEMO when set, else a copy installed beside the executable
/// (`<exe>/../share/knowhow/community.json` or `<exe>/community.json`), else the copy of
/// Data/community.json compiled into the program, so `--demo` works from any folder.
public enum DemoData {
    /// The file to read, nil for the compiled-in copy.
    public static func locate(environment: [String: String]) throws -> String? {
        if let p = environment["KNOWHOW_DEMO"], !p.isEmpty {
            guard FileManager.default.fileExists(atPath: p) else {
                throw KnowHowError.fileNotFound("\(p) (named by KNOWHOW_DEMO; unset it to use the demo built into knowhow)")
            }
            return p
        }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            for candidate in ["../share/knowhow/community.json", "community.json"] {
                let p = dir.appendingPathComponent(candidate).standardized.path
                if FileManager.default.fileExists(atPath: p) { return p }
            }
        }
        return nil
    }

    /// A throwaway in-memory store holding the demo community. The imported store is cached
    /// (keyed by the file's content) so that `--demo` opens in milliseconds.
    public static func open(environment: [String: String]) throws -> SQLiteKnowledgeStore {
        let path = try locate(environment: environment)
        let data: Data
        if let path {
            guard let d = FileManager.default.contents(atPath: path) else { throw KnowHowError.fileNotFound(path) }
            data = d
        } else {
            data = Data(embeddedDemoCommunity.utf8)
        }
        let cacheDir = (environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.cache")) + "/knowhow"
        let cache = cacheDir + "/demo-\(fingerprint(data)).db"
        if FileManager.default.fileExists(atPath: cache), let store = try? SQLiteKnowledgeStore(copyOf: cache) {
            return store
        }
        let store = try SQLiteKnowledgeStore()
        _ = try store.importCommunity(CommunityFileReader(data: data, name: path ?? "the demo community"), progress: nil, as: .system)
        // Best effort: a cache that cannot be written only costs time.
        if (try? FileManager.default.createDirectory(atPath: cacheDir, withIntermediateDirectories: true)) != nil {
            let tmp = cache + ".\(getpid()).tmp"
            if (try? store.saveCopy(to: tmp)) != nil { _ = rename(tmp, cache) } else { try? FileManager.default.removeItem(atPath: tmp) }
        }
        return store
    }

    /// FNV-1a of the file plus the store's schema, so a new file or a new migration rebuilds the cache.
    static func fingerprint(_ data: Data) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        for b in SQLiteKnowledgeStore.schemaVersion.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }
}

