import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Ranked lists (+RankLists, +RankedSearch) on a store small enough to rank exactly as well:
/// with tiny thresholds the list path runs, and must agree with FTS5's own bm25 where it should.
@Suite struct RankListTests {
    static let words = ["garden", "compost", "seedling", "harvest", "pruning", "irrigation", "mulch", "orchard",
                        "greenhouse", "soil", "weeds", "beds", "tools", "rota", "volunteers", "allotment"]

    /// 120 resources with deterministic text: every one says "garden", others vary.
    static func community() -> CommunityFile {
        var file = CommunityFile()
        file.members = [Member(handle: "kim", name: "Kim Lee", role: .curator)]
        var rng = UInt64(7)
        func next(_ n: Int) -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int((rng >> 33) % UInt64(n))
        }
        for i in 1...120 {
            let titleWords = (0..<3).map { _ in words[next(words.count)] }
            let body = (0..<(10 + next(40))).map { _ in words[next(words.count)] }.joined(separator: " ")
            file.resources.append(Resource(id: EntryID(.resource, Int64(i)), title: "Garden " + titleWords.joined(separator: " "),
                                           kind: .guide, summary: i % 3 == 0 ? "about compost" : nil, body: body,
                                           tags: i % 4 == 0 ? ["growing"] : [], contributor: "kim"))
        }
        return file
    }

    static let tiny = SearchTuning(listMinDocs: 20, listLength: 40, exactLimit: 15)
    static let exact = SearchTuning(listMinDocs: 20, listLength: 40, exactLimit: 1_000_000)

    func store(_ tuning: SearchTuning) throws -> SQLiteKnowledgeStore {
        let acting = Acting.system
        let s = try SQLiteKnowledgeStore()
        s.searchTuning = tuning
        _ = try s.importCommunity(Self.community(), as: acting)
        return s
    }

    func keys(_ r: SearchResults) -> [String] { r.hits.map { $0.ref.description } }

    @Test func importBuildsListsForCommonTermsOnly() throws {
        let s = try store(Self.tiny)
        let (terms, rows, state) = try s.writer.read { db in
            (try String.fetchAll(db, sql: "SELECT term FROM rank_term ORDER BY term"),
             try Int.fetchOne(db, sql: "SELECT max(n) FROM (SELECT count(*) n FROM rank_list GROUP BY term)") ?? 0,
             try Int.fetchOne(db, sql: "SELECT entries FROM rank_state") ?? 0)
        }
        #expect(terms.contains("garden"))
        #expect(terms.contains("grow"))           // the tag, stemmed: on 30 entries
        #expect(!terms.contains("kim"))           // one entry
        #expect(rows <= 40)
        #expect(state == 121)                     // 120 resources and 1 member
    }

    @Test(arguments: ["garden", "compost", "soil", "garden*", "comp*", "garden OR soil"])
    func singleWordsPrefixesAndOrAgreeWithExactRanking(_ q: String) throws {
        let listed = try store(Self.tiny), exact = try store(Self.exact)
        let a = try listed.search(QueryParser.parse(q), limit: 10)
        let b = try exact.search(QueryParser.parse(q), limit: 10)
        #expect(a.hits.count == 10)
        #expect(a.more)
        if !q.contains("*") && !q.contains("OR") {
            // A single word: the list holds its best entries with bm25's own scores.
            #expect(keys(a) == keys(b) || zip(a.hits, b.hits).allSatisfy { abs($0.score - $1.score) < 1e-9 })
        } else {
            // Every entry shown matches the query.
            let all = Set(keys(try exact.search(QueryParser.parse(q), limit: 500)))
            #expect(Set(keys(a)).isSubset(of: all))
        }
    }

    @Test(arguments: ["garden compost", "garden -compost", "\"garden compost\"", "garden tag:growing", "garden type:resource"])
    func everyShownEntryMatchesTheWholeQuery(_ q: String) throws {
        let listed = try store(Self.tiny), exact = try store(Self.exact)
        let a = try listed.search(QueryParser.parse(q), limit: 10)
        let all = Set(keys(try exact.search(QueryParser.parse(q), limit: 500)))
        #expect(!a.hits.isEmpty)
        #expect(Set(keys(a)).isSubset(of: all), "\(q): \(keys(a)) not all in exact results")
        #expect(a.hits.count == min(10, all.count))
    }

    @Test func aHyphenatedWordWithAnExclusionStillNeedsItsWordsTogether() throws {
        // `garden-tools` is the phrase "garden tools" to FTS5: candidates from the words' lists must
        // still be checked for it, exclusion or not.
        let listed = try store(Self.tiny), exact = try store(Self.exact)
        for q in ["garden-tools -mulch", "garden-tools"] {
            let a = try listed.search(QueryParser.parse(q), limit: 10)
            let all = Set(keys(try exact.search(QueryParser.parse(q), limit: 500)))
            #expect(Set(keys(a)).isSubset(of: all), "\(q): \(keys(a)) not all in \(all.sorted())")
            #expect(a.hits.count == min(10, all.count), "\(q)")
        }
    }

    @Test func whoStyleTopicWithAPhraseUsesTheLists() throws {
        // `who "garden compost"` asks for garden OR compost OR "garden compost": the phrase adds no
        // matches, so the lists rank it, and every piece of evidence matches a word.
        let listed = try store(Self.tiny)
        let query = try ExpertRanker.relaxedQuery("\"garden compost\"")
        guard case .or(let parts)? = query.text else { Issue.record("not an OR: \(String(describing: query.text))"); return }
        #expect(SQLiteKnowledgeStore.isDisjunction(.or(parts)))
        #expect(!SQLiteKnowledgeStore.containsPhrase(.or(parts)))
        let docs = try listed.evidence(query, limit: 20, asOf: nil)
        #expect(docs.count == 20)
        let either = Set(keys(try store(Self.exact).search(QueryParser.parse("garden OR compost"), limit: 500)))
        #expect(docs.allSatisfy { either.contains($0.id.description) })
    }

    /// Evidence for `who` is entries, never members: members are left out of the ranked keys (not
    /// by a condition on the search, which sent a phrase of common words to rank every match), and
    /// the search reads deeper when they took places. Where ranking is exact, the evidence is the
    /// best entries as the condition gave them.
    @Test func evidenceLeavesMembersOutAndReadsDeeperForThem() throws {
        for tuning in [Self.tiny, Self.exact] {
            let s = try store(tuning)
            for n in 0..<12 {
                _ = try s.add(Member(handle: "gardener\(n)", name: "Garden Compost \(n)", bio: "garden compost garden compost garden"),
                              as: .system)
            }
            for topic in ["garden", "garden compost", "\"garden compost\""] {
                let query = try ExpertRanker.relaxedQuery(topic)
                let docs = try s.evidence(query, limit: 20, asOf: nil)
                #expect(docs.count == 20, "\(topic)")
                #expect(docs.allSatisfy { $0.id.type != .member }, "\(topic)")
                // The members do take places among the best 20: the deeper read is needed.
                let node = try #require(query.text), match = try #require(FTS5Query.render(node))
                let unconditioned = try s.read { db in
                    try SQLiteKnowledgeStore.rankedKeys(db, node: node, match: match, conditions: [], arguments: [], limit: 20, tuning: tuning)
                }
                #expect(unconditioned.contains { $0.key & 7 == EntryKey.code(.member) }, "\(topic)")
                guard tuning.exactLimit == Self.exact.exactLimit else { continue }
                let conditioned = try s.read { db in
                    try SQLiteKnowledgeStore.rankedKeys(db, node: node, match: match, conditions: ["(k & 7) IN (2, 3, 4, 5, 7)"],
                                                        arguments: [], limit: 20, tuning: tuning)
                }
                #expect(docs.map { EntryKey.make($0.id) } == conditioned.map(\.key), "\(topic)")
            }
        }
    }

    @Test func taggedListingsComeInTypeAndIdOrderFromTheTagsIndex() throws {
        let s = try store(Self.tiny)
        let all = try s.search(QueryParser.parse("tag:growing"), limit: 100)
        #expect(keys(all) == stride(from: 4, through: 120, by: 4).map { "r\($0)" })
        let page = try s.search(QueryParser.parse("tag:growing"), limit: 3)
        #expect(keys(page) == ["r4", "r8", "r12"])
        #expect(page.more)
        #expect(try s.search(QueryParser.parse("tag:growing type:practice"), limit: 3).hits.isEmpty)
        // Exclusions and other filters still apply.
        let without = try s.search(QueryParser.parse("tag:growing -garden"), limit: 100)
        #expect(without.hits.isEmpty)
    }

    @Test func listsFollowSingleWrites() throws {
        var acting = Acting.system
        let s = try store(Self.tiny)
        acting.actor = .member("kim")
        let id = try s.add(Resource(title: "Garden garden garden", kind: .guide, summary: "garden garden", body: "garden"), as: acting)
        let top = try s.search(QueryParser.parse("garden"), limit: 3)
        #expect(top.hits.first?.ref.description == id.description)
        let inList = try s.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM rank_list WHERE term = 'garden' AND entry = ?", arguments: [EntryKey.make(id)]) ?? 0
        }
        #expect(inList == 1)
        _ = try s.undo(nil, as: acting)   // takes the added resource away again
        let after = try s.search(QueryParser.parse("garden"), limit: 3)
        #expect(!keys(after).contains(id.description))
        let gone = try s.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM rank_list WHERE entry = ?", arguments: [EntryKey.make(id)]) ?? 0
        }
        #expect(gone == 0)
    }

    @Test func listsAreRebuiltWhenTheStoreDoublesOneEntryAtATime() throws {
        var acting = Acting.system
        // No import after the first: entries arrive one by one, as in a community that grows by hand.
        let s = try SQLiteKnowledgeStore()
        s.searchTuning = Self.tiny
        var first = CommunityFile()
        first.members = [Member(handle: "kim", name: "Kim Lee", role: .curator)]
        _ = try s.importCommunity(first, as: acting)
        acting.actor = .member("kim")
        func listed() throws -> [String] { try s.writer.read { try String.fetchAll($0, sql: "SELECT term FROM rank_term") } }
        func built() throws -> Int? { try s.writer.read { try Int.fetchOne($0, sql: "SELECT built_entries FROM rank_state") } }
        func add(_ i: Int) throws { _ = try s.add(Resource(title: "Orchard note \(i)", kind: .guide, body: "orchard pruning"), as: acting) }
        for i in 1...18 { try add(i) }
        #expect(try built() == 1)              // the import's: one member
        try add(19)                            // 20 entries: the list minimum, and more than twice 1
        #expect(try built() == 20)
        #expect(try !listed().contains("orchard"))   // in 19 entries, one short of a list
        for i in 20...38 { try add(i) }
        #expect(try built() == 20)             // 39 entries: not yet twice 20
        try add(39)
        #expect(try built() == 40)
        #expect(try listed().contains("orchard"))
    }

    /// The lists as they should be, made here from every indexed entry's own text: tokenized as
    /// the index tokenizes, weighted by column, each term's best entries by bm25's share, ties to
    /// the newer entry. Only terms in at least `tuning.listMinDocs` entries.
    static func listsFromTheText(_ db: Database, _ tuning: SearchTuning) throws
        -> (lists: [String: [Int64: Double]], entries: [String: Int], floors: [String: Double]) {
        let tokenizer = try db.makeTokenizer(SQLiteKnowledgeStore.stemmer)
        var weights: [Int64: [String: Double]] = [:], lengths: [Int64: Int] = [:]
        for key in try Int64.fetchAll(db, sql: "SELECT id FROM entry_fts_docsize") {
            let doc = try #require(try SQLiteKnowledgeStore.document(db, key: key))
            for (c, text) in [doc.title, doc.tags, doc.summary, doc.body].enumerated() {
                for (token, flags) in try tokenizer.tokenize(document: text) where !flags.contains(.colocated) {
                    weights[key, default: [:]][token, default: 0] += SQLiteKnowledgeStore.columnWeights[c]
                    lengths[key, default: 0] += 1
                }
            }
        }
        let average = Double(lengths.values.reduce(0, +)) / Double(try Int.fetchOne(db, sql: "SELECT count(*) FROM entry_fts_docsize") ?? 1)
        var scored: [String: [(Double, Int64)]] = [:]
        for (key, terms) in weights {
            for (term, w) in terms {
                let length = Double(lengths[key] ?? 0)
                scored[term, default: []].append((SQLiteKnowledgeStore.impact(weightedCount: w, length: length, averageLength: average), key))
            }
        }
        var lists: [String: [Int64: Double]] = [:], entries: [String: Int] = [:], floors: [String: Double] = [:]
        for (term, all) in scored where all.count >= tuning.listMinDocs {
            let best = all.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 > $1.1 }.prefix(tuning.listLength)
            lists[term] = Dictionary(uniqueKeysWithValues: best.map { ($0.1, $0.0) })
            entries[term] = all.count
            floors[term] = best.last?.0
        }
        return (lists, entries, floors)
    }

    /// 300 resources of random words from a skewed vocabulary, with one word in exactly as many
    /// entries as a list needs and one in one fewer.
    static func randomCommunity(seed: UInt64) -> CommunityFile {
        var file = CommunityFile()
        file.members = [Member(handle: "kim", name: "Kim Lee", role: .curator)]
        var rng = seed
        func next(_ n: Int) -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int((rng >> 33) % UInt64(n))
        }
        // Squared: the first words are far more common than the last.
        func word() -> String { let i = next(40); return words[(i * i / 40) % words.count] + (i > 30 ? "s" : "") }
        for i in 1...300 {
            var title = (0..<(1 + next(4))).map { _ in word() }
            if i <= 25 { title.append("quince") }       // exactly 25 entries
            if i > 276 { title.append("medlar") }        // 24 entries
            file.resources.append(Resource(id: EntryID(.resource, Int64(i)), title: title.joined(separator: " "), kind: .guide,
                                           summary: next(3) == 0 ? (0..<next(6)).map { _ in word() }.joined(separator: " ") : nil,
                                           body: (0..<next(60)).map { _ in word() }.joined(separator: " "),
                                           tags: next(5) == 0 ? ["growing"] : [], contributor: "kim"))
        }
        return file
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func listsBuiltFromTheIndexEqualListsMadeFromTheEntriesText(_ seed: UInt64) throws {
        let tuning = SearchTuning(listMinDocs: 25, listLength: 10, exactLimit: 15)
        let s = try SQLiteKnowledgeStore()
        s.searchTuning = tuning
        _ = try s.importCommunity(Self.randomCommunity(seed: seed), as: .system)
        try s.writer.read { db in
            let expected = try Self.listsFromTheText(db, tuning)
            var lists: [String: [Int64: Double]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT term, entry, impact FROM rank_list") {
                lists[row[0], default: [:]][row[1]] = row[2]
            }
            var entries: [String: Int] = [:], floors: [String: Double] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT term, entries, floor FROM rank_term") {
                entries[row[0]] = row[1]; floors[row[0]] = row[2]
            }
            #expect(expected.lists.count > 10)
            #expect(entries["quinc"] == 25)         // stemmed; in exactly enough entries
            #expect(entries["medlar"] == nil)       // one short
            #expect(lists == expected.lists)
            #expect(entries == expected.entries)
            #expect(floors == expected.floors)
        }
    }

    @Test func docsizeVarintsAreSummed() {
        // 3 columns: 5, 200 (two bytes: 0x81 0x48), 0.
        let bytes: [UInt8] = [5, 0x81, 0x48, 0]
        let total = bytes.withUnsafeBufferPointer { SQLiteKnowledgeStore.sumVarints($0.baseAddress!, count: 4) }
        #expect(total == 205)
    }

    @Test func topKKeepsTheBest() {
        var t = TopK(capacity: 3)
        for (s, k) in [(1.0, 1), (5.0, 2), (3.0, 3), (4.0, 4), (2.0, 5)] { t.offer(s, Int64(k)) }
        #expect(Set(t.items.map(\.1)) == [2, 3, 4])
        #expect(t.floor == 3.0)
    }
}
