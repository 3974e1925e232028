import Foundation
import Testing
import KnowHowCore

/// What `find` means, on the fixture: every store must find the same things for the same words.
@Suite("Contract: search semantics")
struct SearchContractTests {
    // Each row: query, ids that must be found, ids that must not be.
    static let wordCases: [(String, [String], [String])] = [
        // all words must match, anywhere in an entry
        ("onboarding checklist", ["r1"], ["r11", "p1", "r2"]),
        ("supervision reflective", ["r4", "r5", "p3"], ["r1", "q3"]),
        ("retrospective grow", [], ["r2", "r10"]),
        // a phrase keeps its words together and in order
        ("\"reflective supervision\"", ["r4", "p3"], ["r5"]),
        ("\"supervision reflective\"", [], ["r4", "p3"]),
        // a prefix
        ("facilit*", ["r3", "p2", "@joe", "q2"], ["r1"]),
        ("\"first supervis\"*", ["r1"], ["r5"]),
        // OR, and OR binding tighter than the space
        ("retrospective OR grow", ["r2", "r10"], ["r1"]),
        ("retrospective | grow", ["r2", "r10"], ["r1"]),
        ("checklist OR video onboarding", ["r1", "r11"], ["r2", "r10"]),
        // exclusion: -word and NOT word
        ("onboarding -checklist", ["p1", "r11"], ["r1"]),
        ("onboarding NOT checklist", ["p1", "r11"], ["r1"]),
        ("onboarding -\"first two weeks\"", ["p1"], ["r1"]),
        ("supervision -reflective", ["@kim", "q3"], ["r4", "r5", "p3"]),
        // grouping
        ("(retrospective OR coaching) -grow", ["r2"], ["r10"]),
        ("onboarding (video OR buddy)", ["r11", "p1"], ["r1"]),
        ("supervision (template OR notes) -group", ["r4", "r5"], ["p3"]),
        // stemming: forms of a word find each other
        ("onboard", ["r1", "r2", "p1"], []),
        ("onboarding", ["r2"], []),
        ("mentors", ["r6"], []),
        ("facilitating", ["r3"], []),
        // accents and case are ignored
        ("gonzalez", ["@maria"], []),
        ("González", ["@maria"], []),
        ("SUPERVISION", ["r4", "r5"], []),
        // a tag's alias is a searchable word for what carries the tag
        ("induction", ["r1", "p5"], []),
    ]

