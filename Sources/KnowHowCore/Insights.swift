import Foundation

// Community insights: the search log, and the pure computations behind `stats`, `gaps`, `topics`,
// `match` and `graph`. The store supplies facts (members, dated activity, logged searches); these
// turn them into numbers, so that every figure can be tested without a database.

// MARK: - The search log

/// What kind of look-up a logged search was.
public enum SearchKind: String, Codable, CaseIterable, Sendable, FileChoice {
    case find, who, ask

    public static let noun = "kind of search"
    public init(from decoder: Decoder) throws { self = try Self.choice(decoder) }
}

/// Whether searches are logged, and whether with the member who searched: a store setting that
/// curators change (`config logging on|off|anonymous`).
public enum SearchLogging: String, CaseIterable, Sendable {
    case on, off, anonymous

    /// The store setting's key.
    public static let settingKey = "logging"

    public var explanation: String {
        switch self {
        case .on: return "searches are logged with who searched"
        case .off: return "searches are not logged"
        case .anonymous: return "searches are logged without who searched"
        }
    }

    /// A query that matches entries holding every significant word of a search, and only
    /// resources, practices and answers: what "found something that answers it" means. Nil when
    /// the text has no such word.
    public static func allWordsQuery(_ text: String) -> Query? {
        guard let parsed = try? QueryParser.parse(text), let node = parsed.text else { return nil }
        var seen = Set<String>()
        let words = node.positiveWords.filter { !ExpertRanker.stopWords.contains($0.lowercased()) && seen.insert($0.lowercased()).inserted }
        guard !words.isEmpty else { return nil }
        return Query(text: words.count == 1 ? .term(words[0]) : .and(words.map(QueryNode.term)),
                     filters: [Filter(.type, "member", negated: true), Filter(.type, "question", negated: true),
                               Filter(.type, "meeting", negated: true)])
    }
}

/// One logged `find`, `who` or `ask`: the raw material of `gaps` and of the searches in `stats`.
public struct SearchLogEntry: Codable, Hashable, Sendable {
    public var at: Timestamp
    public var kind: SearchKind
    /// The words as typed (filters included).
    public var query: String
    /// How many results were shown.
    public var results: Int
    /// Something was found, but no resource, practice or answer holds every word.
    public var weak: Bool
    /// Who searched; nil when logged anonymously or nobody was identified.
    public var member: String?

    public init(at: Timestamp, kind: SearchKind, query: String, results: Int, weak: Bool = false, member: String? = nil) {
        self.at = at; self.kind = kind; self.query = query; self.results = results; self.weak = weak; self.member = member
    }

    /// Found nothing, or nothing that answers it.
    public var unmet: Bool { results == 0 || weak }

    /// The longest query text a store's log keeps.
    public static let maxQueryLength = 500

    enum CodingKeys: String, CodingKey { case at, kind, query, results, weak, member }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(at: try c.decode(Timestamp.self, forKey: .at), kind: try c.decode(SearchKind.self, forKey: .kind),
                  query: try c.decode(String.self, forKey: .query), results: try c.decode(WholeNumber.self, forKey: .results).value,
                  weak: try c.decodeIfPresent(Bool.self, forKey: .weak) ?? false,
                  member: try c.decodeIfPresent(String.self, forKey: .member))
    }

    // `weak` is left out when false, as community files leave out what has a default.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(at, forKey: .at)
        try c.encode(kind, forKey: .kind)
        try c.encode(query, forKey: .query)
        try c.encode(results, forKey: .results)
        if weak { try c.encode(weak, forKey: .weak) }
        try c.encodeIfPresent(member, forKey: .member)
    }
}

// MARK: - Activity and periods

/// Something a member (or, for anonymous searches and imported entries, nobody known) did, and when.
public struct Activity: Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// Joined the community.
        case joined
        /// Added a resource or practice (one per entry; `member` is nil when nobody is named).
        case contributed
        /// Is named as an author of someone else's resource.
        case authored
        case asked, answered, verified, endorsed, searched

        /// Creators add entries; contributors take part around them; the rest read.
        public var participation: ParticipationClass? {
            switch self {
            case .contributed, .authored: return .creator
            case .asked, .answered, .verified, .endorsed: return .contributor
            case .searched: return .reader
            case .joined: return nil
            }
        }
    }

    public var kind: Kind
    public var member: String?
    public var at: Timestamp
    /// The entry made or touched, when there is one.
    public var entry: EntryID?
    /// The entry's tags (an answer's are its question's; an endorsement's is its skill).
    public var tags: [String]

    public init(_ kind: Kind, member: String?, at: Timestamp, entry: EntryID? = nil, tags: [String] = []) {
        self.kind = kind; self.member = member; self.at = at; self.entry = entry; self.tags = tags
    }
}

