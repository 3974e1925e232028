import Foundation
import KnowHowCore
#if canImport(Glibc)
import Glibc
#endif

/// Completes by position from the command table and the store: command names, then handles,
/// ids with titles, tags with counts, filter keys and values, and file paths.
public final class ShellCompleter: Completer {
    let ctx: ShellContext
    let limit = 200

    public init(ctx: ShellContext) { self.ctx = ctx }

    public func completions(line: String, word: String) -> [Completion] {
        // A command's question (`add` asking for a kind) completes its choices.
        if let choices = (ctx.prompter as? TerminalPrompter)?.choices {
            return choices.filter { $0.hasPrefix(word.lowercased()) }.map { Completion($0) }
        }
        let before = String(line.dropLast(word.count))
        let words = ShellWords.split(before, keepQuotes: true)
        guard let first = words.first else {
            return commandNames(prefix: word)
        }
        guard let cmd = CommandTable.command(named: first) else {
            return queryWord(word)  // a line without a command searches
        }
        let position = words.count - 1
        let kinds = cmd.arguments
        let kind = kinds.isEmpty ? ArgumentKind.nothing : kinds[min(position, kinds.count - 1)]
        // `--as @handle` works on any line.
        if words.last == "--as" { return handles(word) }
        if word.hasPrefix("--") {
            return options(of: cmd, prefix: word) + ("--as".hasPrefix(word) ? [Completion("--as")] : [])
        }
        switch kind {
        case .query: return queryWord(word)
        case .reference: return reference(word)
        case .listType:
            return ["members", "resources", "practices", "questions", "answers", "meetings", "tags"]
                .filter { $0.hasPrefix(word.lowercased()) }.map { Completion($0) }
        case .file: return files(word)
        case .setting:
            if position == 0 {
                return ["limit", "json", "color", "pager", "as"].filter { $0.hasPrefix(word) }.map { Completion($0) }
            }
            if words.count >= 2, words[1] == "as" { return handles(word) }
            return ["on", "off"].filter { $0.hasPrefix(word) }.map { Completion($0) }
        case .command: return commandNames(prefix: word)
        case .meetingAction:
            return MeetingCommand.actions.filter { $0.hasPrefix(word.lowercased()) }.map { Completion($0) }
        case .nothing: return []
        }
    }

    func commandNames(prefix: String) -> [Completion] {
        let p = prefix.lowercased()
        return CommandTable.all.map(CommandTable.name(of:)).filter { $0.hasPrefix(p) }.map {
            Completion($0, description: CommandTable.command(named: $0)?.configuration.abstract)
        }
    }

    func options(of cmd: any ShellCommand.Type, prefix: String) -> [Completion] {
        let help = cmd.helpMessage(columns: 200)
        var found: [String] = []
        for token in help.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," }) where token.hasPrefix("--") {
            let name = String(token.prefix { $0 != "<" && $0 != "=" })
            if name.hasPrefix(prefix), !found.contains(name), name != "--" { found.append(name) }
        }
        return found.map { Completion($0) }
    }

    static let filterValues: [String: [String]] = [
        "type": EntryType.allCases.map(\.rawValue),
        "status": ResourceStatus.allCases.map(\.rawValue) + PracticeStatus.allCases.map(\.rawValue) + ["open", "answered"],
        "kind": ResourceKind.allCases.map(\.rawValue),
    ]

    func queryWord(_ word: String) -> [Completion] {
        var w = word
        var neg = ""
        if w.hasPrefix("-") { neg = "-"; w.removeFirst() }
        if let colon = w.firstIndex(of: ":") {
            let key = String(w[..<colon]).lowercased()
            let value = String(w[w.index(after: colon)...])
            let lead = neg + key + ":"
            switch key {
            case "tag":
                return ((try? ctx.store.tagNames(startingWith: value, limit: limit)) ?? []).map {
                    Completion(lead + $0.name, description: "\($0.count)")
                }
            case "by":
                return handles(value).map { Completion(lead + $0.value, description: $0.description) }
            default:
                return (Self.filterValues[key] ?? []).filter { $0.hasPrefix(value.lowercased()) }.map { Completion(lead + $0) }
            }
        }
        if w.hasPrefix("@") { return handles(w) }
        return Filter.Key.allCases.map { $0.rawValue + ":" }.filter { $0.hasPrefix(w.lowercased()) }.map { Completion(neg + $0) }
    }

    func handles(_ word: String) -> [Completion] {
        ((try? ctx.store.handles(startingWith: word, limit: limit)) ?? []).map { Completion("@" + $0) }
    }

    func reference(_ word: String) -> [Completion] {
        if word.hasPrefix("@") { return handles(word) }
        if let f = word.first, "rpqam".contains(f.lowercased()), word.dropFirst().allSatisfy(\.isNumber), word.count >= 1 {
            let ids = ((try? ctx.store.entryTitles(startingWith: word, limit: limit)) ?? []).map {
                Completion($0.id.description, description: $0.title)
            }
            if !ids.isEmpty || word.count > 1 { return ids }
        }
        return ((try? ctx.store.tagNames(startingWith: word, limit: limit)) ?? []).map {
            Completion($0.name, description: "\($0.count)")
        }
    }

    func files(_ word: String) -> [Completion] {
        let expanded = Paths.expand(word)
        let dir: String, prefix: String
        if let slash = expanded.lastIndex(of: "/") {
            dir = String(expanded[...slash]); prefix = String(expanded[expanded.index(after: slash)...])
        } else {
            dir = ""; prefix = expanded
        }
        let shownDir = word.hasPrefix("~/") && dir.hasPrefix(NSHomeDirectory()) ? "~" + dir.dropFirst(NSHomeDirectory().count) : dir
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        return entries.filter { $0.hasPrefix(prefix) && (prefix.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().map { name in
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (dir.isEmpty ? "" : dir) + name, isDirectory: &isDir)
            return Completion(shownDir + name + (isDir.boolValue ? "/" : ""))
        }
    }
}

