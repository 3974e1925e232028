import Foundation

/// iCalendar (RFC 5545) for meetings: writing a calendar that ordinary calendar programs import,
/// and reading the VEVENTs of one. A series is one event with a weekly RRULE; a meeting is one
/// event. People are ORGANIZER and ATTENDEE (presenters with ROLE=CHAIR), by email, with their
/// handle in an X-KNOWHOW-HANDLE parameter so a calendar made here comes back to the same members.
public enum ICalendar {
    // MARK: - Writing

    public static func write(series: [MeetingSeries], meetings: [Meeting], members: [String: Member], now: Timestamp) throws -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//KnowHow//Meetings//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
        // One VTIMEZONE for each zone used, covering the years of the events.
        var zones: [String: Int] = [:]
        var firstStarts: [String: Timestamp] = [:]
        for s in series {
            let first = try s.occurrences(after: Timestamp(seconds: dayStart(s.starts, in: s.timeZone).seconds - 1), count: 1).first
            if let first { firstStarts[s.name] = first }
            let y = try MeetingTime.localDay(first ?? now, in: s.timeZone).year
            zones[s.timeZone] = min(zones[s.timeZone] ?? y, y)
        }
        for m in meetings {
            let y = try MeetingTime.localDay(m.start, in: m.timeZone).year
            zones[m.timeZone] = min(zones[m.timeZone] ?? y, y)
        }
        for (zone, year) in zones.sorted(by: { $0.key < $1.key }) where zone != "UTC" {
            lines += try timeZoneLines(zone, fromYear: year - 1)
        }
        let stamp = utc(now)
        for s in series {
            guard let first = firstStarts[s.name] else { continue }
            lines += ["BEGIN:VEVENT", "UID:series-\(slug(s.name))@knowhow", "DTSTAMP:" + stamp]
            lines.append(try start(first, zone: s.timeZone))
            lines.append("DURATION:PT\(s.minutes)M")
            lines.append("RRULE:FREQ=WEEKLY" + (s.weeks > 1 ? ";INTERVAL=\(s.weeks)" : "") + ";BYDAY=" + s.weekday.icsCode)
            lines.append("SUMMARY:" + escape(s.name))
            if let p = s.place { lines.append("LOCATION:" + escape(p)) }
            if let o = s.organiser { lines.append(person("ORGANIZER", o, members, role: nil)) }
            lines.append("X-KNOWHOW-FORMAT:" + s.format.rawValue)
            lines.append("END:VEVENT")
        }
        for m in meetings {
            lines += ["BEGIN:VEVENT", "UID:" + escape(uid(m)), "DTSTAMP:" + stamp]
            lines.append(try start(m.start, zone: m.timeZone))
            lines.append("DURATION:PT\(m.minutes)M")
            lines.append("SUMMARY:" + escape(m.title))
            if let p = m.place { lines.append("LOCATION:" + escape(p)) }
            if let n = m.notes { lines.append("DESCRIPTION:" + escape(n)) }
            if !m.tags.isEmpty { lines.append("CATEGORIES:" + m.tags.map(escape).joined(separator: ",")) }
            if let o = m.organiser { lines.append(person("ORGANIZER", o, members, role: nil)) }
            for p in m.presenters { lines.append(person("ATTENDEE", p, members, role: "CHAIR")) }
            for a in m.attendees where !m.presenters.contains(a) { lines.append(person("ATTENDEE", a, members, role: "REQ-PARTICIPANT")) }
            if let s = m.series { lines.append("X-KNOWHOW-SERIES:" + escape(s)) }
            lines.append("X-KNOWHOW-FORMAT:" + m.format.rawValue)
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// The UID a meeting is exported under: the one it came with, else one made from its id and creation.
    public static func uid(_ m: Meeting) -> String {
        m.uid ?? "knowhow-\(m.id?.description ?? "m0")-\(m.created?.seconds ?? m.start.seconds)@knowhow"
    }

    static func dayStart(_ day: Day, in zone: String) throws -> Timestamp {
        try MeetingTime.parseLocal(day.description + " 00:00", in: zone)
    }

    static func utc(_ t: Timestamp) -> String {
        t.description.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    static func start(_ t: Timestamp, zone: String) throws -> String {
        zone == "UTC" ? "DTSTART:" + utc(t) : "DTSTART;TZID=\(zone):" + (try MeetingTime.icsLocal(t, in: zone))
    }

    static func slug(_ s: String) -> String {
        String(s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    /// `ATTENDEE;ROLE=CHAIR;CN=Kim Lee;X-KNOWHOW-HANDLE=kim:mailto:kim@example.org`.
    static func person(_ property: String, _ handle: String, _ members: [String: Member], role: String?) -> String {
        let m = members[handle]
        let address = m?.email ?? "\(handle)@members.knowhow.invalid"
        var line = property
        if let role { line += ";ROLE=" + role }
        if let name = m?.name { line += ";CN=" + parameter(name) }
        line += ";X-KNOWHOW-HANDLE=" + handle
        return line + ":mailto:" + address
    }

    /// A parameter value: quoted when it holds `:`, `;` or `,`; double quotes cannot appear at all.
    static func parameter(_ s: String) -> String {
        let v = s.replacingOccurrences(of: "\"", with: "'").filter { $0 != "\r" && $0 != "\n" }
        return v.contains(where: { ":;,".contains($0) }) ? "\"" + v + "\"" : v
    }

    /// TEXT escaping (RFC 5545 3.3.11).
    public static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r\n", "\n": out += "\\n"
            case "\r": break
            default: out.append(ch)
            }
        }
        return out
    }

    /// Folds a content line at 75 octets, never inside a UTF-8 sequence; continuations start with a space.
    public static func fold(_ line: String) -> String {
        var parts: [String] = []
        var current = "", size = 0
        var limit = 75
        for ch in line {
            let n = String(ch).utf8.count
            if size + n > limit {
                parts.append(current)
                current = ""; size = 0; limit = 74  // the leading space counts
            }
            current.append(ch); size += n
        }
        parts.append(current)
        return parts.joined(separator: "\r\n ")
    }

    /// STANDARD and DAYLIGHT parts of a zone from its first two changes on or after `fromYear`,
    /// each with the yearly rule that repeats it (last or nth weekday of its month).
    static func timeZoneLines(_ name: String, fromYear year: Int) throws -> [String] {
        let zone = try MeetingTime.zone(name)
        var lines = ["BEGIN:VTIMEZONE", "TZID:" + name]
        let base = try MeetingTime.parseLocal(String(format: "%04d-01-01 00:00", year), in: "UTC").date
        var transitions: [Date] = []
        var t = base
        while transitions.count < 2, let next = zone.nextDaylightSavingTimeTransition(after: t),
              next.timeIntervalSince(base) < 400 * 86_400 {
            transitions.append(next); t = next
        }
        func offset(_ seconds: Int) -> String {
            String(format: "%@%02d%02d", seconds < 0 ? "-" : "+", abs(seconds) / 3600, abs(seconds) / 60 % 60)
        }
        if transitions.isEmpty {
            let o = offset(zone.secondsFromGMT(for: base))
            return lines + ["BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:" + o, "TZOFFSETTO:" + o,
                            "TZNAME:" + MeetingTime.abbreviation(zone, named: name, at: base), "END:STANDARD", "END:VTIMEZONE"]
        }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        for d in transitions.sorted(by: { zone.isDaylightSavingTime(for: $0) && !zone.isDaylightSavingTime(for: $1) }) {
            let before = zone.secondsFromGMT(for: d.addingTimeInterval(-1)), after = zone.secondsFromGMT(for: d)
            let kind = zone.isDaylightSavingTime(for: d) ? "DAYLIGHT" : "STANDARD"
            // The wall-clock time at which the change happens, in the offset before it.
            let local = d.addingTimeInterval(TimeInterval(before))
            let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: local)
            let days = cal.range(of: .day, in: .month, for: local)!.count
            let nth = c.day! + 7 > days ? "-1" : String((c.day! - 1) / 7 + 1)
            let day = Weekday.allCases.first { $0.calendarNumber == c.weekday! }!.icsCode
            lines += ["BEGIN:" + kind,
                      String(format: "DTSTART:%04d%02d%02dT%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!),
                      "RRULE:FREQ=YEARLY;BYMONTH=\(c.month!);BYDAY=\(nth)\(day)",
                      "TZOFFSETFROM:" + offset(before), "TZOFFSETTO:" + offset(after),
                      "TZNAME:" + MeetingTime.abbreviation(zone, named: name, at: d), "END:" + kind]
        }
        return lines + ["END:VTIMEZONE"]
    }

    // MARK: - Reading

    /// One content line: its name, parameters and value, and the line it starts on.
    struct Property {
        var name: String
        var parameters: [String: String]
        var value: String
        var line: Int
    }

    /// Series (weekly events) and meetings (the other events) of a calendar; members are matched by
    /// X-KNOWHOW-HANDLE, else by email; other people are left out. Any malformed part refuses it all.
    /// `unknown` names, once each in file order, the people (ORGANIZER, ATTENDEE) who are not
    /// members: by email, or by CN when there is no email; they are left out of the meetings.
    public static func read(_ text: String, path: String, members: [Member]) throws
        -> (series: [MeetingSeries], meetings: [Meeting], unknown: [String]) {
        func bad(_ line: Int?, _ reason: String) -> KnowHowError { .badCalendar(path: path, line: line, reason: reason) }
        // Unfold: a line starting with a space or a tab continues the one before.
        var logical: [(Int, String)] = []
        let physical = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (i, raw) in physical.enumerated() {
            let line = String(raw)
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                guard !logical.isEmpty else { throw bad(i + 1, "the file starts with a continued line") }
                logical[logical.count - 1].1 += String(line.dropFirst())
            } else if !line.isEmpty {
                logical.append((i + 1, line))
            }
        }
        guard let first = logical.first, first.1.uppercased() == "BEGIN:VCALENDAR" else {
            throw bad(logical.first?.0, "not an iCalendar file: it must start with BEGIN:VCALENDAR")
        }
        var properties: [Property] = []
        for (n, line) in logical { properties.append(try parse(line, at: n, path: path)) }
        var stack: [(String, Int)] = []
        var events: [[Property]] = []
        var current: [Property]?
        for p in properties {
            if p.name == "BEGIN" {
                let what = p.value.uppercased()
                if what == "VEVENT" {
                    guard stack.last?.0 == "VCALENDAR" else { throw bad(p.line, "an event (BEGIN:VEVENT) outside a calendar or inside another component") }
                    current = [p]
                }
                stack.append((what, p.line))
            } else if p.name == "END" {
                let what = p.value.uppercased()
                guard let open = stack.popLast() else { throw bad(p.line, "END:\(p.value) without a BEGIN") }
                guard open.0 == what else { throw bad(p.line, "END:\(p.value) where END:\(open.0) (begun on line \(open.1)) belongs") }
                if what == "VEVENT", let e = current { events.append(e); current = nil }
            } else if current != nil, stack.last?.0 == "VEVENT" {
                current!.append(p)
            }
        }
        if let open = stack.last { throw bad(open.1, "BEGIN:\(open.0) is never ended (the file may be cut short)") }

        let byHandle = Dictionary(members.map { ($0.handle, $0) }, uniquingKeysWith: { a, _ in a })
        var byEmail: [String: String] = [:]
        for m in members { if let e = m.email?.lowercased() { byEmail[e] = m.handle } }
        var unknown: [String] = [], seenUnknown = Set<String>()
        func member(_ p: Property) -> String? {
            if let h = p.parameters["X-KNOWHOW-HANDLE"], byHandle[h] != nil { return h }
            let v = p.value.lowercased()
            if v.hasPrefix("mailto:"), let h = byEmail[String(v.dropFirst(7))] { return h }
            let who = v.hasPrefix("mailto:") ? String(p.value.dropFirst(7)) : (p.parameters["CN"] ?? p.value)
            let trimmed = who.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, seenUnknown.insert(trimmed.lowercased()).inserted { unknown.append(trimmed) }
            return nil
        }

        var series: [MeetingSeries] = [], meetings: [Meeting] = []
        for e in events {
            let begin = e[0].line
            func one(_ name: String) -> Property? { e.first { $0.name == name } }
            guard let summary = one("SUMMARY").map({ unescape($0.value) }), !summary.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw bad(begin, "the event has no SUMMARY (its title)")
            }
            guard let dt = one("DTSTART") else { throw bad(begin, "the event '\(summary)' has no DTSTART (its start)") }
            let (start, zone, allDay) = try dateTime(dt, path: path)
            var minutes = allDay ? 1440 : 60
            if let d = one("DURATION") {
                guard let m = duration(d.value) else { throw bad(d.line, "'\(d.value)' is not a duration such as PT60M or PT1H30M") }
                minutes = m
            } else if let end = one("DTEND") {
                let (t, _, _) = try dateTime(end, path: path)
                minutes = Int((t.seconds - start.seconds) / 60)
            }
            guard (1...1440).contains(minutes) else { throw bad(begin, "the event '\(summary)' lasts \(minutes) minutes; a meeting lasts from 1 minute to a day") }
            let place = one("LOCATION").map { unescape($0.value) }
            var format = MeetingFormat.talk
            if let f = one("X-KNOWHOW-FORMAT") {
                guard let v = MeetingFormat(word: f.value) else { throw bad(f.line, "'\(f.value)' is not a meeting format; use \(MeetingFormat.words)") }
                format = v
            }
            let organiser = one("ORGANIZER").flatMap(member)
            if let rule = one("RRULE") {
                let parts = Dictionary(rule.value.split(separator: ";").map { p -> (String, String) in
                    let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
                    return (kv[0].uppercased(), kv.count > 1 ? kv[1] : "")
                }, uniquingKeysWith: { a, _ in a })
                guard parts["FREQ"]?.uppercased() == "WEEKLY" else {
                    throw bad(rule.line, "only weekly repeating events can become a series (FREQ=WEEKLY); this one is \(parts["FREQ"] ?? "without FREQ")")
                }
                let weeks = Int(parts["INTERVAL"] ?? "1") ?? 0
                guard (1...52).contains(weeks) else { throw bad(rule.line, "INTERVAL=\(parts["INTERVAL"] ?? "") is not a number of weeks from 1 to 52") }
                let local = try MeetingTime.components(start, in: zone)
                var weekday = Weekday.allCases.first { $0.calendarNumber == local.weekday! }!
                if let by = parts["BYDAY"] {
                    guard !by.contains(","), let d = Weekday.allCases.first(where: { $0.icsCode == by.uppercased() }) else {
                        throw bad(rule.line, "BYDAY=\(by) is not one weekday such as TH; a series meets on one day")
                    }
                    weekday = d
                }
                series.append(MeetingSeries(name: summary, weekday: weekday, at: String(format: "%02d:%02d", local.hour!, local.minute!),
                                            timeZone: zone, minutes: minutes, weeks: weeks, place: place, format: format,
                                            organiser: organiser, starts: try MeetingTime.localDay(start, in: zone)))
                continue
            }
            var presenters: [String] = [], attendees: [String] = []
            for a in e where a.name == "ATTENDEE" {
                guard let h = member(a) else { continue }
                if a.parameters["ROLE"]?.uppercased() == "CHAIR" { presenters.append(h) } else { attendees.append(h) }
            }
            let tags = e.filter { $0.name == "CATEGORIES" }.flatMap { splitList($0.value) }.compactMap { try? Validation.tag($0) }
            meetings.append(Meeting(title: summary, series: one("X-KNOWHOW-SERIES").map { unescape($0.value) }, start: start,
                                    timeZone: zone, minutes: minutes, place: place, format: format, presenters: presenters,
                                    attendees: attendees, notes: one("DESCRIPTION").map { unescape($0.value) }, tags: tags,
                                    organiser: organiser, uid: one("UID")?.value))
        }
        return (series, meetings, unknown)
    }

    /// `NAME;P=v;Q="a:b":value`.
    static func parse(_ line: String, at n: Int, path: String) throws -> Property {
        var name = "", params: [String: String] = [:]
        var i = line.startIndex
        var inQuotes = false
        var token = ""
        var paramName: String?
        var nameDone = false
        while i < line.endIndex {
            let ch = line[i]
            if ch == "\"" { inQuotes.toggle(); i = line.index(after: i); continue }
            if !inQuotes && (ch == ";" || ch == ":") {
                if !nameDone { name = token.uppercased(); nameDone = true }
                else if let p = paramName { params[p] = token; paramName = nil }
                else if !token.isEmpty { throw KnowHowError.badCalendar(path: path, line: n, reason: "the parameter '\(token)' has no value") }
                token = ""
                if ch == ":" {
                    return Property(name: name, parameters: params, value: String(line[line.index(after: i)...]), line: n)
                }
            } else if !inQuotes && ch == "=" && nameDone && paramName == nil {
                paramName = token.uppercased(); token = ""
            } else {
                token.append(ch)
            }
            i = line.index(after: i)
        }
        throw KnowHowError.badCalendar(path: path, line: n, reason: "'\(line.prefix(40))' is not a NAME:VALUE line")
    }

    /// A DTSTART or DTEND: the instant, its time zone, and whether it is a whole day.
    static func dateTime(_ p: Property, path: String) throws -> (Timestamp, String, Bool) {
        let v = p.value
        func bad() -> KnowHowError {
            .badCalendar(path: path, line: p.line, reason: "'\(v)' is not a date-time such as 20260312T110000 or 20260312T110000Z")
        }
        let digits = v.filter(\.isNumber)
        if p.parameters["VALUE"]?.uppercased() == "DATE" || (v.count == 8 && digits.count == 8) {
            guard v.count == 8, let day = Day(String(v.prefix(4)) + "-" + String(v.dropFirst(4).prefix(2)) + "-" + String(v.suffix(2))) else { throw bad() }
            let zone = try zoneName(p.parameters["TZID"] ?? "UTC", p, path)
            do { return (try MeetingTime.parseLocal(day.description + " 00:00", in: zone), zone, true) } catch let e as KnowHowError {
                throw KnowHowError.badCalendar(path: path, line: p.line, reason: e.description)
            }
        }
        guard v.count == 15 || (v.count == 16 && v.hasSuffix("Z")), digits.count == 14, v.dropFirst(8).first == "T" else { throw bad() }
        let c = Array(v)
        let text = String(c[0..<4]) + "-" + String(c[4..<6]) + "-" + String(c[6..<8]) + " " + String(c[9..<11]) + ":" + String(c[11..<13])
        let zone = v.hasSuffix("Z") ? "UTC" : try zoneName(p.parameters["TZID"] ?? "UTC", p, path)
        guard Day(String(text.prefix(10))) != nil, (try? MeetingTime.clock(String(text.suffix(5)))) != nil else { throw bad() }
        do { return (try MeetingTime.parseLocal(text, in: zone), zone, false) } catch let e as KnowHowError {
            throw KnowHowError.badCalendar(path: path, line: p.line, reason: e.description)
        }
    }

    static func zoneName(_ name: String, _ p: Property, _ path: String) throws -> String {
        guard TimeZone(identifier: name) != nil else {
            throw KnowHowError.badCalendar(path: path, line: p.line, reason: "'\(name)' is not a time zone this program knows; use an IANA name such as Europe/London")
        }
        return name
    }

    /// `PT1H30M`, `PT90M`, `P1D` in minutes.
    static func duration(_ text: String) -> Int? {
        var t = text.uppercased()
        guard t.hasPrefix("P") else { return nil }
        t.removeFirst()
        var minutes = 0, number = "", inTime = false
        for ch in t {
            if ch.isNumber { number.append(ch); continue }
            if ch == "T" { inTime = true; continue }
            guard let n = Int(number) else { return nil }
            number = ""
            switch (ch, inTime) {
            case ("W", false): minutes += n * 7 * 1440
            case ("D", false): minutes += n * 1440
            case ("H", true): minutes += n * 60
            case ("M", true): minutes += n
            case ("S", true): minutes += n / 60
            default: return nil
            }
        }
        return number.isEmpty ? minutes : nil
    }

    static func unescape(_ s: String) -> String {
        var out = "", escaped = false
        for ch in s {
            if escaped {
                out += ch == "n" || ch == "N" ? "\n" : String(ch); escaped = false
            } else if ch == "\\" { escaped = true } else { out.append(ch) }
        }
        return out
    }

    /// A comma-separated TEXT list, honouring `\,`.
    static func splitList(_ s: String) -> [String] {
        var out: [String] = [], cur = "", escaped = false
        for ch in s {
            if escaped { cur.append(ch); escaped = false } else if ch == "\\" { escaped = true } else if ch == "," { out.append(cur); cur = "" } else { cur.append(ch) }
        }
        out.append(cur)
        return out.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