/// A span of time, both ends included, and the equal span just before it.
public struct Period: Equatable, Sendable, CustomStringConvertible {
    public var start: Timestamp
    public var end: Timestamp

    public init(start: Timestamp, end: Timestamp) { self.start = start; self.end = end }

    public func contains(_ t: Timestamp) -> Bool { t >= start && t <= end }

    /// The span of the same length that ends just before this one starts.
    public var previous: Period {
        let length = end.seconds - start.seconds
        return Period(start: Timestamp(seconds: start.seconds - length - 1), end: Timestamp(seconds: start.seconds - 1))
    }

    /// Days of a period as people read them: `2025-11-25 – 2026-11-25`.
    public var description: String { "\(start.day) – \(end.day)" }

    /// `--since` and `--until` as typed: a day (`2026-03-01`), a time, or an age before the end
    /// (`90d`, `8w`, `6m`, `1y`). An end given as a day includes that whole day. Without
    /// `--since` the period is the year before the end.
    public static func parse(since: String?, until: String?, now: Timestamp) throws -> Period {
        var end = now
        if let u = until?.trimmingCharacters(in: .whitespaces), !u.isEmpty {
            guard let t = Timestamp(u) else {
                throw KnowHowError.invalidValue(field: "--until", value: u, expected: "a day such as 2026-06-30 or a time such as 2026-06-30T17:00:00Z")
            }
            end = u.count == 10 ? Timestamp(seconds: t.seconds + 86_399) : t
        }
        var start = Self.monthsBefore(end, 12)
        if let s = since?.trimmingCharacters(in: .whitespaces), !s.isEmpty {
            if let t = Timestamp(s) {
                start = t
            } else if let age = Self.age(s, before: end) {
                start = age
            } else {
                throw KnowHowError.invalidValue(field: "--since", value: s, expected: "a day such as 2026-01-01, or an age such as 90d, 8w, 6m or 1y")
            }
        }
        guard start < end else {
            throw KnowHowError.invalidValue(field: "--since", value: since ?? start.day.description, expected: "a time before --until (\(end.day))")
        }
        return Period(start: start, end: end)
    }

    static func age(_ text: String, before end: Timestamp) -> Timestamp? {
        guard let unit = text.last, let n = Int(text.dropLast()), n > 0, n <= 1200 else { return nil }
        switch unit {
        case "d": return Timestamp(seconds: end.seconds - Int64(n) * 86_400)
        case "w": return Timestamp(seconds: end.seconds - Int64(n) * 7 * 86_400)
        case "m": return monthsBefore(end, n)
        case "y": return monthsBefore(end, 12 * n)
        default: return nil
        }
    }

    /// The same time of day and day of the month, `n` months earlier (the last day when shorter).
    static func monthsBefore(_ t: Timestamp, _ n: Int) -> Timestamp {
        let d = t.day
        let m0 = d.year * 12 + (d.month - 1) - n
        let y = m0 / 12, m = m0 % 12 + 1
        let day = min(d.day, Day.daysIn(month: m, year: y))
        let secondsOfDay = t.seconds - Int64(Timestamp.daysFromCivil(d.year, d.month, d.day)) * 86_400
        return Timestamp(seconds: Int64(Timestamp.daysFromCivil(y, m, day)) * 86_400 + secondsOfDay)
    }
}

/// A calendar month, `2026-03`.
public struct Month: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int, month: Int

    public init(year: Int, month: Int) { self.year = year; self.month = month }
    public init(_ t: Timestamp) { let d = t.day; year = d.year; month = d.month }

    var index: Int { year * 12 + month - 1 }
    init(index: Int) { year = index / 12; month = index % 12 + 1 }

    public func adding(_ months: Int) -> Month { Month(index: index + months) }
    public static func - (l: Month, r: Month) -> Int { l.index - r.index }
    public static func < (l: Month, r: Month) -> Bool { l.index < r.index }
    public var description: String { String(format: "%04d-%02d", year, month) }
}

// MARK: - Stats

/// What a timeline counts, one row each.
public enum TimelineSeries: String, CaseIterable, Sendable {
    case joined, entries, questions, answers, searches

