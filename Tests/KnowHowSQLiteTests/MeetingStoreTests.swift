import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// Meetings in the SQLite store: the community file, search, history and undo, roles.
struct MeetingStoreTests {
    static let now = Timestamp("2026-03-05T12:00:00Z")!
    static func acting(_ h: String?) -> Acting { Acting(ActingAs(h), at: now) }

    static let series = MeetingSeries(name: "Elevenses", weekday: .thursday, at: "11:00", timeZone: "Europe/London", minutes: 45,
                                      weeks: 1, place: "Room 2", format: .peerAssist, organiser: "kim", starts: Day("2026-01-08")!)

    /// The fixture with a series and two meetings: one held (tom attended, joe presented), one coming.
    static func store() throws -> SQLiteKnowledgeStore {
        let s = try makeFixtureStore()
        try s.addSeries(series, as: acting("kim"))
        try s.add(Meeting(title: "Induction that sticks", series: "Elevenses", start: Timestamp("2026-02-26T11:00:00Z")!,
                          timeZone: "Europe/London", minutes: 45, format: .peerAssist, presenters: ["joe"], attendees: ["tom", "li"],
                          links: [EntryID("r1")!, EntryID("q2")!], notes: "We compared **first weeks**.", tags: ["onboarding"],
                          organiser: "kim"), as: acting("kim"))
        try s.add(Meeting(title: "Retrospectives for big groups", series: "Elevenses", start: Timestamp("2026-03-12T11:00:00Z")!,
                          timeZone: "Europe/London", presenters: ["priya"], tags: ["facilitation"]), as: acting("sam"))
        return s
    }

    @Test func meetingsAndSeriesRoundTripThroughTheCommunityFileByteForByte() throws {
        let first = try Self.store().exportCommunity().encoded()
        let copy = try SQLiteKnowledgeStore()
        _ = try copy.importCommunity(CommunityFile.decode(first, path: "x.json"), as: .system)
        #expect(try copy.exportCommunity().encoded() == first)
        let file = try CommunityFile.decode(first, path: "x.json")
        #expect(file.series.map(\.name) == ["Elevenses"] && file.meetings.count == 2)
        #expect(file.meetings[0].presenters == ["joe"] && file.meetings[0].attendees == ["tom", "li"])
        #expect(file.meetings[0].links.map(\.description) == ["r1", "q2"])
        // Importing again adds nothing.
        let again = try copy.importCommunity(CommunityFile.decode(first, path: "x.json"), as: .system)
        #expect(again.total == 0)
    }

    @Test func aFileWithoutMeetingsIsWrittenAsBefore() throws {
        let text = String(decoding: try makeFixtureStore().exportCommunity().encoded(), as: UTF8.self)
        #expect(!text.contains("\"meetings\"") && !text.contains("\"series\""))
    }

    @Test func meetingsAreFoundWithTypeMeetingByTitleNotesAndPresenter() throws {
        let s = try Self.store()
        #expect(try find(s, "type:meeting").hits.map(\.ref.description) == ["m1", "m2"])
        #expect(try find(s, "first weeks type:meeting").hits.map(\.ref.description) == ["m1"])
        #expect(try find(s, "by:@joe type:meeting").hits.map(\.ref.description) == ["m1"])
        #expect(try find(s, "tag:facilitation type:meeting").hits.map(\.ref.description) == ["m2"])
        #expect(try s.list(.meeting, query: nil, limit: 10).hits.first?.detail == "2026-02-26 · Elevenses")
        #expect(try s.indexDrift().isEmpty)
    }

    @Test func presentingIsEvidenceForWhoWithTheWhy() throws {
        let s = try Self.store()
        let found = try ExpertRanker.find(ExpertQuery(topic: "induction"), source: s, now: Self.now)
        let joe = try #require(found.experts.first { $0.member.handle == "joe" })
        let presented = try #require(joe.evidence.first { $0.how == .presented })
        #expect(presented.doc.title == "'Induction that sticks' at Elevenses, 2026-02-26")
        // A meeting not held yet is no evidence.
        let later = try ExpertRanker.find(ExpertQuery(topic: "retrospectives big groups"), source: s, now: Self.now)
        #expect(!later.experts.contains { $0.evidence.contains { $0.how == .presented } })
    }

    @Test func recordingAndUndoRestoreRowsAndIndexExactly() throws {
        let s = try Self.store()
        let before = try fullSnapshot(s)
        let m = try s.meeting(EntryID("m1")!)
        var edited = m
        edited.attendees.append("zoe")
        edited.notes = "Different notes about buddies."
        try s.update(edited, expecting: m, action: .recordMeeting, as: Self.acting("tom"))
        #expect(try find(s, "buddies type:meeting").hits.count == 1)
        let record = try s.historyRecord(try s.history(of: "m1", by: nil, limit: 1)[0].number)
        #expect(record.details.contains { $0.table == "meeting person" && $0.key == "m1 attendee @zoe" && $0.kind == .created })
        #expect(record.details.contains { $0.table == "meeting" && $0.fields.contains { $0.name == "notes" } })
        _ = try s.undo(nil, as: Self.acting("tom"))
        let after = try fullSnapshot(s)
        #expect(after.0 == before.0 && after.1 == before.1)
        // Undoing the plan removes the meeting and its index row.
        let plan = try s.history(of: "m2", by: "sam", limit: 5).last!
        _ = try s.undo(plan.number, as: Self.acting("kim"))
        #expect(throws: KnowHowError.self) { try s.meeting(EntryID("m2")!) }
        #expect(try find(s, "type:meeting").hits.map(\.ref.description) == ["m1"])
        #expect(try s.indexDrift().isEmpty)
    }

