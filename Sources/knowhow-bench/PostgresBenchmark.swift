import Foundation
import KnowHowCore
import KnowHowPostgres
import KnowHowSQLite

/// `knowhow-bench run --db postgresql://… --entries N`: the same generated community imported
/// into PostgreSQL (the store's COPY import, in a child process whose peak memory is the
/// client's), then `find` through `PostgresKnowledgeStore.search` and plain PostgreSQL
/// (`ts_rank_cd … ORDER BY … LIMIT 10`) over the same query mix, beside the SQLite store and
/// plain FTS5 on the same data unless `--no-sqlite`.
struct PostgresBenchmark {
    var sqlite: Benchmark
    var url: String
    var withSQLite = true

    var entries: Int { sqlite.entries }
    var seed: UInt64 { sqlite.seed }
    /// Marks a database the bench built, so a later run reuses it and never drops anyone's community.
    var marker: String { "bench-\(entries)-s\(seed)" }
    static let markerKey = "knowhow-bench"

    func log(_ s: String) { sqlite.log(s) }

    func run() throws -> PostgresBenchReport {
        try FileManager.default.createDirectory(atPath: sqlite.dir, withIntermediateDirectories: true)
        let g = CommunityGenerator(entries: entries, seed: seed)
        let queries = QueryMix.make(g, count: sqlite.queryCount).filter { !sqlite.skip.contains($0.category) }
        var report = PostgresBenchReport(date: ISO8601DateFormatter().string(from: Date()), cores: ProcessInfo.processInfo.activeProcessorCount,
                                         loadBefore: Measure.loadAverage(), entries: entries, seed: seed, server: PGConnection.redacted(url))
        report.build = try build(g)
        report.loadBefore = Measure.loadAverage()

        let store = try PostgresKnowledgeStore(url)
        for w in ["report", "team", "plan", "onboarding"] { _ = try store.search(try QueryParser.parse(w), limit: 10) }
        let db = try PGConnection(url)
        report.serverVersion = try db.query("SHOW server_version").first?.get(0)
        report.databaseBytes = try db.query("SELECT pg_database_size(current_database()) AS n").first?.get("n")
        let plainSQL = """
            SELECT entry, ts_rank_cd(search, q) AS r FROM knowhow.entry_text, to_tsquery('\(TSQuery.configuration)', $1) q
            WHERE search @@ q ORDER BY r DESC LIMIT 10
            """
        _ = try db.query(plainSQL, ["'team'"])
        var figures: [QueryFigures] = []
        for q in queries {
            let t = Measure.now()
            let parsed = try QueryParser.parse(q.text)
            let results = try store.search(parsed, limit: 10)
            let elapsed = Measure.now() - t
            var f = QueryFigures(category: q.category, text: q.text, match: parsed.text.flatMap(TSQuery.render), find: elapsed, hits: results.hits.count)
            if let match = f.match {
                let t2 = Measure.now()
                _ = try db.query(plainSQL, [match])
                f.raw = Measure.now() - t2
            }
            figures.append(f)
        }
        report.find = LatencySummary(figures.map(\.find))
        report.raw = LatencySummary(figures.compactMap(\.raw))
        report.categories = QueryMix.categories.compactMap { name, _ in
            let fs = figures.filter { $0.category == name }
            return fs.isEmpty ? nil : CategoryFigures(category: name, find: LatencySummary(fs.map(\.find)), raw: LatencySummary(fs.compactMap(\.raw)),
                                           pipe: LatencySummary([]), pipeCPU: LatencySummary([]))
        }
        report.queries = figures
        log("PostgreSQL find: p50 \(Format.ms(report.find.p50)) p99 \(Format.ms(report.find.p99)) ms; plain: p50 \(Format.ms(report.raw.p50)) p99 \(Format.ms(report.raw.p99)) ms")

        if withSQLite {
            // The SQLite store on the same community file, built (or reused) as `run` builds it.
            let path = sqlite.storePath
            if sqlite.rebuild || !FileManager.default.fileExists(atPath: path) {
                let b = try sqlite.buildStore(g)
                report.sqliteImport = b
            } else {
                log("reusing \(path)")
            }
            var s = try sqlite.inProcess(queries)
            try sqlite.floor(&s)
            report.sqliteFind = LatencySummary(s.map(\.find))
            report.sqliteRaw = LatencySummary(s.compactMap(\.raw))
            report.sqliteCategories = QueryMix.categories.compactMap { name, _ in
                let fs = s.filter { $0.category == name }
                return fs.isEmpty ? nil : CategoryFigures(category: name, find: LatencySummary(fs.map(\.find)), raw: LatencySummary(fs.compactMap(\.raw)),
                                           pipe: LatencySummary([]), pipeCPU: LatencySummary([]))
            }
        }
        report.loadAfter = Measure.loadAverage()
        return report
    }

