import Foundation
import Testing
import KnowHowCore

/// Several writers at once lose nothing; stores on one shared place see each other's writes.
@Suite("Contract: concurrent writers")
struct ConcurrencyContractTests {
    @Test(arguments: ContractStores.shared)
    func twoStoresOnOnePlaceWritingAtOnceLoseNothing(_ f: StoreFactory) throws {
        let place = try f.fixturePlace()
        let stores = [try place.open(), try place.open()]
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 2) { w in
            for i in 0..<40 {
                do {
                    try stores[w].add(Resource(title: "Writer \(w) resource \(i)", kind: .notes,
                                               summary: "Concurrent quokka \(w)-\(i)", tags: ["concurrency-\(w)"], contributor: "kim"), as: .system)
                    if i % 10 == 0 {
                        _ = try stores[w].ask(Question(title: "Writer \(w) question \(i)?", tags: ["concurrency-\(w)"], asker: "kim"), as: .system)
                    }
                } catch { errors.add(error) }
            }
        }
        #expect(errors.all.isEmpty, "\(errors.all.prefix(3))")
        let check = try place.open()
        let c = try check.counts()
        #expect(c.resources == 12 + 80 && c.questions == 3 + 8)
        #expect(try find(check, "quokka", limit: 500).hits.count == 80, "the index is in step with the tables")
        #expect(try find(check, "tag:concurrency-0", limit: 500).hits.count == 44)
        #expect(try find(check, "tag:concurrency-1", limit: 500).hits.count == 44)
        let numbers = try check.list(.resource, query: nil, limit: 500).hits.compactMap { hit -> Int64? in
            if case .entry(let id) = hit.ref { return id.number } else { return nil }
        }
        #expect(numbers.sorted() == Array(1...92), "every number given once")
        #expect(try check.history(of: nil, by: nil, limit: 500).count == 1 + 88, "the import and every add recorded")
    }

    @Test(arguments: ContractStores.shared)
    func aStoreSeesAnotherStoresWritesAtOnce(_ f: StoreFactory) throws {
        let place = try f.fixturePlace()
        let a = try place.open(), b = try place.open()
        let kim = Acting(.member("kim")), joe = Acting(.member("joe"))
        let id = try a.add(Resource(title: "Written by a", contributor: "kim"), as: kim)
        #expect(try b.resource(id).title == "Written by a")
        #expect(try found(b, "\"written by a\"") == [id.description])
        _ = try b.endorse("kim", tag: "supervision", by: "joe", as: joe)
        #expect(try a.endorsements(of: "kim") == ["supervision": ["joe"]])
        expectSameBytes(try snapshot(a), try snapshot(b), "two stores on one place")
    }

    @Test(arguments: ContractStores.shared)
    func anEditFromAnotherStoreMakesMineStale(_ f: StoreFactory) throws {
        let place = try f.fixturePlace()
        let a = try place.open(), b = try place.open()
        let kim = Acting(.member("kim")), joe = Acting(.member("joe"))
        let opened = try a.resource(.id("r2"))
        let theirs = try b.resource(.id("r2"))
        var t = theirs; t.summary = "Joe's better summary."; t.tags.append("templates")
        try b.update(t, expecting: theirs, as: joe)
        var mine = opened; mine.title = "Kim's title"
        #expect(knowHowError { try a.update(mine, expecting: opened, as: kim) } == .staleEdit(entry: "r2", changed: ["summary", "tags"], keptIn: nil))
        #expect(try a.resource(.id("r2")).title == "Running a good retrospective")
    }

    /// One store serves many members at once (an MCP server, a web page): who acts and when come
    /// with each write, so two members writing through the same store at the same time are each
    /// checked against their own role and recorded under their own name and time.
    @Test(arguments: ContractStores.all)
    func oneStoreServesTwoMembersAtOnce(_ f: StoreFactory) throws {
        let s = try f.fixture()
        let sam = Acting(.member("sam"), at: Timestamp("2025-07-01T09:00:00Z")!)   // a contributor
        let tom = Acting(.member("tom"), at: Timestamp("2025-07-02T09:00:00Z")!)   // a member: may not add resources
        let writers = [sam, tom]
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 2) { w in
            let me = writers[w]
            for i in 0..<20 {
                do {
                    _ = try s.ask(Question(title: "Question \(i) from \(me.actor)?", tags: ["onboarding"], asker: me.actor.handle), as: me)
                    if i == 10 { _ = try s.add(Resource(title: "Guide from \(me.actor)", contributor: me.actor.handle), as: me) }
                } catch { errors.add(error) }
            }
        }
        #expect(errors.all.count == 1 && errors.all.allSatisfy { $0.contains("contributor") && $0.contains("@tom") }, "\(errors.all)")
        let bySam = try s.history(of: nil, by: "sam", limit: 100), byTom = try s.history(of: nil, by: "tom", limit: 100)
        #expect(bySam.count == 21 && bySam.allSatisfy { $0.actor == "sam" && $0.at == sam.now }, "\(bySam.map(\.summary))")
        #expect(byTom.count == 20 && byTom.allSatisfy { $0.actor == "tom" && $0.at == tom.now }, "\(byTom.map(\.summary))")
        #expect(try s.counts().questions == 3 + 40 && s.counts().resources == 12 + 1)
    }

    @Test(arguments: ContractStores.shared)
    func concurrentEditsOfOneEntryNeverBothSave(_ f: StoreFactory) throws {
        let place = try f.fixturePlace()
        let stores = [try place.open(), try place.open()]
        let kim = Acting(.member("kim"))
        let original = try stores[0].resource(.id("r2"))
        let saved = ErrorBox(), refused = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 2) { w in
            var e = original; e.title = "Title from writer \(w)"
            do { try stores[w].update(e, expecting: original, as: kim); saved.add(KnowHowError.conflict("\(w)")) }
            catch { refused.add(error) }
        }
        #expect(saved.all.count == 1, "saved: \(saved.all), refused: \(refused.all)")
        #expect(refused.all.count == 1 && refused.all.allSatisfy { $0.contains("was changed by someone else") }, "\(refused.all)")
    }

    @Test(arguments: ContractStores.shared)
    func aStoreReopensWithItsContent(_ f: StoreFactory) throws {
        let place = try f.place()
        do {
            let s = try place.open()
            _ = try s.importCommunity(Fixture.file, as: contractActing())
        }
        let again = try place.open()
        #expect(try again.counts().resources == 12)
        expectSameBytes(try snapshot(again), try snapshot(f.fixture()), "reopened")
    }
}
