import Foundation

/// The search rows of many entries at once, for imports: the same text as
/// `knowhow.entry_document` (see PostgresSchema.v3Documents) gives one key at a time, built with
/// joins over the whole set instead. Calling that function per key costs about 0.2 ms a row
/// (it cannot be inlined), three quarters of an import's time; the joins cost a tenth of that.
/// A test holds the two to the same text for every kind of entry.
enum PostgresDocuments {
    /// SQL that writes `knowhow.entry_text` rows for the distinct keys in the table `keys`
    /// (a temporary table with a bigint column `entry`, analysed, so the planner joins by hash).
    static func insert(keys: String) -> String {
        """
        CREATE TEMP TABLE IF NOT EXISTS import_tag_words (id bigint PRIMARY KEY, name text NOT NULL, words text NOT NULL) ON COMMIT DROP;
        TRUNCATE import_tag_words;
        INSERT INTO import_tag_words(id, name, words)
        SELECT t.id, t.name, replace(t.name || coalesce(' ' || (SELECT string_agg(a.alias, ' ' ORDER BY a.alias COLLATE "C")
                                                              FROM knowhow.tag_alias a WHERE a.tag_id = t.id), ''), '-', ' ')
        FROM knowhow.tag t;
        ANALYZE import_tag_words;
        INSERT INTO knowhow.entry_text(entry, title, tags, summary, body)
        WITH k AS MATERIALIZED (SELECT DISTINCT entry FROM \(keys)),
        tagged AS (
            SELECT x.entry, string_agg(w.words, ' ' ORDER BY w.name COLLATE "C") AS tags
            FROM (SELECT entry, entry AS source FROM k WHERE entry & 7 IN (2, 3, 4, 7)
                  UNION ALL
                  SELECT k.entry, a.question_id << 3 | 4 FROM k JOIN knowhow.answer a ON a.id = k.entry >> 3 WHERE k.entry & 7 = 5) x
            JOIN knowhow.entry_tag e ON e.entry = x.source JOIN import_tag_words w ON w.id = e.tag_id
            GROUP BY x.entry
            UNION ALL
            SELECT k.entry, string_agg(w.words, ' ' ORDER BY w.name COLLATE "C")
            FROM k JOIN (SELECT member_id, tag_id FROM knowhow.member_skill UNION SELECT member_id, tag_id FROM knowhow.member_interest) s
                 ON s.member_id = k.entry >> 3
            JOIN import_tag_words w ON w.id = s.tag_id
            WHERE k.entry & 7 = 1
            GROUP BY k.entry)
        SELECT d.entry, d.title, coalesce(g.tags, ''), d.summary, d.body FROM (
            SELECT k.entry, m.name AS title, concat_ws(' · ', '@' || m.handle, m.organisation, m.sector, m.location) AS summary,
                   coalesce(m.bio, '') AS body
            FROM k JOIN knowhow.member m ON m.id = k.entry >> 3 WHERE k.entry & 7 = 1
            UNION ALL
            SELECT k.entry, r.title, coalesce(r.summary, ''), coalesce(r.body, '')
            FROM k JOIN knowhow.resource r ON r.id = k.entry >> 3 WHERE k.entry & 7 = 2
            UNION ALL
            SELECT k.entry, p.title, coalesce(p.context, ''), concat_ws(E'\\n\\n', p.practice, p.evidence)
            FROM k JOIN knowhow.practice p ON p.id = k.entry >> 3 WHERE k.entry & 7 = 3
            UNION ALL
            SELECT k.entry, q.title, '', coalesce(q.body, '')
            FROM k JOIN knowhow.question q ON q.id = k.entry >> 3 WHERE k.entry & 7 = 4
            UNION ALL
            SELECT k.entry, '', q.title, a.body
            FROM k JOIN knowhow.answer a ON a.id = k.entry >> 3 JOIN knowhow.question q ON q.id = a.question_id WHERE k.entry & 7 = 5
            UNION ALL
            SELECT k.entry, g.title, knowhow.meeting_summary(g.id), coalesce(g.notes, '')
            FROM k JOIN knowhow.meeting g ON g.id = k.entry >> 3 WHERE k.entry & 7 = 7
        ) d LEFT JOIN tagged g ON g.entry = d.entry;
        """
    }
}
