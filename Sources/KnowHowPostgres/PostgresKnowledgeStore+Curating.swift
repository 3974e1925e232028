import Foundation
import KnowHowCore

/// The curators' writes, as the SQLite store makes them (SQLiteKnowledgeStore+Curation.swift),
/// each one change through `change` (one transaction, checked, recorded in history, undoable):
/// pairs that are not duplicates, tag renames, merges, aliases and descriptions, merges of
/// entries and members with redirects, verification and retirement. The search-logging setting
/// is a store setting, outside history, as in the SQLite store.
extension PostgresKnowledgeStore: KnowledgeCurating {
    // MARK: - Duplicates

    public func markNotDuplicates(_ a: EntryRef, _ b: EntryRef, as acting: Acting) throws {
        let (x, y) = DuplicateFinder.pairKey(a, b)
        try change(.notDuplicates, as: acting, target: { _ in Target(ref: "\(x) and \(y)") }) { c, note in
            note.keys.formUnion(try DuplicateFinder.notDuplicatesKeys(a, b) { try Self.ownKey(c, $0) })
            if try c.execute("INSERT INTO knowhow.not_duplicate(a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING", [x, y]) == 0 {
                throw DuplicateFinder.alreadyNotDuplicates(x, y)
            }
            note.summary = DuplicateFinder.notDuplicatesNote(x, y)
        }
    }

    // MARK: - Tags

    /// Refuses a name that is already a tag or an alias.
    static func requireFreeTagName(_ c: PGConnection, _ name: String, for purpose: String) throws {
        if try c.query("SELECT 1 FROM knowhow.tag WHERE name = $1", [name]).first != nil {
            throw KnowHowError.duplicate("'\(name)' is already a tag, so it cannot be \(purpose); to combine the two, use `tag merge`")
        }
        if let owner: String = try c.query("""
            SELECT t.name FROM knowhow.tag_alias a JOIN knowhow.tag t ON t.id = a.tag_id WHERE a.alias = $1
            """, [name]).first?.get("name") {
            throw KnowHowError.duplicate("'\(name)' is already an alias of '\(owner)', so it cannot be \(purpose)")
        }
    }

    static func tagNameOf(_ c: PGConnection, _ id: Int64) throws -> String {
        try c.query("SELECT name FROM knowhow.tag WHERE id = $1", [id]).first!.require("name")
    }

    public func renameTag(_ old: String, to new: String, as acting: Acting) throws {
        let newName = try Validation.tag(new)
        try change(.tagRename, as: acting, target: { _ in Target(ref: old) }) { c, note in
            let id = try Self.ownTag(c, old)
            let oldName = try Self.tagNameOf(c, id)
            guard oldName != newName else { note.discard = true; return }
            // Renaming to one of its own aliases swaps them.
            if try c.execute("DELETE FROM knowhow.tag_alias WHERE alias = $1 AND tag_id = $2", [newName, id]) == 0 {
                try Self.requireFreeTagName(c, newName, for: "a new name for '\(oldName)'")
            }
            try c.execute("UPDATE knowhow.tag SET name = $1 WHERE id = $2", [newName, id])
            note.summary = ChangeNotes.renamedTag(oldName, to: newName)
        }
    }

