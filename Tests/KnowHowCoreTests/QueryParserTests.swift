import Testing
@testable import KnowHowCore

/// What the parser makes of what people type. Each row: input, the rendered tree (or nil for
/// filters only), and the filters.
struct QueryParserTests {
    static let cases: [(String, String?, [String])] = [
        ("onboarding", "onboarding", []),
        ("onboarding checklist", "(onboarding checklist)", []),
        ("\"reflective supervision\"", "\"reflective supervision\"", []),
        ("\"unbalanced phrase", "\"unbalanced phrase\"", []),
        ("\"unbalanced", "unbalanced", []),
        ("onboard*", "onboard*", []),
        ("\"new start\"*", "\"new start\"*", []),
        ("coaching OR mentoring", "(coaching OR mentoring)", []),
        ("budget OR cost report", "((budget OR cost) report)", []),
        ("coaching -sport", "(coaching -sport)", []),
        ("coaching NOT sport", "(coaching -sport)", []),
        ("c++", "c", []),
        ("C#", "C", []),
        ("a - b", "(a b)", []),
        ("e-mail etiquette", "(\"e mail\" etiquette)", []),
        ("(coaching OR mentoring) new", "((coaching OR mentoring) new)", []),
        ("(coaching", "coaching", []),
        ("coaching)", "coaching", []),
        ("NOT", "not", []),
        ("OR", "or", []),
        ("this OR", "(this or)", []),
        ("AND onboarding", "onboarding", []),
        ("tag:onboarding", nil, ["tag:onboarding"]),
        ("tag:onboarding induction", "induction", ["tag:onboarding"]),
        ("type:practice supervision", "supervision", ["type:practice"]),
        ("by:@kim tag:coaching", nil, ["by:@kim", "tag:coaching"]),
        ("-tag:draft onboarding", "onboarding", ["-tag:draft"]),
        ("sector:\"social care\" supervision", "supervision", ["sector:\"social care\""]),
        ("tags:onboarding", nil, ["tag:onboarding"]),
        ("https://example.org/guide", "\"https example org guide\"", []),
        ("🙂 onboarding", "(🙂 onboarding)", []),
        ("café", "café", []),
        ("status:verified -archived tag:x", "-archived", ["status:verified", "tag:x"]),
    ]

    @Test(arguments: cases)
    func parses(_ c: (String, String?, [String])) throws {
        let q = try QueryParser.parse(c.0)
        #expect(q.text.map(QueryParser.render) == c.1, "input: \(c.0)")
        #expect(q.filters.map(\.description) == c.2, "input: \(c.0)")
    }

    static let refusals: [(String, String)] = [
        ("", "nothing to search for"),
        ("   ", "nothing to search for"),
        ("*", "nothing to search for"),
        ("-", "nothing to search for"),
        ("\"\"", "nothing to search for"),
        ("-draft", "add a word to look for"),
        ("NOT draft", "add a word to look for"),
        ("tag:", "tag: give a value"),
        ("tga:onboarding", "did you mean 'tag:'"),
        ("a OR -b", "cannot be searched"),
        ("o*", "at least two letters"),
        (String(repeating: "word ", count: 20_000), "keep it under"),
    ]

