import Foundation

// The results of the `Community` use cases: the same facts for a screen, JSON and protocols.
// Each encodes to the JSON the shell writes with --json (keys sorted by the encoder). Where a
// screen needs more than the JSON says (marked words, reasons), the view also carries the
// domain value it was made from, which is not encoded.

/// A hit as JSON shows it: the same facts as the screen, without terminal marks.
public struct HitView: Codable, Equatable, Sendable {
    public var n: Int
    public var id: String
    public var type: String
    public var title: String
    public var snippet: String
    public var matches: [String]
    public var tags: [String]
    public var score: Double?
    public var detail: String?
    public var status: String?

    public init(_ hit: SearchHit, n: Int) {
        self.n = n
        id = hit.ref.description
        type = hit.ref.type.rawValue
        title = Highlight.plain(hit.title)
        snippet = Highlight.plain(hit.snippet)
        let matched = (Highlight.segments(hit.title) + Highlight.segments(hit.snippet)).filter(\.match).map { $0.text.lowercased() }
        var seen = Set<String>()
        matches = matched.filter { seen.insert($0).inserted }
        tags = hit.tags
        // bm25 is negative, better is lower; publish higher-is-better.
        score = hit.score == 0 ? nil : -hit.score
        detail = hit.detail
        status = hit.status
    }

    /// Hits numbered from 1.
    public static func numbered(_ hits: [SearchHit]) -> [HitView] {
        hits.enumerated().map { HitView($1, n: $0 + 1) }
    }

    /// What the hit points at.
    public var ref: EntryRef? { EntryRef(id) }
}

/// A search or a listing: the query as typed and what it found.
public struct ResultsView: Codable, Equatable, Sendable {
    public var query: String
    public var hits: [HitView]
    public var more: Bool
    public var suggestions: [String]
    public var notes: [String]
    /// Said before the hits when the search was relaxed: "no entry has all 9 words; closest matches:".
    public var notice: String?
    /// The hits with matched words marked, for screens.
    public var results: SearchResults { _results ?? SearchResults(hits: []) }
    private var _results: SearchResults?

    enum CodingKeys: String, CodingKey { case query, hits, more, suggestions, notes, notice }

    public init(query: String, results: SearchResults, notice: String? = nil) {
        self.notice = notice
        self.query = query
        hits = HitView.numbered(results.hits)
        more = results.more
        suggestions = results.suggestions
        notes = results.notes
        _results = results
    }
}

/// What `find` did: the results, and whether it found little (see `Community.isWeak`).
public struct FindView: Sendable {
    public var results: ResultsView
    /// Worked out for logged finds only (false otherwise).
    public var weak: Bool
    /// The parsed search.
    public var query: Query
}

/// A tag as a listing shows it.
public struct TagView: Codable, Equatable, Sendable {
    public var name: String
    public var description: String?
    public var aliases: [String]
    public var entries: Int
    public var members: Int

    public init(_ d: TagDetail) {
        name = d.tag.name; description = d.tag.description; aliases = d.tag.aliases
        entries = d.entryCount; members = d.memberCount
    }
}

/// One tag's page: the tag, entries carrying it, members practising it.
public struct TagPageView: Codable, Sendable {
    public var tag: TagView
    public var entries: [HitView]
    public var members: [HitView]
    /// The tag with its counts, for screens.
    public var detail: TagDetail? { _detail }
    private var _detail: TagDetail?

    enum CodingKeys: String, CodingKey { case tag, entries, members }

    public init(detail: TagDetail, entries: [SearchHit], members: [SearchHit]) {
        tag = TagView(detail)
        self.entries = HitView.numbered(entries)
        self.members = HitView.numbered(members)
        _detail = detail
    }
}

/// `who`: the ranked members with scores and why.
public struct WhoView: Codable, Sendable {
    public struct Person: Codable, Equatable, Sendable {
        public var rank: Int
        public var handle: String
        public var name: String
        public var sourceId: String?
        public var organisation: String?
        public var sector: String?
        public var score: Double
        public var scores: [String: Double]
        public var why: Why
    }
    public struct Why: Codable, Equatable, Sendable {
        public var skills: [Skill]
        public var endorsements: [String: Int]
        public var evidence: [Evidence]
        public var evidenceCount: Int
    }
    public struct Evidence: Codable, Equatable, Sendable { public var id: String; public var title: String; public var how: String }

    public var topic: String
    public var members: [Person]
    /// Words of the topic that no entry contains ("no one has written about 'kubeflow'"); absent when none.
    public var unmatched: [String]?
    /// The ranking as the core computed it, for screens (availability, mentoring, reasons).
    public var experts: [Expert] { _experts }
    private var _experts: [Expert] = []

