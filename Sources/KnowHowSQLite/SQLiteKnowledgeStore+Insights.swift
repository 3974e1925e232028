import Foundation
import GRDB
import KnowHowCore

/// The search log, the store's settings, and the reads behind `stats`, `gaps`, `topics`, `match`,
/// `stale` and `graph`. The computations themselves are the core's (Insights.swift).
extension SQLiteKnowledgeStore {
    /// The longest query text the log keeps.
    static let loggedQueryLength = SearchLogEntry.maxQueryLength

    // MARK: - Settings

    public func searchLogging() throws -> SearchLogging {
        try read { db in try Self.searchLogging(db) }
    }

    static func searchLogging(_ db: Database) throws -> SearchLogging {
        try String.fetchOne(db, sql: "SELECT value FROM store_setting WHERE key = ?", arguments: [SearchLogging.settingKey])
            .flatMap(SearchLogging.init(rawValue:)) ?? .on
    }

    public func setSearchLogging(_ mode: SearchLogging, as acting: Acting) throws {
        try write { db in
            try Self.requireCurator(db, acting.actor, doing: "Changing how searches are logged")
            try db.execute(sql: """
                INSERT INTO store_setting(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value
                """, arguments: [SearchLogging.settingKey, mode.rawValue])
        }
    }

    /// Store settings are the curators': the system may change them, nobody unidentified may not.
    static func requireCurator(_ db: Database, _ acting: ActingAs, doing: String) throws {
        try Permissions.requireCurator(acting, doing: doing) {
            try String.fetchOne(db, sql: "SELECT role FROM member WHERE handle = ?", arguments: [$0]).flatMap(Role.init(rawValue:))
        }
    }

    // MARK: - The search log

    public func logSearch(_ entry: SearchLogEntry) throws {
        // Most stores log; read the setting first so that a store that does not never writes.
        let mode = try searchLogging()
        if mode == .off { return }
        try write { db in
            let member = mode == .anonymous ? nil
                : try entry.member.flatMap { try Int64.fetchOne(db, sql: "SELECT id FROM member WHERE handle = ?", arguments: [$0]) }
            try Self.insertSearch(db, entry, memberID: member)
        }
    }

