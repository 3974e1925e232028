import Foundation
import Testing
import KnowHowCore
@testable import KnowHowPostgres

/// Writes on PostgreSQL: one change per write, checked, recorded row by row and reindexed.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresWriteTests {
    static let now = Timestamp("2025-06-01T10:00:00Z")!

    func acting(_ handle: String? = nil) -> Acting { Acting(handle.map { .member($0) } ?? .system, at: Self.now) }

    /// A store on a fresh database with kim (curator, the first member), sam (contributor) and
    /// ana (member).
    func withStore(_ body: (PostgresKnowledgeStore, TestDatabase) throws -> Void) throws {
        try TestServer.withDatabase { db in
            let s = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            try s.add(Member(handle: "kim", name: "Kim Lee", skills: [Skill(tag: "onboarding", level: .expert)]), as: acting())
            try s.add(Member(handle: "sam", name: "Sam Roe", role: .contributor), as: acting())
            try s.add(Member(handle: "ana", name: "Ana Diaz"), as: acting())
            try body(s, db)
        }
    }

    @Test func aChangeIsRecordedRowByRowAndReindexed() throws {
        try withStore { s, _ in
            #expect(try s.member("kim").role == .curator)
            let id = try s.add(Resource(title: "Induction checklist", tags: ["onboarding", "Checklists"], contributor: "sam"), as: acting("sam"))
            #expect(id == EntryID(.resource, 1))
            let last = try s.db.query("SELECT id, actor, action, summary FROM knowhow.change ORDER BY id DESC LIMIT 1").first!
            #expect(try last.get("actor", as: String.self) == "sam")
            #expect(try last.get("summary", as: String.self) == "added r1: Induction checklist")
            let n: Int64 = try last.require("id")
            let rows = try s.db.query("SELECT tbl, pk, before, after FROM knowhow.change_row WHERE change_id = $1 ORDER BY seq", [n]).rows
            #expect(try rows.map { try $0.require("tbl", as: String.self) } == ["resource", "entry_tag", "tag", "entry_tag"])
            #expect(try rows[0].get("pk", as: String.self) == "[1]")
            #expect(try rows[0].get("before", as: String.self) == nil)
            #expect(try rows[0].get("after", as: String.self)?.hasPrefix(#"{"id":1,"title":"Induction checklist""#) == true)
            #expect(try rows[1].get("pk", as: String.self) == "[\(EntryKeys.make(.resource, 1)),1]")
            let listed = try s.db.query("SELECT entry FROM knowhow.change_entry WHERE change_id = $1 ORDER BY entry", [n]).rows
                .map { try $0.require("entry", as: Int64.self) }
            #expect(listed.contains(EntryKeys.make(.resource, 1)))
            // Indexed by the change: found by its tag's words.
            #expect(try s.search(QueryParser.parse("checklists"), limit: 5).hits.map(\.ref.description) == ["r1"])
            // Outside a change nothing is logged.
            try s.db.execute("UPDATE knowhow.resource SET title = 'x' WHERE id = 1")
            #expect(try s.db.query("SELECT count(*) AS n FROM knowhow.change").first!.require("n", as: Int.self) == 4)
        }
    }

    @Test func aRefusedChangeLeavesNothing() throws {
        try withStore { s, _ in
            let before = try s.db.query("SELECT count(*) AS n FROM knowhow.change").first!.require("n", as: Int.self)
            let e = #expect(throws: KnowHowError.self) { try s.add(Resource(title: "Mine", contributor: "ana"), as: acting("ana")) }
            guard case .permissionDenied(_, .contributor, "ana")? = e else { Issue.record("\(String(describing: e))"); return }
            #expect(throws: KnowHowError.self) { try s.add(Resource(title: "Bad", url: "javascript:x", tags: ["new-tag"]), as: acting("sam")) }
            #expect(try s.db.query("SELECT count(*) AS n FROM knowhow.change").first!.require("n", as: Int.self) == before)
            #expect(try s.resolveTag("new-tag") == nil)
        }
    }
}
