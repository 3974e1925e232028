import Foundation
import GRDB
import KnowHowCore

/// The community file's links (see CommunityLinks.swift), imported after every entry they name.
/// A link the store holds already is skipped; one that contradicts what the store holds (a
/// redirect from an id that is a live entry here, or pointing elsewhere; a practice with another
/// successor) is refused, naming the record, and the import changes nothing.
extension CommunityImport {
    func importLinks() throws {
        try records.forEach(Endorsement.self) { i, e in try at(Endorsement.section, i) { try add(e) }; tick(Endorsement.section) }
        try records.forEach(Succession.self) { i, s in try at(Succession.section, i) { try add(s) }; tick(Succession.section) }
        var redirects: [(Int, String)] = []
        try records.forEach(Redirect.self) { i, r in
            try at(Redirect.section, i) { if let from = try add(r) { redirects.append((i, from)) } }
            tick(Redirect.section)
        }
        // Each redirect must lead to something that exists, once all of them are in (they may chain).
        for (i, from) in redirects {
            try at(Redirect.section, i) {
                guard let end = try Store.redirected(db, from), try exists(EntryRef(end)) else {
                    throw KnowHowError.conflict("the redirect from \(from) leads to nothing in the file or the store")
                }
            }
        }
        try records.forEach(NotDuplicatePair.self) { i, p in try at(NotDuplicatePair.section, i) { try add(p) }; tick(NotDuplicatePair.section) }
    }

    func added(_ section: String) { summary.linksAdded[section, default: 0] += 1 }

    /// The number an entry of the file has in the store (it may have been renumbered).
    func number(_ id: EntryID) throws -> Int64 {
        let n = moved[id] ?? id.number
        guard try Int64.fetchOne(cached: db, sql: "SELECT 1 FROM \(EntryKey.table(id.type)) WHERE id = ?", arguments: [n]) != nil else {
            throw KnowHowError.unknownEntry(id)
        }
        return n
    }

    /// A reference of the file as the store knows it (ids follow renumbering).
    func inStore(_ ref: EntryRef) -> EntryRef {
        if case .entry(let id) = ref, let n = moved[id] { return .entry(EntryID(id.type, n)) }
        return ref
    }

    func exists(_ ref: EntryRef?) throws -> Bool {
        switch ref {
        case nil: return false
        case .member(let h): return try Int64.fetchOne(cached: db, sql: "SELECT 1 FROM member WHERE handle = ?", arguments: [h]) != nil
        case .entry(let id):
            return try Int64.fetchOne(cached: db, sql: "SELECT 1 FROM \(EntryKey.table(id.type)) WHERE id = ?", arguments: [id.number]) != nil
        }
    }

    func add(_ e: Endorsement) throws {
        let (member, by, tag) = try CommunityLinkRules.endorsement(e)
        let m = try session.memberID(db, member), b = try session.memberID(db, by)
        guard let t = try Store.tagID(db, tag, create: false) else { throw KnowHowError.unknownTag(tag, suggestion: nil) }
        try db.run(sql: "INSERT OR IGNORE INTO endorsement(endorser_id, member_id, tag_id, created) VALUES (?, ?, ?, ?)",
                   arguments: [b, m, t, e.at.description])
        if db.changesCount > 0 { added(Endorsement.section) } else { summary.skipped += 1 }
    }

    func add(_ s: Succession) throws {
        try CommunityLinkRules.succession(s)
        let p = try number(s.practice), next = try number(s.supersededBy)
        if let held = try Int64.fetchOne(cached: db, sql: "SELECT successor_id FROM practice_successor WHERE practice_id = ?", arguments: [p]) {
            guard held == next else {
                throw KnowHowError.conflict("\(EntryID(.practice, p)) is superseded by p\(held) in this store, not by \(EntryID(.practice, next))")
            }
            summary.skipped += 1
            return
        }
        try db.run(sql: "INSERT INTO practice_successor(practice_id, successor_id) VALUES (?, ?)", arguments: [p, next])
        added(Succession.section)
    }

    /// Adds a redirect; returns where it starts when it was added (checked once all are in).
    func add(_ r: Redirect) throws -> String? {
        let (from, rawTo) = try CommunityLinkRules.redirect(r)
        let to = inStore(rawTo)
        if try exists(from) {
            throw KnowHowError.conflict("\(from) is \(from.type == .member ? "a member" : "an entry") in this store, so the file's redirect from it to \(rawTo) cannot be kept")
        }
        if let held = try String.fetchOne(cached: db, sql: "SELECT new FROM redirect WHERE old = ?", arguments: [from.description]) {
            guard held == to.description else {
                throw KnowHowError.conflict("\(from) already points to \(held) in this store, not to \(to)")
            }
            summary.skipped += 1
            return nil
        }
        try db.run(sql: "INSERT INTO redirect(old, new) VALUES (?, ?)", arguments: [from.description, to.description])
        added(Redirect.section)
        return from.description
    }

    func add(_ p: NotDuplicatePair) throws {
        let (a, b) = try CommunityLinkRules.pair(p)
        let pair = NotDuplicatePair(inStore(a), inStore(b))
        try db.run(sql: "INSERT OR IGNORE INTO not_duplicate(a, b) VALUES (?, ?)", arguments: [pair.a, pair.b])
        if db.changesCount > 0 { added(NotDuplicatePair.section) } else { summary.skipped += 1 }
    }
}

extension SQLiteKnowledgeStore {
    /// The community file's links, in a stable order (see CommunityLinks.swift).
    static func exportLinks(_ db: Database, into file: inout CommunityFile) throws {
        file.endorsements = try Row.fetchAll(db, sql: """
            SELECT m.handle AS member, t.name AS tag, x.handle AS endorser, e.created FROM endorsement e
            JOIN member m ON m.id = e.member_id JOIN member x ON x.id = e.endorser_id JOIN tag t ON t.id = e.tag_id
            ORDER BY m.handle, t.name, x.handle
            """).map { r in
                Endorsement(member: r["member"], tag: r["tag"], by: r["endorser"], at: Timestamp(r["created"] as String) ?? Timestamp(Date(timeIntervalSince1970: 0)))
            }
        file.successions = try Row.fetchAll(db, sql: "SELECT practice_id, successor_id FROM practice_successor ORDER BY practice_id").map {
            Succession(practice: EntryID(.practice, $0[0]), supersededBy: EntryID(.practice, $0[1]))
        }
        file.redirects = try Row.fetchAll(db, sql: "SELECT old, new FROM redirect ORDER BY old").map { Redirect(from: $0[0], to: $0[1]) }
        file.notDuplicates = try Row.fetchAll(db, sql: "SELECT a, b FROM not_duplicate ORDER BY a, b").compactMap {
            guard let a = EntryRef($0[0] as String), let b = EntryRef($0[1] as String) else { return nil }
            return NotDuplicatePair(a, b)
        }
    }
}
