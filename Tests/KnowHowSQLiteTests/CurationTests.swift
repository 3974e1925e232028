import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Export bytes plus the index, redirects and successor links: equal means the store is the same.
func fullSnapshot(_ s: SQLiteKnowledgeStore) throws -> (Data, [String]) {
    (try s.exportCommunity().encoded(), try s.indexSnapshot())
}

// MARK: - The permission table

struct PermissionTableTests {
    @Test(arguments: [
        // action, role, owner?, expert?, missing role (nil: allowed)
        (ChangeAction.addResource, Role.member, false, false, Role.contributor as Role?),
        (.addResource, .contributor, false, false, nil),
        (.addPractice, .member, false, false, .contributor),
        (.addMember, .contributor, false, false, .curator),
        (.addMember, .curator, false, false, nil),
        (.editResource, .contributor, true, false, nil),
        (.editResource, .contributor, false, false, .curator),
        (.editResource, .member, true, false, .contributor),
        (.editMember, .member, true, false, nil),
        (.editMember, .contributor, false, false, .curator),
        (.ask, .member, true, false, nil),
        (.ask, .contributor, false, false, .curator),
        (.accept, .member, true, false, nil),
        (.accept, .member, false, false, .curator),
        (.endorse, .member, true, false, nil),
        (.verify, .member, false, true, nil),
        (.verify, .contributor, false, false, .curator),
        (.tagMerge, .contributor, false, false, .curator),
        (.merge, .curator, false, false, nil),
        (.undo, .member, true, false, nil),
        (.undo, .contributor, false, false, .curator),
        (.importCommunity, .contributor, false, false, .curator),
        // Meetings: contributors plan; whoever attended records; curators edit anything.
        (.addSeries, .member, false, false, .contributor),
        (.addSeries, .contributor, false, false, nil),
        (.planMeeting, .member, false, false, .contributor),
        (.planMeeting, .contributor, false, false, nil),
        (.recordMeeting, .member, true, false, nil),
        (.recordMeeting, .contributor, false, false, .curator),
        (.recordMeeting, .curator, false, false, nil),
        (.editMeeting, .contributor, true, false, nil),
        (.editMeeting, .member, true, false, .contributor),
        (.editMeeting, .contributor, false, false, .curator),
    ])
    func missingRole(_ c: (ChangeAction, Role, Bool, Bool, Role?)) {
        #expect(Permissions.missingRole(c.0, role: c.1, isOwner: c.2, isExpert: c.3) == c.4, "\(c.0.rawValue) by a \(c.1.rawValue)")
    }

    @Test func everyActionHasOneRule() {
        for a in ChangeAction.allCases { #expect(Permissions.table.filter { $0.action == a }.count == 1, "\(a.rawValue)") }
    }

    @Test func refusalNamesTheRole() {
        let e = knowHowError { try Permissions.require(.addResource, handle: "tom", role: .member, isOwner: false) }
        #expect(e?.description == "Adding a resource needs the contributor role; @tom cannot do it. Ask a curator")
        let f = knowHowError { try Permissions.require(.editResource, handle: "sam", role: .contributor, isOwner: false, target: "r1") }
        #expect(f?.description.hasPrefix("Editing someone else's resource (r1) needs the curator role") == true)
    }
}

// MARK: - Every write × every role, through the store

struct RoleMatrixTests {
    /// A write, and the least role that may make it (in the fixture, tom owns r8, sam owns r7 and q2).
    static let writes: [(name: String, least: Role?, run: @Sendable (SQLiteKnowledgeStore, Acting) throws -> Void)] = [
        ("add resource", .contributor, { _ = try $0.add(Resource(title: "A new guide", contributor: $1.actor.handle), as: $1) }),
        ("add practice", .contributor, { _ = try $0.add(Practice(title: "A new practice", contributor: $1.actor.handle), as: $1) }),
        ("add member", .curator, { _ = try $0.add(Member(handle: "newbie", name: "Nia Newbie"), as: $1) }),
        ("edit r1 (kim's)", .curator, { s, acting in let r = try s.resource(EntryID("r1")!); var e = r; e.title = "Changed"; try s.update(e, expecting: r, as: acting) }),
        ("edit p2 (joe's)", .curator, { s, acting in let p = try s.practice(EntryID("p2")!); var e = p; e.title = "Changed"; try s.update(e, expecting: p, as: acting) }),
        ("edit @li", .curator, { s, acting in let m = try s.member("li"); var e = m; e.sector = "health"; try s.update(e, expecting: m, as: acting) }),
        ("ask", .member, { _ = try $0.ask(Question(title: "How?", asker: $1.actor.handle), as: $1) }),
        ("answer", .member, { _ = try $0.answer(Answer(question: EntryID("q3")!, body: "Like this.", author: $1.actor.handle), as: $1) }),
        ("accept a1 (dev's question)", .curator, { _ = try $0.accept(EntryID("a2")!, as: $1) }),
        ("endorse", .member, { _ = try $0.endorse("li", tag: "research-methods", by: $1.actor.handle ?? "kim", as: $1) }),
        ("tag r1", .curator, { _ = try $0.retag(EntryID("r1")!, add: ["wellbeing"], remove: [], as: $1) }),
        ("tag rename", .curator, { try $0.renameTag("wellbeing", to: "well-being", as: $1) }),
        ("tag merge", .curator, { try $0.mergeTag("coaching", into: "mentoring", as: $1) }),
        ("tag alias", .curator, { _ = try $0.changeAliases("coaching", add: ["coach"], remove: [], as: $1) }),
        ("tag describe", .curator, { try $0.describeTag("coaching", "Helping others find their answers", as: $1) }),
        ("merge", .curator, { try $0.merge(keep: .entry(EntryID("r4")!), drop: .entry(EntryID("r5")!), as: $1) }),
        ("verify p2", .curator, { _ = try $0.verify(EntryID("p2")!, reviewBy: nil, as: $1) }),
        ("retire p2", .curator, { _ = try $0.retire(EntryID("p2")!, supersededBy: nil, as: $1) }),
        ("import", .curator, { _ = try $0.importCommunity(CommunityFile(tags: [Tag(name: "brand-new")]), as: $1) }),
    ]

