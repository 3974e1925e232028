import Foundation
import Testing
import KnowHowCore
import KnowHowSQLite
@testable import KnowHowShell

/// The prompt and banner name a store briefly: a PostgreSQL address (long: host, socket folder,
/// options) by its database, a file by its name.
@Suite struct StoreNameTests {
    static func name(_ label: String, env: [String: String] = [:]) throws -> (String, Bool) {
        let ctx = ShellContext(store: try SQLiteKnowledgeStore(), storeLabel: label, console: Console(), environment: env)
        return (ctx.storeName, ctx.isPostgres)
    }

    @Test(arguments: [
        ("postgresql:///team?host=/tmp/knowhow-pg.x/sock&user=kim", "team", true),
        ("postgres://ana:***@db.example.org:5432/cop?sslmode=require", "cop", true),
        ("postgresql://db.example.org/?dbname=practice&user=sam", "practice", true),
        ("/home/kim/.local/share/knowhow/knowhow.db", "knowhow", false),
        ("team.db", "team", false),
        ("demo", "demo", false),
    ])
    func theStoreIsNamedShortly(_ c: (String, String, Bool)) throws {
        let (name, postgres) = try Self.name(c.0)
        #expect(name == c.1 && postgres == c.2, "\(c.0) → \(name)")
    }

    @Test func anAddressWithoutADatabaseTakesPGDATABASE() throws {
        #expect(try Self.name("postgresql://db.example.org", env: ["PGDATABASE": "cop"]).0 == "cop")
        #expect(try Self.name("postgresql://db.example.org").0 == "knowhow")
    }
}
