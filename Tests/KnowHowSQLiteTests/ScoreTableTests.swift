import Testing
@testable import KnowHowSQLite

/// The pool's score table sums as a dictionary does, whatever the keys (0, negative, colliding).
@Suite struct ScoreTableTests {
    @Test(arguments: [1, 2, 3])
    func sumsEqualADictionarysAddedInTheSameOrder(_ seed: UInt64) {
        var rng = seed
        func next(_ n: Int) -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int((rng >> 33) % UInt64(n))
        }
        // Keys from a narrow range repeat across lists; a few are 0 or negative; shares vary in size.
        var shares: [[(key: Int64, share: Double)]] = []
        for _ in 0..<(3 + next(5)) {
            shares.append((0..<next(3_000)).map { _ in (Int64(next(5_000)) - 20, Double(next(1_000_000)) / 7_919) })
        }
        shares.append([(0, 1.5), (-7, 2.25), (0, 0.125)])
        var expected: [Int64: Double] = [:]
        for list in shares { for (k, v) in list { expected[k, default: 0] += v } }
        let table = ScoreTable(summing: shares)
        #expect(table.count == expected.count)
        var seen: [Int64: Double] = [:]
        table.forEach { k, v in seen[k] = v }
        #expect(seen == expected)
        for (k, v) in expected { #expect(table[k] == v) }
        #expect(table[Int64.max] == nil)
        #expect(ScoreTable(summing: []).count == 0)
    }
}