    static let people: [(handle: String?, role: Role?)] = [(nil, nil), ("tom", .member), ("sam", .contributor), ("kim", .curator)]

    @Test(arguments: 0..<writes.count)
    func write(_ i: Int) throws {
        let w = Self.writes[i]
        for p in Self.people {
            let s = try makeFixtureStore()
            let acting = Acting(ActingAs(p.handle))
            let before = try snapshot(s)
            let allowed = p.role.map { r in w.least.map { r >= $0 } ?? true } ?? false
            if allowed {
                #expect(throws: Never.self, "\(w.name) by \(p.handle ?? "nobody")") { try w.run(s, acting) }
                #expect(try s.history(of: nil, by: p.handle, limit: 1).count == 1, "\(w.name) is recorded")
            } else {
                let e = knowHowError { try w.run(s, acting) }
                switch e {
                case .permissionDenied(_, let needs, let actor)?:
                    #expect(needs == w.least && actor == p.handle, "\(w.name) by \(p.handle ?? "nobody"): \(e!)")
                case .notIdentified?:
                    #expect(p.handle == nil, "\(w.name): \(e!)")
                default:
                    Issue.record("\(w.name) by \(p.handle ?? "nobody"): \(String(describing: e))")
                }
                #expect(try snapshot(s) == before, "a refused \(w.name) changes nothing")
            }
        }
    }

    /// The least role each write needs when its author, demoted to member, undoes it (nil: allowed).
    static let undoAfterDemotion: [String: Role?] = [
        "edit r1 (kim's)": .contributor, "tag r1": .contributor, "ask": nil, "answer": nil, "endorse": nil,
    ]

    @Test(arguments: 0..<writes.count)
    func undoAfterDemotion(_ i: Int) throws {
        let w = Self.writes[i]
        guard w.name != "import" else { return }
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        try w.run(s, acting)
        let number = try s.history(of: nil, by: "kim", limit: 1)[0].number
        try RoleMatrixTests.setRole(s, "kim", .member)
        let before = try fullSnapshot(s)
        let needs = Self.undoAfterDemotion[w.name] ?? w.least
        if let needs {
            let e = knowHowError { _ = try s.undo(nil, as: acting) }
            guard case .permissionDenied(let action, let n, let actor)? = e else {
                Issue.record("undo of \(w.name): \(String(describing: e))"); return
            }
            #expect(action.hasPrefix("Undoing #\(number) (") && n == needs && actor == "kim", "undo of \(w.name): \(e!)")
            #expect(try fullSnapshot(s) == before, "a refused undo of \(w.name) changes nothing")
            // Back as curator, the same undo goes through.
            try RoleMatrixTests.setRole(s, "kim", .curator)
        }
        #expect(try s.undo(number, as: acting).undoes == number, "undo of \(w.name)")
    }

    @Test func redoingAnUndoNeedsTheOriginalsRoleToo() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        try s.describeTag("coaching", "Helping others find their answers", as: acting)
        let undo = try s.undo(nil, as: acting)
        try RoleMatrixTests.setRole(s, "kim", .member)
        let e = knowHowError { _ = try s.undo(undo.number, as: acting) }
        #expect(e == .permissionDenied(action: "Undoing #\(undo.number) (describing a tag)", needs: .curator, actor: "kim"))
    }

    @Test func undoingAVerificationNeedsTheExpertLevelStill() throws {
        // maria verified p1 as an expert in mentoring; a curator has since lowered her level.
        let s = try makeFixtureStore()
        let acting = Acting(.member("maria"))
        _ = try s.verify(EntryID("p1")!, reviewBy: nil, as: acting)
        let number = try s.history(of: nil, by: "maria", limit: 1)[0].number
        try RoleMatrixTests.setSkill(s, "maria", "mentoring", .practising, by: "kim")
        let e = knowHowError { _ = try s.undo(nil, as: acting) }
        #expect(e == .permissionDenied(action: "Undoing #\(number) (verifying a practice)", needs: .curator, actor: "maria"))
    }