    @Test(arguments: ContractStores.all, wordCases)
    func words(_ f: StoreFactory, _ c: (String, [String], [String])) throws {
        let hits = try found(f.fixture(), c.0)
        for id in c.1 { #expect(hits.contains(id), "\(c.0): \(id) missing from \(hits)") }
        for id in c.2 { #expect(!hits.contains(id), "\(c.0): \(id) should not be in \(hits)") }
    }

    // Each row: query, ids that must be there, ids that must not be, and the only types allowed.
    static let filterCases: [(String, [String], [String], Set<EntryType>?)] = [
        ("onboarding type:practice", ["p1", "p5"], ["r1"], [.practice]),
        ("onboarding type:resource", ["r1", "r11"], ["p1"], [.resource]),
        ("onboarding is:question", ["q1"], ["r1"], [.question]),
        ("supervision type:member", ["@kim", "@zoe"], ["r4"], [.member]),
        ("tag:onboarding", ["r1", "r11", "p1", "p5", "q1", "@kim"], ["r2"], nil),
        ("tag:induction", ["r1", "r11", "p1", "p5", "q1", "@kim"], ["r2"], nil),        // an alias
        ("tag:new-starters", ["r1", "r11", "p1"], [], nil),                             // another alias
        ("tag:Mentorship", ["r6", "p1", "p6"], [], nil),                                // alias, any case
        ("onboarding tag:templates", ["r1"], ["r11", "p1"], nil),
        ("by:@tom", ["r1", "r8", "p1"], ["r4"], nil),                                   // r1: tom is an author
        ("by:maria", ["r6", "p6"], [], nil),                                            // r6: author
        ("by:@kim supervision", ["r4", "a4"], ["r5"], nil),
        ("status:verified", ["p1", "p3", "p6"], ["p2", "p5"], [.practice]),
        ("status:archived", ["r8"], ["r1"], [.resource]),
        ("status:open", ["q2", "q3"], ["q1"], [.question]),
        ("status:answered", ["q1"], ["q2"], [.question]),
        ("kind:template", ["r1", "r4", "r6", "r12"], ["r2"], [.resource]),
        ("supervision kind:template", ["r4"], ["r5"], [.resource]),
        ("supervision sector:health", ["@zoe", "r5", "p3", "q3"], ["r4", "@kim"], nil),
        ("sector:social", ["@kim", "@tom", "r1", "p5"], ["@ana"], nil),
        ("sector:\"social care\" safeguarding", ["@tom", "r8"], ["@ana"], nil),
        ("tag:facilitation", ["r2", "r3", "r9", "p2", "q2", "@joe", "@priya", "@sam"], ["r1"], nil),
        // negated filters
        ("onboarding -type:member", ["r1", "p1"], ["@kim"], [.resource, .practice, .question, .answer]),
        ("onboarding -status:retired", ["p1"], ["p5"], nil),
        ("facilitation -kind:guide", ["r9"], ["r2", "r3"], nil),
        ("tag:onboarding -type:practice", ["r1", "q1"], ["p1", "p5"], nil),
        ("supervision -tag:templates", ["r5", "p3"], ["r4"], nil),
        ("supervision -by:kim", ["r5"], ["r4", "a4"], nil),
        ("supervision -sector:health", ["r4"], ["r5", "@zoe"], nil),
        // filters with exclusions only
        ("tag:templates -checklist", ["r4", "r6", "r12"], ["r1"], nil),
    ]

    @Test(arguments: ContractStores.all, filterCases)
    func filters(_ f: StoreFactory, _ c: (String, [String], [String], Set<EntryType>?)) throws {
        let r = try find(f.fixture(), c.0)
        let hits = ids(r)
        for id in c.1 { #expect(hits.contains(id), "\(c.0): \(id) missing from \(hits)") }
        for id in c.2 { #expect(!hits.contains(id), "\(c.0): \(id) should not be in \(hits)") }
        if let types = c.3 { #expect(Set(r.hits.map(\.ref.type)).isSubset(of: types), "\(c.0): \(hits)") }
    }

    /// What the SQLite store ranks first today, pinned: another store must agree on the top three.
    static let rankingCases: [(String, [String])] = [
        ("onboarding", ["q1", "r1", "p1"]),
        ("supervision", ["q3", "r4", "r5"]),
        ("facilitation", ["q2", "r3", "p2"]),
        ("facilit*", ["q2", "r3", "p2"]),
        ("reflective supervision", ["r4", "p3", "r5"]),
        ("\"reflective supervision\"", ["r4", "p3"]),
        ("remote", ["r11", "r3", "q1"]),
        ("mentoring", ["r6", "p6", "p1"]),
        ("template", ["r4", "r12", "r6"]),
        ("research", ["r7", "p4", "r12"]),
        ("coaching", ["r10", "p6", "@priya"]),
        ("wellbeing", ["r9", "@ana"]),
        ("meeting", ["p2", "r9", "r6"]),
        ("first week", ["r1", "p1", "a1"]),
        ("groups", ["q2", "p3", "a3"]),
        ("induction", ["r11", "p5", "a2"]),
        ("new starters", ["r1", "r11", "q1"]),
        ("onboarding OR mentoring", ["p1", "r6", "p6"]),
        ("checklist OR video", ["r1", "r11", "a2"]),
        ("supervision -reflective", ["q3", "a4", "@kim"]),
        ("onboarding type:resource", ["r1", "r11", "r2"]),
        ("supervision sector:health", ["q3", "r5", "p3"]),
    ]

    @Test(arguments: ContractStores.all, rankingCases)
    func rankingOrder(_ f: StoreFactory, _ c: (String, [String])) throws {
        let r = try find(f.fixture(), c.0)
        #expect(Array(ids(r).prefix(3)) == c.1, "\(c.0): \(ids(r))")
        let scores = r.hits.map(\.score)
        #expect(scores == scores.sorted(), "\(c.0): hits are ordered by rank")
    }

    @Test(arguments: ContractStores.all)
    func rankingIsTheSameEveryTime(_ f: StoreFactory) throws {
        let s = try f.fixture()
        for q in ["onboarding", "supervision", "facilitation remote", "tag:templates"] {
            #expect(try found(s, q) == found(s, q), "\(q)")
        }
    }

    @Test(arguments: ContractStores.all)
    func aliasAndNameGiveTheSameHits(_ f: StoreFactory) throws {
        let s = try f.fixture()
        #expect(try found(s, "tag:induction") == found(s, "tag:onboarding"))
        #expect(try found(s, "tag:MENTORSHIP") == found(s, "tag:mentoring"))
    }

    @Test(arguments: ContractStores.all)
    func filterOnlyListingsAreUnrankedAndUnmarked(_ f: StoreFactory) throws {
        let r = try find(f.fixture(), "tag:facilitation")
        #expect(!r.hits.isEmpty)
        #expect(r.hits.allSatisfy { !$0.snippet.contains(Highlight.open) && !$0.title.contains(Highlight.open) && $0.score == 0 })
    }

    @Test(arguments: ContractStores.all)
    func hitsCarryMarksTagsAndDetails(_ f: StoreFactory) throws {
        let r = try find(f.fixture(), "onboarding checklist")
        let r1 = try #require(r.hits.first)
        #expect(r1.ref == .entry(.id("r1")))
        #expect(Highlight.plain(r1.title) == "Onboarding checklist for new starters")
        #expect(r1.title.contains("\(Highlight.open)Onboarding\(Highlight.close)"), "\(r1.title.debugDescription)")
        #expect(r1.tags == ["onboarding", "templates"])
        #expect(r1.detail == "template")
    }

    @Test(arguments: ContractStores.all)
    func limitAndMore(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let two = try find(s, "tag:templates", limit: 2)
        #expect(two.hits.count == 2 && two.more)
        #expect(try find(s, "tag:templates", limit: 50).more == false)
        let ranked = try find(s, "onboarding", limit: 3)
        #expect(ranked.hits.count == 3 && ranked.more)
        #expect(ids(ranked) == Array(try found(s, "onboarding").prefix(3)), "a limit cuts the same ranked list")
    }

    @Test(arguments: ContractStores.all)
    func misspeltWordsFindNothingButSuggestRealWords(_ f: StoreFactory) throws {
        let s = try f.fixture()
        for (typo, word) in [("facilitaton", "facilitation"), ("supervison", "supervision"), ("mentorng", "mentoring")] {
            let r = try find(s, typo)
            #expect(r.hits.isEmpty, "\(typo)")
            #expect(r.suggestions.contains(word), "\(typo): \(r.suggestions)")
        }
    }

    @Test(arguments: ContractStores.all)
    func aFilterThatEmptiesAMatchIsNamed(_ f: StoreFactory) throws {
        let s = try f.fixture()
        for (q, filter) in [("retrospective kind:video", "kind:video"), ("checklist by:@ana", "by:@ana"),
                            ("checklist -tag:onboarding", "tag:onboarding"), ("supervision tag:zzzzzzzz", "zzzzzzzz")] {
            let r = try find(s, q)
            #expect(r.hits.isEmpty, "\(q)")
            #expect(r.notes.contains { $0.contains(filter) }, "\(q): \(r.notes)")
        }
    }

    /// Text that is not syntax is searched as words: no store may throw on any of these, in
    /// `find` or `list` (a few have no word at all, and the parser refuses them first).
    static let awkward: [String] = [
        "c++", "-", "a - b", "\"unbalanced", "x\"y", "\"\"onboarding", "NOT", "OR OR", "AND", "*", "((((", "))",
        "onboarding)", "NEAR(a b)", "{title}: x", "^x", "a:b:c", "title:x", "rowid:1", "'; DROP TABLE member; --",
        "e-mail", "on*board", "+a", "🙂", "日本語", "x\u{0}y", "by:@@kim", "sector:%", "sector:_",
        // FTS5 keywords a person quoted: words to us, syntax to FTS5 if ever left unquoted
        "onboarding \"NOT\"", "\"OR\"", "\"AND\" onboarding", "a \"NEAR\" b", "\"NOT onboarding\"", "onboarding -\"AND\"",
    ]

    @Test(arguments: ContractStores.all, awkward)
    func awkwardTextNeverThrows(_ f: StoreFactory, _ input: String) throws {
        let s = try f.fixture()
        let q: Query
        do { q = try QueryParser.parse(input) } catch {
            // Some of these hold no word at all: the parser says so before any store sees them.
            #expect(error as? KnowHowError == .emptyQuery((error as? KnowHowError)?.description ?? ""), "\(input.debugDescription): \(error)")
            return
        }
        #expect(throws: Never.self, "\(input.debugDescription)") { _ = try s.search(q, limit: 10) }
        #expect(throws: Never.self, "\(input.debugDescription)") { _ = try s.list(.resource, query: q, limit: 10) }
    }

    @Test(arguments: ContractStores.all)
    func aFilterValueThatCannotBeOneIsThePersonsError(_ f: StoreFactory) throws {
        let s = try f.fixture()
        for (q, key) in [("tag:c++", "tag"), ("onboarding type:widget", "type")] {
            let e = knowHowError { _ = try find(s, q) }
            if case .badFilter(let k, _)? = e { #expect(k == key, "\(q): \(e!)") } else { Issue.record("\(q): \(String(describing: e))") }
        }
    }

    @Test(arguments: ContractStores.all)
    func awkwardTextFindsWhatItSays(_ f: StoreFactory) throws {
        let acting = contractActing()
        let s = try f.fixture()
        _ = try s.add(Resource(title: "Notes on C++ templates and e-mail etiquette", tags: ["templates"], contributor: "kim"), as: acting)
        #expect(try found(s, "c++") == ["r13"])
        #expect(try found(s, "e-mail").contains("r13"))
        #expect(try found(s, "\"c++ templates\"") == ["r13"])
        #expect(try found(s, "etiquette -") == ["r13"], "a lone - is nothing")
        #expect(try found(s, "\"etiquette").contains("r13"), "an unbalanced quote still searches")
    }

    /// `closest` re-ranks a search's pool and builds full hits for the shown page only: the pool
    /// must rank as the search does, say which entries are answered (and an answer's question
    /// where the store reads it), and the hits built later must be the search's own.
    @Test(arguments: ContractStores.all)
    func aSearchPoolRanksAsSearchAndBuildsTheSameHitsLater(_ f: StoreFactory) throws {
        let s = try f.fixture()
        var natural = Query(text: .or(["onboarding", "remote", "video", "supervision", "managers"].map { .term($0) }))
        natural.naturalLanguage = true
        for query in [natural, try QueryParser.parse("onboarding"), try QueryParser.parse("tag:onboarding")] {
            let searched = try s.search(query, limit: 20).hits
            let pool = try s.searchPool(query, limit: 20).hits
            #expect(pool.map(\.ref) == searched.map(\.ref), "\(query)")
            #expect(pool.map(\.score) == searched.map(\.score), "\(query)")
            #expect(pool.map(\.matchedWords) == searched.map(\.matchedWords), "\(query)")
            #expect(pool.map(\.question) == searched.map { $0.question?.id }, "\(query)")
            for (item, hit) in zip(pool, searched) where hit.ref.type == .question {
                #expect(item.answered == (hit.status == "answered"), "\(item.ref)")
            }
            // Built later, for a page of the pool: the search's hits (also when the pool carried none).
            let page = Array(pool.prefix(4))
            #expect(try s.hits(for: page, query: query) == Array(searched.prefix(4)), "\(query)")
            let lean = page.map { var p = $0; p.hit = nil; return p }
            #expect(try s.hits(for: lean, query: query) == Array(searched.prefix(4)), "\(query)")
        }
        #expect(try s.searchPool(natural, limit: 20).hits.contains { $0.ref == .entry(.id("q1")) && $0.answered })
        // A word a pool names as in no entry is in none (a store may name none).
        var unheard = natural
        unheard.text = .or(["onboarding", "zqxjvw", "remote"].map { .term($0) })
        for word in try s.searchPool(unheard, limit: 20).absentWords {
            #expect(try s.search(Query(text: .term(word)), limit: 1).hits.isEmpty, "\(word)")
        }
    }

    /// `find` on a sentence with a quoted phrase (issue 15): the closest matches all hold the
    /// phrase, as the store's own phrase search finds it, and the one holding more of the rest
    /// ranks first; every store runs the required phrase through its own search.
    @Test(arguments: ContractStores.all)
    func aSentencesQuotedPhraseIsInEveryClosestMatch(_ f: StoreFactory) throws {
        let s = try f.fixture(), c = Community(store: s)
        let shown = try c.find("how should \"reflective supervision\" work for new managers in groups", limit: 10, as: nil, log: false)
        let phrase = try found(s, "\"reflective supervision\"").filter { !$0.hasPrefix("@") }
        #expect(ids(shown.results.results) == ["p3", "r4"], "\(ids(shown.results.results)); the phrase: \(phrase)")
        #expect(Set(phrase) == ["p3", "r4"])
        #expect(shown.results.notice == "no entry has all 6 words (stop words aside); closest matches that have \"reflective supervision\":",
                "\(shown.results.notice ?? "nil")")
    }
}
