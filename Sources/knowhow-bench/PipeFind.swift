import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `knowhow find --batch --json` process, fed a query a line over a pipe and timed from
/// writing the line to reading its whole JSON line back: what a script sees per query.
final class PipeFind {
    let pid: pid_t
    private let input: Int32
    private let output: Int32
    private var buffer: [UInt8] = []

    init(binary: String, arguments: [String]) throws {
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else { throw BenchError("cannot make a pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        for fd in [toChild[0], toChild[1], fromChild[0], fromChild[1]] { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child = pid_t()
        let rc = posix_spawn(&child, binary, &actions, nil, argv, environ)
        close(toChild[0]); close(fromChild[1])
        guard rc == 0 else { close(toChild[1]); close(fromChild[0]); throw BenchError("cannot start \(binary): error \(rc)") }
        pid = child
        input = toChild[1]
        output = fromChild[0]
    }

    /// CPU seconds the process has used so far, all its threads (Linux's schedstat, in
    /// nanoseconds); nil elsewhere. On a shared machine wall time includes waiting for a core,
    /// and this does not.
    func cpuSeconds() -> Double? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return nil }
        var ns: UInt64 = 0
        for t in tasks {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/schedstat", encoding: .utf8),
                  let first = text.split(separator: " ").first, let v = UInt64(first) else { continue }
            ns += v
        }
        return Double(ns) * 1e-9
    }

    /// Sends one query and returns its answer line, the wall seconds it took and the CPU
    /// seconds the process spent on it.
    func ask(_ query: String) throws -> (line: String, seconds: Double, cpu: Double?) {
        let before = cpuSeconds()
        let (line, seconds) = try exchange(query)
        let after = cpuSeconds()
        return (line, seconds, before.flatMap { b in after.map { $0 - b } })
    }

    private func exchange(_ query: String) throws -> (line: String, seconds: Double) {
        let t = Measure.now()
        let bytes = Array((query + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            guard n > 0 else { throw BenchError("the find process stopped reading its input") }
            sent += n
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return (line, Measure.now() - t)
            }
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            guard n > 0 else { throw BenchError("the find process ended before answering '\(query)'") }
            buffer += chunk[..<n]
        }
    }

    /// Closes its input, so it ends, and waits for it.
    func finish() -> Int32 {
        close(input)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        close(output)
        return (status >> 8) & 0xff
    }
}
