import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Issue 19: the full-text index kept a second copy of every entry's text (a third of the store).
/// It keeps none now, so an entry's old row leaves the index only through FTS5's 'delete' with the
/// exact text it was made from; a wrong text would leave words behind without any error. Every
/// write, its undo and its redo must leave the index exactly as one made afresh from the tables,
/// and FTS5's integrity check must pass (`indexDrift` runs both).
@Suite struct ContentlessIndexTests {
    @Test func theIndexKeepsNoSecondCopyOfTheText() throws {
        let s = try makeFixtureStore()
        let tables = try s.writer.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE name LIKE '%_content'") }
        #expect(tables.isEmpty)
        #expect(try s.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM entry_fts_docsize") }! > 30)
        #expect(try s.indexDrift().isEmpty)
    }

    @Test(arguments: 0..<RoleMatrixTests.writes.count)
    func everyWriteItsUndoAndItsRedoLeaveTheIndexAsTheTablesSay(_ i: Int) throws {
        let w = RoleMatrixTests.writes[i]
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        let before = try fullSnapshot(s)
        try w.run(s, acting)
        #expect(try s.indexDrift().isEmpty, "\(w.name)")
        guard let last = try s.history(of: nil, by: "kim", limit: 1).first, last.action != "import" else { return }
        let undo = try s.undo(last.number, as: acting)
        #expect(try s.indexDrift().isEmpty, "undoing \(w.name)")
        #expect(try fullSnapshot(s) == before, "undoing \(w.name)")
        _ = try s.undo(undo.number, as: acting)
        #expect(try s.indexDrift().isEmpty, "redoing \(w.name)")
    }

    @Test func editingAnEntryTwiceAndMergingItAwayKeepTheIndexExact() throws {
        let s = try makeFixtureStore()
        let acting = Acting(.member("kim"))
        let id = try s.add(Resource(title: "Garden rota", summary: "Who waters when", body: "Mondays and Thursdays.", tags: ["wellbeing"],
                                    contributor: "kim"), as: acting)
        for title in ["Garden rota for the summer", "Allotment rota"] {
            let r = try s.resource(id)
            var e = r
            e.title = title
            e.body = (r.body ?? "") + " Also " + title + "."
            try s.update(e, expecting: r, as: acting)
            #expect(try s.indexDrift().isEmpty, "\(title)")
        }
        try s.merge(keep: .entry(EntryID("r4")!), drop: .entry(id), as: acting)
        #expect(try s.indexDrift().isEmpty)
        #expect(try s.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM entry_fts_docsize WHERE id = ?",
                                                   arguments: [EntryKey.make(id)]) } == 0)
    }

    /// An import into empty entry tables drops the indexes nothing reads meanwhile and makes them
    /// again at its end; an import that fails leaves the schema (and everything else) as it was.
    @Test func anImportMakesItsDeferredIndexesAgainAndAFailedOneKeepsThem() throws {
        let expected = try SchemaTests.newStoreSchema()
        #expect(expected.contains { $0.hasPrefix("index entry_tag_tag") })
        let imported = try makeFixtureStore()
        #expect(try SchemaTests.schema(imported.writer) == expected)
        #expect(try imported.indexDrift().isEmpty)

        let s = try SQLiteKnowledgeStore()
        var bad = CommunityFile(resources: [Resource(title: "A guide", tags: ["onboarding"])])
        bad.answers = [Answer(question: EntryID("q99")!, body: "No such question.")]
        #expect(throws: KnowHowError.self) { _ = try s.importCommunity(bad, as: .system) }
        #expect(try SchemaTests.schema(s.writer) == expected)
        #expect(try s.counts().resources == 0)
    }

    /// An import that gave a tag in use a new alias left its entries' index rows without the
    /// alias: `find` missed them, and (with no text in the index) a later edit would have taken
    /// words out that were never put in.
    @Test func anImportThatAddsAnAliasToATagInUseReindexesItsEntries() throws {
        let s = try makeFixtureStore()
        let tagged = try s.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM entry_tag JOIN tag ON tag.id = tag_id WHERE tag.name = 'onboarding'")
        }!
        #expect(tagged > 2)
        _ = try s.importCommunity(CommunityFile(tags: [Tag(name: "onboarding", aliases: ["welcoming"])]), as: .system)
        #expect(try s.indexDrift().isEmpty)
        #expect(try s.search(QueryParser.parse("welcoming"), limit: 50).hits.count >= tagged)
        let r = try s.resource(EntryID("r1")!)
        var e = r
        e.title += " (revised)"
        try s.update(e, expecting: r, as: Acting(.member("kim")))
        #expect(try s.indexDrift().isEmpty)
    }
}
