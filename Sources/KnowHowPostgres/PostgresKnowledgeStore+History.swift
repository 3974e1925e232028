import Foundation
import KnowHowCore

/// History and undo on PostgreSQL, as the SQLite store has them (SQLiteKnowledgeStore+History):
/// the rows a change recorded (see +Changes) read back field by field, and an undo that restores
/// the before-images exactly, refusing when a later change touched the same rows, with the
/// permission the change itself needed as the member holds it now.
extension PostgresKnowledgeStore {
    // MARK: - Reading history

    public func history(of reference: String?, by actor: String?, limit: Int) throws -> [ChangeRecord] {
        try run { c in
            var p = PGParameters()
            var sql = "SELECT c.* FROM knowhow.change c"
            var conditions: [String] = []
            if let reference {
                let key = try Self.historyKey(c, reference)
                sql += " JOIN knowhow.change_entry e ON e.change_id = c.id"
                conditions.append("e.entry = \(p.bind(key))")
            }
            if let actor { conditions.append("c.actor = \(p.bind(try Validation.handle(actor)))") }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY c.id DESC LIMIT \(p.bind(limit))"
            return try c.query(sql, p.values).rows.map { try Self.changeRecord(c, $0, details: false) }
        }
    }

    public func historyRecord(_ number: Int64) throws -> ChangeRecord {
        try run { c in
            guard let row = try c.query("SELECT * FROM knowhow.change WHERE id = $1", [number]).first else {
                throw KnowHowError.unsupported("there is no change #\(number); `history` lists them")
            }
            return try Self.changeRecord(c, row, details: true)
        }
    }

    /// The key `history` looks up: r12, @kim (also once merged away), or a tag.
    static func historyKey(_ c: PGConnection, _ reference: String) throws -> Int64 {
        try HistoryRows.key(of: reference, memberID: {
            try c.query("SELECT id FROM knowhow.member WHERE handle = $1", [$0]).first?.get("id", as: Int64.self)
        }, formerMemberID: {
            try c.query("""
                SELECT (coalesce(before, after)::json ->> 'id')::bigint AS id FROM knowhow.change_row
                WHERE tbl = 'member' AND coalesce(before, after)::json ->> 'handle' = $1 ORDER BY change_id DESC LIMIT 1
                """, [$0]).first?.get("id", as: Int64.self)
        }, tagID: { try tagID(c, try Validation.tag($0)) })
    }

    static func changeRecord(_ c: PGConnection, _ row: PGRow, details: Bool) throws -> ChangeRecord {
        let number: Int64 = try row.require("id")
        let count: Int = try c.query("SELECT count(*) AS n FROM knowhow.change_row WHERE change_id = $1", [number]).first!.require("n")
        var record = ChangeRecord(number: number, actor: try row.get("actor"),
                                  at: Timestamp(try row.require("at", as: String.self)) ?? Timestamp(seconds: 0),
                                  action: try row.require("action"), summary: try row.require("summary"), rowCount: count,
                                  undoes: try row.get("undoes"), undoneBy: try row.get("undone_by"))
        if details {
            record.details = try rowImages(c, change: number).map { try rowChange(c, $0) }
        }
        return record
    }

    static func rowImages(_ c: PGConnection, change n: Int64) throws -> [HistoryRows.Image] {
        try c.query("SELECT tbl, pk, before, after FROM knowhow.change_row WHERE change_id = $1 ORDER BY seq", [n]).rows.map {
            HistoryRows.Image(table: try $0.require("tbl"), pk: try $0.require("pk"), before: try $0.get("before"), after: try $0.get("after"))
        }
    }

    static func rowChange(_ c: PGConnection, _ r: HistoryRows.Image) throws -> RowChange {
        try HistoryRows.rowChange(r, handle: { try handleOf(c, $0) }, tagName: { id in
            if let name = try c.query("SELECT name FROM knowhow.tag WHERE id = $1", [id]).first?.get("name", as: String.self) { return name }
            return try c.query("""
                SELECT coalesce(before, after)::json ->> 'name' AS name FROM knowhow.change_row
                WHERE tbl = 'tag' AND pk = $1 ORDER BY change_id DESC LIMIT 1
                """, ["[\(id)]"]).first?.get("name")
        })
    }

