import Foundation
import KnowHowCore

/// Evidence for expert finding (`who`), endorsements and the tags of a member's work, as the
/// SQLite store gives them; the ranking of members is the core's (`ExpertRanker`).
extension PostgresKnowledgeStore: ExpertEvidenceSource {
    public func topicTags(_ query: Query) throws -> [String] {
        let names = ExpertRanker.topicTagCandidates(query)
        guard !names.isEmpty else { return [] }
        return try run { c in
            var found: [String] = []
            for n in names {
                if let t = try Self.tagName(c, n) {
                    found.append(t)
                } else if let stem = ExpertRanker.topicTagStem(n) {
                    // facilitating ~ facilitation: a shared stem of a long word.
                    found += try c.query("""
                        SELECT name FROM knowhow.tag WHERE name COLLATE "C" >= $1 AND name COLLATE "C" < $2 AND strpos(name, '-') = 0
                        ORDER BY name COLLATE "C" LIMIT 3
                        """, [stem, stem + "\u{10FFFF}"]).rows.map { try $0.require("name") }
                }
            }
            return Array(Set(found)).sorted()
        }
    }

    public func evidence(_ query: Query, limit: Int, asOf: Timestamp?) throws -> [EvidenceDoc] {
        guard let node = query.text, let tsquery = TSQuery.render(node) else { return [] }
        return try run { c in
            // As it stood at `asOf` (the relevance replay): later entries are in the index too, so
            // read deeper until `limit` entries of the time are found or the matches run out.
            var depth = limit
            while true {
                let pool = max(depth, PostgresBM25.candidates)
                let rows = try c.query("""
                    SELECT e.entry FROM knowhow.entry_text e, to_tsquery('\(TSQuery.configuration)', $1) query
                    WHERE e.search @@ query AND e.entry & 7 IN (2, 3, 4, 5, 7)
                    ORDER BY ts_rank_cd('\(Self.weights)', e.search, query, 2) DESC, e.entry LIMIT $2
                    """, [tsquery, pool]).rows
                // bm25 orders the candidates, as SQLite ranks the evidence.
                let ranked = try PostgresBM25.rank(c, node: node, keys: try rows.map { try $0.require("entry") }).prefix(depth)
                var docs: [EvidenceDoc] = []
                for (key, relevance) in ranked {
                    guard let doc = try Self.evidenceDoc(c, key: key, relevance: relevance, asOf: asOf) else { continue }
                    if let asOf, let d = doc.date, d > asOf { continue }
                    docs.append(doc)
                    if docs.count == limit { break }
                }
                if asOf == nil || docs.count >= limit || rows.count < pool || depth >= 1 << 20 {
                    // Each entry's tags (an answer's are its question's), in one query for all.
                    let keys = docs.map { d in d.thread.map { EntryKeys.make(.question, $0.number) } ?? EntryKeys.make(d.id) }
                    var tags: [Int64: [String]] = [:]
                    for r in try c.query("""
                        SELECT e.entry, t.name FROM knowhow.entry_tag e JOIN knowhow.tag t ON t.id = e.tag_id
                        WHERE e.entry = ANY ($1::bigint[]) ORDER BY e.entry, t.name COLLATE "C"
                        """, [Self.array(Set(keys).sorted())]).rows {
                        tags[try r.require("entry"), default: []].append(try r.require("name"))
                    }
                    for i in docs.indices { docs[i].tags = tags[keys[i]] ?? [] }
                    return docs
                }
                depth *= 4
            }
        }
    }

    public func unmatchedWords(_ words: [String]) throws -> [String] {
        try run { c in
            try words.filter { w in
                guard let q = TSQuery.render(.term(w)) else { return false }
                return try c.query("SELECT 1 FROM knowhow.entry_text WHERE search @@ to_tsquery('\(TSQuery.configuration)', $1) LIMIT 1", [q]).first == nil
            }
        }
    }

