import Foundation
import KnowHowCore

// knowhow-bench: a program, not a test. It makes realistic communities and prints figures.

let usage = """
USAGE:
  knowhow-bench generate --entries N [--seed S] [--vocabulary standard|heavy-head] --out FILE.json
      Write a community file of N entries (deterministic by seed).
  knowhow-bench run --entries N [--seed S] [--dir DIR] [--json OUT.json] [--queries 500]
                    [--knowhow PATH] [--process-runs 20] [--rebuild] [--no-breakdown]
                    [--skip "CATEGORY,…"] [--vocabulary standard|heavy-head]
      Build (or reuse) DIR/knowhow-N-sS.db as a user would: write DIR/community-N-sS.json (kept
      for later runs), then `knowhow import` it in one transaction. Then print a table and write
      JSON: import rate and peak memory, store size, whole-process `knowhow find`, in-process find latency over a fixed
      query mix, the same mix through one `knowhow find --batch --json --limit 10` process over a
      pipe (as a script sees it), and plain FTS5 on the same file. Build `knowhow` too (swift
      build -c release), it is run from beside this program. `--vocabulary heavy-head` makes the
      top word appear in nearly every entry and the next nine in half or more, and adds query
      classes made only of those words; its files are named …-heavy-head.
  knowhow-bench run --db postgresql://… --entries N [--seed S] [--dir DIR] [--json OUT.json]
                    [--queries 500] [--rebuild] [--no-sqlite]
      The same community imported into PostgreSQL (the store's COPY import, in a child process:
      import rate and the client's peak memory), then `find` through the PostgreSQL store and
      plain PostgreSQL (ts_rank_cd … ORDER BY … LIMIT 10) over the same query mix, beside the
      SQLite store and plain FTS5 on the same data. The database must be empty or one this
      bench built; a built one is reused unless --rebuild.
  knowhow-bench mcp --entries N [--seed S] [--dir DIR] [--queries 200]
      Round trip of `find` and `who` through `knowhow mcp` beside the same calls in process.
  knowhow-bench queries --entries N [--seed S] [--vocabulary standard|heavy-head] [--queries 500]
      Print the query mix, one `category<TAB>query` a line.
"""

/// `--name value` options and `--flag`s; anything else is an error.
struct Options {
    var values: [String: String] = [:]
    var flags: Set<String> = []

    init(_ args: ArraySlice<String>, flags known: Set<String>) throws {
        var i = args.startIndex
        while i < args.endIndex {
            let a = args[i]
            guard a.hasPrefix("--") else { throw BenchError("unexpected argument '\(a)'") }
            let name = String(a.dropFirst(2))
            if let eq = name.firstIndex(of: "=") {
                values[String(name[..<eq])] = String(name[name.index(after: eq)...])
            } else if known.contains(name) {
                flags.insert(name)
            } else {
                guard i + 1 < args.endIndex else { throw BenchError("\(a) needs a value") }
                values[name] = args[i + 1]; i += 1
            }
            i += 1
        }
    }

    func int(_ name: String, default d: Int? = nil) throws -> Int {
        guard let v = values[name] else {
            if let d { return d }
            throw BenchError("--\(name) is required")
        }
        guard let n = Int(v.replacingOccurrences(of: "_", with: "").replacingOccurrences(of: ",", with: "")), n >= 0 else {
            throw BenchError("--\(name) wants a whole number, not '\(v)'")
        }
        return n
    }
}

