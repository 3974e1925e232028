import Foundation
import Testing
import KnowHowCore

/// Who may do what: every write against every role, and the refusals' exact errors.
@Suite("Contract: roles")
struct RoleContractTests {
    /// A write, and the least role that may make it. In the fixture tom is a member, sam a
    /// contributor (owner of r7 and q2) and kim a curator (owner of r1, r4, p5).
    static let writes: [(name: String, least: Role, run: @Sendable (any KnowledgeStore, Acting) throws -> Void)] = [
        ("add resource", .contributor, { _ = try $0.add(Resource(title: "A new guide", contributor: $1.actor.handle), as: $1) }),
        ("add practice", .contributor, { _ = try $0.add(Practice(title: "A new practice", contributor: $1.actor.handle), as: $1) }),
        ("add member", .curator, { _ = try $0.add(Member(handle: "newbie", name: "Nia Newbie"), as: $1) }),
        ("edit r1 (kim's)", .curator, { s, acting in let r = try s.resource(.id("r1")); var e = r; e.title = "Changed"; try s.update(e, expecting: r, as: acting) }),
        ("edit p2 (joe's)", .curator, { s, acting in let p = try s.practice(.id("p2")); var e = p; e.title = "Changed"; try s.update(e, expecting: p, as: acting) }),
        ("edit @li", .curator, { s, acting in let m = try s.member("li"); var e = m; e.sector = "health"; try s.update(e, expecting: m, as: acting) }),
        ("ask", .member, { _ = try $0.ask(Question(title: "How?", asker: $1.actor.handle), as: $1) }),
        ("answer", .member, { _ = try $0.answer(Answer(question: .id("q3"), body: "Like this.", author: $1.actor.handle), as: $1) }),
        ("accept a2 (dev's question)", .curator, { _ = try $0.accept(.id("a2"), as: $1) }),
        ("endorse", .member, { _ = try $0.endorse("li", tag: "research-methods", by: $1.actor.handle ?? "kim", as: $1) }),
        ("tag r1 (kim's)", .curator, { _ = try $0.retag(.id("r1"), add: ["wellbeing"], remove: [], as: $1) }),
        ("tag rename", .curator, { try $0.renameTag("wellbeing", to: "well-being", as: $1) }),
        ("tag merge", .curator, { try $0.mergeTag("coaching", into: "mentoring", as: $1) }),
        ("tag alias", .curator, { _ = try $0.changeAliases("coaching", add: ["coach"], remove: [], as: $1) }),
        ("tag describe", .curator, { try $0.describeTag("coaching", "Helping others find their answers", as: $1) }),
        ("merge entries", .curator, { try $0.merge(keep: .entry(.id("r4")), drop: .entry(.id("r5")), as: $1) }),
        ("merge members", .curator, { try $0.merge(keep: .member("li"), drop: .member("sam"), as: $1) }),
        ("verify p2", .curator, { _ = try $0.verify(.id("p2"), reviewBy: nil, as: $1) }),
        ("retire p2", .curator, { _ = try $0.retire(.id("p2"), supersededBy: nil, as: $1) }),
        ("import", .curator, { _ = try $0.importCommunity(CommunityFile(tags: [Tag(name: "brand-new")]), as: $1) }),
    ]

    static let people: [(handle: String?, role: Role?)] = [(nil, nil), ("tom", .member), ("sam", .contributor), ("kim", .curator)]