    @Test func aDemotedCuratorCannotUndoTheirRoleChanges() throws {
        let s = try makeFixtureStore()
        var acting = Acting(.member("kim"))
        try RoleMatrixTests.setRole(s, "sam", .curator)
        acting.actor = .member("kim")
        let m = try s.member("tom"); var e = m; e.role = .contributor
        try s.update(e, expecting: m, as: acting)
        let number = try s.history(of: nil, by: "kim", limit: 1)[0].number
        try RoleMatrixTests.setRole(s, "kim", .member)
        #expect(knowHowError { _ = try s.undo(nil, as: acting) }
                == .permissionDenied(action: "Undoing #\(number) (editing someone else's profile)", needs: .curator, actor: "kim"))
        // Another curator can.
        acting.actor = .member("sam")
        _ = try s.undo(number, as: acting)
        #expect(try s.member("tom").role == .member)
    }

    @Test func ownEntriesNeedLessThanOthers() throws {
        // sam (contributor) edits own r7 but not kim's r1; tom (member) edits own profile; zoe accepts on her q3.
        let s = try makeFixtureStore()
        var acting = Acting(.member("sam"))
        let r7 = try s.resource(EntryID("r7")!)
        var e = r7; e.summary = "Updated by its contributor."
        #expect(try s.update(e, expecting: r7, as: acting) == ["summary"])
        #expect(try s.retag(EntryID("r7")!, add: ["templates"], remove: [], as: acting).contains("templates"))
        acting.actor = .member("tom")
        let tom = try s.member("tom")
        var t = tom; t.location = "Leeds"
        #expect(try s.update(t, expecting: tom, as: acting) == ["location"])
        t = try s.member("tom"); var t2 = t; t2.role = .curator
        let promote = knowHowError { try s.update(t2, expecting: t, as: acting) }
        #expect(promote == .permissionDenied(action: "Changing a member's role (@tom)", needs: .curator, actor: "tom"))
        acting.actor = .member("zoe")
        _ = try s.answer(Answer(question: EntryID("q3")!, body: "Ask your team.", author: "zoe"), as: acting)
        #expect(try s.accept(EntryID("a4")!, as: acting) == EntryID("q3")!)
    }

    @Test func nobodyMayAskOrEndorseInSomeoneElsesName() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("tom"))
        let e = knowHowError { _ = try s.ask(Question(title: "Forged?", asker: "kim"), as: acting) }
        #expect(e == .permissionDenied(action: "Asking in someone else's name", needs: .curator, actor: "tom"))
        let f = knowHowError { _ = try s.endorse("li", tag: "research-methods", by: "kim", as: acting) }
        #expect(f == .permissionDenied(action: "Endorsing in someone else's name", needs: .curator, actor: "tom"))
    }

    @Test func expertsVerifyPracticesInTheirTags() throws {
        // maria is a member with expert level in mentoring; p1 is tagged mentoring, p2 is not.
        let s = try makeFixtureStore()
        let acting = Acting(.member("maria"))
        let p = try s.verify(EntryID("p1")!, reviewBy: Day("2099-01-01"), as: acting)
        #expect(p.status == .verified && p.verifiedBy == "maria" && p.reviewBy == Day("2099-01-01"))
        let e = knowHowError { _ = try s.verify(EntryID("p2")!, reviewBy: nil, as: acting) }
        #expect(e?.description.contains("needs the curator role") == true)
        #expect(e?.description.contains("without expert level") == true)
    }

    /// Raises or lowers a member's skill, acting as `by` (the system when nil).
    static func setSkill(_ s: SQLiteKnowledgeStore, _ handle: String, _ tag: String, _ level: SkillLevel, by: String?) throws {
        let m = try s.member(handle)
        var e = m
        e.skills = e.skills.filter { $0.tag != tag } + [Skill(tag: tag, level: level)]
        try s.update(e, expecting: m, as: Acting(by.map { .member($0) } ?? .system))
    }

    static func setRole(_ s: SQLiteKnowledgeStore, _ handle: String, _ role: Role) throws {
        let m = try s.member(handle)
        var e = m; e.role = role
        try s.update(e, expecting: m, as: .system)
    }

    @Test func anExpertLevelYouGaveYourselfDoesNotVerify() throws {
        // tom (member) raises his own facilitation to expert, then tries joe's p2 (facilitation).
        let s = try makeFixtureStore()
        var acting = Acting(.member("tom"))
        try Self.setSkill(s, "tom", "facilitation", .expert, by: "tom")
        let before = try snapshot(s)
        let e = knowHowError { _ = try s.verify(EntryID("p2")!, reviewBy: nil, as: acting) }
        #expect(e?.description.hasPrefix("@tom cannot verify p2: their expert level in facilitation was set by themselves") == true,
                "\(String(describing: e))")
        #expect(e?.description.contains("`endorse @tom facilitation`") == true)
        #expect(try snapshot(s) == before)
        // Another member's endorsement vouches for it.
        acting.actor = .member("li")
        _ = try s.endorse("tom", tag: "facilitation", by: "li", as: acting)
        acting.actor = .member("tom")
        #expect(try s.verify(EntryID("p2")!, reviewBy: nil, as: acting).verifiedBy == "tom")
    }

    @Test func anExpertLevelACuratorSetVerifies() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("tom"))
        try Self.setSkill(s, "tom", "facilitation", .expert, by: "kim")
        #expect(try s.verify(EntryID("p2")!, reviewBy: nil, as: acting).verifiedBy == "tom")
        // Lowering it and raising it again himself takes the curator's word away.
        try Self.setSkill(s, "tom", "facilitation", .practising, by: "tom")
        try Self.setSkill(s, "tom", "facilitation", .expert, by: "tom")
        let e = knowHowError { _ = try s.verify(EntryID("p2")!, reviewBy: nil, as: acting) }
        #expect(e?.description.contains("set by themselves") == true, "\(String(describing: e))")
    }

    @Test func nobodyVerifiesTheirOwnPractice() throws {
        // sam is an (imported) expert in research-methods and contributed p4, tagged research-methods.
        let s = try makeFixtureStore()
        var acting = Acting(.member("sam"))
        let before = try snapshot(s)
        let e = knowHowError { _ = try s.verify(EntryID("p4")!, reviewBy: nil, as: acting) }
        #expect(e == .verificationRefused(practice: "p4", actor: "sam", reason:
            "they contributed it, and a practice is verified by someone else (a curator, or an expert in one of its tags)"))
        // Tagging one's own practice into one's expert tag does not help either.
        acting.actor = .member("priya")
        let id = try s.add(Practice(title: "Coach in pairs", tags: ["facilitation"], contributor: "priya"), as: acting)
        _ = try s.retag(id, add: ["coaching"], remove: [], as: acting)
        #expect(knowHowError { _ = try s.verify(id, reviewBy: nil, as: acting) }?.description.contains("they contributed it") == true)
        // Not even a curator verifies their own.
        acting.actor = .member("kim")
        let mine = try s.add(Practice(title: "Kim's own practice", tags: ["supervision"], contributor: "kim"), as: acting)
        #expect(knowHowError { _ = try s.verify(mine, reviewBy: nil, as: acting) }?.description.hasPrefix("@kim cannot verify") == true)
        #expect(try s.practice(EntryID("p4")!).status == .proposed)
        _ = before
    }

    @Test func membersAreListedByRole() throws {
        let s = try makeFixtureStore()
        func members(_ q: String) throws -> [String] {
            try s.list(.member, query: QueryParser.parse(q), limit: 50).hits.map(\.ref.description).sorted()
        }
        #expect(try members("role:curator") == ["@kim"])
        #expect(try members("role:Contributor") == ["@ana", "@joe", "@priya", "@sam"])
        #expect(try members("role:curator role:contributor").count == 5)
        #expect(try members("-role:member").count == 5)
        #expect(try members("role:curator research").isEmpty)
        let e = knowHowError { _ = try members("role:admin") }
        #expect(e == .badFilter(key: "role", reason: "'admin' is not a role; use member, contributor or curator"))
    }

    @Test func aNewStoresFirstMemberIsItsCurator() throws {
        var acting = Acting.system
        let s = try SQLiteKnowledgeStore()
        acting.actor = .nobody
        let kim = try s.add(Member(handle: "kim", name: "Kim Lee", role: .member), as: acting)
        #expect(kim.role == .curator)
        let e = knowHowError { _ = try s.add(Member(handle: "sam", name: "Sam Patel"), as: acting) }
        #expect(e == .notIdentified(action: "Adding a member"))
        acting.actor = .member("kim")
        #expect(try s.add(Member(handle: "sam", name: "Sam Patel"), as: acting).role == .member)
    }

    @Test func anEmptyStoreMayBeImportedIntoByAnyone() throws {
        var acting = Acting.system
        let s = try SQLiteKnowledgeStore()
        acting.actor = .nobody
        #expect(try s.importCommunity(Fixture.file, as: acting).added[.member] == 10)
        let e = knowHowError { _ = try s.importCommunity(CommunityFile(tags: [Tag(name: "more")]), as: acting) }
        #expect(e == .notIdentified(action: "Importing into a store that has members"))
    }
}

