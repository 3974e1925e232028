import ArgumentParser
import Foundation
import KnowHowCore

/// What a command's positional words are, so completion can offer the right things.
public enum ArgumentKind: Equatable {
    case query, reference, listType, file, setting, command, nothing
    /// What `meeting` does: series, plan, add, notes…
    case meetingAction
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
    /// True when the command takes its words as they come, dashes and all (`tag r12 -draft`,
    /// `ask … -1?`): a negative number among them is one of the words already.
    static var collectsWords: Bool { get }
    func execute(_ ctx: ShellContext) throws -> Outcome
}

extension ShellCommand {
    public static var takesQuery: Bool { false }
    public static var shellOnly: Bool { false }
    public static var collectsWords: Bool { false }
    public mutating func run() throws {
        throw CleanExit.message("run through KnowHowMain")
    }
}

/// The one table of commands: dispatch, help and completion all read it.
public enum CommandTable {
    public static let all: [any ShellCommand.Type] = [
        FindCommand.self, SimilarCommand.self, WhoCommand.self, ShowCommand.self, ListCommand.self, AskCommand.self, AnswerCommand.self,
        AcceptCommand.self, EndorseCommand.self, ImportCommand.self, ExportCommand.self, InitCommand.self, WhoamiCommand.self,
        AddCommand.self, EditCommand.self, TagCommand.self, TagsCommand.self, MergeCommand.self, DuplicatesCommand.self,
        VerifyCommand.self, RetireCommand.self, ReviewCommand.self, StaleCommand.self, HistoryCommand.self, UndoCommand.self,
        StatsCommand.self, GapsCommand.self, TopicsCommand.self, MatchCommand.self, GraphCommand.self, ConfigCommand.self,
        MeetingsCommand.self, MeetingCommand.self,
        HelpCommand.self, SetCommand.self, OpenCommand.self, ClearCommand.self, QuitCommand.self,
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

    /// A command's options as typed (`--json`, `-n`), each with whether it takes a value; read from
    /// the command's own declarations, so that checking, help and parsing cannot disagree.
    static func options(of c: any ShellCommand.Type) -> [String: Bool] {
        optionsByCommand[name(of: c)] ?? [:]
    }

    /// Every command's options, worked out once.
    private static let optionsByCommand: [String: [String: Bool]] = Dictionary(uniqueKeysWithValues: all.map { c in
        var options: [String: Bool] = ["--help": false, "-h": false]
        let dump = try? JSONSerialization.jsonObject(with: Data(c._dumpHelp().utf8)) as? [String: Any]
        let arguments = (dump?["command"] as? [String: Any])?["arguments"] as? [[String: Any]] ?? []
        for argument in arguments {
            let takesValue = argument["kind"] as? String == "option"
            for n in argument["names"] as? [[String: Any]] ?? [] {
                guard let text = n["name"] as? String else { continue }
                options[(n["kind"] as? String == "short" ? "-" : "--") + text] = takesValue
            }
        }
        return (name(of: c), options)
    })

    /// Options any command takes a value for (`--limit`, `--days`): one-shot use may give them
    /// before the command word.
    static let valuedOptions: Set<String> = Set(all.flatMap { c in options(of: c).filter(\.value).map(\.key) })

    /// Checks the `--words` among a command's words: an option it does not have is refused with
    /// the nearest one it does have, and an option's value that looks like a negative number is
    /// named as given (the parser would take it for an option).
    static func checkOptions(_ words: [String], of c: any ShellCommand.Type) throws {
        let known = options(of: c)
        for (i, word) in words.enumerated() {
            if word == "--" { return }
            guard word.hasPrefix("--"), word.count > 2, !word.contains(where: \.isWhitespace) else { continue }
            let option = String(word.prefix { $0 != "=" })
            if let takesValue = known[option] {
                if takesValue, !word.contains("="), i + 1 < words.count, isNegativeNumber(words[i + 1]) {
                    throw KnowHowError.invalidValue(field: option, value: QueryWords.text([words[i + 1]]), expected: "a whole number of 1 or more")
                }
                continue
            }
            let near = known.keys.filter { $0.hasPrefix("--") && $0 != "--help" }
                .map { ($0, EditDistance.distance(option, $0, limit: 3)) }.filter { $0.1 <= 3 }.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
            let quoted = c.takesQuery ? " (to search for it, quote it: \"\(word)\")" : ""
            throw KnowHowError.unsupported("`\(name(of: c))` has no option \(option); "
                                           + (near.map { "did you mean \($0)?" } ?? "`help \(name(of: c))` lists its options") + quoted)
        }
        // `-n -1`: the short form too.
        for (i, word) in words.enumerated() where known[word] == true && !word.hasPrefix("--") {
            if i + 1 < words.count, isNegativeNumber(words[i + 1]) {
                throw KnowHowError.invalidValue(field: word, value: QueryWords.text([words[i + 1]]), expected: "a whole number of 1 or more")
            }
        }
    }

    /// A negative number among a command's positional words (`show -1`) put after `--`, so that
    /// the parser reads it as the argument it stands for (and the command refuses it as a bad id)
    /// rather than as an unknown option. Search commands protect their words in `QueryWords`, and
    /// a number given to an option is refused by `checkOptions` first.
    static func negativeNumbersAsArguments(_ words: [String], of c: any ShellCommand.Type) -> [String] {
        guard !c.takesQuery, !c.collectsWords, !words.contains("--"), words.contains(where: isNegativeNumber) else { return words }
        let known = options(of: c)
        var options: [String] = [], arguments: [String] = [], i = 0
        while i < words.count {
            let w = words[i]
            if w.hasPrefix("-"), !isNegativeNumber(w) {
                options.append(w)  // an option, known or not (the parser names one it does not know)
                if known[w] == true, i + 1 < words.count { options.append(words[i + 1]); i += 1 }
            } else {
                arguments.append(w)
            }
            i += 1
        }
        return options + ["--"] + arguments
    }

    private static func isNegativeNumber(_ w: String) -> Bool {
        let t = QueryWords.text([w])
        return t.hasPrefix("-") && t.count > 1 && t.dropFirst().allSatisfy(\.isNumber)
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
        try bounded(limit ?? ctx.settings.limit, "--limit", 1...10_000)
    }

    func json(_ ctx: ShellContext) -> Bool { json || ctx.settings.json }
}

/// A number given to an option, refused (naming the option, the value and the range) when it is
/// out of bounds: huge values would otherwise overflow date arithmetic or wrap around.
func bounded(_ value: Int, _ option: String, _ range: ClosedRange<Int>) throws -> Int {
    guard range.contains(value) else {
        throw KnowHowError.invalidValue(field: option, value: String(value),
                                        expected: "a number from \(Validation.grouped(range.lowerBound)) to \(Validation.grouped(range.upperBound))")
    }
    return value
}
