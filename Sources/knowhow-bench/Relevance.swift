import Foundation
import KnowHowCore
import KnowHowSQLite

/// `knowhow-bench relevance`: how well `who` finds the person who went on to give the accepted
/// answer, on real Stack Exchange archives, beside four baselines, replayed online.
///
/// Per site: the whole archive is imported once. Every question with an accepted answer, after
/// the first 30% of them (the warm-up), is a case: `who` is asked with its title, tags and text
/// as of one second before it was written (`asOf`: no later post counts; accepted marks and votes
/// carry no date in the store, so as of a date none is known), the asker excluded. The accepted
/// answerer is the one right answer; one who had never answered before counts as a miss (the
/// figures without those cases are reported too).
///
/// `who`'s weights are chosen by cross-site validation: for each site, the weights that give the
/// best MRR on the other two sites' cases are measured on it ("held out"). The standard weights
/// are measured too.
struct RelevanceBenchmark {
    var dataDir: String
    var json: String?
    /// The longest topic handed to `who` and the baselines, in bytes of distinct words.
    /// (Under the 1,000 characters a search may have.)
    var topicBytes = 990
    var warmup = 0.3
    var seed: UInt64 = 16
    var resamples = 2000
    /// Where to keep each site's store and cases (`SITE.db`, `SITE-cases.json`) for a look.
    var keep: String?

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
        var sites: [SiteCases] = []
        for folder in try siteFolders() { sites.append(try site(folder)) }
        return RelevanceReport(benchmark: self, sites: sites, seconds: Measure.now() - start)
    }

    /// One site's cases: each candidate's signals for `who`, and where each baseline ranked the answerer.
    func site(_ folder: String) throws -> SiteCases {
        let t0 = Measure.now()
        let dump = try RelevanceDump(folder: folder)
        let replay = dump.replay(warmup: warmup)
        let store = try SQLiteKnowledgeStore()
        _ = try store.importStackExchange(folder: folder, site: dump.site, progress: nil, as: .system)
        var handleOf: [Int64: String] = [:]
        for m in try store.allMembers() {
            guard let id = m.sourceId?.split(separator: ":").last.flatMap({ Int64($0) }) else { continue }
            handleOf[id] = m.handle
        }
        let baselines = try RelevanceBaselines(dump: dump)
        var out = SiteCases(site: dump.site, warmupQuestions: replay.warmupQuestions, skipped: replay.skipped)
        var kept: [KeptCase] = []
        var whoSeconds = 0.0
        for (c, known) in zip(replay.cases, replay.known) {
            let topic = Self.topic(c, maxBytes: topicBytes)
            guard !topic.isEmpty else { out.skipped["question has no searchable words", default: 0] += 1; continue }
            let asker = c.asker.flatMap { handleOf[$0] }
            let answerer = handleOf[c.answerer] ?? "?"
            kept.append(KeptCase(question: c.questionId, created: c.created.description, topic: topic, asker: asker, answerer: answerer))
            var request = ExpertQuery(topic: topic)
            if let asker { request.exclude = [asker] }
            request.limit = Int.max
            let asOf = Timestamp(seconds: c.created.seconds - 1)
            request.asOf = asOf
            let t = Measure.now()
            let candidates = try ExpertRanker.candidates(request, source: store, now: asOf)
            whoSeconds += Measure.now() - t
            let match = try ExpertRanker.relaxedQuery(topic).text.flatMap(FTS5Query.render)
            let lists = try baselines.rankings(match: match, before: c.created.seconds * 1000, tags: c.tags)
                .map { $0.filter { $0 != c.asker } }
            out.cases.append(ReplayCase(
                question: c.questionId, answerer: answerer, known: known,
                candidates: candidates.map { e in
                    ReplayCandidate(handle: e.member.handle, signals: ExpertSignal.allCases.map { e.signals[$0] ?? 0 })
                },
                baselineRanks: lists.map { $0.firstIndex(of: c.answerer).map { $0 + 1 } }))
        }
        if let keep {
            try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            let db = (keep as NSString).appendingPathComponent("\(dump.site).db")
            try? FileManager.default.removeItem(atPath: db)
            try store.saveCopy(to: db)
            let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try enc.encode(kept).write(to: URL(fileURLWithPath: (keep as NSString).appendingPathComponent("\(dump.site)-cases.json")))
        }
        out.whoSeconds = whoSeconds
        out.seconds = Measure.now() - t0
        log("\(dump.site): \(out.cases.count) cases (\(out.cases.filter(\.known).count) answerers known); who \(Format.ms(whoSeconds / Double(max(1, out.cases.count)))) ms a case; \(String(format: "%.1f", out.seconds)) s")
        return out
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

struct ReplayCandidate: Codable {
    var handle: String
    /// By `ExpertSignal.allCases`.
    var signals: [Double]
}

struct ReplayCase: Codable {
    var question: Int64
    var answerer: String
    /// Whether the answerer had answered before the question (else a miss for every method).
    var known: Bool
    var candidates: [ReplayCandidate]
    /// By `RelevanceBaselines.methods`.
    var baselineRanks: [Int?]

    /// Where `who` with these weights ranks the answerer (as `ExpertRanker.find` orders: score,
    /// then handle; members scoring nothing are not listed).
    func rank(_ w: [Double]) -> Int? {
        func score(_ c: ReplayCandidate) -> Double {
            var s = 0.0
            for i in 0..<w.count where w[i] != 0 { s += w[i] * c.signals[i] }
            return s
        }
        guard let target = candidates.first(where: { $0.handle == answerer }) else { return nil }
        let t = score(target)
        guard t > 0 else { return nil }
        var above = 0
        for c in candidates {
            let s = score(c)
            if s > t || (s == t && c.handle < answerer) { above += 1 }
        }
        return above + 1
    }
}

struct SiteCases: Codable {
    var site: String
    var warmupQuestions: Int
    var skipped: [String: Int]
    var cases: [ReplayCase] = []
    var whoSeconds = 0.0
    var seconds = 0.0

    init(site: String, warmupQuestions: Int, skipped: [String: Int]) {
        self.site = site; self.warmupQuestions = warmupQuestions; self.skipped = skipped
    }
}

/// P@1, MRR and recall@10 over a list of ranks (nil: not found), and the bootstrap.
enum RankMetrics {
    static let names = ["P@1", "MRR", "R@10"]

    static func values(_ r: Int?) -> [Double] {
        guard let r else { return [0, 0, 0] }
        return [r == 1 ? 1 : 0, 1 / Double(r), r <= 10 ? 1 : 0]
    }

    static func mean(_ ranks: [Int?]) -> [Double] {
        var sum = [0.0, 0.0, 0.0]
        for r in ranks { let v = values(r); for i in 0..<3 { sum[i] += v[i] } }
        return sum.map { $0 / Double(max(1, ranks.count)) }
    }

    /// 95% percentile intervals of each metric of `a`, and of `a` − `b` where `b` is given,
    /// resampling cases with replacement (paired: the same cases for both).
    static func intervals(_ a: [Int?], minus b: [Int?]? = nil, resamples: Int, seed: UInt64) -> [(lo: Double, hi: Double)] {
        guard !a.isEmpty else { return Array(repeating: (0, 0), count: 3) }
        let va = a.map(values), vb = b?.map(values)
        var rng = SplitMix64(seed: seed)
        var draws: [[Double]] = [[], [], []]
        for _ in 0..<resamples {
            var sum = [0.0, 0.0, 0.0]
            for _ in 0..<a.count {
                let i = rng.below(a.count)
                for m in 0..<3 { sum[m] += va[i][m] - (vb?[i][m] ?? 0) }
            }
            for m in 0..<3 { draws[m].append(sum[m] / Double(a.count)) }
        }
        return draws.map { d in
            let s = d.sorted()
            return (s[Int(Double(s.count) * 0.025)], s[min(s.count - 1, Int(Double(s.count) * 0.975))])
        }
    }
}

/// The cross-site choice of weights over the signals the replay can measure: a pairwise logistic
/// regression (RankNet's loss, linear): for every case, the answerer against each other
/// candidate, each case weighing one in all; weights kept non-negative, so that the "why" reads
/// as what added to a score. Fitted by plain gradient descent from zero, deterministic. (An
/// earlier grid search that maximised MRR itself chose different weights on each fold and did
/// worse held out: MRR is a step function of the weights, and on two small sites its best point
/// is mostly noise.)
enum WeightSearch {
    /// The signals fitted; acceptance, skills and endorsements are constant in the replay.
    static let tuned: [ExpertSignal] = [.focus, .text, .tags, .activity, .volume, .similar, .recent, .availability]
    /// The signals of the first cross-site fit, before the closest threads, recent topic work and
    /// time of day were added: fitted too, to show what those add.
    static let earlier: [ExpertSignal] = [.focus, .text, .tags, .activity, .volume]
    static let iterations = 300
    static let rate = 5.0

    static func vector(_ w: ExpertWeights) -> [Double] { ExpertSignal.allCases.map { w[$0] } }

    static func fit(_ cases: [ReplayCase], signals tuned: [ExpertSignal] = tuned) -> ExpertWeights {
        let index = tuned.map { s in ExpertSignal.allCases.firstIndex(of: s)! }
        var diffs: [[Double]] = [], share: [Double] = []
        for c in cases {
            guard let target = c.candidates.first(where: { $0.handle == c.answerer }) else { continue }
            let others = c.candidates.filter { $0.handle != c.answerer }
            for o in others {
                diffs.append(index.map { target.signals[$0] - o.signals[$0] })
                share.append(1 / Double(others.count))
            }
        }
        var w = Array(repeating: 0.0, count: index.count)
        let total = share.reduce(0, +)
        if total > 0 {
            for _ in 0..<iterations {
                var gradient = Array(repeating: 0.0, count: w.count)
                for (d, s) in zip(diffs, share) {
                    var z = 0.0
                    for k in w.indices { z += w[k] * d[k] }
                    let miss = s / (1 + exp(z))   // s · (1 − σ(z))
                    for k in w.indices { gradient[k] -= miss * d[k] }
                }
                for k in w.indices { w[k] = max(0, w[k] - rate * gradient[k] / total) }
            }
        }
        var out = ExpertWeights.standard
        for signal in Self.tuned { out[signal] = 0 }
        for (k, signal) in tuned.enumerated() { out[signal] = w[k] }
        return out
    }
}

struct MethodFigures: Codable {
    var method: String
    var ranks: [Int?]
    var values: [Double]
    var low: [Double]
    var high: [Double]
    /// The figures over the cases whose answerer had answered before (the others dropped).
    var knownValues: [Double]
}

struct SiteFigures: Codable {
    var site: String
    var cases: Int
    var known: Int
    var methods: [MethodFigures]
    /// `who` (held out) − the best baseline by MRR: the differences and their intervals.
    var bestBaseline: String
    var difference: [Double]
    var differenceLow: [Double]
    var differenceHigh: [Double]
}

struct Fold: Codable {
    var heldOut: String
    var fittedOn: [String]
    var weights: [String: Double]
    var trainingMRR: Double
    var heldOutValues: [Double]
}

struct RelevanceReport: Codable {
    var date: String
    var dataDir: String
    var warmup: Double
    var topicBytes: Int
    var seed: UInt64
    var resamples: Int
    var seconds: Double
    var folds: [Fold]
    var sites: [SiteFigures]
    var standardWeights: [String: Double]
    var siteCases: [SiteCases]

    static let methods = ["who (held out)", "who (standard weights)", "who (held out, first 5 signals)"] + RelevanceBaselines.methods

    init(benchmark b: RelevanceBenchmark, sites: [SiteCases], seconds: Double) {
        date = ISO8601DateFormatter().string(from: Date())
        dataDir = b.dataDir; warmup = b.warmup; topicBytes = b.topicBytes; seed = b.seed; resamples = b.resamples
        self.seconds = seconds
        siteCases = sites
        func named(_ w: ExpertWeights) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: ExpertSignal.allCases.map { ($0.rawValue, w[$0]) })
        }
        standardWeights = named(.standard)
        // Cross-site validation: fit on the others, measure on this one.
        var heldOut: [String: [Int?]] = [:], heldOutEarlier: [String: [Int?]] = [:]
        folds = []
        for s in sites where sites.count > 1 {
            let others = sites.filter { $0.site != s.site }
            let w = WeightSearch.fit(others.flatMap(\.cases))
            let ranks = s.cases.map { $0.rank(WeightSearch.vector(w)) }
            heldOut[s.site] = ranks
            let earlier = WeightSearch.vector(WeightSearch.fit(others.flatMap(\.cases), signals: WeightSearch.earlier))
            heldOutEarlier[s.site] = s.cases.map { $0.rank(earlier) }
            folds.append(Fold(heldOut: s.site, fittedOn: others.map(\.site), weights: named(w),
                              trainingMRR: RankMetrics.mean(others.flatMap(\.cases).map { $0.rank(WeightSearch.vector(w)) })[1],
                              heldOutValues: RankMetrics.mean(ranks)))
        }
        if sites.count > 1 {
            // Fitted and measured on every case: not a result, an optimistic bound on what these
            // signals can do in a weighted sum.
            let all = sites.flatMap(\.cases)
            let w = WeightSearch.fit(all)
            let ranks = all.map { $0.rank(WeightSearch.vector(w)) }
            folds.append(Fold(heldOut: "none (in sample)", fittedOn: sites.map(\.site), weights: named(w),
                              trainingMRR: RankMetrics.mean(ranks)[1], heldOutValues: RankMetrics.mean(ranks)))
        }
        let standard = WeightSearch.vector(.standard)
        func figures(_ name: String, _ cases: [ReplayCase], _ heldOutRanks: [Int?], _ earlierRanks: [Int?]) -> SiteFigures {
            let lists: [[Int?]] = [heldOutRanks, cases.map { $0.rank(standard) }, earlierRanks]
                + RelevanceBaselines.methods.indices.map { i in cases.map { $0.baselineRanks[i] } }
            let methods = zip(Self.methods, lists).map { m, ranks in
                let ci = RankMetrics.intervals(ranks, resamples: b.resamples, seed: b.seed)
                let known = zip(ranks, cases).filter { $0.1.known }.map(\.0)
                return MethodFigures(method: m, ranks: ranks, values: RankMetrics.mean(ranks), low: ci.map(\.lo), high: ci.map(\.hi),
                                     knownValues: RankMetrics.mean(known))
            }
            let best = methods.dropFirst(3).max { $0.values[1] < $1.values[1] }!
            let diff = RankMetrics.intervals(heldOutRanks, minus: best.ranks, resamples: b.resamples, seed: b.seed)
            return SiteFigures(site: name, cases: cases.count, known: cases.filter(\.known).count, methods: methods,
                               bestBaseline: best.method,
                               difference: zip(RankMetrics.mean(heldOutRanks), best.values).map { $0 - $1 },
                               differenceLow: diff.map(\.lo), differenceHigh: diff.map(\.hi))
        }
        var figs = sites.map { s in
            figures(s.site, s.cases, heldOut[s.site] ?? s.cases.map { $0.rank(standard) }, heldOutEarlier[s.site] ?? s.cases.map { $0.rank(standard) })
        }
        if sites.count > 1 {
            figs.append(figures("pooled", sites.flatMap(\.cases), sites.flatMap { heldOut[$0.site] ?? [] },
                                sites.flatMap { heldOutEarlier[$0.site] ?? [] }))
        }
        self.sites = figs
    }

    /// The table printed at the end of a run (Markdown, to paste into an issue or README).
    func table() -> String {
        func f(_ v: Double) -> String { String(format: "%.3f", v) }
        func ci(_ m: MethodFigures, _ i: Int) -> String { "\(f(m.values[i])) (\(f(m.low[i]))–\(f(m.high[i])))" }
        var out = ["Relevance of `who`, online replay on Stack Exchange archives (\(dataDir)): every accepted-answer question after the first \(Int(warmup * 100))% is a case, asked as of just before it; 95% bootstrap intervals (\(resamples) resamples, seed \(seed)); new answerers count as misses", ""]
        out.append("| site | cases (known) | method | P@1 | MRR | R@10 | MRR, known only |")
        out.append("|---|--:|---|--:|--:|--:|--:|")
        for s in sites {
            for (i, m) in s.methods.enumerated() {
                out.append("| \(i == 0 ? s.site : "") | \(i == 0 ? "\(s.cases) (\(s.known))" : "") | \(m.method) | \(ci(m, 0)) | \(ci(m, 1)) | \(ci(m, 2)) | \(f(m.knownValues[1])) |")
            }
        }
        out.append("")
        out.append("| site | who (held out) − best baseline | ΔP@1 | ΔMRR | ΔR@10 | MRR ÷ summed BM25 |")
        out.append("|---|---|--:|--:|--:|--:|")
        for s in sites {
            func d(_ i: Int) -> String { "\(String(format: "%+.3f", s.difference[i])) (\(String(format: "%+.3f", s.differenceLow[i]))…\(String(format: "%+.3f", s.differenceHigh[i])))" }
            let summed = s.methods.first { $0.method == "summed BM25" }?.values[1] ?? 0
            out.append("| \(s.site) | vs \(s.bestBaseline) | \(d(0)) | \(d(1)) | \(d(2)) | \(summed > 0 ? String(format: "%.2f×", s.methods[0].values[1] / summed) : "–") |")
        }
        out.append("")
        out.append("Cross-site validation (weights fitted on two sites by pairwise logistic regression, measured on the third):")
        out.append("")
        out.append("| held out | fitted on | " + WeightSearch.tuned.map(\.rawValue).joined(separator: " | ") + " | training MRR | held-out P@1 / MRR / R@10 |")
        out.append("|---|---|" + String(repeating: "--:|", count: WeightSearch.tuned.count) + "--:|---|")
        for fold in folds {
            let w = WeightSearch.tuned.map { String(format: "%.2f", fold.weights[$0.rawValue] ?? 0) }.joined(separator: " | ")
            out.append("| \(fold.heldOut) | \(fold.fittedOn.joined(separator: " + ")) | \(w) | \(f(fold.trainingMRR)) | \(fold.heldOutValues.map(f).joined(separator: " / ")) |")
        }
        out.append("")
        out.append("standard weights: " + ExpertSignal.allCases.map { "\($0.rawValue) \(String(format: "%g", standardWeights[$0.rawValue] ?? 0))" }.joined(separator: ", "))
        for s in siteCases {
            let skipped = s.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            out.append("\(s.site): warm-up \(s.warmupQuestions) questions; \(s.cases.count) cases\(skipped.isEmpty ? "" : " (left out: \(skipped))"); `who` \(Format.ms(s.whoSeconds / Double(max(1, s.cases.count)))) ms a case; \(String(format: "%.1f", s.seconds)) s")
        }
        out.append("total \(String(format: "%.1f", seconds)) s")
        return out.joined(separator: "\n")
    }
}

let relevanceUsage = """
USAGE:
  knowhow-bench relevance [--data DIR] [--json OUT.json] [--topic-bytes 990] [--warmup 30]
                          [--resamples 2000] [--seed 16] [--keep DIR]
      On each Stack Exchange archive under DIR (default ../shared/data/stackexchange), replay
      the site online: each accepted-answer question after the warm-up (percent of them) is asked
      of `who` as of just before it was written; print P@1, MRR and recall@10 with 95% bootstrap
      intervals beside four baselines, with `who`'s weights chosen by cross-site validation, and
      write JSON (default bench-out/relevance.json).
      --keep DIR saves each site's store (open it with `knowhow --db DIR/SITE.db`) and its cases.
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
        b.warmup = Double(min(90, try o.int("warmup", default: 30))) / 100
        b.resamples = max(100, try o.int("resamples", default: b.resamples))
        b.seed = UInt64(try o.int("seed", default: Int(b.seed)))
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
