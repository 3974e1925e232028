import Foundation
import KnowHowCore

/// The one door for changes, as in the SQLite store (SQLiteKnowledgeStore+History.swift): every
/// write checks the acting member against the permission table and the database login, runs in
/// one transaction, is recorded in history with the before- and after-image of every row it
/// touched (row triggers, see `PostgresSchema.v5History`), and reindexes the entries it touched.
///
/// Writers take one transaction-level advisory lock, so KnowHow's changes follow one another as
/// they do in SQLite: the optimistic edit check, the next entry number and undo's "nothing
/// changed since" all read a state no other change is altering. Serialization failures and
/// deadlocks (with writers outside KnowHow) run the whole change again (`PGConnection.transaction`).
extension PostgresKnowledgeStore {
    typealias Target = ChangeTarget

    /// What the body of a change tells history.
    struct ChangeNote {
        /// The number the change will have.
        var number: Int64
        /// The time the change is stamped with.
        var now: Timestamp
        var summary: String
        var undoes: Int64?
        /// Entry keys to list the change under besides those of the rows it touched.
        var keys: Set<Int64> = []
        /// True when the change turned out to change nothing worth a history line.
        var discard = false
        /// Earlier changes whose `undone_by` this one sets (an undo: its number; a redo: nil),
        /// once this change is recorded (history is append-only, so the row is written last).
        var marks: [(change: Int64, undoneBy: Int64?)] = []
        /// The login's own member when a curator acts for another member (`--as`): said in the summary.
        var madeBy: String?
    }

    /// The advisory lock every KnowHow change takes ('knowhow' + 1; the migration lock is 'knowhow').
    static let writeLockKey: Int64 = PostgresSchema.lockKey + 1

    /// Runs one change: authorise, record, run `body`, reindex what it touched, all in one
    /// transaction, run again from the start on a serialization failure or deadlock.
    /// `recordRows: false` keeps history short for bulk imports (which then cannot be undone).
    func change<T>(_ action: ChangeAction, as acting: Acting, recordRows: Bool = true,
                   target: (PGConnection) throws -> Target = { _ in Target() },
                   _ body: (PGConnection, inout ChangeNote) throws -> T) throws -> T {
        try run { c in
            try c.transaction { c in
                try c.query("SELECT pg_advisory_xact_lock($1)", [Self.writeLockKey])
                let t = try target(c)
                let (actor, madeBy) = try Self.authorize(c, action, t, acting: acting.actor)
                try Self.prepareRecording(c)
                let number: Int64 = try c.query("SELECT nextval(pg_get_serial_sequence('knowhow.change', 'id')) AS n").first!.require("n")
                var note = ChangeNote(number: number, now: acting.now, summary: action.rawValue, madeBy: madeBy)
                if recordRows { try c.query("SELECT set_config('knowhow.recording', 'on', true)") }
                let result = try body(c, &note)
                try Self.finishRecording(c, note, action: action, actor: actor, undoable: recordRows,
                                         keepIfEmpty: !recordRows && !note.discard)
                return result
            }
        }
    }

    // MARK: - Permissions

    public func authorize(_ action: ChangeAction, on ref: EntryRef?, as acting: Acting) throws {
        try run { c in
            let t = try Target.of(ref, action: action, actor: acting.actor.handle, owner: { try Self.owner(c, $0) },
                                  people: { try Self.loadMeeting(c, number: try Self.require(c, $0)).people },
                                  tags: { try Self.entryTagIDs(c, $0) })
            _ = try Self.authorize(c, action, t, acting: acting.actor)
        }
    }

    /// The ids of an entry's tags (whose experts may verify it).
    static func entryTagIDs(_ c: PGConnection, _ id: EntryID) throws -> [Int64] {
        try c.query("SELECT tag_id FROM knowhow.entry_tag WHERE entry = $1 ORDER BY tag_id",
                    [EntryKeys.make(id.type, try require(c, id))]).rows.map { try $0.require("tag_id") }
    }

    /// Who the database login is: the member mapped to it, whether it may act for others.
    struct Login {
        var name: String
        /// The handle mapped to the login in `member_login`, nil when none.
        var handle: String?
        /// Curators (and the store's owner or a superuser) may act for other members.
        var mayActForOthers: Bool
        /// The store's owner or a superuser: a login that administers the store, mapped or not.
        var administers: Bool
    }

