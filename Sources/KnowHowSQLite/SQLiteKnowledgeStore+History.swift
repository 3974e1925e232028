import Foundation
import GRDB
import KnowHowCore

/// The one door for changes: every write checks the acting member's role against the permission
/// table, runs in one transaction, and is recorded in history with the before- and after-image of
/// every row it touched, so that any change can be undone exactly.
///
/// Rows are captured by temporary triggers on every table (made from the schema, so tables added
/// later are covered), which log to a temporary table while a change is being recorded.
extension SQLiteKnowledgeStore {
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
        /// What the change's writes share; an import's batches its index rows (see WriteSession).
        var session = WriteSession()
    }

    /// Runs one change: authorise, record, run `body`, reindex what it touched, all in one transaction.
    /// `recordRows: false` keeps history short for bulk imports (which then cannot be undone).
    func change<T>(_ action: ChangeAction, as acting: Acting, recordRows: Bool = true,
                   target: (Database) throws -> Target = { _ in Target() },
                   _ body: (Database, inout ChangeNote) throws -> T) throws -> T {
        let now = acting.now
        let tuning = searchTuning
        return try write { db in
            let t = try target(db)
            let actor = try Self.authorize(db, action, t, acting: acting.actor)
            try Self.prepareRecording(db)
            try db.execute(sql: "INSERT INTO change(actor, at, action, summary, undoable) VALUES (?, ?, ?, ?, ?)",
                           arguments: [actor, now.description, action.rawValue, action.rawValue, recordRows])
            // An import indexes many entries: the ranked lists are brought up to date once, at the end.
            let bulk = action == .importCommunity
            var note = ChangeNote(number: db.lastInsertedRowID, now: now, summary: action.rawValue,
                                  session: WriteSession(importing: bulk))
            if recordRows { try db.execute(sql: "INSERT INTO knowhow_recording VALUES (1)") }
            let result = try body(db, &note)
            if bulk {
                try note.session.flushIndex(db)
                try Self.rankListsAfterBulk(db, keys: note.session.importedKeys ?? [], tuning: tuning)
            }
            try Self.finishRecording(db, note, keepIfEmpty: !recordRows && !note.discard)
            return result
        }
    }

    // MARK: - Permissions

    public func authorize(_ action: ChangeAction, on ref: EntryRef?, as acting: Acting) throws {
        try read { db in
            let t = try Target.of(ref, action: action, actor: acting.actor.handle, owner: { try Self.owner(db, $0) },
                                  people: { try Self.loadMeeting(db, number: try Self.require(db, $0)).people },
                                  tags: { try Self.entryTagIDs(db, $0) })
            _ = try Self.authorize(db, action, t, acting: acting.actor)
        }
    }

    /// The ids of an entry's tags (whose experts may verify it).
    static func entryTagIDs(_ db: Database, _ id: EntryID) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT tag_id FROM entry_tag WHERE entry = ? ORDER BY tag_id", arguments: [EntryKey.make(id.type, try require(db, id))])
    }

    /// The one permission check: returns the handle to record as the change's author.
    static func authorize(_ db: Database, _ action: ChangeAction, _ target: Target, acting: ActingAs) throws -> String? {
        try Permissions.authorize(action, target, acting: acting, storeIsEmpty: { try Int.fetchOne(db, sql: "SELECT count(*) FROM member") == 0 },
                                  member: { h in
            try Row.fetchOne(db, sql: "SELECT id, role FROM member WHERE handle = ?", arguments: [h]).map { ($0["id"], Role(rawValue: $0["role"]) ?? .member) }
        }, verifier: { try authorizeVerifier(db, member: $0, handle: $1, role: $2, target) }).actor
    }

    /// Verification needs a curator, or an expert in one of the practice's tags whose level someone
    /// else vouched for (set it, or endorsed it); never the practice's own contributor.
    static func authorizeVerifier(_ db: Database, member: Int64, handle: String, role: Role, _ target: Target) throws {
        try PracticeRules.authorizeVerifier(handle: handle, role: role, target, expertIn: {
            try Int64.fetchAll(db, sql: """
                SELECT tag_id FROM member_skill WHERE member_id = ? AND level = 'expert'
                AND tag_id IN (\(target.expertTags.map(String.init).joined(separator: ","))) ORDER BY tag_id
                """, arguments: [member])
        }, vouched: { try expertLevelIsVouched(db, member: member, handle: handle, tag: $0) },
           tagName: { try String.fetchOne(db, sql: "SELECT name FROM tag WHERE id = ?", arguments: [$0]) })
    }

    /// True when someone other than the member stands behind their skill level in a tag: another
    /// member endorsed it, or the latest recorded change to it was not their own (a curator's edit,
    /// a merge; a level that came in with an import has no recorded change, and counts too).
    static func expertLevelIsVouched(_ db: Database, member: Int64, handle: String, tag: Int64) throws -> Bool {
        if try Int64.fetchOne(db, sql: "SELECT 1 FROM endorsement WHERE member_id = ? AND tag_id = ? AND endorser_id <> ? LIMIT 1",
                              arguments: [member, tag, member]) != nil { return true }
        let setBy = try Row.fetchOne(db, sql: """
            SELECT c.actor FROM change_row r JOIN change c ON c.id = r.change_id
            WHERE r.tbl = 'member_skill' AND r.pk = json_array(?, ?) ORDER BY r.change_id DESC LIMIT 1
            """, arguments: [member, tag])
        guard let setBy else { return true }
        return (setBy["actor"] as String?) != handle
    }

    /// Who owns an entry: a resource's or practice's contributor, a question's asker, an answer's author.
    static func owner(_ db: Database, _ id: EntryID) throws -> String? {
        let column: String
        switch id.type {
        case .resource, .practice: column = "contributor_id"
        case .question: column = "asker_id"
        case .answer: column = "author_id"
        case .meeting: column = "organiser_id"
        case .member: return nil
        }
        let n = try require(db, id)
        return try String.fetchOne(db, sql: """
            SELECT m.handle FROM \(EntryKey.table(id.type)) x JOIN member m ON m.id = x.\(column) WHERE x.id = ?
            """, arguments: [n])
    }

    // MARK: - Recording

    /// Tables whose rows history records: every table but history itself, migrations, FTS internals
    /// and derived data (the ranked lists and members' work, kept in step by reindexing; its version).
    static func recordedTables(_ db: Database) throws -> [String] {
        let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM main.sqlite_master WHERE type = 'table' ORDER BY name")
        let virtual = rows.filter { ($0["sql"] as String? ?? "").uppercased().hasPrefix("CREATE VIRTUAL") }.map { $0["name"] as String }
        return rows.map { $0["name"] as String }.filter { name in
            !name.hasPrefix("sqlite_") && !name.hasPrefix("grdb_") && !name.hasPrefix("rank_")
                && !["change", "change_row", "change_entry", "derived_state"].contains(name)
                && !virtual.contains { name == $0 || name.hasPrefix($0 + "_") }
        }
    }

    struct TableShape {
        var columns: [String]
        var primaryKey: [String]
    }

    static func shape(_ db: Database, _ table: String) throws -> TableShape {
        let info = try Row.fetchAll(db, sql: "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
        let columns = info.map { $0["name"] as String }
        var pk = info.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map { $0["name"] as String }
        if pk.isEmpty { pk = ["rowid"] }
        return TableShape(columns: columns, primaryKey: pk)
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// `json_object('a', X."a", …)` over every column: the row image history keeps.
    static func imageSQL(_ shape: TableShape, _ alias: String) -> String {
        "json_object(" + shape.columns.map { "'\($0)', \(alias).\(quoted($0))" }.joined(separator: ", ") + ")"
    }

    static func keySQL(_ shape: TableShape, _ alias: String) -> String {
        "json_array(" + shape.primaryKey.map { "\(alias).\(quoted($0))" }.joined(separator: ", ") + ")"
    }

    /// Creates, once per connection, the log table and a trigger per table and operation.
    static func prepareRecording(_ db: Database) throws {
        if try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.sqlite_master WHERE name = 'knowhow_change_log'") == 1 {
            try db.execute(sql: "DELETE FROM knowhow_change_log; DELETE FROM knowhow_recording")
            return
        }
        try db.execute(sql: """
            CREATE TEMP TABLE knowhow_change_log (seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, oldpk TEXT, newpk TEXT, old TEXT, new TEXT);
            CREATE TEMP TABLE knowhow_recording (on_ INTEGER);
            """)
        for table in try recordedTables(db) {
            let s = try shape(db, table)
            let when = "WHEN EXISTS (SELECT 1 FROM knowhow_recording)"
            let name = table.replacingOccurrences(of: "\"", with: "")
            try db.execute(sql: """
                CREATE TEMP TRIGGER "knowhow_log_\(name)_insert" AFTER INSERT ON main.\(quoted(table)) \(when) BEGIN
                  INSERT INTO knowhow_change_log(tbl, newpk, new) VALUES ('\(name)', \(keySQL(s, "NEW")), \(imageSQL(s, "NEW")));
                END;
                CREATE TEMP TRIGGER "knowhow_log_\(name)_update" AFTER UPDATE ON main.\(quoted(table)) \(when) BEGIN
                  INSERT INTO knowhow_change_log(tbl, oldpk, newpk, old, new)
                  VALUES ('\(name)', \(keySQL(s, "OLD")), \(keySQL(s, "NEW")), \(imageSQL(s, "OLD")), \(imageSQL(s, "NEW")));
                END;
                CREATE TEMP TRIGGER "knowhow_log_\(name)_delete" AFTER DELETE ON main.\(quoted(table)) \(when) BEGIN
                  INSERT INTO knowhow_change_log(tbl, oldpk, old) VALUES ('\(name)', \(keySQL(s, "OLD")), \(imageSQL(s, "OLD")));
                END;
                """)
        }
    }

    /// One row's net change within a change: the image before (nil: created) and after (nil: deleted).
    typealias RowImage = HistoryRows.Image

    /// Folds the trigger log into one before/after image per row, in order of first touch.
    static func collectRows(_ db: Database) throws -> [RowImage] {
        HistoryRows.fold(try Row.fetchAll(db, sql: "SELECT tbl, oldpk, newpk, old, new FROM knowhow_change_log ORDER BY seq").map {
            HistoryRows.Logged(table: $0["tbl"], oldPK: $0["oldpk"], newPK: $0["newpk"], old: $0["old"], new: $0["new"])
        })
    }

    static func finishRecording(_ db: Database, _ note: ChangeNote, keepIfEmpty: Bool) throws {
        let rows = try collectRows(db)
        try db.execute(sql: "DELETE FROM knowhow_change_log; DELETE FROM knowhow_recording")
        if rows.isEmpty && !keepIfEmpty {
            try db.execute(sql: "DELETE FROM change WHERE id = ?", arguments: [note.number])
            return
        }
        try db.execute(sql: "UPDATE change SET summary = ?, undoes = ? WHERE id = ?",
                       arguments: [note.summary, note.undoes, note.number])
        for (i, r) in rows.enumerated() {
            try db.execute(sql: "INSERT INTO change_row(change_id, seq, tbl, pk, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [note.number, i + 1, r.table, r.pk, r.before, r.after])
        }
        let keys = try affectedKeys(db, rows)
        try reindex(db, keys: keys.index, changedRows: rows)
        for k in keys.history.union(note.keys) {
            try db.execute(sql: "INSERT OR IGNORE INTO change_entry(entry, change_id) VALUES (?, ?)", arguments: [k, note.number])
        }
    }

    // MARK: - What rows mean for the index and for `history ID`

    /// A tag's key in `change_entry` (entry keys use type codes 1–5).
    static func tagKey(_ id: Int64) -> Int64 { HistoryRows.tagKey(id) }

    static func decode(_ json: String?) -> [String: Any] { HistoryRows.decode(json) }

    static func int(_ any: Any?) -> Int64? { HistoryRows.int(any) }

    /// Entry keys to reindex after rows changed (computed on the current tables), and keys to list
    /// the change under in `history ID` (members, entries and tags it touched).
    static func affectedKeys(_ db: Database, _ rows: [RowImage]) throws -> (index: Set<Int64>, history: Set<Int64>) {
        let a = HistoryRows.affected(rows)
        var index = a.index
        index.formUnion(try taggedKeys(db, tags: a.renamedTags, questions: a.questions))
        return (index, a.history)
    }

    /// The entries whose index rows hold the words of these tags (entries and members with them,
    /// and the answers of questions with them), with the answers of `questions`.
    static func taggedKeys(_ db: Database, tags: Set<Int64>, questions: Set<Int64> = []) throws -> Set<Int64> {
        var index = Set<Int64>(), questions = questions
        if !tags.isEmpty {
            let list = tags.map(String.init).joined(separator: ",")
            for k in try Int64.fetchAll(db, sql: """
                SELECT entry FROM entry_tag WHERE tag_id IN (\(list))
                UNION SELECT member_id << 3 | 1 FROM member_skill WHERE tag_id IN (\(list))
                UNION SELECT member_id << 3 | 1 FROM member_interest WHERE tag_id IN (\(list))
                """) {
                index.insert(k)
                if k & 7 == 4 { questions.insert(k >> 3) }
            }
        }
        // An answer's index row holds its question's title and tags.
        if !questions.isEmpty {
            for a in try Int64.fetchAll(db, sql: "SELECT id FROM answer WHERE question_id IN (\(questions.map(String.init).joined(separator: ",")))") {
                index.insert(EntryKey.make(.answer, a))
            }
        }
        return index
    }

    /// Makes the index rows of `keys` again after `changedRows` changed (a change's body leaves
    /// the index alone; see `WriteSession.index`). The index keeps no text, so each row is taken out
    /// with the document of the rows as they were before: they are put back for a moment, inside
    /// a savepoint that is then rolled back. Should that fail, the whole index is made again.
    static func reindex(_ db: Database, keys: Set<Int64>, changedRows: [RowImage]) throws {
        let sorted = keys.sorted()
        let indexed = try sorted.filter { try isIndexed(db, key: $0) }
        var old: [Int64: Document] = [:]
        if !indexed.isEmpty {
            try db.execute(sql: "SAVEPOINT knowhow_before_change")
            do {
                try restore(db, changedRows)
                for k in indexed { old[k] = try document(db, key: k) }
                try db.execute(sql: "ROLLBACK TO knowhow_before_change; RELEASE knowhow_before_change")
            } catch {
                try db.execute(sql: "ROLLBACK TO knowhow_before_change; RELEASE knowhow_before_change")
                return try rebuildIndex(db)
            }
        }
        for k in sorted {
            guard let before = old[k] else {
                // Indexed, yet absent from the rows as they were: the index cannot be trusted.
                if indexed.contains(k) { return try rebuildIndex(db) }
                try reindex(db, key: k, old: nil)
                continue
            }
            try reindex(db, key: k, old: before)
        }
    }

    // MARK: - Reading history

    public func history(of reference: String?, by actor: String?, limit: Int) throws -> [ChangeRecord] {
        try read { db in
            var sql = "SELECT c.* FROM change c"
            var conditions: [String] = []
            var args: StatementArguments = []
            if let reference {
                let key = try Self.historyKey(db, reference)
                sql += " JOIN change_entry e ON e.change_id = c.id"
                conditions.append("e.entry = ?"); _ = args.append(contentsOf: [key])
            }
            if let actor {
                conditions.append("c.actor = ?"); _ = args.append(contentsOf: [try Validation.handle(actor)])
            }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY c.id DESC LIMIT ?"
            _ = args.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: sql, arguments: args).map { try Self.changeRecord(db, $0, details: false) }
        }
    }

    public func historyRecord(_ number: Int64) throws -> ChangeRecord {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM change WHERE id = ?", arguments: [number]) else {
                throw KnowHowError.unsupported("there is no change #\(number); `history` lists them")
            }
            return try Self.changeRecord(db, row, details: true)
        }
    }

    /// The key `history` looks up: r12, @kim (also once merged away), or a tag.
    static func historyKey(_ db: Database, _ reference: String) throws -> Int64 {
        try HistoryRows.key(of: reference, memberID: {
            try Int64.fetchOne(db, sql: "SELECT id FROM member WHERE handle = ?", arguments: [$0])
        }, formerMemberID: {
            try Int64.fetchOne(db, sql: """
                SELECT json_extract(coalesce(before, after), '$.id') FROM change_row
                WHERE tbl = 'member' AND json_extract(coalesce(before, after), '$.handle') = ? ORDER BY change_id DESC LIMIT 1
                """, arguments: [$0])
        }, tagID: { try tagID(db, $0, create: false) })
    }

    static func changeRecord(_ db: Database, _ row: Row, details: Bool) throws -> ChangeRecord {
        let number: Int64 = row["id"]
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM change_row WHERE change_id = ?", arguments: [number]) ?? 0
        var record = ChangeRecord(number: number, actor: row["actor"], at: Timestamp(row["at"] as String) ?? Timestamp(seconds: 0),
                                  action: row["action"], summary: row["summary"], rowCount: count,
                                  undoes: row["undoes"], undoneBy: row["undone_by"])
        if details {
            record.details = try Row.fetchAll(db, sql: "SELECT tbl, pk, before, after FROM change_row WHERE change_id = ? ORDER BY seq",
                                              arguments: [number]).map { r in
                try rowChange(db, RowImage(table: r["tbl"], pk: r["pk"], before: r["before"], after: r["after"]))
            }
        }
        return record
    }

    /// A row image in words: which record, which fields changed from what to what.
    static func rowChange(_ db: Database, _ r: RowImage) throws -> RowChange {
        try HistoryRows.rowChange(r, handle: { try handleOf(db, $0) }, tagName: { id in
            try String.fetchOne(db, sql: "SELECT name FROM tag WHERE id = ?", arguments: [id]) ?? String.fetchOne(db, sql: """
                SELECT json_extract(coalesce(before, after), '$.name') FROM change_row
                WHERE tbl = 'tag' AND pk = json_array(?) ORDER BY change_id DESC LIMIT 1
                """, arguments: [id])
        })
    }

    // MARK: - Undo

    /// Reverses a change (by default the acting member's last one) as a new change, refusing when a
    /// later change touched the same rows. Returns the record of the undo.
    public func undo(_ number: Int64?, as acting: Acting) throws -> ChangeRecord {
        // Chosen before this undo is itself recorded as a change.
        var chosen: Int64 = 0
        let undoNumber: Int64 = try change(.undo, as: acting, target: { db in
            chosen = try Self.changeToUndo(db, number, acting: acting.actor)
            return Target(ref: "#\(chosen)", owner: try String.fetchOne(db, sql: "SELECT actor FROM change WHERE id = ?", arguments: [chosen]))
        }) { db, note in
            let n = chosen
            let target = try Row.fetchOne(db, sql: "SELECT * FROM change WHERE id = ?", arguments: [n])!
            guard (target["undoable"] as Bool?) ?? true else {
                throw KnowHowError.unsupported("change #\(n) (\(target["summary"] as String)) was an import, which cannot be undone")
            }
            if let by: Int64 = target["undone_by"] {
                throw KnowHowError.conflict("change #\(n) was already undone by #\(by)")
            }
            try Self.authorizeAgain(db, change: n, acting: acting.actor)
            try Self.reverse(db, change: n)
            try db.execute(sql: "UPDATE change SET undone_by = ? WHERE id = ?", arguments: [note.number, n])
            if let original: Int64 = target["undoes"] {
                // Undoing an undo redoes the original.
                try db.execute(sql: "UPDATE change SET undone_by = NULL WHERE id = ?", arguments: [original])
            }
            note.undoes = n
            note.summary = ChangeNotes.undid(n, target["summary"] as String)
            return note.number
        }
        return try historyRecord(undoNumber)
    }

    /// Undoing (or redoing) a change needs what the change itself needed, as the actor holds it now:
    /// a curator demoted since cannot undo their curator-only changes.
    static func authorizeAgain(_ db: Database, change n: Int64, acting: ActingAs) throws {
        guard case .member(let handle) = acting,
              let me = try Row.fetchOne(db, sql: "SELECT id, role FROM member WHERE handle = ?", arguments: [handle]) else { return }
        let role = Role(rawValue: me["role"]) ?? .member
        // Undoing an undo makes the original change again: that one's rule applies.
        var number = n
        var seen: Set<Int64> = []
        while seen.insert(number).inserted,
              let row = try Row.fetchOne(db, sql: "SELECT action, undoes FROM change WHERE id = ?", arguments: [number]),
              (row["action"] as String) == ChangeAction.undo.rawValue, let undone: Int64 = row["undoes"] {
            number = undone
        }
        guard let name = try String.fetchOne(db, sql: "SELECT action FROM change WHERE id = ?", arguments: [number]),
              let action = ChangeAction(rawValue: name), action != .undo else { return }
        let rows = try Row.fetchAll(db, sql: "SELECT tbl, before, after FROM change_row WHERE change_id = ? ORDER BY seq", arguments: [number])
        let rule = Permissions.rule(action)
        var isOwner = try changeOwner(db, rows) == handle
        // A meeting's recording is its attendees' and presenters' as well as its organiser's.
        if action == .recordMeeting, !isOwner,
           let meeting = rows.lazy.compactMap({ r -> Int64? in
               let image = decode((r["before"] as String?) ?? r["after"])
               switch r["tbl"] as String {
               case "meeting": return int(image["id"])
               case "meeting_person", "meeting_link": return int(image["meeting_id"])
               default: return nil
               }
           }).first {
            isOwner = (try? loadMeeting(db, number: meeting).people.contains(handle)) ?? false
        }
        func refuse(_ needs: Role) -> KnowHowError {
            let doing = (!isOwner && rule.leastForOwn != nil ? rule.doingOthers : nil) ?? rule.doing
            return .permissionDenied(action: "Undoing #\(n) (\(doing))", needs: needs, actor: handle)
        }
        if action == .verify {
            guard role < rule.least else { return }
            guard let practice = rows.lazy.filter({ ($0["tbl"] as String) == "practice" })
                    .compactMap({ int(decode(($0["before"] as String?) ?? $0["after"])["id"]) }).first else { throw refuse(rule.least) }
            let id = EntryID(.practice, practice)
            let t = Target(ref: id.description, owner: try? owner(db, id),
                           expertTags: try Int64.fetchAll(db, sql: "SELECT tag_id FROM entry_tag WHERE entry = ?", arguments: [EntryKey.make(id)]))
            do { try authorizeVerifier(db, member: me["id"], handle: handle, role: role, t) } catch { throw refuse(rule.least) }
            return
        }
        if let needs = Permissions.missingRole(action, role: role, isOwner: isOwner) { throw refuse(needs) }
        // A profile edit that changed a role needed a curator as well.
        if action == .editMember, role < Permissions.rule(.setRole).least,
           rows.contains(where: { ($0["tbl"] as String) == "member" && decode($0["before"] as String?)["role"] as? String != decode($0["after"] as String?)["role"] as? String }) {
            throw KnowHowError.permissionDenied(action: "Undoing #\(n) (changing a member's role)", needs: Permissions.rule(.setRole).least, actor: handle)
        }
    }

    /// Whose entry, profile, question or endorsement a change was made to, read from its rows.
    static func changeOwner(_ db: Database, _ rows: [Row]) throws -> String? {
        switch HistoryRows.owner(rows.map { RowImage(table: $0["tbl"], pk: "", before: $0["before"], after: $0["after"]) }) {
        case .member(let id)?: return try handleOf(db, id)
        case .entry(let k)?: return try? owner(db, EntryID(EntryKey.type(k)!, k >> 3))
        case nil: return nil
        }
    }

    /// A member's handle by row id, also once merged away or deleted (from the rows history kept).
    static func handleOf(_ db: Database, _ id: Int64) throws -> String? {
        if let h = try String.fetchOne(db, sql: "SELECT handle FROM member WHERE id = ?", arguments: [id]) { return h }
        return try String.fetchOne(db, sql: """
            SELECT json_extract(coalesce(before, after), '$.handle') FROM change_row
            WHERE tbl = 'member' AND pk = json_array(?) ORDER BY change_id DESC LIMIT 1
            """, arguments: [id])
    }

    static func changeToUndo(_ db: Database, _ number: Int64?, acting: ActingAs) throws -> Int64 {
        if let number {
            guard try Int64.fetchOne(db, sql: "SELECT 1 FROM change WHERE id = ?", arguments: [number]) != nil else {
                throw KnowHowError.unsupported("there is no change #\(number); `history` lists them")
            }
            return number
        }
        let byActor: String
        var args: StatementArguments = []
        switch acting {
        case .nobody: throw KnowHowError.notIdentified(action: "Undoing your last change")
        case .system: byActor = "actor IS NULL"
        case .member(let h): byActor = "actor = ?"; args = [h]
        }
        guard let n = try Int64.fetchOne(db, sql: """
            SELECT id FROM change WHERE \(byActor) AND undone_by IS NULL AND undoes IS NULL AND undoable
            ORDER BY id DESC LIMIT 1
            """, arguments: args) else {
            throw KnowHowError.unsupported("you have no change to undo; `history` lists what changed")
        }
        return n
    }

    /// Reads a table's shape once, however often it is asked for.
    static func shapeReader(_ db: Database) -> (String) throws -> TableShape {
        var shapes: [String: TableShape] = [:]
        return { t in
            if let s = shapes[t] { return s }
            let s = try shape(db, t); shapes[t] = s; return s
        }
    }

    /// `"id" = json_extract(?1, '$[0]')`: a row by its primary key, given as a JSON array in ?1.
    static func pkCondition(_ s: TableShape) -> String {
        s.primaryKey.enumerated().map { "\(quoted($1)) = json_extract(?1, '$[\($0)]')" }.joined(separator: " AND ")
    }

    /// Restores the before-images of a change's rows, after checking each row is still as the change
    /// left it and that nothing made since depends on rows it created.
    static func reverse(_ db: Database, change n: Int64) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT tbl, pk, before, after FROM change_row WHERE change_id = ? ORDER BY seq", arguments: [n])
            .map { RowImage(table: $0["tbl"], pk: $0["pk"], before: $0["before"], after: $0["after"]) }
        let shapeOf = shapeReader(db)
        // 1. Every row must be as this change left it.
        for r in rows {
            let s = try shapeOf(r.table)
            let current = try String.fetchOne(db, sql: "SELECT \(imageSQL(s, quoted(r.table))) FROM \(quoted(r.table)) WHERE \(pkCondition(s))",
                                              arguments: [r.pk])
            if current != r.after {
                throw try laterChangeError(db, n, table: r.table, pk: r.pk, row: r)
            }
        }
        // 2. Nothing made since may refer to a row this change created.
        let created = rows.filter { $0.before == nil }
        if !created.isEmpty {
            let references = try foreignKeys(db)
            let createdIDs = Set(created.map { $0.table + "\u{1}" + $0.pk })
            for r in created {
                let s = try shapeOf(r.table)
                for ref in references[r.table] ?? [] {
                    let cs = try shapeOf(ref.table)
                    let target = ref.to ?? s.primaryKey.first!
                    let value = try DatabaseValue.fetchOne(db, sql: "SELECT json_extract(?, '$.\(target)')", arguments: [r.after])
                    for pk in try String.fetchAll(db, sql: "SELECT \(keySQL(cs, quoted(ref.table))) FROM \(quoted(ref.table)) WHERE \(quoted(ref.from)) = ?",
                                                  arguments: [value]) where !createdIDs.contains(ref.table + "\u{1}" + pk) {
                        throw try laterChangeError(db, n, table: ref.table, pk: pk, row: r)
                    }
                }
            }
        }
        // 3. Put every row back.
        try restore(db, rows)
    }

    /// Puts the rows of a change back as they were before it, newest first; foreign keys are
    /// checked at commit.
    static func restore(_ db: Database, _ rows: [RowImage]) throws {
        let shapeOf = shapeReader(db)
        try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
        for r in rows.reversed() {
            let s = try shapeOf(r.table)
            switch (r.before, r.after) {
            case (nil, _?):
                try db.execute(sql: "DELETE FROM \(quoted(r.table)) WHERE \(pkCondition(s))", arguments: [r.pk])
            case (let b?, nil):
                let cols = try String.fetchAll(db, sql: "SELECT key FROM json_each(?)", arguments: [b])
                try db.execute(sql: "INSERT INTO \(quoted(r.table))(\(cols.map(quoted).joined(separator: ", "))) VALUES ("
                               + cols.map { "json_extract(?1, '$.\"\($0)\"')" }.joined(separator: ", ") + ")", arguments: [b])
            case (let b?, _?):
                let cols = try String.fetchAll(db, sql: "SELECT key FROM json_each(?)", arguments: [b])
                let sets = cols.map { "\(quoted($0)) = json_extract(?2, '$.\"\($0)\"')" }.joined(separator: ", ")
                try db.execute(sql: "UPDATE \(quoted(r.table)) SET \(sets) WHERE \(pkCondition(s))", arguments: [r.pk, b])
            default:
                break
            }
        }
    }

    /// Foreign keys by the table they point at: (child table, child column, parent column or nil for its key).
    static func foreignKeys(_ db: Database) throws -> [String: [(table: String, from: String, to: String?)]] {
        var out: [String: [(String, String, String?)]] = [:]
        for t in try recordedTables(db) {
            for fk in try Row.fetchAll(db, sql: "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?)", arguments: [t]) {
                out[fk["table"], default: []].append((t, fk["from"], fk["to"]))
            }
        }
        return out
    }

    /// The refusal for an undo blocked by a later change to the same row.
    static func laterChangeError(_ db: Database, _ n: Int64, table: String, pk: String, row: RowImage) throws -> KnowHowError {
        let change = try rowChange(db, row)
        let what = change.table + " " + change.key
        if let later = try Row.fetchOne(db, sql: """
            SELECT c.id, c.summary, c.actor FROM change_row r JOIN change c ON c.id = r.change_id
            WHERE r.tbl = ? AND r.pk = ? AND r.change_id > ? AND c.undone_by IS NULL ORDER BY c.id DESC LIMIT 1
            """, arguments: [table, pk, n]) {
            let by = (later["actor"] as String?).map { " by @\($0)" } ?? ""
            return .conflict("cannot undo #\(n): change #\(later["id"] as Int64) (\(later["summary"] as String))\(by) has changed the same record since (\(what)); undo #\(later["id"] as Int64) first")
        }
        return .conflict("cannot undo #\(n): \(what) was changed since outside the history (by an import?), so undoing it could lose that change")
    }
}

