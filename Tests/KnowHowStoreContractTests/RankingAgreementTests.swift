import Foundation
import Testing
import KnowHowCore
import KnowHowSQLite
import KnowHowPostgres

/// The test server, when one was started.
private let rankingServer = ProcessInfo.processInfo.environment["KNOWHOW_TEST_PG"].flatMap { $0.isEmpty ? nil : $0 }

/// Issue 14, item 3: PostgreSQL's ranking agrees with SQLite's on the contract fixture: the same
/// top three for every query of `SearchContractTests.rankingCases`, run on both stores at once
/// (a server is needed: KNOWHOW_TEST_PG, set by `. .ci/postgres start`).
@Suite(.enabled(if: rankingServer != nil, "KNOWHOW_TEST_PG is not set: start a server with `. .ci/postgres start`"))
struct RankingAgreementTests {
    static var server: String? { rankingServer }

    /// The fixture in a fresh database of the test server, dropped afterwards.
    static func withFixture(_ body: (PostgresKnowledgeStore) throws -> Void) throws {
        let name = "kh_rank_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let admin = try PGConnection(server!)
        _ = try admin.execute("CREATE DATABASE \(name)")
        defer { _ = try? admin.execute("DROP DATABASE \(name) WITH (FORCE)") }
        let store = try PostgresKnowledgeStore(server!, overrides: ["dbname": name])
        _ = try store.importCommunity(Fixture.file)
        try body(store)
    }

    @Test func theTopThreeAgreeWithSQLiteForEveryRankingQuery() throws {
        let sqlite = try SQLiteKnowledgeStore()
        _ = try sqlite.importCommunity(Fixture.file, as: contractActing())
        try Self.withFixture { pg in
            var agree = 0, sameFirst = 0
            for (text, pinned) in SearchContractTests.rankingCases {
                let q = try QueryParser.parse(text)
                let mine = try pg.search(q, limit: 50).hits.map(\.ref.description)
                let theirs = try sqlite.search(q, limit: 50).hits.map(\.ref.description)
                #expect(Array(theirs.prefix(3)) == pinned, "SQLite still ranks \(text) as pinned")
                #expect(Set(mine) == Set(theirs), "\(text): the same entries match")
                if Array(mine.prefix(3)) == Array(theirs.prefix(3)) { agree += 1 } else {
                    Issue.record("\(text): PostgreSQL \(Array(mine.prefix(5))), SQLite \(Array(theirs.prefix(5)))")
                }
                if mine.first == theirs.first { sameFirst += 1 }
            }
            let n = SearchContractTests.rankingCases.count
            print("ranking agreement: top three \(agree) of \(n), first hit \(sameFirst) of \(n)")
        }
    }
}
