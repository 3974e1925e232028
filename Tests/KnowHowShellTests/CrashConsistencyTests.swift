import Foundation
import GRDB
import KnowHowCore
@testable import KnowHowSQLite
import Testing

/// Kills the built `knowhow` with SIGKILL at seeded random moments during an import and during
/// a curation script, then checks that the store is intact and that every change is all there
/// or not there at all: an import adds the whole file or nothing, and a script's lines (one
/// transaction each) are applied as a prefix of the script.
@Suite(.serialized)
struct CrashConsistencyTests {
    typealias Sandbox = BinaryTests.Sandbox

    static let trials = 6
    static let seed: UInt64 = 0x6B6E_6F77_686F_7721

    /// What the trials found, for the report line each test prints.
    struct Figures: CustomStringConvertible {
        var trials = 0, killedMidRun = 0, corrupt = 0, halfWritten = 0
        var description: String {
            "\(trials) trials, \(killedMidRun) killed mid-run, \(corrupt) corrupt, \(halfWritten) half-written"
        }
    }

    // MARK: - Import

    static let importResources = 1500, importPractices = 300

    /// A community whose import takes a second or so in a debug build.
    static func bigCommunity() throws -> Data {
        var rng = SplitMix64(seed: seed)
        let vocabulary = (0..<400).map { i in "word\(i)" + String(repeating: "x", count: i % 5) }
        func text(_ n: Int) -> String { (0..<n).map { _ in vocabulary[Int(rng.next() % 400)] }.joined(separator: " ") }
        let created = Timestamp(seconds: 1_704_067_200)
        let tags = (1...20).map { Tag(name: "topic-\($0)") }
        let members = [Member(handle: "kim", name: "Kim Lee", role: .curator)]
        let resources = (1...importResources).map { i in
            Resource(id: EntryID(.resource, Int64(i)), title: "Resource \(i) " + text(4), kind: .guide, summary: text(12),
                     body: text(60), tags: ["topic-\(i % 20 + 1)"], contributor: "kim", created: created, updated: created)
        }
        let practices = (1...importPractices).map { i in
            Practice(id: EntryID(.practice, Int64(i)), title: "Practice \(i) " + text(4), context: text(20),
                     practice: text(40), tags: ["topic-\(i % 20 + 1)"], contributor: "kim", created: created, updated: created)
        }
        let file = CommunityFile(tags: tags, members: members, resources: resources, practices: practices)
        return try JSONEncoder().encode(file)
    }

    @Test func killedImportLeavesAllOrNothing() throws {
        let box = try Sandbox()
        let file = try box.file("big.json", try Self.bigCommunity())

        // One uncut import: it must succeed, and its time bounds the moments to kill at.
        let clock = ContinuousClock()
        let started = clock.now
        let full = try box.run(["--db", box.db, "import", file])
        let duration = clock.now - started
        try #require(full.status == 0, "the uncut import failed: \(full.err)")
        let whole = try #require(try Self.counts(box.db))
        try #require(whole == Counts(resources: Self.importResources, practices: Self.importPractices))

        var rng = SplitMix64(seed: Self.seed)
        var figures = Figures()
        for trial in 1...Self.trials {
            var delay = duration * rng.fraction(in: 0.1...0.9)
            figures.trials += 1
            // The uncut import's time is measured once, and other tests share the cores: an
            // import that ends before its kill is checked too, then tried again killed sooner.
            for attempt in 1...4 {
                let db = box.dir.appendingPathComponent("import-\(trial)-\(attempt).db").path
                let killed = try Self.runAndKill(box, ["--db", db, "import", file], stdin: nil, after: delay)
                if let problem = Self.integrityProblem(db) {
                    figures.corrupt += 1
                    Issue.record("trial \(trial) (killed after \(delay)): \(problem)")
                } else {
                    let found = try Self.counts(db) ?? Counts(resources: 0, practices: 0)
                    if found != whole && found != Counts(resources: 0, practices: 0) {
                        figures.halfWritten += 1
                        Issue.record("trial \(trial) (killed after \(delay)): the store holds \(found), neither none nor all")
                    }
                }
                if killed { figures.killedMidRun += 1; break }
                delay = delay / 2
            }
        }
        print("crash consistency, import: \(figures)")
        #expect(figures.killedMidRun >= Self.trials / 2, "most kills must land while the import runs: \(figures)")
    }