    @Test func aStaleRecordingIsRefusedAndChangesNothing() throws {
        let s = try Self.store()
        let m = try s.meeting(EntryID("m1")!)
        var first = m; first.notes = "one"
        try s.update(first, expecting: m, action: .recordMeeting, as: Self.acting("tom"))
        var second = m; second.notes = "two"
        #expect(throws: KnowHowError.self) { try s.update(second, expecting: m, action: .recordMeeting, as: Self.acting("li")) }
        #expect(try s.meeting(EntryID("m1")!).notes == "one")
    }

    @Test func recordingChangesOnlyAttendanceNotesAndLinks() throws {
        let s = try Self.store()
        let m = try s.meeting(EntryID("m1")!)
        var e = m; e.title = "Renamed"
        let error = knowHowError { try s.update(e, expecting: m, action: .recordMeeting, as: Self.acting("kim")) }
        #expect(error?.description.contains("use `meeting edit m1`") == true)
        #expect(try s.meeting(EntryID("m1")!).title == "Induction that sticks")
    }

    /// Who may do what with meetings: tom is a member who attended m1, sam a contributor who
    /// organised m2, joe a contributor who presented at m1, kim a curator who organised m1.
    @Test(arguments: [
        // write, actor, allowed
        ("add series", "tom", false), ("add series", "sam", true),
        ("plan", "tom", false), ("plan", "sam", true),
        ("record m1", "tom", true), ("record m1", "sam", false), ("record m1", "joe", true), ("record m1 adding oneself", "zoe", true),
        ("record m2", "tom", false), ("record m2", "kim", true),
        ("edit m1", "sam", false), ("edit m1", "kim", true), ("edit m2", "sam", true), ("edit m2", "joe", false),
    ])
    func roleMatrix(_ c: (String, String, Bool)) throws {
        let s = try Self.store()
        let a = Self.acting(c.1)
        func record(_ id: String, _ change: (inout Meeting) -> Void, _ action: ChangeAction) throws {
            let m = try s.meeting(EntryID(id)!)
            var e = m; change(&e)
            try s.update(e, expecting: m, action: action, as: a)
        }
        let before = try s.exportCommunity().encoded()
        let run: () throws -> Void
        switch c.0 {
        case "add series": run = { _ = try s.addSeries(MeetingSeries(name: "Teatime", weekday: .friday, at: "16:00", timeZone: "UTC", starts: Day("2026-03-06")!), as: a) }
        case "plan": run = { _ = try s.add(Meeting(title: "New", start: Self.now), as: a) }
        case "record m1": run = { try record("m1", { $0.notes = "Notes" }, .recordMeeting) }
        case "record m1 adding oneself": run = { try record("m1", { $0.attendees.append("zoe") }, .recordMeeting) }
        case "record m2": run = { try record("m2", { $0.notes = "Notes" }, .recordMeeting) }
        case "edit m1": run = { try record("m1", { $0.title = "Renamed" }, .editMeeting) }
        default: run = { try record("m2", { $0.title = "Renamed" }, .editMeeting) }
        }
        if c.2 {
            #expect(throws: Never.self, "\(c.0) by \(c.1)") { try run() }
        } else {
            let e = knowHowError(run)
            guard case .permissionDenied(_, _, let actor)? = e else { Issue.record("\(c.0) by \(c.1): \(String(describing: e))"); return }
            #expect(actor == c.1)
            #expect(try s.exportCommunity().encoded() == before, "a refused \(c.0) changes nothing")
        }
    }

    @Test func badMeetingsAreRefusedWithWhatToDo() throws {
        let s = try Self.store()
        let before = try s.exportCommunity().encoded()
        let cases: [(Meeting, String)] = [
            (Meeting(title: "X", series: "Nope", start: Self.now), "no meeting series 'Nope'; series are: Elevenses"),
            (Meeting(title: "X", start: Self.now, timeZone: "Mars/Olympus"), "'Mars/Olympus' is not a valid time zone"),
            (Meeting(title: "X", start: Self.now, minutes: 0), "'0' is not a valid length"),
            (Meeting(title: " ", start: Self.now), "a meeting's title is required"),
            (Meeting(title: "X", start: Self.now, links: [EntryID("m1")!]), "'m1' is not a valid link"),
            (Meeting(title: "X", start: Self.now, presenters: ["nobody-here"]), "no member @nobody-here"),
        ]
        for (m, message) in cases {
            let e = knowHowError { _ = try s.add(m, as: Self.acting("kim")) }
            #expect(e?.description.hasPrefix(message) == true, "\(String(describing: e))")
        }
        #expect(throws: KnowHowError.self) { try s.addSeries(Self.series, as: Self.acting("kim")) }
        #expect(try s.exportCommunity().encoded() == before)
    }

