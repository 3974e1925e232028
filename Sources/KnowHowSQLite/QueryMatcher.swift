import Foundation
import GRDB
import KnowHowCore

/// Decides from an entry's text whether it matches a query, as FTS5's MATCH of the rendered query
/// (FTS5Query.render) decides it: the same tokenizer and phrase rules as QueryMarker, the same
/// AND, OR and NOT, and the parts that render drops (an exclusion with nothing positive beside
/// it) dropped here too.
///
/// Checking a candidate this way reads one entry; asking FTS5 (`MATCH ? AND rowid = ?`) seeks
/// every term's match list in every index segment, and for a phrase of common words reads their
/// positions: at a million entries about 0.3 ms for three common words and 2 ms for a phrase of
/// them, against about 0.05 ms here.
struct QueryMatcher {
    private indirect enum Node {
        case leaf(Int)
        case and([Node])
        case or([Node])
        case not(Node)
    }

    private let marker: QueryMarker
    private let root: Node
    /// Every term, prefix and phrase of the query, excluded ones too, in order.
    let leaves: [QueryNode]
    /// Whether each leaf is outside every NOT: the phrases FTS5 finds in a matching entry.
    private let positive: [Bool]

    /// nil when some word of the query has no token (`"—"`): how FTS5 reads such a query is left to FTS5.
    init?(_ db: Database, node: QueryNode) throws {
        var leaves: [QueryNode] = [], positive: [Bool] = []
        func build(_ n: QueryNode, excluded: Bool) -> Node {
            switch n {
            case .term, .prefix, .phrase: leaves.append(n); positive.append(!excluded); return .leaf(leaves.count - 1)
            case .and(let cs): return .and(cs.map { build($0, excluded: excluded) })
            case .or(let cs): return .or(cs.map { build($0, excluded: excluded) })
            case .not(let inner): return .not(build(inner, excluded: true))
            }
        }
        let root = build(node, excluded: false)
        // Every leaf, excluded ones too, as one phrase each, in leaf order.
        let marker = try QueryMarker(db, node: .or(leaves))
        guard !leaves.isEmpty, marker.phrases.count == leaves.count else { return nil }
        self.marker = marker
        self.root = root
        self.leaves = leaves
        self.positive = positive
    }

    /// Whether an entry with these columns' text (title, tags, summary, body) matches.
    func matches(_ columns: [String]) -> Bool {
        var present = [Bool](repeating: false, count: marker.phrases.count)
        for text in columns where !text.isEmpty {
            for instance in marker.instances(marker.tokens(text)) { present[instance.phrase] = true }
        }
        return Self.holds(root, present) ?? false
    }

    /// FTS5's bm25 of an entry that matches, as a positive number: `idfs` one per leaf, the
    /// column weights of `rankSQL`, the entry's length in tokens over all its columns.
    func bm25(_ columns: [String], idfs: [Double], averageLength: Double) -> Double {
        var weighted = [Double](repeating: 0, count: marker.phrases.count)
        var length = 0
        for (c, text) in columns.enumerated() where !text.isEmpty {
            let tokens = marker.tokens(text)
            length += tokens.count
            let weight = c < SQLiteKnowledgeStore.columnWeights.count ? SQLiteKnowledgeStore.columnWeights[c] : 0
            for instance in marker.instances(tokens) { weighted[instance.phrase] += weight }
        }
        var score = 0.0
        for (i, w) in weighted.enumerated() where w > 0 && positive[i] && i < idfs.count {
            score += idfs[i] * SQLiteKnowledgeStore.impact(weightedCount: w, length: Double(length), averageLength: averageLength)
        }
        return score
    }

    /// As FTS5Query.render reads the tree: nil for a part it leaves out.
    private static func holds(_ node: Node, _ present: [Bool]) -> Bool? {
        switch node {
        case .leaf(let i):
            return present[i]
        case .or(let cs):
            let parts = cs.compactMap { holds($0, present) }
            return parts.isEmpty ? nil : parts.contains(true)
        case .and(let cs):
            var positives: [Bool] = [], excluded = false
            for c in cs {
                if case .not(let inner) = c {
                    if holds(inner, present) == true { excluded = true }
                } else if let h = holds(c, present) {
                    positives.append(h)
                }
            }
            return positives.isEmpty ? nil : positives.allSatisfy { $0 } && !excluded
        case .not:
            return nil
        }
    }
}

extension SQLiteKnowledgeStore {
    /// The columns of an entry as the index holds them (title, tags, summary, body).
    static func indexedColumns(_ db: Database, key: Int64) throws -> [String]? {
        guard let d = try document(db, key: key) else { return nil }
        return [d.title, d.tags, d.summary, d.body]
    }
}
