import Foundation
import KnowHowCore

/// One community import into PostgreSQL, inside the caller's transaction, with the SQLite
/// store's rules (see KnowHowSQLite/CommunityImport.swift): a member whose handle (or source id)
/// is present is skipped; an entry is the one the store has when its id and title are the same
/// (an answer: its question and text); an id held with another title is refused, naming the
/// record, unless `renumber` gives it the next free number.
///
/// Records are taken in batches: one query per batch answers what the store already holds, and
/// the rows go in with `COPY`. The tables an import writes are locked against other writers
/// (readers go on), so the numbers it gives are its own until it commits.
final class PostgresCommunityImport<Records: CommunityRecords> {
    let c: PGConnection
    let records: Records
    let renumber: Bool
    let progress: ((String) -> Void)?
    var summary = ImportSummary()
    /// Records decided per query and per COPY.
    static var batchSize: Int { 2_000 }

    var tagByName: [String: Int64] = [:]
    var aliasOwner: [String: Int64] = [:]
    /// Tags that gained an alias: the entries they tag are indexed again.
    var retagged = Set<Int64>()
    var members: [String: Int64] = [:]
    var sourceIDs = Set<String>()
    /// The highest number in use, per kind (members included).
    var top: [EntryType: Int64] = [:]
    /// Numbers taken since the import began, for kinds whose table was empty then.
    var taken: [EntryType: Set<Int64>] = [:]
    var renumbered: [EntryID: Int64] = [:]
    var insertedQuestions = Set<Int64>()
    var accepted: [(index: Int, question: EntryID, number: Int64, answer: EntryID)] = []
    var wantedAnswers = Set<EntryID>()
    var answerNumbers: [EntryID: Int64] = [:]
    var answered = Set<Int64>()
    /// Entries of the file held under another number (renumbered, or found by title), for the links that name them.
    var moved: [EntryID: Int64] = [:]
    let now = Timestamp.now
    var recordsDone = 0
    var lastReport = ContinuousClock.now

    init(_ c: PGConnection, records: Records, renumber: Bool, progress: ((String) -> Void)?) throws {
        self.c = c; self.records = records; self.renumber = renumber; self.progress = progress
        try c.executeScript("""
            LOCK TABLE knowhow.tag, knowhow.tag_alias, knowhow.member, knowhow.resource, knowhow.practice,
                       knowhow.question, knowhow.answer, knowhow.search_log, knowhow.meeting_series, knowhow.meeting
                       IN SHARE ROW EXCLUSIVE MODE;
            CREATE TEMP TABLE import_key (entry bigint NOT NULL) ON COMMIT DROP;
            """)
        for r in try c.query("SELECT id, name FROM knowhow.tag").rows { tagByName[try r.require("name")] = try r.require("id") }
        for r in try c.query("SELECT alias, tag_id FROM knowhow.tag_alias").rows { aliasOwner[try r.require("alias")] = try r.require("tag_id") }
        for r in try c.query("SELECT id, handle, source_id FROM knowhow.member").rows {
            members[try r.require("handle")] = try r.require("id")
            if let s: String = try r.get("source_id") { sourceIDs.insert(s) }
        }
        top[.member] = try c.query("SELECT coalesce(max(id), 0) AS n FROM knowhow.member").first!.require("n")
        for t in [EntryType.resource, .practice, .question, .answer] {
            // Never a number used before: by an entry merged away, or one whose adding was undone.
            let r = try c.query("""
                SELECT (SELECT max(id) FROM knowhow.\(t.rawValue)) AS held,
                       greatest((SELECT max(id) FROM knowhow.\(t.rawValue)),
                                (SELECT max(substr(old, 2)::bigint) FROM knowhow.redirect WHERE substr(old, 1, 1) = $1 AND substr(old, 2) ~ '^[0-9]{1,18}$'),
                                (SELECT max(entry >> 3) FROM knowhow.change_entry WHERE entry & 7 = $2), 0) AS top
                """, [String(t.prefix!), EntryKeys.code(t)]).first!
            top[t] = try r.require("top")
            if try r.get("held", as: Int64.self) == nil { taken[t] = [] }
        }
    }

