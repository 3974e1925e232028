import Foundation
import KnowHowCore

/// Contributing on PostgreSQL: the SQLite store's writes (SQLiteKnowledgeStore+Write, +Experts,
/// +Curation's edits) with the same rules from the core, each one `change` (see +Changes). The
/// search index is written by the change from the rows it touched, not by each insert.
///
/// Updates name only the columns whose values change: the database grants members and
/// contributors only the columns they may change (a member may not set their own role), so an
/// edit that leaves the role alone must not name it.
extension PostgresKnowledgeStore {
    /// PostgreSQL stores are made by migrating (when the store is opened): true when opening it
    /// made the schema.
    @discardableResult
    public func create() throws -> Bool { madeSchema }

    @discardableResult
    public func add(_ member: Member, as acting: Acting) throws -> Member {
        try change(.addMember, as: acting) { c, note in
            var m = member
            let empty = try c.query("SELECT NOT EXISTS (SELECT 1 FROM knowhow.member) AS e").first!.require("e", as: Bool.self)
            m.role = Role.onJoining(m.role, isFirstMember: empty)
            try Self.refuseRedirected(c, "@" + (try Validation.handle(m.handle)))
            let added = try Self.loadMember(c, id: try Self.insertMember(c, m))
            note.summary = ChangeNotes.added(added)
            return added
        }
    }

    @discardableResult
    public func add(_ resource: Resource, as acting: Acting) throws -> EntryID {
        try change(.addResource, as: acting) { c, note in
            var r = resource
            r.created = r.created ?? note.now
            let id = EntryID(.resource, try Self.insertResource(c, r, number: try Self.nextNumber(c, .resource)))
            note.summary = ChangeNotes.added(id, resource.title)
            return id
        }
    }

    @discardableResult
    public func add(_ practice: Practice, as acting: Acting) throws -> EntryID {
        try change(.addPractice, as: acting) { c, note in
            var p = practice
            p.created = p.created ?? note.now
            let id = EntryID(.practice, try Self.insertPractice(c, p, number: try Self.nextNumber(c, .practice)))
            note.summary = ChangeNotes.added(id, practice.title)
            return id
        }
    }

    public func ask(_ question: Question, as acting: Acting) throws -> EntryID {
        try change(.ask, as: acting, target: { _ in Target(owner: question.asker.flatMap { try? Validation.handle($0) }) }) { c, note in
            var q = question
            q.created = q.created ?? note.now
            let id = EntryID(.question, try Self.insertQuestion(c, q, number: try Self.nextNumber(c, .question)))
            note.summary = ChangeNotes.asked(id, question.title)
            return id
        }
    }

    public func answer(_ answer: Answer, as acting: Acting) throws -> EntryID {
        try change(.answer, as: acting, target: { _ in Target(owner: answer.author.flatMap { try? Validation.handle($0) }) }) { c, note in
            let q = try Self.require(c, answer.question)
            var a = answer
            a.created = a.created ?? note.now
            let id = EntryID(.answer, try Self.insertAnswer(c, a, question: q, number: try Self.nextNumber(c, .answer)))
            note.summary = ChangeNotes.answered(question: q, id)
            return id
        }
    }

    /// Marks an answer accepted (replacing any earlier one); returns the question.
    public func accept(_ answerID: EntryID, as acting: Acting) throws -> EntryID {
        try change(.accept, as: acting, target: { c in
            let a = try Self.require(c, answerID)
            let q = EntryID(.question, try c.query("SELECT question_id FROM knowhow.answer WHERE id = $1", [a]).first!.require("question_id"))
            return Target(ref: q.description, owner: try Self.owner(c, q))
        }) { c, note in
            let a = try Self.require(c, answerID)
            let q: Int64 = try c.query("SELECT question_id FROM knowhow.answer WHERE id = $1", [a]).first!.require("question_id")
            try c.execute("UPDATE knowhow.question SET accepted_answer_id = $1 WHERE id = $2 AND accepted_answer_id IS DISTINCT FROM $1", [a, q])
            note.summary = ChangeNotes.accepted(answer: a, question: q)
            return EntryID(.question, q)
        }
    }

