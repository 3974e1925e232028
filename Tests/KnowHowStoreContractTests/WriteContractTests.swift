import Foundation
import Testing
import KnowHowCore

/// Adding, asking, answering, endorsing, editing and tagging; each write is all or nothing.
@Suite("Contract: writes")
struct WriteContractTests {
    @Test(arguments: ContractStores.all)
    func addedEntriesAreReadAndFoundAtOnce(_ f: StoreFactory) throws {
        let acting = contractActing()
        let s = try f.fixture()
        #expect(try found(s, "zebra").isEmpty)
        let rid = try s.add(Resource(title: "Zebra crossing risk assessment", url: "https://example.org/zebra",
                                     kind: .template, summary: "For school visits.", tags: ["road-safety", "Induction"],
                                     contributor: "@kim", authors: ["tom"]), as: acting)
        #expect(rid == EntryID(.resource, 13), "numbers continue after the highest")
        let r = try s.resource(rid)
        #expect(r.title == "Zebra crossing risk assessment" && r.contributor == "kim" && r.authors == ["tom"])
        #expect(r.tags == ["onboarding", "road-safety"], "an alias is stored as its tag; a new tag is made")
        #expect(r.created == contractNow && r.updated == contractNow, "stamped with the store's time")
        #expect(try found(s, "zebra") == ["r13"])
        #expect(try found(s, "zebra tag:road-safety by:tom") == ["r13"])
        #expect(try s.resolveTag("road-safety") == "road-safety")

        let pid = try s.add(Practice(title: "Walk the route first", context: "Zebra crossings near schools.",
                                     tags: ["safeguarding"], contributor: "tom"), as: acting)
        #expect(pid == EntryID(.practice, 7))
        #expect(try s.practice(pid).status == .proposed)
        #expect(Set(try found(s, "zebra")) == ["r13", "p7"])

        let m = try s.add(Member(handle: "@Newbie", name: "Nia Newbie", email: "nia@example.org", sector: "education",
                                 bio: "Xylophone teacher.", skills: [Skill(tag: "music", level: .expert)]), as: acting)
        #expect(m.handle == "newbie" && m.role == .member)
        #expect(try s.member("newbie").skills == [Skill(tag: "music", level: .expert)])
        #expect(try found(s, "xylophone") == ["@newbie"])
        #expect(try found(s, "tag:music") == ["@newbie"])
        let c = try s.counts()
        #expect(c.resources == 13 && c.practices == 7 && c.members == 11 && c.tags == 14)
    }

    @Test(arguments: ContractStores.all)
    func askAnswerAccept(_ f: StoreFactory) throws {
        let s = try f.fixture()
        var acting = contractActing("tom")
        let q = try s.ask(Question(title: "How do you plan a zebra crossing drill?", body: "For a school visit.",
                                   tags: ["safeguarding"], asker: "tom"), as: acting)
        #expect(q == EntryID(.question, 4))
        #expect(try s.question(q).asker == "tom" && s.question(q).acceptedAnswer == nil)
        #expect(try s.unansweredQuestions().map(\.id) == [q])
        #expect(try found(s, "zebra status:open") == ["q4"])
        acting.actor = .member("kim")
        let a = try s.answer(Answer(question: q, body: "Walk the route with a quokka first.", author: "kim"), as: acting)
        #expect(a == EntryID(.answer, 5))
        #expect(try s.answers(to: q).map(\.id) == [a])
        #expect(try s.unansweredQuestions().isEmpty)
        #expect(try found(s, "quokka") == ["a5"])
        #expect(try found(s, "quokka safeguarding") == ["a5"], "an answer is indexed with its question's tags")
        acting.actor = .member("tom")
        #expect(try s.accept(a, as: acting) == q)
        #expect(try s.question(q).acceptedAnswer == a)
        #expect(try found(s, "zebra status:answered") == ["q4"])
    }

    @Test(arguments: ContractStores.all)
    func endorseAndWithdraw(_ f: StoreFactory) throws {
        let s = try f.fixture()
        var acting = contractActing("kim")
        #expect(try s.endorse("li", tag: "research-methods", by: "kim", as: acting))
        #expect(try s.endorse("li", tag: "research-methods", by: "kim", as: acting) == false, "the second time records nothing")
        acting.actor = .member("sam")
        #expect(try s.endorse("li", tag: "Research-Methods", by: "sam", as: acting))
        #expect(try s.endorsements(of: "li") == ["research-methods": ["kim", "sam"]])
        #expect(try s.withdrawEndorsement("li", tag: "research-methods", by: "sam", as: acting))
        #expect(try s.withdrawEndorsement("li", tag: "research-methods", by: "sam", as: acting) == false)
        #expect(try s.endorsements(of: "li") == ["research-methods": ["kim"]])
        let selfEndorse = knowHowError { _ = try s.endorse("sam", tag: "research-methods", by: "sam", as: acting) }
        #expect(selfEndorse != nil)
    }

