import Foundation
import Testing
@testable import KnowHowCore

private func t(_ s: String) -> Timestamp { Timestamp(s)! }

private func search(_ q: String, _ who: String?, _ at: String, results: Int = 0, weak: Bool = false,
                    kind: SearchKind = .find) -> SearchLogEntry {
    SearchLogEntry(at: t(at), kind: kind, query: q, results: results, weak: weak, member: who)
}

private func member(_ h: String, org: String? = nil, sector: String? = nil, zone: String? = nil, mentoring: Bool = false,
                    joined: String? = nil, skills: [(String, SkillLevel)] = [], interests: [String] = []) -> Member {
    Member(handle: h, name: h.capitalized, organisation: org, sector: sector, timeZone: zone, mentoring: mentoring,
           joined: joined.flatMap(Day.init), skills: skills.map { Skill(tag: $0.0, level: $0.1) }, interests: interests)
}

// MARK: - Participation

struct InsightParticipationTests {
    let year = Period(start: t("2026-01-01"), end: t("2026-12-31T23:59:59Z"))

    @Test func eachMemberIsInTheHighestClassReached() {
        let members = ["ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ida", "jo"].map { member($0) }
        let activity = [
            Activity(.contributed, member: "ann", at: t("2026-03-01")),
            Activity(.searched, member: "ann", at: t("2026-03-02")),       // a creator who also searched
            Activity(.authored, member: "bob", at: t("2026-04-01")),       // co-authors create too
            Activity(.answered, member: "cat", at: t("2026-05-01")),
            Activity(.asked, member: "cat", at: t("2026-05-02")),
            Activity(.verified, member: "dan", at: t("2026-06-01")),
            Activity(.endorsed, member: "eve", at: t("2026-06-02")),
            Activity(.searched, member: "fay", at: t("2026-07-01")),
            Activity(.searched, member: "fay", at: t("2026-07-02")),
            Activity(.searched, member: nil, at: t("2026-07-03")),         // anonymous: nobody's class
            Activity(.contributed, member: "gus", at: t("2025-12-31")),    // before the period
            Activity(.searched, member: "gus", at: t("2026-02-01")),
            Activity(.joined, member: "hal", at: t("2026-02-01")),         // joining is not taking part
            Activity(.contributed, member: "stranger", at: t("2026-03-01")),
        ]
        let p = Participation.measure(members: members, activity: activity, in: year)
        #expect(p.members == 10)
        #expect(p.creators == ["ann", "bob"])
        #expect(p.contributors == ["cat", "dan", "eve"])
        #expect(p.searchers == ["fay", "gus"])
        #expect(p.silent == ["hal", "ida", "jo"])
        #expect(p.readers == 5)
        #expect(p.percent(p.creators.count) == 20)
        #expect(p.percent(p.readers) == 50)
        #expect(p.creators.count + p.contributors.count + p.readers == p.members)
    }

    @Test func membersWhoJoinedAfterThePeriodAreNotCounted() {
        let members = [member("old", joined: "2020-05-01"), member("new", joined: "2027-02-01"), member("undated")]
        let p = Participation.measure(members: members, activity: [], in: year)
        #expect(p.members == 2)
        #expect(p.silent == ["old", "undated"])
    }

    @Test func oneNineNinety() {
        // 1 creator, 9 contributors, 90 readers: the pattern the screen compares with.
        let members = (1...100).map { member(String(format: "m%03d", $0)) }
        var activity = [Activity(.contributed, member: "m001", at: t("2026-02-01"))]
        activity += (2...10).map { Activity(.answered, member: String(format: "m%03d", $0), at: t("2026-02-01")) }
        activity += (11...40).map { Activity(.searched, member: String(format: "m%03d", $0), at: t("2026-02-01")) }
        let p = Participation.measure(members: members, activity: activity, in: year)
        #expect([p.percent(p.creators.count), p.percent(p.contributors.count), p.percent(p.readers)] == [1, 9, 90])
        #expect(p.searchers.count == 30 && p.silent.count == 60)
    }

