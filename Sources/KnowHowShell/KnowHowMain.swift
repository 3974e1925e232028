import ArgumentParser
import Foundation
import KnowHowCore
#if canImport(Glibc)
import Glibc
#endif

/// The program: global options, then one command, a script on stdin, or the interactive shell.
public enum KnowHowMain {
    public static let version = "0.1.0"

    /// Options that may stand before or after the command word.
    struct Globals {
        var db: String?
        var demo = false
        var actor: String?
        /// `-c` lines, in the order given.
        var commands: [String] = []
        var keepGoing = false
        var help = false
        var version = false
        var colour: Bool?
        var shared = false
    }

    static func extractGlobals(_ args: [String]) throws -> (Globals, [String]) {
        var g = Globals()
        var rest: [String] = []
        // A command's own options given before its word (`knowhow --json find x`) go after it.
        var early: [String] = []
        var i = 0
        func value(_ name: String) throws -> String {
            guard i + 1 < args.count else { throw KnowHowError.missingField("a value after \(name)") }
            i += 1
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            if a == "--" { rest += args[i...]; break }
            switch a {
            case "--db": g.db = try value("--db")
            case "--demo": g.demo = true
            case "--shared": g.shared = true
            case "--as": g.actor = try value("--as")
            case "-c", "--command": g.commands.append(try value(a))
            case "--keep-going", "-k": g.keepGoing = true
            case "--version": g.version = true
            case "--no-color", "--no-colour": g.colour = false
            case "--color", "--colour": g.colour = true
            case "-h", "--help": if rest.isEmpty { g.help = true } else { rest.append(a) }
            default:
                if a.hasPrefix("--db=") { g.db = String(a.dropFirst(5)) }
                else if a.hasPrefix("--as=") { g.actor = String(a.dropFirst(5)) }
                else if rest.isEmpty, a.hasPrefix("-"), a.count > 1 {
                    early.append(a)
                    if CommandTable.valuedOptions.contains(a) { early.append(try value(a)) }
                }
                else { rest.append(a) }
            }
            i += 1
        }
        if !early.isEmpty {
            guard !rest.isEmpty || !g.commands.isEmpty else {
                throw KnowHowError.unsupported("\(early[0]) belongs to a command: put one after it, e.g. `knowhow find onboarding \(early.joined(separator: " "))`")
            }
            if rest.isEmpty {
                throw KnowHowError.unsupported("\(early[0]) belongs to a command: put it inside the -c line")
            }
            rest.insert(contentsOf: early, at: 1)
        }
        return (g, rest)
    }

    /// `knowhow --help`, laid out to fit 80 columns.
    static let rootHelp = """
    KnowHow — who to ask, and what already exists, in a community of practice.

    USAGE: knowhow [--db PATH | --demo] [--as @HANDLE] [--shared] [COMMAND [ARGS…]]
           knowhow -c "COMMAND LINE"…     run shell lines (-c again for each)
           knowhow < script.kh            run a script (stops at the first error)
           knowhow mcp [--allow-writes]   serve assistants over MCP on stdin/stdout

    With no command on a terminal, knowhow opens its interactive shell. Reading
    never creates a store: `knowhow init` does, and so does the first `add` or
    `import`.

    COMMANDS:
    \(CommandTable.oneShot.map { hanging("  " + CommandTable.name(of: $0).padding(toLength: 11, withPad: " ", startingAt: 0), $0.configuration.abstract) }.joined(separator: "\n"))

    OPTIONS (before or after the command):
      --db PATH      the store to use (also KNOWHOW_DB; default
                     $XDG_DATA_HOME/knowhow/knowhow.db), or a shared PostgreSQL
                     store: postgresql://USER@HOST/DATABASE
      --demo         a throwaway copy of the demo community
      --as @HANDLE   act as this member (also KNOWHOW_USER, or user = "handle" in
                     ~/.config/knowhow/config.toml; in the shell, `set as @handle`)
      --shared       create a new store group-writable (0660, its folder 2770) for a
                     team; otherwise new stores are private (0600, folder 0700)
      -c LINE        run a line as the shell would; several run in order, as a
                     script does (they stop at the first error unless -k); the
                     status is the worst line's (1 when a search found nothing)
      -k, --keep-going  in a script, go on after an error
      --no-color     never colour output (NO_COLOR works too)
      --version      print the version

    EXIT STATUS: 0 success · 1 a search found nothing · 2 a usage or input error
                 3 the store could not be opened or written

    `knowhow help COMMAND` or `knowhow COMMAND --help` explains a command.
    """

