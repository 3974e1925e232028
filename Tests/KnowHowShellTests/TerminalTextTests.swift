import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowShell

/// Issue 11, build 5: what members write is shown, never obeyed by the terminal.
struct TerminalTextTests {
    /// In the shell, one-line messages wider than the terminal ("added p47: …", "Merging tag … moves
    /// 3 entries …", `init`'s) were broken mid-word by the terminal: they break between words now,
    /// under their own indentation; table gaps and a long address are left alone.
    @Test func linesTooWideForTheTerminalBreakBetweenWords() {
        let message = "the store at /home/sam/.local/share/knowhow/knowhow.db already exists (0 members, 0 entries); nothing was changed"
        let fitted = Layout.fit(message, width: 80).components(separatedBy: "\n")
        #expect(fitted == ["the store at /home/sam/.local/share/knowhow/knowhow.db already exists (0", "members, 0 entries); nothing was changed"])
        let indented = "    " + String(repeating: "word ", count: 30)
        #expect(Layout.fit(indented, width: 40).components(separatedBy: "\n").allSatisfy { $0.hasPrefix("    word") && Layout.width($0) <= 40 })
        let url = "url          https://example.org/" + String(repeating: "a", count: 70)
        #expect(Layout.fit(url, width: 80) == url)
        // Colour codes take no room: the break comes at the 80th visible column.
        let coloured = "\u{1B}[1m" + String(repeating: "x", count: 60) + "\u{1B}[0m" + " tail words"
        #expect(Layout.fit(coloured, width: 80) == coloured)
        #expect(Layout.fit(coloured + " and more words here", width: 80).hasSuffix(" tail words and more\nwords here"))
    }

    /// An entry's body is written a paragraph a line (whole into a pipe, for scripts); on a
    /// terminal it is wrapped between words at the terminal's width under its own indentation,
    /// as lists and titles are, never mid-word.
    @Test func proseIsWholeInAPipeAndWrappedBetweenWordsOnATerminal() throws {
        let session = try CurationSession(CurationSession.demo, as: nil)
        let paragraph = "  Team leaders on Priya's facilitation course said their team meetings felt like their meeting, not the team's. "
            + "Team members had no practice at facilitating, so when the leader was away the meeting was cancelled."
        _ = session.shell.runLine("show p42")
        let out = session.ctx.console.drain().out
        let lines = out.components(separatedBy: "\n")
        #expect(lines.contains(paragraph), "the paragraph is one line:\n\(out)")
        let fitted = Layout.fit(out, width: 80).components(separatedBy: "\n")
        #expect(!fitted.contains(paragraph))
        let start = try #require(fitted.firstIndex { $0.hasPrefix("  Team leaders on Priya's") })
        let wrapped = Array(fitted[start..<start + 3])
        #expect(wrapped.allSatisfy { $0.hasPrefix("  ") && Layout.width($0) <= 80 }, "\(wrapped)")
        let words = { (s: String) in s.split(separator: " ").map(String.init) }
        #expect(wrapped.flatMap(words) == words(paragraph), "\(wrapped)")
        // A screen of rows: each long line takes the rows the terminal wraps it into.
        #expect(Layout.rows("short\n" + paragraph + "\n", width: 80) == 1 + (Layout.width(paragraph) + 79) / 80)
    }

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
