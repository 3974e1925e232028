import Foundation
import GRDB
import KnowHowCore
import KnowHowSQLite

/// `knowhow-bench reuse`: does `find` (and `similar`) on a pasted question title lead to the
/// existing question it repeats? On the Stack Exchange archives with PostLinks.xml:
/// - duplicates (LinkTypeId 3) whose original is a question: the duplicate's title is the query,
///   a hit on the original or one of its answers is relevant;
/// - related links (LinkTypeId 1) between questions: the later one's title is the query, the
///   earlier one relevant.
/// Every query question and its answers are left out of the store (a case whose target was left
/// out is dropped). Beside KnowHow, on the same store text: plain FTS5 with all words, plain
/// FTS5 with any word by bm25 with the store's column weights (10, 6, 3, 1), and BM25 over
/// question title + tags + body (a thread's answers not included).
struct ReuseBenchmark {
    var dataDir: String
    var resamples = 1000
    /// A folder to keep each site's store (SITE.db) and cases (SITE.cases: type, target, query, ranks) in.
    var keep: String?
    /// Search as a large store does (ranked lists, common words, the natural-language pool), scaled
    /// down to the sample sites: lists for words in 120 entries or more, kept 30 long.
    var largeStore = false
    static let depth = 10
    static let methods = ["find", "similar", "FTS5 all words", "FTS5 any word bm25", "BM25 question text"]

    struct Case { var site: String; var type: String; var query: String; var target: Int64; var ranks: [Int?] }

    func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

