import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// The members' work kept ready for `who` (+WorkSummary) must say exactly what reading the
/// tables says, after an import and after every kind of write.
@Suite struct WorkSummaryTests {
    /// @ana answers 130 questions (so her newest 100 and the count and first of the rest matter),
    /// some accepted; @ben contributes resources, writes some with @ana, and verifies practices.
    static func community() -> CommunityFile {
        var file = CommunityFile()
        file.members = [Member(handle: "kim", name: "Kim Lee", role: .curator),
                        Member(handle: "ana", name: "Ana Costa", role: .contributor),
                        Member(handle: "ben", name: "Ben Ode", role: .contributor)]
        func at(_ i: Int) -> Timestamp { Timestamp(seconds: 1_700_000_000 + Int64(i) * 86_400) }
        for i in 1...130 {
            let q = EntryID(.question, Int64(i)), a = EntryID(.answer, Int64(i))
            file.questions.append(Question(id: q, title: "Question \(i) about soil", asker: "kim", created: at(i),
                                           acceptedAnswer: i % 3 == 0 ? a : nil))
            file.answers.append(Answer(id: a, question: q, body: "Answer \(i): compost it", author: "ana", created: at(i + 1)))
        }
        for i in 1...12 {
            file.resources.append(Resource(id: EntryID(.resource, Int64(i)), title: "Guide \(i)", kind: .guide,
                                           contributor: "ben", authors: i % 2 == 0 ? ["ana"] : [], created: at(i)))
        }
        for i in 1...4 {
            file.practices.append(Practice(id: EntryID(.practice, Int64(i)), title: "Practice \(i)", contributor: "ana",
                                           status: .verified, verifiedBy: "ben", verifiedAt: at(200 + i), created: at(i)))
        }
        return file
    }

    func expectStoredMatchesLive(_ s: SQLiteKnowledgeStore, _ note: Comment) throws {
        try s.writer.read { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM member")
            let stored = try SQLiteKnowledgeStore.storedWork(db, members: ids)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM rank_work_stale") == 0, note)
            for id in ids {
                let live = try SQLiteKnowledgeStore.liveWork(db, member: id, asOf: nil, newest: SQLiteKnowledgeStore.storedWorkSample)
                let none = Array(repeating: WorkSample(newest: []), count: live.count)
                #expect(stored[id] ?? none == live, "member \(id): \(note)")
            }
        }
    }

    @Test func importStoresWhatTheTablesSay() throws {
        let acting = Acting.system
        let s = try SQLiteKnowledgeStore()
        _ = try s.importCommunity(Self.community(), as: acting)
        try expectStoredMatchesLive(s, "after import")
        let ana = try s.writer.read { db in
            try SQLiteKnowledgeStore.storedWork(db, members: [try Int64.fetchOne(db, sql: "SELECT id FROM member WHERE handle = 'ana'")!])
        }.values.first!
        let answers = ana[4]
        #expect(answers.newest.count == 100)
        #expect(answers.older == 30)
        #expect(answers.first != nil)
        #expect(answers.newest.contains { $0.how == .acceptedAnswer })
    }

    @Test func writesAndUndoKeepItCurrent() throws {
        var acting = Acting.system
        let s = try SQLiteKnowledgeStore()
        _ = try s.importCommunity(Self.community(), as: acting)
        acting.actor = .member("kim")
        let q = try s.ask(Question(title: "How deep to dig?", asker: "kim"), as: acting)
        acting.actor = .member("ben")
        let a = try s.answer(Answer(question: q, body: "A spade's depth", author: "ben"), as: acting)
        try expectStoredMatchesLive(s, "after answer")
        acting.actor = .member("kim")
        _ = try s.accept(a, as: acting)
        try expectStoredMatchesLive(s, "after accept")
        acting.actor = .member("ben")
        _ = try s.add(Resource(title: "Digging guide", kind: .guide, contributor: "ben"), as: acting)
        try expectStoredMatchesLive(s, "after add")
        acting.actor = .member("kim")
        _ = try s.merge(keep: .member("ana"), drop: .member("ben"), as: acting)
        try expectStoredMatchesLive(s, "after merging @ben into @ana")
        _ = try s.undo(nil, as: acting)
        try expectStoredMatchesLive(s, "after undoing the merge")
    }

    @Test func datesRoundTrip() {
        let items: [(date: Timestamp?, flag: Bool)] = [(Timestamp(seconds: 0), false), (Timestamp(seconds: 1_700_000_123), true),
                                                       (nil, false), (nil, true), (Timestamp(seconds: -86_400), true)]
        let back = SQLiteKnowledgeStore.decodeDates(SQLiteKnowledgeStore.encodeDates(items))
        #expect(back.map(\.date) == items.map(\.date))
        #expect(back.map(\.flag) == items.map(\.flag))
    }
}