extension SQLiteKnowledgeStore {
    /// Every index entry (term, entry, column, position), the word vocabulary, redirects and
    /// successor links, as text: two stores with equal snapshots search alike (tests check that an
    /// undo restores the index exactly).
    func indexSnapshot() throws -> [String] {
        try writer.write { db in
            try db.execute(sql: "CREATE VIRTUAL TABLE IF NOT EXISTS temp.entry_instance USING fts5vocab(main, entry_fts, 'instance')")
            return try Row.fetchAll(db, sql: "SELECT doc, col, \"offset\", term FROM temp.entry_instance ORDER BY doc, col, \"offset\", term").map { "fts \($0)" }
                + Row.fetchAll(db, sql: "SELECT id, sz FROM entry_fts_docsize ORDER BY id").map { "size \($0)" }
                + Row.fetchAll(db, sql: "SELECT term, doc, cnt FROM word_vocab ORDER BY term").map { "word \($0)" }
                + Row.fetchAll(db, sql: "SELECT old, new FROM redirect ORDER BY old").map { "redirect \($0)" }
                + Row.fetchAll(db, sql: "SELECT * FROM practice_successor ORDER BY practice_id").map { "successor \($0)" }
        }
    }

    /// Entry keys whose index entries differ from those of an index made afresh from the tables
    /// (`document(db, key:)` of every entry), in the full-text index or the word list; throws when
    /// FTS5's own integrity check fails.
    func indexDrift() throws -> [Int64] {
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO entry_fts(entry_fts) VALUES ('integrity-check');
                INSERT INTO word_fts(word_fts) VALUES ('integrity-check');
                CREATE VIRTUAL TABLE temp.fresh_fts USING fts5(
                    title, tags, summary, body, tokenize = 'porter unicode61 remove_diacritics 2', content = '');
                CREATE VIRTUAL TABLE temp.fresh_words USING fts5(
                    text, tokenize = 'unicode61 remove_diacritics 2', content = '', detail = 'none', columnsize = 0);
                """)
            defer { try? db.execute(sql: "DROP TABLE temp.fresh_fts; DROP TABLE temp.fresh_words") }
            for (t, table) in [(EntryType.member, "member"), (.resource, "resource"), (.practice, "practice"), (.question, "question"),
                               (.answer, "answer"), (.meeting, "meeting")] {
                for n in try Int64.fetchAll(db, sql: "SELECT id FROM \(table)") {
                    let k = EntryKey.make(t, n)
                    guard let d = try Self.document(db, key: k) else { continue }
                    try db.execute(sql: "INSERT INTO temp.fresh_fts(rowid, title, tags, summary, body) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [k, d.title, d.tags, d.summary, d.body])
                    try db.execute(sql: "INSERT INTO temp.fresh_words(rowid, text) VALUES (?, ?)",
                                   arguments: [k, d.title + "\n" + d.tags + "\n" + d.summary])
                }
            }
            try db.execute(sql: """
                CREATE VIRTUAL TABLE IF NOT EXISTS temp.entry_instance USING fts5vocab(main, entry_fts, 'instance');
                CREATE VIRTUAL TABLE temp.fresh_instance USING fts5vocab(temp, fresh_fts, 'instance');
                CREATE VIRTUAL TABLE temp.word_instance USING fts5vocab(main, word_fts, 'instance');
                CREATE VIRTUAL TABLE temp.fresh_word_instance USING fts5vocab(temp, fresh_words, 'instance');
                """)
            defer { try? db.execute(sql: "DROP TABLE temp.fresh_instance; DROP TABLE temp.word_instance; DROP TABLE temp.fresh_word_instance") }
            let entries = "SELECT term, doc, col, \"offset\" FROM temp.entry_instance"
            let fresh = "SELECT term, doc, col, \"offset\" FROM temp.fresh_instance"
            let words = "SELECT term, doc FROM temp.word_instance", freshWords = "SELECT term, doc FROM temp.fresh_word_instance"
            return try Int64.fetchAll(db, sql: """
                SELECT doc FROM (\(entries) EXCEPT \(fresh)) UNION SELECT doc FROM (\(fresh) EXCEPT \(entries))
                UNION SELECT doc FROM (\(words) EXCEPT \(freshWords)) UNION SELECT doc FROM (\(freshWords) EXCEPT \(words))
                UNION SELECT id FROM (SELECT id, sz FROM main.entry_fts_docsize EXCEPT SELECT id, sz FROM temp.fresh_fts_docsize)
                UNION SELECT id FROM (SELECT id, sz FROM temp.fresh_fts_docsize EXCEPT SELECT id, sz FROM main.entry_fts_docsize)
                ORDER BY 1
                """)
        }
    }
}
