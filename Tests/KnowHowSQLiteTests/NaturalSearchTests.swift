import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Natural-language searches (issue 15): the store orders bm25's pool by BM25F, counts the words
/// each entry holds, and leaves typed searches as they were.
struct NaturalSearchTests {
    /// r1 says all four words in its title and then goes on at length about other things; r2 holds
    /// them once each in a short text. bm25 (FTS5) measures length over the whole entry, so r1's
    /// long text drags its title down; BM25F measures each field against its own kind.
    func store() throws -> SQLiteKnowledgeStore {
        let s = try SQLiteKnowledgeStore()
        let long = (1...300).map { "word\($0 % 97)" }.joined(separator: " ")
        try s.add(Resource(title: "Espresso grind bitter taste", kind: .guide, body: long, tags: ["brewing"]), as: .system)
        try s.add(Resource(title: "Dialling in", kind: .guide, summary: "a note",
                           body: "espresso grind, bitter taste, crema timing and the rest of a short note", tags: ["brewing"]), as: .system)
        for i in 1...30 {
            try s.add(Resource(title: "Filter note \(i)", kind: .guide, body: "kettle pour over slowly in circles", tags: ["brewing"]), as: .system)
        }
        return s
    }

    func keys(_ r: SearchResults) -> [String] { r.hits.map { $0.ref.description } }

    @Test func aSentenceRanksTheEntryHoldingMoreOfItsWordsFirst() throws {
        let s = try store()
        var q = Query(text: .or(["espresso", "grind", "bitter", "taste"].map { .term($0) }))
        let plain = try s.search(q, limit: 5)
        #expect(keys(plain).prefix(2) == ["r2", "r1"], "bm25: \(keys(plain)) \(plain.hits.map(\.score))")
        q.naturalLanguage = true
        let natural = try s.search(q, limit: 5)
        #expect(keys(natural).prefix(2) == ["r1", "r2"], "\(keys(natural)) \(natural.hits.map(\.score))")
        #expect(natural.hits.prefix(2).map(\.matchedWords) == [4, 4], "\(natural.hits.map(\.matchedWords))")
        #expect(plain.hits.allSatisfy { $0.matchedWords == nil })
    }

    /// `find` on a sentence: stop words need not match, the rest rank by BM25F.
    @Test func findOnASentenceNeedsOnlyTheWordsThatSaySomething() throws {
        let c = Community(store: try store())
        let found = try c.find("what is the espresso grind for a bitter taste", limit: 5, as: nil, log: false)
        #expect(found.results.results.hits.map(\.ref.description) == ["r1", "r2"], "\(found.results.results.hits.map(\.ref))")
        #expect(found.results.notice == nil)
        // Two words are keywords: every word, bm25, as before.
        let keywords = try c.find("espresso grind", limit: 5, as: nil, log: false)
        #expect(keywords.results.results.hits.first?.ref.description == "r2")
    }

    /// Entries with every word are ranked among the closest matches, and always shown.
    @Test func entriesWithEveryWordRankAmongTheClosest() throws {
        let c = Community(store: try store())
        let found = try c.find("espresso grind kettle", limit: 10, as: nil, log: false)
        #expect(found.results.notice == "no entry has all 3 words (stop words aside); closest matches:")
        let one = try c.find("espresso grind crema timing", limit: 10, as: nil, log: false)
        #expect(one.results.notice == "only 1 entry has all 4 words (stop words aside); with the closest matches:", "\(one.results.notice ?? "")")
        #expect(one.results.results.hits.map(\.ref.description).contains("r2"))
    }
}

extension NaturalSearchTests {
    /// An answer holding every word is shown once, as its question, not again as itself.
    @Test func anAnswerWithEveryWordIsShownOnceAsItsQuestion() throws {
        let s = try SQLiteKnowledgeStore()
        let q = try s.ask(Question(title: "Which grind for espresso?", body: "the shots run fast"), as: .system)
        _ = try s.answer(Answer(question: q, body: "a finer espresso grind with a bitter taste means over-extraction"), as: .system)
        for i in 1...5 { try s.add(Resource(title: "Espresso note \(i)", kind: .guide, body: "grind size"), as: .system) }
        let found = try Community(store: s).find("why is my espresso grind bitter taste", limit: 10, as: nil, log: false)
        let refs = found.results.results.hits.map(\.ref.description)
        #expect(found.results.notice?.hasPrefix("only 1 entry has all 4 words") == true, "\(found.results.notice ?? "")")
        #expect(refs.first == q.description && !refs.contains { $0.hasPrefix("a") }, "\(refs)")
    }
}

