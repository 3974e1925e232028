import Foundation
import GRDB
import GRDBSQLite
import KnowHowCore

/// Marks a query's words in an entry's stored text as FTS5's `highlight()` and `snippet()` do,
/// without asking FTS5: those read each term's match list over the whole store (or a temporary
/// index built per query), which was most of a short query's time.
///
/// The text is cut into tokens by the store's own tokenizer (porter over unicode61, diacritics
/// removed), and the query's phrases by the same tokenizer as FTS5 reads a MATCH expression, so
/// a token matches exactly when FTS5's index would have it match: equal stems, a stem that
/// begins with a prefix, a phrase's stems one after another. The instances, their coalescing and
/// the choice of snippet window follow SQLite's fts5_aux.c (3.40): tests compare the results
/// with FTS5's own on many texts and queries.
struct QueryMarker {
    /// One phrase of the MATCH expression: its stems, the last one a prefix when `prefix`.
    struct Phrase {
        var tokens: [[UInt8]]
        var prefix: Bool
    }

    let phrases: [Phrase]
    /// Whether `phrases` are FTS5's phrases one for one: the query excludes nothing and each of its
    /// words has a token (so phrase numbers agree with FTS5's, as BM25F needs).
    let alignedWithFTS5: Bool
    private let tokenizer: any FTS5Tokenizer
    /// Each phrase's first stem end to end, for `counts`: phrase `p` is `wordStems[wordEnds[p]..<wordEnds[p + 1]]`.
    private let wordStems: [UInt8], wordEnds: [Int]
    /// For `counts`, by a stem's first byte: the lengths of the phrases' stems that begin with it,
    /// bit n for length n (bit 63 for 63 or more). Most of a text's tokens differ from every
    /// phrase in their first byte or their length, and one load rules them out (comparing each
    /// with every phrase was a fifth of counting a pasted title's pool).
    private let wordFilter: [UInt64]
    /// For `asciiCounts`, by a word's first byte (lower case): the phrases whose stem a token
    /// beginning with it may stem to, each with how many of the stem's first bytes such a token
    /// begins with (see `asciiCounts`).
    /// Flat, so that a token's look-up copies no array: the candidates of first byte `b` are
    /// `candidatePhrase[candidateStart[b]..<candidateStart[b + 1]]`, with their `candidatePrefix`.
    private let candidateStart: [Int], candidatePhrase: [Int], candidatePrefix: [Int]
    /// For `instances`, by a token's first byte: the lengths a token beginning with it must have
    /// to begin an instance of some phrase (bit n for length n, bit 63 for 63 or more): its first
    /// stem's length, or any length from it up for a one-word prefix. A text's token is looked
    /// at phrase by phrase only when it passes: comparing every token with every phrase made a
    /// pasted title's page (eight words) cost half as much again to mark as a two-word search's.
    /// Empty when a phrase's first stem is empty: then nothing is ruled out.
    private let instanceFilter: [UInt64]

    /// Whether `instances` rules tokens out by `instanceFilter` first; off in tests that compare.
    var instanceFilterOn = true

