import Foundation
import KnowHowCore

/// Ranks matches by bm25 as SQLite's FTS5 computes it (fts5_aux.c), so that both stores put the
/// same entries first: each positive term, prefix or phrase of the query adds
/// idf · f·(k1+1) / (f + k1·(1 − b + b·|D|/avgdl)), where f counts the term's occurrences weighted
/// by column (title 10, tags 6, summary 3, body 1: the tsvector's weights A–D), |D| is the entry's
/// length in tokens and avgdl the index's average (kept in `entry_stats`). ts_rank_cd picks the
/// candidates; bm25 orders them.
enum PostgresBM25 {
    static let columnWeights: [Character: Double] = ["A": 10, "B": 6, "C": 3, "D": 1]
    static let k1 = 1.2, b = 0.75
    /// How many of ts_rank_cd's best matches bm25 orders: all of them in a store of any size the
    /// contract and the demo have; the best of the rest in a large one.
    static let candidates = 1_000
    /// Stores of up to this many entries count each word's entries exactly (bm25's idf); larger
    /// ones take common words' shares from the statistics (ANALYZE keeps the most common lexemes
    /// of the index column with their shares) and count the others, which are rare, stopping at
    /// a twentieth of the store as a guard.
    static let exactCounts = 20_000

    /// One word of a leaf, as its index lexemes (a hyphenated word has several), possibly a prefix.
    struct Part {
        var lexemes: [String]
        var prefix: Bool
    }

    /// A term, prefix or phrase of the query (FTS5's "phrase").
    struct Leaf {
        var node: QueryNode
        var words: [(word: String, prefix: Bool)]
        /// More than one word (or a word of several lexemes): counted where the whole phrase matches.
        var isPhrase: Bool { words.count > 1 }
    }

    /// The positive leaves, in order (excluded ones match nothing in a matching entry, so add nothing).
    static func leaves(_ node: QueryNode) -> [Leaf] {
        switch node {
        case .term(let w): return [Leaf(node: node, words: [(w, false)])]
        case .prefix(let w): return [Leaf(node: node, words: [(w, true)])]
        case .phrase(let ws, let prefix):
            guard !ws.isEmpty else { return [] }
            return [Leaf(node: node, words: ws.enumerated().map { ($0.element, prefix && $0.offset == ws.count - 1) })]
        case .and(let cs), .or(let cs): return cs.flatMap(leaves)
        case .not: return []
        }
    }

