import Foundation
import GRDB
import KnowHowCore

/// Keeps the full-text index in step with the tables, inside the caller's transaction.
///
/// The index keeps no copy of the text (`content = ''`): an entry's row is taken out with FTS5's
/// 'delete' command and exactly the document it was made from, which whoever changes an entry
/// must know (see `finishRecording`, which finds it in the rows as they were before the change).
/// A document that differs from the one indexed would leave words behind, so tests compare the
/// index with one made afresh from the tables (`indexDrift`).
extension SQLiteKnowledgeStore {
    struct Document: Equatable {
        var title = "", tags = "", summary = "", body = ""
    }

    /// Makes the index row of one entry again: `old` is the document it was indexed from (nil:
    /// it has no row), and the new one is read from the tables (none when the entry is gone).
    static func reindex(_ db: Database, key: Int64, old: Document?) throws {
        let new = try document(db, key: key)
        if let old {
            if old == new { return }
            try unindex(db, key: key, old)
        }
        guard let new else { return }
        try index(db, key: key, new)
    }

    /// Adds the index row of an entry that has none, from a document its writer made: inserts
    /// make it from the record they write rather than reading the rows back (see +Write).
    static func index(_ db: Database, key: Int64, _ doc: Document, session: WriteSession? = nil) throws {
        try db.run(sql: "INSERT INTO entry_fts(rowid, title, tags, summary, body) VALUES (?, ?, ?, ?, ?)",
                   arguments: [key, doc.title, doc.tags, doc.summary, doc.body])
        try db.run(sql: "INSERT INTO word_fts(rowid, text) VALUES (?, ?)",
                   arguments: [key, doc.title + "\n" + doc.tags + "\n" + doc.summary])
        try indexed(db, key: key, doc, session: session)
    }

    /// Keeps the ranked lists current for an entry just indexed (see +RankLists); an import's
    /// session only notes the key, and the lists are brought up to date at the import's end.
    static func indexed(_ db: Database, key: Int64, _ doc: Document, session: WriteSession?) throws {
        if let session, session.noteImported(key) { return }
        try rankListsIndexed(db, key: key, doc)
    }

    /// Takes an entry's row out of the index; `old` must be the document it was indexed from.
    static func unindex(_ db: Database, key: Int64, _ old: Document) throws {
        guard try isIndexed(db, key: key) else { return }
        try db.run(sql: "INSERT INTO word_fts(word_fts, rowid, text) VALUES ('delete', ?, ?)",
                   arguments: [key, old.title + "\n" + old.tags + "\n" + old.summary])
        try db.run(sql: "INSERT INTO entry_fts(entry_fts, rowid, title, tags, summary, body) VALUES ('delete', ?, ?, ?, ?, ?)",
                   arguments: [key, old.title, old.tags, old.summary, old.body])
        try rankListsUnindexed(db, key: key, old)
    }

    /// Whether the index has a row for the entry (its column sizes are kept by key).
    static func isIndexed(_ db: Database, key: Int64) throws -> Bool {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM entry_fts_docsize WHERE id = ?"), arguments: [key]) != nil
    }

    /// Tag names and aliases as words, so that `induction` finds entries tagged `onboarding`.
    static func tagText(_ db: Database, tagIDs sql: String, _ args: StatementArguments) throws -> String {
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT t.name, (SELECT group_concat(alias, ' ') FROM tag_alias a WHERE a.tag_id = t.id)
            FROM tag t WHERE t.id IN (\(sql)) ORDER BY t.name
            """), arguments: args)
        return rows.map { row in tagWordsText(name: row[0], aliases: row[1]) }.joined(separator: " ")
    }

    /// One tag's words in a document's `tags` column: its name, then its aliases (as
    /// `group_concat` joins them), hyphens as spaces. Hyphens become spaces byte by byte:
    /// Foundation's replacingOccurrences was most of a document's cost, and `closest` reads some
    /// 60 documents for a pasted title.
    static func tagWordsText(name: String, aliases: String?) -> String {
        let text = aliases.map { name + " " + $0 } ?? name
        guard text.utf8.contains(UInt8(ascii: "-")) else { return text }
        return String(decoding: text.utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    static func document(_ db: Database, key: Int64) throws -> Document? {
        guard let type = EntryKey.type(key) else { return nil }
        let n = EntryKey.number(key)
        var d = Document()
        switch type {
        case .member:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT handle, name, organisation, sector, location, bio FROM member WHERE id = ?"), arguments: [n]) else { return nil }
            d.title = r["name"]
            d.tags = try tagText(db, tagIDs: "SELECT tag_id FROM member_skill WHERE member_id = ? UNION SELECT tag_id FROM member_interest WHERE member_id = ?", [n, n])
            d.summary = ["@" + (r["handle"] as String), r["organisation"], r["sector"], r["location"]].compactMap { $0 }.joined(separator: " · ")
            d.body = r["bio"] ?? ""
        case .resource:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT title, summary, body FROM resource WHERE id = ?"), arguments: [n]) else { return nil }
            d.title = r["title"]; d.summary = r["summary"] ?? ""; d.body = r["body"] ?? ""
            d.tags = try tagText(db, tagIDs: "SELECT tag_id FROM entry_tag WHERE entry = ?", [key])
        case .practice:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT title, context, practice, evidence FROM practice WHERE id = ?"), arguments: [n]) else { return nil }
            d.title = r["title"]; d.summary = r["context"] ?? ""
            d.body = [r["practice"] as String?, r["evidence"] as String?].compactMap { $0 }.joined(separator: "\n\n")
            d.tags = try tagText(db, tagIDs: "SELECT tag_id FROM entry_tag WHERE entry = ?", [key])
        case .question:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT title, body FROM question WHERE id = ?"), arguments: [n]) else { return nil }
            d.title = r["title"]; d.body = r["body"] ?? ""
            d.tags = try tagText(db, tagIDs: "SELECT tag_id FROM entry_tag WHERE entry = ?", [key])
        case .answer:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT a.body, a.question_id, q.title FROM answer a JOIN question q ON q.id = a.question_id WHERE a.id = ?"), arguments: [n]) else { return nil }
            d.summary = r["title"]; d.body = r["body"]
            let qkey = EntryKey.make(.question, r["question_id"])
            d.tags = try tagText(db, tagIDs: "SELECT tag_id FROM entry_tag WHERE entry = ?", [qkey])
        case .meeting:
            return try meetingDocument(db, number: n)
        }
        return d
    }
}
