import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

// MARK: - Fixture

/// A small community written for these tests: 10 members in 6 sectors, 12 resources, 6 practices,
/// 3 questions with 4 answers, 12 tags (some with aliases). Ids are fixed, so tests can name them.
enum Fixture {
    static func t(_ s: String) -> Timestamp { Timestamp(s)! }

    static let tags: [KnowHowCore.Tag] = [
        KnowHowCore.Tag(name: "onboarding", description: "Welcoming and inducting new people", aliases: ["induction", "new-starters"]),
        KnowHowCore.Tag(name: "facilitation", description: "Running meetings and workshops", aliases: ["facilitating"]),
        KnowHowCore.Tag(name: "supervision", description: "Professional supervision"),
        KnowHowCore.Tag(name: "reflective-practice"),
        KnowHowCore.Tag(name: "coaching"),
        KnowHowCore.Tag(name: "mentoring", aliases: ["mentorship"]),
        KnowHowCore.Tag(name: "retrospectives"),
        KnowHowCore.Tag(name: "templates"),
        KnowHowCore.Tag(name: "safeguarding"),
        KnowHowCore.Tag(name: "research-methods"),
        KnowHowCore.Tag(name: "wellbeing"),
        KnowHowCore.Tag(name: "remote-work", aliases: ["remote"]),
    ]

    static let members: [Member] = [
        Member(handle: "kim", name: "Kim Lee", email: "kim@northside.example.org", organisation: "Northside Care Trust",
               sector: "social care", location: "Leeds", timeZone: "Europe/London",
               bio: "Practice lead. I run induction and onboarding for new care workers.", role: .curator,
               mentoring: true, joined: Day("2023-01-10"),
               skills: [Skill(tag: "supervision", level: .expert), Skill(tag: "onboarding", level: .practising)],
               interests: ["coaching"]),
        Member(handle: "sam", name: "Sam Patel", organisation: "University of Leeds", sector: "research",
               bio: "Researcher studying how teams share knowledge.", role: .contributor, joined: Day("2023-02-01"),
               skills: [Skill(tag: "research-methods", level: .expert), Skill(tag: "facilitation", level: .learning)]),
        Member(handle: "ana", name: "Ana Costa", organisation: "St Mary's Hospital", sector: "health",
               bio: "Ward manager with an eye on staff wellbeing.", role: .contributor, mentoring: true,
               skills: [Skill(tag: "wellbeing", level: .expert), Skill(tag: "mentoring", level: .practising)]),
        Member(handle: "joe", name: "Joe Okafor", organisation: "Brightbyte", sector: "engineering",
               bio: "Engineering manager; I facilitate retrospectives.", role: .contributor,
               skills: [Skill(tag: "retrospectives", level: .expert), Skill(tag: "facilitation", level: .expert)]),
        Member(handle: "priya", name: "Priya Shah", organisation: "Learning Works", sector: "learning and development",
               bio: "Trainer and coach.", role: .contributor,
               skills: [Skill(tag: "facilitation", level: .expert), Skill(tag: "coaching", level: .expert)]),
        Member(handle: "tom", name: "Tom Reid", organisation: "Northside Care Trust", sector: "social care",
               bio: "Senior care worker.", skills: [Skill(tag: "safeguarding", level: .practising)]),
        Member(handle: "li", name: "Li Wei", organisation: "Open Data Lab", sector: "research",
               skills: [Skill(tag: "research-methods", level: .practising)]),
        Member(handle: "maria", name: "María González", organisation: "Riverside School", sector: "education",
               bio: "Head of year; runs the school's mentoring programme.",
               skills: [Skill(tag: "mentoring", level: .expert)]),
        Member(handle: "dev", name: "Dev Kumar", email: "dev@example.org", organisation: "Brightbyte", sector: "engineering",
               openToQuestions: false, skills: [Skill(tag: "remote-work", level: .practising)]),
        Member(handle: "zoe", name: "Zoe Adams", organisation: "St Mary's Hospital", sector: "health",
               bio: "Newly qualified nurse.", skills: [Skill(tag: "supervision", level: .learning)],
               interests: ["reflective-practice"]),
    ]

    static func r(_ n: Int64, _ title: String, _ kind: ResourceKind, tags: [String], by: String, authors: [String] = [],
                  url: String? = nil, summary: String? = nil, body: String? = nil,
                  status: ResourceStatus = .active) -> Resource {
        Resource(id: EntryID(.resource, n), title: title, url: url, kind: kind, summary: summary, body: body, tags: tags,
                 contributor: by, authors: authors, created: t("2024-03-0\(n % 9 + 1)T09:00:00Z"),
                 updated: t("2024-04-0\(n % 9 + 1)T10:30:00Z"), status: status)
    }