    enum CodingKeys: String, CodingKey { case topic, members, unmatched }

    public init(topic: String, experts: [Expert], unmatched: [String] = []) {
        self.topic = topic
        self.unmatched = unmatched.isEmpty ? nil : unmatched
        _experts = experts
        members = experts.enumerated().map { i, e in
            func r(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
            return Person(rank: i + 1, handle: e.member.handle, name: e.member.name, sourceId: e.member.sourceId,
                          organisation: e.member.organisation, sector: e.member.sector, score: r(e.score),
                          scores: ["evidence": r(e.evidenceScore), "skills": r(e.skillScore), "endorsements": r(e.endorsementScore)],
                          why: Why(skills: e.member.skills, endorsements: e.member.endorsements,
                                   evidence: e.evidence.map { Evidence(id: $0.doc.id.description, title: $0.doc.title, how: $0.how.rawValue) },
                                   evidenceCount: e.evidenceCount))
        }
    }
}

/// A member's profile: who they are, who endorses them, what else their work shows, what they
/// contributed and answered. One assembly for the screen and JSON.
public struct ProfileView: Codable, Sendable {
    public var member: Member
    public var contributions: [HitView]
    /// Endorsers, by tag.
    public var endorsements: [String: [String]]
    /// Tags their work shows that they did not declare as skills, strongest first.
    public var alsoKnows: [String]

    public init(member: Member, contributions: [SearchHit], endorsements: [String: [String]], alsoKnows: [String]) {
        self.member = member
        self.contributions = HitView.numbered(contributions)
        self.endorsements = endorsements
        self.alsoKnows = alsoKnows
    }

    /// Tags they were endorsed for but did not declare, by name.
    public var endorsedUndeclared: [String: [String]] {
        endorsements.filter { t, _ in !member.skills.contains { $0.tag == t } }
    }
}

/// A question with its answers.
public struct QuestionView: Codable, Sendable {
    public var question: Question
    public var answers: [Answer]

    public init(question: Question, answers: [Answer]) { self.question = question; self.answers = answers }
}

/// A resource as `show` gives it. Its JSON is the resource's own.
public struct ResourceView: Codable, Sendable {
    public var resource: Resource

    public init(resource: Resource) { self.resource = resource }
    public init(from decoder: Decoder) throws { resource = try Resource(from: decoder) }
    public func encode(to encoder: Encoder) throws { try resource.encode(to: encoder) }
}

/// A practice as `show` gives it: the practice, what replaced it when retired, and whether its
/// review is overdue. Its JSON is the practice's own (as `show --json` has always written it).
public struct PracticeView: Codable, Sendable {
    public var practice: Practice
    /// The practice that replaced it, when it was retired in favour of another.
    public var replacedBy: EntryID?
    /// Its review date is past.
    public var reviewOverdue: Bool

    public init(practice: Practice, replacedBy: EntryID?, reviewOverdue: Bool) {
        self.practice = practice; self.replacedBy = replacedBy; self.reviewOverdue = reviewOverdue
    }
    public init(from decoder: Decoder) throws {
        practice = try Practice(from: decoder); replacedBy = nil; reviewOverdue = false
    }
    public func encode(to encoder: Encoder) throws { try practice.encode(to: encoder) }
}

/// An answer as `show` gives it: the answer, its question's title, and whether it is the accepted
/// one. Its JSON is the answer's own (as `show --json` has always written it).
public struct AnswerView: Codable, Sendable {
    public var answer: Answer
    public var questionTitle: String
    public var accepted: Bool

    public init(answer: Answer, questionTitle: String, accepted: Bool) {
        self.answer = answer; self.questionTitle = questionTitle; self.accepted = accepted
    }
    public init(from decoder: Decoder) throws {
        answer = try Answer(from: decoder); questionTitle = ""; accepted = false
    }
    public func encode(to encoder: Encoder) throws { try answer.encode(to: encoder) }
}

/// `topics`: one learning goal many share, who could lead it, what to start from.
public struct TopicView: Codable, Sendable {
    public var tag: String
    public var members: Int
    public var learners: [String]
    public var couldLead: WhoView
    public var startFrom: [HitView]
    /// The resources and practices to start from, for screens.
    public var resources: [SearchHit] { _resources }
    private var _resources: [SearchHit] = []

    enum CodingKeys: String, CodingKey { case tag, members, learners, couldLead, startFrom }

