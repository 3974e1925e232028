import Foundation
import KnowHowCore

/// Curation on PostgreSQL, as the SQLite store does it (SQLiteKnowledgeStore+Curation.swift):
/// redirects of merged-away ids, successors of retired practices, similar entries and likely
/// duplicates (the rules are the core's: `Similarity`, `DuplicateFinder`, `MergeRules`), tag
/// merges, entry merges, verification and retirement.
extension PostgresKnowledgeStore: KnowledgeReading {
    // MARK: - Redirects

    public func redirect(_ ref: EntryRef) throws -> EntryRef? {
        try run { c in
            switch ref {
            case .member(let h):
                if try c.query("SELECT 1 FROM knowhow.member WHERE handle = $1", [h]).first != nil { return nil }
            case .entry(let id):
                guard id.type != .member else { return nil }
                if try c.query("SELECT 1 FROM knowhow.\(id.type.rawValue) WHERE id = $1", [id.number]).first != nil { return nil }
            }
            return try Self.redirected(c, ref.description).flatMap(EntryRef.init)
        }
    }

    // MARK: - Practices: successors and reviews

    /// The practice that replaced a retired one.
    public func successor(of id: EntryID) throws -> EntryID? {
        try run { c in
            let n = try Self.require(c, id)
            return try c.query("SELECT successor_id FROM knowhow.practice_successor WHERE practice_id = $1", [n]).first?
                .get("successor_id", as: Int64.self).map { EntryID(.practice, $0) }
        }
    }

    /// Practices not retired whose review date is past or within `days` of `today`, soonest first.
    public func dueForReview(within days: Int, today: Day) throws -> [Practice] {
        let horizon = Day(today.date.addingTimeInterval(Double(days) * 86_400))
        return try run { c in
            try c.query("""
                SELECT id FROM knowhow.practice WHERE status <> 'retired' AND review_by IS NOT NULL AND review_by COLLATE "C" <= $1
                ORDER BY review_by COLLATE "C", id
                """, [horizon.description]).rows.map { try Self.loadPractice(c, number: try $0.require("id")) }
        }
    }

    // MARK: - Similar entries and duplicates

    /// The entries of one type whose index rows match any of `words`, closest first (bm25, as
    /// SQLite orders them), with their indexed title and summary.
    static func closestKeys(_ c: PGConnection, words: [String], type: EntryType, extra: String = "", _ values: [PGBindable?] = [],
                            limit: Int) throws -> [(key: Int64, title: String, summary: String)] {
        var p = PGParameters()
        for v in values { _ = p.bind(v) }
        let q = p.bind(words.map(TSQuery.quote).joined(separator: " | "))
        let rows = try c.query("""
            SELECT e.entry, e.title, e.summary FROM knowhow.entry_text e, to_tsquery('\(TSQuery.configuration)', \(q)) query
            WHERE e.search @@ query AND e.entry & 7 = \(type.keyCode)\(extra)
            ORDER BY ts_rank_cd('\(weights)', e.search, query, 2) DESC, e.entry LIMIT \(p.bind(PostgresBM25.candidates))
            """, p.values).rows
        var texts: [Int64: (String, String)] = [:]
        for r in rows { texts[try r.require("entry")] = (try r.require("title"), try r.require("summary")) }
        let node: QueryNode = words.count == 1 ? .term(words[0]) : .or(words.map(QueryNode.term))
        return try PostgresBM25.rank(c, node: node, keys: rows.map { try $0.require("entry") }).prefix(limit).compactMap { k, _ in
            texts[k].map { (k, $0.0, $0.1) }
        }
    }

