import Foundation

/// How a member is linked to a piece of evidence.
public enum Contribution: String, Codable, Sendable, CaseIterable {
    case contributed, authored, verified, answered
    case acceptedAnswer = "accepted-answer"
    case asked

    /// How much the link says about expertise (an accepted answer says most; asking, little).
    public var weight: Double {
        switch self {
        case .acceptedAnswer: return 2.5
        case .contributed, .authored: return 1.0
        case .answered: return 1.0
        case .verified: return 0.6
        case .asked: return 0.05
        }
    }

    public var phrase: String {
        switch self {
        case .contributed: return "contributed"
        case .authored: return "wrote"
        case .verified: return "verified"
        case .answered: return "answered"
        case .acceptedAnswer: return "accepted answer"
        case .asked: return "asked"
        }
    }
}

/// An entry that matches a topic, with who is linked to it and how.
public struct EvidenceDoc: Sendable, Equatable {
    public var id: EntryID
    public var title: String
    /// Full-text relevance to the topic, higher is better (e.g. -bm25).
    public var relevance: Double
    public var date: Timestamp?
    /// Community score (votes) where the store has one.
    public var votes: Int?
    public var links: [Link]

    public struct Link: Sendable, Equatable {
        public var handle: String
        public var how: Contribution
        public init(handle: String, how: Contribution) { self.handle = handle; self.how = how }
    }

    public init(id: EntryID, title: String, relevance: Double, date: Timestamp?, votes: Int? = nil, links: [Link]) {
        self.id = id; self.title = title; self.relevance = relevance; self.date = date; self.votes = votes; self.links = links
    }
}

/// What the ranking needs to know of a member.
public struct MemberFacts: Sendable, Equatable {
    public var handle: String
    public var name: String
    public var organisation: String?
    public var sector: String?
    public var sourceId: String?
    public var openToQuestions: Bool
    public var mentoring: Bool
    /// Declared skills among the topic's tags.
    public var skills: [Skill]
    /// Endorsements received, by tag, among the topic's tags.
    public var endorsements: [String: Int]

    public init(handle: String, name: String, organisation: String? = nil, sector: String? = nil, sourceId: String? = nil,
                openToQuestions: Bool = true, mentoring: Bool = false, skills: [Skill] = [], endorsements: [String: Int] = [:]) {
        self.handle = handle; self.name = name; self.organisation = organisation; self.sector = sector
        self.sourceId = sourceId; self.openToQuestions = openToQuestions; self.mentoring = mentoring
        self.skills = skills; self.endorsements = endorsements
    }
}

/// What `who` was asked.
public struct ExpertQuery: Sendable {
    public var topic: String
    public var availableOnly = false
    public var mentorsOnly = false
    public var sectors: [String] = []
    public var exclude: Set<String> = []
    public var limit = 10
    /// Entries written after this moment are ignored (the relevance benchmark replays history).
    public var asOf: Timestamp?

    public init(topic: String) { self.topic = topic }
}

/// One ranked member with the reasons.
public struct Expert: Sendable, Equatable {
    public var member: MemberFacts
    public var score: Double
    public var evidenceScore: Double
    public var skillScore: Double
    public var endorsementScore: Double
    /// The strongest pieces of evidence, best first (at most three).
    public var evidence: [(doc: EvidenceDoc, how: Contribution)]
    public var evidenceCount: Int

    public static func == (l: Expert, r: Expert) -> Bool {
        l.member == r.member && l.score == r.score && l.evidence.map(\.doc.id) == r.evidence.map(\.doc.id)
    }
}

/// The store's part of expert finding: evidence and facts. The ranking itself is `ExpertRanker`.
public protocol ExpertEvidenceSource {
    /// Tags named by the topic's words or phrases (directly or through an alias).
    func topicTags(_ query: Query) throws -> [String]
    /// The best-matching entries for a relaxed (any-word) query, with their links to members.
    func evidence(_ query: Query, limit: Int, asOf: Timestamp?) throws -> [EvidenceDoc]
    /// Facts about these members, plus every member who declared a skill in `tags`.
    func memberFacts(handles: Set<String>, tags: [String]) throws -> [MemberFacts]
}

/// Ranks members for a topic by evidence (document-centred aggregation, Balog et al. 2006,
/// "model 2"), declared skills and endorsements.
public enum ExpertRanker {
    public static let skillWeight: [SkillLevel: Double] = [.learning: 0.1, .practising: 0.5, .expert: 1.0]
    /// How many matching entries are read as evidence.
    public static let evidenceDepth = 300

