import Foundation
import GRDB
import KnowHowCore

extension SQLiteKnowledgeStore {
    /// Adds what the file holds and the store lacks, in one transaction: a bad record aborts
    /// the whole import with the record's path, and the store is left exactly as it was.
    public func importCommunity(_ file: CommunityFile) throws -> ImportSummary {
        // Recorded in history without row images: an import can be large, and is not undone.
        try change(.importCommunity, recordRows: false) { db, note in
            let summary = try Self.importCommunity(db, file)
            note.summary = summary.description
            note.discard = summary.total == 0
            return summary
        }
    }

    static func at<T>(_ location: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as KnowHowError {
            if case .badImport = e { throw e }
            throw KnowHowError.badImport(path: "", location: location, reason: e.description)
        }
    }

    static func importCommunity(_ db: Database, _ file: CommunityFile) throws -> ImportSummary {
        var summary = ImportSummary()
        for (i, tag) in file.tags.enumerated() {
            try at("tags[\(i)]") {
                let name = try Validation.tag(tag.name)
                var tagID = try Int64.fetchOne(db, sql: "SELECT id FROM tag WHERE name = ?", arguments: [name])
                if tagID == nil {
                    if try Int64.fetchOne(db, sql: "SELECT tag_id FROM tag_alias WHERE alias = ?", arguments: [name]) != nil {
                        summary.skipped += 1; return
                    }
                    try db.execute(sql: "INSERT INTO tag(name, description) VALUES (?, ?)",
                                   arguments: [name, Validation.text(tag.description)])
                    tagID = db.lastInsertedRowID
                    summary.tagsAdded += 1
                } else if let d = Validation.text(tag.description) {
                    try db.execute(sql: "UPDATE tag SET description = coalesce(description, ?) WHERE id = ?", arguments: [d, tagID])
                }
                for (j, alias) in tag.aliases.enumerated() {
                    try at("tags[\(i)].aliases[\(j)]") {
                        let a = try Validation.tag(alias)
                        if try Int64.fetchOne(db, sql: "SELECT 1 FROM tag WHERE name = ?", arguments: [a]) != nil {
                            throw KnowHowError.conflict("'\(a)' is already a tag, so it cannot be an alias of '\(name)'")
                        }
                        if let owner = try Int64.fetchOne(db, sql: "SELECT tag_id FROM tag_alias WHERE alias = ?", arguments: [a]) {
                            if owner != tagID {
                                throw KnowHowError.conflict("'\(a)' is already an alias of another tag")
                            }
                        } else {
                            try db.execute(sql: "INSERT INTO tag_alias(alias, tag_id) VALUES (?, ?)", arguments: [a, tagID])
                        }
                    }
                }
            }
        }
        for (i, m) in file.members.enumerated() {
            try at("members[\(i)]") {
                let h = try Validation.handle(m.handle)
                if try Int64.fetchOne(db, sql: "SELECT 1 FROM member WHERE handle = ?", arguments: [h]) != nil {
                    summary.skipped += 1; return
                }
                if let s = Validation.text(m.sourceId),
                   try Int64.fetchOne(db, sql: "SELECT 1 FROM member WHERE source_id = ?", arguments: [s]) != nil {
                    summary.skipped += 1; return
                }
                _ = try insertMember(db, m)
                summary.added[.member, default: 0] += 1
            }
        }
        for (i, r) in file.resources.enumerated() {
            try at("resources[\(i)]") {
                if try existing(db, table: "resource", id: r.id, title: r.title) { summary.skipped += 1; return }
                _ = try insertResource(db, r, number: try freeNumber(db, table: "resource", r.id))
                summary.added[.resource, default: 0] += 1
            }
        }
        for (i, p) in file.practices.enumerated() {
            try at("practices[\(i)]") {
                if try existing(db, table: "practice", id: p.id, title: p.title) { summary.skipped += 1; return }
                _ = try insertPractice(db, p, number: try freeNumber(db, table: "practice", p.id))
                summary.added[.practice, default: 0] += 1
            }
        }
        // Questions and answers refer to each other by the file's ids; map them to the store's.
        var questionIDs: [EntryID: Int64] = [:]
        for (i, q) in file.questions.enumerated() {
            try at("questions[\(i)]") {
                if let id = q.id, try existing(db, table: "question", id: id, title: q.title) {
                    questionIDs[id] = id.number; summary.skipped += 1; return
                }
                if q.id == nil, try existing(db, table: "question", id: nil, title: q.title) { summary.skipped += 1; return }
                let n = try insertQuestion(db, q, number: try freeNumber(db, table: "question", q.id))
                if let id = q.id { questionIDs[id] = n }
                summary.added[.question, default: 0] += 1
            }
        }
        var answerIDs: [EntryID: Int64] = [:]
        for (i, a) in file.answers.enumerated() {
            try at("answers[\(i)]") {
                guard let q = try questionIDs[a.question] ?? (Int64.fetchOne(db, sql: "SELECT id FROM question WHERE id = ?", arguments: [a.question.number])) else {
                    throw KnowHowError.unknownEntry(a.question)
                }
                // The same answer to the same question is already here (with or without an id).
                if let same = try Int64.fetchOne(db, sql: "SELECT id FROM answer WHERE question_id = ? AND body = ? ORDER BY id = ? DESC LIMIT 1",
                                                 arguments: [q, Validation.text(a.body), a.id?.number]) {
                    if let id = a.id { answerIDs[id] = same }
                    summary.skipped += 1; return
                }
                let n = try insertAnswer(db, a, question: q, number: try freeNumber(db, table: "answer", a.id))
                if let id = a.id { answerIDs[id] = n }
                summary.added[.answer, default: 0] += 1
            }
        }
        for (i, q) in file.questions.enumerated() {
            guard let accepted = q.acceptedAnswer, let qid = q.id, let qn = questionIDs[qid] else { continue }
            try at("questions[\(i)].acceptedAnswer") {
                guard let an = answerIDs[accepted],
                      try Int64.fetchOne(db, sql: "SELECT 1 FROM answer WHERE id = ? AND question_id = ?", arguments: [an, qn]) != nil else {
                    throw KnowHowError.conflict("\(accepted) is not an answer to \(qid)")
                }
                try db.execute(sql: "UPDATE question SET accepted_answer_id = ? WHERE id = ?", arguments: [an, qn])
            }
        }
        // The search log (see +Insights): searches already logged are skipped; a store that logs
        // anonymously keeps imported searches anonymous too.
        let anonymous = try searchLogging(db) == .anonymous
        for (i, e) in file.searches.enumerated() {
            try at("searches[\(i)]") {
                let member = anonymous ? nil : try e.member.map { try memberID(db, $0) }
                if try searchLogged(db, e, memberID: member) { return }
                try insertSearch(db, e, memberID: member)
            }
        }
        return summary
    }

