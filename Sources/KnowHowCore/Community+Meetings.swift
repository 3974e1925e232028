import Foundation

// Meetings: series and their upcoming dates, planning from the community's goals and evidence,
// recording who came and what was said, and calendars in and out.
extension Community {
    // MARK: - Series and upcoming meetings

    /// Adds a series that meets on `every` (a weekday) at `at` (local) in `timeZone`.
    public func addSeries(_ name: String, every: String, at: String, timeZone: String, minutes: Int = 60, weeks: Int = 1,
                          place: String? = nil, format: String? = nil, from: Day? = nil, as actor: String?) throws -> MeetingSeries {
        guard let day = Weekday(word: every) else {
            throw KnowHowError.invalidValue(field: "--every", value: every, expected: "a weekday such as thursday")
        }
        let f = try format.map(Self.meetingFormat) ?? .talk
        let start = try from ?? MeetingTime.localDay(now, in: timeZone)
        return try store.addSeries(MeetingSeries(name: name, weekday: day, at: at, timeZone: timeZone, minutes: minutes, weeks: weeks,
                                                 place: place, format: f, organiser: actor, starts: start), as: acting(actor))
    }

    static func meetingFormat(_ word: String) throws -> MeetingFormat {
        guard let f = MeetingFormat(word: word) else {
            throw KnowHowError.invalidValue(field: "format", value: word, expected: MeetingFormat.words)
        }
        return f
    }

    public func series() throws -> [MeetingSeries] { try store.allSeries() }

