import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// `duplicates` on a Stack Exchange import: two imported accounts that share a display name are
/// most likely two people, so they rank below a same-named pair someone added by hand.
struct DuplicateStrengthTests {
    @Test func sameNamedImportedAccountsRankBelowHandAddedOnes() throws {
        let s = try SQLiteKnowledgeStore()
        _ = try s.importCommunity(CommunityFile(members: [
            Member(handle: "aaron", name: "Aaron", sourceId: "stackexchange:ai:1"),
            Member(handle: "aaron-2", name: "Aaron", sourceId: "stackexchange:ai:2"),
            Member(handle: "kim-lee", name: "Kim Lee"),
            Member(handle: "kim-lee-b", name: "Kim Lee"),
        ]), as: .system)
        let pairs = try s.duplicates(limit: 10)
        #expect(pairs.map(\.keep) == [.member("kim-lee"), .member("aaron")], "\(pairs)")
        #expect(pairs.map(\.why) == ["same name", "same name"])
        #expect(pairs[0].strength > pairs[1].strength)
    }
}
