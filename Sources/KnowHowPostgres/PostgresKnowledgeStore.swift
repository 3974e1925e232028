import Foundation
import KnowHowCore

/// The shared store on PostgreSQL (in progress): reads, search, and the community-file round
/// trip. It offers the read requirements of the store port under the same names and types, so
/// it can adopt the capability protocols once the service-layer refactor lands; writes,
/// curation, history and insights are still to come.
public final class PostgresKnowledgeStore: @unchecked Sendable {
    let db: PGConnection
    /// One libpq connection serves one call at a time; calls from several threads take turns.
    private let lock = NSRecursiveLock()

    /// Connects and brings the schema up to date (a store that exists is migrated).
    public init(_ conninfo: String, overrides: [String: String] = [:]) throws {
        db = try PGConnection(conninfo, overrides: overrides)
        madeSchema = try PostgresSchema.migrate(db).contains(1)
    }

    /// Whether opening the store made its schema (`create()` says so).
    let madeSchema: Bool

    /// Runs store work, mapping server failures to sentences at the edge.
    func run<T>(_ body: (PGConnection) throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        do { return try body(db) } catch let e as PGError { throw e.knowHowError }
    }

    // MARK: - Records

    public func member(_ handle: String) throws -> Member {
        try run { c in try Self.loadMember(c, id: try Self.memberID(c, handle)) }
    }

    public func resource(_ id: EntryID) throws -> Resource {
        try run { c in try Self.loadResource(c, number: try Self.require(c, id)) }
    }

    public func practice(_ id: EntryID) throws -> Practice {
        try run { c in try Self.loadPractice(c, number: try Self.require(c, id)) }
    }

    public func question(_ id: EntryID) throws -> Question {
        try run { c in try Self.loadQuestion(c, number: try Self.require(c, id)) }
    }

    public func answer(_ id: EntryID) throws -> Answer {
        try run { c in try Self.loadAnswer(c, number: try Self.require(c, id)) }
    }

    public func answers(to question: EntryID) throws -> [Answer] {
        try run { c in
            let n = try Self.require(c, question)
            return try c.query("SELECT id FROM knowhow.answer WHERE question_id = $1 ORDER BY id", [n]).rows
                .map { try Self.loadAnswer(c, number: try $0.require("id")) }
        }
    }

    public func resolveTag(_ nameOrAlias: String) throws -> String? {
        guard let name = try? Validation.tag(nameOrAlias) else { return nil }
        return try run { c in try Self.tagName(c, name) }
    }

    public func tag(_ name: String) throws -> TagDetail {
        try run { c in
            let wanted = (try? Validation.tag(name)) ?? name
            guard let id = try Self.tagID(c, wanted) else {
                let names = try c.query("SELECT name FROM knowhow.tag UNION ALL SELECT alias FROM knowhow.tag_alias").rows.map { try $0.require("name", as: String.self) }
                throw KnowHowError.unknownTag(name, suggestion: EditDistance.nearest(wanted, in: names, max: 1).first)
            }
            return try Self.tagDetail(c, id: id)
        }
    }

    public func listTags(query: String?, limit: Int) throws -> [TagDetail] {
        try run { c in
            var p = PGParameters()
            var sql = "SELECT id FROM knowhow.tag"
            if let q = Validation.text(query) {
                let like = "%" + PostgresFilters.likeEscaped(q.lowercased().replacingOccurrences(of: " ", with: "-")) + "%"
                let l = p.bind(like)
                sql += " WHERE name LIKE \(l) OR description ILIKE \(p.bind("%" + PostgresFilters.likeEscaped(q) + "%")) OR id IN (SELECT tag_id FROM knowhow.tag_alias WHERE alias LIKE \(l))"
            }
            sql += " ORDER BY name COLLATE \"C\" LIMIT \(p.bind(limit))"
            return try c.query(sql, p.values).rows.map { try Self.tagDetail(c, id: try $0.require("id")) }
        }
    }

