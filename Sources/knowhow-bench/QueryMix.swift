import KnowHowCore

/// One query of the benchmark's fixed mix.
struct BenchQuery: Codable, Sendable {
    var category: String
    var text: String
}

/// The fixed, seeded mix of queries: what people type, from the frequent words that match most
/// of the store to rare ones, with phrases, prefixes and filters.
enum QueryMix {
    /// Category, share of the mix, in the order the report lists them.
    static let categories: [(name: String, share: Int)] = [
        ("common word", 60), ("mid word", 60), ("rare word", 50), ("two words", 75), ("three words", 50),
        ("phrase", 50), ("prefix abc*", 40), ("prefix ab*", 10), ("word tag:X", 30), ("word type:X", 30),
        ("tag:X only", 15), ("a OR b", 15), ("a -b", 15),
    ]

    /// With a heavy-head vocabulary, also queries made only of words in over half the entries.
    static let commonOnlyCategories: [(name: String, share: Int)] = [
        ("common AND of 2", 20), ("common AND of 3", 15), ("common phrase of 2", 15),
    ]

    /// The categories of a generator's mix, in report order.
    static func categories(_ g: CommunityGenerator) -> [(name: String, share: Int)] {
        g.vocab.kind == .heavyHead ? categories + commonOnlyCategories : categories
    }

    /// How many of the most frequent words the only-common classes draw from: in a heavy-head
    /// vocabulary each is in more than half of all entries.
    static let headWords = 10

    static func make(_ g: CommunityGenerator, count: Int) -> [BenchQuery] {
        var r = g.rng(.query, 0)
        let mix = categories(g)
        let total = mix.reduce(0) { $0 + $1.share }
        var out: [BenchQuery] = []
        for (name, share) in mix {
            let n = max(1, (share * count + total / 2) / total)
            for _ in 0..<n { out.append(BenchQuery(category: name, text: make(name, g, &r))) }
        }
        // A seeded shuffle, so the categories interleave as real traffic would.
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, r.below(i + 1)) }
        return Array(out.prefix(count))
    }

    static let whoCategories = ["common word", "mid word", "rare word", "two words", "three words", "phrase", "tag name"]

    /// Topics for `who`: the first plain-word queries of each kind in the mix, plus tag names as
    /// people say them.
    static func whoTopics(_ g: CommunityGenerator, _ queries: [BenchQuery], perCategory: Int = 20) -> [BenchQuery] {
        var r = g.rng(.query, 1)
        var out: [BenchQuery] = []
        for c in whoCategories.dropLast() { out += queries.filter { $0.category == c }.prefix(perCategory) }
        for _ in 0..<perCategory {
            let tag = g.tagNames[g.tagZipf.sample(&r)]
            out.append(BenchQuery(category: "tag name", text: tag.replacingOccurrences(of: "-", with: " ")))
        }
        return out
    }

    /// Words of a real entry, so multi-word queries usually match something.
    static func entryWords(_ g: CommunityGenerator, _ r: inout SplitMix64) -> [String] {
        let text: String
        switch r.below(4) {
        case 0: let x = g.resource(r.below(max(g.resourceCount, 1))); text = x.title + " " + (x.body ?? "")
        case 1: let x = g.practice(r.below(max(g.practiceCount, 1))); text = x.title + " " + (x.practice ?? "")
        case 2: let x = g.question(r.below(g.questionCount)); text = x.title + " " + (x.body ?? "")
        default: text = g.answer(r.below(max(g.answerCount, 1))).body
        }
        return WordSplitter.words(text).map { $0.lowercased() }
    }

    static func contentWords(_ g: CommunityGenerator, _ r: inout SplitMix64, _ n: Int) -> [String] {
        // Half the time from one entry (they co-occur), half independent words.
        if r.chance(0.5) {
            let common = Set(g.vocab.words.prefix(40))
            let ws = entryWords(g, &r).filter { !common.contains($0) }
            if ws.count >= n {
                var picked: [String] = []
                while picked.count < n { let w = r.pick(ws); if !picked.contains(w) { picked.append(w) } }
                return picked
            }
        }
        var picked: [String] = []
        while picked.count < n { let w = g.vocab.word(&r, ranks: 20..<g.vocab.count); if !picked.contains(w) { picked.append(w) } }
        return picked
    }

    static func make(_ category: String, _ g: CommunityGenerator, _ r: inout SplitMix64) -> String {
        let v = g.vocab
        switch category {
        case "common word": return v.words[r.below(Vocabulary.realCount)]
        case "mid word": return v.word(&r, ranks: Vocabulary.realCount..<3_000)
        case "rare word": return v.word(&r, ranks: 3_000..<v.count)
        case "two words": return contentWords(g, &r, 2).joined(separator: " ")
        case "three words": return contentWords(g, &r, 3).joined(separator: " ")
        case "phrase":
            let ws = entryWords(g, &r)
            let n = r.chance(0.6) ? 2 : 3
            let start = r.below(max(ws.count - n, 1))
            return "\"" + ws[start..<min(start + n, ws.count)].joined(separator: " ") + "\""
        case "prefix abc*":
            var w = ""
            while w.count < 5 { w = v.word(&r, ranks: 40..<5_000) }
            return String(w.prefix(r.int(3...5))) + "*"
        case "prefix ab*":
            var w = ""
            while w.count < 3 { w = v.word(&r, ranks: 40..<5_000) }
            return String(w.prefix(2)) + "*"
        case "word tag:X":
            return v.word(&r, ranks: 20..<3_000) + " tag:" + g.tagNames[g.tagZipf.sample(&r)]
        case "word type:X":
            let type = r.pick(["practice", "question", "resource", "answer", "member"])
            return v.word(&r, ranks: 20..<3_000) + " type:" + type
        case "tag:X only": return "tag:" + g.tagNames[g.tagZipf.sample(&r)]
        case "a OR b":
            let ws = contentWords(g, &r, 2)
            return ws[0] + " OR " + ws[1]
        case "common AND of 2", "common AND of 3", "common phrase of 2":
            let n = category == "common AND of 3" ? 3 : 2
            var picked: [String] = []
            while picked.count < n { let w = v.words[r.below(headWords)]; if !picked.contains(w) { picked.append(w) } }
            let text = picked.joined(separator: " ")
            return category.hasPrefix("common phrase") ? "\"" + text + "\"" : text
        case "a -b":
            return v.word(&r, ranks: 20..<1_000) + " -" + v.word(&r, ranks: 20..<1_000)
        default:
            fatalError("unknown query category \(category)")
        }
    }
}