    /// Moves every use of FROM to INTO; FROM and its aliases become aliases of INTO.
    @discardableResult
    public func mergeTag(_ from: String, into: String, as acting: Acting) throws -> TagMergePlan {
        try change(.tagMerge, as: acting, target: { _ in Target(ref: from) }) { c, note in
            let plan = try Self.tagMergePlan(c, from, into)
            let f = try Self.ownTag(c, from), i = try Self.tagID(c, (try? Validation.tag(into)) ?? into)!
            for sql in [
                "INSERT INTO knowhow.entry_tag(entry, tag_id) SELECT entry, $2 FROM knowhow.entry_tag WHERE tag_id = $1 ON CONFLICT DO NOTHING",
                "DELETE FROM knowhow.entry_tag WHERE tag_id = $1",
                "INSERT INTO knowhow.member_interest(member_id, tag_id) SELECT member_id, $2 FROM knowhow.member_interest WHERE tag_id = $1 ON CONFLICT DO NOTHING",
                "DELETE FROM knowhow.member_interest WHERE tag_id = $1",
                """
                INSERT INTO knowhow.endorsement(endorser_id, member_id, tag_id, created)
                SELECT endorser_id, member_id, $2, created FROM knowhow.endorsement WHERE tag_id = $1 ON CONFLICT DO NOTHING
                """,
                "DELETE FROM knowhow.endorsement WHERE tag_id = $1",
                "UPDATE knowhow.tag_alias SET tag_id = $2 WHERE tag_id = $1",
            ] { try Self.execute(c, sql, [f, i]) }
            for r in try c.query("SELECT member_id, level FROM knowhow.member_skill WHERE tag_id = $1 ORDER BY member_id", [f]).rows {
                try Self.mergeSkill(c, member: try r.require("member_id"), tag: i, level: SkillLevel(rawValue: try r.require("level")) ?? .learning)
            }
            try c.execute("DELETE FROM knowhow.member_skill WHERE tag_id = $1", [f])
            try c.execute("""
                UPDATE knowhow.tag SET description = (SELECT description FROM knowhow.tag WHERE id = $1)
                WHERE id = $2 AND description IS NULL AND (SELECT description FROM knowhow.tag WHERE id = $1) IS NOT NULL
                """, [f, i])
            try c.execute("DELETE FROM knowhow.tag WHERE id = $1", [f])
            try c.execute("INSERT INTO knowhow.tag_alias(alias, tag_id) VALUES ($1, $2)", [plan.from, i])
            note.summary = ChangeNotes.mergedTag(plan.from, into: plan.into)
            return plan
        }
    }

    /// Gives a member a skill at a level, keeping the higher level when they already have it.
    static func mergeSkill(_ c: PGConnection, member: Int64, tag: Int64, level: SkillLevel) throws {
        if let existing: String = try c.query("SELECT level FROM knowhow.member_skill WHERE member_id = $1 AND tag_id = $2", [member, tag]).first?.get("level") {
            if let e = SkillLevel(rawValue: existing), e >= level { return }
            try c.execute("UPDATE knowhow.member_skill SET level = $1 WHERE member_id = $2 AND tag_id = $3", [level.rawValue, member, tag])
        } else {
            try c.execute("INSERT INTO knowhow.member_skill(member_id, tag_id, level) VALUES ($1, $2, $3)", [member, tag, level.rawValue])
        }
    }

    /// Adds and removes aliases of a tag; returns the tag after.
    public func changeAliases(_ tag: String, add: [String], remove: [String], as acting: Acting) throws -> Tag {
        let adding = try add.map(Validation.tag), removing = try remove.map(Validation.tag)
        return try change(.tagAlias, as: acting, target: { _ in Target(ref: tag) }) { c, note in
            let id = try Self.ownTag(c, tag)
            let name = try Self.tagNameOf(c, id)
            for a in removing where try c.execute("DELETE FROM knowhow.tag_alias WHERE alias = $1 AND tag_id = $2", [a, id]) == 0 {
                throw KnowHowError.conflict("'\(a)' is not an alias of '\(name)'; nothing was changed")
            }
            for a in adding {
                if try c.query("SELECT 1 FROM knowhow.tag_alias WHERE alias = $1 AND tag_id = $2", [a, id]).first != nil { continue }
                try Self.requireFreeTagName(c, a, for: "an alias of '\(name)'")
                try c.execute("INSERT INTO knowhow.tag_alias(alias, tag_id) VALUES ($1, $2)", [a, id])
            }
            note.summary = ChangeNotes.aliases(of: name, adding: adding, removing: removing)
            return try Self.tagDetail(c, id: id).tag
        }
    }

    public func describeTag(_ tag: String, _ text: String?, as acting: Acting) throws {
        try change(.tagDescribe, as: acting, target: { _ in Target(ref: tag) }) { c, note in
            let id = try Self.ownTag(c, tag)
            try c.execute("UPDATE knowhow.tag SET description = $1 WHERE id = $2",
                          [try Validation.text(text, field: "tag description", limit: Validation.Limit.summary), id])
            note.summary = ChangeNotes.describedTag(try Self.tagNameOf(c, id))
        }
    }

    // MARK: - Merging duplicates