    var kind: Activity.Kind {
        switch self {
        case .joined: return .joined
        case .entries: return .contributed
        case .questions: return .asked
        case .answers: return .answered
        case .searches: return .searched
        }
    }
}

/// Counts per bucket of months, for sparklines.
public struct Timeline: Equatable, Sendable {
    /// The first month of each bucket.
    public var buckets: [Month]
    /// Months per bucket: 1, or more when the span is too long for one column a month.
    public var monthsPerBucket: Int
    public var counts: [TimelineSeries: [Int]]

    /// Counts from `from` through `through`, in at most `maxColumns` buckets.
    public static func make(_ activity: [Activity], from: Month, through: Month, maxColumns: Int = 60) -> Timeline {
        let months = max(1, through - from + 1)
        let per = (months + maxColumns - 1) / maxColumns
        let n = (months + per - 1) / per
        var counts: [TimelineSeries: [Int]] = [:]
        for s in TimelineSeries.allCases { counts[s] = Array(repeating: 0, count: n) }
        for a in activity {
            guard let s = TimelineSeries.allCases.first(where: { $0.kind == a.kind }) else { continue }
            let i = (Month(a.at) - from) / per
            if Month(a.at) >= from, i < n { counts[s]![i] += 1 }
        }
        return Timeline(buckets: (0..<n).map { from.adding($0 * per) }, monthsPerBucket: per, counts: counts)
    }
}

/// Creators, contributors and readers: the 1 / 9 / 90 pattern communities know.
public enum ParticipationClass: String, Codable, CaseIterable, Sendable {
    case creator, contributor, reader
}

/// Members by what they did in a period; each member is in exactly one class, the highest reached.
public struct Participation: Equatable, Sendable {
    /// Members who belonged to the community by the end of the period.
    public var members: Int
    /// Added resources or practices.
    public var creators: [String]
    /// Asked, answered, verified or endorsed, but added nothing.
    public var contributors: [String]
    /// Readers who searched.
    public var searchers: [String]
    /// Readers with no recorded activity.
    public var silent: [String]

    public var readers: Int { searchers.count + silent.count }

    /// A share of the members, in percent, one decimal.
    public func percent(_ n: Int) -> Double {
        members == 0 ? 0 : (Double(n) * 1000 / Double(members)).rounded() / 10
    }

    public static func measure(members: [Member], activity: [Activity], in period: Period) -> Participation {
        let belonging = members.filter { m in m.joined.map { $0 <= period.end.day } ?? true }.map(\.handle)
        var best: [String: ParticipationClass] = [:]
        for a in activity where period.contains(a.at) {
            guard let h = a.member, let c = a.kind.participation else { continue }
            if let b = best[h], Self.rank(b) >= Self.rank(c) { continue }
            best[h] = c
        }
        var p = Participation(members: belonging.count, creators: [], contributors: [], searchers: [], silent: [])
        for h in belonging.sorted() {
            switch best[h] {
            case .creator?: p.creators.append(h)
            case .contributor?: p.contributors.append(h)
            case .reader?: p.searchers.append(h)
            case nil: p.silent.append(h)
            }
        }
        return p
    }

    static func rank(_ c: ParticipationClass) -> Int {
        switch c {
        case .creator: return 3
        case .contributor: return 2
        case .reader: return 1
        }
    }
}

/// One member's part in a period.
public struct ContributorTally: Equatable, Sendable {
    public var handle: String
    public var created = 0, answered = 0, asked = 0, verified = 0, endorsed = 0

    public init(handle: String) { self.handle = handle }

    /// Entries count most, then answers; asking, verifying and endorsing count once each.
    public var score: Int { 3 * created + 2 * answered + asked + verified + endorsed }

    /// Everyone who created or contributed in the period, highest score first.
    public static func top(_ activity: [Activity], in period: Period, limit: Int) -> [ContributorTally] {
        var tallies: [String: ContributorTally] = [:]
        for a in activity where period.contains(a.at) {
            guard let h = a.member else { continue }
            var t = tallies[h] ?? ContributorTally(handle: h)
            switch a.kind {
            case .contributed, .authored: t.created += 1
            case .answered: t.answered += 1
            case .asked: t.asked += 1
            case .verified: t.verified += 1
            case .endorsed: t.endorsed += 1
            case .joined, .searched: continue
            }
            tallies[h] = t
        }
        return tallies.values.sorted { ($0.score, $1.handle) > ($1.score, $0.handle) }.prefix(limit).map { $0 }
    }
}

