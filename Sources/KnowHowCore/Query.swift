import Foundation

/// The text part of a search, as a tree. A store renders it into its own language.
public indirect enum QueryNode: Equatable, Sendable {
    /// One word, matched after stemming (`onboarding` finds `onboard`).
    case term(String)
    /// Words that must appear together in order; `prefix` marks the last as a prefix.
    case phrase([String], prefix: Bool)
    /// A word prefix: `onboard*`.
    case prefix(String)
    /// All of these (the implicit operator between words).
    case and([QueryNode])
    /// Any of these.
    case or([QueryNode])
    /// Not this; only meaningful beside something positive inside `and`.
    case not(QueryNode)

    /// The words a person looked for (not the excluded ones), for highlighting and suggestions.
    public var positiveWords: [String] {
        switch self {
        case .term(let w), .prefix(let w): return [w]
        case .phrase(let ws, _): return ws
        case .and(let cs), .or(let cs): return cs.flatMap(\.positiveWords)
        case .not: return []
        }
    }
}

/// A filter that narrows a search: `tag:onboarding`, `type:practice`, `-status:retired`.
public struct Filter: Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Key: String, CaseIterable, Sendable {
        case type, tag, by, status, kind, sector, role
    }
    public var key: Key
    public var value: String
    public var negated: Bool

    public init(_ key: Key, _ value: String, negated: Bool = false) {
        self.key = key; self.value = value; self.negated = negated
    }

    public var description: String {
        let v = value.contains(where: { $0 == " " }) ? "\"\(value)\"" : value
        return (negated ? "-" : "") + "\(key.rawValue):\(key == .by ? "@" : "")\(v)"
    }
}

/// A parsed search: text to match (nil when only filters were given) and filters.
public struct Query: Equatable, Sendable {
    public var text: QueryNode?
    public var filters: [Filter]
    /// Words with symbols the index splits off (`c++`, `c#`, `.net`), lowercased: the index finds
    /// their letters, and the core keeps the entries whose text holds them as written.
    public var symbolWords: [String] = []
    /// Set by `find`'s closest matches and `similar` (never by typed syntax): the words are a
    /// sentence, and a store that can ranks them so that holding more of them counts most (BM25F,
    /// see `FieldWeightedBM25`); others keep their own ranking.
    public var naturalLanguage = false
    /// Whether a store says why nothing matched (words it does not know, with the nearest it
    /// does). `find` asks without for a sentence, whose empty result the closest matches replace
    /// (the nearest words of a pasted title's every word cost more than the rest of its search),
    /// and again with only when nothing at all is found.
    public var explainEmpty = true

    public init(text: QueryNode?, filters: [Filter] = []) {
        self.text = text; self.filters = filters
    }

    public var isEmpty: Bool { text == nil && filters.isEmpty }

    /// Filters of one key, as values (negated ones excluded).
    public func values(of key: Filter.Key) -> [String] {
        filters.filter { $0.key == key && !$0.negated }.map(\.value)
    }

    /// The entry types this query may return (all when no `type:` filter).
    public var types: Set<EntryType> {
        var set = Set(EntryType.allCases)
        let wanted = filters.filter { $0.key == .type && !$0.negated }.compactMap { EntryType(word: $0.value) }
        if !wanted.isEmpty { set = Set(wanted) }
        for f in filters where f.key == .type && f.negated {
            if let t = EntryType(word: f.value) { set.remove(t) }
        }
        return set
    }
}

/// Splits text into words the way the full-text index does (letters, digits and other
/// non-ASCII symbols; everything else separates), so the parser never hands the index a
/// term that it would read as nothing.
public enum WordSplitter {
    public static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return CharacterSet.alphanumerics.contains(s) }
        let p = s.properties
        if p.isWhitespace { return false }
        switch p.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation, .spaceSeparator,
             .lineSeparator, .paragraphSeparator, .control, .format:
            return false
        default:
            return true
        }
    }

    public static func words(_ text: some StringProtocol) -> [String] {
        var out: [String] = []
        var cur = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if isWordScalar(s) { cur.append(s) } else if !cur.isEmpty { out.append(String(cur)); cur = .init() }
        }
        if !cur.isEmpty { out.append(String(cur)) }
        return out
    }
}