    /// Imports the community file into the database as a separate process (`pg-import`), unless
    /// this bench built it for the same entries and seed before and `--rebuild` is not given.
    func build(_ g: CommunityGenerator) throws -> PostgresBuildFigures? {
        let c = try PGConnection(url)
        let hasSchema = try c.query("SELECT to_regclass('knowhow.store_setting') IS NOT NULL AS e").first!.require("e", as: Bool.self)
        if hasSchema {
            let mark: String? = try c.query("SELECT value FROM knowhow.store_setting WHERE key = $1", [Self.markerKey]).first?.get("value")
            let holds = try c.query("SELECT EXISTS (SELECT 1 FROM knowhow.member) AS e").first!.require("e", as: Bool.self)
            if mark == marker, !sqlite.rebuild { log("reusing the community in \(PGConnection.redacted(url))"); return nil }
            guard mark != nil || !holds else {
                throw BenchError("\(PGConnection.redacted(url)) holds a community knowhow-bench did not make; give it an empty database (createdb)")
            }
            try c.execute("DROP SCHEMA knowhow CASCADE")
        }
        let (file, _) = try sqlite.communityFile(g)
        log("importing \(sqlite.communityPath) into PostgreSQL …")
        let run = try Measure.runChild(Measure.ownExecutable(), ["pg-import", "--db", url, "--file", sqlite.communityPath])
        guard run.status == 0 else { throw BenchError("pg-import exited with \(run.status)") }
        try PGConnection(url).query("INSERT INTO knowhow.store_setting(key, value) VALUES ($1, $2)", [Self.markerKey, marker])
        let n = g.resourceCount + g.practiceCount + g.questionCount + g.answerCount
        let f = PostgresBuildFigures(entries: n, members: g.memberCount, seconds: run.seconds, entriesPerSecond: Double(n) / run.seconds,
                                     clientPeakMemoryBytes: run.peakBytes, fileBytes: Measure.fileSize(sqlite.communityPath), textBytes: file.textBytes)
        log("PostgreSQL import: \(Format.int(Int(f.entriesPerSecond))) entries/s, \(String(format: "%.1f", f.seconds)) s, client peak \(Format.bytes(f.clientPeakMemoryBytes))")
        return f
    }

    /// `knowhow-bench pg-import --db URL --file FILE`: what the child process of `build` runs.
    static func importMain(url: String, file: String) throws {
        let store = try PostgresKnowledgeStore(url)
        let summary = try store.importCommunity(try CommunityFileReader(path: file), renumber: false) { line in
            FileHandle.standardError.write(Data(("\r" + line).utf8))
        }
        FileHandle.standardError.write(Data("\r\(summary)\n".utf8))
    }
}

struct PostgresBuildFigures: Codable {
    var entries: Int
    var members: Int
    /// Wall time of the importing process, connection and migration included.
    var seconds: Double
    var entriesPerSecond: Double
    /// The importing process's peak resident size (ru_maxrss): the client's memory.
    var clientPeakMemoryBytes: Int
    var fileBytes: Int
    var textBytes: Int
}

struct PostgresBenchReport: Codable {
    var tool = "knowhow-bench (PostgreSQL)"
    var date: String
    var cores: Int
    var loadBefore: String?
    var loadAfter: String?
    var entries: Int
    var seed: UInt64
    var server: String
    var serverVersion: String?
    var databaseBytes: Int?
    var build: PostgresBuildFigures?
    var find = LatencySummary([])
    var raw = LatencySummary([])
    var categories: [CategoryFigures] = []
    var sqliteImport: BuildFigures?
    var sqliteFind: LatencySummary?
    var sqliteRaw: LatencySummary?
    var sqliteCategories: [CategoryFigures] = []
    var queries: [QueryFigures] = []

    func table() -> String {
        var out: [String] = []
        out.append("KnowHow on PostgreSQL \(serverVersion ?? ""): \(Format.int(entries)) entries, seed \(seed), \(cores) cores; load before \(loadBefore ?? "?"), after \(loadAfter ?? "?")")
        out.append("")
        out.append("| figure | PostgreSQL | SQLite |")
        out.append("|---|---|---|")
        let pgImport = build.map { "\(Format.int(Int($0.entriesPerSecond))) entries/s (\(String(format: "%.1f", $0.seconds)) s), client peak \(Format.bytes($0.clientPeakMemoryBytes))" } ?? "reused"
        let sqImport = sqliteImport.map { "\(Format.int(Int($0.entriesPerSecond))) entries/s (\(String(format: "%.1f", $0.importSeconds)) s), peak \($0.importPeakMemoryBytes.map(Format.bytes) ?? "?")" } ?? (sqliteFind == nil ? "not run" : "reused")
        out.append("| import | \(pgImport) | \(sqImport) |")
        out.append("| store size | \(databaseBytes.map(Format.bytes) ?? "?") (whole database) | |")
        func l(_ s: LatencySummary?) -> String {
            guard let s else { return "not run" }
            return "p50 \(Format.ms(s.p50)) · p90 \(Format.ms(s.p90)) · p99 \(Format.ms(s.p99)) · max \(Format.ms(s.max)) ms"
        }
        out.append("| `find` through the store (\(find.count) queries) | \(l(find)) | \(l(sqliteFind)) |")
        out.append("| plain engine, top 10 ranked (\(raw.count) with words) | \(l(raw)) | \(l(sqliteRaw)) |")
        out.append("")
        out.append("| queries (ms) | n | PG find p50 | p99 | plain PG p50 | p99 | SQLite find p50 | p99 | FTS5 p50 | p99 |")
        out.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for c in categories {
            let s = sqliteCategories.first { $0.category == c.category }
            out.append("| \(c.category) | \(c.find.count) | \(Format.ms(c.find.p50)) | \(Format.ms(c.find.p99)) | \(Format.ms(c.raw.p50)) | \(Format.ms(c.raw.p99)) | \(Format.ms(s?.find.p50)) | \(Format.ms(s?.find.p99)) | \(Format.ms(s?.raw.p50)) | \(Format.ms(s?.raw.p99)) |")
        }
        return out.joined(separator: "\n")
    }
}
