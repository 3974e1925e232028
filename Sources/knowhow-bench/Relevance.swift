import Foundation
import KnowHowCore
import KnowHowSQLite

/// `knowhow-bench relevance`: how well `who` finds the person who went on to give the accepted
/// answer, on real Stack Exchange archives, beside three baselines on the same history.
///
/// Per site: questions ordered by date; the cutoff leaves 70% of the questions with an accepted
/// answer before it. The history (posts before the cutoff, accepted marks made before it,
/// scores from the votes cast before it) is written as a dump folder and imported with
/// `importStackExchange`. Each later question whose accepted answerer had answered before the
/// cutoff is a case: `who` is asked with its title, tags and text, the asker excluded.
struct RelevanceBenchmark {
    var dataDir: String
    var json: String?
    /// The longest topic handed to `who` and the baselines, in bytes of distinct words.
    var topicBytes = 1024
    var share = 0.7
    /// Where to keep each site's history store and cases (`SITE.db`, `SITE-cases.json`) for a look.
    var keep: String?

    static let methods = ["knowhow who"] + RelevanceBaselines.methods

    func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

    /// The site folders under `dataDir` (those with a Posts.xml), by name.
    func siteFolders() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dataDir).sorted()
        let folders = names.map { (dataDir as NSString).appendingPathComponent($0) }.filter {
            FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("Posts.xml"))
        }
        guard !folders.isEmpty else { throw BenchError("no Stack Exchange archive (a folder with Posts.xml) in \(dataDir); pass --data DIR") }
        return folders
    }

    func run() throws -> RelevanceReport {
        let start = Measure.now()
        var sites: [RelevanceSite] = []
        for folder in try siteFolders() { sites.append(try site(folder)) }
        return RelevanceReport(date: ISO8601DateFormatter().string(from: Date()), dataDir: dataDir, share: share,
                               topicBytes: topicBytes, seconds: Measure.now() - start, sites: sites)
    }

    func site(_ folder: String) throws -> RelevanceSite {
        let t0 = Measure.now()
        let dump = try RelevanceDump(folder: folder)
        let split = try dump.split(share: share)
        let scratch = (NSTemporaryDirectory() as NSString).appendingPathComponent("knowhow-relevance-\(getpid())-\(dump.site)")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try dump.writeHistory(split, to: scratch)

        let store = try SQLiteKnowledgeStore()
        let t1 = Measure.now()
        _ = try store.importStackExchange(folder: scratch, site: dump.site, progress: nil, as: .system)
        let importSeconds = Measure.now() - t1
        // Stack Exchange user id ↔ handle, through the source id `stackexchange:SITE:ID`.
        var handleOf: [Int64: String] = [:], userOf: [String: Int64] = [:]
        for m in try store.allMembers() {
            guard let id = m.sourceId?.split(separator: ":").last.flatMap({ Int64($0) }) else { continue }
            handleOf[id] = m.handle; userOf[m.handle] = id
        }
        let baselines = try RelevanceBaselines(history: split.history)

        var ranks: [RelevanceCase] = []
        var kept: [KeptCase] = []
        var skipped = split.skipped
        var whoSeconds = 0.0
        for c in split.cases {
            let topic = Self.topic(c, maxBytes: topicBytes)
            guard !topic.isEmpty else { skipped["question has no searchable words", default: 0] += 1; continue }
            kept.append(KeptCase(question: c.questionId, created: c.created.description, topic: topic,
                                 asker: c.asker.flatMap { handleOf[$0] }, answerer: handleOf[c.answerer] ?? ""))
            let match = try ExpertRanker.relaxedQuery(topic).text.flatMap(FTS5Query.render)
            var request = ExpertQuery(topic: topic)
            if let asker = c.asker.flatMap({ handleOf[$0] }) { request.exclude = [asker] }
            request.limit = Int.max
            let t = Measure.now()
            let experts = try ExpertRanker.rank(request, source: store, now: c.created)
            whoSeconds += Measure.now() - t
            let who = experts.compactMap { userOf[$0.member.handle] }
            let lists = [who] + (try baselines.rankings(match: match)).map { $0.filter { $0 != c.asker } }
            ranks.append(RelevanceCase(question: c.questionId, answerer: c.answerer,
                                       ranks: lists.map { $0.firstIndex(of: c.answerer).map { $0 + 1 } }))
        }
        if let keep {
            try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            let db = (keep as NSString).appendingPathComponent("\(dump.site).db")
            try? FileManager.default.removeItem(atPath: db)
            try store.saveCopy(to: db)
            let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try enc.encode(kept).write(to: URL(fileURLWithPath: (keep as NSString).appendingPathComponent("\(dump.site)-cases.json")))
        }
        let methods = Self.methods.indices.map { i in RelevanceFigures(method: Self.methods[i], ranks: ranks.map { $0.ranks[i] }) }
        let s = RelevanceSite(
            site: dump.site, cutoff: Timestamp(seconds: split.cutoff / 1000).description,
            historyQuestions: split.historyQuestions, historyAnswers: split.historyAnswers,
            historyAccepted: split.historyAccepted, historyAnswerers: split.answerers.count,
            cases: ranks.count, skipped: skipped, methods: methods,
            importSeconds: importSeconds, whoSeconds: whoSeconds, seconds: Measure.now() - t0, perCase: ranks)
        log("\(dump.site): \(s.cases) cases; import \(String(format: "%.2f", importSeconds)) s, who \(Format.ms(whoSeconds / Double(max(1, s.cases)))) ms a case")
        return s
    }

    /// The question as a `who` topic: the distinct words of its title, tags and text, in that
    /// order, lower-cased (so no word reads as query syntax) and cut at a word boundary.
    static func topic(_ c: RelevanceDump.Case, maxBytes: Int) -> String {
        var seen = Set<String>(), out: [String] = [], bytes = 0
        let text = [c.title, c.tags.joined(separator: " "), c.body].joined(separator: "\n")
        for w in WordSplitter.words(text.lowercased()) where !ExpertRanker.stopWords.contains(w) && seen.insert(w).inserted {
            guard bytes + w.utf8.count + 1 <= maxBytes else { break }
            out.append(w); bytes += w.utf8.count + 1
        }
        return out.joined(separator: " ")
    }
}

