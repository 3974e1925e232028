import Foundation

/// How the store was built (kept beside the store so a reused store still reports it).
struct BuildFigures: Codable {
    var entries: Int
    var members: Int
    var seed: UInt64
    var chunkSize: Int
    /// Wall time of `importCommunity` calls only, and of making the records.
    var importSeconds: Double
    var generateSeconds: Double
    /// Entries (not members) per second of import time.
    var entriesPerSecond: Double
    /// VmHWM after the build: the whole process, generator included.
    var peakMemoryBytes: Int?
    var textBytes: Int
    /// Entries per second of each chunk, in order: how the rate holds up as the store grows.
    /// Empty since the build imports one file in one transaction.
    var chunkRates: [Double]
    /// The community file imported, its size, and whether it was made by this run.
    var communityFile: String? = nil
    var fileBytes: Int? = nil
    var fileReused: Bool? = nil
    /// How it was imported: `knowhow import` as a child process, or in this process.
    var importedBy: String? = nil
    /// Peak resident size of the import alone (the child's ru_maxrss, or this process's VmHWM).
    var importPeakMemoryBytes: Int? = nil
}

struct LatencySummary: Codable {
    var count: Int
    var p50: Double?
    var p90: Double?
    var p99: Double?
    var max: Double?

    init(_ seconds: [Double]) {
        count = seconds.count
        p50 = Measure.percentile(seconds, 0.5)
        p90 = Measure.percentile(seconds, 0.9)
        p99 = Measure.percentile(seconds, 0.99)
        max = seconds.max()
    }
}

/// One query's figures (seconds).
struct QueryFigures: Codable {
    var category: String
    var text: String
    var match: String?
    var find: Double
    var hits: Int
    var raw: Double?
    /// Through one `find --batch --json` process over a pipe.
    var pipe: Double?
    /// The CPU time the `find --batch` process spent on it (what wall time would be on a quiet machine).
    var pipeCPU: Double?
    /// Where the time goes, when measured: all matching rows, the unranked first 10. (The index keeps
    /// no text, so FTS5's own snippets are not a floor any more: the store makes its marks from the
    /// entries' text, inside `find`.)
    var matches: Int?
    var unranked: Double?
}

struct CategoryFigures: Codable {
    var category: String
    var find: LatencySummary
    var raw: LatencySummary
    var pipe: LatencySummary
    var pipeCPU: LatencySummary
    var medianMatches: Int?
    var medianUnranked: Double?
}

struct WhoFigures: Codable {
    var category: String
    var topic: String
    var seconds: Double
    /// The thread's CPU time for the query.
    var cpuSeconds: Double?
    var experts: Int
}

struct ProcessFigures: Codable {
    var binary: String
    var runs: [Double]
    var queries: [String]
    var median: Double?
    var max: Double?
}

struct BenchReport: Codable {
    var tool = "knowhow-bench"
    var date: String
    var cores: Int
    /// /proc/loadavg before and after measuring: other work on the machine skews every figure.
    var loadBefore: String?
    var loadAfter: String?
    var entries: Int
    var seed: UInt64
    var vocabulary: String
    /// Share of entries holding each of the most frequent words.
    var headShares: [String: Double]
    var members: Int
    var tags: Int
    var store: String
    var reusedStore: Bool
    var build: BuildFigures
    var dbBytes: Int
    var walBytes: Int
    var storeToTextRatio: Double
    var process: ProcessFigures?
    var processNote: String?
    var find: LatencySummary
    var raw: LatencySummary
    var pipe: LatencySummary
    var pipeCPU: LatencySummary
    var pipeNote: String?
    var categories: [CategoryFigures]
    /// `ExpertRanker.rank` (the `who` command) over topics taken from the mix.
    var who: LatencySummary
    var whoCategories: [String: LatencySummary]
    var queryPeakMemoryBytes: Int?
    var queries: [QueryFigures]
    var whoQueries: [WhoFigures]

