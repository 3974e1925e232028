import Foundation
import GRDB
import GRDBSQLite
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

    /// The store's file as SQLite names it (what the lists are kept under).
    func path(_ s: SQLiteKnowledgeStore) throws -> String {
        try s.writer.read { db in String(cString: sqlite3_db_filename(db.sqliteConnection, "main")) }
    }

    func version(_ s: SQLiteKnowledgeStore) throws -> Int64 {
        try #require(try s.writer.read { try SQLiteKnowledgeStore.rankStats($0) }).indexVersion
    }

    /// Every change to the index changes its version: an entry added, edited, retagged, merged
    /// away (taken out of the index), a change undone, a tag renamed, an import, a rebuild; a
    /// change that leaves the index alone does not. The rule is the schema's (triggers of
    /// migration v9), so a write that sets rank_state's counts the way older code did changes
    /// it too.
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
        let other = try s.add(Resource(title: "Garden gate hinges again", kind: .guide, body: "oil the garden gate"), as: acting)
        try changed("add another")
        _ = try s.merge(keep: .entry(id), drop: .entry(other), as: .system)
        try changed("merge")
        _ = try s.undo(nil, as: .system)
        try changed("undo")
        try s.renameTag("gates", to: "garden-gates", as: .system)
        try changed("tag rename")
        var file = CommunityFile()
        file.resources = [Resource(title: "Imported gate guide", kind: .guide, body: "gates and hinges")]
        _ = try s.importCommunity(file, as: .system)
        try changed("import")
        try s.writer.write { try SQLiteKnowledgeStore.rebuildRankLists($0, tuning: CommonWordQueryTests.lists) }
        try changed("rebuild")
        // An entry taken out the way any code must: its row out of the index, rank_state's count set.
        try s.writer.write { db in try db.execute(sql: "UPDATE rank_state SET entries = entries - 1") }
        try changed("a count set by other code")
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
        let path = try path(s)
        let v0 = try version(s)
        for term in ["garden", "soil"] {
            let kept = try #require(ListCache.shared.list(path: path, version: v0, term: term))
            let table = try s.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT entry, impact FROM rank_list WHERE term = ? ORDER BY entry", arguments: [term])
            }
            #expect(kept.map(\.key) == table.map { $0[0] as Int64 })
            #expect(kept.map(\.share) == table.map { $0[1] as Double })
        }

        let other = try SQLiteKnowledgeStore(path: dir.path("store.db"))
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

    /// An entry merged away through another connection leaves the pool at once: its lists are
    /// read again under the new version.
    @Test func anEntryTakenOutByAnotherConnectionLeavesThePool() throws {
        let dir = try StoreFileTests.Folder()
        let s = try fileStore(dir)
        var query = Query(text: .or(["garden", "soil"].map { .term($0) }))
        query.naturalLanguage = true
        let before = try s.searchPool(query, limit: 50)
        let entries = before.hits.compactMap { hit -> EntryID? in if case .entry(let id) = hit.ref, id.type == .resource { id } else { nil } }
        #expect(entries.count >= 2)
        let (keep, drop) = (entries[0], entries[1])
        let other = try SQLiteKnowledgeStore(path: dir.path("store.db"))
        other.searchTuning = CommonWordQueryTests.lists
        _ = try other.merge(keep: .entry(keep), drop: .entry(drop), as: .system)
        let after = try s.searchPool(query, limit: 50)
        #expect(!after.hits.contains { $0.ref == .entry(drop) }, "\(drop) is still in the pool")
        #expect(after.hits.contains { $0.ref == .entry(keep) })
    }

    /// A read in a transaction that has written neither uses nor fills the cache: what it reads
    /// may be rolled back, and a version it sees may be drawn again.
    @Test func aTransactionThatHasWrittenNeitherUsesNorFillsTheCache() throws {
        let dir = try StoreFileTests.Folder()
        let s = try fileStore(dir)
        let path = try path(s)
        let v = try version(s)
        // A wrong list kept under the version the transaction will see.
        ListCache.shared.keep(path: path, version: v + 1000, term: "garden", list: [(8, 99)])
        try s.writer.write { db in
            try db.execute(sql: "UPDATE rank_state SET index_version = index_version + 1000")
            let stats = try #require(try SQLiteKnowledgeStore.rankStats(db))
            #expect(stats.indexVersion == v + 1000)
            let read = try SQLiteKnowledgeStore.listed(db, term: "garden", stats: stats)
            let table = try Int64.fetchAll(db, sql: "SELECT entry FROM rank_list WHERE term = 'garden' ORDER BY entry")
            #expect(read.map(\.key) == table)
            #expect(table.count > 1)
            #expect(ListCache.shared.list(path: path, version: stats.indexVersion, term: "garden")?.count == 1)
            // Nor is one kept under a version no committed state has.
            let other = try SQLiteKnowledgeStore.listed(db, term: "soil", stats: stats)
            #expect(!other.isEmpty)
            #expect(ListCache.shared.list(path: path, version: stats.indexVersion, term: "soil") == nil)
        }
    }
}