    @Test(arguments: ContractStores.all)
    func updateReportsTheChangedFields(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        let r = try s.resource(.id("r1"))
        var e = r; e.title = "Onboarding checklist, revised"; e.summary = "Two weeks, day by day."
        #expect(try s.update(e, expecting: r, as: acting) == ["title", "summary"])
        #expect(try s.resource(.id("r1")).title == "Onboarding checklist, revised")
        #expect(try found(s, "revised") == ["r1"])
        #expect(try found(s, "\"first two weeks\"").isEmpty, "the old words left the index")
        let p = try s.practice(.id("p2"))
        var ep = p; ep.evidence = "Everyone has run a meeting by now."
        #expect(try s.update(ep, expecting: p, as: acting) == ["evidence"])
        let m = try s.member("li")
        var em = m; em.location = "Bristol"; em.skills.append(Skill(tag: "templates", level: .learning))
        #expect(Set(try s.update(em, expecting: m, as: acting)) == ["location", "skills"])
        #expect(try s.member("li").location == "Bristol")
        let same = try s.resource(.id("r2"))
        #expect(try s.update(same, expecting: same, as: acting) == [], "no change, nothing to save")
    }

    @Test(arguments: ContractStores.all)
    func aStaleEditIsRefusedAndSavesNothing(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        let opened = try s.resource(.id("r2"))
        var theirs = opened; theirs.summary = "Joe's better summary."; theirs.tags.append("templates")
        try s.update(theirs, expecting: opened, as: acting)
        let before = try snapshot(s)
        var mine = opened; mine.title = "Kim's title"
        let e = knowHowError { try s.update(mine, expecting: opened, as: acting) }
        #expect(e == .staleEdit(entry: "r2", changed: ["summary", "tags"], keptIn: nil))
        #expect(try snapshot(s) == before)
        // Reopened, the same edit saves.
        let again = try s.resource(.id("r2"))
        var m2 = again; m2.title = "Kim's title"
        #expect(try s.update(m2, expecting: again, as: acting) == ["title"])
    }

    @Test(arguments: ContractStores.all)
    func staleEditsOfPracticesAndMembers(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        let p = try s.practice(.id("p2"))
        var p1 = p; p1.context = "Changed first."
        try s.update(p1, expecting: p, as: acting)
        var p2 = p; p2.title = "Changed second"
        #expect(knowHowError { try s.update(p2, expecting: p, as: acting) } == .staleEdit(entry: "p2", changed: ["context"], keptIn: nil))
        let m = try s.member("li")
        var m1 = m; m1.bio = "Changed first."
        try s.update(m1, expecting: m, as: acting)
        var m2 = m; m2.name = "Li Wei-Chen"
        #expect(knowHowError { try s.update(m2, expecting: m, as: acting) } == .staleEdit(entry: "@li", changed: ["about"], keptIn: nil), "a member's bio is labelled 'about'")
        #expect(try s.member("li").name == "Li Wei")
    }

    @Test(arguments: ContractStores.all)
    func retagAddsAndRemoves(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        #expect(try s.retag(.id("q2"), add: ["Retrospectives"], remove: ["facilitation"], as: acting) == ["retrospectives"])
        #expect(try s.question(.id("q2")).tags == ["retrospectives"])
        #expect(try found(s, "tag:retrospectives").contains("q2"))
        #expect(!(try found(s, "tag:facilitation").contains("q2")))
        #expect(try found(s, "retrospectives type:answer").contains("a3"), "an answer is indexed with its question's tags")
        #expect(try s.retag(.id("r1"), add: ["mentorship", "brand-new-tag"], remove: ["templates"], as: acting) == ["brand-new-tag", "mentoring", "onboarding"])
        #expect(try s.resolveTag("brand-new-tag") == "brand-new-tag")
        #expect(knowHowError { _ = try s.retag(.id("q2"), add: [], remove: ["coaching"], as: acting) } == .conflict("q2 is not tagged 'coaching'; nothing was changed"))
    }