/// Parses what a person types into a `Query`.
///
/// Words must all match; `"a phrase"`; `prefix*`; `a OR b` (OR binds tighter than the space,
/// so `budget OR cost report` means `(budget OR cost) AND report`); `-word` and `NOT word`
/// exclude; parentheses group; `key:value` filters. Anything that is not syntax is a word, so
/// `c++`, a lone `-` or an unbalanced quote still search.
public enum QueryParser {
    /// The longest query we accept; longer input is refused rather than silently cut.
    public static let maxLength = Validation.Limit.query
    static let keyAliases: [String: Filter.Key] = [
        "tags": .tag, "types": .type, "is": .type, "author": .by, "from": .by, "kinds": .kind,
    ]

    public static func parse(_ input: String) throws -> Query {
        if input.utf8.count > Validation.Limit.query, input.count > Validation.Limit.query {
            throw KnowHowError.emptyQuery("that search is \(Validation.grouped(input.count)) characters long; keep it under \(Validation.grouped(Validation.Limit.query)), a few words are best")
        }
        var lexer = Lexer(input)
        let tokens = try lexer.lex()
        var parser = Parser(tokens: tokens)
        let node = try parser.parseSequence(topLevel: true)
        let text = try node.map(normalise).flatMap { $0 }
        if let text { try checkNegations(text, hasFilters: !parser.filters.isEmpty) }
        var query = Query(text: text, filters: parser.filters)
        query.symbolWords = lexer.symbolWords
        if query.isEmpty {
            if parser.sawExclusionOnly {
                throw KnowHowError.emptyQuery("add a word to look for: a search of only exclusions (-word, NOT word) has nothing to match")
            }
            if input.trimmingCharacters(in: .whitespaces).isEmpty {
                throw KnowHowError.emptyQuery("nothing to search for; type some words, e.g. `find onboarding`")
            }
            throw KnowHowError.emptyQuery("nothing to search for in '\(input.prefix(40))': use letters or digits, e.g. `find onboarding`")
        }
        return query
    }

    /// Flattens nested and/or, removes empty groups; returns nil when nothing is left.
    static func normalise(_ node: QueryNode) throws -> QueryNode? {
        switch node {
        case .and(let cs):
            var out: [QueryNode] = []
            for c in cs { if let n = try normalise(c) { if case .and(let inner) = n { out += inner } else { out.append(n) } } }
            if out.isEmpty { return nil }
            return out.count == 1 ? out[0] : .and(out)
        case .or(let cs):
            var out: [QueryNode] = []
            for c in cs { if let n = try normalise(c) { if case .or(let inner) = n { out += inner } else { out.append(n) } } }
            if out.isEmpty { return nil }
            return out.count == 1 ? out[0] : .or(out)
        case .not(let c):
            guard let n = try normalise(c) else { return nil }
            if case .not(let inner) = n { return inner }
            return .not(n)
        default:
            return node
        }
    }

    /// An exclusion needs something positive beside it in the same group.
    static func checkNegations(_ node: QueryNode, hasFilters: Bool) throws {
        func positive(_ n: QueryNode) -> Bool { if case .not = n { return false }; return true }
        switch node {
        case .not(let inner):
            if hasFilters { return }  // filters alone select entries; the store handles this
            throw KnowHowError.emptyQuery("add a word to look for: `-\(render(inner))` only says what to leave out; look for something beside it (`coaching -\(render(inner))`)")
        case .and(let cs):
            if !cs.contains(where: positive), !hasFilters {
                throw KnowHowError.emptyQuery("add a word to look for: a search of only exclusions has nothing to match")
            }
            for c in cs { if case .not(let inner) = c { try checkInner(inner) } else { try checkInner(c) } }
        case .or(let cs):
            for c in cs {
                if case .not(let inner) = c {
                    throw KnowHowError.emptyQuery("`OR -\(render(inner))` cannot be searched: put exclusions beside words, as in `a -b`")
                }
                try checkInner(c)
            }
        default: break
        }
        func checkInner(_ n: QueryNode) throws {
            switch n {
            case .and, .or:
                if case .and(let cs) = n, !cs.contains(where: positive) {
                    throw KnowHowError.emptyQuery("a group of only exclusions has nothing to match; add a word to it")
                }
                try checkNegations(n, hasFilters: false)
            default: break
            }
        }
    }