    /// Existing entries like a draft: same address, same email, or close title and summary.
    public func similar(to draft: Draft, limit: Int) throws -> [SimilarEntry] {
        try Validation.checkLengths(draft)
        return try run { c in
            var found: [EntryRef: SimilarEntry] = [:]
            func add(_ ref: EntryRef, _ title: String, _ why: String, _ score: Double) {
                if let e = found[ref], e.score >= score { return }
                found[ref] = SimilarEntry(ref: ref, title: title, why: why, score: score)
            }
            if draft.type == .resource, let url = Validation.text(draft.url) {
                let key = Similarity.urlKey(url)
                let host = String(key.prefix { $0 != "/" && $0 != "?" })
                for r in try c.query("SELECT id, title, url FROM knowhow.resource WHERE url LIKE $1 ORDER BY id",
                                     ["%" + PostgresFilters.likeEscaped(host) + "%"]).rows
                where Similarity.urlKey(try r.require("url")) == key {
                    add(.entry(EntryID(.resource, try r.require("id"))), try r.require("title"), Similarity.sameAddress, 1)
                }
            }
            if draft.type == .member {
                for r in try c.query("SELECT handle, name, email FROM knowhow.member WHERE lower(email) = lower($1) OR name = $2 ORDER BY id",
                                     [Validation.text(draft.email), draft.title]).rows {
                    let sameEmail = (try r.get("email", as: String.self))?.lowercased() == draft.email?.lowercased() && draft.email != nil
                    add(.member(try r.require("handle")), try r.require("name"), sameEmail ? Similarity.sameEmail : Similarity.sameName, 1)
                }
                // Names written differently: Kim Lee, kim-lee, KimLee.
                let words = Similarity.words(draft.title)
                if !words.isEmpty {
                    for r in try Self.closestKeys(c, words: words, type: .member, limit: 20) {
                        guard let m = try c.query("SELECT handle, name FROM knowhow.member WHERE id = $1", [EntryKeys.number(r.key)]).first else { continue }
                        let h: String = try m.require("handle"), name: String = try m.require("name")
                        if let like = Similarity.memberLikeness(name: name, handle: h, to: draft) { add(.member(h), name, like.why, like.score) }
                    }
                }
            } else {
                let words = Similarity.words(draft.title)
                if !words.isEmpty {
                    let rows = try Self.closestKeys(c, words: Array(Set(words)).sorted(), type: draft.type, limit: 25)
                    let draftTags = Set(try draft.tags.compactMap { t in try Self.tagName(c, try Validation.tag(t)) })
                    for (key, title, summary) in rows {
                        let ref = EntryRef.entry(EntryID(draft.type, EntryKeys.number(key)))
                        let sharesTag = !draftTags.isDisjoint(with: try Self.entryTags(c, key: key))
                        if let like = Similarity.entryLikeness(title: title, summary: summary.isEmpty ? nil : summary, to: draft, sharesTag: sharesTag) {
                            add(ref, title, like.why, like.score)
                        }
                    }
                }
            }
            return found.values.sorted { ($0.score, $1.ref.description) > ($1.score, $0.ref.description) }.prefix(limit).map { $0 }
        }
    }

    /// Likely duplicate pairs for a curator to review (the rules: `DuplicateFinder`).
    public func duplicates(limit: Int) throws -> [DuplicatePair] {
        try run { c in
            var facts = DuplicateFinder.Facts(notDuplicates: [], addresses: [], titled: [:], people: [])
            facts.notDuplicates = try c.query("SELECT a, b FROM knowhow.not_duplicate").rows.map { (try $0.require("a"), try $0.require("b")) }
            facts.addresses = try c.query("SELECT id, title, url FROM knowhow.resource WHERE url IS NOT NULL ORDER BY id").rows.map {
                (number: try $0.require("id"), title: try $0.require("title"), url: try $0.require("url"))
            }
            for type in [EntryType.resource, .practice] {
                facts.titled[type] = try c.query("SELECT id, title FROM knowhow.\(type.rawValue) ORDER BY id").rows.map {
                    DuplicateFinder.Titled(number: try $0.require("id"), title: try $0.require("title"))
                }
            }
            facts.people = try c.query("SELECT id, handle, name, email, source_id FROM knowhow.member ORDER BY id").rows.map {
                DuplicateFinder.Person(id: try $0.require("id"), handle: try $0.require("handle"), name: try $0.require("name"),
                                       email: try $0.get("email"), imported: try $0.get("source_id", as: String.self) != nil)
            }
            return try DuplicateFinder.pairs(facts, limit: limit) { type, n, words in
                let key = EntryKeys.make(type, n)
                return try Self.closestKeys(c, words: words, type: type, extra: """
                     AND e.entry <> $1 AND e.entry IN (SELECT entry FROM knowhow.entry_tag
                        WHERE tag_id IN (SELECT tag_id FROM knowhow.entry_tag WHERE entry = $1))
                    """, [key], limit: 5).map { EntryKeys.number($0.key) }
            }
        }
    }

    // MARK: - Tags

