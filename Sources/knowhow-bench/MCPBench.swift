import Foundation
import KnowHowCore
import KnowHowMCP
import KnowHowSQLite
import MCP
import SystemPackage

// `knowhow-bench mcp`: the round trip of `find` and `who` through `knowhow mcp` (a child process
// driven by the SDK's client over stdio) beside the same `Community` calls in this process.

let mcpUsage = """
USAGE:
  knowhow-bench mcp --entries N [--seed S] [--dir DIR] [--queries 200] [--knowhow PATH] [--sdk-stdio-client]
      On the store `run` builds (built here if missing), time `find` and `who` through
      `knowhow --db STORE mcp` and in process, and print p50/p99 of each. The client blocks on
      its reads; --sdk-stdio-client uses the SDK's StdioTransport, which polls every 10 ms.
"""

func mcpMain(_ args: ArraySlice<String>) -> Int32 {
    if args.first == "--help" || args.first == "-h" { print(mcpUsage); return 0 }
    do {
        let o = try Options(args, flags: ["sdk-stdio-client"])
        var b = Benchmark(entries: try o.int("entries"))
        b.seed = UInt64(try o.int("seed", default: 1))
        b.dir = o.values["dir"] ?? "bench-out"
        b.knowhow = o.values["knowhow"]
        let count = try o.int("queries", default: 200)
        let polling = o.flags.contains("sdk-stdio-client")
        guard let bin = b.knowhowBinary() else { throw BenchError("no knowhow binary beside knowhow-bench; pass --knowhow PATH") }
        let g = CommunityGenerator(entries: b.entries, seed: b.seed)
        if !FileManager.default.fileExists(atPath: b.storePath) {
            try FileManager.default.createDirectory(atPath: b.dir, withIntermediateDirectories: true)
            let build = try b.buildStore(g)
            try JSONEncoder().encode(build).write(to: URL(fileURLWithPath: b.buildPath))
        }
        let finds = QueryMix.make(g, count: count).map(\.text)
        let topics = QueryMix.whoTopics(g, QueryMix.make(g, count: count)).map(\.text)

        // In process: the calls the server's tools make, logging searches as they do (as the
        // store's setting says), so the difference below is the protocol and the pipes.
        let community = Community(store: try SQLiteKnowledgeStore(path: b.storePath))
        _ = try community.find("report", limit: 10, as: nil)
        let localFind = try finds.map { q in try Measure.time { try community.find(q, limit: 10, as: nil) }.1 }
        let localWho = try topics.map { t in try Measure.time { try community.who(.init(topic: t), as: nil) }.1 }

        // Through the server.
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        Task {
            do { box.value = try await throughServer(bin, store: b.storePath, finds: finds, topics: topics, polling: polling) } catch { box.error = error }
            done.signal()
        }
        done.wait()
        if let e = box.error { throw e }
        let (remoteFind, remoteWho, pings) = box.value!

        func row(_ name: String, _ local: [Double], _ remote: [Double]) -> String {
            let l50 = Measure.percentile(local, 0.5), l99 = Measure.percentile(local, 0.99)
            let r50 = Measure.percentile(remote, 0.5), r99 = Measure.percentile(remote, 0.99)
            return name.padding(toLength: 6, withPad: " ", startingAt: 0) + String(format: "%6d", local.count)
                + "  " + [l50, l99, r50, r99].map { Format.ms($0).leftPad(10) }.joined()
        }
        print("knowhow mcp round trip on \(b.storePath) (\(Format.int(b.entries)) entries), \(ProcessInfo.processInfo.activeProcessorCount) cores, load \(Measure.loadAverage() ?? "?")")
        print("client: " + (polling ? "the SDK's StdioTransport (polls every 10 ms)" : "blocking reads"))
        print("call   count    in-process p50/p99 ms   through MCP p50/p99 ms")
        print(row("find", localFind, remoteFind))
        print(row("who", localWho, remoteWho))
        print("ping (protocol and pipes alone): p50 \(Format.ms(Measure.percentile(pings, 0.5))) p99 \(Format.ms(Measure.percentile(pings, 0.99))) ms")
        return 0
    } catch {
        FileHandle.standardError.write(Data("knowhow-bench: \(error)\n".utf8))
        return 1
    }
}

private final class ResultBox: @unchecked Sendable {
    var value: ([Double], [Double], [Double])?
    var error: Error?
}

/// `find` and `who` round trips, and pings (the protocol and pipes alone).
private func throughServer(_ bin: String, store: String, finds: [String], topics: [String], polling: Bool) async throws -> ([Double], [Double], [Double]) {
    let p = Process(), input = Pipe(), output = Pipe()
    p.executableURL = URL(fileURLWithPath: bin)
    p.arguments = ["--db", store, "mcp"]
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    let client = Client(name: "knowhow-bench", version: "1")
    // The SDK's StdioTransport polls and sleeps 10 ms when nothing is waiting; a client that
    // blocks (as the server does) shows what the server itself costs.
    let transport: any Transport = polling
        ? StdioTransport(input: FileDescriptor(rawValue: output.fileHandleForReading.fileDescriptor),
                         output: FileDescriptor(rawValue: input.fileHandleForWriting.fileDescriptor))
        : lineTransport(reading: output.fileHandleForReading, writing: input.fileHandleForWriting)
    try await client.connect(transport: transport)
    func time(_ tool: String, _ arguments: [String: Value]) async throws -> Double {
        let t = Measure.now()
        let r = try await client.send(CallTool.request(.init(name: tool, arguments: arguments))).value
        if r.isError == true { throw BenchError("\(tool) \(arguments) failed: \(r.content)") }
        return Measure.now() - t
    }
    _ = try await time("find", ["query": "report"])
    var f: [Double] = [], w: [Double] = []
    for q in finds { f.append(try await time("find", ["query": .string(q)])) }
    for t in topics { w.append(try await time("who", ["topic": .string(t)])) }
    var pings: [Double] = []
    for _ in 0..<100 {
        let t = Measure.now()
        try await client.ping()
        pings.append(Measure.now() - t)
    }
    await client.disconnect()
    try? input.fileHandleForWriting.close()
    p.waitUntilExit()
    return (f, w, pings)
}

private extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