/// How much a tag was used in a period and in the period before.
public struct TagCount: Equatable, Sendable {
    public var tag: String
    public var count: Int
    public var previous: Int

    public init(tag: String, count: Int, previous: Int) { self.tag = tag; self.count = count; self.previous = previous }

    public var growth: Int { count - previous }

    /// Entries, questions and answers by tag, in a period and the one before.
    public static func measure(_ activity: [Activity], in period: Period) -> [TagCount] {
        let before = period.previous
        var now: [String: Int] = [:], then: [String: Int] = [:]
        for a in activity where [.contributed, .asked, .answered].contains(a.kind) {
            if period.contains(a.at) { for t in Set(a.tags) { now[t, default: 0] += 1 } }
            else if before.contains(a.at) { for t in Set(a.tags) { then[t, default: 0] += 1 } }
        }
        return Set(now.keys).union(then.keys).map { TagCount(tag: $0, count: now[$0] ?? 0, previous: then[$0] ?? 0) }
    }

    /// Most used first.
    public static func busiest(_ counts: [TagCount], limit: Int) -> [TagCount] {
        counts.filter { $0.count > 0 }.sorted { ($0.count, $1.tag) > ($1.count, $0.tag) }.prefix(limit).map { $0 }
    }

    /// Largest rise first; ties go to the more used, then the newer.
    public static func growing(_ counts: [TagCount], limit: Int) -> [TagCount] {
        counts.filter { $0.growth > 0 }
            .sorted { ($0.growth, $0.count, $1.previous, $1.tag) > ($1.growth, $1.count, $0.previous, $0.tag) }
            .prefix(limit).map { $0 }
    }
}

/// Counts of members by a text field (sector, organisation), biggest first.
public struct Breakdown: Equatable, Sendable {
    public var name: String
    public var members: Int

    public init(name: String, members: Int) { self.name = name; self.members = members }

    /// Groups values that differ only in case, punctuation or a company suffix ("Fernhill Digital
    /// Ltd" is "Fernhill Digital"), named by their commonest spelling; blanks are "not given".
    public static func of(_ values: [String?]) -> [Breakdown] {
        var groups: [String: [String]] = [:]
        for v in values {
            let text = Validation.text(v) ?? "not given"
            groups[organisationKey(text), default: []].append(text)
        }
        return groups.values.map { spellings -> Breakdown in
            var tally: [String: Int] = [:]
            for s in spellings { tally[s, default: 0] += 1 }
            let name = tally.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.first!.key
            return Breakdown(name: name, members: spellings.count)
        }.sorted { ($0.members, $1.name) > ($1.members, $0.name) }
    }

    /// An organisation's name reduced to what identifies it.
    public static func organisationKey(_ name: String) -> String {
        var words = Similarity.titleKey(name).split(separator: " ").map(String.init)
        while let last = words.last, words.count > 1, ["ltd", "limited", "plc", "llp", "cic", "inc"].contains(last) { words.removeLast() }
        return words.joined(separator: " ")
    }
}

// MARK: - Gaps

/// Searches with no or weak results that share their wording, counted by people.
public struct SearchGap: Equatable, Sendable {
    /// The commonest wording.
    public var label: String
    /// The significant words, stemmed, that the group's searches share most.
    public var words: [String]
    /// Every distinct wording, commonest first.
    public var wordings: [String]
    public var searches: Int
    /// Distinct people: a member repeating a search counts once; anonymous searches count once a day.
    public var people: Int
    /// Searches that found nothing at all (the others found something weak).
    public var noResults: Int
    public var kinds: [SearchKind]
    public var lastSeen: Timestamp
    /// Members who searched, by handle.
    public var searchers: [String]
}

/// Groups what people looked for and did not find.
public enum SearchGaps {
    /// Words shared by two searches, at least this many, and this share of all their words
    /// (Jaccard), put them in one group.
    public static let minSharedWords = 2
    public static let minOverlap = 0.5

    /// A search's significant words: filters, operators and exclusions dropped, folded,
    /// stemmed, without stop words, sorted and unique.
    public static func normalise(_ query: String) -> [String] {
        var raw: [String]
        if let q = try? QueryParser.parse(query), let text = q.text {
            raw = text.positiveWords
        } else {
            raw = query.split(separator: " ").filter { !$0.contains(":") && !$0.hasPrefix("-") }.map(String.init)
        }
        var out = Set<String>()
        for piece in raw {
            let folded = piece.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
            for w in WordSplitter.words(folded) where w.count >= 2 && !ExpertRanker.stopWords.contains(w) {
                out.insert(stem(w))
            }
        }
        return out.sorted()
    }