    @Test func topContributorsWeighEntriesOverAnswersOverTheRest() {
        let activity = [
            Activity(.contributed, member: "ann", at: t("2026-03-01")),
            Activity(.answered, member: "bob", at: t("2026-03-01")),
            Activity(.asked, member: "bob", at: t("2026-03-01")),
            Activity(.answered, member: "cat", at: t("2026-03-01")),
            Activity(.searched, member: "dan", at: t("2026-03-01")),
            Activity(.contributed, member: "eve", at: t("2025-03-01")),
        ]
        let top = ContributorTally.top(activity, in: year, limit: 5)
        #expect(top.map(\.handle) == ["ann", "bob", "cat"])
        #expect(top.map(\.score) == [3, 3, 2])
    }
}

// MARK: - Periods, timelines, tags

struct InsightPeriodTests {
    let now = t("2026-11-25T12:00:00Z")

    @Test func defaultIsTheYearUpToNow() throws {
        let p = try Period.parse(since: nil, until: nil, now: now)
        #expect(p.start == t("2025-11-25T12:00:00Z") && p.end == now)
        #expect(p.previous.end.seconds == p.start.seconds - 1)
        #expect(p.previous.end.seconds - p.previous.start.seconds == p.end.seconds - p.start.seconds)
    }

    @Test(arguments: [("90d", "2026-08-27T12:00:00Z"), ("2w", "2026-11-11T12:00:00Z"), ("6m", "2026-05-25T12:00:00Z"),
                      ("1y", "2025-11-25T12:00:00Z"), ("2026-03-01", "2026-03-01T00:00:00Z")])
    func since(_ c: (String, String)) throws {
        #expect(try Period.parse(since: c.0, until: nil, now: now).start == t(c.1))
    }

    @Test func anUntilDayIncludesTheWholeDay() throws {
        let p = try Period.parse(since: "2026-01-01", until: "2026-06-30", now: now)
        #expect(p.contains(t("2026-06-30T23:59:59Z")) && !p.contains(t("2026-07-01T00:00:00Z")))
    }

    @Test func monthsBeforeKeepsToTheMonth() {
        #expect(Period.monthsBefore(t("2026-03-31T08:00:00Z"), 1) == t("2026-02-28T08:00:00Z"))
        #expect(Period.monthsBefore(t("2026-01-15T00:00:00Z"), 13) == t("2024-12-15T00:00:00Z"))
    }

    @Test(arguments: [("yesterday", nil), ("0d", nil), ("6q", nil), ("2027-01-01", nil)] as [(String, String?)])
    func badSinceIsRefused(_ c: (String, String?)) {
        #expect(throws: KnowHowError.self) { try Period.parse(since: c.0, until: c.1, now: now) }
    }

    @Test func timelineCountsByMonthAndBucketsLongSpans() {
        let activity = [
            Activity(.joined, member: "a", at: t("2026-01-05")), Activity(.joined, member: "b", at: t("2026-01-20")),
            Activity(.contributed, member: "a", at: t("2026-03-01")), Activity(.searched, member: nil, at: t("2026-03-31T23:00:00Z")),
            Activity(.authored, member: "b", at: t("2026-03-01")),  // not a new entry
            Activity(.asked, member: "a", at: t("2025-12-31")),    // before the span
        ]
        let monthly = Timeline.make(activity, from: Month(year: 2026, month: 1), through: Month(year: 2026, month: 4))
        #expect(monthly.buckets.map(\.description) == ["2026-01", "2026-02", "2026-03", "2026-04"])
        #expect(monthly.counts[.joined] == [2, 0, 0, 0])
        #expect(monthly.counts[.entries] == [0, 0, 1, 0])
        #expect(monthly.counts[.searches] == [0, 0, 1, 0])
        #expect(monthly.counts[.questions] == [0, 0, 0, 0])
        let quarterly = Timeline.make(activity, from: Month(year: 2026, month: 1), through: Month(year: 2026, month: 4), maxColumns: 2)
        #expect(quarterly.monthsPerBucket == 2 && quarterly.counts[.joined] == [2, 0] && quarterly.counts[.entries] == [0, 1])
    }

