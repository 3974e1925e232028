import Foundation
import Testing
import KnowHowCore
@testable import KnowHowPostgres

/// Meetings on PostgreSQL through each role's own database login: the store's rules and the
/// database's grants and row policies (migration 7) agree, so every write KnowHow allows passes
/// the database, and what it refuses the database refuses too.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresMeetingTests {
    static let now = Timestamp("2026-03-01T10:00:00Z")!

    func acting(_ handle: String? = nil) -> Acting { Acting(handle.map { .member($0) } ?? .system, at: Self.now) }

    /// kim (curator), sam (contributor), ana and tom (members), each with a login of their own.
    func withLogins(_ body: (_ stores: [String: PostgresKnowledgeStore], _ connections: [String: PGConnection]) throws -> Void) throws {
        try TestServer.withDatabase { db in
            let owner = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            try owner.add(Member(handle: "kim", name: "Kim Lee"), as: acting())
            try owner.add(Member(handle: "sam", name: "Sam Roe", role: .contributor), as: acting())
            try owner.add(Member(handle: "ana", name: "Ana Diaz"), as: acting())
            try owner.add(Member(handle: "tom", name: "Tom Ng"), as: acting())
            var stores: [String: PostgresKnowledgeStore] = [:], connections: [String: PGConnection] = [:]
            for (handle, group) in [("kim", "knowhow_curator"), ("sam", "knowhow_contributor"), ("ana", "knowhow_member"), ("tom", "knowhow_member")] {
                let login = try db.makeLogin(handle, group: group)
                try owner.db.execute("INSERT INTO knowhow.member_login(login, member_id) SELECT $1, id FROM knowhow.member WHERE handle = $2",
                                     [login, handle])
                stores[handle] = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name, "user": login])
                connections[handle] = try db.connect(as: login)
            }
            try body(stores, connections)
        }
    }

    @Test func eachRolePlansRecordsAndUndoesMeetingsThroughItsOwnLogin() throws {
        try withLogins { s, c in
            let sam = s["sam"]!, ana = s["ana"]!, tom = s["tom"]!, kim = s["kim"]!
            try sam.addSeries(MeetingSeries(name: "Elevenses", weekday: .thursday, at: "11:00", timeZone: "Europe/London",
                                            starts: Day("2026-01-08")!), as: acting("sam"))
            let m1 = try sam.add(Meeting(title: "Induction that sticks", series: "Elevenses", start: Timestamp("2026-02-26T11:00:00Z")!,
                                         timeZone: "Europe/London", presenters: ["sam"], attendees: ["ana"], tags: ["onboarding"]),
                                 as: acting("sam"))
            #expect(try ana.meeting(m1).organiser == "sam")

            // A member plans nothing, through the store or the database.
            let planned = #expect(throws: KnowHowError.self) { _ = try ana.add(Meeting(title: "Mine", start: Self.now), as: acting("ana")) }
            guard case .permissionDenied(_, .contributor, "ana")? = planned else { Issue.record("\(String(describing: planned))"); return }
            #expect(throws: PGError.self) {
                try c["ana"]!.execute("INSERT INTO knowhow.meeting(id, title, start, time_zone, minutes, format, created, updated) VALUES (9, 'Mine', 'x', 'UTC', 60, 'talk', 'x', 'x')")
            }

            // ana was there: she records the notes.
            let before = try ana.meeting(m1)
            var notes = before; notes.notes = "We compared first weeks."
            try ana.update(notes, expecting: before, action: .recordMeeting, as: acting("ana"))
            #expect(try ana.meeting(m1).notes == "We compared first weeks.")
            #expect(try ana.search(QueryParser.parse("compared type:meeting"), limit: 5).hits.map(\.ref) == [.entry(m1)])

            // tom was not: the store refuses his notes, and the database gives his login no row to write.
            let current = try tom.meeting(m1)
            var his = current; his.notes = "Not mine to write."
            let refused = #expect(throws: KnowHowError.self) { try tom.update(his, expecting: current, action: .recordMeeting, as: acting("tom")) }
            guard case .permissionDenied(_, .curator, "tom")? = refused else { Issue.record("\(String(describing: refused))"); return }
            #expect(try c["tom"]!.execute("UPDATE knowhow.meeting SET notes = 'x' WHERE id = $1", [m1.number]) == 0)
            #expect(throws: PGError.self) {
                try c["tom"]!.execute("INSERT INTO knowhow.meeting_person(meeting_id, member_id, part, seq) SELECT $1, id, 'presenter', 2 FROM knowhow.member WHERE handle = 'tom'",
                                      [m1.number])
            }
            // He may say he came, and take it back.
            var came = current; came.attendees.append("tom")
            try tom.update(came, expecting: current, action: .recordMeeting, as: acting("tom"))
            #expect(try tom.meeting(m1).attendees == ["ana", "tom"])
            _ = try tom.undo(nil, as: acting("tom"))
            #expect(try tom.meeting(m1) == current)

            // A calendar's event may name another organiser: the contributor who imported it planned it, and may undo it.
            let tea = Meeting(title: "Tea and data", series: "Teatime", start: Timestamp("2026-03-06T16:00:00Z")!, presenters: ["ana"],
                              tags: ["data"], organiser: "kim", uid: "tea-1@example.org")
            let summary = try sam.importMeetings(series: [MeetingSeries(name: "Teatime", weekday: .friday, at: "16:00", timeZone: "UTC",
                                                                        starts: Day("2026-03-06")!)],
                                                 meetings: [tea], as: acting("sam"))
            #expect(summary.seriesAdded == 1 && summary.added[.meeting] == 1)
            #expect(try sam.meeting(EntryID(.meeting, 2)).organiser == "kim")
            _ = try sam.undo(nil, as: acting("sam"))
            #expect(try sam.allSeries().map(\.name) == ["Elevenses"])
            #expect(try sam.history(of: nil, by: "sam", limit: 1)[0].summary.hasPrefix("undid #"))
            #expect(try sam.meetings(series: nil, from: nil, through: nil).map(\.id) == [m1])
            // The undo took away the tag the calendar made; a tag still in use no member deletes.
            #expect(try sam.resolveTag("data") == nil)
            #expect(try c["ana"]!.execute("DELETE FROM knowhow.tag WHERE name = 'onboarding'") == 0)
            // Nor may a member take away a series, nor a contributor what they did not add or organise.
            #expect(throws: PGError.self) { try c["ana"]!.execute("DELETE FROM knowhow.meeting_series") }
            try kim.addSeries(MeetingSeries(name: "Kim's hour", weekday: .monday, at: "09:00", timeZone: "UTC", starts: Day("2026-03-02")!),
                              as: acting("kim"))
            #expect(try c["sam"]!.execute("DELETE FROM knowhow.meeting_series WHERE name = 'Kim''s hour'") == 0)
            // Who planned what is the database's to say, not a login's.
            #expect(throws: PGError.self) {
                try c["sam"]!.execute("INSERT INTO knowhow.series_planner(series_id, member_id) SELECT s.id, m.id FROM knowhow.meeting_series s, knowhow.member m WHERE m.handle = 'sam'")
            }

            // ana undoes her recording; a curator edits anyone's meeting.
            _ = try ana.undo(nil, as: acting("ana"))
            #expect(try ana.meeting(m1).notes == nil)
            let planned1 = try kim.meeting(m1)
            var retitled = planned1; retitled.title = "Induction that lasts"
            try kim.update(retitled, expecting: planned1, action: .editMeeting, as: acting("kim"))
            #expect(try kim.meeting(m1).title == "Induction that lasts")
            // ana links what the meeting used; sam, its organiser, moves it.
            let r = try sam.add(Resource(title: "Induction pack", contributor: "sam"), as: acting("sam"))
            let unlinked = try ana.meeting(m1)
            var linked = unlinked; linked.links = [r]
            try ana.update(linked, expecting: unlinked, action: .recordMeeting, as: acting("ana"))
            let here = try sam.meeting(m1)
            var moved = here; moved.place = "Room 2"
            try sam.update(moved, expecting: here, action: .editMeeting, as: acting("sam"))
            #expect(try sam.meeting(m1).place == "Room 2" && sam.meeting(m1).links == [r])
        }
    }
}