/// A case as `--keep` writes it: the topic asked and who is who, by handle.
struct KeptCase: Codable {
    var question: Int64
    var created: String
    var topic: String
    var asker: String?
    var answerer: String
}

/// One case: the later question, its accepted answerer, and where each method ranked them
/// (nil: not ranked at all).
struct RelevanceCase: Codable {
    var question: Int64
    var answerer: Int64
    var ranks: [Int?]
}

/// P@1, MRR and recall@10 of one method on one site.
struct RelevanceFigures: Codable {
    var method: String
    var precisionAt1: Double
    var mrr: Double
    var recallAt10: Double

    init(method: String, ranks: [Int?]) {
        self.method = method
        let n = Double(max(1, ranks.count))
        precisionAt1 = Double(ranks.filter { $0 == 1 }.count) / n
        mrr = ranks.reduce(0) { $0 + ($1.map { 1 / Double($0) } ?? 0) } / n
        recallAt10 = Double(ranks.filter { ($0 ?? .max) <= 10 }.count) / n
    }
}

struct RelevanceSite: Codable {
    var site: String
    var cutoff: String
    var historyQuestions: Int
    var historyAnswers: Int
    var historyAccepted: Int
    var historyAnswerers: Int
    var cases: Int
    var skipped: [String: Int]
    var methods: [RelevanceFigures]
    var importSeconds: Double
    var whoSeconds: Double
    var seconds: Double
    var perCase: [RelevanceCase]
}

struct RelevanceReport: Codable {
    var date: String
    var dataDir: String
    var share: Double
    var topicBytes: Int
    var seconds: Double
    var sites: [RelevanceSite]

    /// The table printed at the end of a run (Markdown, to paste into an issue).
    func table() -> String {
        var out = ["Relevance of `who` on Stack Exchange archives (\(dataDir)): history before the date that leaves \(Int(share * 100))% of accepted-answer questions before it; topics of at most \(topicBytes) bytes", ""]
        out.append("| site | cases | method | P@1 | MRR | R@10 |")
        out.append("|---|--:|---|--:|--:|--:|")
        for s in sites {
            let best = (mrr: s.methods.map(\.mrr).max() ?? 0, p1: s.methods.map(\.precisionAt1).max() ?? 0, r10: s.methods.map(\.recallAt10).max() ?? 0)
            for (i, m) in s.methods.enumerated() {
                func cell(_ v: Double, _ top: Double) -> String {
                    let t = String(format: "%.3f", v)
                    return v == top ? "**\(t)**" : t
                }
                out.append("| \(i == 0 ? s.site : "") | \(i == 0 ? String(s.cases) : "") | \(m.method) | \(cell(m.precisionAt1, best.p1)) | \(cell(m.mrr, best.mrr)) | \(cell(m.recallAt10, best.r10)) |")
            }
        }
        out.append("")
        for s in sites {
            let skipped = s.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            out.append("\(s.site): cutoff \(s.cutoff); history \(s.historyQuestions) questions, \(s.historyAnswers) answers (\(s.historyAccepted) accepted) by \(s.historyAnswerers) answerers; \(s.cases) cases\(skipped.isEmpty ? "" : " (left out: \(skipped))"); \(String(format: "%.1f", s.seconds)) s")
        }
        out.append("total \(String(format: "%.1f", seconds)) s")
        return out.joined(separator: "\n")
    }
}

let relevanceUsage = """
USAGE:
  knowhow-bench relevance [--data DIR] [--json OUT.json] [--topic-bytes 1024] [--keep DIR]
      On each Stack Exchange archive under DIR (default ../shared/data/stackexchange), replay
      history up to a cutoff and ask `who` for each later question's accepted answerer; print
      P@1, MRR and recall@10 beside three baselines, and write JSON (default bench-out/relevance.json).
      --keep DIR saves each site's history store (open it with `knowhow --db DIR/SITE.db`) and
      its cases (topic, asker, answerer) there.
"""

/// `knowhow-bench relevance …`, dispatched from main.
func relevanceMain(_ args: ArraySlice<String>) -> Int32 {
    if args.contains("-h") || args.contains("--help") { print(relevanceUsage); return 0 }
    do {
        let o = try Options(args, flags: [])
        var b = RelevanceBenchmark(dataDir: o.values["data"] ?? "../shared/data/stackexchange")
        b.json = o.values["json"]
        b.keep = o.values["keep"]
        b.topicBytes = max(16, try o.int("topic-bytes", default: b.topicBytes))
        let report = try b.run()
        print(report.table())
        let path = b.json ?? "bench-out/relevance.json"
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try enc.encode(report).write(to: URL(fileURLWithPath: path))
        print("\nJSON: \(path)")
        return 0
    } catch {
        FileHandle.standardError.write(Data("knowhow-bench relevance: \(error)\n".utf8))
        return 1
    }
}
