/// Each entry's summed score for a sentence's pool: a few thousand shares a search, one list per
/// word, each list in entry order (FTS5 walks a word's matches by rowid; a ranked list is keyed by
/// term and entry). The lists are merged in entry order, so no table of sums is kept: a Swift
/// dictionary (a seeded SipHash of each key, a uniqueness check on each write) was most of the
/// summing. An entry's shares are added in the lists' order, as adding them list by list would.
enum SortedShares {
    typealias Share = (key: Int64, share: Double)

    /// Calls `body` with each entry holding a share and the sum of its shares, in entry order.
    /// Each list must be in ascending key order, each key at most once in a list.
    static func sums(_ lists: [[Share]], _ body: (Int64, Double) -> Void) {
        // A binary heap of the lists' next shares, by key and then by list (ties in list order).
        var heap: [(key: Int64, list: Int)] = []
        heap.reserveCapacity(lists.count)
        var next = [Int](repeating: 0, count: lists.count)
        func less(_ a: (key: Int64, list: Int), _ b: (key: Int64, list: Int)) -> Bool {
            a.key != b.key ? a.key < b.key : a.list < b.list
        }
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, less(heap[l], heap[m]) { m = l }
                if r < heap.count, less(heap[r], heap[m]) { m = r }
                if m == i { return }
                heap.swapAt(i, m); i = m
            }
        }
        func siftUp(_ start: Int) {
            var i = start
            while i > 0 {
                let p = (i - 1) / 2
                if !less(heap[i], heap[p]) { return }
                heap.swapAt(i, p); i = p
            }
        }
        for (i, list) in lists.enumerated() where !list.isEmpty {
            heap.append((list[0].key, i)); siftUp(heap.count - 1)
        }
        var current: Int64 = 0, sum = 0.0, open = false
        while let top = heap.first {
            let list = top.list, share = lists[list][next[list]]
            if open, share.key != current { body(current, sum); open = false }
            if !open { current = share.key; sum = 0; open = true }
            sum += share.share
            next[list] += 1
            if next[list] < lists[list].count {
                heap[0] = (lists[list][next[list]].key, list)
            } else {
                heap[0] = heap[heap.count - 1]; heap.removeLast()
            }
            if !heap.isEmpty { siftDown(0) }
        }
        if open { body(current, sum) }
    }
}
