import Foundation

/// Splits a shell line into words. Quotes group words; for search commands they are kept (they
/// are query syntax), for others they are removed. An unbalanced quote runs to the end.
public enum ShellWords {
    public static func split(_ line: String, keepQuotes: Bool) -> [String] {
        var words: [String] = []
        var cur = ""
        var inWord = false
        var quote: Character?
        for ch in line {
            if let q = quote {
                if ch == q { quote = nil; if keepQuotes { cur.append(ch) } } else { cur.append(ch) }
                continue
            }
            if ch == "\"" || (ch == "'" && !keepQuotes) {
                quote = ch; inWord = true
                if keepQuotes { cur.append(ch) }
                continue
            }
            if ch.isWhitespace {
                if inWord { words.append(cur); cur = ""; inWord = false }
                continue
            }
            cur.append(ch); inWord = true
        }
        if inWord { words.append(cur) }
        return words
    }
}

/// Search text goes through swift-argument-parser, which reads `-tag:x` or `-draft` as options.
/// Such words are marked before parsing and restored when the command joins its words.
public enum QueryWords {
    static let mark: Character = "\u{E000}"
    /// Put before a word that itself starts with a mark, so that the word comes back as typed.
    static let escape: Character = "\u{E001}"

    /// Marks words that start with one `-` (exclusions) so the parser leaves them alone; the
    /// command's own short options (`-n`, `-h`) stay as they are.
    public static func protect(_ words: [String], keeping options: Set<String> = ["-n", "-h"]) -> [String] {
        words.map { w in
            if w.first == mark || w.first == escape { return String(escape) + w }
            return w.hasPrefix("-") && !w.hasPrefix("--") && w.count > 1 && !options.contains(w) ? String(mark) + w.dropFirst() : w
        }
    }

    /// The words as typed, joined by spaces, without the first `--`: it ends the options (`find
    /// -- -x`), and is no part of the search (a quoted `"--"` is kept, quotes and all).
    public static func text(_ words: [String]) -> String {
        var words = words
        if let end = words.firstIndex(of: "--") { words.remove(at: end) }
        return words.map { w in
            switch w.first {
            case mark: return "-" + w.dropFirst()
            case escape: return String(w.dropFirst())
            default: return w
            }
        }.joined(separator: " ")
    }
}
