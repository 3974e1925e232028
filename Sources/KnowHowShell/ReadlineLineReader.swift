@preconcurrency import CReadline
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// GNU readline with persistent history and completion.
///
/// Readline keeps its state in C globals, so use one reader at a time. ANSI codes in a prompt must be
/// wrapped in "\u{1}" and "\u{2}" so readline can measure the prompt. `~/.inputrc` applies, including
/// `$if knowhow` sections.
public final class ReadlineLineReader: LineReader {
    /// Entries kept in memory and in the history file.
    static let historyLimit: Int32 = 2_000

    private let historyPath: String?
    private let completer: Completer?
    private var isClosed = false

    public init(historyPath: String?, completer: Completer?) {
        self.historyPath = historyPath
        self.completer = completer
        ReadlineSession.configureOnce()
        rl_clear_history()
        if let historyPath { Self.loadHistory(from: historyPath) }
    }

    deinit { close() }

    /// Reads one line with editing, history and completion; nil after Ctrl-D on an empty line.
    /// Ctrl-C abandons the line being typed and prompts again. At end of input the cursor is left
    /// on a fresh line.
    public func readLine(prompt: String) -> String? {
        read(prompt: prompt, interruptEndsInput: false)
    }

    /// Reads the answer to a command's question: as `readLine`, except that Ctrl-C ends the input
    /// too (nil), so that it cancels the whole command, as psql's Ctrl-C cancels the query.
    public func readAnswer(prompt: String) -> String? {
        read(prompt: prompt, interruptEndsInput: true)
    }

    private func read(prompt: String, interruptEndsInput: Bool) -> String? {
        fflush(stdout)
        let line = ReadlineSession.read(prompt: prompt, completer: completer, interruptEndsInput: interruptEndsInput)
        if let line { remember(line) }
        return line
    }

    /// Saves history (also done after each line).
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        guard let historyPath else { return }
        history_truncate_file(historyPath, Self.historyLimit)
        chmod(historyPath, 0o600)
    }

    /// The default history file: $XDG_STATE_HOME/knowhow/history, else ~/.local/state/knowhow/history.
    public static func defaultHistoryPath(environment: [String: String]) -> String {
        // The XDG spec says to ignore a relative XDG_STATE_HOME.
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/knowhow/history"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/knowhow/history"
    }

    // MARK: - History

    private static func loadHistory(from path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if descriptor >= 0 { Glibc.close(descriptor) }
        chmod(path, 0o600)
        history_truncate_file(path, historyLimit)
        read_history(path)
    }

    /// Adds an accepted line to history and appends it to the file at once, so a crash loses nothing.
    private func remember(_ line: String) {
        // A leading space keeps a line out of history, as in bash's ignorespace.
        guard !line.isEmpty, !line.hasPrefix(" "), line != Self.lastHistoryEntry() else { return }
        add_history(line)
        guard let historyPath, !isClosed else { return }
        if append_history(1, historyPath) != 0 {
            // The file vanished during the session: write it afresh.
            write_history(historyPath)
        }
        history_truncate_file(historyPath, Self.historyLimit)
        chmod(historyPath, 0o600)
    }

    private static func lastHistoryEntry() -> String? {
        guard history_length > 0, let entry = history_get(history_base + history_length - 1),
              let text = entry.pointee.line else { return nil }
        return String(cString: text)
    }
}

/// Readline's global state and the C callbacks, which cannot capture context, so they reach it here.
private enum ReadlineSession {
    nonisolated(unsafe) static var completer: Completer?
    /// Descriptions of the current match set, keyed by value, for the list display.
    nonisolated(unsafe) static var descriptions: [String: String] = [:]
    nonisolated(unsafe) static var isFinished = false
    nonisolated(unsafe) static var acceptedLine: String?
    /// The signal handler writes the signal number here; the read loop polls the other end.
    nonisolated(unsafe) static var signalPipe: (read: Int32, write: Int32) = (-1, -1)

