import Foundation
import KnowHowCore

extension PostgresKnowledgeStore {
    /// Imports a community file into an empty store in one transaction, keeping its ids, then
    /// builds the search index. A store that holds members or entries is refused for now (the
    /// merge rules of the SQLite import, `--renumber` and skipping what is present come with the
    /// write side).
    public func importCommunity(_ file: CommunityFile) throws -> ImportSummary {
        try run { c in
            try c.transaction { c in
                let held = try c.query("SELECT EXISTS (SELECT 1 FROM knowhow.entry_key) AS held").first!.require("held", as: Bool.self)
                if held {
                    throw KnowHowError.unsupported("this PostgreSQL store already holds a community; importing into it is not supported yet, so nothing was imported: import into a new database")
                }
                return try Self.importInto(c, file)
            }
        }
    }

    /// The unique keys an import can repeat, by constraint name, as a person calls them.
    static let repeated = [
        "member_handle_key": "handle", "member_source_id_key": "sourceId", "tag_alias_pkey": "alias",
        "resource_pkey": "id", "practice_pkey": "id", "question_pkey": "id", "answer_pkey": "id",
        "question_source_id_key": "sourceId", "answer_source_id_key": "sourceId",
        "member_skill_pkey": "skill", "member_interest_pkey": "interest", "tag_name_key": "tag name",
    ]