    /// Words that carry no topic: dropped from `who` and `ask` topics so that "supervision in
    /// social care" asks about supervision and social care.
    public static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "get", "has",
        "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "should",
        "so", "that", "the", "their", "them", "there", "they", "this", "to", "was", "we", "what", "when", "where",
        "which", "who", "why", "will", "with", "would", "you", "your", "about", "any", "anyone", "best", "way",
        "someone", "know", "knows", "help", "need", "there", "use", "using",
    ]

    /// Turns a topic into an any-word query: every word may match, more matching words rank higher.
    public static func relaxedQuery(_ topic: String) throws -> Query {
        var q = try QueryParser.parse(topic)
        guard let text = q.text else { return q }
        var parts: [QueryNode] = []
        func collect(_ n: QueryNode) {
            switch n {
            case .and(let cs), .or(let cs): cs.forEach(collect)
            case .term(let w): if !stopWords.contains(w.lowercased()) { parts.append(n) }
            case .phrase(let ws, let prefix):
                // A quoted topic is still a topic: its words count, and the whole phrase counts extra.
                let words = ws.filter { !stopWords.contains($0.lowercased()) }
                parts += words.enumerated().map { i, w in prefix && i == words.count - 1 ? .prefix(w) : .term(w) }
                if ws.count > 1 { parts.append(n) }
            case .not: break
            default: parts.append(n)
            }
        }
        collect(text)
        if parts.isEmpty { collect(text); parts = text.positiveWords.map { .term($0) } }
        // Phrases of adjacent words also count, so "social care" as words still prefers the phrase.
        q.text = parts.count == 1 ? parts[0] : .or(parts)
        return q
    }

    public static func rank(_ request: ExpertQuery, source: ExpertEvidenceSource, now: Timestamp = .now) throws -> [Expert] {
        let query = try relaxedQuery(request.topic)
        let tags = try source.topicTags(query)
        let docs = query.text == nil ? [] : try source.evidence(query, limit: evidenceDepth, asOf: request.asOf)
        let reference = request.asOf ?? now
        let top = docs.map(\.relevance).max() ?? 1

        var evidence: [String: Double] = [:]
        var best: [String: [(EvidenceDoc, Contribution, Double)]] = [:]
        var counts: [String: Int] = [:]
        for doc in docs {
            let rel = top > 0 ? doc.relevance / top : 0
            let years = doc.date.map { max(0, Double(reference.seconds - $0.seconds) / 31_557_600) } ?? 2
            let recency = 0.6 + 0.4 * exp(-years / 3)
            let votes = doc.votes.map { 1 + 0.1 * log(1 + Double(max(0, $0))) } ?? 1
            // A member linked twice to one entry (contributed and authored) counts the stronger link.
            var strongest: [String: Contribution] = [:]
            for l in doc.links where strongest[l.handle].map({ $0.weight < l.how.weight }) ?? true { strongest[l.handle] = l.how }
            for (h, how) in strongest {
                let s = rel * how.weight * recency * votes
                evidence[h, default: 0] += s
                counts[h, default: 0] += how == .asked ? 0 : 1
                best[h, default: []].append((doc, how, s))
            }
        }
        let candidates = Set(evidence.keys)
        let facts = try source.memberFacts(handles: candidates, tags: tags)
        var experts: [Expert] = []
        for m in facts {
            if request.exclude.contains(m.handle) { continue }
            if request.availableOnly && !m.openToQuestions { continue }
            if request.mentorsOnly && !m.mentoring { continue }
            if !request.sectors.isEmpty {
                let s = (m.sector ?? "").lowercased()
                if !request.sectors.contains(where: { s.hasPrefix($0.lowercased()) }) { continue }
            }
            let skill = m.skills.reduce(0) { $0 + (skillWeight[$1.level] ?? 0) }
            let endorsed = m.endorsements.values.reduce(0.0) { $0 + log(1 + Double($1)) } * 0.3
            // Evidence dominates: a declared skill alone is worth about one fairly relevant entry.
            let e = evidence[m.handle] ?? 0
            let score = e + 0.6 * skill + endorsed
            guard score > 0 else { continue }
            let strongest = (best[m.handle] ?? []).filter { $0.1 != .asked }.sorted { $0.2 > $1.2 }.prefix(3).map { ($0.0, $0.1) }
            experts.append(Expert(member: m, score: score, evidenceScore: e, skillScore: skill, endorsementScore: endorsed,
                                  evidence: Array(strongest), evidenceCount: counts[m.handle] ?? 0))
        }
        experts.sort { ($0.score, $1.member.handle) > ($1.score, $0.member.handle) }
        return Array(experts.prefix(request.limit))
    }
}
