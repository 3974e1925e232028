import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowShell
@testable import KnowHowSQLite
@testable import knowhow

/// Transcript tests: each file in Transcripts/ is a shell session.
///
///     # a comment
///     @fixture small-community.json      (a file in Fixtures/ to start on; default: the demo, Data/community.json)
///     $ find onboarding                  a line typed at the prompt
///     1. r1 …                            expected standard output
///     ! nothing matches 'x'              expected standard error
///     [exit 1]                           expected status of the line (0 when absent)
///
/// `$FIXTURES` and `$TMP` in a line stand for the fixtures folder and a fresh temporary folder;
/// `$ESC`, `$BEL` and `$RLO` in input for those control characters.
///
/// Run with KNOWHOW_RECORD=1 to rewrite the files from what the shell prints now.
struct TranscriptTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Transcripts")
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
    }

    struct Step {
        var input: String
        var out: [String] = []
        var err: [String] = []
        var exit: Int32 = 0
    }

    static func parse(_ text: String) -> (header: [String], steps: [Step]) {
        var header: [String] = []
        var steps: [Step] = []
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("$ ") || line == "$" {
                steps.append(Step(input: String(line.dropFirst(2))))
            } else if steps.isEmpty {
                if !line.isEmpty { header.append(line) }
            } else if line.hasPrefix("! ") || line == "!" {
                steps[steps.count - 1].err.append(String(line.dropFirst(2)))
            } else if line.hasPrefix("[exit "), line.hasSuffix("]"), let n = Int32(line.dropFirst(6).dropLast()) {
                steps[steps.count - 1].exit = n
            } else {
                steps[steps.count - 1].out.append(line)
            }
        }
        for i in steps.indices { while steps[i].out.last == "" { steps[i].out.removeLast() } }
        return (header, steps)
    }

    static func render(header: [String], steps: [Step]) -> String {
        var s = header.joined(separator: "\n") + "\n\n"
        for step in steps {
            s += "$ " + step.input + "\n"
            for l in step.out { s += l + "\n" }
            for l in step.err { s += (l.isEmpty ? "!" : "! " + l) + "\n" }
            if step.exit != 0 { s += "[exit \(step.exit)]\n" }
            s += "\n"
        }
        return s
    }

    static func lines(_ s: String) -> [String] {
        var l = s.components(separatedBy: "\n")
        while l.last == "" { l.removeLast() }
        return l
    }

    @Test(arguments: files)
    func transcript(_ name: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        let (header, expected) = Self.parse(try String(contentsOf: url, encoding: .utf8))
        var fixture = "../../../Data/community.json"
        for h in header where h.hasPrefix("@fixture ") { fixture = String(h.dropFirst(9)) }
        let store = try SQLiteKnowledgeStore()
        if fixture != "none" {
            _ = try Importer.importFile(Self.fixtures.appendingPathComponent(fixture).path, into: store)
        }
        let console = Console(styler: Styler(enabled: false), width: 80)
        let env = ["HOME": NSTemporaryDirectory(), "KNOWHOW_NOW": "2026-11-25T12:00:00Z", "XDG_CACHE_HOME": NSTemporaryDirectory() + "knowhow-transcripts", "KNOWHOW_DEMO": Self.fixtures.appendingPathComponent(fixture).path]
        let ctx = ShellContext(store: store, storeLabel: "test", console: console, environment: env)
        ctx.opener = StoreFactory()
        let shell = Shell(ctx: ctx)
        // $FIXTURES and $TMP stand for real folders in input, and are put back in output.
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("kh-transcript-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let places = [("$FIXTURES", Self.fixtures.path), ("$TMP", tmp)]
        // $ESC, $BEL and $RLO type control characters (input only: output must show them as ^[, ^G).
        let controls = [("$ESC", "\u{1B}"), ("$BEL", "\u{07}"), ("$RLO", "\u{202E}")]
        func expand(_ s: String) -> String { (places + controls).reduce(s) { $0.replacingOccurrences(of: $1.0, with: $1.1) } }
        func abbreviate(_ s: String) -> String { places.reduce(s) { $0.replacingOccurrences(of: $1.1, with: $1.0) } }
        var actual: [Step] = []
        for step in expected {
            let status = shell.runLine(expand(step.input))
            let (out, err) = console.drain()
            actual.append(Step(input: step.input, out: Self.lines(abbreviate(out)), err: Self.lines(abbreviate(err)), exit: status.code))
        }
        if ProcessInfo.processInfo.environment["KNOWHOW_RECORD"] == "1" {
            try Self.render(header: header, steps: actual).write(to: url, atomically: true, encoding: .utf8)
            return
        }
        for (e, a) in zip(expected, actual) {
            #expect(a.out == e.out, "\(name): stdout of `\(e.input)`")
            #expect(a.err == e.err, "\(name): stderr of `\(e.input)`")
            #expect(a.exit == e.exit, "\(name): exit status of `\(e.input)`")
        }
    }

    @Test func everyCommandHasATranscript() throws {
        let all = try Self.files.map { try String(contentsOf: Self.folder.appendingPathComponent($0), encoding: .utf8) }.joined()
        for cmd in CommandTable.all {
            let name = CommandTable.name(of: cmd)
            #expect(all.contains("$ \(name)"), "no transcript runs `\(name)`")
        }
    }
}

/// The command table is the one source of names, help and completion.
struct CommandTableTests {
    @Test func namesAreUniqueAndEveryCommandHasHelp() {
        var seen = Set<String>()
        for cmd in CommandTable.all {
            for n in CommandTable.names(of: cmd) {
                #expect(seen.insert(n).inserted, "\(n) is used twice")
            }
            #expect(!cmd.configuration.abstract.isEmpty, "\(CommandTable.name(of: cmd)) has no help")
        }
    }

    @Test func nearestCommand() {
        #expect(CommandTable.nearest("fnid") == "find")
        #expect(CommandTable.nearest("shwo") == "show")
        #expect(CommandTable.nearest("onboarding") == nil)
    }

    @Test(arguments: [
        ("find \"a b\" c", true, ["find", "\"a b\"", "c"]),
        ("import 'my file.json'", false, ["import", "my file.json"]),
        ("find \"unbalanced", true, ["find", "\"unbalanced"]),
        ("  show   r1 ", false, ["show", "r1"]),
    ])
    func shellWords(_ c: (String, Bool, [String])) {
        #expect(ShellWords.split(c.0, keepQuotes: c.1) == c.2)
    }
}