    static func importInto(_ c: PGConnection, _ file: CommunityFile) throws -> ImportSummary {
        var summary = ImportSummary()
        var tagIDs: [String: Int64] = [:]
        func at<T>(_ location: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch let e as KnowHowError {
                throw KnowHowError.badImport(path: "the community file", location: location, reason: e.description)
            } catch let e as PGError where e.sqlState == "23505" {
                // A unique key the file repeats: say which, never the server's text.
                let what = Self.repeated[e.constraint ?? ""] ?? "key"
                throw KnowHowError.badImport(path: "the community file", location: location,
                                             reason: "it repeats the \(what) of an earlier record; give each record its own")
            } catch let e as PGError where e.sqlState == "23514" {
                throw KnowHowError.badImport(path: "the community file", location: location, reason: "a required text (such as the title) is empty")
            }
        }
        func tag(_ text: String) throws -> Int64 {
            let name = try Validation.tag(text)
            if let id = tagIDs[name] { return id }
            if let id = try tagID(c, name) { tagIDs[name] = id; return id }
            let id: Int64 = try c.query("INSERT INTO knowhow.tag(name) VALUES ($1) RETURNING id", [name]).first!.require("id")
            tagIDs[name] = id
            summary.tagsAdded += 1
            return id
        }
        var memberIDs: [String: Int64] = [:]
        func member(_ handle: String?) throws -> Int64? {
            guard let handle else { return nil }
            let h = try Validation.handle(handle)
            guard let id = memberIDs[h] else { throw KnowHowError.unknownMember(handle: h) }
            return id
        }

        for (i, t) in file.tags.enumerated() {
            try at("tags[\(i)]") {
                let id = try tag(t.name)
                try c.execute("UPDATE knowhow.tag SET description = $1 WHERE id = $2", [t.description, id])
                for a in t.aliases { try c.execute("INSERT INTO knowhow.tag_alias(alias, tag_id) VALUES ($1, $2)", [try Validation.tag(a), id]) }
            }
        }
        for (i, m) in file.members.enumerated() {
            try at("members[\(i)]") {
                let h = try Validation.handle(m.handle)
                let id: Int64 = try c.query("""
                    INSERT INTO knowhow.member(handle, name, email, organisation, sector, location, time_zone, bio, role,
                                               open_to_questions, mentoring, joined, source_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id
                    """, [h, m.name, m.email, m.organisation, m.sector, m.location, m.timeZone, m.bio, m.role.rawValue,
                          m.openToQuestions, m.mentoring, m.joined?.description, m.sourceId]).first!.require("id")
                memberIDs[h] = id
                for s in m.skills { try c.execute("INSERT INTO knowhow.member_skill(member_id, tag_id, level) VALUES ($1, $2, $3)", [id, try tag(s.tag), s.level.rawValue]) }
                for t in m.interests { try c.execute("INSERT INTO knowhow.member_interest(member_id, tag_id) VALUES ($1, $2)", [id, try tag(t)]) }
                summary.added[.member, default: 0] += 1
            }
        }
        let now = Timestamp.now.description
        func number(_ id: EntryID?, _ type: EntryType) throws -> Int64? {
            guard let id else { return nil }
            guard id.type == type else { throw KnowHowError.invalidValue(field: "id", value: id.description, expected: "a \(type.rawValue) id") }
            return id.number
        }
        func tagEntry(_ key: Int64, _ tags: [String]) throws {
            for t in tags { try c.execute("INSERT INTO knowhow.entry_tag(entry, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [key, try tag(t)]) }
        }
        for (i, r) in file.resources.enumerated() {
            try at("resources[\(i)]") {
                let n: Int64 = try c.query("""
                    INSERT INTO knowhow.resource(id, title, url, kind, summary, body, contributor_id, created, updated, status)
                    VALUES (coalesce($1, nextval(pg_get_serial_sequence('knowhow.resource', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
                    """, [try number(r.id, .resource), r.title, r.url, r.kind.rawValue, r.summary, r.body, try member(r.contributor),
                          r.created?.description ?? now, (r.updated ?? r.created)?.description ?? now, r.status.rawValue]).first!.require("id")
                try tagEntry(EntryKeys.make(.resource, n), r.tags)
                for a in r.authors { try c.execute("INSERT INTO knowhow.resource_author(resource_id, member_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [n, try member(a)]) }
                summary.added[.resource, default: 0] += 1
            }
        }
        for (i, p) in file.practices.enumerated() {
            try at("practices[\(i)]") {
                let n: Int64 = try c.query("""
                    INSERT INTO knowhow.practice(id, title, context, practice, evidence, contributor_id, status, verified_by_id,
                                                 verified_at, review_by, created, updated)
                    VALUES (coalesce($1, nextval(pg_get_serial_sequence('knowhow.practice', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id
                    """, [try number(p.id, .practice), p.title, p.context, p.practice, p.evidence, try member(p.contributor), p.status.rawValue,
                          try member(p.verifiedBy), p.verifiedAt?.description, p.reviewBy?.description,
                          p.created?.description ?? now, (p.updated ?? p.created)?.description ?? now]).first!.require("id")
                try tagEntry(EntryKeys.make(.practice, n), p.tags)
                summary.added[.practice, default: 0] += 1
            }
        }
        var questions: [EntryID: Int64] = [:]
        for (i, q) in file.questions.enumerated() {
            try at("questions[\(i)]") {
                let n: Int64 = try c.query("""
                    INSERT INTO knowhow.question(id, title, body, asker_id, created, score)
                    VALUES (coalesce($1, nextval(pg_get_serial_sequence('knowhow.question', 'id'))), $2, $3, $4, $5, $6) RETURNING id
                    """, [try number(q.id, .question), q.title, q.body, try member(q.asker), q.created?.description ?? now, q.score]).first!.require("id")
                if let id = q.id { questions[id] = n }
                try tagEntry(EntryKeys.make(.question, n), q.tags)
                summary.added[.question, default: 0] += 1
            }
        }
        for (i, a) in file.answers.enumerated() {
            try at("answers[\(i)]") {
                guard let q = questions[a.question] else { throw KnowHowError.unknownEntry(a.question) }
                try c.execute("""
                    INSERT INTO knowhow.answer(id, question_id, body, author_id, created, score)
                    VALUES (coalesce($1, nextval(pg_get_serial_sequence('knowhow.answer', 'id'))), $2, $3, $4, $5, $6)
                    """, [try number(a.id, .answer), q, a.body, try member(a.author), a.created?.description ?? now, a.score])
                summary.added[.answer, default: 0] += 1
            }
        }
        for (i, q) in file.questions.enumerated() {
            guard let accepted = q.acceptedAnswer, let id = q.id, let n = questions[id] else { continue }
            try at("questions[\(i)].acceptedAnswer") {
                let ok = try c.execute("UPDATE knowhow.question SET accepted_answer_id = $1 WHERE id = $2 AND EXISTS (SELECT 1 FROM knowhow.answer WHERE id = $1 AND question_id = $2)",
                                       [try number(accepted, .answer), n])
                if ok == 0 { throw KnowHowError.conflict("\(accepted) is not an answer to \(id)") }
            }
        }
        for (i, e) in file.searches.enumerated() {
            try at("searches[\(i)]") {
                try c.execute("INSERT INTO knowhow.search_log(at, kind, query, results, weak, member_id) VALUES ($1, $2, $3, $4, $5, $6)",
                              [e.at.description, e.kind.rawValue, String(e.query.prefix(500)), max(0, e.results), e.weak, try member(e.member)])
            }
        }
        try PostgresSchema.syncIdentities(c)
        try c.query("SELECT knowhow.reindex(ARRAY(SELECT entry FROM knowhow.entry_key))")
        return summary
    }

    /// The whole community as a file, in the SQLite store's order, so the same community gives
    /// the same bytes from either store.
    public func exportCommunity() throws -> CommunityFile {
        try run { c in
            try c.transaction(.repeatableRead) { c in
                var file = CommunityFile()
                file.tags = try c.query("""
                    SELECT name, description, ARRAY(SELECT alias FROM knowhow.tag_alias a WHERE a.tag_id = t.id ORDER BY alias COLLATE "C") AS aliases
                    FROM knowhow.tag t ORDER BY name COLLATE "C"
                    """).rows.map { Tag(name: try $0.require("name"), description: try $0.get("description"),
                                        aliases: try $0.require("aliases", as: PGTextArray.self).values) }
                file.members = try c.query("SELECT id FROM knowhow.member ORDER BY handle COLLATE \"C\"").rows.map { try Self.loadMember(c, id: try $0.require("id")) }
                file.resources = try c.query("SELECT id FROM knowhow.resource ORDER BY id").rows.map { try Self.loadResource(c, number: try $0.require("id")) }
                file.practices = try c.query("SELECT id FROM knowhow.practice ORDER BY id").rows.map { try Self.loadPractice(c, number: try $0.require("id")) }
                file.questions = try c.query("SELECT id FROM knowhow.question ORDER BY id").rows.map { try Self.loadQuestion(c, number: try $0.require("id")) }
                file.answers = try c.query("SELECT id FROM knowhow.answer ORDER BY id").rows.map { try Self.loadAnswer(c, number: try $0.require("id")) }
                file.searches = try c.query("""
                    SELECT s.at, s.kind, s.query, s.results, s.weak, m.handle FROM knowhow.search_log s
                    LEFT JOIN knowhow.member m ON m.id = s.member_id ORDER BY s.at COLLATE "C", s.id
                    """).rows.compactMap { r in
                        guard let at = Timestamp(try r.require("at", as: String.self)), let kind = SearchKind(rawValue: try r.require("kind")) else { return nil }
                        return SearchLogEntry(at: at, kind: kind, query: try r.require("query"), results: try r.require("results"),
                                              weak: try r.require("weak"), member: try r.get("handle"))
                    }
                return file
            }
        }
    }
}
