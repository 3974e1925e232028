import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KnowHowCore

/// Settings a person can change with `set`.
public struct Settings: Equatable {
    public var limit = 10
    public var json = false
    public var colour = false
    public var pager = true

    public init() {}
}

/// How a command ended, beyond "it worked".
public enum Outcome: Equatable {
    case ok
    /// A search that found nothing: exit status 1, as grep does.
    case noResults
    /// `quit`: leave the shell.
    case quit
}

/// What every command works with: the store, settings, the console, and the numbered results of
/// the last listing (so `show 2` works).
public final class ShellContext {
    /// The store; its writes are made for `actor` (nobody when nil) and checked against their role.
    public var store: KnowledgeStore
    public var storeLabel: String
    /// The store's short name, as the prompt shows it: `demo`, a file's name without `.db`, or a
    /// PostgreSQL database's name (from the address's path or `dbname=`; `knowhow` when the
    /// address names none and PGDATABASE decides).
    public var storeName: String {
        if storeLabel == "demo" { return "demo" }
        if isPostgres {
            let parts = URLComponents(string: storeLabel)
            let path = parts?.path.split(separator: "/").last.map(String.init)
            let named = parts?.queryItems?.first { $0.name == "dbname" }?.value ?? path
            return named.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGDATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? "knowhow"
        }
        let file = storeLabel.split(separator: "/").last.map(String.init) ?? storeLabel
        return file.hasSuffix(".db") ? String(file.dropLast(3)) : file
    }
    /// Whether the store is a PostgreSQL database (its label is an address).
    public var isPostgres: Bool { storeLabel.hasPrefix("postgresql://") || storeLabel.hasPrefix("postgres://") }
    /// Opens the stores `open` leads to; nil where the front end offers no other store.
    public var opener: StoreOpener?
    /// `--shared`: a store `open` leads to is created group-writable.
    public var sharedStores = false
    /// The store was chosen with `open` (at the prompt, in a script or a -c line), not at the
    /// start by --db, KNOWHOW_DB or the default.
    public var storeOpened = false
    /// Advice on choosing another store names `open`: it was chosen so, or can be at the prompt;
    /// otherwise --db.
    var choosesStoresWithOpen: Bool { interactive || storeOpened }
    public var settings: Settings
    public let console: Console
    public var lastRefs: [EntryRef] = []
    public let environment: [String: String]
    public var interactive: Bool
    /// Standard input and output are a terminal (the shell, or a one-shot command typed at one):
    /// a command may ask, and long output goes through the pager.
    public var onTerminal = false
    /// How the acting member was decided (`--as`, KNOWHOW_USER, config.toml, …), for `whoami`.
    public var actorSource: String?
    /// True for a one-shot command, the only kind that may read standard input with --batch.
    public var batchAllowed = false
    /// The acting member's handle (see `Identity`).
    public var actor: String?
    /// Asks questions in the middle of a command (the shell, a one-shot on a terminal, tests);
    /// nil in scripts, where commands never ask and a missing answer is an error naming the flag.
    public var prompter: Prompter?
    /// Now, or KNOWHOW_NOW (a day or a time) so that tests and transcripts do not age.
    public var now: Timestamp {
        environment["KNOWHOW_NOW"].flatMap(Timestamp.init) ?? .now
    }
    public var today: Day { now.day }

    /// The use cases over the store, on this context's clock.
    public var community: Community {
        let environment = self.environment
        return Community(store: store, clock: { environment["KNOWHOW_NOW"].flatMap(Timestamp.init) ?? .now })
    }

    public init(store: KnowledgeStore, storeLabel: String, settings: Settings = Settings(), console: Console,
                environment: [String: String] = ProcessInfo.processInfo.environment, interactive: Bool = false) {
        self.store = store; self.storeLabel = storeLabel; self.settings = settings; self.console = console
        self.environment = environment; self.interactive = interactive
    }

    /// Who a write is made for (`actor`, nobody when nil) and the time it is stamped with (`now`).
    var acting: Acting { Acting(ActingAs(actor), at: now) }

    var styler: Styler { console.styler }

    /// Writes a value as pretty JSON (stable key order).
    func printJSON<T: Encodable>(_ value: T) throws {
        try printJSON(value, pretty: true)
    }

    /// Writes a value as one line of JSON (for --batch).
    func printJSONLine<T: Encodable>(_ value: T) throws {
        try printJSON(value, pretty: false)
    }

