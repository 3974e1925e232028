import Foundation
import Testing
import KnowHowCore

/// Meetings through the port (`KnowledgeMeetings`): what any store that keeps them must do. In
/// the fixture tom is a member, sam a contributor and kim a curator.
@Suite("Contract: meetings")
struct MeetingContractTests {
    static let series = MeetingSeries(name: "Elevenses", weekday: .thursday, at: "11:00", timeZone: "Europe/London",
                                      starts: Day("2026-01-08")!)

    static func withMeetings(_ f: StoreFactory) throws -> any KnowledgeStore {
        let s = try f.fixture()
        try s.addSeries(series, as: contractActing("kim"))
        try s.add(Meeting(title: "Induction that sticks", series: "Elevenses", start: Timestamp("2026-02-26T11:00:00Z")!,
                          timeZone: "Europe/London", format: .peerAssist, presenters: ["sam"], attendees: ["tom"],
                          links: [EntryID("r1")!], notes: "First weeks, compared.", tags: ["onboarding"], organiser: "kim"),
                  as: contractActing("kim"))
        try s.add(Meeting(title: "Retrospectives for big groups", series: "Elevenses", start: Timestamp("2026-03-12T11:00:00Z")!,
                          timeZone: "Europe/London", presenters: ["kim"]), as: contractActing("sam"))
        return s
    }

    @Test(arguments: ContractStores.all)
    func meetingsAreKeptAndReadBackAsGiven(_ f: StoreFactory) throws {
        let s = try Self.withMeetings(f)
        #expect(try s.allSeries() == [MeetingSeries(name: "Elevenses", weekday: .thursday, at: "11:00", timeZone: "Europe/London",
                                                    organiser: "kim", starts: Day("2026-01-08")!, created: contractNow)])
        let m = try s.meeting(EntryID("m1")!)
        #expect(m.title == "Induction that sticks" && m.series == "Elevenses" && m.format == .peerAssist && m.minutes == 60)
        #expect(m.presenters == ["sam"] && m.attendees == ["tom"] && m.links == [EntryID("r1")!] && m.tags == ["onboarding"])
        #expect(m.organiser == "kim" && m.created == contractNow && m.notes == "First weeks, compared.")
        #expect(try s.meeting(EntryID("m2")!).organiser == "sam")
        #expect(try s.meetings(series: "Elevenses", from: Timestamp("2026-03-01T00:00:00Z")!, through: nil).map(\.title) == ["Retrospectives for big groups"])
        #expect(try s.meetings(series: nil, from: nil, through: Timestamp("2026-03-01T00:00:00Z")!).map(\.title) == ["Induction that sticks"])
        #expect(knowHowError { _ = try s.meeting(EntryID("m9")!) } == .unknownEntry(EntryID("m9")!))
    }

    @Test(arguments: ContractStores.all)
    func meetingsAreSearchedAndGoThroughTheCommunityFile(_ f: StoreFactory) throws {
        let s = try Self.withMeetings(f)
        #expect(try find(s, "type:meeting").hits.map(\.ref.description) == ["m1", "m2"])
        #expect(try find(s, "first weeks type:meeting").hits.map(\.ref.description) == ["m1"])
        let file = try s.exportCommunity()
        #expect(file.series.count == 1 && file.meetings.count == 2)
        let copy = try f.empty()
        _ = try copy.importCommunity(file, as: contractActing())
        #expect(try snapshot(copy) == (try file.encoded()))
    }

    @Test(arguments: ContractStores.all)
    func recordingIsForThoseWhoWereThereAndUndoes(_ f: StoreFactory) throws {
        let s = try Self.withMeetings(f)
        let before = try snapshot(s)
        let m = try s.meeting(EntryID("m1")!)
        var notes = m; notes.notes = "What we said."
        // sam presented, so may record; tom attended, so may too; a member who was not there may not.
        try s.update(notes, expecting: m, action: .recordMeeting, as: contractActing("sam"))
        var stale = m; stale.attendees.append("li")
        #expect(throws: KnowHowError.self) { try s.update(stale, expecting: m, action: .recordMeeting, as: contractActing("tom")) }
        let current = try s.meeting(EntryID("m2")!)
        var other = current; other.notes = "Not mine to write."
        guard case .permissionDenied(_, .curator, "tom")? = knowHowError({ try s.update(other, expecting: current, action: .recordMeeting, as: contractActing("tom")) }) else {
            Issue.record("tom recorded a meeting he did not attend"); return
        }
        _ = try s.undo(nil, as: contractActing("sam"))
        #expect(try snapshot(s) == before)
    }

    @Test(arguments: ContractStores.all)
    func onlyContributorsPlanAndACalendarComesInAsOneChange(_ f: StoreFactory) throws {
        let s = try Self.withMeetings(f)
        let before = try snapshot(s)
        guard case .permissionDenied(_, .contributor, "tom")? = knowHowError({ _ = try s.add(Meeting(title: "Mine", start: contractNow), as: contractActing("tom")) }) else {
            Issue.record("a member planned a meeting"); return
        }
        let teatime = MeetingSeries(name: "Teatime", weekday: .friday, at: "16:00", timeZone: "UTC", starts: Day("2026-03-06")!)
        let tea = Meeting(title: "Tea and data", series: "Teatime", start: Timestamp("2026-03-06T16:00:00Z")!, uid: "tea-1@example.org")
        let summary = try s.importMeetings(series: [teatime], meetings: [tea], as: contractActing("sam"))
        #expect(summary.seriesAdded == 1 && summary.added[.meeting] == 1)
        #expect(try s.importMeetings(series: [teatime], meetings: [tea], as: contractActing("sam")).total == 0)
        _ = try s.undo(nil, as: contractActing("sam"))
        #expect(try snapshot(s) == before)
    }
}
