import Foundation
import GRDB
import KnowHowCore

/// One community import, inside the caller's transaction. Records are taken kind by kind in the
/// order they depend on each other (tags, members, resources, practices, questions, answers, then
/// accepted answers and the search log), whatever the order of the keys in the file.
///
/// Importing into an empty store is the common bulk case: for each kind of entry whose table was
/// empty when the import began, the numbers used since are kept in memory and answer the existence
/// questions that would otherwise cost a query a row. A second import of the same file finds the
/// tables full and asks the store, so it still adds nothing.
///
/// An entry is the one the store has when its id and title are the same (an answer: its id,
/// question and text). An id the store holds with other content is refused, naming the record,
/// unless `renumber`: then the record takes the next free number, the summary lists it, and the
/// file's references to it (an answer's question, an accepted answer) follow.
final class CommunityImport<Records: CommunityRecords> {
    typealias Store = SQLiteKnowledgeStore
    let db: Database
    let records: Records
    let renumber: Bool
    let progress: ((String) -> Void)?
    var summary = ImportSummary()
    /// The import's (see `change`): it batches index rows and notes the keys indexed.
    let session: WriteSession
    /// Entry numbers taken since the import began, for kinds whose table was empty then.
    var taken: [EntryType: Set<Int64>] = [:]
    /// Questions of the file that got (or are present under) a number other than their id.
    var renumbered: [EntryID: Int64] = [:]
    /// Questions that name an accepted answer, linked once the answers are in.
    var accepted: [(index: Int, question: EntryID, number: Int64, answer: EntryID)] = []
    var wantedAnswers = Set<EntryID>()
    var answerNumbers: [EntryID: Int64] = [:]
    /// Questions given answers by this import (kept only while the answer table started empty).
    var answered = Set<Int64>()
    /// Entries of the file held under another number (renumbered, or found by title), for the links that name them.
    var moved: [EntryID: Int64] = [:]
    var recordsDone = 0
    var lastReport = ContinuousClock.now

    init(db: Database, records: Records, renumber: Bool, session: WriteSession, progress: ((String) -> Void)?) throws {
        self.db = db; self.records = records; self.renumber = renumber; self.session = session; self.progress = progress
        for t in [EntryType.resource, .practice, .question, .answer, .meeting] {
            if try Int64.fetchOne(cached: db, sql: Self.sql(t).any) == nil { taken[t] = [] }
        }
    }

    /// The statements that make the deferred indexes again (see `deferredImportIndexes`).
    var deferred: [String] = []

    func deferIndexes() throws {
        guard [EntryType.resource, .practice, .question, .answer].allSatisfy({ taken[$0] != nil }) else { return }
        for name in deferredImportIndexes {
            guard let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", arguments: [name])
            else { continue }
            deferred.append(sql)
            try db.execute(sql: "DROP INDEX \(SQLiteKnowledgeStore.quoted(name))")
        }
    }

    func restoreIndexes() throws {
        for sql in deferred { try db.execute(sql: sql) }
        deferred = []
    }

    func importAll() throws -> ImportSummary {
        try deferIndexes()
        try records.forEach(Tag.self) { i, tag in try at(Tag.section, i) { try add(tag, i) }; tick(Tag.section) }
        try session.flushIndex(db)  // the next kind reads what this one wrote
        try records.forEach(Member.self) { i, m in try at(Member.section, i) { try add(m) }; tick(Member.section) }
        try session.flushIndex(db)  // the next kind reads what this one wrote
        try records.forEach(Resource.self) { i, r in try at(Resource.section, i) { try add(r, i) }; tick(Resource.section) }
        try session.flushIndex(db)  // the next kind reads what this one wrote
        try records.forEach(Practice.self) { i, p in try at(Practice.section, i) { try add(p, i) }; tick(Practice.section) }
        try session.flushIndex(db)  // the next kind reads what this one wrote
        try records.forEach(Question.self) { i, q in try at(Question.section, i) { try add(q, i) }; tick(Question.section) }
        try session.flushIndex(db)  // the next kind reads what this one wrote
        try records.forEach(Answer.self) { i, a in try at(Answer.section, i) { try add(a, i) }; tick(Answer.section) }
        try session.flushIndex(db)
        try restoreIndexes()
        for a in accepted {
            try Store.at("\(Question.section)[\(a.index)].acceptedAnswer") {
                guard let an = answerNumbers[a.answer],
                      try Int64.fetchOne(cached: db, sql: "SELECT 1 FROM answer WHERE id = ? AND question_id = ?", arguments: [an, a.number]) != nil else {
                    throw KnowHowError.conflict("\(a.answer) is not an answer to \(a.question)")
                }
                try db.run(sql: "UPDATE question SET accepted_answer_id = ? WHERE id = ?", arguments: [an, a.number])
            }
        }
        // Meeting series, then meetings (which name series, members and entries).
        try records.forEach(MeetingSeries.self) { i, s in try at(MeetingSeries.section, i) { try add(s) }; tick(MeetingSeries.section) }
        try records.forEach(Meeting.self) { i, m in try at(Meeting.section, i) { try add(m, i) }; tick(Meeting.section) }
        try session.flushIndex(db)
        // The search log (see +Insights): searches already logged are skipped; a store that logs
        // anonymously keeps imported searches anonymous too.
        let anonymous = try Store.searchLogging(db) == .anonymous
        try records.forEach(SearchLogEntry.self) { i, e in
            try at(SearchLogEntry.section, i) {
                let member = anonymous ? nil : try e.member.map { try session.memberID(db, $0) }
                if try Store.searchLogged(db, e, memberID: member) { return }
                try Store.insertSearch(db, e, memberID: member)
            }
        }
        try importLinks()
        return summary
    }