    /// `label` then `text` word-wrapped to 80 columns, continuation lines under the text.
    static func hanging(_ label: String, _ text: String, width: Int = 80) -> String {
        let indent = String(repeating: " ", count: label.count)
        var lines: [String] = [], line = label
        for word in text.split(separator: " ") {
            if line.count > label.count, line.count + 1 + word.count > width { lines.append(line); line = indent + word }
            else { line += (line.count > label.count ? " " : "") + word }
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }

    /// What a front end other than the shell is started with: the opened store's community, the
    /// acting member (same rules as the shell), and the words after its command word.
    public struct FrontEnd {
        public var community: Community
        public var actor: String?
        public var arguments: [String]
        public var environment: [String: String]
    }

    /// Front ends by command word (`mcp`), set by the executable, which alone knows them all.
    public static var frontEnds: [String: (FrontEnd) -> Int32] = [:]

    /// Runs the program; returns the exit status.
    public static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                           opener: StoreOpener) -> Int32 {
        let globals: Globals, args: [String]
        do { (globals, args) = try extractGlobals(arguments) } catch {
            writeErr("knowhow: \(error)\n"); return 2
        }
        if globals.version { print("knowhow \(version)"); return 0 }
        // A mistyped --as must not fall back quietly to KNOWHOW_USER or the login name.
        if let a = globals.actor {
            do { _ = try Validation.handle(a) } catch { writeErr("knowhow: --as: \(error)\n"); return 2 }
        }
        if globals.help || args.first == "help" && args.count == 1 { print(rootHelp); return 0 }

        let stdoutTTY = TerminalInfo.isTerminal(STDOUT_FILENO)
        let colour = globals.colour ?? TerminalInfo.wantsColour(environment: environment)
        let console = Console(styler: Styler(enabled: colour), width: stdoutTTY ? TerminalInfo.width(environment: environment) : 80)
        console.outputIsTerminal = stdoutTTY
        var settings = Settings()
        settings.colour = colour

        // Open the store.
        let ctx: ShellContext
        do {
            let store: KnowledgeStore, label: String
            if globals.demo {
                store = try opener.openDemo(environment: environment); label = "demo"
            } else {
                let path = Paths.expand(globals.db ?? opener.defaultPath(environment: environment))
                store = try opener.open(path: path, shared: globals.shared); label = opener.label(for: path)
            }
            ctx = ShellContext(store: store, storeLabel: label, settings: settings, console: console, environment: environment)
            ctx.onTerminal = stdoutTTY && TerminalInfo.isTerminal(STDIN_FILENO)
            ctx.opener = opener
            ctx.sharedStores = globals.shared
            if globals.actor == nil, let u = environment["KNOWHOW_USER"], !u.isEmpty, (try? Validation.handle(u)) == nil {
                // Said, not refused: reading works as nobody, and a write names what it needs.
                writeErr("knowhow: KNOWHOW_USER='\(TerminalText.safe(u))' is not a handle, so it is ignored; set it to one such as kim-lee\n")
            }
            let identity = Identity.resolve(flag: globals.actor, environment: environment, store: store)
            ctx.actor = identity?.handle
            ctx.actorSource = identity?.source
        } catch {
            writeErr("knowhow: \(error)\n"); return status(for: error)
        }

        if let word = args.first, let frontEnd = frontEnds[word] {
            return frontEnd(FrontEnd(community: ctx.community, actor: ctx.actor, arguments: Array(args.dropFirst()), environment: environment))
        }
        if !globals.commands.isEmpty {
            // As a script: one shell, so `show 1` reads the list the line before made; the first
            // error ends the run (unless -k), and the status is the worst.
            let shell = Shell(ctx: ctx)
            var worst: Int32 = 0
            for line in globals.commands {
                let st = shell.runLine(line)
                flush(ctx)
                worst = max(worst, st.code)
                if st.quit || (st.code >= 2 && !globals.keepGoing) { break }
            }
            return worst
        }
        if args.isEmpty {
            if TerminalInfo.isTerminal(STDIN_FILENO) {
                ctx.interactive = true
                return InteractiveShell(ctx: ctx).run()
            }
            return Shell(ctx: ctx).runScript(keepGoing: globals.keepGoing)
        }
        // One-shot: the first word must be a command.
        let word = args[0]
        guard let cmd = CommandTable.command(named: word) else {
            if let near = CommandTable.nearest(word) {
                writeErr("knowhow: unknown command '\(word)'; did you mean `\(near)`?\n")
            } else {
                writeErr("knowhow: unknown command '\(word)'; `knowhow --help` lists the commands (to search, use `knowhow find \(word)`)\n")
            }
            return 2
        }
        if cmd.shellOnly && cmd != HelpCommand.self {
            writeErr("knowhow: `\(word)` works inside the shell; run `knowhow` (or `knowhow -c \"\(args.joined(separator: " "))\"`)\n")
            return 2
        }
        // On a terminal a one-shot command may ask (confirm a merge, open $EDITOR); in pipes it never does.
        if ctx.onTerminal {
            ctx.prompter = TerminalPrompter(reader: nil, environment: environment)
        }
        ctx.batchAllowed = true
        let st = Shell(ctx: ctx).execute(cmd, words: Array(args.dropFirst()))
        flush(ctx)
        return st.code
    }

