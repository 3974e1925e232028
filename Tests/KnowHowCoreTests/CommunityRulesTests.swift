import Testing
@testable import KnowHowCore

/// Rules that used to live in the SQLite store, now in the core so that every store applies them
/// alike: the classes of similar entries with their words, and the first member's role.
struct CommunityRulesTests {
    @Test(arguments: [
        // (existing title, summary, shares a tag, draft title, draft summary, expected why)
        ("New starter onboarding checklist", nil, false, "Onboarding checklist for new starters", nil, "similar title"),
        ("Onboarding checklist for volunteers", nil, true, "Onboarding checklist for new staff", nil, "similar title, same tags"),
        ("Onboarding checklist for volunteers", nil, false, "Onboarding checklist for new staff", nil, nil),
        ("Buddy scheme", "pair every new starter with a buddy for onboarding", false, "Mentors for starters",
         "pair every new starter with a buddy for onboarding", "similar title and summary"),
        ("Lone working policy", nil, true, "Grant writing tips", nil, nil),
    ] as [(String, String?, Bool, String, String?, String?)])
    func entryLikeness(_ c: (String, String?, Bool, String, String?, String?)) {
        let draft = Draft(type: .resource, title: c.3, summary: c.4)
        #expect(Similarity.entryLikeness(title: c.0, summary: c.1, to: draft, sharesTag: c.2)?.why == c.5, "\(c.0) ~ \(c.3)")
    }

    @Test func membersWithTheSameNameHoweverWrittenAreTheSameName() {
        let draft = Draft(type: .member, title: "Kim Lee")
        #expect(Similarity.memberLikeness(name: "KimLee", handle: "kimlee", to: draft)?.why == "same name")
        #expect(Similarity.memberLikeness(name: "Someone Else", handle: "kim-lee", to: draft)?.why == "same name")
        #expect(Similarity.memberLikeness(name: "Sam Patel", handle: "sam", to: draft) == nil)
    }

    @Test func duplicateReasonsSayHowClose() {
        #expect(Similarity.nearIdenticalTitles(0.876) == "near-identical titles (88%)")
        #expect(Similarity.similarTitlesSameTags(0.6) == "similar titles, same tags (60%)")
    }

    @Test func aNewCommunitysFirstMemberIsItsCurator() {
        #expect(Role.onJoining(.member, isFirstMember: true) == .curator)
        #expect(Role.onJoining(.member, isFirstMember: false) == .member)
        #expect(Role.onJoining(.contributor, isFirstMember: false) == .contributor)
    }
}

/// Field diffs and the stale-edit check, once for every store.
struct EditRulesTests {
    @Test func anEditSaysWhichFieldsItChanges() throws {
        let original = Resource(title: "Checklist", url: "https://a.example", tags: ["onboarding"])
        var edited = original
        edited.title = "New starter checklist"
        edited.tags = ["onboarding", "social-care"]
        #expect(try EditRules.changes(from: original, current: original, to: edited, entry: "r1") == ["title", "tags"])
        // The same tags in another order are no change.
        var reordered = original
        reordered.tags = original.tags.reversed()
        #expect(try EditRules.changes(from: original, current: original, to: reordered, entry: "r1") == [])
    }

    @Test func anEditOfSomethingChangedMeanwhileIsRefusedNamingTheFields() {
        let original = Member(handle: "kim", name: "Kim Lee")
        var current = original
        current.organisation = "Lattice"
        var edited = original
        edited.name = "Kim Lee-Park"
        #expect(throws: KnowHowError.staleEdit(entry: "@kim", changed: ["organisation"], keptIn: nil)) {
            try EditRules.changes(from: original, current: current, to: edited, entry: "@kim")
        }
    }
}

/// Merge rules, once for every store.
struct MergeRulesTests {
    @Test func aProposedPracticeTakesTheDroppedOnesVerification() {
        var keep = Practice(title: "Buddy scheme", tags: ["onboarding"])
        keep.status = .proposed
        var drop = Practice(title: "Buddies", tags: ["mentoring"])
        drop.status = .verified; drop.verifiedBy = "rosa"
        let r = MergeRules.practices(keep: keep, drop: drop, EntryRef("p1")!, EntryRef("p2")!, successorLinks: 2)
        #expect(r.merged.status == .verified && r.merged.verifiedBy == "rosa")
        #expect(r.merged.tags == ["mentoring", "onboarding"])
        #expect(r.plan.moves == ["1 tag", "the verification", "2 successor links"])
    }

    @Test func aMergedMemberKeepsTheHigherRoleAndLevelsAndTheEarlierDay() {
        let keep = Member(handle: "kim-lee", name: "Kim Lee", role: .member, joined: Day("2025-03-01"),
                          skills: [Skill(tag: "facilitation", level: .learning)])
        let drop = Member(handle: "kimlee", name: "Kim Lee", email: "kim@example.org", role: .contributor, joined: Day("2024-01-01"),
                          skills: [Skill(tag: "facilitation", level: .expert)])
        let r = MergeRules.members(keep: keep, drop: drop, EntryRef("@kim-lee")!, EntryRef("@kimlee")!,
                                   moving: .init(answers: 1, endorsementsGiven: 2))
        #expect(r.merged.role == .contributor && r.merged.email == "kim@example.org")
        #expect(r.merged.skills == [Skill(tag: "facilitation", level: .expert)])
        #expect(r.merged.joined == Day("2024-01-01"))
        #expect(r.plan.moves == ["1 answer", "2 endorsements given"])
    }

    @Test func mergesOfDifferentKindsOrOfItselfAreRefused() {
        #expect(throws: KnowHowError.self) { try MergeRules.check(keep: EntryRef("r1")!, drop: EntryRef("p1")!) }
        #expect(throws: KnowHowError.conflict("r1 cannot be merged into itself")) { try MergeRules.check(keep: EntryRef("r1")!, drop: EntryRef("r1")!) }
        #expect(throws: MergeRules.notMergeable(EntryRef("q1")!)) { try MergeRules.check(keep: EntryRef("q1")!, drop: EntryRef("q2")!) }
    }
}