    static let resources: [Resource] = [
        r(1, "Onboarding checklist for new starters", .template, tags: ["onboarding", "templates"], by: "kim", authors: ["tom"],
          summary: "A one-page checklist for the first two weeks.",
          body: "Covers accounts, introductions, shadowing and a first supervision session."),
        r(2, "Running a good retrospective", .guide, tags: ["retrospectives", "facilitation"], by: "joe",
          summary: "Five steps for a retrospective people look forward to.",
          body: "Set the stage, gather data, generate insights, decide what to do, close. A regular retrospective also helps teams onboard new members quickly."),
        r(3, "Facilitation techniques for remote workshops", .guide, tags: ["facilitation", "remote-work"], by: "priya",
          summary: "Energisers, breakout rooms and check-ins that work online."),
        r(4, "Reflective supervision template", .template, tags: ["supervision", "reflective-practice", "templates"], by: "kim",
          summary: "Questions to structure a reflective supervision session."),
        r(5, "Supervision notes: a short guide", .guide, tags: ["supervision"], by: "zoe",
          summary: "How to write notes that are reflective of what was said, not a transcript of the supervision."),
        r(6, "Mentoring scheme starter kit", .template, tags: ["mentoring", "templates"], by: "ana", authors: ["maria"],
          summary: "Matching forms and a first-meeting agenda for mentors."),
        r(7, "Research methods for practitioners", .course, tags: ["research-methods"], by: "sam",
          url: "https://example.org/research-course", summary: "A free six-week course on small-scale practitioner research."),
        r(8, "Safeguarding refresher slides", .slides, tags: ["safeguarding"], by: "tom",
          summary: "Slides from the 2023 refresher; superseded.", status: .archived),
        r(9, "Wellbeing check-in cards", .tool, tags: ["wellbeing", "facilitation"], by: "ana",
          summary: "Prompt cards to open a team meeting."),
        r(10, "Coaching conversations: the GROW model", .article, tags: ["coaching"], by: "priya",
          url: "https://example.org/grow", summary: "Goal, reality, options, will: a simple coaching structure."),
        r(11, "Remote induction video", .video, tags: ["onboarding", "remote-work"], by: "dev",
          summary: "A ten-minute welcome for people joining remotely."),
        r(12, "Data sharing agreement template", .template, tags: ["research-methods", "templates"], by: "li",
          summary: "Plain-language agreement for sharing research data between partners."),
    ]

    static let practices: [Practice] = [
        Practice(id: EntryID(.practice, 1), title: "Buddy system for onboarding",
                 context: "New care workers felt isolated in their first month.",
                 practice: "Pair every new starter with a buddy from another team for six weeks.",
                 evidence: "Early leavers fell from 9 to 3 in a year.", tags: ["onboarding", "mentoring"],
                 contributor: "tom", status: .verified, verifiedBy: "kim", verifiedAt: t("2024-05-01T12:00:00Z"),
                 reviewBy: Day("2026-05-01"), created: t("2024-02-01T09:00:00Z"), updated: t("2024-05-01T12:00:00Z")),
        Practice(id: EntryID(.practice, 2), title: "Rotate facilitation of team meetings",
                 context: "The same two people always ran meetings.",
                 practice: "Rotate the facilitator role weekly, with a one-page guide.", tags: ["facilitation"],
                 contributor: "joe", status: .proposed, created: t("2024-02-02T09:00:00Z"), updated: t("2024-02-02T09:00:00Z")),
        Practice(id: EntryID(.practice, 3), title: "Monthly reflective supervision in groups",
                 context: "One-to-one supervision was often cancelled.",
                 practice: "Meet monthly in groups of four with a trained facilitator.",
                 evidence: "Attendance rose to 90%.", tags: ["supervision", "reflective-practice"], contributor: "zoe",
                 status: .verified, verifiedBy: "kim", verifiedAt: t("2024-06-01T12:00:00Z"),
                 created: t("2024-02-03T09:00:00Z"), updated: t("2024-06-01T12:00:00Z")),
        Practice(id: EntryID(.practice, 4), title: "Pre-mortems before research projects",
                 context: "Projects failed for reasons everyone had suspected.",
                 practice: "Imagine the project has failed and list why, before starting.", tags: ["research-methods"],
                 contributor: "sam", status: .proposed, created: t("2024-02-04T09:00:00Z"), updated: t("2024-02-04T09:00:00Z")),
        Practice(id: EntryID(.practice, 5), title: "Shadowing before solo visits",
                 context: "Induction used to be two days of slides.",
                 practice: "New workers shadow three visits before making one alone.", tags: ["onboarding", "safeguarding"],
                 contributor: "kim", status: .retired, created: t("2024-02-05T09:00:00Z"), updated: t("2024-02-05T09:00:00Z")),
        Practice(id: EntryID(.practice, 6), title: "Mentoring circles across sectors",
                 context: "Mentors ran out of time for one-to-one pairs.",
                 practice: "Groups of five mentees meet one mentor monthly.", tags: ["mentoring", "coaching"],
                 contributor: "maria", status: .verified, verifiedBy: "priya", verifiedAt: t("2023-07-01T12:00:00Z"),
                 reviewBy: Day("2024-01-31"), created: t("2023-06-01T09:00:00Z"), updated: t("2023-07-01T12:00:00Z")),
    ]

    static let questions: [Question] = [
        Question(id: EntryID(.question, 1), title: "How do you run onboarding for remote staff?",
                 body: "Our new starters work from home from day one.", tags: ["onboarding", "remote-work"], asker: "dev",
                 created: t("2024-07-01T08:00:00Z"), score: 3, acceptedAnswer: EntryID(.answer, 1)),
        Question(id: EntryID(.question, 2), title: "Good icebreakers for facilitation of large groups?",
                 tags: ["facilitation"], asker: "sam", created: t("2024-07-02T08:00:00Z"), score: 1),
        Question(id: EntryID(.question, 3), title: "How often should supervision happen for new managers?",
                 tags: ["supervision"], asker: "zoe", created: t("2024-07-03T08:00:00Z")),
    ]

    static let answers: [Answer] = [
        Answer(id: EntryID(.answer, 1), question: EntryID(.question, 1),
               body: "Send the laptop early and book a video call with a buddy every day of the first week.",
               author: "kim", created: t("2024-07-01T10:00:00Z"), score: 5),
        Answer(id: EntryID(.answer, 2), question: EntryID(.question, 1),
               body: "We recorded a short welcome video; see r11.", author: "dev", created: t("2024-07-01T11:00:00Z")),
        Answer(id: EntryID(.answer, 3), question: EntryID(.question, 2),
               body: "Try the 1-2-4-All structure from Liberating Structures.", author: "priya",
               created: t("2024-07-02T09:00:00Z")),
        Answer(id: EntryID(.answer, 4), question: EntryID(.question, 3),
               body: "Monthly at least; weekly during the first three months.", author: "kim",
               created: t("2024-07-03T09:00:00Z")),
    ]

