import Foundation
import GRDB
import KnowHowCore

extension SQLiteKnowledgeStore {
    public func member(_ handle: String) throws -> Member {
        try read { db in try Self.loadMember(db, id: try Self.memberID(db, handle)) }
    }

    public func resource(_ id: EntryID) throws -> Resource {
        try read { db in try Self.loadResource(db, number: try Self.require(db, id)) }
    }

    public func practice(_ id: EntryID) throws -> Practice {
        try read { db in try Self.loadPractice(db, number: try Self.require(db, id)) }
    }

    public func question(_ id: EntryID) throws -> Question {
        try read { db in try Self.loadQuestion(db, number: try Self.require(db, id)) }
    }

    public func answer(_ id: EntryID) throws -> Answer {
        try read { db in try Self.loadAnswer(db, number: try Self.require(db, id)) }
    }

    public func answers(to question: EntryID) throws -> [Answer] {
        try read { db in
            let n = try Self.require(db, question)
            return try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM answer WHERE question_id = ? ORDER BY id"), arguments: [n])
                .map { try Self.loadAnswer(db, number: $0) }
        }
    }

    public func resolveTag(_ nameOrAlias: String) throws -> String? {
        guard let name = try? Validation.tag(nameOrAlias) else { return nil }
        return try read { db in
            try String.fetchOne(db.cachedStatement(sql: """
                SELECT name FROM tag WHERE name = ?
                UNION ALL SELECT t.name FROM tag_alias a JOIN tag t ON t.id = a.tag_id WHERE a.alias = ?
                LIMIT 1
                """), arguments: [name, name])
        }
    }

    public func tag(_ name: String) throws -> TagDetail {
        try read { db in
            guard let id = try Self.tagID(db, name, create: false) else {
                let names = try String.fetchAll(db, sql: "SELECT name FROM tag UNION ALL SELECT alias FROM tag_alias")
                throw KnowHowError.unknownTag(name, suggestion: EditDistance.nearest((try? Validation.tag(name)) ?? name, in: names, max: 1).first)
            }
            return try Self.tagDetail(db, id: id)
        }
    }

