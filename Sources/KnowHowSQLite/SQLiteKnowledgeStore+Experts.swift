import Foundation
import GRDB
import KnowHowCore

/// Evidence for expert finding, questions and answers, endorsements.
extension SQLiteKnowledgeStore: ExpertEvidenceSource {
    public func topicTags(_ query: Query) throws -> [String] {
        let names = ExpertRanker.topicTagCandidates(query)
        guard !names.isEmpty else { return [] }
        return try read { db in
            var found: [String] = []
            for n in names {
                if let t = try String.fetchOne(db, sql: """
                    SELECT name FROM tag WHERE name = ?1
                    UNION ALL SELECT t.name FROM tag_alias a JOIN tag t ON t.id = a.tag_id WHERE a.alias = ?1
                    LIMIT 1
                    """, arguments: [n]) {
                    found.append(t)
                } else if let stem = ExpertRanker.topicTagStem(n) {
                    // facilitating ~ facilitation: a shared stem of a long word.
                    found += try String.fetchAll(db, sql: "SELECT name FROM tag WHERE name >= ? AND name < ? AND instr(name, '-') = 0 LIMIT 3",
                                                 arguments: [stem, stem + "\u{10FFFF}"])
                }
            }
            return Array(Set(found)).sorted()
        }
    }

    public func evidence(_ query: Query, limit: Int, asOf: Timestamp?) throws -> [EvidenceDoc] {
        guard let node = query.text, let match = FTS5Query.render(node) else { return [] }
        let tuning = searchTuning
        return try read { db in
            // As it stood at `asOf` (the relevance replay): later entries are in the index too, so
            // read deeper until `limit` entries of the time are found or the matches run out.
            // Members are no evidence, and are left out here rather than by a condition on the
            // search: with a condition, a phrase of common words was ranked over every match
            // (half a second at a million entries) where `find` takes its ranked lists.
            // Each entry is read once, however many times the search reads deeper.
            var depth = limit
            var made: [Int64: EvidenceDoc?] = [:]
            while true {
                let rows = try Self.rankedKeys(db, node: node, match: match, conditions: [], arguments: [], limit: depth, tuning: tuning)
                var docs: [EvidenceDoc] = []
                for row in rows where row.key & 7 != EntryKey.code(.member) {
                    let key = row.key
                    if made[key] == nil { made[key] = .some(try Self.evidenceDoc(db, key: key, relevance: -row.rank, asOf: asOf)) }
                    guard var doc = made[key] ?? nil else { continue }
                    if let asOf, let d = doc.date, d > asOf { continue }
                    doc.relevance = -row.rank
                    docs.append(doc)
                    if docs.count == limit { break }
                }
                if docs.count >= limit || rows.count < depth || depth >= 1 << 20 {
                    // Each entry's tags (an answer's are its question's), in one query for all.
                    let keys = docs.map { d in d.thread.map { EntryKey.make(.question, $0.number) } ?? EntryKey.make(d.id) }
                    var tags: [Int64: [String]] = [:]
                    for chunk in Self.chunks(Array(Set(keys)).sorted()) {
                        for r in try Row.fetchAll(db, sql: """
                            SELECT e.entry, t.name FROM entry_tag e JOIN tag t ON t.id = e.tag_id
                            WHERE e.entry IN (\(chunk.map(String.init).joined(separator: ","))) ORDER BY e.entry, t.name
                            """) {
                            tags[r[0], default: []].append(r[1])
                        }
                    }
                    for i in docs.indices { docs[i].tags = tags[keys[i]] ?? [] }
                    return docs
                }
                // Deeper by twice what is missing (and at least a quarter): members in the best few
                // hundred are usually few, and a common word's list serves a little more than its
                // page from the list itself, where four times the depth left the list.
                depth += max(2 * (limit - docs.count), depth / 4)
            }
        }
    }

    public func unmatchedWords(_ words: [String]) throws -> [String] {
        try read { db in
            try words.filter { w in
                guard let match = FTS5Query.render(.term(w)) else { return false }
                return try Int64.fetchOne(db, sql: "SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? LIMIT 1", arguments: [match]) == nil
            }
        }
    }