    /// Names the record in what it throws; the location is only spelled out then.
    func at(_ section: String, _ index: Int, _ body: () throws -> Void) throws {
        do { try body() } catch let e as KnowHowError {
            if case .badImport = e { throw e }
            throw KnowHowError.badImport(path: "", location: "\(section)[\(index)]", reason: e.description)
        }
    }

    func tick(_ section: String) {
        guard let progress else { return }
        recordsDone += 1
        guard recordsDone & 255 == 0 else { return }
        let now = ContinuousClock.now
        guard now - lastReport >= .milliseconds(250) else { return }
        lastReport = now
        let share = records.byteCount > 0 ? " (\(records.bytesRead * 100 / records.byteCount)% of the file)" : ""
        progress("importing \(section): \(StackExchangeDump.grouped(recordsDone)) records\(share)")
    }

    // MARK: - Records

    func add(_ tag: Tag, _ i: Int) throws {
        let name = try Validation.tag(tag.name)
        var tagID = try Int64.fetchOne(cached: db, sql: "SELECT id FROM tag WHERE name = ?", arguments: [name])
        if tagID == nil {
            if try Int64.fetchOne(cached: db, sql: "SELECT tag_id FROM tag_alias WHERE alias = ?", arguments: [name]) != nil {
                summary.skipped += 1; return
            }
            try db.run(sql: "INSERT INTO tag(name, description) VALUES (?, ?)", arguments: [name, Validation.text(tag.description)])
            tagID = db.lastInsertedRowID
            summary.tagsAdded += 1
        } else if let d = Validation.text(tag.description) {
            try db.run(sql: "UPDATE tag SET description = coalesce(description, ?) WHERE id = ?", arguments: [d, tagID])
        }
        for (j, alias) in tag.aliases.enumerated() {
            try Store.at("\(Tag.section)[\(i)].aliases[\(j)]") {
                let a = try Validation.tag(alias)
                if try Int64.fetchOne(cached: db, sql: "SELECT 1 FROM tag WHERE name = ?", arguments: [a]) != nil {
                    throw KnowHowError.conflict("'\(a)' is already a tag, so it cannot be an alias of '\(name)'")
                }
                if let owner = try Int64.fetchOne(cached: db, sql: "SELECT tag_id FROM tag_alias WHERE alias = ?", arguments: [a]) {
                    if owner != tagID {
                        throw KnowHowError.conflict("'\(a)' is already an alias of another tag")
                    }
                } else {
                    // The entries with the tag hold its words in the index: take their rows out
                    // with the text they were made from, and index them again with the alias.
                    let keys = try Store.taggedKeys(db, tags: [tagID!]).sorted()
                    let old = try keys.map { try Store.document(db, key: $0) }
                    try db.run(sql: "INSERT INTO tag_alias(alias, tag_id) VALUES (?, ?)", arguments: [a, tagID])
                    session.forget(tag: tagID!)
                    for (k, doc) in zip(keys, old) where try Store.isIndexed(db, key: k) {
                        try Store.reindex(db, key: k, old: doc)
                    }
                }
            }
        }
    }

    func add(_ m: Member) throws {
        let h = try Validation.handle(m.handle)
        if try Int64.fetchOne(cached: db, sql: "SELECT 1 FROM member WHERE handle = ?", arguments: [h]) != nil {
            summary.skipped += 1; return
        }
        if let s = Validation.text(m.sourceId),
           try Int64.fetchOne(cached: db, sql: "SELECT 1 FROM member WHERE source_id = ?", arguments: [s]) != nil {
            summary.skipped += 1; return
        }
        _ = try Store.insertMember(db, m, session: session)
        summary.added[.member, default: 0] += 1
    }

