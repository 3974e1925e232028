import ArgumentParser
import Foundation
import KnowHowCore

// Meetings: `meetings` lists what is coming; `meeting …` adds series, plans, records and exports.
// The community (Community+Meetings.swift) does the work; these parse, ask and draw.

extension ShellContext {
    /// The viewer's time zone: --tz, else TZ, else the system's.
    func viewerZone(_ option: String?) throws -> String {
        if let option { _ = try MeetingTime.zone(option); return option }
        if let tz = environment["TZ"].map({ $0.hasPrefix(":") ? String($0.dropFirst()) : $0 }), TimeZone(identifier: tz) != nil, !tz.isEmpty {
            return tz
        }
        return TimeZone.current.identifier
    }
}

public struct MeetingsCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "meetings",
        abstract: "The next meetings (4 unless -n), planned or not yet, in your time zone.",
        discussion: """
        Each series' dates come from its rule (weekday, time and time zone), so 11:00 in London stays 11:00 there across daylight-saving changes; times are shown in your zone (--tz, else TZ, else the system's).
        Examples: meetings · meetings --series Elevenses -n 8 · meetings --tz America/New_York
        """)
    public static let arguments: [ArgumentKind] = [.nothing]

    @OptionGroup public var output: OutputOptions
    @Option(help: "Only this series.") public var series: String?
    @Option(help: "Show times in this time zone (Europe/London, America/New_York, UTC).") public var tz: String?

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let view = try ctx.community.upcoming(series: series, count: try bounded(output.limit ?? 4, "--limit", 1...500),
                                              viewerZone: try ctx.viewerZone(tz))
        if output.json(ctx) { try ctx.printJSON(view); return view.occurrences.isEmpty ? .noResults : .ok }
        let c = ctx.console, s = c.styler
        if view.occurrences.isEmpty {
            c.error(view.series.isEmpty ? "no meetings yet; `meeting series add Elevenses --every thursday --at 11:00 --tz Europe/London` starts a series"
                                        : "no meetings coming")
            return .noResults
        }
        var refs: [EntryRef] = []
        for o in view.occurrences {
            var line = o.when + "  "
            if let id = o.meeting {
                line += Layout.pad(id, 4) + " " + (o.title ?? "")
                if let ref = EntryRef(id) { refs.append(ref) }
            } else {
                line += Layout.pad("-", 4) + " not planned yet"
            }
            if let series = o.series { line += "  · " + series }
            c.print(Layout.truncate(line, c.width - 1))
            if !o.presenters.isEmpty { c.print("      " + s.dim("presenting: ") + o.presenters.map { s.member("@" + $0) }.joined(separator: ", ")) }
        }
        ctx.lastRefs = refs
        return .ok
    }
}

public struct MeetingCommand: ShellCommand {
    public static let collectsWords = true
    public static let configuration = CommandConfiguration(
        commandName: "meeting",
        abstract: "Meetings: series add, add, plan, notes, attended, link, edit, export (meeting plan onboarding).",
        discussion: """
        meeting series add NAME --every thursday --at 11:00 --tz Europe/London [--weeks 2] [--minutes 60] [--place P]: a regular meeting.
        meeting series: the series there are.
        meeting plan [TOPIC] [--series S]: proposes a meeting from `topics` (else what searches did not find, else an unanswered question) and `who`: presenters by evidence, those who presented recently or often later, first-timers earlier, and the sectors and organisations invited. At the prompt each part can be changed before saving; in scripts give --title/--at/--presenter and --yes (--json alone shows the plan as JSON and saves nothing).
        meeting add TITLE [--series S] [--at "2026-03-12 11:00"] [--tz Z] [--presenter @h] [--format F] [--tag T] [--link r12]: a meeting as given (in a series, its next free date unless --at).
        meeting notes mN [--text T]: the notes, in $EDITOR. meeting attended mN @a @b: who came. meeting link mN q7 p3: what it used or led to (follow-ups).
        meeting edit mN [--title …]: change it. meeting export mN|--series S --ics FILE: an iCalendar file; `import FILE.ics` reads one back.
        Planning and adding need the contributor role; whoever attended records attendance and notes; curators change anything.
        """)
    public static let arguments: [ArgumentKind] = [.meetingAction, .reference]
    /// The actions, as completion offers them.
    static let actions = ["series", "plan", "add", "notes", "attended", "link", "edit", "export", "show"]