/// Merging members on PostgreSQL moves who presented and attended, as the SQLite store does.
@Suite(.enabled(if: TestServer.available, TestServer.skipReason))
struct PostgresMeetingMergeTests {
    @Test func mergingTwoMembersWhoWereBothAtAMeetingKeepsOneAttendance() throws {
        try TestServer.withDatabase { db in
            let s = try PostgresKnowledgeStore(TestServer.url!, overrides: ["dbname": db.name])
            let kim = Acting(.member("kim"), at: PostgresMeetingTests.now)
            try s.add(Member(handle: "kim", name: "Kim Lee"), as: Acting(.system, at: PostgresMeetingTests.now))
            try s.add(Member(handle: "li", name: "Li Wei"), as: kim)
            try s.add(Member(handle: "tom", name: "Tom Ng"), as: kim)
            let both = try s.add(Meeting(title: "Both came", start: PostgresMeetingTests.now, presenters: ["tom"], attendees: ["tom", "li"]), as: kim)
            let one = try s.add(Meeting(title: "Tom came", start: PostgresMeetingTests.now, attendees: ["tom"], organiser: "tom"), as: kim)
            try s.merge(keep: .member("li"), drop: .member("tom"), as: kim)
            let merged = try s.meeting(both)
            #expect(merged.presenters == ["li"] && merged.attendees == ["li"])
            #expect(try s.meeting(one).attendees == ["li"] && s.meeting(one).organiser == "li")
        }
    }
}
