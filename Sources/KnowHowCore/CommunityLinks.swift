import Foundation

// What a community knows beyond its entries, kept in the community file so that an export is a
// whole backup: who vouched for whom, which practice replaced a retired one, where merged-away ids
// and handles point now, and which pairs a curator said are not duplicates. Each section is left
// out of the file when empty, so files from before it existed keep their bytes.

/// A member's endorsement of another member for a tag.
public struct Endorsement: Codable, Hashable, Sendable {
    /// The member endorsed (a handle, without `@`).
    public var member: String
    public var tag: String
    /// The member who endorsed (a handle).
    public var by: String
    public var at: Timestamp

    public init(member: String, tag: String, by: String, at: Timestamp) {
        self.member = member; self.tag = tag; self.by = by; self.at = at
    }
}

/// A retired practice and the practice that replaced it.
public struct Succession: Codable, Hashable, Sendable {
    public var practice: EntryID
    public var supersededBy: EntryID

    public init(practice: EntryID, supersededBy: EntryID) {
        self.practice = practice; self.supersededBy = supersededBy
    }
}

/// An id or handle merged away (`r15`, `@kimlee`) and the one it points to now.
public struct Redirect: Codable, Hashable, Sendable {
    public var from: String
    public var to: String

    public init(from: String, to: String) { self.from = from; self.to = to }
}

/// Two entries or members a curator marked as not duplicates, in a fixed order (`a` < `b`).
public struct NotDuplicatePair: Codable, Hashable, Sendable {
    public var a: String
    public var b: String

    public init(_ x: EntryRef, _ y: EntryRef) {
        (a, b) = DuplicateFinder.pairKey(x, y)
    }

    /// As written in a file (an import puts the two in order).
    public init(a: String, b: String) { self.a = a; self.b = b }
}

extension Endorsement: CommunityRecord {
    public static var section: String { "endorsements" }
    public static var inFile: KeyPath<CommunityFile, [Endorsement]> { \.endorsements }
}
extension Succession: CommunityRecord {
    public static var section: String { "successions" }
    public static var inFile: KeyPath<CommunityFile, [Succession]> { \.successions }
}
extension Redirect: CommunityRecord {
    public static var section: String { "redirects" }
    public static var inFile: KeyPath<CommunityFile, [Redirect]> { \.redirects }
}
extension NotDuplicatePair: CommunityRecord {
    public static var section: String { "notDuplicates" }
    public static var inFile: KeyPath<CommunityFile, [NotDuplicatePair]> { \.notDuplicates }
}

/// The checks an import makes of these records before a store looks them up, the same for every store.
public enum CommunityLinkRules {
    /// The two references of a redirect: an id to an id of the same type, or a handle to a handle.
    public static func redirect(_ r: Redirect) throws -> (from: EntryRef, to: EntryRef) {
        guard let from = EntryRef(r.from) else {
            throw KnowHowError.invalidValue(field: "from", value: r.from, expected: "an id such as r12 or a handle such as @kim")
        }
        guard let to = EntryRef(r.to) else {
            throw KnowHowError.invalidValue(field: "to", value: r.to, expected: "an id such as r12 or a handle such as @kim")
        }
        guard from.type == to.type, from != to, from.type != .answer else {
            throw KnowHowError.conflict("a redirect goes from an id or handle to another of the same kind, not from \(from) to \(to)")
        }
        return (from, to)
    }

    /// The two references of a not-duplicates pair.
    public static func pair(_ p: NotDuplicatePair) throws -> (EntryRef, EntryRef) {
        guard let a = EntryRef(p.a) else {
            throw KnowHowError.invalidValue(field: "a", value: p.a, expected: "an id such as r12 or a handle such as @kim")
        }
        guard let b = EntryRef(p.b) else {
            throw KnowHowError.invalidValue(field: "b", value: p.b, expected: "an id such as r12 or a handle such as @kim")
        }
        guard a.type == b.type, a != b else {
            throw KnowHowError.conflict("\(a) and \(b) are not two things of one kind, so they cannot be marked not duplicates")
        }
        return (a, b)
    }

    public static func succession(_ s: Succession) throws {
        guard s.practice.type == .practice, s.supersededBy.type == .practice else {
            throw KnowHowError.invalidValue(field: "successions", value: "\(s.practice) → \(s.supersededBy)", expected: "two practice ids such as p3 and p7")
        }
        guard s.practice != s.supersededBy else { throw KnowHowError.conflict("a practice cannot supersede itself") }
    }

    public static func endorsement(_ e: Endorsement) throws -> (member: String, by: String, tag: String) {
        let m = try Validation.handle(e.member), by = try Validation.handle(e.by)
        guard m != by else { throw KnowHowError.conflict("@\(m) cannot endorse themselves") }
        return (m, by, try Validation.tag(e.tag))
    }
}
