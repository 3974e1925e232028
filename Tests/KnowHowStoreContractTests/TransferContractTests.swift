import Foundation
import Testing
import KnowHowCore

/// Import and export: a community moves between stores (of any kind) without a byte changing.
@Suite("Contract: import and export")
struct TransferContractTests {
    @Test(arguments: ContractStores.all)
    func roundTripGivesIdenticalBytes(_ f: StoreFactory) throws {
        let acting = contractActing()
        let first = try snapshot(f.fixture())
        let fresh = try f.empty()
        let summary = try fresh.importCommunity(CommunityFile.decode(first, path: "fixture.json"), as: acting)
        #expect(summary.added[.member] == 10 && summary.added[.resource] == 12 && summary.added[.practice] == 6)
        #expect(summary.added[.question] == 3 && summary.added[.answer] == 4 && summary.tagsAdded == 12)
        expectSameBytes(try snapshot(fresh), first, "export → import → export")
    }

    /// Every factory's export imports into every other factory's store with the same bytes.
    @Test(arguments: ContractStores.all, ContractStores.all)
    func exportsMoveBetweenStores(_ from: StoreFactory, _ to: StoreFactory) throws {
        let source = try from.fixture()
        let acting = contractActing("kim")
        _ = try source.add(Resource(title: "Added before the move", tags: ["brand-new-tag"], contributor: "kim"), as: acting)
        try source.merge(keep: .entry(.id("r4")), drop: .entry(.id("r5")), as: acting)
        let bytes = try snapshot(source)
        let target = try to.empty()
        _ = try target.importCommunity(CommunityFile.decode(bytes, path: "moved.json"), as: acting)
        expectSameBytes(try snapshot(target), bytes, "\(from) → \(to)")
    }

    /// An export is a whole backup: endorsements, the successor of a retired practice, where
    /// merged-away ids and handles point, and pairs marked not duplicates all come back.
    @Test(arguments: ContractStores.all, ContractStores.all)
    func linksSurviveTheRoundTrip(_ from: StoreFactory, _ to: StoreFactory) throws {
        let acting = contractActing("kim")
        let source = try from.fixture()
        _ = try source.endorse("li", tag: "research-methods", by: "kim", as: acting)
        _ = try source.endorse("joe", tag: "facilitation", by: "priya", as: contractActing("priya"))
        _ = try source.retire(.id("p6"), supersededBy: .id("p1"), as: acting)
        try source.merge(keep: .entry(.id("r4")), drop: .entry(.id("r5")), as: acting)
        try source.markNotDuplicates(.entry(.id("r1")), .entry(.id("r2")), as: acting)
        let bytes = try snapshot(source)
        let file = try CommunityFile.decode(bytes, path: "links.json")
        #expect(file.endorsements.count == 2 && file.successions == [Succession(practice: .id("p6"), supersededBy: .id("p1"))])
        #expect(file.redirects == [Redirect(from: "r5", to: "r4")] && file.notDuplicates == [NotDuplicatePair(.entry(.id("r1")), .entry(.id("r2")))])

        let target = try to.empty()
        let summary = try target.importCommunity(file, as: acting)
        #expect(summary.linksAdded == ["endorsements": 2, "successions": 1, "redirects": 1, "notDuplicates": 1], "\(summary)")
        #expect(summary.description.contains("2 endorsements, 1 succession, 1 redirect, 1 not-duplicate mark"), "\(summary)")
        expectSameBytes(try snapshot(target), bytes, "\(from) → \(to) with links")
        #expect(try linkState(target) == linkState(source))
        #expect(try !target.duplicates(limit: 50).contains { Set([$0.keep, $0.drop]) == [.entry(.id("r1")), .entry(.id("r2"))] })
        let again = try target.importCommunity(file, as: acting)
        #expect(again.total == 0, "a second import adds no links: \(again)")
    }