    public init(goal: LearningGoal, leaders: [Expert], resources: [SearchHit]) {
        tag = goal.tag; members = goal.learners.count; learners = goal.learners
        couldLead = WhoView(topic: goal.tag, experts: leaders)
        startFrom = HitView.numbered(resources)
        _resources = resources
    }
}

/// `stats`: how the community is doing.
public struct StatsView: Codable, Sendable {
    public struct Span: Codable, Sendable { public var since: String; public var until: String; public var previousSince: String }
    public struct Series: Codable, Sendable { public var months: [String]; public var monthsPerColumn: Int; public var counts: [String: [Int]] }
    public struct Class: Codable, Sendable { public var count: Int; public var percent: Double; public var members: [String] }
    public struct Participation: Codable, Sendable {
        public var members: Int
        public var creators: Class, contributors: Class, readers: Class, searchers: Class, silent: Class
    }
    public struct Contributor: Codable, Sendable { public var handle: String; public var entries: Int; public var answers: Int; public var questions: Int; public var verified: Int; public var endorsements: Int; public var score: Int }
    public struct Count: Codable, Sendable { public var name: String; public var members: Int }
    public struct TagRow: Codable, Sendable { public var tag: String; public var count: Int; public var previous: Int; public var growth: Int }

    public var period: Span
    public var totals: [String: Int]
    public var overTime: Series
    public var participation: Participation
    public var topContributors: [Contributor]
    public var sectors: [Count]
    public var organisations: [Count]
    public var busiestTags: [TagRow]
    public var growingTags: [TagRow]
    /// Attendance at meetings held in the period; absent when none were.
    public var meetings: MeetingParticipation?

    public init(span: Period, counts: StoreCounts, timeline: Timeline, participation p: KnowHowCore.Participation, top: [ContributorTally],
                sectors: [Breakdown], organisations: [Breakdown], busiest: [TagCount], growing: [TagCount], searches: Int) {
        period = Span(since: span.start.description, until: span.end.description, previousSince: span.previous.start.description)
        totals = ["members": counts.members, "resources": counts.resources, "practices": counts.practices,
                  "questions": counts.questions, "answers": counts.answers, "tags": counts.tags, "searchesInPeriod": searches]
        overTime = Series(months: timeline.buckets.map(\.description), monthsPerColumn: timeline.monthsPerBucket,
                          counts: Dictionary(uniqueKeysWithValues: timeline.counts.map { ($0.key.rawValue, $0.value) }))
        func cls(_ m: [String]) -> Class { Class(count: m.count, percent: p.percent(m.count), members: m) }
        participation = Participation(members: p.members, creators: cls(p.creators), contributors: cls(p.contributors),
                                      readers: cls((p.searchers + p.silent).sorted()), searchers: cls(p.searchers), silent: cls(p.silent))
        topContributors = top.map { Contributor(handle: $0.handle, entries: $0.created, answers: $0.answered, questions: $0.asked,
                                                verified: $0.verified, endorsements: $0.endorsed, score: $0.score) }
        self.sectors = sectors.map { Count(name: $0.name, members: $0.members) }
        self.organisations = organisations.map { Count(name: $0.name, members: $0.members) }
        busiestTags = busiest.map { TagRow(tag: $0.tag, count: $0.count, previous: $0.previous, growth: $0.growth) }
        growingTags = growing.map { TagRow(tag: $0.tag, count: $0.count, previous: $0.previous, growth: $0.growth) }
    }
}

/// `gaps`: what people look for and do not find.
public struct GapsView: Codable, Sendable {
    public struct Group: Codable, Sendable {
        public var label: String; public var wordings: [String]; public var words: [String]; public var tags: [String]
        public var people: Int; public var searches: Int; public var noResults: Int; public var kinds: [String]; public var lastSeen: String
        public var members: [String]; public var nowFinds: String?
    }
    public struct Open: Codable, Sendable { public var id: String; public var title: String; public var asker: String?; public var asked: String?; public var tags: [String] }
    public struct Demand: Codable, Sendable { public var tag: String; public var want: Int; public var searched: Int; public var asked: Int }
    public var since: String, until: String
    public var searches: Int, unmet: Int
    public var searchGaps: [Group]
    public var unansweredQuestions: [Open]
    public var wantedTags: [Demand]
    /// No search at all was logged in the period (`ask` included), for the screen's wording.
    public var loggedNothing: Bool { _loggedNothing }
    private var _loggedNothing = false

    enum CodingKeys: String, CodingKey { case since, until, searches, unmet, searchGaps, unansweredQuestions, wantedTags }