    /// Records that `endorser` vouches for `member`'s skill in `tag`; false when already recorded.
    public func endorse(_ member: String, tag: String, by endorser: String, as acting: Acting) throws -> Bool {
        let actor = acting.actor.handle
        return try change(.endorse, as: acting, target: { _ in Target(owner: try? Validation.handle(endorser)) }) { c, note in
            note.summary = ChangeNotes.endorsed(member, tag: tag, by: endorser, actor: actor)
            let m = try Self.memberID(c, member), e = try Self.memberID(c, endorser)
            guard m != e else { throw KnowHowError.conflict("you cannot endorse yourself; ask a colleague to endorse you") }
            guard let t = try Self.tagID(c, try Validation.tag(tag)) else { throw KnowHowError.unknownTag(tag, suggestion: nil) }
            return try c.execute("""
                INSERT INTO knowhow.endorsement(endorser_id, member_id, tag_id, created) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING
                """, [e, m, t, note.now.description]) > 0
        }
    }

    /// Withdraws an endorsement; false when there was none.
    public func withdrawEndorsement(_ member: String, tag: String, by endorser: String, as acting: Acting) throws -> Bool {
        let actor = acting.actor.handle
        return try change(.withdrawEndorsement, as: acting, target: { _ in Target(owner: try? Validation.handle(endorser)) }) { c, note in
            note.summary = ChangeNotes.withdrew(member, tag: tag, by: endorser, actor: actor)
            let m = try Self.memberID(c, member), e = try Self.memberID(c, endorser)
            guard let t = try Self.tagID(c, try Validation.tag(tag)) else { throw KnowHowError.unknownTag(tag, suggestion: nil) }
            return try c.execute("DELETE FROM knowhow.endorsement WHERE endorser_id = $1 AND member_id = $2 AND tag_id = $3", [e, m, t]) > 0
        }
    }

    // MARK: - Edits

