import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import KnowHowCore
@testable import KnowHowShell

/// tmux's path, outside the suite so that the suite's trait can refer to it.
private let installedTmux: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Drives the real binary in a real terminal (tmux), as a person would: Tab completion, history
/// across sessions, Ctrl-C and Ctrl-D, the pager. Skipped (and reported as skipped) where tmux is
/// not installed.
@Suite(.serialized, .enabled(if: installedTmux != nil, "tmux is not installed"))
struct TerminalTests {
    static let tmux = installedTmux

    /// A tmux session running `knowhow` on a copy of the small fixture, with its own HOME and
    /// XDG folders so history and caches are private to the test.
    final class Session {
        let name = "kh-test-\(UUID().uuidString.prefix(8))"
        let home: String
        let tmux: String
        let db: String

        init(tmux: String, home: String? = nil) throws {
            self.tmux = tmux
            self.home = home ?? FileManager.default.temporaryDirectory.appendingPathComponent("kh-term-\(UUID().uuidString)").path
            db = self.home + "/store.db"
            try FileManager.default.createDirectory(atPath: self.home, withIntermediateDirectories: true)
        }

        /// Runs tmux through system(3): Foundation's Process waits for ever on a client whose
        /// server (started by `new-session`) inherited its descriptors.
        @discardableResult
        func run(_ args: [String]) throws -> (Int32, String) {
            let outPath = home + "/tmux-out-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: outPath) }
            func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            let command = ([tmux, "-L", name] + args).map(quote).joined(separator: " ") + " </dev/null >\(quote(outPath)) 2>&1"
            let status = system(command)
            let data = FileManager.default.contents(atPath: outPath) ?? Data()
            return (status, String(decoding: data, as: UTF8.self))
        }

        var env: String {
            "env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=\(home) XDG_STATE_HOME=\(home)/state XDG_DATA_HOME=\(home)/data XDG_CACHE_HOME=\(home)/cache TERM=xterm-256color NO_COLOR=1 LANG=C.UTF-8"
        }

        func start(_ binary: String, _ extra: [String] = []) throws {
            // The shell's exit status is written to a file when it ends, so the test can read it.
            let command = "\(env) EDITOR=true \(binary) --db \(db) \(extra.joined(separator: " ")); echo $? > \(home)/status; sleep 30"
            try run(["new-session", "-d", "-x", "100", "-y", "30", "-s", "kh", command])
            try waitFor { $0.contains("store>") }
        }

        /// As a person starts it: an interactive bash in an 80×24 terminal (bash gives each job its
        /// own process group and the terminal), then `knowhow` typed at its prompt. PAGER and LESS
        /// are unset, so long output goes through `less`.
        func startFromBash(_ binary: String, _ extra: [String], prompt: String) throws {
            try run(["new-session", "-d", "-x", "80", "-y", "24", "-s", "kh", "\(env) PS1='$ ' bash --norc --noprofile -i"])
            try waitFor { $0.contains("$") }
            try keys("\(binary) \(extra.joined(separator: " ")); echo $? > \(home)/status", "Enter")
            try waitFor { $0.contains(prompt) }
        }

        /// The screen with wrapped lines joined, to check that nothing is wider than the terminal.
        func joinedScreen() throws -> String { try run(["capture-pane", "-p", "-J", "-t", "kh"]).1 }

        /// The last line that is not blank.
        static func lastLine(_ screen: String) -> String {
            screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? ""
        }

        func keys(_ keys: String...) throws { try run(["send-keys", "-t", "kh"] + keys) }

        func screen() throws -> String { try run(["capture-pane", "-p", "-t", "kh"]).1 }

        /// Polls the screen until `condition` holds (5 s at most).
        @discardableResult
        func waitFor(_ condition: (String) -> Bool) throws -> String {
            var last = ""
            // Up to 15 s: a loaded 2-core machine can take seconds to start or page.
            for _ in 0..<300 {
                last = try screen()
                if condition(last) { return last }
                Thread.sleep(forTimeInterval: 0.05)
            }
            Issue.record("the screen never showed what was expected:\n\(last)")
            return last
        }