    func importAll() throws -> ImportSummary {
        try records.forEach(Tag.self) { i, tag in try at(Tag.section, i) { try add(tag, i) }; tick(Tag.section) }
        try batched(Member.self) { try addMembers($0) }
        try batched(Resource.self) { try addResources($0) }
        try batched(Practice.self) { try addPractices($0) }
        try batched(Question.self) { try addQuestions($0) }
        try batched(Answer.self) { try addAnswers($0) }
        try linkAcceptedAnswers()
        try addMeetings()
        try addSearches()
        try importLinks()
        try index()
        try PostgresSchema.syncIdentities(c)
        return summary
    }

    // MARK: - Plumbing

    /// Names the record in what it throws, as the SQLite import does.
    func at<T>(_ section: String, _ index: Int, _ body: () throws -> T) throws -> T {
        try at("\(section)[\(index)]", body)
    }

    func at<T>(_ location: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as KnowHowError {
            if case .badImport = e { throw e }
            throw KnowHowError.badImport(path: "", location: location, reason: e.description)
        }
    }

    func batched<T: CommunityRecord>(_ type: T.Type, _ process: ([(Int, T)]) throws -> Void) throws {
        var batch: [(Int, T)] = []
        batch.reserveCapacity(Self.batchSize)
        try records.forEach(T.self) { i, r in
            batch.append((i, r))
            tick(T.section)
            if batch.count >= Self.batchSize {
                try process(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try process(batch) }
    }

    func tick(_ section: String) {
        guard let progress else { return }
        recordsDone += 1
        guard recordsDone & 255 == 0 else { return }
        let now = ContinuousClock.now
        guard now - lastReport >= .milliseconds(250) else { return }
        lastReport = now
        let share = records.byteCount > 0 ? " (\(records.bytesRead * 100 / records.byteCount)% of the file)" : ""
        progress("importing \(section): \(Validation.grouped(recordsDone)) records\(share)")
    }

    func next(_ t: EntryType) throws -> Int64 {
        let n = (top[t] ?? 0) + 1
        guard n <= EntryID.maxNumber else { throw KnowHowError.idsExhausted(t) }
        return n
    }

    /// Notes where a record of the file went when that is not its own number.
    func note(_ id: EntryID?, _ n: Int64) {
        if let id, id.number != n { moved[id] = n }
    }

    func took(_ t: EntryType, _ n: Int64) {
        summary.added[t, default: 0] += 1
        taken[t]?.insert(n)
        top[t] = max(top[t] ?? 0, n)
    }

    /// A tag's id by name or alias, made when new (as an entry's tags make them in SQLite).
    func tagID(_ text: String) throws -> Int64 {
        let name = try Validation.tag(text)
        if let id = tagByName[name] ?? aliasOwner[name] { return id }
        let id: Int64 = try c.query("INSERT INTO knowhow.tag(name) VALUES ($1) RETURNING id", [name]).first!.require("id")
        tagByName[name] = id
        return id
    }

    /// The distinct tag ids of an entry, in the order given.
    func tagIDs(_ tags: [String]) throws -> [Int64] {
        var ids: [Int64] = []
        for t in tags { let id = try tagID(t); if !ids.contains(id) { ids.append(id) } }
        return ids
    }

    func memberID(_ handle: String) throws -> Int64 {
        let h = try Validation.handle(handle)
        if let id = members[h] { return id }
        // A handle merged away points at the member it was merged into.
        if let id: Int64 = try c.query("""
            SELECT m.id FROM knowhow.redirect d JOIN knowhow.member m ON '@' || m.handle = d.new WHERE d.old = '@' || $1
            """, [h]).first?.get("id") {
            members[h] = id
            return id
        }
        throw KnowHowError.unknownMember(handle: h)
    }

    func optionalMemberID(_ handle: String?) throws -> Int64? {
        try Validation.text(handle).map(memberID)
    }

    /// Rows for one batch, sent with COPY once the batch is decided.
    struct Rows {
        var main: [[PGBindable?]] = []
        var tags: [[PGBindable?]] = []
        var extra: [[PGBindable?]] = []
        var extra2: [[PGBindable?]] = []
        var keys: [[PGBindable?]] = []
    }

    func send(_ rows: Rows, main: String, extra: String? = nil, extra2: String? = nil) throws {
        func copy(_ sql: String, _ list: [[PGBindable?]]) throws {
            guard !list.isEmpty else { return }
            try c.copy(sql) { out in for r in list { try out.add(r) } }
        }
        try copy(main, rows.main)
        try copy("COPY knowhow.entry_tag(entry, tag_id) FROM STDIN", rows.tags)
        if let extra { try copy(extra, rows.extra) }
        if let extra2 { try copy(extra2, rows.extra2) }
        try copy("COPY import_key(entry) FROM STDIN", rows.keys)
    }

    // MARK: - Tags and members

    func add(_ tag: Tag, _ i: Int) throws {
        let name = try Validation.tag(tag.name)
        var id = tagByName[name]
        if id == nil {
            if aliasOwner[name] != nil { summary.skipped += 1; return }
            id = try c.query("INSERT INTO knowhow.tag(name, description) VALUES ($1, $2) RETURNING id",
                             [name, Validation.text(tag.description)]).first!.require("id")
            tagByName[name] = id
            summary.tagsAdded += 1
        } else if let d = Validation.text(tag.description) {
            try c.execute("UPDATE knowhow.tag SET description = coalesce(description, $1) WHERE id = $2", [d, id])
        }
        for (j, alias) in tag.aliases.enumerated() {
            try at("\(Tag.section)[\(i)].aliases[\(j)]") {
                let a = try Validation.tag(alias)
                if tagByName[a] != nil {
                    throw KnowHowError.conflict("'\(a)' is already a tag, so it cannot be an alias of '\(name)'")
                }
                if let owner = aliasOwner[a] {
                    if owner != id { throw KnowHowError.conflict("'\(a)' is already an alias of another tag") }
                } else {
                    try c.execute("INSERT INTO knowhow.tag_alias(alias, tag_id) VALUES ($1, $2)", [a, id])
                    aliasOwner[a] = id
                    retagged.insert(id!)
                }
            }
        }
    }

    func addMembers(_ batch: [(Int, Member)]) throws {
        var rows = Rows()
        for (i, m) in batch {
            try at(Member.section, i) {
                let h = try Validation.handle(m.handle)
                let source = Validation.text(m.sourceId)
                if members[h] != nil || source.map(sourceIDs.contains) == true { summary.skipped += 1; return }
                try Validation.checkLengths(m)
                guard let name = Validation.text(m.name) else { throw KnowHowError.missingField("a member's name") }
                let email = try Validation.text(m.email).map(Validation.email)
                // Skills and interests first: a bad tag leaves nothing of the member behind.
                var levels: [Int64: String] = [:], order: [Int64] = []
                for s in m.skills {
                    let t = try tagID(s.tag)
                    if let l = levels[t] { levels[t] = max(l, s.level.rawValue) } else { levels[t] = s.level.rawValue; order.append(t) }
                }
                var interests: [Int64] = []
                for t in m.interests { let id = try tagID(t); if !interests.contains(id) { interests.append(id) } }
                let id = try next(.member)
                rows.main.append([id, h, name, email, Validation.text(m.organisation), Validation.text(m.sector), Validation.text(m.location),
                                  Validation.text(m.timeZone), Validation.text(m.bio), m.role.rawValue, m.openToQuestions, m.mentoring,
                                  m.joined?.description, source])
                for t in order { rows.extra.append([id, t, levels[t]]) }
                for t in interests { rows.extra2.append([id, t]) }
                rows.keys.append([EntryKeys.make(.member, id)])
                members[h] = id
                if let source { sourceIDs.insert(source) }
                took(.member, id)
            }
        }
        try send(rows, main: """
            COPY knowhow.member(id, handle, name, email, organisation, sector, location, time_zone, bio, role,
                                open_to_questions, mentoring, joined, source_id) FROM STDIN
            """, extra: "COPY knowhow.member_skill(member_id, tag_id, level) FROM STDIN",
            extra2: "COPY knowhow.member_interest(member_id, tag_id) FROM STDIN")
    }

    // MARK: - Entries with titles

    /// Where a record goes: a number to insert it under, or the entry the store has for it.
    enum Slot { case insert(Int64), present(Int64) }

    /// What the store holds for a batch's ids and titles, kept up to date as the batch is decided.
    struct Known {
        var byID: [Int64: String] = [:]
        var byTitle: [String: Int64] = [:]
        mutating func add(_ n: Int64, _ title: String) {
            byID[n] = title
            if byTitle[title] == nil { byTitle[title] = n }
        }
    }

    func known(_ t: EntryType, ids: [Int64], titles: [String], needed: Bool) throws -> Known {
        var k = Known()
        guard needed else { return k }
        for r in try c.query("""
            SELECT id, title FROM knowhow.\(t.rawValue) WHERE id = ANY ($1::bigint[]) OR title = ANY ($2::text[]) ORDER BY id
            """, [PGArray(ids.map { String($0) }), PGArray(titles)]).rows {
            k.add(try r.require("id"), try r.require("title"))
        }
        return k
    }

    /// Decides a titled record, as `CommunityImport.slot` does.
    func slot(_ t: EntryType, _ id: EntryID?, title: String, record: String, _ k: inout Known) throws -> Slot {
        guard let id else {
            if let n = k.byTitle[title] { return .present(n) }
            return .insert(try next(t))
        }
        try Self.check(id, is: t, at: record + ".id")
        if taken[t]?.contains(id.number) == false { return .insert(id.number) }
        if k.byID[id.number] == title { return .present(id.number) }
        guard let other = k.byID[id.number] else { return .insert(id.number) }
        if renumber, let same = k.byTitle[title] { return .present(same) }
        return .insert(try renumbered(id, record: record, clashingWith: "another title ('\(Self.excerpt(other))')"))
    }

    func renumbered(_ id: EntryID, record: String, clashingWith what: String) throws -> Int64 {
        guard renumber else {
            throw KnowHowError.conflict("\(id) already exists with \(what); use --renumber to import it under a new id")
        }
        let n = try next(id.type)
        summary.renumbered.append(.init(record: record, from: id, to: EntryID(id.type, n)))
        return n
    }

    /// The store's view of a batch of titled records: needed unless every record has an id of a
    /// table that started empty and not yet taken.
    func known<T>(_ t: EntryType, _ batch: [(Int, T)], id: (T) -> EntryID?, title: (T) -> String) throws -> Known {
        let ids = batch.compactMap { id($0.1)?.number }
        let titles = batch.map { Validation.text(title($0.1)) ?? "" }
        let needed = taken[t] == nil || batch.contains { r in id(r.1).map { taken[t]!.contains($0.number) } ?? true }
        return try known(t, ids: ids, titles: titles, needed: needed)
    }

    func addResources(_ batch: [(Int, Resource)]) throws {
        var k = try known(.resource, batch, id: \.id, title: \.title)
        var rows = Rows()
        for (i, r) in batch {
            let record = "\(Resource.section)[\(i)]"
            try at(record) {
                let text = Validation.text(r.title) ?? ""
                let place = try slot(.resource, r.id, title: text, record: record, &k)
                guard case .insert(let n) = place else {
                    if case .present(let held) = place { note(r.id, held) }
                    summary.skipped += 1; return
                }
                note(r.id, n)
                try Validation.checkLengths(r)
                guard let title = Validation.text(r.title) else { throw KnowHowError.missingField("a resource's title") }
                let url = try Validation.text(r.url).map(Validation.url)
                let contributor = try optionalMemberID(r.contributor)
                var authors: [Int64] = []
                for a in r.authors { let id = try memberID(a); if !authors.contains(id) { authors.append(id) } }
                let tags = try tagIDs(r.tags)
                let created = (r.created ?? now).description
                rows.main.append([n, title, url, r.kind.rawValue, Validation.text(r.summary), Validation.text(r.body), contributor,
                                  created, r.updated.map(\.description) ?? created, r.status.rawValue])
                let key = EntryKeys.make(.resource, n)
                for t in tags { rows.tags.append([key, t]) }
                for a in authors { rows.extra.append([n, a]) }
                rows.keys.append([key])
                k.add(n, title)
                took(.resource, n)
            }
        }
        try send(rows, main: "COPY knowhow.resource(id, title, url, kind, summary, body, contributor_id, created, updated, status) FROM STDIN",
                 extra: "COPY knowhow.resource_author(resource_id, member_id) FROM STDIN")
    }

    func addPractices(_ batch: [(Int, Practice)]) throws {
        var k = try known(.practice, batch, id: \.id, title: \.title)
        var rows = Rows()
        for (i, p) in batch {
            let record = "\(Practice.section)[\(i)]"
            try at(record) {
                let text = Validation.text(p.title) ?? ""
                let place = try slot(.practice, p.id, title: text, record: record, &k)
                guard case .insert(let n) = place else {
                    if case .present(let held) = place { note(p.id, held) }
                    summary.skipped += 1; return
                }
                note(p.id, n)
                try Validation.checkLengths(p)
                guard let title = Validation.text(p.title) else { throw KnowHowError.missingField("a practice's title") }
                let contributor = try optionalMemberID(p.contributor)
                let verifier = try optionalMemberID(p.verifiedBy)
                let tags = try tagIDs(p.tags)
                let created = (p.created ?? now).description
                rows.main.append([n, title, Validation.text(p.context), Validation.text(p.practice), Validation.text(p.evidence), contributor,
                                  p.status.rawValue, verifier, p.verifiedAt?.description, p.reviewBy?.description,
                                  created, p.updated.map(\.description) ?? created])
                let key = EntryKeys.make(.practice, n)
                for t in tags { rows.tags.append([key, t]) }
                rows.keys.append([key])
                k.add(n, title)
                took(.practice, n)
            }
        }
        try send(rows, main: """
            COPY knowhow.practice(id, title, context, practice, evidence, contributor_id, status, verified_by_id,
                                  verified_at, review_by, created, updated) FROM STDIN
            """)
    }

    func addQuestions(_ batch: [(Int, Question)]) throws {
        var k = try known(.question, batch, id: \.id, title: \.title)
        var rows = Rows()
        for (i, q) in batch {
            let record = "\(Question.section)[\(i)]"
            try at(record) {
                if let a = q.acceptedAnswer { try Self.check(a, is: .answer, at: record + ".acceptedAnswer") }
                let text = Validation.text(q.title) ?? ""
                let n: Int64
                switch try slot(.question, q.id, title: text, record: record, &k) {
                case .present(let existing):
                    summary.skipped += 1
                    n = existing
                case .insert(let number):
                    try Validation.checkLengths(q)
                    guard let title = Validation.text(q.title) else { throw KnowHowError.missingField("a question's title") }
                    let asker = try optionalMemberID(q.asker)
                    let tags = try tagIDs(q.tags)
                    rows.main.append([number, title, Validation.text(q.body), asker, (q.created ?? now).description, q.score])
                    let key = EntryKeys.make(.question, number)
                    for t in tags { rows.tags.append([key, t]) }
                    rows.keys.append([key])
                    k.add(number, title)
                    insertedQuestions.insert(number)
                    took(.question, number)
                    n = number
                }
                guard let id = q.id else { return }
                if n != id.number { renumbered[id] = n; moved[id] = n }
                if let a = q.acceptedAnswer {
                    accepted.append((i, id, n, a))
                    wantedAnswers.insert(a)
                }
            }
        }
        try send(rows, main: "COPY knowhow.question(id, title, body, asker_id, created, score) FROM STDIN")
    }

    // MARK: - Answers

    func addAnswers(_ batch: [(Int, Answer)]) throws {
        // The question each answer belongs to, where it can be told before deciding (errors come
        // in file order below).
        func question(_ a: Answer) -> Int64? {
            guard a.question.type == .question else { return nil }
            return renumbered[a.question] ?? a.question.number
        }
        let asked = Set(batch.compactMap { question($0.1) })
        let unknown = asked.subtracting(insertedQuestions)
        var present = Set<Int64>()
        if !unknown.isEmpty {
            for r in try c.query("SELECT id FROM knowhow.question WHERE id = ANY ($1::bigint[])", [PGArray(unknown.map { String($0) })]).rows {
                present.insert(try r.require("id"))
            }
        }
        // The answers the store holds under the batch's ids, and to its questions (same text: present).
        let startedEmpty = taken[.answer] != nil
        let ids = batch.compactMap { $0.1.id?.number }
        let checked = startedEmpty ? asked.intersection(answered) : asked
        var bodyOf: [Int64: String] = [:]
        var same: [Int64: [String: [Int64]]] = [:]
        if !checked.isEmpty || !(startedEmpty && ids.allSatisfy { !taken[.answer]!.contains($0) }) {
            for r in try c.query("""
                SELECT id, question_id, body FROM knowhow.answer WHERE id = ANY ($1::bigint[]) OR question_id = ANY ($2::bigint[]) ORDER BY id
                """, [PGArray(ids.map { String($0) }), PGArray(checked.map { String($0) })]).rows {
                let id: Int64 = try r.require("id"), q: Int64 = try r.require("question_id"), body: String = try r.require("body")
                bodyOf[id] = body
                same[q, default: [:]][body, default: []].append(id)
            }
        }
        var rows = Rows()
        for (i, a) in batch {
            let record = "\(Answer.section)[\(i)]"
            try at(record) {
                try Self.check(a.question, is: .question, at: record + ".question")
                if let id = a.id { try Self.check(id, is: .answer, at: record + ".id") }
                guard let q = question(a), renumbered[a.question] != nil || insertedQuestions.contains(q) || present.contains(q) else {
                    throw KnowHowError.unknownEntry(a.question)
                }
                let body = Validation.text(a.body)
                if !startedEmpty || answered.contains(q), let body, let matches = same[q]?[body], !matches.isEmpty {
                    let n = a.id.flatMap { id in matches.first { $0 == id.number } } ?? matches[0]
                    if let id = a.id, wantedAnswers.contains(id) { answerNumbers[id] = n }
                    note(a.id, n)
                    summary.skipped += 1
                    return
                }
                var number = a.id?.number
                if let id = a.id, taken[.answer]?.contains(id.number) != false, let other = bodyOf[id.number] {
                    number = try renumbered(id, record: record, clashingWith: "another text ('\(Self.excerpt(other))')")
                }
                try Validation.checkLengths(a)
                guard let text = body else { throw KnowHowError.missingField("an answer's text") }
                let author = try optionalMemberID(a.author)
                let n = try number ?? next(.answer)
                rows.main.append([n, q, text, author, (a.created ?? now).description, a.score])
                rows.keys.append([EntryKeys.make(.answer, n)])
                bodyOf[n] = text
                same[q, default: [:]][text, default: []].append(n)
                if startedEmpty { answered.insert(q) }
                took(.answer, n); note(a.id, n)
                if let id = a.id, wantedAnswers.contains(id) { answerNumbers[id] = n }
            }
        }
        try send(rows, main: "COPY knowhow.answer(id, question_id, body, author_id, created, score) FROM STDIN")
    }

    func linkAcceptedAnswers() throws {
        guard !accepted.isEmpty else { return }
        try c.executeScript("CREATE TEMP TABLE import_accept (ord integer NOT NULL, question bigint NOT NULL, answer bigint NOT NULL) ON COMMIT DROP")
        // An accepted answer the file never gave is an error at once, in file order with the rest.
        var missing: Int?
        for (k, a) in accepted.enumerated() where answerNumbers[a.answer] == nil { missing = k; break }
        try c.copy("COPY import_accept(ord, question, answer) FROM STDIN") { out in
            for (k, a) in accepted.enumerated() where missing.map({ k < $0 }) ?? true {
                try out.add([k, a.number, answerNumbers[a.answer]!])
            }
        }
        let wrong: Int? = try c.query("""
            SELECT min(t.ord) AS ord FROM import_accept t
            WHERE NOT EXISTS (SELECT 1 FROM knowhow.answer a WHERE a.id = t.answer AND a.question_id = t.question)
            """).first?.get("ord")
        if let k = wrong ?? missing {
            let a = accepted[k]
            throw KnowHowError.badImport(path: "", location: "\(Question.section)[\(a.index)].acceptedAnswer",
                                         reason: KnowHowError.conflict("\(a.answer) is not an answer to \(a.question)").description)
        }
        try c.execute("UPDATE knowhow.question q SET accepted_answer_id = t.answer FROM import_accept t WHERE q.id = t.question")
    }

    // MARK: - Meetings

    /// Meeting series, then meetings (which name series, members and entries), one by one with
    /// the store's own inserts: a community has few, and they follow the SQLite import's rules.
    func addMeetings() throws {
        var series: [MeetingSeries] = [], meetings: [Meeting] = []
        try records.forEach(MeetingSeries.self) { _, s in series.append(s); tick(MeetingSeries.section) }
        try records.forEach(Meeting.self) { _, m in meetings.append(m); tick(Meeting.section) }
        guard !series.isEmpty || !meetings.isEmpty else { return }
        let numbers = try PostgresKnowledgeStore.importMeetings(c, series: series, meetings: meetings, renumber: renumber,
                                                                renumbered: renumbered, summary: &summary)
        if !numbers.isEmpty {
            try c.execute("INSERT INTO import_key(entry) SELECT unnest($1::bigint[]) << 3 | 7",
                          [PostgresKnowledgeStore.array(numbers)])
            // Tags the meetings made, for the links that name them.
            for r in try c.query("SELECT id, name FROM knowhow.tag").rows { tagByName[try r.require("name")] = try r.require("id") }
        }
    }

    // MARK: - Searches and the index

    /// The search log: searches already logged are skipped; a store that logs anonymously keeps
    /// imported searches anonymous too.
    func addSearches() throws {
        let mode = try c.query("SELECT value FROM knowhow.store_setting WHERE key = $1", [SearchLogging.settingKey]).first?
            .get("value", as: String.self).flatMap(SearchLogging.init(rawValue:)) ?? .on
        let anonymous = mode == .anonymous
        try c.executeScript("""
            CREATE TEMP TABLE import_search (ord integer NOT NULL, at text NOT NULL, kind text NOT NULL, query text NOT NULL,
                                             results integer NOT NULL, weak boolean NOT NULL, member_id bigint) ON COMMIT DROP
            """)
        var any = false
        try c.copy("COPY import_search(ord, at, kind, query, results, weak, member_id) FROM STDIN") { out in
            try records.forEach(SearchLogEntry.self) { i, e in
                try at(SearchLogEntry.section, i) {
                    let member = anonymous ? nil : try e.member.map(memberID)
                    try out.add([i, e.at.description, e.kind.rawValue, String(e.query.prefix(SearchLogEntry.maxQueryLength)), max(0, e.results), e.weak, member])
                    any = true
                }
            }
        }
        guard any else { return }
        try c.execute("""
            INSERT INTO knowhow.search_log(at, kind, query, results, weak, member_id)
            SELECT at, kind, query, results, weak, member_id FROM (
                SELECT DISTINCT ON (at, kind, query, member_id) * FROM import_search s
                WHERE NOT EXISTS (SELECT 1 FROM knowhow.search_log l WHERE l.at = s.at AND l.kind = s.kind AND l.query = s.query
                                  AND l.member_id IS NOT DISTINCT FROM s.member_id)
                ORDER BY at, kind, query, member_id, ord) first
            ORDER BY ord
            """)
    }

    /// Writes the search rows of everything added, and of entries whose tags gained an alias.
    func index() throws {
        if !retagged.isEmpty {
            let ids = PGArray(retagged.map { String($0) })
            try c.execute("""
                INSERT INTO import_key(entry)
                SELECT entry FROM knowhow.entry_tag WHERE tag_id = ANY ($1::bigint[])
                UNION SELECT a.id << 3 | 5 FROM knowhow.answer a JOIN knowhow.entry_tag t ON t.entry = a.question_id << 3 | 4 WHERE t.tag_id = ANY ($1::bigint[])
                UNION SELECT member_id << 3 | 1 FROM knowhow.member_skill WHERE tag_id = ANY ($1::bigint[])
                UNION SELECT member_id << 3 | 1 FROM knowhow.member_interest WHERE tag_id = ANY ($1::bigint[])
                """, [ids])
        }
        // A large import adds its postings to the GIN index's pending list and merges them in
        // one sorted pass at the end (a quarter faster at 100k than merging every 4 MB); the list
        // is emptied before commit where this login may (it owns the index), else by autovacuum.
        let large = summary.added.values.reduce(0, +) >= 10_000
        try c.executeScript("""
            ANALYZE import_key;
            DELETE FROM knowhow.entry_text WHERE entry IN (SELECT entry FROM import_key);
            """ + (large ? "SET LOCAL gin_pending_list_limit = '1GB';\n" : "") + PostgresDocuments.insert(keys: "import_key"))
        if large {
            try c.executeScript("""
                SELECT gin_clean_pending_list(i.oid) FROM pg_class i
                WHERE i.oid = 'knowhow.entry_text_search'::regclass AND pg_has_role(i.relowner, 'USAGE');
                RESET gin_pending_list_limit;
                """)
        }
    }

    // MARK: - Checks

    /// Refuses an id of another type where one type belongs (a resource with id `p1`).
    static func check(_ id: EntryID, is t: EntryType, at location: String) throws {
        guard id.type != t else { return }
        let example = EntryID(t, 12)
        throw KnowHowError.badImport(path: "", location: location,
            reason: "'\(id)' is \(id.type == .answer ? "an" : "a") \(id.type.rawValue) id, where \(t == .answer ? "an" : "a") \(t.rawValue) id such as \(example) belongs")
    }

    /// The start of a title or text, on one line, for a message.
    static func excerpt(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map { String($0) } ?? ""
        return line.count > 60 ? String(line.prefix(59)) + "…" : line
    }
}

/// A text array parameter (`$1::text[]`), in PostgreSQL's array literal form.
struct PGArray: PGBindable {
    let items: [String]
    init(_ items: [String]) { self.items = items }
    var pgText: String? {
        "{" + items.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
