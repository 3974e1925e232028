/// Each entry's summed score for a sentence's pool: tens of thousands of additions a search, where
/// a Swift dictionary (hashing each key with a seeded SipHash, checking uniqueness on each write)
/// was most of the summing. Open addressing with linear probing over a table sized once, at least
/// twice the shares added, so that probes stay short; entry keys spread by a multiplicative hash.
/// Shares are added in the order given, so each entry's sum is the same as adding them one by one.
struct ScoreTable {
    private var keys: [Int64]
    private var values: [Double]
    private var used: [Bool]
    /// How many entries have a score.
    private(set) var count = 0

    /// The sums of `shares`, each list added in turn.
    init(summing shares: [[(key: Int64, share: Double)]]) {
        let total = shares.reduce(0) { $0 + $1.count }
        var size = 16
        while size < total * 2 { size <<= 1 }
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: 0, count: size)
        used = Array(repeating: false, count: size)
        let mask = size - 1
        var count = 0
        keys.withUnsafeMutableBufferPointer { keys in
            values.withUnsafeMutableBufferPointer { values in
                used.withUnsafeMutableBufferPointer { used in
                    for list in shares {
                        for (key, share) in list {
                            var i = Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
                            while used[i] && keys[i] != key { i = (i + 1) & mask }
                            if used[i] {
                                values[i] += share
                            } else {
                                used[i] = true; keys[i] = key; values[i] = 0 + share
                                count += 1
                            }
                        }
                    }
                }
            }
        }
        self.count = count
    }

    /// Every entry and its sum, in no particular order.
    func forEach(_ body: (Int64, Double) throws -> Void) rethrows {
        for i in keys.indices where used[i] { try body(keys[i], values[i]) }
    }

    /// An entry's sum, nil when none of the shares was its.
    subscript(key: Int64) -> Double? {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while used[i] {
            if keys[i] == key { return values[i] }
            i = (i + 1) & mask
        }
        return nil
    }
}
