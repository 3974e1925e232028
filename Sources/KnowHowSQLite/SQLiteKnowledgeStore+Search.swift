import Foundation
import GRDB
import KnowHowCore

extension SQLiteKnowledgeStore {
    /// bm25 weights of the columns: title, tags, summary, body.
    static let rankSQL = "bm25(entry_fts, 10.0, 6.0, 3.0, 1.0)"

    public func search(_ query: Query, limit: Int) throws -> SearchResults {
        let tuning = searchTuning
        return try read { db in try Self.search(db, query, limit: limit, listing: nil, tuning: tuning) }
    }

    public func list(_ type: EntryType, query: Query?, limit: Int) throws -> SearchResults {
        var q = query ?? Query(text: nil)
        q.filters.removeAll { $0.key == .type }
        q.filters.append(Filter(.type, type.rawValue))
        let tuning = searchTuning
        return try read { db in try Self.search(db, q, limit: limit, listing: type, tuning: tuning) }
    }

    /// A filter as a SQL condition on the entry key `k`, or a note when it can match nothing.
    /// `+k IN (…)`: the unary plus stops SQLite handing the list to FTS5 as rowid constraints,
    /// which re-runs the MATCH once per listed rowid (seconds on a large store).
    enum FilterSQL {
        case sql(String, StatementArguments)
        case nothing(String)
    }

