import Foundation
import GRDB
import KnowHowCore

/// The three baselines of the relevance benchmark, over the same history as KnowHow and with
/// the same query terms, in a scratch SQLite database of their own:
/// - answer count: members ranked by how many answers they had written;
/// - profile BM25: one document per member, their past answers concatenated (Balog's
///   candidate model, "model 1" style);
/// - summed BM25: past answers ranked by BM25, scores summed per author (a plain document model).
///
/// An answer's document is the text KnowHow indexes for it: the question's title and tags and
/// the answer itself, so the comparison is between rankings, not between what was indexed.
struct RelevanceBaselines {
    static let methods = ["answer count", "profile BM25", "summed BM25"]

    let db: DatabaseQueue
    /// Users by answers written, most first (ties by user id).
    let byCount: [Int64]

    init(history: [RelevanceDump.Row]) throws {
        db = try DatabaseQueue()
        var questions: [Int64: (title: String, tags: String)] = [:]
        for r in history where r["PostTypeId"] == "1" {
            guard let id = r["Id"].flatMap({ Int64($0) }) else { continue }
            let tags = StackExchangeDump.tags(r["Tags"] ?? "").joined(separator: " ").replacingOccurrences(of: "-", with: " ")
            questions[id] = (HTMLText.plainText(r["Title"] ?? ""), tags)
        }
        var profiles: [Int64: [String]] = [:]
        var counts: [Int64: Int] = [:]
        try db.write { db in
            let tokenizer = "tokenize = 'porter unicode61 remove_diacritics 2'"
            try db.execute(sql: """
                CREATE VIRTUAL TABLE answer_doc USING fts5(text, \(tokenizer));
                CREATE TABLE answer_author(answer_id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);
                CREATE VIRTUAL TABLE member_doc USING fts5(text, \(tokenizer));
                """)
            for r in history where r["PostTypeId"] == "2" {
                guard let id = r["Id"].flatMap({ Int64($0) }), let q = r["ParentId"].flatMap({ Int64($0) }).flatMap({ questions[$0] }),
                      let user = r["OwnerUserId"].flatMap({ Int64($0) }), user >= 0 else { continue }
                let text = [q.title, q.tags, HTMLText.plainText(r["Body"] ?? "")].joined(separator: "\n")
                try db.execute(sql: "INSERT INTO answer_doc(rowid, text) VALUES (?, ?)", arguments: [id, text])
                try db.execute(sql: "INSERT INTO answer_author(answer_id, user_id) VALUES (?, ?)", arguments: [id, user])
                profiles[user, default: []].append(text)
                counts[user, default: 0] += 1
            }
            for (user, texts) in profiles {
                try db.execute(sql: "INSERT INTO member_doc(rowid, text) VALUES (?, ?)", arguments: [user, texts.joined(separator: "\n\n")])
            }
        }
        byCount = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
    }

    /// Each baseline's ranking (user ids, best first) for one FTS5 MATCH expression.
    func rankings(match: String?) throws -> [[Int64]] {
        guard let match else { return [byCount, [], []] }
        return try db.read { db in
            let profile = try Int64.fetchAll(db, sql: """
                SELECT rowid FROM member_doc WHERE member_doc MATCH ? ORDER BY bm25(member_doc), rowid
                """, arguments: [match])
            var summed: [Int64: Double] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT a.user_id, -bm25(answer_doc) FROM answer_doc JOIN answer_author a ON a.answer_id = answer_doc.rowid
                WHERE answer_doc MATCH ?
                """, arguments: [match]) {
                summed[r[0], default: 0] += r[1] as Double
            }
            return [byCount, profile, summed.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)]
        }
    }
}
