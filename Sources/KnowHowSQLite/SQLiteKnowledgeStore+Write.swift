import Foundation
import GRDB
import KnowHowCore

extension SQLiteKnowledgeStore {
    @discardableResult
    public func add(_ member: Member, as acting: Acting) throws -> Member {
        try change(.addMember, as: acting) { db, note in
            var m = member
            m.role = Role.onJoining(m.role, isFirstMember: try Int.fetchOne(db, sql: "SELECT count(*) FROM member") == 0)
            try Self.refuseRedirected(db, "@" + (try Validation.handle(m.handle)))
            let added = try Self.loadMember(db, id: try Self.insertMember(db, m))
            note.summary = ChangeNotes.added(added)
            return added
        }
    }

    @discardableResult
    public func add(_ resource: Resource, as acting: Acting) throws -> EntryID {
        try change(.addResource, as: acting) { db, note in
            var r = resource
            r.created = r.created ?? note.now
            let id = EntryID(.resource, try Self.insertResource(db, r, number: try Self.nextNumber(db, .resource)))
            note.summary = ChangeNotes.added(id, resource.title)
            return id
        }
    }

    @discardableResult
    public func add(_ practice: Practice, as acting: Acting) throws -> EntryID {
        try change(.addPractice, as: acting) { db, note in
            var p = practice
            p.created = p.created ?? note.now
            let id = EntryID(.practice, try Self.insertPractice(db, p, number: try Self.nextNumber(db, .practice)))
            note.summary = ChangeNotes.added(id, practice.title)
            return id
        }
    }

    // MARK: - Look-ups used by writes

    /// The id of a tag by name or alias; creates it when `create` and it does not exist.
    static func tagID(_ db: Database, _ text: String, create: Bool) throws -> Int64? {
        let name = try Validation.tag(text)
        if let id = try Int64.fetchOne(cached: db, sql: "SELECT id FROM tag WHERE name = ?", arguments: [name]) { return id }
        if let id = try Int64.fetchOne(cached: db, sql: "SELECT tag_id FROM tag_alias WHERE alias = ?", arguments: [name]) { return id }
        guard create else { return nil }
        try db.run(sql: "INSERT INTO tag(name) VALUES (?)", arguments: [name])
        return db.lastInsertedRowID
    }

