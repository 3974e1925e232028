import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KnowHowCore

public struct FindCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Search members and entries: resources, practices, Q&A, meetings.",
        discussion: """
        Words must all match (stemmed: onboarding finds onboard). "exact phrase", prefix*, a OR b, -word or NOT word to exclude, (groups).
        A sentence of three or more words (no syntax but quotes) shows the closest matches when fewer \
        than a page of entries hold every word, and always from five words on; it says so, and its \
        quoted words and phrases stay required.

        Filters: type:member|resource|practice|question|answer|meeting, tag:TAG (aliases work), by:@handle, status:verified|proposed|retired|active|archived|open|answered, kind:guide|template|tool|…, sector:TEXT. Prefix a filter with - to exclude it.

        Examples: find onboarding · find "reflective supervision" type:practice · find coach* -sport
        """,
        aliases: ["search", "f"])
    public static let arguments: [ArgumentKind] = [.query]
    public static let takesQuery = true

    @OptionGroup public var output: OutputOptions
    @Flag(name: .long, help: "Read searches from standard input, one a line (with --json: one JSON line each).")
    public var batch = false
    @Argument(parsing: .allUnrecognized, help: "What to look for.")
    public var words: [String] = []

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        if batch {
            // A script's searches are not people's: not logged.
            return try ctx.runBatch("find") { text in
                let found = try ctx.community.find(text, limit: try output.limit(ctx), as: ctx.actor, log: false)
                return (found.results, !found.results.hits.isEmpty)
            }
        }
        let text = QueryWords.text(words)
        let found = try ctx.community.find(text, limit: try output.limit(ctx), as: ctx.actor)
        let results = found.results.results
        ctx.lastRefs = results.hits.map(\.ref)
        if output.json(ctx) {
            try ctx.printJSON(found.results)
        } else {
            if let notice = found.results.notice { ctx.console.print(ctx.console.styler.dim(notice)) }
            Render.results(results, ctx: ctx, emptyMessage: "nothing matches '\(text)'")
        }
        return results.hits.isEmpty ? .noResults : .ok
    }
}

public struct ListCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List members, resources, practices, questions, answers, meetings or tags, optionally narrowed by a search.",
        discussion: "Examples: list members sector:health · list members role:curator · list resources kind:template · list tags onboard",
        aliases: ["ls"])
    public static let arguments: [ArgumentKind] = [.listType, .query]
    public static let takesQuery = true

    @OptionGroup public var output: OutputOptions
    @Argument(help: "members, resources, practices, questions, answers, meetings or tags.")
    public var what: String
    @Argument(parsing: .allUnrecognized, help: "An optional search to narrow the list.")
    public var words: [String] = []

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let text = QueryWords.text(words)
        let limit = try output.limit(ctx)
        if what.lowercased().hasPrefix("tag") {
            let tags = try ctx.store.listTags(query: text.isEmpty ? nil : text, limit: limit)
            if output.json(ctx) { try ctx.printJSON(tags.map(TagView.init)) } else { Render.tags(tags, ctx: ctx) }
            return tags.isEmpty ? .noResults : .ok
        }
        guard let type = EntryType(word: what) else {
            throw KnowHowError.invalidValue(field: "list", value: what, expected: "members, resources, practices, questions, answers, meetings or tags")
        }
        let listed = try ctx.community.list(type, matching: text, limit: limit)
        let results = listed.results
        ctx.lastRefs = results.hits.map(\.ref)
        if output.json(ctx) {
            try ctx.printJSON(listed)
        } else {
            Render.results(results, ctx: ctx, emptyMessage: Community.emptyListNote(type, matching: text))
        }
        return results.hits.isEmpty ? .noResults : .ok
    }
}

public struct ShowCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one member (@handle), entry (r12, p3, q7, a40, m4), tag, or result number from the last list.",
        aliases: ["s", "view"])
    public static let arguments: [ArgumentKind] = [.reference]

    @Flag(name: .long, help: "Write JSON for scripts.") public var json = false
    @Argument(help: "@handle, r12, p3, q7, a40, m4, a tag, or a number from the last results.")
    public var reference: String

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let json = self.json || ctx.settings.json
        if var ref = try ctx.resolve(reference) {
            // A merged-away id or handle still works: it points at what it was merged into.
            if let to = try ctx.store.redirect(ref) {
                let note = "\(ref) was merged into \(to)"
                if json { ctx.console.error(note) } else { ctx.console.print(ctx.styler.dim(note)) }
                ref = to
            }
            try Render.show(ref, ctx: ctx, json: json)
            return .ok
        }
        guard (try? Validation.tag(reference)) != nil else { throw KnowHowError.unknownReference(reference) }
        let page: TagPageView
        do { page = try ctx.community.tagPage(reference) } catch KnowHowError.unknownTag(let t, let s) {
            throw KnowHowError.unsupported("'\(t)' is not an id, a @handle or a tag" + (s.map { "; did you mean the tag '\($0)'?" } ?? "; ids look like r12, p3, q7"))
        }
        try Render.showTag(page, ctx: ctx, json: json)
        return .ok
    }
}