    /// The positive phrases of `node` (what FTS5 reports instances of in a matching row; an
    /// excluded phrase is never in a row that matched).
    init(_ db: Database, node: QueryNode) throws {
        let tokenizer = try SQLiteKnowledgeStore.indexTokenizer(db)
        var found: [Phrase] = []
        var excludes = false
        func collect(_ n: QueryNode) throws {
            switch n {
            case .term(let w): found.append(Phrase(tokens: try Self.queryTokens(tokenizer, w), prefix: false))
            case .prefix(let w): found.append(Phrase(tokens: try Self.queryTokens(tokenizer, w), prefix: true))
            case .phrase(let ws, let prefix):
                found.append(Phrase(tokens: try Self.queryTokens(tokenizer, ws.joined(separator: " ")), prefix: prefix))
            case .and(let cs), .or(let cs): for c in cs { try collect(c) }
            case .not: excludes = true
            }
        }
        try collect(node)
        self.tokenizer = tokenizer
        self.phrases = found.filter { !$0.tokens.isEmpty }
        alignedWithFTS5 = !excludes && phrases.count == found.count
        var stems: [UInt8] = [], ends = [0]
        for p in phrases { stems += p.tokens[0]; ends.append(stems.count) }
        wordStems = stems; wordEnds = ends
        var filter = [UInt64](repeating: 0, count: 256)
        for p in phrases where !p.tokens[0].isEmpty { filter[Int(p.tokens[0][0])] |= Self.lengthBit(p.tokens[0].count) }
        wordFilter = filter
        var candidates = [[(phrase: Int, prefix: Int)]](repeating: [], count: 256)
        for (p, phrase) in phrases.enumerated() where !phrase.tokens[0].isEmpty {
            let stem = phrase.tokens[0]
            candidates[Int(stem[0])].append((p, Self.sharedPrefix(stem.count)))
        }
        var starts = [0], phrasesByByte: [Int] = [], prefixes: [Int] = []
        for b in 0..<256 {
            for c in candidates[b] { phrasesByByte.append(c.phrase); prefixes.append(c.prefix) }
            starts.append(phrasesByByte.count)
        }
        candidateStart = starts; candidatePhrase = phrasesByByte; candidatePrefix = prefixes
        var lengths = [UInt64](repeating: 0, count: 256)
        for p in phrases {
            let stem = p.tokens[0]
            guard let first = stem.first else { lengths = []; break }
            let bit = Self.lengthBit(stem.count)
            // `bit` and every bit above it: any length from the stem's up.
            lengths[Int(first)] |= p.prefix && p.tokens.count == 1 ? ~(bit - 1) : bit
        }
        instanceFilter = lengths
    }

    /// How many of a stem's first bytes every word that stems to it begins with (lower-cased):
    /// the porter stemmer changes at most a word's last two letters of what it keeps (`biliti` →
    /// `ble`, `ational` → `ate`, `y` → `i`, an `e` added after `at`, `bl`, `iz`), and a stem of two
    /// letters or fewer is kept whole. Tests check it on thousands of English words.
    static func sharedPrefix(_ stemLength: Int) -> Int { min(stemLength, max(2, stemLength - 2)) }

    /// A text cut into tokens as the index cuts it.
    func tokens(_ text: String) -> TokenizedText { TokenizedText(text, tokenizer) }

    /// A stem's length as `wordFilter` holds it.
    static func lengthBit(_ length: Int) -> UInt64 { 1 << UInt64(min(length, 63)) }

    /// Whether every phrase is one whole word (no prefix), as a sentence's words are: then
    /// `counts` can count them while the text is cut, without keeping its tokens.
    var wordsOnly: Bool { phrases.allSatisfy { $0.tokens.count == 1 && !$0.prefix } }

    /// A text's length in tokens and how often each phrase occurs in it, as `instances` would
    /// count them; for `wordsOnly` markers. BM25F needs no more than that, and keeping every
    /// token's stem and offsets (`TokenizedText`) was most of scoring a pasted title's pool.
    func counts(_ text: String) -> (length: Int, counts: [Int]) {
        var counts = [Int](repeating: 0, count: phrases.count)
        let length = self.counts(text, into: &counts)
        return (length, counts)
    }

    /// As `counts(_:)`, into `counts` (one per phrase), returning the length: BM25F counts some
    /// 200 texts for a pasted title, and a new array for each was a cost of its own.
    func counts(_ text: String, into counts: inout [Int]) -> Int {
        var utf8 = text
        return utf8.withUTF8 { bytes in counts.withUnsafeMutableBufferPointer { self.counts(utf8: bytes, into: $0) } }
    }

