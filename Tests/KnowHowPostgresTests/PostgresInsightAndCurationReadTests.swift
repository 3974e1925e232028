import Foundation
import Testing
import KnowHowCore
import KnowHowSQLite
@testable import KnowHowPostgres

/// The facts insights, `who`, `similar`, `duplicates` and the curation plans read, on the same
/// community in both stores: PostgreSQL must give what SQLite gives.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresInsightAndCurationReadTests {
    /// Near-duplicates and look-alikes beside the demo, so `duplicates` and `similar` have pairs to find.
    static let extra = CommunityFile(
        members: [Member(handle: "liamoconnor", name: "Liam OConnor", organisation: "Elsewhere"),
                  Member(handle: "dup-mail", name: "Someone Else", email: "DUP@example.org"),
                  Member(handle: "dup-mail2", name: "Another One", email: "dup@example.org")],
        resources: [Resource(title: "Onboarding checklist for new starter", url: "https://www.example.org/onboarding/", kind: .template,
                             tags: ["onboarding"], created: Timestamp("2024-05-01T09:00:00Z"), updated: Timestamp("2024-05-01T09:00:00Z")),
                    Resource(title: "A checklist for onboarding new starters", url: "http://example.org/onboarding#top", kind: .guide,
                             tags: ["onboarding"], created: Timestamp("2024-05-02T09:00:00Z"), updated: Timestamp("2024-05-02T09:00:00Z"))],
        practices: [Practice(title: "Pair new starters with a buddy for the first month", tags: ["onboarding"],
                             reviewBy: Day("2025-01-15"), created: Timestamp("2024-05-03T09:00:00Z"), updated: Timestamp("2024-05-03T09:00:00Z"))])

    func withBoth(_ body: (PostgresKnowledgeStore, SQLiteKnowledgeStore) throws -> Void) throws {
        // Both stores import the same file, so members get the same numbers in each.
        let (demo, _) = try PostgresStoreTests.sqliteDemo()
        _ = try demo.importCommunity(Self.extra, as: .system)
        let both = try demo.exportCommunity().encoded()
        let sqlite = try SQLiteKnowledgeStore()
        _ = try sqlite.importCommunity(CommunityFile.decode(both, path: "exported.json"), as: .system)
        try TestServer.withDatabase { db in
            let pg = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            _ = try pg.importCommunity(CommunityFile.decode(both, path: "exported.json"))
            try body(pg, sqlite)
        }
    }

    /// Expects equal lists, naming the first place they differ (the lists can be long).
    func expectSame<T: Equatable>(_ mine: [T], _ theirs: [T], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard mine != theirs else { return }
        let i = zip(mine, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(mine.count, theirs.count)
        let a = i < mine.count ? "\(mine[i])" : "-", b = i < theirs.count ? "\(theirs[i])" : "-"
        Issue.record("\(what): \(mine.count) vs \(theirs.count) items, first difference at \(i): \(a) ≠ \(b)", sourceLocation: sourceLocation)
    }

    // MARK: - Insight facts

    @Test func insightFactsAreTheSQLiteStores() throws {
        try withBoth { pg, sqlite in
            #expect(try pg.searchLogging() == .on)
            let log = try pg.searchLog(in: nil)
            #expect(!log.isEmpty)
            #expect(log == (try sqlite.searchLog(in: nil)))
            let period = Period(start: log[log.count / 3].at, end: log[2 * log.count / 3].at)
            #expect(try pg.searchLog(in: period) == sqlite.searchLog(in: period))
            #expect(try pg.allMembers() == sqlite.allMembers())
            let activity = try pg.activity(since: nil)
            #expect(Set(activity.map(\.kind)).count >= 6, "joins, entries, questions, answers, verifications, searches…")
            expectSame(activity, try sqlite.activity(since: nil), "activity")
            let since = activity[activity.count / 2].at
            expectSame(try pg.activity(since: since), try sqlite.activity(since: since), "activity since")
            #expect(try pg.unansweredQuestions() == sqlite.unansweredQuestions())
            #expect(try pg.tagVocabulary().names == sqlite.tagVocabulary().names)
            for cutoff in ["2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "2030-01-01T00:00:00Z"] {
                let t = Timestamp(cutoff)!
                #expect(try pg.untouched(since: t) == sqlite.untouched(since: t), "\(cutoff)")
            }
        }
    }

    @Test func aLoggedSearchIsReadBackAsSQLiteReadsIt() throws {
        try withBoth { pg, sqlite in
            let member = try #require(try sqlite.allMembers().first?.handle)
            let long = String(repeating: "word ", count: 200)
            for e in [SearchLogEntry(at: Timestamp("2031-01-01T10:00:00Z")!, kind: .find, query: "budget", results: 3, member: member),
                      SearchLogEntry(at: Timestamp("2031-01-01T10:00:01Z")!, kind: .who, query: long, results: -2, weak: true, member: "no-such-member")] {
                try pg.logSearch(e)
                try sqlite.logSearch(e)
            }
            let after = Period(start: Timestamp("2031-01-01T00:00:00Z")!, end: Timestamp("2031-12-31T00:00:00Z")!)
            let logged = try pg.searchLog(in: after)
            #expect(logged.count == 2)
            #expect(logged.first?.member == member)
            #expect(logged.last?.query.count == SearchLogEntry.maxQueryLength && logged.last?.results == 0)
            #expect(logged == (try sqlite.searchLog(in: after)))
        }
    }

    /// Endorsements (which a community file does not carry) read back and show in the activity as in SQLite.
    @Test func endorsementsAndTheirActivityAreTheSQLiteStores() throws {
        try withBoth { pg, sqlite in
            let members = try sqlite.allMembers().filter { !$0.skills.isEmpty }
            let at = Acting(.system, at: Timestamp("2031-02-01T09:00:00Z")!)
            // Given in an order that is not the stores' key order, all at one moment.
            for (m, by) in [(members[3], members[0]), (members[1], members[2]), (members[0], members[4]), (members[1], members[0])] {
                let tag = m.skills[0].tag
                #expect(try pg.endorse(m.handle, tag: tag, by: by.handle, as: at) == sqlite.endorse(m.handle, tag: tag, by: by.handle, as: at))
            }
            for m in members.prefix(5) {
                #expect(try pg.endorsements(of: m.handle) == sqlite.endorsements(of: m.handle), "@\(m.handle)")
                #expect(try pg.evidenceTags(of: m.handle, limit: 5).map { "\($0.tag) \($0.weight)" }
                        == sqlite.evidenceTags(of: m.handle, limit: 5).map { "\($0.tag) \($0.weight)" })
            }
            #expect(!(try pg.endorsements(of: members[1].handle)).isEmpty)
            let since = Timestamp("2031-01-01T00:00:00Z")!
            let mine = try pg.activity(since: since)
            #expect(mine.filter { $0.kind == .endorsed }.count == 4)
            expectSame(mine, try sqlite.activity(since: since), "activity with endorsements")
            let tags = Array(Set(members.prefix(5).map { $0.skills[0].tag })).sorted()
            let handles = Set(members.prefix(5).map(\.handle))
            expectSame(try pg.memberFacts(handles: handles, tags: tags), try sqlite.memberFacts(handles: handles, tags: tags), "member facts with endorsements")
        }
    }

    // MARK: - Evidence for `who`

    static let topics = ["onboarding", "supervision", "reflective practice", "risk assessment", "facilitating", "budget OR funding",
                         "safeguarding children", "\"social care\"", "data protection", "zzyzzx"]

    @Test func evidenceForWhoIsTheSQLiteStores() throws {
        try withBoth { pg, sqlite in
            let handles = Set(try sqlite.allMembers().map(\.handle))
            for topic in Self.topics {
                let q = try ExpertRanker.relaxedQuery(topic)
                #expect(try pg.topicTags(q) == sqlite.topicTags(q), "\(topic)")
                // The same entries, each with the same links, tags and date (their order is each store's ranking).
                let mine = try pg.evidence(q, limit: 200, asOf: nil), theirs = try sqlite.evidence(q, limit: 200, asOf: nil)
                func facts(_ docs: [EvidenceDoc]) -> [String] {
                    docs.map { "\($0.id) \($0.title) \($0.date?.description ?? "-") \($0.tags) \($0.links.map { "\($0.handle):\($0.how)" }) \($0.votes ?? -1) \($0.thread?.description ?? "")" }.sorted()
                }
                expectSame(facts(mine), facts(theirs), topic)
                #expect(mine.map(\.relevance) == mine.map(\.relevance).sorted(by: >), "\(topic): best first")
                let asOf = Timestamp("2024-06-01T00:00:00Z")!
                #expect(facts(try pg.evidence(q, limit: 200, asOf: asOf)) == facts(try sqlite.evidence(q, limit: 200, asOf: asOf)), "\(topic) as of")
            }
            let tags = try sqlite.topicTags(try ExpertRanker.relaxedQuery("onboarding supervision"))
            #expect(!tags.isEmpty)
            let some: Set<String> = Set(handles.sorted().prefix(7))
            expectSame(try pg.memberFacts(handles: some, tags: tags), try sqlite.memberFacts(handles: some, tags: tags), "member facts")
            #expect(try pg.memberFacts(handles: [], tags: []) == sqlite.memberFacts(handles: [], tags: []))
            for newest in [1, 3, ExpertRanker.workSample] {
                for asOf in [nil, Timestamp("2024-06-01T00:00:00Z")] {
                    #expect(try pg.work(of: handles, asOf: asOf, newest: newest) == sqlite.work(of: handles, asOf: asOf, newest: newest),
                            "newest \(newest) as of \(asOf?.description ?? "now")")
                }
            }
            let words = ["onboarding", "zzyzzx", "supervise", "qwertyuiop"]
            #expect(try pg.unmatchedWords(words) == sqlite.unmatchedWords(words))
            #expect(try pg.unmatchedWords(words) == ["zzyzzx", "qwertyuiop"])
            for h in handles.sorted() {
                #expect(try pg.endorsements(of: h) == sqlite.endorsements(of: h), "@\(h)")
                #expect(try pg.evidenceTags(of: h, limit: 5).map { "\($0.tag) \($0.weight)" }
                        == sqlite.evidenceTags(of: h, limit: 5).map { "\($0.tag) \($0.weight)" }, "@\(h)")
            }
        }
    }

    /// `who` itself, ranked by the core on each store's evidence (bm25-ordered on both): the same
    /// people in the same order.
    @Test func whoFindsTheSamePeopleInTheSameOrderOnBothStores() throws {
        try withBoth { pg, sqlite in
            var found = 0
            for topic in Self.topics.dropLast() {
                var request = ExpertQuery(topic: topic)
                request.limit = 5
                let now = Timestamp("2025-06-01T00:00:00Z")!
                let mine = try ExpertRanker.rank(request, source: pg, now: now).map(\.member.handle)
                let theirs = try ExpertRanker.rank(request, source: sqlite, now: now).map(\.member.handle)
                #expect(mine == theirs, "\(topic)")
                if !theirs.isEmpty { found += 1 }
                // Recent topic work and the time of day, which the standard weights leave out, read
                // the same evidence, so they order alike too. (The closest threads do not always:
                // the stores' bm25 differ in the third decimal, which can move the tenth thread.)
                let others = ExpertWeights([.recent: 1, .availability: 1])
                #expect(try ExpertRanker.rank(request, source: pg, now: now, weights: others).map(\.member.handle)
                        == ExpertRanker.rank(request, source: sqlite, now: now, weights: others).map(\.member.handle), "\(topic)")
            }
            #expect(found >= 6, "most topics find someone, or the comparison proves little")
        }
    }

    // MARK: - Curation reads

    @Test func duplicatesAndSimilarEntriesAreTheSQLiteStores() throws {
        try withBoth { pg, sqlite in
            let pairs = try pg.duplicates(limit: 50)
            expectSame(pairs, try sqlite.duplicates(limit: 50), "duplicates")
            let whys = Set(pairs.map(\.why))
            #expect(whys.contains(Similarity.sameAddress) && whys.contains(Similarity.sameEmail) && whys.contains(Similarity.sameName), "\(whys)")
            #expect(whys.contains { $0.hasPrefix("near-identical") }, "\(whys)")
            #expect(try pg.duplicates(limit: 2) == Array(pairs.prefix(2)))
            let drafts = [
                Draft(type: .resource, title: "Onboarding checklist", url: "example.org/onboarding", tags: ["onboarding"]),
                Draft(type: .resource, title: "Checklist for new starters", summary: "The first two weeks", tags: ["templates"]),
                Draft(type: .practice, title: "Give new starters a buddy", tags: ["onboarding"]),
                Draft(type: .question, title: "How do I run reflective supervision?"),
                Draft(type: .member, title: "Kim Lee", email: "dup@EXAMPLE.org"),
                Draft(type: .member, title: "Nobody Like This"),
            ]
            for d in drafts {
                #expect(try pg.similar(to: d, limit: 8) == sqlite.similar(to: d, limit: 8), "\(d.title)")
            }
            #expect(!(try pg.similar(to: drafts[0], limit: 8)).isEmpty)
            // A tag that cannot be one is the same refusal.
            let bad = Draft(type: .resource, title: "Onboarding checklist", tags: ["c++"])
            let refusal = #expect(throws: KnowHowError.self) { try sqlite.similar(to: bad, limit: 8) }
            #expect(throws: refusal!) { try pg.similar(to: bad, limit: 8) }
        }
    }

    @Test func plansReviewsSuccessorsAndRedirectsAreTheSQLiteStores() throws {
        try withBoth { pg, sqlite in
            let file = try sqlite.exportCommunity()
            for day in ["2024-01-01", "2025-01-10", "2026-06-01"] {
                #expect(try pg.dueForReview(within: 30, today: Day(day)!) == sqlite.dueForReview(within: 30, today: Day(day)!), "\(day)")
            }
            #expect(!(try pg.dueForReview(within: 30, today: Day("2025-01-10")!)).isEmpty)
            let tags = file.tags.map(\.name)
            for (a, b) in zip(tags.prefix(6), tags.dropFirst(3).prefix(6)) {
                #expect(try pg.tagMergePlan(a, into: b) == sqlite.tagMergePlan(a, into: b), "\(a) into \(b)")
            }
            // Refusals are the same sentences.
            let alias = try #require(file.tags.first { !$0.aliases.isEmpty })
            for (a, b) in [(alias.aliases[0], tags[0]), (tags[0], tags[0]), (tags[0], "no-such-tagg"), ("no-such-tagg", tags[0])] {
                let theirs = #expect(throws: KnowHowError.self) { try sqlite.tagMergePlan(a, into: b) }
                #expect(throws: theirs!) { try pg.tagMergePlan(a, into: b) }
            }
            let r = file.resources.compactMap(\.id), p = file.practices.compactMap(\.id), m = file.members.map(\.handle)
            let plans: [(EntryRef, EntryRef)] = [(.entry(r[0]), .entry(r[1])), (.entry(r[5]), .entry(r[2])), (.entry(p[0]), .entry(p[3])),
                                                 (.member(m[0]), .member(m[1])), (.member(m[4]), .member(m[2]))]
            for (keep, drop) in plans {
                #expect(try pg.mergePlan(keep: keep, drop: drop) == sqlite.mergePlan(keep: keep, drop: drop), "\(drop) into \(keep)")
            }
            for (keep, drop) in [(EntryRef.entry(r[0]), EntryRef.entry(r[0])), (.entry(r[0]), .entry(p[0])),
                                 (.entry(EntryID(.resource, 9999)), .entry(r[0])), (.member(m[0]), .member("nobody-here"))] {
                let theirs = #expect(throws: KnowHowError.self) { try sqlite.mergePlan(keep: keep, drop: drop) }
                #expect(throws: theirs!) { try pg.mergePlan(keep: keep, drop: drop) }
            }
            for id in (r + p).prefix(40) {
                #expect(try pg.redirect(.entry(id)) == nil)
                if id.type == .practice { #expect(try pg.successor(of: id) == sqlite.successor(of: id)) }
            }
            #expect(try pg.redirect(.member(m[0])) == nil)
            #expect(try pg.redirect(.entry(EntryID(.resource, 9999))) == nil)
        }
    }
}

