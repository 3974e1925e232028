import Foundation
import GRDB
import GRDBSQLite
import KnowHowCore

/// Ranking for `find` and `who`: exact FTS5 bm25 when a query matches few entries, the terms'
/// ranked lists (see +RankLists) when it matches many.
extension SQLiteKnowledgeStore {
    struct Ranked {
        var key: Int64
        /// As FTS5's rank: lower is better.
        var rank: Double
        /// How many of the query's phrases the entry holds, where counted (BM25F).
        var matched: Int? = nil
    }

    /// The best `limit` entries for a query, with the filters' SQL conditions on `k` applied.
    /// `memberFactor` scales members' scores (`find` puts members a little lower).
    static func rankedKeys(_ db: Database, node: QueryNode, match: String, conditions conds: [String],
                           arguments condArgs: StatementArguments, limit: Int, memberFactor: Double = 1,
                           tuning: SearchTuning, leaned: Bool = false) throws -> [Ranked] {
        let filtered = conds.isEmpty ? "" : " WHERE " + conds.joined(separator: " AND ")
        func exact() throws -> [Ranked] {
            try exactRanking(db, match: match, filtered: filtered, arguments: condArgs, limit: limit, memberFactor: memberFactor)
        }
        func lists() throws -> [Ranked] {
            try listRanking(db, node: node, match: match, filtered: filtered, arguments: condArgs,
                            limit: limit, memberFactor: memberFactor, tuning: tuning)
        }
        guard let stats = try rankStats(db) else { return try exact() }
        // Words in more than a quarter of a large store's entries carry almost no weight (bm25's
        // idf is below 1.1) but cost the most to match: beside rarer words they are left out, as
        // search engines treat such words ("cutoff frequency"). Phrases keep every word.
        if !leaned, stats.entries >= tuning.commonWordMinimumStore, case .and = node,
           let lean = try withoutCommonWords(db, node, stats: stats), let leanMatch = FTS5Query.render(lean) {
            return try rankedKeys(db, node: lean, match: leanMatch, conditions: conds, arguments: condArgs,
                                  limit: limit, memberFactor: memberFactor, tuning: tuning, leaned: true)
        }
        // Few matches for sure (every match holds a word that few entries hold): rank them all.
        if let bound = try upperBound(db, node, stats: stats), bound <= tuning.exactLimit { return try exact() }
        // One listed word with filters: its list holds its best entries, so the best of them that
        // pass the filters are the best that pass when they fill the page (one word's bm25 is its
        // impact times one idf), without a walk through the word's matches.
        if !conds.isEmpty, case .term(let w) = node,
           let top = try topOfList(db, word: w, stats: stats, limit: limit, memberFactor: memberFactor,
                                   filtered: filtered, arguments: condArgs) {
            return top
        }
        // Phrases: checking word positions is the cost, and ranking the few that match adds little;
        // but a phrase made only of words in many entries can match many, and FTS5's bm25 walks
        // all its matches, so it goes to the lists, whose best candidates are checked one by one,
        // and the newest matches (see `listRanking`).
        if containsPhrase(node) {
            guard conds.isEmpty, try onlyListedPhrases(db, node, stats: stats, tuning: tuning) else { return try exact() }
            return try lists()
        }
        // A word, a prefix, or any of several, with a listed term among them: it matches more than
        // the exact limit for sure, so go to the lists without counting (which for a prefix merges
        // all its terms' match lists).
        if conds.isEmpty, isDisjunction(node), try hasListedLeaf(db, node, tuning: tuning) {
            return try lists()
        }
        // Many matches expected (the words' shares of the store, multiplied): straight to the lists.
        let expected = try expectedMatches(db, node, stats: stats)
        if let expected, expected > Double(2 * tuning.exactLimit) {
            return try lists()
        }
        // Filters usually leave few of many matches: rank those in one pass. Without filters,
        // when the words could match many, count first (walking matches costs far less than
        // ranking them).
        if conds.isEmpty, expected == nil || expected! > Double(tuning.exactLimit / 4) {
            var countArgs: StatementArguments = [match]
            _ = countArgs.append(contentsOf: condArgs)
            let matches = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT k FROM (SELECT rowid AS k FROM entry_fts WHERE entry_fts MATCH ?)\(filtered) LIMIT \(tuning.exactLimit + 1))
                """, arguments: countArgs) ?? 0
            if matches > tuning.exactLimit {
                return try lists()
            }
            return try exact()
        }
        // Likely few: rank exactly in one pass, and go to the lists only if they prove many.
        var args: StatementArguments = [match]
        _ = args.append(contentsOf: condArgs)
        _ = args.append(contentsOf: [tuning.exactLimit + 1])
        var rows = try Row.fetchAll(db, sql: """
            SELECT k, rank FROM (SELECT rowid AS k, \(rankSQL)\(memberScale(memberFactor)) AS rank FROM entry_fts WHERE entry_fts MATCH ?)\(filtered)
            LIMIT ?
            """, arguments: args).map { Ranked(key: $0[0], rank: $0[1]) }
        if rows.count <= tuning.exactLimit {
            rows.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.key < $1.key }
            return Array(rows.prefix(limit))
        }
        return try lists()
    }

    /// At most how many entries can match, from the lists' counts: a term without a list is in
    /// fewer entries than a list needs. nil when not known.
    static func upperBound(_ db: Database, _ node: QueryNode, stats: RankStats) throws -> Int? {
        func word(_ w: String) throws -> Int {
            var bound = Int.max
            for term in try indexTerms(db, w) {
                let n = try listedEntries(db, term)
                bound = min(bound, n ?? (stats.listMinDocs - 1))
            }
            return bound == Int.max ? 0 : bound
        }
        switch node {
        case .term(let w):
            return try word(w)
        case .prefix, .not:
            return nil
        case .phrase(let ws, let prefix):
            let words = prefix ? ws.dropLast() : ws[...]
            return words.isEmpty ? nil : try words.map(word).min()
        case .and(let cs):
            return try cs.compactMap { try upperBound(db, $0, stats: stats) }.min()
        case .or(let cs):
            var total = 0
            for c in cs {
                guard let b = try upperBound(db, c, stats: stats) else { return nil }
                total += b
            }
            return total
        }
    }

    /// The entries of a store a word must be in to count as common.
    static func commonWordShare(_ stats: RankStats) -> Int { stats.entries / 4 }

    /// An AND without its common plain words, when rarer positive parts remain; nil otherwise.
    static func withoutCommonWords(_ db: Database, _ node: QueryNode, stats: RankStats) throws -> QueryNode? {
        guard case .and(let cs) = node else { return nil }
        var kept: [QueryNode] = [], dropped = 0
        for c in cs {
            if case .term(let w) = c {
                let terms = try indexTerms(db, w)
                if terms.count == 1,
                   let n = try listedEntries(db, terms[0]),
                   n > commonWordShare(stats) {
                    dropped += 1
                    continue
                }
            }
            kept.append(c)
        }
        let positives = kept.filter { if case .not = $0 { false } else { true } }
        guard dropped > 0, !positives.isEmpty else { return nil }
        return kept.count == 1 ? kept[0] : .and(kept)
    }

    /// For an AND of listed words: the store's size times each word's share of it.
    static func expectedMatches(_ db: Database, _ node: QueryNode, stats: RankStats) throws -> Double? {
        guard case .and(let cs) = node, stats.entries > 0 else { return nil }
        var expected = Double(stats.entries)
        for c in cs {
            guard case .term(let w) = c else { if case .not = c { continue }; return nil }
            for term in try indexTerms(db, w) {
                guard let n = try listedEntries(db, term) else { return nil }
                expected *= Double(n) / Double(stats.entries)
            }
        }
        return expected
    }

    /// Whether every phrase of a query is made of listed words only (each in many entries of a
    /// large store) and the rest is plain words: such a query can match much of the store, and
    /// FTS5 would check positions in every match.
    static func onlyListedPhrases(_ db: Database, _ node: QueryNode, stats: RankStats, tuning: SearchTuning) throws -> Bool {
        guard stats.entries >= tuning.commonWordMinimumStore else { return false }
        func listed(_ w: String) throws -> Bool {
            let terms = try indexTerms(db, w)
            guard terms.count == 1 else { return false }
            return try listedEntries(db, terms[0]) != nil
        }
        switch node {
        case .phrase(let ws, false): return ws.count > 1 ? try ws.allSatisfy(listed) : false
        case .and(let cs):
            guard cs.contains(where: containsPhrase) else { return false }
            for c in cs {
                switch c {
                case .term: continue
                case .phrase: if try !onlyListedPhrases(db, c, stats: stats, tuning: tuning) { return false }
                default: return false
                }
            }
            return true
        default: return false
        }
    }

    static func containsPhrase(_ node: QueryNode) -> Bool {
        switch node {
        case .phrase(let ws, _): return ws.count > 1
        case .and(let cs): return cs.contains(where: containsPhrase)
        case .or(let cs): return cs.contains { c in containsPhrase(c) && !coveredPhrase(c, by: cs) }
        case .not, .term, .prefix: return false
        }
    }

    /// A phrase with one of its words as a term beside it in an OR (as `who` asks: the words, and
    /// the phrase for extra weight): whatever matches the phrase matches that word, so it adds no
    /// matches to the OR.
    static func coveredPhrase(_ node: QueryNode, by siblings: [QueryNode]) -> Bool {
        guard case .phrase(let ws, false) = node else { return false }
        let terms = Set(siblings.compactMap { if case .term(let w) = $0 { w.lowercased() } else { nil } })
        return ws.contains { terms.contains($0.lowercased()) }
    }

    /// A word, a prefix, or an OR of those.
    static func isDisjunction(_ node: QueryNode) -> Bool {
        switch node {
        case .term, .prefix: return true
        case .or(let cs): return cs.allSatisfy { isDisjunction($0) || coveredPhrase($0, by: cs) }
        default: return false
        }
    }

    /// Whether some word or prefix of a disjunction has a ranked list with more entries than
    /// the exact limit.
    static func hasListedLeaf(_ db: Database, _ node: QueryNode, tuning: SearchTuning) throws -> Bool {
        switch node {
        case .term(let w):
            let terms = try indexTerms(db, w)
            guard terms.count == 1 else { return false }
            return try listedEntries(db, terms[0]).map { $0 > tuning.exactLimit } ?? false
        case .prefix(let p):
            guard let lower = try prefixTerm(db, p) else { return false }
            return try Int.fetchOne(cached: db, sql: "SELECT max(entries) FROM rank_term WHERE term >= ? AND term < ?",
                                    arguments: [lower, lower + "\u{10FFFF}"]).map { $0 > tuning.exactLimit } ?? false
        case .or(let cs):
            for c in cs where try hasListedLeaf(db, c, tuning: tuning) { return true }
            return false
        default:
            return false
        }
    }

    /// A prefix as FTS5 reads it, through the index's tokenizer: `being*` is `be*` (porter's
    /// stem); nil when it is not one token (`e-ma*` is a phrase).
    static func prefixTerm(_ db: Database, _ p: String) throws -> String? {
        let terms = try indexTerms(db, p)
        return terms.count == 1 && !terms[0].isEmpty ? terms[0] : nil
    }

    static func memberScale(_ factor: Double) -> String {
        factor == 1 ? "" : " * (CASE rowid & 7 WHEN 1 THEN \(factor) ELSE 1.0 END)"
    }

    /// FTS5's own ranking of every match.
    static func exactRanking(_ db: Database, match: String, filtered: String, arguments condArgs: StatementArguments,
                             limit: Int, memberFactor: Double) throws -> [Ranked] {
        var args: StatementArguments = [match]
        _ = args.append(contentsOf: condArgs)
        _ = args.append(contentsOf: [limit])
        let sql = """
            SELECT k, rank FROM (SELECT rowid AS k, \(rankSQL)\(memberScale(memberFactor)) AS rank FROM entry_fts WHERE entry_fts MATCH ?)\(filtered)
            ORDER BY rank LIMIT ?
            """
        // Without filters the statement is always the same: prepared once (a filter's SQL names its values).
        let rows = try filtered.isEmpty ? Row.fetchAll(db.cachedStatement(sql: sql), arguments: args) : Row.fetchAll(db, sql: sql, arguments: args)
        return rows.map { Ranked(key: $0[0], rank: $0[1]) }
    }

    /// Ranks the union of the query's terms' lists, keeping only entries that match the whole query
    /// and its filters; tops up from the newest matches when that leaves too few.
    static func listRanking(_ db: Database, node: QueryNode, match: String, filtered: String,
                            arguments condArgs: StatementArguments, limit: Int, memberFactor: Double,
                            tuning: SearchTuning) throws -> [Ranked] {
        guard let stats = try rankStats(db) else { return [] }
        if filtered.isEmpty, case .term(let w) = node,
           let top = try topOfList(db, word: w, stats: stats, limit: limit, memberFactor: memberFactor) {
            return top
        }
        // Candidates are checked from their text where the query allows it (see QueryMatcher).
        let matcher = filtered.isEmpty ? try QueryMatcher(db, node: node) : nil
        var scores: [Int64: Double] = [:]
        var needsCheck = false
        // `word -other`: the word's candidates all match it, so only the exclusions need checking:
        // the best candidates' text, or else by walking the exclusions' matches (not the word's,
        // which are many).
        var exclusions: [String] = []
        let positives: [QueryNode]
        if case .and(let cs) = node { positives = cs.filter { if case .not = $0 { false } else { true } } } else { positives = [node] }
        if case .and(let cs) = node, positives.count == 1, isDisjunction(positives[0]) {
            try collectScores(db, positives[0], stats: stats, into: &scores, needsCheck: &needsCheck, tuning: tuning)
            // A word that is really several (`e-mail`) is checked with the whole query below.
            if !needsCheck {
                exclusions = cs.compactMap { if case .not(let inner) = $0 { FTS5Query.render(inner) } else { nil } }
                if matcher != nil, !exclusions.isEmpty { exclusions = []; needsCheck = true }
            }
        } else {
            try collectScores(db, node, stats: stats, into: &scores, needsCheck: &needsCheck, tuning: tuning)
        }

        // Which candidates match the query and pass the filters.
        var kept: [Int64] = []
        for ex in exclusions where !scores.isEmpty {
            let cursor = try Int64.fetchCursor(db.cachedStatement(sql: "SELECT rowid FROM entry_fts WHERE entry_fts MATCH ?"), arguments: [ex])
            while let k = try cursor.next() { scores[k] = nil }
        }
        func rank(_ k: Int64) -> Double { -(scores[k] ?? 0) * (k & 7 == 1 ? memberFactor : 1) }
        let phrase = containsPhrase(node)
        var checkedEnough = false
        if !scores.isEmpty, needsCheck, filtered.isEmpty {
            // Best candidates first, each checked against the whole query on its own, until a page
            // passes: a query of common words matches most candidates, and walking all its matches
            // (half the store) is what costs. The page is the same as walking would give.
            var order = scores.map { (key: $0.key, rank: -$0.value * ($0.key & 7 == 1 ? memberFactor : 1)) }
            order.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.key > $1.key }
            let check = try db.cachedStatement(sql: "SELECT 1 FROM entry_fts WHERE entry_fts MATCH ? AND rowid = ?")
            var checks = 0
            for candidate in order {
                let k = candidate.key
                if kept.count == limit { break }
                if checks == tuning.candidateChecks { break }
                // Most candidates failing (words that seldom meet): walking the matches is cheaper.
                // A phrase is never walked: its best candidates rank better than the newest matches
                // that fill its page (below), so it checks on, but only a third as far.
                if !phrase, checks >= 32, kept.count * 4 < checks { break }
                if phrase, checks >= tuning.candidateChecks / 3 { break }
                checks += 1
                let matches: Bool
                if let matcher {
                    matches = try indexedColumns(db, key: k).map(matcher.matches) ?? false
                } else {
                    matches = try Int.fetchOne(check, arguments: [match, k]) != nil
                }
                if matches { kept.append(k) }
            }
            // Done when the page is full or every candidate was checked. A phrase is never walked
            // (checking positions in every match is the cost): the newest matches fill the page
            // instead, below.
            checkedEnough = kept.count == limit || checks == order.count || phrase
            if !checkedEnough { kept.removeAll() }
        }
        if !scores.isEmpty, !checkedEnough {
            if needsCheck {
                // AND, phrases and NOT: walk the matches (no ranking, so cheap) and keep the candidates.
                var args: StatementArguments = [match]
                _ = args.append(contentsOf: condArgs)
                let cursor = try Int64.fetchCursor(db, sql: "SELECT k FROM (SELECT rowid AS k FROM entry_fts WHERE entry_fts MATCH ?)\(filtered)", arguments: args)
                while let k = try cursor.next() { if scores[k] != nil { kept.append(k) } }
            } else if filtered.isEmpty {
                kept = Array(scores.keys)
            } else {
                // Every candidate matches (a word or any of several): only the filters remain.
                let list = "[" + scores.keys.map(String.init).joined(separator: ",") + "]"
                var args: StatementArguments = [list]
                _ = args.append(contentsOf: condArgs)
                kept = try Int64.fetchAll(db, sql: "SELECT k FROM (SELECT value AS k FROM json_each(?))\(filtered)", arguments: args)
            }
        }
        if phrase, filtered.isEmpty, let matcher {
            return try phraseRanking(db, kept: kept, match: match, matcher: matcher, node: node, stats: stats,
                                     limit: limit, memberFactor: memberFactor)
        }
        var ranked = kept.map { Ranked(key: $0, rank: rank($0)) }
        ranked.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.key > $1.key }
        if ranked.count > limit { ranked.removeLast(ranked.count - limit) }
        if ranked.count < limit {
            // Too few: the best of the newest matches, ranked exactly, fill the rest.
            var args: StatementArguments = [match]
            _ = args.append(contentsOf: condArgs)
            _ = args.append(contentsOf: [tuning.listLength])
            let rows = try Row.fetchAll(db, sql: """
                SELECT k, rank FROM (SELECT rowid AS k, \(rankSQL)\(memberScale(memberFactor)) AS rank FROM entry_fts
                                     WHERE entry_fts MATCH ? ORDER BY rowid DESC)\(filtered) LIMIT ?
                """, arguments: args)
            let have = Set(ranked.map(\.key))
            var more = rows.map { Ranked(key: $0[0], rank: $0[1]) }.filter { !have.contains($0.key) }
            more.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.key > $1.key }
            ranked += more.prefix(limit - ranked.count)
        }
        return ranked
    }

    /// A query with phrases of listed words: the candidates that passed (`kept`), then the newest
    /// matches until the page is full, all ranked by bm25 computed from their text. FTS5's own
    /// bm25 of a phrase first counts every entry holding it (for its idf), which for common words
    /// is a walk through most of the store; here a phrase's idf is its rarest word's (the same
    /// for every entry, so a phrase alone is ranked in bm25's order). The newest matches are found
    /// without ranking, so the walk stops as soon as the page is full.
    static func phraseRanking(_ db: Database, kept: [Int64], match: String, matcher: QueryMatcher, node: QueryNode,
                              stats: RankStats, limit: Int, memberFactor: Double) throws -> [Ranked] {
        var keys = Array(kept.prefix(limit))
        if keys.count < limit {
            let have = Set(keys)
            let newest = try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? ORDER BY rowid DESC LIMIT ?
                """), arguments: [match, limit])
            for k in newest where keys.count < limit && !have.contains(k) { keys.append(k) }
        }
        var idfs: [Double] = []
        for leaf in matcher.leaves {
            var least = stats.entries
            for w in leafWords(leaf) {
                let terms = try indexTerms(db, w)
                // A listed word's count from its list; another (few entries, or several terms) counted.
                let listed = terms.count == 1 ? try listedEntries(db, terms[0]) : nil
                let n = try listed ?? Int.fetchOne(cached: db, sql: "SELECT count(*) FROM entry_fts WHERE entry_fts MATCH ?",
                                                   arguments: [FTS5Query.quote(w)]) ?? 0
                least = min(least, n)
            }
            idfs.append(idf(entries: stats.entries, containing: least))
        }
        var ranked: [Ranked] = []
        for k in keys {
            guard let columns = try indexedColumns(db, key: k) else { continue }
            let score = matcher.bm25(columns, idfs: idfs, averageLength: stats.averageLength)
            ranked.append(Ranked(key: k, rank: -score * (k & 7 == 1 ? memberFactor : 1)))
        }
        ranked.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.key > $1.key }
        return ranked
    }

    /// The words of a query leaf.
    static func leafWords(_ leaf: QueryNode) -> [String] {
        switch leaf {
        case .term(let w), .prefix(let w): return [w]
        case .phrase(let ws, _): return ws
        default: return []
        }
    }

    /// One listed word: the best of its list that pass the filters (`filtered`, conditions on
    /// `k`), sorted by SQLite rather than read whole into a dictionary (the same page as the
    /// general path gives). nil when the word is not one listed term or fewer than a page pass.
    static func topOfList(_ db: Database, word: String, stats: RankStats, limit: Int, memberFactor: Double,
                          filtered: String = "", arguments condArgs: StatementArguments = []) throws -> [Ranked]? {
        let terms = try indexTerms(db, word)
        guard terms.count == 1, let listed = try listedEntries(db, terms[0]) else { return nil }
        let weight = idf(entries: stats.entries, containing: listed)
        var args: StatementArguments = [terms[0]]
        _ = args.append(contentsOf: condArgs)
        _ = args.append(contentsOf: [memberFactor, limit])
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT k, impact FROM (SELECT entry AS k, impact FROM rank_list WHERE term = ?)\(filtered)
            ORDER BY impact * (CASE k & 7 WHEN 1 THEN ? ELSE 1.0 END) DESC, k DESC LIMIT ?
            """), arguments: args)
        guard rows.count == limit else { return nil }
        // A member's score is scaled down: one deep in the list can fall below an entry outside it
        // (at most the list's lowest impact), which would then be missing from the page.
        let last: Int64 = rows[limit - 1][0]
        if last & 7 == 1, let floor = try Double.fetchOne(cached: db, sql: "SELECT floor FROM rank_term WHERE term = ?", arguments: [terms[0]]),
           (rows[limit - 1][1] as Double) * memberFactor < floor {
            return nil
        }
        return rows.map { row in
            let key: Int64 = row[0]
            return Ranked(key: key, rank: -(weight * (row[1] as Double)) * (key & 7 == 1 ? memberFactor : 1))
        }
    }

    /// Adds each positive leaf's scores: a listed term's list, an unlisted term's every match.
    static func collectScores(_ db: Database, _ node: QueryNode, stats: RankStats, into scores: inout [Int64: Double],
                              needsCheck: inout Bool, tuning: SearchTuning) throws {
        switch node {
        case .term(let w):
            try addTermScores(db, word: w, stats: stats, into: &scores, needsCheck: &needsCheck, tuning: tuning)
        case .prefix(let p):
            try addPrefixScores(db, prefix: p, stats: stats, into: &scores)
        case .phrase(let ws, let prefix):
            needsCheck = true
            for (i, w) in ws.enumerated() {
                if prefix && i == ws.count - 1 { try addPrefixScores(db, prefix: w, stats: stats, into: &scores) }
                else { try addTermScores(db, word: w, stats: stats, into: &scores, needsCheck: &needsCheck, tuning: tuning) }
            }
        case .or(let cs):
            for c in cs where !coveredPhrase(c, by: cs) {
                try collectScores(db, c, stats: stats, into: &scores, needsCheck: &needsCheck, tuning: tuning)
            }
        case .and(let cs):
            if cs.count > 1 { needsCheck = true }
            for c in cs { try collectScores(db, c, stats: stats, into: &scores, needsCheck: &needsCheck, tuning: tuning) }
        case .not:
            needsCheck = true
        }
    }

    static let stemmer = FTS5TokenizerDescriptor(components: ["porter", "unicode61", "remove_diacritics", "2"])

    /// The index's own terms for a word: stemmed, and several for a word with a hyphen.
    static func indexTerms(_ db: Database, _ word: String) throws -> [String] {
        try indexTokenizer(db).tokenize(query: word).map(\.token)
    }

    /// The index's tokenizer for a connection, made once: making one asks SQLite for FTS5's
    /// interface with a statement of its own, and a pasted title's search asks for a word's
    /// terms a few dozen times.
    static func indexTokenizer(_ db: Database) throws -> any FTS5Tokenizer {
        if let made = tokenizers.get(db) { return made }
        let made = try db.makeTokenizer(stemmer)
        tokenizers.set(db, made)
        return made
    }

    static let tokenizers = Tokenizers()

    /// Tokenizers by connection. A connection's tokenizer is only used on its own queue; a
    /// closed connection's entry is dropped when another is added (held weakly, so an address
    /// used again is never mistaken for the old connection).
    final class Tokenizers: @unchecked Sendable {
        private struct Entry { weak var db: Database?; var tokenizer: any FTS5Tokenizer }
        private let lock = NSLock()
        private var entries: [ObjectIdentifier: Entry] = [:]
        func get(_ db: Database) -> (any FTS5Tokenizer)? {
            lock.lock(); defer { lock.unlock() }
            guard let e = entries[ObjectIdentifier(db)], e.db === db else { return nil }
            return e.tokenizer
        }
        func set(_ db: Database, _ tokenizer: any FTS5Tokenizer) {
            lock.lock(); defer { lock.unlock() }
            entries = entries.filter { $0.value.db != nil }
            entries[ObjectIdentifier(db)] = Entry(db: db, tokenizer: tokenizer)
        }
    }

    /// How many entries held a listed term when its list was made; nil for a term without a list.
    static func listedEntries(_ db: Database, _ term: String) throws -> Int? {
        try Int.fetchOne(cached: db, sql: "SELECT entries FROM rank_term WHERE term = ?", arguments: [term])
    }

    /// Adds a listed term's share of each listed entry's score.
    static func addListScores(_ db: Database, term: String, weight: Double, stats: RankStats, into scores: inout [Int64: Double]) throws {
        for (entry, impact) in try listed(db, term: term, stats: stats) { scores[entry, default: 0] += weight * impact }
    }

    static func addTermScores(_ db: Database, word: String, stats: RankStats, into scores: inout [Int64: Double],
                              needsCheck: inout Bool, tuning: SearchTuning) throws {
        // The index's own terms for the word (stemmed; a word with a hyphen can be several).
        let terms = try indexTerms(db, word)
        if terms.count > 1 { needsCheck = true }
        for term in terms {
            if let listed = try listedEntries(db, term) {
                try addListScores(db, term: term, weight: idf(entries: stats.entries, containing: listed), stats: stats, into: &scores)
            } else {
                // Not listed, so in few entries (or new since the lists were built): rank them all.
                let rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT rowid, -\(rankSQL) FROM entry_fts WHERE entry_fts MATCH ? ORDER BY rank LIMIT ?
                    """), arguments: [FTS5Query.quote(word), tuning.listLength])
                for row in rows { scores[row[0], default: 0] += row[1] as Double }
            }
        }
    }

    /// A prefix stands for its most frequent listed terms (as search engines cap a prefix's expansions).
    static func addPrefixScores(_ db: Database, prefix: String, stats: RankStats, into scores: inout [Int64: Double]) throws {
        guard let p = try prefixTerm(db, prefix) else { return }
        let upper = p + "\u{10FFFF}"
        let terms = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT term, entries FROM rank_term WHERE term >= ? AND term < ? ORDER BY entries DESC LIMIT 50
            """), arguments: [p, upper])
        for t in terms {
            try addListScores(db, term: t[0], weight: idf(entries: stats.entries, containing: t[1]), stats: stats, into: &scores)
        }
    }
}