    /// Saves an edited resource if nobody changed it since `original` was read; returns the fields changed.
    @discardableResult
    public func update(_ edited: Resource, expecting original: Resource, as acting: Acting) throws -> [String] {
        guard let id = original.id else { throw KnowHowError.missingField("the resource's id") }
        return try change(.editResource, as: acting, target: { c in Target(ref: id.description, owner: try Self.owner(c, id)) }) { c, note in
            let n = try Self.requireOwn(c, id)
            let current = try Self.loadResource(c, number: n)
            guard let edit = try EditRules.resourceEdit(from: original, current: current, to: edited, entry: id.description) else {
                note.discard = true; return []
            }
            let changed = edit.changed, title = edit.title
            try Self.updateColumns(c, "resource", id: n, [
                ("title", title), ("url", try Validation.text(edited.url).map(Validation.url)), ("kind", edited.kind.rawValue),
                ("summary", Validation.text(edited.summary)), ("body", Validation.text(edited.body)),
                ("contributor_id", try Self.optionalMemberID(c, edited.contributor)), ("status", edited.status.rawValue),
                ("updated", note.now.description),
            ])
            if changed.contains("authors") {
                try c.execute("DELETE FROM knowhow.resource_author WHERE resource_id = $1", [n])
                for a in edited.authors {
                    try c.execute("INSERT INTO knowhow.resource_author(resource_id, member_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                  [n, try Self.memberID(c, a)])
                }
            }
            if changed.contains("tags") { try Self.replaceTags(c, EntryKeys.make(id), edited.tags) }
            note.summary = EditRules.note(id.description, changed)
            return changed
        }
    }

    @discardableResult
    public func update(_ edited: Practice, expecting original: Practice, as acting: Acting) throws -> [String] {
        guard let id = original.id else { throw KnowHowError.missingField("the practice's id") }
        return try change(.editPractice, as: acting, target: { c in Target(ref: id.description, owner: try Self.owner(c, id)) }) { c, note in
            let n = try Self.requireOwn(c, id)
            let current = try Self.loadPractice(c, number: n)
            guard let edit = try EditRules.practiceEdit(from: original, current: current, to: edited, entry: id.description) else {
                note.discard = true; return []
            }
            let changed = edit.changed, title = edit.title
            try Self.updateColumns(c, "practice", id: n, [
                ("title", title), ("context", Validation.text(edited.context)), ("practice", Validation.text(edited.practice)),
                ("evidence", Validation.text(edited.evidence)), ("contributor_id", try Self.optionalMemberID(c, edited.contributor)),
                ("review_by", edited.reviewBy?.description), ("updated", note.now.description),
            ])
            if changed.contains("tags") { try Self.replaceTags(c, EntryKeys.make(id), edited.tags) }
            note.summary = EditRules.note(id.description, changed)
            return changed
        }
    }

    @discardableResult
    public func update(_ edited: Member, expecting original: Member, as acting: Acting) throws -> [String] {
        let handle = try Validation.handle(original.handle)
        return try change(.editMember, as: acting, target: { _ in Target(ref: "@" + handle, owner: handle) }) { c, note in
            let id = try Self.requireOwnMember(c, handle)
            let current = try Self.loadMember(c, id: id)
            let changed = try EditRules.changes(from: original, current: current, to: edited, entry: "@" + handle)
            guard !changed.isEmpty else { note.discard = true; return [] }
            let name = try EditRules.checkMemberEdit(changed, edited: edited) {
                _ = try Self.authorize(c, .setRole, Target(ref: "@" + handle), acting: acting.actor)
            }
            try Self.updateColumns(c, "member", id: id, [
                ("name", name), ("email", try Validation.text(edited.email).map(Validation.email)),
                ("organisation", Validation.text(edited.organisation)), ("sector", Validation.text(edited.sector)),
                ("location", Validation.text(edited.location)), ("time_zone", Validation.text(edited.timeZone)),
                ("bio", Validation.text(edited.bio)), ("role", edited.role.rawValue),
                ("open_to_questions", edited.openToQuestions), ("mentoring", edited.mentoring),
            ])
            if changed.contains("skills") {
                let old = Dictionary(current.skills.map { ($0.tag, $0.level) }, uniquingKeysWith: max)
                var new: [Int64: SkillLevel] = [:]
                for s in edited.skills { let t = try Self.tagID(c, s.tag, create: true); new[t] = max(new[t] ?? s.level, s.level) }
                for (tag, _) in old {
                    let t = try Self.tagID(c, tag, create: true)
                    if new[t] == nil { try c.execute("DELETE FROM knowhow.member_skill WHERE member_id = $1 AND tag_id = $2", [id, t]) }
                }
                for (t, level) in new.sorted(by: { $0.key < $1.key }) {
                    try c.execute("""
                        INSERT INTO knowhow.member_skill(member_id, tag_id, level) VALUES ($1, $2, $3)
                        ON CONFLICT (member_id, tag_id) DO UPDATE SET level = excluded.level WHERE member_skill.level <> excluded.level
                        """, [id, t, level.rawValue])
                }
            }
            if changed.contains("interests") {
                var keep = Set<Int64>()
                for i in edited.interests { keep.insert(try Self.tagID(c, i, create: true)) }
                for t in try c.query("SELECT tag_id FROM knowhow.member_interest WHERE member_id = $1", [id]).rows
                    .map({ try $0.require("tag_id", as: Int64.self) }) where !keep.contains(t) {
                    try c.execute("DELETE FROM knowhow.member_interest WHERE member_id = $1 AND tag_id = $2", [id, t])
                }
                for t in keep.sorted() {
                    try c.execute("INSERT INTO knowhow.member_interest(member_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [id, t])
                }
            }
            note.summary = EditRules.note("@" + handle, changed)
            return changed
        }
    }

    /// Adds and removes tags of a resource, practice or question; returns its tags after.
    public func retag(_ id: EntryID, add: [String], remove: [String], as acting: Acting) throws -> [String] {
        let adding = try add.map(Validation.tag), removing = try remove.map(Validation.tag)
        return try change(.edit(id.type), as: acting, target: { c in Target(ref: id.description, owner: try Self.owner(c, id)) }) { c, note in
            try EditRules.checkTaggable(id)
            let n = try Self.requireOwn(c, id)
            let key = EntryKeys.make(id.type, n)
            for t in removing {
                guard let tid = try Self.tagID(c, t) else { throw KnowHowError.unknownTag(t, suggestion: nil) }
                if try c.execute("DELETE FROM knowhow.entry_tag WHERE entry = $1 AND tag_id = $2", [key, tid]) == 0 {
                    throw EditRules.notTagged(id, t)
                }
            }
            for t in adding {
                try c.execute("INSERT INTO knowhow.entry_tag(entry, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                              [key, try Self.tagID(c, t, create: true)])
            }
            try Self.touch(c, id, note.now)
            note.summary = ChangeNotes.tagged(id, adding: adding, removing: removing)
            return try Self.entryTags(c, key: key)
        }
    }

    // MARK: - Numbers, redirects and look-ups used by writes

    /// The number for a new entry: never one that was used before (by an entry since merged away,
    /// or one whose adding was undone), so old ids in history and redirects stay unambiguous.
    static func nextNumber(_ c: PGConnection, _ type: EntryType) throws -> Int64 {
        let top: Int64 = try c.query("""
            SELECT greatest((SELECT coalesce(max(id), 0) FROM knowhow.\(type.rawValue)),
                            (SELECT coalesce(max(substr(old, 2)::bigint), 0) FROM knowhow.redirect
                             WHERE substr(old, 1, 1) = $1 AND substr(old, 2) ~ '^[0-9]{1,18}$'),
                            (SELECT coalesce(max(entry >> 3), 0) FROM knowhow.change_entry WHERE entry & 7 = $2)) AS top
            """, [String(type.prefix!), Int64(type.keyCode)]).first!.require("top")
        guard top < EntryID.maxNumber else { throw KnowHowError.idsExhausted(type) }
        return top + 1
    }

    /// Where a merged-away id or handle now points (following chains), nil when it was never merged.
    static func redirected(_ c: PGConnection, _ ref: String) throws -> String? {
        var current = ref
        var seen: Set<String> = [ref]
        while let next = try c.query("SELECT new FROM knowhow.redirect WHERE old = $1", [current]).first?.get("new", as: String.self) {
            guard seen.insert(next).inserted else { break }
            current = next
        }
        return current == ref ? nil : current
    }

    static func refuseRedirected(_ c: PGConnection, _ ref: String) throws {
        if let to = try redirected(c, ref) {
            throw KnowHowError.duplicate("\(ref) was merged into \(to) and still points there; choose another")
        }
    }

    /// An id that must name an entry that exists itself (not through a redirect).
    static func requireOwn(_ c: PGConnection, _ id: EntryID) throws -> Int64 {
        guard id.type != .member,
              try c.query("SELECT 1 FROM knowhow.\(id.type.rawValue) WHERE id = $1", [id.number]).first != nil else {
            if let to = try redirected(c, id.description) { throw KnowHowError.conflict("\(id) was already merged into \(to)") }
            throw KnowHowError.unknownEntry(id)
        }
        return id.number
    }

    static func requireOwnMember(_ c: PGConnection, _ handle: String) throws -> Int64 {
        let h = try Validation.handle(handle)
        guard let id = try c.query("SELECT id FROM knowhow.member WHERE handle = $1", [h]).first?.get("id", as: Int64.self) else {
            if let to = try redirected(c, "@" + h) { throw KnowHowError.conflict("@\(h) was already merged into \(to)") }
            throw KnowHowError.unknownMember(handle: h)
        }
        return id
    }

    /// The entry key of an entry or member that exists itself (not through a redirect).
    static func ownKey(_ c: PGConnection, _ ref: EntryRef) throws -> Int64 {
        switch ref {
        case .member(let h): return EntryKeys.make(.member, try requireOwnMember(c, h))
        case .entry(let id): return EntryKeys.make(id.type, try requireOwn(c, id))
        }
    }

    static func optionalMemberID(_ c: PGConnection, _ handle: String?) throws -> Int64? {
        guard let h = Validation.text(handle) else { return nil }
        return try memberID(c, h)
    }

    /// The id of a tag by name or alias, made when it does not exist.
    static func tagID(_ c: PGConnection, _ text: String, create: Bool) throws -> Int64 {
        let name = try Validation.tag(text)
        if let id = try tagID(c, name) { return id }
        return try c.query("INSERT INTO knowhow.tag(name) VALUES ($1) RETURNING id", [name]).first!.require("id")
    }

    static func touch(_ c: PGConnection, _ id: EntryID, _ now: Timestamp) throws {
        guard id.type == .resource || id.type == .practice else { return }
        try c.execute("UPDATE knowhow.\(id.type.rawValue) SET updated = $1 WHERE id = $2 AND updated IS DISTINCT FROM $1", [now.description, id.number])
    }

    /// Makes an entry's tags exactly these, touching only the rows that differ.
    static func replaceTags(_ c: PGConnection, _ key: Int64, _ tags: [String]) throws {
        var keep = Set<Int64>()
        for t in tags { keep.insert(try tagID(c, t, create: true)) }
        for t in try c.query("SELECT tag_id FROM knowhow.entry_tag WHERE entry = $1", [key]).rows.map({ try $0.require("tag_id", as: Int64.self) })
        where !keep.contains(t) {
            try c.execute("DELETE FROM knowhow.entry_tag WHERE entry = $1 AND tag_id = $2", [key, t])
        }
        for t in keep.sorted() { try c.execute("INSERT INTO knowhow.entry_tag(entry, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [key, t]) }
    }

    /// Sets the columns of one row (by `id`) whose values differ from these, and only those.
    /// `table` and the column names are the store's own, never a person's text.
    static func updateColumns(_ c: PGConnection, _ table: String, id: Int64, _ values: [(String, PGBindable?)]) throws {
        let columns = values.map(\.0)
        guard let row = try c.query("SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM knowhow.\(table) WHERE id = $1", [id]).first else { return }
        var sets: [String] = [], params: [PGBindable?] = [id]
        for (i, (name, value)) in values.enumerated() where row.values[i] != value?.pgText {
            params.append(value)
            sets.append("\"\(name)\" = $\(params.count)")
        }
        guard !sets.isEmpty else { return }
        try c.execute("UPDATE knowhow.\(table) SET \(sets.joined(separator: ", ")) WHERE id = $1", params)
    }

    // MARK: - Inserts (validate, write; the change indexes what it touched)

    /// Tags a new entry: `tags` as written, in any order and with repeats.
    static func tagNewEntry(_ c: PGConnection, key: Int64, _ tags: [String]) throws {
        var ids: [Int64] = []
        for t in tags {
            let id = try tagID(c, t, create: true)
            if ids.contains(id) { continue }
            ids.append(id)
            try c.execute("INSERT INTO knowhow.entry_tag(entry, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [key, id])
        }
    }

    static func insertMember(_ c: PGConnection, _ m: Member) throws -> Int64 {
        try Validation.checkLengths(m)
        let handle = try Validation.handle(m.handle)
        guard let name = Validation.text(m.name) else { throw KnowHowError.missingField("a member's name") }
        let email = try Validation.text(m.email).map(Validation.email)
        if try c.query("SELECT 1 FROM knowhow.member WHERE handle = $1", [handle]).first != nil {
            throw KnowHowError.duplicate("@\(handle) already exists; choose another handle")
        }
        let id: Int64 = try c.query("""
            INSERT INTO knowhow.member(handle, name, email, organisation, sector, location, time_zone, bio, role,
                                       open_to_questions, mentoring, joined, source_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id
            """, [handle, name, email, Validation.text(m.organisation), Validation.text(m.sector), Validation.text(m.location),
                  Validation.text(m.timeZone), Validation.text(m.bio), m.role.rawValue, m.openToQuestions, m.mentoring,
                  m.joined?.description, Validation.text(m.sourceId)]).first!.require("id")
        for s in m.skills {
            // As the SQLite store: a repeated skill keeps the level that sorts last as text.
            try c.execute("""
                INSERT INTO knowhow.member_skill(member_id, tag_id, level) VALUES ($1, $2, $3)
                ON CONFLICT (member_id, tag_id) DO UPDATE SET level = greatest(member_skill.level COLLATE "C", excluded.level COLLATE "C")
                """, [id, try tagID(c, s.tag, create: true), s.level.rawValue])
        }
        for i in m.interests {
            try c.execute("INSERT INTO knowhow.member_interest(member_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                          [id, try tagID(c, i, create: true)])
        }
        return id
    }

    static func insertResource(_ c: PGConnection, _ r: Resource, number: Int64) throws -> Int64 {
        try Validation.checkLengths(r)
        guard let title = Validation.text(r.title) else { throw KnowHowError.missingField("a resource's title") }
        let url = try Validation.text(r.url).map(Validation.url)
        let contributor = try optionalMemberID(c, r.contributor)
        let created = (r.created ?? .now).description
        try c.execute("""
            INSERT INTO knowhow.resource(id, title, url, kind, summary, body, contributor_id, created, updated, status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, [number, title, url, r.kind.rawValue, Validation.text(r.summary), Validation.text(r.body), contributor, created,
                  r.updated.map(\.description) ?? created, r.status.rawValue])
        for a in r.authors {
            try c.execute("INSERT INTO knowhow.resource_author(resource_id, member_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                          [number, try memberID(c, a)])
        }
        try tagNewEntry(c, key: EntryKeys.make(.resource, number), r.tags)
        return number
    }

    static func insertPractice(_ c: PGConnection, _ p: Practice, number: Int64) throws -> Int64 {
        try Validation.checkLengths(p)
        guard let title = Validation.text(p.title) else { throw KnowHowError.missingField("a practice's title") }
        let contributor = try optionalMemberID(c, p.contributor)
        let verifier = try optionalMemberID(c, p.verifiedBy)
        let created = (p.created ?? .now).description
        try c.execute("""
            INSERT INTO knowhow.practice(id, title, context, practice, evidence, contributor_id, status, verified_by_id,
                                         verified_at, review_by, created, updated)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """, [number, title, Validation.text(p.context), Validation.text(p.practice), Validation.text(p.evidence), contributor,
                  p.status.rawValue, verifier, p.verifiedAt?.description, p.reviewBy?.description, created,
                  p.updated.map(\.description) ?? created])
        try tagNewEntry(c, key: EntryKeys.make(.practice, number), p.tags)
        return number
    }

    static func insertQuestion(_ c: PGConnection, _ q: Question, number: Int64) throws -> Int64 {
        try Validation.checkLengths(q)
        guard let title = Validation.text(q.title) else { throw KnowHowError.missingField("a question's title") }
        let asker = try optionalMemberID(c, q.asker)
        try c.execute("INSERT INTO knowhow.question(id, title, body, asker_id, created, score) VALUES ($1, $2, $3, $4, $5, $6)",
                      [number, title, Validation.text(q.body), asker, (q.created ?? .now).description, q.score])
        try tagNewEntry(c, key: EntryKeys.make(.question, number), q.tags)
        return number
    }

    static func insertAnswer(_ c: PGConnection, _ a: Answer, question: Int64, number: Int64) throws -> Int64 {
        try Validation.checkLengths(a)
        guard let body = Validation.text(a.body) else { throw KnowHowError.missingField("an answer's text") }
        let author = try optionalMemberID(c, a.author)
        try c.execute("INSERT INTO knowhow.answer(id, question_id, body, author_id, created, score) VALUES ($1, $2, $3, $4, $5, $6)",
                      [number, question, body, author, (a.created ?? .now).description, a.score])
        return number
    }
}