    /// As `counts(_:into:)`, of a text's UTF-8 bytes.
    func counts(utf8 bytes: UnsafeBufferPointer<UInt8>, into counts: UnsafeMutableBufferPointer<Int>) -> Int {
        precondition(counts.count == phrases.count, "one count per phrase")
        for p in counts.indices { counts[p] = 0 }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        return withWordCount(counts) { context in
            if asciiFastPath, let length = asciiCounts(bytes, context) { return length }
            // Not ASCII after all: what was counted before is counted again.
            context.pointee.length = 0
            for p in counts.indices { counts[p] = 0 }
            let rc = tokenize(base, bytes.count, context)
            // The built-in tokenizers fail only when out of memory: then nothing is counted.
            guard rc == SQLITE_OK else {
                for p in counts.indices { counts[p] = 0 }
                return 0
            }
            return context.pointee.length
        }
    }

    /// `body` with a `WordCount` of this marker's phrases counting into `counts`.
    private func withWordCount<T>(_ counts: UnsafeMutableBufferPointer<Int>, _ body: (UnsafeMutablePointer<WordCount>) -> T) -> T {
        wordStems.withUnsafeBufferPointer { stems in
            wordEnds.withUnsafeBufferPointer { ends in
                wordFilter.withUnsafeBufferPointer { filter in
                    var context = WordCount(stems: stems, ends: ends, filter: filter, counts: counts)
                    return withUnsafeMutablePointer(to: &context) { body($0) }
                }
            }
        }
    }

    /// Cuts `count` bytes at `text` with the index's tokenizer, each token counted by `countWord`.
    private func tokenize(_ text: UnsafePointer<UInt8>, _ count: Int, _ context: UnsafeMutablePointer<WordCount>) -> CInt {
        UnsafeRawPointer(text).withMemoryRebound(to: CChar.self, capacity: count) { p in
            tokenizer.tokenize(context: UnsafeMutableRawPointer(context), tokenization: .document,
                               pText: p, nText: CInt(count), tokenCallback: countWord)
        }
    }

    /// Each byte's part in `asciiCounts`: 1 for ASCII letters and digits (unicode61's token
    /// characters below 0x80), 2 for a byte of a character beyond ASCII, 0 for a separator.
    static let asciiClasses: [UInt8] = (0..<256).map { b in
        b >= 0x80 ? 2 : (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) ? 1 : 0
    }

    /// Whether `counts` may cut ASCII text itself (`asciiCounts`); off in tests that compare.
    var asciiFastPath = true

    /// `counts` of a text that is all ASCII, nil for any other (`counts` then hold a part).
    func asciiCounts(_ bytes: UnsafeBufferPointer<UInt8>, into counts: UnsafeMutableBufferPointer<Int>) -> Int? {
        for p in counts.indices { counts[p] = 0 }
        return withWordCount(counts) { asciiCounts(bytes, $0) }
    }

    /// `counts` of a text that is all ASCII, nil for any other: its tokens are the runs of ASCII
    /// letters and digits (unicode61's token characters below 0x80; everything else there
    /// separates), so its length is their number, and only a run that begins as a phrase's stem
    /// does (`sharedPrefix`, and at least as long less one) is cut by the index's own tokenizer,
    /// which stems it and counts it as any token (`countWord`). Cutting every word with the
    /// tokenizer and stemming it was most of scoring a pasted title's pool; few words of a text
    /// begin like any asked word.
    private func asciiCounts(_ bytes: UnsafeBufferPointer<UInt8>, _ context: UnsafeMutablePointer<WordCount>) -> Int? {
        guard let base = bytes.baseAddress else { return 0 }
        let n = bytes.count
        var i = 0
        let classes = Self.asciiClasses
        while i < n {
            var c = classes[Int(base[i])]
            if c == 0 { i &+= 1; continue }
            if c == 2 { return nil }
            let start = i
            repeat {
                i &+= 1
                guard i < n else { break }
                c = classes[Int(base[i])]
            } while c == 1
            let run = i &- start
            let first = base[start]
            let lowered = Int(first >= 0x41 && first <= 0x5A ? first | 0x20 : first)
            var candidate = false
            for j in candidateStart[lowered]..<candidateStart[lowered + 1] {
                let p = candidatePhrase[j], prefix = candidatePrefix[j]
                // Long enough to hold the shared prefix (read below) and the stem less one.
                guard run >= max(prefix, wordEnds[p + 1] - wordEnds[p] - 1) else { continue }
                var k = 1
                while k < prefix {
                    let c = base[start + k]
                    if (c >= 0x41 && c <= 0x5A ? c | 0x20 : c) != wordStems[wordEnds[p] + k] { break }
                    k += 1
                }
                if k >= prefix { candidate = true; break }
            }
            // A run is one token: counted here, or by the tokenizer's callback with its stem.
            if !candidate { context.pointee.length &+= 1; continue }
            guard tokenize(base + start, run, context) == SQLITE_OK else { return nil }
        }
        return context.pointee.length
    }

