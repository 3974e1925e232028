import Foundation

/// Likely duplicate pairs for a curator to review, from what a store reads: resources at the same
/// address, resources and practices with near-identical titles (or similar titles on a shared
/// tag), members with the same email or name. The rules are here, once; a store reads the rows
/// and finds the full-text candidates (`closest`).
public enum DuplicateFinder {
    /// A resource or practice: its number and title.
    public struct Titled: Sendable {
        public var number: Int64
        public var title: String
        public init(number: Int64, title: String) { self.number = number; self.title = title }
    }

    /// A member as duplicates compare them.
    public struct Person: Sendable {
        public var id: Int64
        public var handle: String
        public var name: String
        public var email: String?
        /// Imported from an outside account (a Stack Exchange user).
        public var imported: Bool
        public init(id: Int64, handle: String, name: String, email: String?, imported: Bool) {
            self.id = id; self.handle = handle; self.name = name; self.email = email; self.imported = imported
        }
    }

    /// What the store read.
    public struct Facts {
        /// Pairs a curator marked not duplicates, each as `not_duplicate` keeps them (a < b).
        public var notDuplicates: [(String, String)]
        /// Resources with an address, by number: number, title, address.
        public var addresses: [(number: Int64, title: String, url: String)]
        /// Resources and practices by number.
        public var titled: [EntryType: [Titled]]
        /// Members by id.
        public var people: [Person]
        public init(notDuplicates: [(String, String)], addresses: [(number: Int64, title: String, url: String)],
                    titled: [EntryType: [Titled]], people: [Person]) {
            self.notDuplicates = notDuplicates; self.addresses = addresses; self.titled = titled; self.people = people
        }
    }

    /// A pair's two references in a fixed order, as `not_duplicate` keeps them.
    public static func pairKey(_ a: EntryRef, _ b: EntryRef) -> (String, String) {
        a.description < b.description ? (a.description, b.description) : (b.description, a.description)
    }

    /// The entry keys of a pair to mark not duplicates: two things of the same kind, each
    /// existing itself (`ownKey` reads its key, refusing one merged away or unknown).
    public static func notDuplicatesKeys(_ a: EntryRef, _ b: EntryRef, ownKey: (EntryRef) throws -> Int64) throws -> [Int64] {
        guard a.type == b.type else {
            throw KnowHowError.unsupported("\(a) and \(b) are not the same kind of thing, so they are never listed as duplicates")
        }
        guard a != b else { throw KnowHowError.conflict("\(a) is one entry; name two to mark as not duplicates") }
        return [try ownKey(a), try ownKey(b)]
    }

    /// The refusal of a pair already marked (its references as `pairKey` orders them).
    public static func alreadyNotDuplicates(_ x: String, _ y: String) -> KnowHowError {
        .conflict("\(x) and \(y) are already marked not duplicates; nothing was changed")
    }

    /// The history line of marking a pair.
    public static func notDuplicatesNote(_ x: String, _ y: String) -> String { "marked \(x) and \(y) not duplicates" }