    @Argument(help: "series, plan, add, notes, attended, link, edit or export.") public var action: String
    @Argument(parsing: .allUnrecognized, help: "What the action works on.") public var words: [String] = []
    @Option(help: "A series' weekday.") public var every: String?
    @Option(help: "A series' local time (11:00), or a meeting's local start (2026-03-12 11:00).") public var at: String?
    @Option(help: "The time zone of --at (Europe/London); for export and lists, the viewer's.") public var tz: String?
    @Option(help: "A series' number of weeks between meetings.") public var weeks: Int?
    @Option(help: "Length in minutes.") public var minutes: Int?
    @Option(help: "A room or a link.") public var place: String?
    @Option(help: "talk, peer-assist, book-discussion, case-clinic, launch or other.") public var format: String?
    @Option(help: "The series a meeting belongs to.") public var series: String?
    @Option(help: "The title.") public var title: String?
    @Option(name: .customLong("presenter"), help: "A presenter, @handle (repeat for more).") public var presenters: [String] = []
    @Option(name: .customLong("tag"), help: "A tag (repeat for more).") public var tags: [String] = []
    @Option(name: .customLong("link"), help: "A resource, practice or question it used (repeat for more).") public var links: [String] = []
    @Option(help: "A series' first day (2026-03-12).") public var from: String?
    @Option(help: "Notes, for scripts (else $EDITOR).") public var text: String?
    @Option(help: "Where export writes the iCalendar file.") public var ics: String?
    @Flag(help: "Save a plan without asking.") public var yes = false
    @Flag(help: "Write JSON for scripts.") public var json = false

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        do {
            switch action.lowercased() {
            case "series": return try seriesAction(ctx)
            case "plan": return try plan(ctx)
            case "add": return try add(ctx)
            case "notes": return try notes(ctx)
            case "attended", "attendance": return try attended(ctx)
            case "link", "follow-up", "followup": return try link(ctx)
            case "edit": return try edit(ctx)
            case "export": return try export(ctx)
            case "show": return try ShowCommand.parse(words).execute(ctx)
            default:
                throw KnowHowError.invalidValue(field: "meeting action", value: action,
                                                expected: "series, plan, add, notes, attended, link, edit or export (`help meeting`)")
            }
        } catch is PromptCancelled {
            ctx.console.print("cancelled; nothing was saved")
            return .ok
        }
    }

    func meetingID(_ ctx: ShellContext) throws -> EntryID {
        guard let first = words.first else { throw KnowHowError.missingField("a meeting id (meeting \(action) m3)") }
        guard case .entry(let id)? = try ctx.resolve(first), id.type == .meeting else {
            throw KnowHowError.invalidValue(field: "meeting", value: first, expected: "a meeting id such as m3 (`meetings` lists them)")
        }
        return id
    }

    // MARK: series

    func seriesAction(_ ctx: ShellContext) throws -> Outcome {
        let c = ctx.console, s = c.styler
        if words.first?.lowercased() == "add" {
            let name = QueryWords.text(Array(words.dropFirst()))
            guard !name.isEmpty else { throw KnowHowError.missingField("the series' name (meeting series add Elevenses --every thursday …)") }
            guard let every else { throw KnowHowError.missingField("the weekday it meets on (--every thursday)") }
            guard let at else { throw KnowHowError.missingField("the local time it starts (--at 11:00)") }
            let zone = try tz ?? ctx.viewerZone(nil)
            let fromDay = try from.map { f -> Day in
                guard let d = Day(f) else { throw KnowHowError.invalidValue(field: "--from", value: f, expected: "a day such as 2026-03-12") }
                return d
            }
            let added = try ctx.community.addSeries(name, every: every, at: at, timeZone: zone, minutes: minutes ?? 60, weeks: weeks ?? 1,
                                                    place: place, format: format, from: fromDay, as: ctx.actor)
            let next = try added.occurrences(after: ctx.now, count: 1).first
            c.print("added series \(s.bold(added.name)): " + Self.rule(added)
                    + (next.map { "; next " + ((try? MeetingTime.show($0, in: added.timeZone)) ?? "") } ?? ""))
            return .ok
        }
        guard words.isEmpty else {
            throw KnowHowError.invalidValue(field: "series action", value: words[0], expected: "add (meeting series add NAME --every …), or nothing to list them")
        }
        let all = try ctx.community.series()
        if json { try ctx.printJSON(all); return all.isEmpty ? .noResults : .ok }
        if all.isEmpty { c.error("no series yet; `meeting series add Elevenses --every thursday --at 11:00 --tz Europe/London` adds one"); return .noResults }
        for x in all {
            // The place goes on a line of its own, under the rule, when the line would not fit.
            let line = x.name + "  " + Self.rule(x), place = x.place.map { " · " + $0 } ?? ""
            if Layout.width(line + place) <= c.width { c.print(s.bold(x.name) + "  " + Self.rule(x) + place); continue }
            c.print(Layout.width(line) <= c.width ? s.bold(x.name) + "  " + Self.rule(x) : Layout.wrap(line, width: c.width))
            if let p = x.place { c.print(Layout.wrap(p, width: c.width, indent: "  ")) }
        }
        return .ok
    }

    /// "every Thursday at 11:00 Europe/London, 60 minutes".
    static func rule(_ s: MeetingSeries) -> String {
        let every = s.weeks == 1 ? "every " : "every \(s.weeks) weeks on "
        return every + s.weekday.rawValue.capitalized + " at \(s.at) \(s.timeZone), \(s.minutes) minutes"
    }

    // MARK: plan

    func plan(_ ctx: ShellContext) throws -> Outcome {
        try ctx.community.authorize(.planMeeting, on: nil, as: ctx.actor)
        let topic = words.isEmpty ? nil : QueryWords.text(words)
        let view = try ctx.community.plan(topic: topic, series: series, presenters: max(1, presenters.count), as: ctx.actor)
        var m = try meetingDraft(ctx, from: view)
        if json && ctx.prompter == nil && !yes { try ctx.printJSON(view); return .ok }
        var shown = view
        shown.title = m.title; shown.start = m.start; shown.timeZone = m.timeZone; shown.presenters = m.presenters; shown.format = m.format
        Self.showPlan(shown, ctx: ctx)
        if ctx.prompter != nil && !yes {
            m = try editPlan(ctx, m)
        }
        guard try ctx.confirm("Save this meeting?", doing: "saving a planned meeting", yes: yes) else { throw PromptCancelled() }
        let id = try ctx.community.add(m, as: ctx.actor)
        ctx.lastRefs = [.entry(id)]
        ctx.console.print("planned \(ctx.styler.id(id.description)): \(m.title), " + (try MeetingTime.show(m.start, in: m.timeZone)))
        return .ok
    }

    /// The plan as a meeting, with what the options change.
    func meetingDraft(_ ctx: ShellContext, from view: MeetingPlanView) throws -> Meeting {
        var v = view
        if let title { v.title = title }
        if let tz { v.timeZone = tz }
        if let at { v.start = try MeetingTime.parseLocal(at, in: v.timeZone) }
        if !presenters.isEmpty { v.presenters = try presenters.flatMap(listWords).map(Validation.handle) }
        if let format { v.format = try Self.format(format) }
        if let place { v.place = place }
        if let minutes { v.minutes = minutes }
        if v.start == nil && ctx.prompter != nil {
            // Asked for in the editing step.
            v.start = ctx.now
        }
        var m = try ctx.community.meeting(from: v, as: ctx.actor)
        m.tags += try tags.flatMap(commaList).map(Validation.tag)
        m.links = try links.flatMap(listWords).map { try ctx.entryID($0, types: [.resource, .practice, .question], field: "link") }
        return m
    }

    static func format(_ word: String) throws -> MeetingFormat {
        guard let f = MeetingFormat(word: word) else { throw KnowHowError.invalidValue(field: "format", value: word, expected: MeetingFormat.words) }
        return f
    }

    static func showPlan(_ view: MeetingPlanView, ctx: ShellContext) {
        let c = ctx.console, s = c.styler
        c.print(s.bold("Plan: ") + view.title + s.dim("  (" + view.because + ")"))
        if let start = view.start {
            c.print(s.dim(Layout.pad("when", 11)) + ((try? MeetingTime.show(start, in: view.timeZone)) ?? "") + (view.series.map { " · " + $0 } ?? ""))
        } else {
            c.print(s.dim(Layout.pad("when", 11)) + "no series to take a date from; give --at \"YYYY-MM-DD HH:MM\"")
        }
        c.print(s.dim(Layout.pad("format", 11)) + view.format.rawValue + (view.place.map { " · " + $0 } ?? ""))
        c.print(s.bold("Presenters, in turn") + s.dim(" (recent or frequent presenters later)"))
        if view.candidates.isEmpty { c.print("  " + s.dim("nobody's work matches '\(view.topic)' yet")) }
        for (i, p) in view.candidates.prefix(5).enumerated() {
            let mark = view.presenters.contains(p.handle) ? "*" : " "
            let org = [p.organisation, p.sector].compactMap { $0 }.joined(separator: ", ")
            c.print(Layout.truncate("\(mark)\(i + 1). @\(p.handle)  \(p.why)" + (org.isEmpty ? "" : " · " + org), c.width - 1))
        }
        // One line each, so the plan and its questions fit a 24-line terminal.
        func shares(_ label: String, _ list: [MeetingPlanView.Share]) -> String {
            var line = "  \(list.count) \(label): "
            for (i, x) in list.enumerated() {
                let item = "\(x.name) \(x.members)", rest = list.count - i - 1
                let more = rest > 0 ? ", and \(rest) more" : ""
                if Layout.width(line + item + more) > c.width - 1 && i > 0 { return line + "and \(list.count - i) more" }
                line += item + (rest > 0 ? ", " : "")
            }
            return Layout.truncate(line, c.width - 1)
        }
        c.print(s.bold("Invited") + s.dim(" (\(view.invited.count): presenters, learners, others with evidence)"))
        c.print(shares(view.sectors.count == 1 ? "sector" : "sectors", view.sectors))
        c.print(shares(view.organisations.count == 1 ? "organisation" : "organisations", view.organisations))
        if !view.otherTopics.isEmpty {
            c.print(s.bold("Other topics") + s.dim(" (meeting plan TOPIC)"))
            c.print(Layout.wrap(view.otherTopics.joined(separator: " · "), width: c.width - 1, indent: "  "))
        }
    }

    /// At the prompt: each part of the plan, Enter keeps it.
    func editPlan(_ ctx: ShellContext, _ draft: Meeting) throws -> Meeting {
        var m = draft
        ctx.console.print(ctx.styler.dim("Change the plan: Enter keeps each part, end input to cancel."))
        let t = try ctx.ask("title [\(Layout.truncate(m.title, 40))]: ")
        if !t.isEmpty { m.title = t }
        while true {
            let shown = (try? MeetingTime.show(m.start, in: m.timeZone)) ?? ""
            let a = try ctx.ask("when [\(shown)]: ")
            if a.isEmpty { break }
            do { m.start = try MeetingTime.parseLocal(a, in: m.timeZone); break } catch let e as KnowHowError { ctx.console.error(e.description) }
        }
        while true {
            let a = try ctx.ask("presenters [\(m.presenters.map { "@" + $0 }.joined(separator: " "))]: ")
            if a.isEmpty { break }
            do {
                let hs = try listWords(a).map(Validation.handle)
                for h in hs { _ = try ctx.store.member(h) }
                m.presenters = hs; break
            } catch let e as KnowHowError { ctx.console.error(e.description) }
        }
        while true {
            let a = try ctx.ask("format [\(m.format.rawValue)]: ", choices: MeetingFormat.allCases.map(\.rawValue))
            if a.isEmpty { break }
            do { m.format = try Self.format(a); break } catch let e as KnowHowError { ctx.console.error(e.description) }
        }
        return m
    }

    // MARK: add, edit

    func add(_ ctx: ShellContext) throws -> Outcome {
        try ctx.community.authorize(.planMeeting, on: nil, as: ctx.actor)
        let name = title ?? QueryWords.text(words)
        guard !name.isEmpty else { throw KnowHowError.missingField("a title (meeting add \"Reflective supervision\" --at …)") }
        let all = try ctx.community.series()
        let s = try series.map { n -> MeetingSeries in
            guard let x = all.first(where: { $0.name.lowercased() == n.lowercased() }) else { throw KnowHowError.unknownSeries(n, known: all.map(\.name)) }
            return x
        }
        let zone = try tz ?? s?.timeZone ?? ctx.viewerZone(nil)
        // In a series, the next date it meets unless --at says otherwise.
        let start: Timestamp
        if let at {
            start = try MeetingTime.parseLocal(at, in: zone)
        } else if let s, let next = try ctx.community.nextFreeDate(of: s) {
            start = next
        } else {
            throw KnowHowError.missingField("the local start (--at \"2026-03-12 11:00\")")
        }
        let m = Meeting(title: name, series: s?.name, start: start, timeZone: zone, minutes: minutes ?? s?.minutes ?? 60,
                        place: place ?? s?.place, format: try format.map(Self.format) ?? s?.format ?? .talk,
                        presenters: try presenters.flatMap(listWords).map(Validation.handle),
                        links: try links.flatMap(listWords).map { try ctx.entryID($0, types: [.resource, .practice, .question], field: "link") },
                        tags: try tags.flatMap(commaList).map(Validation.tag), organiser: ctx.actor)
        let id = try ctx.community.add(m, as: ctx.actor)
        ctx.lastRefs = [.entry(id)]
        ctx.console.print("planned \(ctx.styler.id(id.description)): \(m.title), " + (try MeetingTime.show(start, in: zone)))
        return .ok
    }

    func edit(_ ctx: ShellContext) throws -> Outcome {
        let id = try meetingID(ctx)
        let original = try ctx.store.meeting(id)
        var m = original
        if let title { m.title = title }
        if let tz { m.timeZone = tz }
        if let at { m.start = try MeetingTime.parseLocal(at, in: m.timeZone) }
        if let minutes { m.minutes = minutes }
        if let place { m.place = place }
        if let format { m.format = try Self.format(format) }
        if let series { m.series = series.isEmpty || series == "-" ? nil : series }
        if !presenters.isEmpty { m.presenters = try presenters.flatMap(listWords).map(Validation.handle) }
        if !tags.isEmpty { m.tags = try tags.flatMap(commaList).map(Validation.tag) }
        let changed = try ctx.community.update(m, expecting: original, as: ctx.actor)
        ctx.console.print(changed.isEmpty ? "nothing to change in \(id)" : "edited \(ctx.styler.id(id.description)): " + changed.joined(separator: ", "))
        return .ok
    }

    // MARK: after the meeting

    func notes(_ ctx: ShellContext) throws -> Outcome {
        let id = try meetingID(ctx)
        let original = try ctx.store.meeting(id)
        try ctx.community.authorize(.recordMeeting, on: .entry(id), as: ctx.actor)
        let notes: String?
        if let text {
            notes = text
        } else if let p = ctx.prompter {
            ctx.flushForPrompt()
            let heading = "<!-- Notes of \(id) \(original.title): Markdown; lines in comments are ignored -->\n\n"
            let edited = try p.edit(heading + (original.notes ?? "") + "\n", fileExtension: "md")
            notes = edited.replacingOccurrences(of: #"<!--[\s\S]*?-->"#, with: "", options: .regularExpression)
        } else {
            throw KnowHowError.missingField("the notes (--text \"…\"; at the prompt they open in $EDITOR)")
        }
        do {
            let changed = try ctx.community.recordNotes(id, notes, expecting: original, as: ctx.actor)
            ctx.console.print(changed.isEmpty ? "the notes of \(id) are unchanged" : "saved the notes of \(ctx.styler.id(id.description))")
        } catch KnowHowError.staleEdit(let entry, let changed, _) {
            throw KnowHowError.staleEdit(entry: entry, changed: changed, keptIn: notes.flatMap { ctx.keepEdit($0, for: id.description) })
        }
        return .ok
    }

    func attended(_ ctx: ShellContext) throws -> Outcome {
        let id = try meetingID(ctx)
        let handles = try words.dropFirst().flatMap(listWords).map(Validation.handle)
        let after = try ctx.community.recordAttendance(id, handles, as: ctx.actor)
        ctx.console.print(Layout.wrap("\(id): \(Layout.count(after.count, "attendee")): " + after.map { "@" + $0 }.joined(separator: ", "),
                                      width: ctx.console.width - 1))
        return .ok
    }

    func link(_ ctx: ShellContext) throws -> Outcome {
        let id = try meetingID(ctx)
        let entries = try words.dropFirst().flatMap(listWords).map { try ctx.entryID($0, types: [.resource, .practice, .question], field: "link") }
        let after = try ctx.community.link(id, entries, as: ctx.actor)
        ctx.console.print("\(ctx.styler.id(id.description)) links " + after.map(\.description).joined(separator: ", "))
        return .ok
    }

    // MARK: export

    func export(_ ctx: ShellContext) throws -> Outcome {
        let id = words.isEmpty ? nil : try meetingID(ctx)
        guard id != nil || series != nil else { throw KnowHowError.missingField("a meeting id or --series NAME (meeting export m3 --ics m3.ics)") }
        let text = try ctx.community.calendar(meeting: id, series: series)
        guard let ics, ics != "-" else { ctx.console.out += text; ctx.console.holdsData = true; return .ok }
        let path = Paths.expand(ics)
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw KnowHowError.cannotWrite(path: path, reason: "check that the folder exists and is writable")
        }
        let events = text.components(separatedBy: "BEGIN:VEVENT").count - 1
        ctx.console.print("wrote \(ics): \(Layout.count(events, "event"))")
        return .ok
    }
}

