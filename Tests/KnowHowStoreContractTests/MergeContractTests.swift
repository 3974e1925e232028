import Foundation
import Testing
import KnowHowCore

/// Merging duplicate entries, members and tags, and what the merged-away names point to after.
@Suite("Contract: merges")
struct MergeContractTests {
    @Test(arguments: ContractStores.all)
    func mergingResourcesMovesTagsAndLeavesAPointer(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        let plan = try s.mergePlan(keep: .entry(.id("r4")), drop: .entry(.id("r5")))
        #expect(plan.keep == .entry(.id("r4")) && plan.drop == .entry(.id("r5")))
        #expect(plan.fields.first { $0.name == "contributor" }?.result == "@kim")
        #expect(try s.counts().resources == 12, "a plan changes nothing")
        let done = try s.merge(keep: .entry(.id("r4")), drop: .entry(.id("r5")), as: acting)
        #expect(done == plan)
        #expect(try s.resource(.id("r4")).tags == ["reflective-practice", "supervision", "templates"])
        #expect(try s.counts().resources == 11)
        #expect(try s.redirect(.entry(.id("r5"))) == .entry(.id("r4")))
        #expect(try s.redirect(.entry(.id("r4"))) == nil)
        #expect(try s.redirect(.entry(.id("r1"))) == nil)
        #expect(try s.resource(.id("r5")).id == .id("r4"), "reading a merged-away id gives the kept entry")
        #expect(!(try found(s, "supervision notes").contains("r5")))
        #expect(try s.history(of: "r5", by: nil, limit: 5).first?.summary == "merged r5 into r4")
        #expect(try s.add(Resource(title: "Another", contributor: "kim"), as: acting).number == 13, "a merged-away number is never reused")
    }

    @Test(arguments: ContractStores.all)
    func mergingPracticesKeepsTheVerificationAndMovesSuccessors(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        _ = try s.retire(.id("p5"), supersededBy: .id("p4"), as: acting)
        #expect(try s.successor(of: .id("p5")) == .id("p4"))
        try s.merge(keep: .entry(.id("p2")), drop: .entry(.id("p3")), as: acting)
        let p2 = try s.practice(.id("p2"))
        #expect(p2.status == .verified && p2.verifiedBy == "kim")
        #expect(p2.tags == ["facilitation", "reflective-practice", "supervision"])
        try s.merge(keep: .entry(.id("p2")), drop: .entry(.id("p4")), as: acting)
        #expect(try s.successor(of: .id("p5")) == .id("p2"))
        #expect(try s.redirect(.entry(.id("p3"))) == .entry(.id("p2")))
        #expect(try s.redirect(.entry(.id("p4"))) == .entry(.id("p2")))
    }