    public init(span: Period, log: [SearchLogEntry], groups: [SearchGap], filled: [String?], vocabulary: TagVocabulary,
                unanswered: [Question], demand: [TagDemand]) {
        since = span.start.description; until = span.end.description
        _loggedNothing = log.isEmpty
        searches = log.filter { $0.kind != .ask }.count
        unmet = log.filter { $0.unmet && $0.kind != .ask }.count
        searchGaps = groups.enumerated().map { i, g in
            Group(label: g.label, wordings: g.wordings, words: g.words, tags: vocabulary.tags(in: g.wordings.joined(separator: " ")),
                  people: g.people, searches: g.searches, noResults: g.noResults, kinds: g.kinds.map(\.rawValue),
                  lastSeen: g.lastSeen.description, members: g.searchers, nowFinds: i < filled.count ? filled[i] : nil)
        }
        unansweredQuestions = unanswered.map { Open(id: $0.id!.description, title: $0.title, asker: $0.asker, asked: $0.created?.description, tags: $0.tags) }
        wantedTags = demand.map { Demand(tag: $0.tag, want: $0.wanting, searched: $0.searching, asked: $0.questions) }
    }
}

/// `ask`: the new question, who could help, what may already answer it.
public struct AskView: Codable, Sendable {
    /// The new question's id; absent when nothing was recorded (something alike exists).
    public var question: String?
    public var helpers: WhoView
    public var existing: [HitView]
    /// Existing entries that look like the question, closest first, when `ask` checked before
    /// recording (absent when it was told to record regardless).
    public var similar: [HitView]?
    /// The question's title.
    public var title: String { _title }
    private var _title = ""
    /// What may already answer it, with matched words marked, for screens.
    public var related: [SearchHit] { _related }
    private var _related: [SearchHit] = []

    enum CodingKeys: String, CodingKey { case question, helpers, existing, similar }

    public init(question: EntryID?, title: String, helpers: WhoView, related: [SearchHit], similar: [HitView]? = nil) {
        self.question = question?.description
        self.helpers = helpers
        self.similar = similar
        existing = HitView.numbered(related)
        _title = title
        _related = related
    }
}

/// `match`: mentoring suggestions, and skills left without a mentor.
public struct MatchView: Codable, Sendable {
    public struct Pair: Codable, Sendable { public var learner: String; public var mentor: String; public var tag: String; public var score: Double; public var reasons: [String] }
    public struct Left: Codable, Sendable { public var tag: String; public var learners: [String]; public var mentors: Int }
    public var perMentor: Int
    public var perLearner: Int
    public var suggestions: [Pair]
    public var unmatched: [Left]
    /// The one skill asked about, by its name.
    public var tag: String? { _tag }
    private var _tag: String?
    /// The suggestions and skills left as the core computed them, for screens.
    public var pairs: [MentorSuggestion] { _pairs }
    private var _pairs: [MentorSuggestion] = []
    public var left: [UnmatchedLearning] { _left }
    private var _left: [UnmatchedLearning] = []

    enum CodingKeys: String, CodingKey { case perMentor, perLearner, suggestions, unmatched }

    public init(perMentor: Int, perLearner: Int, tag: String?, suggestions: [MentorSuggestion], unmatched: [UnmatchedLearning]) {
        self.perMentor = perMentor; self.perLearner = perLearner; _tag = tag; _pairs = suggestions; _left = unmatched
        self.suggestions = suggestions.map { Pair(learner: $0.learner, mentor: $0.mentor, tag: $0.tag,
                                                  score: ($0.score * 100).rounded() / 100, reasons: $0.reasons) }
        self.unmatched = unmatched.map { Left(tag: $0.tag, learners: $0.learners, mentors: $0.mentors) }
    }
}

/// `stale`: what nobody has changed for a long time.
public struct StaleView: Codable, Sendable {
    public struct Row: Codable, Sendable { public var id: String; public var title: String; public var lastTouched: String; public var contributor: String?; public var reviewBy: String? }
    public var days: Int
    public var since: String
    public var entries: [Row]
    /// Practices untouched as long that have a review date (`review` lists them when due).
    public var withReviewDate: Int
    public var dueForReview: [String]
    /// The entries, for screens.
    public var stale: [UntouchedEntry] { _stale }
    private var _stale: [UntouchedEntry] = []
    /// Untouched since this moment.
    public var cutoff: Timestamp? { _cutoff }
    private var _cutoff: Timestamp?

    enum CodingKeys: String, CodingKey { case days, since, entries, withReviewDate, dueForReview }