        func status() -> String? {
            // The shell creates the file before it writes the status: wait for the status itself.
            for _ in 0..<300 {
                if let s = try? String(contentsOfFile: home + "/status", encoding: .utf8),
                   case let status = s.trimmingCharacters(in: .whitespacesAndNewlines), !status.isEmpty { return status }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return nil
        }

        func stop() { _ = try? run(["kill-server"]) }
    }

    static func prepare(_ home: String) throws -> String? {
        guard let binary = BinaryTests.binary else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["--db", home + "/store.db", "import", BinaryTests.fixture.path]
        p.environment = ["HOME": home, "XDG_STATE_HOME": home + "/state", "NO_COLOR": "1"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return binary
    }

    @Test func tabCompletesCommandsTagsAndHandles() throws {
        let tmux = try #require(Self.tmux)
        let s = try Session(tmux: tmux)
        defer { s.stop() }
        guard let binary = try Self.prepare(s.home) else { Issue.record("no knowhow binary"); return }
        try s.start(binary)

        // capture-pane drops trailing spaces, so "find " shows as "find" until more is typed.
        try s.keys("fi", "Tab", "x")
        try s.waitFor { $0.contains("store> find x") }
        try s.keys("BSpace", "tag:onb", "Tab")
        try s.waitFor { $0.contains("store> find tag:onboarding") }
        try s.keys("C-u")
        try s.keys("show @pr", "Tab")
        try s.waitFor { $0.contains("store> show @priya") }
        try s.keys("Enter")
        try s.waitFor { $0.contains("(contributor)") && $0.contains("Priya") }
    }

    @Test func upRecallsTheLastSessionsLineAndCtrlCKeepsTheShell() throws {
        let tmux = try #require(Self.tmux)
        let first = try Session(tmux: tmux)
        guard let binary = try Self.prepare(first.home) else { Issue.record("no knowhow binary"); return }
        try first.start(binary)
        try first.keys("find retrospective", "Enter")
        try first.waitFor { $0.contains("Running a good retrospective") }
        try first.keys("C-d")
        #expect(first.status() == "0", "Ctrl-D on an empty line exits 0")
        first.stop()

        let second = try Session(tmux: tmux, home: first.home)
        defer { second.stop() }
        try second.start(binary)
        try second.keys("Up")
        try second.waitFor { $0.contains("store> find retrospective") }
        // Ctrl-C abandons the line; the shell stays and prompts again.
        try second.keys("C-c")
        try second.waitFor { $0.contains("retrospective^C") && $0.components(separatedBy: "store>").count >= 3 }
        try second.keys("whoami", "Enter")
        try second.waitFor { $0.contains("nobody") }
        let history = try String(contentsOfFile: first.home + "/state/knowhow/history", encoding: .utf8)
        #expect(history.contains("find retrospective"))
        let mode = try FileManager.default.attributesOfItem(atPath: first.home + "/state/knowhow/history")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// Issue 5 and issue 12: a contributor adding a resource close to an existing one is shown it
    /// as soon as the title is typed; Ctrl-C or Ctrl-D at any question cancels the whole add; no
    /// prompt wraps at 80 columns; a member is told which role adding needs.
    @Test func guidedAddShowsTheSimilarEntryAtOnceAndCtrlCCancels() throws {
        let tmux = try #require(Self.tmux)
        let s = try Session(tmux: tmux)
        defer { s.stop() }
        guard let binary = try Self.prepare(s.home) else { Issue.record("no knowhow binary"); return }
        try s.startFromBash(binary, ["--db", s.db, "--as", "@ana"], prompt: "store>")
        try s.keys("add resource", "Enter")
        try s.waitFor { Session.lastLine($0) == "title:" }
        try s.keys("Checklist for onboarding new starters", "Enter")
        var screen = try s.waitFor { $0.contains("Enter to go on, open 1, or [c]ancel?") }
        #expect(screen.contains("r1 Onboarding checklist for new starters  (similar title)"), "\(screen)")
        #expect(!screen.contains("url"), "shown before the next question")
        try s.keys("C-c")
        screen = try s.waitFor { Session.lastLine($0) == "store>" }
        #expect(screen.contains("[c]ancel? ^C\ncancelled; nothing was saved\nstore>"), "\(screen)")

        // Ctrl-D at a later question cancels too, and the next lines carry no stray blank line.
        try s.keys("add resource", "Enter")
        try s.waitFor { Session.lastLine($0) == "title:" }
        try s.keys("Interview consent form", "Enter", "Enter")
        try s.waitFor { Session.lastLine($0) == "summary (Enter to skip):" }
        try s.keys("C-d")
        try s.waitFor { $0.contains("summary (Enter to skip):\ncancelled; nothing was saved\nstore>") }
        try s.keys("add resource", "Enter")
        try s.waitFor { Session.lastLine($0) == "title:" }
        try s.keys("Interview consent form", "Enter", "Enter", "Enter")
        screen = try s.waitFor { Session.lastLine($0) == "kind (Enter for other):" }
        #expect(screen.contains("store> add resource\ntitle: Interview consent form\nurl (Enter to skip):\nsummary (Enter to skip):\n"), "\(screen)")
        // Hints stand on their own lines; with wrapped lines joined, none is wider than the terminal.
        let joined = try s.joinedScreen()
        let asked = joined.components(separatedBy: "store> add resource\n").last ?? joined
        #expect(asked.contains("  one of guide, template,"), "\(asked)")
        let wide = asked.split(separator: "\n").filter { $0.count > 80 }
        #expect(wide.isEmpty, "lines wrapped at 80 columns: \(wide)")
        try s.keys("C-c")
        try s.waitFor { $0.contains("kind (Enter for other): ^C\ncancelled; nothing was saved\nstore>") }
        try s.keys("show r13", "Enter")
        try s.waitFor { $0.contains("no resource r13") }

        try s.keys("set as @dev", "Enter", "add resource", "Enter")
        try s.waitFor { $0.contains("needs the contributor role") }
    }

    /// Issue 17: `meeting plan` at 80×24 from a bash prompt proposes presenters, lets each part be
    /// changed at the prompt (Enter keeps it), and saves only when told to; no line is wider than
    /// the terminal.
    @Test func meetingPlanIsChangedAtThePromptAndSaved() throws {
        let tmux = try #require(Self.tmux)
        let s = try Session(tmux: tmux)
        defer { s.stop() }
        guard let binary = BinaryTests.binary else { Issue.record("no knowhow binary"); return }
        try s.startFromBash(binary, ["--demo", "--as", "@rosa-delgado"], prompt: "demo>")
        try s.keys("meeting plan supervision --series Elevenses", "Enter")
        var screen = try s.waitFor { Session.lastLine($0).hasPrefix("title [Supervision]:") }
        #expect(screen.contains("Presenters, in turn"), "\(screen)")
        #expect(screen.contains("@martin-ashby  presented 1×, last 2026-09-17"), "\(screen)")
        try s.keys("Supervision in ten minutes", "Enter")
        try s.waitFor { Session.lastLine($0).hasPrefix("when [Thu ") }
        try s.keys("Enter")
        try s.waitFor { Session.lastLine($0).hasPrefix("presenters [@") }
        // A handle that is no member is refused, and the question asked again.
        try s.keys("@nobody-at-all", "Enter")
        try s.waitFor { $0.contains("no member @nobody-at-all") && Session.lastLine($0).hasPrefix("presenters [@") }
        try s.keys("@martin-ashby @grace-mensah", "Enter")
        try s.waitFor { Session.lastLine($0) == "format [peer-assist]:" }
        try s.keys("Enter")
        try s.waitFor { Session.lastLine($0) == "Save this meeting? [y/N]" }
        try s.keys("y", "Enter")
        screen = try s.waitFor { $0.contains("planned m7: Supervision in ten minutes") && Session.lastLine($0) == "demo>" }
        let wide = try s.joinedScreen().split(separator: "\n").filter { $0.count > 80 }
        #expect(wide.isEmpty, "lines wider than 80 columns: \(wide)")
        try s.keys("show m7", "Enter")
        try s.waitFor { $0.contains("presenting   @martin-ashby, @grace-mensah") }
    }

    /// Issue 17: `meeting notes mN` opens the notes in $EDITOR on the terminal, and saves what
    /// the editor wrote (here a script that adds a line, standing in for a person).
    @Test func meetingNotesOpenInTheEditorAndAreSaved() throws {
        let tmux = try #require(Self.tmux)
        let s = try Session(tmux: tmux)
        defer { s.stop() }
        guard let binary = BinaryTests.binary else { Issue.record("no knowhow binary"); return }
        let editor = s.home + "/editor.sh"
        try Data("#!/bin/sh\nprintf 'Typed in the editor at 80 columns.\\n' >> \"$1\"\n".utf8).write(to: URL(fileURLWithPath: editor))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor)
        try s.startFromBash("EDITOR=\(editor) \(binary)", ["--demo", "--as", "@grace-mensah"], prompt: "demo>")
        try s.keys("meeting notes m1", "Enter")
        try s.waitFor { $0.contains("saved the notes of m1") && Session.lastLine($0) == "demo>" }
        try s.keys("set pager off", "Enter", "show m1", "Enter")
        let screen = try s.waitFor { $0.contains("Typed in the editor at 80 columns.") && Session.lastLine($0) == "demo>" }
        #expect(!screen.contains("<!--"), "\(screen)")
        let wide = try s.joinedScreen().split(separator: "\n").filter { $0.count > 80 }
        #expect(wide.isEmpty, "lines wider than 80 columns: \(wide)")
    }

    /// `knowhow --demo show p42` at 80 columns, through the pager: each paragraph of the body is
    /// wrapped between words under its indentation (never cut mid-word by the terminal), and
    /// reads as the paragraph, word for word.
    @Test func aParagraphShownOnATerminalWrapsBetweenWords() throws {
        let tmux = try #require(Self.tmux)
        let s = try Session(tmux: tmux)
        defer { s.stop() }
        let binary = try #require(BinaryTests.binary)
        try s.startFromBash(binary, ["--demo", "show", "p42"], prompt: ":")
        let rows = try s.screen().components(separatedBy: "\n")
        let paragraph = "Team leaders on Priya's facilitation course said their team meetings felt like their meeting, not the team's. "
            + "Team members had no practice at facilitating, so when the leader was away the meeting was cancelled."
        let start = try #require(rows.firstIndex { $0.hasPrefix("  Team leaders on Priya's") }, "\(rows)")
        let wrapped = Array(rows[start..<min(start + 3, rows.count)])
        #expect(wrapped.allSatisfy { $0.hasPrefix("  ") }, "\(wrapped)")
        #expect(wrapped.flatMap { $0.split(separator: " ") } == paragraph.split(separator: " "), "\(wrapped)")
        #expect(try s.joinedScreen().contains("\ntags         #facilitation #leadership #meeting-design\n"))
        try s.keys("q")
        #expect(s.status() == "0")
    }

    /// Issue 12: from a bash prompt, `find onboarding` started less in a process group of its own,
    /// which the terminal stopped at once: nothing shown, q and Ctrl-C ignored, the shell frozen.
    @Test func thePagerPagesFromABashPromptAndQReturnsToTheShell() throws {
        let tmux = try #require(Self.tmux)
        let s = try Session(tmux: tmux)
        defer { s.stop() }
        let binary = try #require(BinaryTests.binary)
        try s.startFromBash(binary, ["--demo"], prompt: "demo>")

        try s.keys("find onboarding", "Enter")
        // less shows the first screenful and waits at its ':' prompt.
        var screen = try s.waitFor { Session.lastLine($0) == ":" }
        #expect(screen.contains(" 1. r93") && !screen.contains("… more results"), "\(screen)")
        try s.keys("Space")
        try s.waitFor { Session.lastLine($0) == "(END)" }
        try s.keys("q")
        // LESS=FRX keeps the text on the screen after q; the prompt comes back under it.
        screen = try s.waitFor { Session.lastLine($0) == "demo>" }
        #expect(screen.contains("… more results"), "\(screen)")
        try s.keys("whoami", "Enter")
        try s.waitFor { $0.contains("nobody:") && Session.lastLine($0) == "demo>" }

        // Ctrl-C in the pager is the pager's: knowhow stays, and q still returns to its prompt.
        try s.keys("list resources --limit 30", "Enter")
        try s.waitFor { Session.lastLine($0) == ":" }
        try s.keys("C-c")
        Thread.sleep(forTimeInterval: 0.3)
        try s.keys("q")
        try s.waitFor { Session.lastLine($0) == "demo>" }
        try s.keys("show r93", "Enter")
        screen = try s.waitFor { $0.contains("New support worker onboarding checklist") && Session.lastLine($0) == "demo>" }
        #expect(!FileManager.default.fileExists(atPath: s.home + "/status"), "knowhow is still running")
        try s.keys("C-d")
        #expect(s.status() == "0")
    }

    /// Opening a similar entry from guided `add` printed it straight out: at 80×24 its top had
    /// scrolled away before the question came back. It goes through the pager, as `show` does,
    /// and q returns to the question.
    @Test func anEntryOpenedFromGuidedAddIsPaged() throws {
        let tmux = try #require(Self.tmux)
        let s = try Session(tmux: tmux)
        defer { s.stop() }
        let binary = try #require(BinaryTests.binary)
        try s.startFromBash(binary, ["--demo", "--as", "@rosa-delgado"], prompt: "demo>")
        try s.keys("add resource", "Enter")
        try s.waitFor { Session.lastLine($0) == "title:" }
        try s.keys("Onboarding checklist for new support workers", "Enter")
        try s.waitFor { Session.lastLine($0).hasPrefix("Enter to go on, open 1–") }
        try s.keys("1", "Enter")
        // less waits at its ':' prompt with the entry's first lines on the screen.
        let screen = try s.waitFor { Session.lastLine($0) == ":" }
        #expect(screen.contains("r34  Onboarding checklist for new support workers"), "\(screen)")
        try s.keys("q")
        try s.waitFor { Session.lastLine($0).hasPrefix("Enter to go on, open 1–") }
        try s.keys("c", "Enter")
        try s.waitFor { $0.contains("cancelled; nothing was saved") && Session.lastLine($0) == "demo>" }
    }

    /// `knowhow --demo find onboarding` typed at a bash prompt printed 30 lines at once, and the
    /// first results scrolled away: a one-shot command on a terminal pages as git does, and keeps
    /// its exit status; into a pipe it writes as before.
    @Test func aOneShotCommandOnATerminalIsPaged() throws {
        let tmux = try #require(Self.tmux)
        let s = try Session(tmux: tmux)
        defer { s.stop() }
        let binary = try #require(BinaryTests.binary)
        try s.startFromBash(binary, ["--demo", "find", "onboarding"], prompt: ":")
        var screen = try s.screen()
        #expect(screen.contains(" 1. r93") && Session.lastLine(screen) == ":", "\(screen)")
        try s.keys("q")
        #expect(s.status() == "0")
        try s.keys("clear; \(binary) --demo find onboarding | tail -1", "Enter")
        screen = try s.waitFor { $0.contains("more results") && Session.lastLine($0) == "$" }
        #expect(!screen.contains(":\n"), "\(screen)")
    }

    /// With PAGER set to a command that does not exist, the output is printed, not lost.
    @Test func aPagerThatCannotStartPrintsTheOutput() throws {
        let tmux = try #require(Self.tmux)
        let s = try Session(tmux: tmux)
        defer { s.stop() }
        let binary = try #require(BinaryTests.binary)
        try s.startFromBash("PAGER=no-such-pager " + binary, ["--demo"], prompt: "demo>")
        try s.keys("find onboarding", "Enter")
        // The prompt is on screen before the command runs too: wait for the message itself.
        let screen = try s.waitFor { $0.contains("cannot start the pager") && Session.lastLine($0) == "demo>" }
        #expect(screen.contains("cannot start the pager 'no-such-pager'") && screen.contains("… more results"), "\(screen)")
    }

    /// Issue 12: on an empty store the shell says how to start, and after `add member @you` it
    /// acts as you without a restart.
    @Test func aFirstRunSaysHowToStartAndActsAsTheFirstMember() throws {
        let tmux = try #require(Self.tmux)
        let s = try Session(tmux: tmux)
        defer { s.stop() }
        let binary = try #require(BinaryTests.binary)
        try s.startFromBash(binary, ["--db", s.home + "/new.db"], prompt: "new>")
        var screen = try s.joinedScreen()
        #expect(screen.contains("Empty store: start with `add member @you`, which makes you its first member and\n"), "\(screen)")
        let banner = screen.components(separatedBy: "\n").drop { !$0.hasPrefix("KnowHow ") }
        #expect(!banner.isEmpty && banner.allSatisfy { $0.count <= 80 }, "the banner fits:\n\(screen)")
        // A long message wraps between words: the terminal wraps nothing (joined = as shown).
        try s.keys("find onboarding", "Enter")
        screen = try s.waitFor { $0.contains("make one with `init`") && Session.lastLine($0) == "new>" }
        // (-J also keeps trailing spaces, so lines are compared without them.)
        // Only knowhow's own lines count: the bash line that started it may wrap.
        func rows(_ screen: String) -> [String] {
            screen.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.reversed().drop { $0 == " " }.reversed()) }
                .drop { !$0.hasPrefix("new> find onboarding") }.map { $0 }
        }
        let shown = try s.run(["capture-pane", "-p", "-t", "kh"]).1
        #expect(rows(try s.joinedScreen()) == rows(shown), "a message wrapped mid-word:\n\(shown)")
        try s.keys("add member @ana", "Enter")
        try s.waitFor { Session.lastLine($0) == "name:" }
        try s.keys("Ana Pereira", "Enter")
        // email, organisation, sector, location, skills; the first member is the curator, so no role is asked.
        for _ in 0..<5 { try s.keys("Enter") }
        screen = try s.waitFor { $0.contains("you are acting as @ana now") && Session.lastLine($0) == "new>" }
        #expect(!screen.contains("role"), "the first member is not asked for a role they would not keep:\n\(screen)")
        try s.keys("whoami", "Enter")
        try s.waitFor { $0.contains("@ana (Ana Pereira), curator") }
        // Output too, not only messages: `init`'s sentence (with the store's long path) breaks
        // between words, where the terminal broke it mid-word.
        try s.keys("clear", "Enter", "init", "Enter")
        let said = try s.waitFor { $0.contains("nothing was changed") && Session.lastLine($0) == "new>" }
        func lines(_ screen: String) -> [String] {
            screen.split(separator: "\n").map { String($0.reversed().drop { $0 == " " }.reversed()) }.filter { !$0.isEmpty }
        }
        #expect(lines(try s.joinedScreen()) == lines(said), "a line wrapped mid-word:\n\(said)")
    }
}
