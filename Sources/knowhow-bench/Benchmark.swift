import Foundation
import GRDB
import KnowHowCore
import KnowHowSQLite

/// `knowhow-bench run`: build (or reuse) a store, then measure it.
struct Benchmark {
    var entries: Int
    var vocabulary = Vocabulary()
    var seed: UInt64 = 1
    var dir = "bench-out"
    var json: String?
    var queryCount = 500
    var knowhow: String?
    var processRuns = 20
    var rebuild = false
    var breakdown = true
    /// Query categories left out (a store whose cost there is unbounded would never finish).
    var skip: Set<String> = []

    func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

    /// Added to file names, so each vocabulary keeps its own community file and store.
    var nameSuffix: String { vocabulary.kind == .standard ? "" : "-" + vocabulary.kind.rawValue }
    var storePath: String { "\(dir)/knowhow-\(entries)-s\(seed)\(nameSuffix).db" }
    var buildPath: String { storePath + ".build.json" }

    func run() throws -> BenchReport {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (generator, setup) = Measure.time { CommunityGenerator(entries: entries, seed: seed, vocabulary: vocabulary) }
        log("generator ready in \(String(format: "%.1f", setup)) s: \(generator.memberCount) members, \(generator.tagNames.count) tags")

        var reused = false
        let build: BuildFigures
        if !rebuild, FileManager.default.fileExists(atPath: storePath),
           let data = FileManager.default.contents(atPath: buildPath),
           let saved = try? JSONDecoder().decode(BuildFigures.self, from: data),
           saved.entries == entries, saved.seed == seed {
            build = saved; reused = true
            log("reusing \(storePath)")
        } else {
            build = try buildStore(generator)
            let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try enc.encode(build).write(to: URL(fileURLWithPath: buildPath))
        }
        let db = Measure.fileSize(storePath), wal = Measure.fileSize(storePath + "-wal")

        let loadBefore = Measure.loadAverage()
        let queries = QueryMix.make(generator, count: queryCount).filter { !skip.contains($0.category) }
        if !skip.isEmpty { log("left out: \(skip.sorted().joined(separator: ", "))") }
        let (process, note) = try wholeProcess(queries)
        var figures = try inProcess(queries)
        let pipeNote = try throughPipe(&figures)
        try floor(&figures)
        let whoFigures = try who(QueryMix.whoTopics(generator, queries))

        var categories: [CategoryFigures] = []
        for (name, _) in QueryMix.categories(generator) {
            let fs = figures.filter { $0.category == name }
            guard !fs.isEmpty else { continue }
            let m = fs.compactMap(\.matches).sorted()
            categories.append(CategoryFigures(
                category: name, find: LatencySummary(fs.map(\.find)), raw: LatencySummary(fs.compactMap(\.raw)),
                pipe: LatencySummary(fs.compactMap(\.pipe)), pipeCPU: LatencySummary(fs.compactMap(\.pipeCPU)),
                medianMatches: m.isEmpty ? nil : m[(m.count - 1) / 2],
                medianUnranked: Measure.median(fs.compactMap(\.unranked))))
        }
        let iso = ISO8601DateFormatter()
        return BenchReport(
            date: iso.string(from: Date()), cores: ProcessInfo.processInfo.activeProcessorCount,
            loadBefore: loadBefore, loadAfter: Measure.loadAverage(),
            entries: entries, seed: seed, vocabulary: vocabulary.kind.rawValue, headShares: try headShares(generator),
            members: generator.memberCount, tags: generator.tagNames.count,
            store: storePath, reusedStore: reused, build: build, dbBytes: db, walBytes: wal,
            storeToTextRatio: Double(db + wal) / Double(max(build.textBytes, 1)),
            process: process, processNote: note,
            find: LatencySummary(figures.map(\.find)), raw: LatencySummary(figures.compactMap(\.raw)),
            pipe: LatencySummary(figures.compactMap(\.pipe)), pipeCPU: LatencySummary(figures.compactMap(\.pipeCPU)), pipeNote: pipeNote,
            categories: categories, who: LatencySummary(whoFigures.map(\.seconds)),
            whoCategories: Dictionary(grouping: whoFigures, by: \.category).mapValues { LatencySummary($0.map(\.seconds)) },
            queryPeakMemoryBytes: Measure.status("VmHWM"), queries: figures, whoQueries: whoFigures)
    }