    /// A readable form of a node, for messages and tests.
    public static func render(_ node: QueryNode) -> String {
        switch node {
        case .term(let w): return w
        case .prefix(let w): return w + "*"
        case .phrase(let ws, let p): return "\"" + ws.joined(separator: " ") + "\"" + (p ? "*" : "")
        case .and(let cs): return "(" + cs.map(render).joined(separator: " ") + ")"
        case .or(let cs): return "(" + cs.map(render).joined(separator: " OR ") + ")"
        case .not(let c): return "-" + render(c)
        }
    }

    // MARK: - Lexing

    enum Token: Equatable {
        case words([String], prefix: Bool, quoted: Bool)  // empty when the text held no word
        case filter(Filter.Key, String)
        case or, not, minus, lparen, rparen
        case bareOperator(String)  // OR/NOT with nothing to act on become words again
    }

    struct Lexer {
        let scalars: [Character]
        var i = 0
        /// Unquoted words such as `c++`, `c#`, `f#`, `.net` (see `Query.symbolWords`).
        var symbolWords: [String] = []
        init(_ s: String) { scalars = Array(s) }

        /// `c++`, `c#`, `.net` as written (trailing sentence punctuation aside); nil for a plain word.
        static func symbolWord(_ word: String) -> String? {
            var w = word.lowercased()
            while let last = w.last, ",;:!?".contains(last) || (last == "." && w.count > 1) { w.removeLast() }
            let letters = WordSplitter.words(w)
            guard letters.count == 1, let core = letters.first, core.count <= 12 else { return nil }
            let trailing = w.hasPrefix(core) && w.dropFirst(core.count).allSatisfy { $0 == "+" || $0 == "#" } && w.count > core.count
            let leadingDot = w == "." + core
            return trailing || leadingDot ? w : nil
        }

        mutating func lex() throws -> [Token] {
            var out: [Token] = []
            while i < scalars.count {
                let c = scalars[i]
                if c.isWhitespace { i += 1; continue }
                if c == "(" { out.append(.lparen); i += 1; continue }
                if c == ")" { out.append(.rparen); i += 1; continue }
                if c == "\"" {
                    i += 1
                    var text = ""
                    while i < scalars.count, scalars[i] != "\"" { text.append(scalars[i]); i += 1 }
                    i += 1  // closing quote, or past the end when unbalanced
                    var prefix = false
                    if i < scalars.count, scalars[i] == "*" { prefix = true; i += 1 }
                    out.append(.words(WordSplitter.words(text), prefix: prefix, quoted: true))
                    continue
                }
                if c == "-", i + 1 < scalars.count, !scalars[i + 1].isWhitespace {
                    out.append(.minus); i += 1; continue
                }
                var word = ""
                while i < scalars.count, !scalars[i].isWhitespace, scalars[i] != "(", scalars[i] != ")" {
                    if scalars[i] == "\"" { break }
                    word.append(scalars[i]); i += 1
                }
                if word == "OR" || word == "|" { out.append(.or); continue }
                if word == "NOT" { out.append(.not); continue }
                if word == "AND" || word == "&" { continue }
                if let colon = word.firstIndex(of: ":"), colon != word.startIndex {
                    let key = String(word[..<colon]).lowercased()
                    var value = String(word[word.index(after: colon)...])
                    if let k = Filter.Key(rawValue: key) ?? QueryParser.keyAliases[key] {
                        if value.isEmpty, i < scalars.count, scalars[i] == "\"" {
                            i += 1
                            while i < scalars.count, scalars[i] != "\"" { value.append(scalars[i]); i += 1 }
                            i += 1
                        }
                        value = value.trimmingCharacters(in: .whitespaces)
                        if k == .by, value.hasPrefix("@") { value.removeFirst() }
                        if value.isEmpty {
                            throw KnowHowError.badFilter(key: k.rawValue, reason: "give a value, e.g. \(QueryParser.example(k))")
                        }
                        out.append(.filter(k, value)); continue
                    }
                    if key.count >= 3, key.allSatisfy({ $0.isASCII && $0.isLetter }), !value.hasPrefix("//"),
                       let near = Filter.Key.allCases.first(where: { EditDistance.distance(key, $0.rawValue, limit: 1) <= 1 }) {
                        throw KnowHowError.unknownFilter(key: key, suggestion: near.rawValue)
                    }
                }
                var prefix = false
                if word.hasSuffix("*") {
                    while word.hasSuffix("*") { word.removeLast() }
                    prefix = true
                }
                if !prefix, out.last != .minus, out.last != .not, let symbol = Self.symbolWord(word), !symbolWords.contains(symbol) {
                    symbolWords.append(symbol)
                }
                out.append(.words(WordSplitter.words(word), prefix: prefix, quoted: false))
            }
            return out
        }
    }