    // MARK: - Curation script

    static let scriptResources = 90, scriptPractices = 30

    static func curationCommunity() throws -> Data {
        let created = Timestamp(seconds: 1_704_067_200)
        let tags = [Tag(name: "base")] + (1...scriptResources).map { Tag(name: "extra-\($0)") }
        let members = [Member(handle: "kim", name: "Kim Lee", role: .curator),
                       Member(handle: "sam", name: "Sam Patel", role: .contributor)]
        let resources = (1...scriptResources * 2).map { i in
            Resource(id: EntryID(.resource, Int64(i)), title: "Resource number \(i)", kind: .notes, tags: ["base"],
                     contributor: "sam", created: created, updated: created)
        }
        let practices = (1...scriptPractices).map { i in
            Practice(id: EntryID(.practice, Int64(i)), title: "Practice number \(i)", practice: "Do thing \(i).",
                     tags: ["base"], contributor: "sam", created: created, updated: created)
        }
        return try JSONEncoder().encode(CommunityFile(tags: tags, members: members, resources: resources, practices: practices))
    }

    /// One write a line, each its own transaction, in an order the check can follow.
    enum Step: Equatable {
        case tag(Int)              // tag rN +extra-N
        case verify(Int)           // verify pN
        case merge(keep: Int, drop: Int)

        var line: String {
            switch self {
            case .tag(let n): return "tag r\(n) +extra-\(n)"
            case .verify(let n): return "verify p\(n)"
            case .merge(let keep, let drop): return "merge --yes r\(keep) r\(drop)"
            }
        }
    }

    static var script: [Step] {
        var steps: [Step] = []
        for i in 1...scriptResources {
            steps.append(.tag(i))
            if i % 3 == 0 { steps.append(.verify(i / 3)) }
            if i % 2 == 0 { steps.append(.merge(keep: scriptResources + i - 1, drop: scriptResources + i)) }
        }
        return steps
    }

    /// A store with the curation community, and the script as a file.
    static func curationBase(_ box: Sandbox, _ steps: [Step]) throws -> (store: String, script: String) {
        let base = box.dir.appendingPathComponent("base.db").path
        let imported = try box.run(["--db", base, "import", try box.file("curation.json", try Self.curationCommunity())])
        try #require(imported.status == 0, "import: \(imported.err)")
        return (base, try box.file("script.txt", Data(steps.map(\.line).joined(separator: "\n").appending("\n").utf8)))
    }