    /// The pairs, strongest first; among equals, in the order found (by kind, then number).
    /// `closest` gives, for an entry, the numbers of the few entries of its type sharing one of
    /// its tags that full-text search ranks closest to its title's significant `words` (any of them).
    public static func pairs(_ facts: Facts, limit: Int,
                             closest: (_ type: EntryType, _ number: Int64, _ words: [String]) throws -> [Int64]) throws -> [DuplicatePair] {
        var pairs: [DuplicatePair] = []
        var seen = Set<String>()
        for (a, b) in facts.notDuplicates { seen.insert(a + " " + b) }
        // The older one (the lower number) is the one to keep.
        func add(_ a: (EntryRef, String, Int64), _ b: (EntryRef, String, Int64), _ why: String, _ strength: Double = 1) {
            let (keep, drop) = a.2 < b.2 ? (a, b) : (b, a)
            let (x, y) = pairKey(keep.0, drop.0)
            guard keep.0 != drop.0, seen.insert(x + " " + y).inserted else { return }
            pairs.append(DuplicatePair(keep: keep.0, drop: drop.0, keepTitle: keep.1, dropTitle: drop.1, why: why, strength: strength))
        }
        // Same address.
        var byURL: [String: [(EntryRef, String, Int64)]] = [:]
        for r in facts.addresses {
            byURL[Similarity.urlKey(r.url), default: []].append((.entry(EntryID(.resource, r.number)), r.title, r.number))
        }
        for (_, group) in byURL.sorted(by: { $0.key < $1.key }) where group.count > 1 {
            for other in group.dropFirst() { add(group[0], other, Similarity.sameAddress) }
        }
        // Near-identical titles: compare neighbours in two orders (as typed, and by sorted words).
        for type in [EntryType.resource, .practice] {
            let items = (facts.titled[type] ?? []).map { (ref: EntryRef.entry(EntryID(type, $0.number)), title: $0.title, n: $0.number) }
            let orders: [[Int]] = [
                items.indices.sorted { Similarity.titleKey(items[$0].title) < Similarity.titleKey(items[$1].title) },
                items.indices.sorted { Similarity.words(items[$0].title).sorted().joined(separator: " ") < Similarity.words(items[$1].title).sorted().joined(separator: " ") },
            ]
            for order in orders {
                for (p, i) in order.enumerated() {
                    for j in order[(p + 1)..<min(order.count, p + 4)] {
                        let s = Similarity.titleScore(items[i].title, items[j].title)
                        if s >= Similarity.nearIdenticalTitle {
                            add((items[i].ref, items[i].title, items[i].n), (items[j].ref, items[j].title, items[j].n),
                                Similarity.nearIdenticalTitles(s), s)
                        }
                    }
                }
            }
            // Similar titles on the same topic: the closest few by full-text search, sharing a tag.
            let byNumber = Dictionary(items.map { ($0.n, $0) }, uniquingKeysWith: { a, _ in a })
            for item in items {
                let words = Array(Set(Similarity.words(item.title))).sorted()
                guard !words.isEmpty else { continue }
                // By number, not by each store's ranking, so that pairs of equal strength come in one order.
                for c in try closest(type, item.n, words).sorted() {
                    guard let other = byNumber[c] else { continue }
                    let s = Similarity.titleScore(item.title, other.title)
                    if s >= Similarity.similarTitle {
                        add((item.ref, item.title, item.n), (other.ref, other.title, other.n), Similarity.similarTitlesSameTags(s), s * 0.9)
                    }
                }
            }
        }
        // Members: same email, or the same name however written.
        var byEmail: [String: [(EntryRef, String, Int64)]] = [:], byName: [String: [(EntryRef, String, Int64)]] = [:]
        // Members imported from distinct outside accounts (two Stack Exchange users both called
        // Aaron) are most likely different people: the same name is weak evidence for them.
        var imported = Set<Int64>()
        for m in facts.people {
            let entry = (EntryRef.member(m.handle), m.name, m.id)
            if m.imported { imported.insert(m.id) }
            if let e = m.email, !e.isEmpty { byEmail[e.lowercased(), default: []].append(entry) }
            byName[Similarity.nameKey(m.name), default: []].append(entry)
            let handleKey = Similarity.nameKey(m.handle)
            if handleKey != Similarity.nameKey(m.name) { byName[handleKey, default: []].append(entry) }
        }
        for (_, group) in byEmail.sorted(by: { $0.key < $1.key }) where group.count > 1 {
            for other in group.dropFirst() { add(group[0], other, Similarity.sameEmail) }
        }
        for (key, group) in byName.sorted(by: { $0.key < $1.key }) where group.count > 1 && key.count >= 4 {
            for other in group.dropFirst() where other.0 != group[0].0 {
                add(group[0], other, Similarity.sameName, imported.contains(group[0].2) && imported.contains(other.2) ? 0.3 : 0.95)
            }
        }
        let ranked = pairs.enumerated().sorted { ($0.element.strength, $1.offset) > ($1.element.strength, $0.offset) }.map(\.element)
        return Array(ranked.prefix(limit))
    }
}
