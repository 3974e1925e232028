import Foundation
import Testing
import KnowHowCore
@testable import KnowHowPostgres

/// The test server named by KNOWHOW_TEST_PG (set by .ci/postgres). Without it the server tests
/// are skipped, visibly, with `serverReason`.
enum TestServer {
    static let url = ProcessInfo.processInfo.environment["KNOWHOW_TEST_PG"].flatMap { $0.isEmpty ? nil : $0 }
    static var available: Bool { url != nil }
    static let skipReason: Comment = "KNOWHOW_TEST_PG is not set: start a server with `. .ci/postgres start`"

    /// A connection to the database the URL names (as its superuser), for making test databases.
    static func admin() throws -> PGConnection { try PGConnection(url!) }

    /// A fresh, empty database for one test, dropped afterwards with the logins made for it.
    static func withDatabase<T>(migrated: Bool = true, _ body: (TestDatabase) throws -> T) throws -> T {
        let name = "kh_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let admin = try admin()
        try admin.executeScript("CREATE DATABASE \(name)")
        let db = TestDatabase(name: name)
        defer {
            try? admin.executeScript("DROP DATABASE \(name) WITH (FORCE)")
            for login in db.logins { try? admin.executeScript("DROP ROLE IF EXISTS \(login)") }
        }
        if migrated { try PostgresSchema.migrate(try db.connect()) }
        return try body(db)
    }
}

final class TestDatabase: @unchecked Sendable {
    let name: String
    private(set) var logins: [String] = []
    init(name: String) { self.name = name }

    /// Connects to this database, as the server's superuser unless `user` is given.
    func connect(as user: String? = nil) throws -> PGConnection {
        var o = ["dbname": name]
        if let user { o["user"] = user }
        return try PGConnection(TestServer.url!, overrides: o)
    }

    /// A login in one of the group roles (nil: in none), unique to this database.
    func makeLogin(_ base: String, group: String?) throws -> String {
        let login = "\(name)_\(base)"
        let c = try connect()
        try c.executeScript("CREATE ROLE \(login) LOGIN")
        if let group { try c.executeScript("GRANT \(group) TO \(login)") }
        logins.append(login)
        return login
    }
}
