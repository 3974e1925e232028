import Foundation
import GRDB
import KnowHowCore

/// The baselines of the relevance benchmark, over the whole site and read as of each case's
/// date (only answers written before it), with the same query terms as `who`, in a scratch
/// SQLite database of their own:
/// - answer count: members ranked by how many answers they had written;
/// - profile BM25: one document per member, their past answers concatenated (Balog's
///   candidate model, "model 1" style);
/// - summed BM25: past answers ranked by BM25, scores summed per author (a plain document model);
/// - BM25 + tag prior: summed BM25 (scaled to the best member) plus log(1 + answers in the
///   question's tags) (scaled likewise), equal parts, fixed before any figure was seen.
///
/// An answer's document is the text KnowHow indexes for it: the question's title and tags and
/// the answer itself, so the comparison is between rankings, not between what was indexed.
/// BM25's word statistics are those of the whole site, later answers included, as are `who`'s:
/// no later answer is ever a candidate's evidence, but the rarity of a word is read from all.
final class RelevanceBaselines {
    static let methods = ["answer count", "profile BM25", "summed BM25", "BM25 + tag prior"]

    let db: DatabaseQueue
    let answers: [(id: Int64, user: Int64, created: Int64, text: String, tags: [String])]
    /// The created time the member documents were last built for.
    private var profilesAt: Int64 = -1
    private var profileCount = -1

    init(dump: RelevanceDump) throws {
        db = try DatabaseQueue()
        answers = dump.answerDocs().sorted { ($0.created, $0.id) < ($1.created, $1.id) }
        try db.write { db in
            let tokenizer = "tokenize = 'porter unicode61 remove_diacritics 2'"
            try db.execute(sql: """
                CREATE VIRTUAL TABLE answer_doc USING fts5(text, \(tokenizer));
                CREATE TABLE answer_author(answer_id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, created INTEGER NOT NULL);
                CREATE VIRTUAL TABLE member_doc USING fts5(text, \(tokenizer));
                """)
            for a in answers {
                try db.execute(sql: "INSERT INTO answer_doc(rowid, text) VALUES (?, ?)", arguments: [a.id, a.text])
                try db.execute(sql: "INSERT INTO answer_author(answer_id, user_id, created) VALUES (?, ?, ?)",
                               arguments: [a.id, a.user, a.created])
            }
        }
    }

    /// Each baseline's ranking (user ids, best first) for one FTS5 MATCH expression, as of `before`
    /// (milliseconds; answers written strictly before it), for a question in `tags`.
    func rankings(match: String?, before: Int64, tags: [String]) throws -> [[Int64]] {
        let past = answers.prefix { $0.created < before }
        var counts: [Int64: Int] = [:], inTags: [Int64: Int] = [:]
        let tagSet = Set(tags)
        for a in past {
            counts[a.user, default: 0] += 1
            if a.tags.contains(where: tagSet.contains) { inTags[a.user, default: 0] += 1 }
        }
        let byCount = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        guard let match else { return [byCount, [], [], []] }
        if profileCount != past.count {
            // The member documents as they stood: rebuilt when an answer was added since.
            var profiles: [Int64: [String]] = [:]
            for a in past { profiles[a.user, default: []].append(a.text) }
            try db.write { db in
                try db.execute(sql: "DELETE FROM member_doc")
                for (user, texts) in profiles {
                    try db.execute(sql: "INSERT INTO member_doc(rowid, text) VALUES (?, ?)", arguments: [user, texts.joined(separator: "\n\n")])
                }
            }
            profileCount = past.count
        }
        return try db.read { db in
            let profile = try Int64.fetchAll(db, sql: """
                SELECT rowid FROM member_doc WHERE member_doc MATCH ? ORDER BY bm25(member_doc), rowid
                """, arguments: [match])
            var summed: [Int64: Double] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT a.user_id, -bm25(answer_doc) FROM answer_doc JOIN answer_author a ON a.answer_id = answer_doc.rowid
                WHERE answer_doc MATCH ? AND a.created < ?
                """, arguments: [match, before]) {
                summed[r[0], default: 0] += r[1] as Double
            }
            let topSum = summed.values.max() ?? 0
            let topTag = log(1 + Double(inTags.values.max() ?? 0))
            var prior: [Int64: Double] = [:]
            for u in Set(summed.keys).union(inTags.keys) {
                let s = topSum > 0 ? (summed[u] ?? 0) / topSum : 0
                let t = topTag > 0 ? log(1 + Double(inTags[u] ?? 0)) / topTag : 0
                prior[u] = s + t
            }
            func order(_ d: [Int64: Double]) -> [Int64] { d.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key) }
            return [byCount, profile, order(summed), order(prior)]
        }
    }
}