    // MARK: - Build

    /// Builds the store as a user would: the community file is written to disk once (streamed,
    /// the same bytes for the same entries and seed, kept beside the store for later runs), then
    /// `knowhow import` reads it into an empty store in one transaction, as a child process whose
    /// wall time and peak memory are the figures. Without a `knowhow` binary it imports in process.
    func buildStore(_ g: CommunityGenerator) throws -> BuildFigures {
        for suffix in ["", "-wal", "-shm", ".build.json"] { try? FileManager.default.removeItem(atPath: storePath + suffix) }
        let (file, fileReused) = try communityFile(g)
        let n = g.resourceCount + g.practiceCount + g.questionCount + g.answerCount
        var figures = BuildFigures(entries: g.entries, members: g.memberCount, seed: g.seed, chunkSize: 0,
                                   importSeconds: 0, generateSeconds: file.generateSeconds, entriesPerSecond: 0,
                                   peakMemoryBytes: nil, textBytes: file.textBytes, chunkRates: [])
        figures.communityFile = communityPath
        figures.fileBytes = Measure.fileSize(communityPath)
        figures.fileReused = fileReused
        if let bin = knowhowBinary(), FileManager.default.isExecutableFile(atPath: bin) {
            log("importing \(communityPath) with \(bin) …")
            let run = try Measure.runChild(bin, ["--db", storePath, "import", communityPath])
            guard run.status == 0 else { throw BenchError("\(bin) import \(communityPath) exited with \(run.status)") }
            figures.importSeconds = run.seconds
            figures.importedBy = "knowhow import (child process)"
            figures.importPeakMemoryBytes = run.peakBytes
        } else {
            log("no knowhow binary beside knowhow-bench: importing \(communityPath) in this process")
            let store = try SQLiteKnowledgeStore(path: storePath)
            let reader = try CommunityFileReader(path: communityPath)
            let (_, t) = try Measure.time { try store.importCommunity(reader, progress: nil, as: .system) }
            figures.importSeconds = t
            figures.importedBy = "importCommunity (in process)"
            figures.importPeakMemoryBytes = Measure.status("VmHWM")
        }
        figures.entriesPerSecond = Double(n) / figures.importSeconds
        figures.peakMemoryBytes = figures.importPeakMemoryBytes
        log("import: \(Format.int(Int(figures.entriesPerSecond))) entries/s, \(String(format: "%.1f", figures.importSeconds)) s, peak \(figures.importPeakMemoryBytes.map(Format.bytes) ?? "?")")
        return figures
    }

    var communityPath: String { "\(dir)/community-\(entries)-s\(seed)\(nameSuffix).json" }

    /// What generating the file measured, kept beside it so a reused file still reports it.
    struct FileFigures: Codable {
        var entries: Int
        var seed: UInt64
        var textBytes: Int
        var generateSeconds: Double
    }

