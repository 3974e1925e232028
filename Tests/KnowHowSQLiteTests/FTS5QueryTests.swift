import Foundation
import Testing
import KnowHowCore
import KnowHowSQLite

/// What a person types, parsed and rendered for FTS5 MATCH: every word quoted, so no user text
/// is ever read as FTS5 syntax. One case a line, input → the exact MATCH string.
struct FTS5QueryTests {
    static let cases: [(String, String?)] = [
        // words, phrases, prefixes
        (#"onboarding"#, #""onboarding""#),
        (#"Onboarding"#, #""Onboarding""#),
        (#"onboarding checklist"#, #"("onboarding" AND "checklist")"#),
        (#"a AND b"#, #"("a" AND "b")"#),
        (#"a & b"#, #"("a" AND "b")"#),
        (#"AND onboarding"#, #""onboarding""#),
        (#""reflective supervision""#, #""reflective supervision""#),
        (#"a "b""#, #"("a" AND "b")"#),
        (#""unbalanced"#, #""unbalanced""#),
        (#"facilit*"#, #""facilit"*"#),
        (#""first supervis"*"#, #""first supervis"*"#),
        (#"onboard* *"#, #""onboard"*"#),
        (#"*onboard"#, #""onboard""#),
        (#"on*board"#, #""on board""#),
        // OR, and OR binding tighter than the space
        (#"a OR b"#, #"("a" OR "b")"#),
        (#"a | b"#, #"("a" OR "b")"#),
        (#"a OR b OR c"#, #"("a" OR "b" OR "c")"#),
        (#"a OR b c"#, #"(("a" OR "b") AND "c")"#),
        (#"a b OR c"#, #"("a" AND ("b" OR "c"))"#),
        (#"a OR"#, #"("a" AND "or")"#),
        (#"OR a"#, #"("or" AND "a")"#),
        (#"OR"#, #""or""#),
        (#"NOT"#, #""not""#),
        // exclusions
        (#"a -b"#, #"("a" NOT "b")"#),
        (#"a NOT b"#, #"("a" NOT "b")"#),
        (#"a AND NOT b"#, #"("a" NOT "b")"#),
        (#"a -b -c"#, #"("a" NOT "b" NOT "c")"#),
        (#"a -"b c""#, #"("a" NOT "b c")"#),
        (#"a -(b OR c)"#, #"("a" NOT ("b" OR "c"))"#),
        (#"a - b"#, #"("a" AND "b")"#),
        // grouping
        (#"((a))"#, #""a""#),
        (#"a (b OR c)"#, #"("a" AND ("b" OR "c"))"#),
        (#"(a OR b) -c"#, #"(("a" OR "b") NOT "c")"#),
        (#"(a -b) OR c"#, #"(("a" NOT "b") OR "c")"#),
        (#"(a OR b) (c OR d)"#, #"(("a" OR "b") AND ("c" OR "d"))"#),
        // FTS5 syntax in user text is only ever words
        (#"NEAR(a b)"#, #"("NEAR" AND "a" AND "b")"#),
        (#"{title}: x"#, #"("title" AND "x")"#),
        (#"title:x"#, #""title x""#),
        (#"rowid:1"#, #""rowid 1""#),
        (#"a:b:c"#, #""a b c""#),
        (#"^x"#, #""x""#),
        (#"+a"#, #""a""#),
        (#"x"y"#, #"("x" AND "y")"#),
        (#"'; DROP TABLE member; --"#, #"("DROP" AND "TABLE" AND "member")"#),
        (#"onboarding "NOT""#, #"("onboarding" AND "NOT")"#),
        (#""OR""#, #""OR""#),
        (#"a "NEAR" b"#, #"("a" AND "NEAR" AND "b")"#),
        (#""NOT onboarding""#, #""NOT onboarding""#),
        // punctuation inside a word keeps its parts together as a phrase
        (#"c++"#, #""c""#),
        (#"e-mail"#, #""e mail""#),
        (#"don't"#, #""don t""#),
        ("x\u{0}y", #""x y""#),
        // letters beyond ASCII pass through
        (#"González"#, #""González""#),
        (#"日本語"#, #""日本語""#),
        (#"🙂 onboarding"#, #"("🙂" AND "onboarding")"#),
        // filters are not words; exclusions alone leave nothing positive to match
        (#"tag:x onboarding"#, #""onboarding""#),
        (#"onboarding -type:member"#, #""onboarding""#),
        (#"tag:x -draft"#, nil),
    ]

    @Test(arguments: cases)
    func render(_ c: (String, String?)) throws {
        let query = try QueryParser.parse(c.0)
        #expect(query.text.flatMap(FTS5Query.render) == c.1, "\(c.0.debugDescription)")
    }

    @Test(arguments: [
        (#"say "hi""#, #""say ""hi""""#),
        (#"""#, #""""""#),
        (#"plain"#, #""plain""#),
        (#"a*"#, #""a*""#),
        (#"NEAR"#, #""NEAR""#),
    ])
    func quoteDoublesEveryQuote(_ c: (String, String)) {
        #expect(FTS5Query.quote(c.0) == c.1)
    }

    @Test func nodesTheParserDoesNotMakeRenderSafelyToo() {
        #expect(FTS5Query.render(.term(#"x" OR "y"#)) == #""x"" OR ""y""#)
        #expect(FTS5Query.render(.phrase(["a", #"b""#], prefix: true)) == #""a b"""*"#)
        #expect(FTS5Query.render(.not(.term("a"))) == nil)
        #expect(FTS5Query.render(.and([.not(.term("a")), .not(.term("b"))])) == nil)
        #expect(FTS5Query.render(.or([.term("a")])) == #""a""#)
    }

    @Test(arguments: [
        (#"tag:x -draft"#, [#""draft""#]),
        (#"tag:x -draft -"old copy""#, [#""draft""#, #""old copy""#]),
        (#"tag:x -(a OR b)"#, [#"("a" OR "b")"#]),
        (#"a -b"#, [#""b""#]),
        (#"a b"#, []),
    ])
    func exclusions(_ c: (String, [String])) throws {
        let query = try QueryParser.parse(c.0)
        #expect(query.text.map(FTS5Query.exclusions) ?? [] == c.1, "\(c.0.debugDescription)")
    }
}
