import Testing
@testable import KnowHowSQLite

/// A sentence pool's sums, made as its words' lists merge in entry order, equal a dictionary's
/// sums of the same shares added list by list, bit for bit, and come in entry order.
@Suite struct SortedSharesTests {
    @Test(arguments: [1, 2, 3, 4])
    func mergedSumsEqualADictionarysAddedListByList(_ seed: UInt64) {
        var rng = seed
        func next(_ n: Int) -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int((rng >> 33) % UInt64(n))
        }
        // Keys from a narrow range repeat across lists (never within one); some are 0 or negative;
        // a list may be empty; shares of very different sizes make the order of adding matter.
        var lists: [[SortedShares.Share]] = []
        for _ in 0..<(1 + next(12)) {
            let keys = Set((0..<next(3_000)).map { _ in Int64(next(5_000)) - 20 }).sorted()
            lists.append(keys.map { ($0, Double(next(1_000_000)) / 7_919 * pow10(next(12) - 6)) })
        }
        lists.append([])
        lists.append([(-7, 2.25), (0, 1.5), (Int64.max, 0.125)])
        var expected: [Int64: Double] = [:]
        for list in lists { for (k, v) in list { expected[k, default: 0] += v } }
        var merged: [(Int64, Double)] = []
        SortedShares.sums(lists) { merged.append(($0, $1)) }
        #expect(merged.count == expected.count)
        #expect(zip(merged, merged.dropFirst()).allSatisfy { $0.0 < $1.0 })
        for (k, v) in merged { #expect(expected[k] == v, "\(k)") }
        var none = 0
        SortedShares.sums([]) { _, _ in none += 1 }
        SortedShares.sums([[], []]) { _, _ in none += 1 }
        #expect(none == 0)
    }

    func pow10(_ e: Int) -> Double { e >= 0 ? (0..<e).reduce(1) { a, _ in a * 10 } : 1 / pow10(-e) }
}
