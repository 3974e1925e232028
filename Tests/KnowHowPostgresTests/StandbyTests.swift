import Foundation
import Testing
import KnowHowCore
@testable import KnowHowPostgres

/// A primary and a streaming standby on this machine (`.ci/postgres pair-start`): searches run
/// on the standby, a write there says it needs the primary, and what the primary writes
/// reaches the standby. Needs PostgreSQL's server programs; skipped, visibly, without them,
/// except in CI, where their absence fails.
@Suite(.enabled(if: StandbyPair.serverInstalled || StandbyPair.required, StandbyPair.skipReason), .serialized)
struct StandbyTests {
    @Test func searchesRunOnTheStandbyAndWritesThereNeedThePrimary() throws {
        try #require(StandbyPair.serverInstalled, "PostgreSQL's server programs (initdb, pg_basebackup) are missing; install postgresql-15")
        let pair = try StandbyPair()
        defer { pair.stop() }
        let demo = try CommunityFile.decode(try Data(contentsOf: PostgresStoreTests.demo), path: "community.json")
        let primary = try PostgresKnowledgeStore(pair.url(pair.primarySocket))
        _ = try primary.importCommunity(demo)
        try pair.waitForReplay()

        // A standby serves reads: the same search, the same hits.
        let standby = try PostgresKnowledgeStore(pair.url(pair.standbySocket, "target_session_attrs=any"))
        #expect(try standby.db.query("SELECT pg_is_in_recovery() AS r").first!.require("r", as: Bool.self))
        let q = try QueryParser.parse("onboarding")
        let found = try standby.search(q, limit: 10)
        #expect(!found.hits.isEmpty)
        #expect(found == (try primary.search(q, limit: 10)))
        #expect(try standby.counts() == primary.counts())

        // Both servers listed: read-write picks the primary whatever the order; read-only the standby.
        let both = "\(pair.standbySocket),\(pair.primarySocket)"
        let rw = try PGConnection(pair.url(both, "target_session_attrs=read-write"))
        #expect(try !rw.query("SELECT pg_is_in_recovery() AS r").first!.require("r", as: Bool.self))
        let ro = try PGConnection(pair.url("\(pair.primarySocket),\(pair.standbySocket)", "target_session_attrs=read-only"))
        #expect(try ro.query("SELECT pg_is_in_recovery() AS r").first!.require("r", as: Bool.self))

        // A write on the standby says it needs the primary: a sentence, exit 3's kind, nothing changed.
        let needsPrimary = KnowHowError.storeUnavailable(
            path: standby.db.displayName,
            reason: "this server only reads (a standby); connect to the primary to make changes (target_session_attrs=read-write)")
        #expect(throws: needsPrimary) {
            _ = try standby.importCommunity(CommunityFile(resources: [Resource(title: "Written on the standby")]))
        }
        let raw = try PGConnection(pair.url(pair.standbySocket))
        let e = #expect(throws: PGError.self) { try raw.execute("INSERT INTO knowhow.tag(name) VALUES ('x')") }
        #expect(e?.sqlState == "25006")
        #expect(e?.knowHowError.description.contains("connect to the primary") == true)
        // A store not yet made cannot be made there either, and says why.
        #expect(throws: KnowHowError.self) {
            _ = try PostgresKnowledgeStore(pair.url(pair.standbySocket), overrides: ["dbname": "postgres"])
        }

        // What the primary writes appears on the standby once replayed.
        let summary = try primary.importCommunity(CommunityFile(resources: [Resource(id: EntryID(.resource, 500), title: "Zanzibar onboarding checklist")]))
        #expect(summary.added[.resource] == 1)
        try pair.waitForReplay()
        #expect(try standby.resource(EntryID(.resource, 500)).title == "Zanzibar onboarding checklist")
        #expect(try standby.search(try QueryParser.parse("zanzibar"), limit: 5).hits.map(\.ref) == [.entry(EntryID(.resource, 500))])
    }
}

/// The pair `.ci/postgres pair-start` makes, stopped and removed by `stop`.
final class StandbyPair {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".ci/postgres").path
    static var serverInstalled: Bool {
        let dirs = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).map { "/usr/lib/postgresql/\($0)/bin" }
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return dirs.contains { FileManager.default.isExecutableFile(atPath: $0 + "/pg_basebackup") && FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }
    /// In CI (`CI` set) the test must run: missing programs fail it rather than skip it.
    static var required: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false }
    static let skipReason: Comment = "PostgreSQL's server programs are missing (install postgresql-15): the standby test is skipped"

    let folder: String
    var primarySocket: String { folder + "/sock-p" }
    var standbySocket: String { folder + "/sock-s" }

    init() throws {
        let (status, out, err) = Self.run(["pair-start"])
        guard status == 0, let line = out.split(separator: "\n").last else {
            throw KnowHowError.storeUnavailable(path: "a primary and standby", reason: "they did not start: \(err.suffix(2000))")
        }
        folder = String(line)
    }

    func url(_ hosts: String, _ extra: String? = nil) -> String {
        "postgresql:///knowhow_test?host=\(hosts)&user=postgres" + (extra.map { "&" + $0 } ?? "")
    }

    /// Waits (up to a minute) until the standby has replayed everything the primary wrote so far.
    func waitForReplay() throws {
        let lsn: String = try PGConnection(url(primarySocket)).query("SELECT pg_current_wal_lsn()::text AS l").first!.require("l")
        let standby = try PGConnection(url(standbySocket))
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if try standby.query("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done", [lsn]).first!.require("done", as: Bool.self) { return }
            usleep(50_000)
        }
        Issue.record("the standby did not replay \(lsn) within a minute")
    }

    func stop() { _ = Self.run(["pair-stop", folder]) }

    /// Runs the script with its output in files (the servers it starts keep no pipe of ours
    /// open), waiting with waitpid: Foundation's Process can miss the exit of a child whose
    /// children live on.
    static func run(_ args: [String]) -> (Int32, String, String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("knowhow-pair-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = (["/bin/bash", script] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        guard posix_spawn(&pid, "/bin/bash", &actions, nil, argv, environ) == 0 else { return (-1, "", "bash could not be started") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return ((status >> 8) & 0xff, out, err)
    }
}