    /// The id of an existing tag given by its own name (not an alias).
    static func ownTag(_ c: PGConnection, _ text: String) throws -> Int64 {
        let name = try Validation.tag(text)
        if let id: Int64 = try c.query("SELECT id FROM knowhow.tag WHERE name = $1", [name]).first?.get("id") { return id }
        if let owner: String = try c.query("""
            SELECT t.name FROM knowhow.tag_alias a JOIN knowhow.tag t ON t.id = a.tag_id WHERE a.alias = $1
            """, [name]).first?.get("name") {
            throw KnowHowError.conflict("'\(name)' is an alias of '\(owner)'; use '\(owner)'")
        }
        throw KnowHowError.unknownTag(name, suggestion: EditDistance.nearest(name, in: try tagNamesOnly(c), max: 1).first)
    }

    static func tagNamesOnly(_ c: PGConnection) throws -> [String] {
        try c.query("SELECT name FROM knowhow.tag").rows.map { try $0.require("name") }
    }

    public func tagMergePlan(_ from: String, into: String) throws -> TagMergePlan {
        try run { c in try Self.tagMergePlan(c, from, into) }
    }

    static func tagMergePlan(_ c: PGConnection, _ from: String, _ into: String) throws -> TagMergePlan {
        let f = try ownTag(c, from)
        let n = (try? Validation.tag(into)) ?? into
        guard let i = try tagID(c, n) else {
            throw KnowHowError.unknownTag(n, suggestion: EditDistance.nearest(n, in: try tagNamesOnly(c), max: 1).first)
        }
        guard f != i else { throw KnowHowError.conflict("'\(from)' and '\(into)' are the same tag") }
        let r = try c.query("""
            SELECT (SELECT name FROM knowhow.tag WHERE id = $1) AS from_name, (SELECT name FROM knowhow.tag WHERE id = $2) AS into_name,
                   (SELECT count(*) FROM knowhow.entry_tag WHERE tag_id = $1) AS entries,
                   (SELECT count(*) FROM (SELECT member_id FROM knowhow.member_skill WHERE tag_id = $1
                                          UNION SELECT member_id FROM knowhow.member_interest WHERE tag_id = $1) x) AS members,
                   (SELECT count(*) FROM knowhow.entry_tag a JOIN knowhow.entry_tag b ON b.entry = a.entry AND b.tag_id = $2 WHERE a.tag_id = $1)
                 + (SELECT count(*) FROM (SELECT member_id FROM knowhow.member_skill WHERE tag_id = $1
                                          UNION SELECT member_id FROM knowhow.member_interest WHERE tag_id = $1) x
                    WHERE member_id IN (SELECT member_id FROM knowhow.member_skill WHERE tag_id = $2
                                        UNION SELECT member_id FROM knowhow.member_interest WHERE tag_id = $2)) AS overlap,
                   ARRAY(SELECT alias FROM knowhow.tag_alias WHERE tag_id = $1 ORDER BY alias COLLATE "C") AS aliases
            """, [f, i]).first!
        return TagMergePlan(from: try r.require("from_name"), into: try r.require("into_name"), entries: try r.require("entries"),
                            members: try r.require("members"), overlap: try r.require("overlap"),
                            aliases: try r.require("aliases", as: PGTextArray.self).values)
    }

    // MARK: - Merging duplicates

    public func mergePlan(keep: EntryRef, drop: EntryRef) throws -> MergePlan {
        try run { c in try Self.mergeDraft(c, keep, drop).plan }
    }

    /// What a merge will keep, as a plan to show and as the merged record to write (the rules
    /// are the core's, `MergeRules`; the store reads the records and counts what moves).
    static func mergeDraft(_ c: PGConnection, _ keep: EntryRef, _ drop: EntryRef) throws -> (plan: MergePlan, merged: MergeRules.Merged) {
        try MergeRules.draft(keep: keep, drop: drop, MergeReader(c: c))
    }

    struct MergeReader: MergeRules.Reading {
        let c: PGConnection
        func requireOwn(_ id: EntryID) throws -> Int64 { try PostgresKnowledgeStore.requireOwn(c, id) }
        func requireOwnMember(_ handle: String) throws -> Int64 { try PostgresKnowledgeStore.requireOwnMember(c, handle) }
        func resource(_ number: Int64) throws -> Resource { try PostgresKnowledgeStore.loadResource(c, number: number) }
        func practice(_ number: Int64) throws -> Practice { try PostgresKnowledgeStore.loadPractice(c, number: number) }
        func member(_ id: Int64) throws -> Member { try PostgresKnowledgeStore.loadMember(c, id: id) }
        func count(_ reference: MergeRules.Reference, to id: Int64) throws -> Int {
            let (table, column) = reference.column
            return try c.query("SELECT count(*) FROM knowhow.\(table) WHERE \(column) = $1", [id]).first?.get(0) ?? 0
        }
    }
}
