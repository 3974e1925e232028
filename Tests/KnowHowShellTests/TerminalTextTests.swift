import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowShell

/// Issue 11, build 5: what members write is shown, never obeyed by the terminal.
struct TerminalTextTests {
    /// A title exactly as wide as its room lost its last letter to "…" ("mentor meeting pla…").
    @Test func aMarkedTitleThatFitsExactlyIsNotCut() {
        let title = "Early career \(Highlight.open)teacher\(Highlight.close) plan"
        #expect(Layout.truncateMarked(title, 25) == title)
        #expect(Highlight.plain(Layout.truncateMarked(title, 24)) == "Early career teacher pl…")
    }

    @Test(arguments: [
        ("x \u{1B}]0;owned\u{07}\u{1B}[2J", "x ^[]0;owned^G^[[2J"),      // retitle, clear screen
        ("a\rb", "a^Mb"),                                                  // overwrite the line
        ("del\u{7F}", "del^?"),
        ("csi\u{9B}2J", "csi\u{FFFD}2J"),                                 // C1 CSI
        ("evil\u{202E}txt.exe\u{2066}x\u{2069}", "eviltxt.exex"),         // bidi overrides and isolates
        ("line one\n\tline two", "line one\n\tline two"),                  // layout characters stay
        ("café 日本 🙂", "café 日本 🙂"),
    ])
    func controlCharactersAreShownNotObeyed(_ c: (String, String)) {
        #expect(TerminalText.safe(c.0) == c.1)
        #expect(TerminalText.safe(c.0, keepingStyles: true) == c.1)
    }

    @Test func onlyTheStylersOwnColourCodesPass() {
        let s = Styler(enabled: true)
        for styled in [s.bold("a"), s.dim("a"), s.id("a"), s.member("a"), s.tag("a"), s.match("a"), s.good("a"), s.warn("a")] {
            #expect(TerminalText.safe(styled, keepingStyles: true) == styled)
            #expect(TerminalText.safe(styled) == styled.replacingOccurrences(of: "\u{1B}", with: "^["), "no colour asked for: shown")
        }
        // Concealed text, cursor moves and hyperlinks from a member are not the styler's.
        #expect(TerminalText.safe("\u{1B}[8mhidden", keepingStyles: true) == "^[[8mhidden")
        #expect(TerminalText.safe("\u{1B}[1A\u{1B}]8;;http://x\u{1B}\\y", keepingStyles: true) == "^[[1A^[]8;;http://x^[\\y")
    }

    @Test func theConsoleSanitisesEverythingItHandsOut() {
        let c = Console(styler: Styler(enabled: true))
        c.print(c.styler.bold("title \u{1B}[2J"))
        c.error("nothing matches '\u{1B}]0;x\u{07}'")
        let (out, err) = c.drain()
        #expect(out == "\u{1B}[1mtitle ^[[2J\u{1B}[0m\n")
        #expect(err == "nothing matches '^[]0;x^G'\n")
    }

    @Test func widthCountsWhatIsShown() {
        #expect(Layout.width("\u{1B}[2J") == 5, "^[[2J")
        #expect(Layout.width(Styler(enabled: true).bold("abc")) == 3)
        #expect(Layout.width("a\u{202E}b") == 2)
        #expect(Layout.width(TerminalText.safe("x\u{1B}]0;t\u{07}")) == Layout.width("x\u{1B}]0;t\u{07}"))
    }

    @Test func jsonEscapesControlAndBidiCharactersAndKeepsTheText() throws {
        let text = "a\u{1B}[2J\u{07}\u{7F}\u{9B}\u{202E}b"
        let json = JSONText.escapingInvisibles(String(decoding: try JSONEncoder().encode(["t": text]), as: UTF8.self))
        #expect(json.contains("\\u001b[2J\\u0007\\u007f\\u009b\\u202eb"), "\(json)")
        #expect(!json.unicodeScalars.contains(where: TerminalText.needsCare))
        #expect(try JSONDecoder().decode([String: String].self, from: Data(json.utf8))["t"] == text)
    }
}