    @Test func tagsGrowAgainstThePeriodBefore() {
        let p = Period(start: t("2026-07-01"), end: t("2026-12-31T23:59:59Z"))
        let activity = [
            Activity(.contributed, member: "a", at: t("2026-08-01"), tags: ["ai", "supervision"]),
            Activity(.asked, member: "b", at: t("2026-09-01"), tags: ["ai"]),
            Activity(.answered, member: "c", at: t("2026-09-02"), tags: ["ai"]),
            Activity(.endorsed, member: "c", at: t("2026-09-02"), tags: ["ai"]),  // endorsing is not using a tag
            Activity(.contributed, member: "a", at: t("2026-02-01"), tags: ["supervision", "onboarding"]),
            Activity(.contributed, member: "a", at: t("2026-03-01"), tags: ["onboarding"]),
        ]
        let counts = TagCount.measure(activity, in: p)
        #expect(TagCount.busiest(counts, limit: 5).map { "\($0.tag) \($0.count)" } == ["ai 3", "supervision 1"])
        #expect(TagCount.growing(counts, limit: 5).map { "\($0.tag) +\($0.growth)" } == ["ai +3"])
        #expect(counts.first { $0.tag == "onboarding" }?.growth == -2)
    }

    @Test func organisationsThatDifferOnlyInASuffixAreOne() {
        let b = Breakdown.of(["Fernhill Digital", "Fernhill Digital Ltd", "fernhill digital", "Lattice", nil, " "])
        #expect(b == [Breakdown(name: "Fernhill Digital", members: 3), Breakdown(name: "not given", members: 2),
                      Breakdown(name: "Lattice", members: 1)])
    }
}

// MARK: - Gaps

struct InsightGapTests {
    @Test(arguments: [
        ("Autism assessment", ["assess", "autism"]),
        ("assessing autism", ["assess", "autism"]),
        ("autism assessments", ["assess", "autism"]),
        ("How do I write a grant application?", ["application", "grant", "writ"]),
        ("grant writing", ["grant", "writ"]),
        ("writer's grants", ["grant", "writ"]),
        ("lone working policies tag:safeguarding -draft", ["lone", "policy", "work"]),
        ("\"lone working\" OR lone-worker", ["lone", "work"]),
        ("the of and", []),
        ("cases notes", ["case", "note"]),
    ])
    func normalise(_ c: (String, [String])) {
        #expect(SearchGaps.normalise(c.0) == c.1)
    }

    @Test func similarWordingsGroupAndDifferentOnesDoNot() {
        let log = [
            search("autism assessment", "ann", "2026-06-01"),
            search("autism assessments", "bob", "2026-06-02"),
            search("assessing autism in adults", "cat", "2026-06-03"),
            search("autsim assessment", "dan", "2026-06-04"),   // a typo
            search("autism", "eve", "2026-06-05"),              // one shared word is not enough
            search("assessment", "fay", "2026-06-06"),
            search("lone working policy", "ann", "2026-06-07"),
            search("policy for lone working", "gus", "2026-06-08"),
            search("lone worker safety", "hal", "2026-06-09"),
            search("lone worker safety app", "hal", "2026-06-09T10:00:00Z"),  // joins through the one before
            search("grant writing", "ann", "2026-06-10"),
            search("writing grant applications", "bob", "2026-06-11"),
        ]
        let groups = SearchGaps.group(log)
        let byLabel = Dictionary(uniqueKeysWithValues: groups.map { ($0.label, $0) })
        #expect(byLabel["autism assessment"]?.wordings.sorted() == ["assessing autism in adults", "autism assessment", "autism assessments", "autsim assessment"])
        #expect(byLabel["autism"]?.searches == 1)
        #expect(byLabel["assessment"]?.searches == 1)
        #expect(byLabel["lone working policy"]?.searches == 4 && byLabel["lone working policy"]?.people == 3)
        #expect(byLabel["grant writing"]?.searches == 2)
        #expect(groups.count == 5)
        #expect(groups.first?.label == "autism assessment")
    }

    @Test func onePersonRepeatingASearchCountsOnce() {
        var log = (1...6).map { search("property based testing", "mateo", "2026-09-0\($0)") }
        log += [search("mutation testing", "ann", "2026-09-01"), search("mutation testing", "bob", "2026-09-02")]
        let groups = SearchGaps.group(log)
        let pbt = groups.first { $0.label == "property based testing" }!
        #expect(pbt.searches == 6 && pbt.people == 1 && pbt.searchers == ["mateo"])
        #expect(pbt.lastSeen == t("2026-09-06"))
        // Two people once each outrank one person six times.
        #expect(groups.map(\.label) == ["mutation testing", "property based testing"])
    }