// MARK: - History and undo

struct HistoryTests {
    @Test func everyChangeIsRecordedWithWhoWhenAndWhat() throws {
        let s = try makeFixtureStore()
        var acting = Acting(.member("sam"))
        acting.now = Timestamp("2025-06-01T10:00:00Z")!
        let id = try s.add(Resource(title: "Interview guide", kind: .guide, tags: ["research-methods"], contributor: "sam"), as: acting)
        acting.now = Timestamp("2025-06-02T10:00:00Z")!
        _ = try s.retag(id, add: ["templates"], remove: [], as: acting)
        let h = try s.history(of: id.description, by: nil, limit: 10)
        #expect(h.map(\.summary) == ["tagged \(id) +templates", "added \(id): Interview guide"])
        #expect(h.allSatisfy { $0.actor == "sam" })
        #expect(h.map(\.at) == [Timestamp("2025-06-02T10:00:00Z")!, Timestamp("2025-06-01T10:00:00Z")!])
        let detail = try s.historyRecord(h[0].number)
        #expect(detail.details.map(\.key).contains("\(id) #templates"))
        #expect(detail.details.contains { $0.kind == .updated && $0.fields.contains { $0.name == "updated" } })
        // The import that filled the store is recorded too, by the system, without rows.
        let first = try s.historyRecord(1)
        #expect(first.actor == nil && first.action == "import" && first.rowCount == 0)
    }