    static let handledSignals: [Int32] = [SIGINT, SIGWINCH, SIGTSTP]

    private static let configured: Void = {
        rl_readline_name = UnsafePointer(strdup("knowhow"))
        // We handle signals ourselves between keystrokes instead of inside readline's handlers.
        rl_catch_signals = 0
        rl_catch_sigwinch = 0
        // Don't export stale LINES and COLUMNS to programs the shell starts.
        rl_change_environment = 0
        // ':' and '@' are not breaks, so `tag:onb` and `@ki` are single words.
        rl_completer_word_break_characters = UnsafePointer(strdup(" \t\n\"'"))
        rl_attempted_completion_function = attemptCompletion
        rl_completion_display_matches_hook = displayMatches
        // List the candidates (and their descriptions) as soon as Tab cannot pick one, instead of
        // readline's beep first; set before ~/.inputrc is read, so the user's choice still wins.
        rl_variable_bind("show-all-if-ambiguous", "on")
        // The completer's order is meaningful (it may rank); don't re-sort.
        rl_sort_completion_matches = 0
        stifle_history(ReadlineLineReader.historyLimit)

        var descriptors: [Int32] = [-1, -1]
        if pipe(&descriptors) == 0 {
            for descriptor in descriptors {
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            }
            signalPipe = (descriptors[0], descriptors[1])
        }
    }()

    static func configureOnce() { _ = configured }

    // MARK: - Reading a line