public struct ImportCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a community file (.json), a calendar (.ics: its events become meetings) or a Stack Exchange data-dump folder, in one transaction.",
        discussion: "Records already present are skipped, so importing the same file twice adds nothing. An id the store holds with another title is refused, unless --renumber.")
    public static let arguments: [ArgumentKind] = [.file]

    @Argument(help: "A community file (.json) or a Stack Exchange data-dump folder (with Posts.xml).") public var file: String
    @Flag(help: "Give records whose id the store holds with another title a new id, and list them.") public var renumber = false

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        // Progress is redrawn in place on a terminal, and cleared at the end.
        let live = TerminalInfo.isTerminal(STDERR_FILENO)
        let progress: ((String) -> Void)? = live ? { ctx.console.progress($0) } : nil
        defer { if live { ctx.console.progress(nil) } }
        let path = Paths.expand(file)
        if path.lowercased().hasSuffix(".ics") {
            // An iCalendar file: its events become meetings, all or nothing.
            guard let data = FileManager.default.contents(atPath: path) else { throw KnowHowError.fileNotFound(path) }
            guard let text = String(data: data, encoding: .utf8) else {
                throw KnowHowError.badCalendar(path: path, line: nil, reason: "it is not UTF-8 text")
            }
            ctx.console.print(try ctx.community.importCalendar(text, path: file, as: ctx.actor).description)
            return .ok
        }
        let summary = try Importer.importFile(path, into: ctx.store, renumber: renumber, progress: progress, as: ctx.acting)
        ctx.console.print(summary.description)
        return .ok
    }
}

public struct ExportCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the whole community as a JSON community file (to standard output without FILE, or with -).")
    public static let arguments: [ArgumentKind] = [.file]

    @Argument(help: "Where to write; standard output when left out or -.") public var file: String?

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let data = try ctx.store.exportCommunity().encoded()
        guard let file, file != "-" else {
            ctx.console.out += String(decoding: data, as: UTF8.self)
            ctx.console.holdsData = true
            return .ok
        }
        let path = Paths.expand(file)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw KnowHowError.cannotWrite(path: path, reason: "check that the folder exists and is writable")
        }
        let c = try ctx.store.counts()
        ctx.console.print("wrote \(path): " + [Layout.count(c.members, "member"), Layout.count(c.resources, "resource"), Layout.count(c.practices, "practice"),
                                                Layout.count(c.questions, "question"), Layout.count(c.tags, "tag")].joined(separator: ", "))
        return .ok
    }
}

public struct InitCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the store (at --db PATH, or the default) if it does not exist yet; --shared makes it group-writable.",
        discussion: "A new store is private (0600, a new folder 0700); with --shared before or after the command it is 0660 and its new folder 2770, for a team's group. Reading never creates a store; `add member` and `import` do.")
    public static let arguments: [ArgumentKind] = [.nothing]

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        if try ctx.store.create() {
            ctx.console.print("created a new store at \(ctx.storeLabel); next, `add member @you` makes you its first member and curator, or `import FILE` fills it")
        } else {
            let c = try ctx.store.counts()
            ctx.console.print("the store at \(ctx.storeLabel) already exists (\(c.members) members, \(c.entries) entries); nothing was changed")
        }
        return .ok
    }
}

public struct HelpCommand: ShellCommand {
    public static let collectsWords = true
    public static let configuration = CommandConfiguration(
        commandName: "help",
        abstract: "List commands, explain one (help find), or search the help (help alias).",
        aliases: ["?", "\\?", "\\h"])
    public static let arguments: [ArgumentKind] = [.command]
    public static let shellOnly = true

    @Argument(parsing: .allUnrecognized) public var topic: [String] = []

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        Render.help(topic.joined(separator: " "), ctx: ctx)
        return .ok
    }
}