    /// Links that contradict the store, or lead nowhere, are refused by record; nothing changes.
    static let badLinks: [(String, CommunityFile, String)] = [
        ("redirect from a live entry", { var f = CommunityFile(); f.redirects = [Redirect(from: "r3", to: "r4")]; return f }(), "redirects[0]"),
        ("redirect to nothing", { var f = CommunityFile(); f.redirects = [Redirect(from: "r90", to: "r91")]; return f }(), "redirects[0]"),
        ("redirect across kinds", { var f = CommunityFile(); f.redirects = [Redirect(from: "r90", to: "p1")]; return f }(), "redirects[0]"),
        ("self-endorsement", { var f = CommunityFile(); f.endorsements = [Endorsement(member: "kim", tag: "supervision", by: "kim", at: contractNow)]; return f }(), "endorsements[0]"),
        ("endorsement by a stranger", { var f = CommunityFile(); f.endorsements = [
            Endorsement(member: "li", tag: "research-methods", by: "kim", at: contractNow),
            Endorsement(member: "kim", tag: "supervision", by: "nobody", at: contractNow)]; return f }(), "endorsements[1]"),
        ("succession of a resource", { var f = CommunityFile(); f.successions = [Succession(practice: .id("r1"), supersededBy: .id("p1"))]; return f }(), "successions[0]"),
        ("not-duplicates across kinds", { var f = CommunityFile(); f.notDuplicates = [NotDuplicatePair(a: "@kim", b: "r1")]; return f }(), "notDuplicates[0]"),
    ]

    @Test(arguments: ContractStores.all, badLinks)
    func aBadLinkChangesNothing(_ f: StoreFactory, _ c: (String, CommunityFile, String)) throws {
        let s = try f.fixture()
        let before = try snapshot(s)
        let e = knowHowError { _ = try s.importCommunity(c.1, as: contractActing()) }
        guard case .badImport(_, let location, let reason)? = e else {
            Issue.record("\(c.0): expected badImport, got \(String(describing: e))"); return
        }
        #expect(location == c.2, "\(c.0): \(reason)")
        expectSameBytes(try snapshot(s), before, c.0)
    }

    @Test(arguments: ContractStores.all)
    func exportKeepsWhatWasImported(_ f: StoreFactory) throws {
        let out = try f.fixture().exportCommunity()
        #expect(out.format == CommunityFile.formatName && out.version == CommunityFile.currentVersion)
        #expect(out.members.map(\.handle) == Fixture.members.map(\.handle).sorted())
        #expect(out.resources == Fixture.resources.map { r in var r = r; r.tags.sort(); r.authors.sort(); return r })
        #expect(out.practices == Fixture.practices.map { p in var p = p; p.tags.sort(); return p })
        #expect(out.answers == Fixture.answers)
        #expect(out.questions.first?.acceptedAnswer == .id("a1"))
        #expect(out.tags.map(\.name) == Fixture.tags.map(\.name).sorted())
        #expect(out.tags.first { $0.name == "onboarding" }?.aliases == ["induction", "new-starters"])
        #expect(out.searches.isEmpty)
    }

    @Test(arguments: ContractStores.all)
    func importingTwiceAddsNothing(_ f: StoreFactory) throws {
        let acting = Acting.system
        let s = try f.empty()
        #expect(try s.importCommunity(Fixture.file, as: acting).total > 0)
        let before = try snapshot(s)
        let second = try s.importCommunity(Fixture.file, as: acting)
        #expect(second.total == 0, "\(second)")
        #expect(second.description.hasPrefix("nothing new"))
        expectSameBytes(try snapshot(s), before, "second import")
        let third = try s.importCommunity(try s.exportCommunity(), as: acting)
        #expect(third.total == 0, "the exported form adds nothing either: \(third)")
    }

    @Test(arguments: ContractStores.all)
    func importingAHandWrittenFileTwiceAddsNothing(_ f: StoreFactory) throws {
        let acting = Acting.system
        // People write files without ids; entries are then recognised by their titles.
        let file = CommunityFile(
            members: [Member(handle: "ada", name: "Ada")],
            resources: [Resource(title: "A guide without an id", tags: ["guides"], contributor: "ada")],
            practices: [Practice(title: "A practice without an id")],
            questions: [Question(title: "A question without an id?", asker: "ada")])
        let s = try f.empty()
        #expect(try s.importCommunity(file, as: acting).total >= 4)
        #expect(try s.importCommunity(file, as: acting).total == 0)
        #expect(try s.counts().questions == 1 && s.counts().resources == 1)
    }

    @Test(arguments: ContractStores.all)
    func importIntoAFilledStoreAddsOnlyWhatIsNew(_ f: StoreFactory) throws {
        let acting = contractActing()
        let s = try f.fixture()
        let file = CommunityFile(
            tags: [Tag(name: "brand-new-tag", aliases: ["fresh"])],
            members: [Member(handle: "nia", name: "Nia Newbie", skills: [Skill(tag: "brand-new-tag", level: .expert)])],
            resources: [Resource(title: "A new guide", tags: ["fresh", "onboarding"], contributor: "nia")])
        let summary = try s.importCommunity(file, as: acting)
        #expect(summary.added[.member] == 1 && summary.added[.resource] == 1 && summary.tagsAdded == 1, "\(summary)")
        #expect(try s.resource(EntryID(.resource, 13)).tags == ["brand-new-tag", "onboarding"])
        #expect(Set(try found(s, "tag:fresh")) == ["@nia", "r13"])
    }