/// The reuse benchmark's gap between `find` and `similar`, and what moved it (issue 15).
extension NaturalSearchTests {
    /// Members (a name and a handle each: thousands on an imported site) made every title look
    /// long to BM25F and every word rarer; its statistics are the entries' own.
    @Test func membersDoNotShapeBM25FsStatistics() throws {
        let s = try SQLiteKnowledgeStore()
        _ = try s.ask(Question(title: "Which grind for a moka pot?", body: "the coffee tastes burnt every time"), as: .system)
        try s.add(Resource(title: "Moka pot basics", kind: .guide, body: "fill to the valve, low heat"), as: .system)
        let before = try s.writer.read { db in try SQLiteKnowledgeStore.entryStatistics(db) }
        for i in 1...40 { _ = try s.add(Member(handle: "m\(i)", name: "Member \(i)"), as: .system) }
        let after = try s.writer.read { db in try SQLiteKnowledgeStore.entryStatistics(db) }
        #expect(before.entries == 2)
        #expect(after == before, "\(after) \(before)")
    }

    /// Of two questions that match alike, the one whose asker accepted an answer comes first:
    /// reuse is finding work that answered the question.
    @Test func aQuestionWithAnAcceptedAnswerRanksAboveAnEqualOpenOne() throws {
        let s = try SQLiteKnowledgeStore()
        let open = try s.ask(Question(title: "Grinder burrs wobble after cleaning", body: "they rattle"), as: .system)
        let answered = try s.ask(Question(title: "Grinder burrs wobble after cleaning", body: "they rattle"), as: .system)
        let a = try s.answer(Answer(question: answered, body: "tighten the collar"), as: .system)
        _ = try s.accept(a, as: .system)
        for i in 1...5 { try s.add(Resource(title: "Kettle note \(i)", kind: .guide, body: "pour slowly"), as: .system) }
        let hits = try Community(store: s).closest(["grinder", "burrs", "wobble"], limit: 5)
        #expect(hits.prefix(2).map(\.ref) == [.entry(answered), .entry(open)], "\(hits.map(\.ref))")
    }

    /// "How is Nescafé made?": no entry holds both words, and the question about Nescafé is the
    /// closest match (`find` asked for two of them and showed nothing).
    @Test func howIsNescaféMadeFindsTheQuestionHoldingOneOfItsWords() throws {
        let s = try SQLiteKnowledgeStore()
        let q = try s.ask(Question(title: "Is Nescafé instant coffee worth it?", body: "granules in hot water"), as: .system)
        for i in 1...5 { try s.add(Resource(title: "Espresso note \(i)", kind: .guide, body: "grind size"), as: .system) }
        let found = try Community(store: s).find("How is Nescafé made?", limit: 10, as: nil, log: false)
        #expect(found.results.notice == "no entry has all 2 words (stop words aside); closest matches:", "\(found.results.notice ?? "")")
        #expect(found.results.results.hits.first?.ref == .entry(q), "\(found.results.results.hits.map(\.ref))")
    }

    /// A large store's pool for a sentence walks a word without a list (no ranking of each
    /// match, which reads its lengths) and keeps every entry holding it.
    @Test func aLargeStoresSentencePoolKeepsEveryEntryHoldingARareWord() throws {
        let s = try CommonWordQueryTests().store(CommonWordQueryTests.lists)
        let node: QueryNode = .or(["garden", "kim"].map { .term($0) })
        let pool = try s.writer.read { db in
            try SQLiteKnowledgeStore.naturalCandidates(db, node: node, limit: 500, memberFactor: 0.6, tuning: CommonWordQueryTests.lists)
        }
        // "kim" is a member's handle, in no list.
        let rare = try s.writer.read { db in try Int64.fetchAll(db, sql: "SELECT rowid FROM entry_fts WHERE entry_fts MATCH 'kim'") }
        #expect(!rare.isEmpty)
        #expect(try s.writer.read { db in try SQLiteKnowledgeStore.listedEntries(db, "kim") } == nil)
        let keys = Set(pool?.map(\.key) ?? [])
        #expect(Set(rare).isSubset(of: keys), "\(rare) \(pool?.count ?? -1)")
        // A small store keeps the general path.
        let small = try s.writer.read { db in
            try SQLiteKnowledgeStore.naturalCandidates(db, node: node, limit: 500, memberFactor: 0.6, tuning: CommonWordQueryTests.exact)
        }
        #expect(small == nil)
    }

