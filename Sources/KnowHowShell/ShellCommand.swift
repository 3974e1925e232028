import ArgumentParser
import Foundation
import KnowHowCore

/// What a command's positional words are, so completion can offer the right things.
public enum ArgumentKind: Equatable {
    case query, reference, listType, file, setting, command, nothing
}

/// A command of the one table: its name, aliases, help and options come from its
/// `CommandConfiguration` and property wrappers; these add what the shell needs.
public protocol ShellCommand: ParsableCommand {
    /// What each positional word is (the last repeats).
    static var arguments: [ArgumentKind] { get }
    /// True when the words after the name are search text, kept as typed (quotes and all).
    static var takesQuery: Bool { get }
    /// True when the command exists only inside the shell (`help`, `quit`, `open`, `set`).
    static var shellOnly: Bool { get }
    func execute(_ ctx: ShellContext) throws -> Outcome
}

extension ShellCommand {
    public static var takesQuery: Bool { false }
    public static var shellOnly: Bool { false }
    public mutating func run() throws {
        throw CleanExit.message("run through KnowHowMain")
    }
}

/// The one table of commands: dispatch, help and completion all read it.
public enum CommandTable {
    public static let all: [any ShellCommand.Type] = [
        FindCommand.self, WhoCommand.self, ShowCommand.self, ListCommand.self, AskCommand.self, AnswerCommand.self,
        AcceptCommand.self, EndorseCommand.self, ImportCommand.self, ExportCommand.self, InitCommand.self, WhoamiCommand.self,
        AddCommand.self, EditCommand.self, TagCommand.self, TagsCommand.self, MergeCommand.self, DuplicatesCommand.self,
        VerifyCommand.self, RetireCommand.self, ReviewCommand.self, StaleCommand.self, HistoryCommand.self, UndoCommand.self,
        StatsCommand.self, GapsCommand.self, TopicsCommand.self, MatchCommand.self, GraphCommand.self, ConfigCommand.self,
        HelpCommand.self, SetCommand.self, OpenCommand.self, QuitCommand.self,
    ]

    public static var oneShot: [any ShellCommand.Type] { all.filter { !$0.shellOnly } }

    public static func name(of c: any ShellCommand.Type) -> String {
        c.configuration.commandName ?? String(describing: c)
    }

    public static func names(of c: any ShellCommand.Type) -> [String] {
        [name(of: c)] + c.configuration.aliases
    }

    public static func command(named word: String) -> (any ShellCommand.Type)? {
        let w = word.lowercased()
        return all.first { names(of: $0).contains(w) }
    }

    /// The command names nearest to a mistyped word.
    public static func nearest(_ word: String) -> String? {
        let w = word.lowercased()
        guard w.count >= 2 else { return nil }
        let limit = w.count <= 4 ? 1 : 2
        var best: (String, Int)?
        for c in all {
            for n in names(of: c) {
                let d = EditDistance.distance(w, n, limit: limit)
                if d <= limit, best == nil || d < best!.1 { best = (n, d) }
            }
        }
        return best?.0
    }
}

/// Shared options of commands that print results.
public struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Write JSON for scripts.")
    public var json = false

    @Option(name: [.customLong("limit"), .customShort("n")], help: "Show at most this many results.")
    public var limit: Int?

    public init() {}

    func limit(_ ctx: ShellContext) throws -> Int {
        let l = limit ?? ctx.settings.limit
        guard (1...10_000).contains(l) else {
            throw KnowHowError.invalidValue(field: "limit", value: String(l), expected: "a number from 1 to 10000")
        }
        return l
    }

    func json(_ ctx: ShellContext) -> Bool { json || ctx.settings.json }
}