extension Render {
    /// `show mN`.
    static func showMeeting(_ view: MeetingView, ctx: ShellContext) {
        let c = ctx.console, s = c.styler
        let m = view.meeting
        c.print(s.id(m.id?.description ?? "") + "  " + s.bold(m.title))
        let zone = (try? ctx.viewerZone(nil)) ?? m.timeZone
        let when = (try? MeetingTime.show(m.start, in: m.timeZone)) ?? m.start.description
        field(c, "when", when + ", \(m.minutes) minutes" + (view.held ? "" : s.dim(" · coming")))
        // In the viewer's zone too, on a line of its own, when the clocks differ.
        if let mineZone = try? MeetingTime.zone(zone), let theirs = try? MeetingTime.zone(m.timeZone),
           mineZone.secondsFromGMT(for: m.start.date) != theirs.secondsFromGMT(for: m.start.date),
           let mine = try? MeetingTime.show(m.start, in: zone) { field(c, "your time", mine) }
        field(c, "series", m.series)
        field(c, "format", m.format.rawValue.replacingOccurrences(of: "-", with: " "))
        field(c, "place", m.place)
        field(c, "organiser", m.organiser.map { "@" + $0 })
        // People lists wrap under their heading rather than past the edge.
        for (name, people) in [("presenting", m.presenters), ("attended", m.attendees)] where !people.isEmpty {
            let lines = Layout.wrap(people.map { "@" + $0 }.joined(separator: ", "), width: c.width - 13).components(separatedBy: "\n")
            c.print(s.dim(Layout.pad(name, 13)) + lines[0])
            for l in lines.dropFirst() { c.print(String(repeating: " ", count: 13) + l) }
        }
        field(c, "tags", m.tags.map { s.tag("#" + $0) }.joined(separator: " "))
        if !m.links.isEmpty {
            c.print(); c.print(s.bold("Linked"))
            for l in m.links {
                c.print("  " + s.id(Layout.pad(l.description, 5)) + " " + Layout.truncate(view.linkTitles[l.description] ?? "", c.width - 9))
            }
            ctx.lastRefs = m.links.map(EntryRef.entry)
        }
        text(c, "Notes", m.notes)
    }
}