    /// The community file of this run, written unless an earlier run left it complete.
    func communityFile(_ g: CommunityGenerator) throws -> (FileFigures, reused: Bool) {
        let meta = communityPath + ".figures.json"
        if FileManager.default.fileExists(atPath: communityPath),
           let data = FileManager.default.contents(atPath: meta),
           let saved = try? JSONDecoder().decode(FileFigures.self, from: data),
           saved.entries == entries, saved.seed == seed {
            log("reusing \(communityPath)")
            return (saved, true)
        }
        // Written under another name and renamed when complete, so a cut-short file is never reused.
        let partial = communityPath + ".partial"
        let t = Measure.now()
        var writer = try CommunityJSONWriter(generator: g, path: partial)
        try writer.write()
        let figures = FileFigures(entries: entries, seed: seed, textBytes: writer.textBytes, generateSeconds: Measure.now() - t)
        try? FileManager.default.removeItem(atPath: communityPath)
        try FileManager.default.moveItem(atPath: partial, toPath: communityPath)
        try JSONEncoder().encode(figures).write(to: URL(fileURLWithPath: meta))
        log("wrote \(communityPath) (\(Format.bytes(Measure.fileSize(communityPath)))) in \(String(format: "%.1f", figures.generateSeconds)) s")
        return (figures, false)
    }

    // MARK: - Whole process

    func knowhowBinary() -> String? {
        if let knowhow { return knowhow }
        let beside = (Measure.ownExecutable() as NSString).deletingLastPathComponent + "/knowhow"
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : nil
    }

    func wholeProcess(_ queries: [BenchQuery]) throws -> (ProcessFigures?, String?) {
        guard processRuns > 0 else { return (nil, "skipped (--process-runs 0)") }
        guard let bin = knowhowBinary(), FileManager.default.isExecutableFile(atPath: bin) else {
            return (nil, "no knowhow binary beside knowhow-bench; build it with `swift build -c release --product knowhow` or pass --knowhow PATH")
        }
        let picked = Array(queries.prefix(processRuns)).map(\.text)
        _ = try Measure.runProcess(bin, ["--db", storePath, "find", picked[0]])  // warm the page cache
        var runs: [Double] = []
        for q in picked {
            let (t, status) = try Measure.runProcess(bin, ["--db", storePath, "find", q])
            if status > 1 { log("warning: knowhow find \(q) exited with \(status)") }
            runs.append(t)
        }
        log("whole process: median \(Format.ms(Measure.median(runs))) ms over \(runs.count) runs of \(bin)")
        return (ProcessFigures(binary: bin, runs: runs, queries: picked, median: Measure.median(runs), max: runs.max()), nil)
    }

    // MARK: - Through a pipe

    /// Every query of the mix through one `knowhow find --batch --json --limit 10` process, one at
    /// a time, timed from writing the line to reading the answer's line. Returns a note when not measured.
    func throughPipe(_ figures: inout [QueryFigures]) throws -> String? {
        guard let bin = knowhowBinary(), FileManager.default.isExecutableFile(atPath: bin) else {
            return "no knowhow binary beside knowhow-bench"
        }
        let find = try PipeFind(binary: bin, arguments: ["--db", storePath, "find", "--batch", "--json", "--limit", "10"])
        for w in ["report", "team", "plan", "onboarding"] { _ = try find.ask(w) }
        for i in figures.indices {
            let (line, t, cpu) = try find.ask(figures[i].text)
            figures[i].pipeCPU = cpu
            if line.hasPrefix("{\"error\"") || line.contains("\"error\":") { log("warning: find --batch answered \(figures[i].text) with \(line)") }
            figures[i].pipe = t
        }
        let status = find.finish()
        if status > 1 { log("warning: find --batch exited with \(status)") }
        let p = LatencySummary(figures.compactMap(\.pipe))
        let c = LatencySummary(figures.compactMap(\.pipeCPU))
        log("through the pipe: p50 \(Format.ms(p.p50)) p99 \(Format.ms(p.p99)) ms; its CPU time p50 \(Format.ms(c.p50)) p99 \(Format.ms(c.p99)) ms")
        return nil
    }

