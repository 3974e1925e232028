import Foundation

/// The use cases of a community, in one place for every front end (the shell, an MCP server, a
/// web page): each parses what it is given, asks the store, applies the community's rules, and
/// returns a view (Views.swift). Who acts travels with each call; now comes from the clock.
///
/// Front ends keep only what is theirs: reading a command line, drawing, numbering results.
public struct Community {
    /// The port this community's facts come from and its changes go to.
    public let store: KnowledgeStore
    /// Now: the system clock, or a frozen time (tests, transcripts).
    public let clock: () -> Timestamp

    public init(store: KnowledgeStore, clock: @escaping () -> Timestamp = { .now }) {
        self.store = store
        self.clock = clock
    }

    public var now: Timestamp { clock() }

    // MARK: - Searching

    /// Searches, logs the search for `actor` (when `log`), and says whether it found little.
    /// A script's searches (`--batch`) pass `log: false`.
    public func find(_ text: String, limit: Int, as actor: String?, log: Bool = true) throws -> FindView {
        if text.contains("\u{FFFD}") {
            throw KnowHowError.emptyQuery("the search text is not valid UTF-8; check your terminal's encoding")
        }
        let query = try QueryParser.parse(text)
        // A sentence: every word but stop words, ranked by BM25F; when too few entries hold them
        // all, the closest follow (Reuse.swift).
        var searched = query
        let sentence = query.symbolWords.isEmpty ? Self.naturalSentence(text, query: query) : nil
        searched.naturalLanguage = sentence != nil
        if let sentence, let node = query.text { searched.text = NaturalQuery.withoutStopWords(node, keeping: sentence.required) }
        searched.explainEmpty = !searched.naturalLanguage
        let exact: SearchResults
        var closest: [SearchHit]?
        if let sentence, sentence.words.count >= Self.coordinatedQueryWords {
            // A pasted title's closest matches are always shown (`relaxed`): found first, they can
            // tell that a word is in no entry, and then no entry has every word, without asking.
            let found = try closestMatches(sentence.words, limit: limit, required: sentence.required)
            closest = found.hits
            exact = found.absentWords.isEmpty ? try store.search(searched, limit: limit) : SearchResults(hits: [])
        } else {
            exact = query.symbolWords.isEmpty ? try store.search(searched, limit: limit) : try searchSymbols(query, limit: limit)
        }
        var (results, notice) = query.symbolWords.isEmpty ? try relaxed(sentence, exact: exact, limit: limit, closest: closest) : (exact, nil)
        if results.hits.isEmpty, !searched.explainEmpty {
            // Nothing close either: why nothing matched, and the nearest words.
            searched.explainEmpty = true
            results = try store.search(searched, limit: limit)
            if results.hits.isEmpty, let sentence, let missing = try missingQuoted(sentence) { results.notes.insert(missing, at: 0) }
        }
        // Logged as the words found it: the closest matches do not fill a gap (`gaps`).
        // A second search, only worth it for the log: a script's finds (`--batch`) skip it.
        let weak = log && isWeak(text, results: exact.hits.count)
        if log { logSearch(.find, text, results: exact.hits.count, weak: weak, as: actor) }
        return FindView(results: ResultsView(query: text, results: results, notice: notice), weak: weak, query: query)
    }

    /// Entries of one type (`members`, `resources`, …), optionally narrowed by a search.
    public func list(_ type: EntryType, matching text: String, limit: Int) throws -> ResultsView {
        let query = text.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try QueryParser.parse(text)
        return ResultsView(query: text, results: try store.list(type, query: query, limit: limit))
    }

    /// Tags, optionally those whose name or alias matches.
    public func listTags(matching text: String, limit: Int) throws -> [TagView] {
        try store.listTags(query: text.isEmpty ? nil : text, limit: limit).map(TagView.init)
    }