    @Test(arguments: ContractStores.all)
    func questionsAndAnswersAreNotMerged(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        let before = try snapshot(s)
        #expect(knowHowError { try s.merge(keep: .entry(.id("q1")), drop: .entry(.id("q3")), as: acting) }
                == .unsupported("only resources, practices and members can be merged; q1 is a question"))
        #expect(try snapshot(s) == before)
    }

    @Test(arguments: ContractStores.all)
    func mergeRefusalSaysAnAnswerNotAAnswer(_ f: StoreFactory) throws {
        let s = try f.fixture()
        #expect(knowHowError { _ = try s.mergePlan(keep: .entry(.id("a1")), drop: .entry(.id("a2"))) }
                == .unsupported("only resources, practices and members can be merged; a1 is an answer"))
    }

    @Test(arguments: ContractStores.all)
    func mergingMembersMovesEveryReference(_ f: StoreFactory) throws {
        let s = try f.fixture()
        var acting = contractActing("kim")
        _ = try s.endorse("zoe", tag: "supervision", by: "kim", as: acting)
        acting.actor = .member("zoe")
        _ = try s.endorse("kim", tag: "supervision", by: "zoe", as: acting)
        _ = try s.endorse("li", tag: "research-methods", by: "zoe", as: acting)
        acting.actor = .member("kim")
        // zoe (r5, p3, q3, supervision: learning) merged into kim (supervision: expert).
        let plan = try s.mergePlan(keep: .member("kim"), drop: .member("zoe"))
        #expect(plan.moves.contains("1 resource contributed") && plan.moves.contains("1 question"), "\(plan.moves)")
        try s.merge(keep: .member("kim"), drop: .member("zoe"), as: acting)
        let kim = try s.member("kim")
        #expect(kim.skills.first { $0.tag == "supervision" }?.level == .expert, "the higher level is kept")
        #expect(kim.interests == ["coaching", "reflective-practice"])
        #expect(try s.resource(.id("r5")).contributor == "kim")
        #expect(try s.practice(.id("p3")).contributor == "kim")
        #expect(try s.question(.id("q3")).asker == "kim")
        #expect(try s.endorsements(of: "kim")["supervision"]?.contains("kim") != true, "no self-endorsement")
        #expect(try s.endorsements(of: "li")["research-methods"] == ["kim"], "zoe's endorsement is now kim's")
        #expect(try s.counts().members == 9)
        // @zoe still reads, and points to @kim; the handle cannot be taken again.
        #expect(try s.member("zoe").handle == "kim")
        #expect(try s.redirect(.member("zoe")) == .member("kim"))
        #expect(knowHowError { _ = try s.add(Member(handle: "zoe", name: "Another Zoe"), as: acting) }?.description.contains("was merged into @kim") == true)
        #expect(try found(s, "by:zoe").contains("r5"), "by: follows the merge")
        #expect(try s.history(of: "@zoe", by: nil, limit: 1).first?.summary == "merged @zoe into @kim")
    }

    @Test(arguments: ContractStores.all)
    func mergeRefusesMismatchedOrMissingThings(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        let before = try snapshot(s)
        #expect(knowHowError { try s.merge(keep: .entry(.id("r1")), drop: .entry(.id("p1")), as: acting) }?.description.contains("not the same kind") == true)
        #expect(knowHowError { try s.merge(keep: .entry(.id("r1")), drop: .entry(.id("r1")), as: acting) } == .conflict("r1 cannot be merged into itself"))
        #expect(knowHowError { try s.merge(keep: .entry(.id("r1")), drop: .entry(.id("r99")), as: acting) } == .unknownEntry(.id("r99")))
        #expect(knowHowError { try s.merge(keep: .member("kim"), drop: .member("nobody"), as: acting) } == .unknownMember(handle: "nobody"))
        #expect(try snapshot(s) == before)
        try s.merge(keep: .entry(.id("r4")), drop: .entry(.id("r5")), as: acting)
        #expect(knowHowError { try s.merge(keep: .entry(.id("r4")), drop: .entry(.id("r5")), as: acting) } == .conflict("r5 was already merged into r4"))
    }

    @Test(arguments: ContractStores.all)
    func tagMergeMovesEveryUseAndKeepsTheOldNameAsAnAlias(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        let plan = try s.tagMergePlan("coaching", into: "mentoring")
        #expect(plan.entries == 2 && plan.members == 2 && plan.overlap == 1, "\(plan)")
        try s.mergeTag("coaching", into: "mentoring", as: acting)
        #expect(try s.resolveTag("coaching") == "mentoring")
        #expect(try s.resolveTag("mentorship") == "mentoring")
        #expect(try s.resource(.id("r10")).tags == ["mentoring"])
        #expect(try s.practice(.id("p6")).tags == ["mentoring"], "p6 had both")
        #expect(try s.member("priya").skills.contains(Skill(tag: "mentoring", level: .expert)))
        #expect(try s.member("kim").interests == ["mentoring"])
        #expect(try found(s, "tag:coaching").contains("r10"), "the old name finds what it tagged")
        #expect(try found(s, "tag:coaching") == found(s, "tag:mentoring"))
        #expect(try s.counts().tags == 11)
        #expect(try s.tag("mentoring").tag.aliases.contains("coaching"))
    }

    @Test(arguments: ContractStores.all)
    func renameAliasDescribe(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        try s.renameTag("remote-work", to: "remote-working", as: acting)
        #expect(try s.resource(.id("r3")).tags.contains("remote-working"))
        #expect(try s.resolveTag("remote") == "remote-working")
        #expect(try found(s, "tag:remote-working").contains("r11"))
        #expect(knowHowError { try s.renameTag("coaching", to: "mentoring", as: acting) }?.description.contains("tag merge") == true)
        let t = try s.changeAliases("coaching", add: ["coach"], remove: [], as: acting)
        #expect(t.aliases == ["coach"])
        #expect(try found(s, "coach").contains("r10"))
        #expect(try found(s, "tag:coach").contains("r10"))
        #expect(knowHowError { _ = try s.changeAliases("coaching", add: ["induction"], remove: [], as: acting) }?.description.contains("already an alias of 'onboarding'") == true)
        try s.describeTag("coaching", "Helping people find their own answers", as: acting)
        #expect(try s.tag("coaching").tag.description == "Helping people find their own answers")
    }
}
