import Foundation
import Testing

/// Tests that run the built `knowhow` executable as people and scripts do: arguments, standard
/// input, exit status, and what reaches standard output and standard error.
struct BinaryTests {
    // MARK: - Running the binary

    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixture = testsFolder.appendingPathComponent("Fixtures/small-community.json")
    static let repoRoot = testsFolder.deletingLastPathComponent().deletingLastPathComponent()

    final class Anchor {}

    /// The `knowhow` built beside this test executable, so that a custom `--scratch-path` works;
    /// `.build/debug/knowhow` as a last resort.
    static let binary: String? = {
        var dirs: [URL] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dirs.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        if let a0 = CommandLine.arguments.first, a0.contains("/") {
            dirs.append(URL(fileURLWithPath: a0).deletingLastPathComponent())
        }
        dirs.append(Bundle.main.bundleURL)                                   // Linux: the test executable's folder
        dirs.append(Bundle(for: Anchor.self).bundleURL.deletingLastPathComponent())  // macOS: beside the .xctest bundle
        dirs.append(repoRoot.appendingPathComponent(".build/debug"))
        for dir in dirs {
            let p = dir.appendingPathComponent("knowhow").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }()

    struct Run {
        var status: Int32
        var exited: Bool   // false when killed by a signal (a crash)
        var out: String
        var err: String
        var outData: Data

        var errLines: [String] { err.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
        var all: String { out + err }
    }

    /// A private home for one test: its own HOME, XDG folders and store.
    final class Sandbox {
        let dir: URL
        var db: String { dir.appendingPathComponent("store.db").path }

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("knowhow-bin-\(UUID().uuidString)")
            for sub in ["home", "data", "state", "config"] {
                try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
        }

        deinit { try? FileManager.default.removeItem(at: dir) }

        var environment: [String: String] {
            [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "HOME": dir.appendingPathComponent("home").path,
                "XDG_DATA_HOME": dir.appendingPathComponent("data").path,
                "XDG_STATE_HOME": dir.appendingPathComponent("state").path,
                "XDG_CONFIG_HOME": dir.appendingPathComponent("config").path,
                "NO_COLOR": "1",
                "LANG": "C.UTF-8",
                "TERM": "dumb",
            ]
        }

        func file(_ name: String, _ contents: Data) throws -> String {
            let url = dir.appendingPathComponent(name)
            try contents.write(to: url)
            return url.path
        }

        /// Runs `knowhow` with these arguments; standard input is `stdin`, or empty.
        func run(_ args: [String], stdin: Data = Data(), env extra: [String: String] = [:],
                 executable: String? = nil, timeout: TimeInterval = 60) throws -> Run {
            let bin = try #require(BinaryTests.binary, "the knowhow binary was not found beside the tests")
            return try BinaryTests.spawn(executable ?? bin, args, stdin: stdin,
                                         env: environment.merging(extra) { $1 }, cwd: dir, timeout: timeout)
        }

        /// A store holding the fixture community, imported through the binary.
        func importFixture() throws {
            let r = try run(["--db", db, "import", BinaryTests.fixture.path])
            #expect(r.status == 0, "import: \(r.err)")
        }
    }

    final class Output: @unchecked Sendable {
        var data = Data()
    }

    static func spawn(_ exe: String, _ args: [String], stdin: Data, env: [String: String], cwd: URL,
                      timeout: TimeInterval) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = env
        p.currentDirectoryURL = cwd
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = errPipe
        try p.run()
        let out = Output(), err = Output()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { out.data = outPipe.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { err.data = errPipe.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async {
            inPipe.fileHandleForWriting.write(stdin)
            try? inPipe.fileHandleForWriting.close()
        }
        let watchdog = DispatchWorkItem { if p.isRunning { p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        p.waitUntilExit()
        watchdog.cancel()
        group.wait()
        return Run(status: p.terminationStatus, exited: p.terminationReason == .exit,
                   out: String(decoding: out.data, as: UTF8.self), err: String(decoding: err.data, as: UTF8.self),
                   outData: out.data)
    }

    /// The ids of the numbered result lines: `  1. r1  Onboarding checklist…`.
    static func listedIDs(_ out: String) -> [String] {
        out.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count >= 2, words[0].hasSuffix("."), Int(words[0].dropLast()) != nil else { return nil }
            return String(words[1])
        }
    }

    static func jsonIDs(_ data: Data) throws -> [String] {
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object")
        let hits = try #require(obj["hits"] as? [[String: Any]], "no hits array")
        return hits.compactMap { $0["id"] as? String }
    }

    static let forbidden = ["sql", "fts5", "sqlite", "syntax error"]

    static func leaks(_ text: String) -> String? {
        let t = text.lowercased()
        return forbidden.first { t.contains($0) }
    }

    // MARK: - Import, find, JSON

    @Test func binaryIsFound() {
        #expect(Self.binary != nil, "looked beside \(CommandLine.arguments.first ?? "?") and in .build/debug")
    }

    @Test func importThenFind() throws {
        let box = try Sandbox()
        let imp = try box.run(["--db", box.db, "import", Self.fixture.path])
        #expect(imp.status == 0, "\(imp.err)")
        #expect(imp.out.contains("imported"), "\(imp.out)")
        let r = try box.run(["--db", box.db, "find", "onboarding"])
        #expect(r.status == 0, "\(r.err)")
        let found = Self.listedIDs(r.out)
        #expect(found.contains("r1") && found.contains("p1") && found.contains("@kim"), "\(r.out)")
        #expect(r.out.contains("Onboarding checklist for new starters"))
        #expect(!r.out.contains("\u{1B}["), "NO_COLOR and a pipe: no escape codes")
        #expect(!r.out.contains("\u{02}") && !r.out.contains("\u{03}"), "highlight marks never reach the screen raw")
        #expect(r.err.isEmpty, "\(r.err)")
    }

    /// `printf 'ask How do I \xff onboard?' | knowhow` recorded "How do I � onboard?": a line
    /// that is not UTF-8 is refused, whatever the command, and nothing is written.
    @Test func aLineThatIsNotUTF8ChangesNothing() throws {
        let box = try Sandbox()
        try box.importFixture()
        let before = try box.run(["--db", box.db, "export"]).out
        var line = Data("ask How do I ".utf8); line.append(0xFF); line.append(contentsOf: Data(" onboard? --force\n".utf8))
        let r = try box.run(["--db", box.db, "--as", "@kim"], stdin: line)
        #expect(r.status == 2, "\(r.all)")
        #expect(r.err.contains("not valid UTF-8") && r.err.contains("nothing was done"), "\(r.err)")
        var title = Data("Bad ".utf8); title.append(0xFF)
        let added = try box.run(["--db", box.db, "--as", "@kim", "add", "resource", "--title", String(decoding: title, as: UTF8.self), "--force"])
        #expect(added.status == 2 && added.err.contains("not valid UTF-8"), "\(added.all)")
        #expect(try box.run(["--db", box.db, "export"]).out == before)
    }

    /// `--as "Kim Lee"` (not a handle) was dropped without a word, and the command ran as
    /// KNOWHOW_USER (or nobody) instead.
    @Test func aMistypedDashDashAsIsRefusedNotIgnored() throws {
        let box = try Sandbox()
        try box.importFixture()
        let r = try box.run(["--db", box.db, "--as", "Kim Lee", "whoami"], env: ["KNOWHOW_USER": "dev"])
        #expect(r.status == 2, "\(r.all)")
        #expect(r.err.hasPrefix("knowhow: --as: 'Kim Lee' is not a valid handle"), "\(r.err)")
        #expect(r.out.isEmpty, "\(r.out)")
        // KNOWHOW_USER that is no handle is said to be ignored (it was dropped in silence).
        let env = try box.run(["--db", box.db, "whoami"], env: ["KNOWHOW_USER": "Kim Lee"])
        #expect(env.status == 0 && env.out.hasPrefix("nobody"), "\(env.all)")
        #expect(env.err == "knowhow: KNOWHOW_USER='Kim Lee' is not a handle, so it is ignored; set it to one such as kim-lee\n", "\(env.err)")
    }

    @Test func jsonHasTheSameHits() throws {
        let box = try Sandbox()
        try box.importFixture()
        let plain = try box.run(["--db", box.db, "find", "onboarding"])
        let json = try box.run(["--db", box.db, "find", "--json", "onboarding"])
        #expect(json.status == 0, "\(json.err)")
        let ids = try Self.jsonIDs(json.outData)
        #expect(!ids.isEmpty)
        #expect(ids == Self.listedIDs(plain.out))
        #expect(!json.out.contains("\u{02}") && !json.out.contains("\u{03}"))
        // --json after the words works too.
        let after = try box.run(["--db", box.db, "find", "onboarding", "--json"])
        #expect(try Self.jsonIDs(after.outData) == ids)
    }

    @Test func globalOptionsWorkAfterTheCommandWord() throws {
        let box = try Sandbox()
        try box.importFixture()
        let before = try box.run(["--db", box.db, "find", "onboarding"])
        let after = try box.run(["find", "onboarding", "--db", box.db])
        let equals = try box.run(["find", "--db=\(box.db)", "onboarding"])
        #expect(after.status == 0, "\(after.err)")
        #expect(after.out == before.out)
        #expect(equals.out == before.out)
        let viaEnv = try box.run(["find", "onboarding"], env: ["KNOWHOW_DB": box.db])
        #expect(viaEnv.out == before.out, "KNOWHOW_DB: \(viaEnv.err)")
    }

    @Test func defaultStoreLivesUnderXDGDataHome() throws {
        let box = try Sandbox()
        let imp = try box.run(["import", Self.fixture.path])
        #expect(imp.status == 0, "\(imp.err)")
        let path = box.dir.appendingPathComponent("data/knowhow/knowhow.db").path
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try box.run(["find", "onboarding"]).status == 0)
    }

    @Test func exportRoundTripsTheFixtureByteForByte() throws {
        let box = try Sandbox()
        try box.importFixture()
        let out = try box.run(["--db", box.db, "export"])
        #expect(out.status == 0, "\(out.err)")
        #expect(out.outData == (try Data(contentsOf: Self.fixture)), "export differs from the imported file")
        let again = try box.run(["--db", box.db, "--as", "@kim", "import", Self.fixture.path])
        #expect(again.status == 0)
        #expect(again.out.contains("nothing new"), "\(again.out)")
    }

    @Test func badImportChangesNothingAndNamesTheRecord() throws {
        let box = try Sandbox()
        try box.importFixture()
        let before = try box.run(["--db", box.db, "export"]).outData
        let bad = try box.file("bad.json", Data("""
            {"resources": [
              {"title": "Fine one", "kind": "guide", "tags": [], "authors": [], "status": "active"},
              {"title": "Fine two", "kind": "guide", "tags": [], "authors": [], "status": "active"},
              {"title": "Fine three", "kind": "guide", "tags": [], "authors": [], "status": "active"},
              {"title": "Bad", "url": "javascript:x", "kind": "guide", "tags": [], "authors": [], "status": "active"}]}
            """.utf8))
        let r = try box.run(["--db", box.db, "--as", "@kim", "import", bad])
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.contains("resources[3]"), "\(r.err)")
        #expect(r.err.contains("bad.json"), "\(r.err)")
        #expect(r.errLines.count == 1, "\(r.err)")
        #expect(Self.leaks(r.all) == nil, "\(r.err)")
        #expect(try box.run(["--db", box.db, "export"]).outData == before)
    }

    // MARK: - Exit statuses

    @Test func noResultsExitsOne() throws {
        let box = try Sandbox()
        try box.importFixture()
        let r = try box.run(["--db", box.db, "find", "zebra"])
        #expect(r.status == 1, "\(r.err)")
        #expect(r.out.isEmpty)
        #expect(r.err.contains("nothing matches"), "\(r.err)")
    }

    @Test(arguments: [
        (["fnd", "onboarding"], "did you mean"),
        (["frobnicate"], "unknown command"),
        (["find", "tga:x"], "did you mean 'tag:'"),
        (["find", "type:widget", "onboarding"], "not a type"),
        (["find"], "find"),
        (["find", "--limit", "0", "onboarding"], "limit"),
        (["show", "r999"], "no resource r999"),
        (["list", "widgets"], "widgets"),
        (["import", "/nonexistent/file.json"], "no such file"),
        (["--db"], "--db"),
    ])
    func usageErrorsExitTwo(_ c: ([String], String)) throws {
        let box = try Sandbox()
        try box.importFixture()
        let args = c.0 == ["--db"] ? c.0 : ["--db", box.db] + c.0
        let r = try box.run(args)
        #expect(r.status == 2, "\(c.0): \(r.err)")
        #expect(r.err.contains(c.1), "\(c.0): \(r.err)")
        #expect(r.err.hasPrefix("knowhow"), "\(c.0): \(r.err)")
        #expect(Self.leaks(r.all) == nil, "\(c.0): \(r.err)")
    }

    @Test func aStoreThatCannotBeOpenedExitsThree() throws {
        let box = try Sandbox()
        let notADB = try box.file("notes.db", Data(String(repeating: "not a database\n", count: 300).utf8))
        let r = try box.run(["--db", notADB, "find", "onboarding"])
        #expect(r.status == 3, "\(r.err)")
        #expect(r.errLines.count == 1, "\(r.err)")
        #expect(Self.leaks(r.all) == nil, "\(r.err)")
    }

    // MARK: - Hostile input

    static let hostile: [String] = [
        "c++", "\"unbalanced", "-", "NOT", "*", "tag:", "a - b", "🙂", String(repeating: "onboarding ", count: 9_300),
        "\"", "AND", "OR OR", "((((", "))", "a:b:c", "NEAR(a b)", "{title}: x", "^x", "x\"y",
        "sector:%", "by:nobody", "'; DROP TABLE member; --",
    ]

    /// One store for all hostile queries: they only read.
    static let hostileBox: Sandbox? = {
        guard let box = try? Sandbox() else { return nil }
        try? box.importFixture()
        // A static is never deinitialised: remove its folder when the test process ends.
        hostileDir = box.dir.path
        atexit { if let d = BinaryTests.hostileDir { try? FileManager.default.removeItem(atPath: d) } }
        return box
    }()
    static var hostileDir: String?

    @Test(arguments: hostile)
    func hostileQueryGivesResultsOrOneLine(_ q: String) throws {
        let box = try #require(Self.hostileBox)
        let r = try box.run(["--db", box.db, "find", q])
        let label = String(q.prefix(30)).debugDescription
        #expect(r.exited, "\(label) crashed")
        #expect([0, 1, 2].contains(r.status), "\(label): exit \(r.status): \(r.err)")
        #expect(Self.leaks(r.all) == nil, "\(label): \(r.err)")
        if r.status == 2 {
            #expect(r.errLines.count == 1, "\(label): \(r.err)")
            #expect(r.out.isEmpty)
        }
    }

    @Test func invalidUTF8OnStandardInputDoesNotCrash() throws {
        let box = try Sandbox()
        try box.importFixture()
        var script = Data("find onboard".utf8) + Data([0xFF, 0xFE]) + Data(" ing\n".utf8)
        script += Data("find ".utf8) + Data([0xC3, 0x28, 0xA0, 0xA1]) + Data("\n".utf8)
        script += Data("find tag:".utf8) + Data([0xED, 0xA0, 0x80]) + Data("\n".utf8)   // a UTF-8-encoded surrogate
        script += Data("find onboarding\n".utf8)
        let r = try box.run(["--db", box.db, "-k"], stdin: script)
        #expect(r.exited, "crashed: \(r.err)")
        #expect([0, 1, 2].contains(r.status), "exit \(r.status): \(r.err)")
        #expect(Self.leaks(r.all) == nil, "\(r.err)")
        #expect(r.out.contains("Onboarding checklist"), "the last line still ran: \(r.out)")
    }

    @Test func invalidUTF8InArgumentsDoesNotCrash() throws {
        let box = try Sandbox()
        try box.importFixture()
        let bin = try #require(Self.binary)
        // argv holds bytes, not Strings; a shell can pass any.
        let r = try box.run(["-c", "exec \"$0\" --db \"$1\" find \"$(printf 'onboard\\377\\376')\"", bin, box.db],
                            executable: "/bin/sh")
        #expect(r.exited, "crashed: \(r.err)")
        #expect([0, 1, 2].contains(r.status), "exit \(r.status): \(r.err)")
        #expect(Self.leaks(r.all) == nil, "\(r.err)")
    }

    // MARK: - Scripts on standard input, -c, -k

    @Test func scriptLinesRunInOrderWithoutAPrompt() throws {
        let box = try Sandbox()
        try box.importFixture()
        let r = try box.run(["--db", box.db], stdin: Data("find onboarding\n# a comment\n\nlist practices\n".utf8))
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.isEmpty, "\(r.err)")
        let first = try #require(r.out.range(of: "Onboarding checklist"), "\(r.out)")
        let second = try #require(r.out.range(of: "Rotate facilitation of team meetings"), "\(r.out)")
        #expect(first.lowerBound < second.lowerBound)
        #expect(!r.out.contains("store> ") && !r.out.contains("knowhow> "), "no prompt in a script")
    }

    @Test func scriptStopsAtTheFirstErrorAndNamesTheLine() throws {
        let box = try Sandbox()
        try box.importFixture()
        let script = Data("find onboarding\nfind zebra\nshow r999\nfind \"supervision notes\"\n".utf8)
        let r = try box.run(["--db", box.db], stdin: script)
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.contains("line 3"), "\(r.err)")
        #expect(r.err.contains("r999"), "\(r.err)")
        #expect(r.out.contains("Onboarding checklist"))
        #expect(!r.out.contains("Supervision notes"), "the line after the error did not run")
    }

