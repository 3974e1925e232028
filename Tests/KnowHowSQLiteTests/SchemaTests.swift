import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Migrations (frozen SQL, +Schema), the derived data rebuilt after them, and the foreign key on
/// accepted answers.
@Suite struct SchemaTests {
    typealias Folder = StoreFileTests.Folder

    /// Every schema object as `type name: sql`, whitespace collapsed, in name order.
    static func schema(_ writer: any DatabaseWriter) throws -> [String] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master ORDER BY type, name").map { r in
                let sql = (r["sql"] as String? ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
                    .replacingOccurrences(of: "( ", with: "(").replacingOccurrences(of: " )", with: ")")
                    .replacingOccurrences(of: " ,", with: ",")
                return "\(r["type"] as String) \(r["name"] as String): \(sql)"
            }
        }
    }

    /// A store file as KnowHow 98d13b2 made it (see StoreBeforeV5), at `path`.
    static func storeBeforeV5(at path: String, _ adjust: String = "") throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: StoreBeforeV5.dump)
            try db.execute(sql: "PRAGMA application_id = \(SQLiteKnowledgeStore.applicationID)")
            if !adjust.isEmpty { try db.execute(sql: adjust) }
        }
        try queue.close()
    }

    static func newStoreSchema() throws -> [String] {
        try schema(try SQLiteKnowledgeStore().writer)
    }

    @Test func aStoreMadeBeforeTheV5MigrationsOpensWithTheSchemaOfANewStore() throws {
        let dir = try Folder()
        let path = dir.path("old.db")
        try Self.storeBeforeV5(at: path)
        let before = try Self.schema(try DatabaseQueue(path: path))
        #expect(!before.contains { $0.hasPrefix("table derived_state") })

        let store = try SQLiteKnowledgeStore(path: path)
        let migrated = try Self.schema(store.writer)
        #expect(migrated == (try Self.newStoreSchema()))
        #expect(migrated.contains { $0.hasPrefix("table derived_state") })
        // Its contents are as they were: entries, the accepted answer, history, search.
        let counts = try store.counts()
        #expect((counts.members, counts.resources, counts.questions, counts.answers) == (10, 12, 3, 5))
        #expect(try store.question(EntryID(.question, 2)).acceptedAnswer == EntryID(.answer, 5))
        #expect(try store.search(QueryParser.parse("timer"), limit: 10).hits.map(\.ref.description) == ["a5"])
        #expect(try store.indexDrift().isEmpty)
    }

    @Test func aNewStoreHasSixteenKilobytePagesAndAnOlderOneKeepsItsOwn() throws {
        let dir = try Folder()
        let fresh = try SQLiteKnowledgeStore(path: dir.path("new.db"))
        _ = try fresh.importCommunity(RankListTests.community(), as: Acting.system)
        #expect(try fresh.writer.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 16_384)
        #expect(try fresh.indexDrift().isEmpty)
        let old = dir.path("old.db")
        try Self.storeBeforeV5(at: old)
        #expect(try DatabaseQueue(path: old).read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 4_096)
        let migrated = try SQLiteKnowledgeStore(path: old)
        #expect(try migrated.writer.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 4_096)
        #expect(try migrated.counts().resources == 12)
    }

    @Test func derivedDataOfAStoreMadeBeforeVersioningIsKeptNotRebuilt() throws {
        let dir = try Folder()
        let path = dir.path("old.db")
        // A mark only a rebuild would wipe: a ranked list for a term no entry has.
        try Self.storeBeforeV5(at: path, "INSERT INTO rank_list(term, entry, impact) VALUES ('zzmark', 9, 1.0)")
        // Migration v5 alone (v7 rebuilds every index; see the next test).
        let queue = try DatabaseQueue(path: path)
        try SQLiteKnowledgeStore.migrator.migrate(queue, upTo: "v5-derived-state")
        let (version, marks) = try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT version FROM derived_state"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM rank_list WHERE term = 'zzmark'"))
        }
        #expect(version == 1)
        #expect(marks == 1)
    }

    /// Issue 19: the index kept a second copy of every entry's text. Migration v7 makes it
    /// contentless, and the index is filled again from the tables, in one transaction after it.
    @Test func aStoreWithTheTextInItsIndexGetsAContentlessIndexBuiltFromItsTables() throws {
        let dir = try Folder()
        let path = dir.path("old.db")
        try Self.storeBeforeV5(at: path, "INSERT INTO rank_list(term, entry, impact) VALUES ('zzmark', 9, 1.0)")
        let store = try SQLiteKnowledgeStore(path: path)
        let (version, marks, sql) = try store.writer.read { db in
            (try Int.fetchOne(db, sql: "SELECT version FROM derived_state"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM rank_list WHERE term = 'zzmark'"),
             try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'entry_fts'"))
        }
        #expect(version == SQLiteKnowledgeStore.derivedVersion)
        #expect(marks == 0)
        #expect(sql?.contains("content = ''") == true)
        let (indexed, entries) = try store.writer.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM entry_fts_docsize"),
             try Int.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM member) + (SELECT count(*) FROM resource) + (SELECT count(*) FROM practice)
                     + (SELECT count(*) FROM question) + (SELECT count(*) FROM answer) + (SELECT count(*) FROM meeting)
                """))
        }
        #expect(indexed == entries && (entries ?? 0) > 20)
        #expect(try store.indexDrift().isEmpty)
        #expect(try store.search(QueryParser.parse("timer"), limit: 10).hits.map(\.ref.description) == ["a5"])
    }

    @Test func anAcceptedAnswerThatIsGoneIsClearedByTheMigration() throws {
        let dir = try Folder()
        let path = dir.path("old.db")
        try Self.storeBeforeV5(at: path, "UPDATE question SET accepted_answer_id = 999 WHERE id = 3")
        let store = try SQLiteKnowledgeStore(path: path)
        #expect(try store.question(EntryID(.question, 3)).acceptedAnswer == nil)
        #expect(try store.question(EntryID(.question, 2)).acceptedAnswer == EntryID(.answer, 5))
    }

    @Test func mostlyNullColumnsHavePartialIndexesThatTheLookupsStillUse() throws {
        let store = try SQLiteKnowledgeStore()
        _ = try store.importCommunity(RankListTests.community(), as: Acting.system)
        func plan(_ sql: String) throws -> String {
            try store.writer.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: [1]).map { $0["detail"] as String }.joined(separator: "; ")
            }
        }
        #expect(try plan("SELECT id FROM question WHERE source_id = ?").contains("question_source_id"))
        #expect(try plan("SELECT id FROM answer WHERE source_id = ?").contains("answer_source_id"))
        #expect(try plan("SELECT count(*) FROM practice WHERE verified_by_id = ?").contains("practice_verified_by"))
        #expect(try plan("SELECT id FROM practice WHERE review_by IS NOT NULL AND review_by <= ? ORDER BY review_by, id").contains("practice_review_by"))
        let partial = try store.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE % IS NOT NULL' ORDER BY name")
        }
        #expect(partial == ["answer_source_id", "practice_review_by", "practice_verified_by", "question_accepted", "question_source_id"])
        // Still unique where there is a value.
        let a = try store.ask(Question(title: "How deep should mulch be?"), as: Acting.system)
        let b = try store.ask(Question(title: "When should mulch go down?"), as: Acting.system)
        try store.writer.write { db in try db.execute(sql: "UPDATE question SET source_id = 'se:1' WHERE id = ?", arguments: [a.number]) }
        #expect(throws: (any Error).self) {
            try store.writer.write { db in try db.execute(sql: "UPDATE question SET source_id = 'se:1' WHERE id = ?", arguments: [b.number]) }
        }
    }

    @Test func anAcceptedAnswerMustExist() throws {
        let acting = Acting.system
        let store = try SQLiteKnowledgeStore()
        _ = try store.importCommunity(RankListTests.community(), as: acting)
        let q = try store.ask(Question(title: "How often should the compost be turned?"), as: acting)
        let fks = try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \"table\", \"from\" FROM pragma_foreign_key_list('question')")
                .map { "\($0["from"] as String) → \($0["table"] as String)" }
        }
        #expect(fks.contains("accepted_answer_id → answer"))
        #expect(throws: KnowHowError.self) {
            try store.write { db in
                try db.execute(sql: "UPDATE question SET accepted_answer_id = 999 WHERE id = ?", arguments: [q.number])
            }
        }
        #expect(try store.question(q).acceptedAnswer == nil)
    }

    @Test func migrationsRunOnlyLiteralSQLSoAStoreFromBeforeTheLeanIndexIsIndexedAfterMigrating() throws {
        // A store as the first migrations left it, with rows written straight to its tables.
        let queue = try DatabaseQueue(configuration: SQLiteKnowledgeStore.configuration())
        try SQLiteKnowledgeStore.migrator.migrate(queue, upTo: "v2-source-ids")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO member(id, handle, name, role) VALUES (1, 'kim', 'Kim Lee', 'curator');
                INSERT INTO resource(id, title, kind, summary, contributor_id, created, updated)
                    VALUES (1, 'Compost rota for the allotment', 'guide', 'Who turns the heap each week', 1,
                            '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z');
                """)
        }
        let dir = try Folder()
        let path = dir.path("v2.db")
        let file = try DatabaseQueue(path: path)
        try queue.backup(to: file)
        try file.close()

        let store = try SQLiteKnowledgeStore(path: path)
        #expect(try Self.schema(store.writer) == (try Self.newStoreSchema()))
        #expect(try store.search(QueryParser.parse("compost"), limit: 10).hits.map(\.ref.description) == ["r1"])
        #expect(try store.indexDrift().isEmpty)
        let (state, work) = try store.writer.read { db in
            (try Int.fetchOne(db, sql: "SELECT entries FROM rank_state"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM rank_work WHERE member_id = 1"))
        }
        #expect(state == 2)
        #expect(work == 1)
    }

    @Test func derivedDataIsRebuiltWhenItsVersionDiffers() throws {
        let dir = try Folder()
        let path = dir.path("store.db")
        func derived(_ s: SQLiteKnowledgeStore) throws -> [String] {
            try s.indexSnapshot() + s.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM rank_list ORDER BY term, entry").map { "list \($0)" }
                    + Row.fetchAll(db, sql: "SELECT * FROM rank_term ORDER BY term").map { "term \($0)" }
                    + Row.fetchAll(db, sql: "SELECT entries, tokens, list_length, list_min_docs, built_entries FROM rank_state").map { "state \($0)" }
                    + Row.fetchAll(db, sql: "SELECT * FROM rank_work ORDER BY member_id, kind").map { "work \($0)" }
            }
        }
        let expected: [String]
        do {
            let s = try SQLiteKnowledgeStore(path: path)
            s.searchTuning = RankListTests.tiny
            _ = try s.importCommunity(RankListTests.community(), as: .system)
            expected = try derived(s)
            #expect(expected.contains { $0.hasPrefix("list ") })
            #expect(expected.contains { $0.hasPrefix("work ") })
            // Derived data made by older code, marked as such.
            try s.writer.write { db in
                try db.execute(sql: """
                    INSERT INTO entry_fts(entry_fts) VALUES ('delete-all'); DELETE FROM rank_list; DELETE FROM rank_term; DELETE FROM rank_work;
                    UPDATE derived_state SET version = 0;
                    """)
            }
        }
        let reopened = try SQLiteKnowledgeStore(path: path)
        #expect(try reopened.writer.read { try Int.fetchOne($0, sql: "SELECT version FROM derived_state") } == SQLiteKnowledgeStore.derivedVersion)
        #expect(try derived(reopened) == expected)
    }
}
