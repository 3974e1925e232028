import Foundation
import Testing
import KnowHowCore
@testable import KnowHowPostgres

/// The database guards itself: a member connecting with psql (or anything else) cannot change
/// another member's entry, merge, retag or rewrite history. Logins: alice and dave are members,
/// bob a contributor, carol a curator, eve a member login nobody mapped to a handle.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct RoleSecurityTests {
    struct Community {
        let db: TestDatabase
        let alice: PGConnection, bob: PGConnection, carol: PGConnection, dave: PGConnection, eve: PGConnection
        let logins: [String: String]
        // Entry keys and ids.
        let r1 = EntryKeys.make(.resource, 1), r2 = EntryKeys.make(.resource, 2), q1 = EntryKeys.make(.question, 1)
        let q2 = EntryKeys.make(.question, 2)
    }

    func withCommunity(_ body: (Community) throws -> Void) throws {
        try TestServer.withDatabase { db in
            let owner = try db.connect()
            var logins: [String: String] = [:]
            for (handle, group) in [("alice", "knowhow_member"), ("bob", "knowhow_contributor"), ("carol", "knowhow_curator"),
                                    ("dave", "knowhow_member"), ("eve", "knowhow_member")] {
                logins[handle] = try db.makeLogin(handle, group: group)
            }
            try owner.transaction { c in
                for (id, handle, role) in [(1, "alice", "member"), (2, "bob", "contributor"), (3, "carol", "curator"), (4, "dave", "member")] {
                    try c.execute("INSERT INTO knowhow.member(id, handle, name, role) VALUES ($1, $2, $3, $4)", [id, handle, handle.capitalized, role])
                    try c.execute("INSERT INTO knowhow.member_login(login, member_id) VALUES ($1, $2)", [logins[handle]!, id])
                }
                try c.execute("INSERT INTO knowhow.tag(id, name) VALUES (1, 'onboarding'), (2, 'induction')")
                try c.execute("INSERT INTO knowhow.resource(id, title, kind, contributor_id, created, updated) VALUES (1, 'Bob''s guide', 'guide', 2, 'x', 'x'), (2, 'Carol''s guide', 'guide', 3, 'x', 'x')")
                try c.execute("INSERT INTO knowhow.question(id, title, asker_id, created) VALUES (1, 'Dave asks', 4, 'x'), (2, 'Alice asks', 1, 'x')")
                try c.execute("INSERT INTO knowhow.entry_tag(entry, tag_id) VALUES ($1, 1)", [EntryKeys.make(.question, 1)])
                try c.execute("INSERT INTO knowhow.change(id, actor, at, action, summary) VALUES (1, 'dave', 'x', 'ask', 'Dave asked q1')")
                try c.execute("INSERT INTO knowhow.change_row(change_id, seq, tbl, pk, after) VALUES (1, 1, 'question', '1', '{}')")
                try PostgresSchema.syncIdentities(c)
            }
            try body(Community(db: db, alice: try db.connect(as: logins["alice"]), bob: try db.connect(as: logins["bob"]),
                               carol: try db.connect(as: logins["carol"]), dave: try db.connect(as: logins["dave"]),
                               eve: try db.connect(as: logins["eve"]), logins: logins))
        }
    }

    /// True when the server refuses the statement for lack of privilege (42501), the way a
    /// grant or a row-level security policy refuses.
    func refused(_ c: PGConnection, _ sql: String, _ p: [PGBindable?] = []) -> Bool {
        do { try c.execute(sql, p); return false } catch let e as PGError { return e.sqlState == "42501" } catch { return false }
    }

    func value(_ c: PGConnection, _ sql: String, _ p: [PGBindable?] = []) throws -> String? {
        try c.query(sql, p).first?.get(0, as: String.self)
    }

    @Test func aMemberCannotChangeAnotherMembersEntry() throws {
        try withCommunity { (k: Community) throws in
            #expect(refused(k.alice, "UPDATE knowhow.resource SET title = 'mine now' WHERE id = 1"))
            #expect(try k.alice.execute("UPDATE knowhow.question SET title = 'mine now' WHERE id = 1") == 0)
            #expect(try k.alice.execute("UPDATE knowhow.member SET name = 'Mallory' WHERE handle = 'dave'") == 0)
            #expect(try k.bob.execute("UPDATE knowhow.resource SET title = 'mine now' WHERE id = 2") == 0)
            #expect(refused(k.bob, "UPDATE knowhow.resource SET contributor_id = 2 WHERE id = 1"))
            #expect(try value(k.carol, "SELECT title FROM knowhow.resource WHERE id = 2") == "Carol's guide")
            #expect(try value(k.carol, "SELECT title FROM knowhow.question WHERE id = 1") == "Dave asks")
            // Their own they may change.
            #expect(try k.bob.execute("UPDATE knowhow.resource SET title = 'Bob''s better guide' WHERE id = 1") == 1)
            #expect(try k.alice.execute("UPDATE knowhow.question SET title = 'Alice asks better' WHERE id = 2") == 1)
            #expect(try k.alice.execute("UPDATE knowhow.member SET name = 'Alice A.' WHERE handle = 'alice'") == 1)
            // Curators any.
            #expect(try k.carol.execute("UPDATE knowhow.resource SET title = 'Tidied' WHERE id = 1") == 1)
        }
    }

    @Test func aMemberCannotWriteInSomeoneElsesName() throws {
        try withCommunity { (k: Community) throws in
            #expect(refused(k.alice, "INSERT INTO knowhow.question(title, asker_id, created) VALUES ('as dave', 4, 'x')"))
            #expect(refused(k.alice, "INSERT INTO knowhow.answer(question_id, body, author_id, created) VALUES (1, 'as dave', 4, 'x')"))
            #expect(refused(k.alice, "INSERT INTO knowhow.endorsement(endorser_id, member_id, tag_id, created) VALUES (4, 2, 1, 'x')"))
            #expect(refused(k.bob, "INSERT INTO knowhow.resource(title, kind, contributor_id, created, updated) VALUES ('as carol', 'guide', 3, 'x', 'x')"))
            #expect(refused(k.alice, "INSERT INTO knowhow.resource(title, kind, contributor_id, created, updated) VALUES ('mine', 'guide', 1, 'x', 'x')"))
            #expect(try k.alice.execute("INSERT INTO knowhow.question(title, asker_id, created) VALUES ('my own', 1, 'x')") == 1)
            #expect(try k.bob.execute("INSERT INTO knowhow.resource(title, kind, contributor_id, created, updated) VALUES ('mine', 'guide', 2, 'x', 'x')") == 1)
        }
    }

    @Test func aMemberCannotPromoteThemselvesOrBorrowAHandle() throws {
        try withCommunity { (k: Community) throws in
            #expect(refused(k.alice, "UPDATE knowhow.member SET role = 'curator' WHERE handle = 'alice'"))
            #expect(refused(k.alice, "UPDATE knowhow.member_login SET member_id = 3 WHERE member_id = 1"))
            #expect(refused(k.eve, "INSERT INTO knowhow.member_login(login, member_id) VALUES (session_user, 3)"))
            #expect(refused(k.alice, "SET ROLE knowhow_curator"))
            #expect(try value(k.alice, "SELECT knowhow.current_handle()") == "alice")
            // SET ROLE cannot borrow another identity: who you are is the login.
            try k.carol.executeScript("SET ROLE knowhow_member")
            #expect(try value(k.carol, "SELECT knowhow.current_handle()") == "carol")
        }
    }

    @Test func aMemberCannotMerge() throws {
        try withCommunity { (k: Community) throws in
            #expect(refused(k.alice, "DELETE FROM knowhow.resource WHERE id = 2"))
            // A contributor may delete (undo adding) their own resource; another's is not theirs to see for deleting.
            #expect(try k.bob.execute("DELETE FROM knowhow.resource WHERE id = 2") == 0)
            #expect(refused(k.bob, "DELETE FROM knowhow.member WHERE handle = 'dave'"))
            #expect(refused(k.alice, "INSERT INTO knowhow.redirect(old, new) VALUES ('r2', 'r1')"))
            #expect(refused(k.alice, "INSERT INTO knowhow.not_duplicate(a, b) VALUES ('r1', 'r2')"))
            #expect(try value(k.alice, "SELECT count(*)::text FROM knowhow.resource") == "2")
            #expect(try k.carol.execute("INSERT INTO knowhow.redirect(old, new) VALUES ('r2', 'r1')") == 1)
            #expect(try k.carol.execute("DELETE FROM knowhow.resource WHERE id = 2") == 1)
        }
    }

    @Test func aMemberCannotRetagAnotherMembersEntryOrTheVocabulary() throws {
        try withCommunity { (k: Community) throws in
            #expect(refused(k.alice, "INSERT INTO knowhow.entry_tag(entry, tag_id) VALUES ($1, 2)", [k.q1]))
            #expect(try k.alice.execute("DELETE FROM knowhow.entry_tag WHERE entry = $1", [k.q1]) == 0)
            #expect(refused(k.alice, "UPDATE knowhow.entry_tag SET tag_id = 2 WHERE entry = $1", [k.q1]))
            #expect(refused(k.bob, "INSERT INTO knowhow.entry_tag(entry, tag_id) VALUES ($1, 2)", [k.r2]))
            #expect(refused(k.alice, "UPDATE knowhow.tag SET name = 'renamed' WHERE id = 1"))
            #expect(refused(k.alice, "INSERT INTO knowhow.tag_alias(alias, tag_id) VALUES ('intro', 1)"))
            #expect(refused(k.alice, "UPDATE knowhow.entry_text SET title = 'spam' WHERE entry = $1", [k.r2]) == false)
            #expect(try k.alice.execute("UPDATE knowhow.entry_text SET title = 'spam' WHERE entry = $1", [k.r2]) == 0)
            #expect(refused(k.alice, "INSERT INTO knowhow.entry_text(entry, title) VALUES ($1, 'spam')", [k.r2]))
            #expect(try value(k.carol, "SELECT count(*)::text FROM knowhow.entry_tag WHERE entry = $1", [k.q1]) == "1")
            // Their own entries they retag; curators any.
            #expect(try k.alice.execute("INSERT INTO knowhow.entry_tag(entry, tag_id) VALUES ($1, 2)", [k.q2]) == 1)
            #expect(try k.carol.execute("INSERT INTO knowhow.entry_tag(entry, tag_id) VALUES ($1, 2)", [k.q1]) == 1)
        }
    }

    @Test func nobodyRewritesHistory() throws {
        try withCommunity { (k: Community) throws in
            #expect(refused(k.alice, "UPDATE knowhow.change SET summary = 'nothing happened' WHERE id = 1"))
            #expect(refused(k.dave, "UPDATE knowhow.change SET summary = 'nothing happened' WHERE id = 1"))
            #expect(refused(k.carol, "UPDATE knowhow.change SET summary = 'nothing happened' WHERE id = 1"))
            #expect(refused(k.alice, "DELETE FROM knowhow.change WHERE id = 1"))
            #expect(refused(k.carol, "DELETE FROM knowhow.change WHERE id = 1"))
            #expect(refused(k.alice, "UPDATE knowhow.change_row SET after = NULL WHERE change_id = 1"))
            #expect(refused(k.carol, "DELETE FROM knowhow.change_row WHERE change_id = 1"))
            #expect(refused(k.alice, "INSERT INTO knowhow.change(actor, at, action, summary) VALUES ('dave', 'x', 'edit', 'forged')"))
            #expect(refused(k.alice, "INSERT INTO knowhow.change_row(change_id, seq, tbl, pk) VALUES (1, 2, 'question', '1')"))
            #expect(try k.alice.execute("UPDATE knowhow.change SET undone_by = 1 WHERE id = 1") == 0)
            #expect(try value(k.carol, "SELECT summary FROM knowhow.change WHERE id = 1") == "Dave asked q1")
            // Recording one's own change is allowed; so is a curator marking any change undone.
            #expect(try k.alice.execute("INSERT INTO knowhow.change(id, actor, at, action, summary) VALUES (2, 'alice', 'x', 'ask', 'Alice asked')") == 1)
            #expect(try k.alice.execute("INSERT INTO knowhow.change_row(change_id, seq, tbl, pk) VALUES (2, 1, 'question', '2')") == 1)
            #expect(try k.carol.execute("UPDATE knowhow.change SET undone_by = 2 WHERE id = 1") == 1)
        }
    }

    @Test func anUnmappedLoginOnlyReads() throws {
        try withCommunity { (k: Community) throws in
            #expect(try value(k.eve, "SELECT count(*)::text FROM knowhow.resource") == "2")
            #expect(try value(k.eve, "SELECT knowhow.current_handle()") == nil)
            #expect(refused(k.eve, "INSERT INTO knowhow.question(title, asker_id, created) VALUES ('who am i', NULL, 'x')"))
            #expect(refused(k.eve, "INSERT INTO knowhow.question(title, asker_id, created) VALUES ('who am i', 1, 'x')"))
            // A curator maps the login; then eve writes in her own name.
            try k.carol.execute("INSERT INTO knowhow.member(id, handle, name) VALUES (5, 'eve', 'Eve')")
            try k.carol.execute("INSERT INTO knowhow.member_login(login, member_id) VALUES ($1, 5)", [k.logins["eve"]!])
            #expect(try k.eve.execute("INSERT INTO knowhow.question(title, asker_id, created) VALUES ('now I can', 5, 'x')") == 1)
        }
    }

    @Test func aMemberOpensAMigratedStoreButCannotCreateOne() throws {
        try withCommunity { (k: Community) throws in
            let store = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": k.db.name, "user": k.logins["alice"]!])
            #expect(try store.counts().members == 4)
        }
        try TestServer.withDatabase(migrated: false) { db in
            let login = try db.makeLogin("early", group: nil)
            do {
                _ = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name, "user": login])
                Issue.record("a login without rights created the schema")
            } catch let e as KnowHowError {
                guard case .storeUnavailable(_, let reason) = e else { Issue.record("\(e)"); return }
                #expect(reason.contains("run `init` once as the database's owner"), "\(reason)")
            }
        }
    }

    /// The same guard through psql itself, as a member would try it.
    @Test(.enabled(if: Psql.path != nil, "psql is not installed"))
    func psqlAsAMemberIsRefusedAsACuratorAllowed() throws {
        try withCommunity { (k: Community) throws in
            let member = try Psql.run(k.db, as: k.logins["alice"]!, "UPDATE knowhow.question SET title = 'x' WHERE id = 1 RETURNING id;\nDELETE FROM knowhow.resource WHERE id = 2;")
            #expect(member.status != 0)
            #expect(member.stderr.contains("permission denied for table resource"), "\(member.stderr)")
            #expect(member.stdout.contains("(0 rows)"), "\(member.stdout)")
            let curator = try Psql.run(k.db, as: k.logins["carol"]!, "UPDATE knowhow.question SET title = 'x' WHERE id = 1 RETURNING id;\nDELETE FROM knowhow.resource WHERE id = 2;")
            #expect(curator.status == 0, "\(curator.stderr)")
            #expect(curator.stdout.contains("(1 row)"))
        }
    }
}

enum Psql {
    static let path: String? = ["/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql", "/usr/local/bin/psql", "/opt/homebrew/bin/psql"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static func run(_ db: TestDatabase, as login: String, _ sql: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path!)
        var parts = URLComponents(string: TestServer.url!)!
        parts.path = "/" + db.name
        parts.queryItems = (parts.queryItems ?? []).filter { $0.name != "user" } + [URLQueryItem(name: "user", value: login)]
        p.arguments = ["-X", "-v", "ON_ERROR_STOP=1", parts.string!]
        let input = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = input; p.standardOutput = out; p.standardError = err
        try p.run()
        input.fileHandleForWriting.write(sql.data(using: .utf8)!)
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
