import Foundation
import Testing
import KnowHowCore
@testable import KnowHowPostgres

/// The libpq wrapper against a real server: typed values, parameters, errors as sentences,
/// retries of serialization failures and deadlocks.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PGConnectionTests {
    @Test func parametersGoThroughUnchangedAndDecodeToTheirTypes() throws {
        let c = try TestServer.admin()
        let hostile = #"'; DROP TABLE x; -- \ "quoted" ünï 日本 🙂"#
        let r = try c.query("SELECT $1::text AS t, $2::bigint AS n, $3::boolean AS b, $4::float8 AS d, $5::text AS missing",
                            [hostile, Int64(1) << 60, true, 2.5, String?.none])
        let row = try #require(r.first)
        #expect(try row.get("t", as: String.self) == hostile)
        #expect(try row.get("n", as: Int64.self) == Int64(1) << 60)
        #expect(try row.get("b", as: Bool.self) == true)
        #expect(try row.get("d", as: Double.self) == 2.5)
        #expect(try row.get("missing", as: String.self) == nil)
        #expect(throws: KnowHowError.self) { try row.get("nonesuch", as: String.self) }
        #expect(throws: KnowHowError.self) { try row.get("t", as: Int.self) }
    }

    @Test func textWithANulIsRefusedNotCut() throws {
        let c = try TestServer.admin()
        #expect(throws: KnowHowError.invalidValue(field: "text", value: "(text with a NUL character)", expected: "text without NUL characters")) {
            try c.query("SELECT $1::text", ["a\u{0}b"])
        }
    }

    @Test func aKeyValueConnectionStringWorksAsAURIDoes() throws {
        let url = try #require(URLComponents(string: TestServer.url!))
        let host = try #require(url.queryItems?.first { $0.name == "host" }?.value)
        let user = url.queryItems?.first { $0.name == "user" }?.value ?? "postgres"
        let c = try PGConnection("host='\(host)' user=\(user) dbname=\(url.path.dropFirst())")
        #expect(try c.query("SELECT session_user::text AS u").first?.get("u", as: String.self) == user)
    }

    @Test func aConnectTimeoutIsSetUnlessTheAddressGivesOne() throws {
        #expect(try TestServer.admin().setting("connect_timeout") == String(PGConnection.defaultConnectTimeout))
        let url = TestServer.url! + (TestServer.url!.contains("?") ? "&" : "?") + "connect_timeout=3"
        #expect(try PGConnection(url).setting("connect_timeout") == "3")
        #expect(try TestServer.admin().setting("fallback_application_name") == "knowhow")
    }

    @Test func aMissingDatabaseIsASentenceWithoutServerText() throws {
        do {
            _ = try PGConnection(TestServer.url!, overrides: ["dbname": "no_such_knowhow_db"])
            Issue.record("connected to a database that does not exist")
        } catch let e as KnowHowError {
            guard case .storeUnavailable(_, let reason) = e else { Issue.record("\(e)"); return }
            #expect(reason.contains("does not exist"))
            #expect(reason.contains("createdb"))
            #expect(!e.description.contains("FATAL"))
        }
    }

    @Test func anUnknownLoginIsRefusedAsALogin() throws {
        do {
            _ = try PGConnection(TestServer.url!, overrides: ["user": "no_such_knowhow_login"])
            Issue.record("connected as a login that does not exist")
        } catch let e as KnowHowError {
            guard case .storeUnavailable(_, let reason) = e else { Issue.record("\(e)"); return }
            #expect(reason.contains("refused the login"))
            #expect(!e.description.contains("FATAL"))
        }
    }

    @Test func noServerThereFailsQuicklyWithAClearMessage() throws {
        let start = Date()
        do {
            _ = try PGConnection("postgresql:///x?host=/nonexistent-knowhow-socket-dir")
            Issue.record("connected to nothing")
        } catch let e as KnowHowError {
            guard case .storeUnavailable(_, let reason) = e else { Issue.record("\(e)"); return }
            #expect(reason.contains("could not reach the server"))
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func anInvalidAddressSaysHowOneLooks() throws {
        do {
            _ = try PGConnection("postgresql://host:notaport/db")
            Issue.record("accepted a bad port")
        } catch let e as KnowHowError {
            #expect(e.description.contains("postgresql://USER@HOST/DATABASE"), "\(e)")
        }
    }

    @Test func aServerGoneMidSessionIsAClearMessage() throws {
        let c = try TestServer.admin()
        let pid = try #require(try c.query("SELECT pg_backend_pid() AS p").first?.get("p", as: Int.self))
        try TestServer.admin().query("SELECT pg_terminate_backend($1)", [pid])
        do {
            try c.query("SELECT 1")
            Issue.record("a query ran on a terminated connection")
        } catch let e as PGError {
            #expect(e.connectionLost || e.sqlState.hasPrefix("57P") || e.sqlState.hasPrefix("08"), "\(e)")
            guard case .storeUnavailable(_, let reason) = e.knowHowError else { Issue.record("\(e.knowHowError)"); return }
            #expect(reason.contains("connection to the server was lost"))
        }
    }

    @Test(arguments: ["40001", "40P01"])
    func serializationFailuresAndDeadlocksAreRetried(_ state: String) throws {
        let c = try TestServer.admin()
        var attempts = 0
        let v = try c.transaction { c -> Int in
            attempts += 1
            if attempts < 3 {
                try c.query("SELECT knowhow_fail_with($1)", [state]).rows.count  // raises below
            }
            return try c.query("SELECT 7 AS v").first!.require("v")
        }
        #expect(v == 7)
        #expect(attempts == 3)
        #expect(!c.inTransaction)
    }

    @Test func retriesEndInBusyAndOtherErrorsAreNotRetried() throws {
        let c = try TestServer.admin()
        var attempts = 0
        #expect(throws: KnowHowError.storeBusy) {
            try c.transaction(attempts: 3) { c in attempts += 1; try c.query("SELECT knowhow_fail_with('40001')") }
        }
        #expect(attempts == 3)
        attempts = 0
        #expect(throws: PGError.self) {
            try c.transaction { c in attempts += 1; try c.query("SELECT knowhow_fail_with('23505')") }
        }
        #expect(attempts == 1)
        #expect(!c.inTransaction)
    }

    @Test func aRealSerializationConflictIsRetriedAndNothingIsLost() throws {
        try TestServer.withDatabase(migrated: false) { db in
            let a = try db.connect(), b = try db.connect()
            try a.executeScript("CREATE TABLE counter (n integer NOT NULL); INSERT INTO counter VALUES (0)")
            var attempts = 0
            try a.transaction(.serializable) { a in
                attempts += 1
                let n: Int = try a.query("SELECT n FROM counter").first!.require("n")
                // Another session commits between our read and our write, once.
                if attempts == 1 { try b.execute("UPDATE counter SET n = n + 1") }
                try a.execute("UPDATE counter SET n = $1", [n + 1])
            }
            #expect(attempts == 2)
            #expect(try a.query("SELECT n FROM counter").first?.get("n", as: Int.self) == 2)
        }
    }

    @Test func serverErrorsBecomeSentencesWithoutServerText() throws {
        let c = try TestServer.admin()
        do {
            try c.query("SELECT knowhow_fail_with('23505')")
            Issue.record("no error")
        } catch let e as PGError {
            #expect(e.sqlState == "23505")
            #expect(!e.knowHowError.description.contains("knowhow test failure"))
        }
        #expect(PGError(sqlState: "42501", message: "permission denied for table resource", constraint: nil, connectionLost: false, at: "x")
            .knowHowError.description.contains("ask a curator"))
        #expect(PGError(sqlState: "25006", message: "cannot execute UPDATE in a read-only transaction", constraint: nil, connectionLost: false, at: "x")
            .knowHowError.description.contains("primary"))
    }

    /// A function that raises a chosen SQLSTATE, for the retry tests; made once per run.
    static let failFunction: Result<Void, any Error> = Result {
        try TestServer.admin().executeScript("""
            CREATE OR REPLACE FUNCTION knowhow_fail_with(state text) RETURNS integer LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'knowhow test failure' USING ERRCODE = state; END $$
            """)
    }

    init() throws { try Self.failFunction.get() }
}

/// What needs no server: messages name the store without its password.
struct PGConnectionMessageTests {
    @Test func passwordsNeverAppearInMessages() {
        #expect(PGConnection.redacted("postgresql://kim:s3cret@db.example.org/knowhow") == "postgresql://kim:***@db.example.org/knowhow")
        #expect(PGConnection.redacted("postgres://db/k?password=s3cret&sslmode=require") == "postgres://db/k?password=***&sslmode=require")
        #expect(!PGConnection.redacted("host=db password='s3 cret' dbname=k").contains("s3"))
        #expect(!PGConnection.redacted("host=db password=s3cret dbname=k").contains("s3cret"))
    }
}
