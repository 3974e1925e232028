import Testing
@testable import KnowHowShell

/// Issue 12, item 9: `show` drew markdown marks raw (`**bold**`, `[text](url)`).
struct MarkdownTextTests {
    @Test(arguments: [
        ("**Day 1**: meet the team", "Day 1: meet the team"),
        ("see [the guide](https://x.org/g) first", "see the guide <https://x.org/g> first"),
        ("## Before the visit", "Before the visit"),
        ("* one\n  * two", "- one\n  - two"),
        ("- stays", "- stays"),
        ("a ** b", "a ** b"),                       // an unpaired mark is text
        ("#hashtag and 5 * 3", "#hashtag and 5 * 3"),
        ("__x__ and **y** and **z", "x and y and **z"),
    ])
    func markdownIsDrawnForTheTerminal(_ c: (String, String)) {
        #expect(MarkdownText.terminal(c.0, Styler(enabled: false)) == c.1)
    }

    @Test func boldAndHeadingsAreBoldWithColour() {
        let s = Styler(enabled: true)
        #expect(MarkdownText.terminal("**Day 1**: go", s) == s.bold("Day 1") + ": go")
        #expect(MarkdownText.terminal("# Title", s) == s.bold("Title"))
    }
}
