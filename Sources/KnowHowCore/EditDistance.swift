import Foundation

public enum EditDistance {
    /// Damerau–Levenshtein (optimal string alignment) distance, stopping early past `limit`.
    public static func distance(_ a: String, _ b: String, limit: Int = .max) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if abs(x.count - y.count) > limit { return limit + 1 }
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev2 = [Int](repeating: 0, count: y.count + 1)
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { v = min(v, prev2[j - 2] + 1) }
                cur[j] = v
                rowMin = min(rowMin, v)
            }
            if rowMin > limit { return limit + 1 }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[y.count]
    }

    /// The candidates closest to `word`, nearest first, within a distance that grows with length.
    public static func nearest(_ word: String, in candidates: some Sequence<String>, max count: Int = 3) -> [String] {
        let w = word.lowercased()
        let limit = w.count <= 4 ? 1 : (w.count <= 8 ? 2 : 3)
        var scored: [(String, Int)] = []
        for c in candidates where c != w {
            let d = distance(w, c.lowercased(), limit: limit)
            if d <= limit { scored.append((c, d)) }
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(count).map(\.0)
    }
}
