import Foundation
import Testing
@testable import KnowHowCore

/// Recurrence in a time zone, presenter rotation, and iCalendar writing and reading.
struct MeetingTests {
    static let elevenses = MeetingSeries(name: "Elevenses", weekday: .thursday, at: "11:00", timeZone: "Europe/London",
                                         starts: Day("2026-03-01")!)

    @Test func aLondonSeriesStaysAtElevenLocalAcrossBothChanges() throws {
        // The clocks go forward on 29 March 2026 and back on 25 October 2026.
        let spring = try Self.elevenses.occurrences(after: Timestamp("2026-03-18T00:00:00Z")!, count: 3).map(\.description)
        #expect(spring == ["2026-03-19T11:00:00Z", "2026-03-26T11:00:00Z", "2026-04-02T10:00:00Z"])
        let autumn = try Self.elevenses.occurrences(after: Timestamp("2026-10-20T00:00:00Z")!, count: 2).map(\.description)
        #expect(autumn == ["2026-10-22T10:00:00Z", "2026-10-29T11:00:00Z"])
        #expect(try MeetingTime.show(Timestamp("2026-04-02T10:00:00Z")!, in: "Europe/London").hasPrefix("Thu 2026-04-02 11:00"))
        #expect(try MeetingTime.show(Timestamp("2026-04-02T10:00:00Z")!, in: "America/New_York").hasPrefix("Thu 2026-04-02 06:00"))
    }

    @Test func timesAreShownWithTheZoneNamePeopleThereUseNotAnOffset() throws {
        let summer = Timestamp("2026-07-02T10:00:00Z")!, winter = Timestamp("2026-12-03T11:00:00Z")!
        #expect(try MeetingTime.show(summer, in: "Europe/London") == "Thu 2026-07-02 11:00 BST")
        #expect(try MeetingTime.show(winter, in: "Europe/London") == "Thu 2026-12-03 11:00 GMT")
        #expect(try MeetingTime.show(summer, in: "America/New_York").hasSuffix(" 06:00 EDT"))
        #expect(try MeetingTime.show(winter, in: "Europe/Paris").hasSuffix(" 12:00 CET"))
        #expect(try MeetingTime.show(summer, in: "Asia/Kolkata").hasSuffix(" 15:30 IST"))
        #expect(try MeetingTime.show(summer, in: "UTC").hasSuffix(" 10:00 UTC"))
        // A zone no English locale names keeps its offset rather than a made-up name.
        #expect(try MeetingTime.show(summer, in: "Etc/GMT-3").hasSuffix(" 13:00 GMT+3"))
    }

    @Test func everyOtherWeekCountsFromTheFirstMeeting() throws {
        var s = Self.elevenses
        s.weeks = 2
        let dates = try s.occurrences(after: Timestamp("2026-03-01T00:00:00Z")!, count: 3).map { $0.day.description }
        #expect(dates == ["2026-03-05", "2026-03-19", "2026-04-02"])
        // Far from the start, the rhythm holds.
        let later = try s.occurrences(after: Timestamp("2027-03-01T00:00:00Z")!, count: 1)[0]
        #expect((later.seconds - Timestamp("2026-03-05T11:00:00Z")!.seconds) % (14 * 86_400) == 0)
    }

    @Test(arguments: [("11:00", true), ("9:30", true), ("24:00", false), ("11", false), ("11:5", false), ("ab:cd", false)])
    func clockTimes(_ c: (String, Bool)) {
        #expect(((try? MeetingTime.clock(c.0)) != nil) == c.1, "\(c.0)")
    }

    @Test func weekdaysAsPeopleTypeThem() {
        #expect(Weekday(word: "Thursday") == .thursday && Weekday(word: "thu") == .thursday && Weekday(word: "thursdays") == .thursday)
        #expect(Weekday(word: "th") == nil && Weekday(word: "funday") == nil)
        #expect(Weekday.thursday.icsCode == "TH" && Weekday.sunday.calendarNumber == 1 && Weekday.monday.calendarNumber == 2)
    }

    static func expert(_ h: String) -> Expert {
        Expert(member: MemberFacts(handle: h, name: h.capitalized), score: 1, evidenceScore: 1, skillScore: 0, endorsementScore: 0,
               evidence: [], evidenceCount: 1)
    }

    @Test func rotationPutsRecentAndFrequentPresentersLaterAndFirstTimersEarlier() {
        let now = Timestamp("2026-06-01T12:00:00Z")!
        func held(_ day: String, _ who: String) -> Meeting { Meeting(title: "T", start: Timestamp(day + "T11:00:00Z")!, presenters: [who]) }
        let meetings = [held("2026-05-21", "ana"), held("2026-01-08", "ben"), held("2026-02-05", "ben"), held("2026-03-05", "ben"),
                        Meeting(title: "Coming", start: Timestamp("2026-06-04T11:00:00Z")!, presenters: ["cat"])]
        let order = PresenterRotation.order(["ana", "ben", "cat", "dan"].map(Self.expert), meetings: meetings, now: now)
        // ana leads on evidence but presented last week; ben presented three times; cat's talk has not happened.
        #expect(order.map(\.handle) == ["cat", "dan", "ana", "ben"])
        #expect(order.first { $0.handle == "ana" }?.why == "presented 1×, last 2026-05-21 (recently)")
        #expect(order.first { $0.handle == "cat" }?.why == "first time presenting")
    }

