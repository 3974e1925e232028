import Foundation
import Testing
import KnowHowCore
@testable import KnowHowPostgres

/// A database whose default collation is not byte order (an ICU locale, as many servers are set
/// up): pairs the core orders by bytes must still be kept.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresCollationTests {
    @Test func notDuplicatePairsKeepByteOrderInAnICULocale() throws {
        let name = "kh_icu_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let admin = try TestServer.admin()
        do {
            try admin.executeScript("CREATE DATABASE \(name) TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
        } catch {
            // A server built without ICU cannot make such a database: nothing to check there.
            Issue.record("the test server could not make an ICU database: \(error)"); return
        }
        defer { try? admin.executeScript("DROP DATABASE \(name) WITH (FORCE)") }
        let store = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": name])
        let c = try PGConnection(TestServer.url!, overrides: ["dbname": name])
        // The database's own order puts `_` before `-`; bytes put `-` (0x2D) first.
        let icuFirst: String = try c.query("SELECT min(h) AS h FROM (VALUES ('@a-b'), ('@a_b')) v(h)").first!.require("h")
        #expect(icuFirst == "@a_b", "the collation under test orders unlike bytes")
        let acting = Acting(.system)
        _ = try store.add(Member(handle: "a-b", name: "Ab Dash"), as: acting)
        _ = try store.add(Member(handle: "a_b", name: "Ab Underscore"), as: acting)
        try store.markNotDuplicates(.member("a_b"), .member("a-b"), as: acting)
        #expect(try store.exportCommunity().notDuplicates == [NotDuplicatePair(a: "@a-b", b: "@a_b")])
    }
}