    static func tagDetail(_ db: Database, id: Int64) throws -> TagDetail {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT name, description FROM tag WHERE id = ?"), arguments: [id])!
        let aliases = try String.fetchAll(db.cachedStatement(sql: "SELECT alias FROM tag_alias WHERE tag_id = ? ORDER BY alias"), arguments: [id])
        let entries = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM entry_tag WHERE tag_id = ?"), arguments: [id]) ?? 0
        let members = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FROM (SELECT member_id FROM member_skill WHERE tag_id = ? UNION SELECT member_id FROM member_interest WHERE tag_id = ?)
            """), arguments: [id, id]) ?? 0
        return TagDetail(tag: Tag(name: row["name"], description: row["description"], aliases: aliases),
                         entryCount: entries, memberCount: members)
    }

    public func listTags(query: String?, limit: Int) throws -> [TagDetail] {
        try read { db in
            var sql = "SELECT id FROM tag"
            var args: StatementArguments = []
            if let q = Validation.text(query) {
                let like = "%" + q.lowercased().replacingOccurrences(of: " ", with: "-") + "%"
                sql += " WHERE name LIKE ? OR description LIKE ? OR id IN (SELECT tag_id FROM tag_alias WHERE alias LIKE ?)"
                args = [like, "%" + q + "%", like]
            }
            sql += " ORDER BY name LIMIT ?"
            _ = args.append(contentsOf: [limit])
            return try Int64.fetchAll(db, sql: sql, arguments: args).map { try Self.tagDetail(db, id: $0) }
        }
    }

    public func counts() throws -> StoreCounts {
        try read { db in
            var c = StoreCounts()
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM member), (SELECT count(*) FROM resource), (SELECT count(*) FROM practice),
                       (SELECT count(*) FROM question), (SELECT count(*) FROM answer), (SELECT count(*) FROM tag)
                """)!
            c.members = row[0]; c.resources = row[1]; c.practices = row[2]
            c.questions = row[3]; c.answers = row[4]; c.tags = row[5]
            return c
        }
    }

    // MARK: - Completion

    public func handles(startingWith prefix: String, limit: Int) throws -> [String] {
        let p = prefix.hasPrefix("@") ? String(prefix.dropFirst()).lowercased() : prefix.lowercased()
        return try read { db in
            try String.fetchAll(db, sql: "SELECT handle FROM member WHERE handle >= ? AND handle < ? ORDER BY handle LIMIT ?",
                                arguments: [p, p + "\u{10FFFF}", limit])
        }
    }

    public func tagNames(startingWith prefix: String, limit: Int) throws -> [(name: String, count: Int)] {
        let p = prefix.lowercased()
        return try read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT t.name, (SELECT count(*) FROM entry_tag e WHERE e.tag_id = t.id)
                     + (SELECT count(*) FROM member_skill s WHERE s.tag_id = t.id)
                FROM tag t WHERE t.name >= ? AND t.name < ? ORDER BY t.name LIMIT ?
                """), arguments: [p, p + "\u{10FFFF}", limit]).map { ($0[0], $0[1]) }
        }
    }

    public func entryTitles(startingWith id: String, limit: Int) throws -> [(id: EntryID, title: String)] {
        let t = id.lowercased()
        guard let first = t.first, let type = EntryType.allCases.first(where: { $0.prefix == first }), type != .member else { return [] }
        let digits = t.dropFirst()
        guard digits.allSatisfy(\.isNumber) else { return [] }
        return try read { db in
            let table = EntryKey.table(type)
            let titleSQL = type == .answer ? "(SELECT q.title FROM question q WHERE q.id = x.question_id)" : "x.title"
            // ids whose decimal form starts with the digits typed: r1 → 1, 10–19, 100–199…
            var ranges: [(Int64, Int64)] = []
            if let n = Int64(digits) {
                var lo = n, hi = n
                for _ in 0..<7 { ranges.append((lo, hi)); lo *= 10; hi = hi * 10 + 9 }
            } else {
                ranges = [(1, Int64.max)]
            }
            var out: [(EntryID, String)] = []
            for (lo, hi) in ranges where out.count < limit {
                let rows = try Row.fetchAll(db, sql: "SELECT x.id, \(titleSQL) FROM \(table) x WHERE x.id BETWEEN ? AND ? ORDER BY x.id LIMIT ?",
                                            arguments: [lo, hi, limit - out.count])
                out += rows.map { (EntryID(type, $0[0]), $0[1] ?? "") }
            }
            return out
        }
    }

    // MARK: - Loading whole records

    static func require(_ db: Database, _ id: EntryID) throws -> Int64 {
        guard id.type != .member,
              try Int64.fetchOne(db, sql: "SELECT 1 FROM \(EntryKey.table(id.type)) WHERE id = ?", arguments: [id.number]) != nil else {
            // An id merged away points at the entry it was merged into.
            if id.type != .member, let to = try redirected(db, id.description).flatMap(EntryID.init), to.type == id.type,
               try Int64.fetchOne(db, sql: "SELECT 1 FROM \(EntryKey.table(to.type)) WHERE id = ?", arguments: [to.number]) != nil {
                return to.number
            }
            throw KnowHowError.unknownEntry(id)
        }
        return id.number
    }

    static func handle(_ db: Database, _ id: Int64?) throws -> String? {
        guard let id else { return nil }
        return try String.fetchOne(db.cachedStatement(sql: "SELECT handle FROM member WHERE id = ?"), arguments: [id])
    }

    static func entryTags(_ db: Database, key: Int64) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT t.name FROM entry_tag e JOIN tag t ON t.id = e.tag_id WHERE e.entry = ? ORDER BY t.name"), arguments: [key])
    }

    static func loadMember(_ db: Database, id: Int64) throws -> Member {
        guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM member WHERE id = ?"), arguments: [id]) else {
            throw KnowHowError.unknownMember(handle: "?")
        }
        let skills = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT t.name, s.level FROM member_skill s JOIN tag t ON t.id = s.tag_id WHERE s.member_id = ? ORDER BY t.name
            """), arguments: [id]).map { Skill(tag: $0[0], level: SkillLevel(rawValue: $0[1]) ?? .learning) }
        let interests = try String.fetchAll(db.cachedStatement(sql: """
            SELECT t.name FROM member_interest i JOIN tag t ON t.id = i.tag_id WHERE i.member_id = ? ORDER BY t.name
            """), arguments: [id])
        return Member(handle: r["handle"], name: r["name"], email: r["email"], organisation: r["organisation"],
                      sector: r["sector"], location: r["location"], timeZone: r["time_zone"], bio: r["bio"],
                      role: Role(rawValue: r["role"]) ?? .member, openToQuestions: r["open_to_questions"],
                      mentoring: r["mentoring"], joined: (r["joined"] as String?).flatMap(Day.init),
                      skills: skills, interests: interests, sourceId: r["source_id"])
    }

    static func loadResource(_ db: Database, number n: Int64) throws -> Resource {
        let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM resource WHERE id = ?"), arguments: [n])!
        let authors = try String.fetchAll(db.cachedStatement(sql: """
            SELECT m.handle FROM resource_author a JOIN member m ON m.id = a.member_id WHERE a.resource_id = ? ORDER BY m.handle
            """), arguments: [n])
        return Resource(id: EntryID(.resource, n), title: r["title"], url: r["url"],
                        kind: ResourceKind(rawValue: r["kind"]) ?? .other, summary: r["summary"], body: r["body"],
                        tags: try entryTags(db, key: EntryKey.make(.resource, n)),
                        contributor: try handle(db, r["contributor_id"]), authors: authors,
                        created: (r["created"] as String?).flatMap(Timestamp.init),
                        updated: (r["updated"] as String?).flatMap(Timestamp.init),
                        status: ResourceStatus(rawValue: r["status"]) ?? .active)
    }

    static func loadPractice(_ db: Database, number n: Int64) throws -> Practice {
        let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM practice WHERE id = ?"), arguments: [n])!
        return Practice(id: EntryID(.practice, n), title: r["title"], context: r["context"], practice: r["practice"],
                        evidence: r["evidence"], tags: try entryTags(db, key: EntryKey.make(.practice, n)),
                        contributor: try handle(db, r["contributor_id"]),
                        status: PracticeStatus(rawValue: r["status"]) ?? .proposed,
                        verifiedBy: try handle(db, r["verified_by_id"]),
                        verifiedAt: (r["verified_at"] as String?).flatMap(Timestamp.init),
                        reviewBy: (r["review_by"] as String?).flatMap(Day.init),
                        created: (r["created"] as String?).flatMap(Timestamp.init),
                        updated: (r["updated"] as String?).flatMap(Timestamp.init))
    }

    static func loadQuestion(_ db: Database, number n: Int64) throws -> Question {
        let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM question WHERE id = ?"), arguments: [n])!
        return Question(id: EntryID(.question, n), title: r["title"], body: r["body"],
                        tags: try entryTags(db, key: EntryKey.make(.question, n)),
                        asker: try handle(db, r["asker_id"]),
                        created: (r["created"] as String?).flatMap(Timestamp.init), score: r["score"],
                        acceptedAnswer: (r["accepted_answer_id"] as Int64?).map { EntryID(.answer, $0) })
    }

    static func loadAnswer(_ db: Database, number n: Int64) throws -> Answer {
        let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM answer WHERE id = ?"), arguments: [n])!
        return Answer(id: EntryID(.answer, n), question: EntryID(.question, r["question_id"]), body: r["body"],
                      author: try handle(db, r["author_id"]),
                      created: (r["created"] as String?).flatMap(Timestamp.init), score: r["score"])
    }
}