    static func queryTokens(_ tokenizer: any FTS5Tokenizer, _ text: String) throws -> [[UInt8]] {
        try tokenizer.tokenize(query: text).map { Array($0.token.utf8) }
    }

    /// The text with every coalesced instance marked, as `highlight(…, char(2), char(3))`.
    func highlight(_ text: String?) -> String? {
        guard let text else { return nil }
        let t = TokenizedText(text, tokenizer)
        return t.marked(instances: instances(t), range: nil)
    }

    /// The best window of `size` tokens with its instances marked and `…` where text is left
    /// out, as `snippet(…, char(2), char(3), '…', size)` on one column.
    func snippet(_ text: String?, size: Int = 14) -> String? {
        guard let text else { return nil }
        let t = TokenizedText(text, tokenizer)
        let found = instances(t)
        let count = t.count
        var bestScore = 0, bestStart = 0
        // The score of the window starting at `start`: 1000 for each phrase's first instance, 1 for
        // each further one; and where the window would be centred on its instances.
        var seen = [Bool](repeating: false, count: phrases.count)
        func score(_ start: Int) -> (score: Int, adjusted: Int) {
            for p in seen.indices { seen[p] = false }
            var total = 0, first = -1, last = 0
            // `found` is in position order: from the first instance in the window to its end.
            var lo = 0, hi = found.count
            while lo < hi { let mid = (lo + hi) / 2; if found[mid].position < start { lo = mid + 1 } else { hi = mid } }
            for i in found[lo...] {
                if i.position >= start + size { break }
                total += seen[i.phrase] ? 1 : 1000
                seen[i.phrase] = true
                if first < 0 { first = i.position }
                last = i.position + i.size
            }
            var adjusted = first - (size - (last - first)) / 2
            if adjusted + size > count { adjusted = count - size }
            return (total, max(adjusted, 0))
        }
        let sentences = t.sentenceStarts()
        for i in found {
            let (s, adjusted) = score(i.position)
            if s > bestScore { bestScore = s; bestStart = adjusted }
            // The start of the instance's sentence, if the window fits and it starts earlier.
            if !sentences.isEmpty, count > size {
                var j = 0
                while j < sentences.count - 1, sentences[j + 1] <= i.position { j += 1 }
                if sentences[j] < i.position {
                    let s = score(sentences[j]).score + (sentences[j] == 0 ? 120 : 100)
                    if s > bestScore { bestScore = s; bestStart = sentences[j] }
                }
            }
        }
        let end = bestStart + size - 1
        var out = bestStart > 0 ? "…" : ""
        out += t.marked(instances: found, range: bestStart...end)
        if end < count - 1 { out += "…" }
        return out
    }

