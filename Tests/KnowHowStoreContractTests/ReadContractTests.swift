import Foundation
import Testing
import KnowHowCore

/// Reading one thing, listing, counting, and what an unknown id or name gives.
@Suite("Contract: reads")
struct ReadContractTests {
    @Test(arguments: ContractStores.all)
    func countsOfTheFixture(_ f: StoreFactory) throws {
        let c = try f.fixture().counts()
        #expect(c.members == 10 && c.resources == 12 && c.practices == 6)
        #expect(c.questions == 3 && c.answers == 4 && c.tags == 12)
        #expect(try f.empty().counts() == StoreCounts())
    }

    @Test(arguments: ContractStores.all)
    func eachEntryReadsBackAsImported(_ f: StoreFactory) throws {
        let s = try f.fixture()
        for r in Fixture.resources {
            var expected = r; expected.tags.sort(); expected.authors.sort()
            #expect(try s.resource(r.id!) == expected, "\(r.id!)")
        }
        for p in Fixture.practices {
            var expected = p; expected.tags.sort()
            #expect(try s.practice(p.id!) == expected, "\(p.id!)")
        }
        for q in Fixture.questions {
            var expected = q; expected.tags.sort()
            #expect(try s.question(q.id!) == expected, "\(q.id!)")
        }
        for a in Fixture.answers { #expect(try s.answer(a.id!) == a, "\(a.id!)") }
    }

    @Test(arguments: ContractStores.all)
    func membersReadBackByHandleInAnyCase(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let kim = try s.member("kim")
        #expect(kim.name == "Kim Lee" && kim.email == "kim@northside.example.org" && kim.role == .curator)
        #expect(kim.mentoring && kim.joined == Day("2023-01-10") && kim.interests == ["coaching"])
        #expect(Set(kim.skills) == [Skill(tag: "supervision", level: .expert), Skill(tag: "onboarding", level: .practising)])
        #expect(try s.member("@KIM") == kim)
        #expect(try s.member("dev").openToQuestions == false)
        #expect(try s.allMembers().map(\.handle) == Fixture.members.map(\.handle).sorted())
    }

    @Test(arguments: ContractStores.all)
    func answersToAQuestionInOrder(_ f: StoreFactory) throws {
        let s = try f.fixture()
        #expect(try s.answers(to: .id("q1")).map { $0.id!.description } == ["a1", "a2"])
        #expect(try s.answers(to: .id("q3")).map { $0.id!.description } == ["a4"])
        #expect(try s.question(.id("q1")).acceptedAnswer == .id("a1"))
        #expect(try s.unansweredQuestions().isEmpty)
    }

    static let unknown: [(String, @Sendable (any KnowledgeStore) throws -> Void, KnowHowError)] = [
        ("resource", { _ = try $0.resource(.id("r99")) }, .unknownEntry(.id("r99"))),
        ("practice", { _ = try $0.practice(.id("p99")) }, .unknownEntry(.id("p99"))),
        ("question", { _ = try $0.question(.id("q99")) }, .unknownEntry(.id("q99"))),
        ("answer", { _ = try $0.answer(.id("a99")) }, .unknownEntry(.id("a99"))),
        ("answers to", { _ = try $0.answers(to: .id("q99")) }, .unknownEntry(.id("q99"))),
        ("member", { _ = try $0.member("nobody") }, .unknownMember(handle: "nobody")),
        ("tag", { _ = try $0.tag("zzzzzz") }, .unknownTag("zzzzzz", suggestion: nil)),
        ("tag near another", { _ = try $0.tag("onboardin") }, .unknownTag("onboardin", suggestion: "onboarding")),
        ("retag", { _ = try $0.retag(.id("r99"), add: ["templates"], remove: [], as: contractActing()) }, .unknownEntry(.id("r99"))),
        ("verify", { _ = try $0.verify(.id("p99"), reviewBy: nil, as: contractActing()) }, .unknownEntry(.id("p99"))),
        ("accept", { _ = try $0.accept(.id("a99"), as: contractActing()) }, .unknownEntry(.id("a99"))),
        ("answer to", { _ = try $0.answer(Answer(question: .id("q99"), body: "x", author: "kim"), as: contractActing()) }, .unknownEntry(.id("q99"))),
        ("endorse", { _ = try $0.endorse("nobody", tag: "coaching", by: "kim", as: contractActing()) }, .unknownMember(handle: "nobody")),
    ]

    @Test(arguments: ContractStores.all, unknown)
    func unknownIdsGiveTheirError(_ f: StoreFactory, _ c: (String, @Sendable (any KnowledgeStore) throws -> Void, KnowHowError)) throws {
        let s = try f.fixture()
        #expect(knowHowError { try c.1(s) } == c.2, "\(c.0)")
    }

    @Test(arguments: ContractStores.all)
    func anIdOfTheWrongTypeIsUnknown(_ f: StoreFactory) throws {
        let s = try f.fixture()
        // There is an r1, but no practice 1 can be read as a resource and no answer as a question.
        #expect(knowHowError { _ = try s.resource(EntryID(.resource, 13)) } == .unknownEntry(EntryID(.resource, 13)))
        #expect(knowHowError { _ = try s.question(EntryID(.question, 4)) } == .unknownEntry(EntryID(.question, 4)))
    }

    @Test(arguments: ContractStores.all)
    func listsPerTypeInAStableOrder(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let resources = try s.list(.resource, query: nil, limit: 100)
        #expect(resources.hits.count == 12 && !resources.more)
        #expect(Set(ids(resources)) == Set((1...12).map { "r\($0)" }))
        #expect(ids(resources) == ids(try s.list(.resource, query: nil, limit: 100)))
        #expect(try s.list(.practice, query: nil, limit: 100).hits.count == 6)
        #expect(try s.list(.question, query: nil, limit: 100).hits.count == 3)
        #expect(try s.list(.member, query: nil, limit: 100).hits.count == 10)
        let five = try s.list(.resource, query: nil, limit: 5)
        #expect(five.hits.count == 5 && five.more)
        #expect(ids(five) == Array(ids(resources).prefix(5)))
        // Narrowed by a query, only that type.
        let narrowed = try s.list(.resource, query: QueryParser.parse("supervision"), limit: 100)
        #expect(Set(ids(narrowed)) == ["r1", "r4", "r5"])
        let tagged = try s.list(.practice, query: QueryParser.parse("tag:induction"), limit: 100)
        #expect(Set(ids(tagged)) == ["p1", "p5"])
    }

    @Test(arguments: ContractStores.all)
    func tagsWithAliasesAndUses(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let onboarding = try s.tag("onboarding")
        #expect(onboarding.tag == Fixture.tags[0])
        #expect(onboarding.entryCount == 5, "r1, r11, p1, p5, q1")
        #expect(onboarding.memberCount == 1, "kim")
        #expect(try s.tag("induction").tag.name == "onboarding", "an alias reads as its tag")
        #expect(try s.resolveTag("Induction") == "onboarding")
        #expect(try s.resolveTag("remote") == "remote-work")
        #expect(try s.resolveTag("onboarding") == "onboarding")
        #expect(try s.resolveTag("nonsense") == nil)
        let all = try s.listTags(query: nil, limit: 100)
        #expect(Set(all.map(\.tag.name)) == Set(Fixture.tags.map(\.name)))
        #expect(all.first { $0.tag.name == "mentoring" }?.tag.aliases == ["mentorship"])
        let vocabulary = try s.tagVocabulary()
        #expect(vocabulary.names["new-starters"] == "onboarding" && vocabulary.names["onboarding"] == "onboarding")
    }

    @Test(arguments: ContractStores.all)
    func completionLookUps(_ f: StoreFactory) throws {
        let s = try f.fixture()
        #expect(try s.handles(startingWith: "", limit: 3) == ["ana", "dev", "joe"])
        #expect(try s.handles(startingWith: "@K", limit: 10) == ["kim"])
        #expect(try s.handles(startingWith: "%", limit: 10) == [])
        let re = try s.tagNames(startingWith: "re", limit: 10)
        #expect(re.map(\.name) == ["reflective-practice", "remote-work", "research-methods", "retrospectives"])
        #expect(try s.tagNames(startingWith: "superv", limit: 10).first?.count == 6, "r4, r5, p3, q3, kim, zoe")
        #expect(try s.tagNames(startingWith: "_", limit: 10).isEmpty)
        #expect(try s.entryTitles(startingWith: "r1", limit: 20).map(\.id.description) == ["r1", "r10", "r11", "r12"])
        #expect(try s.entryTitles(startingWith: "a3", limit: 5).first?.title == "Good icebreakers for facilitation of large groups?")
        #expect(try s.entryTitles(startingWith: "r99", limit: 5).isEmpty)
    }

    @Test(arguments: ContractStores.all)
    func endorsementsAndEvidence(_ f: StoreFactory) throws {
        let s = try f.fixture()
        #expect(try s.endorsements(of: "li").isEmpty)
        let tags = try s.evidenceTags(of: "kim", limit: 10).map(\.tag)
        #expect(tags.contains("supervision") && tags.contains("onboarding"), "\(tags)")
    }
}
