import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

private func t(_ s: String) -> Timestamp { Timestamp(s)! }

private func entry(_ q: String, _ who: String?, _ at: String = "2026-06-01T09:00:00Z", results: Int = 0, weak: Bool = false,
                   kind: SearchKind = .find) -> SearchLogEntry {
    SearchLogEntry(at: t(at), kind: kind, query: q, results: results, weak: weak, member: who)
}

// MARK: - Logging on, off, anonymous

struct InsightLoggingTests {
    @Test func onByDefaultWithTheMember() throws {
        let s = try makeFixtureStore()
        #expect(try s.searchLogging() == .on)
        try s.logSearch(entry("lone working policy", "tom"))
        try s.logSearch(entry("user research", "sam", results: 3, weak: true, kind: .who))
        try s.logSearch(entry("onboarding", nil, results: 4))
        let log = try s.searchLog(in: nil)
        #expect(log == [entry("lone working policy", "tom"), entry("user research", "sam", results: 3, weak: true, kind: .who),
                        entry("onboarding", nil, results: 4)])
    }

    @Test func anonymousKeepsTheSearchButNotWhoSearched() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        try s.setSearchLogging(.anonymous, as: acting)
        try s.logSearch(entry("autism assessment", "tom"))
        let log = try s.searchLog(in: nil)
        #expect(log.count == 1 && log[0].member == nil && log[0].query == "autism assessment")
        // The setting is the store's: another connection to it sees the same.
        #expect(try s.searchLogging() == .anonymous)
    }

    @Test func offLogsNothing() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        try s.setSearchLogging(.off, as: acting)
        try s.logSearch(entry("grant writing", "tom"))
        #expect(try s.searchLog(in: nil).isEmpty)
        try s.setSearchLogging(.on, as: acting)
        try s.logSearch(entry("grant writing", "tom"))
        #expect(try s.searchLog(in: nil).map(\.member) == ["tom"])
    }

    @Test func onlyCuratorsChangeTheSetting() throws {
        for (who, allowed) in [("kim", true), ("sam", false), ("tom", false)] {
            let s = try makeFixtureStore()
            let acting = Acting(ActingAs(who))
            if allowed {
                try s.setSearchLogging(.anonymous, as: acting)
                #expect(try s.searchLogging() == .anonymous)
            } else {
                let e = knowHowError { try s.setSearchLogging(.off, as: acting) }
                #expect(e == .permissionDenied(action: "Changing how searches are logged", needs: .curator, actor: who))
                #expect(try s.searchLogging() == .on)
            }
        }
        let nobody = try makeFixtureStore()
        let acting = Acting(.nobody)
        #expect(knowHowError { try nobody.setSearchLogging(.off, as: acting) } == .notIdentified(action: "Changing how searches are logged"))
    }

    @Test func aHandleThatIsNotAMemberIsLoggedAsNobody() throws {
        let s = try makeFixtureStore()
        try s.logSearch(entry("x", "ghost"))
        #expect(try s.searchLog(in: nil).map(\.member) == [nil])
    }

    @Test func theLogIsReadByPeriod() throws {
        let s = try makeFixtureStore()
        for day in ["2026-01-31T23:59:59Z", "2026-02-01T00:00:00Z", "2026-02-28T12:00:00Z", "2026-03-01T00:00:00Z"] {
            try s.logSearch(entry("x", "tom", day))
        }
        let feb = Period(start: t("2026-02-01T00:00:00Z"), end: t("2026-02-28T23:59:59Z"))
        #expect(try s.searchLog(in: feb).map(\.at.description) == ["2026-02-01T00:00:00Z", "2026-02-28T12:00:00Z"])
    }

    @Test func mergingMembersMovesTheirSearches() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        try s.logSearch(entry("reflective supervision", "zoe"))
        try s.merge(keep: .member("kim"), drop: .member("zoe"), as: acting)
        #expect(try s.searchLog(in: nil).map(\.member) == ["kim"])
    }
}

// MARK: - The community file

struct InsightFileTests {
    static let searches = [
        entry("lone working policy", "tom", "2026-06-01T09:00:00Z"),
        entry("user research", "sam", "2026-06-02T10:00:00Z", results: 3, weak: true, kind: .who),
        entry("onboarding", nil, "2026-06-03T11:00:00Z", results: 4),
    ]