    // MARK: - iCalendar

    static let members = ["kim": Member(handle: "kim", name: "Kim Lee, PhD", email: "kim@example.org"),
                          "sam": Member(handle: "sam", name: "Sam Patel")]

    static func calendar() throws -> String {
        let m = Meeting(id: EntryID("m3")!, title: "Supervision; reflective, not just case management — a long title that must fold",
                        series: "Elevenses", start: Timestamp("2026-07-02T10:00:00Z")!, timeZone: "Europe/London", minutes: 45,
                        place: "Room 2, Hall", format: .peerAssist, presenters: ["kim"], attendees: ["sam"],
                        notes: "Line one\nLine two: \\ backslash", tags: ["supervision", "social-care"], organiser: "kim",
                        created: Timestamp("2026-06-01T09:00:00Z")!)
        return try ICalendar.write(series: [elevenses], meetings: [m], members: members, now: Timestamp("2026-06-01T12:00:00Z")!)
    }

    @Test func theCalendarIsCRLFFoldedAt75OctetsAndEscaped() throws {
        let text = try Self.calendar()
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
        let lines = text.components(separatedBy: "\r\n").dropLast()
        #expect(!lines.contains { $0.contains("\n") || $0.contains("\r") })
        #expect(lines.allSatisfy { $0.utf8.count <= 75 }, "\(lines.filter { $0.utf8.count > 75 })")
        #expect(lines.contains("RRULE:FREQ=WEEKLY;BYDAY=TH"))
        #expect(lines.contains("DTSTART;TZID=Europe/London:20260702T110000"))
        #expect(lines.contains("UID:knowhow-m3-1780304400@knowhow"))
        #expect(lines.contains("DTSTAMP:20260601T120000Z"))
        #expect(lines.contains("TZID:Europe/London") && lines.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"))
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("DESCRIPTION:Line one\\nLine two: \\\\ backslash\r\n"))
        #expect(unfolded.contains("LOCATION:Room 2\\, Hall\r\n"))
        #expect(unfolded.contains("ORGANIZER;CN=\"Kim Lee, PhD\";X-KNOWHOW-HANDLE=kim:mailto:kim@example.org\r\n"))
        #expect(unfolded.contains("ATTENDEE;ROLE=REQ-PARTICIPANT;CN=Sam Patel;X-KNOWHOW-HANDLE=sam:mailto:sam@members.knowhow.invalid\r\n"))
    }

    @Test func foldingNeverSplitsACharacter() {
        let line = "SUMMARY:" + String(repeating: "é", count: 80)
        let folded = ICalendar.fold(line)
        for part in folded.components(separatedBy: "\r\n") { #expect(part.utf8.count <= 75 && String(validatingUTF8: part) != nil) }
        #expect(folded.replacingOccurrences(of: "\r\n ", with: "") == line)
    }

    @Test func aCalendarMadeHereReadsBackToTheSameSeriesAndMeeting() throws {
        let read = try ICalendar.read(try Self.calendar(), path: "x.ics", members: Array(Self.members.values))
        #expect(read.series == [MeetingSeries(name: "Elevenses", weekday: .thursday, at: "11:00", timeZone: "Europe/London", minutes: 60,
                                              format: .talk, starts: Day("2026-03-05")!)])
        let m = try #require(read.meetings.first)
        #expect(m.title.hasPrefix("Supervision; reflective, not just") && m.start == Timestamp("2026-07-02T10:00:00Z")!)
        #expect(m.presenters == ["kim"] && m.attendees == ["sam"] && m.organiser == "kim" && m.minutes == 45)
        #expect(m.notes == "Line one\nLine two: \\ backslash" && m.place == "Room 2, Hall" && m.tags == ["supervision", "social-care"])
        #expect(m.series == "Elevenses" && m.format == .peerAssist && m.uid == "knowhow-m3-1780304400@knowhow")
        #expect(read.unknown.isEmpty)
    }

    @Test func peopleWhoAreNotMembersAreNamedOnceNotDroppedSilently() throws {
        let event = { (uid: String) in
            "BEGIN:VEVENT\r\nUID:\(uid)\r\nSUMMARY:Elevenses\r\nDTSTART:20260702T100000Z\r\n"
                + "ORGANIZER;CN=Kim Lee;X-KNOWHOW-HANDLE=kim:mailto:kim@example.org\r\n"
                + "ATTENDEE;CN=Ann Other:mailto:Ann@Elsewhere.org\r\nATTENDEE;CN=Bo Guest:urn:uuid:1\r\nEND:VEVENT\r\n"
        }
        let text = "BEGIN:VCALENDAR\r\n" + event("a") + event("b") + "END:VCALENDAR\r\n"
        let read = try ICalendar.read(text, path: "x.ics", members: Array(Self.members.values))
        #expect(read.unknown == ["Ann@Elsewhere.org", "Bo Guest"])
        #expect(read.meetings.allSatisfy { $0.attendees.isEmpty && $0.organiser == "kim" })
        var summary = ImportSummary()
        summary.added[.meeting] = 2
        summary.peopleLeftOut = read.unknown
        #expect(summary.description.contains("left out 2 people who are not members: Ann@Elsewhere.org, Bo Guest; to count them"))
    }

    @Test(arguments: [
        ("BEGIN:VEVENT\r\nEND:VEVENT\r\n", "x.ics: line 1: not an iCalendar file: it must start with BEGIN:VCALENDAR"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:A\r\nEND:VEVENT\r\n", "x.ics: line 1: BEGIN:VCALENDAR is never ended"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260702T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "x.ics: line 2: the event has no SUMMARY"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:A\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "x.ics: line 2: the event 'A' has no DTSTART"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:A\r\nDTSTART:2026-07-02\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "x.ics: line 4: '2026-07-02' is not a date-time"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:A\r\nDTSTART;TZID=GMT Standard Time:20260702T110000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
         "x.ics: line 4: 'GMT Standard Time' is not a time zone this program knows"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:A\r\nDTSTART:20260702T110000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
         "x.ics: line 5: only weekly repeating events can become a series"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:A\r\nDTSTART:20260702T110000Z\r\nDURATION:soon\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
         "x.ics: line 5: 'soon' is not a duration"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:A\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", "x.ics: line 4: END:VTODO where END:VEVENT (begun on line 2) belongs"),
        ("BEGIN:VCALENDAR\r\nno colon here\r\nEND:VCALENDAR\r\n", "x.ics: line 2: 'no colon here' is not a NAME:VALUE line"),
    ])
    func malformedCalendarsAreRefusedSayingWhere(_ c: (String, String)) {
        do {
            _ = try ICalendar.read(c.0, path: "x.ics", members: [])
            Issue.record("accepted: \(c.0)")
        } catch {
            #expect("\(error)".hasPrefix(c.1), "\(error)")
            #expect("\(error)".hasSuffix("; nothing was imported"))
        }
    }

    /// Found by fuzzing: an event in year 0 was read, then written as `0011230T000000Z`, which no
    /// reader takes. Years outside 1900–2999 are refused where they come in.
    @Test func aYearOutsideTheCalendarsRangeIsRefusedNotWrittenBroken() {
        for v in ["00000101T000000Z", "99991231T235959Z", "18000101"] {
            let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nDTSTART:\(v)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            do {
                _ = try ICalendar.read(text, path: "x.ics", members: [])
                Issue.record("accepted \(v)")
            } catch {
                #expect("\(error)".hasPrefix("x.ics: line 4: ") && "\(error)".contains("expected a day in the years 1900 to 2999"), "\(error)")
            }
        }
        #expect(throws: KnowHowError.self) { try MeetingTime.parseLocal("0001-01-01 10:00", in: "UTC") }
        #expect(throws: KnowHowError.self) { try Meeting(title: "x", start: Timestamp("0001-01-01T10:00:00Z")!).validated() }
    }

    @Test func allDayAndUTCAndEndTimesAreRead() throws {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Day\r\nDTSTART;VALUE=DATE:20260702\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nSUMMARY:Short\r\nDTSTART:20260702T110000Z\r\nDTEND:20260702T113000Z\r\nCATEGORIES:a-tag,Not a tag!\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let m = try ICalendar.read(text, path: "x.ics", members: []).meetings
        #expect(m.map(\.minutes) == [1440, 30] && m[1].timeZone == "UTC" && m[1].tags == ["a-tag"])
    }

    @Test func aMeetingsFieldsAreCheckedBeforeAnyStoreSeesThem() {
        #expect(throws: KnowHowError.self) { try Meeting(title: "x", start: .now, minutes: 2000).validated() }
        #expect(throws: KnowHowError.self) { try Meeting(title: "x", start: .now, presenters: ["Not A Handle"]).validated() }
        #expect(throws: KnowHowError.self) { try MeetingSeries(name: "x", weekday: .monday, at: "25:00", timeZone: "UTC", starts: Day("2026-01-01")!).validated() }
        #expect((try? Meeting(title: "  x  ", start: .now, presenters: ["kim", "kim"]).validated())?.presenters == ["kim"])
    }
}
