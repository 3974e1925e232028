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