    @Test func killedCurationScriptAppliesAPrefixOfItsLines() throws {
        let box = try Sandbox()
        let steps = Self.script
        let (base, scriptFile) = try Self.curationBase(box, steps)

        // One uncut run: every line must apply, and its time bounds the moments to kill at.
        let full = box.dir.appendingPathComponent("full.db").path
        try FileManager.default.copyItem(atPath: base, toPath: full)
        let clock = ContinuousClock()
        let started = clock.now
        let uncut = try box.run(["--db", full, "--as", "kim"], stdin: try Data(contentsOf: URL(fileURLWithPath: scriptFile)))
        var duration = clock.now - started
        try #require(uncut.status == 0, "the uncut script failed: \(uncut.err)")
        try #require(try Self.applied(full, steps) == steps.count, "the uncut script applied every line")
        // A second uncut run with caches warm: the first can be several times slower, which put
        // every kill after the end on a quiet machine.
        let warm = box.dir.appendingPathComponent("warm.db").path
        try FileManager.default.copyItem(atPath: base, toPath: warm)
        let again = clock.now
        _ = try box.run(["--db", warm, "--as", "kim"], stdin: try Data(contentsOf: URL(fileURLWithPath: scriptFile)))
        duration = min(duration, clock.now - again)
        print("curation script: \(duration) uncut")

        var rng = SplitMix64(seed: Self.seed ^ 0xC0FFEE)
        var figures = Figures()
        for trial in 1...Self.trials {
            let db = box.dir.appendingPathComponent("script-\(trial).db").path
            try FileManager.default.copyItem(atPath: base, toPath: db)
            let delay = duration * rng.fraction(in: 0.1...0.9)
            figures.trials += 1
            if try Self.runAndKill(box, ["--db", db, "--as", "kim"], stdin: scriptFile, after: delay) { figures.killedMidRun += 1 }
            if let problem = Self.integrityProblem(db) {
                figures.corrupt += 1
                Issue.record("trial \(trial) (killed after \(delay)): \(problem)")
                continue
            }
            do {
                _ = try Self.applied(db, steps)
            } catch {
                figures.halfWritten += 1
                Issue.record("trial \(trial) (killed after \(delay)): \(error)")
            }
        }
        print("crash consistency, curation script: \(figures)")
        #expect(figures.killedMidRun >= Self.trials / 2, "most kills must land while the script runs: \(figures)")
    }