    /// Where each phrase occurs, by token position (then phrase order, as FTS5 lists them).
    func instances(_ t: TokenizedText) -> [Instance] {
        var out: [Instance] = []
        guard !phrases.isEmpty else { return out }
        for position in 0..<t.count {
            if instanceFilterOn, !instanceFilter.isEmpty, !t.token(position, passes: instanceFilter) { continue }
            for (p, phrase) in phrases.enumerated() where position + phrase.tokens.count <= t.count {
                var all = true
                for (k, token) in phrase.tokens.enumerated() {
                    let prefix = phrase.prefix && k == phrase.tokens.count - 1
                    if !t.token(position + k, matches: token, prefix: prefix) { all = false; break }
                }
                if all { out.append(Instance(position: position, phrase: p, size: phrase.tokens.count)) }
            }
        }
        return out
    }

    /// Whether token `i` of `t` may begin an instance (see `instanceFilter`; for tests).
    func passesFilter(_ t: TokenizedText, _ i: Int) -> Bool { instanceFilter.isEmpty || t.token(i, passes: instanceFilter) }

    struct Instance {
        var position: Int
        var phrase: Int
        var size: Int
    }
}

/// A text cut into tokens by an FTS5 tokenizer: each token's stem and its bytes in the text.
struct TokenizedText {
    let text: [UInt8]
    private(set) var stems: [UInt8] = []
    private(set) var stemEnds: [Int] = []
    private(set) var starts: [Int] = []
    private(set) var ends: [Int] = []

    var count: Int { starts.count }

    init(_ string: String, _ tokenizer: any FTS5Tokenizer) {
        text = Array(string.utf8)
        var sink = TokenSink()
        // About one token in six bytes of English: most texts grow no array.
        let expected = text.count / 6 + 4
        sink.stems.reserveCapacity(text.count); sink.stemEnds.reserveCapacity(expected)
        sink.starts.reserveCapacity(expected); sink.ends.reserveCapacity(expected)
        let rc = text.withUnsafeBufferPointer { buffer -> CInt in
            guard let base = buffer.baseAddress else { return SQLITE_OK }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { p in
                withUnsafeMutablePointer(to: &sink) { sink in
                    tokenizer.tokenize(context: UnsafeMutableRawPointer(sink), tokenization: .document,
                                       pText: p, nText: CInt(buffer.count), tokenCallback: collectToken)
                }
            }
        }
        // The built-in tokenizers fail only when out of memory: then nothing is marked.
        if rc == SQLITE_OK {
            stems = sink.stems; stemEnds = sink.stemEnds; starts = sink.starts; ends = sink.ends
        }
    }

    /// Whether token `i` may begin an instance by `filter` (`QueryMarker.instanceFilter`): its
    /// first byte's lengths hold its length. An empty token begins none.
    func token(_ i: Int, passes filter: [UInt64]) -> Bool {
        let from = i == 0 ? 0 : stemEnds[i - 1], to = stemEnds[i]
        guard to > from else { return false }
        return filter[Int(stems[from])] & QueryMarker.lengthBit(to - from) != 0
    }

    func token(_ i: Int, matches stem: [UInt8], prefix: Bool) -> Bool {
        let from = i == 0 ? 0 : stemEnds[i - 1], to = stemEnds[i]
        let length = to - from
        if prefix ? length < stem.count : length != stem.count { return false }
        for k in 0..<stem.count where stems[from + k] != stem[k] { return false }
        return true
    }

    /// Tokens that begin a sentence: the first, and each after a `.` or `:` and white space.
    func sentenceStarts() -> [Int] {
        var out: [Int] = []
        for i in 0..<count {
            if i == 0 { out.append(0); continue }
            var j = starts[i] - 1
            var c: UInt8 = 0
            while j >= 0 {
                c = text[j]
                if c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D { break }
                j -= 1
            }
            if j != starts[i] - 1, c == UInt8(ascii: ".") || c == UInt8(ascii: ":") { out.append(i) }
        }
        return out
    }