    /// A large store's sentence pool keeps its best entries without sorting every one: a short
    /// pool is the head of a long one, best first (ties by key), whatever the scores' order.
    @Test func aLargeStoresShortSentencePoolIsTheHeadOfTheWholeRanking() throws {
        let s = try CommonWordQueryTests().store(CommonWordQueryTests.lists)
        let node: QueryNode = .or(["garden", "kim", "notes"].map { .term($0) })
        func pool(_ limit: Int) throws -> [Int64] {
            try s.writer.read { db in
                try SQLiteKnowledgeStore.naturalCandidates(db, node: node, limit: limit, memberFactor: 0.6, tuning: CommonWordQueryTests.lists)
            }?.map(\.key) ?? []
        }
        let whole = try s.writer.read { db in
            try SQLiteKnowledgeStore.naturalCandidates(db, node: node, limit: 100_000, memberFactor: 0.6, tuning: CommonWordQueryTests.lists)
        } ?? []
        #expect(whole.count > 12, "\(whole.count)")
        #expect(zip(whole, whole.dropFirst()).allSatisfy { $0.rank != $1.rank ? $0.rank < $1.rank : $0.key > $1.key })
        for limit in [1, 5, 12] {
            #expect(try pool(limit) == Array(whole.prefix(limit).map(\.key)), "\(limit)")
        }
    }

    /// A large store's sentence pool sums each word's shares with its table sized once: every
    /// entry's score must still be a listed word's list share (idf times impact) plus a walked
    /// word's idf times its weighted count's impact, added word by word in the query's order.
    @Test func aLargeStoresSentencePoolScoresAreEachWordsSharesSummedInOrder() throws {
        let s = try CommonWordQueryTests().store(CommonWordQueryTests.lists)
        let words = ["garden", "kim", "notes", "soil"]
        let node: QueryNode = .or(words.map { .term($0) })
        try s.writer.read { db in
            let stats = try #require(try SQLiteKnowledgeStore.rankStats(db))
            var expected: [Int64: Double] = [:]
            var listed = 0, walked = 0
            for w in words {
                let term = try SQLiteKnowledgeStore.indexTerms(db, w)[0]
                if let n = try SQLiteKnowledgeStore.listedEntries(db, term) {
                    listed += 1
                    let weight = SQLiteKnowledgeStore.idf(entries: stats.entries, containing: n)
                    for r in try Row.fetchAll(db, sql: "SELECT entry, impact FROM rank_list WHERE term = ?", arguments: [term]) {
                        expected[r[0], default: 0] += weight * (r[1] as Double)
                    }
                } else {
                    let rows = try Row.fetchAll(db, sql: "SELECT rowid, knowhow_weighted_count(entry_fts) FROM entry_fts WHERE entry_fts MATCH ?",
                                                arguments: [w])
                    if !rows.isEmpty { walked += 1 }
                    let weight = SQLiteKnowledgeStore.idf(entries: stats.entries, containing: rows.count)
                    for r in rows {
                        expected[r[0], default: 0] += weight * SQLiteKnowledgeStore.impact(weightedCount: r[1], length: 1, averageLength: 1)
                    }
                }
            }
            #expect(listed > 0 && walked > 0, "\(listed) listed, \(walked) walked")
            let pool = try #require(try SQLiteKnowledgeStore.naturalCandidates(db, node: node, limit: 100_000, memberFactor: 0.6,
                                                                               tuning: CommonWordQueryTests.lists))
            #expect(pool.count == expected.count)
            for r in pool {
                let sum = try #require(expected[r.key])
                #expect(r.rank == -sum * (r.key & 7 == 1 ? 0.6 : 1), "\(r.key)")
            }
        }
    }

    /// The weighted count read off a match is FTS5's: each instance weighted by its column.
    @Test func theWeightedCountOfAMatchWeighsEachColumn() throws {
        let db = try DatabaseQueue()
        try db.write { db in
            SQLiteKnowledgeStore.registerFieldWeightedFunctions(db)
            try db.execute(sql: "CREATE VIRTUAL TABLE entry_fts USING fts5(title, tags, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')")
            try db.execute(sql: "INSERT INTO entry_fts(rowid, title, tags, summary, body) VALUES (12, 'Zephyr', 'zephyrs', '', 'a zephyr, then a zephyr')")
            let count = try Double.fetchOne(db, sql: "SELECT knowhow_weighted_count(entry_fts) FROM entry_fts WHERE entry_fts MATCH 'zephyr'")
            let expected: Double = 10 + 6 + 2
            #expect(count == expected)
        }
    }
}

