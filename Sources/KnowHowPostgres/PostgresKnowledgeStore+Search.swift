import Foundation
import KnowHowCore

extension PostgresKnowledgeStore {
    /// Column weights as the SQLite store's bm25 gives them (title 10, tags 6, summary 3, body
    /// 1), in the order ts_rank_cd takes them: {D, C, B, A}, scaled into the 0–1 it accepts.
    /// With normalisation 2 (rank / length), as bm25 weighs length. ts_rank_cd picks the
    /// candidates (the index serves it); `PostgresBM25` orders them as SQLite does: the contract
    /// fixture's ranking queries get SQLite's top three for 22 of 22 (ts_rank_cd alone: 15).
    static let weights = "{0.1, 0.3, 0.6, 1.0}"
    /// ts_headline options: matches marked as `Highlight` marks them; snippets about 14 words.
    static let titleMarks = "StartSel=\u{02}, StopSel=\u{03}, HighlightAll=true"
    static let snippetMarks = "StartSel=\u{02}, StopSel=\u{03}, MaxWords=14, MinWords=6, MaxFragments=1, FragmentDelimiter=…"

    /// Ranked hits across kinds for a parsed query.
    public func search(_ query: Query, limit: Int) throws -> SearchResults {
        try run { c in try Self.search(c, query, limit: limit, listing: nil) }
    }

    /// Entries of one type, optionally narrowed by a query, in a stable order.
    public func list(_ type: EntryType, query: Query?, limit: Int) throws -> SearchResults {
        var q = query ?? Query(text: nil)
        q.filters.removeAll { $0.key == .type }
        q.filters.append(Filter(.type, type.rawValue))
        return try run { c in try Self.search(c, q, limit: limit, listing: type) }
    }

    static func search(_ c: PGConnection, _ query: Query, limit: Int, listing: EntryType?) throws -> SearchResults {
        let notes = try filterNotes(c, query.filters)
        if !notes.isEmpty { return SearchResults(hits: [], notes: notes) }
        var p = PGParameters()
        var conds = try PostgresFilters.conditions(query.filters, entry: "e.entry", parameters: &p)
        var hits: [SearchHit] = []
        let rows: [PGRow]
        if let text = query.text, let tsquery = TSQuery.render(text) {
            let q = p.bind(tsquery)
            // Members rank a little lower in `find`: `who` is the way to find people.
            rows = try c.query("""
                SELECT e.entry, ts_rank_cd('\(weights)', e.search, query, 2) * (CASE WHEN e.entry & 7 = 1 THEN 0.6 ELSE 1 END) AS rank
                FROM knowhow.entry_text e, to_tsquery('\(TSQuery.configuration)', \(q)) query
                WHERE e.search @@ query\(conds.map { " AND (\($0))" }.joined())
                ORDER BY rank DESC, e.entry
                LIMIT \(p.bind(max(limit + 1, PostgresBM25.candidates)))
                """, p.values).rows
            // bm25 orders the candidates, as SQLite's FTS5 ranks them.
            let ranked = try PostgresBM25.rank(c, node: text, keys: try rows.map { try $0.require("entry") }, memberFactor: 0.6)
            for (key, bm25) in ranked.prefix(limit) {
                // SearchHit scores: lower is better, as FTS5's bm25 ranks.
                if let hit = try markedHit(c, key: key, text: text, tsquery: tsquery, score: -bm25) { hits.append(hit) }
            }
        } else {
            for ex in query.text.map(TSQuery.exclusions) ?? [] {
                conds.append("NOT (e.search @@ to_tsquery('\(TSQuery.configuration)', \(p.bind(ex))))")
            }
            // Entries before members, each type in id order; members by handle when listed.
            let order = listing == .member
                ? "(SELECT handle FROM knowhow.member m WHERE m.id = e.entry >> 3) COLLATE \"C\""
                : "(CASE e.entry & 7 WHEN 1 THEN 9 ELSE e.entry & 7 END), e.entry >> 3"
            rows = try c.query("""
                SELECT e.entry FROM knowhow.entry_text e
                \(conds.isEmpty ? "" : "WHERE " + conds.map { "(\($0))" }.joined(separator: " AND "))
                ORDER BY \(order) LIMIT \(p.bind(limit + 1))
                """, p.values).rows
            for row in rows.prefix(limit) {
                if let h = try hit(c, key: try row.require("entry"), title: nil, snippet: "", score: 0) { hits.append(h) }
            }
        }
        var results = SearchResults(hits: hits, more: rows.count > limit)
        if hits.isEmpty, query.explainEmpty, listing == nil || query.text != nil {
            try explainEmpty(c, query, into: &results)
        }
        return results
    }