    /// Merges DROP into KEEP: every reference moves to KEEP, DROP is deleted and its id points to KEEP.
    @discardableResult
    public func merge(keep: EntryRef, drop: EntryRef, as acting: Acting) throws -> MergePlan {
        try change(.merge, as: acting, target: { _ in Target(ref: "\(drop) into \(keep)") }) { c, note in
            let draft = try Self.mergeDraft(c, keep, drop)
            switch draft.merged {
            case .resource(let k, let d, let m): try Self.mergeResources(c, k, d, m, note.now)
            case .practice(let k, let d, let m): try Self.mergePractices(c, k, d, m, note.now)
            case .member(let k, let d, let m): try Self.mergeMembers(c, k, d, m)
            }
            try c.execute("UPDATE knowhow.redirect SET new = $1 WHERE new = $2", [keep.description, drop.description])
            try c.execute("INSERT INTO knowhow.redirect(old, new) VALUES ($1, $2)", [drop.description, keep.description])
            note.summary = MergeRules.note(keep: keep, drop: drop)
            return draft.plan
        }
    }

    static func mergeResources(_ c: PGConnection, _ k: Int64, _ d: Int64, _ m: Resource, _ now: Timestamp) throws {
        let kk = EntryKeys.make(.resource, k), dk = EntryKeys.make(.resource, d)
        try c.execute("UPDATE knowhow.resource SET url = $1, summary = $2, body = $3, contributor_id = $4, updated = $5 WHERE id = $6",
                      [m.url, m.summary, m.body, try optionalMemberID(c, m.contributor), now.description, k])
        try c.execute("""
            INSERT INTO knowhow.resource_author(resource_id, member_id) SELECT $2, member_id FROM knowhow.resource_author WHERE resource_id = $1
            ON CONFLICT DO NOTHING
            """, [d, k])
        try c.execute("DELETE FROM knowhow.resource_author WHERE resource_id = $1", [d])
        try moveTags(c, from: dk, to: kk)
        try moveOtherReferences(c, table: "resource", from: d, to: k, handled: ["resource_author.resource_id"])
        try c.execute("DELETE FROM knowhow.resource WHERE id = $1", [d])
    }

    static func mergePractices(_ c: PGConnection, _ k: Int64, _ d: Int64, _ m: Practice, _ now: Timestamp) throws {
        let kk = EntryKeys.make(.practice, k), dk = EntryKeys.make(.practice, d)
        try c.execute("""
            UPDATE knowhow.practice SET context = $1, practice = $2, evidence = $3, contributor_id = $4, status = $5, verified_by_id = $6,
                   verified_at = $7, review_by = $8, updated = $9 WHERE id = $10
            """, [m.context, m.practice, m.evidence, try optionalMemberID(c, m.contributor), m.status.rawValue,
                  try optionalMemberID(c, m.verifiedBy), m.verifiedAt?.description, m.reviewBy?.description, now.description, k])
        try moveTags(c, from: dk, to: kk)
        for sql in [
            "DELETE FROM knowhow.practice_successor WHERE practice_id = $2 AND successor_id = $1",
            "UPDATE knowhow.practice_successor SET successor_id = $2 WHERE successor_id = $1 AND practice_id <> $2",
            "DELETE FROM knowhow.practice_successor WHERE successor_id = $1",
            """
            INSERT INTO knowhow.practice_successor(practice_id, successor_id)
            SELECT $2, successor_id FROM knowhow.practice_successor WHERE practice_id = $1 AND successor_id <> $2 ON CONFLICT DO NOTHING
            """,
            "DELETE FROM knowhow.practice_successor WHERE practice_id = $1",
        ] { try execute(c, sql, [d, k]) }
        try moveOtherReferences(c, table: "practice", from: d, to: k, handled: ["practice_successor.practice_id", "practice_successor.successor_id"])
        try c.execute("DELETE FROM knowhow.practice WHERE id = $1", [d])
    }

    static func moveTags(_ c: PGConnection, from dk: Int64, to kk: Int64) throws {
        try c.execute("INSERT INTO knowhow.entry_tag(entry, tag_id) SELECT $2, tag_id FROM knowhow.entry_tag WHERE entry = $1 ON CONFLICT DO NOTHING", [dk, kk])
        try c.execute("DELETE FROM knowhow.entry_tag WHERE entry = $1", [dk])
    }