extension NaturalSearchTests {
    /// An answer's hit carries its question and whether that question has an accepted answer, so
    /// `closest` ranks and shows it as its question without reading the answer and question again.
    @Test func anAnswersHitCarriesItsQuestionAndWhetherItIsAnswered() throws {
        let s = try SQLiteKnowledgeStore()
        let q = try s.ask(Question(title: "Which grind for espresso?", body: "the shots run fast"), as: .system)
        let a = try s.answer(Answer(question: q, body: "a finer grind slows the zephyr shot"), as: .system)
        var hit = try s.search(QueryParser.parse("zephyr"), limit: 5).hits.first
        #expect(hit?.ref == .entry(a))
        #expect(hit?.question == SearchHit.Question(id: q, title: "Which grind for espresso?", answered: false))
        _ = try s.accept(a, as: .system)
        hit = try s.search(QueryParser.parse("zephyr"), limit: 5).hits.first
        #expect(hit?.question?.answered == true)
    }
}

extension NaturalSearchTests {
    /// BM25F reads a pasted title's pool a table at a time (`documents`); each document must be
    /// the one the index was made from (`document`), or counts and lengths would drift from FTS5's.
    @Test func thePoolsDocumentsReadTogetherAreEachEntrysOwn() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Data/community.json")
        let s = try SQLiteKnowledgeStore()
        _ = try s.importCommunity(CommunityFile.decode(try Data(contentsOf: url), path: "community.json"), as: .system)
        let tag = try #require(try s.read { db in try String.fetchOne(db, sql: "SELECT name FROM tag WHERE name LIKE '%-%' ORDER BY name") })
        _ = try s.changeAliases(tag, add: ["kettle-craft", "brewcraft"], remove: [], as: .system)
        try s.read { db in
            var keys = try Int64.fetchAll(db, sql: "SELECT rowid FROM entry_fts ORDER BY rowid")
            keys += [EntryKey.make(.question, 9_999), EntryKey.make(.answer, 9_999)]  // no such entries
            let together = try SQLiteKnowledgeStore.documents(db, keys: keys.reversed())
            var types = Set<Int64>(), aliased = 0
            for k in keys {
                let own = try SQLiteKnowledgeStore.document(db, key: k)
                #expect(together[k] == own, "\(k)")
                if own != nil { types.insert(k & 7) }
                if let t = own?.tags, t.contains("kettle craft"), t.contains("brewcraft") { aliased += 1 }
            }
            #expect(types.count == 6 && aliased > 0, "\(types) \(aliased)")
        }
    }
}

extension NaturalSearchTests {
    /// `find` asks for a sentence's every word without the store's explanation of an empty result
    /// (the nearest known words: a pasted title's cost, which the closest matches replace); when
    /// nothing is close either, it asks again, so the nearest words are still suggested.
    @Test func aSentenceNothingMatchesStillSuggestsTheNearestWords() throws {
        let s = try store()
        var q = try QueryParser.parse("espreso grnd bittr")
        #expect(try s.search(q, limit: 5).suggestions.contains("espresso"))
        q.explainEmpty = false
        #expect(try s.search(q, limit: 5).suggestions.isEmpty)
        let found = try Community(store: s).find("espreso grnd bittr", limit: 5, as: nil, log: false)
        #expect(found.results.results.hits.isEmpty)
        #expect(found.results.results.suggestions.contains("espresso"), "\(found.results.results.suggestions)")
    }
}

