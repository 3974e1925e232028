import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Clocks, memory and file sizes, and percentiles.
enum Measure {
    /// Monotonic seconds.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// This thread's CPU seconds: on a shared machine, what a query cost apart from waiting for a core.
    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let t = now()
        let v = try body()
        return (v, now() - t)
    }

    /// A line of /proc/self/status in bytes (`VmHWM` is the peak resident set); nil off Linux.
    static func status(_ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let kb = line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first
            return kb.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }

    /// The 1, 5 and 15 minute load averages.
    static func loadAverage() -> String? {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Nearest-rank percentile of unsorted values; nil when there are none.
    static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let rank = max(1, Int((p * Double(s.count)).rounded(.up)))
        return s[min(rank, s.count) - 1]
    }

    static func median(_ values: [Double]) -> Double? { percentile(values, 0.5) }

    /// Runs a program with its output thrown away; returns the wall time from spawn to exit
    /// and the exit status.
    static func runProcess(_ path: String, _ args: [String]) throws -> (seconds: Double, status: Int32) {
        let run = try spawn(path, args, keepStandardError: false)
        return (run.seconds, run.status)
    }

    /// Runs a program with standard input and output thrown away and standard error passed on
    /// (progress, errors); returns its wall time, exit status and peak resident size in bytes.
    static func runChild(_ path: String, _ args: [String]) throws -> (seconds: Double, status: Int32, peakBytes: Int) {
        try spawn(path, args, keepStandardError: true)
    }

    static func spawn(_ path: String, _ args: [String], keepStandardError: Bool) throws -> (seconds: Double, status: Int32, peakBytes: Int) {
        var pid = pid_t()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        if !keepStandardError { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let t = now()
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw BenchError("cannot start \(path): error \(rc)") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let elapsed = now() - t
        // ru_maxrss is in kilobytes on Linux (bytes on macOS).
        #if os(Linux)
        let peak = usage.ru_maxrss * 1024
        #else
        let peak = usage.ru_maxrss
        #endif
        return (elapsed, (status >> 8) & 0xff, peak)
    }

    /// The path of this program, to find `knowhow` built beside it.
    static func ownExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// Numbers as people read them in a table.
enum Format {
    static func int(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + String(out.reversed())
    }

    static func bytes(_ n: Int) -> String {
        let mb = Double(n) / 1_048_576
        return mb >= 100 ? String(format: "%.0f MB", mb) : String(format: "%.1f MB", mb)
    }

    /// Milliseconds with two significant decimals for small values.
    static func ms(_ seconds: Double?) -> String {
        guard let s = seconds else { return "n/a" }
        let ms = s * 1000
        if ms >= 100 { return String(format: "%.0f", ms) }
        if ms >= 10 { return String(format: "%.1f", ms) }
        return String(format: "%.2f", ms)
    }
}