    func add(_ r: Resource, _ i: Int) throws {
        switch try slot(.resource, r.id, title: r.title, record: "\(Resource.section)[\(i)]") {
        case .present(let n): summary.skipped += 1; note(r.id, n)
        case .insert(let number):
            let n = try Store.insertResource(db, r, number: number, session: session)
            took(.resource, n); note(r.id, n)
        }
    }

    func add(_ p: Practice, _ i: Int) throws {
        switch try slot(.practice, p.id, title: p.title, record: "\(Practice.section)[\(i)]") {
        case .present(let n): summary.skipped += 1; note(p.id, n)
        case .insert(let number):
            let n = try Store.insertPractice(db, p, number: number, session: session)
            took(.practice, n); note(p.id, n)
        }
    }

    func add(_ q: Question, _ i: Int) throws {
        let record = "\(Question.section)[\(i)]"
        if let a = q.acceptedAnswer { try Self.check(a, is: .answer, at: record + ".acceptedAnswer") }
        let n: Int64
        switch try slot(.question, q.id, title: q.title, record: record) {
        case .insert(let number):
            n = try Store.insertQuestion(db, q, number: number, session: session)
            took(.question, n)
        case .present(let existing):
            summary.skipped += 1
            n = existing
        }
        guard let id = q.id else { return }
        if n != id.number { renumbered[id] = n; moved[id] = n }
        if let a = q.acceptedAnswer {
            accepted.append((i, id, n, a))
            wantedAnswers.insert(a)
        }
    }

    func add(_ a: Answer, _ i: Int) throws {
        let record = "\(Answer.section)[\(i)]"
        try Self.check(a.question, is: .question, at: record + ".question")
        if let id = a.id { try Self.check(id, is: .answer, at: record + ".id") }
        let q: Int64
        if let n = renumbered[a.question] {
            q = n
        } else if taken[.question]?.contains(a.question.number) == true {
            q = a.question.number
        } else if let n = try Int64.fetchOne(cached: db, sql: "SELECT id FROM question WHERE id = ?", arguments: [a.question.number]) {
            q = n
        } else {
            throw KnowHowError.unknownEntry(a.question)
        }
        // The same answer to the same question is already here (with or without an id). An
        // answer table that started empty only has answers to questions this import answered.
        if taken[.answer] == nil || answered.contains(q),
           let same = try Int64.fetchOne(cached: db, sql: "SELECT id FROM answer WHERE question_id = ? AND body = ? ORDER BY id = ? DESC LIMIT 1",
                                         arguments: [q, Validation.text(a.body), a.id?.number]) {
            if let id = a.id, wantedAnswers.contains(id) { answerNumbers[id] = same }
            note(a.id, same)
            summary.skipped += 1; return
        }
        var number = a.id?.number
        if let id = a.id, taken[.answer]?.contains(id.number) != false,
           let other = try String.fetchOne(cached: db, sql: "SELECT body FROM answer WHERE id = ?", arguments: [id.number]) {
            number = try renumbered(id, record: record, clashingWith: "another text ('\(Self.excerpt(other))')")
        }
        let n = try Store.insertAnswer(db, a, question: q, number: number, session: session)
        if taken[.answer] != nil { answered.insert(q) }
        took(.answer, n); note(a.id, n)
        if let id = a.id, wantedAnswers.contains(id) { answerNumbers[id] = n }
    }

    func add(_ s: MeetingSeries) throws {
        let v = try s.validated()
        if try Int64.fetchOne(cached: db, sql: "SELECT 1 FROM meeting_series WHERE name = ?", arguments: [v.name]) != nil {
            summary.skipped += 1; return
        }
        try Store.insertSeries(db, v, session: session)
        summary.seriesAdded += 1
    }

    func add(_ m: Meeting, _ i: Int) throws {
        let record = "\(Meeting.section)[\(i)]"
        // Links point at entries the file may have renumbered: only questions are tracked.
        var m = m
        m.links = m.links.map { l in l.type == .question ? renumbered[l].map { EntryID(.question, $0) } ?? l : l }
        // A calendar's event is the meeting with its UID (or, made here, with its id and creation time).
        if let uid = Validation.text(m.uid) {
            if try Int64.fetchOne(cached: db, sql: "SELECT 1 FROM meeting WHERE uid = ?", arguments: [uid]) != nil {
                summary.skipped += 1; return
            }
            for existing in try Int64.fetchAll(db, sql: "SELECT id FROM meeting WHERE uid IS NULL AND title = ?", arguments: [m.title])
            where ICalendar.uid(try Store.loadMeeting(db, number: existing)) == uid {
                summary.skipped += 1; return
            }
        }
        guard m.id != nil else { return took(.meeting, try Store.insertMeeting(db, m, number: nil, session: session)) }
        switch try slot(.meeting, m.id, title: m.title, record: record) {
        case .present: summary.skipped += 1
        case .insert(let number): took(.meeting, try Store.insertMeeting(db, m, number: number, session: session))
        }
    }

