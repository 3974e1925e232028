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
        var merged: [Share] = []
        for list in lists where !list.isEmpty {
            if sums.isEmpty { sums = list.map { ($0.key, 0 + $0.share) }; continue }
            merged.removeAll(keepingCapacity: true)
            merged.reserveCapacity(sums.count + list.count)
            sums.withUnsafeBufferPointer { a in
                list.withUnsafeBufferPointer { b in
                    var i = 0, j = 0
                    while i < a.count && j < b.count {
                        let x = a[i], y = b[j]
                        if x.key < y.key { merged.append(x); i += 1 }
                        else if y.key < x.key { merged.append((y.key, 0 + y.share)); j += 1 }
                        else { merged.append((x.key, x.share + y.share)); i += 1; j += 1 }
                    }
                    while i < a.count { merged.append(a[i]); i += 1 }
                    while j < b.count { merged.append((b[j].key, 0 + b[j].share)); j += 1 }
                }
            }
            swap(&sums, &merged)
        }
        for s in sums { body(s.key, s.share) }
    }
}