    /// The hit shown for a matched entry: title and extract marked as `text` matches them.
    static func markedHit(_ c: PGConnection, key: Int64, text: QueryNode, tsquery: String, score: Double) throws -> SearchHit? {
        let marked = try c.query("""
            SELECT ts_headline('\(TSQuery.configuration)', title, query, $2) AS title,
                   ts_headline('\(TSQuery.configuration)', summary, query, $3) AS summary,
                   ts_headline('\(TSQuery.configuration)', body, query, $3) AS body
            FROM knowhow.entry_text, to_tsquery('\(TSQuery.configuration)', $1) query WHERE entry = $4
            """, [TSQuery.highlight(text) ?? tsquery, titleMarks, snippetMarks, key]).first
        let title: String? = try marked?.get("title"), summary: String? = try marked?.get("summary"), body: String? = try marked?.get("body")
        // An answer's summary is its question's title, already in the hit's title.
        let isAnswer = key & 7 == Int64(EntryKeys.code(.answer))
        let candidates = (isAnswer ? [body] : [body, summary]).compactMap { $0 }
        let bodyFirst = isAnswer || key & 7 == Int64(EntryKeys.code(.member))
        let fallback = bodyFirst ? [body, summary] : [summary, body]
        let snippet = candidates.first { $0.contains(Highlight.open) }
            ?? fallback.compactMap { $0.map(opening) }.first { !$0.isEmpty } ?? ""
        return try hit(c, key: key, title: title.flatMap { $0.isEmpty ? nil : $0 }, snippet: snippet, score: score)
    }

    /// The pool is `search`'s hits, built in full (its ranking reads each entry anyway); words no
    /// entry holds are not looked for.
    public func searchPool(_ query: Query, limit: Int) throws -> SearchPool {
        SearchPool(hits: try search(query, limit: limit).hits.map(PoolHit.init))
    }

    public func hits(for pool: [PoolHit], query: Query) throws -> [SearchHit] {
        try run { c in
            try pool.compactMap { item -> SearchHit? in
                if let hit = item.hit { return hit }
                let key: Int64
                switch item.ref {
                case .entry(let id): key = EntryKeys.make(id)
                case .member(let handle): key = try Self.memberID(c, handle) << 3 | Int64(EntryKeys.code(.member))
                }
                guard let text = query.text, let tsquery = TSQuery.render(text) else {
                    return try Self.hit(c, key: key, title: nil, snippet: "", score: item.score)
                }
                return try Self.markedHit(c, key: key, text: text, tsquery: tsquery, score: item.score)
            }
        }
    }

    /// What the SQLite store says of filters naming nothing: a tag that does not exist empties
    /// the list with a note (a near name suggested); a handle that does not exist is an error.
    static func filterNotes(_ c: PGConnection, _ filters: [Filter]) throws -> [String] {
        var groups: [(Filter.Key, Bool, [String])] = []
        for f in filters {
            if let i = groups.firstIndex(where: { $0.0 == f.key && $0.1 == f.negated }) { groups[i].2.append(f.value) }
            else { groups.append((f.key, f.negated, [f.value])) }
        }
        var notes: [String] = []
        for (key, negated, values) in groups {
            switch key {
            case .by:
                for v in values { _ = try memberID(c, v) }
            case .tag:
                var found = false
                var note: String?
                for v in values {
                    guard let name = try? Validation.tag(v) else {
                        throw KnowHowError.badFilter(key: "tag", reason: "'\(v)' is not a tag name; tags look like social-care")
                    }
                    if try tagID(c, name) != nil { found = true; continue }
                    if values.count == 1 {
                        let names = try c.query("SELECT name FROM knowhow.tag UNION ALL SELECT alias FROM knowhow.tag_alias").rows.map { try $0.require("name", as: String.self) }
                        let near = EditDistance.nearest(name, in: names, max: 1).first
                        note = "no tag '\(name)'" + (near.map { "; did you mean tag:\($0)?" } ?? "; try `list tags`")
                    }
                }
                if !found, !negated { notes.append(note ?? "none of those tags exist; try `list tags`") }
            default:
                continue
            }
        }
        return notes
    }

