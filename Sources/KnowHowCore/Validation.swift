import Foundation

/// Normalises and checks the small values people type: handles, tags, emails, URLs.
public enum Validation {
    /// `@Kim.Lee` → `kim.lee`? No: handles are lowercase letters, digits, `-`, `_`.
    public static func handle(_ text: String) throws -> String {
        var h = Self.trimmed(text)
        if h.hasPrefix("@") { h.removeFirst() }
        h = h.lowercased()
        guard (2...32).contains(h.count), let first = h.unicodeScalars.first,
              CharacterSet.lowercaseLetters.contains(first), first.isASCII,
              h.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") })
        else { throw KnowHowError.invalidHandle(text) }
        return h
    }

    /// Tags are lowercase kebab-case: `Social Care` → `social-care`, `C++` → `c++` is refused.
    public static func tag(_ text: String) throws -> String {
        let folded = Self.trimmed(text)
            .folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        var out = ""
        var lastDash = true
        for s in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(s) {
                out.unicodeScalars.append(s); lastDash = false
            } else if s == "-" || s == "_" || s == " " || s == "/" || s == "." {
                if !lastDash { out.append("-"); lastDash = true }
            } else if s == "#" && out.isEmpty {
                continue
            } else {
                throw KnowHowError.invalidTag(text)
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        guard !out.isEmpty, out.count <= 64 else { throw KnowHowError.invalidTag(text) }
        return out
    }

    public static func email(_ text: String) throws -> String {
        let e = text.trimmingCharacters(in: .whitespaces)
        let parts = e.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !e.contains(where: { $0.isWhitespace }), e.count <= 254 else {
            throw KnowHowError.invalidEmail(text)
        }
        return e
    }

    public static func url(_ text: String) throws -> String {
        let u = text.trimmingCharacters(in: .whitespaces)
        guard let comps = URLComponents(string: u), let scheme = comps.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = comps.host, !host.isEmpty,
              !u.contains(where: { $0.isWhitespace }) else {
            throw KnowHowError.invalidURL(text)
        }
        return u
    }

    /// Trims, and turns empty text into nil. Text of several lines keeps the indentation of its
    /// first line (code, verse): only the blank lines before it go. Every write of free text goes
    /// through here, so what an export writes an import stores unchanged.
    public static func text(_ s: String?) -> String? {
        guard let s else { return nil }
        let t = trimmedKeepingIndent(s)
        return t.isEmpty ? nil : t
    }

    /// `s` trimmed as `text` does; `s` itself when there is nothing to trim.
    static func trimmedKeepingIndent(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return s }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return s }
        guard var start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if scalars[start...end].contains(where: isLineBreak) {
            start = scalars[..<start].lastIndex(where: isLineBreak).map { scalars.index(after: $0) } ?? scalars.startIndex
        }
        return String(scalars[start...end])
    }

    static func isLineBreak(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}": return true
        default: return false
        }
    }

    /// `s` without leading and trailing white space (Unicode White_Space, newlines included).
    /// Returns `s` itself, without copying, when there is nothing to trim: imports call this for
    /// every field of every row.
    public static func trimmed(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return s }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return s }
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}
