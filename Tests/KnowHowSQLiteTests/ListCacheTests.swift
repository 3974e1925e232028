import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Ranked lists kept in memory (`ListCache`): kept under the store's file and the index's
/// version, which every change to the index changes, so a list kept is never used with an index
/// it was not read from, whoever wrote.
@Suite struct ListCacheTests {
    @Test func aStoresListsOfAnotherVersionAreDroppedAndTheCapacityHolds() {
        let cache = ListCache(capacity: 4)
        cache.keep(path: "/a", version: 1, term: "garden", list: [(8, 1.5), (16, 0.5)])
        cache.keep(path: "/b", version: 1, term: "garden", list: [(24, 2)])
        #expect(cache.list(path: "/a", version: 1, term: "garden")?.map(\.key) == [8, 16])
        #expect(cache.list(path: "/a", version: 2, term: "garden") == nil)
        #expect(cache.list(path: "/a", version: 1, term: "soil") == nil)
        // Version 2 of /a: its version 1 lists go, /b's stay.
        cache.keep(path: "/a", version: 2, term: "soil", list: [(8, 1)])
        #expect(cache.list(path: "/a", version: 1, term: "garden") == nil)
        #expect(cache.list(path: "/b", version: 1, term: "garden")?.map(\.key) == [24])
        #expect(cache.count == 2)
        // Past the capacity (4 entries) it starts again; a list longer than it is not kept.
        cache.keep(path: "/b", version: 1, term: "mulch", list: [(8, 1), (16, 1), (24, 1)])
        #expect(cache.count == 1)
        #expect(cache.list(path: "/b", version: 1, term: "mulch")?.count == 3)
        cache.keep(path: "/b", version: 1, term: "weeds", list: Array(repeating: (8, 1), count: 6))
        #expect(cache.list(path: "/b", version: 1, term: "weeds") == nil)
    }

    func fileStore(_ dir: StoreFileTests.Folder) throws -> SQLiteKnowledgeStore {
        let s = try SQLiteKnowledgeStore(path: dir.path("store.db"))
        s.searchTuning = CommonWordQueryTests.lists
        _ = try s.importCommunity(RankListTests.community(), as: .system)
        return s
    }

    func version(_ s: SQLiteKnowledgeStore) throws -> Int64 {
        try #require(try s.writer.read { try SQLiteKnowledgeStore.rankStats($0) }).indexVersion
    }

    /// Every change to the index changes its version: an entry added, edited or retagged, a list
    /// rebuilt; a change that leaves the index alone does not.
    @Test func theIndexVersionChangesWithEveryChangeToTheIndex() throws {
        let dir = try StoreFileTests.Folder()
        let s = try fileStore(dir)
        let acting = Acting(.member("kim"))
        var seen = [try version(s)]
        func changed(_ what: String) throws {
            let v = try version(s)
            #expect(!seen.contains(v), "\(what) left the index version as it was")
            seen.append(v)
        }
        let id = try s.add(Resource(title: "Garden gate hinges", kind: .guide, body: "oil the garden gate"), as: acting)
        try changed("add")
        let r = try s.resource(id)
        var e = r
        e.body = "oil the hinges of the garden gate twice a year"
        try s.update(e, expecting: r, as: acting)
        try changed("edit")
        _ = try s.retag(id, add: ["gates"], remove: [], as: acting)
        try changed("retag")
        try s.writer.write { try SQLiteKnowledgeStore.rebuildRankLists($0, tuning: CommonWordQueryTests.lists) }
        try changed("rebuild")
        try s.setSearchLogging(.off, as: .system)
        #expect(try version(s) == seen.last)
    }

    /// A sentence's pool keeps its common words' lists; an entry added through another connection
    /// (as another process would) changes the version, and the next pool reads the lists again
    /// and holds the new entry. Without the version's change the kept lists would hide it: both
    /// words are listed, so nothing else finds it.
    @Test func aKeptListIsNotUsedOnceAnotherConnectionHasChangedTheIndex() throws {
        let dir = try StoreFileTests.Folder()
        let s = try fileStore(dir)
        var query = Query(text: .or(["garden", "soil"].map { .term($0) }))
        query.naturalLanguage = true
        let before = try s.searchPool(query, limit: 10)
        #expect(!before.hits.isEmpty)
        let path = dir.path("store.db")
        let v0 = try version(s)
        for term in ["garden", "soil"] {
            let kept = try #require(ListCache.shared.list(path: path, version: v0, term: term))
            let table = try s.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT entry, impact FROM rank_list WHERE term = ? ORDER BY entry", arguments: [term])
            }
            #expect(kept.map(\.key) == table.map { $0[0] as Int64 })
            #expect(kept.map(\.share) == table.map { $0[1] as Double })
        }

        let other = try SQLiteKnowledgeStore(path: path)
        other.searchTuning = CommonWordQueryTests.lists
        let id = try other.add(Resource(title: "Garden soil", kind: .guide, summary: "garden soil", body: "garden soil garden soil"),
                               as: Acting(.member("kim")))
        let after = try s.searchPool(query, limit: 50)
        #expect(after.hits.contains { $0.ref == .entry(id) }, "\(after.hits.map(\.ref))")
        #expect(try version(s) != v0)
        let v1 = try version(s)
        let kept = try #require(ListCache.shared.list(path: path, version: v1, term: "garden"))
        #expect(kept.contains { (share: SortedShares.Share) in share.key == EntryKey.make(id) })
    }

    /// A read in a transaction that has written keeps nothing: what it reads may be rolled back.
    @Test func aTransactionThatHasWrittenNeitherUsesNorFillsTheCache() throws {
        let dir = try StoreFileTests.Folder()
        let s = try fileStore(dir)
        let path = dir.path("store.db")
        try s.writer.write { db in
            try db.execute(sql: "UPDATE rank_state SET index_version = index_version + 1000")
            let stats = try #require(try SQLiteKnowledgeStore.rankStats(db))
            let read = try SQLiteKnowledgeStore.listed(db, term: "garden", stats: stats)
            #expect(!read.isEmpty)
            #expect(ListCache.shared.list(path: path, version: stats.indexVersion, term: "garden") == nil)
        }
    }
}