    /// How many unknown words of one search get a "did you mean".
    static let maxSuggestedWords = 5

    /// Says why nothing matched, as the SQLite store says it: which filter emptied the list, or
    /// real words of the community close to the words that matched nothing.
    static func explainEmpty(_ c: PGConnection, _ query: Query, into results: inout SearchResults) throws {
        let config = TSQuery.configuration
        if let text = query.text, let tsquery = TSQuery.render(text), !query.filters.isEmpty {
            let any = try c.query("SELECT 1 FROM knowhow.entry_text WHERE search @@ to_tsquery('\(config)', $1) LIMIT 1", [tsquery]).first != nil
            if any {
                for f in query.filters {
                    var p = PGParameters()
                    let q = p.bind(tsquery)
                    let cond = try PostgresFilters.conditions([f], entry: "e.entry", parameters: &p)[0]
                    let some = try c.query("""
                        SELECT 1 FROM knowhow.entry_text e WHERE e.search @@ to_tsquery('\(config)', \(q)) AND (\(cond)) LIMIT 1
                        """, p.values).first != nil
                    if !some {
                        results.notes.append("`\(f)` left nothing: the words match entries without it")
                        return
                    }
                }
                results.notes.append("the filters together left nothing: the words match entries without them")
                return
            }
        }
        guard let text = query.text else { return }
        var suggestions: [String] = []
        let words = Set(text.positiveWords.map { $0.lowercased() })
        // A large store's whole vocabulary is too many words to compare: only words that begin
        // alike (the thresholds are SQLite's; counting stops past the last one).
        let entries: Int = try c.query("SELECT count(*) AS n FROM (SELECT 1 FROM knowhow.entry_text LIMIT 50001) x").first!.require("n")
        let alike = entries > 50_000 ? 2 : entries > 5_000 ? 1 : 0
        var unknown = 0
        var vocabulary: [String: [String]] = [:]
        for w in words.sorted() where (3...43).contains(w.count) {
            if unknown == Self.maxSuggestedWords { break }
            let folded = w.folding(options: .diacriticInsensitive, locale: nil)
            if try c.query("SELECT 1 FROM knowhow.word WHERE term = $1", [folded]).first != nil { continue }
            unknown += 1
            let start = String(folded.prefix(alike))
            if vocabulary[start] == nil {
                vocabulary[start] = try c.query("""
                    SELECT term FROM knowhow.word WHERE term COLLATE "C" >= $1 AND term COLLATE "C" < $2 AND length(term) BETWEEN 2 AND 40
                    ORDER BY term COLLATE "C"
                    """, [start, start + "\u{10FFFF}"]).rows.map { try $0.require("term") }
            }
            let near = EditDistance.nearest(w, in: vocabulary[start] ?? [], max: 3)
            // Only the closest: "onbording" suggests onboarding, not also recording.
            if let best = near.first {
                let d = EditDistance.distance(w, best)
                suggestions += near.filter { EditDistance.distance(w, $0) == d }
            }
        }
        results.suggestions = suggestions
    }

    static func opening(_ text: String) -> String {
        let t = text.replacingOccurrences(of: "\n", with: " ")
        return t.count <= 160 ? t : String(t.prefix(160)) + "…"
    }

