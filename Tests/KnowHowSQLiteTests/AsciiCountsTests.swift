import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// BM25F's counts of an ASCII text, cut by `asciiCounts` (runs of letters and digits, only a run
/// that begins like an asked stem stemmed), equal the index tokenizer's, word for word: English
/// roots with the suffixes the porter stemmer rewrites, capitals, digits, one- and two-letter
/// words, words longer than the stemmer takes, and every ASCII separator.
@Suite struct AsciiCountsTests {
    static let roots = ["relat", "condit", "sens", "hop", "troubl", "conflat", "control", "happ", "organ", "log", "valen",
                        "generat", "formal", "electr", "adjust", "depend", "rat", "sky", "agree", "feed", "bleed", "plaster",
                        "siz", "fil", "fail", "tann", "fall", "hiss", "fizz", "ceas", "dy", "ly", "ti", "di", "ai", "go", "new",
                        "abil", "sensibil", "probab", "digit", "analy", "optim", "effect", "activ", "decis", "revi",
                        "tradition", "ration", "nation", "operat", "communic", "hesit", "product", "allot", "radic", "hope",
                        "cop", "car", "bus", "ga", "a", "i", "x", "7", "2024", "c", "net"]
    static let suffixes = ["", "", "s", "es", "ies", "ed", "ing", "ly", "ation", "ational", "ization", "izer", "ize", "ility",
                           "ible", "able", "ably", "ness", "ful", "fulness", "ousness", "iveness", "ive", "ity", "ical",
                           "ically", "ate", "ator", "alism", "ence", "ency", "ance", "ancy", "ent", "ently", "er", "est",
                           "ment", "ments", "y", "ied", "ying", "eed", "eeds", "ion", "ions", "al", "ally", "ism", "ist",
                           "biliti", "aliti", "iviti", "ousli", "entli", "eli", "alli", "abli", "enci", "anci", "logi", "e", "ee"]
    static let separators = (0x20..<0x7F).map { String(UnicodeScalar(UInt8($0))) }.filter { !$0.first!.isLetter && !$0.first!.isNumber }
        + ["\n", "\t", "\r\n", "  "]

    struct Seeded {
        var state: UInt64
        mutating func below(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static func word(_ r: inout Seeded) -> String {
        var w = roots[r.below(roots.count)] + suffixes[r.below(suffixes.count)]
        switch r.below(10) {
        case 0: w = w.uppercased()
        case 1: w = w.prefix(1).uppercased() + w.dropFirst()
        case 2: w += String(r.below(100))
        case 3 where r.below(4) == 0: w = String(repeating: w, count: 70 / max(w.count, 1) + 1)
        default: break
        }
        return w
    }

    @Test(arguments: [1, 2, 3, 4])
    func asciiTextIsCountedAsTheIndexTokenizerCountsIt(_ seed: UInt64) throws {
        let s = try SQLiteKnowledgeStore()
        var r = Seeded(state: seed)
        var compared = 0, counted = 0
        try s.writer.read { db in
            for _ in 0..<60 {
                let asked = (0..<(2 + r.below(7))).map { _ in Self.word(&r) }
                var marker = try QueryMarker(db, node: .or(asked.map { .term($0) }))
                guard marker.wordsOnly else { continue }
                for _ in 0..<40 {
                    let text = (0..<r.below(60)).map { _ in
                        Self.word(&r) + Self.separators[r.below(Self.separators.count)]
                    }.joined()
                    marker.asciiFastPath = true
                    let fast = marker.counts(text)
                    marker.asciiFastPath = false
                    let slow = marker.counts(text)
                    #expect(fast.length == slow.length && fast.counts == slow.counts, "\(asked) in \(text.debugDescription)")
                    compared += 1
                    counted += slow.counts.reduce(0, +)
                }
            }
        }
        #expect(compared > 1_000 && counted > 500, "\(compared) texts, \(counted) words counted")
    }

    /// Text with anything beyond ASCII is cut by the tokenizer (its separators and letters differ).
    @Test func textBeyondASCIIGoesToTheTokenizer() throws {
        let s = try SQLiteKnowledgeStore()
        try s.writer.read { db in
            let marker = try QueryMarker(db, node: .or([.term("cafe"), .term("naive")]))
            let bytes = Array("Café naïve cafe".utf8)
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
            defer { counts.deallocate() }
            #expect(bytes.withUnsafeBufferPointer { marker.asciiCounts($0, into: counts) } == nil)
            #expect(marker.counts("Café naïve cafe").counts == [2, 1])
            #expect(marker.counts("Cafe, naive: CAFES").counts == [2, 1])
            // Found beyond ASCII only after some words were counted: each is counted once.
            #expect(marker.counts("cafe naive cafe naïve").counts == [2, 2])
            #expect(marker.counts("cafe naive cafeé").length == 3)
        }
    }

    /// A text that ends in a word shorter than an asked stem's shared prefix (`a` beside `ai`)
    /// is read no further than its end: the prefix is compared only where the word holds it.
    @Test func aShortWordAtTheEndIsReadNoFurtherThanTheText() throws {
        let s = try SQLiteKnowledgeStore()
        try s.writer.read { db in
            let marker = try QueryMarker(db, node: .or([.term("ai"), .term("go")]))
            // A buffer whose next byte would extend the last word into the asked stem.
            let bytes: [UInt8] = Array("learning a".utf8) + Array("i".utf8)
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
            defer { counts.deallocate() }
            counts.initialize(repeating: 0)
            let length = bytes.withUnsafeBufferPointer { all in
                marker.asciiCounts(UnsafeBufferPointer(rebasing: all[0..<(all.count - 1)]), into: counts)
            }
            #expect(length == 2)
            #expect(Array(counts) == [0, 0])
            #expect(marker.counts("ai a go g").counts == [1, 1])
        }
    }
}