    /// A member's handle by row id, also once merged away or deleted (from the rows history kept).
    static func handleOf(_ c: PGConnection, _ id: Int64) throws -> String? {
        if let h = try handle(c, id) { return h }
        return try c.query("""
            SELECT coalesce(before, after)::json ->> 'handle' AS handle FROM knowhow.change_row
            WHERE tbl = 'member' AND pk = $1 ORDER BY change_id DESC LIMIT 1
            """, ["[\(id)]"]).first?.get("handle")
    }

    // MARK: - Undo

    /// Reverses a change (by default the acting member's last one) as a new change, refusing when a
    /// later change touched the same rows. Returns the record of the undo.
    public func undo(_ number: Int64?, as acting: Acting) throws -> ChangeRecord {
        // Chosen before this undo is itself recorded as a change.
        var chosen: Int64 = 0
        let undoNumber: Int64 = try change(.undo, as: acting, target: { c in
            chosen = try Self.changeToUndo(c, number, acting: acting.actor)
            return Target(ref: "#\(chosen)", owner: try c.query("SELECT actor FROM knowhow.change WHERE id = $1", [chosen]).first?.get("actor"))
        }) { c, note in
            let n = chosen
            let target = try c.query("SELECT * FROM knowhow.change WHERE id = $1", [n]).first!
            let summary: String = try target.require("summary")
            guard try target.require("undoable", as: Bool.self) else {
                throw KnowHowError.unsupported("change #\(n) (\(summary)) was an import, which cannot be undone")
            }
            if let by: Int64 = try target.get("undone_by") {
                throw KnowHowError.conflict("change #\(n) was already undone by #\(by)")
            }
            try Self.authorizeAgain(c, change: n, acting: acting.actor)
            try Self.reverse(c, change: n)
            note.marks.append((n, note.number))
            // Undoing an undo redoes the original.
            if let original: Int64 = try target.get("undoes") { note.marks.append((original, nil)) }
            note.undoes = n
            note.summary = ChangeNotes.undid(n, summary)
            return note.number
        }
        return try historyRecord(undoNumber)
    }

    /// Undoing (or redoing) a change needs what the change itself needed, as the actor holds it now:
    /// a curator demoted since cannot undo their curator-only changes.
    static func authorizeAgain(_ c: PGConnection, change n: Int64, acting: ActingAs) throws {
        guard case .member(let handle) = acting,
              let me = try c.query("SELECT id, role FROM knowhow.member WHERE handle = $1", [handle]).first else { return }
        let role = Role(rawValue: try me.require("role")) ?? .member
        // Undoing an undo makes the original change again: that one's rule applies.
        var number = n
        var seen: Set<Int64> = []
        while seen.insert(number).inserted,
              let row = try c.query("SELECT action, undoes FROM knowhow.change WHERE id = $1", [number]).first,
              try row.require("action", as: String.self) == ChangeAction.undo.rawValue, let undone: Int64 = try row.get("undoes") {
            number = undone
        }
        guard let name = try c.query("SELECT action FROM knowhow.change WHERE id = $1", [number]).first?.get("action", as: String.self),
              let action = ChangeAction(rawValue: name), action != .undo else { return }
        let rows = try rowImages(c, change: number)
        let rule = Permissions.rule(action)
        var isOwner = try changeOwner(c, rows) == handle
        // A meeting's recording is its attendees' and presenters' as well as its organiser's.
        if action == .recordMeeting, !isOwner, let meeting = HistoryRows.meeting(rows) {
            isOwner = (try? loadMeeting(c, number: meeting).people.contains(handle)) ?? false
        }
        func refuse(_ needs: Role) -> KnowHowError {
            let doing = (!isOwner && rule.leastForOwn != nil ? rule.doingOthers : nil) ?? rule.doing
            return .permissionDenied(action: "Undoing #\(n) (\(doing))", needs: needs, actor: handle)
        }
        if action == .verify {
            guard role < rule.least else { return }
            guard let practice = HistoryRows.practice(rows) else { throw refuse(rule.least) }
            let id = EntryID(.practice, practice)
            let t = Target(ref: id.description, owner: try? owner(c, id),
                           expertTags: try c.query("SELECT tag_id FROM knowhow.entry_tag WHERE entry = $1", [EntryKeys.make(id)]).rows
                               .map { try $0.require("tag_id") })
            do { try authorizeVerifier(c, member: try me.require("id"), handle: handle, role: role, t) } catch { throw refuse(rule.least) }
            return
        }
        if let needs = Permissions.missingRole(action, role: role, isOwner: isOwner) { throw refuse(needs) }
        // A profile edit that changed a role needed a curator as well.
        if action == .editMember, role < Permissions.rule(.setRole).least, HistoryRows.changesRole(rows) {
            throw KnowHowError.permissionDenied(action: "Undoing #\(n) (changing a member's role)", needs: Permissions.rule(.setRole).least, actor: handle)
        }
    }