    /// An entry as evidence: who is linked to it and how (see the SQLite store's `evidenceDoc`:
    /// a question links its asker and those who answered it by `asOf`; as of a date no accepted
    /// mark or vote is known).
    static func evidenceDoc(_ c: PGConnection, key: Int64, relevance: Double, asOf: Timestamp? = nil) throws -> EvidenceDoc? {
        guard let type = EntryKeys.type(key) else { return nil }
        let n = EntryKeys.number(key)
        let id = EntryID(type, n)
        typealias L = EvidenceDoc.Link
        func date(_ r: PGRow, _ column: String) throws -> Timestamp? { (try r.get(column, as: String.self)).flatMap(Timestamp.init) }
        switch type {
        case .resource:
            guard let r = try c.query("""
                SELECT r.title, r.created, m.handle FROM knowhow.resource r LEFT JOIN knowhow.member m ON m.id = r.contributor_id WHERE r.id = $1
                """, [n]).first else { return nil }
            var links = (try r.get("handle", as: String.self)).map { [L(handle: $0, how: .contributed)] } ?? []
            links += try c.query("""
                SELECT m.handle FROM knowhow.resource_author a JOIN knowhow.member m ON m.id = a.member_id WHERE a.resource_id = $1 ORDER BY m.id
                """, [n]).rows.map { L(handle: try $0.require("handle"), how: .authored) }
            return EvidenceDoc(id: id, title: try r.require("title"), relevance: relevance, date: try date(r, "created"), links: links)
        case .practice:
            guard let r = try c.query("""
                SELECT p.title, p.created, c.handle AS contributor, v.handle AS verifier FROM knowhow.practice p
                LEFT JOIN knowhow.member c ON c.id = p.contributor_id LEFT JOIN knowhow.member v ON v.id = p.verified_by_id WHERE p.id = $1
                """, [n]).first else { return nil }
            var links: [L] = []
            if let h: String = try r.get("contributor") { links.append(L(handle: h, how: .contributed)) }
            if let h: String = try r.get("verifier") { links.append(L(handle: h, how: .verified)) }
            return EvidenceDoc(id: id, title: try r.require("title"), relevance: relevance, date: try date(r, "created"), links: links)
        case .question:
            guard let r = try c.query("""
                SELECT q.title, q.created, q.score, m.handle FROM knowhow.question q LEFT JOIN knowhow.member m ON m.id = q.asker_id WHERE q.id = $1
                """, [n]).first else { return nil }
            var links = (try r.get("handle", as: String.self)).map { [L(handle: $0, how: .asked)] } ?? []
            for a in try c.query("""
                SELECT m.handle, a.created, coalesce(q.accepted_answer_id = a.id, false) AS accepted, a.id FROM knowhow.answer a
                JOIN knowhow.question q ON q.id = a.question_id JOIN knowhow.member m ON m.id = a.author_id WHERE a.question_id = $1 ORDER BY a.id
                """, [n]).rows {
                if let asOf, let d = try date(a, "created"), d > asOf { continue }
                let accepted = try asOf == nil && a.require("accepted", as: Bool.self)
                links.append(L(handle: try a.require("handle"), how: accepted ? .acceptedAnswer : .answered, entry: EntryID(.answer, try a.require("id"))))
            }
            return EvidenceDoc(id: id, title: try r.require("title"), relevance: relevance, date: try date(r, "created"),
                               votes: asOf == nil ? try r.get("score") : nil, links: links, thread: id)
        case .answer:
            guard let r = try c.query("""
                SELECT q.title, a.created, a.score, m.handle, coalesce(q.accepted_answer_id = a.id, false) AS accepted, q.id AS qid
                FROM knowhow.answer a JOIN knowhow.question q ON q.id = a.question_id LEFT JOIN knowhow.member m ON m.id = a.author_id WHERE a.id = $1
                """, [n]).first else { return nil }
            let accepted = try asOf == nil && r.require("accepted", as: Bool.self)
            let links = (try r.get("handle", as: String.self)).map { [L(handle: $0, how: accepted ? .acceptedAnswer : .answered)] } ?? []
            return EvidenceDoc(id: id, title: try r.require("title"), relevance: relevance, date: try date(r, "created"),
                               votes: asOf == nil ? try r.get("score") : nil, links: links, thread: EntryID(.question, try r.require("qid")))
        case .meeting:
            // Presenting counts as evidence; the title says where and when ("'Reflective
            // supervision' at Elevenses, 2026-03-12").
            guard let m = try? loadMeeting(c, number: n), !m.presenters.isEmpty else { return nil }
            if let asOf, m.start > asOf { return nil }
            return EvidenceDoc(id: id, title: m.presentedPhrase, relevance: relevance, date: m.start,
                               links: m.presenters.map { L(handle: $0, how: .presented) })
        case .member:
            return nil
        }
    }