    /// A light stem so that writing, writer and write agree, and assessing and assessments: a
    /// plural off, then one of -ment, -ing, -ed, -er, then a final e.
    public static func stem(_ word: String) -> String {
        var s = word
        if s.count > 4, s.hasSuffix("ies") {
            s = String(s.dropLast(3)) + "y"
        } else if s.hasSuffix("es"), s.count - 2 >= 4 {
            s.removeLast(2)
        } else if s.hasSuffix("s"), s.count - 1 >= 3, !s.hasSuffix("ss"), !s.hasSuffix("is"), !s.hasSuffix("us") {
            s.removeLast()
        }
        for suffix in ["ment", "ing", "ed", "er"] where s.hasSuffix(suffix) && s.count - suffix.count >= 4 {
            s.removeLast(suffix.count)
            break
        }
        if s.count > 4, s.hasSuffix("e") { s.removeLast() }
        return s
    }

    /// Words in `a` with a match in `b`: the same, or (five letters or more) one typo apart.
    static func shared(_ a: [String], _ b: [String]) -> Int {
        a.filter { w in b.contains { $0 == w || (w.count >= 5 && $0.count >= 5 && EditDistance.distance(w, $0, limit: 1) <= 1) } }.count
    }

    /// True when two word sets ask for the same thing.
    public static func similar(_ a: [String], _ b: [String]) -> Bool {
        if a == b { return true }
        let n = shared(a, b)
        guard n >= minSharedWords else { return false }
        return Double(n) / Double(a.count + b.count - n) >= minOverlap
    }

    /// Unmet searches (`find` and `who`; an `ask` is a question and is counted there) grouped by
    /// wording, most people first.
    public static func group(_ log: [SearchLogEntry]) -> [SearchGap] {
        let unmet = log.filter { $0.unmet && $0.kind != .ask }
        var byKey: [[String]: [SearchLogEntry]] = [:]
        for e in unmet {
            let key = normalise(e.query)
            if !key.isEmpty { byKey[key, default: []].append(e) }
        }
        // Single-linkage merging of similar wordings, in a stable order.
        let keys = byKey.keys.sorted { $0.joined(separator: " ") < $1.joined(separator: " ") }
        var parent = Array(keys.indices)
        func root(_ i: Int) -> Int { var i = i; while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }; return i }
        for i in keys.indices {
            for j in keys.indices where j > i && similar(keys[i], keys[j]) {
                let a = root(i), b = root(j)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var clusters: [Int: [Int]] = [:]
        for i in keys.indices { clusters[root(i), default: []].append(i) }
        return clusters.values.map { members in
            let entries = members.flatMap { byKey[keys[$0]]! }
            return gap(entries, keys: members.map { keys[$0] })
        }.sorted { ($0.people, $0.searches, $0.lastSeen, $1.label) > ($1.people, $1.searches, $1.lastSeen, $0.label) }
    }

    static func gap(_ entries: [SearchLogEntry], keys: [[String]]) -> SearchGap {
        var wordings: [String: (count: Int, last: Timestamp)] = [:]
        for e in entries {
            let w = e.query.trimmingCharacters(in: .whitespaces).lowercased()
            let old = wordings[w] ?? (0, e.at)
            wordings[w] = (old.count + 1, max(old.last, e.at))
        }
        // The commonest wording names the group; on a tie, one with the commonest words (not a
        // typo), then the shortest, then the latest.
        var keyCount: [[String]: Int] = [:]
        for e in entries { keyCount[normalise(e.query), default: 0] += 1 }
        let rank = Dictionary(uniqueKeysWithValues: wordings.map { w, v in (w, (v.count, keyCount[normalise(w)] ?? 0, -w.count, v.last)) })
        let ordered = wordings.keys.sorted { a, b in
            let x = rank[a]!, y = rank[b]!
            return (x.0, x.1, x.2, x.3, b) > (y.0, y.1, y.2, y.3, a)
        }
        // The words most of the group's wordings share.
        var wordCount: [String: Int] = [:]
        for k in keys { for w in k { wordCount[w, default: 0] += 1 } }
        let common = wordCount.filter { $0.value * 2 >= keys.count }.keys.sorted()
        return SearchGap(label: ordered[0], words: common.isEmpty ? keys[0] : common, wordings: ordered,
                         searches: entries.count, people: people(entries), noResults: entries.filter { $0.results == 0 }.count,
                         kinds: SearchKind.allCases.filter { k in entries.contains { $0.kind == k } },
                         lastSeen: entries.map(\.at).max()!, searchers: Set(entries.compactMap(\.member)).sorted())
    }

    /// Distinct people behind searches: members once each, anonymous searches once a day.
    public static func people(_ entries: [SearchLogEntry]) -> Int {
        var seen = Set<String>()
        for e in entries { seen.insert(e.member.map { "@" + $0 } ?? "day " + e.at.day.description) }
        return seen.count
    }
}

/// Maps words people type to the community's tags (names and aliases).
public struct TagVocabulary: Sendable {
    /// Tag names and aliases, each to its tag.
    public var names: [String: String]