    public func counts() throws -> StoreCounts {
        try run { c in
            let r = try c.query("""
                SELECT (SELECT count(*) FROM knowhow.member) AS m, (SELECT count(*) FROM knowhow.resource) AS r,
                       (SELECT count(*) FROM knowhow.practice) AS p, (SELECT count(*) FROM knowhow.question) AS q,
                       (SELECT count(*) FROM knowhow.answer) AS a, (SELECT count(*) FROM knowhow.tag) AS t
                """).first!
            var n = StoreCounts()
            n.members = try r.require("m"); n.resources = try r.require("r"); n.practices = try r.require("p")
            n.questions = try r.require("q"); n.answers = try r.require("a"); n.tags = try r.require("t")
            return n
        }
    }

    // MARK: - Completion

    public func handles(startingWith prefix: String, limit: Int) throws -> [String] {
        let p = prefix.hasPrefix("@") ? String(prefix.dropFirst()).lowercased() : prefix.lowercased()
        return try run { c in
            try c.query("SELECT handle FROM knowhow.member WHERE handle COLLATE \"C\" >= $1 AND handle COLLATE \"C\" < $2 ORDER BY handle COLLATE \"C\" LIMIT $3",
                        [p, p + "\u{10FFFF}", limit]).rows.map { try $0.require("handle") }
        }
    }

    public func tagNames(startingWith prefix: String, limit: Int) throws -> [(name: String, count: Int)] {
        let p = prefix.lowercased()
        return try run { c in
            try c.query("""
                SELECT t.name, (SELECT count(*) FROM knowhow.entry_tag e WHERE e.tag_id = t.id)
                             + (SELECT count(*) FROM knowhow.member_skill s WHERE s.tag_id = t.id) AS n
                FROM knowhow.tag t WHERE t.name COLLATE "C" >= $1 AND t.name COLLATE "C" < $2 ORDER BY t.name COLLATE "C" LIMIT $3
                """, [p, p + "\u{10FFFF}", limit]).rows.map { (try $0.require("name"), try $0.require("n")) }
        }
    }

    public func entryTitles(startingWith id: String, limit: Int) throws -> [(id: EntryID, title: String)] {
        let t = id.lowercased()
        guard let first = t.first, let type = EntryType.allCases.first(where: { $0.prefix == first }), type != .member else { return [] }
        let digits = t.dropFirst()
        guard digits.allSatisfy(\.isNumber) else { return [] }
        let title = type == .answer ? "(SELECT q.title FROM knowhow.question q WHERE q.id = x.question_id)" : "x.title"
        // ids whose decimal form starts with the digits typed: r1 → 1, 10–19, 100–199…
        var ranges: [(Int64, Int64)] = []
        if let n = Int64(digits) {
            var lo = n, hi = n
            for _ in 0..<7 { ranges.append((lo, hi)); lo *= 10; hi = hi * 10 + 9 }
        } else {
            ranges = [(1, Int64.max)]
        }
        return try run { c in
            var out: [(EntryID, String)] = []
            for (lo, hi) in ranges where out.count < limit {
                out += try c.query("SELECT x.id, \(title) AS title FROM knowhow.\(type.rawValue) x WHERE x.id BETWEEN $1 AND $2 ORDER BY x.id LIMIT $3",
                                   [lo, hi, limit - out.count]).rows.map { (EntryID(type, try $0.require("id")), try $0.get("title") ?? "") }
            }
            return out
        }
    }

    // MARK: - Loading whole records

    static func memberID(_ c: PGConnection, _ handle: String) throws -> Int64 {
        let h = try Validation.handle(handle)
        // A handle merged away points at the member it was merged into.
        let r = try c.query("""
            SELECT id FROM knowhow.member WHERE handle = $1
            UNION ALL SELECT m.id FROM knowhow.redirect d JOIN knowhow.member m ON '@' || m.handle = d.new WHERE d.old = '@' || $1
            LIMIT 1
            """, [h])
        guard let id: Int64 = try r.first?.get("id") else { throw KnowHowError.unknownMember(handle: h) }
        return id
    }

    static func require(_ c: PGConnection, _ id: EntryID) throws -> Int64 {
        guard id.type != .member else { throw KnowHowError.unknownEntry(id) }
        let table = id.type.rawValue  // one of five fixed names, never user text
        if try c.query("SELECT 1 FROM knowhow.\(table) WHERE id = $1", [id.number]).first != nil { return id.number }
        // An id merged away points at the entry it was merged into.
        if let to = try c.query("SELECT new FROM knowhow.redirect WHERE old = $1", [id.description]).first?.get("new", as: String.self)
            .flatMap(EntryID.init), to.type == id.type,
           try c.query("SELECT 1 FROM knowhow.\(table) WHERE id = $1", [to.number]).first != nil {
            return to.number
        }
        throw KnowHowError.unknownEntry(id)
    }