    /// True when the store already has this entry: same id and title, or (without an id) same title.
    static func existing(_ db: Database, table: String, id: EntryID?, title: String) throws -> Bool {
        let t = Validation.text(title) ?? ""
        if let id {
            return try Int64.fetchOne(db, sql: "SELECT 1 FROM \(table) WHERE id = ? AND title = ?", arguments: [id.number, t]) != nil
        }
        return try Int64.fetchOne(db, sql: "SELECT 1 FROM \(table) WHERE title = ?", arguments: [t]) != nil
    }

    /// The file's number for an entry when the store has not used it; otherwise a new one.
    static func freeNumber(_ db: Database, table: String, _ id: EntryID?) throws -> Int64? {
        guard let id else { return nil }
        let taken = try Int64.fetchOne(db, sql: "SELECT 1 FROM \(table) WHERE id = ?", arguments: [id.number]) != nil
        return taken ? nil : id.number
    }

    // MARK: - Export

    public func exportCommunity() throws -> CommunityFile {
        try read { db in
            var file = CommunityFile()
            file.tags = try Row.fetchAll(db, sql: "SELECT id, name, description FROM tag ORDER BY name").map { row in
                let aliases = try String.fetchAll(db, sql: "SELECT alias FROM tag_alias WHERE tag_id = ? ORDER BY alias", arguments: [row["id"] as Int64])
                return Tag(name: row["name"], description: row["description"], aliases: aliases)
            }
            file.members = try Int64.fetchAll(db, sql: "SELECT id FROM member ORDER BY handle").map { try Self.loadMember(db, id: $0) }
            file.resources = try Int64.fetchAll(db, sql: "SELECT id FROM resource ORDER BY id").map { try Self.loadResource(db, number: $0) }
            file.practices = try Int64.fetchAll(db, sql: "SELECT id FROM practice ORDER BY id").map { try Self.loadPractice(db, number: $0) }
            file.questions = try Int64.fetchAll(db, sql: "SELECT id FROM question ORDER BY id").map { try Self.loadQuestion(db, number: $0) }
            file.answers = try Int64.fetchAll(db, sql: "SELECT id FROM answer ORDER BY id").map { try Self.loadAnswer(db, number: $0) }
            file.searches = try Self.searchLog(db, nil)
            return file
        }
    }
}
