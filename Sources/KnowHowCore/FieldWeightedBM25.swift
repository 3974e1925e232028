import Foundation

/// BM25F (Robertson, Zaragoza & Taylor, "Simple BM25 extension to multiple weighted fields",
/// CIKM 2004), the ranking of natural-language searches: a word's counts in an entry's fields are
/// each normalised by that field's length against the same field elsewhere, weighted, summed and
/// then saturated. FTS5's bm25 sums weighted counts too but normalises by the whole entry's
/// length, so a long text drags down a title that says exactly what was asked. On Stack Exchange
/// duplicate and related links (`knowhow-bench reuse`, README), against FTS5 bm25 of the same
/// words: per-field lengths, lighter title weights (3, 2, 1, 1 rather than 10, 6, 3, 1), an idf
/// that never reaches zero, and stop words left out each add a little; any title weight from 1 to
/// 10 did about as well, so the weights are the plain ones, not fitted.
public struct FieldWeightedBM25: Sendable, Equatable {
    /// Weights of the fields, in the store's column order: title, tags, summary, body.
    public var weights: [Double]
    public var k1: Double
    public var b: Double

    public init(weights: [Double], k1: Double = 1.2, b: Double = 0.75) {
        self.weights = weights; self.k1 = k1; self.b = b
    }

    /// Title and tags count three and two times the text (a title says what an entry is about).
    public static let natural = FieldWeightedBM25(weights: [3, 2, 1, 1])

    /// Robertson–Spärck Jones idf with the customary +1 inside the logarithm, so a word in more
    /// than half the entries still counts a little (FTS5 floors such words to nothing).
    public static func idf(entries n: Int, containing hits: Int) -> Double {
        log(1 + (Double(n) - Double(hits) + 0.5) / (Double(hits) + 0.5))
    }

    /// The score of one entry: `counts[w][f]` is how often asked word `w` occurs in field `f`,
    /// `lengths[f]` the entry's tokens in field `f`, `averages[f]` the store's mean, `idfs[w]` each word's idf.
    public func score(counts: [[Int]], lengths: [Int], averages: [Double], idfs: [Double]) -> Double {
        var total = 0.0
        for (w, byField) in counts.enumerated() where w < idfs.count {
            var tf = 0.0
            for (f, c) in byField.enumerated() where c > 0 && f < weights.count {
                let length = f < lengths.count ? Double(lengths[f]) : 0
                let average = f < averages.count && averages[f] > 0 ? averages[f] : 1
                tf += weights[f] * Double(c) / (1 - b + b * length / average)
            }
            if tf > 0 { total += idfs[w] * tf / (k1 + tf) }
        }
        return total
    }
}
