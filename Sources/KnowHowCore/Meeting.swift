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

extension EditRules {
    public static func changes(from original: Meeting, current: Meeting, to edited: Meeting, entry: String) throws -> [String] {
        try checkNotStale(fields(original, current), entry: entry)
        return fields(current, edited)
    }

    /// A meeting changes by editing it or by recording who came and what was said, nothing else.
    public static func checkMeetingAction(_ action: ChangeAction) throws {
        guard action == .editMeeting || action == .recordMeeting else {
            throw KnowHowError.unsupported("a meeting is changed by editing it or by recording who came and what was said")
        }
    }

    /// Who a meeting change is made to as its owner: recording is for whoever was there (or says
    /// they were, adding themselves as an attendee); editing for its organiser.
    public static func meetingOwner(current: Meeting, original: Meeting, edited: Meeting, action: ChangeAction, actor: String?) -> String? {
        if action == .recordMeeting, let me = actor,
           current.people.contains(me) || edited.attendees.contains(me) && !original.attendees.contains(me) {
            return me
        }
        return current.organiser
    }

    /// A meeting's edit, checked in the order every store applies: not stale, something changed,
    /// recording touches only attendees, notes and links, then the fields themselves. Returns the
    /// fields changed and the meeting to store; nil when nothing changes.
    public static func meetingEdit(from original: Meeting, current: Meeting, to edited: Meeting, action: ChangeAction,
                                   entry: String) throws -> (changed: [String], meeting: Meeting)? {
        let changed = try changes(from: original, current: current, to: edited, entry: entry)
        guard !changed.isEmpty else { return nil }
        if action == .recordMeeting, let other = changed.first(where: { !["attendees", "notes", "links"].contains($0) }) {
            throw KnowHowError.unsupported("recording a meeting changes its attendees, notes and links, not its \(other); use `meeting edit \(entry)`")
        }
        return (changed, try edited.validated())
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
