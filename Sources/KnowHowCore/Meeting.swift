import Foundation

/// What kind of session a meeting is.
public enum MeetingFormat: String, Codable, CaseIterable, Sendable, FileChoice {
    case talk
    case peerAssist = "peer-assist"
    case bookDiscussion = "book-discussion"
    case caseClinic = "case-clinic"
    case launch
    case other

    public static let noun = "meeting format"
    public init(from decoder: Decoder) throws { self = try Self.choice(decoder) }

    /// The format as a person types it: `peer assist`, `peer-assist`, `Peer Assist`.
    public init?(word: String) {
        let w = word.lowercased().replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: "_", with: "-")
        guard let f = MeetingFormat(rawValue: w) else { return nil }
        self = f
    }

    public static var words: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A day of the week, as a series recurs on it.
public enum Weekday: String, Codable, CaseIterable, Sendable, FileChoice {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday

    public static let noun = "weekday"
    public init(from decoder: Decoder) throws { self = try Self.choice(decoder) }

    /// `thursday`, `Thu`, `thursdays`.
    public init?(word: String) {
        var w = word.lowercased()
        if w.count > 3, w.hasSuffix("s") { w = String(w.dropLast()) }
        guard w.count >= 3, let d = Weekday.allCases.first(where: { $0.rawValue.hasPrefix(w) }) else { return nil }
        self = d
    }

    /// Foundation's number for the day (Sunday 1 … Saturday 7).
    public var calendarNumber: Int { self == .sunday ? 1 : (Weekday.allCases.firstIndex(of: self)! + 2) }

    /// iCalendar's two letters (`TH`).
    public var icsCode: String { String(rawValue.prefix(2)).uppercased() }
}

/// A regular meeting: a weekday and a local time in a time zone, every `weeks` weeks from `starts`.
public struct MeetingSeries: Codable, Hashable, Sendable {
    public var name: String
    public var weekday: Weekday
    /// Local time, `HH:MM`.
    public var at: String
    /// An IANA time zone such as Europe/London: the local time stays put across daylight-saving changes.
    public var timeZone: String
    public var minutes: Int
    public var weeks: Int
    public var place: String?
    public var format: MeetingFormat
    public var organiser: String?
    /// The first day the series may meet.
    public var starts: Day
    public var created: Timestamp?

    public init(name: String, weekday: Weekday, at: String, timeZone: String, minutes: Int = 60, weeks: Int = 1,
                place: String? = nil, format: MeetingFormat = .talk, organiser: String? = nil, starts: Day,
                created: Timestamp? = nil) {
        self.name = name; self.weekday = weekday; self.at = at; self.timeZone = timeZone; self.minutes = minutes
        self.weeks = weeks; self.place = place; self.format = format; self.organiser = organiser; self.starts = starts
        self.created = created
    }

    enum CodingKeys: String, CodingKey { case name, weekday, at, timeZone, minutes, weeks, place, format, organiser, starts, created }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), weekday: try c.decode(Weekday.self, forKey: .weekday),
                  at: try c.decode(String.self, forKey: .at), timeZone: try c.decode(String.self, forKey: .timeZone),
                  minutes: try c.decodeIfPresent(WholeNumber.self, forKey: .minutes)?.value ?? 60,
                  weeks: try c.decodeIfPresent(WholeNumber.self, forKey: .weeks)?.value ?? 1,
                  place: try c.decodeIfPresent(String.self, forKey: .place),
                  format: try c.decodeIfPresent(MeetingFormat.self, forKey: .format) ?? .talk,
                  organiser: try c.decodeIfPresent(String.self, forKey: .organiser),
                  starts: try c.decode(Day.self, forKey: .starts),
                  created: try c.decodeIfPresent(Timestamp.self, forKey: .created))
    }

    /// The series' calendar: Gregorian, in its own time zone.
    public func calendar() throws -> Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = try MeetingTime.zone(timeZone)
        return cal
    }

    /// The next `count` meetings starting after `after`, as instants; the local time stays the
    /// same across daylight-saving changes (11:00 in London is 11:00 UTC in winter, 10:00 UTC in summer).
    public func occurrences(after: Timestamp, count: Int) throws -> [Timestamp] {
        let cal = try calendar()
        let (hour, minute) = try MeetingTime.clock(at)
        // The first meeting: the first such weekday on or after `starts`.
        var first = cal.date(from: DateComponents(year: starts.year, month: starts.month, day: starts.day, hour: 12))!
        while cal.component(.weekday, from: first) != weekday.calendarNumber {
            first = cal.date(byAdding: .day, value: 1, to: first)!
        }
        // Jump close to `after` in whole periods, then walk.
        let period = 7 * max(1, weeks)
        let daysOn = Int((after.date.timeIntervalSince(first) / 86_400).rounded(.down))
        var k = max(0, daysOn / period - 1)
        var out: [Timestamp] = []
        while out.count < count, k < 100_000 {
            let noon = cal.date(byAdding: .day, value: k * period, to: first)!
            var c = cal.dateComponents([.year, .month, .day], from: noon)
            c.hour = hour; c.minute = minute
            if let d = cal.date(from: c) {
                let t = Timestamp(d)
                if t > after { out.append(t) }
            }
            k += 1
        }
        return out
    }

    /// Whether a meeting starting at `t` is one of the series' regular slots.
    public func isOccurrence(_ t: Timestamp) throws -> Bool {
        try occurrences(after: Timestamp(seconds: t.seconds - 1), count: 1).first == t
    }
}

