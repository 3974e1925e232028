import Testing
@testable import KnowHowCore

/// Marks are cut out byte by byte: the same texts and runs as walking the text character by
/// character, whatever sits beside a mark (accents that combine, emoji, other controls).
@Suite struct HighlightTests {
    static func plainByCharacter(_ s: String) -> String { s.filter { $0 != Highlight.open && $0 != Highlight.close } }
    static func segmentsByCharacter(_ s: String) -> [(text: String, match: Bool)] {
        var out: [(String, Bool)] = []
        var cur = "", inMatch = false
        for ch in s {
            if ch == Highlight.open || ch == Highlight.close {
                if !cur.isEmpty { out.append((cur, inMatch)) }
                cur = ""; inMatch = (ch == Highlight.open)
            } else { cur.append(ch) }
        }
        if !cur.isEmpty { out.append((cur, inMatch)) }
        return out
    }

    @Test(arguments: [1, 2, 3])
    func marksAreCutAsCharacterByCharacter(_ seed: UInt64) {
        var rng = seed
        func next(_ n: Int) -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int((rng >> 33) % UInt64(n))
        }
        let pieces = ["\u{02}", "\u{03}", "e", "\u{301}", "é", "👩🏽‍💻", " ", "word", "\u{01}", "\u{04}", "\r\n", "ß", "\u{200D}", "x\u{02}"]
        for _ in 0..<500 {
            let s = (0..<next(12)).map { _ in pieces[next(pieces.count)] }.joined()
            #expect(Highlight.plain(s) == Self.plainByCharacter(s), "\(s.debugDescription)")
            let a = Highlight.segments(s), b = Self.segmentsByCharacter(s)
            #expect(a.map(\.text) == b.map(\.text) && a.map(\.match) == b.map(\.match), "\(s.debugDescription)")
        }
        #expect(Highlight.plain("no marks") == "no marks")
        #expect(Highlight.segments("a \u{02}b\u{03} c").map(\.text) == ["a ", "b", " c"])
    }
}