    static func tagID(_ c: PGConnection, _ name: String) throws -> Int64? {
        try c.query("""
            SELECT id FROM knowhow.tag WHERE name = $1 UNION ALL SELECT tag_id FROM knowhow.tag_alias WHERE alias = $1 LIMIT 1
            """, [name]).first?.get("id")
    }

    static func tagName(_ c: PGConnection, _ name: String) throws -> String? {
        try c.query("""
            SELECT name FROM knowhow.tag WHERE name = $1
            UNION ALL SELECT t.name FROM knowhow.tag_alias a JOIN knowhow.tag t ON t.id = a.tag_id WHERE a.alias = $1 LIMIT 1
            """, [name]).first?.get("name")
    }

    static func tagDetail(_ c: PGConnection, id: Int64) throws -> TagDetail {
        let r = try c.query("""
            SELECT name, description,
                   ARRAY(SELECT alias FROM knowhow.tag_alias WHERE tag_id = t.id ORDER BY alias COLLATE "C") AS aliases,
                   (SELECT count(*) FROM knowhow.entry_tag WHERE tag_id = t.id) AS entries,
                   (SELECT count(*) FROM (SELECT member_id FROM knowhow.member_skill WHERE tag_id = t.id
                                          UNION SELECT member_id FROM knowhow.member_interest WHERE tag_id = t.id) x) AS members
            FROM knowhow.tag t WHERE id = $1
            """, [id]).first!
        return TagDetail(tag: Tag(name: try r.require("name"), description: try r.get("description"),
                                  aliases: try r.require("aliases", as: PGTextArray.self).values),
                         entryCount: try r.require("entries"), memberCount: try r.require("members"))
    }

    static func handle(_ c: PGConnection, _ id: Int64?) throws -> String? {
        guard let id else { return nil }
        return try c.query("SELECT handle FROM knowhow.member WHERE id = $1", [id]).first?.get("handle")
    }

    static func entryTags(_ c: PGConnection, key: Int64) throws -> [String] {
        try c.query("""
            SELECT t.name FROM knowhow.entry_tag e JOIN knowhow.tag t ON t.id = e.tag_id WHERE e.entry = $1 ORDER BY t.name COLLATE "C"
            """, [key]).rows.map { try $0.require("name") }
    }

    static func loadMember(_ c: PGConnection, id: Int64) throws -> Member {
        guard let r = try c.query("SELECT * FROM knowhow.member WHERE id = $1", [id]).first else {
            throw KnowHowError.unknownMember(handle: "?")
        }
        let skills = try c.query("""
            SELECT t.name, s.level FROM knowhow.member_skill s JOIN knowhow.tag t ON t.id = s.tag_id
            WHERE s.member_id = $1 ORDER BY t.name COLLATE "C"
            """, [id]).rows.map { Skill(tag: try $0.require("name"), level: SkillLevel(rawValue: try $0.require("level")) ?? .learning) }
        let interests = try c.query("""
            SELECT t.name FROM knowhow.member_interest i JOIN knowhow.tag t ON t.id = i.tag_id
            WHERE i.member_id = $1 ORDER BY t.name COLLATE "C"
            """, [id]).rows.map { try $0.require("name", as: String.self) }
        return Member(handle: try r.require("handle"), name: try r.require("name"), email: try r.get("email"),
                      organisation: try r.get("organisation"), sector: try r.get("sector"), location: try r.get("location"),
                      timeZone: try r.get("time_zone"), bio: try r.get("bio"),
                      role: Role(rawValue: try r.require("role")) ?? .member, openToQuestions: try r.require("open_to_questions"),
                      mentoring: try r.require("mentoring"), joined: (try r.get("joined", as: String.self)).flatMap(Day.init),
                      skills: skills, interests: interests, sourceId: try r.get("source_id"))
    }

