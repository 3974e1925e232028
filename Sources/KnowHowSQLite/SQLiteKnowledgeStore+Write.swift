import Foundation
import GRDB
import KnowHowCore

extension SQLiteKnowledgeStore {
    @discardableResult
    public func add(_ member: Member) throws -> Member {
        try change(.addMember) { db, note in
            var m = member
            // A new store's first member is its curator.
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM member") == 0 { m.role = .curator }
            try Self.refuseRedirected(db, "@" + (try Validation.handle(m.handle)))
            let added = try Self.loadMember(db, id: try Self.insertMember(db, m))
            note.summary = "added @\(added.handle) (\(added.name))"
            return added
        }
    }

    @discardableResult
    public func add(_ resource: Resource) throws -> EntryID {
        try change(.addResource) { db, note in
            var r = resource
            r.created = r.created ?? note.now
            let id = EntryID(.resource, try Self.insertResource(db, r, number: try Self.nextNumber(db, .resource)))
            note.summary = "added \(id): \(resource.title)"
            return id
        }
    }

    @discardableResult
    public func add(_ practice: Practice) throws -> EntryID {
        try change(.addPractice) { db, note in
            var p = practice
            p.created = p.created ?? note.now
            let id = EntryID(.practice, try Self.insertPractice(db, p, number: try Self.nextNumber(db, .practice)))
            note.summary = "added \(id): \(practice.title)"
            return id
        }
    }

    // MARK: - Look-ups used by writes

    /// The id of a tag by name or alias; creates it when `create` and it does not exist.
    static func tagID(_ db: Database, _ text: String, create: Bool) throws -> Int64? {
        let name = try Validation.tag(text)
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM tag WHERE name = ?", arguments: [name]) { return id }
        if let id = try Int64.fetchOne(db, sql: "SELECT tag_id FROM tag_alias WHERE alias = ?", arguments: [name]) { return id }
        guard create else { return nil }
        try db.execute(sql: "INSERT INTO tag(name) VALUES (?)", arguments: [name])
        return db.lastInsertedRowID
    }

