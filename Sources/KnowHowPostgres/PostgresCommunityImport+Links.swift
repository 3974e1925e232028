import Foundation
import KnowHowCore

/// The community file's links (see KnowHowCore/CommunityLinks.swift), with the SQLite import's
/// rules (KnowHowSQLite/CommunityImport+Links.swift): present ones are skipped, contradicting
/// ones refused by record. They are few, so they go in one by one after every entry.
extension PostgresCommunityImport {
    func importLinks() throws {
        try records.forEach(Endorsement.self) { i, e in try at(Endorsement.section, i) { try add(e) }; tick(Endorsement.section) }
        try records.forEach(Succession.self) { i, s in try at(Succession.section, i) { try add(s) }; tick(Succession.section) }
        var redirects: [(Int, String)] = []
        try records.forEach(Redirect.self) { i, r in
            try at(Redirect.section, i) { if let from = try add(r) { redirects.append((i, from)) } }
            tick(Redirect.section)
        }
        for (i, from) in redirects {
            try at(Redirect.section, i) {
                guard let end = try PostgresKnowledgeStore.redirected(c, from), try exists(EntryRef(end)) else {
                    throw KnowHowError.conflict("the redirect from \(from) leads to nothing in the file or the store")
                }
            }
        }
        try records.forEach(NotDuplicatePair.self) { i, p in try at(NotDuplicatePair.section, i) { try add(p) }; tick(NotDuplicatePair.section) }
    }

    func added(_ section: String) { summary.linksAdded[section, default: 0] += 1 }

    func number(_ id: EntryID) throws -> Int64 {
        let n = moved[id] ?? id.number
        guard try exists(.entry(EntryID(id.type, n))) else { throw KnowHowError.unknownEntry(id) }
        return n
    }

    func inStore(_ ref: EntryRef) -> EntryRef {
        if case .entry(let id) = ref, let n = moved[id] { return .entry(EntryID(id.type, n)) }
        return ref
    }

    func exists(_ ref: EntryRef?) throws -> Bool {
        switch ref {
        case nil: return false
        case .member(let h): return try c.query("SELECT 1 AS x FROM knowhow.member WHERE handle = $1", [h]).first != nil
        case .entry(let id): return try c.query("SELECT 1 AS x FROM knowhow.\(id.type.rawValue) WHERE id = $1", [id.number]).first != nil
        }
    }

    func add(_ e: Endorsement) throws {
        let (member, by, tag) = try CommunityLinkRules.endorsement(e)
        let m = try memberID(member), b = try memberID(by)
        guard let t = tagByName[tag] ?? aliasOwner[tag] else { throw KnowHowError.unknownTag(tag, suggestion: nil) }
        let n = try c.execute("""
            INSERT INTO knowhow.endorsement(endorser_id, member_id, tag_id, created) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING
            """, [b, m, t, e.at.description])
        if n > 0 { added(Endorsement.section) } else { summary.skipped += 1 }
    }

    func add(_ s: Succession) throws {
        try CommunityLinkRules.succession(s)
        let p = try number(s.practice), next = try number(s.supersededBy)
        if let held: Int64 = try c.query("SELECT successor_id FROM knowhow.practice_successor WHERE practice_id = $1", [p]).first?.get("successor_id") {
            guard held == next else {
                throw KnowHowError.conflict("\(EntryID(.practice, p)) is superseded by p\(held) in this store, not by \(EntryID(.practice, next))")
            }
            summary.skipped += 1
            return
        }
        try c.execute("INSERT INTO knowhow.practice_successor(practice_id, successor_id) VALUES ($1, $2)", [p, next])
        added(Succession.section)
    }

    func add(_ r: Redirect) throws -> String? {
        let (from, rawTo) = try CommunityLinkRules.redirect(r)
        let to = inStore(rawTo)
        if try exists(from) {
            throw KnowHowError.conflict("\(from) is \(from.type == .member ? "a member" : "an entry") in this store, so the file's redirect from it to \(rawTo) cannot be kept")
        }
        if let held: String = try c.query("SELECT new FROM knowhow.redirect WHERE old = $1", [from.description]).first?.get("new") {
            guard held == to.description else { throw KnowHowError.conflict("\(from) already points to \(held) in this store, not to \(to)") }
            summary.skipped += 1
            return nil
        }
        try c.execute("INSERT INTO knowhow.redirect(old, new) VALUES ($1, $2)", [from.description, to.description])
        added(Redirect.section)
        return from.description
    }

    func add(_ p: NotDuplicatePair) throws {
        let (a, b) = try CommunityLinkRules.pair(p)
        let pair = NotDuplicatePair(inStore(a), inStore(b))
        let n = try c.execute("INSERT INTO knowhow.not_duplicate(a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING", [pair.a, pair.b])
        if n > 0 { added(NotDuplicatePair.section) } else { summary.skipped += 1 }
    }
}

extension PostgresKnowledgeStore {
    /// The community file's links, in the SQLite store's order (byte order, as SQLite compares text).
    static func exportLinks(_ c: PGConnection, into file: inout CommunityFile) throws {
        file.endorsements = try c.query("""
            SELECT m.handle AS member, t.name AS tag, x.handle AS endorser, e.created FROM knowhow.endorsement e
            JOIN knowhow.member m ON m.id = e.member_id JOIN knowhow.member x ON x.id = e.endorser_id JOIN knowhow.tag t ON t.id = e.tag_id
            ORDER BY m.handle COLLATE "C", t.name COLLATE "C", x.handle COLLATE "C"
            """).rows.map { r in
                Endorsement(member: try r.require("member"), tag: try r.require("tag"), by: try r.require("endorser"),
                            at: Timestamp(try r.require("created", as: String.self)) ?? Timestamp(Date(timeIntervalSince1970: 0)))
            }
        file.successions = try c.query("SELECT practice_id, successor_id FROM knowhow.practice_successor ORDER BY practice_id").rows.map {
            Succession(practice: EntryID(.practice, try $0.require("practice_id")), supersededBy: EntryID(.practice, try $0.require("successor_id")))
        }
        file.redirects = try c.query("SELECT old, new FROM knowhow.redirect ORDER BY old COLLATE \"C\"").rows.map {
            Redirect(from: try $0.require("old"), to: try $0.require("new"))
        }
        file.notDuplicates = try c.query("SELECT a, b FROM knowhow.not_duplicate ORDER BY a COLLATE \"C\", b COLLATE \"C\"").rows.compactMap {
            guard let a = EntryRef(try $0.require("a", as: String.self)), let b = EntryRef(try $0.require("b", as: String.self)) else { return nil }
            return NotDuplicatePair(a, b)
        }
    }
}
