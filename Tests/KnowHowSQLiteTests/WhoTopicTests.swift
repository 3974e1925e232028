import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Issue 16: `who` keeps hyphenated terms and phrases, says which words match nothing, and a
/// read as of a date knows nothing written, accepted or voted on later.
@Suite struct WhoTopicTests {
    static func at(_ day: Int) -> Timestamp { Timestamp(seconds: 1_700_000_000 + Int64(day) * 86_400) }

    /// @qa answered the one q-learning question; @lea answered many on learning in general.
    static func community() -> CommunityFile {
        var file = CommunityFile()
        file.members = [Member(handle: "kim", name: "Kim Lee", role: .curator),
                        Member(handle: "qa", name: "Quinn Ash", role: .contributor),
                        Member(handle: "lea", name: "Lea Marr", role: .contributor)]
        var n: Int64 = 0
        func thread(_ title: String, _ body: String, by author: String, day: Int, accepted: Bool = false) {
            n += 1
            let q = EntryID(.question, n), a = EntryID(.answer, n)
            file.questions.append(Question(id: q, title: title, asker: "kim", created: at(day), score: accepted ? 5 : nil,
                                           acceptedAnswer: accepted ? a : nil))
            file.answers.append(Answer(id: a, question: q, body: body, author: author, created: at(day + 1)))
        }
        thread("Why does q-learning diverge with function approximation?", "The deadly triad: bootstrapping, off-policy, approximation.", by: "qa", day: 1)
        for i in 0..<8 {
            thread("Learning rate schedule number \(i)", "Learning rates decay; learning is faster with warm restarts.", by: "lea", day: 2 + i)
        }
        thread("Social care supervision records", "Keep supervision notes apart from case files in social care.", by: "lea", day: 20, accepted: true)
        return file
    }

    static func store() throws -> SQLiteKnowledgeStore {
        let s = try SQLiteKnowledgeStore()
        _ = try s.importCommunity(community(), as: .system)
        return s
    }

    @Test func hyphenatedTermIsOneTermNotItsPieces() throws {
        #expect(try ExpertRanker.relaxedQuery("q-learning").text == .phrase(["q", "learning"], prefix: false))
        // A quoted phrase still counts its words too; words written apart stay words.
        #expect(try ExpertRanker.relaxedQuery("\"social care\"").text == .or([.term("social"), .term("care"), .phrase(["social", "care"], prefix: false)]))
        #expect(try ExpertRanker.relaxedQuery("social care").text == .or([.term("social"), .term("care")]))
    }

    @Test func whoQLearningFindsTheQLearningAnswererFirst() throws {
        let experts = try ExpertRanker.rank(ExpertQuery(topic: "q-learning"), source: try Self.store(), now: Self.at(40))
        #expect(experts.first?.member.handle == "qa")
        #expect(experts.map(\.member.handle) == ["qa"])
    }

    @Test func wordsThatMatchNothingAreReported() throws {
        let found = try ExpertRanker.find(ExpertQuery(topic: "kubeflow for q-learning"), source: try Self.store(), now: Self.at(40))
        #expect(found.unmatched == ["kubeflow"])
        #expect(found.experts.first?.member.handle == "qa")
        #expect(try ExpertRanker.find(ExpertQuery(topic: "supervision"), source: try Self.store()).unmatched.isEmpty)
    }

    @Test func asOfReadsKnowNoAcceptedMarkNoVoteAndNoLaterPost() throws {
        let s = try Self.store()
        let query = try ExpertRanker.relaxedQuery("supervision social care")
        let now = try s.evidence(query, limit: 10, asOf: nil)
        #expect(now.contains { $0.links.contains { $0.how == .acceptedAnswer } })
        #expect(now.contains { $0.votes == 5 })
        let then = try s.evidence(query, limit: 10, asOf: Self.at(30))
        #expect(!then.isEmpty)
        #expect(!then.contains { $0.links.contains { $0.how == .acceptedAnswer } })
        #expect(then.allSatisfy { $0.votes == nil })
        // Before the thread was written, it is no evidence.
        #expect(try s.evidence(query, limit: 10, asOf: Self.at(19)).isEmpty)
        // And the work read as of a date counts no accepted answer either.
        let work = try s.work(of: ["lea"], asOf: Self.at(30), newest: 100)
        #expect(work["lea"]?.flatMap(\.newest).contains { $0.how == .acceptedAnswer } == false)
    }

    @Test func asOfEvidenceReadsPastLaterMatchesToFillItsDepth() throws {
        // The eight learning threads come after the q-learning one and rank above it, filling the
        // first matches; as of its day only the q-learning question counts, and it is found.
        let s = try Self.store()
        let docs = try s.evidence(try ExpertRanker.relaxedQuery("learning"), limit: 1, asOf: Timestamp(seconds: Self.at(1).seconds + 3600))
        #expect(docs.map(\.id) == [EntryID(.question, 1)])
    }

    @Test func evidenceCarriesItsTagsAndTheTagsSignalCountsThem() throws {
        var file = Self.community()
        file.questions[0].tags = ["reinforcement-learning"]
        let s = try SQLiteKnowledgeStore()
        _ = try s.importCommunity(file, as: .system)
        let docs = try s.evidence(try ExpertRanker.relaxedQuery("diverge"), limit: 10, asOf: nil)
        #expect(!docs.isEmpty)
        // The answer carries its question's tags.
        #expect(docs.allSatisfy { $0.tags == ["reinforcement-learning"] })
        let qa = try ExpertRanker.candidates(ExpertQuery(topic: "reinforcement learning diverge"), source: s).first { $0.member.handle == "qa" }
        #expect(qa?.tagWork == 1)
        #expect(qa?.signals[.tags] == 1)
    }
}