    @Test func keepGoingRunsEveryLine() throws {
        let box = try Sandbox()
        try box.importFixture()
        let script = Data("find onboarding\nshow r999\nfind \"supervision notes\"\n".utf8)
        for flag in ["-k", "--keep-going"] {
            let r = try box.run(["--db", box.db, flag], stdin: script)
            #expect(r.status != 0, "\(flag): an error still makes the exit status non-zero")
            #expect(r.err.contains("line 2"), "\(flag): \(r.err)")
            #expect(r.out.contains("Supervision notes"), "\(flag): \(r.out)")
        }
    }

    @Test func dashCRunsOneLine() throws {
        let box = try Sandbox()
        try box.importFixture()
        let r = try box.run(["--db", box.db, "-c", "find onboarding"])
        #expect(r.status == 0, "\(r.err)")
        #expect(Self.listedIDs(r.out).contains("r1"), "\(r.out)")
        #expect(try box.run(["--db", box.db, "-c", "find zebra"]).status == 1)
        #expect(try box.run(["-c", "show r999", "--db", box.db]).status == 2)
    }

    /// A second -c replaced the first without a word (`-c "find x" -c "show 1"` said there were no
    /// results to number): each runs, in order, in one shell, as the lines of a script do.
    @Test func severalDashCLinesRunInOrderAsAScript() throws {
        let box = try Sandbox()
        try box.importFixture()
        let r = try box.run(["--db", box.db, "-c", "find onboarding", "-c", "show 1"])
        #expect(r.status == 0, "\(r.err)")
        let first = try #require(Self.listedIDs(r.out).first, "\(r.out)")
        #expect(r.out.contains("\n\(first)  "), "show 1 shows the first result:\n\(r.out)")
        let stopped = try box.run(["--db", box.db, "-c", "show r999", "-c", "find onboarding"])
        #expect(stopped.status == 2 && Self.listedIDs(stopped.out).isEmpty, "the first error ends the run: \(stopped.out)")
        let kept = try box.run(["--db", box.db, "-k", "-c", "show r999", "-c", "find onboarding"])
        #expect(kept.status == 2 && !Self.listedIDs(kept.out).isEmpty, "-k goes on, and the status is the worst: \(kept.out)")
    }

