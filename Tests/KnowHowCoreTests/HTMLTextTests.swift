import Testing
@testable import KnowHowCore

struct HTMLTextTests {
    static let cases: [(html: String, text: String)] = [
        ("", ""),
        ("plain words", "plain words"),
        ("<p>One.</p>", "One."),
        ("<p>One.</p>\n\n<p>Two.</p>\n", "One.\n\nTwo."),
        ("<p>a   b\n\tc</p>", "a b c"),
        ("line<br>next<br/>last", "line\nnext\nlast"),
        ("a<br><br>b", "a\n\nb"),
        ("a <br> b", "a\nb"),
        ("<em>very</em> <strong>much</strong>", "very much"),
        ("<a href=\"https://x.org/?a=1&amp;b=2\" title=\"a > b\">link</a> text", "link text"),
        ("&amp; &lt;tag&gt; &quot;q&quot; &#39;s&#39; &apos;", "& <tag> \"q\" 's' '"),
        ("&#x41;&#66;&#x1F600;", "AB😀"),
        ("caf&eacute; &unknown; AT&T & co", "caf&eacute; &unknown; AT&T & co"),
        ("a&nbsp;b&#160;c", "a b c"),
        ("&mdash; &hellip;", "\u{2014} \u{2026}"),
        ("&#0; &#xD800;", "\u{FFFD} \u{FFFD}"),
        ("<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p>after</p>", "- one\n- two\n\nafter"),
        ("<h1>Title</h1><p>Text</p>", "Title\n\nText"),
        ("<blockquote><p>quoted</p></blockquote>said", "quoted\n\nsaid"),
        ("<p>Code:</p><pre><code>if x {\n    y()\n}\n</code></pre><p>done</p>", "Code:\n\nif x {\n    y()\n}\n\ndone"),
        ("<pre>\n  indented\n\n  two</pre>", "  indented\n\n  two"),
        ("<pre><code>a &lt; b &amp;&amp; c</code></pre>", "a < b && c"),
        ("x <code>f(a)</code> y", "x f(a) y"),
        ("<p><img src=\"https://i.stack.imgur.com/x.png\" alt=\"shot\"></p>", "[image]"),
        ("a <!-- hidden <p> --> b", "a b"),
        ("1 < 2 and 3 > 2", "1 < 2 and 3 > 2"),
        ("x <3 y", "x <3 y"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("<script>alert('<p>')</script>safe", "safe"),
        ("<P>Upper</P><BR>case", "Upper\n\ncase"),
        ("  <p>  padded  </p>  ", "padded"),
        ("<hr>after rule", "after rule"),
        ("Bjørn 東京 \u{00A0}x", "Bjørn 東京 x"),
        ("unclosed <b", "unclosed <b"),
    ]

    @Test(arguments: cases)
    func converts(_ c: (html: String, text: String)) {
        #expect(HTMLText.plainText(c.html) == c.text)
    }

    @Test func realPostBody() {
        let body = "<p>Square brackets and parentheses are used for <em>adjusting the weight</em> of the contained words:</p>\n<ul>\n<li><p>Surrounding words with <code>(parentheses)</code> will <strong>increase</strong> their impact,</p>\n</li>\n<li><p>with <code>[square brackets]</code> will <strong>decrease</strong> it.</p>\n</li>\n</ul>\n"
        #expect(HTMLText.plainText(body) == """
            Square brackets and parentheses are used for adjusting the weight of the contained words:

            - Surrounding words with (parentheses) will increase their impact,

            - with [square brackets] will decrease it.
            """)
    }
}
