import Foundation

/// What the rows a change recorded mean, whichever store recorded them. A store keeps, for every
/// row a change touched, a JSON image of the row before (nil: created) and after (nil: deleted),
/// with its primary key as a JSON array; these rules fold a change's log into one image per row,
/// say which entries to reindex and list the change under, whose the change was, and render a row
/// for `history #N`. The stores answer only the look-ups (handles, tag names) from their tables.
public enum HistoryRows {
    /// One row's net change within a change.
    public struct Image: Equatable, Sendable {
        public var table: String
        public var pk: String
        public var before: String?
        public var after: String?

        public init(table: String, pk: String, before: String?, after: String?) {
            self.table = table; self.pk = pk; self.before = before; self.after = after
        }
    }

    /// One entry of a change's log, as row triggers write it: a row inserted (old nil), deleted
    /// (new nil) or updated.
    public struct Logged: Sendable {
        public var table: String
        public var oldPK: String?, newPK: String?
        public var old: String?, new: String?

        public init(table: String, oldPK: String?, newPK: String?, old: String?, new: String?) {
            self.table = table; self.oldPK = oldPK; self.newPK = newPK; self.old = old; self.new = new
        }
    }

    /// Folds a change's log (in order) into one before/after image per row, in order of first
    /// touch, leaving out rows that ended as they began.
    public static func fold(_ log: [Logged]) -> [Image] {
        var order: [String] = []
        var rows: [String: Image] = [:]
        func touch(_ table: String, _ pk: String, before: String?, after: String?, created: Bool) {
            let id = table + "\u{1}" + pk
            if rows[id] != nil {
                rows[id]!.after = after
            } else {
                order.append(id)
                rows[id] = Image(table: table, pk: pk, before: created ? nil : before, after: after)
            }
        }
        for r in log {
            switch (r.oldPK, r.newPK) {
            case (nil, let n?):
                touch(r.table, n, before: nil, after: r.new, created: true)
            case (let o?, nil):
                touch(r.table, o, before: r.old, after: nil, created: false)
            case (let o?, let n?) where o == n:
                touch(r.table, o, before: r.old, after: r.new, created: false)
            case (let o?, let n?):
                touch(r.table, o, before: r.old, after: nil, created: false)
                touch(r.table, n, before: nil, after: r.new, created: true)
            default:
                break
            }
        }
        return order.compactMap { rows[$0] }.filter { $0.before != $0.after }
    }

    /// The key `history REF` looks up: an entry id's key (`r12`, whether or not it still exists),
    /// a member's (`@kim`; `memberID` reads one who exists, `formerMemberID` one merged away,
    /// from the history of their row), else a tag's (`tagID` reads it by name or alias).
    public static func key(of reference: String, memberID: (String) throws -> Int64?, formerMemberID: (String) throws -> Int64?,
                           tagID: (String) throws -> Int64?) throws -> Int64 {
        _ = try EntryID.parse(reference.trimmingCharacters(in: .whitespaces))  // refuses an id too large to be one
        if let ref = EntryRef(reference) {
            switch ref {
            case .entry(let id): return EntryKeys.make(id)
            case .member(let h):
                if let id = try memberID(h) ?? formerMemberID(h) { return EntryKeys.make(.member, id) }
                throw KnowHowError.unknownMember(handle: h)
            }
        }
        if let t = try tagID(reference) { return tagKey(t) }
        throw KnowHowError.unknownReference(reference)
    }

    /// A tag's key in a change's entry list (entry keys use type codes 1–5).
    public static func tagKey(_ id: Int64) -> Int64 { id << 3 | 6 }

    public static func decode(_ json: String?) -> [String: Any] {
        guard let json, let obj = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        return obj
    }

    public static func int(_ any: Any?) -> Int64? {
        if let n = any as? NSNumber { return n.int64Value }
        return nil
    }

    /// What rows touched mean for the index and for `history ID`.
    public struct Affected: Equatable, Sendable {
        /// Entry keys whose index rows to write again.
        public var index = Set<Int64>()
        /// Keys (entries, members, tags) to list the change under.
        public var history = Set<Int64>()
        /// Tags renamed or given other aliases: every entry and member using them is indexed again.
        public var renamedTags = Set<Int64>()
        /// Questions touched: their answers' index rows hold their title and tags.
        public var questions = Set<Int64>()

        public init() {}
    }