    public init(_ names: [String: String]) { self.names = names }

    /// Tags a text names: single words (and their singular), and runs of two or three words as
    /// `social-care`, `data-literacy`.
    public func tags(in text: String) -> [String] {
        let words = WordSplitter.words(text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased())
        var found = Set<String>()
        for i in words.indices {
            for n in 1...3 where i + n <= words.count {
                let phrase = words[i..<(i + n)].joined(separator: "-")
                if let t = names[phrase] { found.insert(t) }
                else if phrase.count > 3, phrase.hasSuffix("s"), let t = names[String(phrase.dropLast())] { found.insert(t) }
            }
        }
        return found.sorted()
    }
}

/// A tag people want that nobody in the community practises.
public struct TagDemand: Equatable, Sendable {
    public var tag: String
    /// Members with it as a learning goal or at learning level.
    public var wanting: Int
    /// People whose searches named it.
    public var searching: Int
    /// Questions with the tag.
    public var questions: Int
    public var total: Int { wanting + searching + questions }

    /// Tags with demand and no member at practising or expert level, most wanted first.
    /// `questions` are the tags of each question asked.
    public static func unmet(members: [Member], searches: [SearchLogEntry], questions: [[String]],
                             vocabulary: TagVocabulary) -> [TagDemand] {
        var supplied = Set<String>()
        var wanting: [String: Set<String>] = [:]
        for m in members {
            for s in m.skills {
                if s.level >= .practising { supplied.insert(s.tag) } else { wanting[s.tag, default: []].insert(m.handle) }
            }
            for t in m.interests { wanting[t, default: []].insert(m.handle) }
        }
        var searching: [String: [SearchLogEntry]] = [:]
        for e in searches where e.kind != .ask {
            for t in vocabulary.tags(in: e.query) { searching[t, default: []].append(e) }
        }
        var asked: [String: Int] = [:]
        for tags in questions { for t in Set(tags) { asked[t, default: 0] += 1 } }
        let tags = Set(wanting.keys).union(searching.keys).union(asked.keys).subtracting(supplied)
        return tags.map { t in
            TagDemand(tag: t, wanting: wanting[t]?.count ?? 0, searching: SearchGaps.people(searching[t] ?? []), questions: asked[t] ?? 0)
        }.filter { $0.total > 0 }.sorted { ($0.total, $1.tag) > ($1.total, $0.tag) }
    }
}

// MARK: - Topics

/// A learning goal many members share.
public struct LearningGoal: Equatable, Sendable {
    public var tag: String
    /// Members who want to learn it: an interest, or a skill at learning level.
    public var learners: [String]

    /// Goals shared by at least `minMembers`, most shared first; members already practising or
    /// expert do not count as learners.
    public static func shared(_ members: [Member], minMembers: Int = 2) -> [LearningGoal] {
        var learners: [String: Set<String>] = [:]
        for m in members {
            let able = Set(m.skills.filter { $0.level >= .practising }.map(\.tag))
            for t in Set(m.interests + m.skills.filter { $0.level == .learning }.map(\.tag)) where !able.contains(t) {
                learners[t, default: []].insert(m.handle)
            }
        }
        return learners.filter { $0.value.count >= minMembers }.map { LearningGoal(tag: $0.key, learners: $0.value.sorted()) }
            .sorted { ($0.learners.count, $1.tag) > ($1.learners.count, $0.tag) }
    }
}

// MARK: - Mentoring

/// A suggested mentoring pair and why.
public struct MentorSuggestion: Equatable, Sendable {
    public var learner: String
    public var mentor: String
    public var tag: String
    public var score: Double
    public var reasons: [String]
}

/// Learners who got no suggestion for a skill.
public struct UnmatchedLearning: Equatable, Sendable {
    public var tag: String
    public var learners: [String]
    /// Experts in it who mentor (all at their limit when this is not zero).
    public var mentors: Int
}

/// Pairs members learning a skill with experts in it who mentor: pairs across organisations and
/// sectors score higher, and each suggestion a mentor already has lowers their next ones, so that
/// one mentor is not suggested to everyone.
public enum MentorMatcher {
    /// What each suggestion a mentor already has takes off their next.
    public static let loadPenalty = 0.75