    static func login(_ c: PGConnection) throws -> Login {
        let r = try c.query("""
            SELECT session_user::text AS login, knowhow.current_handle() AS handle, knowhow.may_curate() AS curates,
                   pg_has_role(session_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'knowhow'), 'MEMBER') AS administers
            """).first!
        return Login(name: try r.require("login"), handle: try r.get("handle"), mayActForOthers: try r.require("curates"),
                     administers: try r.require("administers"))
    }

    /// The one permission check: returns the handle to record as the change's author, and the
    /// login's own handle when a curator acts for someone else.
    static func authorize(_ c: PGConnection, _ action: ChangeAction, _ target: Target, acting: ActingAs) throws -> (String?, String?) {
        try Permissions.authorize(action, target, acting: acting, storeIsEmpty: {
            try c.query("SELECT NOT EXISTS (SELECT 1 FROM knowhow.member) AS e").first!.require("e", as: Bool.self)
        }, login: { handle, bootstrap in
            // On a shared store the database login is the identity: acting as another member is for curators.
            let login = try login(c)
            if let mine = login.handle, mine != handle {
                guard login.mayActForOthers else { throw KnowHowError.actingAsOther(login: login.name, member: mine, asked: handle) }
                return mine
            } else if login.handle == nil, !login.administers, !bootstrap {
                throw KnowHowError.unmappedLogin(login: login.name)
            }
            return nil
        }, member: { h in
            try c.query("SELECT id, role FROM knowhow.member WHERE handle = $1", [h]).first
                .map { (try $0.require("id"), Role(rawValue: try $0.require("role")) ?? .member) }
        }, verifier: { try authorizeVerifier(c, member: $0, handle: $1, role: $2, target) })
    }

    /// Verification needs a curator, or an expert in one of the practice's tags whose level someone
    /// else vouched for (set it, or endorsed it); never the practice's own contributor.
    static func authorizeVerifier(_ c: PGConnection, member: Int64, handle: String, role: Role, _ target: Target) throws {
        try PracticeRules.authorizeVerifier(handle: handle, role: role, target, expertIn: {
            try c.query("""
                SELECT tag_id FROM knowhow.member_skill WHERE member_id = $1 AND level = 'expert' AND tag_id = ANY ($2::bigint[]) ORDER BY tag_id
                """, [member, Self.array(target.expertTags)]).rows.map { try $0.require("tag_id") }
        }, vouched: { try expertLevelIsVouched(c, member: member, handle: handle, tag: $0) },
           tagName: { try c.query("SELECT name FROM knowhow.tag WHERE id = $1", [$0]).first?.get("name", as: String.self) })
    }

    /// True when someone other than the member stands behind their skill level in a tag: another
    /// member endorsed it, or the latest recorded change to it was not their own.
    static func expertLevelIsVouched(_ c: PGConnection, member: Int64, handle: String, tag: Int64) throws -> Bool {
        if try c.query("SELECT 1 FROM knowhow.endorsement WHERE member_id = $1 AND tag_id = $2 AND endorser_id <> $1 LIMIT 1",
                       [member, tag]).first != nil { return true }
        guard let setBy = try c.query("""
            SELECT c.actor FROM knowhow.change_row r JOIN knowhow.change c ON c.id = r.change_id
            WHERE r.tbl = 'member_skill' AND r.pk = $1 ORDER BY r.change_id DESC LIMIT 1
            """, ["[\(member),\(tag)]"]).first else { return true }
        return try setBy.get("actor", as: String.self) != handle
    }

    /// Who owns an entry: a resource's or practice's contributor, a question's asker, an answer's author.
    static func owner(_ c: PGConnection, _ id: EntryID) throws -> String? {
        guard id.type != .member else { return nil }
        let n = try require(c, id)
        return try c.query("SELECT m.handle FROM knowhow.member m WHERE m.id = knowhow.entry_owner($1)",
                           [EntryKeys.make(id.type, n)]).first?.get("handle")
    }

    // MARK: - Recording

    /// Makes (once per session) and empties the session's log table the row triggers write to.
    static func prepareRecording(_ c: PGConnection) throws {
        try c.executeScript("""
            CREATE TEMP TABLE IF NOT EXISTS knowhow_change_log (seq bigserial PRIMARY KEY, tbl text NOT NULL, oldpk text, newpk text, old text, new text);
            DELETE FROM pg_temp.knowhow_change_log;
            """)
    }