    /// On a terminal, long output goes through the pager, as git's does; elsewhere it is written.
    static func flush(_ ctx: ShellContext) {
        if ctx.onTerminal { ctx.showOnTerminal() } else { ctx.console.flush() }
    }

    static func writeErr(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

    static func status(for error: Error) -> Int32 {
        guard let e = error as? KnowHowError else { return 2 }
        switch e {
        case .storeUnavailable, .storeBusy, .notAStore, .noStore, .cannotWrite, .internalError: return 3
        default: return 2
        }
    }
}

/// The result of running one line.
public struct LineStatus: Equatable {
    public var code: Int32
    public var quit = false
    public static let ok = LineStatus(code: 0)
}

/// Runs lines and commands against a context; shared by the interactive shell, scripts, `-c`
/// and one-shot commands, so they behave alike.
public final class Shell {
    public let ctx: ShellContext

    public init(ctx: ShellContext) { self.ctx = ctx }

    /// Runs one line as typed at the prompt.
    public func runLine(_ raw: String) -> LineStatus {
        let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.isEmpty || line.hasPrefix("#") { return .ok }
        let first = String(line.prefix { !$0.isWhitespace })
        let rest = String(line.dropFirst(first.count))
        if let cmd = CommandTable.command(named: first) {
            return actingForTheLine(ShellWords.split(rest, keepQuotes: cmd.takesQuery)) { execute(cmd, words: $0) }
        }
        // A bare number shows that result; a bare id or @handle, that entry or member.
        if Int(line) != nil || line == first && (first.hasPrefix("@") && first.count > 1 || (try? EntryID.parse(first)) != nil) {
            return execute(ShowCommand.self, words: [line])
        }
        // A near-miss of a command name is a typo, not a search.
        if !first.hasPrefix("\""), !first.contains(":"), rest.trimmingCharacters(in: .whitespaces).isEmpty || first.count >= 4,
           let near = CommandTable.nearest(first), first.count >= 3 {
            ctx.console.error("knowhow: unknown command '\(first)'; did you mean `\(near)`? (to search for it, type `find \(line)`)")
            return LineStatus(code: 2)
        }
        // `q` alone is someone leaving (as in less or a pager), not a search for the letter.
        if line == "q" {
            ctx.console.error("knowhow: 'q' alone is not a command; to leave, type `quit` (or \\q) or press Ctrl-D; to search for it, type `find q`")
            return LineStatus(code: 2)
        }
        if first.hasPrefix("\\") || first.hasPrefix(".") {
            ctx.console.error("knowhow: unknown command '\(first)'; `help` lists the commands")
            return LineStatus(code: 2)
        }
        return actingForTheLine(ShellWords.split(line, keepQuotes: true)) { execute(FindCommand.self, words: $0) }
    }

