import Foundation

/// What a search hit points at: a member (`@kim`) or an entry (`r12`).
public enum EntryRef: Hashable, Sendable, CustomStringConvertible, Codable {
    case member(String)
    case entry(EntryID)

    public var description: String {
        switch self {
        case .member(let h): return "@" + h
        case .entry(let id): return id.description
        }
    }

    public var type: EntryType {
        switch self {
        case .member: return .member
        case .entry(let id): return id.type
        }
    }

    /// `@kim` or `r12`; nil for anything else (which may be a tag).
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("@") {
            guard let h = try? Validation.handle(t) else { return nil }
            self = .member(h)
        } else if let id = EntryID(t) {
            self = .entry(id)
        } else {
            return nil
        }
    }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let r = EntryRef(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad reference \(s)"))
        }
        self = r
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(description)
    }
}

/// Marks matched words inside snippets and titles with two control characters, so that each
/// renderer (terminal colours, plain text, JSON) decides how to show them.
public enum Highlight {
    public static let open: Character = "\u{02}"
    public static let close: Character = "\u{03}"

    // The marks are control characters, each always a character of its own (text never joins
    // onto one) and a single byte of UTF-8: the text is cut at those bytes, not walked character
    // by character, which was a sixth of a search's time spent making its view (10 hits).
    static let openByte: UInt8 = 0x02, closeByte: UInt8 = 0x03

    /// Text without marks.
    public static func plain(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == openByte || $0 == closeByte }) else { return s }
        return String(decoding: s.utf8.filter { $0 != openByte && $0 != closeByte }, as: UTF8.self)
    }

    /// The text cut into (piece, isMatch) runs.
    public static func segments(_ s: String) -> [(text: String, match: Bool)] {
        var out: [(String, Bool)] = []
        let bytes = s.utf8
        var start = bytes.startIndex, inMatch = false
        var i = start
        while i != bytes.endIndex {
            let b = bytes[i]
            if b == openByte || b == closeByte {
                if start != i { out.append((String(decoding: bytes[start..<i], as: UTF8.self), inMatch)) }
                inMatch = b == openByte
                start = bytes.index(after: i)
            }
            i = bytes.index(after: i)
        }
        if start != bytes.endIndex { out.append((String(decoding: bytes[start...], as: UTF8.self), inMatch)) }
        return out
    }
}

/// One row of a search or a listing.
public struct SearchHit: Equatable, Sendable {
    public var ref: EntryRef
    /// Title with matched words marked (see `Highlight`).
    public var title: String
    /// A short extract with matched words marked; empty for listings.
    public var snippet: String
    public var tags: [String]
    /// Lower is better for FTS ranks; listings use 0.
    public var score: Double
    /// A short label after the title: a resource's kind, a practice's status, a member's organisation.
    public var detail: String?
    public var status: String?
    /// How many of the searched words (or phrases) the entry holds, where the store counts them
    /// (natural-language searches); nil elsewhere.
    public var matchedWords: Int?
    /// For an answer, its question, where the store reads it with the hit (`closest` shows an
    /// answer as its question without reading either again); nil elsewhere.
    public var question: Question?

    public struct Question: Equatable, Sendable {
        public var id: EntryID
        public var title: String
        /// Whether the question has an accepted answer.
        public var answered: Bool
        public init(id: EntryID, title: String, answered: Bool) { self.id = id; self.title = title; self.answered = answered }
    }

    public init(ref: EntryRef, title: String, snippet: String = "", tags: [String] = [],
                score: Double = 0, detail: String? = nil, status: String? = nil) {
        self.ref = ref; self.title = title; self.snippet = snippet; self.tags = tags
        self.score = score; self.detail = detail; self.status = status
    }
}

/// A search's pool (`KnowledgeReading.searchPool`): its ranked entries, and the searched words
/// that no entry holds, where the store learnt that while pooling (an any-word search walking each
/// word's matches counts them); a store may name none. A word named is in no entry for sure, so a
/// search needing every word finds nothing (`find` need not run it).
public struct SearchPool: Equatable, Sendable {
    public var hits: [PoolHit]
    /// Searched words (as given in the query) in no entry; never a word some entry holds.
    public var absentWords: [String]

    public init(hits: [PoolHit], absentWords: [String] = []) {
        self.hits = hits; self.absentWords = absentWords
    }
}

/// One entry of a search's pool (`KnowledgeReading.searchPool`): its rank and what re-ranking
/// needs, without the text shown for it unless the store built that anyway (`hit`).
public struct PoolHit: Equatable, Sendable {
    public var ref: EntryRef
    /// As `SearchHit.score`: lower is better.
    public var score: Double
    /// As `SearchHit.matchedWords`.
    public var matchedWords: Int?
    /// For an answer, its question, where the store read it.
    public var question: EntryID?
    /// A question with an accepted answer, or an answer whose question has one.
    public var answered: Bool
    /// The full hit, where the store built it with the pool.
    public var hit: SearchHit?

    public init(ref: EntryRef, score: Double, matchedWords: Int?, question: EntryID?, answered: Bool) {
        self.ref = ref; self.score = score; self.matchedWords = matchedWords; self.question = question; self.answered = answered
    }

    /// A pool entry carrying its full hit.
    public init(_ hit: SearchHit) {
        self.init(ref: hit.ref, score: hit.score, matchedWords: hit.matchedWords, question: hit.question?.id,
                  answered: hit.question?.answered ?? (hit.status == "answered"))
        self.hit = hit
    }
}