/// A meeting of the community: an entry (`m4`), planned, held, and remembered.
public struct Meeting: Codable, Hashable, Sendable {
    public var id: EntryID?
    public var title: String
    /// The series it belongs to, by name (`Elevenses`); nil for a one-off.
    public var series: String?
    public var start: Timestamp
    /// The time zone it is planned in (shown to others in theirs).
    public var timeZone: String
    public var minutes: Int
    /// A room or a link.
    public var place: String?
    public var format: MeetingFormat
    public var presenters: [String]
    public var attendees: [String]
    /// Resources, practices and questions it used or led to (follow-ups).
    public var links: [EntryID]
    /// What was said, in Markdown.
    public var notes: String?
    public var tags: [String]
    public var organiser: String?
    /// The calendar UID it was imported with or exported under.
    public var uid: String?
    public var created: Timestamp?
    public var updated: Timestamp?

    public init(id: EntryID? = nil, title: String, series: String? = nil, start: Timestamp, timeZone: String = "UTC",
                minutes: Int = 60, place: String? = nil, format: MeetingFormat = .talk, presenters: [String] = [],
                attendees: [String] = [], links: [EntryID] = [], notes: String? = nil, tags: [String] = [],
                organiser: String? = nil, uid: String? = nil, created: Timestamp? = nil, updated: Timestamp? = nil) {
        self.id = id; self.title = title; self.series = series; self.start = start; self.timeZone = timeZone
        self.minutes = minutes; self.place = place; self.format = format; self.presenters = presenters
        self.attendees = attendees; self.links = links; self.notes = notes; self.tags = tags; self.organiser = organiser
        self.uid = uid; self.created = created; self.updated = updated
    }

    enum CodingKeys: String, CodingKey {
        case id, title, series, start, timeZone, minutes, place, format, presenters, attendees, links, notes, tags, organiser, uid, created, updated
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decodeIfPresent(EntryID.self, forKey: .id), title: try c.decode(String.self, forKey: .title),
                  series: try c.decodeIfPresent(String.self, forKey: .series),
                  start: try c.decode(Timestamp.self, forKey: .start),
                  timeZone: try c.decodeIfPresent(String.self, forKey: .timeZone) ?? "UTC",
                  minutes: try c.decodeIfPresent(WholeNumber.self, forKey: .minutes)?.value ?? 60,
                  place: try c.decodeIfPresent(String.self, forKey: .place),
                  format: try c.decodeIfPresent(MeetingFormat.self, forKey: .format) ?? .talk,
                  presenters: try c.decodeIfPresent([String].self, forKey: .presenters) ?? [],
                  attendees: try c.decodeIfPresent([String].self, forKey: .attendees) ?? [],
                  links: try c.decodeIfPresent([EntryID].self, forKey: .links) ?? [],
                  notes: try c.decodeIfPresent(String.self, forKey: .notes),
                  tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? [],
                  organiser: try c.decodeIfPresent(String.self, forKey: .organiser),
                  uid: try c.decodeIfPresent(String.self, forKey: .uid),
                  created: try c.decodeIfPresent(Timestamp.self, forKey: .created),
                  updated: try c.decodeIfPresent(Timestamp.self, forKey: .updated))
    }

    public var end: Timestamp { Timestamp(seconds: start.seconds + Int64(minutes) * 60) }

    /// Everyone who was there or will be: organiser, presenters, attendees (once each).
    public var people: [String] {
        var seen = Set<String>()
        return ([organiser].compactMap { $0 } + presenters + attendees).filter { seen.insert($0).inserted }
    }

    /// "presented 'Reflective supervision' at Elevenses, 2026-03-12": the why in `who`.
    public var presentedPhrase: String {
        "'\(title)'" + (series.map { " at \($0)" } ?? "") + ", " + (try? MeetingTime.localDay(start, in: timeZone))!.description
    }
}

