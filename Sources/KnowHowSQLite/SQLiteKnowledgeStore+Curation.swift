import Foundation
import GRDB
import KnowHowCore

/// Curation: edits with a check for concurrent changes, tags, merges with redirects, verification,
/// similar entries and likely duplicates. Every write goes through `change` (see +History).
extension SQLiteKnowledgeStore {
    /// Runs statements separated by `;`, each with the numbered arguments (`?1`, `?2`…) it uses.
    static func executeEach(_ db: Database, _ sql: String, _ arguments: [DatabaseValueConvertible?]) throws {
        for statement in sql.components(separatedBy: ";\n") {
            let text = statement.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))
            guard !text.isEmpty else { continue }
            var used = 0
            var rest = Substring(text)
            while let q = rest.firstIndex(of: "?") {
                let digits = rest[rest.index(after: q)...].prefix { $0.isNumber }
                used = max(used, Int(digits) ?? 0)
                rest = rest[rest.index(after: q)...]
            }
            try db.execute(sql: text, arguments: StatementArguments(Array(arguments.prefix(used))))
        }
    }

    // MARK: - Numbers and redirects

    /// The number for a new entry: never one that was used before (by an entry since merged away,
    /// or one whose adding was undone), so old ids in history and redirects stay unambiguous.
    static func nextNumber(_ db: Database, _ type: EntryType) throws -> Int64 {
        let inTable = try Int64.fetchOne(db, sql: "SELECT max(id) FROM \(EntryKey.table(type))") ?? 0
        let redirected = try Int64.fetchOne(db, sql: "SELECT max(CAST(substr(old, 2) AS INTEGER)) FROM redirect WHERE substr(old, 1, 1) = ?",
                                            arguments: [String(type.prefix!)]) ?? 0
        let recorded = try Int64.fetchOne(db, sql: "SELECT max(entry >> 3) FROM change_entry WHERE entry & 7 = ?",
                                          arguments: [EntryKey.code(type)]) ?? 0
        let top = max(inTable, redirected, recorded)
        guard top < EntryID.maxNumber else { throw KnowHowError.idsExhausted(type) }
        return top + 1
    }

    /// Where a merged-away id or handle now points (following chains), nil when it was never merged.
    static func redirected(_ db: Database, _ ref: String) throws -> String? {
        var current = ref
        var seen: Set<String> = [ref]
        while let next = try String.fetchOne(db, sql: "SELECT new FROM redirect WHERE old = ?", arguments: [current]) {
            guard seen.insert(next).inserted else { break }
            current = next
        }
        return current == ref ? nil : current
    }

    static func refuseRedirected(_ db: Database, _ ref: String) throws {
        if let to = try redirected(db, ref) {
            throw KnowHowError.duplicate("\(ref) was merged into \(to) and still points there; choose another")
        }
    }

    public func redirect(_ ref: EntryRef) throws -> EntryRef? {
        try read { db in
            switch ref {
            case .member(let h):
                if try Int64.fetchOne(db, sql: "SELECT 1 FROM member WHERE handle = ?", arguments: [h]) != nil { return nil }
            case .entry(let id):
                guard id.type != .member else { return nil }
                if try Int64.fetchOne(db, sql: "SELECT 1 FROM \(EntryKey.table(id.type)) WHERE id = ?", arguments: [id.number]) != nil { return nil }
            }
            return try Self.redirected(db, ref.description).flatMap(EntryRef.init)
        }
    }

    /// An id that must name an entry that exists itself (not through a redirect).
    static func requireOwn(_ db: Database, _ id: EntryID) throws -> Int64 {
        guard id.type != .member,
              try Int64.fetchOne(db, sql: "SELECT 1 FROM \(EntryKey.table(id.type)) WHERE id = ?", arguments: [id.number]) != nil else {
            if let to = try redirected(db, id.description) {
                throw KnowHowError.conflict("\(id) was already merged into \(to)")
            }
            throw KnowHowError.unknownEntry(id)
        }
        return id.number
    }

    static func requireOwnMember(_ db: Database, _ handle: String) throws -> Int64 {
        let h = try Validation.handle(handle)
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM member WHERE handle = ?", arguments: [h]) else {
            if let to = try redirected(db, "@" + h) { throw KnowHowError.conflict("@\(h) was already merged into \(to)") }
            throw KnowHowError.unknownMember(handle: h)
        }
        return id
    }

    /// The entry key of an entry or member that exists itself (not through a redirect).
    static func ownKey(_ db: Database, _ ref: EntryRef) throws -> Int64 {
        switch ref {
        case .member(let h): return EntryKey.make(.member, try requireOwnMember(db, h))
        case .entry(let id): return EntryKey.make(id.type, try requireOwn(db, id))
        }
    }

    static func touch(_ db: Database, _ id: EntryID, _ now: Timestamp) throws {
        guard id.type == .resource || id.type == .practice else { return }
        try db.execute(sql: "UPDATE \(EntryKey.table(id.type)) SET updated = ? WHERE id = ?", arguments: [now.description, id.number])
    }

    // MARK: - Edits

    /// Saves an edited resource if nobody changed it since `original` was read; returns the fields changed.
    @discardableResult
    public func update(_ edited: Resource, expecting original: Resource, as acting: Acting) throws -> [String] {
        guard let id = original.id else { throw KnowHowError.missingField("the resource's id") }
        return try change(.editResource, as: acting, target: { db in Target(ref: id.description, owner: try Self.owner(db, id)) }) { db, note in
            let n = try Self.requireOwn(db, id)
            let current = try Self.loadResource(db, number: n)
            guard let edit = try EditRules.resourceEdit(from: original, current: current, to: edited, entry: id.description) else {
                note.discard = true; return []
            }
            let changed = edit.changed, title = edit.title
            try db.execute(sql: """
                UPDATE resource SET title = ?, url = ?, kind = ?, summary = ?, body = ?, contributor_id = ?, status = ?, updated = ?
                WHERE id = ?
                """, arguments: [title, try Validation.text(edited.url).map(Validation.url), edited.kind.rawValue,
                                 Validation.text(edited.summary), Validation.text(edited.body),
                                 try Self.optionalMemberID(db, edited.contributor), edited.status.rawValue,
                                 note.now.description, n])
            if changed.contains("authors") {
                try db.execute(sql: "DELETE FROM resource_author WHERE resource_id = ?", arguments: [n])
                for a in edited.authors {
                    try db.execute(sql: "INSERT OR IGNORE INTO resource_author(resource_id, member_id) VALUES (?, ?)",
                                   arguments: [n, try Self.memberID(db, a)])
                }
            }
            if changed.contains("tags") { try Self.replaceTags(db, EntryKey.make(id), edited.tags) }
            note.summary = EditRules.note(id.description, changed)
            return changed
        }
    }

    @discardableResult
    public func update(_ edited: Practice, expecting original: Practice, as acting: Acting) throws -> [String] {
        guard let id = original.id else { throw KnowHowError.missingField("the practice's id") }
        return try change(.editPractice, as: acting, target: { db in Target(ref: id.description, owner: try Self.owner(db, id)) }) { db, note in
            let n = try Self.requireOwn(db, id)
            let current = try Self.loadPractice(db, number: n)
            guard let edit = try EditRules.practiceEdit(from: original, current: current, to: edited, entry: id.description) else {
                note.discard = true; return []
            }
            let changed = edit.changed, title = edit.title
            try db.execute(sql: """
                UPDATE practice SET title = ?, context = ?, practice = ?, evidence = ?, contributor_id = ?, review_by = ?, updated = ?
                WHERE id = ?
                """, arguments: [title, Validation.text(edited.context), Validation.text(edited.practice),
                                 Validation.text(edited.evidence), try Self.optionalMemberID(db, edited.contributor),
                                 edited.reviewBy?.description, note.now.description, n])
            if changed.contains("tags") { try Self.replaceTags(db, EntryKey.make(id), edited.tags) }
            note.summary = EditRules.note(id.description, changed)
            return changed
        }
    }

    @discardableResult
    public func update(_ edited: Member, expecting original: Member, as acting: Acting) throws -> [String] {
        let handle = try Validation.handle(original.handle)
        return try change(.editMember, as: acting, target: { _ in Target(ref: "@" + handle, owner: handle) }) { db, note in
            let id = try Self.requireOwnMember(db, handle)
            let current = try Self.loadMember(db, id: id)
            let changed = try EditRules.changes(from: original, current: current, to: edited, entry: "@" + handle)
            guard !changed.isEmpty else { note.discard = true; return [] }
            let name = try EditRules.checkMemberEdit(changed, edited: edited) {
                _ = try Self.authorize(db, .setRole, Target(ref: "@" + handle), acting: acting.actor)
            }
            try db.execute(sql: """
                UPDATE member SET name = ?, email = ?, organisation = ?, sector = ?, location = ?, time_zone = ?, bio = ?,
                       role = ?, open_to_questions = ?, mentoring = ? WHERE id = ?
                """, arguments: [name, try Validation.text(edited.email).map(Validation.email), Validation.text(edited.organisation),
                                 Validation.text(edited.sector), Validation.text(edited.location), Validation.text(edited.timeZone),
                                 Validation.text(edited.bio), edited.role.rawValue, edited.openToQuestions, edited.mentoring, id])
            if changed.contains("skills") {
                let old = Dictionary(current.skills.map { ($0.tag, $0.level) }, uniquingKeysWith: max)
                var new: [Int64: SkillLevel] = [:]
                for s in edited.skills { let t = try Self.tagID(db, s.tag, create: true)!; new[t] = max(new[t] ?? s.level, s.level) }
                for (tag, _) in old {
                    let t = try Self.tagID(db, tag, create: false)!
                    if new[t] == nil { try db.execute(sql: "DELETE FROM member_skill WHERE member_id = ? AND tag_id = ?", arguments: [id, t]) }
                }
                for (t, level) in new {
                    try db.execute(sql: """
                        INSERT INTO member_skill(member_id, tag_id, level) VALUES (?, ?, ?)
                        ON CONFLICT DO UPDATE SET level = excluded.level WHERE level <> excluded.level
                        """, arguments: [id, t, level.rawValue])
                }
            }
            if changed.contains("interests") {
                var keep = Set<Int64>()
                for i in edited.interests { keep.insert(try Self.tagID(db, i, create: true)!) }
                for t in try Int64.fetchAll(db, sql: "SELECT tag_id FROM member_interest WHERE member_id = ?", arguments: [id]) where !keep.contains(t) {
                    try db.execute(sql: "DELETE FROM member_interest WHERE member_id = ? AND tag_id = ?", arguments: [id, t])
                }
                for t in keep { try db.execute(sql: "INSERT OR IGNORE INTO member_interest(member_id, tag_id) VALUES (?, ?)", arguments: [id, t]) }
            }
            note.summary = EditRules.note("@" + handle, changed)
            return changed
        }
    }

    /// Makes an entry's tags exactly these, touching only the rows that differ.
    static func replaceTags(_ db: Database, _ key: Int64, _ tags: [String]) throws {
        var keep = Set<Int64>()
        for t in tags { keep.insert(try tagID(db, t, create: true)!) }
        for t in try Int64.fetchAll(db, sql: "SELECT tag_id FROM entry_tag WHERE entry = ?", arguments: [key]) where !keep.contains(t) {
            try db.execute(sql: "DELETE FROM entry_tag WHERE entry = ? AND tag_id = ?", arguments: [key, t])
        }
        for t in keep { try db.execute(sql: "INSERT OR IGNORE INTO entry_tag(entry, tag_id) VALUES (?, ?)", arguments: [key, t]) }
    }

    // MARK: - Tags

    /// Adds and removes tags of a resource, practice or question; returns its tags after.
    public func retag(_ id: EntryID, add: [String], remove: [String], as acting: Acting) throws -> [String] {
        let adding = try add.map(Validation.tag), removing = try remove.map(Validation.tag)
        return try change(.edit(id.type), as: acting, target: { db in Target(ref: id.description, owner: try Self.owner(db, id)) }) { db, note in
            try EditRules.checkTaggable(id)
            let n = try Self.requireOwn(db, id)
            let key = EntryKey.make(id.type, n)
            for t in removing {
                guard let tid = try Self.tagID(db, t, create: false) else { throw KnowHowError.unknownTag(t, suggestion: nil) }
                try db.execute(sql: "DELETE FROM entry_tag WHERE entry = ? AND tag_id = ?", arguments: [key, tid])
                if db.changesCount == 0 { throw EditRules.notTagged(id, t) }
            }
            for t in adding {
                try db.execute(sql: "INSERT OR IGNORE INTO entry_tag(entry, tag_id) VALUES (?, ?)",
                               arguments: [key, try Self.tagID(db, t, create: true)!])
            }
            try Self.touch(db, id, note.now)
            note.summary = ChangeNotes.tagged(id, adding: adding, removing: removing)
            return try Self.entryTags(db, key: key)
        }
    }

    /// The id of an existing tag given by its own name (not an alias).
    static func ownTag(_ db: Database, _ text: String) throws -> Int64 {
        let name = try Validation.tag(text)
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM tag WHERE name = ?", arguments: [name]) { return id }
        if let owner = try String.fetchOne(db, sql: "SELECT t.name FROM tag_alias a JOIN tag t ON t.id = a.tag_id WHERE a.alias = ?", arguments: [name]) {
            throw KnowHowError.conflict("'\(name)' is an alias of '\(owner)'; use '\(owner)'")
        }
        let names = try String.fetchAll(db, sql: "SELECT name FROM tag")
        throw KnowHowError.unknownTag(name, suggestion: EditDistance.nearest(name, in: names, max: 1).first)
    }

    /// Refuses a name that is already a tag or an alias.
    static func requireFreeTagName(_ db: Database, _ name: String, for purpose: String) throws {
        if try Int64.fetchOne(db, sql: "SELECT 1 FROM tag WHERE name = ?", arguments: [name]) != nil {
            throw KnowHowError.duplicate("'\(name)' is already a tag, so it cannot be \(purpose); to combine the two, use `tag merge`")
        }
        if let owner = try String.fetchOne(db, sql: "SELECT t.name FROM tag_alias a JOIN tag t ON t.id = a.tag_id WHERE a.alias = ?", arguments: [name]) {
            throw KnowHowError.duplicate("'\(name)' is already an alias of '\(owner)', so it cannot be \(purpose)")
        }
    }

    public func renameTag(_ old: String, to new: String, as acting: Acting) throws {
        let newName = try Validation.tag(new)
        try change(.tagRename, as: acting, target: { _ in Target(ref: old) }) { db, note in
            let id = try Self.ownTag(db, old)
            let oldName = try String.fetchOne(db, sql: "SELECT name FROM tag WHERE id = ?", arguments: [id])!
            guard oldName != newName else { note.discard = true; return }
            // Renaming to one of its own aliases swaps them.
            if try String.fetchOne(db, sql: "SELECT 1 FROM tag_alias WHERE alias = ? AND tag_id = ?", arguments: [newName, id]) != nil {
                try db.execute(sql: "DELETE FROM tag_alias WHERE alias = ?", arguments: [newName])
            } else {
                try Self.requireFreeTagName(db, newName, for: "a new name for '\(oldName)'")
            }
            try db.execute(sql: "UPDATE tag SET name = ? WHERE id = ?", arguments: [newName, id])
            note.summary = ChangeNotes.renamedTag(oldName, to: newName)
        }
    }

    public func tagMergePlan(_ from: String, into: String) throws -> TagMergePlan {
        try read { db in try Self.tagMergePlan(db, from, into) }
    }

    static func tagMergePlan(_ db: Database, _ from: String, _ into: String) throws -> TagMergePlan {
        let f = try ownTag(db, from)
        guard let i = try tagID(db, into, create: false) else {
            let names = try String.fetchAll(db, sql: "SELECT name FROM tag")
            let n = (try? Validation.tag(into)) ?? into
            throw KnowHowError.unknownTag(n, suggestion: EditDistance.nearest(n, in: names, max: 1).first)
        }
        let fromName = try String.fetchOne(db, sql: "SELECT name FROM tag WHERE id = ?", arguments: [f])!
        let intoName = try String.fetchOne(db, sql: "SELECT name FROM tag WHERE id = ?", arguments: [i])!
        guard f != i else { throw KnowHowError.conflict("'\(from)' and '\(into)' are the same tag") }
        let entries = try Int.fetchOne(db, sql: "SELECT count(*) FROM entry_tag WHERE tag_id = ?", arguments: [f]) ?? 0
        let members = try Int.fetchOne(db, sql: """
            SELECT count(*) FROM (SELECT member_id FROM member_skill WHERE tag_id = ?1 UNION SELECT member_id FROM member_interest WHERE tag_id = ?1)
            """, arguments: [f]) ?? 0
        let overlap = try Int.fetchOne(db, sql: """
            SELECT (SELECT count(*) FROM entry_tag a JOIN entry_tag b ON b.entry = a.entry AND b.tag_id = ?2 WHERE a.tag_id = ?1)
                 + (SELECT count(*) FROM (SELECT member_id FROM member_skill WHERE tag_id = ?1 UNION SELECT member_id FROM member_interest WHERE tag_id = ?1)
                    WHERE member_id IN (SELECT member_id FROM member_skill WHERE tag_id = ?2 UNION SELECT member_id FROM member_interest WHERE tag_id = ?2))
            """, arguments: [f, i]) ?? 0
        let aliases = try String.fetchAll(db, sql: "SELECT alias FROM tag_alias WHERE tag_id = ? ORDER BY alias", arguments: [f])
        return TagMergePlan(from: fromName, into: intoName, entries: entries, members: members, overlap: overlap, aliases: aliases)
    }

    /// Moves every use of FROM to INTO; FROM and its aliases become aliases of INTO.
    @discardableResult
    public func mergeTag(_ from: String, into: String, as acting: Acting) throws -> TagMergePlan {
        try change(.tagMerge, as: acting, target: { _ in Target(ref: from) }) { db, note in
            let plan = try Self.tagMergePlan(db, from, into)
            let f = try Self.ownTag(db, from), i = try Self.tagID(db, into, create: false)!
            try Self.executeEach(db, """
                INSERT OR IGNORE INTO entry_tag(entry, tag_id) SELECT entry, ?2 FROM entry_tag WHERE tag_id = ?1;
                DELETE FROM entry_tag WHERE tag_id = ?1;
                INSERT OR IGNORE INTO member_interest(member_id, tag_id) SELECT member_id, ?2 FROM member_interest WHERE tag_id = ?1;
                DELETE FROM member_interest WHERE tag_id = ?1;
                INSERT OR IGNORE INTO endorsement(endorser_id, member_id, tag_id, created)
                    SELECT endorser_id, member_id, ?2, created FROM endorsement WHERE tag_id = ?1;
                DELETE FROM endorsement WHERE tag_id = ?1;
                UPDATE tag_alias SET tag_id = ?2 WHERE tag_id = ?1;
                """, [f, i])
            for row in try Row.fetchAll(db, sql: "SELECT member_id, level FROM member_skill WHERE tag_id = ?", arguments: [f]) {
                try Self.mergeSkill(db, member: row["member_id"], tag: i, level: SkillLevel(rawValue: row["level"]) ?? .learning)
            }
            try Self.executeEach(db, """
                DELETE FROM member_skill WHERE tag_id = ?1;
                UPDATE tag SET description = (SELECT description FROM tag WHERE id = ?1) WHERE id = ?2 AND description IS NULL
                    AND (SELECT description FROM tag WHERE id = ?1) IS NOT NULL;
                DELETE FROM tag WHERE id = ?1;
                INSERT INTO tag_alias(alias, tag_id) VALUES (?3, ?2);
                """, [f, i, plan.from])
            note.summary = ChangeNotes.mergedTag(plan.from, into: plan.into)
            return plan
        }
    }

    /// Gives a member a skill at a level, keeping the higher level when they already have it.
    static func mergeSkill(_ db: Database, member: Int64, tag: Int64, level: SkillLevel) throws {
        if let existing = try String.fetchOne(db, sql: "SELECT level FROM member_skill WHERE member_id = ? AND tag_id = ?", arguments: [member, tag]) {
            if let e = SkillLevel(rawValue: existing), e >= level { return }
            try db.execute(sql: "UPDATE member_skill SET level = ? WHERE member_id = ? AND tag_id = ?", arguments: [level.rawValue, member, tag])
        } else {
            try db.execute(sql: "INSERT INTO member_skill(member_id, tag_id, level) VALUES (?, ?, ?)", arguments: [member, tag, level.rawValue])
        }
    }

    /// Adds and removes aliases of a tag; returns the tag after.
    public func changeAliases(_ tag: String, add: [String], remove: [String], as acting: Acting) throws -> Tag {
        let adding = try add.map(Validation.tag), removing = try remove.map(Validation.tag)
        return try change(.tagAlias, as: acting, target: { _ in Target(ref: tag) }) { db, note in
            let id = try Self.ownTag(db, tag)
            let name = try String.fetchOne(db, sql: "SELECT name FROM tag WHERE id = ?", arguments: [id])!
            for a in removing {
                try db.execute(sql: "DELETE FROM tag_alias WHERE alias = ? AND tag_id = ?", arguments: [a, id])
                if db.changesCount == 0 { throw KnowHowError.conflict("'\(a)' is not an alias of '\(name)'; nothing was changed") }
            }
            for a in adding {
                if try Int64.fetchOne(db, sql: "SELECT 1 FROM tag_alias WHERE alias = ? AND tag_id = ?", arguments: [a, id]) != nil { continue }
                try Self.requireFreeTagName(db, a, for: "an alias of '\(name)'")
                try db.execute(sql: "INSERT INTO tag_alias(alias, tag_id) VALUES (?, ?)", arguments: [a, id])
            }
            note.summary = ChangeNotes.aliases(of: name, adding: adding, removing: removing)
            return try Self.tagDetail(db, id: id).tag
        }
    }

    public func describeTag(_ tag: String, _ text: String?, as acting: Acting) throws {
        try change(.tagDescribe, as: acting, target: { _ in Target(ref: tag) }) { db, note in
            let id = try Self.ownTag(db, tag)
            try db.execute(sql: "UPDATE tag SET description = ? WHERE id = ?",
                           arguments: [try Validation.text(text, field: "tag description", limit: Validation.Limit.summary), id])
            note.summary = ChangeNotes.describedTag(try String.fetchOne(db, sql: "SELECT name FROM tag WHERE id = ?", arguments: [id])!)
        }
    }

    // MARK: - Verification

    /// Marks a practice verified by the acting member, to be reviewed by `reviewBy` (a year on by default).
    public func verify(_ id: EntryID, reviewBy: Day?, as acting: Acting) throws -> Practice {
        return try change(.verify, as: acting, target: { db in
            Target(ref: id.description, owner: try Self.owner(db, id), expertTags: try Self.entryTagIDs(db, id))
        }) { db, note in
            let (n, review) = try PracticeRules.verification(of: id, reviewBy: reviewBy, today: note.now.day, requireOwn: { try Self.requireOwn(db, $0) }) {
                try String.fetchOne(db, sql: "SELECT status FROM practice WHERE id = ?", arguments: [$0]).flatMap(PracticeStatus.init)
            }
            let verifier = try acting.actor.handle.map { try Self.memberID(db, $0) }
            let now = note.now.description
            try db.execute(sql: "UPDATE practice SET status = 'verified', verified_by_id = ?, verified_at = ?, review_by = ?, updated = ? WHERE id = ?",
                           arguments: [verifier, now, review.description, now, n])
            note.summary = PracticeRules.verifiedNote(id, review: review)
            return try Self.loadPractice(db, number: n)
        }
    }

    /// Retires a practice, optionally naming the one that replaces it.
    public func retire(_ id: EntryID, supersededBy: EntryID?, as acting: Acting) throws -> Practice {
        try change(.retire, as: acting, target: { db in Target(ref: id.description, owner: try Self.owner(db, id)) }) { db, note in
            let (n, successor) = try PracticeRules.retirement(of: id, supersededBy: supersededBy, requireOwn: { try Self.requireOwn(db, $0) },
                                                              require: { try Self.require(db, $0) })
            try db.execute(sql: "UPDATE practice SET status = 'retired', updated = ? WHERE id = ?", arguments: [note.now.description, n])
            if let successor {
                try db.execute(sql: """
                    INSERT INTO practice_successor(practice_id, successor_id) VALUES (?, ?)
                    ON CONFLICT DO UPDATE SET successor_id = excluded.successor_id
                    """, arguments: [n, successor])
            }
            note.summary = PracticeRules.retiredNote(id, successor: successor)
            return try Self.loadPractice(db, number: n)
        }
    }

    /// The practice that replaced a retired one.
    public func successor(of id: EntryID) throws -> EntryID? {
        try read { db in
            let n = try Self.require(db, id)
            return try Int64.fetchOne(db, sql: "SELECT successor_id FROM practice_successor WHERE practice_id = ?", arguments: [n])
                .map { EntryID(.practice, $0) }
        }
    }

    /// Practices not retired whose review date is past or within `days` of `today`, soonest first.
    public func dueForReview(within days: Int, today: Day) throws -> [Practice] {
        let horizon = Day(today.date.addingTimeInterval(Double(days) * 86_400))
        return try read { db in
            try Int64.fetchAll(db, sql: """
                SELECT id FROM practice WHERE status <> 'retired' AND review_by IS NOT NULL AND review_by <= ? ORDER BY review_by, id
                """, arguments: [horizon.description]).map { try Self.loadPractice(db, number: $0) }
        }
    }

    // MARK: - Similar entries and duplicates

    /// Existing entries like a draft: same address, same email, or close title and summary.
    public func similar(to draft: Draft, limit: Int) throws -> [SimilarEntry] {
        try Validation.checkLengths(draft)
        return try read { db in
            var found: [EntryRef: SimilarEntry] = [:]
            func add(_ ref: EntryRef, _ title: String, _ why: String, _ score: Double) {
                if let e = found[ref], e.score >= score { return }
                found[ref] = SimilarEntry(ref: ref, title: title, why: why, score: score)
            }
            if draft.type == .resource, let url = Validation.text(draft.url) {
                let key = Similarity.urlKey(url)
                let host = String(key.prefix { $0 != "/" && $0 != "?" })
                for r in try Row.fetchAll(db, sql: "SELECT id, title, url FROM resource WHERE url LIKE ?", arguments: ["%" + host + "%"])
                where Similarity.urlKey(r["url"]) == key {
                    add(.entry(EntryID(.resource, r["id"])), r["title"], Similarity.sameAddress, 1)
                }
            }
            if draft.type == .member {
                for r in try Row.fetchAll(db, sql: "SELECT handle, name, email FROM member WHERE lower(email) = lower(?) OR name = ?",
                                          arguments: [Validation.text(draft.email), draft.title]) {
                    let sameEmail = (r["email"] as String?)?.lowercased() == draft.email?.lowercased() && draft.email != nil
                    add(.member(r["handle"]), r["name"], sameEmail ? Similarity.sameEmail : Similarity.sameName, 1)
                }
                // Names written differently: Kim Lee, kim-lee, KimLee.
                let words = Similarity.words(draft.title)
                if !words.isEmpty {
                    let match = words.map(FTS5Query.quote).joined(separator: " OR ")
                    for r in try Row.fetchAll(db, sql: """
                        SELECT m.handle, m.name FROM entry_fts f JOIN member m ON f.rowid = (m.id << 3 | 1)
                        WHERE entry_fts MATCH ? AND (f.rowid & 7) = 1 ORDER BY \(Self.rankSQL) LIMIT 20
                        """, arguments: [match]) {
                        let h: String = r["handle"], name: String = r["name"]
                        if let like = Similarity.memberLikeness(name: name, handle: h, to: draft) { add(.member(h), name, like.why, like.score) }
                    }
                }
            } else {
                let words = Similarity.words(draft.title)
                let code = EntryKey.code(draft.type)
                if !words.isEmpty {
                    let match = Array(Set(words)).sorted().map(FTS5Query.quote).joined(separator: " OR ")
                    let rows = try Row.fetchAll(db, sql: """
                        SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? AND (rowid & 7) = ?
                        ORDER BY \(Self.rankSQL) LIMIT 25
                        """, arguments: [match, code])
                    let draftTags = Set(try draft.tags.compactMap { t in
                        try Self.tagID(db, t, create: false).flatMap { try String.fetchOne(db, sql: "SELECT name FROM tag WHERE id = ?", arguments: [$0]) }
                    })
                    for r in rows {
                        let key: Int64 = r["rowid"]
                        guard let doc = try Self.document(db, key: key) else { continue }
                        let title = doc.title, summary: String? = doc.summary
                        let ref = EntryRef.entry(EntryID(draft.type, EntryKey.number(key)))
                        let sharesTag = !draftTags.isDisjoint(with: try Self.entryTags(db, key: key))
                        if let like = Similarity.entryLikeness(title: title, summary: summary, to: draft, sharesTag: sharesTag) {
                            add(ref, title, like.why, like.score)
                        }
                    }
                }
            }
            return found.values.sorted { ($0.score, $1.ref.description) > ($1.score, $0.ref.description) }.prefix(limit).map { $0 }
        }
    }

    /// Likely duplicate pairs for a curator to review: resources at the same address, resources and
    /// practices with near-identical titles, members with the same email or name.
    public func duplicates(limit: Int) throws -> [DuplicatePair] {
        try read { db in
            var facts = DuplicateFinder.Facts(notDuplicates: [], addresses: [], titled: [:], people: [])
            facts.notDuplicates = try Row.fetchAll(db, sql: "SELECT a, b FROM not_duplicate").map { ($0["a"], $0["b"]) }
            facts.addresses = try Row.fetchAll(db, sql: "SELECT id, title, url FROM resource WHERE url IS NOT NULL ORDER BY id").map {
                (number: $0["id"], title: $0["title"], url: $0["url"])
            }
            for type in [EntryType.resource, .practice] {
                facts.titled[type] = try Row.fetchAll(db, sql: "SELECT id, title FROM \(EntryKey.table(type)) ORDER BY id").map {
                    DuplicateFinder.Titled(number: $0["id"], title: $0["title"])
                }
            }
            facts.people = try Row.fetchAll(db, sql: "SELECT id, handle, name, email, source_id FROM member ORDER BY id").map {
                DuplicateFinder.Person(id: $0["id"], handle: $0["handle"], name: $0["name"], email: $0["email"],
                                       imported: ($0["source_id"] as String?) != nil)
            }
            return try DuplicateFinder.pairs(facts, limit: limit) { type, n, words in
                let key = EntryKey.make(type, n)
                return try Int64.fetchAll(db, sql: """
                    SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? AND (rowid & 7) = ? AND rowid <> ?
                    AND rowid IN (SELECT entry FROM entry_tag WHERE tag_id IN (SELECT tag_id FROM entry_tag WHERE entry = ?))
                    ORDER BY \(Self.rankSQL) LIMIT 5
                    """, arguments: [words.map(FTS5Query.quote).joined(separator: " OR "), EntryKey.code(type), key, key]).map(EntryKey.number)
            }
        }
    }

    public func markNotDuplicates(_ a: EntryRef, _ b: EntryRef, as acting: Acting) throws {
        let (x, y) = DuplicateFinder.pairKey(a, b)
        try change(.notDuplicates, as: acting, target: { _ in Target(ref: "\(x) and \(y)") }) { db, note in
            note.keys.formUnion(try DuplicateFinder.notDuplicatesKeys(a, b) { try Self.ownKey(db, $0) })
            try db.execute(sql: "INSERT OR IGNORE INTO not_duplicate(a, b) VALUES (?, ?)", arguments: [x, y])
            if db.changesCount == 0 { throw DuplicateFinder.alreadyNotDuplicates(x, y) }
            note.summary = DuplicateFinder.notDuplicatesNote(x, y)
        }
    }

    // MARK: - Merging duplicates

    public func mergePlan(keep: EntryRef, drop: EntryRef) throws -> MergePlan {
        try read { db in try Self.mergeDraft(db, keep, drop).plan }
    }

    /// Merges DROP into KEEP: every reference moves to KEEP, DROP is deleted and its id points to KEEP.
    @discardableResult
    public func merge(keep: EntryRef, drop: EntryRef, as acting: Acting) throws -> MergePlan {
        try change(.merge, as: acting, target: { _ in Target(ref: "\(drop) into \(keep)") }) { db, note in
            let draft = try Self.mergeDraft(db, keep, drop)
            switch draft.merged {
            case .resource(let k, let d, let m): try Self.mergeResources(db, k, d, m, note.now)
            case .practice(let k, let d, let m): try Self.mergePractices(db, k, d, m, note.now)
            case .member(let k, let d, let m): try Self.mergeMembers(db, k, d, m)
            }
            try db.execute(sql: "UPDATE redirect SET new = ? WHERE new = ?", arguments: [keep.description, drop.description])
            try db.execute(sql: "INSERT INTO redirect(old, new) VALUES (?, ?)", arguments: [drop.description, keep.description])
            note.summary = MergeRules.note(keep: keep, drop: drop)
            return draft.plan
        }
    }

    /// What a merge will keep, as a plan to show and as the merged record to write (the rules
    /// are the core's, `MergeRules`; the store reads the records and counts what moves).
    static func mergeDraft(_ db: Database, _ keep: EntryRef, _ drop: EntryRef) throws -> (plan: MergePlan, merged: MergeRules.Merged) {
        try MergeRules.draft(keep: keep, drop: drop, MergeReader(db: db))
    }

    struct MergeReader: MergeRules.Reading {
        let db: Database
        func requireOwn(_ id: EntryID) throws -> Int64 { try SQLiteKnowledgeStore.requireOwn(db, id) }
        func requireOwnMember(_ handle: String) throws -> Int64 { try SQLiteKnowledgeStore.requireOwnMember(db, handle) }
        func resource(_ number: Int64) throws -> Resource { try SQLiteKnowledgeStore.loadResource(db, number: number) }
        func practice(_ number: Int64) throws -> Practice { try SQLiteKnowledgeStore.loadPractice(db, number: number) }
        func member(_ id: Int64) throws -> Member { try SQLiteKnowledgeStore.loadMember(db, id: id) }
        func count(_ reference: MergeRules.Reference, to id: Int64) throws -> Int {
            let (table, column) = reference.column
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table) WHERE \(column) = ?", arguments: [id]) ?? 0
        }
    }

    static func mergeResources(_ db: Database, _ k: Int64, _ d: Int64, _ m: Resource, _ now: Timestamp) throws {
        let kk = EntryKey.make(.resource, k), dk = EntryKey.make(.resource, d)
        try db.execute(sql: "UPDATE resource SET url = ?, summary = ?, body = ?, contributor_id = ?, updated = ? WHERE id = ?",
                       arguments: [m.url, m.summary, m.body, try optionalMemberID(db, m.contributor), now.description, k])
        try Self.executeEach(db, """
            INSERT OR IGNORE INTO resource_author(resource_id, member_id) SELECT ?2, member_id FROM resource_author WHERE resource_id = ?1;
            DELETE FROM resource_author WHERE resource_id = ?1;
            INSERT OR IGNORE INTO entry_tag(entry, tag_id) SELECT ?4, tag_id FROM entry_tag WHERE entry = ?3;
            DELETE FROM entry_tag WHERE entry = ?3;
            """, [d, k, dk, kk])
        try moveOtherReferences(db, table: "resource", from: d, to: k, handled: ["resource_author.resource_id"])
        try db.execute(sql: "DELETE FROM resource WHERE id = ?", arguments: [d])
    }

    static func mergePractices(_ db: Database, _ k: Int64, _ d: Int64, _ m: Practice, _ now: Timestamp) throws {
        let kk = EntryKey.make(.practice, k), dk = EntryKey.make(.practice, d)
        try db.execute(sql: """
            UPDATE practice SET context = ?, practice = ?, evidence = ?, contributor_id = ?, status = ?, verified_by_id = ?,
                   verified_at = ?, review_by = ?, updated = ? WHERE id = ?
            """, arguments: [m.context, m.practice, m.evidence, try optionalMemberID(db, m.contributor), m.status.rawValue,
                             try optionalMemberID(db, m.verifiedBy), m.verifiedAt?.description, m.reviewBy?.description,
                             now.description, k])
        try Self.executeEach(db, """
            INSERT OR IGNORE INTO entry_tag(entry, tag_id) SELECT ?2, tag_id FROM entry_tag WHERE entry = ?1;
            DELETE FROM entry_tag WHERE entry = ?1;
            DELETE FROM practice_successor WHERE practice_id = ?4 AND successor_id = ?3;
            UPDATE practice_successor SET successor_id = ?4 WHERE successor_id = ?3 AND practice_id <> ?4;
            DELETE FROM practice_successor WHERE successor_id = ?3;
            INSERT OR IGNORE INTO practice_successor(practice_id, successor_id)
                SELECT ?4, successor_id FROM practice_successor WHERE practice_id = ?3 AND successor_id <> ?4;
            DELETE FROM practice_successor WHERE practice_id = ?3;
            """, [dk, kk, d, k])
        try moveOtherReferences(db, table: "practice", from: d, to: k, handled: ["practice_successor.practice_id", "practice_successor.successor_id"])
        try db.execute(sql: "DELETE FROM practice WHERE id = ?", arguments: [d])
    }

    static func mergeMembers(_ db: Database, _ k: Int64, _ d: Int64, _ m: Member) throws {
        // The dropped member's source id moves, and must leave first (it is unique).
        try db.execute(sql: "UPDATE member SET source_id = NULL WHERE id = ? AND source_id IS NOT NULL", arguments: [d])
        try db.execute(sql: """
            UPDATE member SET email = ?, organisation = ?, sector = ?, location = ?, time_zone = ?, bio = ?, role = ?,
                   mentoring = ?, joined = ?, source_id = ? WHERE id = ?
            """, arguments: [m.email, m.organisation, m.sector, m.location, m.timeZone, m.bio, m.role.rawValue,
                             m.mentoring, m.joined?.description, m.sourceId, k])
        for row in try Row.fetchAll(db, sql: "SELECT tag_id, level FROM member_skill WHERE member_id = ?", arguments: [d]) {
            try mergeSkill(db, member: k, tag: row["tag_id"], level: SkillLevel(rawValue: row["level"]) ?? .learning)
        }
        try Self.executeEach(db, """
            DELETE FROM member_skill WHERE member_id = ?1;
            INSERT OR IGNORE INTO member_interest(member_id, tag_id) SELECT ?2, tag_id FROM member_interest WHERE member_id = ?1;
            DELETE FROM member_interest WHERE member_id = ?1;
            INSERT OR IGNORE INTO endorsement(endorser_id, member_id, tag_id, created)
                SELECT endorser_id, ?2, tag_id, created FROM endorsement WHERE member_id = ?1 AND endorser_id <> ?2;
            INSERT OR IGNORE INTO endorsement(endorser_id, member_id, tag_id, created)
                SELECT ?2, member_id, tag_id, created FROM endorsement WHERE endorser_id = ?1 AND member_id <> ?2;
            DELETE FROM endorsement WHERE member_id = ?1 OR endorser_id = ?1;
            INSERT OR IGNORE INTO resource_author(resource_id, member_id) SELECT resource_id, ?2 FROM resource_author WHERE member_id = ?1;
            DELETE FROM resource_author WHERE member_id = ?1;
            UPDATE resource SET contributor_id = ?2 WHERE contributor_id = ?1;
            UPDATE practice SET contributor_id = ?2 WHERE contributor_id = ?1;
            UPDATE practice SET verified_by_id = ?2 WHERE verified_by_id = ?1;
            UPDATE question SET asker_id = ?2 WHERE asker_id = ?1;
            UPDATE answer SET author_id = ?2 WHERE author_id = ?1;
            """, [d, k])
        try moveOtherReferences(db, table: "member", from: d, to: k, handled: [
            "member_skill.member_id", "member_interest.member_id", "endorsement.member_id", "endorsement.endorser_id",
            "resource_author.member_id", "resource.contributor_id", "practice.contributor_id", "practice.verified_by_id",
            "question.asker_id", "answer.author_id",
        ])
        try db.execute(sql: "DELETE FROM member WHERE id = ?", arguments: [d])
    }

    /// Moves references from tables this file does not know (added by later features) by their foreign keys.
    static func moveOtherReferences(_ db: Database, table: String, from d: Int64, to k: Int64, handled: Set<String>) throws {
        for ref in try foreignKeys(db)[table] ?? [] where !handled.contains(ref.table + "." + ref.from) {
            try db.execute(sql: "UPDATE OR IGNORE \(quoted(ref.table)) SET \(quoted(ref.from)) = ? WHERE \(quoted(ref.from)) = ?", arguments: [k, d])
        }
    }
}