    /// The next `count` meetings from now, of every series (or one): planned meetings, and the
    /// series' dates nobody planned yet; shown in `viewerZone`.
    public func upcoming(series name: String?, count: Int, viewerZone: String) throws -> UpcomingView {
        _ = try MeetingTime.zone(viewerZone)
        let all = try store.allSeries()
        var chosen = all
        if let name {
            guard let s = all.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw KnowHowError.unknownSeries(name, known: all.map(\.name))
            }
            chosen = [s]
        }
        let planned = try store.meetings(series: chosen.count == 1 && name != nil ? chosen[0].name : nil, from: now, through: nil)
        var rows: [UpcomingView.Occurrence] = planned.map { m in
            UpcomingView.Occurrence(start: m.start, when: (try? MeetingTime.show(m.start, in: viewerZone)) ?? m.start.description,
                                    series: m.series, meeting: m.id?.description, title: m.title, presenters: m.presenters)
        }
        for s in chosen {
            for t in try s.occurrences(after: Timestamp(seconds: now.seconds - 1), count: count)
            where !planned.contains(where: { $0.series == s.name && $0.start == t }) {
                rows.append(.init(start: t, when: try MeetingTime.show(t, in: viewerZone), series: s.name, meeting: nil, title: nil, presenters: []))
            }
        }
        rows.sort { ($0.start, $0.series ?? "") < ($1.start, $1.series ?? "") }
        return UpcomingView(timeZone: viewerZone, occurrences: Array(rows.prefix(count)), series: chosen.map(\.name))
    }

    /// The series' next date that no planned meeting of it takes yet.
    public func nextFreeDate(of series: MeetingSeries) throws -> Timestamp? {
        let taken = Set(try store.meetings(series: series.name, from: now, through: nil).map(\.start))
        return try series.occurrences(after: now, count: 60).first { !taken.contains($0) }
    }

    // MARK: - One meeting

    public func meeting(_ id: EntryID) throws -> MeetingView {
        let m = try store.meeting(id)
        var titles: [String: String] = [:]
        for l in m.links {
            switch l.type {
            case .resource: titles[l.description] = (try? store.resource(l))?.title
            case .practice: titles[l.description] = (try? store.practice(l))?.title
            case .question: titles[l.description] = (try? store.question(l))?.title
            case .answer: titles[l.description] = (try? store.answer(l)).map { "an answer to \($0.question)" }
            default: break
            }
        }
        return MeetingView(meeting: m, held: m.start <= now, linkTitles: titles)
    }

    /// Plans a meeting directly (`meeting add`): contributors and curators.
    @discardableResult public func add(_ meeting: Meeting, as actor: String?) throws -> EntryID {
        try store.add(meeting, as: acting(actor))
    }

    /// Saves an edit of a meeting's fields: its organiser (a contributor) or a curator.
    @discardableResult public func update(_ edited: Meeting, expecting original: Meeting, as actor: String?) throws -> [String] {
        try store.update(edited, expecting: original, action: .editMeeting, as: acting(actor))
    }

    /// Replaces a meeting's notes: anyone who was there, or a curator.
    @discardableResult public func recordNotes(_ id: EntryID, _ notes: String?, expecting original: Meeting? = nil, as actor: String?) throws -> [String] {
        let m = try original ?? store.meeting(id)
        var edited = m
        edited.notes = Validation.text(notes)
        return try store.update(edited, expecting: m, action: .recordMeeting, as: acting(actor))
    }

    /// Adds members to those who attended; returns the attendees after.
    public func recordAttendance(_ id: EntryID, _ handles: [String], as actor: String?) throws -> [String] {
        guard !handles.isEmpty else { throw KnowHowError.missingField("who attended (meeting attended \(id) @kim @sam)") }
        let m = try store.meeting(id)
        guard m.start <= now else {
            throw KnowHowError.unsupported("\(id) has not happened yet (it starts \((try? MeetingTime.show(m.start, in: m.timeZone)) ?? m.start.description)); record who came after it")
        }
        var edited = m
        for h in try handles.map(Validation.handle) where !edited.attendees.contains(h) {
            _ = try store.member(h)
            edited.attendees.append(h)
        }
        try store.update(edited, expecting: m, action: .recordMeeting, as: acting(actor))
        return edited.attendees
    }

    /// Links resources, practices or questions to a meeting (what it used, what it led to).
    public func link(_ id: EntryID, _ entries: [EntryID], as actor: String?) throws -> [EntryID] {
        guard !entries.isEmpty else { throw KnowHowError.missingField("what to link (meeting link \(id) q7 p3)") }
        let m = try store.meeting(id)
        var edited = m
        for e in entries where !edited.links.contains(e) { edited.links.append(e) }
        try store.update(edited, expecting: m, action: .recordMeeting, as: acting(actor))
        return edited.links
    }

    // MARK: - Planning

    /// A proposed meeting on `topic` (else the learning goal most members share): presenters by
    /// evidence with the load rotated, and the cross-section of sectors and organisations among
    /// those invited. Nothing is saved: the front end lets the person change it, then `add`s it.
    public func plan(topic: String?, series name: String?, presenters: Int = 1, as actor: String?) throws -> MeetingPlanView {
        let allSeries = try store.allSeries()
        var series: MeetingSeries?
        if let name {
            guard let s = allSeries.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw KnowHowError.unknownSeries(name, known: allSeries.map(\.name))
            }
            series = s
        } else if allSeries.count == 1 {
            series = allSeries[0]
        }
        // The topic: as given, else the goal most members share, else an unanswered question's tag.
        var chosen = topic.flatMap { Validation.text($0) }
        var because = chosen == nil ? "" : "asked for"
        var learners: [String] = []
        let goals = try topics(minMembers: 2, limit: 5)
        if chosen == nil, let g = goals.first {
            chosen = g.tag.replacingOccurrences(of: "-", with: " ")
            because = "a learning goal \(g.learners.count) members share (`topics`)"
        }
        if let c = chosen, let g = goals.first(where: { $0.tag == c.lowercased().replacingOccurrences(of: " ", with: "-") }) {
            learners = g.learners
        }
        // Else what searches in the last 90 days did not find, else a question nobody answered. The
        // others are offered too: the community may prefer one of them.
        let gaps = SearchGaps.group(try store.searchLog(in: Period(start: Timestamp(seconds: now.seconds - 90 * 86_400), end: now))).prefix(3)
        if chosen == nil, let g = gaps.first {
            chosen = g.label
            because = "searched for and not found by \(g.people) \(g.people == 1 ? "person" : "people") (`gaps`)"
        }
        let unanswered = try store.unansweredQuestions()
        if chosen == nil, let q = unanswered.first(where: { !$0.tags.isEmpty }) {
            chosen = q.tags[0].replacingOccurrences(of: "-", with: " ")
            because = "an unanswered question (\(q.id.map(\.description) ?? "?"): \(q.title))"
        }
        var others: [String] = goals.prefix(3).map { "\($0.tag.replacingOccurrences(of: "-", with: " ")) (\($0.learners.count) want to learn it)" }
        others += gaps.prefix(2).map { "\($0.label) (searched, not found)" }
        others += unanswered.prefix(2).compactMap { q in
            q.id.map { "\($0) unanswered: " + (q.title.count > 40 ? String(q.title.prefix(39)) + "…" : q.title) }
        }
        let alternatives = others.filter { !$0.lowercased().hasPrefix((chosen ?? "\u{0}").lowercased() + " (") }
        guard let topicText = chosen else {
            throw KnowHowError.missingField("a topic: no learning goal is shared yet; name one (meeting plan \"reflective supervision\")")
        }
        let found = try who(WhoRequest(topic: topicText, limit: 10), as: nil, log: false)
        let history = try store.meetings(series: nil, from: nil, through: nil)
        let candidates = PresenterRotation.order(found.experts, meetings: history, now: now)
        let proposed = Array(candidates.prefix(max(1, presenters)).map(\.handle))
        // Invited: the presenters, those who want to learn this, and those with evidence.
        var invited: [String] = []
        for h in proposed + learners + candidates.map(\.handle) where !invited.contains(h) { invited.append(h) }
        let members = Dictionary(try store.allMembers().map { ($0.handle, $0) }, uniquingKeysWith: { a, _ in a })
        let people = invited.compactMap { members[$0] }
        let start = try series.flatMap(nextFreeDate)
        let zone = series?.timeZone ?? "UTC"
        let title = topicText.prefix(1).uppercased() + topicText.dropFirst()
        return MeetingPlanView(topic: topicText, because: because, title: title, series: series?.name, start: start,
                               timeZone: zone, minutes: series?.minutes ?? 60, place: series?.place,
                               format: series?.format ?? .talk, presenters: proposed,
                               candidates: candidates.map { .init(handle: $0.handle, name: $0.name, organisation: $0.organisation,
                                                                  sector: $0.sector, why: $0.why) },
                               invited: invited,
                               sectors: Breakdown.of(people.map(\.sector)).map { .init(name: $0.name, members: $0.members) },
                               organisations: Breakdown.of(people.map(\.organisation)).map { .init(name: $0.name, members: $0.members) },
                               otherTopics: Array(alternatives))
    }

    /// The meeting a plan describes, as saved.
    public func meeting(from plan: MeetingPlanView, as actor: String?) throws -> Meeting {
        guard let start = plan.start else {
            throw KnowHowError.missingField("the meeting's start (--at \"2026-03-12 11:00\")")
        }
        return Meeting(title: plan.title, series: plan.series, start: start, timeZone: plan.timeZone, minutes: plan.minutes,
                       place: plan.place, format: plan.format, presenters: plan.presenters,
                       tags: (try? store.resolveTag(plan.topic.replacingOccurrences(of: " ", with: "-"))).flatMap { $0 }.map { [$0] } ?? [],
                       organiser: actor)
    }

    // MARK: - Participation

    /// Who attends and who presents, over meetings held in `span`.
    public func meetingParticipation(in span: Period) throws -> MeetingParticipation {
        let held = try store.meetings(series: nil, from: span.start, through: min(span.end, now))
        return MeetingParticipation.measure(held)
    }

    // MARK: - Calendars

    /// An iCalendar file of one meeting, or of a series (its rule and its planned meetings).
    public func calendar(meeting id: EntryID?, series name: String?) throws -> String {
        let members = Dictionary(try store.allMembers().map { ($0.handle, $0) }, uniquingKeysWith: { a, _ in a })
        if let id {
            return try ICalendar.write(series: [], meetings: [store.meeting(id)], members: members, now: now)
        }
        guard let name else { throw KnowHowError.missingField("a meeting id or --series NAME") }
        let all = try store.allSeries()
        guard let s = all.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw KnowHowError.unknownSeries(name, known: all.map(\.name))
        }
        return try ICalendar.write(series: [s], meetings: store.meetings(series: s.name, from: nil, through: nil), members: members, now: now)
    }

    /// Imports the VEVENTs of an iCalendar file as meetings (and series, for weekly rules), all or
    /// nothing, as one planning change (contributors; `undo` takes it back).
    public func importCalendar(_ text: String, path: String, as actor: String?) throws -> ImportSummary {
        let members = try store.allMembers()
        let parsed = try ICalendar.read(text, path: path, members: members)
        guard !parsed.series.isEmpty || !parsed.meetings.isEmpty else {
            throw KnowHowError.badCalendar(path: path, line: nil, reason: "it holds no events (VEVENT)")
        }
        do {
            var summary = try store.importMeetings(series: parsed.series, meetings: parsed.meetings, as: acting(actor))
            summary.peopleLeftOut = parsed.unknown
            return summary
        } catch KnowHowError.badImport(_, let location, let reason) {
            // The store names records as a community file does (`meetings[2]`): name the event.
            let index = Int(location.drop { !$0.isNumber }.prefix { $0.isNumber })
            let title = index.flatMap { i in
                location.hasPrefix(Meeting.section) ? parsed.meetings.indices.contains(i) ? parsed.meetings[i].title : nil
                    : parsed.series.indices.contains(i) ? parsed.series[i].name : nil
            }
            let what = title.map { "the event '\($0.count > 40 ? String($0.prefix(39)) + "…" : $0)'" } ?? "an event"
            throw KnowHowError.badCalendar(path: path, line: nil, reason: "\(what): \(reason)")
        }
    }
}

/// Attendance over a period: how many came, who attends most, who attends but never presents.
public struct MeetingParticipation: Codable, Sendable, Equatable {
    public var meetings: Int
    /// Members who attended at least once, most often first.
    public var attendees: [Tally]
    /// Attendees who never presented in the period.
    public var neverPresented: [String]
    public var presenters: [Tally]

    public struct Tally: Codable, Sendable, Equatable {
        public var handle: String
        public var count: Int
    }

    public static func measure(_ held: [Meeting]) -> MeetingParticipation {
        var attended: [String: Int] = [:], presented: [String: Int] = [:]
        for m in held {
            for h in Set(m.attendees + m.presenters) { attended[h, default: 0] += 1 }
            for h in Set(m.presenters) { presented[h, default: 0] += 1 }
        }
        func tallies(_ d: [String: Int]) -> [Tally] {
            d.map { Tally(handle: $0.key, count: $0.value) }.sorted { ($1.count, $0.handle) < ($0.count, $1.handle) }
        }
        return MeetingParticipation(meetings: held.count, attendees: tallies(attended),
                                    neverPresented: attended.keys.filter { presented[$0] == nil }.sorted(),
                                    presenters: tallies(presented))
    }
}