func main() -> Int32 {
    let args = CommandLine.arguments
    if args.count >= 2, args[1] == "relevance" { return relevanceMain(args.dropFirst(2)) }  // see Relevance.swift
    if args.count >= 2, args[1] == "mcp" { return mcpMain(args.dropFirst(2)) }  // see MCPBench.swift
    if args.count >= 2, args[1] == "reuse" { return reuseMain(args.dropFirst(2)) }  // see ReuseRelevance.swift
    if args.count >= 2, args[1] == "pg-import" {  // the child process of `run --db` (see PostgresBenchmark)
        do {
            let o = try Options(args.dropFirst(2), flags: [])
            guard let url = o.values["db"], let file = o.values["file"] else { throw BenchError("pg-import needs --db URL --file FILE") }
            try PostgresBenchmark.importMain(url: url, file: file)
            return 0
        } catch {
            FileHandle.standardError.write(Data("knowhow-bench: \(error)\n".utf8))
            return 1
        }
    }
    guard args.count >= 2, ["generate", "run", "queries"].contains(args[1]) else {
        print(usage); return args.count >= 2 && (args[1] == "-h" || args[1] == "--help") ? 0 : 2
    }
    do {
        let o = try Options(args.dropFirst(2), flags: ["rebuild", "no-breakdown", "in-memory", "no-sqlite"])
        let entries = try o.int("entries")
        guard entries >= 10 else { throw BenchError("--entries must be at least 10") }
        let seed = UInt64(try o.int("seed", default: 1))
        let kindName = o.values["vocabulary"] ?? "standard"
        guard let kind = Vocabulary.Kind(rawValue: kindName) else {
            throw BenchError("--vocabulary is standard or heavy-head, not '\(kindName)'")
        }
        let vocabulary = Vocabulary(kind: kind)
        switch args[1] {
        case "generate":
            guard let out = o.values["out"] else { throw BenchError("--out FILE.json is required") }
            let g = CommunityGenerator(entries: entries, seed: seed, vocabulary: vocabulary)
            let t = Measure.now()
            if o.flags.contains("in-memory") {
                // The reference path: one CommunityFile, encoded as `export` would.
                try g.wholeFile().encoded().write(to: URL(fileURLWithPath: out))
            } else {
                var w = try CommunityJSONWriter(generator: g, path: out)
                try w.write()
            }
            let size = Measure.fileSize(out)
            print("wrote \(out): \(Format.int(entries)) entries, \(g.memberCount) members, \(g.tagNames.count) tags, \(Format.bytes(size)) in \(String(format: "%.1f", Measure.now() - t)) s; peak memory \(Measure.status("VmHWM").map(Format.bytes) ?? "n/a")")
        case "queries":
            let g = CommunityGenerator(entries: entries, seed: seed, vocabulary: vocabulary)
            for q in QueryMix.make(g, count: try o.int("queries", default: 500)) { print("\(q.category)\t\(q.text)") }
        default:
            var b = Benchmark(entries: entries, vocabulary: vocabulary)
            b.seed = seed
            b.dir = o.values["dir"] ?? "bench-out"
            b.json = o.values["json"]
            b.queryCount = try o.int("queries", default: 500)
            b.knowhow = o.values["knowhow"]
            b.processRuns = try o.int("process-runs", default: 20)
            b.rebuild = o.flags.contains("rebuild")
            b.breakdown = !o.flags.contains("no-breakdown")
            b.skip = Set((o.values["skip"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            if let url = o.values["db"] {
                var pg = PostgresBenchmark(sqlite: b, url: url)
                pg.withSQLite = !o.flags.contains("no-sqlite")
                let report = try pg.run()
                print(report.table())
                let jsonPath = b.json ?? "\(b.dir)/run-postgres-\(entries)-s\(seed).json"
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                try enc.encode(report).write(to: URL(fileURLWithPath: jsonPath))
                print("\nJSON: \(jsonPath)")
                return 0
            }
            let report = try b.run()
            print(report.table())
            let jsonPath = b.json ?? "\(b.dir)/run-\(entries)-s\(seed)\(b.nameSuffix).json"
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try enc.encode(report).write(to: URL(fileURLWithPath: jsonPath))
            print("\nJSON: \(jsonPath)")
        }
        return 0
    } catch {
        FileHandle.standardError.write(Data("knowhow-bench: \(error)\n".utf8))
        return 1
    }
}

exit(main())
