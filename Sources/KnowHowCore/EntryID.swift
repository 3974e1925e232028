import Foundation

/// The kinds of things the store indexes.
public enum EntryType: String, Codable, CaseIterable, Sendable {
    case member, resource, practice, question, answer, meeting

    /// The one-letter prefix of short ids (`r12`); members are shown as `@handle` instead.
    public var prefix: Character? {
        switch self {
        case .member: return nil
        case .resource: return "r"
        case .practice: return "p"
        case .question: return "q"
        case .answer: return "a"
        case .meeting: return "m"
        }
    }

    public var plural: String { rawValue + "s" }

    /// Parses `resource`, `resources`, `res`… as people type them.
    public init?(word: String) {
        let w = word.lowercased()
        if let exact = EntryType(rawValue: w) { self = exact; return }
        if w.hasSuffix("s"), let t = EntryType(rawValue: String(w.dropLast())) { self = t; return }
        let matches = EntryType.allCases.filter { $0.rawValue.hasPrefix(w) && w.count >= 3 }
        if matches.count == 1 { self = matches[0]; return }
        return nil
    }
}

/// A short id such as `r12`, `p3`, `q7`, `a40`.
public struct EntryID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var type: EntryType
    public var number: Int64

    public init(_ type: EntryType, _ number: Int64) {
        self.type = type; self.number = number
    }

    /// The largest entry number. The index key holds an entry's number shifted by three bits
    /// (see the store's EntryKey), and JSON readers keep integers exact only below 2^53: fifteen
    /// digits fit both with room to spare.
    public static let maxNumber: Int64 = 999_999_999_999_999

    /// Parses `r12` (case-insensitive); nil when the text is not a short id.
    public init?(_ text: String) {
        guard let id = try? Self.parse(text) else { return nil }
        self = id
    }

    /// Parses `r12`; nil when the text is not a short id (`r0` is not one either), an error when
    /// its number is too large to be one (`r99999999999999999999`), so no such id reaches a store.
    public static func parse(_ text: String) throws -> EntryID? {
        let t = text.lowercased()
        guard let first = t.first, t.count >= 2,
              let type = EntryType.allCases.first(where: { $0.prefix == first }) else { return nil }
        let digits = t.unicodeScalars.dropFirst()
        guard digits.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        guard let n = Int64(String(digits)), n <= maxNumber else { throw rangeError(text) }
        return n > 0 ? EntryID(type, n) : nil
    }

    static func rangeError(_ text: String) -> KnowHowError {
        .invalidValue(field: "id", value: text, expected: "a letter and a number from 1 to \(maxNumber), such as r12")
    }

    public var description: String { "\(type.prefix.map(String.init) ?? "@")\(number)" }

    public static func < (lhs: EntryID, rhs: EntryID) -> Bool {
        (lhs.type.rawValue, lhs.number) < (rhs.type.rawValue, rhs.number)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let id: EntryID?
        do { id = try Self.parse(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "'\(text)' is out of range: an id's number goes from 1 to \(Self.maxNumber)"))
        }
        guard let id else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "'\(text)' is not an id such as r12 or p3"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension EntryType {
    /// The low three bits of an entry's index key (`number << 3 | keyCode`): the same in every store,
    /// so keys mean the same thing in SQLite and PostgreSQL.
    public var keyCode: Int {
        switch self {
        case .member: return 1
        case .resource: return 2
        case .practice: return 3
        case .question: return 4
        case .answer: return 5
        // 6 marks tags in the history's entry keys (`change_entry`).
        case .meeting: return 7
        }
    }

    /// The types a `type:` filter names; a word that is not one is the filter's error.
    public static func filterValues(_ values: [String]) throws -> [EntryType] {
        try values.map { v in
            guard let t = EntryType(word: v) else {
                throw KnowHowError.badFilter(key: "type", reason: "'\(v)' is not a type; use member, resource, practice, question, answer or meeting")
            }
            return t
        }
    }
}