    @Test func undoRestoresTheStoreAndIndexExactly() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        let before = try fullSnapshot(s)
        let id = try s.add(Resource(title: "Onboarding buddy guide", tags: ["onboarding", "brand-new-tag"], contributor: "kim"), as: acting)
        #expect(ids(try find(s, "buddy")).contains(id.description))
        let undo = try s.undo(nil, as: acting)
        #expect(undo.summary.hasPrefix("undid #"))
        #expect(try fullSnapshot(s) == before)
        #expect(!ids(try find(s, "buddy")).contains(id.description))
        #expect(try s.indexDrift().isEmpty)
        // Undoing the undo redoes it; the number is not reused.
        _ = try s.undo(undo.number, as: acting)
        #expect(try s.resource(id).title == "Onboarding buddy guide")
        #expect(try s.add(Resource(title: "Next", contributor: "kim"), as: acting).number == id.number + 1)
    }

    @Test func undoTakesTheActorsOwnLastChange() throws {
        let s = try makeFixtureStore()
        var acting = Acting(.member("sam"))
        let mine = try s.add(Resource(title: "Sam's sheet", contributor: "sam"), as: acting)
        acting.actor = .member("kim")
        let theirs = try s.add(Resource(title: "Kim's sheet", contributor: "kim"), as: acting)
        acting.actor = .member("sam")
        _ = try s.undo(nil, as: acting)
        #expect(knowHowError { _ = try s.resource(mine) } == .unknownEntry(mine))
        #expect(try s.resource(theirs).title == "Kim's sheet")
        // A member cannot undo someone else's change by number; a curator can.
        let kimsChange = try s.history(of: nil, by: "kim", limit: 1)[0].number
        let e = knowHowError { _ = try s.undo(kimsChange, as: acting) }
        #expect(e == .permissionDenied(action: "Undoing someone else's change (#\(kimsChange))", needs: .curator, actor: "sam"))
    }

    @Test func undoIsRefusedWhileALaterChangeTouchedTheSameRows() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        let r = try s.resource(EntryID("r2")!)
        var e = r; e.title = "Running a great retrospective"
        try s.update(e, expecting: r, as: acting)
        let first = try s.history(of: nil, by: nil, limit: 1)[0].number
        let r2 = try s.resource(EntryID("r2")!)
        var e2 = r2; e2.summary = "Five steps, and why each matters."
        try s.update(e2, expecting: r2, as: acting)
        let second = try s.history(of: nil, by: nil, limit: 1)[0].number
        let refused = knowHowError { _ = try s.undo(first, as: acting) }
        #expect(refused?.description.contains("undo #\(second) first") == true, "\(String(describing: refused))")
        _ = try s.undo(second, as: acting)
        _ = try s.undo(first, as: acting)
        #expect(try s.resource(EntryID("r2")!).title == "Running a good retrospective")
    }

    @Test func undoOfAnAddIsRefusedWhileSomethingDependsOnIt() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        _ = try s.add(Member(handle: "nia", name: "Nia Newbie", skills: [Skill(tag: "coaching", level: .learning)]), as: acting)
        let added = try s.history(of: nil, by: nil, limit: 1)[0].number
        _ = try s.endorse("nia", tag: "coaching", by: "kim", as: acting)
        let e = knowHowError { _ = try s.undo(added, as: acting) }
        #expect(e?.description.contains("endorsed @nia") == true, "\(String(describing: e))")
    }

    @Test func importsCannotBeUndone() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        let e = knowHowError { _ = try s.undo(1, as: acting) }
        #expect(e?.description.contains("was an import") == true)
    }
}

// MARK: - Merges