extension NaturalSearchTests {
    /// A long sentence (a pasted title, `coordinatedQueryWords` or more words) is ranked by how much
    /// of it each entry holds even when a page of entries holds every word: the question whose
    /// title says four of its five words outranks texts that mention all five in passing. A
    /// shorter search with a page of entries holding every word shows those alone, as typed.
    @Test func aLongSentenceRanksANearlyWholeTitleAboveAPageOfPassingMentions() throws {
        let s = try SQLiteKnowledgeStore()
        let filler = (1...120).map { "note\($0 % 41)" }.joined(separator: " ")
        for i in 1...3 {
            try s.add(Resource(title: "Meeting minutes \(i)", kind: .guide,
                               body: "zorblat \(filler) quindle farrow \(filler) mizzen trellick", tags: ["minutes"]), as: .system)
        }
        let q = try s.ask(Question(title: "Zorblat quindle farrow mizzen?", body: "the short version"), as: .system)
        for i in 1...20 { try s.add(Resource(title: "Other note \(i)", kind: .guide, body: "kettle pour over"), as: .system) }
        let c = Community(store: s)
        let long = try c.find("zorblat quindle farrow mizzen trellick", limit: 3, as: nil, log: false)
        #expect(long.results.results.hits.first?.ref == .entry(q), "\(long.results.results.hits.map(\.ref))")
        #expect(long.results.notice == "3 or more entries have all 5 words (stop words aside); ranked with the closest matches:")
        let short = try c.find("zorblat quindle farrow trellick", limit: 3, as: nil, log: false)
        #expect(short.results.notice == nil)
        #expect(Set(short.results.results.hits.map(\.ref.description)) == ["r1", "r2", "r3"], "\(short.results.results.hits.map(\.ref))")
        // A member holding every word keeps its place on the page (the closest leave members out).
        let member = try s.add(Member(handle: "zq", name: "Zorblat Quindle", organisation: "Farrow Mizzen Trellick"), as: .system)
        let named = try c.find("zorblat quindle farrow mizzen trellick", limit: 3, as: nil, log: false)
        #expect(named.results.results.hits.contains { $0.ref == .member(member.handle) }, "\(named.results.results.hits.map(\.ref))")
        #expect(named.results.results.hits.count == 3)
    }
}

extension NaturalSearchTests {
    /// The index's tokenizer is made once per connection and kept for that connection only
    /// (a connection's tokenizer is used on its own queue).
    @Test func theIndexTokenizerIsKeptPerConnection() throws {
        let first = try DatabaseQueue()
        let kept = try first.read { db in
            let made = try SQLiteKnowledgeStore.indexTokenizer(db), again = try SQLiteKnowledgeStore.indexTokenizer(db)
            #expect(again as AnyObject === made as AnyObject)
            let terms = try SQLiteKnowledgeStore.indexTerms(db, "questions")
            #expect(terms == ["question"])
            return ObjectIdentifier(made as AnyObject)
        }
        let second = try DatabaseQueue()
        try second.read { db in
            #expect(SQLiteKnowledgeStore.tokenizers.get(db) == nil)
            let made = try SQLiteKnowledgeStore.indexTokenizer(db)
            #expect(ObjectIdentifier(made as AnyObject) != kept)
        }
    }

    // MARK: - Quoted words in a sentence (issue 15): required and exact, the rest ranked.

    /// r2 holds every word of the sentence but not the phrase "cold brew"; r1, r3 and r4 hold the
    /// phrase and fewer and fewer of the other words; r5 holds neither cold nor brew.
    func coldBrewStore() throws -> SQLiteKnowledgeStore {
        let s = try SQLiteKnowledgeStore()
        try s.add(Resource(title: "Cold brew is less bitter", kind: .guide, body: "steeped in coffee for a day", tags: ["brewing"]), as: .system)
        try s.add(Resource(title: "Why hot coffee tastes less bitter than you think", kind: .guide,
                           body: "brew it hot, drink it cold", tags: ["brewing"]), as: .system)
        try s.add(Resource(title: "Cold brew ratio", kind: .guide, body: "one part coffee to eight parts water", tags: ["brewing"]), as: .system)
        try s.add(Resource(title: "Cold brew concentrate", kind: .guide, body: "keeps a fortnight in the fridge", tags: ["brewing"]), as: .system)
        try s.add(Resource(title: "Espresso tastes bitter when hot", kind: .guide, body: "pull it shorter", tags: ["brewing"]), as: .system)
        for i in 1...20 {
            try s.add(Resource(title: "Filter note \(i)", kind: .guide, body: "kettle pour over slowly in circles", tags: ["brewing"]), as: .system)
        }
        return s
    }

    static let coldBrew = "why does \"cold brew\" taste less bitter than hot coffee"

