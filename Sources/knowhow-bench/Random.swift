/// SplitMix64: small, fast and the same on every platform, so a seed always gives the same
/// community (`SystemRandomNumberGenerator` is never used here).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A generator for one item of a stream, independent of the order items are made in, so the
    /// generator can make entry 12,345 without making the ones before it.
    init(seed: UInt64, stream: UInt64, index: UInt64) {
        var s = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
        s.state ^= stream &* 0x9E37_79B9_7F4A_7C15
        _ = s.next()
        s.state ^= index &* 0xD6E8_FEB8_6659_FD93
        _ = s.next()
        state = s.next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n (multiply-high; the tiny bias does not matter here).
    mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(UInt64(n).multipliedFullWidth(by: next()).high)
    }

    /// Uniform in a closed range.
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + below(r.count) }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Zipf's law over ranks 0..<n: rank r is drawn with weight 1 / (r + 1)^s.
struct Zipf: Sendable {
    let cumulative: [Double]

    init(count n: Int, exponent s: Double = 1.0) {
        precondition(n > 0)
        var c = [Double](repeating: 0, count: n)
        var sum = 0.0
        for r in 0..<n {
            sum += 1.0 / pow(Double(r + 1), s)
            c[r] = sum
        }
        cumulative = c.map { $0 / sum }
    }

    var count: Int { cumulative.count }

    func sample(_ rng: inout SplitMix64) -> Int {
        let u = rng.unit()
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// A rank drawn from the distribution restricted to `range` (rejection; keep ranges wide).
    func sample(_ rng: inout SplitMix64, in range: Range<Int>) -> Int {
        let lo = range.lowerBound == 0 ? 0.0 : cumulative[range.lowerBound - 1]
        let hi = cumulative[range.upperBound - 1]
        let u = lo + rng.unit() * (hi - lo)
        var a = range.lowerBound, b = range.upperBound - 1
        while a < b {
            let mid = (a + b) / 2
            if cumulative[mid] < u { a = mid + 1 } else { b = mid }
        }
        return a
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