    public init(days: Int, cutoff: Timestamp, stale: [UntouchedEntry], withReviewDate: Int, due: [Practice]) {
        self.days = days; since = cutoff.description; self.withReviewDate = withReviewDate; _stale = stale; _cutoff = cutoff
        entries = stale.map { Row(id: $0.id.description, title: $0.title, lastTouched: $0.lastTouched.description,
                                  contributor: $0.contributor, reviewBy: $0.reviewBy?.description) }
        dueForReview = due.compactMap { $0.id?.description }
    }
}

// MARK: - Meetings

/// `show mN`: a meeting, whether it was held yet, and the titles of what it links.
public struct MeetingView: Codable, Sendable {
    public var meeting: Meeting
    public var held: Bool
    public var linkTitles: [String: String]
}

/// `meetings`: the next meetings, planned or not yet, in the viewer's time zone.
public struct UpcomingView: Codable, Sendable {
    public var timeZone: String
    public var occurrences: [Occurrence]
    /// The series looked at.
    public var series: [String]

    public struct Occurrence: Codable, Sendable {
        public var start: Timestamp
        /// The start as the viewer reads it: `Thu 2026-03-12 11:00 GMT`.
        public var when: String
        public var series: String?
        /// The planned meeting's id, nil for a date nobody planned yet.
        public var meeting: String?
        public var title: String?
        public var presenters: [String]
    }
}

/// `meeting plan`: a proposed meeting, before anyone changes or saves it.
public struct MeetingPlanView: Codable, Sendable {
    public var topic: String
    /// Where the topic came from: "a learning goal 4 members share (`topics`)".
    public var because: String
    public var title: String
    public var series: String?
    public var start: Timestamp?
    public var timeZone: String
    public var minutes: Int
    public var place: String?
    public var format: MeetingFormat
    public var presenters: [String]
    /// Who could present, in the order proposed, with why.
    public var candidates: [Candidate]
    /// Presenters, learners of the topic and others with evidence.
    public var invited: [String]
    public var sectors: [Share]
    public var organisations: [Share]
    /// What else the community could meet about: shared goals, unmet searches, unanswered questions.
    public var otherTopics: [String]

    public struct Candidate: Codable, Sendable {
        public var handle: String
        public var name: String
        public var organisation: String?
        public var sector: String?
        public var why: String
    }

    public struct Share: Codable, Sendable {
        public var name: String
        public var members: Int
    }
}

/// One recorded change as `history --json` writes it; `rows` only for one change in full.
public struct ChangeView: Codable, Sendable {
    public var number: Int64
    public var at: Timestamp
    /// The member who made it; nil for the system.
    public var by: String?
    public var action: String
    public var summary: String
    public var undoes: Int64?
    public var undoneBy: Int64?
    public var rows: [Row]?

    public struct Row: Codable, Sendable {
        public var change: String
        public var table: String
        public var key: String
        public var fields: [Field]
    }

    public struct Field: Codable, Sendable {
        public var name: String
        public var before: String?
        public var after: String?
    }

    public init(_ r: ChangeRecord, withRows: Bool = false) {
        number = r.number; at = r.at; by = r.actor; action = r.action; summary = r.summary
        undoes = r.undoes; undoneBy = r.undoneBy
        rows = withRows ? r.details.map { d in
            Row(change: d.kind.rawValue, table: d.table, key: d.key, fields: d.fields.map { Field(name: $0.name, before: $0.before, after: $0.after) })
        } : nil
    }
}

/// `whoami --json`: the member commands act as, their role, and what named them. Every key is
/// always written; all are null when nobody is named.
public struct WhoamiView: Codable, Equatable, Sendable {
    public var handle: String?
    public var name: String?
    /// member, contributor or curator.
    public var role: String?
    /// What named them: `--as`, `KNOWHOW_USER`, the config file, the login name, `set as`…
    public var source: String?

    public init(member: Member?, source: String?) {
        handle = member?.handle; name = member?.name; role = member?.role.rawValue
        self.source = member == nil ? nil : source
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(handle, forKey: .handle); try c.encode(name, forKey: .name)
        try c.encode(role, forKey: .role); try c.encode(source, forKey: .source)
    }
}

/// `config --json`: the store's own settings, kept in the store for everyone.
public struct StoreSettingsView: Codable, Equatable, Sendable {
    /// on, off or anonymous: whether find, who and ask are logged for `gaps` and `stats`.
    public var logging: String
    /// What the logging setting means, as a sentence.
    public var loggingMeans: String

    public init(logging: SearchLogging) { self.logging = logging.rawValue; loggingMeans = logging.explanation }
}
