import Foundation

extension ExpertRanker {
    /// Tag names a topic may name, for a store to look up as tags or aliases: its `tag:` filters,
    /// its words (not stop words), each two neighbouring words and each phrase joined by `-`;
    /// only those that can be tag names, each once, in order.
    public static func topicTagCandidates(_ query: Query) -> [String] {
        var candidates: [String] = query.values(of: .tag)
        if let text = query.text {
            let words = text.positiveWords.map { $0.lowercased() }.filter { !stopWords.contains($0) }
            candidates += words
            for i in words.indices.dropLast() { candidates.append(words[i] + "-" + words[i + 1]) }
            if case .phrase(let ws, _) = text { candidates.append(ws.joined(separator: "-").lowercased()) }
            if case .or(let cs) = text {
                for c in cs { if case .phrase(let ws, _) = c { candidates.append(ws.joined(separator: "-").lowercased()) } }
            }
        }
        return Set(candidates.compactMap { try? Validation.tag($0) }).sorted()
    }

    /// For a candidate that names no tag: the stem whose tags (one-word names starting with it,
    /// at most three) it stands for (facilitating ~ facilitation); nil for short or hyphenated names.
    public static func topicTagStem(_ name: String) -> String? {
        guard name.count >= 7, !name.contains("-") else { return nil }
        return String(name.prefix(min(name.count - 3, 9)))
    }
}