    private func printJSON<T: Encodable>(_ value: T, pretty: Bool) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        console.print(JSONText.escapingInvisibles(String(decoding: try enc.encode(value), as: UTF8.self)))
        console.holdsData = true
    }

    /// `--batch`: runs `body` on each non-empty line of standard input and writes one JSON line
    /// for each as soon as it is ready (an error object for a line that cannot be run, so one bad
    /// line does not end the batch); `.noResults` when no line found anything.
    ///
    /// Only a one-shot command may read standard input so: in a script or the shell, stdin holds
    /// the next commands. Every input line gets its output line, a blank one too, so that outputs
    /// line up with inputs.
    func runBatch(_ command: String, _ body: (String) throws -> (json: any Encodable, found: Bool)) throws -> Outcome {
        guard batchAllowed else {
            throw KnowHowError.unsupported("--batch reads standard input; use it as a one-shot command: knowhow \(command) --batch")
        }
        var any = false
        while let line = Swift.readLine() {
            let text = line.trimmingCharacters(in: .whitespaces)
            do {
                if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace || $0.properties.isDefaultIgnorableCodePoint }) {
                    throw KnowHowError.emptyQuery("this line is blank: nothing to search for")
                }
                let (json, found) = try body(text)
                any = any || found
                try printJSONLine(json)
            } catch let e as KnowHowError {
                try printJSONLine(["query": text, "error": e.description])
            }
            console.flush()
        }
        return any ? .ok : .noResults
    }

    /// Advice on saying who you are, worded for where it is read: the store and the core say
    /// "pass --as @handle", right on a command line; inside the shell it is `set as @handle`.
    /// Likewise a store chosen with `open` is changed with `open`, not --db.
    func identityAdvice(_ message: String) -> String {
        let advice = "pass --as @handle or set KNOWHOW_USER"
        if message.contains(advice), (try? store.counts().members) == 0 {
            return message.replacingOccurrences(of: advice, with: "this store has no members yet; start with `add member @you`")
        }
        // A missing store is made with `init` where `open` chose it, not by starting knowhow again.
        let message = !choosesStoresWithOpen ? message : message
            .replacingOccurrences(of: #"make one with `knowhow --db [^`]* init`"#, with: "make one with `init`", options: .regularExpression)
            .replacingOccurrences(of: #"to make it one, run `knowhow --db [^`]* init`"#, with: "to make it one, run `init`", options: .regularExpression)
            .replacingOccurrences(of: "give another path with --db", with: "`open` another path")
            .replacingOccurrences(of: "give a path in a folder you can write with --db", with: "`open` a path in a folder you can write")
            .replacingOccurrences(of: "give the path of a store file with --db", with: "`open` the path of a store file")
            .replacingOccurrences(of: "give the path of a KnowHow store, or of a new file, with --db", with: "`open` a KnowHow store, or a new file")
        guard interactive else { return message }
        return message
            .replacingOccurrences(of: "pass --as @handle or set KNOWHOW_USER", with: "type `set as @handle`")
            .replacingOccurrences(of: "pass --as with a member's handle", with: "type `set as @handle` with a member's handle")
    }

    /// The acting member's handle, or an error saying how to say who you are.
    func requireActor(_ action: String) throws -> String {
        guard let a = actor else { throw KnowHowError.notIdentified(action: action) }
        _ = try store.member(a)
        return a
    }

    /// A reference as typed: `@kim`, `r12`, a result number from the last listing, or nil.
    func resolve(_ text: String) throws -> EntryRef? {
        if let n = Int(text), !text.hasPrefix("+"), !text.hasPrefix("-") {
            guard n >= 1, n <= lastRefs.count else {
                throw KnowHowError.unsupported(lastRefs.isEmpty
                    ? "there are no numbered results yet; search first, e.g. `find onboarding`, then `show 1`"
                    : "there is no result \(n); the last list had \(lastRefs.count)")
            }
            return lastRefs[n - 1]
        }
        _ = try EntryID.parse(text.trimmingCharacters(in: .whitespaces))  // refuses an id too large to be one
        return EntryRef(text)
    }
}

/// Reads files for `import`.
public enum Importer {
    public static func importFile(_ path: String, into store: KnowledgeStore, renumber: Bool = false,
                                  progress: ((String) -> Void)? = nil, as acting: Acting) throws -> ImportSummary {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw KnowHowError.fileNotFound(path) }
        if isDir.boolValue {
            guard StackExchangeDump.isDump(folder: path) else {
                throw KnowHowError.unsupported("\(path) is a folder without a Posts.xml; give a community file (.json) such as one written by `export`, or a Stack Exchange data-dump folder")
            }
            try store.create()
            return try store.importStackExchange(folder: path, site: nil, progress: progress, as: acting)
        }
        // Read record by record: a file of a million entries is never decoded whole.
        let records = try CommunityFileReader(path: path)
        // Only now that the file is known good: an import may start a new store.
        try store.create()
        do {
            return try store.importCommunity(records, renumber: renumber, progress: progress, as: acting)
        } catch KnowHowError.badImport(_, let location, let reason) {
            throw KnowHowError.badImport(path: path, location: location, reason: reason)
        }
    }
}