/// Times of meetings: parsing what people type, and showing instants in a time zone.
public enum MeetingTime {
    /// A time zone by IANA name; `UTC` and `GMT` too.
    public static func zone(_ name: String) throws -> TimeZone {
        guard let z = TimeZone(identifier: name), !name.isEmpty else {
            throw KnowHowError.invalidValue(field: "time zone", value: name, expected: "a time zone name such as Europe/London, America/New_York or UTC")
        }
        return z
    }

    /// `11:00` → (11, 0).
    public static func clock(_ text: String) throws -> (Int, Int) {
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0..<24).contains(h), (0..<60).contains(m) else {
            throw KnowHowError.invalidValue(field: "time", value: text, expected: "a 24-hour time such as 11:00 or 09:30")
        }
        return (h, m)
    }

    /// The years a meeting may be in: calendars and time zones are only sure within them.
    public static let years = 1900...2999

    /// Refuses a day outside `years`.
    public static func checkYear(_ year: Int, _ text: String) throws {
        guard years.contains(year) else {
            throw KnowHowError.invalidValue(field: "date", value: text, expected: "a day in the years \(years.lowerBound) to \(years.upperBound)")
        }
    }

    /// `2026-03-12 11:00` (or `2026-03-12T11:00`) as local time in `zone`.
    public static func parseLocal(_ text: String, in zone: String) throws -> Timestamp {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "T", with: " ")
        let parts = t.split(separator: " ").map(String.init)
        guard parts.count == 2, let day = Day(parts[0]) else {
            throw KnowHowError.invalidValue(field: "--at", value: text, expected: "a day and a local time such as 2026-03-12 11:00")
        }
        try checkYear(day.year, text)
        let (h, m) = try clock(parts[1])
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = try self.zone(zone)
        guard let d = cal.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: h, minute: m)) else {
            throw KnowHowError.invalidValue(field: "--at", value: text, expected: "a day and a local time such as 2026-03-12 11:00")
        }
        return Timestamp(d)
    }

    static func components(_ t: Timestamp, in zone: String) throws -> DateComponents {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = try self.zone(zone)
        return cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: t.date)
    }

    public static func localDay(_ t: Timestamp, in zone: String) throws -> Day {
        let c = try components(t, in: zone)
        return Day(String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!))!
    }

    /// `Thu 2026-03-12 11:00 GMT`: an instant as someone in `zone` reads it.
    public static func show(_ t: Timestamp, in zone: String) throws -> String {
        let c = try components(t, in: zone)
        let day = Weekday.allCases.first { $0.calendarNumber == c.weekday! }!.rawValue.prefix(3).capitalized
        let z = try self.zone(zone)
        let abbreviation = z.abbreviation(for: t.date) ?? zone
        return String(format: "%@ %04d-%02d-%02d %02d:%02d ", day, c.year!, c.month!, c.day!, c.hour!, c.minute!) + abbreviation
    }

    /// `20260312T110000`: local time for iCalendar.
    public static func icsLocal(_ t: Timestamp, in zone: String) throws -> String {
        let c = try components(t, in: zone)
        return String(format: "%04d%02d%02dT%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}

/// A candidate presenter for a planned meeting, with why they come where they do.
public struct PresenterCandidate: Sendable, Equatable {
    public var handle: String
    public var name: String
    public var organisation: String?
    public var sector: String?
    /// Their place in `who` for the topic (0 is first).
    public var evidenceRank: Int
    /// Meetings they presented, and the last one's start.
    public var presented: Int
    public var lastPresented: Timestamp?
    /// Why they come where they do: "first time", "presented 3×, last 2026-03-12".
    public var why: String
}

/// Puts presenters in the order a plan proposes them: by evidence, but those who presented
/// recently or often later, and first-time presenters with evidence earlier, so the load turns.
public enum PresenterRotation {
    /// Within this many days a presentation counts as recent.
    public static let recentDays: Int64 = 56

    public static func order(_ experts: [Expert], meetings: [Meeting], now: Timestamp) -> [PresenterCandidate] {
        var count: [String: Int] = [:], last: [String: Timestamp] = [:]
        for m in meetings where m.start <= now {
            for p in m.presenters {
                count[p, default: 0] += 1
                if last[p].map({ m.start > $0 }) ?? true { last[p] = m.start }
            }
        }
        let candidates = experts.enumerated().map { i, e -> (PresenterCandidate, Int) in
            let h = e.member.handle
            let n = count[h] ?? 0
            let recent = last[h].map { now.seconds - $0.seconds < recentDays * 86_400 } ?? false
            // Evidence order, moved back by each time presented and by a recent turn; a first
            // time comes a place earlier.
            let place = i * 2 + n * 3 + (recent ? 6 : 0) - (n == 0 ? 1 : 0)
            let why = n == 0 ? "first time presenting"
                : "presented \(n)×, last \(last[h]!.day)" + (recent ? " (recently)" : "")
            return (PresenterCandidate(handle: h, name: e.member.name, organisation: e.member.organisation, sector: e.member.sector,
                                       evidenceRank: i, presented: n, lastPresented: last[h], why: why), place)
        }
        return candidates.sorted { ($0.1, $0.0.evidenceRank) < ($1.1, $1.0.evidenceRank) }.map(\.0)
    }
}

extension EditRules {
    public static func changes(from original: Meeting, current: Meeting, to edited: Meeting, entry: String) throws -> [String] {
        try checkNotStale(fields(original, current), entry: entry)
        return fields(current, edited)
    }

    /// The names of a meeting's fields that differ (people, links and tags as sets).
    public static func fields(_ a: Meeting, _ b: Meeting) -> [String] {
        var f: [String] = []
        if a.title != b.title { f.append("title") }
        if a.series != b.series { f.append("series") }
        if a.start != b.start { f.append("start") }
        if a.timeZone != b.timeZone { f.append("time zone") }
        if a.minutes != b.minutes { f.append("length") }
        if a.place != b.place { f.append("place") }
        if a.format != b.format { f.append("format") }
        if a.presenters != b.presenters { f.append("presenters") }
        if Set(a.attendees) != Set(b.attendees) { f.append("attendees") }
        if Set(a.links) != Set(b.links) { f.append("links") }
        if a.notes != b.notes { f.append("notes") }
        if Set(a.tags) != Set(b.tags) { f.append("tags") }
        if a.organiser != b.organiser { f.append("organiser") }
        return f
    }
}

extension Meeting {
    /// The fields a store may hold: trimmed, checked, with a clear error for each that is not.
    public func validated() throws -> Meeting {
        var m = self
        guard let t = try Validation.text(title, field: "title", limit: Validation.Limit.title) else { throw KnowHowError.missingField("a meeting's title") }
        m.title = t
        m.series = Validation.text(series)
        _ = try MeetingTime.zone(timeZone)
        try MeetingTime.checkYear(start.day.year, start.description)
        guard (1...1440).contains(minutes) else {
            throw KnowHowError.invalidValue(field: "length", value: "\(minutes)", expected: "a number of minutes from 1 to 1,440")
        }
        m.place = try Validation.text(place, field: "place", limit: Validation.Limit.short)
        m.notes = try Validation.text(notes, field: "notes", limit: Validation.Limit.body)
        func unique(_ hs: [String]) throws -> [String] {
            var seen = Set<String>()
            return try hs.map { try Validation.handle($0) }.filter { seen.insert($0).inserted }
        }
        m.presenters = try unique(presenters)
        m.attendees = try unique(attendees)
        m.organiser = try Validation.text(organiser).map(Validation.handle)
        m.tags = try tags.map(Validation.tag)
        for l in links where ![.resource, .practice, .question, .answer].contains(l.type) {
            throw KnowHowError.invalidValue(field: "link", value: l.description, expected: "a resource, practice, question or answer id such as r12 or q7")
        }
        return m
    }
}

extension MeetingSeries {
    /// The fields a store may hold, checked.
    public func validated() throws -> MeetingSeries {
        var s = self
        guard let n = try Validation.text(name, field: "series name", limit: Validation.Limit.name) else { throw KnowHowError.missingField("a series' name") }
        s.name = n
        _ = try MeetingTime.zone(timeZone)
        try MeetingTime.checkYear(starts.year, starts.description)
        let (h, m) = try MeetingTime.clock(at)
        s.at = String(format: "%02d:%02d", h, m)
        guard (1...1440).contains(minutes) else {
            throw KnowHowError.invalidValue(field: "--minutes", value: "\(minutes)", expected: "a number of minutes from 1 to 1,440")
        }
        guard (1...52).contains(weeks) else {
            throw KnowHowError.invalidValue(field: "--weeks", value: "\(weeks)", expected: "a number of weeks from 1 to 52")
        }
        s.place = try Validation.text(place, field: "place", limit: Validation.Limit.short)
        s.organiser = try Validation.text(organiser).map(Validation.handle)
        return s
    }
}
