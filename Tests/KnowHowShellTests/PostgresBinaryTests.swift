import Foundation
import Testing

private let postgresTestServer = ProcessInfo.processInfo.environment["KNOWHOW_TEST_PG"].flatMap { $0.isEmpty ? nil : $0 }

/// `knowhow --db postgresql://…` (and KNOWHOW_DB) through the built binary, on a fresh database
/// of the test server (KNOWHOW_TEST_PG, set by `. .ci/postgres start`; skipped visibly without).
@Suite(.enabled(if: postgresTestServer != nil, "KNOWHOW_TEST_PG is not set: start a server with `. .ci/postgres start`"))
struct PostgresBinaryTests {
    static var server: String? { postgresTestServer }

    /// Runs psql on the test server's database (PATH has the server's programs once .ci/postgres ran).
    static func psql(_ sql: String) throws -> BinaryTests.Run {
        try BinaryTests.spawn("/usr/bin/env", ["psql", server!, "-v", "ON_ERROR_STOP=1", "-qc", sql], stdin: Data(),
                              env: ProcessInfo.processInfo.environment, cwd: FileManager.default.temporaryDirectory, timeout: 60)
    }

    /// The server's address with another database and a password the trust login ignores.
    static func address(of database: String) -> String {
        server!.replacingOccurrences(of: "/knowhow_test?", with: "/\(database)?") + "&password=sekrit"
    }

    @Test func initAddFindAndWhoWorkOnAPostgreSQLStore() throws {
        let name = "kh_bin_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let made = try Self.psql("CREATE DATABASE \(name)")
        try #require(made.status == 0, "psql: \(made.err)")
        defer { _ = try? Self.psql("DROP DATABASE \(name) WITH (FORCE)") }
        let box = try BinaryTests.Sandbox()
        let url = Self.address(of: name)

        let first = try box.run(["--db", url, "init"])
        #expect(first.status == 0 && first.out.hasPrefix("created a new store at postgresql:///\(name)"), "\(first.all)")
        let again = try box.run(["--db", url, "init"])
        #expect(again.status == 0 && again.out.contains("already exists"), "\(again.all)")
        #expect(!(first.all + again.all).contains("sekrit"), "the password is never shown")

        let kim = try box.run(["--db", url, "--as", "kim", "add", "member", "@kim", "--name", "Kim Lee", "--skill", "onboarding:expert"])
        #expect(kim.status == 0, "\(kim.all)")
        // KNOWHOW_DB names the store as --db does.
        let env = ["KNOWHOW_DB": url]
        let added = try box.run(["--as", "kim", "add", "resource", "--title", "Onboarding checklist", "--kind", "template",
                                 "--tag", "onboarding", "--force"], env: env)
        #expect(added.status == 0 && added.out.contains("added r1: Onboarding checklist"), "\(added.all)")
        let found = try box.run(["find", "checklist"], env: env)
        #expect(found.status == 0 && BinaryTests.listedIDs(found.out) == ["r1"], "\(found.all)")
        let who = try box.run(["who", "onboarding"], env: env)
        #expect(who.status == 0 && who.out.contains("@kim"), "\(who.all)")
        let undone = try box.run(["--as", "kim", "undo"], env: env)
        #expect(undone.status == 0 && undone.out.contains("undid #"), "\(undone.all)")
        #expect(try box.run(["find", "checklist"], env: env).status == 1)
    }

    @Test func theDatabaseLoginIsWhoActsAndAsIsForCurators() throws {
        let name = "kh_bin_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let login = name + "_ana"
        try #require(try Self.psql("CREATE DATABASE \(name)").status == 0)
        defer {
            _ = try? Self.psql("DROP DATABASE \(name) WITH (FORCE)")
            _ = try? Self.psql("DROP ROLE IF EXISTS \(login)")
        }
        let box = try BinaryTests.Sandbox()
        let owner = Self.address(of: name)
        #expect(try box.run(["--db", owner, "--as", "kim", "add", "member", "@kim", "--name", "Kim Lee"]).status == 0)
        #expect(try box.run(["--db", owner, "--as", "kim", "add", "member", "@ana", "--name", "Ana Diaz"]).status == 0)
        let mapped = try BinaryTests.spawn("/usr/bin/env", ["psql", owner, "-v", "ON_ERROR_STOP=1", "-qc", """
            CREATE ROLE \(login) LOGIN IN ROLE knowhow_member;
            INSERT INTO knowhow.member_login(login, member_id) SELECT '\(login)', id FROM knowhow.member WHERE handle = 'ana';
            """], stdin: Data(), env: ProcessInfo.processInfo.environment, cwd: box.dir, timeout: 60)
        try #require(mapped.status == 0, "psql: \(mapped.err)")
        let ana = owner.replacingOccurrences(of: "user=postgres", with: "user=\(login)")
        let me = try box.run(["--db", ana, "whoami"])
        #expect(me.out.hasPrefix("@ana (Ana Diaz), member"), "\(me.all)")
        let asked = try box.run(["--db", ana, "ask", "Where is the induction pack?", "--force"])
        #expect(asked.status == 0 && asked.out.contains("asked q1"), "\(asked.all)")
        let posing = try box.run(["--db", ana, "--as", "kim", "ask", "As kim?", "--force"], env: ["KNOWHOW_USER": "kim"])
        #expect(posing.status == 2 && posing.err.contains("only curators may act for @kim"), "\(posing.all)")
        let history = try box.run(["--db", owner, "history"])
        #expect(history.out.contains("@ana asked q1") && !history.out.contains("As kim?"), "\(history.all)")
    }
}
