import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import KnowHowCore

/// One site's Stack Exchange archive, read whole (the development archives are small), and
/// split in time for the relevance benchmark: the history as it stood at the cutoff, and the
/// later questions whose accepted answerer the history knows.
struct RelevanceDump {
    /// One `<row>`: its attributes as written.
    typealias Row = [String: String]

    struct Post {
        var id: Int64
        var isQuestion: Bool
        var parentId: Int64?
        var acceptedAnswerId: Int64?
        var owner: Int64?
        /// Milliseconds since 1970, for ordering (dumps write milliseconds).
        var created: Int64
        var row: Row
    }

    /// A later question and the one right answer.
    struct Case {
        var questionId: Int64
        var asker: Int64?
        var answerer: Int64
        var created: Timestamp
        var title: String
        var tags: [String]
        /// Plain text of the question's HTML body.
        var body: String
    }

    let site: String
    let folder: String
    var posts: [Post] = []
    var users: [Row]?
    /// Votes.xml, when the dump has it.
    var votes: [Row]?

    init(folder: String) throws {
        self.folder = folder
        site = URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
        let fm = FileManager.default
        func path(_ f: String) -> String { (folder as NSString).appendingPathComponent(f) }
        guard fm.fileExists(atPath: path("Posts.xml")) else { throw BenchError("\(folder) has no Posts.xml") }
        for r in try Self.rows(path("Posts.xml")) {
            guard let id = r["Id"].flatMap({ Int64($0) }), let type = r["PostTypeId"], type == "1" || type == "2",
                  let created = r["CreationDate"].flatMap(Self.millis) else { continue }
            posts.append(Post(id: id, isQuestion: type == "1", parentId: r["ParentId"].flatMap { Int64($0) },
                              acceptedAnswerId: r["AcceptedAnswerId"].flatMap { Int64($0) },
                              owner: r["OwnerUserId"].flatMap { Int64($0) }, created: created, row: r))
        }
        if fm.fileExists(atPath: path("Users.xml")) { users = try Self.rows(path("Users.xml")) }
        if fm.fileExists(atPath: path("Votes.xml")) { votes = try Self.rows(path("Votes.xml")) }
    }

    // MARK: - The split

    /// The creation time that leaves `share` of the questions with an accepted answer before it.
    func cutoff(share: Double = 0.7) throws -> Int64 {
        let accepted = posts.filter { $0.isQuestion && $0.acceptedAnswerId != nil }.map(\.created).sorted()
        guard accepted.count >= 4 else { throw BenchError("\(site): too few questions with an accepted answer (\(accepted.count))") }
        return accepted[min(accepted.count - 1, Int((Double(accepted.count) * share).rounded(.down)))]
    }

    /// A vote's day read as its last moment: votes carry only the day, so one cast on the
    /// cutoff's day may have come after it.
    static func endOfDay(_ row: Row) -> Int64? {
        row["CreationDate"].flatMap(millis).map { $0 / 86_400_000 * 86_400_000 + 86_399_999 }
    }

    /// When each answer was accepted: from Votes.xml (type 1) where present, else when it was written.
    func acceptanceTimes() -> [Int64: Int64] {
        var out: [Int64: Int64] = [:]
        for v in votes ?? [] where v["VoteTypeId"] == "1" {
            guard let post = v["PostId"].flatMap({ Int64($0) }), let t = Self.endOfDay(v) else { continue }
            out[post] = min(out[post] ?? .max, t)
        }
        return out
    }

    /// Scores as they stood at `cutoff` (up votes less down votes cast before it); nil without Votes.xml.
    func scores(before cutoff: Int64) -> [Int64: Int]? {
        guard let votes else { return nil }
        var out: [Int64: Int] = [:]
        for v in votes {
            guard let type = v["VoteTypeId"], type == "2" || type == "3", let post = v["PostId"].flatMap({ Int64($0) }),
                  let t = Self.endOfDay(v), t < cutoff else { continue }
            out[post, default: 0] += type == "2" ? 1 : -1
        }
        return out
    }

