import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Issues 11 and 12: ids the index key can hold, import identity, and a round trip that keeps
/// every byte.
struct ImportIdentityTests {
    static func reader(_ text: String) throws -> CommunityFileReader {
        try CommunityFileReader(path: try CommunityImportTests.write(Data(text.utf8)))
    }

    // MARK: - Ids in range

    /// `r2305843009213693953` (2^61 + 1) used to share the key of `r1`; now no file gets it in.
    @Test func idsOfTwoToTheSixtyOneNoLongerWrapOntoR1() throws {
        var acting = Acting.system
        let store = try makeFixtureStore()
        acting.actor = .member("kim")
        let before = try snapshot(store)
        let e = knowHowError {
            _ = try store.importCommunity(try Self.reader(#"{"resources": [{"id": "r2305843009213693953", "title": "Wraps onto r1"}]}"#), progress: nil, as: acting)
        }
        guard case .badImport(_, let location, let reason)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(location == "resources[0].id" && reason.contains("out of range"), "\(reason)")
        #expect(try snapshot(store) == before)
        #expect(try store.resource(EntryID(.resource, 1)).title == "Onboarding checklist for new starters")
    }

    /// An id at the top of the range used to make every later `add resource` die of overflow.
    @Test func addAfterAnIdAtTheTopOfTheRangeSaysTheIdsAreUsedUp() throws {
        let acting = Acting.system
        let store = try SQLiteKnowledgeStore()
        let top = EntryID(.resource, EntryID.maxNumber)
        _ = try store.importCommunity(try Self.reader(#"{"resources": [{"id": "\#(top)", "title": "The last one"}]}"#), progress: nil, as: acting)
        #expect(try store.resource(top).title == "The last one")
        let e = knowHowError { _ = try store.add(Resource(title: "One more"), as: acting) }
        #expect(e == .idsExhausted(.resource))
        #expect(e?.description == "no more resources can be added: this store has used every number up to r999999999999999; start a new store for them")
        #expect(try store.counts().resources == 1)
        // Practices have their own numbers, still free.
        #expect(try store.add(Practice(title: "Still fine"), as: acting) == EntryID(.practice, 1))
    }

    /// A row stored past the largest id (by SQLite's own numbering) is refused, not written.
    @Test func anEntryNumberedPastTheRangeByTheDatabaseIsRefused() throws {
        let acting = Acting.system
        let store = try SQLiteKnowledgeStore()
        let e = knowHowError {
            _ = try store.importCommunity(CommunityFile(resources: [Resource(id: EntryID(.resource, EntryID.maxNumber + 1), title: "Too far")]), as: acting)
        }
        guard case .badImport(_, _, let reason)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(reason == KnowHowError.idsExhausted(.resource).description)
        #expect(try store.counts().resources == 0)
    }

    // MARK: - Import identity

    /// The fixture's r2 with another title, among records that would import.
    static let clashing = """
        {"resources": [
          {"id": "r1", "title": "Onboarding checklist for new starters"},
          {"id": "r50", "title": "A new resource"},
          {"title": "Another new resource"},
          {"id": "r2", "title": "Someone else's second resource"}
        ]}
        """

    @Test func importOfAnIdThatExistsWithAnotherTitleIsRefusedNamingTheRecord() throws {
        var acting = Acting.system
        let store = try makeFixtureStore()
        acting.actor = .member("kim")
        let before = try snapshot(store)
        let e = knowHowError { _ = try store.importCommunity(try Self.reader(Self.clashing), progress: nil, as: acting) }
        guard case .badImport(_, let location, let reason)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(location == "resources[3]")
        #expect(reason == "r2 already exists with another title ('Running a good retrospective'); use --renumber to import it under a new id")
        #expect(try snapshot(store) == before, "nothing is imported")
    }

    @Test func importRenumberGivesClashingRecordsNewIdsAndReferencesFollow() throws {
        var acting = Acting.system
        let store = try makeFixtureStore()
        acting.actor = .member("kim")
        let file = """
            {"resources": [{"id": "r2", "title": "Someone else's second resource"}],
             "questions": [{"id": "q1", "title": "Someone else's first question?", "acceptedAnswer": "a2"},
                           {"id": "q2", "title": "Good icebreakers for facilitation of large groups?"}],
             "answers": [{"id": "a1", "question": "q1", "body": "An answer to the other q1."},
                         {"id": "a2", "question": "q1", "body": "The accepted answer to the other q1."},
                         {"id": "a3", "question": "q2", "body": "Another answer to the fixture's q2."}]}
            """
        let s = try store.importCommunity(try Self.reader(file), renumber: true, progress: nil, as: acting)
        #expect(s.added[.resource] == 1 && s.added[.question] == 1 && s.added[.answer] == 3, "\(s)")
        #expect(s.renumbered == [
            .init(record: "resources[0]", from: EntryID(.resource, 2), to: EntryID(.resource, 13)),
            .init(record: "questions[0]", from: EntryID(.question, 1), to: EntryID(.question, 4)),
            .init(record: "answers[0]", from: EntryID(.answer, 1), to: EntryID(.answer, 5)),
            .init(record: "answers[1]", from: EntryID(.answer, 2), to: EntryID(.answer, 6)),
            .init(record: "answers[2]", from: EntryID(.answer, 3), to: EntryID(.answer, 7)),
        ])
        #expect(s.description.hasSuffix("\nrenumbered 5 records whose ids were taken: resources[0] r2 → r13, questions[0] q1 → q4, answers[0] a1 → a5, answers[1] a2 → a6, answers[2] a3 → a7"))
        #expect(try store.resource(EntryID(.resource, 2)).title == "Running a good retrospective")
        #expect(try store.resource(EntryID(.resource, 13)).title == "Someone else's second resource")
        // The answers follow their renumbered question, and so does its accepted answer.
        #expect(try store.answers(to: EntryID(.question, 4)).map(\.id) == [EntryID(.answer, 5), EntryID(.answer, 6)])
        #expect(try store.question(EntryID(.question, 4)).acceptedAnswer == EntryID(.answer, 6))
        // q2 is the fixture's own (same id and title): its new answer joins it.
        #expect(try store.answer(EntryID(.answer, 7)).question == EntryID(.question, 2))
        #expect(try store.question(EntryID(.question, 1)).title == "How do you run onboarding for remote staff?")
        // Importing the file twice adds nothing, renumbering or not.
        let again = try store.importCommunity(try Self.reader(file), renumber: true, progress: nil, as: acting)
        #expect(again.total == 0 && again.renumbered.isEmpty, "\(again)")
    }

    /// Ids must fit their type: a resource with id `p1` used to be taken as a resource.
    static let wrongTypes: [(json: String, location: String, reason: String)] = [
        (#"{"resources": [{"id": "p1", "title": "A resource"}]}"#, "resources[0].id", "'p1' is a practice id, where a resource id such as r12 belongs"),
        (#"{"practices": [{"id": "r1", "title": "A practice"}]}"#, "practices[0].id", "'r1' is a resource id, where a practice id such as p12 belongs"),
        (#"{"questions": [{"id": "a1", "title": "A question?"}]}"#, "questions[0].id", "'a1' is an answer id, where a question id such as q12 belongs"),
        (#"{"questions": [{"id": "q9", "title": "A question?", "acceptedAnswer": "q9"}]}"#, "questions[0].acceptedAnswer",
         "'q9' is a question id, where an answer id such as a12 belongs"),
        (#"{"answers": [{"question": "r1", "body": "An answer."}]}"#, "answers[0].question", "'r1' is a resource id, where a question id such as q12 belongs"),
        (#"{"answers": [{"id": "q1", "question": "q1", "body": "An answer."}]}"#, "answers[0].id", "'q1' is a question id, where an answer id such as a12 belongs"),
    ]

    @Test(arguments: wrongTypes)
    func idsMustFitTheirType(_ c: (json: String, location: String, reason: String)) throws {
        var acting = Acting.system
        let store = try makeFixtureStore()
        acting.actor = .member("kim")
        let before = try snapshot(store)
        let e = knowHowError { _ = try store.importCommunity(try Self.reader(c.json), renumber: true, progress: nil, as: acting) }
        guard case .badImport(_, let location, let reason)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(location == c.location)
        #expect(reason == c.reason)
        #expect(try snapshot(store) == before)
    }

    // MARK: - Round trip

    /// export → import into an empty store → export, byte for byte.
    static func roundTrip(_ store: SQLiteKnowledgeStore, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let acting = Acting.system
        let first = try snapshot(store)
        let path = try CommunityImportTests.write(first)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fresh = try SQLiteKnowledgeStore()
        _ = try fresh.importCommunity(try CommunityFileReader(path: path), progress: nil, as: acting)
        let second = try snapshot(fresh)
        if second != first {
            let a = String(decoding: first, as: UTF8.self).split(separator: "\n"), b = String(decoding: second, as: UTF8.self).split(separator: "\n")
            let i = a.indices.first { $0 >= b.count || a[$0] != b[$0] } ?? a.count
            Issue.record("the round trip changed line \(i + 1): \(i < a.count ? a[i] : "") → \(i < b.count ? b[i] : "")", sourceLocation: sourceLocation)
        }
    }

    @Test func roundTripKeepsEveryByteOfTheDemo() throws {
        let acting = Acting.system
        let store = try SQLiteKnowledgeStore()
        _ = try store.importCommunity(try CommunityFileReader(path: SharedData.packageRoot.appendingPathComponent("Data/community.json").path), progress: nil, as: acting)
        try Self.roundTrip(store)
    }

    /// Profiles and posts whose text starts with indented code or a space (the ai archive has
    /// such bios): the import used to keep what a re-import trimmed.
    @Test func roundTripKeepsLeadingWhitespaceOfStackExchangeText() throws {
        let acting = Acting.system
        let dump = try HandmadeDump(users: """
            <users>
              <row Id="1" DisplayName="Code Bio" CreationDate="2016-08-02T15:36:45.333" AboutMe="&lt;pre&gt;&lt;code&gt;    while(age &amp;lt; 100)&#xA;    {&#xA;        work();&#xA;    }&#xA;&lt;/code&gt;&lt;/pre&gt;" />
              <row Id="2" DisplayName="Quote Bio" CreationDate="2016-08-02T15:36:45.333" AboutMe="&lt;pre&gt;&lt;code&gt; &quot;The purpose of computing is insight.&quot;&#xA;&lt;/code&gt;&lt;/pre&gt;&#xA;" />
            </users>
            """, posts: """
            <posts>
              <row Id="3" PostTypeId="1" CreationDate="2016-08-02T15:39:14.947" Title="Indented?" Body="&lt;pre&gt;&lt;code&gt;  x = 1&#xA;  y = 2&#xA;&lt;/code&gt;&lt;/pre&gt;" OwnerUserId="1" />
            </posts>
            """)
        defer { dump.remove() }
        let store = try SQLiteKnowledgeStore()
        _ = try store.importStackExchange(folder: dump.folder, progress: nil, as: acting)
        let bios = try store.allMembers().map(\.bio)
        #expect(bios.contains("    while(age < 100)\n    {\n        work();\n    }"), "\(bios)")
        #expect(bios.contains("\"The purpose of computing is insight.\""), "\(bios)")
        try Self.roundTrip(store)
    }

    @Test(.enabled(if: SharedData.stackExchange("coffee") != nil,
                   "needs ../shared/data/stackexchange/coffee beside the checkout, or KNOWHOW_SHARED"),
          arguments: ["coffee", "ai", "genai"])
    func roundTripKeepsEveryByteOfAStackExchangeImport(_ site: String) throws {
        let acting = Acting.system
        let folder = try #require(SharedData.stackExchange(site), "\(site) is missing from \(SharedData.folder.path)")
        let store = try SQLiteKnowledgeStore()
        _ = try store.importStackExchange(folder: folder, progress: nil, as: acting)
        try Self.roundTrip(store)
    }
}

/// The development data shared beside the checkout: `X/../shared` when the package is at `X`
/// (so in CI, which copies `shared/` beside a fresh clone), or `KNOWHOW_SHARED` when set.
enum SharedData {
    /// The package's root: three folders up from this file (Tests/KnowHowSQLiteTests/…).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var folder: URL {
        if let s = ProcessInfo.processInfo.environment["KNOWHOW_SHARED"], !s.isEmpty { return URL(fileURLWithPath: s) }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// The folder of one Stack Exchange archive, nil when it is not there.
    static func stackExchange(_ site: String) -> String? {
        let path = folder.appendingPathComponent("data/stackexchange/\(site)").path
        return StackExchangeDump.isDump(folder: path) ? path : nil
    }
}