    @Test func searchesRoundTripAndImportOnce() throws {
        let acting = Acting.system
        var file = Fixture.file
        file.searches = Self.searches
        let s = try SQLiteKnowledgeStore()
        _ = try s.importCommunity(file, as: acting)
        let first = try s.exportCommunity()
        #expect(first.searches == Self.searches)
        _ = try s.importCommunity(file, as: acting)
        #expect(try s.searchLog(in: nil).count == 3, "importing again adds no search")
        let again = try SQLiteKnowledgeStore()
        _ = try again.importCommunity(first, as: acting)
        #expect(try again.exportCommunity().encoded() == first.encoded())
    }

    @Test func aStoreWithoutSearchesExportsAsBefore() throws {
        let text = String(decoding: try makeFixtureStore().exportCommunity().encoded(), as: UTF8.self)
        #expect(!text.contains("\"searches\""))
    }

    @Test func anUnknownMemberNamesTheRecord() throws {
        let acting = Acting.system
        var file = CommunityFile()
        file.searches = [entry("x", "nobody-here")]
        let e = knowHowError { _ = try makeFixtureStore().importCommunity(file, as: acting) }
        guard case .badImport(_, let location, _)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(location == "searches[0]")
    }

    @Test func anAnonymousStoreImportsSearchesAnonymously() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        try s.setSearchLogging(.anonymous, as: acting)
        var file = CommunityFile()
        file.searches = Self.searches
        _ = try s.importCommunity(file, as: acting)
        #expect(try s.searchLog(in: nil).allSatisfy { $0.member == nil })
    }
}

// MARK: - Facts for insights

struct InsightFactsTests {
    @Test func activityListsWhoDidWhatAndWhen() throws {
        let s = try makeFixtureStore()
        try s.logSearch(entry("x", "tom", "2030-01-01T00:00:00Z"))
        let all = try s.activity(since: nil)
        #expect(all.map(\.at) == all.map(\.at).sorted())
        let c = try s.counts()
        #expect(all.filter { $0.kind == .contributed }.count == c.resources + c.practices)
        #expect(all.filter { $0.kind == .asked }.count == c.questions)
        #expect(all.filter { $0.kind == .answered }.count == c.answers)
        #expect(all.filter { $0.kind == .joined }.count == Fixture.members.filter { $0.joined != nil }.count)
        #expect(all.last == Activity(.searched, member: "tom", at: t("2030-01-01T00:00:00Z")))
        // An answer carries its question's tags.
        let answer = try #require(all.first { $0.kind == .answered })
        let question = try s.question(try s.answer(answer.entry!).question)
        #expect(answer.tags == question.tags.sorted())
        // Since a time: nothing older.
        #expect(try s.activity(since: t("2029-01-01")).map(\.kind) == [.searched])
    }

    @Test func unansweredQuestionsHaveNoAnswerAtAll() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("tom"))
        let q = try s.ask(Question(title: "Lone working policy for home visits?", asker: "tom"), as: acting)
        let open = try s.unansweredQuestions()
        #expect(open.first?.id == q)
        #expect(open.allSatisfy { (try? s.answers(to: $0.id!))?.isEmpty == true })
    }

    @Test func vocabularyHasNamesAndAliases() throws {
        let v = try makeFixtureStore().tagVocabulary()
        #expect(v.names["induction"] == "onboarding" && v.names["onboarding"] == "onboarding" && v.names["mentorship"] == "mentoring")
    }

    @Test func allMembersCarrySkillsAndInterests() throws {
        let s = try makeFixtureStore()
        let members = try s.allMembers()
        #expect(members.map(\.handle) == Fixture.members.map(\.handle).sorted())
        #expect(try members.allSatisfy { $0 == (try s.member($0.handle)) })
    }

    @Test func untouchedEntriesAreThoseNobodyChanged() throws {
        let s = try makeFixtureStore()
        var acting = Acting(.member("kim"))
        let all = try s.untouched(since: t("2100-01-01"))
        #expect(all.count == (try s.counts()).resources + (try s.counts()).practices - (try retiredOrArchived(s)))
        #expect(all.map(\.lastTouched) == all.map(\.lastTouched).sorted())
        // A recorded change touches an entry: it is no longer stale at its old date.
        acting.now = t("2099-06-01T00:00:00Z")
        let oldest = try #require(all.first)
        _ = try s.retag(oldest.id, add: ["wellbeing"], remove: [], as: acting)
        let after = try s.untouched(since: t("2099-01-01"))
        #expect(!after.contains { $0.id == oldest.id })
        #expect(after.count == all.count - 1)
    }

    func retiredOrArchived(_ s: SQLiteKnowledgeStore) throws -> Int {
        let file = try s.exportCommunity()
        return file.resources.filter { $0.status == .archived }.count + file.practices.filter { $0.status == .retired }.count
    }
}