    /// Reads the keys rows name (the store adds the users of `renamedTags` and the answers of
    /// `questions` from its tables).
    public static func affected(_ rows: [Image]) -> Affected {
        var a = Affected()
        func entry(_ k: Int64) { a.index.insert(k); a.history.insert(k); if k & 7 == 4 { a.questions.insert(k >> 3) } }
        func key(_ t: EntryType, _ n: Int64) -> Int64 { n << 3 | Int64(t.keyCode) }
        for r in rows {
            for image in [decode(r.before), decode(r.after)] where !image.isEmpty {
                switch r.table {
                case "member": if let id = int(image["id"]) { entry(key(.member, id)) }
                case "member_skill", "member_interest":
                    if let id = int(image["member_id"]) { entry(key(.member, id)) }
                    if let t = int(image["tag_id"]) { a.history.insert(tagKey(t)) }
                case "endorsement":
                    if let id = int(image["member_id"]) { a.history.insert(key(.member, id)) }
                    if let id = int(image["endorser_id"]) { a.history.insert(key(.member, id)) }
                case "resource": if let id = int(image["id"]) { entry(key(.resource, id)) }
                case "resource_author":
                    if let id = int(image["resource_id"]) { entry(key(.resource, id)) }
                    if let id = int(image["member_id"]) { a.history.insert(key(.member, id)) }
                case "practice": if let id = int(image["id"]) { entry(key(.practice, id)) }
                case "practice_successor":
                    if let id = int(image["practice_id"]) { entry(key(.practice, id)) }
                case "question": if let id = int(image["id"]) { entry(key(.question, id)) }
                case "answer":
                    if let id = int(image["id"]) { entry(key(.answer, id)) }
                    if let q = int(image["question_id"]) { a.history.insert(key(.question, q)) }
                case "entry_tag":
                    if let k = int(image["entry"]) { entry(k) }
                    if let t = int(image["tag_id"]) { a.history.insert(tagKey(t)) }
                case "tag":
                    if let t = int(image["id"]) {
                        a.history.insert(tagKey(t))
                        let b = decode(r.before)["name"] as? String, after = decode(r.after)["name"] as? String
                        if b != after { a.renamedTags.insert(t) }
                    }
                case "tag_alias":
                    if let t = int(image["tag_id"]) { a.history.insert(tagKey(t)); a.renamedTags.insert(t) }
                case "meeting": if let id = int(image["id"]) { entry(key(.meeting, id)) }
                case "meeting_person":
                    if let id = int(image["meeting_id"]) { entry(key(.meeting, id)) }
                    if let id = int(image["member_id"]) { a.history.insert(key(.member, id)) }
                case "meeting_link":
                    if let id = int(image["meeting_id"]) { entry(key(.meeting, id)) }
                    if let k = int(image["entry"]) { a.history.insert(k) }
                default:
                    break
                }
            }
        }
        return a
    }

    /// Whose entry, profile, question or endorsement a change was made to, read from its rows.
    public enum Owner: Equatable, Sendable {
        /// A member by row id.
        case member(Int64)
        /// An entry by key (the owner is its contributor, asker or author).
        case entry(Int64)
    }

    public static func owner(_ rows: [Image]) -> Owner? {
        for r in rows {
            let image = decode(r.before ?? r.after)
            let member: Int64?
            switch r.table {
            case "member": member = int(image["id"])
            case "member_skill", "member_interest": member = int(image["member_id"])
            case "resource", "practice": member = int(image["contributor_id"])
            case "question": member = int(image["asker_id"])
            case "answer": member = int(image["author_id"])
            case "meeting", "meeting_series": member = int(image["organiser_id"])
            case "endorsement": member = int(image["endorser_id"])
            case "entry_tag":
                guard let k = int(image["entry"]), k & 7 != 1, k & 7 != 0, k & 7 <= 5 else { continue }
                return .entry(k)
            default: continue
            }
            return member.map { .member($0) }
        }
        return nil
    }

    /// True when a member row's role differs before and after.
    public static func changesRole(_ rows: [Image]) -> Bool {
        rows.contains { $0.table == "member" && decode($0.before)["role"] as? String != decode($0.after)["role"] as? String }
    }

    /// The practice a change's rows are about (verification), by number.
    public static func practice(_ rows: [Image]) -> Int64? {
        rows.lazy.filter { $0.table == "practice" }.compactMap { int(decode($0.before ?? $0.after)["id"]) }.first
    }

    /// The meeting a change's rows are about (recording one), by number.
    public static func meeting(_ rows: [Image]) -> Int64? {
        rows.lazy.compactMap { r -> Int64? in
            let image = decode(r.before ?? r.after)
            switch r.table {
            case "meeting": return int(image["id"])
            case "meeting_person", "meeting_link": return int(image["meeting_id"])
            default: return nil
            }
        }.first
    }