    /// The share of entries holding each of the vocabulary's most frequent words, from the store's
    /// ranked-list statistics (words below the list threshold are left out).
    func headShares(_ g: CommunityGenerator) throws -> [String: Double] {
        var config = Configuration()
        config.readonly = true
        let dbq = try DatabaseQueue(path: storePath, configuration: config)
        return try dbq.read { db in
            guard let total = try Int.fetchOne(db, sql: "SELECT entries FROM rank_state WHERE id = 1"), total > 0 else { return [:] }
            var out: [String: Double] = [:]
            for w in g.vocab.words.prefix(QueryMix.headWords) {
                if let n = try Int.fetchOne(db, sql: "SELECT entries FROM rank_term WHERE term = ?", arguments: [w]) {
                    out[w] = Double(n) / Double(total)
                }
            }
            return out
        }
    }

    // MARK: - In process

    func inProcess(_ queries: [BenchQuery]) throws -> [QueryFigures] {
        let store = try SQLiteKnowledgeStore(path: storePath)
        // Warm up on other words, so the first timed query does not pay for opening caches.
        for w in ["report", "team", "plan", "onboarding"] { _ = try store.search(try QueryParser.parse(w), limit: 10) }
        var out: [QueryFigures] = []
        for q in queries {
            let t = Measure.now()
            let parsed = try QueryParser.parse(q.text)
            let results = try store.search(parsed, limit: 10)
            let elapsed = Measure.now() - t
            out.append(QueryFigures(category: q.category, text: q.text, match: parsed.text.flatMap(FTS5Query.render),
                                    find: elapsed, hits: results.hits.count))
        }
        let f = LatencySummary(out.map(\.find))
        log("in-process find: p50 \(Format.ms(f.p50)) p99 \(Format.ms(f.p99)) ms")
        return out
    }

    // MARK: - Who to ask

    func who(_ topics: [BenchQuery]) throws -> [WhoFigures] {
        let store = try SQLiteKnowledgeStore(path: storePath)
        _ = try ExpertRanker.rank(ExpertQuery(topic: "report"), source: store)
        var out: [WhoFigures] = []
        for q in topics {
            let t = Measure.now(), cpu = Measure.threadCPU()
            let experts = try ExpertRanker.rank(ExpertQuery(topic: q.text), source: store)
            out.append(WhoFigures(category: q.category, topic: q.text, seconds: Measure.now() - t, cpuSeconds: Measure.threadCPU() - cpu,
                                  experts: experts.count))
        }
        let w = LatencySummary(out.map(\.seconds)), c = LatencySummary(out.compactMap(\.cpuSeconds))
        log("who: p50 \(Format.ms(w.p50)) p99 \(Format.ms(w.p99)) ms over \(out.count) topics (CPU p50 \(Format.ms(c.p50)) p99 \(Format.ms(c.p99)))")
        return out
    }

    // MARK: - The engine's floor, and where the time goes

    static let rankSQL = "SELECT rowid, bm25(entry_fts, 10.0, 6.0, 3.0, 1.0) AS r FROM entry_fts WHERE entry_fts MATCH ? ORDER BY r LIMIT 10"
    func floor(_ figures: inout [QueryFigures]) throws {
        var config = Configuration()
        config.readonly = true
        let dbq = try DatabaseQueue(path: storePath, configuration: config)
        try dbq.read { db in
            _ = try Row.fetchAll(db, sql: Self.rankSQL, arguments: ["\"team\""])
            for i in figures.indices {
                guard let match = figures[i].match else { continue }
                let t = Measure.now()
                _ = try Row.fetchAll(db, sql: Self.rankSQL, arguments: [match])
                figures[i].raw = Measure.now() - t
                guard breakdown else { continue }
                let t1 = Measure.now()
                _ = try Int64.fetchAll(db, sql: "SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? LIMIT 10", arguments: [match])
                figures[i].unranked = Measure.now() - t1
                figures[i].matches = try Int.fetchOne(db, sql: "SELECT count(*) FROM entry_fts WHERE entry_fts MATCH ?", arguments: [match])
            }
        }
        let r = LatencySummary(figures.compactMap(\.raw))
        log("plain FTS5: p50 \(Format.ms(r.p50)) p99 \(Format.ms(r.p99)) ms")
    }
}