    static func mergeMembers(_ c: PGConnection, _ k: Int64, _ d: Int64, _ m: Member) throws {
        // The dropped member's source id moves, and must leave first (it is unique).
        try c.execute("UPDATE knowhow.member SET source_id = NULL WHERE id = $1 AND source_id IS NOT NULL", [d])
        try c.execute("""
            UPDATE knowhow.member SET email = $1, organisation = $2, sector = $3, location = $4, time_zone = $5, bio = $6, role = $7,
                   mentoring = $8, joined = $9, source_id = $10 WHERE id = $11
            """, [m.email, m.organisation, m.sector, m.location, m.timeZone, m.bio, m.role.rawValue,
                  m.mentoring, m.joined?.description, m.sourceId, k])
        for r in try c.query("SELECT tag_id, level FROM knowhow.member_skill WHERE member_id = $1 ORDER BY tag_id", [d]).rows {
            try mergeSkill(c, member: k, tag: try r.require("tag_id"), level: SkillLevel(rawValue: try r.require("level")) ?? .learning)
        }
        for sql in [
            "DELETE FROM knowhow.member_skill WHERE member_id = $1",
            "INSERT INTO knowhow.member_interest(member_id, tag_id) SELECT $2, tag_id FROM knowhow.member_interest WHERE member_id = $1 ON CONFLICT DO NOTHING",
            "DELETE FROM knowhow.member_interest WHERE member_id = $1",
            """
            INSERT INTO knowhow.endorsement(endorser_id, member_id, tag_id, created)
            SELECT endorser_id, $2, tag_id, created FROM knowhow.endorsement WHERE member_id = $1 AND endorser_id <> $2 ON CONFLICT DO NOTHING
            """,
            """
            INSERT INTO knowhow.endorsement(endorser_id, member_id, tag_id, created)
            SELECT $2, member_id, tag_id, created FROM knowhow.endorsement WHERE endorser_id = $1 AND member_id <> $2 ON CONFLICT DO NOTHING
            """,
            "DELETE FROM knowhow.endorsement WHERE member_id = $1 OR endorser_id = $1",
            "INSERT INTO knowhow.resource_author(resource_id, member_id) SELECT resource_id, $2 FROM knowhow.resource_author WHERE member_id = $1 ON CONFLICT DO NOTHING",
            "DELETE FROM knowhow.resource_author WHERE member_id = $1",
            "UPDATE knowhow.resource SET contributor_id = $2 WHERE contributor_id = $1",
            "UPDATE knowhow.practice SET contributor_id = $2 WHERE contributor_id = $1",
            "UPDATE knowhow.practice SET verified_by_id = $2 WHERE verified_by_id = $1",
            "UPDATE knowhow.question SET asker_id = $2 WHERE asker_id = $1",
            "UPDATE knowhow.answer SET author_id = $2 WHERE author_id = $1",
            // As SQLite's UPDATE OR IGNORE: where both were at a meeting, the kept member's row stays
            // and the dropped one's goes with them.
            """
            UPDATE knowhow.meeting_person p SET member_id = $2 WHERE member_id = $1 AND NOT EXISTS (
                SELECT 1 FROM knowhow.meeting_person q WHERE q.meeting_id = p.meeting_id AND q.part = p.part AND q.member_id = $2)
            """,
        ] { try execute(c, sql, [d, k]) }
        try moveOtherReferences(c, table: "member", from: d, to: k, handled: [
            "member_skill.member_id", "member_interest.member_id", "endorsement.member_id", "endorsement.endorser_id",
            "resource_author.member_id", "resource.contributor_id", "practice.contributor_id", "practice.verified_by_id",
            "question.asker_id", "answer.author_id", "meeting_person.member_id",
        ])
        try c.execute("DELETE FROM knowhow.member WHERE id = $1", [d])
    }

    /// Moves references from tables this file does not know (added by later features, and the
    /// logins and the search log here) by their foreign keys; names come from the catalog.
    static func moveOtherReferences(_ c: PGConnection, table: String, from d: Int64, to k: Int64, handled: Set<String>) throws {
        for r in try c.query("""
            SELECT cl.relname::text AS tbl, a.attname::text AS col FROM pg_constraint con
            JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
            WHERE con.contype = 'f' AND cardinality(con.conkey) = 1 AND n.nspname = 'knowhow'
              AND con.confrelid = to_regclass('knowhow.' || $1) ORDER BY 1, 2
            """, [table]).rows {
            let t: String = try r.require("tbl"), col: String = try r.require("col")
            guard !handled.contains(t + "." + col) else { continue }
            try c.execute("UPDATE knowhow.\(quoted(t)) SET \(quoted(col)) = $1 WHERE \(quoted(col)) = $2", [k, d])
        }
    }

