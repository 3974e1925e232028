import Foundation
import Testing
import KnowHowCore

/// Every change is recorded; undo puts back exactly what was there, down to the exported byte.
@Suite("Contract: history and undo")
struct HistoryContractTests {
    @Test(arguments: ContractStores.all)
    func everyChangeIsRecordedWithWhoWhenAndWhat(_ f: StoreFactory) throws {
        let s = try f.fixture()
        var acting = contractActing("sam")
        acting.now = Timestamp("2025-06-01T10:00:00Z")!
        let id = try s.add(Resource(title: "Interview guide", kind: .guide, tags: ["research-methods"], contributor: "sam"), as: acting)
        acting.now = Timestamp("2025-06-02T10:00:00Z")!
        _ = try s.retag(id, add: ["templates"], remove: [], as: acting)
        let h = try s.history(of: id.description, by: nil, limit: 10)
        #expect(h.map(\.summary) == ["tagged \(id) +templates", "added \(id): Interview guide"])
        #expect(h.allSatisfy { $0.actor == "sam" && $0.undoneBy == nil })
        #expect(h.map(\.at) == [Timestamp("2025-06-02T10:00:00Z")!, Timestamp("2025-06-01T10:00:00Z")!])
        #expect(h[0].number > h[1].number)
        let detail = try s.historyRecord(h[0].number)
        #expect(detail.details.map(\.key).contains("\(id) #templates"), "\(detail.details.map(\.key))")
        // By member, and by tag.
        #expect(try s.history(of: nil, by: "sam", limit: 10).map(\.number) == h.map(\.number))
        #expect(try s.history(of: "templates", by: nil, limit: 10).first?.number == h[0].number)
        // The import that filled the store is recorded too, by the system, without rows.
        let first = try s.historyRecord(1)
        #expect(first.actor == nil && first.action == "import" && first.rowCount == 0)
    }

    /// A change, made by kim on the fixture, that undo must take back to the byte.
    static let changes: [(String, @Sendable (any KnowledgeStore, Acting) throws -> Void)] = [
        ("add resource", { _ = try $0.add(Resource(title: "Onboarding buddy guide", tags: ["onboarding", "brand-new-tag"], contributor: "kim", authors: ["tom"]), as: $1) }),
        ("add practice", { _ = try $0.add(Practice(title: "Buddy lunches", tags: ["onboarding", "brand-new-tag"], contributor: "kim"), as: $1) }),
        ("add member", { _ = try $0.add(Member(handle: "nia", name: "Nia Newbie", skills: [Skill(tag: "brand-new-tag", level: .expert)], interests: ["coaching"]), as: $1) }),
        ("edit resource", { s, acting in let r = try s.resource(.id("r2")); var e = r; e.title = "Running a great buddy retrospective"; e.tags = ["brand-new-tag"]; e.authors = ["sam"]; try s.update(e, expecting: r, as: acting) }),
        ("edit practice", { s, acting in let p = try s.practice(.id("p1")); var e = p; e.evidence = nil; e.reviewBy = nil; e.tags.append("coaching"); try s.update(e, expecting: p, as: acting) }),
        ("edit member", { s, acting in let m = try s.member("zoe"); var e = m; e.bio = nil; e.role = .contributor; e.skills = [Skill(tag: "wellbeing", level: .learning)]; e.interests = []; try s.update(e, expecting: m, as: acting) }),
        ("ask", { _ = try $0.ask(Question(title: "Where do buddies eat?", tags: ["onboarding"], asker: "kim"), as: $1) }),
        ("answer", { _ = try $0.answer(Answer(question: .id("q3"), body: "Buddy up with a peer.", author: "kim"), as: $1) }),
        ("accept", { _ = try $0.accept(.id("a2"), as: $1) }),
        ("endorse", { _ = try $0.endorse("li", tag: "research-methods", by: "kim", as: $1) }),
        ("retag", { _ = try $0.retag(.id("r1"), add: ["brand-new-tag", "coaching"], remove: ["templates"], as: $1) }),
        ("tag rename", { try $0.renameTag("onboarding", to: "welcoming", as: $1) }),
        ("tag merge", { try $0.mergeTag("coaching", into: "mentoring", as: $1) }),
        ("tag alias", { _ = try $0.changeAliases("onboarding", add: ["buddying"], remove: ["induction"], as: $1) }),
        ("tag describe", { try $0.describeTag("coaching", "Helping people find their own answers", as: $1) }),
        ("merge resources", { try $0.merge(keep: .entry(.id("r4")), drop: .entry(.id("r5")), as: $1) }),
        ("merge practices", { try $0.merge(keep: .entry(.id("p2")), drop: .entry(.id("p3")), as: $1) }),
        ("merge members", { try $0.merge(keep: .member("kim"), drop: .member("zoe"), as: $1) }),
        ("verify", { _ = try $0.verify(.id("p2"), reviewBy: Day("2099-01-01"), as: $1) }),
        ("retire", { _ = try $0.retire(.id("p6"), supersededBy: .id("p1"), as: $1) }),
    ]