    /// A row image in words: which record, which fields changed from what to what. Rows name
    /// members and tags by id: `handle` and `tagName` give their names (from history when gone).
    public static func rowChange(_ r: Image, handle: (Int64) throws -> String?, tagName: (Int64) throws -> String?) throws -> RowChange {
        let before = decode(r.before), after = decode(r.after)
        let image = after.isEmpty ? before : after
        func full(_ v: Any?) -> String? {
            switch v {
            case nil, is NSNull: return nil
            case let s as String: return s
            case let n as NSNumber: return n.stringValue
            default: return "\(v!)"
            }
        }
        func text(_ v: Any?) -> String? { full(v).map { $0.count > 60 ? String($0.prefix(59)) + "…" : $0 } }
        func handleText(_ id: Any?) throws -> String {
            guard let id = int(id) else { return "?" }
            return try handle(id).map { "@" + $0 } ?? "a member no longer in the store"
        }
        func tagText(_ id: Any?) throws -> String {
            guard let id = int(id) else { return "?" }
            return try tagName(id).map { "#" + $0 } ?? "a tag no longer in the store"
        }
        func entry(_ key: Any?) throws -> String {
            guard let k = int(key), let t = EntryType.allCases.first(where: { Int64($0.keyCode) == k & 7 }) else { return "?" }
            return t == .member ? try handleText(k >> 3) : EntryID(t, k >> 3).description
        }
        /// A field's value as a person reads it: references by name, not row id.
        func value(_ name: String, _ v: Any?) throws -> String? {
            guard full(v) != nil else { return nil }
            switch name {
            case "contributor_id", "verified_by_id", "asker_id", "author_id", "member_id", "endorser_id", "organiser_id": return try handleText(v)
            case "tag_id": return try tagText(v)
            case "accepted_answer_id": return int(v).map { EntryID(.answer, $0).description }
            case "question_id", "resource_id", "practice_id", "successor_id":
                let type: EntryType = name == "question_id" ? .question : (name == "resource_id" ? .resource : .practice)
                return int(v).map { EntryID(type, $0).description }
            default: return full(v)
            }
        }
        let key: String
        switch r.table {
        case "member": key = "@" + (text(image["handle"]) ?? "?")
        case "resource": key = int(image["id"]).map { EntryID(.resource, $0).description } ?? "?"
        case "practice": key = int(image["id"]).map { EntryID(.practice, $0).description } ?? "?"
        case "question": key = int(image["id"]).map { EntryID(.question, $0).description } ?? "?"
        case "answer": key = int(image["id"]).map { EntryID(.answer, $0).description } ?? "?"
        case "meeting": key = int(image["id"]).map { EntryID(.meeting, $0).description } ?? "?"
        case "meeting_series": key = text(image["name"]) ?? "?"
        case "meeting_person": key = (int(image["meeting_id"]).map { EntryID(.meeting, $0).description } ?? "?") + " "
            + (text(image["part"]) ?? "") + " " + (try handleText(image["member_id"]))
        case "meeting_link": key = (int(image["meeting_id"]).map { EntryID(.meeting, $0).description } ?? "?") + " → " + (try entry(image["entry"]))
        case "tag": key = "#" + (text(image["name"]) ?? "?")
        case "tag_alias": key = (text(image["alias"]) ?? "?") + " → " + (try tagText(image["tag_id"]))
        case "entry_tag": key = (try entry(image["entry"])) + " " + (try tagText(image["tag_id"]))
        case "member_skill", "member_interest": key = (try handleText(image["member_id"])) + " " + (try tagText(image["tag_id"]))
        case "resource_author": key = (int(image["resource_id"]).map { EntryID(.resource, $0).description } ?? "?") + " " + (try handleText(image["member_id"]))
        case "endorsement": key = (try handleText(image["endorser_id"])) + " → " + (try handleText(image["member_id"])) + " " + (try tagText(image["tag_id"]))
        case "redirect": key = (text(image["old"]) ?? "?") + " → " + (text(image["new"]) ?? "?")
        case "not_duplicate": key = (text(image["a"]) ?? "?") + " and " + (text(image["b"]) ?? "?")
        default: key = r.pk
        }
        let kind: RowChange.Kind = r.before == nil ? .created : (r.after == nil ? .deleted : .updated)
        var fields: [(String, String?, String?)] = []
        if kind == .updated {
            for name in after.keys.sorted() where full(before[name]) != full(after[name]) {
                let shown = name.hasSuffix("_id") ? String(name.dropLast(3)) : name
                let (b, a) = TextDiff.short(try value(name, before[name]), try value(name, after[name]))
                fields.append((shown.replacingOccurrences(of: "_", with: " "), b, a))
            }
        }
        return RowChange(kind: kind, table: r.table.replacingOccurrences(of: "_", with: " "), key: key, fields: fields)
    }
}
