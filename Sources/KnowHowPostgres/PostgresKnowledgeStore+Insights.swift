import Foundation
import KnowHowCore

/// The search log, the store's settings, and the reads behind `stats`, `gaps`, `topics`, `match`,
/// `stale` and `graph`, as the SQLite store gives them (the computations are the core's,
/// Insights.swift). Times are text in one format, compared byte by byte (`COLLATE "C"`).
extension PostgresKnowledgeStore: InsightFacts {
    // MARK: - Settings

    public func searchLogging() throws -> SearchLogging {
        try run { c in try Self.searchLogging(c) }
    }

    static func searchLogging(_ c: PGConnection) throws -> SearchLogging {
        try c.query("SELECT value FROM knowhow.store_setting WHERE key = $1", [SearchLogging.settingKey]).first?
            .get("value", as: String.self).flatMap(SearchLogging.init(rawValue:)) ?? .on
    }

    // MARK: - The search log

    /// Records a search as the setting says; one insert (nothing at all when logging is off).
    public func logSearch(_ entry: SearchLogEntry) throws {
        try run { c in
            let mode = try Self.searchLogging(c)
            if mode == .off { return }
            let member: Int64? = mode == .anonymous ? nil
                : try entry.member.flatMap { try c.query("SELECT id FROM knowhow.member WHERE handle = $1", [$0]).first?.get("id") }
            try c.execute("INSERT INTO knowhow.search_log(at, kind, query, results, weak, member_id) VALUES ($1, $2, $3, $4, $5, $6)",
                          [entry.at.description, entry.kind.rawValue, String(entry.query.prefix(SearchLogEntry.maxQueryLength)),
                           max(0, entry.results), entry.weak, member])
        }
    }

    public func searchLog(in period: Period?) throws -> [SearchLogEntry] {
        try run { c in
            var sql = "SELECT s.at, s.kind, s.query, s.results, s.weak, m.handle FROM knowhow.search_log s LEFT JOIN knowhow.member m ON m.id = s.member_id"
            var args: [PGBindable?] = []
            if let period {
                sql += " WHERE s.at COLLATE \"C\" >= $1 AND s.at COLLATE \"C\" <= $2"
                args = [period.start.description, period.end.description]
            }
            sql += " ORDER BY s.at COLLATE \"C\", s.id"
            return try c.query(sql, args).rows.compactMap { r in
                guard let at = Timestamp(try r.require("at", as: String.self)), let kind = SearchKind(rawValue: try r.require("kind")) else { return nil }
                return SearchLogEntry(at: at, kind: kind, query: try r.require("query"), results: try r.require("results"),
                                      weak: try r.require("weak"), member: try r.get("handle"))
            }
        }
    }

    // MARK: - Facts for insights

    public func allMembers() throws -> [Member] {
        try run { c in
            var skills: [Int64: [Skill]] = [:], interests: [Int64: [String]] = [:]
            for r in try c.query("""
                SELECT s.member_id, t.name, s.level FROM knowhow.member_skill s JOIN knowhow.tag t ON t.id = s.tag_id ORDER BY t.name COLLATE "C"
                """).rows {
                skills[try r.require("member_id"), default: []].append(Skill(tag: try r.require("name"), level: SkillLevel(rawValue: try r.require("level")) ?? .learning))
            }
            for r in try c.query("""
                SELECT i.member_id, t.name FROM knowhow.member_interest i JOIN knowhow.tag t ON t.id = i.tag_id ORDER BY t.name COLLATE "C"
                """).rows {
                interests[try r.require("member_id"), default: []].append(try r.require("name"))
            }
            return try c.query("SELECT * FROM knowhow.member ORDER BY handle COLLATE \"C\"").rows.map { r in
                let id: Int64 = try r.require("id")
                return Member(handle: try r.require("handle"), name: try r.require("name"), email: try r.get("email"),
                              organisation: try r.get("organisation"), sector: try r.get("sector"), location: try r.get("location"),
                              timeZone: try r.get("time_zone"), bio: try r.get("bio"),
                              role: Role(rawValue: try r.require("role")) ?? .member, openToQuestions: try r.require("open_to_questions"),
                              mentoring: try r.require("mentoring"), joined: (try r.get("joined", as: String.self)).flatMap(Day.init),
                              skills: skills[id] ?? [], interests: interests[id] ?? [], sourceId: try r.get("source_id"))
            }
        }
    }