    public func memberFacts(handles: Set<String>, tags: [String]) throws -> [MemberFacts] {
        try run { c in
            let tagIDs = try tags.compactMap { try Self.tagID(c, $0) }
            var ids = Set(try Self.memberIDs(c, handles: handles).values)
            var skills: [Int64: [Skill]] = [:]
            var endorsements: [Int64: [String: Int]] = [:]
            if !tagIDs.isEmpty {
                // Every holder of a skill in the tags is a candidate.
                for r in try c.query("""
                    SELECT s.member_id, t.name, s.level FROM knowhow.member_skill s JOIN knowhow.tag t ON t.id = s.tag_id
                    WHERE s.tag_id = ANY ($1::bigint[]) ORDER BY s.member_id, t.name COLLATE "C"
                    """, [Self.array(tagIDs)]).rows {
                    let id: Int64 = try r.require("member_id")
                    ids.insert(id)
                    skills[id, default: []].append(Skill(tag: try r.require("name"), level: SkillLevel(rawValue: try r.require("level")) ?? .learning))
                }
                for e in try c.query("""
                    SELECT e.member_id, t.name, count(*) AS n FROM knowhow.endorsement e JOIN knowhow.tag t ON t.id = e.tag_id
                    WHERE e.member_id = ANY ($1::bigint[]) AND e.tag_id = ANY ($2::bigint[]) GROUP BY e.member_id, t.name
                    """, [Self.array(ids.sorted()), Self.array(tagIDs)]).rows {
                    endorsements[try e.require("member_id"), default: [:]][try e.require("name")] = try e.require("n")
                }
            }
            return try c.query("""
                SELECT id, handle, name, organisation, sector, source_id, open_to_questions, mentoring FROM knowhow.member
                WHERE id = ANY ($1::bigint[]) ORDER BY id
                """, [Self.array(ids.sorted())]).rows.map { r in
                let id: Int64 = try r.require("id")
                return MemberFacts(handle: try r.require("handle"), name: try r.require("name"), organisation: try r.get("organisation"),
                                   sector: try r.get("sector"), sourceId: try r.get("source_id"),
                                   openToQuestions: try r.require("open_to_questions"), mentoring: try r.require("mentoring"),
                                   skills: skills[id] ?? [], endorsements: endorsements[id] ?? [:])
            }
        }
    }

    /// Member ids by handle, for those of `handles` that exist.
    static func memberIDs(_ c: PGConnection, handles: Set<String>) throws -> [String: Int64] {
        guard !handles.isEmpty else { return [:] }
        var out: [String: Int64] = [:]
        for r in try c.query("SELECT handle, id FROM knowhow.member WHERE handle = ANY ($1::text[])", [array(handles.sorted())]).rows {
            out[try r.require("handle")] = try r.require("id")
        }
        return out
    }

    /// The kinds of work, in the order `WorkSample`s are given to the ranker (as the SQLite
    /// store's `workKinds`): the table, the member column, the date, the order, and how.
    static let workKinds: [(from: String, member: String, created: String, order: String, how: Contribution?)] = [
        ("knowhow.resource x", "x.contributor_id", "x.created", "x.id", .contributed),
        // A resource its contributor also wrote is one piece of work, as in the evidence.
        ("knowhow.resource_author a JOIN knowhow.resource x ON x.id = a.resource_id AND x.contributor_id IS DISTINCT FROM a.member_id",
         "a.member_id", "x.created", "a.resource_id", .authored),
        ("knowhow.practice x", "x.contributor_id", "x.created", "x.id", .contributed),
        ("knowhow.practice x", "x.verified_by_id", "coalesce(x.verified_at, x.created)", "x.id", .verified),
        ("knowhow.answer x", "x.author_id", "x.created", "x.id", nil),
    ]