    /// The English sentence for a listing that found nothing.
    public static func emptyListNote(_ type: EntryType, matching text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).isEmpty ? "no \(type.plural) yet" : "no \(type.plural) match '\(text)'"
    }

    /// The one definition of a search that found little, used when logging and by `gaps`:
    /// something was found, but no resource, practice or answer holds every significant word.
    /// (Nothing found at all is not weak: it is unmet by itself.)
    public func isWeak(_ text: String, results: Int) -> Bool {
        guard results > 0, let q = SearchLogging.allWordsQuery(text) else { return false }
        return (try? store.search(q, limit: 1))?.hits.isEmpty ?? false
    }

    /// The one place a `find`, `who` or `ask` is logged, as the store's setting says. Logging
    /// never fails the search it records.
    public func logSearch(_ kind: SearchKind, _ text: String, results: Int, weak: Bool, as actor: String?) {
        try? store.logSearch(SearchLogEntry(at: now, kind: kind, query: text, results: results, weak: weak, member: actor))
    }

    // MARK: - People

    /// What `who` asks: a topic (with `sector:` filters), availability, how many.
    public struct WhoRequest: Sendable {
        public var topic: String
        public var availableOnly = false
        public var mentorsOnly = false
        public var limit = 10
        public init(topic: String, availableOnly: Bool = false, mentorsOnly: Bool = false, limit: Int = 10) {
            self.topic = topic; self.availableOnly = availableOnly; self.mentorsOnly = mentorsOnly; self.limit = limit
        }
    }

    /// Who to ask about a topic, leaving out the one asking; logged as a search when `log`.
    public func who(_ request: WhoRequest, as actor: String?, log: Bool = true) throws -> WhoView {
        var r = ExpertQuery(topic: request.topic)
        r.availableOnly = request.availableOnly
        r.mentorsOnly = request.mentorsOnly
        r.sectors = try QueryParser.parse(request.topic).values(of: .sector)
        if let actor { r.exclude.insert(actor) }
        r.limit = request.limit
        let found = try ExpertRanker.find(r, source: store, now: now), experts = found.experts
        if log { logSearch(.who, request.topic, results: experts.count, weak: isWeak(request.topic, results: experts.count), as: actor) }
        return WhoView(topic: request.topic, experts: experts, unmatched: found.unmatched)
    }

    /// The English sentence for a `who` that found nobody.
    public static func nobodyNote(_ topic: String) -> String {
        "nobody's work or skills match '\(topic)' yet; try fewer or broader words, or `find \(topic)`"
    }

    /// How many undeclared tags a profile names, and how much evidence each needs.
    public static let alsoKnowsLimit = 6
    public static let alsoKnowsWeight = 2.0

    /// A member's profile: the one assembly the screen and JSON both show.
    public func profile(_ handle: String) throws -> ProfileView {
        let m = try store.member(handle)
        let contributions = try store.search(Query(text: nil, filters: [Filter(.by, handle)]), limit: 50)
        let declared = Set(m.skills.map(\.tag))
        let alsoKnows = try store.evidenceTags(of: handle, limit: 12)
            .filter { !declared.contains($0.tag) && $0.weight >= Self.alsoKnowsWeight }
            .prefix(Self.alsoKnowsLimit).map(\.tag)
        return ProfileView(member: m, contributions: contributions.hits, endorsements: try store.endorsements(of: handle),
                           alsoKnows: Array(alsoKnows))
    }

    // MARK: - Entries and tags

    /// A question with its answers.
    public func question(_ id: EntryID) throws -> QuestionView {
        QuestionView(question: try store.question(id), answers: try store.answers(to: id))
    }

    public func resource(_ id: EntryID) throws -> ResourceView {
        ResourceView(resource: try store.resource(id))
    }

    /// A practice, what replaced it (when retired), and whether its review is overdue today.
    public func practice(_ id: EntryID) throws -> PracticeView {
        let p = try store.practice(id)
        return PracticeView(practice: p, replacedBy: p.status == .retired ? try store.successor(of: id) : nil,
                            reviewOverdue: p.reviewBy.map { $0 < now.day } ?? false)
    }

    /// An answer with its question's title and whether it is the accepted one.
    public func answer(_ id: EntryID) throws -> AnswerView {
        let a = try store.answer(id)
        let q = try store.question(a.question)
        return AnswerView(answer: a, questionTitle: q.title, accepted: q.acceptedAnswer == id)
    }

    /// A tag's page: its ten busiest entries and members.
    public func tagPage(_ name: String) throws -> TagPageView {
        let d = try store.tag(name)
        let entries = try store.search(Query(text: nil, filters: [Filter(.tag, d.tag.name), Filter(.type, "member", negated: true)]), limit: 10)
        let members = try store.list(.member, query: Query(text: nil, filters: [Filter(.tag, d.tag.name)]), limit: 10)
        return TagPageView(detail: d, entries: entries.hits, members: members.hits)
    }

    /// Existing entries like a draft, closest first.
    public func similar(to draft: Draft, limit: Int) throws -> [SimilarEntry] {
        try store.similar(to: draft, limit: limit)
    }

    // MARK: - Questions, answers, endorsements

    /// Asks a question for `actor`, then finds who could help and what may already answer it
    /// (logged as an `ask` search).
    public func ask(_ title: String, body: String?, tags: [String], as actor: String) throws -> AskView {
        try ask(title: title, body: body, tags: tags, as: actor, force: true)
    }

    /// Answers a question for `actor`.
    public func answer(_ question: EntryID, _ text: String, as actor: String) throws -> EntryID {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw KnowHowError.missingField("the answer text (answer \(question) Your answer…)")
        }
        return try store.answer(Answer(question: question, body: text, author: actor), as: acting(actor))
    }

    /// Accepts an answer for `actor` (the store checks that this is the asker, or a curator); returns its question.
    public func accept(_ answer: EntryID, as actor: String?) throws -> EntryID {
        guard answer.type == .answer else {
            throw KnowHowError.invalidValue(field: "answer", value: answer.description, expected: "an answer id such as a12")
        }
        _ = try store.answer(answer)
        return try store.accept(answer, as: acting(actor))
    }

    /// Endorses (or withdraws an endorsement of) a member's skill for `actor`; the tag may be an
    /// alias. Returns the tag's name and whether anything changed.
    public func endorse(_ member: String, for tag: String, withdraw: Bool = false, as actor: String) throws -> (tag: String, changed: Bool) {
        let name = try store.tag(tag).tag.name
        let changed = withdraw ? try store.withdrawEndorsement(member, tag: name, by: actor, as: acting(actor))
                               : try store.endorse(member, tag: name, by: actor, as: acting(actor))
        return (name, changed)
    }

    // MARK: - Insights

    /// Learning goals at least `minMembers` share, the `limit` most shared, each with who could
    /// lead (as `who` ranks, leaving out its learners) and two entries to start from.
    public func topics(minMembers: Int, limit: Int) throws -> [TopicView] {
        let goals = LearningGoal.shared(try store.allMembers(), minMembers: minMembers).prefix(limit)
        return try goals.map { g in
            let words = g.tag.replacingOccurrences(of: "-", with: " ")
            var who = ExpertQuery(topic: words)
            who.exclude = Set(g.learners)
            who.limit = 3
            let leaders = try ExpertRanker.rank(who, source: store, now: now)
            // A tag of stop words only has no words to rank by: the tag filter alone still finds entries.
            var q = (try? ExpertRanker.relaxedQuery(words)) ?? Query(text: nil)
            q.filters = [Filter(.tag, g.tag), Filter(.type, "resource"), Filter(.type, "practice")]
            let resources = try store.search(q, limit: 2).hits
            return TopicView(goal: g, leaders: leaders, resources: resources)
        }
    }

    /// What people looked for in `span` and did not find, questions nobody answered, and tags
    /// wanted that nobody practises. `checkFilled` groups are searched again to say what they
    /// find now.
    public func gaps(in span: Period, checkFilled: Int) throws -> GapsView {
        let log = try store.searchLog(in: span)
        let groups = SearchGaps.group(log)
        let unanswered = try store.unansweredQuestions()
        let members = try store.allMembers()
        let vocabulary = try store.tagVocabulary()
        let questions = try store.activity(since: span.start).filter { $0.kind == .asked && span.contains($0.at) }.map(\.tags)
        let demand = TagDemand.unmet(members: members, searches: log, questions: questions, vocabulary: vocabulary)
        // A gap someone has filled since: the most common wording now finds an answer.
        let filled: [String?] = try groups.prefix(checkFilled).map { g in
            guard let q = SearchLogging.allWordsQuery(g.label), let hit = try store.search(q, limit: 1).hits.first else { return nil }
            return hit.ref.description
        }
        return GapsView(span: span, log: log, groups: groups, filled: filled, vocabulary: vocabulary,
                        unanswered: unanswered, demand: demand)
    }

    /// Mentoring pairs: learners with experts who mentor, at most `perMentor` for a mentor and
    /// `perLearner` for a learner; with `tag`, only that skill counts.
    public func match(tag: String?, perMentor: Int, perLearner: Int) throws -> MatchView {
        guard (1...50).contains(perMentor), (1...50).contains(perLearner) else {
            throw KnowHowError.invalidValue(field: "--per-mentor/--per-learner", value: "\(perMentor)/\(perLearner)", expected: "numbers from 1 to 50")
        }
        var members = try store.allMembers()
        var only: String?
        if let tag {
            only = try store.tag(tag).tag.name
            // Only that skill counts: learners and mentors of other skills do not compete for the same slots.
            members = members.map { m in
                var m = m
                m.skills = m.skills.filter { $0.tag == only }
                m.interests = m.interests.filter { $0 == only }
                return m
            }
        }
        let (suggestions, unmatched) = MentorMatcher.suggest(members, perMentor: perMentor, perLearner: perLearner)
        return MatchView(perMentor: perMentor, perLearner: perLearner, tag: only, suggestions: suggestions, unmatched: unmatched)
    }

    /// Resources and practices nobody touched for `days`, oldest first, leaving practices with a
    /// review date to `review`.
    public func stale(days: Int) throws -> StaleView {
        let cutoff = Timestamp(seconds: now.seconds - Int64(days) * 86_400)
        let untouched = try store.untouched(since: cutoff)
        let stale = untouched.filter { $0.reviewBy == nil }
        let due = try store.dueForReview(within: 30, today: now.day)
        return StaleView(days: days, cutoff: cutoff, stale: stale, withReviewDate: untouched.count - stale.count, due: due)
    }

    /// The facts `stats` draws, for `span`; top lists hold `limit` rows. `sinceGiven` says whether
    /// the period's start was asked for (else the timeline starts at the first activity).
    public func stats(in span: Period, limit: Int, sinceGiven: Bool) throws -> StatsReport {
        let members = try store.allMembers()
        let activity = try store.activity(since: nil)
        let counts = try store.counts()
        let from = sinceGiven ? Month(span.start) : (activity.first.map { Month($0.at) } ?? Month(span.start))
        let tagCounts = TagCount.measure(activity, in: span)
        return StatsReport(
            span: span, counts: counts,
            timeline: Timeline.make(activity.filter { $0.at <= span.end }, from: min(from, Month(span.end)), through: Month(span.end)),
            participation: Participation.measure(members: members, activity: activity, in: span),
            top: ContributorTally.top(activity, in: span, limit: limit),
            sectors: Breakdown.of(members.map(\.sector)), organisations: Breakdown.of(members.map(\.organisation)),
            busiest: TagCount.busiest(tagCounts, limit: limit), growing: TagCount.growing(tagCounts, limit: limit),
            searches: activity.filter { $0.kind == .searched && span.contains($0.at) }.count,
            meetings: try meetingParticipation(in: span))
    }
}

/// What `stats` computes; `view` is its JSON.
public struct StatsReport: Sendable {
    public var span: Period
    public var counts: StoreCounts
    public var timeline: Timeline
    public var participation: Participation
    public var top: [ContributorTally]
    public var sectors: [Breakdown]
    public var organisations: [Breakdown]
    public var busiest: [TagCount]
    public var growing: [TagCount]
    /// Searches logged in the period.
    public var searches: Int
    /// Who attended and presented at meetings held in the period.
    public var meetings: MeetingParticipation

    public var view: StatsView {
        var v = StatsView(span: span, counts: counts, timeline: timeline, participation: participation, top: top, sectors: sectors,
                          organisations: organisations, busiest: busiest, growing: growing, searches: searches)
        v.meetings = meetings.meetings > 0 ? meetings : nil
        return v
    }
}