public struct SetCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Show or change a setting: set limit 20 · set json on · set color off · set pager off · set as @handle.")
    public static let arguments: [ArgumentKind] = [.setting, .nothing]
    public static let shellOnly = true

    @Argument public var name: String?
    @Argument public var value: String?

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        guard let name else {
            let s = ctx.settings
            ctx.console.print("limit  \(s.limit)\njson   \(s.json ? "on" : "off")\ncolor  \(s.colour ? "on" : "off")\npager  \(s.pager ? "on" : "off")\nas     \(ctx.actor.map { "@" + $0 } ?? "nobody")")
            return .ok
        }
        guard let value else { throw KnowHowError.missingField("a value (set \(name) VALUE)") }
        func flag() throws -> Bool {
            switch value.lowercased() {
            case "on", "true", "yes", "1": return true
            case "off", "false", "no", "0": return false
            default: throw KnowHowError.invalidValue(field: name, value: value, expected: "on or off")
            }
        }
        switch name.lowercased() {
        case "limit":
            guard let n = Int(value), (1...10_000).contains(n) else {
                throw KnowHowError.invalidValue(field: "limit", value: value, expected: "a number from 1 to 10,000")
            }
            ctx.settings.limit = n
        case "json": ctx.settings.json = try flag()
        case "color", "colour":
            ctx.settings.colour = try flag()
            ctx.console.styler = Styler(enabled: ctx.settings.colour)
        case "pager": ctx.settings.pager = try flag()
        case "as", "user":
            let h = try Validation.handle(value)
            _ = try ctx.store.member(h)
            ctx.actor = h
            ctx.actorSource = "set as"
        default:
            throw KnowHowError.invalidValue(field: "setting", value: name, expected: "limit, json, color, pager or as")
        }
        ctx.console.print("\(name.lowercased()) = \(value.lowercased())")
        return .ok
    }
}

public struct OpenCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Switch to another store file (`init` creates a new one), or `open --demo`.")
    public static let arguments: [ArgumentKind] = [.file]
    public static let shellOnly = true

    @Flag(name: .long, help: "Open a fresh copy of the demo community.") public var demo = false
    @Argument public var path: String?

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        guard let opener = ctx.opener else {
            throw KnowHowError.unsupported("this knowhow cannot open other stores; start it again with --db PATH or --demo")
        }
        // From here stores are chosen with `open`: a path it refuses gets advice that names `open`.
        ctx.storeOpened = true
        if demo {
            ctx.store = try opener.openDemo(environment: ctx.environment)
            ctx.storeLabel = "demo"
        } else {
            guard let path else { throw KnowHowError.missingField("a path (open PATH, or open --demo)") }
            let p = Paths.expand(path)
            ctx.store = try opener.open(path: p, shared: ctx.sharedStores)
            ctx.storeLabel = opener.label(for: p)
        }
        ctx.lastRefs = []
        let c: StoreCounts
        do { c = try ctx.store.counts() } catch KnowHowError.noStore {
            ctx.console.print("opened \(ctx.storeLabel): there is no store there yet; `init` creates it, and so does `add member @you` or `import FILE`")
            return .ok
        }
        ctx.console.print("opened \(ctx.storeLabel): \(Layout.count(c.members, "member")), \(Layout.count(c.entries, "entry", "entries")), \(Layout.count(c.tags, "tag"))")
        return .ok
    }
}

public struct QuitCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "quit", abstract: "Leave the shell (Ctrl-D works too).", aliases: ["exit", "\\q", ":q"])
    public static let arguments: [ArgumentKind] = [.nothing]
    public static let shellOnly = true

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome { .quit }
}

/// `clear`: a fresh screen, as in a terminal's own shell (Ctrl-L does the same). Only a terminal
/// is sent the clearing sequence; piped output gets nothing, so a script's output stays clean.
public struct ClearCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "clear", abstract: "Clear the screen (Ctrl-L too); `find clear` searches the word.", aliases: ["cls"])
    public static let arguments: [ArgumentKind] = [.nothing]
    public static let shellOnly = true

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        ctx.console.flush()
        if ctx.console.outputIsTerminal { ctx.console.sink.out("\u{1B}[H\u{1B}[2J\u{1B}[3J") }
        return .ok
    }
}

enum Paths {
    static func expand(_ p: String) -> String {
        if p == "~" { return NSHomeDirectory() }
        if p.hasPrefix("~/") { return NSHomeDirectory() + String(p.dropFirst()) }
        return p
    }
}
