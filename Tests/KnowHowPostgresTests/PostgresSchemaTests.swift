import Foundation
import Testing
import KnowHowCore
@testable import KnowHowPostgres

/// The schema: numbered migrations under an advisory lock, the weighted search vector.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresSchemaTests {
    @Test func migratingTwiceAppliesEachMigrationOnce() throws {
        try TestServer.withDatabase(migrated: false) { db in
            let c = try db.connect()
            #expect(try PostgresSchema.appliedVersions(c) == [])
            #expect(try PostgresSchema.migrate(c) == PostgresSchema.migrations.map(\.version))
            #expect(try PostgresSchema.migrate(c) == [])
            #expect(try PostgresSchema.appliedVersions(c) == PostgresSchema.migrations.map(\.version))
            let tables = try c.query("SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = 'knowhow' ORDER BY 1")
                .rows.map { try $0.require("t", as: String.self) }
            for t in ["member", "member_skill", "member_interest", "resource", "resource_author", "practice", "question",
                      "answer", "tag", "tag_alias", "entry_tag", "entry_text", "endorsement", "change", "change_row",
                      "change_entry", "redirect", "practice_successor", "not_duplicate", "search_log", "store_setting",
                      "member_login", "schema_migration"] {
                #expect(tables.contains(t), "missing table \(t)")
            }
        }
    }

    @Test func clientsStartingAtOnceMigrateSafely() throws {
        try TestServer.withDatabase(migrated: false) { db in
            let clients = 4
            let results = Mutex<[Result<[Int], any Error>]>([])
            // All connect first, then all migrate at once.
            let connections = try (0..<clients).map { _ in try db.connect() }
            let boxes = connections.map(UncheckedBox.init)
            DispatchQueue.concurrentPerform(iterations: clients) { i in
                let r = Result { try PostgresSchema.migrate(boxes[i].value) }
                results.withLock { $0.append(r) }
            }
            let applied = try results.withLock { try $0.map { try $0.get() } }
            #expect(applied.flatMap { $0 }.sorted() == PostgresSchema.migrations.map(\.version))
            #expect(applied.filter { !$0.isEmpty }.count == 1)
            let c = try db.connect()
            #expect(try PostgresSchema.appliedVersions(c) == PostgresSchema.migrations.map(\.version))
        }
    }

    @Test func theSearchVectorWeighsTitleTagsSummaryBody() throws {
        try TestServer.withDatabase { db in
            let c = try db.connect()
            try c.execute("INSERT INTO knowhow.entry_text(entry, title, tags, summary, body) VALUES ($1, $2, $3, $4, $5)",
                          [EntryKeys.make(.resource, 1), "Onboarding checklist", "induction", "the first week", "supervisors"])
            var weights: [String: String] = [:]
            for r in try c.query("SELECT u.lexeme, array_to_string(u.weights, '') AS w FROM knowhow.entry_text, unnest(search) u").rows {
                weights[try r.require("lexeme")] = try r.require("w")
            }
            // No stop words ("the"), as SQLite's porter tokenizer keeps every word.
            #expect(weights == ["onboard": "A", "checklist": "A", "induct": "B", "the": "C", "first": "C", "week": "C", "supervisor": "D"])
            func matches(_ input: String) throws -> Bool {
                let q = try #require(TSQuery.render(try QueryParser.parse(input).text!))
                return try c.query("SELECT count(*) AS n FROM knowhow.entry_text WHERE search @@ to_tsquery('knowhow.english', $1)", [q])
                    .first!.require("n", as: Int.self) == 1
            }
            #expect(try matches("onboarded"))
            #expect(try matches("the first"))
            #expect(try matches("\"first week\""))
            #expect(try !matches("\"week first\""))
            #expect(try matches("supervis*"))
            #expect(try matches("induction -missing"))
            #expect(try !matches("induction -supervisors"))
            #expect(try matches("nothing OR checklist"))
            let index = try c.query("SELECT indexdef FROM pg_indexes WHERE schemaname = 'knowhow' AND indexname = 'entry_text_search'")
            #expect(try index.first?.get("indexdef", as: String.self)?.contains("gin (search)") == true)
        }
    }
}

/// A lock around a value, for tests that gather results from threads.
final class Mutex<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ value: T) { self.value = value }
    func withLock<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(&value)
    }
}

/// Hands a non-Sendable value to exactly one other thread.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
}