    /// Whose entry, profile, question or endorsement a change was made to, read from its rows.
    static func changeOwner(_ c: PGConnection, _ rows: [HistoryRows.Image]) throws -> String? {
        switch HistoryRows.owner(rows) {
        case .member(let id)?: return try handleOf(c, id)
        case .entry(let k)?: return try? owner(c, EntryID(EntryKeys.type(k)!, k >> 3))
        case nil: return nil
        }
    }

    static func changeToUndo(_ c: PGConnection, _ number: Int64?, acting: ActingAs) throws -> Int64 {
        if let number {
            guard try c.query("SELECT 1 FROM knowhow.change WHERE id = $1", [number]).first != nil else {
                throw KnowHowError.unsupported("there is no change #\(number); `history` lists them")
            }
            return number
        }
        let byActor: String
        var p: [PGBindable?] = []
        switch acting {
        case .nobody: throw KnowHowError.notIdentified(action: "Undoing your last change")
        case .system: byActor = "actor IS NULL"
        case .member(let h): byActor = "actor = $1"; p = [h]
        }
        guard let n = try c.query("""
            SELECT id FROM knowhow.change WHERE \(byActor) AND undone_by IS NULL AND undoes IS NULL AND undoable
            ORDER BY id DESC LIMIT 1
            """, p).first?.get("id", as: Int64.self) else {
            throw KnowHowError.unsupported("you have no change to undo; `history` lists what changed")
        }
        return n
    }

    /// The tables history records, with their primary key columns.
    static func recordedTables(_ c: PGConnection) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for r in try c.query("SELECT name, pk FROM knowhow.recorded_table").rows {
            out[try r.require("name")] = try r.require("pk", as: PGTextArray.self).values
        }
        return out
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Restores the before-images of a change's rows, after checking each row is still as the change
    /// left it and that nothing made since depends on rows it created.
    static func reverse(_ c: PGConnection, change n: Int64) throws {
        let rows = try rowImages(c, change: n)
        let tables = try recordedTables(c)
        // Table and column names come from the catalog, never from a row's text.
        func table(_ name: String) throws -> (name: String, key: String) {
            guard let pk = tables[name] else { throw KnowHowError.unsupported("change #\(n) touched records this store no longer keeps, so it cannot be undone") }
            let cols = pk.map(quoted).joined(separator: ", ")
            return ("knowhow." + quoted(name), "(\(pk.map { "x." + quoted($0) }.joined(separator: ", "))) = (SELECT \(cols) FROM json_populate_record(NULL::knowhow.\(quoted(name)), $1::json))")
        }
        // 1. Every row must be as this change left it.
        for r in rows {
            let t = try table(r.table)
            let current = try c.query("SELECT row_to_json(x)::text AS image FROM \(t.name) x WHERE \(t.key)", [r.after ?? r.before])
                .first?.get("image", as: String.self)
            if current != r.after { throw try laterChangeError(c, n, table: r.table, pk: r.pk, row: r) }
        }
        // 2. Nothing made since may refer to a row this change created.
        let created = rows.filter { $0.before == nil }
        if !created.isEmpty {
            let references = try foreignKeys(c).filter { tables[$0.child] != nil }
            let createdIDs = Set(created.map { $0.table + "\u{1}" + $0.pk })
            for r in created {
                for fk in references where fk.parent == r.table {
                    let parentCols = fk.parentColumns.map(quoted).joined(separator: ", ")
                    let childCols = fk.childColumns.map { "x." + quoted($0) }.joined(separator: ", ")
                    for pk in try c.query("""
                        SELECT knowhow.pk_text(to_jsonb(x), $2::text[]) AS pk FROM knowhow.\(quoted(fk.child)) x
                        WHERE (\(childCols)) = (SELECT \(parentCols) FROM json_populate_record(NULL::knowhow.\(quoted(r.table)), $1::json))
                        """, [r.after, "{" + (tables[fk.child] ?? []).joined(separator: ",") + "}"]).rows.map({ try $0.require("pk", as: String.self) })
                    where !createdIDs.contains(fk.child + "\u{1}" + pk) {
                        throw try laterChangeError(c, n, table: fk.child, pk: pk, row: r)
                    }
                }
            }
        }
        // 3. Put every row back: deleted rows first (parents before the children deleted with
        // them), then updated ones, then created rows go (children first), each newest first.
        try c.executeScript("SET CONSTRAINTS ALL DEFERRED")
        for r in rows.reversed() where r.before != nil && r.after == nil {
            let t = try table(r.table)
            try c.execute("INSERT INTO \(t.name) SELECT * FROM json_populate_record(NULL::\(t.name), $1::json)", [r.before])
        }
        for r in rows.reversed() where r.before != nil && r.after != nil {
            let t = try table(r.table)
            let columns = try c.query("""
                SELECT b.key FROM json_each($1::json) b JOIN json_each($2::json) a ON a.key = b.key
                WHERE b.value::text IS DISTINCT FROM a.value::text ORDER BY b.key
                """, [r.before, r.after]).rows.map { try $0.require("key", as: String.self) }
            guard !columns.isEmpty else { continue }
            let list = columns.map(quoted).joined(separator: ", ")
            let changed = try c.execute("UPDATE \(t.name) x SET (\(list)) = (SELECT \(list) FROM json_populate_record(NULL::\(t.name), $1::json)) WHERE \(t.key)",
                                        [r.before])
            if changed != 1 { throw hiddenRow(n, table: r.table) }
        }
        for r in rows.reversed() where r.before == nil && r.after != nil {
            let t = try table(r.table)
            if try c.execute("DELETE FROM \(t.name) x WHERE \(t.key)", [r.after]) != 1 { throw hiddenRow(n, table: r.table) }
        }
    }

