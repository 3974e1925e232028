import Foundation

/// Normalises and checks the small values people type: handles, tags, emails, URLs.
public enum Validation {
    /// The longest text each kind of field takes, in characters. Generous for people, and small
    /// enough that one entry cannot make every search, listing and screen slow.
    public enum Limit {
        public static let title = 300
        public static let name = 200
        /// Short fields: organisation, sector, location, time zone, URL, source id.
        public static let short = 2_000
        public static let summary = 2_000
        /// Bodies: details, context, practice, evidence, bios, questions, answers.
        public static let body = 100_000
        public static let tag = 64
        /// A search or a topic as typed.
        public static let query = 1_000
    }

    /// Trimmed text no longer than `limit` characters, or nil when empty; `field` names it in the
    /// error ("title", "answer's text").
    public static func text(_ s: String?, field: String, limit: Int) throws -> String? {
        guard let t = text(s) else { return nil }
        try check(t, field: field, limit: limit)
        return t
    }

    /// Refuses text longer than `limit` characters.
    public static func check(_ s: String, field: String, limit: Int) throws {
        // UTF-8 length bounds the character count from above, and is free.
        guard s.utf8.count > limit else { return }
        let n = s.count
        if n > limit { throw KnowHowError.tooLong(field: field, length: n, limit: limit) }
    }

    /// `12000` → `12,000`: how counts are written everywhere.
    public static func grouped(_ n: Int) -> String {
        var s = String(n.magnitude)
        var i = s.count - 3
        while i > 0 { s.insert(",", at: s.index(s.startIndex, offsetBy: i)); i -= 3 }
        return n < 0 ? "-" + s : s
    }

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
        // Folding is the costly step: refuse what can never fit before it.
        if text.utf8.count > Limit.tag * 8, text.count > Limit.tag * 4 {
            throw KnowHowError.tooLong(field: "tag", length: text.count, limit: Limit.tag)
        }
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
        guard !out.isEmpty else { throw KnowHowError.invalidTag(text) }
        if out.count > Limit.tag { throw KnowHowError.tooLong(field: "tag", length: out.count, limit: Limit.tag) }
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

/// Field lengths of whole records, checked by every write (adding, editing, importing) before
/// anything else is done with the text.
extension Validation {
    public static func checkLengths(_ r: Resource) throws {
        try check(r.title, field: "title", limit: Limit.title)
        try check(r.url ?? "", field: "URL", limit: Limit.short)
        try check(r.summary ?? "", field: "summary", limit: Limit.summary)
        try check(r.body ?? "", field: "details", limit: Limit.body)
    }

    public static func checkLengths(_ p: Practice) throws {
        try check(p.title, field: "title", limit: Limit.title)
        try check(p.context ?? "", field: "context", limit: Limit.body)
        try check(p.practice ?? "", field: "practice", limit: Limit.body)
        try check(p.evidence ?? "", field: "evidence", limit: Limit.body)
    }

    public static func checkLengths(_ m: Member) throws {
        try check(m.name, field: "name", limit: Limit.name)
        for (field, value) in [("organisation", m.organisation), ("sector", m.sector), ("location", m.location),
                               ("time zone", m.timeZone), ("source id", m.sourceId)] {
            try check(value ?? "", field: field, limit: Limit.short)
        }
        try check(m.bio ?? "", field: "bio", limit: Limit.body)
    }

    public static func checkLengths(_ q: Question) throws {
        try check(q.title, field: "question", limit: Limit.title)
        try check(q.body ?? "", field: "question's details", limit: Limit.body)
    }

    public static func checkLengths(_ a: Answer) throws {
        try check(a.body, field: "answer", limit: Limit.body)
    }

    public static func checkLengths(_ d: Draft) throws {
        try check(d.title, field: d.type == .member ? "name" : "title", limit: d.type == .member ? Limit.name : Limit.title)
        try check(d.summary ?? "", field: "summary", limit: Limit.body)
        try check(d.url ?? "", field: "URL", limit: Limit.short)
    }
}
