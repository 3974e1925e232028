import KnowHowCore

/// Renders the core's query tree into an FTS5 MATCH expression. Every word is quoted, so no
/// user text is ever read as FTS5 syntax.
public enum FTS5Query {
    public static func quote(_ word: String) -> String {
        "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// nil when the node has nothing positive to match (only exclusions).
    public static func render(_ node: QueryNode) -> String? {
        switch node {
        case .term(let w):
            return quote(w)
        case .prefix(let w):
            return quote(w) + "*"
        case .phrase(let ws, let prefix):
            return quote(ws.joined(separator: " ")) + (prefix ? "*" : "")
        case .or(let cs):
            let parts = cs.compactMap(render)
            guard !parts.isEmpty else { return nil }
            return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " OR ") + ")"
        case .and(let cs):
            var positives: [String] = [], negatives: [String] = []
            for c in cs {
                if case .not(let inner) = c { if let r = render(inner) { negatives.append(r) } }
                else if let r = render(c) { positives.append(r) }
            }
            guard !positives.isEmpty else { return nil }
            var s = positives.count == 1 ? positives[0] : "(" + positives.joined(separator: " AND ") + ")"
            for n in negatives { s += " NOT " + n }
            return negatives.isEmpty ? s : "(" + s + ")"
        case .not:
            return nil
        }
    }

    /// The exclusions of a query that has no positive words (`tag:x -draft`), rendered to match
    /// what must be left out.
    public static func exclusions(_ node: QueryNode) -> [String] {
        switch node {
        case .not(let inner): return render(inner).map { [$0] } ?? []
        case .and(let cs): return cs.flatMap { c -> [String] in if case .not(let i) = c { return render(i).map { [$0] } ?? [] } else { return [] } }
        default: return []
        }
    }
}