    @Test func aCalendarIsImportedByAContributorAsOneChangeThatUndoes() throws {
        let s = try Self.store()
        let before = try fullSnapshot(s)
        let ics = try ICalendar.write(series: [MeetingSeries(name: "Teatime", weekday: .friday, at: "16:00", timeZone: "Europe/Paris",
                                                             starts: Day("2026-03-06")!)],
                                      meetings: [Meeting(title: "Tea and data", series: "Teatime", start: Timestamp("2026-03-06T15:00:00Z")!,
                                                         timeZone: "Europe/Paris", presenters: ["li"], uid: "tea-1@example.org")],
                                      members: [:], now: Self.now)
        let parsed = try ICalendar.read(ics, path: "t.ics", members: try s.allMembers())
        #expect(throws: KnowHowError.self) { _ = try s.importMeetings(series: parsed.series, meetings: parsed.meetings, as: Self.acting("tom")) }
        let summary = try s.importMeetings(series: parsed.series, meetings: parsed.meetings, as: Self.acting("sam"))
        #expect(summary.description == "imported 1 meeting, 1 meeting series")
        #expect(try s.meetings(series: "Teatime", from: nil, through: nil).map(\.presenters) == [["li"]])
        #expect(try s.importMeetings(series: parsed.series, meetings: parsed.meetings, as: Self.acting("sam")).total == 0)
        _ = try s.undo(nil, as: Self.acting("sam"))
        let after = try fullSnapshot(s)
        #expect(after.0 == before.0 && after.1 == before.1)
    }

    @Test func aPlanWithoutATopicStartsFromGoalsThenUnmetSearchesThenUnansweredQuestions() throws {
        let s = try SQLiteKnowledgeStore()
        let community = Community(store: s, clock: { Self.now })
        try s.add(Member(handle: "kim", name: "Kim Lee", role: .curator), as: .system)
        try s.add(Member(handle: "sam", name: "Sam Patel", role: .contributor), as: .system)
        #expect(throws: KnowHowError.self) { _ = try community.plan(topic: nil, series: nil, as: "kim") }
        _ = try s.ask(Question(title: "How do we hand over caseloads?", tags: ["handover"], asker: "sam"), as: .system)
        #expect(try community.plan(topic: nil, series: nil, as: "kim").because.hasPrefix("an unanswered question (q1"))
        try s.logSearch(SearchLogEntry(at: Timestamp(seconds: Self.now.seconds - 3600), kind: .find, query: "lone working", results: 0, member: "sam"))
        let fromGap = try community.plan(topic: nil, series: nil, as: "kim")
        #expect(fromGap.topic == "lone working" && fromGap.because == "searched for and not found by 1 person (`gaps`)")
        #expect(fromGap.otherTopics == ["q1 unanswered: How do we hand over caseloads?"])
        var kim = try s.member("kim"), sam = try s.member("sam")
        let (k0, s0) = (kim, sam)
        kim.interests = ["mentoring"]; sam.interests = ["mentoring"]
        try s.update(kim, expecting: k0, as: .system); try s.update(sam, expecting: s0, as: .system)
        let fromGoal = try community.plan(topic: nil, series: nil, as: "kim")
        #expect(fromGoal.topic == "mentoring" && fromGoal.because == "a learning goal 2 members share (`topics`)")
        #expect(fromGoal.otherTopics.first == "lone working (searched, not found)")
    }

    @Test func mergingMembersMovesWhoPresentedAndAttended() throws {
        let s = try Self.store()
        try s.merge(keep: .member("li"), drop: .member("tom"), as: Self.acting("kim"))
        #expect(try s.meeting(EntryID("m1")!).attendees == ["li"])
    }

    @Test func theDemoCommunitysMeetingsSurviveExportAndImport() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Data/community.json")
        let file = try CommunityFile.decode(try Data(contentsOf: url), path: "community.json")
        #expect(file.series.map(\.name) == ["Elevenses"] && file.meetings.count >= 5)
        let s = try SQLiteKnowledgeStore()
        _ = try s.importCommunity(file, as: .system)
        let first = try s.exportCommunity().encoded()
        let copy = try SQLiteKnowledgeStore()
        _ = try copy.importCommunity(CommunityFile.decode(first, path: "x"), as: .system)
        #expect(try copy.exportCommunity().encoded() == first)
        #expect(try s.meetings(series: "Elevenses", from: nil, through: Timestamp("2026-11-20T00:00:00Z")).allSatisfy { $0.notes != nil })
    }
}