    @Test(arguments: ContractStores.all, 0..<writes.count)
    func permissionMatrix(_ f: StoreFactory, _ i: Int) throws {
        var acting = contractActing()
        let w = Self.writes[i]
        for p in Self.people {
            let s = try f.fixture()
            acting.actor = ActingAs(p.handle)
            let before = try snapshot(s)
            let who = p.handle ?? "nobody"
            if let role = p.role, role >= w.least {
                #expect(throws: Never.self, "\(w.name) by \(who)") { try w.run(s, acting) }
                #expect(try s.history(of: nil, by: p.handle, limit: 1).count == 1, "\(w.name) by \(who) is recorded")
                continue
            }
            let e = knowHowError { try w.run(s, acting) }
            switch e {
            case .permissionDenied(_, let needs, let actor)?:
                #expect(needs == w.least && actor == p.handle, "\(w.name) by \(who): \(e!)")
            case .notIdentified?:
                #expect(p.handle == nil, "\(w.name) by \(who): \(e!)")
            default:
                Issue.record("\(w.name) by \(who): expected a refusal, got \(String(describing: e))")
            }
            #expect(try snapshot(s) == before, "a refused \(w.name) by \(who) changes nothing")
        }
    }

    @Test(arguments: ContractStores.all)
    func refusalsSayWhatAndWhoExactly(_ f: StoreFactory) throws {
        let s = try f.fixture()
        var acting = contractActing("tom")
        #expect(knowHowError { _ = try s.add(Resource(title: "A guide", contributor: "tom"), as: acting) }
                == .permissionDenied(action: "Adding a resource", needs: .contributor, actor: "tom"))
        #expect(knowHowError { _ = try s.ask(Question(title: "Forged?", asker: "kim"), as: acting) }
                == .permissionDenied(action: "Asking in someone else's name", needs: .curator, actor: "tom"))
        #expect(knowHowError { _ = try s.endorse("li", tag: "research-methods", by: "kim", as: acting) }
                == .permissionDenied(action: "Endorsing in someone else's name", needs: .curator, actor: "tom"))
        acting.actor = .member("sam")
        #expect(knowHowError { _ = try s.retag(.id("r1"), add: ["wellbeing"], remove: [], as: acting) }
                == .permissionDenied(action: "Editing someone else's resource (r1)", needs: .curator, actor: "sam"))
        #expect(knowHowError { try s.merge(keep: .entry(.id("r4")), drop: .entry(.id("r5")), as: acting) }
                == .permissionDenied(action: "Merging duplicates (r5 into r4)", needs: .curator, actor: "sam"))
        #expect(knowHowError { _ = try s.retire(.id("p4"), supersededBy: nil, as: acting) }
                == .permissionDenied(action: "Retiring a practice (p4)", needs: .curator, actor: "sam"))
        // A store setting, not a change to the community: curators only, and not in the history.
        let logging = try s.searchLogging()
        #expect(knowHowError { try s.setSearchLogging(.off, as: acting) } == .permissionDenied(action: "Changing how searches are logged", needs: .curator, actor: "sam"))
        #expect(try s.searchLogging() == logging)
        acting.actor = .nobody
        #expect(knowHowError { _ = try s.add(Member(handle: "newbie", name: "N"), as: acting) } == .notIdentified(action: "Adding a member"))
    }

    @Test(arguments: ContractStores.all)
    func ownEntriesNeedLessThanOthers(_ f: StoreFactory) throws {
        let s = try f.fixture()
        var acting = contractActing("sam")
        let r7 = try s.resource(.id("r7"))
        var e = r7; e.summary = "Updated by its contributor."
        #expect(try s.update(e, expecting: r7, as: acting) == ["summary"])
        #expect(try s.retag(.id("r7"), add: ["templates"], remove: [], as: acting).contains("templates"))
        acting.actor = .member("tom")
        let tom = try s.member("tom")
        var t = tom; t.location = "Leeds"
        #expect(try s.update(t, expecting: tom, as: acting) == ["location"])
        let t1 = try s.member("tom")
        var promoted = t1; promoted.role = .curator
        #expect(knowHowError { try s.update(promoted, expecting: t1, as: acting) }
                == .permissionDenied(action: "Changing a member's role (@tom)", needs: .curator, actor: "tom"))
        acting.actor = .member("zoe")
        #expect(try s.accept(.id("a4"), as: acting) == .id("q3"), "zoe accepts an answer to her own question")
    }

    @Test(arguments: ContractStores.all)
    func expertsVerifyPracticesInTheirTags(_ f: StoreFactory) throws {
        // maria is a member with expert level in mentoring; p1 is tagged mentoring, p2 is not.
        let s = try f.fixture()
        let acting = contractActing("maria")
        let p = try s.verify(.id("p1"), reviewBy: Day("2099-01-01"), as: acting)
        #expect(p.status == .verified && p.verifiedBy == "maria" && p.reviewBy == Day("2099-01-01"))
        let e = knowHowError { _ = try s.verify(.id("p2"), reviewBy: nil, as: acting) }
        #expect(e == .permissionDenied(action: "Verifying a practice (p2) without expert level in one of its tags", needs: .curator, actor: "maria"))
    }

    @Test(arguments: ContractStores.all)
    func undoOfSomeoneElsesChangeNeedsACurator(_ f: StoreFactory) throws {
        let s = try f.fixture()
        var acting = contractActing("kim")
        _ = try s.add(Resource(title: "Kim's sheet", contributor: "kim"), as: acting)
        let kims = try s.history(of: nil, by: "kim", limit: 1)[0].number
        for (who, role) in [("tom", Role.member), ("sam", .contributor)] {
            acting.actor = .member(who)
            #expect(knowHowError { _ = try s.undo(kims, as: acting) }
                    == .permissionDenied(action: "Undoing someone else's change (#\(kims))", needs: .curator, actor: who), "\(role)")
        }
        acting.actor = .member("ana")
        let mine = try s.add(Resource(title: "Ana's sheet", contributor: "ana"), as: acting)
        _ = try s.undo(nil, as: acting)
        #expect(knowHowError { _ = try s.resource(mine) } == .unknownEntry(mine), "a contributor undoes their own change")
        acting.actor = .member("kim")
        _ = try s.undo(kims, as: acting)
        #expect(try s.counts().resources == 12)
    }

    @Test(arguments: ContractStores.all)
    func authorizeAnswersBeforeTheWrite(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("sam")
        #expect(throws: Never.self) { try s.authorize(.addResource, on: nil, as: acting) }
        #expect(throws: Never.self) { try s.authorize(.editResource, on: .entry(.id("r7")), as: acting) }
        #expect(knowHowError { try s.authorize(.editResource, on: .entry(.id("r1")), as: acting) }
                == .permissionDenied(action: "Editing someone else's resource (r1)", needs: .curator, actor: "sam"))
        #expect(knowHowError { try s.authorize(.tagMerge, on: nil, as: acting) } == .permissionDenied(action: "Merging tags", needs: .curator, actor: "sam"))
    }

    @Test(arguments: ContractStores.all)
    func aNewStoresFirstMemberIsItsCurator(_ f: StoreFactory) throws {
        var acting = Acting.system
        let s = try f.empty()
        acting.actor = .nobody
        let kim = try s.add(Member(handle: "kim", name: "Kim Lee", role: .member), as: acting)
        #expect(kim.role == .curator)
        #expect(try s.member("kim").role == .curator)
        #expect(knowHowError { _ = try s.add(Member(handle: "sam", name: "Sam Patel"), as: acting) } == .notIdentified(action: "Adding a member"))
        acting.actor = .member("kim")
        #expect(try s.add(Member(handle: "sam", name: "Sam Patel"), as: acting).role == .member)
    }

    @Test(arguments: ContractStores.all)
    func anEmptyStoreMayBeImportedIntoByAnyone(_ f: StoreFactory) throws {
        var acting = Acting.system
        let s = try f.empty()
        acting.actor = .nobody
        #expect(try s.importCommunity(Fixture.file, as: acting).added[.member] == 10)
        #expect(knowHowError { _ = try s.importCommunity(CommunityFile(tags: [Tag(name: "more")]), as: acting) }
                == .notIdentified(action: "Importing into a store that has members"))
    }
}
