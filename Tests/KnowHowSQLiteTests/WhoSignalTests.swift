import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Issue 16: the evidence `who` measures beyond the first five signals — the closest threads
/// (`similar`), recent work on the topic (`recent`) and the time of day (`availability`) — and
/// that none of them makes a candidate of someone who never worked on the topic.
@Suite struct WhoSignalTests {
    static let day0: Int64 = 1_700_006_400  // a midnight, UTC
    static func at(day: Int, hour: Double) -> Timestamp { Timestamp(seconds: day0 + Int64(day) * 86_400 + Int64(hour * 3_600)) }

    /// A community of questions from @kim, each answered once at a given moment.
    struct Builder {
        var file = CommunityFile()
        var n: Int64 = 0
        init(members: [String]) {
            file.members = [Member(handle: "kim", name: "Kim Lee", role: .curator)]
                + members.map { Member(handle: $0, name: $0.capitalized, role: .contributor) }
        }
        mutating func thread(_ title: String, _ body: String = "", by author: String, at t: Timestamp) {
            n += 1
            let q = EntryID(.question, n)
            file.questions.append(Question(id: q, title: title, body: body.isEmpty ? nil : body, asker: "kim",
                                           created: Timestamp(seconds: t.seconds - 600)))
            file.answers.append(Answer(id: EntryID(.answer, n), question: q, body: "An answer.", author: author, created: t))
        }
        func store() throws -> SQLiteKnowledgeStore {
            let s = try SQLiteKnowledgeStore()
            _ = try s.importCommunity(file, as: .system)
            return s
        }
    }

    static func signals(_ topic: String, _ s: SQLiteKnowledgeStore, now: Timestamp) throws -> [String: [ExpertSignal: Double]] {
        Dictionary(uniqueKeysWithValues: try ExpertRanker.candidates(ExpertQuery(topic: topic), source: s, now: now)
            .map { ($0.member.handle, $0.signals) })
    }

    /// @early works mornings (UTC), @late evenings; @owl works mornings but never on supervision.
    static func hoursCommunity() throws -> SQLiteKnowledgeStore {
        var b = Builder(members: ["early", "late", "owl"])
        b.thread("Supervision records", by: "early", at: at(day: 1, hour: 9))
        b.thread("Supervision notes", by: "late", at: at(day: 1, hour: 21))
        for d in 2...7 {
            b.thread("Gardening question \(d)", by: "early", at: at(day: d, hour: 9.5))
            b.thread("Baking question \(d)", by: "late", at: at(day: d, hour: 21.5))
            b.thread("Cycling question \(d)", by: "owl", at: at(day: d, hour: 9.25))
        }
        return try b.store()
    }

    @Test func availabilityFavoursWhoIsUsuallyAroundAtThisHour() throws {
        let s = try Self.hoursCommunity()
        let morning = try Self.signals("supervision", s, now: Self.at(day: 10, hour: 9.5))
        #expect(morning["early"]?[.availability] == 1)
        #expect((morning["late"]?[.availability] ?? 1) < 0.5)
        let evening = try Self.signals("supervision", s, now: Self.at(day: 10, hour: 21.5))
        #expect(evening["late"]?[.availability] == 1)
        #expect((evening["early"]?[.availability] ?? 1) < 0.5)
        // Weighted alone, it orders those who worked on the topic by the hour asked.
        let alone = ExpertWeights([.availability: 1])
        #expect(try ExpertRanker.rank(ExpertQuery(topic: "supervision"), source: s, now: Self.at(day: 10, hour: 9.5), weights: alone)
            .map(\.member.handle) == ["early", "late"])
        #expect(try ExpertRanker.rank(ExpertQuery(topic: "supervision"), source: s, now: Self.at(day: 10, hour: 21.5), weights: alone)
            .map(\.member.handle) == ["late", "early"])
    }

    @Test func availabilityAndRecencyMakeNoCandidateOfSomeoneOffTopic() throws {
        // @owl is around every morning and answered lately, but never about supervision.
        let s = try Self.hoursCommunity()
        let weights = ExpertWeights([.availability: 1, .activity: 1, .recent: 1, .similar: 1])
        let ranked = try ExpertRanker.rank(ExpertQuery(topic: "supervision"), source: s, now: Self.at(day: 10, hour: 9.3), weights: weights)
        #expect(!ranked.map(\.member.handle).contains("owl"))
        #expect(try ExpertRanker.rank(ExpertQuery(topic: "cycling"), source: s, now: Self.at(day: 10, hour: 9.3), weights: weights)
            .map(\.member.handle) == ["owl"])
    }

    @Test func similarCountsOnlyTheClosestThreads() throws {
        // One thread matches both words (@close); eleven match one word, ten of them by @crowd and
        // the longest, which ranks last, by @far: it is evidence, but not among the ten closest.
        var b = Builder(members: ["close", "crowd", "far"])
        b.thread("Reflective supervision", by: "close", at: Self.at(day: 1, hour: 10))
        for i in 1...10 { b.thread("Supervision rota \(i)", by: "crowd", at: Self.at(day: 1 + i, hour: 10)) }
        b.thread("Supervision", String(repeating: "rota planning for the weekend team with many other words ", count: 20),
                 by: "far", at: Self.at(day: 12, hour: 10))
        let s = try b.store()
        let signals = try Self.signals("reflective supervision", s, now: Self.at(day: 20, hour: 10))
        #expect(signals["far"] != nil)
        #expect(signals["far"]?[.similar] == nil)
        // Weighted by similarity: the one closest thread counts most.
        #expect(signals["close"]?[.similar] == 1)
        #expect((signals["crowd"]?[.similar] ?? 0) > 0)
    }

    @Test func recentCountsLaterWorkOnTheTopicMore() throws {
        var b = Builder(members: ["then", "lately", "busy"])
        b.thread("Supervision records", by: "then", at: Self.at(day: 1, hour: 10))
        b.thread("Supervision records", by: "lately", at: Self.at(day: 100, hour: 10))
        // Recent work on other topics is activity, not recent work on this one.
        for d in 90...99 { b.thread("Gardening question \(d)", by: "then", at: Self.at(day: d, hour: 10)) }
        let s = try b.store()
        let signals = try Self.signals("supervision records", s, now: Self.at(day: 101, hour: 10))
        #expect(signals["lately"]?[.recent] == 1)
        #expect((signals["then"]?[.recent] ?? 1) < 0.01)
        #expect(signals["then"]?[.activity] == 1)
    }
}