    /// The checks above can fail: a store with a change missing from history, a line skipped,
    /// or a damaged file is caught.
    @Test func checksCatchAHalfWrittenOrDamagedStore() throws {
        let box = try Sandbox()
        let steps = Array(Self.script.prefix(12))
        let (base, scriptFile) = try Self.curationBase(box, steps)
        let r = try box.run(["--db", base, "--as", "kim"], stdin: try Data(contentsOf: URL(fileURLWithPath: scriptFile)))
        try #require(r.status == 0, "\(r.err)")
        #expect(try Self.applied(base, steps) == steps.count)
        #expect(Self.integrityProblem(base) == nil)

        func damaged(_ name: String, _ sql: String) throws -> String {
            let copy = box.dir.appendingPathComponent(name).path
            try FileManager.default.copyItem(atPath: base, toPath: copy)
            try DatabaseQueue(path: copy).write { try $0.execute(sql: sql) }
            return copy
        }
        let lostChange = try damaged("lost-change.db", "DELETE FROM change WHERE id = (SELECT max(id) FROM change)")
        #expect(throws: Inconsistent.self) { try Self.applied(lostChange, steps) }
        let skipped = try damaged("skipped.db", "DELETE FROM entry_tag WHERE tag_id = (SELECT id FROM tag WHERE name = 'extra-1')")
        #expect(throws: Inconsistent.self) { try Self.applied(skipped, steps) }
        let halfMerged = try damaged("half-merged.db", "DELETE FROM redirect")
        #expect(throws: Inconsistent.self) { try Self.applied(halfMerged, steps) }

        let cut = box.dir.appendingPathComponent("cut.db").path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: base))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        #expect(Self.integrityProblem(cut) != nil, "a store cut in half is caught")
    }

    struct Inconsistent: Error, CustomStringConvertible { var description: String }

    /// How many of the script's steps the store shows, checking that they are the first ones,
    /// each whole, and that history holds exactly one change for each.
    static func applied(_ path: String, _ steps: [Step]) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            func has(_ step: Step) throws -> Bool {
                switch step {
                case .tag(let n):
                    return try Bool.fetchOne(db, sql: """
                        SELECT EXISTS (SELECT 1 FROM entry_tag et JOIN tag t ON t.id = et.tag_id
                                       WHERE t.name = ? AND et.entry = ?)
                        """, arguments: ["extra-\(n)", EntryKey.make(.resource, Int64(n))]) ?? false
                case .verify(let n):
                    return try String.fetchOne(db, sql: "SELECT status FROM practice WHERE id = ?", arguments: [n]) == "verified"
                case .merge(let keep, let drop):
                    let redirected = try String.fetchOne(db, sql: "SELECT new FROM redirect WHERE old = ?", arguments: ["r\(drop)"])
                    let dropGone = try Int.fetchOne(db, sql: "SELECT count(*) FROM resource WHERE id = ?", arguments: [drop]) == 0
                    guard (redirected != nil) == dropGone else {
                        throw Inconsistent(description: "merge of r\(drop) is half done: redirect \(redirected ?? "none"), resource gone \(dropGone)")
                    }
                    if let redirected, redirected != "r\(keep)" {
                        throw Inconsistent(description: "r\(drop) redirects to \(redirected), not r\(keep)")
                    }
                    return dropGone
                }
            }
            let present = try steps.map(has)
            let done = present.prefix { $0 }.count
            if present.dropFirst(done).contains(true) {
                throw Inconsistent(description: "line \(done + 1) is missing but a later one applied")
            }
            let changes = try Int.fetchOne(db, sql: "SELECT count(*) FROM change WHERE action <> ?",
                                           arguments: [ChangeAction.importCommunity.rawValue]) ?? 0
            if changes != done {
                throw Inconsistent(description: "history holds \(changes) changes for \(done) applied lines")
            }
            let unrecorded = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM change c WHERE c.action <> ? AND NOT EXISTS (SELECT 1 FROM change_row r WHERE r.change_id = c.id)
                """, arguments: [ChangeAction.importCommunity.rawValue]) ?? 0
            if unrecorded != 0 { throw Inconsistent(description: "\(unrecorded) changes have no recorded rows") }
            return done
        }
    }

    // MARK: - Checking a store

    struct Counts: Equatable, CustomStringConvertible {
        var resources: Int, practices: Int
        var description: String { "\(resources) resources and \(practices) practices" }
    }

    /// Entries in the store; nil when the store or its schema does not exist yet.
    static func counts(_ path: String) throws -> Counts? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            guard try db.tableExists("resource"), try db.tableExists("practice") else { return nil }
            return Counts(resources: try Int.fetchOne(db, sql: "SELECT count(*) FROM resource") ?? 0,
                          practices: try Int.fetchOne(db, sql: "SELECT count(*) FROM practice") ?? 0)
        }
    }

    /// What is wrong with the store's file, or nil: SQLite's integrity check, foreign keys, and
    /// FTS5's own check of the full-text index.
    static func integrityProblem(_ path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }  // killed before it was created
        do {
            let queue = try DatabaseQueue(path: path)
            return try queue.write { db -> String? in
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                if integrity != ["ok"] { return "integrity_check: \(integrity.prefix(5))" }
                let orphans = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
                if !orphans.isEmpty { return "foreign_key_check: \(orphans.prefix(5))" }
                if try db.tableExists("entry_fts") {
                    try db.execute(sql: "INSERT INTO entry_fts(entry_fts) VALUES ('integrity-check')")
                }
                return nil
            }
        } catch {
            return "the store cannot be checked: \(error)"
        }
    }

    // MARK: - Running and killing

    /// Starts `knowhow`, sends SIGKILL after `delay`, and says whether it was still running.
    static func runAndKill(_ box: Sandbox, _ args: [String], stdin: String?, after delay: Duration) throws -> Bool {
        let bin = try #require(BinaryTests.binary, "the knowhow binary was not found beside the tests")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = args
        p.environment = box.environment
        p.currentDirectoryURL = box.dir
        p.standardInput = stdin.flatMap { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        return p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL
    }
}

/// A small seeded generator, so that every run kills at the same moments.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func fraction(in range: ClosedRange<Double>) -> Double {
        Double.random(in: range, using: &self)
    }
}
