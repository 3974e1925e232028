import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// `documents` (BM25F's pool, read together) takes tags' words from a cache kept per connection
/// (+TagWords): each document must still be the one `document` reads from the tables, whatever
/// changed the tags since, on this connection or another.
struct PoolDocumentsTests {
    /// Every indexed entry's document read together, each checked against `document`'s.
    @discardableResult
    static func expectEachEntrysOwn(_ db: Database, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let keys = try Int64.fetchAll(db, sql: "SELECT rowid FROM entry_fts ORDER BY rowid")
        let together = try SQLiteKnowledgeStore.documents(db, keys: keys)
        var differ = 0
        for k in keys {
            let own = try SQLiteKnowledgeStore.document(db, key: k)
            if !same(together[k], own) { differ += 1 }
        }
        #expect(differ == 0, "\(label): \(differ) of \(keys.count) documents differ", sourceLocation: sourceLocation)
        return keys.compactMap { together[$0]?.tags }.joined(separator: "\n")
    }

    /// Equal byte for byte (Swift's == holds canonically equivalent texts equal).
    static func same(_ a: SQLiteKnowledgeStore.Document?, _ b: SQLiteKnowledgeStore.Document?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return [a.title, a.tags, a.summary, a.body].map { Array($0.utf8) } == [b.title, b.tags, b.summary, b.body].map { Array($0.utf8) }
    }

    /// The most used tag of a store.
    static func busiestTag(_ s: SQLiteKnowledgeStore) throws -> String {
        try s.read { db in
            try String.fetchOne(db, sql: "SELECT t.name FROM tag t JOIN entry_tag e ON e.tag_id = t.id GROUP BY t.id ORDER BY count(*) DESC, t.name LIMIT 1")!
        }
    }

    /// One connection that writes and reads (an in-memory store): its own writes do not change
    /// its `data_version`, so its count of changes must.
    @Test func aTagRenamedOrAliasedOnTheSameConnectionIsReadAfresh() throws {
        let s = try makeFixtureStore()
        let tag = try Self.busiestTag(s)
        try s.read { db in _ = try Self.expectEachEntrysOwn(db, "before") }
        try s.renameTag(tag, to: "renamed-twice", as: .system)
        var tags = try s.read { db in try Self.expectEachEntrysOwn(db, "renamed") }
        #expect(tags.contains("renamed twice") && !tags.contains(tag.replacingOccurrences(of: "-", with: " ") + "\n"))
        _ = try s.changeAliases("renamed-twice", add: ["alias-added"], remove: [], as: .system)
        tags = try s.read { db in try Self.expectEachEntrysOwn(db, "alias added") }
        #expect(tags.contains("renamed twice alias added"))
        _ = try s.changeAliases("renamed-twice", add: [], remove: ["alias-added"], as: .system)
        tags = try s.read { db in try Self.expectEachEntrysOwn(db, "alias removed") }
        #expect(!tags.contains("alias added"))
    }

    struct Abandon: Error {}