/// bm25's idf in a large store: common words' shares come from the planner's statistics instead
/// of counting; on the demo the order stays what exact counts give.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresBM25StatisticsTests {
    @Test func sharesFromTheStatisticsRankAsExactCounts() throws {
        let (_, bytes) = try PostgresStoreTests.sqliteDemo()
        try TestServer.withDatabase { db in
            let pg = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            _ = try pg.importCommunity(CommunityFile.decode(bytes, path: "exported.json"))
            let c = try db.connect()
            try c.executeScript("ANALYZE knowhow.entry_text")
            let common: Int = try c.query("""
                SELECT cardinality(most_common_elems::text::text[]) AS n FROM pg_stats
                WHERE schemaname = 'knowhow' AND tablename = 'entry_text' AND attname = 'search'
                """).first!.require("n")
            #expect(common > 20, "the statistics hold common lexemes")
            for text in ["onboarding checklist", "supervision OR mentoring", "new starters buddy", "data protection"] {
                let node = try #require(try QueryParser.parse(text).text)
                let keys = try c.query("SELECT entry FROM knowhow.entry_text WHERE search @@ to_tsquery('\(TSQuery.configuration)', $1)",
                                       [TSQuery.render(node)!]).rows.map { try $0.require("entry", as: Int64.self) }
                #expect(!keys.isEmpty, "\(text)")
                let exact = try PostgresBM25.rank(c, node: node, keys: keys).map(\.key)
                let estimated = try PostgresBM25.rank(c, node: node, keys: keys, exactCounts: 10).map(\.key)
                #expect(Array(estimated.prefix(5)) == Array(exact.prefix(5)), "\(text)")
            }
        }
    }
}