    @Test(arguments: refusals)
    func refuses(_ c: (String, String)) {
        do {
            let q = try QueryParser.parse(c.0)
            Issue.record("expected an error for '\(c.0.prefix(30))', got \(String(describing: q))")
        } catch let e as KnowHowError {
            #expect(e.description.contains(c.1), "got: \(e.description)")
            #expect(!e.description.lowercased().contains("fts5"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func positiveWordsSkipExclusions() throws {
        let q = try QueryParser.parse("coaching \"new starter\" -sport men*")
        #expect(q.text?.positiveWords == ["coaching", "new", "starter", "men"])
    }

    @Test func typesFromFilters() throws {
        #expect(try QueryParser.parse("x type:practices").types == [.practice])
        #expect(try QueryParser.parse("x -type:member").types == Set(EntryType.allCases).subtracting([.member]))
    }
}

struct ValidationTests {
    @Test(arguments: [("Social Care", "social-care"), ("#Onboarding", "onboarding"), ("data_literacy", "data-literacy"),
                      ("  UX / Research ", "ux-research"), ("Café", "cafe")])
    func tags(_ c: (String, String)) throws { #expect(try Validation.tag(c.0) == c.1) }

    @Test(arguments: ["", "c++", "a!", String(repeating: "x", count: 65)])
    func badTags(_ t: String) { #expect(throws: KnowHowError.self) { try Validation.tag(t) } }

    @Test func handles() throws {
        #expect(try Validation.handle("@Kim-Lee") == "kim-lee")
        for bad in ["k", "1kim", "kim lee", "kím", "@", String(repeating: "a", count: 33)] {
            #expect(throws: KnowHowError.self) { try Validation.handle(bad) }
        }
    }

    @Test func emailsAndURLs() throws {
        #expect(try Validation.email("kim@example.org") == "kim@example.org")
        for bad in ["kim", "kim@", "@x.org", "kim@x", "k m@x.org"] {
            #expect(throws: KnowHowError.self) { try Validation.email(bad) }
        }
        #expect(try Validation.url("https://example.org/a?b=c") == "https://example.org/a?b=c")
        for bad in ["ftp://x.org", "javascript:alert(1)", "example.org", "http://", "https://exa mple.org"] {
            #expect(throws: KnowHowError.self) { try Validation.url(bad) }
        }
    }
}

struct ModelTests {
    @Test func entryIDs() {
        #expect(EntryID("r12") == EntryID(.resource, 12))
        #expect(EntryID("P3")?.description == "p3")
        #expect(EntryID("r0") == nil)
        #expect(EntryID("x12") == nil)
        #expect(EntryID("r1a") == nil)
        #expect(EntryRef("@kim") == .member("kim"))
        #expect(EntryRef("onboarding") == nil)
    }

    @Test func daysAndTimestamps() {
        #expect(Day("2024-02-29") != nil)
        #expect(Day("2023-02-29") == nil)
        #expect(Day("2024-13-01") == nil)
        #expect(Timestamp("2024-03-14T09:30:00Z")?.description == "2024-03-14T09:30:00Z")
        #expect(Timestamp("2014-05-13T23:58:30.457")?.description == "2014-05-13T23:58:30Z")
        #expect(Timestamp("yesterday") == nil)
        #expect(Timestamp("2024-03-14T10:30:00+01:00")?.description == "2024-03-14T09:30:00Z")
        #expect(Timestamp("2024-03-14T08:30:00-01:00")?.description == "2024-03-14T09:30:00Z")
        #expect(Timestamp("1969-12-31T23:59:59Z")?.seconds == -1)
        #expect(Timestamp("2024-02-29")?.description == "2024-02-29T00:00:00Z")
        #expect(Timestamp("2024-02-30T00:00:00Z") == nil)
        #expect(Timestamp("2024-03-14T25:00:00Z") == nil)
        #expect(Timestamp("2024-03-14T09:30:00Zjunk") == nil)
        #expect(Timestamp(seconds: 1_700_000_000).description == "2023-11-14T22:13:20Z")
    }

    @Test func editDistance() {
        #expect(EditDistance.distance("onbording", "onboarding") == 1)
        #expect(EditDistance.distance("fnid", "find") == 1)
        #expect(EditDistance.nearest("facilitaton", in: ["facilitation", "facility", "coaching"]) == ["facilitation"])
    }

    @Test func wordSplitterMatchesIndexRules() {
        #expect(WordSplitter.words("c++ and e-mail, café!") == ["c", "and", "e", "mail", "café"])
        #expect(WordSplitter.words("🙂") == ["🙂"])
        #expect(WordSplitter.words("--- ***") == [])
    }
}