    @Test func anonymousSearchesCountOnceADay() {
        let log = [
            search("menopause policy", nil, "2026-09-01T09:00:00Z"), search("menopause policy", nil, "2026-09-01T15:00:00Z"),
            search("menopause policy", nil, "2026-09-02T09:00:00Z"), search("menopause policy", "ann", "2026-09-02T10:00:00Z"),
        ]
        #expect(SearchGaps.group(log).first?.people == 3)
    }

    @Test func onlyUnmetFindAndWhoSearchesAreGaps() {
        let log = [
            search("supervision", "ann", "2026-06-01", results: 10),                 // found
            search("user research", "bob", "2026-06-02", results: 3, weak: true),   // only people came back
            search("user research", "cat", "2026-06-03", results: 2, weak: true, kind: .who),
            search("How do we write a grant bid?", "dan", "2026-06-04", kind: .ask), // a question: counted there
        ]
        let groups = SearchGaps.group(log)
        #expect(groups.count == 1)
        #expect(groups[0].label == "user research" && groups[0].people == 2 && groups[0].noResults == 0)
        #expect(groups[0].kinds == [.find, .who])
    }

    @Test func wantedTagsNobodyPractises() {
        let members = [
            member("ann", skills: [("case-recording", .learning), ("supervision", .expert)], interests: ["feedback"]),
            member("bob", skills: [("feedback", .learning)], interests: ["supervision"]),
            member("cat", skills: [("retrospectives", .practising)]),
        ]
        let vocabulary = TagVocabulary(["case-recording": "case-recording", "feedback": "feedback", "supervision": "supervision",
                                        "retrospectives": "retrospectives", "retros": "retrospectives", "peer-assist": "peer-assist"])
        let searches = [search("case recording templates", "dan", "2026-06-01", results: 1),
                        search("case recording templates", "dan", "2026-06-02", results: 1),
                        search("retros for big groups", "eve", "2026-06-03"),
                        search("peer assist", "fay", "2026-06-04", results: 2)]
        let demand = TagDemand.unmet(members: members, searches: searches, questions: [["peer-assist"], ["supervision"]], vocabulary: vocabulary)
        #expect(demand.map { "\($0.tag) \($0.wanting)/\($0.searching)/\($0.questions)" } == ["case-recording 1/1/0", "feedback 2/0/0", "peer-assist 0/1/1"])
    }

    @Test func vocabularyFindsTagsInWordsAndRuns() {
        let v = TagVocabulary(["social-care": "social-care", "data-literacy": "data-literacy", "induction": "onboarding", "python": "python"])
        #expect(v.tags(in: "Data literacy for social care") == ["data-literacy", "social-care"])
        #expect(v.tags(in: "inductions in Python") == ["onboarding", "python"])
        #expect(v.tags(in: "nothing here") == [])
    }

    @Test func allWordsQueryLeavesOutStopWordsAndPeople() throws {
        let q = try #require(SearchLogging.allWordsQuery("who knows about lone working?"))
        #expect(q.text == .and([.term("lone"), .term("working")]))
        #expect(q.types == [.resource, .practice, .answer])
        #expect(SearchLogging.allWordsQuery("the of") == nil)
    }
}

// MARK: - Topics and mentoring

struct InsightMatchingTests {
    @Test func learningGoalsCountEachMemberOnce() {
        let members = [
            member("ann", skills: [("python", .learning)], interests: ["python", "coaching"]),
            member("bob", interests: ["python"]),
            member("cat", skills: [("python", .expert)], interests: ["python"]),  // already able
            member("dan", interests: ["coaching"]),
        ]
        let goals = LearningGoal.shared(members)
        #expect(goals.map { "\($0.tag) \($0.learners)" } == ["coaching [\"ann\", \"dan\"]", "python [\"ann\", \"bob\"]"])
    }

    @Test func oneMentorIsNotSuggestedToEveryone() {
        var members = [member("liam", org: "Civic Data", sector: "research", mentoring: true, skills: [("data-literacy", .expert)])]
        members += (1...6).map { member("l\($0)", org: "Org \($0)", sector: "health", interests: ["data-literacy"]) }
        let (pairs, unmatched) = MentorMatcher.suggest(members, perMentor: 3)
        #expect(pairs.count == 3)
        #expect(Set(pairs.map(\.mentor)) == ["liam"])
        #expect(unmatched.count == 1 && unmatched[0].learners.count == 3 && unmatched[0].mentors == 1)
    }

