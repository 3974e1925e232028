import Foundation
import KnowHowCore

/// Who is acting: `--as @handle`, else KNOWHOW_USER, else `user = "handle"` in
/// $XDG_CONFIG_HOME/knowhow/config.toml, else the login name when a member has that handle;
/// on PostgreSQL the member mapped to the database login.
public enum Identity {
    public static func configPath(environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/knowhow/config.toml"
    }

    /// Reads `key = "value"` lines of the config file (a small subset of TOML).
    public static func config(environment: [String: String]) -> [String: String] {
        guard let text = try? String(contentsOfFile: configPath(environment: environment), encoding: .utf8) else { return [:] }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let l = line.trimmingCharacters(in: .whitespaces)
            guard !l.hasPrefix("#"), !l.hasPrefix("["), let eq = l.firstIndex(of: "=") else { continue }
            let key = l[..<eq].trimmingCharacters(in: .whitespaces)
            var value = l[l.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if let hash = value.range(of: " #") { value = String(value[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces) }
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            out[key] = value
        }
        return out
    }

    /// The acting member's handle and where it came from; nil when nobody is identified.
    /// On a store whose database knows the login (PostgreSQL), the login's member, unless `--as`
    /// names another (the store allows that to curators only).
    public static func resolve(flag: String?, environment: [String: String], store: KnowledgeStore) -> (handle: String, source: String)? {
        if let s = store as? LoginIdentity, let login = try? s.loginMember(), let mine = login.handle {
            if let f = flag, let h = try? Validation.handle(f) { return (h, "--as") }
            return (mine, "database login \(login.login)")
        }
        if let f = flag, let h = try? Validation.handle(f) { return (h, "--as") }
        if let u = environment["KNOWHOW_USER"], let h = try? Validation.handle(u) { return (h, "KNOWHOW_USER") }
        if let u = config(environment: environment)["user"], let h = try? Validation.handle(u) { return (h, "config.toml") }
        if let u = environment["USER"] ?? environment["LOGNAME"], let h = try? Validation.handle(u), (try? store.member(h)) != nil {
            return (h, "login name")
        }
        return nil
    }
}