    static func memberID(_ db: Database, _ handle: String) throws -> Int64 {
        let h = try Validation.handle(handle)
        guard let id = try Int64.fetchOne(cached: db, sql: "SELECT id FROM member WHERE handle = ?", arguments: [h]) else {
            // A handle merged away points at the member it was merged into.
            if let to = try redirected(db, "@" + h),
               let id = try Int64.fetchOne(cached: db, sql: "SELECT id FROM member WHERE handle = ?", arguments: [String(to.dropFirst())]) {
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
        try db.run(sql: "DELETE FROM entry_tag WHERE entry = ?", arguments: [key])
        for t in tags {
            let id = try tagID(db, t, create: true)!
            try db.run(sql: "INSERT OR IGNORE INTO entry_tag(entry, tag_id) VALUES (?, ?)", arguments: [key, id])
        }
    }

    // MARK: - Inserts (validate, write, index)
    //
    // Each makes the entry's index document from the record it writes (the values as stored:
    // trimmed, defaults applied), as `document(db, key:)` would read it back. `session` carries tag
    // and member ids across the rows of one import, and batches its index rows; single writes get a fresh one.

    /// Tags a new entry: `tags` as written, in any order and with repeats. Returns the tag ids.
    static func tagNewEntry(_ db: Database, key: Int64, _ tags: [String], _ session: WriteSession) throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(tags.count)
        for t in tags {
            let id = try session.tagID(db, t)
            if ids.contains(id) { continue }
            ids.append(id)
            try db.run(sql: "INSERT OR IGNORE INTO entry_tag(entry, tag_id) VALUES (?, ?)", arguments: [key, id])
        }
        return ids
    }

    static func insertMember(_ db: Database, _ m: Member, session: WriteSession = WriteSession()) throws -> Int64 {
        try Validation.checkLengths(m)
        let handle = try Validation.handle(m.handle)
        guard let name = Validation.text(m.name) else { throw KnowHowError.missingField("a member's name") }
        let email = try Validation.text(m.email).map(Validation.email)
        if try Int64.fetchOne(cached: db, sql: "SELECT 1 FROM member WHERE handle = ?", arguments: [handle]) != nil {
            throw KnowHowError.duplicate("@\(handle) already exists; choose another handle")
        }
        let organisation = Validation.text(m.organisation), sector = Validation.text(m.sector)
        let location = Validation.text(m.location), bio = Validation.text(m.bio)
        try db.run(sql: """
            INSERT INTO member(handle, name, email, organisation, sector, location, time_zone, bio, role,
                               open_to_questions, mentoring, joined, source_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [handle, name, email, organisation, sector, location, Validation.text(m.timeZone), bio,
                             m.role.rawValue, m.openToQuestions, m.mentoring, m.joined?.description,
                             Validation.text(m.sourceId)])
        let id = db.lastInsertedRowID
        var tagIDs: [Int64] = []
        for s in m.skills {
            let t = try session.tagID(db, s.tag)
            try db.run(sql: """
                INSERT INTO member_skill(member_id, tag_id, level) VALUES (?, ?, ?)
                ON CONFLICT DO UPDATE SET level = max(level, excluded.level)
                """, arguments: [id, t, s.level.rawValue])
            tagIDs.append(t)
        }
        for i in m.interests {
            let t = try session.tagID(db, i)
            try db.run(sql: "INSERT OR IGNORE INTO member_interest(member_id, tag_id) VALUES (?, ?)", arguments: [id, t])
            tagIDs.append(t)
        }
        var doc = Document(title: name, tags: try session.tagText(db, tagIDs), body: bio ?? "")
        doc.summary = ["@" + handle, organisation, sector, location].compactMap { $0 }.joined(separator: " · ")
        try session.index(db, key: EntryKey.make(.member, id), doc)
        return id
    }

    static func insertResource(_ db: Database, _ r: Resource, number: Int64?, session: WriteSession = WriteSession()) throws -> Int64 {
        try Validation.checkLengths(r)
        guard let title = Validation.text(r.title) else { throw KnowHowError.missingField("a resource's title") }
        let url = try Validation.text(r.url).map(Validation.url)
        let contributor = try session.optionalMemberID(db, r.contributor)
        let summary = Validation.text(r.summary), body = Validation.text(r.body)
        let created = r.created ?? .now
        let createdText = created.description
        try db.run(sql: """
            INSERT INTO resource(id, title, url, kind, summary, body, contributor_id, created, updated, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [number, title, url, r.kind.rawValue, summary, body, contributor, createdText,
                             r.updated.map(\.description) ?? createdText, r.status.rawValue])
        let id = try EntryKey.checked(.resource, db.lastInsertedRowID)
        for a in r.authors {
            try db.run(sql: "INSERT OR IGNORE INTO resource_author(resource_id, member_id) VALUES (?, ?)",
                       arguments: [id, try session.memberID(db, a)])
        }
        let key = EntryKey.make(.resource, id)
        let tags = try tagNewEntry(db, key: key, r.tags, session)
        try session.index(db, key: key, Document(title: title, tags: try session.tagText(db, tags), summary: summary ?? "", body: body ?? ""))
        return id
    }

    static func insertPractice(_ db: Database, _ p: Practice, number: Int64?, session: WriteSession = WriteSession()) throws -> Int64 {
        try Validation.checkLengths(p)
        guard let title = Validation.text(p.title) else { throw KnowHowError.missingField("a practice's title") }
        let contributor = try session.optionalMemberID(db, p.contributor)
        let verifier = try session.optionalMemberID(db, p.verifiedBy)
        let context = Validation.text(p.context), practice = Validation.text(p.practice), evidence = Validation.text(p.evidence)
        let created = (p.created ?? .now).description
        try db.run(sql: """
            INSERT INTO practice(id, title, context, practice, evidence, contributor_id, status, verified_by_id,
                                 verified_at, review_by, created, updated)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [number, title, context, practice, evidence, contributor, p.status.rawValue, verifier,
                             p.verifiedAt?.description, p.reviewBy?.description,
                             created, p.updated.map(\.description) ?? created])
        let id = try EntryKey.checked(.practice, db.lastInsertedRowID)
        let key = EntryKey.make(.practice, id)
        let tags = try tagNewEntry(db, key: key, p.tags, session)
        let body = [practice, evidence].compactMap { $0 }.joined(separator: "\n\n")
        try session.index(db, key: key, Document(title: title, tags: try session.tagText(db, tags), summary: context ?? "", body: body))
        return id
    }

    static func insertQuestion(_ db: Database, _ q: Question, number: Int64?, session: WriteSession = WriteSession()) throws -> Int64 {
        try Validation.checkLengths(q)
        guard let title = Validation.text(q.title) else { throw KnowHowError.missingField("a question's title") }
        let asker = try session.optionalMemberID(db, q.asker)
        let body = Validation.text(q.body)
        try db.run(sql: """
            INSERT INTO question(id, title, body, asker_id, created, score) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [number, title, body, asker, (q.created ?? .now).description, q.score])
        let id = try EntryKey.checked(.question, db.lastInsertedRowID)
        let key = EntryKey.make(.question, id)
        let tags = try tagNewEntry(db, key: key, q.tags, session)
        try session.index(db, key: key, Document(title: title, tags: try session.tagText(db, tags), body: body ?? ""))
        return id
    }

    static func insertAnswer(_ db: Database, _ a: Answer, question: Int64, number: Int64?, session: WriteSession = WriteSession()) throws -> Int64 {
        try Validation.checkLengths(a)
        guard let body = Validation.text(a.body) else { throw KnowHowError.missingField("an answer's text") }
        let author = try session.optionalMemberID(db, a.author)
        try db.run(sql: """
            INSERT INTO answer(id, question_id, body, author_id, created, score) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [number, question, body, author, (a.created ?? .now).description, a.score])
        let id = try EntryKey.checked(.answer, db.lastInsertedRowID)
        // An answer is found by its question's title and tags.
        let key = EntryKey.make(.answer, id)
        let title = try String.fetchOne(db.cachedStatement(sql: "SELECT title FROM question WHERE id = ?"), arguments: [question]) ?? ""
        let tags = try Int64.fetchAll(db.cachedStatement(sql: "SELECT tag_id FROM entry_tag WHERE entry = ?"),
                                      arguments: [EntryKey.make(.question, question)])
        try session.index(db, key: key, Document(title: "", tags: try session.tagText(db, tags), summary: title, body: body))
        return id
    }
}