    // MARK: - Two writers

    static func community(_ prefix: String, resources: Int) throws -> Data {
        let file: [String: Any] = [
            "format": "knowhow-community", "version": 1,
            "tags": [["name": "\(prefix)-tag", "aliases": [String]()]],
            "members": [["handle": "\(prefix)-member", "name": "Writer \(prefix)", "role": "contributor",
                         "openToQuestions": true, "mentoring": false, "skills": [[String: String]](), "interests": [String]()]],
            "resources": (0..<resources).map { i in
                ["title": "\(prefix) resource \(i)", "kind": "notes", "summary": "Concurrent wombat \(prefix) \(i)",
                 "tags": ["\(prefix)-tag"], "contributor": "\(prefix)-member", "authors": [String](), "status": "active"] as [String: Any]
            },
        ]
        return try JSONSerialization.data(withJSONObject: file)
    }

    @Test func twoProcessesImportingAtOnceBothLand() throws {
        let box = try Sandbox()
        try box.importFixture()
        let a = try box.file("a.json", Self.community("alpha", resources: 150))
        let b = try box.file("b.json", Self.community("beta", resources: 150))
        final class Result: @unchecked Sendable { var run: Run?; var error: Error? }
        let results = [Result(), Result()]
        let files = [a, b]
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            do { results[i].run = try box.run(["--db", box.db, "import", files[i], "--as", "@kim"]) } catch { results[i].error = error }
        }
        for r in results {
            #expect(r.error == nil)
            #expect(r.run?.status == 0, "\(r.run?.err ?? "")")
        }
        let count = try box.run(["--db", box.db, "find", "--json", "--limit", "1000", "wombat"])
        #expect(try Self.jsonIDs(count.outData).count == 300)
        for tag in ["alpha-tag", "beta-tag"] {
            let r = try box.run(["--db", box.db, "find", "--json", "--limit", "1000", "tag:\(tag)"])
            #expect(try Self.jsonIDs(r.outData).filter { $0.hasPrefix("r") }.count == 150, "\(tag)")
        }
    }

    // MARK: - The demo

    @Test func demoFindOnboarding() throws {
        let box = try Sandbox()
        let r = try box.run(["--demo", "find", "onboarding"], env: ["KNOWHOW_DEMO": Self.repoRoot.appendingPathComponent("Data/community.json").path])
        #expect(r.status == 0, "\(r.err)")
        let ids = Self.listedIDs(r.out)
        #expect(Set(ids.map { $0.hasPrefix("@") ? "@" : String($0.prefix(1)) }).count >= 2, "hits across kinds: \(ids)")
        let json = try box.run(["find", "onboarding", "--demo", "--json"])
        #expect(try Self.jsonIDs(json.outData) == ids)
    }
}