    /// Runs a statement with as many of `arguments` as it numbers (`$1`, `$2`…): the server
    /// refuses parameters a statement does not use.
    static func execute(_ c: PGConnection, _ sql: String, _ arguments: [PGBindable?]) throws {
        var used = 0
        var rest = Substring(sql)
        while let d = rest.firstIndex(of: "$") {
            rest = rest[rest.index(after: d)...]
            used = max(used, Int(rest.prefix { $0.isNumber }) ?? 0)
        }
        try c.execute(sql, Array(arguments.prefix(used)))
    }

    // MARK: - Verification and retirement

    /// Marks a practice verified by the acting member, to be reviewed by `reviewBy` (a year on by default).
    public func verify(_ id: EntryID, reviewBy: Day?, as acting: Acting) throws -> Practice {
        try change(.verify, as: acting, target: { c in
            Target(ref: id.description, owner: try Self.owner(c, id), expertTags: try Self.entryTagIDs(c, id))
        }) { c, note in
            let (n, review) = try PracticeRules.verification(of: id, reviewBy: reviewBy, today: note.now.day, requireOwn: { try Self.requireOwn(c, $0) }) {
                try c.query("SELECT status FROM knowhow.practice WHERE id = $1", [$0]).first?.get("status", as: String.self).flatMap(PracticeStatus.init)
            }
            let verifier = try acting.actor.handle.map { try Self.memberID(c, $0) }
            let now = note.now.description
            try c.execute("UPDATE knowhow.practice SET status = 'verified', verified_by_id = $1, verified_at = $2, review_by = $3, updated = $4 WHERE id = $5",
                          [verifier, now, review.description, now, n])
            note.summary = PracticeRules.verifiedNote(id, review: review)
            return try Self.loadPractice(c, number: n)
        }
    }

    /// Retires a practice, optionally naming the one that replaces it.
    public func retire(_ id: EntryID, supersededBy: EntryID?, as acting: Acting) throws -> Practice {
        try change(.retire, as: acting, target: { c in Target(ref: id.description, owner: try Self.owner(c, id)) }) { c, note in
            let (n, successor) = try PracticeRules.retirement(of: id, supersededBy: supersededBy, requireOwn: { try Self.requireOwn(c, $0) },
                                                              require: { try Self.require(c, $0) })
            try c.execute("UPDATE knowhow.practice SET status = 'retired', updated = $1 WHERE id = $2", [note.now.description, n])
            if let successor {
                try c.execute("""
                    INSERT INTO knowhow.practice_successor(practice_id, successor_id) VALUES ($1, $2)
                    ON CONFLICT (practice_id) DO UPDATE SET successor_id = excluded.successor_id
                    """, [n, successor])
            }
            note.summary = PracticeRules.retiredNote(id, successor: successor)
            return try Self.loadPractice(c, number: n)
        }
    }

    // MARK: - The search-logging setting

    /// Changes how searches are logged: curators only (and the system), in the login's own name.
    public func setSearchLogging(_ mode: SearchLogging, as acting: Acting) throws {
        try run { c in
            try c.transaction { c in
                try Self.requireCurator(c, acting.actor, doing: "Changing how searches are logged")
                try c.execute("""
                    INSERT INTO knowhow.store_setting(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """, [SearchLogging.settingKey, mode.rawValue])
            }
        }
    }

    /// Store settings are the curators': the system may change them, nobody unidentified may not,
    /// and a login acts for another member only when it may curate (as every change checks).
    static func requireCurator(_ c: PGConnection, _ acting: ActingAs, doing: String) throws {
        try Permissions.requireCurator(acting, doing: doing, login: { h in
            let login = try login(c)
            if let mine = login.handle, mine != h, !login.mayActForOthers {
                throw KnowHowError.actingAsOther(login: login.name, member: mine, asked: h)
            } else if login.handle == nil, !login.administers {
                throw KnowHowError.unmappedLogin(login: login.name)
            }
        }) {
            try c.query("SELECT role FROM knowhow.member WHERE handle = $1", [$0]).first?.get("role", as: String.self).flatMap(Role.init(rawValue:))
        }
    }
}
