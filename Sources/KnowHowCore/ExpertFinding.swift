import Foundation

/// How a member is linked to a piece of evidence.
public enum Contribution: String, Codable, Sendable, CaseIterable {
    case contributed, authored, verified, answered
    case acceptedAnswer = "accepted-answer"
    case asked
    /// Presented at a meeting of the community on the topic.
    case presented

    /// How much the link says about expertise (an accepted answer says most; asking, little).
    public var weight: Double {
        switch self {
        case .acceptedAnswer: return 2.5
        case .contributed, .authored: return 1.0
        case .answered: return 1.0
        case .verified: return 0.6
        case .asked: return 0.05
        case .presented: return 1.5
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
        case .presented: return "presented"
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
    /// The question a question or answer belongs to: a thread counts once for each member.
    public var thread: EntryID?
    /// The entry's tags (an answer's are its question's).
    public var tags: [String] = []

    public struct Link: Sendable, Equatable {
        public var handle: String
        public var how: Contribution
        /// The member's own entry when it is not this one: their answer to a matching question.
        public var entry: EntryID?
        public init(handle: String, how: Contribution, entry: EntryID? = nil) {
            self.handle = handle; self.how = how; self.entry = entry
        }
    }

    public init(id: EntryID, title: String, relevance: Double, date: Timestamp?, votes: Int? = nil, links: [Link],
                thread: EntryID? = nil) {
        self.id = id; self.title = title; self.relevance = relevance; self.date = date; self.votes = votes; self.links = links
        self.thread = thread
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
    /// How many of the member's matching threads and entries are in the topic's tags.
    public var tagWork = 0
    /// Each signal, scaled to 0…1 among the candidates, by `ExpertSignal` (for tuning).
    public var signals: [ExpertSignal: Double] = [:]

    public static func == (l: Expert, r: Expert) -> Bool {
        l.member == r.member && l.score == r.score && l.evidence.map(\.doc.id) == r.evidence.map(\.doc.id)
    }
}

/// The store's part of expert finding: evidence and facts. The ranking itself is `ExpertRanker`.
public protocol ExpertEvidenceSource {
    /// Tags named by the topic's words or phrases (directly or through an alias).
    func topicTags(_ query: Query) throws -> [String]
    /// The best-matching entries for a relaxed (any-word) query, best first, with their links to members.
    func evidence(_ query: Query, limit: Int, asOf: Timestamp?) throws -> [EvidenceDoc]
    /// Facts about these members, plus every member who declared a skill in `tags`.
    func memberFacts(handles: Set<String>, tags: [String]) throws -> [MemberFacts]
    /// What these members did up to `asOf`, matching the topic or not: for each kind of work,
    /// the `newest` latest contributions, dated, and how many older ones there are (so that the
    /// cost stays bounded for the most prolific).
    func work(of handles: Set<String>, asOf: Timestamp?, newest: Int) throws -> [String: [WorkSample]]
    /// Those of `words` that occur in no entry at all.
    func unmatchedWords(_ words: [String]) throws -> [String]
}

/// The signals `who` combines, each scaled to 0…1 among the candidates for a topic.
public enum ExpertSignal: String, Codable, Sendable, CaseIterable {
    /// The share of the member's work that matches the topic (Balog's document model).
    case focus
    /// How much matching work the member did: full-text relevance of their entries, summed.
    case text
    /// How much of their matching work is in the topic's tags, log-scaled (read from the
    /// evidence, so that its cost stays bounded however much a member did).
    case tags
    /// How much they did lately (the recent most), log-scaled.
    case activity
    /// How much they did in all, log-scaled.
    case volume
    /// Their accepted answers over their answers (where accepted marks are known).
    case acceptance
    /// Declared skills in the topic's tags.
    case skills
    /// Endorsements in the topic's tags, log-scaled.
    case endorsements
    /// How closely the member's work matches among the closest few threads (question-centric
    /// nearest neighbours: who answered the most similar questions), by similarity.
    case similar
    /// How lately they worked on the topic: their matching work, recent most.
    case recent
    /// How much of their work falls within two hours of this time of day, smoothed: who is
    /// usually around now.
    case availability
}

/// How much each signal counts in `who`'s score.
public struct ExpertWeights: Sendable, Equatable, Codable {
    public var weights: [ExpertSignal: Double]

    public init(_ weights: [ExpertSignal: Double]) { self.weights = weights }

    public subscript(_ s: ExpertSignal) -> Double {
        get { weights[s] ?? 0 }
        set { weights[s] = newValue }
    }

    /// The weights `who` uses, set before the online replay of `knowhow-bench relevance` was
    /// first run and not fitted to it. The replay's cross-site validation (fit on two sites,
    /// measure on the third) agrees on weights led by recent activity that do a little better
    /// held out (pooled MRR 0.294 against 0.274); they are not used, since they rank the most
    /// active members first whatever the topic (README, "Relevance"). Acceptance, skills and endorsements cannot
    /// be measured there (the replay knows no accepted mark's date; the sites have no skills) and
    /// keep the earlier weights (a declared expert skill 0.6, endorsements 0.3 × log(1 + n)).
    /// The closest threads, recent work on the topic and the time of day (`similar`, `recent`,
    /// `availability`) weigh nothing: fitted on two sites, they did not carry to the third (two
    /// of three folds gave them no weight; held out, pooled MRR 0.298 with them, 0.294 without).
    public static let standard = ExpertWeights([
        .focus: 1.0, .text: 1.0, .tags: 0.5, .activity: 0.25, .volume: 0.25,
        .acceptance: 0.25, .skills: 0.6, .endorsements: 0.3,
    ])

    public func score(_ signals: [ExpertSignal: Double]) -> Double {
        signals.reduce(0) { $0 + self[$1.key] * $1.value }
    }
}

/// What `who` found: the ranked members, and the topic's words that occur nowhere.
public struct ExpertFindings: Sendable {
    public var experts: [Expert]
    /// Words of the topic that no entry contains ("no one has written about 'kubeflow'").
    public var unmatched: [String]
}

/// One thing a member did, and when.
public struct DatedContribution: Sendable, Equatable {
    public var date: Timestamp?
    public var how: Contribution
    public init(date: Timestamp?, how: Contribution) { self.date = date; self.how = how }
}

/// A member's work of one kind (answers, resources contributed, …): the newest of it, newest
/// first, and how many older contributions were left unread, the first of them dated.
public struct WorkSample: Sendable, Equatable {
    public var newest: [DatedContribution]
    public var older: Int
    public var first: Timestamp?
    public init(newest: [DatedContribution], older: Int = 0, first: Timestamp? = nil) {
        self.newest = newest; self.older = older; self.first = first
    }
}

/// Ranks members for a topic by evidence, declared skills and endorsements: a weighted sum of
/// signals (`ExpertSignal`), each scaled to 0…1 among the candidates (`ExpertWeights.standard`).
///
/// The focus signal follows Balog et al.'s document model ("model 2", SIGIR 2006):
/// Σ_d p(topic|d) · p(d|m), over the best-matching entries d, where
/// - p(topic|d) comes from d's rank in the full-text results, 1/(k + rank) as in reciprocal-rank
///   fusion, so that long topics and short ones weigh alike and no single hit dominates;
/// - p(d|m) is m's link to d (an accepted answer counts more than an answer; asking, nothing)
///   over the same sum across *everything* m did, matching or not, smoothed: a member whose work
///   is mostly about the topic beats one who once touched it among hundreds of other things.
///   A question and its answers are one thread and count once for each member.
/// Text sums the full-text relevance of m's matching work; tags counts it in the topic's tags;
/// activity is the log of how much m did lately (the ones still around to ask). Recency is
/// relative to the evidence: an entry a tenth of the time the evidence spans old counts half, so
/// a community that has recorded for a month and one that has recorded for ten years are alike.
/// The evidence shown for a member is what carried their text score, strongest first.
public enum ExpertRanker {
    public static let skillWeight: [SkillLevel: Double] = [.learning: 0.1, .practising: 0.5, .expert: 1.0]
    /// How many matching entries are read as evidence.
    public static let evidenceDepth = 300
    /// k in p(topic|d) = 1/(k + rank): the customary constant of reciprocal-rank fusion.
    public static let rankSmoothing = 60.0
    /// Dirichlet smoothing of p(d|m): every member counts as having done this much other work
    /// too, so that one matching entry out of two says less than ten out of twenty.
    public static let shareSmoothing = 5.0
    /// The half-life of activity in the prior, as a share of the time the evidence spans.
    public static let halfLifeShare = 0.1
    /// The evidence score of the best-supported member; a declared expert skill adds 0.6.
    public static let evidenceScale = 5.0
    /// How many of a member's latest contributions of each kind are read one by one; older ones
    /// are only counted, and taken as spread evenly back to the member's first.
    public static let workSample = 100
    /// How many of the best-matching threads count as the closest (`similar`).
    public static let similarDepth = 10
    /// Work within this many hours of the time of day counts as "around now" (`availability`).
    public static let hourWindow = 2.0

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
        // A hyphenated term (q-learning, e-mail) is one term: its pieces alone mean something else.
        let hyphenated = Set(topic.lowercased().split(whereSeparator: { $0.isWhitespace || $0 == "\"" })
            .filter { $0.dropFirst().dropLast().contains("-") }
            .map { WordSplitter.words($0).joined(separator: " ") })
        var parts: [QueryNode] = []
        func collect(_ n: QueryNode) {
            switch n {
            case .and(let cs), .or(let cs): cs.forEach(collect)
            case .term(let w): if !stopWords.contains(w.lowercased()) { parts.append(n) }
            case .phrase(let ws, false) where hyphenated.contains(ws.joined(separator: " ").lowercased()):
                parts.append(n)
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

    public static func rank(_ request: ExpertQuery, source: ExpertEvidenceSource, now: Timestamp = .now,
                            weights: ExpertWeights = .standard) throws -> [Expert] {
        var all = try candidates(request, source: source, now: now)
        for i in all.indices { all[i].score = weights.score(all[i].signals) }
        all = all.filter { $0.score > 0 }
        all.sort { ($0.score, $1.member.handle) > ($1.score, $0.member.handle) }
        return Array(all.prefix(request.limit))
    }

    /// The topic's content words, as the user wrote them (hyphenated terms whole), lower-cased.
    public static func contentWords(_ topic: String) -> [String] {
        guard let q = try? QueryParser.parse(topic), let text = q.text else { return [] }
        var seen = Set<String>()
        return text.positiveWords.map { $0.lowercased() }.filter { !stopWords.contains($0) && seen.insert($0).inserted }
    }

    /// Ranks members for a topic, and says which of its words occur nowhere.
    public static func find(_ request: ExpertQuery, source: ExpertEvidenceSource, now: Timestamp = .now,
                            weights: ExpertWeights = .standard) throws -> ExpertFindings {
        ExpertFindings(experts: try rank(request, source: source, now: now, weights: weights),
                       unmatched: try source.unmatchedWords(contentWords(request.topic)))
    }

    /// Every candidate for a topic with each signal scaled to 0…1, unscored (`score` 0) and in
    /// no particular order: `find` weighs them; the relevance benchmark tunes the weights on them.
    public static func candidates(_ request: ExpertQuery, source: ExpertEvidenceSource, now: Timestamp = .now) throws -> [Expert] {
        let query = try relaxedQuery(request.topic)
        let tags = try source.topicTags(query)
        let docs = query.text == nil ? [] : try source.evidence(query, limit: evidenceDepth, asOf: request.asOf)
        let recency = Recency(reference: request.asOf ?? now, dates: docs.compactMap(\.date))
        let topRelevance = docs.map(\.relevance).max() ?? 0

        // Each member's best-ranked link into each thread (or entry), with its share of the evidence.
        var threads: [String: [EntryID: (doc: EvidenceDoc, how: Contribution, score: Double, text: Double)]] = [:]
        for (i, doc) in docs.enumerated() {
            let rel = (rankSmoothing + 1) / (rankSmoothing + Double(i + 1))
            let votes = doc.votes.map { 1 + 0.1 * log(1 + Double(max(0, $0))) } ?? 1
            // Full-text relevance relative to the best match, so long topics and short weigh alike.
            let text = topRelevance > 0 ? max(0, doc.relevance) / topRelevance : rel
            // Asking shows interest, not expertise: askers are not candidates for it.
            for l in doc.links where l.how != .asked {
                // A meeting counts once it has been held.
                if l.how == .presented, let d = doc.date, d > (request.asOf ?? now) { continue }
                let s = rel * votes * l.how.weight
                let key = doc.thread ?? doc.id
                guard threads[l.handle]?[key].map({ $0.score < s }) ?? true else { continue }
                // Shown as the member's own entry: their answer rather than the question it answers.
                var shown = doc
                if let own = l.entry { shown.id = own }
                threads[l.handle, default: [:]][key] = (shown, l.how, s, text * votes * l.how.weight)
            }
        }
        // The closest threads: the first `similarDepth` distinct threads in rank order, each
        // weighted by its best match's relevance relative to the best of all.
        var closest: [EntryID: Double] = [:]
        for (i, doc) in docs.enumerated() {
            let key = doc.thread ?? doc.id
            if closest[key] == nil && closest.count == similarDepth { continue }
            let rel = (rankSmoothing + 1) / (rankSmoothing + Double(i + 1))
            let sim = topRelevance > 0 ? max(0, doc.relevance) / topRelevance : rel
            closest[key] = max(closest[key] ?? 0, sim)
        }
        let evidenced = Set(threads.keys)
        let work = try source.work(of: evidenced, asOf: request.asOf, newest: workSample)
        let topicTags = Set(tags)
        var inTags: [String: Int] = [:]
        for (h, byThread) in threads { inTags[h] = byThread.values.filter { $0.doc.tags.contains(where: topicTags.contains) }.count }
        var raw: [String: [ExpertSignal: Double]] = [:]
        let hourNow = hourOfDay(request.asOf ?? now)
        for (h, byThread) in threads {
            // In a fixed order, so that equal scores stay equal from run to run.
            let linked = byThread.values.sorted { $0.doc.id.description < $1.doc.id.description }
            var total = 0.0, active = 0.0, answers = 0.0, accepted = 0.0
            // Who is usually around at this time of day: their dated work near this hour.
            var dated = 0, near = 0
            for sample in work[h] ?? [] where !sample.newest.isEmpty {
                for c in sample.newest {
                    guard let d = c.date else { continue }
                    dated += 1
                    let diff = abs(hourOfDay(d) - hourNow)
                    if min(diff, 24 - diff) <= hourWindow { near += 1 }
                }
                let weights = sample.newest.map(\.how.weight)
                let scale = 1 + Double(sample.older) / Double(sample.newest.count)
                total += weights.reduce(0, +) * scale
                active += sample.newest.reduce(0) { $0 + recency.weight($1.date) }
                active += Double(sample.older) * recency.meanWeight(from: sample.first, to: sample.newest.last?.date)
                let answered = sample.newest.filter { $0.how == .answered || $0.how == .acceptedAnswer }
                answers += Double(answered.count) * scale
                accepted += Double(answered.filter { $0.how == .acceptedAnswer }.count) * scale
            }
            // p(d|m)'s denominator is all of m's work (at least what the evidence links to m).
            total = max(total, linked.reduce(0) { $0 + $1.how.weight })
            var similar = 0.0, recent = 0.0
            for l in linked {
                similar += closest[l.doc.thread ?? l.doc.id] ?? 0
                recent += l.text * recency.weight(l.doc.date)
            }
            // Smoothed towards an even spread over the day, so that two contributions say little.
            let even = 2 * hourWindow / 24
            let availability = (Double(near) + shareSmoothing * even) / (Double(dated) + shareSmoothing) / even
            raw[h] = [
                .focus: linked.reduce(0) { $0 + $1.score } / (total + shareSmoothing),
                .text: linked.reduce(0) { $0 + $1.text },
                .tags: log(1 + Double(inTags[h] ?? 0)),
                .activity: log(1 + active),
                .volume: log(1 + total),
                // Smoothed towards none, so one accepted answer of one says little.
                .acceptance: accepted / (answers + 2),
                .similar: similar,
                .recent: log(1 + recent),
                .availability: availability,
            ]
        }
        var top: [ExpertSignal: Double] = [:]
        for signals in raw.values { for (k, v) in signals { top[k] = max(top[k] ?? 0, v) } }
        let facts = try source.memberFacts(handles: evidenced, tags: tags)
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
            let endorsed = m.endorsements.values.reduce(0.0) { $0 + log(1 + Double($1)) }
            var signals: [ExpertSignal: Double] = [.skills: skill, .endorsements: endorsed]
            for (k, v) in raw[m.handle] ?? [:] where v > 0 {
                // Acceptance is a rate already; the rest are scaled to the strongest candidate.
                signals[k] = k == .acceptance ? v : v / (top[k] ?? 1)
            }
            // The evidence shown is what carried the text score, strongest first.
            let linked = (threads[m.handle] ?? [:]).values.sorted { ($0.text, $1.doc.id.description) > ($1.text, $0.doc.id.description) }
            let evidenceScore = evidenceScale * (signals[.focus] ?? 0)
            var e = Expert(member: m, score: 0, evidenceScore: evidenceScore, skillScore: skill, endorsementScore: endorsed * 0.3,
                           evidence: linked.prefix(3).map { ($0.doc, $0.how) }, evidenceCount: linked.count)
            e.tagWork = inTags[m.handle] ?? 0
            e.signals = signals
            experts.append(e)
        }
        return experts
    }

    /// Hours since midnight (UTC, which does not matter: a member's habits and the moment asked
    /// are read on the same clock).
    static func hourOfDay(_ t: Timestamp) -> Double {
        Double(((t.seconds % 86_400) + 86_400) % 86_400) / 3_600
    }

    /// How much activity on a given date counts in the prior: half for a date a tenth of the
    /// evidence's span ago (`halfLifeShare`), half also for an undated one.
    struct Recency {
        let reference: Timestamp
        let halfLife: Double

        init(reference: Timestamp, dates: [Timestamp]) {
            self.reference = reference
            let start = min(dates.min() ?? reference, reference)
            halfLife = max(1, Double(reference.seconds - start.seconds) * ExpertRanker.halfLifeShare)
        }

        func age(_ date: Timestamp) -> Double { max(0, Double(reference.seconds - date.seconds)) }

        func weight(_ date: Timestamp?) -> Double {
            guard let date else { return 0.5 }
            return pow(0.5, age(date) / halfLife)
        }

        /// The mean weight of dates spread evenly between two dates.
        func meanWeight(from first: Timestamp?, to last: Timestamp?) -> Double {
            guard let last else { return 0.5 }
            let newer = age(last), older = max(first.map(age) ?? newer, newer)
            guard older - newer > 1 else { return weight(last) }
            return halfLife / log(2) * (pow(0.5, newer / halfLife) - pow(0.5, older / halfLife)) / (older - newer)
        }
    }
}