    /// A quoted phrase in a pasted sentence is required: every entry shown has "cold brew", even
    /// where another entry holds more of the words (r2), ranked by how much of the rest each holds.
    @Test func aQuotedPhraseInASentenceIsRequiredAndTheRestRanks() throws {
        let s = try coldBrewStore(), c = Community(store: s)
        let found = try c.find(Self.coldBrew, limit: 10, as: nil, log: false)
        let refs = found.results.results.hits.map(\.ref)
        #expect(refs.map(\.description) == ["r1", "r3", "r4"], "\(refs)")
        for ref in refs { #expect(try c.rawText(ref).lowercased().contains("cold brew"), "\(ref)") }
        #expect(found.results.notice == "no entry has all 8 words (stop words aside); closest matches that have \"cold brew\":",
                "\(found.results.notice ?? "nil")")
        // Unquoted, the same words find r2 first: the quotes are what leave it out.
        let plain = try c.find(Self.coldBrew.replacingOccurrences(of: "\"", with: ""), limit: 10, as: nil, log: false)
        #expect(plain.results.results.hits.first?.ref.description == "r2", "\(plain.results.results.hits.map(\.ref))")
        #expect(plain.results.notice?.hasSuffix(" closest matches:") == true, "\(plain.results.notice ?? "nil")")
        // A quoted single word is required as well.
        let word = try c.find("why is espresso or \"concentrate\" less bitter than hot coffee", limit: 10, as: nil, log: false)
        #expect(word.results.results.hits.map(\.ref.description) == ["r4"], "\(word.results.results.hits.map(\.ref))")
        #expect(word.results.notice?.hasSuffix("closest matches that have \"concentrate\":") == true, "\(word.results.notice ?? "nil")")
    }

    /// A quoted phrase no entry has: nothing is shown, and find says which.
    @Test func aQuotedPhraseNoEntryHasSaysSo() throws {
        let c = Community(store: try coldBrewStore())
        let found = try c.find("why does \"bitter brew\" taste less than hot coffee", limit: 10, as: nil, log: false)
        #expect(found.results.results.hits.isEmpty)
        #expect(found.results.notice == nil)
        #expect(found.results.notes.first == "no entry has \"bitter brew\"", "\(found.results.notes)")
    }

    /// An exclusion beside quotes keeps every word exact: r3 holds "cold brew" and coffee but is
    /// left out, and r4 (the phrase alone) is not offered as a closest match.
    @Test func anExclusionBesideQuotesStaysExact() throws {
        let c = Community(store: try coldBrewStore())
        let found = try c.find("\"cold brew\" coffee -ratio", limit: 10, as: nil, log: false)
        #expect(found.results.results.hits.map(\.ref.description) == ["r1"], "\(found.results.results.hits.map(\.ref))")
        #expect(found.results.notice == nil)
        // Without the exclusion it is a sentence: r3 too, and the closest holding the phrase.
        let relaxed = try c.find("\"cold brew\" coffee", limit: 10, as: nil, log: false)
        #expect(Set(relaxed.results.results.hits.map(\.ref.description)) == ["r1", "r3", "r4"])
    }

    /// Quoted searches below the sentence rule, or quoted throughout, are phrase searches as before.
    @Test(arguments: ["\"cold brew\"", "\"cold brew concentrate\"", "\"cold brew\" \"ratio\"", "cold brew 12\" ratio"])
    func shortOrWhollyQuotedSearchesAreUnchanged(_ text: String) throws {
        let s = try coldBrewStore(), c = Community(store: s)
        let query = try QueryParser.parse(text)
        #expect(Community.naturalSentence(text, query: query) == nil, "\(text)")
        let found = try c.find(text, limit: 10, as: nil, log: false)
        #expect(found.results.notice == nil)
        #expect(found.results.results.hits.map(\.ref) == (try s.search(query, limit: 10)).hits.map(\.ref), "\(text)")
    }

    /// What a sentence requires: each quoted word or phrase once, as written.
    @Test func aSentencesQuotedWordsAndPhrasesAreItsRequiredParts() throws {
        let text = "Are there any learning algorithms as powerful as \"deep\" architectures or \"deep\" \"belief nets\"?"
        let sentence = try #require(NaturalQuery.sentence(of: text, query: try QueryParser.parse(text)))
        #expect(sentence.required == [.term("deep"), .phrase(["belief", "nets"], prefix: false)])
        #expect(sentence.words.contains("deep") && sentence.words.contains("learning"))
        #expect(NaturalQuery.describe(sentence.required) == "\"deep\" and \"belief nets\"")
    }
}