    /// The table printed at the end of a run (Markdown, to paste into an issue).
    func table() -> String {
        var out: [String] = []
        out.append("KnowHow benchmark: \(Format.int(entries)) entries, seed \(seed), \(vocabulary) vocabulary, \(Format.int(members)) members, \(tags) tags, \(cores) cores")
        if !headShares.isEmpty {
            let shares = headShares.sorted { $0.value > $1.value }.map { "\($0.key) \(String(format: "%.2f", $0.value * 100))%" }
            out.append("entries holding the most frequent words: " + shares.joined(separator: ", "))
        }
        out.append("store \(store)\(reusedStore ? " (reused)" : ""); load average before \(loadBefore ?? "?"), after \(loadAfter ?? "?")")
        out.append("")
        out.append("| figure | value |")
        out.append("|---|---|")
        let mem = build.peakMemoryBytes.map(Format.bytes) ?? "n/a"
        if let by = build.importedBy {
            let importMem = build.importPeakMemoryBytes.map(Format.bytes) ?? "n/a"
            out.append("| import | \(Format.int(Int(build.entriesPerSecond))) entries/s (\(String(format: "%.1f", build.importSeconds)) s, one transaction, by \(by)); peak memory \(importMem) |")
            out.append("| community file | \(Format.bytes(build.fileBytes ?? 0)), \(build.fileReused == true ? "reused" : "generated in \(String(format: "%.1f", build.generateSeconds)) s") |")
        } else {
            out.append("| import | \(Format.int(Int(build.entriesPerSecond))) entries/s (\(String(format: "%.1f", build.importSeconds)) s in importCommunity, chunks of \(Format.int(build.chunkSize)); generating \(String(format: "%.1f", build.generateSeconds)) s); peak memory \(mem) |")
        }
        if let first = build.chunkRates.first, let last = build.chunkRates.last, build.chunkRates.count > 2 {
            out.append("| import rate, first → last chunk | \(Format.int(Int(first))) → \(Format.int(Int(last))) entries/s |")
        }
        out.append("| store size | \(Format.bytes(dbBytes + walBytes)) (db \(Format.bytes(dbBytes)) + wal \(Format.bytes(walBytes))) = \(String(format: "%.2f", storeToTextRatio))× the \(Format.bytes(build.textBytes)) of text |")
        if let p = process {
            out.append("| whole-process `knowhow find` | median \(Format.ms(p.median)) ms, max \(Format.ms(p.max)) ms (\(p.runs.count) runs) |")
        } else {
            out.append("| whole-process `knowhow find` | n/a: \(processNote ?? "") |")
        }
        out.append("| in-process `find` (\(find.count) queries) | p50 \(Format.ms(find.p50)) · p90 \(Format.ms(find.p90)) · p99 \(Format.ms(find.p99)) · max \(Format.ms(find.max)) ms |")
        out.append("| `find --batch --json --limit 10` through a pipe (\(pipe.count) queries) | " + (pipe.count == 0 ? "n/a: \(pipeNote ?? "")" : "p50 \(Format.ms(pipe.p50)) · p90 \(Format.ms(pipe.p90)) · p99 \(Format.ms(pipe.p99)) · max \(Format.ms(pipe.max)) ms") + " |")
        if pipeCPU.count > 0 {
            out.append("| CPU time of that process per query | p50 \(Format.ms(pipeCPU.p50)) · p90 \(Format.ms(pipeCPU.p90)) · p99 \(Format.ms(pipeCPU.p99)) · max \(Format.ms(pipeCPU.max)) ms |")
        }
        out.append("| plain FTS5 floor (\(raw.count) with words) | p50 \(Format.ms(raw.p50)) · p90 \(Format.ms(raw.p90)) · p99 \(Format.ms(raw.p99)) · max \(Format.ms(raw.max)) ms |")
        out.append("| in-process `who` (\(who.count) topics) | p50 \(Format.ms(who.p50)) · p90 \(Format.ms(who.p90)) · p99 \(Format.ms(who.p99)) · max \(Format.ms(who.max)) ms |")
        out.append("| peak memory while querying | \(queryPeakMemoryBytes.map(Format.bytes) ?? "n/a") |")
        out.append("")
        out.append("| queries (ms) | n | pipe p50 | p90 | p99 | max | pipe CPU p50 | p99 | find p50 | p90 | p99 | max | FTS5 p50 | p90 | p99 | max | matches (median) | unranked p50 |")
        out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        func row(_ name: String, _ p: LatencySummary, _ c: LatencySummary, _ f: LatencySummary, _ r: LatencySummary, _ m: Int?, _ u: Double?) {
            out.append("| \(name) | \(f.count) | \(Format.ms(p.p50)) | \(Format.ms(p.p90)) | \(Format.ms(p.p99)) | \(Format.ms(p.max)) | \(Format.ms(c.p50)) | \(Format.ms(c.p99)) | \(Format.ms(f.p50)) | \(Format.ms(f.p90)) | \(Format.ms(f.p99)) | \(Format.ms(f.max)) | \(Format.ms(r.p50)) | \(Format.ms(r.p90)) | \(Format.ms(r.p99)) | \(Format.ms(r.max)) | \(m.map(Format.int) ?? "") | \(u.map { Format.ms($0) } ?? "") |")
        }
        row("**all**", pipe, pipeCPU, find, raw, nil, nil)
        for c in categories { row(c.category, c.pipe, c.pipeCPU, c.find, c.raw, c.medianMatches, c.medianUnranked) }
        for name in QueryMix.whoCategories {
            guard let w = whoCategories[name] else { continue }
            row("who: \(name)", LatencySummary([]), LatencySummary([]), w, LatencySummary([]), nil, nil)
        }
        return out.joined(separator: "\n")
    }
}