    public func activity(since: Timestamp?) throws -> [Activity] {
        let from = since?.description ?? ""
        return try run { c in
            var tags: [Int64: [String]] = [:]
            for r in try c.query("SELECT e.entry, t.name FROM knowhow.entry_tag e JOIN knowhow.tag t ON t.id = e.tag_id ORDER BY t.name COLLATE \"C\"").rows {
                tags[try r.require("entry"), default: []].append(try r.require("name"))
            }
            var out: [Activity] = []
            func add(_ kind: Activity.Kind, _ sql: String, type: EntryType?, tagsOf: ((PGRow) throws -> Int64?)? = nil) throws {
                for r in try c.query(sql, [from]).rows {
                    guard let at = Timestamp(try r.require("at", as: String.self)) else { continue }
                    let n: Int64? = try r.get("n")
                    let entry = type.flatMap { t in n.map { EntryID(t, $0) } }
                    let key = try tagsOf?(r) ?? entry.map { EntryKeys.make($0) }
                    out.append(Activity(kind, member: try r.get("handle"), at: at, entry: entry, tags: key.flatMap { tags[$0] } ?? []))
                }
            }
            try add(.joined, """
                SELECT NULL::bigint AS n, joined AS at, handle FROM knowhow.member WHERE joined IS NOT NULL AND joined COLLATE "C" >= substr($1, 1, 10) ORDER BY id
                """, type: nil)
            try add(.contributed, """
                SELECT r.id AS n, r.created AS at, m.handle FROM knowhow.resource r LEFT JOIN knowhow.member m ON m.id = r.contributor_id
                WHERE r.created COLLATE "C" >= $1 ORDER BY r.id
                """, type: .resource)
            try add(.authored, """
                SELECT r.id AS n, r.created AS at, m.handle FROM knowhow.resource_author a JOIN knowhow.resource r ON r.id = a.resource_id
                JOIN knowhow.member m ON m.id = a.member_id WHERE r.created COLLATE "C" >= $1 AND a.member_id IS DISTINCT FROM r.contributor_id
                ORDER BY a.resource_id, a.member_id
                """, type: .resource)
            try add(.contributed, """
                SELECT p.id AS n, p.created AS at, m.handle FROM knowhow.practice p LEFT JOIN knowhow.member m ON m.id = p.contributor_id
                WHERE p.created COLLATE "C" >= $1 ORDER BY p.id
                """, type: .practice)
            try add(.verified, """
                SELECT p.id AS n, p.verified_at AS at, m.handle FROM knowhow.practice p JOIN knowhow.member m ON m.id = p.verified_by_id
                WHERE p.verified_at IS NOT NULL AND p.verified_at COLLATE "C" >= $1 ORDER BY p.id
                """, type: .practice)
            try add(.asked, """
                SELECT q.id AS n, q.created AS at, m.handle FROM knowhow.question q LEFT JOIN knowhow.member m ON m.id = q.asker_id
                WHERE q.created COLLATE "C" >= $1 ORDER BY q.id
                """, type: .question)
            try add(.answered, """
                SELECT a.id AS n, a.question_id AS q, a.created AS at, m.handle FROM knowhow.answer a LEFT JOIN knowhow.member m ON m.id = a.author_id
                WHERE a.created COLLATE "C" >= $1 ORDER BY a.id
                """, type: .answer, tagsOf: { EntryKeys.make(.question, try $0.require("q")) })
            for r in try c.query("""
                SELECT e.created AS at, x.handle, t.name FROM knowhow.endorsement e JOIN knowhow.member x ON x.id = e.endorser_id
                JOIN knowhow.tag t ON t.id = e.tag_id WHERE e.created COLLATE "C" >= $1 ORDER BY e.endorser_id, e.member_id, e.tag_id
                """, [from]).rows {
                guard let at = Timestamp(try r.require("at", as: String.self)) else { continue }
                out.append(Activity(.endorsed, member: try r.get("handle"), at: at, tags: [try r.require("name")]))
            }
            try add(.searched, """
                SELECT NULL::bigint AS n, s.at, m.handle FROM knowhow.search_log s LEFT JOIN knowhow.member m ON m.id = s.member_id
                WHERE s.at COLLATE "C" >= $1 ORDER BY s.id
                """, type: nil)
            return out.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        }
    }