    /// How well a pair fits, with reasons; nil when it is not a pair (the same person). A shared
    /// time zone counts only where `timeZones` says members are in more than one.
    public static func score(learner: Member, mentor: Member, tag: String, timeZones: Bool = true) -> (Double, [String])? {
        guard learner.handle != mentor.handle else { return nil }
        var score = 1.0
        var reasons: [String] = []
        if learner.skills.contains(where: { $0.tag == tag && $0.level == .learning }) {
            score += 0.5; reasons.append("learning it")
        } else {
            reasons.append("wants to learn it")
        }
        let lo = learner.organisation.map(Breakdown.organisationKey), mo = mentor.organisation.map(Breakdown.organisationKey)
        if let lo, let mo {
            if lo != mo { score += 1; reasons.append("other organisation") } else { reasons.append("same organisation") }
        } else {
            score += 0.5
        }
        if let ls = learner.sector?.lowercased(), let ms = mentor.sector?.lowercased(), ls != ms {
            score += 0.5; reasons.append("other sector")
        }
        if timeZones, let lz = learner.timeZone, lz == mentor.timeZone { score += 0.25; reasons.append("same time zone") }
        return (score, reasons)
    }

    /// Greedy by score less the load penalty; each mentor gets at most `perMentor` suggestions,
    /// each learner at most `perLearner`, and nobody the same mentor twice.
    public static func suggest(_ members: [Member], perMentor: Int = 3, perLearner: Int = 1)
        -> (suggestions: [MentorSuggestion], unmatched: [UnmatchedLearning]) {
        let byHandle = Dictionary(members.map { ($0.handle, $0) }, uniquingKeysWith: { a, _ in a })
        var mentors: [String: [String]] = [:]
        for m in members where m.mentoring {
            for s in m.skills where s.level == .expert { mentors[s.tag, default: []].append(m.handle) }
        }
        let goals = LearningGoal.shared(members, minMembers: 1)
        let timeZones = Set(members.compactMap(\.timeZone)).count > 1
        struct Candidate { var learner: String, mentor: String, tag: String, score: Double, reasons: [String], load: Int }
        var candidates: [Candidate] = []
        for g in goals {
            for l in g.learners {
                for h in mentors[g.tag] ?? [] {
                    guard let (s, r) = score(learner: byHandle[l]!, mentor: byHandle[h]!, tag: g.tag, timeZones: timeZones) else { continue }
                    candidates.append(Candidate(learner: l, mentor: h, tag: g.tag, score: s, reasons: r, load: 0))
                }
            }
        }
        // Lazy greedy: a candidate's value only falls as its mentor's load rises, so re-check the
        // best one and put it back when its load is out of date.
        func value(_ c: Candidate) -> Double { c.score - loadPenalty * Double(c.load) }
        func before(_ a: Candidate, _ b: Candidate) -> Bool {
            (value(a), b.learner, b.tag, b.mentor) > (value(b), a.learner, a.tag, a.mentor)
        }
        candidates.sort(by: before)
        var load: [String: Int] = [:], given: [String: Int] = [:]
        var matched = Set<[String]>(), paired = Set<[String]>()
        var out: [MentorSuggestion] = []
        while !candidates.isEmpty {
            var c = candidates.removeFirst()
            guard (load[c.mentor] ?? 0) < perMentor, (given[c.learner] ?? 0) < perLearner,
                  !matched.contains([c.learner, c.tag]), !paired.contains([c.learner, c.mentor]) else { continue }
            if c.load != load[c.mentor] ?? 0 {
                c.load = load[c.mentor] ?? 0
                let i = candidates.firstIndex { before(c, $0) } ?? candidates.endIndex
                candidates.insert(c, at: i)
                continue
            }
            out.append(MentorSuggestion(learner: c.learner, mentor: c.mentor, tag: c.tag, score: value(c), reasons: c.reasons))
            load[c.mentor, default: 0] += 1
            given[c.learner, default: 0] += 1
            matched.insert([c.learner, c.tag]); paired.insert([c.learner, c.mentor])
        }
        let unmatched = goals.compactMap { g -> UnmatchedLearning? in
            let left = g.learners.filter { l in !matched.contains([l, g.tag]) && (given[l] ?? 0) == 0 }
            return left.isEmpty ? nil : UnmatchedLearning(tag: g.tag, learners: left, mentors: mentors[g.tag]?.count ?? 0)
        }
        return (out, unmatched)
    }
}

// MARK: - Stale entries

/// A resource or practice, and when anyone last changed it.
public struct UntouchedEntry: Equatable, Sendable {
    public var id: EntryID
    public var title: String
    /// The latest of its update, its verification and any recorded change to it.
    public var lastTouched: Timestamp
    public var contributor: String?
    /// A practice's review date, when one is set (see `review`).
    public var reviewBy: Day?

