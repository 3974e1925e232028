import Foundation
import Testing
@testable import KnowHowShell

/// Inputs the fuzzers (Sources/knowhow-fuzz, .ci/fuzz) found, each kept as a case of the
/// invariant it broke.
struct FuzzRegressionTests {
    /// `QueryWords` marks `-word` with U+E000 to get it past the argument parser; a word typed
    /// with that character (or the escape, U+E001) in front came back as `-word`.
    @Test(arguments: [
        ["\u{E000}x"], ["\u{E001}x"], ["\u{E000}"], ["-\u{E000}x"], ["\u{E001}\u{E000}-x", "-y"],
        ["-x", "\u{E000}x", "x"], ["--json", "-n", "-draft", "\u{E001}"],
    ])
    func queryWordsGiveBackWordsThatStartWithTheMark(_ words: [String]) {
        #expect(QueryWords.text(QueryWords.protect(words)) == words.joined(separator: " "))
    }
}