    /// The log of this transaction, folded into one image per row.
    static func collectRows(_ c: PGConnection) throws -> [HistoryRows.Image] {
        HistoryRows.fold(try c.query("SELECT tbl, oldpk, newpk, old, new FROM pg_temp.knowhow_change_log ORDER BY seq").rows.map {
            HistoryRows.Logged(table: try $0.require("tbl"), oldPK: try $0.get("oldpk"), newPK: try $0.get("newpk"),
                               old: try $0.get("old"), new: try $0.get("new"))
        })
    }

    static func finishRecording(_ c: PGConnection, _ note: ChangeNote, action: ChangeAction, actor: String?,
                                undoable: Bool, keepIfEmpty: Bool) throws {
        try c.query("SELECT set_config('knowhow.recording', 'off', true)")
        let rows = try collectRows(c)
        try c.execute("DELETE FROM pg_temp.knowhow_change_log")
        if rows.isEmpty && !keepIfEmpty { return }
        let summary = note.summary + (note.madeBy.map { " (made by @\($0))" } ?? "")
        try c.execute("INSERT INTO knowhow.change(id, actor, at, action, summary, undoable, undoes) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      [note.number, actor, note.now.description, action.rawValue, summary, undoable, note.undoes])
        for m in note.marks {
            try c.execute("UPDATE knowhow.change SET undone_by = $1 WHERE id = $2", [m.undoneBy, m.change])
        }
        for (i, r) in rows.enumerated() {
            try c.execute("INSERT INTO knowhow.change_row(change_id, seq, tbl, pk, before, after) VALUES ($1, $2, $3, $4, $5, $6)",
                          [note.number, i + 1, r.table, r.pk, r.before, r.after])
        }
        let keys = try affectedKeys(c, rows)
        try reindex(c, keys: keys.index)
        let listed = keys.history.union(note.keys)
        if !listed.isEmpty {
            try c.execute("INSERT INTO knowhow.change_entry(entry, change_id) SELECT unnest($1::bigint[]), $2",
                          [Self.array(listed.sorted()), note.number])
        }
    }

    /// Entry keys to reindex after rows changed (computed on the current tables), and keys to list
    /// the change under in `history ID`.
    static func affectedKeys(_ c: PGConnection, _ rows: [HistoryRows.Image]) throws -> HistoryRows.Affected {
        var a = HistoryRows.affected(rows)
        if !a.renamedTags.isEmpty {
            for k in try c.query("""
                SELECT entry FROM knowhow.entry_tag WHERE tag_id = ANY ($1::bigint[])
                UNION SELECT member_id << 3 | 1 FROM knowhow.member_skill WHERE tag_id = ANY ($1::bigint[])
                UNION SELECT member_id << 3 | 1 FROM knowhow.member_interest WHERE tag_id = ANY ($1::bigint[])
                """, [Self.array(a.renamedTags.sorted())]).rows.map({ try $0.require("entry", as: Int64.self) }) {
                a.index.insert(k)
                if k & 7 == 4 { a.questions.insert(k >> 3) }
            }
        }
        // An answer's index row holds its question's title and tags.
        if !a.questions.isEmpty {
            for n in try c.query("SELECT id FROM knowhow.answer WHERE question_id = ANY ($1::bigint[])",
                                 [Self.array(a.questions.sorted())]).rows.map({ try $0.require("id", as: Int64.self) }) {
                a.index.insert(EntryKeys.make(.answer, n))
            }
        }
        return a
    }

    /// Writes the index rows of these entry keys again from the tables (rows of keys whose entry
    /// is gone are removed).
    static func reindex(_ c: PGConnection, keys: Set<Int64>) throws {
        guard !keys.isEmpty else { return }
        try c.query("SELECT knowhow.reindex($1::bigint[])", [array(keys.sorted())])
    }

    /// A bigint array parameter (`{1,2,3}`).
    static func array(_ values: some Sequence<Int64>) -> String {
        "{" + values.map(String.init).joined(separator: ",") + "}"
    }
}

extension PostgresKnowledgeStore: LoginIdentity {
    /// The database login this store connects as, the member mapped to it, and whether it may act
    /// for other members (a curator, or the store's owner).
    public func loginMember() throws -> (login: String, handle: String?, mayActForOthers: Bool) {
        try run { c in
            let l = try Self.login(c)
            return (l.name, l.handle, l.mayActForOthers)
        }
    }
}