// MARK: - Stores: paths, creation, permissions, read-only (issues 11 and 12)

extension BinaryTests {
    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// Runs as a user who does not own the sandbox (root passes every permission check).
    static func runAsOther(_ box: Sandbox, _ args: [String]) throws -> Run {
        guard getuid() == 0 else { return try box.run(args) }
        let bin = try #require(binary)
        return try box.run(["--reuid=65534", "--regid=65534", "--clear-groups", bin] + args, executable: "/usr/bin/setpriv")
    }

    @Test(arguments: [["--db", "x", "whoami"], ["--db", ".", "whoami"], ["--db", "q", "find", "x"], ["-c", "open ("]])
    func oneCharacterStorePathsDoNotCrash(_ args: [String]) throws {
        let box = try Sandbox()
        let r = try box.run(args)
        #expect(r.exited, "crashed: \(r.err)")
        #expect((0...3).contains(r.status), "\(r.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.dir.path).sorted() == ["config", "data", "home", "state"],
                "nothing was created")
        let env = try box.run(["whoami"], env: ["KNOWHOW_DB": "q"])
        #expect(env.exited && env.status == 0, "\(env.err)")
    }

    @Test func openWithANulInTheShellSaysSo() throws {
        let box = try Sandbox()
        let r = try box.run([], stdin: Data("open a\u{0}b\n".utf8))
        #expect(r.exited, "crashed: \(r.err)")
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.contains("without NUL"), "\(r.err)")
    }

    @Test(arguments: [("/dev/null", "not a regular file"), ("", "not a valid store path")])
    func storePathsThatCannotBeStoresSayWhy(_ c: (String, String)) throws {
        let box = try Sandbox()
        let r = try box.run(["--db", c.0, "find", "x"])
        #expect(r.err.contains(c.1), "\(r.err)")
        #expect(!r.err.contains("error 1"), "\(r.err)")
        #expect(r.status == 2 || r.status == 3)
    }

    @Test func readsDoNotCreateAStore() throws {
        let box = try Sandbox()
        let r = try box.run(["find", "x"])
        #expect(r.status == 3, "\(r.err)")
        #expect(r.err.contains("no KnowHow store") && r.err.contains("init"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: box.dir.appendingPathComponent("data/knowhow").path))
        let deep = box.dir.appendingPathComponent("missing/folder/s.db").path
        let d = try box.run(["--db", deep, "show", "r1"])
        #expect(d.status == 3, "\(d.err)")
        #expect(!FileManager.default.fileExists(atPath: box.dir.appendingPathComponent("missing").path))
    }

    @Test func initCreatesAPrivateStoreOnceAndSharedOnRequest() throws {
        let box = try Sandbox()
        let path = box.dir.appendingPathComponent("mine/s.db").path
        let first = try box.run(["--db", path, "init"])
        #expect(first.status == 0 && first.out.contains("created"), "\(first.err)")
        #expect(Self.mode(path) == 0o600)
        #expect(Self.mode(box.dir.appendingPathComponent("mine").path) == 0o700)
        let again = try box.run(["--db", path, "init"])
        #expect(again.status == 0 && again.out.contains("already exists"), "\(again.out)")
        for (i, args) in [["--shared", "init"], ["init", "--shared"]].enumerated() {
            let team = box.dir.appendingPathComponent("team\(i)/s.db").path
            let r = try box.run(["--db", team] + args)
            #expect(r.status == 0, "\(r.err)")
            #expect(Self.mode(team) == 0o660)
            #expect(Self.mode(box.dir.appendingPathComponent("team\(i)").path) & 0o7777 == 0o2770)
        }
        // A write on a missing store creates it.
        let added = box.dir.appendingPathComponent("added.db").path
        let add = try box.run(["--db", added, "add", "member", "@you", "--name", "You"])
        #expect(add.status == 0, "\(add.err)")
        #expect(Self.mode(added) == 0o600)
    }

    @Test func aReadOnlyStoreCanBeReadButNotWritten() throws {
        let box = try Sandbox()
        // Three ways of being read-only: a read-only folder, a 444 file in a writable folder,
        // and a writable file in a folder that is not.
        for (name, setUp, because) in [
            ("ro", { (dir: String, db: String) in _ = chmod(db, 0o644); _ = chmod(dir, 0o755) }, "the file is not writable"),
            ("file444", { (dir: String, db: String) in _ = chmod(db, 0o444); _ = chmod(dir, 0o777) }, "the file is not writable"),
            ("folder", { (dir: String, db: String) in _ = chown(db, 65534, 65534); _ = chmod(db, 0o644); _ = chmod(dir, 0o755) }, "folder"),
        ] as [(String, (String, String) -> Void, String)] {
            let dir = box.dir.appendingPathComponent(name).path
            let db = dir + "/s.db"
            #expect(try box.run(["--db", db, "import", Self.fixture.path]).status == 0)
            setUp(dir, db)
            if getuid() != 0 { _ = chmod(db, 0o444); if name != "file444" { _ = chmod(dir, 0o555) } }
            defer { _ = chmod(dir, 0o755) }
            for args in [["find", "onboarding"], ["show", "r1"], ["export"]] {
                let r = try Self.runAsOther(box, ["--db", db] + args)
                #expect(r.status == 0, "\(name) \(args): \(r.err)")
            }
            let w = try Self.runAsOther(box, ["--db", db, "import", Self.fixture.path])
            #expect(w.status == 3, "\(name): \(w.err)")
            #expect(w.err.contains("read-only") && w.err.contains(because), "\(name): \(w.err)")
        }
    }

    @Test func exportDashWritesStandardOutput() throws {
        let box = try Sandbox()
        try box.importFixture()
        let plain = try box.run(["--db", box.db, "export"])
        let dash = try box.run(["--db", box.db, "export", "-"])
        #expect(dash.status == 0, "\(dash.err)")
        #expect(dash.outData == plain.outData && !dash.outData.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: box.dir.appendingPathComponent("-").path))
    }

    @Test func demoWorksFromAnyFolderWithACopiedBinary() throws {
        let box = try Sandbox()
        let bin = try #require(Self.binary)
        let copy = box.dir.appendingPathComponent("bin/knowhow")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: bin, toPath: copy.path)
        let r = try Self.spawn(copy.path, ["--demo", "find", "onboarding"], stdin: Data(), env: box.environment,
                               cwd: URL(fileURLWithPath: "/tmp"), timeout: 60)
        #expect(r.status == 0, "\(r.err)")
        #expect(!Self.listedIDs(r.out).isEmpty)
        let missing = try box.run(["--demo", "find", "x"], env: ["KNOWHOW_DEMO": box.dir.appendingPathComponent("nope.json").path])
        #expect(missing.status == 2 && missing.err.contains("KNOWHOW_DEMO"), "\(missing.err)")
    }
}