    /// A rename read inside a transaction that is then rolled back: the count of changes stays
    /// moved though the rows are as before, so nothing read mid-transaction may be kept.
    @Test func aTagRenameRolledBackLeavesNoRenamedWordsBehind() throws {
        let s = try makeFixtureStore()
        let tag = try Self.busiestTag(s)
        try s.read { db in _ = try Self.expectEachEntrysOwn(db, "before") }
        #expect(throws: Abandon.self) {
            try s.write { db in
                try db.execute(sql: "UPDATE tag SET name = 'rolled-back' WHERE name = ?", arguments: [tag])
                let tags = try Self.expectEachEntrysOwn(db, "inside")
                #expect(tags.contains("rolled back"))
                throw Abandon()
            }
        }
        let tags = try s.read { db in try Self.expectEachEntrysOwn(db, "after the rollback") }
        #expect(!tags.contains("rolled back"))
    }

    /// A store file is a pool: reads on a reader connection, writes on the writer, and another
    /// store (another process) on the same file; either's commit must reach the reader's tags.
    @Test func aTagRenamedOnAnotherConnectionIsReadAfresh() throws {
        let path = NSTemporaryDirectory() + "knowhow-tagwords-\(UUID().uuidString).db"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let a = try SQLiteKnowledgeStore(path: path)
        _ = try a.importCommunity(Fixture.file, as: .system)
        let tag = try Self.busiestTag(a)
        try a.read { db in _ = try Self.expectEachEntrysOwn(db, "before") }
        // The pool's own writer.
        try a.renameTag(tag, to: "renamed-by-writer", as: .system)
        var tags = try a.read { db in try Self.expectEachEntrysOwn(db, "renamed by the writer") }
        #expect(tags.contains("renamed by writer"))
        // Another store on the file.
        let b = try SQLiteKnowledgeStore(path: path)
        _ = try b.changeAliases("renamed-by-writer", add: ["alias-from-elsewhere"], remove: [], as: .system)
        tags = try a.read { db in try Self.expectEachEntrysOwn(db, "aliased by another store") }
        #expect(tags.contains("renamed by writer alias from elsewhere"))
        try b.renameTag("renamed-by-writer", to: "renamed-elsewhere", as: .system)
        tags = try a.read { db in try Self.expectEachEntrysOwn(db, "renamed by another store") }
        #expect(tags.contains("renamed elsewhere alias from elsewhere") && !tags.contains("renamed by writer"))
    }

    /// Where the store keeps an index version, a search's log written between two searches keeps
    /// the connection's tags (every interactive `find` logs one); renaming a tag an entry holds
    /// empties them, and the documents read afterwards carry the new name.
    @Test func aLoggedSearchKeepsTheConnectionsTagsAndARenameEmptiesThem() throws {
        let s = try makeFixtureStore()
        func kept() throws -> Int {
            try s.read { db in SQLiteKnowledgeStore.tagWordsCache.connection(db, version: try SQLiteKnowledgeStore.tagWordsVersion(db)).words.count }
        }
        try s.read { db in try Self.expectEachEntrysOwn(db, "first read") }
        let before = try kept()
        #expect(before > 0)
        try s.logSearch(SearchLogEntry(at: Timestamp(seconds: 0), kind: .find, query: "garden", results: 1, weak: false, member: nil))
        #expect(try kept() == before)
        let busiest = try Self.busiestTag(s)
        try s.renameTag(busiest, to: "renamed-after-logging", as: .system)
        #expect(try kept() == 0)
        let tags = try s.read { db in try Self.expectEachEntrysOwn(db, "renamed after logging") }
        #expect(tags.contains("renamed after logging"))
    }

    /// Tags are in SQLite's order of names, its bytes: a name with a combining accent (`cafe` and
    /// U+0301) comes before the same name precomposed (`café`), which Swift's String comparison
    /// holds equal to it (and, with its alias, after it).
    @Test func tagsAreInTheOrderOfTheirNamesBytes() throws {
        let s = try makeFixtureStore()
        let (key, tags) = try s.write { db -> (Int64, String) in
            let key = try Int64.fetchOne(db, sql: "SELECT entry FROM entry_tag WHERE entry & 7 = ? LIMIT 1", arguments: [EntryKey.code(.resource)])!
            try db.execute(sql: "INSERT INTO tag(name) VALUES ('caf\u{E9}')")
            let precomposed = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO tag(name) VALUES ('cafe\u{301}')")
            let combining = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO tag_alias(alias, tag_id) VALUES ('combining', ?)", arguments: [combining])
            try db.execute(sql: "INSERT INTO entry_tag(entry, tag_id) VALUES (?, ?), (?, ?)", arguments: [key, precomposed, key, combining])
            return (key, try SQLiteKnowledgeStore.documents(db, keys: [key])[key]!.tags)
        }
        #expect(tags.utf8.elementsEqual(try s.read { db in try SQLiteKnowledgeStore.document(db, key: key)!.tags }.utf8))
        let readAgain = try s.read { db in try SQLiteKnowledgeStore.documents(db, keys: [key])[key]!.tags }
        #expect(readAgain.utf8.elementsEqual(tags.utf8))
        let combining = tags.utf8.firstRange(of: "cafe\u{301} combining".utf8), precomposed = tags.utf8.firstRange(of: "caf\u{E9}".utf8)
        #expect(combining != nil && precomposed != nil && combining!.lowerBound < precomposed!.lowerBound, "\(tags)")
    }
}