    struct Split {
        var cutoff: Int64
        /// The posts of the history, rewritten as they stood (accepted marks and scores).
        var history: [Row]
        var historyQuestions = 0, historyAnswers = 0, historyAccepted = 0
        /// Users with at least one answer in the history, by user id: their answer count.
        var answerers: [Int64: Int] = [:]
        var cases: [Case] = []
        /// Later questions with an accepted answer left out, and why.
        var skipped: [String: Int] = [:]
    }

    func split(share: Double = 0.7) throws -> Split {
        let cutoff = try cutoff(share: share)
        let accepted = acceptanceTimes()
        let scores = scores(before: cutoff)
        let byId = Dictionary(posts.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var s = Split(cutoff: cutoff, history: [])
        // Only what the importer reads: the rest (view counts, edit dates…) was not there yet.
        let kept = ["Id", "PostTypeId", "ParentId", "CreationDate", "OwnerUserId", "OwnerDisplayName", "Title", "Body", "Tags"]
        for p in posts.sorted(by: { ($0.created, $0.id) < ($1.created, $1.id) }) where p.created < cutoff {
            var row = p.row.filter { kept.contains($0.key) }
            if let scores { row["Score"] = String(scores[p.id] ?? 0) }
            if p.isQuestion {
                s.historyQuestions += 1
                if let a = p.acceptedAnswerId, let answer = byId[a], answer.created < cutoff,
                   max(accepted[a] ?? answer.created, answer.created) < cutoff {
                    row["AcceptedAnswerId"] = String(a)
                    s.historyAccepted += 1
                }
            } else {
                // The importer leaves out answers whose question is gone; so does the count.
                guard let q = p.parentId, byId[q]?.isQuestion == true else { continue }
                s.historyAnswers += 1
                if let o = p.owner, o >= 0 { s.answerers[o, default: 0] += 1 }
            }
            s.history.append(row)
        }
        for q in posts where q.isQuestion && q.created >= cutoff {
            guard let a = q.acceptedAnswerId else { continue }
            guard let answer = byId[a], let who = answer.owner, who >= 0 else { s.skipped["accepted answer has no author", default: 0] += 1; continue }
            guard s.answerers[who] != nil else { s.skipped["answerer new since the cutoff", default: 0] += 1; continue }
            guard who != q.owner else { s.skipped["asker answered their own question", default: 0] += 1; continue }
            s.cases.append(Case(questionId: q.id, asker: q.owner, answerer: who,
                                created: Timestamp(seconds: q.created / 1000), title: q.row["Title"] ?? "",
                                tags: StackExchangeDump.tags(q.row["Tags"] ?? ""),
                                body: HTMLText.plainText(q.row["Body"] ?? "")))
        }
        s.cases.sort { ($0.created, $0.questionId) < ($1.created, $1.questionId) }
        return s
    }

    /// The online replay: every question with an accepted answer, after the first `warmup` of
    /// them (by date), is a case, asked as of just before the question was written. The whole site
    /// is imported once; `who` and the baselines read it as of each case's date.
    struct Replay {
        var cases: [Case] = []
        /// Per case: whether the accepted answerer had answered anything before the question.
        var known: [Bool] = []
        var skipped: [String: Int] = [:]
        var warmupQuestions = 0
    }

    func replay(warmup: Double) -> Replay {
        var r = Replay()
        let byId = Dictionary(posts.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let questions = posts.filter { $0.isQuestion && $0.acceptedAnswerId != nil }.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
        r.warmupQuestions = Int((Double(questions.count) * warmup).rounded(.down))
        // Each answerer's first answer, to tell who was new at a case's date.
        var firstAnswer: [Int64: Int64] = [:]
        for p in posts where !p.isQuestion {
            guard let o = p.owner, o >= 0, let q = p.parentId, byId[q]?.isQuestion == true else { continue }
            firstAnswer[o] = min(firstAnswer[o] ?? .max, p.created)
        }
        for q in questions.dropFirst(r.warmupQuestions) {
            guard let a = q.acceptedAnswerId, let answer = byId[a], let who = answer.owner, who >= 0 else {
                r.skipped["accepted answer has no author", default: 0] += 1; continue
            }
            guard who != q.owner else { r.skipped["asker answered their own question", default: 0] += 1; continue }
            r.cases.append(Case(questionId: q.id, asker: q.owner, answerer: who,
                                created: Timestamp(seconds: q.created / 1000), title: q.row["Title"] ?? "",
                                tags: StackExchangeDump.tags(q.row["Tags"] ?? ""),
                                body: HTMLText.plainText(q.row["Body"] ?? "")))
            r.known.append((firstAnswer[who] ?? .max) < q.created / 1000 * 1000)
        }
        return r
    }

    /// Every answer with its author, creation time (milliseconds) and its question's title, tags
    /// and text, for the baselines.
    func answerDocs() -> [(id: Int64, user: Int64, created: Int64, text: String, tags: [String])] {
        var questions: [Int64: (title: String, tags: [String])] = [:]
        for p in posts where p.isQuestion {
            questions[p.id] = (HTMLText.plainText(p.row["Title"] ?? ""), StackExchangeDump.tags(p.row["Tags"] ?? ""))
        }
        return posts.compactMap { p in
            guard !p.isQuestion, let q = p.parentId.flatMap({ questions[$0] }), let user = p.owner, user >= 0 else { return nil }
            let tags = q.tags.joined(separator: " ").replacingOccurrences(of: "-", with: " ")
            return (p.id, user, p.created, [q.title, tags, HTMLText.plainText(p.row["Body"] ?? "")].joined(separator: "\n"), q.tags)
        }
    }

    /// Writes the history as a dump folder (Posts.xml, and Users.xml for users who had joined)
    /// for `importStackExchange`. Tags come from the posts.
    func writeHistory(_ split: Split, to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.write(split.history, root: "posts", to: (dir as NSString).appendingPathComponent("Posts.xml"))
        if let users {
            let joined = users.filter { u in u["CreationDate"].flatMap(Self.millis).map { $0 < split.cutoff } ?? true }
                .map { $0.filter { ["Id", "DisplayName", "AboutMe", "Location", "CreationDate"].contains($0.key) } }
            try Self.write(joined, root: "users", to: (dir as NSString).appendingPathComponent("Users.xml"))
        }
    }

    // MARK: - XML

    /// `2016-08-02T15:39:14.947` → milliseconds since 1970.
    static func millis(_ text: String) -> Int64? {
        guard let t = Timestamp(text) else { return nil }
        var ms: Int64 = 0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }.prefix(3)
            ms = Int64(digits.padding(toLength: 3, withPad: "0", startingAt: 0)) ?? 0
        }
        return t.seconds * 1000 + ms
    }