    /// Writes that must be refused; each row names the error case it must give.
    static let invalid: [(String, @Sendable (any KnowledgeStore) throws -> Void, @Sendable (KnowHowError) -> Bool)] = [
        ("ftp URL", { try $0.add(Resource(title: "Orphan link", url: "ftp://x", tags: ["brand-new-tag"]), as: contractActing()) },
         { if case .invalidURL = $0 { true } else { false } }),
        ("javascript URL", { try $0.add(Resource(title: "Orphan link", url: "javascript:alert(1)", tags: ["brand-new-tag"]), as: contractActing()) },
         { if case .invalidURL = $0 { true } else { false } }),
        ("bad email", { try $0.add(Member(handle: "newbie", name: "N", email: "not-an-email", skills: [Skill(tag: "brand-new-tag", level: .expert)]), as: contractActing()) },
         { if case .invalidEmail = $0 { true } else { false } }),
        ("bad handle", { try $0.add(Member(handle: "Bad Handle!", name: "N"), as: contractActing()) },
         { if case .invalidHandle = $0 { true } else { false } }),
        ("duplicate handle", { try $0.add(Member(handle: "KIM", name: "Another Kim", skills: [Skill(tag: "brand-new-tag", level: .expert)]), as: contractActing()) },
         { if case .duplicate = $0 { true } else { false } }),
        ("unknown contributor", { try $0.add(Resource(title: "Orphan", tags: ["brand-new-tag"], contributor: "nobody"), as: contractActing()) },
         { if case .unknownMember = $0 { true } else { false } }),
        ("unknown author", { try $0.add(Resource(title: "Orphan", tags: ["brand-new-tag"], contributor: "kim", authors: ["nobody"]), as: contractActing()) },
         { if case .unknownMember = $0 { true } else { false } }),
        ("unknown verifier", { try $0.add(Practice(title: "Orphan", tags: ["brand-new-tag"], verifiedBy: "nobody"), as: contractActing()) },
         { if case .unknownMember = $0 { true } else { false } }),
        ("bad tag", { try $0.add(Resource(title: "Orphan", tags: ["brand-new-tag", "c++"]), as: contractActing()) },
         { if case .invalidTag = $0 { true } else { false } }),
        ("empty title", { try $0.add(Resource(title: "  ", tags: ["brand-new-tag"]), as: contractActing()) },
         { if case .missingField = $0 { true } else { false } }),
        ("retag with a bad tag", { _ = try $0.retag(.id("r1"), add: ["brand-new-tag", "c#"], remove: ["templates"], as: contractActing()) },
         { if case .invalidTag = $0 { true } else { false } }),
        ("ask in an unknown name", { _ = try $0.ask(Question(title: "Orphan?", tags: ["brand-new-tag"], asker: "nobody"), as: contractActing()) },
         { if case .unknownMember = $0 { true } else { false } }),
        ("edit with a bad URL", { s in let r = try s.resource(.id("r1")); var e = r; e.url = "ftp://x"; e.tags.append("brand-new-tag"); try s.update(e, expecting: r, as: contractActing()) },
         { if case .invalidURL = $0 { true } else { false } }),
        ("edit with an unknown author", { s in let r = try s.resource(.id("r1")); var e = r; e.authors = ["nobody"]; e.tags.append("brand-new-tag"); try s.update(e, expecting: r, as: contractActing()) },
         { if case .unknownMember = $0 { true } else { false } }),
    ]

    @Test(arguments: ContractStores.all, invalid)
    func aRefusedWriteChangesNothing(_ f: StoreFactory, _ c: (String, @Sendable (any KnowledgeStore) throws -> Void, @Sendable (KnowHowError) -> Bool)) throws {
        let s = try f.fixture()
        let counts = try s.counts(), before = try snapshot(s), history = try s.history(of: nil, by: nil, limit: 100)
        let e = knowHowError { try c.1(s) }
        if let e { #expect(c.2(e), "\(c.0): \(e)") }
        #expect(try s.counts() == counts, "\(c.0)")
        expectSameBytes(try snapshot(s), before, c.0)
        #expect(try found(s, "orphan").isEmpty, "\(c.0): the index holds nothing of the failed write")
        #expect(try s.resolveTag("brand-new-tag") == nil, "\(c.0): the new tag was not kept")
        #expect(try s.history(of: nil, by: nil, limit: 100) == history, "\(c.0): nothing recorded")
    }

    @Test(arguments: ContractStores.all)
    func aRefusedWriteLeavesTheStoreWritable(_ f: StoreFactory) throws {
        let acting = contractActing()
        let s = try f.fixture()
        _ = knowHowError { try s.add(Resource(title: "Bad", url: "ftp://x"), as: acting) }
        #expect(try s.add(Resource(title: "Good", contributor: "kim"), as: acting) == EntryID(.resource, 13))
    }
}