/// The interactive loop: prompt, read, run, page.
final class InteractiveShell {
    let ctx: ShellContext
    let shell: Shell

    init(ctx: ShellContext) {
        self.ctx = ctx
        shell = Shell(ctx: ctx)
    }

    func run() -> Int32 {
        let reader = ReadlineLineReader(historyPath: ReadlineLineReader.defaultHistoryPath(environment: ctx.environment),
                                        completer: ShellCompleter(ctx: ctx))
        defer { reader.close() }
        ctx.prompter = TerminalPrompter(reader: reader, environment: ctx.environment)
        let s = ctx.console.styler
        func n(_ v: Int) -> String { StackExchangeDump.grouped(v) }
        let title = "KnowHow \(KnowHowMain.version)"
        func banner(_ facts: String) { print(s.bold(title) + s.dim(Layout.truncate(TerminalText.safe(facts), ctx.console.width - title.count - 1))) }
        let howToStart = "Empty store: start with `add member @you`, which makes you its first member and\n"
            + "curator; the shell then acts as you. (`open --demo` opens a sample community.)"
        // A PostgreSQL address is long (host, socket folder, options): the banner names the
        // database (the whole address is the one --db or KNOWHOW_DB gave).
        let place = ctx.isPostgres ? "\(ctx.storeName) on PostgreSQL" : ctx.storeLabel
        do {
            let c = try ctx.store.counts()
            banner(" · \(place) · \(n(c.members)) members, \(n(c.resources)) resources, \(n(c.practices)) practices, \(n(c.questions)) questions")
            if c.members == 0 { print(howToStart) }
        } catch KnowHowError.noStore {
            // Nothing is created until the first write: say so, and how to start.
            banner(" · \(place) · no store here yet")
            print(howToStart)
        } catch {
            banner(" · \(place)")
            print(Layout.wrap(TerminalText.safe("knowhow: \(error)"), width: ctx.console.width))
        }
        print(s.dim("Type words to search, `help` for commands, Tab to complete, Ctrl-D to quit."))
        while var line = reader.readLine(prompt: prompt()) {
            while line.hasSuffix("\\"), let more = reader.readLine(prompt: "   ...> ") {
                line = String(line.dropLast()) + "\n" + more
            }
            ctx.console.width = TerminalInfo.width(environment: ctx.environment)
            // Ctrl-C while a command runs must not kill the shell (writes are transactions anyway).
            signal(SIGINT, SIG_IGN)
            let st = shell.runLine(line)
            show()
            if st.quit { return 0 }
        }
        return 0
    }

    func prompt() -> String {
        let name = ctx.storeName
        // \001 and \002 tell readline the colour codes take no room.
        return ctx.console.styler.enabled ? "\u{01}\u{1B}[1;36m\u{02}\(name)\u{01}\u{1B}[0m\u{02}> " : "\(name)> "
    }

    /// Prints a command's output, through the pager when it does not fit the screen.
    func show() { ctx.showOnTerminal() }
}

extension ShellContext {
    /// Writes what was written so far to the shell's terminal: messages wrapped at its width,
    /// output through the pager when it does not fit the screen (after a command, and before a
    /// question in the middle of one, such as an entry opened from a list of similar ones).
    func showOnTerminal() {
        let data = console.holdsData
        let (drained, err) = console.drain()
        // Messages wrap between words at the terminal's width (as it is now), never mid-word, and
        // so do output lines too wide for it; data is written as it is.
        let width = TerminalInfo.width(environment: environment)
        if !err.isEmpty { FileHandle.standardError.write(Data((Layout.wrap(err, width: width) + "\n").utf8)) }
        guard !drained.isEmpty else { return }
        let out = data ? drained : Layout.fit(drained, width: width)
        // Rows, not lines: a line with no space to break at is wrapped by the terminal.
        let rows = data ? out.reduce(0) { $1 == "\n" ? $0 + 1 : $0 } : Layout.rows(out, width: width)
        // Through $PAGER (or less) in knowhow's own process group; see `ForegroundChild`.
        if settings.pager, rows >= TerminalInfo.height() - 1, Pager.page(out, environment: environment) { return }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