    /// What members did, read from the tables in one query a kind for all of them: the `newest`
    /// latest of each kind, how many older, and the first one's date when there are more.
    public func work(of handles: Set<String>, asOf: Timestamp?, newest: Int) throws -> [String: [WorkSample]] {
        try run { c in
            let ids = try Self.memberIDs(c, handles: handles)
            guard !ids.isEmpty else { return [:] }
            let handleOf = Dictionary(ids.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            var out: [String: [WorkSample]] = [:]
            for h in ids.keys { out[h] = Array(repeating: WorkSample(newest: []), count: Self.workKinds.count) }
            for (kind, k) in Self.workKinds.enumerated() {
                // Accepted marks carry no date: as of a date, none is known.
                let accepted = k.how == nil && asOf == nil
                    ? "EXISTS (SELECT 1 FROM knowhow.question q WHERE q.accepted_answer_id = x.id)" : "false"
                var p = PGParameters()
                let members = p.bind(Self.array(Array(ids.values).sorted()))
                let cond = asOf.map { "AND \(k.created) COLLATE \"C\" <= \(p.bind($0.description))" } ?? ""
                let rows = try c.query("""
                    SELECT member, created, accepted, n, total FROM (
                        SELECT \(k.member) AS member, \(k.created) AS created, \(accepted) AS accepted,
                               row_number() OVER (PARTITION BY \(k.member) ORDER BY \(k.order) DESC) AS n,
                               count(*) OVER (PARTITION BY \(k.member)) AS total
                        FROM \(k.from) WHERE \(k.member) = ANY (\(members)::bigint[]) \(cond)) w
                    WHERE n <= \(p.bind(newest)) OR n = total
                    ORDER BY member, n
                    """, p.values).rows
                for r in rows {
                    guard let h = handleOf[try r.require("member", as: Int64.self)] else { continue }
                    let n: Int = try r.require("n"), total: Int = try r.require("total")
                    let date = (try r.get("created", as: String.self)).flatMap(Timestamp.init)
                    var sample = out[h]![kind]
                    if n <= newest {
                        let how = try k.how ?? (r.require("accepted", as: Bool.self) ? .acceptedAnswer : .answered)
                        sample.newest.append(DatedContribution(date: date, how: how))
                    }
                    if n == total, total >= newest {
                        sample.older = total - newest
                        sample.first = date
                    }
                    out[h]![kind] = sample
                }
            }
            return out
        }
    }

    // MARK: - Endorsements and the tags of a member's work

    /// Who endorsed this member, by tag.
    public func endorsements(of member: String) throws -> [String: [String]] {
        try run { c in
            let m = try Self.memberID(c, member)
            var out: [String: [String]] = [:]
            for r in try c.query("""
                SELECT t.name, x.handle FROM knowhow.endorsement e JOIN knowhow.tag t ON t.id = e.tag_id JOIN knowhow.member x ON x.id = e.endorser_id
                WHERE e.member_id = $1 ORDER BY t.name COLLATE "C", x.handle COLLATE "C"
                """, [m]).rows {
                out[try r.require("name"), default: []].append(try r.require("handle"))
            }
            return out
        }
    }

    /// Tags of what a member contributed, wrote, verified or answered, weighted by how strong the link is.
    public func evidenceTags(of member: String, limit: Int) throws -> [(tag: String, weight: Double)] {
        try run { c in
            let m = try Self.memberID(c, member)
            return try c.query("""
                SELECT t.name, sum(w) AS weight FROM (
                    SELECT id << 3 | 2 AS k, 1.0::float8 AS w FROM knowhow.resource WHERE contributor_id = $1
                    UNION ALL SELECT resource_id << 3 | 2, 1.0 FROM knowhow.resource_author WHERE member_id = $1
                    UNION ALL SELECT id << 3 | 3, 1.0 FROM knowhow.practice WHERE contributor_id = $1
                    UNION ALL SELECT id << 3 | 3, 0.6 FROM knowhow.practice WHERE verified_by_id = $1
                    UNION ALL SELECT a.question_id << 3 | 4, CASE WHEN q.accepted_answer_id = a.id THEN 2.5 ELSE 1.0 END
                        FROM knowhow.answer a JOIN knowhow.question q ON q.id = a.question_id WHERE a.author_id = $1
                ) x JOIN knowhow.entry_tag e ON e.entry = x.k JOIN knowhow.tag t ON t.id = e.tag_id
                GROUP BY t.name ORDER BY weight DESC, t.name COLLATE "C" LIMIT $2
                """, [m, limit]).rows.map { (try $0.require("name"), try $0.require("weight")) }
        }
    }

    // MARK: - Arrays as parameters

    /// Text as a PostgreSQL array literal, every element quoted (`$1::text[]`).
    static func array(_ texts: [String]) -> String {
        "{" + texts.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
