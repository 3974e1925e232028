import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowShell
@testable import KnowHowSQLite
@testable import KnowHowStores

/// Transcript tests: each file in Transcripts/ is a shell session.
///
///     # a comment                        anywhere: a line that is `#` or starts `# `
///     @fixture small-community.json      (header) a file in Fixtures/ to start on; default: the demo,
///                                        Data/community.json; `none` for no store content
///     @as rosa-delgado                   (header) the acting member from the first line on
///     $ find onboarding                  a line typed at the prompt
///     < y                                an answer to the next question the line asks (the line
///                                        then runs with a prompter; without `<` lines, as a script)
///     > 1. r1 …                          expected standard output; a line with no mark is too
///     1. r1 …
///     ! nothing matches 'x'              expected standard error
///     [exit 1]                           expected status of the line (0 when absent)
///
/// `$FIXTURES` and `$TMP` in a line stand for the fixtures folder and a fresh temporary folder;
/// `$ESC`, `$BEL` and `$RLO` in input for those control characters.
///
/// Run with KNOWHOW_RECORD=1 to rewrite the files from what the shell prints now. Comments and
/// answers are kept (a comment among a step's output moves to just before the next step);
/// output is written unmarked, except a line that would read as something else, which gets `> `.
struct TranscriptTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Transcripts")
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
    }

    struct Step: Equatable {
        /// Comments written just before the step.
        var comments: [String] = []
        var input: String
        var answers: [String] = []
        var out: [String] = []
        var err: [String] = []
        var exit: Int32 = 0
    }

    struct Transcript: Equatable {
        var header: [String] = []
        var steps: [Step] = []
        /// Comments after the last step.
        var trailer: [String] = []

        /// The header's `@NAME value`, if any.
        func header(_ name: String) -> String? {
            header.last { $0.hasPrefix("@\(name) ") }.map { String($0.dropFirst(name.count + 2)).trimmingCharacters(in: .whitespaces) }
        }
    }

    /// `mark text`, or the bare mark (an empty line of that kind).
    static func marked(_ line: String, _ mark: String) -> String? {
        if line == mark { return "" }
        return line.hasPrefix(mark + " ") ? String(line.dropFirst(mark.count + 1)) : nil
    }

    static func parse(_ text: String) -> Transcript {
        var t = Transcript()
        var pending: [String] = []
        for line in text.components(separatedBy: "\n") {
            if let input = marked(line, "$") {
                t.steps.append(Step(comments: pending, input: input))
                pending = []
            } else if t.steps.isEmpty {
                if !line.isEmpty { t.header.append(line) }
            } else if line == "#" || line.hasPrefix("# ") {
                pending.append(line)
            } else if let e = marked(line, "!") {
                t.steps[t.steps.count - 1].err.append(e)
            } else if let a = marked(line, "<") {
                t.steps[t.steps.count - 1].answers.append(a)
            } else if let o = marked(line, ">") {
                t.steps[t.steps.count - 1].out.append(o)
            } else if line.hasPrefix("[exit "), line.hasSuffix("]"), let n = Int32(line.dropFirst(6).dropLast()) {
                t.steps[t.steps.count - 1].exit = n
            } else {
                t.steps[t.steps.count - 1].out.append(line)
            }
        }
        for i in t.steps.indices { while t.steps[i].out.last == "" { t.steps[i].out.removeLast() } }
        t.trailer = pending
        return t
    }

    /// A stdout line written as it is would read as a comment, an input, an answer, stderr or a status.
    static func needsMark(_ line: String) -> Bool {
        ["#", "$", "<", ">", "!"].contains { line == $0 || line.hasPrefix($0 + " ") } || (line.hasPrefix("[exit ") && line.hasSuffix("]"))
    }

    static func render(_ t: Transcript) -> String {
        var s = t.header.joined(separator: "\n") + "\n\n"
        for step in t.steps {
            for c in step.comments { s += c + "\n" }
            s += "$ " + step.input + "\n"
            for a in step.answers { s += (a.isEmpty ? "<" : "< " + a) + "\n" }
            for l in step.out { s += (needsMark(l) ? "> " + l : l) + "\n" }
            for l in step.err { s += (l.isEmpty ? "!" : "! " + l) + "\n" }
            if step.exit != 0 { s += "[exit \(step.exit)]\n" }
            s += "\n"
        }
        for c in t.trailer { s += c + "\n" }
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
        let transcript = Self.parse(try String(contentsOf: url, encoding: .utf8))
        let expected = transcript.steps
        let fixture = transcript.header("fixture") ?? "../../../Data/community.json"
        let store = try SQLiteKnowledgeStore()
        if fixture != "none" {
            _ = try Importer.importFile(Self.fixtures.appendingPathComponent(fixture).path, into: store, as: .system)
        }
        let console = Console(styler: Styler(enabled: false), width: 80)
        let env = ["HOME": NSTemporaryDirectory(), "KNOWHOW_NOW": "2026-11-25T12:00:00Z", "TZ": "UTC", "XDG_CACHE_HOME": NSTemporaryDirectory() + "knowhow-transcripts", "KNOWHOW_DEMO": Self.fixtures.appendingPathComponent(fixture).path]
        let ctx = ShellContext(store: store, storeLabel: "test", console: console, environment: env)
        ctx.opener = StoreFactory()
        if let handle = transcript.header("as") { ctx.actor = try Validation.handle(handle) }
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
            // A line with answers runs as in the shell, asking; one without, as in a script.
            ctx.prompter = step.answers.isEmpty ? nil : ScriptedPrompter(answers: step.answers, console: console)
            let status = shell.runLine(expand(step.input))
            let (out, err) = console.drain()
            actual.append(Step(comments: step.comments, input: step.input, answers: step.answers,
                               out: Self.lines(abbreviate(out)), err: Self.lines(abbreviate(err)), exit: status.code))
        }
        ctx.prompter = nil
        if ProcessInfo.processInfo.environment["KNOWHOW_RECORD"] == "1" {
            var recorded = transcript
            recorded.steps = actual
            try Self.render(recorded).write(to: url, atomically: true, encoding: .utf8)
            return
        }
        for (e, a) in zip(expected, actual) {
            #expect(a.out == e.out, "\(name): stdout of `\(e.input)`")
            #expect(a.err == e.err, "\(name): stderr of `\(e.input)`")
            #expect(a.exit == e.exit, "\(name): exit status of `\(e.input)`")
        }
    }

    /// Re-recording used to drop comments between steps, and a stdout line such as `# heading`
    /// could not be written at all.
    @Test func theGrammarKeepsCommentsAnswersAndMarkedOutputWhenRerecorded() {
        let text = """
        # what this file shows
        @fixture small-community.json
        @as kim

        $ find x
        > # a heading, marked
        plain output
        > plain output, marked
        ! an error
        [exit 1]

        # before the merge
        $ merge r1 r2
        < y
        Merge?

        # at the end

        """
        let t = Self.parse(text)
        #expect(t.header == ["# what this file shows", "@fixture small-community.json", "@as kim"])
        #expect(t.header("as") == "kim" && t.header("fixture") == "small-community.json")
        #expect(t.steps.count == 2)
        #expect(t.steps[0].out == ["# a heading, marked", "plain output", "plain output, marked"])
        #expect(t.steps[0].err == ["an error"] && t.steps[0].exit == 1)
        #expect(t.steps[1].comments == ["# before the merge"] && t.steps[1].answers == ["y"] && t.steps[1].out == ["Merge?"])
        #expect(t.trailer == ["# at the end"])
        // Recorded again: the same transcript, with only the lines that need it marked.
        let again = Self.render(t)
        #expect(Self.parse(again) == t)
        #expect(again.contains("\n> # a heading, marked\nplain output\nplain output, marked\n"))
        #expect(again.contains("\n# before the merge\n$ merge r1 r2\n< y\n"))
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

    /// `help add` at 80 columns broke sentences mid-way ("…--kind template" / "--tag onboarding…"
    /// on a line of its own): discussions were hard-wrapped near 100 columns, and the parser wraps
    /// each source line again. A line that ends mid-sentence while the next line's first word
    /// would have fitted on it is such a break; and tables keep their second column aligned.
    @Test func helpAtEightyColumnsHasNoRaggedBreaks() throws {
        for cmd in CommandTable.all {
            let name = CommandTable.name(of: cmd)
            let console = Console(width: 80)
            Render.help(name, ctx: ShellContext(store: try SQLiteKnowledgeStore(), storeLabel: "test", console: console, environment: [:]))
            let lines = console.out.components(separatedBy: "\n")
            for (line, next) in zip(lines, lines.dropFirst()) {
                #expect(line.count <= 80, "help \(name): wider than 80 columns: \(line)")
                // The parser wraps before the 80th column.
                guard let last = line.last, !".:;!?".contains(last), !next.hasPrefix(" "),
                      let word = next.split(separator: " ").first else { continue }
                #expect(line.count + 1 + word.count >= 80, "help \(name): a sentence breaks early:\n\(line)\n\(next)")
            }
        }
    }

    /// `history --json` printed the text listing, and `whoami --json` and `config --json` were
    /// refused: every command that offers --json must write JSON, one value (run on the demo, as
    /// a script would, with the words a command needs), and none is left out.
    @Test func everyCommandWithJSONWritesJSON() throws {
        let store = try SQLiteKnowledgeStore()
        _ = try Importer.importFile(TranscriptTests.fixtures.appendingPathComponent("../../../Data/community.json").path, into: store, as: .system)
        let console = Console(width: 80)
        let ctx = ShellContext(store: store, storeLabel: "test", console: console,
                               environment: ["KNOWHOW_NOW": "2026-11-25T12:00:00Z", "TZ": "UTC"])
        ctx.actor = "rosa-delgado"
        _ = Shell(ctx: ctx).runLine("tag r34 +induction")
        _ = console.drain()
        // What a command needs besides --json; the others run bare.
        let words: [String: [String]] = [
            "find": ["onboarding"], "similar": ["r3"], "who": ["facilitation"], "show": ["r3"], "list": ["resources"],
            "ask": ["How", "do", "I", "onboard", "a", "volunteer?", "--force"], "meeting": ["series"],
        ]
        var checked: Set<String> = []
        for cmd in CommandTable.all where cmd.helpMessage(columns: 80).contains("--json") {
            let name = CommandTable.name(of: cmd)
            let status = Shell(ctx: ctx).execute(cmd, words: (words[name] ?? []) + ["--json"])
            let (out, err) = console.drain()
            #expect(status.code < 2, "\(name) --json was refused: \(err)")
            guard status.code < 2 else { continue }
            checked.insert(name)
            #expect((try? JSONSerialization.jsonObject(with: Data(out.utf8))) != nil, "\(name) --json wrote: \(out.prefix(200))")
        }
        #expect(checked.isSuperset(of: ["whoami", "config", "show", "find", "history"]), "not checked: \(checked)")
        // Nobody named: whoami still writes its object, with nulls.
        ctx.actor = nil
        #expect(Shell(ctx: ctx).runLine("whoami --json").code == 0)
        let nobody = try JSONSerialization.jsonObject(with: Data(console.drain().out.utf8)) as? [String: Any]
        #expect(nobody?.keys.sorted() == ["handle", "name", "role", "source"] && nobody?["handle"] is NSNull)
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