extension NaturalSearchTests {
    /// A large store's pool for a sentence walks the matches of each word without a list, so it
    /// knows a word no entry holds, and names it (`find` then knows no entry has every word).
    /// It never names a word some entry holds, listed or walked; a small store names none.
    @Test func aLargeStoresSentencePoolNamesTheWordsNoEntryHolds() throws {
        let s = try CommonWordQueryTests().store(CommonWordQueryTests.lists)
        var query = Query(text: .or(["garden", "kim", "zqxjvw", "orchard", "zqxjvw"].map { .term($0) }))
        query.naturalLanguage = true
        let pool = try s.searchPool(query, limit: 50)
        #expect(pool.absentWords == ["zqxjvw"])
        #expect(!pool.hits.isEmpty)
        query.text = .or(["garden", "kim", "orchard"].map { .term($0) })
        #expect(try s.searchPool(query, limit: 50).absentWords == [])
        query.text = .or(["garden", "zqxjvw"].map { .term($0) })
        #expect(try CommonWordQueryTests().store(CommonWordQueryTests.exact).searchPool(query, limit: 50).absentWords == [])
    }

    /// `find` on a pasted title looks for the closest matches first and skips the every-word
    /// search when a word is in no entry: what it shows is what the every-word search and then
    /// the closest show, word for word, whether or not a page of entries has every word.
    @Test(arguments: [("garden kim orchard mulch zqxjvw", false), ("garden orchard mulch compost soil", true),
                      ("garden kim orchard mulch compost soil", false), ("the garden orchard and the mulch for compost soil", true)])
    func aPastedTitleShowsWhatTheEveryWordSearchAndThenTheClosestShow(_ text: String, everyWord: Bool) throws {
        let s = try CommonWordQueryTests().store(CommonWordQueryTests.lists)
        let c = Community(store: s)
        let found = try c.find(text, limit: 10, as: nil, log: false)
        let query = try QueryParser.parse(text)
        let sentence = try #require(Community.naturalSentence(text, query: query))
        #expect(sentence.words.count >= Community.coordinatedQueryWords)
        var searched = query
        searched.naturalLanguage = true
        searched.explainEmpty = false
        searched.text = NaturalQuery.withoutStopWords(try #require(query.text), keeping: sentence.required)
        let exact = try s.search(searched, limit: 10)
        #expect(exact.hits.isEmpty != everyWord, "\(exact.hits.map(\.ref))")
        let (results, notice) = try c.relaxed(sentence, exact: exact, limit: 10)
        #expect(found.results.results == results)
        #expect(found.results.notice == notice)
        #expect(!results.hits.isEmpty)
    }
}

extension NaturalSearchTests {
    /// A word's walk inside FTS5 (`knowhow_walk`) finds every row holding it, in rowid order, with
    /// the weighted count `knowhow_weighted_count` reads off that row; a word nothing holds walks
    /// nothing; called without its sink, the function says so (a SQL error, no crash).
    @Test func aWordsWalkInsideFTS5IsItsMatchesWithTheirWeightedCounts() throws {
        let s = try CommonWordQueryTests().store(CommonWordQueryTests.lists)
        try s.writer.read { db in
            let walk = try db.cachedStatement(sql: "SELECT knowhow_walk(entry_fts, ?) FROM entry_fts WHERE entry_fts MATCH ? LIMIT 1")
            for word in ["garden", "kim", "mulch", "zqxjvw", "compost"] {
                let expected = try Row.fetchAll(db, sql: "SELECT rowid, knowhow_weighted_count(entry_fts) FROM entry_fts WHERE entry_fts MATCH ? ORDER BY rowid",
                                                arguments: [FTS5Query.quote(word)])
                let walked = try SQLiteKnowledgeStore.walkMatches(walk, FTS5Query.quote(word))
                #expect(walked.keys == expected.map { $0[0] as Int64 }, "\(word)")
                #expect(walked.counts == expected.map { $0[1] as Double }, "\(word)")
                #expect(walked.keys.isEmpty == (word == "zqxjvw"))
            }
            #expect(throws: DatabaseError.self) {
                try Row.fetchAll(db, sql: "SELECT knowhow_walk(entry_fts, 'x') FROM entry_fts WHERE entry_fts MATCH 'garden' LIMIT 1")
            }
        }
    }
}
