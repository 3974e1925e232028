import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program that talks to the terminal (a pager, an editor) as part of knowhow's own job.
///
/// Foundation's `Process` puts its child in a new process group, which a job-control shell treats
/// as a background job: the child is stopped as soon as it touches the terminal, and knowhow waits
/// for it for ever. So the child is started with posix_spawn in knowhow's process group (the
/// terminal's foreground group), with default signal handling, while knowhow ignores Ctrl-C and a
/// closed pipe until the child ends, then puts the terminal back as it was.
enum ForegroundChild {
    /// Runs `/bin/sh -c command`; `input`, when given, is written to its standard input through a
    /// pipe. Returns the child's exit status (128 + n when killed by signal n), or nil when it could
    /// not be started.
    static func run(_ command: String, arguments: [String] = [], environment: [String: String], input: String? = nil) -> Int32? {
        var saved = termios()
        let haveTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        let oldInterrupt = signal(SIGINT, SIG_IGN)
        let oldQuit = signal(SIGQUIT, SIG_IGN)
        let oldPipe = signal(SIGPIPE, SIG_IGN)
        defer {
            signal(SIGINT, oldInterrupt)
            signal(SIGQUIT, oldQuit)
            signal(SIGPIPE, oldPipe)
            // A pager killed mid-screen may leave the terminal raw; readline expects it as it was.
            if haveTerminal { tcsetattr(STDIN_FILENO, TCSADRAIN, &saved) }
        }

        var pipeEnds: [Int32] = [-1, -1]
        if input != nil {
            guard pipe(&pipeEnds) == 0 else { return nil }
            _ = fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input != nil {
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], STDIN_FILENO)
            posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // No POSIX_SPAWN_SETPGROUP: the child stays in our (foreground) group. Ignored signals are
        // inherited across exec, so the ones we ignore are set back to their defaults.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ["/bin/sh", "-c", command] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let spawned = withCStrings(argv) { cArgv in
            withCStrings(envp) { cEnvp in
                posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArgv, cEnvp)
            }
        }
        if input != nil { Glibc.close(pipeEnds[0]) }
        guard spawned == 0 else {
            if input != nil { Glibc.close(pipeEnds[1]) }
            return nil
        }
        if let input {
            // Stops early (EPIPE) when the person quits the pager before the end.
            writeAll(Array(input.utf8), to: pipeEnds[1])
            Glibc.close(pipeEnds[1])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return nil }
        }
        let signalled = status & 0x7f
        return signalled == 0 ? (status >> 8) & 0xff : 128 + signalled
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { return }
        }
    }

    /// A NULL-terminated array of C strings, alive for the duration of `body`.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}

/// Long output through the person's pager, as git does: $PAGER (empty or `cat` means none), else
/// `less`; LESS=FRX when LESS is unset, so short output prints at once, colours pass through and
/// the text stays on the screen after `q`.
enum Pager {
    /// The pager command, or nil to print directly.
    static func command(environment: [String: String]) -> String? {
        if let custom = environment["PAGER"] {
            let trimmed = custom.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || trimmed == "cat" ? nil : trimmed
        }
        // Without $PAGER, use less only where it exists.
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard path.contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/less") }) else { return nil }
        return "less -FRX"
    }

    /// The pager's environment: LESS=FRX unless the person set LESS (and LV=-c, for lv, as git does).
    static func environment(_ environment: [String: String]) -> [String: String] {
        var env = environment
        if env["LESS"] == nil { env["LESS"] = "FRX" }
        if env["LV"] == nil { env["LV"] = "-c" }
        return env
    }

    /// Shows `text` in the pager; false when there is no pager (the caller prints the text). A
    /// pager that cannot start is reported after the text, printed in its place.
    static func page(_ text: String, environment: [String: String]) -> Bool {
        guard let command = command(environment: environment) else { return false }
        let status = ForegroundChild.run(command, environment: self.environment(environment), input: text)
        // 126 and 127: the shell could not find or run the pager, and read nothing.
        guard let status, status != 126, status != 127 else {
            FileHandle.standardOutput.write(Data(text.utf8))
            FileHandle.standardError.write(Data("knowhow: cannot start the pager '\(command)'; set PAGER to one you have, or `set pager off`\n".utf8))
            return true
        }
        return true
    }
}