    // MARK: - Entry numbers

    /// Where a record of the file goes: a number to insert it under (nil: the next free one), or
    /// the number of the entry the store already has for it.
    enum Slot { case insert(Int64?), present(Int64) }

    /// The store has an entry already when it has the same id and title or, for a record without
    /// an id (or one renumbered by an earlier import of the same file), the same title.
    func slot(_ t: EntryType, _ id: EntryID?, title: String, record: String) throws -> Slot {
        let sql = Self.sql(t)
        let text = Validation.text(title) ?? ""
        guard let id else {
            return try Int64.fetchOne(cached: db, sql: sql.title, arguments: [text]).map(Slot.present) ?? .insert(nil)
        }
        try Self.check(id, is: t, at: record + ".id")
        if taken[t]?.contains(id.number) == false { return .insert(id.number) }
        if try Int64.fetchOne(cached: db, sql: sql.idAndTitle, arguments: [id.number, text]) != nil { return .present(id.number) }
        guard let other = try String.fetchOne(cached: db, sql: sql.titleOf, arguments: [id.number]) else { return .insert(id.number) }
        if renumber, let same = try Int64.fetchOne(cached: db, sql: sql.title, arguments: [text]) { return .present(same) }
        return .insert(try renumbered(id, record: record, clashingWith: "another title ('\(Self.excerpt(other))')"))
    }

    /// The new number of a record whose id the store holds with other content; refused without `renumber`.
    func renumbered(_ id: EntryID, record: String, clashingWith what: String) throws -> Int64 {
        guard renumber else {
            throw KnowHowError.conflict("\(id) already exists with \(what); use --renumber to import it under a new id")
        }
        let n = try Store.nextNumber(db, id.type)
        summary.renumbered.append(.init(record: record, from: id, to: EntryID(id.type, n)))
        return n
    }

    /// Refuses an id of another type where one type belongs (a resource with id `p1`).
    static func check(_ id: EntryID, is t: EntryType, at location: String) throws {
        guard id.type != t else { return }
        let example = EntryID(t, 12)
        throw KnowHowError.badImport(path: "", location: location,
            reason: "'\(id)' is \(id.type == .answer ? "an" : "a") \(id.type.rawValue) id, where \(t == .answer ? "an" : "a") \(t.rawValue) id such as \(example) belongs")
    }

    /// The start of a title or text, on one line, for a message.
    static func excerpt(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > 60 ? String(line.prefix(59)) + "…" : line
    }

    /// Notes where a record of the file went when that is not its own number.
    func note(_ id: EntryID?, _ n: Int64) {
        if let id, id.number != n { moved[id] = n }
    }

    func took(_ t: EntryType, _ n: Int64) {
        summary.added[t, default: 0] += 1
        taken[t]?.insert(n)
    }

    static func sql(_ t: EntryType) -> EntryExistenceSQL {
        switch t {
        case .resource: return .resource
        case .practice: return .practice
        case .question: return .question
        case .meeting: return .meeting
        case .answer, .member: return .answer
        }
    }
}

/// Indexes of the entry tables that nothing reads while their rows come in. Into tables that were
/// empty, an import drops them and makes them again once the entries are in, inside its
/// transaction: one sort each, rather than a random insert for every row (at a million entries
/// they outgrow the cache).
let deferredImportIndexes = ["entry_tag_tag", "resource_contributor", "resource_author_member",
                             "practice_contributor", "practice_verified_by", "practice_review_by", "question_asker", "answer_author"]

/// The existence queries of an entry table, spelled out once rather than per row.
struct EntryExistenceSQL {
    let any: String, idAndTitle: String, titleOf: String, title: String

    init(_ table: String) {
        any = "SELECT 1 FROM \(table) LIMIT 1"
        idAndTitle = "SELECT 1 FROM \(table) WHERE id = ? AND title = ?"
        titleOf = "SELECT title FROM \(table) WHERE id = ?"
        title = "SELECT id FROM \(table) WHERE title = ? LIMIT 1"
    }

    static let resource = EntryExistenceSQL("resource")
    static let practice = EntryExistenceSQL("practice")
    static let question = EntryExistenceSQL("question")
    static let answer = EntryExistenceSQL("answer")
    static let meeting = EntryExistenceSQL("meeting")
}