    /// `--as @handle` on a line (as on the command line) acts as that member for that line only.
    func actingForTheLine(_ words: [String], _ body: ([String]) -> LineStatus) -> LineStatus {
        guard let i = words.firstIndex(where: { $0 == "--as" || $0.hasPrefix("--as=") }) else { return body(words) }
        var rest = words
        let value: String?
        if words[i] == "--as" {
            value = i + 1 < words.count ? words[i + 1] : nil
            rest.removeSubrange(i...min(i + 1, words.count - 1))
        } else {
            value = String(words[i].dropFirst(5))
            rest.remove(at: i)
        }
        let handle: String
        do {
            guard let value, !value.isEmpty else {
                throw KnowHowError.missingField("a member's handle after --as (e.g. --as @kim)")
            }
            handle = try Validation.handle(value)
            _ = try ctx.store.member(handle)
        } catch {
            ctx.console.error("knowhow: \(error)")
            return LineStatus(code: 2)
        }
        let saved = (ctx.actor, ctx.actorSource)
        (ctx.actor, ctx.actorSource) = (handle, "--as on this line")
        defer { (ctx.actor, ctx.actorSource) = saved }
        return body(rest)
    }

    /// Parses words for one command and runs it, printing errors; never throws.
    public func execute(_ cmd: any ShellCommand.Type, words: [String]) -> LineStatus {
        let parsed: ShellCommand
        do {
            // Bytes that are not UTF-8 arrive as U+FFFD: a question or title would be saved mangled.
            if words.contains(where: { $0.contains("\u{FFFD}") }) {
                throw KnowHowError.unsupported("the line is not valid UTF-8 (a byte that is not shows as �); check your terminal's encoding; nothing was done")
            }
            try CommandTable.checkOptions(words, of: cmd)
        } catch {
            ctx.console.error("knowhow: \(error)")
            return LineStatus(code: 2)
        }
        do {
            parsed = try cmd.parse(cmd.takesQuery ? QueryWords.protect(words) : CommandTable.negativeNumbersAsArguments(words, of: cmd))
        } catch {
            let code = cmd.exitCode(for: error)
            let message = cmd.fullMessage(for: error, columns: ctx.console.width)
            if code == .success {
                ctx.console.print(message)
                return .ok
            }
            let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
            let name = CommandTable.name(of: cmd)
            // "Missing expected argument '<what>'" says what the argument is, from its help.
            if let r = firstLine.range(of: #"Missing expected argument '<[a-z-]+>'"#, options: .regularExpression) {
                let argument = String(firstLine[r].dropFirst("Missing expected argument '".count).dropLast())
                let said = cmd.helpMessage(columns: 10_000).split(separator: "\n")
                    .first { $0.hasPrefix("  \(argument) ") }
                    .map { $0.dropFirst(2 + argument.count).trimmingCharacters(in: .whitespaces) }
                if var said, !said.isEmpty {
                    if said.hasSuffix(".") { said.removeLast() }
                    // "The question (q3, …)" reads on as "the question (q3, …)".
                    if let f = said.first, f.isUppercase, let g = said.dropFirst().first, g.isLowercase || g == " " { said = f.lowercased() + said.dropFirst() }
                    ctx.console.error("knowhow: \(name) needs \(argument): \(said) (see `help \(name)`)")
                    return LineStatus(code: 2)
                }
            }
            ctx.console.error("knowhow: \(name): " + firstLine.replacingOccurrences(of: "Error: ", with: "")
                              + " (see `help \(name)`)")
            return LineStatus(code: 2)
        }
        do {
            switch try parsed.execute(ctx) {
            case .ok: return .ok
            case .noResults: return LineStatus(code: 1)
            case .quit: return LineStatus(code: 0, quit: true)
            }
        } catch is PromptCancelled {
            // Ctrl-C or Ctrl-D at a question a command did not expect to be cancelled.
            ctx.console.print("cancelled; nothing was changed")
            return .ok
        } catch {
            ctx.console.error("knowhow: " + ctx.identityAdvice("\(error)"))
            return LineStatus(code: KnowHowMain.status(for: error))
        }
    }

    /// Reads commands from stdin, one a line, with no prompt and no echo; stops at the first
    /// error unless `keepGoing`.
    public func runScript(keepGoing: Bool) -> Int32 {
        var worst: Int32 = 0
        var lineNumber = 0
        var pending = ""
        while let raw = Swift.readLine(strippingNewline: true) {
            lineNumber += 1
            var line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            if line.hasSuffix("\\") { pending += line.dropLast() + "\n"; continue }
            line = pending + line; pending = ""
            let st = runLine(line)
            ctx.console.flush { err in
                st.code >= 2 ? err.replacingOccurrences(of: "knowhow: ", with: "knowhow: line \(lineNumber): ") : err
            }
            if st.quit { break }
            if st.code >= 2 {
                worst = max(worst, st.code)
                if !keepGoing { return st.code }
            }
        }
        return worst
    }
}
