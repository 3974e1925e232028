import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// What lasts a transaction lives on its WriteSession: an import's bulk indexing (which leaves the
/// ranked lists to the import's end) belongs to the import, not to the connection or the process.
@Suite struct WriteSessionTests {
    static func listed(_ s: SQLiteKnowledgeStore, _ key: Int64) throws -> Bool {
        try s.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM rank_list WHERE entry = ?", arguments: [key]) ?? 0 } > 0
    }

    @Test func anImportsBulkIndexingBelongsToItsSessionNotToTheConnection() throws {
        let acting = Acting.system
        let s = try SQLiteKnowledgeStore()
        s.searchTuning = RankListTests.tiny
        _ = try s.importCommunity(RankListTests.community(), as: acting)
        let strong = Resource(title: "Garden garden garden", kind: .guide, summary: "garden garden", body: "garden")
        let (imported, single, noted) = try s.write { db in
            // One transaction, one connection: an import's session and a single write's.
            let importing = WriteSession(importing: true)
            let a = try SQLiteKnowledgeStore.insertResource(db, strong, number: nil, session: importing)
            try importing.flushIndex(db)
            // A single write leaves its indexing to its change's end, which does this.
            let b = try SQLiteKnowledgeStore.insertResource(db, strong, number: nil, session: WriteSession())
            try SQLiteKnowledgeStore.reindex(db, key: EntryKey.make(.resource, b), old: nil)
            return (EntryKey.make(.resource, a), EntryKey.make(.resource, b), importing.importedKeys)
        }
        #expect(noted == [imported])
        #expect(try !Self.listed(s, imported))   // left to the import's end
        #expect(try Self.listed(s, single))      // joined the lists at once
    }

    @Test func twoStoresImportingAtOnceEachEndWithTheListsOfTheirOwnImport() throws {
        let acting = Acting.system
        let reference = try SQLiteKnowledgeStore()
        reference.searchTuning = RankListTests.tiny
        _ = try reference.importCommunity(RankListTests.community(), as: acting)
        func lists(_ s: SQLiteKnowledgeStore) throws -> [String] {
            try s.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT term, entry, impact FROM rank_list ORDER BY term, entry").map { "\($0)" }
                    + Row.fetchAll(db, sql: "SELECT entries, tokens, list_length, list_min_docs, built_entries FROM rank_state").map { "\($0)" }
            }
        }
        let expected = try lists(reference)
        #expect(!expected.isEmpty)

        let stores = try (0..<2).map { _ in
            let s = try SQLiteKnowledgeStore()
            s.searchTuning = RankListTests.tiny
            return s
        }
        // The second store is written one entry at a time while the first imports.
        let results = Locked<[Int: Result<Void, Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let r = Result {
                if i == 0 {
                    _ = try stores[0].importCommunity(RankListTests.community(), as: .system)
                } else {
                    var first = CommunityFile()
                    first.members = [Member(handle: "kim", name: "Kim Lee", role: .curator)]
                    _ = try stores[1].importCommunity(first, as: .system)
                    for n in 1...39 { _ = try stores[1].add(Resource(title: "Orchard note \(n)", kind: .guide, body: "orchard pruning"), as: Acting(.member("kim"))) }
                }
            }
            results.withLock { $0[i] = r }
        }
        for r in results.withLock({ $0.values }) { try r.get() }
        #expect(try lists(stores[0]) == expected)
        let orchard = try stores[1].writer.read { try Int.fetchOne($0, sql: "SELECT entries FROM rank_state") }
        #expect(orchard == 40)   // rebuilt on doubling (see RankListTests), which lists "orchard"
        #expect(try stores[1].writer.read { try String.fetchAll($0, sql: "SELECT term FROM rank_term") }.contains("orchard"))
    }
}

/// A value behind a lock, for results gathered from threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body(&value)
    }
}
