/// Each entry's summed score for a sentence's pool: a few thousand shares a search, one list per
/// word, each list in entry order (FTS5 walks a word's matches by rowid; a ranked list is keyed by
/// term and entry). The lists are merged in entry order, so no table of sums is kept: a Swift
/// dictionary (a seeded SipHash of each key, a uniqueness check on each write) was most of the
/// summing. An entry's shares are added in the lists' order, as adding them list by list would.
enum SortedShares {
    typealias Share = (key: Int64, share: Double)

    /// Calls `body` with each entry holding a share and the sum of its shares, in entry order.
    /// Each list must be in ascending key order, each key at most once in a list. The lists are
    /// merged one after another into a running list of sums (an entry's sum so far, then the
    /// next list's share: the order of adding them one by one).
    static func sums(_ lists: [[Share]], _ body: (Int64, Double) -> Void) {
        var sums: [Share] = []
        for list in lists where !list.isEmpty {
            if sums.isEmpty { sums = list.map { ($0.key, 0 + $0.share) }; continue }
            sums = sums.withUnsafeBufferPointer { a in
                list.withUnsafeBufferPointer { b in
                    [Share](unsafeUninitializedCapacity: a.count + b.count) { out, n in
                        var i = 0, j = 0, k = 0
                        while i < a.count && j < b.count {
                            let x = a[i], y = b[j]
                            if x.key < y.key { out[k] = x; i += 1 }
                            else if y.key < x.key { out[k] = (y.key, 0 + y.share); j += 1 }
                            else { out[k] = (x.key, x.share + y.share); i += 1; j += 1 }
                            k += 1
                        }
                        while i < a.count { out[k] = a[i]; i += 1; k += 1 }
                        while j < b.count { out[k] = (b[j].key, 0 + b[j].share); j += 1; k += 1 }
                        n = k
                    }
                }
            }
        }
        for s in sums { body(s.key, s.share) }
    }
}