    static func read(prompt: String, completer: Completer?, interruptEndsInput: Bool) -> String? {
        self.completer = completer
        isFinished = false
        acceptedLine = nil
        defer {
            self.completer = nil
            descriptions = [:]
        }
        drainSignals()
        let previousActions = installSignalHandlers()
        defer { restoreSignalHandlers(previousActions) }

        // The window may have been resized while a command ran and our SIGWINCH handler was off.
        // (Readline's streams are NULL until its first initialization.)
        if rl_instream != nil { rl_reset_screen_size() }
        // Readline never clears this in callback mode: after one Ctrl-D (which cancels a command's
        // question) every later line would end with an extra blank line.
        rl_eof_found = 0
        rl_callback_handler_install(prompt, lineHandler)
        let input = fileno(rl_instream ?? stdin)
        while !isFinished {
            var descriptors = [
                pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                pollfd(fd: signalPipe.read, events: Int16(POLLIN), revents: 0),
            ]
            if poll(&descriptors, 2, -1) < 0 {
                if errno == EINTR { continue }
                finishWithoutLine()
                break
            }
            if descriptors[1].revents & Int16(POLLIN) != 0 {
                handleSignals(drainSignals(), prompt: prompt, interruptEndsInput: interruptEndsInput)
            }
            let inputEvents = descriptors[0].revents
            if inputEvents & Int16(POLLIN) != 0 {
                rl_callback_read_char()
            } else if inputEvents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                finishWithoutLine()
            }
        }
        return acceptedLine
    }

    private static let lineHandler: @convention(c) (UnsafeMutablePointer<CChar>?) -> Void = { line in
        // Removing the handler here stops readline from printing the prompt again by itself.
        rl_callback_handler_remove()
        if let line {
            ReadlineSession.acceptedLine = String(cString: line)
            free(line)
        } else {
            ReadlineSession.acceptedLine = nil
            // End the prompt's line, as readline itself does only when bracketed paste is on.
            if let value = rl_variable_value("enable-bracketed-paste"), String(cString: value) != "on" {
                fputs("\n", rl_outstream ?? stdout)
                fflush(rl_outstream ?? stdout)
            }
        }
        ReadlineSession.isFinished = true
    }

    private static func finishWithoutLine() {
        rl_callback_handler_remove()
        acceptedLine = nil
        isFinished = true
    }

    // MARK: - Signals

    private static let signalHandler: @convention(c) (Int32) -> Void = { signal in
        let savedErrno = errno
        var byte = UInt8(truncatingIfNeeded: signal)
        _ = write(ReadlineSession.signalPipe.write, &byte, 1)
        errno = savedErrno
    }

    private static func installSignalHandlers() -> [Int32: sigaction] {
        var previous: [Int32: sigaction] = [:]
        for signal in handledSignals {
            var old = sigaction()
            sigaction(signal, nil, &old)
            // A parent without job control ignores SIGTSTP for us; keep it ignored.
            if signal == SIGTSTP && isIgnored(old) { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = signalHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
            previous[signal] = old
        }
        return previous
    }

    private static func restoreSignalHandlers(_ previous: [Int32: sigaction]) {
        for (signal, action) in previous {
            var action = action
            sigaction(signal, &action, nil)
        }
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        guard let handler = action.__sigaction_handler.sa_handler else { return false }
        return unsafeBitCast(handler, to: Int.self) == 1  // SIG_IGN
    }

    @discardableResult
    private static func drainSignals() -> Set<Int32> {
        var received: Set<Int32> = []
        var bytes = [UInt8](repeating: 0, count: 64)
        while true {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(signalPipe.read, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            for byte in bytes[..<count] { received.insert(Int32(byte)) }
        }
        return received
    }

    private static func handleSignals(_ signals: Set<Int32>, prompt: String, interruptEndsInput: Bool) {
        if signals.contains(SIGWINCH) { rl_resize_terminal() }
        if signals.contains(SIGTSTP) { suspend() }
        if signals.contains(SIGINT) { abandonLine(prompt: interruptEndsInput ? nil : prompt) }
    }

    /// Ctrl-C: leave the typed text visible with ^C after it, and prompt afresh on the next line
    /// (or, without a prompt, end the read with no line).
    private static func abandonLine(prompt: String?) {
        let output = rl_outstream ?? stdout
        rl_point = rl_end
        rl_redisplay()
        // Before the clean-up: restoring the terminal ends with "\r" when bracketed paste is on.
        fputs("^C", output)
        fflush(output)
        // The clean-up sequence readline documents for applications that handle signals themselves.
        rl_free_line_state()
        rl_callback_sigcleanup()
        rl_cleanup_after_signal()
        rl_callback_handler_remove()
        fputs("\n", output)
        fflush(output)
        guard let prompt else {
            acceptedLine = nil
            isFinished = true
            return
        }
        // Installing again empties the line, resets the history position and shows the prompt.
        rl_callback_handler_install(prompt, lineHandler)
    }

    /// Ctrl-Z: restore the terminal, stop, and take the terminal back on `fg`.
    private static func suspend() {
        rl_deprep_term_function?()
        var action = sigaction()
        var ours = sigaction()
        sigemptyset(&action.sa_mask)
        sigaction(SIGTSTP, &action, &ours)  // SIG_DFL
        kill(getpid(), SIGTSTP)
        sigaction(SIGTSTP, &ours, nil)
        rl_prep_term_function?(1)
        rl_on_new_line()
        rl_forced_update_display()
    }

    // MARK: - Completion

    private typealias MatchArray = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

    private static let attemptCompletion: @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> MatchArray? = {
        text, _, _ in
        // Never fall back to readline's filename completion; the completer offers paths itself.
        rl_attempted_completion_over = 1
        guard let completer = ReadlineSession.completer else { return nil }
        let word = text.map { String(cString: $0) } ?? ""
        let line = rl_line_buffer.map { buffer in
            buffer.withMemoryRebound(to: UInt8.self, capacity: Int(rl_point)) {
                String(decoding: UnsafeBufferPointer(start: $0, count: Int(rl_point)), as: UTF8.self)
            }
        } ?? ""

        var seen: Set<String> = []
        let candidates = completer.completions(line: line, word: word).filter { seen.insert($0.value).inserted }
        ReadlineSession.descriptions = Dictionary(
            candidates.compactMap { candidate in candidate.description.map { (candidate.value, $0) } },
            uniquingKeysWith: { first, _ in first })
        guard !candidates.isEmpty else { return nil }

        let values = candidates.map(\.value)
        if values.count == 1, let last = values[0].last, last == ":" || last == "/" {
            // More is expected after `tag:` or `docs/`, so don't add a space.
            rl_completion_append_character = 0
            rl_completion_suppress_append = 1
        }
        return ReadlineSession.matchArray(values, typed: word)
    }

    /// Readline's layout: the text to insert first, then every match, then NULL; all from malloc,
    /// since readline frees them.
    private static func matchArray(_ values: [String], typed word: String) -> MatchArray {
        // A single match replaces the word even when it corrects it (`@Ki` to `@kim`); a common
        // prefix that drops what was typed (say, of case-insensitive matches) must not.
        guard values.count > 1 else { return cArray([values[0]]) }
        let prefix = commonPrefix(values)
        return cArray([prefix.hasPrefix(word) ? prefix : word] + values)
    }

    private static func cArray(_ slots: [String]) -> MatchArray {
        let array = malloc((slots.count + 1) * MemoryLayout<UnsafeMutablePointer<CChar>?>.stride)!
            .bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: slots.count + 1)
        for (index, text) in slots.enumerated() { array[index] = strdup(text) }
        array[slots.count] = nil
        return array
    }

    private static func commonPrefix(_ values: [String]) -> String {
        guard var prefix = values.first else { return "" }
        for value in values.dropFirst() {
            prefix = String(zip(prefix, value).prefix { $0.0 == $0.1 }.map(\.0))
        }
        return prefix
    }

    // MARK: - Listing matches

    private static let displayMatches: @convention(c) (MatchArray?, Int32, Int32) -> Void = {
        matches, count, longest in
        guard let matches, count > 0 else { return }
        let values = (1...Int(count)).compactMap { matches[$0].map { String(cString: $0) } }
        let descriptions = ReadlineSession.descriptions
        if !values.contains(where: { descriptions[$0] != nil }) {
            // Nothing to add: readline's own columns, honouring the user's inputrc settings.
            rl_display_match_list(matches, count, longest)
        } else {
            ReadlineSession.printDescribed(values, descriptions: descriptions)
        }
        rl_forced_update_display()
    }

    /// One candidate a line, descriptions aligned in a second column, cut to the terminal width.
    private static func printDescribed(_ values: [String], descriptions: [String: String]) {
        var rows: Int32 = 0
        var columns: Int32 = 0
        rl_get_screen_size(&rows, &columns)
        let width = columns > 0 ? Int(columns) : 80
        let limit = rl_completion_query_items > 0 ? Int(rl_completion_query_items) : 100
        let shown = values.prefix(limit)
        let valueWidth = min(shown.map(displayWidth).max() ?? 0, max(width / 2, 8))

        var text = "\n"
        for value in shown {
            var row = value
            if let description = descriptions[value] {
                row += String(repeating: " ", count: max(valueWidth - displayWidth(value), 0)) + "  " + description
            }
            text += truncate(row, toWidth: width - 1) + "\n"
        }
        if values.count > shown.count {
            text += "… and \(values.count - shown.count) more; type more to narrow the list\n"
        }
        let output = rl_outstream ?? stdout
        fputs(text, output)
        fflush(output)
    }

    private static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + scalarWidth($1) }
    }

    /// Columns a scalar takes in a terminal: 0 for marks and controls, 2 for East Asian wide and
    /// emoji ranges, else 1. Close enough to wcwidth, which Swift's Glibc module does not export.
    private static func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .control, .format: return 0
        default: break
        }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    private static func truncate(_ text: String, toWidth width: Int) -> String {
        guard displayWidth(text) > width else { return text }
        var result = ""
        var used = 0
        for character in text {
            let characterWidth = displayWidth(String(character))
            if used + characterWidth > width - 1 { break }
            result.append(character)
            used += characterWidth
        }
        return result + "…"
    }
}