struct MergeTests {
    @Test func mergingResourcesMovesTagsAndAuthorsAndLeavesAPointer() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        let before = try fullSnapshot(s)
        // r4 and r5 are both about supervision; merge r5 into r4.
        let plan = try s.merge(keep: .entry(EntryID("r4")!), drop: .entry(EntryID("r5")!), as: acting)
        #expect(plan.fields.first { $0.name == "contributor" }?.result == "@kim")
        let r4 = try s.resource(EntryID("r4")!)
        #expect(r4.tags == ["reflective-practice", "supervision", "templates"])
        #expect(try s.redirect(.entry(EntryID("r5")!)) == .entry(EntryID("r4")!))
        #expect(try s.resource(EntryID("r5")!).id == EntryID("r4")!)
        #expect(!ids(try find(s, "supervision notes")).contains("r5"))
        #expect(try s.indexDrift().isEmpty)
        #expect(try s.history(of: "r5", by: nil, limit: 5).first?.summary == "merged r5 into r4")
        // A new resource never takes the merged-away number.
        #expect(try s.add(Resource(title: "Another", contributor: "kim"), as: acting).number == 13)
        _ = try s.undo(try s.history(of: "r4", by: nil, limit: 5).first { $0.action == "merge" }!.number, as: acting)
        _ = try s.undo(nil, as: acting)  // the add
        #expect(try fullSnapshot(s) == before)
    }

    @Test func mergingPracticesKeepsTheVerification() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        let before = try fullSnapshot(s)
        _ = try s.retire(EntryID("p5")!, supersededBy: EntryID("p4")!, as: acting)
        // p2 (proposed) keeps p3's verification; p4 (p5's successor) merged into p2 moves the link.
        try s.merge(keep: .entry(EntryID("p2")!), drop: .entry(EntryID("p3")!), as: acting)
        let p2 = try s.practice(EntryID("p2")!)
        #expect(p2.status == .verified && p2.verifiedBy == "kim")
        #expect(p2.tags == ["facilitation", "reflective-practice", "supervision"])
        try s.merge(keep: .entry(EntryID("p2")!), drop: .entry(EntryID("p4")!), as: acting)
        #expect(try s.successor(of: EntryID("p5")!) == EntryID("p2")!)
        #expect(try s.redirect(.entry(EntryID("p3")!)) == .entry(EntryID("p2")!))
        #expect(try s.indexDrift().isEmpty)
        for _ in 0..<3 { _ = try s.undo(nil, as: acting) }
        #expect(try fullSnapshot(s) == before)
    }

    @Test func mergingMembersMovesEveryReference() throws {
        let s = try makeFixtureStore()
        var acting = Acting(.member("kim"))
        _ = try s.endorse("zoe", tag: "supervision", by: "kim", as: acting)
        acting.actor = .member("zoe")
        _ = try s.endorse("kim", tag: "supervision", by: "zoe", as: acting)
        acting.actor = .member("kim")
        let before = try fullSnapshot(s)
        // zoe (r5, p3, q3, supervision: learning) merged into kim (supervision: expert).
        let plan = try s.mergePlan(keep: .member("kim"), drop: .member("zoe"))
        #expect(plan.moves.contains("1 resource contributed") && plan.moves.contains("1 question"))
        try s.merge(keep: .member("kim"), drop: .member("zoe"), as: acting)
        let kim = try s.member("kim")
        #expect(kim.skills.first { $0.tag == "supervision" }?.level == .expert)
        #expect(kim.interests == ["coaching", "reflective-practice"])
        #expect(try s.resource(EntryID("r5")!).contributor == "kim")
        #expect(try s.question(EntryID("q3")!).asker == "kim")
        #expect(try s.endorsements(of: "kim").isEmpty, "endorsements between the two would be self-endorsements")
        // @zoe still works, and points to @kim.
        #expect(try s.member("zoe").handle == "kim")
        #expect(try s.redirect(.member("zoe")) == .member("kim"))
        #expect(knowHowError { _ = try s.add(Member(handle: "zoe", name: "Another Zoe"), as: acting) }?.description.contains("was merged into @kim") == true)
        #expect(try s.history(of: "@zoe", by: nil, limit: 1).first?.summary == "merged @zoe into @kim")
        #expect(try s.indexDrift().isEmpty)
        _ = try s.undo(nil, as: acting)
        #expect(try fullSnapshot(s) == before)
    }

    @Test func mergeRefusesMismatchedOrMissingThings() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        #expect(knowHowError { try s.merge(keep: .entry(EntryID("r1")!), drop: .entry(EntryID("p1")!), as: acting) }?.description.contains("not the same kind") == true)
        #expect(knowHowError { try s.merge(keep: .entry(EntryID("r1")!), drop: .entry(EntryID("r1")!), as: acting) } == .conflict("r1 cannot be merged into itself"))
        try s.merge(keep: .entry(EntryID("r4")!), drop: .entry(EntryID("r5")!), as: acting)
        #expect(knowHowError { try s.merge(keep: .entry(EntryID("r4")!), drop: .entry(EntryID("r5")!), as: acting) } == .conflict("r5 was already merged into r4"))
    }
}

// MARK: - Tags

struct TagCurationTests {
    @Test func tagMergeMovesEveryUseAndUndoRestoresIt() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        let before = try fullSnapshot(s)
        let plan = try s.tagMergePlan("coaching", into: "mentoring")
        #expect(plan.entries == 2 && plan.members == 2 && plan.overlap == 1)
        try s.mergeTag("coaching", into: "mentoring", as: acting)
        #expect(try s.resolveTag("coaching") == "mentoring")
        #expect(try s.resource(EntryID("r10")!).tags == ["mentoring"])
        #expect(try s.member("priya").skills.contains(Skill(tag: "mentoring", level: .expert)))
        // Searching by the old name finds the entries (it is an alias now, in the index too).
        #expect(ids(try find(s, "tag:coaching")).contains("r10"))
        #expect(try s.indexDrift().isEmpty)
        _ = try s.undo(nil, as: acting)
        #expect(try fullSnapshot(s) == before)
    }

    @Test func renameAliasDescribe() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        try s.renameTag("remote-work", to: "remote-working", as: acting)
        #expect(try s.resource(EntryID("r3")!).tags.contains("remote-working"))
        #expect(try s.resolveTag("remote") == "remote-working")
        #expect(knowHowError { try s.renameTag("coaching", to: "mentoring", as: acting) }?.description.contains("tag merge") == true)
        let t = try s.changeAliases("coaching", add: ["coach"], remove: [], as: acting)
        #expect(t.aliases == ["coach"])
        #expect(ids(try find(s, "coach")).contains("r10"))
        #expect(knowHowError { _ = try s.changeAliases("coaching", add: ["induction"], remove: [], as: acting) }?.description.contains("already an alias of 'onboarding'") == true)
        try s.describeTag("coaching", "Helping people find their own answers", as: acting)
        #expect(try s.tag("coaching").tag.description == "Helping people find their own answers")
        #expect(try s.indexDrift().isEmpty)
    }

    @Test func tagAndUntagAnEntry() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        #expect(try s.retag(EntryID("q2")!, add: ["Retrospectives"], remove: ["facilitation"], as: acting) == ["retrospectives"])
        #expect(ids(try find(s, "retrospectives type:answer")).contains("a3"), "an answer is indexed with its question's tags")
        #expect(knowHowError { _ = try s.retag(EntryID("q2")!, add: [], remove: ["coaching"], as: acting) } == .conflict("q2 is not tagged 'coaching'; nothing was changed"))
        #expect(try s.indexDrift().isEmpty)
    }
}