    static func rows(_ path: String) throws -> [Row] {
        guard let stream = InputStream(fileAtPath: path) else { throw BenchError("cannot read \(path)") }
        final class Collector: NSObject, XMLParserDelegate {
            var rows: [Row] = []
            var depth = 0
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                        qualifiedName: String?, attributes: [String: String] = [:]) {
                depth += 1
                if depth == 2, name == "row" { rows.append(attributes) }
            }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                depth -= 1
            }
        }
        let c = Collector()
        let parser = XMLParser(stream: stream)
        parser.shouldResolveExternalEntities = false
        parser.delegate = c
        guard parser.parse(), parser.parserError == nil else { throw BenchError("\(path) is not well-formed XML") }
        return c.rows
    }

    static func write(_ rows: [Row], root: String, to path: String) throws {
        var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<\(root)>\n"
        for r in rows {
            out += "  <row"
            for (k, v) in r.sorted(by: { $0.key < $1.key }) { out += " \(k)=\"\(escape(v))\"" }
            out += " />\n"
        }
        out += "</\(root)>\n"
        try out.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// An attribute value as XML writes it; line breaks and tabs as character references, so
    /// they survive attribute-value normalisation.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#xA;"
            case "\r": out += "&#xD;"
            case "\t": out += "&#x9;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
