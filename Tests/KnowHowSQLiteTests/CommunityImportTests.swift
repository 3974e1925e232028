import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Importing a community file read record by record, as `knowhow import FILE.json` does.
struct CommunityImportTests {
    static func write(_ data: Data) throws -> String {
        let path = NSTemporaryDirectory() + "knowhow-import-\(UUID().uuidString).json"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func streamedImportMatchesTheImportOfTheDecodedFile() throws {
        let acting = Acting.system
        let bytes = try snapshot(try makeFixtureStore())
        let streamed = try SQLiteKnowledgeStore()
        let summary = try streamed.importCommunity(try CommunityFileReader(path: try Self.write(bytes)), progress: nil, as: acting)
        #expect(summary.added[.resource] == 12 && summary.added[.answer] == 4 && summary.tagsAdded == 12)
        #expect(try snapshot(streamed) == bytes, "export → streamed import → export differs")
        let again = try streamed.importCommunity(try CommunityFileReader(path: try Self.write(bytes)), progress: nil, as: acting)
        #expect(again.total == 0, "\(again)")
    }

    /// Imports make each entry's index row from the record they insert; it must be the row that
    /// reindexing from the tables would make, or later edits could not take it out again.
    @Test func indexRowsAreThoseReadBackFromTheTables() throws {
        for store in [try makeFixtureStore(), try Self.importedTwiceWithRenumbering()] {
            #expect(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM entry_fts_docsize") }! > 30)
            #expect(try store.indexDrift().isEmpty)
        }
    }

    /// A store that imported the fixture, then a file whose ids clash with it (renumbered on import).
    static func importedTwiceWithRenumbering() throws -> SQLiteKnowledgeStore {
        var acting = Acting.system
        let store = try makeFixtureStore()
        acting.actor = .member("kim")
        let other = CommunityFile(
            tags: [KnowHowCore.Tag(name: "new-tag", aliases: ["fresh-words"])],
            members: [Member(handle: "newbie", name: "Nia Newbie", organisation: "Elsewhere", skills: [Skill(tag: "fresh-words", level: .expert)])],
            resources: [Resource(id: EntryID(.resource, 1), title: "A different first resource", tags: ["new-tag", "onboarding", "new-tag"])],
            questions: [Question(id: EntryID(.question, 1), title: "A different first question?", tags: ["induction"],
                                 acceptedAnswer: EntryID(.answer, 1))],
            answers: [Answer(id: EntryID(.answer, 1), question: EntryID(.question, 1), body: "Its answer.", author: "newbie")])
        let s = try store.importCommunity(try CommunityFileReader(path: try write(try other.encoded())), renumber: true, progress: nil, as: acting)
        #expect(s.added[.resource] == 1 && s.added[.question] == 1 && s.added[.answer] == 1, "\(s)")
        #expect(s.renumbered.map(\.from) == [EntryID(.resource, 1), EntryID(.question, 1), EntryID(.answer, 1)], "\(s)")
        return store
    }

    @Test func aBadRecordInAStreamedFileChangesNothing() throws {
        var acting = Acting.system
        let store = try makeFixtureStore()
        acting.actor = .member("kim")
        let before = try snapshot(store)
        let path = try Self.write(Data("""
            {"answers": [{"question": "q1", "body": "fine"}, {"question": "q404", "body": "orphan"}],
             "resources": [{"title": "New resource one"}, {"title": "New resource two"}]}
            """.utf8))
        let e = knowHowError { _ = try store.importCommunity(try CommunityFileReader(path: path), progress: nil, as: acting) }
        guard case .badImport(_, let location, _)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(location == "answers[1]")
        #expect(try snapshot(store) == before)
    }

    @Test func progressIsReportedOnLargeFiles() throws {
        let acting = Acting.system
        let resources = (1...3_000).map { Resource(id: EntryID(.resource, Int64($0)), title: "Resource \($0)", body: "Some words about \($0).") }
        let path = try Self.write(try CommunityFile(resources: resources).encoded())
        let store = try SQLiteKnowledgeStore()
        var lines: [String] = []
        let s = try store.importCommunity(try CommunityFileReader(path: path), progress: { lines.append($0) }, as: acting)
        #expect(s.added[.resource] == 3_000)
        #expect(lines.allSatisfy { $0.hasPrefix("importing resources: ") }, "\(lines)")
    }
}