// MARK: - Edits, verification, similar entries, duplicates

struct EditAndReviewTests {
    @Test func aConcurrentEditIsRefusedWithWhatChanged() throws {
        let path = NSTemporaryDirectory() + "knowhow-concurrent-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = try SQLiteKnowledgeStore(path: path)
        _ = try a.importCommunity(Fixture.file, as: .system)
        let b = try SQLiteKnowledgeStore(path: path)
        let kim = Acting(.member("kim")), joe = Acting(.member("joe"))
        let opened = try a.resource(EntryID("r2")!)
        let theirs = try b.resource(EntryID("r2")!)
        var t = theirs; t.summary = "Joe's better summary."; t.tags.append("templates")
        try b.update(t, expecting: theirs, as: joe)
        var mine = opened; mine.title = "Kim's title"
        let e = knowHowError { try a.update(mine, expecting: opened, as: kim) }
        #expect(e == .staleEdit(entry: "r2", changed: ["summary", "tags"], keptIn: nil))
        #expect(try a.resource(EntryID("r2")!).title == "Running a good retrospective")
        // Reopened, the edit saves.
        let again = try a.resource(EntryID("r2")!)
        var m2 = again; m2.title = "Kim's title"
        #expect(try a.update(m2, expecting: again, as: kim) == ["title"])
    }

    @Test func reviewListsPracticesDueSoonOrPast() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        let due = try s.dueForReview(within: 30, today: Day("2026-04-15")!)
        #expect(due.map { $0.id!.description } == ["p6", "p1"])
        _ = try s.verify(EntryID("p1")!, reviewBy: Day("2099-01-01"), as: acting)
        #expect(try s.dueForReview(within: 30, today: Day("2026-04-15")!).map { $0.id!.description } == ["p6"])
        let retired = try s.retire(EntryID("p6")!, supersededBy: EntryID("p1")!, as: acting)
        #expect(retired.status == .retired)
        #expect(try s.dueForReview(within: 30, today: Day("2026-04-15")!).isEmpty)
        #expect(knowHowError { _ = try s.verify(EntryID("p6")!, reviewBy: nil, as: acting) }?.description.contains("is retired") == true)
    }

    @Test(arguments: [
        ("Onboarding checklist for new starters", nil as String?, "r1"),
        ("Onboarding check-list for new starter", nil, "r1"),
        ("Something else entirely", "https://www.example.org/grow/", "r10"),
        ("The GROW model: coaching conversations", nil, "r10"),
    ])
    func similarEntriesAreFound(_ c: (String, String?, String)) throws {
        let s = try makeFixtureStore()
        let found = try s.similar(to: Draft(type: .resource, title: c.0, url: c.1), limit: 5)
        #expect(found.first?.ref.description == c.2, "\(c.0): \(found)")
    }

    @Test func unrelatedTitlesAreNotSimilar() throws {
        let s = try makeFixtureStore()
        #expect(try s.similar(to: Draft(type: .resource, title: "Budget spreadsheet for charities"), limit: 5).isEmpty)
        #expect(try s.similar(to: Draft(type: .member, title: "Kim Lee"), limit: 5).map(\.ref) == [.member("kim")])
    }

    @Test func duplicatesComeStrongestFirstAndAPairMarkedNotDuplicatesStaysAway() throws {
        let s = try makeFixtureStore()
        var acting = Acting(.member("kim"))
        _ = try s.add(Resource(title: "Onboarding Checklist for New Starters (v2)", contributor: "kim"), as: acting)
        _ = try s.add(Resource(title: "GROW coaching model", url: "http://example.org/grow/", contributor: "kim"), as: acting)
        let all = try s.duplicates(limit: 100)
        #expect(all.map(\.strength) == all.map(\.strength).sorted(by: >), "\(all.map(\.why))")
        #expect(all.first?.why == "same address")
        #expect(try s.duplicates(limit: 1).count == 1)
        let before = try s.duplicates(limit: 100).count
        try s.markNotDuplicates(.entry(EntryID("r14")!), .entry(EntryID("r10")!), as: acting)
        #expect(try s.duplicates(limit: 100).count == before - 1)
        #expect(!(try s.duplicates(limit: 100)).contains { $0.drop == .entry(EntryID("r14")!) && $0.keep == .entry(EntryID("r10")!) })
        let again = knowHowError { try s.markNotDuplicates(.entry(EntryID("r10")!), .entry(EntryID("r14")!), as: acting) }
        #expect(again == .conflict("r10 and r14 are already marked not duplicates; nothing was changed"))
        // Recorded under both, and undoable.
        let h = try s.history(of: "r14", by: nil, limit: 1)
        #expect(h.first?.summary == "marked r10 and r14 not duplicates")
        #expect(try s.history(of: "r10", by: nil, limit: 1).first?.number == h.first?.number)
        _ = try s.undo(nil, as: acting)
        #expect(try s.duplicates(limit: 100).count == before)
        // Curators only.
        acting.actor = .member("sam")
        let e = knowHowError { try s.markNotDuplicates(.entry(EntryID("r10")!), .entry(EntryID("r14")!), as: acting) }
        #expect(e == .permissionDenied(action: "Marking a pair as not duplicates (r10 and r14)", needs: .curator, actor: "sam"))
    }

    @Test func historyNamesMembersAndTagsNeverRowIDs() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        let id = try s.add(Practice(title: "Check in weekly", tags: ["brand-new"], contributor: "sam"), as: acting)
        _ = try s.retag(id, add: [], remove: ["brand-new"], as: acting)
        // The tag is gone from the store (undoing the add removes it); history still names it.
        let p = try s.practice(id); var e = p; e.contributor = "tom"
        try s.update(e, expecting: p, as: acting)
        let edit = try s.historyRecord(try s.history(of: nil, by: "kim", limit: 1)[0].number)
        let fields = edit.details.flatMap(\.fields)
        #expect(fields.contains { $0.name == "contributor" && $0.before == "@sam" && $0.after == "@tom" }, "\(fields)")
        let retag = try s.historyRecord(try s.history(of: nil, by: "kim", limit: 2)[1].number)
        #expect(retag.details.map(\.key).contains("\(id) #brand-new"), "\(retag.details.map(\.key))")
    }

    @Test(arguments: [
        ("short", "shorter", "short", "shorter"),
        ("A two-page guide to structuring a coaching conversation with GROW, and a note on when to leave the model behind.",
         "A two-page guide to structuring a coaching conversation with GROW, and a note on when to adapt the model.",
         "…on when to leave the model behind.", "…on when to adapt the model."),
        ("Start here. " + String(repeating: "same words again ", count: 6) + "end.",
         "Begin here. " + String(repeating: "same words again ", count: 6) + "end.",
         "Start here. same words…", "Begin here. same words…"),
    ])
    func longTextIsShownAsTheWordsThatChanged(_ c: (String, String, String, String)) {
        let (b, a) = TextDiff.short(c.0, c.1)
        #expect(b == c.2 && a == c.3, "\(String(describing: b)) → \(String(describing: a))")
    }

    @Test func theMergePreviewSaysTagsAreJoined() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        let bare = try s.add(Resource(title: "Untagged copy", contributor: "kim"), as: acting)
        let plan = try s.mergePlan(keep: .entry(bare), drop: .entry(EntryID("r4")!))
        let tags = plan.fields.first { $0.name == "tags" }!
        #expect(tags.union && tags.result == tags.drop)
        #expect(!(plan.fields.first { $0.name == "title" }!.union))
    }

    @Test func duplicatesAreListedForReview() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        _ = try s.add(Resource(title: "Onboarding Checklist for New Starters (v2)", contributor: "kim"), as: acting)
        _ = try s.add(Resource(title: "GROW coaching model", url: "http://example.org/grow/", contributor: "kim"), as: acting)
        _ = try s.add(Member(handle: "kim-lee", name: "Kim Lee", email: "KIM@northside.example.org"), as: acting)
        let pairs = try s.duplicates(limit: 20).map { "\($0.keep) \($0.drop) \($0.why)" }
        #expect(pairs.contains { $0.hasPrefix("r1 r13 near-identical titles") }, "\(pairs)")
        #expect(pairs.contains("r10 r14 same address"), "\(pairs)")
        #expect(pairs.contains("@kim @kim-lee same email"), "\(pairs)")
    }
}