    static func example(_ key: Filter.Key) -> String {
        switch key {
        case .type: return "type:practice"
        case .tag: return "tag:onboarding"
        case .by: return "by:@handle"
        case .status: return "status:verified"
        case .kind: return "kind:template"
        case .sector: return "sector:\"social care\""
        case .role: return "role:curator"
        }
    }

    // MARK: - Parsing

    struct Parser {
        let tokens: [Token]
        var i = 0
        var filters: [Filter] = []
        var sawExclusionOnly = false

        init(tokens: [Token]) { self.tokens = tokens }

        var peek: Token? { i < tokens.count ? tokens[i] : nil }

        /// seq := orExpr* ; stops at ')' (unless top level, where a stray ')' is skipped).
        mutating func parseSequence(topLevel: Bool) throws -> QueryNode? {
            var items: [QueryNode] = []
            while let t = peek {
                if t == .rparen {
                    if topLevel { i += 1; continue }
                    break
                }
                if t == .or { i += 1; items.append(.term("or")); continue }  // OR with no left side
                if let n = try parseOr() { items.append(n) }
            }
            if items.isEmpty { return nil }
            return items.count == 1 ? items[0] : .and(items)
        }

        mutating func parseOr() throws -> QueryNode? {
            guard var first = try parseUnary() else { return nil }
            var alts: [QueryNode] = []
            while peek == .or {
                let save = i
                i += 1
                if let next = peek, next != .rparen, next != .or, let rhs = try parseUnary() {
                    if alts.isEmpty { alts.append(first) }
                    alts.append(rhs)
                } else {
                    i = save + 1
                    // trailing OR: it was the word "or"
                    let word = QueryNode.term("or")
                    first = alts.isEmpty ? .and([first, word]) : .and([.or(alts), word])
                    alts = []
                    break
                }
            }
            return alts.isEmpty ? first : .or(alts)
        }

        mutating func parseUnary() throws -> QueryNode? {
            guard let t = peek else { return nil }
            if t == .minus || t == .not {
                i += 1
                guard let next = peek, next != .rparen, next != .or else {
                    return t == .not ? .term("not") : nil
                }
                if case .filter(let k, let v) = next {
                    i += 1
                    filters.append(Filter(k, v, negated: true))
                    return nil
                }
                guard let inner = try parsePrimary() else { return nil }
                sawExclusionOnly = true
                return .not(inner)
            }
            return try parsePrimary()
        }

        mutating func parsePrimary() throws -> QueryNode? {
            guard let t = peek else { return nil }
            i += 1
            switch t {
            case .lparen:
                let inner = try parseSequence(topLevel: false)
                if peek == .rparen { i += 1 }  // a missing ')' closes at the end
                return inner
            case .words(let ws, let prefix, let quoted):
                if ws.isEmpty { return nil }
                if ws.count == 1 && !quoted && !prefix { return .term(ws[0]) }
                if ws.count == 1 && quoted && !prefix { return .term(ws[0]) }
                if prefix, let last = ws.last, last.count < 2 {
                    throw KnowHowError.emptyQuery("a prefix search needs at least two letters before `*`, e.g. `onb*`")
                }
                if ws.count == 1 { return .prefix(ws[0]) }
                return .phrase(ws, prefix: prefix)
            case .filter(let k, let v):
                filters.append(Filter(k, v))
                return nil
            case .or, .rparen:
                return nil
            case .not: return .term("not")
            case .minus: return nil
            case .bareOperator(let w): return .term(w.lowercased())
            }
        }
    }
}