    @Test func loadSpreadsAcrossMentorsBeforeTheLimit() {
        // Ann is the better fit for everyone (another organisation: 2.0 against Bob's 1.0); the load
        // penalty (0.75 a pair) still sends the third learner to Bob.
        let members = [
            member("ann", org: "Elsewhere", sector: "health", mentoring: true, skills: [("coaching", .expert)]),
            member("bob", org: "Home", sector: "health", mentoring: true, skills: [("coaching", .expert)]),
        ] + (1...4).map { member("l\($0)", org: "Home", sector: "health", interests: ["coaching"]) }
        let (pairs, _) = MentorMatcher.suggest(members, perMentor: 10)
        let load = Dictionary(grouping: pairs, by: \.mentor).mapValues(\.count)
        #expect(pairs.count == 4)
        #expect(load["ann"] == 3 && load["bob"] == 1, "\(load)")
        #expect(pairs.map(\.mentor) == ["ann", "ann", "bob", "ann"])
    }

    @Test func crossOrganisationAndSectorScoreHigher() throws {
        let learner = member("l", org: "Home Ltd", sector: "health", interests: ["coaching"])
        let same = member("a", org: "Home", sector: "health")
        let otherOrg = member("b", org: "Away", sector: "health")
        let otherBoth = member("c", org: "Away", sector: "education")
        let s = try [same, otherOrg, otherBoth].map { try #require(MentorMatcher.score(learner: learner, mentor: $0, tag: "coaching")).0 }
        #expect(s[0] < s[1] && s[1] < s[2])
        #expect(MentorMatcher.score(learner: learner, mentor: learner, tag: "coaching") == nil)
    }

    @Test func nobodyIsPairedWithThemselvesOrTwiceWithOneMentor() {
        let members = [
            member("ann", mentoring: true, skills: [("coaching", .expert), ("python", .expert)], interests: ["coaching"]),
            member("bob", skills: [("python", .learning)], interests: ["coaching"]),
        ]
        let (pairs, _) = MentorMatcher.suggest(members, perMentor: 5, perLearner: 5)
        #expect(pairs.map { "\($0.learner)→\($0.mentor) \($0.tag)" } == ["bob→ann python"])
    }
}

// MARK: - The file and the graph

struct InsightFormatTests {
    @Test func searchLogEntriesLeaveOutDefaults() throws {
        let e = SearchLogEntry(at: t("2026-06-01T09:00:00Z"), kind: .who, query: "python", results: 0)
        let text = String(decoding: try JSONEncoder().encode(e), as: UTF8.self)
        #expect(!text.contains("weak") && !text.contains("member"))
        let back = try JSONDecoder().decode(SearchLogEntry.self, from: Data(text.utf8))
        #expect(back == e)
    }

    @Test func aCommunityFileWithoutSearchesHasNoSearchesKey() throws {
        let empty = String(decoding: try CommunityFile().encoded(), as: UTF8.self)
        #expect(!empty.contains("searches"))
        var file = CommunityFile()
        file.searches = [SearchLogEntry(at: t("2026-06-01T09:00:00Z"), kind: .find, query: "x", results: 1, weak: true, member: "ann")]
        let data = try file.encoded()
        #expect(try CommunityFile.decode(data, path: "f.json") == file)
    }

    @Test func dotQuotesEverythingItIsGiven() {
        #expect(CommunityGraph.quoted(#"Kim "KJ" Lee\"#) == #""Kim \"KJ\" Lee\\""#)
        #expect(CommunityGraph.quoted("two\nlines") == #""two\nlines""#)
        let members = [
            member("ann", org: "A \"quoted\" org", sector: "health", skills: [("coaching", .expert), ("python", .learning)]),
            member("bob", sector: "research", skills: [("coaching", .practising)], interests: ["python"]),
        ]
        let g = CommunityGraph.dot(members)
        #expect(g.members == 2 && g.tags == 1 && g.edges == 2)
        #expect(g.text.contains(##""@ann" -- "#coaching" [label="expert""##))
        #expect(g.text.contains(#"tooltip="A \"quoted\" org, health""#))
        #expect(!g.text.contains("python"))
        let withGoals = CommunityGraph.dot(members, interests: true)
        #expect(withGoals.tags == 2 && withGoals.text.contains(##""@bob" -- "#python" [label="interest", style=dotted]"##))
    }
}