    /// The keys best first, with bm25 scores (higher is better); `memberFactor` scales members'.
    static func rank(_ c: PGConnection, node: QueryNode, keys: [Int64], memberFactor: Double = 1,
                     exactCounts: Int = exactCounts) throws -> [(key: Int64, score: Double)] {
        guard !keys.isEmpty else { return [] }
        let config = TSQuery.configuration
        let leaves = leaves(node)
        // Each word's lexemes, as the index stems and folds it.
        let words = Array(Set(leaves.flatMap { $0.words.map(\.word) })).sorted()
        var lexemes: [String: [String]] = [:]
        for r in try c.query("""
            SELECT w, ARRAY(SELECT lexeme FROM unnest(to_tsvector('\(config)', w)) ORDER BY positions[1], lexeme) AS l
            FROM unnest($1::text[]) w
            """, [PostgresKnowledgeStore.array(words)]).rows {
            lexemes[try r.require("w")] = try r.require("l", as: PGTextArray.self).values
        }
        var parts: [[Part]] = []
        for leaf in leaves {
            var ps: [Part] = []
            for (w, prefix) in leaf.words {
                let ls = lexemes[w] ?? []
                // A prefix matches lexemes beginning with its stem; a word of several lexemes needs them all.
                if prefix, let first = ls.first { ps.append(Part(lexemes: [first], prefix: true)) }
                else { ps += ls.map { Part(lexemes: [$0], prefix: false) } }
            }
            parts.append(ps)
        }
        // idf: the same for every entry when there is one leaf (the order is bm25's either way).
        var idf = Array(repeating: 1.0, count: leaves.count)
        let stats = try c.query("SELECT entries, tokens FROM knowhow.entry_stats").first
        let entries = Double(try stats?.get("entries", as: Int64.self) ?? 0), tokens = Double(try stats?.get("tokens", as: Int64.self) ?? 0)
        let averageLength = entries > 0 ? tokens / entries : 1
        if leaves.count > 1 {
            // In a large store a common word's entries are many to count: its share comes from the
            // planner's statistics of the index column (most common lexemes), the rest are counted.
            var shares: [String: Double] = [:]
            if entries > Double(exactCounts) {
                let single = parts.compactMap { $0.count == 1 && !$0[0].prefix ? $0[0].lexemes[0] : nil }
                for r in try c.query("""
                    SELECT a.e, s.most_common_elem_freqs[a.i] AS f FROM pg_stats s,
                           unnest(s.most_common_elems::text::text[]) WITH ORDINALITY AS a(e, i)
                    WHERE s.schemaname = 'knowhow' AND s.tablename = 'entry_text' AND s.attname = 'search' AND a.e = ANY ($1::text[])
                    """, [PostgresKnowledgeStore.array(single)]).rows {
                    shares[try r.require("e")] = try r.require("f")
                }
            }
            for (i, leaf) in leaves.enumerated() {
                guard let q = TSQuery.render(leaf.node) else { continue }
                let hits: Double
                if parts[i].count == 1, !parts[i][0].prefix, let share = shares[parts[i][0].lexemes[0]] {
                    hits = share * entries
                } else {
                    hits = Double(try c.query("""
                        SELECT count(*) AS n FROM (SELECT 1 FROM knowhow.entry_text WHERE search @@ to_tsquery('\(config)', $1) LIMIT $2) x
                        """, [q, max(exactCounts, Int(entries) / 20)]).first!.require("n", as: Int64.self))
                }
                let v = log((entries - hits + 0.5) / (hits + 0.5))
                idf[i] = v > 0 ? v : 1e-6
            }
        }
        // A phrase whose words are one lexeme each is counted where its words stand one after
        // another, as FTS5 counts it; one with a word of several lexemes (`e-mail`), in each column
        // that holds it, as often as its rarest word there.
        let positional = leaves.indices.map { leaves[$0].isPhrase && parts[$0].count == leaves[$0].words.count }
        // Each candidate's length, the positions (and their columns) of the leaves' lexemes, and
        // for the other phrases whether each column holds them.
        var p = PGParameters()
        let exact = p.bind(PostgresKnowledgeStore.array(Array(Set(parts.flatMap { $0.filter { !$0.prefix }.flatMap(\.lexemes) })).sorted()))
        let like = p.bind(PostgresKnowledgeStore.array(Array(Set(parts.flatMap { $0.filter(\.prefix).flatMap(\.lexemes) }))
            .sorted().map { PostgresFilters.likeEscaped($0) + "%" }))
        var flags: [String] = []
        for (i, leaf) in leaves.enumerated() where (leaf.isPhrase || parts[i].count > 1) && !positional[i] {
            guard let q = TSQuery.render(leaf.node) else { continue }
            let b = p.bind(q)
            flags.append("ARRAY[" + ["a", "b", "c", "d"].map { "ts_filter(e.search, '{\($0)}') @@ to_tsquery('\(config)', \(b))" }
                .joined(separator: ", ") + "] AS f\(i)")
        }
        let keyList = p.bind(PostgresKnowledgeStore.array(keys))
        let rows = try c.query("""
            SELECT e.entry, knowhow.token_count(e.search) AS len,
                   ARRAY(SELECT u.lexeme || ' ' || array_to_string(u.weights, '') || ' ' || array_to_string(u.positions, ',') FROM unnest(e.search) u
                         WHERE u.lexeme = ANY (\(exact)::text[]) OR u.lexeme LIKE ANY (\(like)::text[])) AS hits
                   \(flags.map { ", " + $0 }.joined())
            FROM knowhow.entry_text e WHERE e.entry = ANY (\(keyList)::bigint[])
            """, p.values).rows
        var scored: [(key: Int64, score: Double)] = []
        for r in rows {
            let key: Int64 = try r.require("entry")
            let length = Double(try r.require("len", as: Int64.self))
            // lexeme → each of its positions with its column letter ("word AAD 1,2,9")
            var positions: [String: [(at: Int, column: Character)]] = [:]
            for h in try r.require("hits", as: PGTextArray.self).values {
                let fields = h.split(separator: " ")
                guard fields.count == 3 else { continue }
                positions[String(fields[0]), default: []] += zip(fields[2].split(separator: ",").compactMap { Int($0) }, fields[1]).map { ($0, $1) }
            }
            func occurrences(_ part: Part) -> [(at: Int, column: Character)] {
                positions.filter { part.prefix ? $0.key.hasPrefix(part.lexemes[0]) : part.lexemes.contains($0.key) }.flatMap(\.value)
            }
            func count(_ part: Part, in column: Character?) -> Double {
                occurrences(part).reduce(0.0) { n, o in column == nil ? n + (columnWeights[o.column] ?? 1) : o.column == column ? n + 1 : n }
            }
            var score = 0.0
            for (i, ps) in parts.enumerated() where !ps.isEmpty {
                var f = 0.0
                if ps.count == 1 && !leaves[i].isPhrase {
                    f = count(ps[0], in: nil)
                } else if positional[i] {
                    let later = ps.dropFirst().map { Set(occurrences($0).map(\.at)) }
                    for start in occurrences(ps[0]) where later.enumerated().allSatisfy({ $0.element.contains(start.at + $0.offset + 1) }) {
                        f += columnWeights[start.column] ?? 1
                    }
                } else if let columns = try r.get("f\(i)", as: PGTextArray.self)?.values {
                    // A phrase: in each column that holds it, as often as its rarest word there.
                    for (j, col) in ["A", "B", "C", "D"].enumerated() where j < columns.count && columns[j] == "t" {
                        let letter = Character(col)
                        f += (columnWeights[letter] ?? 1) * (ps.map { count($0, in: letter) }.min() ?? 0)
                    }
                }
                guard f > 0 else { continue }
                score += idf[i] * f * (k1 + 1) / (f + k1 * (1 - b + b * length / max(averageLength, 1)))
            }
            if key & 7 == Int64(EntryType.member.keyCode) { score *= memberFactor }
            scored.append((key, score))
        }
        return scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.key < $1.key }
    }
}