    /// An entry as evidence: who is linked to it and how. A question links its asker and also
    /// those who answered it (by `asOf`): a question that matches the topic says what their
    /// answers were about, even where the answers use other words.
    ///
    /// The store keeps no date for an accepted mark or a vote, so as of a date it knows neither:
    /// an `asOf` read counts every answer as answered, not accepted, and gives no votes.
    static func evidenceDoc(_ db: Database, key: Int64, relevance: Double, asOf: Timestamp? = nil) throws -> EvidenceDoc? {
        guard let type = EntryKey.type(key) else { return nil }
        let n = EntryKey.number(key)
        let id = EntryID(type, n)
        typealias L = EvidenceDoc.Link
        switch type {
        case .resource:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT r.title, r.created, m.handle FROM resource r LEFT JOIN member m ON m.id = r.contributor_id WHERE r.id = ?
                """), arguments: [n]) else { return nil }
            var links = (r[2] as String?).map { [L(handle: $0, how: .contributed)] } ?? []
            links += try String.fetchAll(db.cachedStatement(sql: "SELECT m.handle FROM resource_author a JOIN member m ON m.id = a.member_id WHERE a.resource_id = ?"),
                                         arguments: [n]).map { L(handle: $0, how: .authored) }
            return EvidenceDoc(id: id, title: r[0], relevance: relevance, date: (r[1] as String?).flatMap(Timestamp.init), links: links)
        case .practice:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT p.title, p.created, c.handle, v.handle FROM practice p LEFT JOIN member c ON c.id = p.contributor_id
                LEFT JOIN member v ON v.id = p.verified_by_id WHERE p.id = ?
                """), arguments: [n]) else { return nil }
            var links: [L] = []
            if let c: String = r[2] { links.append(L(handle: c, how: .contributed)) }
            if let v: String = r[3] { links.append(L(handle: v, how: .verified)) }
            return EvidenceDoc(id: id, title: r[0], relevance: relevance, date: (r[1] as String?).flatMap(Timestamp.init), links: links)
        case .question:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT q.title, q.created, q.score, m.handle FROM question q LEFT JOIN member m ON m.id = q.asker_id WHERE q.id = ?
                """), arguments: [n]) else { return nil }
            var links = (r[3] as String?).map { [L(handle: $0, how: .asked)] } ?? []
            for a in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT m.handle, a.created, q.accepted_answer_id = a.id, a.id FROM answer a JOIN question q ON q.id = a.question_id
                JOIN member m ON m.id = a.author_id WHERE a.question_id = ?
                """), arguments: [n]) {
                if let asOf, let d = (a[1] as String?).flatMap(Timestamp.init), d > asOf { continue }
                let accepted = asOf == nil && (a[2] as Bool?) == true
                links.append(L(handle: a[0], how: accepted ? .acceptedAnswer : .answered, entry: EntryID(.answer, a[3])))
            }
            return EvidenceDoc(id: id, title: r[0], relevance: relevance, date: (r[1] as String?).flatMap(Timestamp.init),
                               votes: asOf == nil ? r[2] : nil, links: links, thread: id)
        case .answer:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT q.title, a.created, a.score, m.handle, q.accepted_answer_id = a.id, q.id FROM answer a
                JOIN question q ON q.id = a.question_id LEFT JOIN member m ON m.id = a.author_id WHERE a.id = ?
                """), arguments: [n]) else { return nil }
            let accepted = asOf == nil && (r[4] as Bool?) == true
            let links = (r[3] as String?).map { [L(handle: $0, how: accepted ? .acceptedAnswer : .answered)] } ?? []
            return EvidenceDoc(id: id, title: r[0], relevance: relevance, date: (r[1] as String?).flatMap(Timestamp.init),
                               votes: asOf == nil ? r[2] : nil, links: links, thread: EntryID(.question, r[5]))
        case .meeting:
            // Presenting counts as evidence; the title says where and when ("'Reflective
            // supervision' at Elevenses, 2026-03-12").
            guard let m = try? loadMeeting(db, number: n), !m.presenters.isEmpty else { return nil }
            if let asOf, m.start > asOf { return nil }
            return EvidenceDoc(id: id, title: m.presentedPhrase, relevance: relevance, date: m.start,
                               links: m.presenters.map { L(handle: $0, how: .presented) })
        case .member:
            return nil
        }
    }

    public func memberFacts(handles: Set<String>, tags: [String]) throws -> [MemberFacts] {
        try read { db in
            let tagIDs = try tags.compactMap { try Self.tagID(db, $0, create: false) }
            let tagList = tagIDs.map(String.init).joined(separator: ",")
            // A few set-at-a-time queries rather than three a member: popular tags have thousands.
            var ids = Set(try Self.memberIDs(db, handles: handles).values)
            var skills: [Int64: [Skill]] = [:]
            var endorsements: [Int64: [String: Int]] = [:]
            if !tagIDs.isEmpty {
                // Every holder of a skill in the tags is a candidate, so this reads the skills of all of them.
                for r in try Row.fetchAll(db, sql: """
                    SELECT s.member_id, t.name, s.level FROM member_skill s JOIN tag t ON t.id = s.tag_id
                    WHERE s.tag_id IN (\(tagList)) ORDER BY s.member_id, t.name
                    """) {
                    let id: Int64 = r[0]
                    ids.insert(id)
                    skills[id, default: []].append(Skill(tag: r[1], level: SkillLevel(rawValue: r[2]) ?? .learning))
                }
                for chunk in Self.chunks(ids.sorted()) {
                    for e in try Row.fetchAll(db, sql: """
                        SELECT e.member_id, t.name, count(*) FROM endorsement e JOIN tag t ON t.id = e.tag_id
                        WHERE e.member_id IN (\(chunk.map(String.init).joined(separator: ","))) AND e.tag_id IN (\(tagList))
                        GROUP BY e.member_id, t.name
                        """) {
                        endorsements[e[0], default: [:]][e[1]] = e[2]
                    }
                }
            }
            var facts: [MemberFacts] = []
            for chunk in Self.chunks(ids.sorted()) {
                for r in try Row.fetchAll(db, sql: """
                    SELECT id, handle, name, organisation, sector, source_id, open_to_questions, mentoring FROM member
                    WHERE id IN (\(chunk.map(String.init).joined(separator: ","))) ORDER BY id
                    """) {
                    let id: Int64 = r[0]
                    facts.append(MemberFacts(handle: r[1], name: r[2], organisation: r[3], sector: r[4], sourceId: r[5],
                                             openToQuestions: r[6], mentoring: r[7], skills: skills[id] ?? [],
                                             endorsements: endorsements[id] ?? [:]))
                }
            }
            return facts
        }
    }

    /// Member ids by handle, for those of `handles` that exist, in one query a few hundred handles.
    static func memberIDs(_ db: Database, handles: Set<String>) throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for chunk in chunks(handles.sorted()) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for r in try Row.fetchAll(db, sql: "SELECT handle, id FROM member WHERE handle IN (\(marks))",
                                      arguments: StatementArguments(chunk)) {
                out[r[0]] = r[1]
            }
        }
        return out
    }

    /// Splits a list for `IN (…)` lists that stay within SQLite's limit on bound values.
    static func chunks<T>(_ items: [T], size: Int = 500) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: size).map { items[$0..<min($0 + size, items.count)] }
    }

    public func work(of handles: Set<String>, asOf: Timestamp?, newest: Int) throws -> [String: [WorkSample]] {
        try read { db in
            let ids = try Self.memberIDs(db, handles: handles)
            var out: [String: [WorkSample]] = [:]
            if asOf == nil && newest == Self.storedWorkSample {
                // Today's work, kept ready (see +WorkSummary).
                let stored = try Self.storedWork(db, members: Array(ids.values))
                let none = Array(repeating: WorkSample(newest: []), count: Self.workKinds.count)
                for (h, id) in ids { out[h] = stored[id] ?? none }
            } else {
                // As it stood at a date (the relevance benchmark), read from the tables: each kind
                // through an index on the member's column, newest first, so the cost is bounded by
                // `newest` however much a member did.
                for (h, id) in ids { out[h] = try Self.liveWork(db, member: id, asOf: asOf, newest: newest) }
            }
            return out
        }
    }

    // MARK: - Questions, answers, endorsements

    public func ask(_ question: Question, as acting: Acting) throws -> EntryID {
        try change(.ask, as: acting, target: { _ in Target(owner: question.asker.flatMap { try? Validation.handle($0) }) }) { db, note in
            var q = question
            q.created = q.created ?? note.now
            let id = EntryID(.question, try Self.insertQuestion(db, q, number: try Self.nextNumber(db, .question)))
            note.summary = ChangeNotes.asked(id, question.title)
            return id
        }
    }

    public func answer(_ answer: Answer, as acting: Acting) throws -> EntryID {
        try change(.answer, as: acting, target: { _ in Target(owner: answer.author.flatMap { try? Validation.handle($0) }) }) { db, note in
            let q = try Self.require(db, answer.question)
            var a = answer
            a.created = a.created ?? note.now
            let id = EntryID(.answer, try Self.insertAnswer(db, a, question: q, number: try Self.nextNumber(db, .answer)))
            note.summary = ChangeNotes.answered(question: q, id)
            return id
        }
    }

    /// Marks an answer accepted (replacing any earlier one); returns the question.
    public func accept(_ answerID: EntryID, as acting: Acting) throws -> EntryID {
        try change(.accept, as: acting, target: { db in
            let a = try Self.require(db, answerID)
            let q = EntryID(.question, try Int64.fetchOne(db, sql: "SELECT question_id FROM answer WHERE id = ?", arguments: [a])!)
            return Target(ref: q.description, owner: try Self.owner(db, q))
        }) { db, note in
            let a = try Self.require(db, answerID)
            let q: Int64 = try Int64.fetchOne(db, sql: "SELECT question_id FROM answer WHERE id = ?", arguments: [a])!
            try db.execute(sql: "UPDATE question SET accepted_answer_id = ? WHERE id = ?", arguments: [a, q])
            note.summary = ChangeNotes.accepted(answer: a, question: q)
            return EntryID(.question, q)
        }
    }

    /// Records that `endorser` vouches for `member`'s skill in `tag`; false when already recorded.
    public func endorse(_ member: String, tag: String, by endorser: String, as acting: Acting) throws -> Bool {
        let actor = acting.actor.handle
        return try change(.endorse, as: acting, target: { _ in Target(owner: try? Validation.handle(endorser)) }) { db, note in
            // History shows who acted beside the summary: name the endorser only when someone else.
            note.summary = ChangeNotes.endorsed(member, tag: tag, by: endorser, actor: actor)
            let m = try Self.memberID(db, member), e = try Self.memberID(db, endorser)
            guard m != e else { throw KnowHowError.conflict("you cannot endorse yourself; ask a colleague to endorse you") }
            guard let t = try Self.tagID(db, tag, create: false) else {
                throw KnowHowError.unknownTag(tag, suggestion: nil)
            }
            try db.execute(sql: "INSERT OR IGNORE INTO endorsement(endorser_id, member_id, tag_id, created) VALUES (?, ?, ?, ?)",
                           arguments: [e, m, t, note.now.description])
            return db.changesCount > 0
        }
    }

    /// Withdraws an endorsement; false when there was none.
    public func withdrawEndorsement(_ member: String, tag: String, by endorser: String, as acting: Acting) throws -> Bool {
        let actor = acting.actor.handle
        return try change(.withdrawEndorsement, as: acting, target: { _ in Target(owner: try? Validation.handle(endorser)) }) { db, note in
            note.summary = ChangeNotes.withdrew(member, tag: tag, by: endorser, actor: actor)
            let m = try Self.memberID(db, member), e = try Self.memberID(db, endorser)
            guard let t = try Self.tagID(db, tag, create: false) else { throw KnowHowError.unknownTag(tag, suggestion: nil) }
            try db.execute(sql: "DELETE FROM endorsement WHERE endorser_id = ? AND member_id = ? AND tag_id = ?", arguments: [e, m, t])
            return db.changesCount > 0
        }
    }

    /// Who endorsed this member, by tag.
    public func endorsements(of member: String) throws -> [String: [String]] {
        try read { db in
            let m = try Self.memberID(db, member)
            var out: [String: [String]] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT t.name, x.handle FROM endorsement e JOIN tag t ON t.id = e.tag_id JOIN member x ON x.id = e.endorser_id
                WHERE e.member_id = ? ORDER BY t.name, x.handle
                """, arguments: [m]) {
                out[r[0], default: []].append(r[1])
            }
            return out
        }
    }

    /// Tags of what a member contributed, wrote, verified or answered, weighted by how strong the
    /// link is: the topics the evidence says they know.
    public func evidenceTags(of member: String, limit: Int) throws -> [(tag: String, weight: Double)] {
        try read { db in
            let m = try Self.memberID(db, member)
            return try Row.fetchAll(db, sql: """
                SELECT t.name, sum(w) AS weight FROM (
                    SELECT id << 3 | 2 AS k, 1.0 AS w FROM resource WHERE contributor_id = ?1
                    UNION ALL SELECT resource_id << 3 | 2, 1.0 FROM resource_author WHERE member_id = ?1
                    UNION ALL SELECT id << 3 | 3, 1.0 FROM practice WHERE contributor_id = ?1
                    UNION ALL SELECT id << 3 | 3, 0.6 FROM practice WHERE verified_by_id = ?1
                    UNION ALL SELECT a.question_id << 3 | 4, CASE WHEN q.accepted_answer_id = a.id THEN 2.5 ELSE 1.0 END
                        FROM answer a JOIN question q ON q.id = a.question_id WHERE a.author_id = ?1
                ) x JOIN entry_tag e ON e.entry = x.k JOIN tag t ON t.id = e.tag_id
                GROUP BY t.name ORDER BY weight DESC, t.name LIMIT ?2
                """, arguments: [m, limit]).map { ($0[0], $0[1]) }
        }
    }
}