/// Why a search found nothing, in the words every store uses (`SearchResults.notes`).
public enum EmptyNote: Equatable, Sendable, CustomStringConvertible {
    /// `tag:x` names no tag; `nearest` is a tag one edit away.
    case unknownTag(String, nearest: String?)
    /// None of several `tag:` values exists.
    case noneOfTheTags
    /// `sector:` matches no member; `sectors` are those there are.
    case unknownSector([String], sectors: [String])
    /// The words match, but this filter left nothing.
    case filterLeftNothing(Filter)
    /// The words match, but the filters together left nothing.
    case filtersLeftNothing

    public var description: String {
        switch self {
        case .unknownTag(let name, let near):
            return "no tag '\(name)'" + (near.map { "; did you mean tag:\($0)?" } ?? "; try `list tags`")
        case .noneOfTheTags:
            return "none of those tags exist; try `list tags`"
        case .unknownSector(let values, let sectors):
            return "no member is in a sector like '\(values.joined(separator: "' or '"))'"
                + (sectors.isEmpty ? "" : "; sectors are: " + sectors.joined(separator: ", "))
        case .filterLeftNothing(let f):
            return "`\(f)` left nothing: the words match entries without it"
        case .filtersLeftNothing:
            return "the filters together left nothing: the words match entries without them"
        }
    }
}

/// Hits, plus help for when there are none.
public struct SearchResults: Equatable, Sendable {
    public var hits: [SearchHit]
    /// True when more hits exist beyond the limit.
    public var more: Bool
    /// Real words from the community's vocabulary close to the words that matched nothing.
    public var suggestions: [String]
    /// Sentences saying why the list is empty (which filter emptied it, unknown tags…).
    public var notes: [String]

    public init(hits: [SearchHit], more: Bool = false, suggestions: [String] = [], notes: [String] = []) {
        self.hits = hits; self.more = more; self.suggestions = suggestions; self.notes = notes
    }
}

/// What an import did.
public struct ImportSummary: Equatable, Sendable, CustomStringConvertible {
    public var added: [EntryType: Int] = [:]
    public var tagsAdded = 0
    /// Meeting series added.
    public var seriesAdded = 0
    public var skipped = 0
    /// Who an import into a new store made its first member and curator.
    public var founder: String?
    /// Records imported under a new id because theirs was taken (`import --renumber`), in file order.
    public var renumbered: [Renumbering] = []
    /// Endorsements, successions, redirects and not-duplicate marks added, by the file section they came from.
    public var linksAdded: [String: Int] = [:]
    /// People a calendar named (emails, or names) who are not members, left out of its meetings.
    public var peopleLeftOut: [String] = []

    /// The links of a community file, in the order a summary names them, singular and plural.
    static let linkWords: [(section: String, one: String, many: String)] = [
        ("endorsements", "endorsement", "endorsements"), ("successions", "succession", "successions"),
        ("redirects", "redirect", "redirects"), ("notDuplicates", "not-duplicate mark", "not-duplicate marks"),
    ]

    /// A record of the file (`resources[3]`) and the id it had there and has now.
    public struct Renumbering: Equatable, Sendable {
        public var record: String, from: EntryID, to: EntryID
        public init(record: String, from: EntryID, to: EntryID) { self.record = record; self.from = from; self.to = to }
    }

    public init() {}

    public var total: Int { added.values.reduce(0, +) + tagsAdded + seriesAdded + linksAdded.values.reduce(0, +) }

    /// How many renumberings the note spells out; the rest are counted.
    public static let renumberingsShown = 20

    public var description: String {
        var parts: [String] = []
        for t in EntryType.allCases { if let n = added[t], n > 0 { parts.append("\(Validation.grouped(n)) \(n == 1 ? t.rawValue : t.plural)") } }
        if tagsAdded > 0 { parts.append("\(Validation.grouped(tagsAdded)) \(tagsAdded == 1 ? "tag" : "tags")") }
        if seriesAdded > 0 { parts.append("\(seriesAdded) meeting \(seriesAdded == 1 ? "series" : "series")") }
        for w in Self.linkWords { if let n = linksAdded[w.section], n > 0 { parts.append("\(Validation.grouped(n)) \(n == 1 ? w.one : w.many)") } }
        var s = parts.isEmpty ? "nothing new to import" : "imported " + parts.joined(separator: ", ")
        if skipped > 0 { s += " (\(Validation.grouped(skipped)) already present)" }
        if let founder { s += "; @\(founder) is the new store's first member and its curator" }
        if !renumbered.isEmpty {
            let n = renumbered.count
            s += "\nrenumbered \(n) \(n == 1 ? "record whose id was" : "records whose ids were") taken: "
                + renumbered.prefix(Self.renumberingsShown).map { "\($0.record) \($0.from) → \($0.to)" }.joined(separator: ", ")
                + (n > Self.renumberingsShown ? ", and \(n - Self.renumberingsShown) more" : "")
        }
        if !peopleLeftOut.isEmpty {
            let n = peopleLeftOut.count
            s += "\nleft out \(n) \(n == 1 ? "person who is not a member" : "people who are not members"): "
                + peopleLeftOut.prefix(Self.renumberingsShown).joined(separator: ", ")
                + (n > Self.renumberingsShown ? ", and \(n - Self.renumberingsShown) more" : "")
                + "; to count them, add each with `add member` (with their email), then `meeting attended mN @handle`"
        }
        return s
    }
}

/// Counts shown at startup and by `stats`.
public struct StoreCounts: Equatable, Sendable {
    public var members = 0, resources = 0, practices = 0, questions = 0, answers = 0, tags = 0
    public init() {}
    public var entries: Int { resources + practices + questions + answers }
}

/// A tag with what uses it.
public struct TagDetail: Equatable, Sendable {
    public var tag: Tag
    public var entryCount: Int
    public var memberCount: Int
    public init(tag: Tag, entryCount: Int, memberCount: Int) {
        self.tag = tag; self.entryCount = entryCount; self.memberCount = memberCount
    }
}