    func run() throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: dataDir).sorted()
        let folders = names.map { (dataDir as NSString).appendingPathComponent($0) }.filter {
            FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("PostLinks.xml"))
        }
        guard !folders.isEmpty else { throw BenchError("no Stack Exchange archive with PostLinks.xml in \(dataDir); pass --data DIR") }
        var cases: [Case] = []
        for f in folders { cases += try site(f) }
        return table(cases)
    }

    func site(_ folder: String) throws -> [Case] {
        let dump = try RelevanceDump(folder: folder)
        var post: [Int64: RelevanceDump.Post] = [:]
        for p in dump.posts { post[p.id] = p }
        var wanted: [(type: String, query: Int64, target: Int64)] = []
        var seen = Set<String>()
        for r in try RelevanceDump.rows((folder as NSString).appendingPathComponent("PostLinks.xml")) {
            guard let a = r["PostId"].flatMap({ Int64($0) }), let b = r["RelatedPostId"].flatMap({ Int64($0) }), a != b,
                  let pa = post[a], let pb = post[b], pa.isQuestion, pb.isQuestion else { continue }
            let type: String, query: Int64, target: Int64
            switch r["LinkTypeId"] {
            case "3": type = "duplicate"; query = a; target = b
            case "1": type = "related"; (query, target) = pa.created >= pb.created ? (a, b) : (b, a)
            default: continue
            }
            if seen.insert("\(type) \(query) \(target)").inserted { wanted.append((type, query, target)) }
        }
        let leftOut = Set(wanted.map(\.query))
        let kept = wanted.filter { !leftOut.contains($0.target) }
        log("\(dump.site): \(kept.count) cases (\(wanted.count - kept.count) dropped: their target is itself a query)")

        var out: [Case] = []
        let scratch = (NSTemporaryDirectory() as NSString).appendingPathComponent("knowhow-reuse-\(getpid())-\(dump.site)")
        defer {
            if let keep {
                try? FileManager.default.removeItem(atPath: keep + "/" + dump.site + ".db")
                try? FileManager.default.copyItem(atPath: (scratch as NSString).appendingPathComponent("store.db"), toPath: keep + "/" + dump.site + ".db")
                let lines = out.map { "\($0.type)\t\($0.target)\t\($0.query)\t\($0.ranks.map { $0.map(String.init) ?? "-" }.joined(separator: ","))" }.joined(separator: "\n")
                try? lines.write(toFile: keep + "/" + dump.site + ".cases", atomically: true, encoding: .utf8)
            }
            try? FileManager.default.removeItem(atPath: scratch)
        }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let history = dump.posts.filter { !leftOut.contains($0.id) && !($0.parentId.map(leftOut.contains) ?? false) }.map(\.row)
        try RelevanceDump.write(history, root: "posts", to: (scratch as NSString).appendingPathComponent("Posts.xml"))
        if let users = dump.users {
            try RelevanceDump.write(users.map { $0.filter { ["Id", "DisplayName", "CreationDate"].contains($0.key) } },
                                    root: "users", to: (scratch as NSString).appendingPathComponent("Users.xml"))
        }
        let path = (scratch as NSString).appendingPathComponent("store.db")
        let store = try SQLiteKnowledgeStore(path: path)
        if largeStore { store.searchTuning = SearchTuning(listMinDocs: 120, listLength: 30, exactLimit: 120, commonWordMinimumStore: 1_000) }
        _ = try store.importStackExchange(folder: scratch, site: dump.site, progress: nil, as: .system)
        let community = Community(store: store)

        // Store keys ↔ Stack Exchange threads (a question's id; an answer's question's id).
        let db = try DatabaseQueue(path: path)
        var threadOfKey: [Int64: Int64] = [:]
        try db.read { db in
            var qSource: [Int64: Int64] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT id, source_id FROM question WHERE source_id IS NOT NULL") {
                if let se = (r["source_id"] as String).split(separator: ":").last.flatMap({ Int64($0) }) {
                    qSource[r["id"]] = se; threadOfKey[(r["id"] as Int64) << 3 | 4] = se
                }
            }
            for r in try Row.fetchAll(db, sql: "SELECT id, question_id FROM answer") {
                if let se = qSource[r["question_id"]] { threadOfKey[(r["id"] as Int64) << 3 | 5] = se }
            }
        }
        func thread(_ ref: EntryRef) -> Int64? {
            guard case .entry(let id) = ref else { return nil }
            let code: Int64 = id.type == .question ? 4 : id.type == .answer ? 5 : 0
            return threadOfKey[id.number << 3 | code]
        }
        // The question-text baseline: one document per question.
        let qdb = try DatabaseQueue()
        try qdb.write { d in
            try d.execute(sql: "CREATE VIRTUAL TABLE q USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2')")
            for r in history where r["PostTypeId"] == "1" {
                guard let id = r["Id"].flatMap({ Int64($0) }) else { continue }
                let text = [HTMLText.plainText(r["Title"] ?? ""), StackExchangeDump.tags(r["Tags"] ?? "").joined(separator: " "),
                            HTMLText.plainText(r["Body"] ?? "")].joined(separator: "\n")
                try d.execute(sql: "INSERT INTO q(rowid, text) VALUES (?, ?)", arguments: [id, text])
            }
        }

        for w in kept {
            let title = HTMLText.plainText(post[w.query]!.row["Title"] ?? "")
            let words = WordSplitter.words(title).map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            guard !words.isEmpty else { continue }
            func rank(_ threads: [Int64?]) -> Int? {
                var order: [Int64] = []
                for t in threads.prefix(Self.depth) { if let t, !order.contains(t) { order.append(t) } }
                return order.firstIndex(of: w.target).map { $0 + 1 }
            }
            func fts(_ match: String) throws -> [Int64?] {
                try db.read { d in
                    try Int64.fetchAll(d, sql: """
                        SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? AND (rowid & 7) != 1
                        ORDER BY bm25(entry_fts, 10.0, 6.0, 3.0, 1.0) LIMIT \(Self.depth)
                        """, arguments: [match]).map { threadOfKey[$0] }
                }
            }
            let find = try community.find(title, limit: Self.depth, as: nil, log: false).results.results.hits.map { thread($0.ref) }
            let similar = try community.similar(text: title, limit: Self.depth).results.results.hits.map { thread($0.ref) }
            let all = try fts(words.joined(separator: " AND "))
            let any = try fts(words.joined(separator: " OR "))
            let qtext = try qdb.read { d in
                try Int64.fetchAll(d, sql: "SELECT rowid FROM q WHERE q MATCH ? ORDER BY bm25(q) LIMIT \(Self.depth)",
                                   arguments: [words.joined(separator: " OR ")]).map { Optional($0) }
            }
            out.append(Case(site: dump.site, type: w.type, query: title, target: w.target,
                            ranks: [find, similar, all, any, qtext].map(rank)))
        }
        return out
    }

    // MARK: - Metrics

    static func metrics(_ rank: Int?) -> [Double] {
        [rank == 1 ? 1 : 0, rank.map { 1 / Double($0) } ?? 0, rank != nil ? 1 : 0]
    }

    /// The mean of `value` over the cases and its 95% percentile bootstrap interval.
    func interval(_ values: [Double], seed: UInt64) -> (mean: Double, lo: Double, hi: Double) {
        guard !values.isEmpty else { return (0, 0, 0) }
        var rng = SplitMix64(seed: seed)
        var means: [Double] = []
        for _ in 0..<resamples {
            var s = 0.0
            for _ in values.indices { s += values[rng.below(values.count)] }
            means.append(s / Double(values.count))
        }
        means.sort()
        return (values.reduce(0, +) / Double(values.count), means[Int(0.025 * Double(resamples))], means[Int(0.975 * Double(resamples)) - 1])
    }

    func table(_ cases: [Case]) -> String {
        var lines: [String] = []
        let sites = Array(Set(cases.map(\.site))).sorted()
        var groups: [(String, [Case])] = []
        for s in sites {
            for t in ["duplicate", "related"] { groups.append(("\(s) \(t)", cases.filter { $0.site == s && $0.type == t })) }
        }
        for t in ["duplicate", "related"] { groups.append(("pooled \(t)", cases.filter { $0.type == t })) }
        groups.append(("pooled all", cases))
        func f(_ x: (mean: Double, lo: Double, hi: Double)) -> String { String(format: "%.3f [%.3f, %.3f]", x.mean, x.lo, x.hi) }
        lines.append("| cases | n | method | success@1 | MRR | recall@10 |")
        lines.append("|---|---:|---|---|---|---|")
        for (name, g) in groups where !g.isEmpty {
            for (m, method) in Self.methods.enumerated() {
                let ms = g.map { Self.metrics($0.ranks[m]) }
                let cells = (0..<3).map { k in f(interval(ms.map { $0[k] }, seed: UInt64(k * 7919 + 1))) }
                lines.append("| \(name) | \(g.count) | \(method) | \(cells.joined(separator: " | ")) |")
            }
        }
        lines.append("")
        let any = Self.methods.firstIndex(of: "FTS5 any word bm25")!
        for (name, g) in groups where !g.isEmpty {
            for m in [0, 1] {
                let d = g.map { Self.metrics($0.ranks[m])[1] - Self.metrics($0.ranks[any])[1] }
                let mrr = g.map { Self.metrics($0.ranks[m])[1] }.reduce(0, +), base = g.map { Self.metrics($0.ranks[any])[1] }.reduce(0, +)
                lines.append("\(name) (n=\(g.count)): MRR \(Self.methods[m]) − any word = \(f(interval(d, seed: 17))); ratio \(base > 0 ? String(format: "%.2f", mrr / base) : "n/a")")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// `knowhow-bench reuse --latency STORE.db`: in-process `find` on pasted titles (a question's title
/// and a word no entry holds, so every word cannot match and the closest are ranked) beside
/// ordinary two-word searches from the same titles, p50/p99 in ms. Each kind is measured after
/// `warmUp` searches of its own kind from other titles, unmeasured: the first searches of a
/// process read pages and fill caches (the ranked lists kept in memory, a connection's
/// statements) that every later search finds ready.
struct ReuseLatency {
    var path: String
    var count = 200
    var warmUp = 20

    func run() throws -> String {
        let store = try SQLiteKnowledgeStore(path: path)
        let community = Community(store: store)
        let all = try DatabaseQueue(path: path).read { d in
            try String.fetchAll(d, sql: "SELECT title FROM question ORDER BY (id * 2654435761) % 1000003 LIMIT ?", arguments: [count + warmUp])
        }
        guard all.count > warmUp else { throw BenchError("\(path) holds no questions; build one with `knowhow-bench run` or import an archive") }
        func time(_ texts: [String]) throws -> (p50: Double, p99: Double, relaxed: Int) {
            var ms: [Double] = [], relaxed = 0
            for t in texts {
                let t0 = Measure.now()
                let found = try community.find(t, limit: 10, as: nil, log: false)
                ms.append((Measure.now() - t0) * 1000)
                if found.results.notice != nil { relaxed += 1 }
            }
            ms.sort()
            return (ms[ms.count / 2], ms[min(ms.count - 1, Int(Double(ms.count) * 0.99))], relaxed)
        }
        func pasted(_ titles: ArraySlice<String>) -> [String] { titles.map { $0 + " zqxjvw" } }
        func twoWords(_ titles: ArraySlice<String>) -> [String] {
            titles.compactMap { t -> String? in
                let w = NaturalQuery.contentWords(WordSplitter.words(t))
                return w.count >= 2 ? w.prefix(2).joined(separator: " ") : nil
            }
        }
        let warming = all.prefix(warmUp), titles = all.dropFirst(warmUp), two = twoWords(titles)
        _ = try time(twoWords(warming))
        let a = try time(two)
        _ = try time(pasted(warming))
        let b = try time(pasted(titles))
        return String(format: "two-word find: p50 %.2f ms, p99 %.2f ms (%d queries)\npasted-title find: p50 %.2f ms, p99 %.2f ms (%d queries, %d relaxed)",
                      a.p50, a.p99, two.count, b.p50, b.p99, titles.count, b.relaxed)
    }
}

let reuseUsage = """
usage: knowhow-bench reuse [--data DIR] [--resamples N] [--keep DIR] [--large-store]
       knowhow-bench reuse --latency STORE.db
  Pasted question titles against the questions they repeat (PostLinks.xml duplicates and related
  links), for find, similar and three FTS5/BM25 baselines; a Markdown table with 95% bootstrap intervals.
  --large-store searches as a large store does (ranked lists, the large-store pool), scaled down.
  --keep DIR keeps each site's store (SITE.db) and its cases with their ranks (SITE.cases) in DIR.
"""

func reuseMain(_ args: ArraySlice<String>) -> Int32 {
    if args.contains("-h") || args.contains("--help") { print(reuseUsage); return 0 }
    do {
        let o = try Options(args, flags: ["large-store"])
        if let path = o.values["latency"] { print(try ReuseLatency(path: path).run()); return 0 }
        var b = ReuseBenchmark(dataDir: o.values["data"] ?? "../shared/data/stackexchange")
        b.resamples = max(100, try o.int("resamples", default: b.resamples))
        b.keep = o.values["keep"]
        b.largeStore = o.flags.contains("large-store")
        print(try b.run())
        return 0
    } catch {
        FileHandle.standardError.write(Data("knowhow-bench reuse: \(error)\n".utf8))
        return 1
    }
}