    public func unansweredQuestions() throws -> [Question] {
        try run { c in
            try c.query("""
                SELECT id FROM knowhow.question q WHERE NOT EXISTS (SELECT 1 FROM knowhow.answer a WHERE a.question_id = q.id)
                ORDER BY created COLLATE "C" DESC, id DESC
                """).rows.map { try Self.loadQuestion(c, number: try $0.require("id")) }
        }
    }

    public func tagVocabulary() throws -> TagVocabulary {
        try run { c in
            var names: [String: String] = [:]
            for r in try c.query("SELECT a.alias, t.name FROM knowhow.tag_alias a JOIN knowhow.tag t ON t.id = a.tag_id").rows {
                names[try r.require("alias")] = try r.require("name")
            }
            for r in try c.query("SELECT name FROM knowhow.tag").rows {
                let n: String = try r.require("name")
                names[n] = n
            }
            return TagVocabulary(names)
        }
    }

    public func untouched(since cutoff: Timestamp) throws -> [UntouchedEntry] {
        try run { c in
            // The latest recorded change listed under the entry (edits, retags, merges, undos).
            func changed(_ t: EntryType) -> String {
                "(SELECT max(ch.at COLLATE \"C\") FROM knowhow.change_entry ce JOIN knowhow.change ch ON ch.id = ce.change_id WHERE ce.entry = x.id << 3 | \(t.keyCode))"
            }
            func latest(_ r: PGRow, _ columns: [String]) throws -> Timestamp? {
                try columns.compactMap { try r.get($0, as: String.self).flatMap(Timestamp.init) }.max()
            }
            var out: [UntouchedEntry] = []
            for r in try c.query("""
                SELECT x.id, x.title, x.updated, m.handle, \(changed(.resource)) AS changed
                FROM knowhow.resource x LEFT JOIN knowhow.member m ON m.id = x.contributor_id WHERE x.status = 'active'
                """).rows {
                guard let t = try latest(r, ["updated", "changed"]), t < cutoff else { continue }
                out.append(UntouchedEntry(id: EntryID(.resource, try r.require("id")), title: try r.require("title"), lastTouched: t,
                                          contributor: try r.get("handle")))
            }
            for r in try c.query("""
                SELECT x.id, x.title, x.updated, x.verified_at, x.review_by, m.handle, \(changed(.practice)) AS changed
                FROM knowhow.practice x LEFT JOIN knowhow.member m ON m.id = x.contributor_id WHERE x.status <> 'retired'
                """).rows {
                guard let t = try latest(r, ["updated", "verified_at", "changed"]), t < cutoff else { continue }
                out.append(UntouchedEntry(id: EntryID(.practice, try r.require("id")), title: try r.require("title"), lastTouched: t,
                                          contributor: try r.get("handle"), reviewBy: (try r.get("review_by", as: String.self)).flatMap(Day.init)))
            }
            return out.sorted { ($0.lastTouched, $0.id) < ($1.lastTouched, $1.id) }
        }
    }
}