    static func memberID(_ db: Database, _ handle: String) throws -> Int64 {
        let h = try Validation.handle(handle)
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM member WHERE handle = ?", arguments: [h]) else {
            // A handle merged away points at the member it was merged into.
            if let to = try redirected(db, "@" + h),
               let id = try Int64.fetchOne(db, sql: "SELECT id FROM member WHERE handle = ?", arguments: [String(to.dropFirst())]) {
                return id
            }
            throw KnowHowError.unknownMember(handle: h)
        }
        return id
    }

    static func optionalMemberID(_ db: Database, _ handle: String?) throws -> Int64? {
        guard let h = Validation.text(handle) else { return nil }
        return try memberID(db, h)
    }

    static func setEntryTags(_ db: Database, key: Int64, _ tags: [String]) throws {
        try db.execute(sql: "DELETE FROM entry_tag WHERE entry = ?", arguments: [key])
        for t in tags {
            let id = try tagID(db, t, create: true)!
            try db.execute(sql: "INSERT OR IGNORE INTO entry_tag(entry, tag_id) VALUES (?, ?)", arguments: [key, id])
        }
    }

    // MARK: - Inserts (validate, write, index)

    static func insertMember(_ db: Database, _ m: Member) throws -> Int64 {
        let handle = try Validation.handle(m.handle)
        guard let name = Validation.text(m.name) else { throw KnowHowError.missingField("a member's name") }
        let email = try Validation.text(m.email).map(Validation.email)
        if try Int64.fetchOne(db, sql: "SELECT 1 FROM member WHERE handle = ?", arguments: [handle]) != nil {
            throw KnowHowError.duplicate("@\(handle) already exists; choose another handle")
        }
        try db.execute(sql: """
            INSERT INTO member(handle, name, email, organisation, sector, location, time_zone, bio, role,
                               open_to_questions, mentoring, joined, source_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [handle, name, email, Validation.text(m.organisation), Validation.text(m.sector),
                             Validation.text(m.location), Validation.text(m.timeZone), Validation.text(m.bio),
                             m.role.rawValue, m.openToQuestions, m.mentoring, m.joined?.description,
                             Validation.text(m.sourceId)])
        let id = db.lastInsertedRowID
        for s in m.skills {
            let t = try tagID(db, s.tag, create: true)!
            try db.execute(sql: """
                INSERT INTO member_skill(member_id, tag_id, level) VALUES (?, ?, ?)
                ON CONFLICT DO UPDATE SET level = max(level, excluded.level)
                """, arguments: [id, t, s.level.rawValue])
        }
        for i in m.interests {
            let t = try tagID(db, i, create: true)!
            try db.execute(sql: "INSERT OR IGNORE INTO member_interest(member_id, tag_id) VALUES (?, ?)", arguments: [id, t])
        }
        try reindex(db, key: EntryKey.make(.member, id))
        return id
    }

    static func insertResource(_ db: Database, _ r: Resource, number: Int64?) throws -> Int64 {
        guard let title = Validation.text(r.title) else { throw KnowHowError.missingField("a resource's title") }
        let url = try Validation.text(r.url).map(Validation.url)
        let contributor = try optionalMemberID(db, r.contributor)
        let now = Timestamp.now
        try db.execute(sql: """
            INSERT INTO resource(id, title, url, kind, summary, body, contributor_id, created, updated, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [number, title, url, r.kind.rawValue, Validation.text(r.summary), Validation.text(r.body),
                             contributor, (r.created ?? now).description, (r.updated ?? r.created ?? now).description,
                             r.status.rawValue])
        let id = db.lastInsertedRowID
        for a in r.authors {
            try db.execute(sql: "INSERT OR IGNORE INTO resource_author(resource_id, member_id) VALUES (?, ?)",
                           arguments: [id, try memberID(db, a)])
        }
        let key = EntryKey.make(.resource, id)
        try setEntryTags(db, key: key, r.tags)
        try reindex(db, key: key)
        return id
    }

    static func insertPractice(_ db: Database, _ p: Practice, number: Int64?) throws -> Int64 {
        guard let title = Validation.text(p.title) else { throw KnowHowError.missingField("a practice's title") }
        let contributor = try optionalMemberID(db, p.contributor)
        let verifier = try optionalMemberID(db, p.verifiedBy)
        let now = Timestamp.now
        try db.execute(sql: """
            INSERT INTO practice(id, title, context, practice, evidence, contributor_id, status, verified_by_id,
                                 verified_at, review_by, created, updated)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [number, title, Validation.text(p.context), Validation.text(p.practice),
                             Validation.text(p.evidence), contributor, p.status.rawValue, verifier,
                             p.verifiedAt?.description, p.reviewBy?.description,
                             (p.created ?? now).description, (p.updated ?? p.created ?? now).description])
        let id = db.lastInsertedRowID
        let key = EntryKey.make(.practice, id)
        try setEntryTags(db, key: key, p.tags)
        try reindex(db, key: key)
        return id
    }

    static func insertQuestion(_ db: Database, _ q: Question, number: Int64?) throws -> Int64 {
        guard let title = Validation.text(q.title) else { throw KnowHowError.missingField("a question's title") }
        let asker = try optionalMemberID(db, q.asker)
        try db.execute(sql: """
            INSERT INTO question(id, title, body, asker_id, created, score) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [number, title, Validation.text(q.body), asker, (q.created ?? .now).description, q.score])
        let id = db.lastInsertedRowID
        let key = EntryKey.make(.question, id)
        try setEntryTags(db, key: key, q.tags)
        try reindex(db, key: key)
        return id
    }

    static func insertAnswer(_ db: Database, _ a: Answer, question: Int64, number: Int64?) throws -> Int64 {
        guard let body = Validation.text(a.body) else { throw KnowHowError.missingField("an answer's text") }
        let author = try optionalMemberID(db, a.author)
        try db.execute(sql: """
            INSERT INTO answer(id, question_id, body, author_id, created, score) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [number, question, body, author, (a.created ?? .now).description, a.score])
        let id = db.lastInsertedRowID
        try reindex(db, key: EntryKey.make(.answer, id))
        return id
    }
}