struct SimilarityTests {
    @Test(arguments: [
        // a, b, and the range the score must fall in
        ("Onboarding checklist", "onboarding checklist", 1.0, 1.0),
        ("Onboarding checklist for new starters", "Onboarding Checklist for New Starters (v2)", Similarity.nearIdenticalTitle, 0.99),
        ("Coaching conversations: the GROW model", "The GROW model: coaching conversations", Similarity.nearIdenticalTitle, 1.0),
        ("Running a good retrospective", "Running remote retrospectives", Similarity.similarTitle, Similarity.nearIdenticalTitle - 0.01),
        ("Budget spreadsheet", "Onboarding checklist", 0.0, 0.0),
        ("Mentoring scheme starter kit", "Research methods for practitioners", 0.0, Similarity.similarTitle - 0.01),
    ])
    func titleScore(_ c: (String, String, Double, Double)) {
        let score = Similarity.titleScore(c.0, c.1)
        #expect(score >= c.2 && score <= c.3, "\(c.0) / \(c.1): \(score)")
    }

    @Test(arguments: [
        ("https://www.Example.org/grow/", "example.org/grow"),
        ("http://example.org/grow#top", "example.org/grow"),
        ("https://example.org/a?b=1", "example.org/a?b=1"),
    ])
    func urlKey(_ c: (String, String)) { #expect(Similarity.urlKey(c.0) == c.1) }

    @Test func nameKeyJoinsWaysOfWritingAName() {
        #expect(Similarity.nameKey("Kim Lee") == Similarity.nameKey("kim-lee"))
        #expect(Similarity.nameKey("kimlee") == Similarity.nameKey("Kím Lee"))
    }

    @Test func editFormRoundTrips() throws {
        let form = EditForm(fields: [("title", "A"), ("tags", "x, y")], sections: [("Summary", "Line one.\n\nLine two.")])
        let text = form.render(header: ["Editing r1."])
        #expect(try EditForm.parse(text, keys: ["title", "tags"], headings: ["Summary"]) == form)
        #expect(knowHowError { _ = try EditForm.parse("colour: red", keys: ["title"], headings: []) }?.description.contains("colour") == true)
    }
}