    static let file = CommunityFile(tags: tags, members: members, resources: resources, practices: practices,
                                    questions: questions, answers: answers)
}

/// A fresh in-memory store holding the fixture community.
func makeFixtureStore() throws -> SQLiteKnowledgeStore {
    let acting = Acting.system
    let store = try SQLiteKnowledgeStore()
    _ = try store.importCommunity(Fixture.file, as: acting)
    return store
}

/// Parses and searches, as the shell does.
func find(_ store: SQLiteKnowledgeStore, _ text: String, limit: Int = 50) throws -> SearchResults {
    try store.search(QueryParser.parse(text), limit: limit)
}

func ids(_ r: SearchResults) -> [String] { r.hits.map(\.ref.description) }

/// The error a body throws, as a KnowHowError (nil and a recorded issue otherwise).
func knowHowError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> KnowHowError? {
    do {
        try body()
        Issue.record("expected a KnowHowError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let e as KnowHowError {
        return e
    } catch {
        Issue.record("expected a KnowHowError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The store's whole content as bytes, to check that a failed write changed nothing.
func snapshot(_ store: SQLiteKnowledgeStore) throws -> Data {
    try store.exportCommunity().encoded()
}

// MARK: - Search

struct StoreSearchTests {
    @Test func fixtureLoads() throws {
        let c = try makeFixtureStore().counts()
        #expect(c.members == 10 && c.resources == 12 && c.practices == 6)
        #expect(c.questions == 3 && c.answers == 4 && c.tags == 12)
    }

    @Test func ranksAcrossKinds() throws {
        let r = try find(makeFixtureStore(), "onboarding")
        let types = Set(r.hits.map(\.ref.type))
        #expect(types.isSuperset(of: [.member, .resource, .practice, .question]), "types: \(types)")
        let scores = r.hits.map(\.score)
        #expect(scores == scores.sorted(), "hits are ordered by rank")
    }

    @Test func titleMatchesRankAboveBodyOnlyMatches() throws {
        let found = ids(try find(makeFixtureStore(), "onboarding"))
        // r1 has the word in its title; r2 only in its body ("onboard").
        let r1 = try #require(found.firstIndex(of: "r1")), r2 = try #require(found.firstIndex(of: "r2"))
        #expect(r1 < r2, "order: \(found)")
        let p1 = try #require(found.firstIndex(of: "p1"))
        #expect(p1 < r2, "order: \(found)")
    }

    @Test func stemming() throws {
        let store = try makeFixtureStore()
        #expect(ids(try find(store, "onboarding")).contains("r2"), "onboarding finds onboard")
        #expect(ids(try find(store, "onboard")).contains("r1"), "onboard finds onboarding")
        #expect(ids(try find(store, "mentors")).contains("r6"))
    }

    @Test func diacriticsAreIgnored() throws {
        let store = try makeFixtureStore()
        #expect(ids(try find(store, "gonzalez")).contains("@maria"))
        #expect(ids(try find(store, "González")).contains("@maria"))
    }

    @Test func phrases() throws {
        let found = ids(try find(makeFixtureStore(), "\"reflective supervision\""))
        #expect(found.contains("r4"))
        #expect(found.contains("p3"))
        #expect(!found.contains("r5"), "r5 has both words, but apart")
    }

    @Test func prefix() throws {
        let found = ids(try find(makeFixtureStore(), "facilit*"))
        #expect(found.contains("r3"))       // facilitation
        #expect(found.contains("p2"))       // facilitator
        #expect(found.contains("@joe"))     // facilitate
    }

    @Test func or() throws {
        let found = ids(try find(makeFixtureStore(), "retrospective OR grow"))
        #expect(found.contains("r2") && found.contains("r10"), "\(found)")
        let both = ids(try find(makeFixtureStore(), "retrospective grow"))
        #expect(both.isEmpty)
    }

    @Test func exclusion() throws {
        let store = try makeFixtureStore()
        for q in ["onboarding -checklist", "onboarding NOT checklist"] {
            let found = ids(try find(store, q))
            #expect(!found.contains("r1"), "\(q): \(found)")
            #expect(found.contains("p1"), "\(q): \(found)")
        }
    }

    // Each row: query, ids that must be there, ids that must not be, and the only types allowed.
    static let filterCases: [(String, [String], [String], Set<EntryType>?)] = [
        ("onboarding type:practice", ["p1", "p5"], ["r1"], [.practice]),
        ("onboarding type:resource", ["r1", "r11"], ["p1"], [.resource]),
        ("tag:onboarding", ["r1", "r11", "p1", "p5", "q1", "@kim"], ["r2"], nil),
        ("tag:induction", ["r1", "r11", "p1", "p5", "q1", "@kim"], ["r2"], nil),        // an alias
        ("tag:new-starters", ["r1", "r11", "p1"], [], nil),                             // another alias
        ("tag:Mentorship", ["r6", "p1", "p6"], [], nil),                                // alias, any case
        ("onboarding tag:templates", ["r1"], ["r11", "p1"], nil),
        ("by:@tom", ["r1", "r8", "p1"], ["r4"], nil),                                   // r1: tom is an author
        ("by:maria", ["r6", "p6"], [], nil),                                            // r6: author
        ("by:@kim supervision", ["r4", "a4"], ["r5"], nil),
        ("status:verified", ["p1", "p3", "p6"], ["p2", "p5"], [.practice]),
        ("status:archived", ["r8"], ["r1"], [.resource]),
        ("status:open", ["q2", "q3"], ["q1"], [.question]),
        ("status:answered", ["q1"], ["q2"], [.question]),
        ("kind:template", ["r1", "r4", "r6", "r12"], ["r2"], [.resource]),
        ("supervision kind:template", ["r4"], ["r5"], [.resource]),
        ("supervision sector:health", ["@zoe", "r5", "p3", "q3"], ["r4", "@kim"], nil),
        ("sector:social", ["@kim", "@tom", "r1", "p5"], ["@ana"], nil),
        ("sector:\"social care\" safeguarding", ["@tom", "r8"], ["@ana"], nil),
        // negated filters
        ("onboarding -type:member", ["r1", "p1"], ["@kim"], [.resource, .practice, .question, .answer]),
        ("onboarding -status:retired", ["p1"], ["p5"], nil),
        ("facilitation -kind:guide", ["r9"], ["r2", "r3"], nil),
        ("tag:onboarding -type:practice", ["r1", "q1"], ["p1", "p5"], nil),
        ("supervision -tag:templates", ["r5", "p3"], ["r4"], nil),
        ("supervision -by:kim", ["r5"], ["r4", "a4"], nil),
        ("supervision -sector:health", ["r4"], ["r5", "@zoe"], nil),
        // filters with exclusions only
        ("tag:templates -checklist", ["r4", "r6", "r12"], ["r1"], nil),
    ]

    @Test(arguments: filterCases)
    func filters(_ c: (String, [String], [String], Set<EntryType>?)) throws {
        let r = try find(makeFixtureStore(), "\(c.0)")
        let found = ids(r)
        for id in c.1 { #expect(found.contains(id), "\(c.0): \(id) missing from \(found)") }
        for id in c.2 { #expect(!found.contains(id), "\(c.0): \(id) should not be in \(found)") }
        if let types = c.3 { #expect(Set(r.hits.map(\.ref.type)).isSubset(of: types), "\(c.0): \(found)") }
    }

    @Test func aliasAndNameGiveTheSameHits() throws {
        let store = try makeFixtureStore()
        #expect(ids(try find(store, "tag:induction")) == ids(try find(store, "tag:onboarding")))
        #expect(try store.resolveTag("Induction") == "onboarding")
        #expect(try store.resolveTag("nonsense") == nil)
    }

    @Test func aliasesAreSearchableWords() throws {
        // r1 never says "induction", but its tag's alias does.
        #expect(ids(try find(makeFixtureStore(), "induction")).contains("r1"))
    }

    @Test func filtersOnlyListInAStableOrderWithoutMarks() throws {
        let store = try makeFixtureStore()
        let a = try find(store, "tag:facilitation"), b = try find(store, "tag:facilitation")
        #expect(ids(a) == ids(b))
        #expect(Set(ids(a)).isSuperset(of: ["r2", "r3", "r9", "p2", "q2", "@joe", "@priya", "@sam"]))
        // Nothing was matched, so nothing is marked and nothing is ranked.
        #expect(a.hits.allSatisfy { !$0.snippet.contains(Highlight.open) && !$0.title.contains(Highlight.open) && $0.score == 0 })
    }

    @Test func limitAndMore() throws {
        let store = try makeFixtureStore()
        let r = try find(store, "tag:templates", limit: 2)
        #expect(r.hits.count == 2 && r.more)
        #expect(try find(store, "tag:templates", limit: 50).more == false)
    }

    @Test func titlesAndSnippetsCarryHighlightMarks() throws {
        let r = try find(makeFixtureStore(), "onboarding")
        let r1 = try #require(r.hits.first { $0.ref.description == "r1" })
        #expect(r1.title.contains("\(Highlight.open)Onboarding\(Highlight.close)"), "\(r1.title.debugDescription)")
        #expect(Highlight.plain(r1.title) == "Onboarding checklist for new starters")
        let r2 = try #require(r.hits.first { $0.ref.description == "r2" })
        #expect(r2.snippet.contains("\(Highlight.open)onboard\(Highlight.close)"), "\(r2.snippet.debugDescription)")
        #expect(!r2.title.contains(Highlight.open))
        // Every hit shows where it matched, in its title or its snippet (or its tags).
        for h in r.hits {
            let marked = h.title.contains(Highlight.open) || h.snippet.contains(Highlight.open) || h.tags.contains("onboarding")
            #expect(marked, "\(h.ref): \(h.title.debugDescription) \(h.snippet.debugDescription)")
        }
    }

    @Test func phraseHighlightsBothWords() throws {
        let r = try find(makeFixtureStore(), "\"reflective supervision\"")
        let r4 = try #require(r.hits.first { $0.ref.description == "r4" })
        let matched = Highlight.segments(r4.title + " " + r4.snippet).filter(\.match).map { $0.text.lowercased() }
        #expect(matched.contains { $0.contains("reflective") } && matched.contains { $0.contains("supervision") }, "\(matched)")
    }

    @Test func hitsCarryTagsAndDetails() throws {
        let r = try find(makeFixtureStore(), "onboarding checklist")
        let r1 = try #require(r.hits.first)
        #expect(r1.ref == .entry(EntryID(.resource, 1)))
        #expect(r1.tags == ["onboarding", "templates"])
        #expect(r1.detail == "template")
    }
}

// MARK: - Explaining empty results

struct StoreEmptyResultTests {
    @Test func unknownTagSuggestsANearOne() throws {
        let r = try find(makeFixtureStore(), "tag:onboardin")
        #expect(r.hits.isEmpty)
        #expect(r.notes.contains { $0.contains("did you mean") && $0.contains("onboarding") }, "\(r.notes)")
    }

    @Test func unknownTagWithNothingNearSaysSo() throws {
        let r = try find(makeFixtureStore(), "supervision tag:zzzzzzzz")
        #expect(r.hits.isEmpty)
        #expect(r.notes.contains { $0.contains("zzzzzzzz") }, "\(r.notes)")
    }

    @Test(arguments: [
        ("retrospective kind:video", "kind:video"),
        ("retrospective type:practice", "type:practice"),
        ("checklist by:@ana", "by:@ana"),
        ("checklist status:archived", "status:archived"),
        ("checklist -tag:onboarding", "tag:onboarding"),
        ("checklist sector:health", "sector:health"),
    ])
    func filterThatEmptiesAMatchIsNamed(_ c: (String, String)) throws {
        let store = try makeFixtureStore()
        let words = try QueryParser.parse(c.0).text.map(QueryParser.render) ?? ""
        #expect(!ids(try find(store, words)).isEmpty, "the words alone match")
        let r = try find(store, "\(c.0)")
        #expect(r.hits.isEmpty)
        #expect(r.notes.contains { $0.contains(c.1) }, "\(c.0): \(r.notes)")
    }

    @Test(arguments: [
        ("facilitaton", "facilitation"),
        ("supervison", "supervision"),
        ("mentorng", "mentoring"),
        ("retrospectve", "retrospective"),
    ])
    func misspeltWordsSuggestRealWords(_ c: (String, String)) throws {
        let r = try find(makeFixtureStore(), "\(c.0)")
        #expect(r.hits.isEmpty)
        #expect(r.suggestions.contains(c.1), "\(c.0): \(r.suggestions)")
        // Suggestions are words people wrote, not stems such as "facilit" or "supervis".
        for s in r.suggestions { #expect(ids(try find(makeFixtureStore(), s)).count > 0, "\(s) finds nothing") }
    }

    @Test func suggestionsForOneMisspeltWordAmongKnownOnes() throws {
        let r = try find(makeFixtureStore(), "remote facilitaton")
        #expect(r.hits.isEmpty)
        #expect(r.suggestions.contains("facilitation"), "\(r.suggestions)")
        #expect(!r.suggestions.contains("remote"))
    }

    /// Issue 11: a long query of unknown words took seconds of did-you-mean work. Only the first
    /// few unknown words (in order) are looked at, and over-long words never.
    @Test func didYouMeanLooksAtABoundedNumberOfWords() throws {
        let store = try makeFixtureStore()
        let filler = (0..<SQLiteKnowledgeStore.maxSuggestedWords).map { "aaqx\(String(UnicodeScalar(UInt8(97 + $0))))zz" }
        #expect(try find(store, (filler + ["zzfacilitaton"]).joined(separator: " ")).suggestions.isEmpty)
        #expect(try find(store, (filler.dropLast() + ["zzfacilitaton"]).joined(separator: " ")).suggestions.contains("facilitation"))
        #expect(try find(store, String(repeating: "x", count: 60)).suggestions.isEmpty)
    }
}

// MARK: - Writes

struct StoreWriteTests {
    @Test func addedEntriesAreFoundAtOnce() throws {
        let acting = Acting.system
        let store = try makeFixtureStore()
        #expect(ids(try find(store, "zebra")).isEmpty)
        let rid = try store.add(Resource(title: "Zebra crossing risk assessment", url: "https://example.org/zebra",
                                         kind: .template, summary: "For school visits.", tags: ["road-safety", "induction"],
                                         contributor: "@kim", authors: ["tom"]), as: acting)
        #expect(rid == EntryID(.resource, 13))
        #expect(ids(try find(store, "zebra")) == ["r13"])
        #expect(ids(try find(store, "zebra tag:road-safety")) == ["r13"])
        #expect(ids(try find(store, "zebra tag:onboarding")) == ["r13"], "the alias was resolved when tagging")
        #expect(ids(try find(store, "zebra by:tom")) == ["r13"])
        #expect(try store.resource(rid).tags == ["onboarding", "road-safety"])

        let pid = try store.add(Practice(title: "Walk the route first", context: "Zebra crossings near schools.",
                                         tags: ["safeguarding"], contributor: "tom"), as: acting)
        #expect(pid == EntryID(.practice, 7))
        #expect(Set(ids(try find(store, "zebra"))) == ["r13", "p7"])

        let m = try store.add(Member(handle: "@Newbie", name: "Nia Newbie", email: "nia@example.org",
                                     sector: "education", bio: "Xylophone teacher.", skills: [Skill(tag: "music", level: .expert)]), as: acting)
        #expect(m.handle == "newbie")
        #expect(ids(try find(store, "xylophone")) == ["@newbie"])
        #expect(ids(try find(store, "tag:music")) == ["@newbie"])
        #expect(try store.handles(startingWith: "new", limit: 5) == ["newbie"])
    }

    static let invalid: [(String, @Sendable (SQLiteKnowledgeStore) throws -> Void, @Sendable (KnowHowError) -> Bool)] = [
        ("ftp URL", { try $0.add(Resource(title: "Bad link", url: "ftp://x", tags: ["brand-new-tag"]), as: .system) },
         { if case .invalidURL = $0 { true } else { false } }),
        ("javascript URL", { try $0.add(Resource(title: "Bad link", url: "javascript:alert(1)"), as: .system) },
         { if case .invalidURL = $0 { true } else { false } }),
        ("bad email", { try $0.add(Member(handle: "newbie", name: "N", email: "not-an-email", skills: [Skill(tag: "brand-new-tag", level: .expert)]), as: .system) },
         { if case .invalidEmail = $0 { true } else { false } }),
        ("bad handle", { try $0.add(Member(handle: "Bad Handle!", name: "N"), as: .system) },
         { if case .invalidHandle = $0 { true } else { false } }),
        ("duplicate handle", { try $0.add(Member(handle: "KIM", name: "Another Kim"), as: .system) },
         { if case .duplicate = $0 { true } else { false } }),
        ("unknown contributor", { try $0.add(Resource(title: "Orphan", tags: ["brand-new-tag"], contributor: "nobody"), as: .system) },
         { if case .unknownMember = $0 { true } else { false } }),
        ("unknown author", { try $0.add(Resource(title: "Orphan", tags: ["brand-new-tag"], contributor: "kim", authors: ["nobody"]), as: .system) },
         { if case .unknownMember = $0 { true } else { false } }),
        ("unknown verifier", { try $0.add(Practice(title: "Orphan", tags: ["brand-new-tag"], verifiedBy: "nobody"), as: .system) },
         { if case .unknownMember = $0 { true } else { false } }),
        ("bad tag", { try $0.add(Resource(title: "Orphan", tags: ["c++"]), as: .system) },
         { if case .invalidTag = $0 { true } else { false } }),
        ("empty title", { try $0.add(Resource(title: "  "), as: .system) },
         { if case .missingField = $0 { true } else { false } }),
    ]

    @Test(arguments: invalid.map { ($0.0, $0.1, $0.2) })
    func invalidWritesThrowAndChangeNothing(_ c: (String, @Sendable (SQLiteKnowledgeStore) throws -> Void, @Sendable (KnowHowError) -> Bool)) throws {
        let store = try makeFixtureStore()
        let counts = try store.counts(), before = try snapshot(store)
        let e = knowHowError { try c.1(store) }
        if let e { #expect(c.2(e), "\(c.0): \(e)") }
        #expect(try store.counts() == counts, "\(c.0)")
        #expect(try snapshot(store) == before, "\(c.0)")
        #expect(ids(try find(store, "orphan")).isEmpty, "\(c.0): the index holds nothing of the failed write")
        #expect(try store.resolveTag("brand-new-tag") == nil, "\(c.0)")
    }
}

// MARK: - Import and export

struct StoreImportExportTests {
    @Test func roundTripGivesIdenticalBytes() throws {
        let acting = Acting.system
        let first = try snapshot(makeFixtureStore())
        let file = try CommunityFile.decode(first, path: "fixture.json")
        let fresh = try SQLiteKnowledgeStore()
        let summary = try fresh.importCommunity(file, as: acting)
        #expect(summary.added[.resource] == 12 && summary.added[.answer] == 4 && summary.tagsAdded == 12)
        let second = try snapshot(fresh)
        #expect(first == second, "export → import → export differs")
        if first != second {
            let a = String(decoding: first, as: UTF8.self).split(separator: "\n")
            let b = String(decoding: second, as: UTF8.self).split(separator: "\n")
            if let i = zip(a, b).enumerated().first(where: { $1.0 != $1.1 })?.offset {
                Issue.record("first difference at line \(i + 1): \(a[i]) ≠ \(b[i])")
            }
        }
    }

    @Test func exportKeepsWhatWasImported() throws {
        let out = try makeFixtureStore().exportCommunity()
        #expect(out.members.map(\.handle) == Fixture.members.map(\.handle).sorted())
        #expect(out.resources == Fixture.resources.map { r in var r = r; r.tags.sort(); r.authors.sort(); return r })
        #expect(out.questions.first?.acceptedAnswer == EntryID(.answer, 1))
        #expect(out.tags.first { $0.name == "onboarding" }?.aliases == ["induction", "new-starters"])
        let kim = try #require(out.members.first { $0.handle == "kim" })
        #expect(kim.email == "kim@northside.example.org" && kim.role == .curator && kim.mentoring && kim.joined == Day("2023-01-10"))
    }

    @Test func importingTwiceAddsNothing() throws {
        let acting = Acting.system
        let store = try SQLiteKnowledgeStore()
        let first = try store.importCommunity(Fixture.file, as: acting)
        #expect(first.total > 0)
        let before = try snapshot(store)
        let second = try store.importCommunity(Fixture.file, as: acting)
        #expect(second.total == 0, "\(second)")
        #expect(second.description.hasPrefix("nothing new"))
        #expect(try snapshot(store) == before)
        // And the exported form of the same community adds nothing either.
        let third = try store.importCommunity(try store.exportCommunity(), as: acting)
        #expect(third.total == 0, "\(third)")
    }

    @Test func importingAHandWrittenFileTwiceAddsNothing() throws {
        let acting = Acting.system
        // People write files without ids; entries are then recognised by their titles.
        let file = CommunityFile(
            members: [Member(handle: "ada", name: "Ada")],
            resources: [Resource(title: "A guide without an id", tags: ["guides"], contributor: "ada")],
            practices: [Practice(title: "A practice without an id")],
            questions: [Question(title: "A question without an id?", asker: "ada")])
        let store = try SQLiteKnowledgeStore()
        #expect(try store.importCommunity(file, as: acting).total >= 4)
        let second = try store.importCommunity(file, as: acting)
        #expect(second.total == 0, "\(second)")
        #expect(try store.counts().questions == 1)
    }

    /// A file whose early records are good and whose resources[3] is bad.
    static var fileWithBadResource: CommunityFile {
        CommunityFile(
            tags: [KnowHowCore.Tag(name: "brand-new-tag", aliases: ["fresh"])],
            members: [Member(handle: "newbie", name: "Nia Newbie", skills: [Skill(tag: "another-new-tag", level: .expert)])],
            resources: [
                Resource(title: "New resource zero", tags: ["brand-new-tag"], contributor: "newbie"),
                Resource(title: "New resource one", url: "https://example.org/1"),
                Resource(title: "New resource two", tags: ["onboarding"]),
                Resource(title: "New resource three", url: "javascript:x"),
                Resource(title: "New resource four"),
            ])
    }

    static let badFiles: [(String, CommunityFile, String)] = [
        ("javascript URL", fileWithBadResource, "resources[3]"),
        ("answer to a missing question",
         CommunityFile(members: [Member(handle: "newbie", name: "N")],
                       questions: [Question(id: EntryID(.question, 50), title: "New question?")],
                       answers: [Answer(id: EntryID(.answer, 50), question: EntryID(.question, 50), body: "fine"),
                                 Answer(id: EntryID(.answer, 51), question: EntryID(.question, 99), body: "orphan")]),
         "answers[1]"),
        ("accepted answer of another question",
         CommunityFile(questions: [Question(id: EntryID(.question, 50), title: "New question?", acceptedAnswer: EntryID(.answer, 3))]),
         "questions[0].acceptedAnswer"),
        ("unknown contributor",
         CommunityFile(practices: [Practice(title: "New practice"), Practice(title: "Orphan practice", contributor: "nobody")]),
         "practices[1]"),
        ("bad email", CommunityFile(members: [Member(handle: "newbie", name: "N"), Member(handle: "other", name: "O", email: "x@")]),
         "members[1]"),
        ("bad handle", CommunityFile(members: [Member(handle: "1abc", name: "N")]), "members[0]"),
        ("bad tag", CommunityFile(tags: [KnowHowCore.Tag(name: "fine-tag"), KnowHowCore.Tag(name: "c++")]), "tags[1]"),
        ("alias that is a tag", CommunityFile(tags: [KnowHowCore.Tag(name: "brand-new-tag", aliases: ["facilitation"])]), "tags[0].aliases[0]"),
        ("alias of another tag", CommunityFile(tags: [KnowHowCore.Tag(name: "brand-new-tag", aliases: ["induction"])]), "tags[0].aliases[0]"),
        ("alias naming a tag of the same file",
         CommunityFile(tags: [KnowHowCore.Tag(name: "alpha-tag"), KnowHowCore.Tag(name: "beta-tag", aliases: ["alpha-tag"])]), "tags[1].aliases[0]"),
    ]

    @Test(arguments: badFiles)
    func badFileChangesNothing(_ c: (String, CommunityFile, String)) throws {
        let acting = Acting.system
        let store = try makeFixtureStore()
        let before = try snapshot(store)
        let e = knowHowError { _ = try store.importCommunity(c.1, as: acting) }
        if let e {
            if case .badImport(_, let location, let reason) = e {
                #expect(location == c.2, "\(c.0): \(e)")
                #expect(!reason.isEmpty)
                for bad in ["sql", "sqlite", "fts5", "constraint"] { #expect(!e.description.lowercased().contains(bad), "\(c.0): \(e)") }
            } else {
                Issue.record("\(c.0): expected badImport, got \(e)")
            }
        }
        #expect(try snapshot(store) == before, "\(c.0): the store changed")
        #expect(ids(try find(store, "\"new resource\"")).isEmpty, "\(c.0)")
        #expect(try store.resolveTag("brand-new-tag") == nil, "\(c.0)")
    }

    @Test func badFileIntoAnEmptyStoreLeavesItEmpty() throws {
        let acting = Acting.system
        let store = try SQLiteKnowledgeStore()
        let e = knowHowError { _ = try store.importCommunity(Self.fileWithBadResource, as: acting) }
        if let e, case .badImport(_, let location, _) = e { #expect(location == "resources[3]") } else { Issue.record("got \(String(describing: e))") }
        #expect(try store.counts() == StoreCounts())
    }

    @Test(arguments: [
        ("{\"resources\": [" + String(repeating: #"{"title": "a", "kind": "guide", "tags": [], "authors": [], "status": "active"}, "#, count: 3)
            + #"{"title": "d", "kind": "bogus", "tags": [], "authors": [], "status": "active"}]}"#, "resources[3].kind"),
        (#"{"members": [{"handle": "kim"}]}"#, "members[0]"),
        (#"{"practices": [{"title": "x", "status": "proposed", "tags": [], "reviewBy": "2024-13-01"}]}"#, "practices[0].reviewBy"),
        (#"{"format": "something-else"}"#, "format"),
        (#"{"version": 99}"#, "version"),
        ("not json", "file"),
        ("[]", "file"),
    ])
    func malformedJSONNamesTheRecord(_ c: (String, String)) {
        let e = knowHowError { _ = try CommunityFile.decode(Data(c.0.utf8), path: "bad.json") }
        guard let e else { return }
        if case .badImport(let path, let location, _) = e {
            #expect(path == "bad.json")
            #expect(location.hasPrefix(c.1), "\(c.0): \(e)")
        } else {
            Issue.record("expected badImport, got \(e)")
        }
    }
}

// MARK: - Hostile queries

struct StoreHostileQueryTests {
    static let hostile: [String] = [
        "c++", "\"unbalanced", "-", "NOT", "*", "tag:", "a - b", "🙂", String(repeating: "onboarding ", count: 9_500),
        "\"", "AND", "OR OR", "((((", "))", "a:b:c", "NEAR(a b)", "{title}: x", "^x", "x\"y",
        // and a few more in the same spirit
        "\"\"", "a OR", "OR a", "NOT NOT a", "a AND AND b", "title:x", "onboard* *", "\u{0}", "x\u{0}y", "'; DROP TABLE member; --",
        "rank:1", "rowid:1", "c:x", "+a", "a + b", "\"a\" \"b", "(a OR (b -c)", "*onboard", "on*board", "e-mail",
        "tag:c++", "tag:\"\"", "by:@", "by:@@kim", "by:nobody", "type:widget", "status:bogus", "kind:bogus", "sector:%", "sector:_",
        "ÀÉÎ", "日本語", "x\u{301}", "\u{202E}abc", "onboarding " + String(repeating: "(", count: 200),
        // FTS5 keywords a person quoted: words to us, syntax to FTS5 if ever left unquoted
        "onboarding \"NOT\"", "\"OR\"", "\"AND\" onboarding", "a \"NEAR\" b", "\"NOT onboarding\"", "onboarding -\"AND\"",
    ]

    @Test(arguments: hostile)
    func neverLeakSQL(_ input: String) throws {
        let store = try makeFixtureStore()
        do {
            let q = try QueryParser.parse(input)
            _ = try store.search(q, limit: 10)
            _ = try store.list(.resource, query: q, limit: 10)
        } catch let e as KnowHowError {
            let text = e.description.lowercased()
            for bad in ["fts5", "syntax error", "sql", "sqlite"] {
                #expect(!text.contains(bad), "\(input.prefix(40).debugDescription): \(e)")
            }
            #expect(!text.isEmpty)
            #expect(!text.contains("\n"), "one-line message: \(e)")
            // A query error is the person's, not a broken store.
            if case .storeUnavailable = e { Issue.record("\(input.prefix(40).debugDescription): a query reported as a store failure: \(e)") }
            if case .notAStore = e { Issue.record("\(input.prefix(40).debugDescription): a query reported as a damaged store: \(e)") }
            // Every database error becomes internalError, whose text names no SQL: check the case too.
            if case .internalError = e { Issue.record("\(input.prefix(40).debugDescription): a query failed inside the store: \(e)") }
        } catch {
            Issue.record("\(input.prefix(40).debugDescription): not a KnowHowError: \(type(of: error)) \(error)")
        }
    }

    @Test func hundredKilobyteQueryIsRefusedPolitely() {
        let e = knowHowError { _ = try QueryParser.parse(String(repeating: "x", count: 100_000)) }
        #expect(e?.description.contains("keep it under") == true)
    }
}

// MARK: - Concurrency

/// Collects errors from several threads.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []
    func add(_ e: Error) { lock.lock(); errors.append("\(e)"); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return errors }
}

struct StoreConcurrencyTests {
    @Test func twoStoresOnOneFileWritingAtOnceBothLand() throws {
        let acting = Acting.system
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("knowhow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("store.db").path
        let seed = try SQLiteKnowledgeStore(path: path)
        _ = try seed.importCommunity(Fixture.file, as: acting)
        let stores = [try SQLiteKnowledgeStore(path: path), try SQLiteKnowledgeStore(path: path)]
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 2) { w in
            for i in 0..<50 {
                do {
                    try stores[w].add(Resource(title: "Writer \(w) resource \(i)", kind: .notes,
                                               summary: "Concurrent quokka \(w)-\(i)", tags: ["concurrency-\(w)"], contributor: "kim"), as: acting)
                } catch { errors.add(error) }
            }
        }
        #expect(errors.all.isEmpty, "\(errors.all.prefix(3))")
        let check = try SQLiteKnowledgeStore(path: path)
        #expect(try check.counts().resources == 12 + 100)
        #expect(try find(check, "quokka", limit: 500).hits.count == 100, "the index is in step with the tables")
        #expect(try find(check, "tag:concurrency-0", limit: 500).hits.count == 50)
        #expect(try find(check, "tag:concurrency-1", limit: 500).hits.count == 50)
    }

    @Test func storeReopensWithItsContent() throws {
        let acting = Acting.system
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("knowhow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("nested/store.db").path
        do { _ = try SQLiteKnowledgeStore(path: path).importCommunity(Fixture.file, as: acting) }
        let again = try SQLiteKnowledgeStore(path: path)
        #expect(try again.counts().resources == 12)
        #expect(try snapshot(again) == snapshot(makeFixtureStore()))
    }

    @Test func aFileThatIsNotAStoreIsSaidPlainly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("knowhow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("notes.db").path
        try Data(String(repeating: "this is not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        let e = knowHowError { _ = try SQLiteKnowledgeStore(path: path) }
        if let e {
            if case .notAStore = e {} else { Issue.record("expected notAStore, got \(e)") }
            #expect(!e.description.lowercased().contains("sqlite"))
        }
    }
}

// MARK: - Completion look-ups

struct StoreCompletionTests {
    @Test func handlesByPrefix() throws {
        let store = try makeFixtureStore()
        #expect(try store.handles(startingWith: "", limit: 3) == ["ana", "dev", "joe"])
        #expect(try store.handles(startingWith: "m", limit: 10) == ["maria"])
        #expect(try store.handles(startingWith: "@K", limit: 10) == ["kim"])
        #expect(try store.handles(startingWith: "x", limit: 10) == [])
        #expect(try store.handles(startingWith: "%", limit: 10) == [])
    }

    @Test func tagNamesByPrefix() throws {
        let store = try makeFixtureStore()
        let fa = try store.tagNames(startingWith: "re", limit: 10)
        #expect(fa.map(\.name) == ["reflective-practice", "remote-work", "research-methods", "retrospectives"])
        let sup = try #require(try store.tagNames(startingWith: "superv", limit: 10).first)
        #expect(sup.name == "supervision")
        #expect(sup.count == 6, "4 entries (r4, r5, p3, q3) and 2 members (kim, zoe)")
        #expect(try store.tagNames(startingWith: "zz", limit: 10).isEmpty)
        #expect(try store.tagNames(startingWith: "_", limit: 10).isEmpty)
    }

    @Test func entryTitlesByIdPrefix() throws {
        let acting = Acting.system
        let store = try makeFixtureStore()
        for i in 13...25 { try store.add(Resource(title: "Extra resource \(i)"), as: acting) }
        let r1 = try store.entryTitles(startingWith: "r1", limit: 20)
        #expect(r1.map(\.id.description) == ["r1"] + (10...19).map { "r\($0)" })
        #expect(r1.first?.title == "Onboarding checklist for new starters")
        #expect(try store.entryTitles(startingWith: "R2", limit: 3).map(\.id.description) == ["r2", "r20", "r21"])
        #expect(try store.entryTitles(startingWith: "r", limit: 3).map(\.id.description) == ["r1", "r2", "r3"])
        #expect(try store.entryTitles(startingWith: "p", limit: 10).count == 6)
        let a = try store.entryTitles(startingWith: "a3", limit: 5)
        #expect(a.map(\.id.description) == ["a3"])
        #expect(a.first?.title == "Good icebreakers for facilitation of large groups?", "an answer shows its question's title")
        #expect(try store.entryTitles(startingWith: "r9x", limit: 5).isEmpty)
        #expect(try store.entryTitles(startingWith: "z1", limit: 5).isEmpty)
        #expect(try store.entryTitles(startingWith: "r99", limit: 5).isEmpty)
    }
}