    static func loadResource(_ c: PGConnection, number n: Int64) throws -> Resource {
        guard let r = try c.query("SELECT * FROM knowhow.resource WHERE id = $1", [n]).first else { throw KnowHowError.unknownEntry(EntryID(.resource, n)) }
        let authors = try c.query("""
            SELECT m.handle FROM knowhow.resource_author a JOIN knowhow.member m ON m.id = a.member_id
            WHERE a.resource_id = $1 ORDER BY m.handle COLLATE "C"
            """, [n]).rows.map { try $0.require("handle", as: String.self) }
        return Resource(id: EntryID(.resource, n), title: try r.require("title"), url: try r.get("url"),
                        kind: ResourceKind(rawValue: try r.require("kind")) ?? .other, summary: try r.get("summary"),
                        body: try r.get("body"), tags: try entryTags(c, key: EntryKeys.make(.resource, n)),
                        contributor: try handle(c, try r.get("contributor_id")), authors: authors,
                        created: (try r.get("created", as: String.self)).flatMap(Timestamp.init),
                        updated: (try r.get("updated", as: String.self)).flatMap(Timestamp.init),
                        status: ResourceStatus(rawValue: try r.require("status")) ?? .active)
    }

    static func loadPractice(_ c: PGConnection, number n: Int64) throws -> Practice {
        guard let r = try c.query("SELECT * FROM knowhow.practice WHERE id = $1", [n]).first else { throw KnowHowError.unknownEntry(EntryID(.practice, n)) }
        return Practice(id: EntryID(.practice, n), title: try r.require("title"), context: try r.get("context"),
                        practice: try r.get("practice"), evidence: try r.get("evidence"),
                        tags: try entryTags(c, key: EntryKeys.make(.practice, n)),
                        contributor: try handle(c, try r.get("contributor_id")),
                        status: PracticeStatus(rawValue: try r.require("status")) ?? .proposed,
                        verifiedBy: try handle(c, try r.get("verified_by_id")),
                        verifiedAt: (try r.get("verified_at", as: String.self)).flatMap(Timestamp.init),
                        reviewBy: (try r.get("review_by", as: String.self)).flatMap(Day.init),
                        created: (try r.get("created", as: String.self)).flatMap(Timestamp.init),
                        updated: (try r.get("updated", as: String.self)).flatMap(Timestamp.init))
    }

    static func loadQuestion(_ c: PGConnection, number n: Int64) throws -> Question {
        guard let r = try c.query("SELECT * FROM knowhow.question WHERE id = $1", [n]).first else { throw KnowHowError.unknownEntry(EntryID(.question, n)) }
        return Question(id: EntryID(.question, n), title: try r.require("title"), body: try r.get("body"),
                        tags: try entryTags(c, key: EntryKeys.make(.question, n)),
                        asker: try handle(c, try r.get("asker_id")),
                        created: (try r.get("created", as: String.self)).flatMap(Timestamp.init), score: try r.get("score"),
                        acceptedAnswer: (try r.get("accepted_answer_id", as: Int64.self)).map { EntryID(.answer, $0) })
    }

    static func loadAnswer(_ c: PGConnection, number n: Int64) throws -> Answer {
        guard let r = try c.query("SELECT * FROM knowhow.answer WHERE id = $1", [n]).first else { throw KnowHowError.unknownEntry(EntryID(.answer, n)) }
        return Answer(id: EntryID(.answer, n), question: EntryID(.question, try r.require("question_id")), body: try r.require("body"),
                      author: try handle(c, try r.get("author_id")),
                      created: (try r.get("created", as: String.self)).flatMap(Timestamp.init), score: try r.get("score"))
    }
}

/// A one-dimensional text array in PostgreSQL's text format (`{a,"b c"}`).
struct PGTextArray: PGDecodable {
    var values: [String]

    init?(pgText: String) {
        guard pgText.hasPrefix("{"), pgText.hasSuffix("}") else { return nil }
        let inner = pgText.dropFirst().dropLast()
        var out: [String] = [], cur = "", quoted = false, escaped = false
        for ch in inner {
            if escaped { cur.append(ch); escaped = false; continue }
            switch ch {
            case "\\" where quoted: escaped = true
            case "\"": quoted.toggle()
            case "," where !quoted:
                out.append(cur); cur = ""
            default: cur.append(ch)
            }
        }
        if !inner.isEmpty { out.append(cur) }
        values = out
    }
}