    public init(id: EntryID, title: String, lastTouched: Timestamp, contributor: String? = nil, reviewBy: Day? = nil) {
        self.id = id; self.title = title; self.lastTouched = lastTouched; self.contributor = contributor; self.reviewBy = reviewBy
    }
}

// MARK: - Graph

/// The community as a Graphviz graph: members and tags as nodes, skills as edges labelled by level.
public enum CommunityGraph {
    /// Fill colours for members, one per sector (in order of the sorted sector names).
    static let palette = ["#cfe2f3", "#d9ead3", "#fff2cc", "#f4cccc", "#d9d2e9", "#fce5cd", "#d0e0e3", "#ead1dc"]

    /// A DOT string literal: quotes and backslashes escaped, line breaks as `\n`.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n", "\r\n": out += "\\n"
            case "\r": break
            default: out.append(ch)
            }
        }
        return out + "\""
    }

    /// The graph, with the tags linking at least `minMembers` members (and those members); with
    /// `interests`, learning goals are dotted edges too.
    public static func dot(_ members: [Member], minMembers: Int = 2, interests: Bool = false)
        -> (text: String, members: Int, tags: Int, edges: Int) {
        var links: [(member: String, tag: String, label: String)] = []
        for m in members.sorted(by: { $0.handle < $1.handle }) {
            for s in m.skills.sorted(by: { $0.tag < $1.tag }) { links.append((m.handle, s.tag, s.level.rawValue)) }
            if interests {
                for t in m.interests.sorted() where !m.skills.contains(where: { $0.tag == t }) { links.append((m.handle, t, "interest")) }
            }
        }
        var perTag: [String: Set<String>] = [:]
        for l in links { perTag[l.tag, default: []].insert(l.member) }
        let tags = Set(perTag.filter { $0.value.count >= minMembers }.keys)
        links = links.filter { tags.contains($0.tag) }
        let shown = Set(links.map(\.member))
        let sectors = Array(Set(members.compactMap(\.sector))).sorted()
        var s = "graph community {\n"
        s += "  graph [layout=sfdp, overlap=prism, splines=true, fontname=\"Helvetica\"];\n"
        s += "  node [fontname=\"Helvetica\", fontsize=11];\n"
        s += "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#888888\"];\n\n"
        s += "  // Members, coloured by sector\n"
        for m in members.sorted(by: { $0.handle < $1.handle }) where shown.contains(m.handle) {
            let colour = m.sector.flatMap { sectors.firstIndex(of: $0) }.map { palette[$0 % palette.count] } ?? "#eeeeee"
            let tooltip = [m.organisation, m.sector].compactMap { $0 }.joined(separator: ", ")
            s += "  \(quoted("@" + m.handle)) [shape=ellipse, style=filled, fillcolor=\(quoted(colour)), label=\(quoted(m.name))"
            s += tooltip.isEmpty ? "];\n" : ", tooltip=\(quoted(tooltip))];\n"
        }
        s += "\n  // Tags\n"
        for t in tags.sorted() {
            s += "  \(quoted("#" + t)) [shape=box, style=\"rounded,bold\", label=\(quoted(t))];\n"
        }
        s += "\n  // Skills, labelled by level\n"
        for l in links {
            let style: String
            switch l.label {
            case "expert": style = "penwidth=2.5"
            case "practising": style = "penwidth=1.2"
            case "learning": style = "style=dashed"
            default: style = "style=dotted"
            }
            s += "  \(quoted("@" + l.member)) -- \(quoted("#" + l.tag)) [label=\(quoted(l.label)), \(style)];\n"
        }
        s += "}\n"
        return (s, shown.count, tags.count, links.count)
    }
}
