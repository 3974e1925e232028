import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite
@testable import KnowHowShell

/// A Python with the `icalendar` package (PyPI; Debian's python3-icalendar), found once.
private let icalendarPython: String? = ["/usr/bin/python3", "/usr/local/bin/python3", "python3"].first { python in
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [python, "-c", "import icalendar"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}

/// The calendars `meeting export` writes, read by a real parser: Python's `icalendar`. Skipped,
/// and said so, where it is not installed; in CI (`CI` set, as StandbyTests) its absence fails the test instead.
@Suite(.enabled(if: icalendarPython != nil || !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty,
                "Python's icalendar package is not installed (pip install icalendar, or apt install python3-icalendar)"))
struct CalendarValidationTests {
    /// Reads the file, checks what RFC 5545 requires of each event, resolves times through the
    /// file's own VTIMEZONE, and prints each event's title, UTC start, rule and people.
    static let script = """
    import sys, json, datetime, icalendar
    cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
    assert cal['VERSION'] == '2.0' and 'PRODID' in cal
    def own(z):
        # The file's own rules, not the parser's copy of the zone by name.
        try:
            return z.to_tz(lookup_tzid=False)
        except TypeError:
            return z.to_tz()
    zones = {str(z['TZID']): own(z) for z in cal.walk('VTIMEZONE')}
    out = []
    for e in cal.walk('VEVENT'):
        for p in ('UID', 'DTSTAMP', 'DTSTART', 'SUMMARY'):
            assert p in e, p + ' missing'
        start = e['DTSTART']
        tzid = start.params.get('TZID')
        local = e.decoded('DTSTART').replace(tzinfo=None)
        zone = zones[tzid] if tzid else datetime.timezone.utc
        if hasattr(zone, 'localize'):
            when = zone.localize(local)
        else:
            when = local.replace(tzinfo=zone)
        people = e.get('ATTENDEE', [])
        if not isinstance(people, list):
            people = [people]
        rule = e.get('RRULE')
        out.append([str(e['SUMMARY']), when.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
                    rule.to_ical().decode() if rule else None, len(people), str(e.get('ORGANIZER', ''))])
    print(json.dumps(out))
    """

    @Test func theDemoSeriesCalendarIsValidAndItsTimesAreRight() throws {
        let python = try #require(icalendarPython, "CI=true, but no python3 with the icalendar package: .ci/run installs it")
        let store = try SQLiteKnowledgeStore()
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Data/community.json")
        _ = try Importer.importFile(demo.path, into: store, as: .system)
        let community = Community(store: store, clock: { Timestamp("2026-11-25T12:00:00Z")! })
        let text = try community.calendar(meeting: nil, series: "Elevenses")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kh-ics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("elevenses.ics"), script = folder.appendingPathComponent("check.py")
        try Data(text.utf8).write(to: file)
        try Data(Self.script.utf8).write(to: script)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, script.path, file.path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "icalendar refused the file: \(problem)")
        let events = try #require(try JSONSerialization.jsonObject(with: data) as? [[Any]])
        let meetings = try store.meetings(series: "Elevenses", from: nil, through: nil)
        #expect(events.count == meetings.count + 1)
        // The series: weekly, every other Thursday, from its first meeting (10:00 UTC in September, BST).
        let series = try #require(events.first)
        #expect(series[0] as? String == "Elevenses" && series[1] as? String == "2026-09-17T10:00:00Z")
        #expect(series[2] as? String == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH")
        // Each meeting at the instant the store holds, through the file's VTIMEZONE: 10:00 UTC before
        // the October change, 11:00 after it.
        for (e, m) in zip(events.dropFirst(), meetings) {
            #expect(e[0] as? String == m.title)
            #expect(e[1] as? String == m.start.description, "\(m.title)")
            #expect(e[3] as? Int == Set(m.presenters + m.attendees).count)
            #expect((e[4] as? String)?.hasPrefix("mailto:") == true)
        }
        #expect(meetings.contains { $0.start.description == "2026-10-15T10:00:00Z" } && meetings.contains { $0.start.description == "2026-10-29T11:00:00Z" })
    }
}