    /// The text (the tokens of `range` only, when given) with coalesced instances between
    /// Highlight.open and Highlight.close; an instance cut by the range is marked up to its edge.
    func marked(instances: [QueryMarker.Instance], range: ClosedRange<Int>?) -> String {
        // Coalesced: overlapping instances are one mark.
        var spans: [(start: Int, end: Int)] = []
        for i in instances {
            let end = i.position + i.size - 1
            if let last = spans.last, i.position <= last.end {
                spans[spans.count - 1].end = max(last.end, end)
            } else {
                spans.append((i.position, end))
            }
        }
        // A window starts at the first mark that begins inside it.
        if let range { spans.removeAll { $0.start < range.lowerBound } }
        let open = Array(String(Highlight.open).utf8), close = Array(String(Highlight.close).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 8)
        var offset = 0, next = 0
        for position in 0..<count {
            if let range {
                if !range.contains(position) { continue }
                if range.lowerBound > 0, position == range.lowerBound { offset = starts[position] }
            }
            let span = next < spans.count ? spans[next] : (start: -1, end: -1)
            if position == span.start {
                out += text[offset..<starts[position]]; out += open
                offset = starts[position]
            }
            if position == span.end {
                if let range, span.start < range.lowerBound { out += open }
                out += text[offset..<ends[position]]; out += close
                offset = ends[position]
                next += 1
            }
            if let range, position == range.upperBound {
                out += text[offset..<ends[position]]
                offset = ends[position]
                let current = next < spans.count ? spans[next] : (start: -1, end: -1)
                if position >= current.start && position < current.end { out += close }
            }
        }
        if range == nil || range!.upperBound >= count - 1 { out += text[offset...] }
        return String(decoding: out, as: UTF8.self)
    }
}

/// What `QueryMarker.counts` counts while a text is cut: the phrases' stems end to end (phrase
/// `p` is `stems[ends[p]..<ends[p + 1]]`), a count for each, and the tokens seen.
private struct WordCount {
    var stems: UnsafeBufferPointer<UInt8>
    var ends: UnsafeBufferPointer<Int>
    /// `QueryMarker.wordFilter`.
    var filter: UnsafeBufferPointer<UInt64>
    var counts: UnsafeMutableBufferPointer<Int>
    var length = 0
}

private let countWord: FTS5TokenCallback = { context, flags, token, length, _, _ in
    guard let context else { return SQLITE_ERROR }
    if flags & FTS5_TOKEN_COLOCATED != 0 { return SQLITE_OK }
    let c = context.assumingMemoryBound(to: WordCount.self)
    c.pointee.length += 1
    guard let token, length > 0, let stems = c.pointee.stems.baseAddress else { return SQLITE_OK }
    let n = Int(length), ends = c.pointee.ends
    let first = Int(UInt8(bitPattern: token[0]))
    if c.pointee.filter[first] & QueryMarker.lengthBit(n) == 0 { return SQLITE_OK }
    for p in 0..<(ends.count - 1) where ends[p + 1] - ends[p] == n && memcmp(token, stems + ends[p], n) == 0 {
        c.pointee.counts[p] += 1
    }
    return SQLITE_OK
}

/// Collects a tokenizer's tokens (its callback is a C function, so they travel through a pointer):
/// a struct's arrays, where a class's were checked for exclusive access at each of four appends
/// a token.
private struct TokenSink {
    var stems: [UInt8] = []
    var stemEnds: [Int] = []
    var starts: [Int] = []
    var ends: [Int] = []
}

private let collectToken: FTS5TokenCallback = { context, flags, token, length, start, end in
    guard let context else { return SQLITE_ERROR }
    if flags & FTS5_TOKEN_COLOCATED != 0 { return SQLITE_OK }
    let sink = context.assumingMemoryBound(to: TokenSink.self)
    if let token, length > 0 {
        token.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            sink.pointee.stems.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }
    sink.pointee.stemEnds.append(sink.pointee.stems.count)
    sink.pointee.starts.append(Int(start)); sink.pointee.ends.append(Int(end))
    return SQLITE_OK
}