    static func insertSearch(_ db: Database, _ e: SearchLogEntry, memberID: Int64?) throws {
        try db.execute(sql: "INSERT INTO search_log(at, kind, query, results, weak, member_id) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [e.at.description, e.kind.rawValue, String(e.query.prefix(loggedQueryLength)),
                                   max(0, e.results), e.weak, memberID])
    }

    /// True when the log already holds this search (same time, kind, words and member).
    static func searchLogged(_ db: Database, _ e: SearchLogEntry, memberID: Int64?) throws -> Bool {
        try Int64.fetchOne(db, sql: """
            SELECT 1 FROM search_log WHERE at = ? AND kind = ? AND query = ? AND member_id IS ? LIMIT 1
            """, arguments: [e.at.description, e.kind.rawValue, String(e.query.prefix(loggedQueryLength)), memberID]) != nil
    }

    public func searchLog(in period: Period?) throws -> [SearchLogEntry] {
        try read { db in try Self.searchLog(db, period) }
    }

    static func searchLog(_ db: Database, _ period: Period?) throws -> [SearchLogEntry] {
        var sql = """
            SELECT s.at, s.kind, s.query, s.results, s.weak, m.handle FROM search_log s LEFT JOIN member m ON m.id = s.member_id
            """
        var args: StatementArguments = []
        if let period {
            sql += " WHERE s.at >= ? AND s.at <= ?"
            args = [period.start.description, period.end.description]
        }
        sql += " ORDER BY s.at, s.id"
        return try Row.fetchAll(db, sql: sql, arguments: args).compactMap { r in
            guard let at = Timestamp(r[0] as String), let kind = SearchKind(rawValue: r[1]) else { return nil }
            return SearchLogEntry(at: at, kind: kind, query: r[2], results: r[3], weak: r[4], member: r[5])
        }
    }

    // MARK: - Facts for insights

    public func allMembers() throws -> [Member] {
        try read { db in
            var skills: [Int64: [Skill]] = [:], interests: [Int64: [String]] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT s.member_id, t.name, s.level FROM member_skill s JOIN tag t ON t.id = s.tag_id ORDER BY t.name
                """) {
                skills[r[0], default: []].append(Skill(tag: r[1], level: SkillLevel(rawValue: r[2]) ?? .learning))
            }
            for r in try Row.fetchAll(db, sql: "SELECT i.member_id, t.name FROM member_interest i JOIN tag t ON t.id = i.tag_id ORDER BY t.name") {
                interests[r[0], default: []].append(r[1])
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM member ORDER BY handle").map { r in
                let id: Int64 = r["id"]
                return Member(handle: r["handle"], name: r["name"], email: r["email"], organisation: r["organisation"],
                              sector: r["sector"], location: r["location"], timeZone: r["time_zone"], bio: r["bio"],
                              role: Role(rawValue: r["role"]) ?? .member, openToQuestions: r["open_to_questions"],
                              mentoring: r["mentoring"], joined: (r["joined"] as String?).flatMap(Day.init),
                              skills: skills[id] ?? [], interests: interests[id] ?? [], sourceId: r["source_id"])
            }
        }
    }

    public func activity(since: Timestamp?) throws -> [Activity] {
        let from = since?.description ?? ""
        return try read { db in
            var tags: [Int64: [String]] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT e.entry, t.name FROM entry_tag e JOIN tag t ON t.id = e.tag_id ORDER BY t.name") {
                tags[r[0], default: []].append(r[1])
            }
            var out: [Activity] = []
            func add(_ kind: Activity.Kind, _ sql: String, type: EntryType?, tagsOf: ((Row) -> Int64?)? = nil) throws {
                for r in try Row.fetchAll(db, sql: sql, arguments: [from]) {
                    guard let at = Timestamp(r["at"] as String) else { continue }
                    let n: Int64? = r["n"]
                    let entry = type.flatMap { t in n.map { EntryID(t, $0) } }
                    let key = tagsOf?(r) ?? entry.map { EntryKey.make($0) }
                    out.append(Activity(kind, member: r["handle"], at: at, entry: entry, tags: key.flatMap { tags[$0] } ?? []))
                }
            }
            try add(.joined, "SELECT NULL AS n, joined AS at, handle FROM member WHERE joined IS NOT NULL AND joined >= substr(?, 1, 10)", type: nil)
            try add(.contributed, """
                SELECT r.id AS n, r.created AS at, m.handle FROM resource r LEFT JOIN member m ON m.id = r.contributor_id WHERE r.created >= ?
                """, type: .resource)
            try add(.authored, """
                SELECT r.id AS n, r.created AS at, m.handle FROM resource_author a JOIN resource r ON r.id = a.resource_id
                JOIN member m ON m.id = a.member_id WHERE r.created >= ? AND a.member_id IS NOT r.contributor_id
                """, type: .resource)
            try add(.contributed, """
                SELECT p.id AS n, p.created AS at, m.handle FROM practice p LEFT JOIN member m ON m.id = p.contributor_id WHERE p.created >= ?
                """, type: .practice)
            try add(.verified, """
                SELECT p.id AS n, p.verified_at AS at, m.handle FROM practice p JOIN member m ON m.id = p.verified_by_id
                WHERE p.verified_at IS NOT NULL AND p.verified_at >= ?
                """, type: .practice)
            try add(.asked, """
                SELECT q.id AS n, q.created AS at, m.handle FROM question q LEFT JOIN member m ON m.id = q.asker_id WHERE q.created >= ?
                """, type: .question)
            try add(.answered, """
                SELECT a.id AS n, a.question_id AS q, a.created AS at, m.handle FROM answer a LEFT JOIN member m ON m.id = a.author_id
                WHERE a.created >= ?
                """, type: .answer, tagsOf: { EntryKey.make(.question, $0["q"]) })
            for r in try Row.fetchAll(db, sql: """
                SELECT e.created AS at, x.handle, t.name FROM endorsement e JOIN member x ON x.id = e.endorser_id
                JOIN tag t ON t.id = e.tag_id WHERE e.created >= ?
                """, arguments: [from]) {
                guard let at = Timestamp(r["at"] as String) else { continue }
                out.append(Activity(.endorsed, member: r["handle"], at: at, tags: [r["name"]]))
            }
            try add(.searched, """
                SELECT NULL AS n, s.at, m.handle FROM search_log s LEFT JOIN member m ON m.id = s.member_id WHERE s.at >= ?
                """, type: nil)
            return out.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        }
    }

    public func unansweredQuestions() throws -> [Question] {
        try read { db in
            try Int64.fetchAll(db, sql: """
                SELECT id FROM question q WHERE NOT EXISTS (SELECT 1 FROM answer a WHERE a.question_id = q.id)
                ORDER BY created DESC, id DESC
                """).map { try Self.loadQuestion(db, number: $0) }
        }
    }

    public func tagVocabulary() throws -> TagVocabulary {
        try read { db in
            var names: [String: String] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT a.alias, t.name FROM tag_alias a JOIN tag t ON t.id = a.tag_id") { names[r[0]] = r[1] }
            for n in try String.fetchAll(db, sql: "SELECT name FROM tag") { names[n] = n }
            return TagVocabulary(names)
        }
    }

    public func untouched(since cutoff: Timestamp) throws -> [UntouchedEntry] {
        try read { db in
            // The latest recorded change listed under the entry (edits, retags, merges, undos).
            func changed(_ t: EntryType) -> String {
                "(SELECT max(c.at) FROM change_entry ce JOIN change c ON c.id = ce.change_id WHERE ce.entry = x.id << 3 | \(EntryKey.code(t)))"
            }
            var out: [UntouchedEntry] = []
            for r in try Row.fetchAll(db, sql: """
                SELECT x.id, x.title, x.updated, m.handle, \(changed(.resource)) AS changed
                FROM resource x LEFT JOIN member m ON m.id = x.contributor_id WHERE x.status = 'active'
                """) {
                let touched = [r["updated"], r["changed"]].compactMap { ($0 as String?).flatMap(Timestamp.init) }.max()
                guard let t = touched, t < cutoff else { continue }
                out.append(UntouchedEntry(id: EntryID(.resource, r["id"]), title: r["title"], lastTouched: t, contributor: r["handle"]))
            }
            for r in try Row.fetchAll(db, sql: """
                SELECT x.id, x.title, x.updated, x.verified_at, x.review_by, m.handle,
                       \(changed(.practice)) AS changed
                FROM practice x LEFT JOIN member m ON m.id = x.contributor_id WHERE x.status <> 'retired'
                """) {
                let touched = [r["updated"], r["verified_at"], r["changed"]].compactMap { ($0 as String?).flatMap(Timestamp.init) }.max()
                guard let t = touched, t < cutoff else { continue }
                out.append(UntouchedEntry(id: EntryID(.practice, r["id"]), title: r["title"], lastTouched: t, contributor: r["handle"],
                                          reviewBy: (r["review_by"] as String?).flatMap(Day.init)))
            }
            return out.sorted { ($0.lastTouched, $0.id) < ($1.lastTouched, $1.id) }
        }
    }
}