    /// The row shown for one entry key, as the SQLite store shows it.
    static func hit(_ c: PGConnection, key: Int64, title: String?, snippet: String, score: Double) throws -> SearchHit? {
        guard let type = EntryKeys.type(key) else { return nil }
        let n = EntryKeys.number(key)
        var hit: SearchHit
        var opening: String?
        switch type {
        case .member:
            guard let r = try c.query("SELECT handle, name, organisation, sector, bio FROM knowhow.member WHERE id = $1", [n]).first else { return nil }
            let skills = try c.query("""
                SELECT t.name FROM knowhow.member_skill s JOIN knowhow.tag t ON t.id = s.tag_id WHERE s.member_id = $1
                ORDER BY CASE s.level WHEN 'expert' THEN 0 WHEN 'practising' THEN 1 ELSE 2 END, t.name COLLATE "C"
                """, [n]).rows.map { try $0.require("name", as: String.self) }
            let detail = [try r.get("organisation", as: String.self), try r.get("sector", as: String.self)].compactMap { $0 }.joined(separator: ", ")
            hit = SearchHit(ref: .member(try r.require("handle")), title: try title ?? r.require("name"), snippet: snippet,
                            tags: skills, score: score, detail: detail.isEmpty ? nil : detail)
            opening = try r.get("bio")
        case .resource:
            guard let r = try c.query("SELECT title, kind, status, coalesce(summary, body) AS o FROM knowhow.resource WHERE id = $1", [n]).first else { return nil }
            let status: String = try r.require("status")
            hit = SearchHit(ref: .entry(EntryID(.resource, n)), title: try title ?? r.require("title"), snippet: snippet,
                            tags: try entryTags(c, key: key), score: score, detail: try r.get("kind"),
                            status: status == "active" ? nil : status)
            opening = try r.get("o")
        case .practice:
            guard let r = try c.query("SELECT title, status, coalesce(context, practice) AS o FROM knowhow.practice WHERE id = $1", [n]).first else { return nil }
            hit = SearchHit(ref: .entry(EntryID(.practice, n)), title: try title ?? r.require("title"), snippet: snippet,
                            tags: try entryTags(c, key: key), score: score, detail: try r.get("status"), status: try r.get("status"))
            opening = try r.get("o")
        case .question:
            guard let r = try c.query("""
                SELECT title, accepted_answer_id IS NOT NULL AS answered, body AS o,
                       (SELECT count(*) FROM knowhow.answer a WHERE a.question_id = q.id) AS n
                FROM knowhow.question q WHERE id = $1
                """, [n]).first else { return nil }
            let answers: Int = try r.require("n")
            hit = SearchHit(ref: .entry(EntryID(.question, n)), title: try title ?? r.require("title"), snippet: snippet,
                            tags: try entryTags(c, key: key), score: score,
                            detail: "\(answers) \(answers == 1 ? "answer" : "answers")",
                            status: try r.require("answered", as: Bool.self) ? "answered" : "open")
            opening = try r.get("o")
        case .answer:
            guard let r = try c.query("""
                SELECT q.id AS qid, q.title, coalesce(q.accepted_answer_id = a.id, false) AS accepted,
                       q.accepted_answer_id IS NOT NULL AS answered, m.handle, a.body AS o
                FROM knowhow.answer a JOIN knowhow.question q ON q.id = a.question_id
                LEFT JOIN knowhow.member m ON m.id = a.author_id WHERE a.id = $1
                """, [n]).first else { return nil }
            let qid = EntryID(.question, try r.require("qid"))
            let questionTitle: String = try r.require("title")
            hit = SearchHit(ref: .entry(EntryID(.answer, n)), title: "Answer to \(qid): " + questionTitle,
                            snippet: snippet, tags: try entryTags(c, key: EntryKeys.make(qid)), score: score,
                            detail: (try r.get("handle", as: String.self)).map { "by @\($0)" },
                            status: try r.require("accepted", as: Bool.self) ? "accepted" : nil)
            // As SQLite's hit does: `closest` shows an answer as its question without reading it again.
            hit.question = SearchHit.Question(id: qid, title: questionTitle, answered: try r.require("answered", as: Bool.self))
            opening = try r.get("o")
        case .meeting:
            guard let r = try c.query("""
                SELECT m.title, m.start, m.time_zone, s.name, m.notes AS o FROM knowhow.meeting m
                LEFT JOIN knowhow.meeting_series s ON s.id = m.series_id WHERE m.id = $1
                """, [n]).first else { return nil }
            let start = Timestamp(try r.require("start", as: String.self)) ?? Timestamp(seconds: 0)
            let day = (try? MeetingTime.localDay(start, in: try r.require("time_zone")))?.description ?? start.day.description
            hit = SearchHit(ref: .entry(EntryID(.meeting, n)), title: try title ?? r.require("title"), snippet: snippet,
                            tags: try entryTags(c, key: key), score: score,
                            detail: ([day] + [try r.get("name", as: String.self)].compactMap { $0 }).joined(separator: " · "))
            opening = try r.get("o")
        }
        if hit.snippet.isEmpty { hit.snippet = Self.opening(opening ?? "") }
        return hit
    }
}
