import Foundation
import KnowHowCore
#if canImport(Glibc)
import Glibc
#endif

/// Asks a person things in the middle of a command: one line at a time, or long text in $EDITOR.
public protocol Prompter: AnyObject {
    /// Reads one answer; nil at end of input or on Ctrl-C (which callers take as "cancel"). `choices` are offered
    /// for completion where the terminal can.
    func ask(_ question: String, choices: [String]) -> String?
    /// Long text edited in $EDITOR, starting from `text`; returns what was saved.
    func edit(_ text: String, fileExtension: String) throws -> String
}

/// Asks at the terminal: through the shell's line reader when there is one (editing, history,
/// completion of the choices), else from standard input; long text goes to $VISUAL or $EDITOR.
public final class TerminalPrompter: Prompter {
    let reader: LineReader?
    let environment: [String: String]
    /// The choices of the question being asked, for the completer.
    public private(set) var choices: [String]?

    public init(reader: LineReader?, environment: [String: String]) {
        self.reader = reader; self.environment = environment
    }

    public func ask(_ question: String, choices: [String]) -> String? {
        self.choices = choices
        defer { self.choices = nil }
        if let reader { return reader.readAnswer(prompt: question) }
        FileHandle.standardOutput.write(Data(question.utf8))
        return Swift.readLine()
    }

    public func edit(_ text: String, fileExtension: String) throws -> String {
        try Editor.edit(text, fileExtension: fileExtension, environment: environment)
    }
}

/// Runs the person's editor on a temporary file.
public enum Editor {
    /// $VISUAL, else $EDITOR, else vi.
    public static func command(environment: [String: String]) -> String {
        for key in ["VISUAL", "EDITOR"] {
            if let e = environment[key]?.trimmingCharacters(in: .whitespaces), !e.isEmpty { return e }
        }
        return "vi"
    }

    public static func edit(_ text: String, fileExtension: String, environment: [String: String]) throws -> String {
        let path = NSTemporaryDirectory() + "knowhow-\(getpid())-\(UUID().uuidString.prefix(8)).\(fileExtension)"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw KnowHowError.cannotWrite(path: path, reason: "the temporary folder is not writable")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let editor = command(environment: environment)
        // The path is passed as $1, so spaces or quotes in it cannot break the command. The editor
        // runs in our process group, so a job-control shell does not stop it (see ForegroundChild).
        guard let status = ForegroundChild.run(editor + " \"$1\"", arguments: ["sh", path], environment: environment),
              status != 126, status != 127 else {
            throw KnowHowError.unsupported("cannot start the editor '\(editor)'; set EDITOR to one you have")
        }
        guard status == 0 else {
            throw KnowHowError.unsupported("the editor '\(editor)' exited with status \(status); nothing was saved")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KnowHowError.unsupported("the edited file disappeared; nothing was saved")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Answers given ahead, for tests: each question is recorded (and printed to the console, so
/// transcripts show it) and answered with the next line; out of answers reads as end of input.
public final class ScriptedPrompter: Prompter {
    public var answers: [String]
    /// Edits applied in turn to the text `edit` is given.
    public var edits: [(String) -> String]
    public private(set) var asked: [String] = []
    let console: Console?

    public init(answers: [String] = [], edits: [(String) -> String] = [], console: Console? = nil) {
        self.answers = answers; self.edits = edits; self.console = console
    }

    public func ask(_ question: String, choices: [String]) -> String? {
        asked.append(question)
        guard !answers.isEmpty else { console?.print(question); return nil }
        let a = answers.removeFirst()
        console?.print(question + a)
        return a
    }

    public func edit(_ text: String, fileExtension: String) throws -> String {
        asked.append("$EDITOR")
        guard !edits.isEmpty else { return text }
        return edits.removeFirst()(text)
    }
}
