import Foundation
import Testing
import KnowHowCore
@testable import KnowHowPostgres

/// What a person types, parsed and rendered as a tsquery: every word quoted, so no user text is
/// ever read as tsquery syntax. One case a line, input → the exact tsquery text.
struct TSQueryTests {
    static let cases: [(String, String?)] = [
        // words, phrases, prefixes
        (#"onboarding"#, #"'onboarding'"#),
        (#"Onboarding"#, #"'Onboarding'"#),
        (#"onboarding checklist"#, #"('onboarding' & 'checklist')"#),
        (#"a AND b"#, #"('a' & 'b')"#),
        (#"a & b"#, #"('a' & 'b')"#),
        (#"AND onboarding"#, #"'onboarding'"#),
        (#""reflective supervision""#, #"('reflective' <-> 'supervision')"#),
        (#"a "b""#, #"('a' & 'b')"#),
        (#""unbalanced"#, #"'unbalanced'"#),
        (#"facilit*"#, #"'facilit':*"#),
        (#""first supervis"*"#, #"('first' <-> 'supervis':*)"#),
        (#"onboard* *"#, #"'onboard':*"#),
        (#"*onboard"#, #"'onboard'"#),
        (#"on*board"#, #"('on' <-> 'board')"#),
        // OR, and OR binding tighter than the space
        (#"a OR b"#, #"('a' | 'b')"#),
        (#"a | b"#, #"('a' | 'b')"#),
        (#"a OR b OR c"#, #"('a' | 'b' | 'c')"#),
        (#"a OR b c"#, #"(('a' | 'b') & 'c')"#),
        (#"a b OR c"#, #"('a' & ('b' | 'c'))"#),
        (#"a OR"#, #"('a' & 'or')"#),
        (#"OR a"#, #"('or' & 'a')"#),
        (#"OR"#, #"'or'"#),
        (#"NOT"#, #"'not'"#),
        // exclusions
        (#"a -b"#, #"('a' & !'b')"#),
        (#"a NOT b"#, #"('a' & !'b')"#),
        (#"a AND NOT b"#, #"('a' & !'b')"#),
        (#"a -b -c"#, #"('a' & !'b' & !'c')"#),
        (#"a -"b c""#, #"('a' & !('b' <-> 'c'))"#),
        (#"a -(b OR c)"#, #"('a' & !('b' | 'c'))"#),
        (#"a - b"#, #"('a' & 'b')"#),
        // grouping
        (#"((a))"#, #"'a'"#),
        (#"a (b OR c)"#, #"('a' & ('b' | 'c'))"#),
        (#"(a OR b) -c"#, #"(('a' | 'b') & !'c')"#),
        (#"(a -b) OR c"#, #"(('a' & !'b') | 'c')"#),
        (#"(a OR b) (c OR d)"#, #"(('a' | 'b') & ('c' | 'd'))"#),
        // tsquery syntax in user text is only ever words
        (#"onb:*"#, #"'onb':*"#),
        (#"onb:* b"#, #"('onb':* & 'b')"#),
        (#"x:AB"#, #"('x' <-> 'AB')"#),
        (#"!a"#, #"'a'"#),
        (#"a <-> b"#, #"('a' & 'b')"#),
        (#"a <2> b"#, #"('a' & '2' & 'b')"#),
        (#"x &|!() y"#, #"('x' & 'y')"#),
        (#"'; DROP TABLE member; --"#, #"('DROP' & 'TABLE' & 'member')"#),
        (#"it's"#, #"('it' <-> 's')"#),
        (#"back\slash"#, #"('back' <-> 'slash')"#),
        (#"onboarding "NOT""#, #"('onboarding' & 'NOT')"#),
        (#""OR""#, #"'OR'"#),
        // punctuation inside a word keeps its parts together as a phrase
        (#"c++"#, #"'c'"#),
        (#"e-mail"#, #"('e' <-> 'mail')"#),
        ("x\u{0}y", #"('x' <-> 'y')"#),
        // letters beyond ASCII pass through
        (#"González"#, #"'González'"#),
        (#"日本語"#, #"'日本語'"#),
        (#"🙂 onboarding"#, #"('🙂' & 'onboarding')"#),
        // filters are not words; exclusions alone leave nothing positive to match
        (#"tag:x onboarding"#, #"'onboarding'"#),
        (#"onboarding -type:member"#, #"'onboarding'"#),
        (#"tag:x -draft"#, nil),
    ]

    @Test(arguments: cases)
    func render(_ c: (String, String?)) throws {
        let query = try QueryParser.parse(c.0)
        #expect(query.text.flatMap(TSQuery.render) == c.1, "\(c.0.debugDescription)")
    }

    @Test(arguments: [
        (#"it's"#, #"'it''s'"#),
        (#"'"#, #"''''"#),
        (#"back\slash"#, #"'back\\slash'"#),
        (#"plain"#, #"'plain'"#),
        (#"a:*"#, #"'a:*'"#),
        (#"&|!()<->"#, #"'&|!()<->'"#),
    ])
    func quoteEscapesQuotesAndBackslashes(_ c: (String, String)) {
        #expect(TSQuery.quote(c.0) == c.1)
    }

    @Test func nodesTheParserDoesNotMakeRenderSafelyToo() {
        #expect(TSQuery.render(.term(#"x' | 'y"#)) == #"'x'' | ''y'"#)
        #expect(TSQuery.render(.phrase(["a", #"b'"#], prefix: true)) == #"('a' <-> 'b''':*)"#)
        #expect(TSQuery.render(.phrase([], prefix: false)) == nil)
        #expect(TSQuery.render(.not(.term("a"))) == nil)
        #expect(TSQuery.render(.and([.not(.term("a")), .not(.term("b"))])) == nil)
        #expect(TSQuery.render(.or([.term("a")])) == #"'a'"#)
    }

    @Test(arguments: [
        (#"tag:x -draft"#, [#"'draft'"#]),
        (#"tag:x -draft -"old copy""#, [#"'draft'"#, #"('old' <-> 'copy')"#]),
        (#"tag:x -(a OR b)"#, [#"('a' | 'b')"#]),
        (#"a -b"#, [#"'b'"#]),
        (#"a b"#, []),
    ])
    func exclusions(_ c: (String, [String])) throws {
        let query = try QueryParser.parse(c.0)
        #expect(query.text.map(TSQuery.exclusions) ?? [] == c.1, "\(c.0.debugDescription)")
    }

    @Test(arguments: [
        (#"reflective practice"#, #"'reflective' | 'practice'"#),
        (#"a -b "c d" ee* (f OR g)"#, #"'a' | ('c' <-> 'd') | 'ee':* | 'f' | 'g'"#),
    ])
    func highlightingMarksAnyPositiveWord(_ c: (String, String)) throws {
        #expect(try QueryParser.parse(c.0).text.flatMap(TSQuery.highlight) == c.1)
    }

    /// Hostile text, hand-made nodes included: the server must accept every rendering.
    static let hostile: [String] = cases.map(\.0) + [
        #"c++ AND "quoted \"inner\" text""#, #"\\\\"#, #"a\'b"#, #"'"#, #"''"#, #"\"#, #"-"#, #"--"#, #"NOT NOT a"#,
        #"a:* | b:* & !c"#, #"(((a"#, #"a)))"#, #"<-> <1> <0>"#, #"a:A* b:BCD"#, "ünïcödé naïve café", "Ελληνικά λέξεις",
        "עברית", "العربية", "中文 搜索*", "x\u{200B}y", "tab\tsep", "new\nline", "e\u{301}", #"'a' & 'b'"#, #"$1 $$ $q$"#,
    ]

    @Test(.enabled(if: TestServer.available, TestServer.skipReason), arguments: hostile)
    func theServerAcceptsEveryRendering(_ input: String) throws {
        let c = try TestServer.admin()
        var nodes: [QueryNode] = [(try? QueryParser.parse(input))?.text].compactMap { $0 }
        if !input.contains("\u{0}") {  // PostgreSQL text holds no NUL; the parser splits at one
            nodes += [.term(input), .prefix(input), .phrase([input, input], prefix: true), .and([.term(input), .not(.term(input))])]
        }
        for node in nodes {
            guard let text = TSQuery.render(node) else { continue }
            // The stock english configuration, so this needs no migrated database; the parser is the same.
            let r = try c.query("SELECT to_tsquery('english', $1)::text AS q", [text])
            #expect(r.rows.count == 1, "\(input.debugDescription) → \(text)")
        }
    }
}