    @Test(arguments: ContractStores.all, changes)
    func undoGivesBackTheSameBytes(_ f: StoreFactory, _ c: (String, @Sendable (any KnowledgeStore, Acting) throws -> Void)) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        let before = try snapshot(s), state = try linkState(s), counts = try s.counts()
        let searches = ["buddy", "onboarding", "supervision", "tag:coaching", "tag:induction", "reflective"].map { q in (q, try? found(s, q)) }
        try c.1(s, acting)
        #expect(try snapshot(s) != before || linkState(s) != state, "\(c.0) changed something")
        let undo = try s.undo(nil, as: acting)
        #expect(undo.summary.hasPrefix("undid #"), "\(undo.summary)")
        expectSameBytes(try snapshot(s), before, "\(c.0) then undo")
        #expect(try linkState(s) == state, "\(c.0) then undo: endorsements, successors and redirects")
        #expect(try s.counts() == counts, "\(c.0)")
        for (q, hits) in searches { #expect(try found(s, q) == hits, "\(c.0): search '\(q)' after undo") }
    }

    @Test(arguments: ContractStores.all)
    func undoOfAWithdrawalGivesTheEndorsementBack(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        _ = try s.endorse("li", tag: "research-methods", by: "kim", as: acting)
        let before = try snapshot(s), state = try linkState(s)
        #expect(try s.withdrawEndorsement("li", tag: "research-methods", by: "kim", as: acting))
        #expect(try s.endorsements(of: "li").isEmpty)
        _ = try s.undo(nil, as: acting)
        #expect(try s.endorsements(of: "li") == ["research-methods": ["kim"]])
        #expect(try linkState(s) == state)
        expectSameBytes(try snapshot(s), before, "withdrawal then undo")
    }

    @Test(arguments: ContractStores.all)
    func undoingTheUndoRedoesWithoutReusingNumbers(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        let id = try s.add(Resource(title: "Onboarding buddy guide", contributor: "kim"), as: acting)
        let added = try snapshot(s)
        let undo = try s.undo(nil, as: acting)
        #expect(knowHowError { _ = try s.resource(id) } == .unknownEntry(id))
        #expect(try s.historyRecord(undo.undoes!).undoneBy == undo.number)
        _ = try s.undo(undo.number, as: acting)
        #expect(try s.resource(id).title == "Onboarding buddy guide")
        expectSameBytes(try snapshot(s), added, "undo of the undo")
        #expect(try s.add(Resource(title: "Next", contributor: "kim"), as: acting).number == id.number + 1)
    }

    @Test(arguments: ContractStores.all)
    func undoTakesTheActorsOwnLastChange(_ f: StoreFactory) throws {
        let s = try f.fixture()
        var acting = contractActing("sam")
        let mine = try s.add(Resource(title: "Sam's sheet", contributor: "sam"), as: acting)
        acting.actor = .member("kim")
        let theirs = try s.add(Resource(title: "Kim's sheet", contributor: "kim"), as: acting)
        acting.actor = .member("sam")
        _ = try s.undo(nil, as: acting)
        #expect(knowHowError { _ = try s.resource(mine) } == .unknownEntry(mine))
        #expect(try s.resource(theirs).title == "Kim's sheet")
    }

    @Test(arguments: ContractStores.all)
    func undoIsRefusedWhileALaterChangeTouchedTheSameRows(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        let r = try s.resource(.id("r2"))
        var e = r; e.title = "Running a great retrospective"
        try s.update(e, expecting: r, as: acting)
        let first = try s.history(of: nil, by: nil, limit: 1)[0].number
        let r2 = try s.resource(.id("r2"))
        var e2 = r2; e2.summary = "Five steps, and why each matters."
        try s.update(e2, expecting: r2, as: acting)
        let second = try s.history(of: nil, by: nil, limit: 1)[0].number
        let before = try snapshot(s)
        let refused = knowHowError { _ = try s.undo(first, as: acting) }
        #expect(refused?.description.contains("undo #\(second) first") == true, "\(String(describing: refused))")
        #expect(try snapshot(s) == before)
        _ = try s.undo(second, as: acting)
        _ = try s.undo(first, as: acting)
        #expect(try s.resource(.id("r2")).title == "Running a good retrospective")
    }

    @Test(arguments: ContractStores.all)
    func undoOfAnAddIsRefusedWhileSomethingDependsOnIt(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        _ = try s.add(Member(handle: "nia", name: "Nia Newbie", skills: [Skill(tag: "coaching", level: .learning)]), as: acting)
        let added = try s.history(of: nil, by: nil, limit: 1)[0].number
        _ = try s.endorse("nia", tag: "coaching", by: "kim", as: acting)
        let before = try snapshot(s)
        let e = knowHowError { _ = try s.undo(added, as: acting) }
        #expect(e?.description.contains("endorsed @nia") == true, "\(String(describing: e))")
        #expect(try snapshot(s) == before)
    }

    @Test(arguments: ContractStores.all)
    func importsCannotBeUndone(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        let e = knowHowError { _ = try s.undo(1, as: acting) }
        #expect(e?.description.contains("was an import") == true, "\(String(describing: e))")
        #expect(try s.counts().resources == 12)
    }
}