    static func filterSQL(_ db: Database, key: Filter.Key, values: [String]) throws -> FilterSQL {
        switch key {
        case .type:
            let codes = try EntryType.filterValues(values).map(\.keyCode)
            return .sql("(k & 7) IN (\(codes.map(String.init).joined(separator: ",")))", [])
        case .tag:
            var ids: [Int64] = []
            for v in values {
                guard let name = try? Validation.tag(v) else {
                    throw KnowHowError.badFilter(key: "tag", reason: "'\(v)' is not a tag name; tags look like social-care")
                }
                if let id = try tagID(db, name, create: false) { ids.append(id); continue }
                let names = try String.fetchAll(db, sql: "SELECT name FROM tag UNION ALL SELECT alias FROM tag_alias")
                if values.count == 1 {
                    let near = EditDistance.nearest(name, in: names, max: 1).first
                    return .nothing(EmptyNote.unknownTag(name, nearest: near).description)
                }
            }
            if ids.isEmpty { return .nothing(EmptyNote.noneOfTheTags.description) }
            let list = ids.map(String.init).joined(separator: ",")
            return .sql("""
                +k IN (SELECT entry FROM entry_tag WHERE tag_id IN (\(list))
                      UNION ALL SELECT member_id << 3 | 1 FROM member_skill WHERE tag_id IN (\(list))
                      UNION ALL SELECT member_id << 3 | 1 FROM member_interest WHERE tag_id IN (\(list)))
                """, [])
        case .by:
            var ids: [Int64] = []
            for v in values { ids.append(try memberID(db, v)) }
            let list = ids.map(String.init).joined(separator: ",")
            return .sql("""
                +k IN (SELECT id << 3 | 2 FROM resource WHERE contributor_id IN (\(list))
                      UNION ALL SELECT resource_id << 3 | 2 FROM resource_author WHERE member_id IN (\(list))
                      UNION ALL SELECT id << 3 | 3 FROM practice WHERE contributor_id IN (\(list))
                      UNION ALL SELECT id << 3 | 4 FROM question WHERE asker_id IN (\(list))
                      UNION ALL SELECT id << 3 | 5 FROM answer WHERE author_id IN (\(list))
                      UNION ALL SELECT id << 3 | 7 FROM meeting WHERE organiser_id IN (\(list))
                      UNION ALL SELECT meeting_id << 3 | 7 FROM meeting_person WHERE part = 'presenter' AND member_id IN (\(list)))
                """, [])
        case .status:
            var parts: [String] = []
            var args: StatementArguments = []
            for v in values.map({ $0.lowercased() }) {
                if ResourceStatus(rawValue: v) != nil {
                    parts.append("SELECT id << 3 | 2 FROM resource WHERE status = ?"); _ = args.append(contentsOf: [v])
                } else if PracticeStatus(rawValue: v) != nil {
                    parts.append("SELECT id << 3 | 3 FROM practice WHERE status = ?"); _ = args.append(contentsOf: [v])
                } else if v == "open" || v == "unanswered" {
                    parts.append("SELECT id << 3 | 4 FROM question WHERE accepted_answer_id IS NULL")
                } else if v == "answered" || v == "accepted" {
                    parts.append("SELECT id << 3 | 4 FROM question WHERE accepted_answer_id IS NOT NULL")
                } else {
                    throw KnowHowError.badFilter(key: "status", reason: "'\(v)' is not a status; use active, archived, proposed, verified, retired, open or answered")
                }
            }
            return .sql("+k IN (" + parts.joined(separator: " UNION ALL ") + ")", args)
        case .kind:
            var kinds: [String] = []
            for v in values {
                guard let k = ResourceKind(rawValue: v.lowercased()) else {
                    throw KnowHowError.badFilter(key: "kind", reason: "'\(v)' is not a kind; use " + ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                kinds.append(k.rawValue)
            }
            let list = kinds.map { "'\($0)'" }.joined(separator: ",")
            return .sql("+k IN (SELECT id << 3 | 2 FROM resource WHERE kind IN (\(list)))", [])
        case .role:
            // Members only: who holds a role, for `list members role:curator`.
            var roles: [String] = []
            for v in values {
                guard let r = Role(rawValue: v.lowercased()) else {
                    throw KnowHowError.badFilter(key: "role", reason: "'\(v)' is not a role; use member, contributor or curator")
                }
                roles.append(r.rawValue)
            }
            let list = roles.map { "'\($0)'" }.joined(separator: ",")
            return .sql("+k IN (SELECT id << 3 | 1 FROM member WHERE role IN (\(list)))", [])
        case .sector:
            let patterns = values.map { $0.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: " ") + "%" }
            let cond = patterns.map { _ in "sector LIKE ?" }.joined(separator: " OR ")
            let mids = "SELECT id FROM member WHERE \(cond)"
            var args: StatementArguments = []
            for _ in 0..<5 { _ = args.append(contentsOf: StatementArguments(patterns)) }
            let known = try Int64.fetchOne(db, sql: "SELECT 1 FROM member WHERE \(cond) LIMIT 1", arguments: StatementArguments(patterns))
            if known == nil {
                let sectors = try String.fetchAll(db, sql: "SELECT DISTINCT sector FROM member WHERE sector IS NOT NULL ORDER BY sector")
                return .nothing(EmptyNote.unknownSector(values, sectors: sectors).description)
            }
            return .sql("""
                +k IN (\(mids.replacingOccurrences(of: "SELECT id", with: "SELECT id << 3 | 1"))
                      UNION ALL SELECT id << 3 | 2 FROM resource WHERE contributor_id IN (\(mids))
                      UNION ALL SELECT id << 3 | 3 FROM practice WHERE contributor_id IN (\(mids))
                      UNION ALL SELECT id << 3 | 4 FROM question WHERE asker_id IN (\(mids))
                      UNION ALL SELECT id << 3 | 5 FROM answer WHERE author_id IN (\(mids)))
                """, args)
        }
    }

    /// SQL conditions for all filters (OR within a key, AND across keys, NOT for negated ones).
    static func conditions(_ db: Database, _ filters: [Filter]) throws -> (sql: [String], args: StatementArguments, notes: [String]) {
        var sql: [String] = [], args: StatementArguments = [], notes: [String] = []
        var groups: [(Filter.Key, Bool, [String])] = []
        for f in filters {
            if let i = groups.firstIndex(where: { $0.0 == f.key && $0.1 == f.negated }) { groups[i].2.append(f.value) }
            else { groups.append((f.key, f.negated, [f.value])) }
        }
        for (key, negated, values) in groups {
            switch try filterSQL(db, key: key, values: values) {
            case .sql(let s, let a):
                sql.append(negated ? "NOT (\(s))" : s)
                _ = args.append(contentsOf: a)
            case .nothing(let note):
                if !negated { notes.append(note) }
            }
        }
        return (sql, args, notes)
    }

    /// The subquery of the first positive filter that is a set of keys (`+k IN (…)`), if any.
    static func firstSet(_ db: Database, _ filters: [Filter]) throws -> (String, StatementArguments)? {
        for f in filters where !f.negated && f.key != .type {
            let values = filters.filter { $0.key == f.key && !$0.negated }.map(\.value)
            guard case .sql(let s, let a) = try filterSQL(db, key: f.key, values: values) else { return nil }
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            guard t.hasPrefix("+k IN ("), t.hasSuffix(")") else { continue }
            return (String(t.dropFirst(7).dropLast()), a)
        }
        return nil
    }

    static func search(_ db: Database, _ query: Query, limit: Int, listing: EntryType?,
                       tuning: SearchTuning = .standard) throws -> SearchResults {
        let (conds, condArgs, notes) = try conditions(db, query.filters)
        if !notes.isEmpty { return SearchResults(hits: [], notes: notes) }
        let match = query.text.flatMap(FTS5Query.render)
        var hits: [SearchHit] = []
        var more = false
        if let match {
            // Rank first, then build snippets for the few rows shown only.
            let rows = try ranked(db, query, match: match, conditions: conds, arguments: condArgs, limit: limit, tuning: tuning)
            more = rows.count > limit
            hits = try shownHits(db, Array(rows.prefix(limit)), node: query.text!)
        } else {
            // Filters only (or filters with exclusions): list in a stable order.
            var excluded: [String] = [], excludedArgs: StatementArguments = []
            for ex in query.text.map(FTS5Query.exclusions) ?? [] {
                excluded.append("k NOT IN (SELECT rowid FROM entry_fts WHERE entry_fts MATCH ?)")
                _ = excludedArgs.append(contentsOf: [ex])
            }
            let keys: [Int64]
            if listing == nil, let tags = try positiveTagIDs(db, query.filters) {
                // Start from the tag's own index; the other filters and exclusions still apply, and
                // `type:` filters also skip whole types.
                let (others, otherArgs, _) = try conditions(db, query.filters.filter { !($0.key == .tag && !$0.negated) })
                let typed = { (negated: Bool) in Set(query.filters.filter { $0.key == .type && $0.negated == negated }.compactMap { EntryType(word: $0.value) }) }
                let types = (typed(false).isEmpty ? Set(EntryType.allCases) : typed(false)).subtracting(typed(true))
                keys = try taggedKeys(db, tags: tags, types: types, conditions: others + excluded,
                                      arguments: otherArgs + excludedArgs, limit: limit + 1)
            } else {
                var args = condArgs + excludedArgs
                let source: String
                var prefix = ""
                if let listing, listing == .member {
                    source = "SELECT id << 3 | 1 AS k, handle AS o FROM member"
                } else if let listing {
                    source = "SELECT id << 3 | \(EntryKey.code(listing)) AS k, id AS o FROM \(EntryKey.table(listing))"
                } else if let (subquery, subArgs) = try firstSet(db, query.filters) {
                    // A positive set filter (by:, status:…) is far smaller than the whole index: start from it.
                    source = "SELECT DISTINCT k, (CASE k & 7 WHEN 1 THEN 9 ELSE k & 7 END) << 40 | k >> 3 AS o FROM s"
                    prefix = "WITH s(k) AS (\(subquery)) "
                    args = subArgs + args
                } else {
                    // Entries before members, each type in id order.
                    source = "SELECT rowid AS k, (CASE rowid & 7 WHEN 1 THEN 9 ELSE rowid & 7 END) << 40 | rowid >> 3 AS o FROM entry_fts"
                }
                let all = conds + excluded
                var sql = prefix + "SELECT k FROM (\(source))"
                if !all.isEmpty { sql += " WHERE " + all.joined(separator: " AND ") }
                sql += " ORDER BY o LIMIT ?"
                _ = args.append(contentsOf: [limit + 1])
                keys = try Int64.fetchAll(db, sql: sql, arguments: args)
            }
            more = keys.count > limit
            for k in keys.prefix(limit) {
                if let h = try hit(db, key: k, title: nil, snippet: "", score: 0) { hits.append(h) }
            }
        }
        var results = SearchResults(hits: hits, more: more)
        if hits.isEmpty, query.explainEmpty, listing == nil || query.text != nil {
            try explainEmpty(db, query, match: match, into: &results)
        }
        return results
    }

    /// A query's best entries, one more than `limit`. Members rank a little lower in `find`: `who`
    /// is the way to find people. A sentence's words: bm25 finds a pool, BM25F orders it (+FieldWeighted).
    static func ranked(_ db: Database, _ query: Query, match: String, conditions conds: [String], arguments condArgs: StatementArguments,
                       limit: Int, tuning: SearchTuning) throws -> [Ranked] {
        var counted: [String: Int] = [:]
        return try ranked(db, query, match: match, conditions: conds, arguments: condArgs, limit: limit, tuning: tuning, counted: &counted)
    }

    /// As above; `counted` gets how many entries hold each word whose matches or list the search
    /// read (a sentence's any-word search on a large store), 0 for a word no entry holds.
    static func ranked(_ db: Database, _ query: Query, match: String, conditions conds: [String], arguments condArgs: StatementArguments,
                       limit: Int, tuning: SearchTuning, counted: inout [String: Int]) throws -> [Ranked] {
        let pool = query.naturalLanguage ? max(limit + 1, naturalPool) : limit + 1
        var rows: [Ranked]
        if query.naturalLanguage, conds.isEmpty,
           let candidates = try naturalCandidates(db, node: query.text!, limit: pool, memberFactor: 0.6, tuning: tuning, counted: &counted) {
            rows = candidates
        } else {
            rows = try rankedKeys(db, node: query.text!, match: match, conditions: conds, arguments: condArgs,
                                  limit: pool, memberFactor: 0.6, tuning: tuning)
        }
        if query.naturalLanguage {
            rows = try fieldWeighted(db, rows, node: query.text!, match: match, memberFactor: 0.6, exactLimit: tuning.exactLimit,
                                     counted: counted)
        }
        return rows
    }

    /// The hits shown for ranked entries: marked title and extract, tags, details.
    static func shownHits(_ db: Database, _ shown: [Ranked], node: QueryNode) throws -> [SearchHit] {
        var hits: [SearchHit] = []
        let marks = try marked(db, keys: shown.map(\.key), node: node)
        for row in shown {
            let key = row.key
            let marked = marks[key]
            // An answer's summary is its question's title, already in the hit's title.
            let isAnswer = key & 7 == EntryKey.code(.answer)
            let candidates = (isAnswer ? [marked?[2]] : [marked?[2], marked?[1]]).compactMap { $0 }
            // Without a match there, the opening of the summary (of the bio for members).
            let summary: String? = marked?[1], body: String? = marked?[2]
            let bodyFirst = key & 7 == EntryKey.code(.member) || key & 7 == EntryKey.code(.answer)
            let fallback = bodyFirst ? [body, summary] : [summary, body]
            let snippet = candidates.first { $0.contains(Highlight.open) }
                ?? fallback.compactMap { $0 }.first { !$0.isEmpty } ?? ""
            if var hit = try hit(db, key: key, title: marked?[0], snippet: snippet, score: row.rank) {
                hit.matchedWords = row.matched
                hits.append(hit)
            }
        }
        return hits
    }

    /// The ids of the tags of the first positive `tag:` filter, if any.
    static func positiveTagIDs(_ db: Database, _ filters: [Filter]) throws -> [Int64]? {
        let values = filters.filter { $0.key == .tag && !$0.negated }.map(\.value)
        guard !values.isEmpty else { return nil }
        let ids = try values.compactMap { try tagID(db, $0, create: false) }
        return ids.isEmpty ? nil : ids
    }

    /// Entries with any of `tags` and passing `conds`, type by type in id order, then members: the
    /// order of every filter-only listing. The tag's index yields each type's entries in order, so
    /// a page is read without sorting everything tagged (a tag holds 50,000 entries at 1M).
    static func taggedKeys(_ db: Database, tags: [Int64], types: Set<EntryType>, conditions conds: [String],
                           arguments: StatementArguments, limit: Int) throws -> [Int64] {
        let list = tags.map(String.init).joined(separator: ",")
        let filtered = conds.isEmpty ? "" : " WHERE " + conds.joined(separator: " AND ")
        var keys: [Int64] = []
        for type in [EntryType.resource, .practice, .question, .answer, .meeting] where keys.count < limit && types.contains(type) {
            keys += try Int64.fetchAll(db, sql: """
                SELECT k FROM (SELECT DISTINCT entry AS k FROM entry_tag
                               WHERE tag_id IN (\(list)) AND entry & 7 = \(EntryKey.code(type)) ORDER BY entry)\(filtered)
                LIMIT ?
                """, arguments: arguments + [limit - keys.count])
        }
        if keys.count < limit, types.contains(.member) {
            keys += try Int64.fetchAll(db, sql: """
                SELECT k FROM (SELECT member_id << 3 | 1 AS k FROM member_skill WHERE tag_id IN (\(list))
                               UNION SELECT member_id << 3 | 1 FROM member_interest WHERE tag_id IN (\(list)))\(filtered)
                ORDER BY k LIMIT ?
                """, arguments: arguments + [limit - keys.count])
        }
        return keys
    }

    /// The marked title, summary snippet and body snippet of each shown entry, from its stored
    /// text and the query's phrases (see QueryMarker): the same marks as FTS5's highlight() and
    /// snippet(), without reading the terms' match lists again.
    static func marked(_ db: Database, keys: [Int64], node: QueryNode) throws -> [Int64: [String?]] {
        guard !keys.isEmpty else { return [:] }
        let marker = try QueryMarker(db, node: node)
        var out: [Int64: [String?]] = [:]
        let documents = try documents(db, keys: keys)
        for k in keys {
            guard let doc = documents[k] else { continue }
            out[k] = [marker.highlight(doc.title), marker.snippet(doc.summary), marker.snippet(doc.body)]
        }
        return out
    }

    /// How many unknown words of one search get a "did you mean".
    static let maxSuggestedWords = 5

    /// Says why nothing matched: which filter emptied the list, or which words are unknown.
    static func explainEmpty(_ db: Database, _ query: Query, match: String?, into results: inout SearchResults) throws {
        if let match, !query.filters.isEmpty {
            let withoutFilters = try Int64.fetchOne(db.cachedStatement(sql: "SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? LIMIT 1"), arguments: [match]) != nil
            if withoutFilters {
                for f in query.filters {
                    let (c, a, _) = try conditions(db, [f])
                    guard let cond = c.first else { continue }
                    var args: StatementArguments = [match]; _ = args.append(contentsOf: a)
                    let any = try Int64.fetchOne(db, sql: "SELECT k FROM (SELECT rowid AS k FROM entry_fts WHERE entry_fts MATCH ?) WHERE \(cond) LIMIT 1", arguments: args)
                    if any == nil {
                        results.notes.append(EmptyNote.filterLeftNothing(f).description)
                        return
                    }
                }
                results.notes.append(EmptyNote.filtersLeftNothing.description)
                return
            }
        }
        guard let text = query.text else { return }
        var suggestions: [String] = []
        let words = Set(text.positiveWords.map { $0.lowercased() })
        // A large store's whole vocabulary is too many words to compare: only words that begin alike.
        let entries = try rankStats(db)?.entries ?? 0
        let alike = entries > 50_000 ? 2 : entries > 5_000 ? 1 : 0
        // Bounded whatever the query: words longer than any in the vocabulary (40) plus the edit
        // limit (3) cannot be near one, only the first few unknown words are looked at, and each
        // slice of the vocabulary is read once.
        var unknown = 0
        var vocabulary: [String: [String]] = [:]
        for w in words.sorted() where (3...43).contains(w.count) {
            if unknown == Self.maxSuggestedWords { break }
            let known = try Int64.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM word_vocab WHERE term = ?"), arguments: [w.folding(options: .diacriticInsensitive, locale: nil)]) != nil
            if known { continue }
            unknown += 1
            let start = String(w.folding(options: .diacriticInsensitive, locale: nil).prefix(alike))
            if vocabulary[start] == nil {
                vocabulary[start] = try String.fetchAll(db.cachedStatement(sql: """
                    SELECT term FROM word_vocab WHERE term >= ? AND term < ? AND length(term) BETWEEN 2 AND 40
                    """), arguments: [start, start + "\u{10FFFF}"])
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

    /// The opening of a text, for listings that have no matched snippet.
    static func opening(_ text: String?) -> String {
        guard let t = text?.replacingOccurrences(of: "\n", with: " ") else { return "" }
        return t.count <= 160 ? t : String(t.prefix(160)) + "…"
    }

    /// Builds the row shown for one entry key.
    static func hit(_ db: Database, key: Int64, title: String?, snippet: String, score: Double) throws -> SearchHit? {
        guard var hit = try bareHit(db, key: key, title: title, snippet: snippet, score: score) else { return nil }
        if snippet.isEmpty, let type = EntryKey.type(key) {
            let n = EntryKey.number(key)
            let sql: String
            switch type {
            case .member: sql = "SELECT bio FROM member WHERE id = ?"
            case .resource: sql = "SELECT coalesce(summary, body) FROM resource WHERE id = ?"
            case .practice: sql = "SELECT coalesce(context, practice) FROM practice WHERE id = ?"
            case .question: sql = "SELECT body FROM question WHERE id = ?"
            case .answer: sql = "SELECT body FROM answer WHERE id = ?"
            case .meeting: sql = "SELECT notes FROM meeting WHERE id = ?"
            }
            hit.snippet = opening(try String.fetchOne(db, sql: sql, arguments: [n]))
        }
        return hit
    }

    static func bareHit(_ db: Database, key: Int64, title: String?, snippet: String, score: Double) throws -> SearchHit? {
        guard let type = EntryKey.type(key) else { return nil }
        let n = EntryKey.number(key)
        switch type {
        case .member:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT handle, name, organisation, sector FROM member WHERE id = ?"), arguments: [n]) else { return nil }
            let skills = try String.fetchAll(db.cachedStatement(sql: """
                SELECT t.name FROM member_skill s JOIN tag t ON t.id = s.tag_id WHERE s.member_id = ?
                ORDER BY CASE s.level WHEN 'expert' THEN 0 WHEN 'practising' THEN 1 ELSE 2 END, t.name
                """), arguments: [n])
            let detail = [r["organisation"] as String?, r["sector"] as String?].compactMap { $0 }.joined(separator: ", ")
            return SearchHit(ref: .member(r["handle"]), title: title ?? r["name"], snippet: snippet, tags: skills,
                             score: score, detail: detail.isEmpty ? nil : detail)
        case .resource:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT title, kind, status FROM resource WHERE id = ?"), arguments: [n]) else { return nil }
            let status: String = r["status"]
            return SearchHit(ref: .entry(EntryID(.resource, n)), title: title ?? r["title"], snippet: snippet,
                             tags: try entryTags(db, key: key), score: score, detail: r["kind"],
                             status: status == "active" ? nil : status)
        case .practice:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT title, status FROM practice WHERE id = ?"), arguments: [n]) else { return nil }
            return SearchHit(ref: .entry(EntryID(.practice, n)), title: title ?? r["title"], snippet: snippet,
                             tags: try entryTags(db, key: key), score: score, detail: r["status"], status: r["status"])
        case .question:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT title, accepted_answer_id, (SELECT count(*) FROM answer a WHERE a.question_id = q.id) AS n FROM question q WHERE id = ?"), arguments: [n]) else { return nil }
            let answers: Int = r["n"]
            let status = (r["accepted_answer_id"] as Int64?) != nil ? "answered" : "open"
            return SearchHit(ref: .entry(EntryID(.question, n)), title: title ?? r["title"], snippet: snippet,
                             tags: try entryTags(db, key: key), score: score,
                             detail: "\(answers) \(answers == 1 ? "answer" : "answers")", status: status)
        case .answer:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT q.id AS qid, q.title, q.accepted_answer_id = a.id AS accepted,
                       q.accepted_answer_id IS NOT NULL AS answered, m.handle
                FROM answer a JOIN question q ON q.id = a.question_id LEFT JOIN member m ON m.id = a.author_id WHERE a.id = ?
                """), arguments: [n]) else { return nil }
            let qid = EntryID(.question, r["qid"])
            let accepted: Bool = r["accepted"] ?? false
            var hit = SearchHit(ref: .entry(EntryID(.answer, n)), title: "Answer to \(qid): " + (r["title"] as String),
                                snippet: snippet, tags: try entryTags(db, key: EntryKey.make(qid)), score: score,
                                detail: (r["handle"] as String?).map { "by @\($0)" }, status: accepted ? "accepted" : nil)
            hit.question = SearchHit.Question(id: qid, title: r["title"], answered: r["answered"])
            return hit
        case .meeting:
            guard let r = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT m.title, m.start, m.time_zone, s.name FROM meeting m LEFT JOIN meeting_series s ON s.id = m.series_id WHERE m.id = ?
                """), arguments: [n]) else { return nil }
            let start = Timestamp(r[1] as String) ?? Timestamp(seconds: 0)
            let day = (try? MeetingTime.localDay(start, in: r[2]))?.description ?? start.day.description
            return SearchHit(ref: .entry(EntryID(.meeting, n)), title: title ?? r[0], snippet: snippet,
                             tags: try entryTags(db, key: key), score: score,
                             detail: ([day] + [r[3] as String?].compactMap { $0 }).joined(separator: " · "))
        }
    }
}