/// The last documents read (`RecentDocuments`): kept under the store's file and the index
/// version, so a document is never served once its entry has changed.
@Suite struct RecentDocumentsTests {
    typealias Document = SQLiteKnowledgeStore.Document

    @Test func documentsAreKeptForOneStoreAndVersionUpToTheCapacity() {
        let recent = RecentDocuments(capacity: 3)
        let a = RecentDocuments.Key(path: "/a", version: 1)
        recent.keep(a, [8: Document(title: "one"), 16: Document(title: "two")])
        #expect(recent.documents(a, [8, 16, 24]).mapValues(\.title) == [8: "one", 16: "two"])
        #expect(recent.documents(RecentDocuments.Key(path: "/a", version: 2), [8]).isEmpty)
        #expect(recent.documents(RecentDocuments.Key(path: "/b", version: 1), [8]).isEmpty)
        // Past the capacity it starts again; another version replaces them all.
        recent.keep(a, [24: Document(title: "three"), 32: Document(title: "four")])
        #expect(recent.documents(a, [8, 16, 24, 32]).mapValues(\.title) == [24: "three", 32: "four"])
        recent.keep(RecentDocuments.Key(path: "/a", version: 2), [8: Document(title: "new one")])
        #expect(recent.documents(a, [24]).isEmpty)
        #expect(recent.documents(RecentDocuments.Key(path: "/a", version: 2), [8])[8]?.title == "new one")
    }

    /// A pasted title's pool keeps its documents, and its page reads them; an entry edited
    /// through another connection is read afresh (a new version), never from what was kept.
    @Test func aDocumentEditedByAnotherConnectionIsReadAfresh() throws {
        let dir = try StoreFileTests.Folder()
        let s = try ListCacheTests().fileStore(dir)
        var query = Query(text: .or(["garden", "soil", "kim"].map { .term($0) }))
        query.naturalLanguage = true
        let pool = try s.searchPool(query, limit: 50)
        guard case .entry(let id)? = pool.hits.first(where: { $0.ref.type == .resource })?.ref else {
            Issue.record("no resource in the pool"); return
        }
        let key = EntryKey.make(id)
        let first = try s.writer.read { db in try SQLiteKnowledgeStore.documents(db, keys: [key])[key] }
        #expect(first == (try s.writer.read { db in try SQLiteKnowledgeStore.document(db, key: key) }))
        let other = try SQLiteKnowledgeStore(path: dir.path("store.db"))
        let r = try other.resource(id)
        var e = r
        e.title = "Edited elsewhere: garden soil"
        try other.update(e, expecting: r, as: Acting(.member("kim")))
        _ = try s.searchPool(query, limit: 50)
        let after = try s.writer.read { db in try SQLiteKnowledgeStore.documents(db, keys: [key])[key] }
        #expect(after?.title == "Edited elsewhere: garden soil")
        let hits = try s.hits(for: try s.searchPool(query, limit: 50).hits, query: query)
        #expect(hits.contains { $0.ref == .entry(id) && Highlight.plain($0.title).hasPrefix("Edited elsewhere") })
    }
}