    @Test(arguments: ContractStores.all)
    func streamedImportMatchesTheWholeFile(_ f: StoreFactory) throws {
        let acting = contractActing()
        let bytes = try snapshot(f.fixture())
        let path = ScratchFolder.path.appendingPathComponent("import-\(UUID().uuidString).json")
        try bytes.write(to: path)
        let s = try f.empty()
        var lines: [String] = []
        let summary = try s.importCommunity(try CommunityFileReader(path: path.path), progress: { lines.append($0) }, as: acting)
        #expect(summary.added[.resource] == 12 && summary.added[.answer] == 4 && summary.tagsAdded == 12)
        expectSameBytes(try snapshot(s), bytes, "streamed import")
    }

    /// Files with a bad record somewhere after good ones: the import names it and keeps nothing.
    static let badFiles: [(String, CommunityFile, String)] = [
        ("javascript URL",
         CommunityFile(tags: [Tag(name: "brand-new-tag", aliases: ["fresh"])],
                       members: [Member(handle: "newbie", name: "Nia Newbie", skills: [Skill(tag: "another-new-tag", level: .expert)])],
                       resources: [Resource(title: "New resource zero", tags: ["brand-new-tag"], contributor: "newbie"),
                                   Resource(title: "New resource one", url: "https://example.org/1"),
                                   Resource(title: "New resource two", url: "javascript:x")]),
         "resources[2]"),
        ("answer to a missing question",
         CommunityFile(members: [Member(handle: "newbie", name: "N")],
                       questions: [Question(id: EntryID(.question, 50), title: "New question?")],
                       answers: [Answer(id: EntryID(.answer, 50), question: EntryID(.question, 50), body: "fine"),
                                 Answer(id: EntryID(.answer, 51), question: EntryID(.question, 99), body: "orphan")]),
         "answers[1]"),
        ("unknown contributor",
         CommunityFile(practices: [Practice(title: "New practice"), Practice(title: "Orphan practice", contributor: "nobody")]),
         "practices[1]"),
        ("bad email", CommunityFile(members: [Member(handle: "newbie", name: "N"), Member(handle: "other", name: "O", email: "x@")]),
         "members[1]"),
        ("bad tag", CommunityFile(tags: [Tag(name: "brand-new-tag"), Tag(name: "c++")]), "tags[1]"),
        ("alias of another tag", CommunityFile(tags: [Tag(name: "brand-new-tag", aliases: ["induction"])]), "tags[0].aliases[0]"),
    ]

    @Test(arguments: ContractStores.all, badFiles)
    func aBadFileChangesNothing(_ f: StoreFactory, _ c: (String, CommunityFile, String)) throws {
        let acting = contractActing()
        let s = try f.fixture()
        let before = try snapshot(s)
        let e = knowHowError { _ = try s.importCommunity(c.1, as: acting) }
        if let e {
            if case .badImport(_, let location, let reason) = e {
                #expect(location == c.2, "\(c.0): \(e)")
                #expect(!reason.isEmpty)
            } else {
                Issue.record("\(c.0): expected badImport, got \(e)")
            }
        }
        expectSameBytes(try snapshot(s), before, c.0)
        #expect(try found(s, "\"new resource\"").isEmpty, "\(c.0)")
        #expect(try s.resolveTag("brand-new-tag") == nil, "\(c.0)")
    }

    @Test(arguments: ContractStores.all)
    func theSearchLogTravelsWithTheCommunity(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let acting = contractActing("kim")
        try s.logSearch(SearchLogEntry(at: contractNow, kind: .find, query: "onboarding", results: 6, member: "kim"))
        try s.logSearch(SearchLogEntry(at: contractNow, kind: .who, query: "zebra crossings", results: 0, member: "tom"))
        let bytes = try snapshot(s)
        #expect(try s.exportCommunity().searches.count == 2)
        let fresh = try f.empty()
        _ = try fresh.importCommunity(CommunityFile.decode(bytes, path: "with-log.json"), as: acting)
        expectSameBytes(try snapshot(fresh), bytes, "a community with a search log")
        #expect(try fresh.searchLog(in: nil).map(\.query) == ["onboarding", "zebra crossings"])
    }
}