    /// A row the undo must put back that the database's row policies keep this login from
    /// changing: the whole undo is refused (its transaction rolls back), never done in part.
    static func hiddenRow(_ n: Int64, table: String) -> KnowHowError {
        .unsupported("undoing #\(n) would change a \(table.replacingOccurrences(of: "_", with: " ")) row your database login may not change, so nothing was undone; ask a curator to undo it")
    }

    struct ForeignKey {
        var child: String, childColumns: [String]
        var parent: String, parentColumns: [String]
    }

    /// The foreign keys between KnowHow's tables, from the catalog.
    static func foreignKeys(_ c: PGConnection) throws -> [ForeignKey] {
        try c.query("""
            SELECT cl.relname::text AS child, pa.relname::text AS parent,
                   ARRAY(SELECT a.attname::text FROM unnest(co.conkey) WITH ORDINALITY AS k(n, i)
                         JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.n ORDER BY k.i) AS child_columns,
                   ARRAY(SELECT a.attname::text FROM unnest(co.confkey) WITH ORDINALITY AS k(n, i)
                         JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.n ORDER BY k.i) AS parent_columns
            FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_class pa ON pa.oid = co.confrelid
            JOIN pg_namespace ns ON ns.oid = cl.relnamespace
            WHERE co.contype = 'f' AND ns.nspname = 'knowhow' ORDER BY co.conname
            """).rows.map {
            ForeignKey(child: try $0.require("child"), childColumns: try $0.require("child_columns", as: PGTextArray.self).values,
                       parent: try $0.require("parent"), parentColumns: try $0.require("parent_columns", as: PGTextArray.self).values)
        }
    }

    /// The refusal for an undo blocked by a later change to the same row.
    static func laterChangeError(_ c: PGConnection, _ n: Int64, table: String, pk: String, row: HistoryRows.Image) throws -> KnowHowError {
        let change = try rowChange(c, row)
        let what = change.table + " " + change.key
        if let later = try c.query("""
            SELECT c.id, c.summary, c.actor FROM knowhow.change_row r JOIN knowhow.change c ON c.id = r.change_id
            WHERE r.tbl = $1 AND r.pk = $2 AND r.change_id > $3 AND c.undone_by IS NULL ORDER BY c.id DESC LIMIT 1
            """, [table, pk, n]).first {
            let id: Int64 = try later.require("id")
            let by = (try later.get("actor", as: String.self)).map { " by @\($0)" } ?? ""
            return .conflict("cannot undo #\(n): change #\(id) (\(try later.require("summary", as: String.self)))\(by) has changed the same record since (\(what)); undo #\(id) first")
        }
        return .conflict("cannot undo #\(n): \(what) was changed since outside the history (by an import?), so undoing it could lose that change")
    }
}
