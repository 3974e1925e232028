import ArgumentParser
import Foundation
import KnowHowCore

// Community insights: stats, gaps, topics, match, stale, graph, and config for the search log.
// The numbers come from the core (Insights.swift); these commands fetch, draw and write JSON.

// MARK: - Drawing

/// Sparklines and bars for screens that should read at a glance.
enum Chart {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// One character a value: ▁ for nothing, ▂ to █ for something, scaled to the largest.
    static func sparkline(_ values: [Int]) -> String {
        let top = values.max() ?? 0
        return String(values.map { v in
            v <= 0 || top == 0 ? levels[0] : levels[1 + Int((Double(v) / Double(top) * 6).rounded())]
        })
    }

    /// A horizontal bar `width` cells long at `top`, drawn to an eighth of a cell; never empty for
    /// a value above zero.
    static func bar(_ value: Int, of top: Int, width: Int) -> String {
        guard value > 0, top > 0 else { return "" }
        let eighthsLong = max(1, Int((Double(value) / Double(top) * Double(width * 8)).rounded()))
        let full = eighthsLong / 8, rest = eighthsLong % 8
        return String(repeating: "█", count: full) + (rest > 0 ? String(eighths[rest - 1]) : "")
    }

    static func right(_ s: String, _ width: Int) -> String {
        let w = Layout.width(s)
        return w >= width ? s : String(repeating: " ", count: width - w) + s
    }

    static func plural(_ n: Int, _ one: String, _ many: String? = nil) -> String { Layout.count(n, one, many) }

    static func percent(_ p: Double) -> String { String(format: "%.0f%%", p) }
}

/// Period options shared by `stats` and `gaps`.
public struct PeriodOptions: ParsableArguments {
    @Option(help: "Start of the period: a day (2026-03-01) or an age (90d, 8w, 6m, 1y). Default: a year before --until.")
    public var since: String?
    @Option(help: "End of the period, included: a day or a time. Default: now.")
    public var until: String?

    public init() {}

    func period(_ ctx: ShellContext) throws -> Period {
        try Period.parse(since: since, until: until, now: ctx.now)
    }
}

// MARK: - stats

public struct StatsCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "How the community is doing: growth, participation (1/9/90), top contributors, sectors, busiest tags.",
        discussion: """
        "Over time" covers the community's whole life (from --since when given), one column a month. The rest covers the period, by default the year up to now; tags grow against the equal period before it.

        Creators added resources or practices; contributors asked, answered, verified or endorsed; readers only searched, or did nothing the store records. Communities often see about 1% · 9% · 90%.

        Examples: stats · stats --since 6m · stats --since 2026-01-01 --until 2026-06-30 --json
        """)
    public static let arguments: [ArgumentKind] = [.nothing]

    @OptionGroup public var period: PeriodOptions
    @Option(name: [.customLong("limit"), .customShort("n")], help: "Rows in each top list (default 5).") public var limit: Int?
    @Flag(name: .long, help: "Write JSON for scripts.") public var json = false

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let span = try period.period(ctx)
        let n = try bounded(limit ?? 5, "--limit", 1...100)
        let report = try ctx.community.stats(in: span, limit: n, sinceGiven: period.since != nil)
        if json || ctx.settings.json {
            try ctx.printJSON(report.view)
            return .ok
        }
        let counts = report.counts, timeline = report.timeline, participation = report.participation, top = report.top
        let sectors = report.sectors, organisations = report.organisations, busiest = report.busiest, growing = report.growing
        let c = ctx.console, s = c.styler
        c.print(s.bold("Community") + "  " + [Chart.plural(counts.members, "member"), Chart.plural(counts.resources, "resource"),
                                              Chart.plural(counts.practices, "practice"), Chart.plural(counts.questions, "question"),
                                              Chart.plural(counts.answers, "answer")].joined(separator: " · "))

        // Over time
        let per = timeline.monthsPerBucket
        let last = timeline.buckets.last.map { $0.adding(per - 1) } ?? Month(span.end)
        c.print()
        c.print(s.bold("Over time") + s.dim("  \(timeline.buckets.first?.description ?? "") – \(last), "
                                             + (per == 1 ? "a column a month" : "a column every \(per) months")))
        let labels: [TimelineSeries: String] = [.joined: "joined", .entries: "entries", .questions: "questions",
                                                .answers: "answers", .searches: "searches"]
        for series in TimelineSeries.allCases {
            let values = timeline.counts[series] ?? []
            c.print("  " + Layout.pad(labels[series]!, 10) + Chart.sparkline(values) + Chart.right(String(values.reduce(0, +)), 6))
        }
        c.print("  " + s.dim("entries are resources and practices; totals are for the span shown"))

        // Participation
        let p = participation
        c.print()
        c.print(s.bold("Participation") + s.dim("  \(span) · \(Chart.plural(p.members, "member"))"))
        let rows: [(String, Int, Bool)] = [("creators", p.creators.count, true), ("contributors", p.contributors.count, true),
                                           ("readers", p.readers, true), ("  searched", p.searchers.count, false),
                                           ("  silent", p.silent.count, false)]
        for (label, count, drawn) in rows {
            let line = "  " + Layout.pad(label, 13) + Chart.right(String(count), 4) + Chart.right(Chart.percent(p.percent(count)), 6)
            let bar = drawn ? Chart.bar(count, of: max(1, p.members), width: 40) : ""
            c.print(line + (bar.isEmpty ? "" : "  " + bar))
        }
        c.print(s.dim(Layout.wrap("Creators added resources or practices; contributors asked, answered, verified or endorsed; readers only searched, or did nothing recorded. Communities often see about 1% · 9% · 90%.", width: c.width, indent: "  ")))

        // Meetings
        let mp = report.meetings
        if mp.meetings > 0 {
            c.print()
            c.print(s.bold("Meetings") + s.dim("  \(span) · \(Chart.plural(mp.meetings, "meeting")) held · \(Chart.plural(mp.attendees.count, "member")) came"))
            let attends = mp.attendees.prefix(n).map { "@\($0.handle) \($0.count)" }.joined(separator: ", ")
            c.print(Layout.wrap("attend most: " + attends, width: c.width, indent: "  "))
            c.print(Layout.wrap("presented: " + mp.presenters.prefix(n).map { "@\($0.handle) \($0.count)" }.joined(separator: ", "), width: c.width, indent: "  "))
            if !mp.neverPresented.isEmpty {
                c.print(Layout.wrap("attend, never presented: " + mp.neverPresented.prefix(n * 2).map { "@" + $0 }.joined(separator: ", ")
                                    + (mp.neverPresented.count > n * 2 ? " and \(mp.neverPresented.count - n * 2) more" : ""), width: c.width, indent: "  "))
            }
        }

        // Top contributors
        c.print()
        c.print(s.bold("Top contributors") + s.dim("  \(span)"))
        if top.isEmpty { c.print(s.dim("  nobody added, asked or answered anything in this period")) }
        let handleWidth = min(24, (top.map { $0.handle.count + 1 }.max() ?? 0) + 2)
        for t in top {
            var parts: [String] = []
            if t.created > 0 { parts.append(Chart.plural(t.created, "entry", "entries")) }
            if t.answered > 0 { parts.append(Chart.plural(t.answered, "answer")) }
            if t.asked > 0 { parts.append(Chart.plural(t.asked, "question")) }
            if t.verified > 0 { parts.append("\(t.verified) verified") }
            if t.endorsed > 0 { parts.append(Chart.plural(t.endorsed, "endorsement")) }
            c.print("  " + s.member(Layout.pad("@" + t.handle, handleWidth)) + Layout.truncate(parts.joined(separator: " · "), c.width - handleWidth - 2))
        }

        // Who the members are
        for (title, rows) in [("Members by sector", sectors), ("Members by organisation", organisations)] {
            c.print()
            let shown = Array(rows.prefix(8))
            c.print(s.bold(title) + (rows.count > shown.count ? s.dim("  top \(shown.count) of \(rows.count)") : ""))
            if rows.isEmpty { c.print(s.dim("  no members yet")) }
            let top = shown.first?.members ?? 1
            for r in shown {
                c.print("  " + Layout.pad(Layout.truncate(r.name, 32), 32) + Chart.right(String(r.members), 4) + "  " + Chart.bar(r.members, of: top, width: 30))
            }
            let others = rows.dropFirst(shown.count)
            if !others.isEmpty {
                c.print(s.dim("  " + Layout.pad("\(others.count) more", 32) + Chart.right(String(others.reduce(0) { $0 + $1.members }), 4)))
            }
        }

        // Tags
        c.print()
        let left = 40
        c.print(s.bold(Layout.pad("Busiest tags", left)) + s.bold("Fastest-growing tags"))
        c.print(s.dim(Layout.pad("  entries, questions, answers", left) + "  against the period before"))
        let topCount = busiest.first?.count ?? 1
        for i in 0..<max(busiest.count, growing.count) {
            var line = ""
            if i < busiest.count {
                let b = busiest[i]
                line = "  " + s.tag(Layout.pad(Layout.truncate(b.tag, 22), 22)) + Chart.right(String(b.count), 3) + " " + Chart.bar(b.count, of: topCount, width: 10)
            }
            line = Layout.pad(line, left)
            if i < growing.count {
                let g = growing[i]
                line += "  " + s.tag(Layout.pad(Layout.truncate(g.tag, 22), 22)) + s.good(Chart.right("+\(g.growth)", 4))
                    + s.dim(g.previous == 0 ? "  new" : "  from \(g.previous)")
            }
            c.print(line)
        }
        if busiest.isEmpty && growing.isEmpty { c.print(s.dim("  no tagged entries, questions or answers in this period")) }
        return .ok
    }
}

// MARK: - gaps

public struct GapsCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "What people look for and do not find: unmet searches by wording, unanswered questions, wanted skills nobody has.",
        discussion: """
        Searches (find, who) that found nothing, or found something but no resource, practice or answer holding every word, grouped by similar wording. The people column counts each member once however often they searched; anonymous searches count once a day.

        Then questions nobody has answered, and tags that members want to learn, search for or ask about but that no member practises.

        Examples: gaps · gaps --since 90d · gaps --json
        """)
    public static let arguments: [ArgumentKind] = [.nothing]

    @OptionGroup public var period: PeriodOptions
    @OptionGroup public var output: OutputOptions

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let span = try period.period(ctx)
        let limit = try output.limit(ctx)
        let gaps = try ctx.community.gaps(in: span, checkFilled: output.json(ctx) ? 500 : limit)
        let unanswered = gaps.unansweredQuestions
        ctx.lastRefs = unanswered.prefix(limit).compactMap { EntryRef($0.id) }

        if output.json(ctx) {
            try ctx.printJSON(gaps)
            return .ok
        }
        let groups = gaps.searchGaps, shown = Array(groups.prefix(limit))
        let c = ctx.console, s = c.styler
        c.print(s.bold("Looked for, not found") + s.dim("  \(span) · \(gaps.unmet) of \(Chart.plural(gaps.searches, "search", "searches")) found little"))
        if shown.isEmpty {
            c.print(s.dim(gaps.loggedNothing ? "  no searches logged in this period (see `config logging`)" : "  every search in this period found something"))
        } else {
            c.print(s.dim("  people  searches  last seen   wording"))
            for g in shown {
                var tail = ""
                if g.wordings.count > 1 { tail += " +\(Chart.plural(g.wordings.count - 1, "wording"))" }
                if g.kinds == [SearchKind.who.rawValue] { tail += " (who)" }
                if let now = g.nowFinds { tail += " · now finds \(now)" }
                let lead = Chart.right(String(g.people), 8) + Chart.right(String(g.searches), 10) + "  " + Self.day(g.lastSeen) + "  "
                let room = max(10, c.width - Layout.width(lead) - Layout.width(tail))
                c.print(lead + s.bold(Layout.truncate(g.label, room)) + s.dim(tail))
            }
            if groups.count > shown.count { c.print(s.dim("  … \(groups.count - shown.count) more: raise --limit, or use --json")) }
            c.print(s.dim(Layout.wrap("Found little: nothing, or no resource, practice or answer with every word. One person repeating a search counts once.", width: c.width, indent: "  ")))
        }

        c.print()
        c.print(s.bold("Questions nobody has answered") + s.dim("  \(unanswered.count)"))
        if unanswered.isEmpty { c.print(s.dim("  none: every question has an answer")) }
        // The askers in a column of their own at the right, to follow up with: each title gets the
        // room the longest handle leaves.
        let askerWidth = unanswered.prefix(limit).map { q in q.asker.map { Layout.width("  @" + $0) } ?? 0 }.max() ?? 0
        for q in unanswered.prefix(limit) {
            let asker = q.asker.map { "  @" + $0 } ?? ""
            let lead = "  " + s.id(Layout.pad(q.id, 4)) + " " + (q.asked.map(Self.day) ?? "          ") + "  "
            let room = max(10, c.width - Layout.width(lead) - askerWidth)
            c.print(lead + Layout.pad(Layout.truncate(q.title, room), room) + s.member(asker))
        }
        if unanswered.count > limit { c.print(s.dim("  … \(unanswered.count - limit) more: list questions status:open")) }

        c.print()
        c.print(s.bold("Wanted, but nobody practises it") + s.dim("  no member at practising or expert level"))
        let demand = gaps.wantedTags
        if demand.isEmpty {
            c.print(s.dim("  every tag people want has someone practising it"))
        } else {
            c.print(s.dim("  " + Layout.pad("tag", 28) + "   want  searched  asked"))
            for d in demand.prefix(limit) {
                c.print("  " + s.tag(Layout.pad(Layout.truncate(d.tag, 28), 28)) + Chart.right(String(d.want), 7)
                        + Chart.right(String(d.searched), 10) + Chart.right(String(d.asked), 7))
            }
            c.print(s.dim(Layout.wrap("want: members with it as a learning goal or at learning level; searched: people whose searches named it; asked: questions in the period.", width: c.width, indent: "  ")))
        }
        return .ok
    }

    /// The day of a time as the view writes it.
    static func day(_ time: String) -> String { Timestamp(time)?.day.description ?? time }
}

// MARK: - topics

public struct TopicsCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Ideas for the next meeting: learning goals many members share, who could lead, what to start from.",
        discussion: """
        A learning goal is a member's interest or a skill at learning level; each member counts once. Who could lead is ranked as `who` ranks (what they wrote, answered and verified, declared skills, endorsements), leaving out the members who want to learn it.

        Examples: topics · topics --min 5 --limit 3 · topics --json
        """)
    public static let arguments: [ArgumentKind] = [.nothing]

    @Option(help: "Only goals shared by at least this many members.") public var min = 3
    @Option(name: [.customLong("limit"), .customShort("n")], help: "How many topics (default 5).") public var limit: Int?
    @Flag(name: .long, help: "Write JSON for scripts.") public var json = false

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let n = try bounded(limit ?? 5, "--limit", 1...100)
        let topics = try ctx.community.topics(minMembers: try bounded(min, "--min", 1...100_000), limit: n)
        ctx.lastRefs = topics.flatMap { $0.couldLead.experts.map { EntryRef.member($0.member.handle) } + $0.resources.map(\.ref) }
        if json || ctx.settings.json {
            try ctx.printJSON(topics)
            return topics.isEmpty ? .noResults : .ok
        }
        let c = ctx.console, s = c.styler
        if topics.isEmpty {
            c.error("no learning goal is shared by \(min) or more members; try --min 2")
            return .noResults
        }
        c.print(s.bold("Topics for the next meeting") + s.dim("  learning goals members share, who could lead"))
        for (i, t) in topics.enumerated() {
            c.print()
            c.print(Chart.right("\(i + 1).", 3) + " " + s.tag(t.tag) + s.dim("  \(Layout.count(t.members, "member")) \(t.members == 1 ? "wants" : "want") to learn it"))
            let leads = t.couldLead.experts.map { e -> String in
                let level = e.member.skills.filter { $0.tag == t.tag }.map(\.level.rawValue).first
                let why = [level, e.evidenceCount > 0 ? Chart.plural(e.evidenceCount, "entry", "entries") : nil].compactMap { $0 }
                return s.member("@" + e.member.handle) + (why.isEmpty ? "" : s.dim(" (" + why.joined(separator: ", ") + ")"))
            }
            if leads.isEmpty {
                c.print("    " + s.dim(Layout.pad("could lead", 12)) + s.dim("nobody yet: a chance to invite a speaker"))
            } else {
                c.print("    " + s.dim(Layout.pad("could lead", 12)) + leads[0])
                for l in leads.dropFirst() { c.print("    " + String(repeating: " ", count: 12) + l) }
            }
            for (j, r) in t.resources.enumerated() {
                let label = j == 0 ? s.dim(Layout.pad("start from", 12)) : String(repeating: " ", count: 12)
                c.print("    " + label + s.id(Layout.pad(r.ref.description, 5)) + Layout.truncate(Highlight.plain(r.title), c.width - 21))
            }
        }
        return .ok
    }
}

// MARK: - match

public struct MatchCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Mentoring suggestions: members learning a skill paired with experts in it who mentor.",
        discussion: """
        Learners are members with the skill at learning level or as a learning goal; mentors have it at expert level and mentor. Pairs across organisations and sectors score higher, and each suggestion a mentor already has counts against the next, so that one mentor is not suggested to everyone.

        Examples: match · match data-literacy · match --per-mentor 2 --json
        """)
    public static let arguments: [ArgumentKind] = [.reference]

    @Option(name: .customLong("per-mentor"), help: "At most this many suggestions for one mentor.") public var perMentor = 3
    @Option(name: .customLong("per-learner"), help: "At most this many suggestions for one learner.") public var perLearner = 1
    @Flag(name: .long, help: "Write JSON for scripts.") public var json = false
    @Argument(help: "Only this skill (a tag).") public var tag: String?

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let view = try ctx.community.match(tag: tag, perMentor: perMentor, perLearner: perLearner)
        let suggestions = view.pairs, unmatched = view.left, only = view.tag
        ctx.lastRefs = suggestions.map { .member($0.mentor) }
        if json || ctx.settings.json {
            try ctx.printJSON(view)
            return suggestions.isEmpty ? .noResults : .ok
        }
        let c = ctx.console, s = c.styler
        if suggestions.isEmpty {
            c.error("no learner has an expert who mentors" + (only.map { " in \($0)" } ?? "") + "; `gaps` shows what nobody practises")
            return .noResults
        }
        c.print(s.bold("Mentoring suggestions") + s.dim("  \(Chart.plural(suggestions.count, "pair")), experts who mentor, at most \(perMentor) each"))
        // By skill, the skill with most pairs first; within it, best pair first.
        var bySkill: [String: [MentorSuggestion]] = [:]
        for p in suggestions { bySkill[p.tag, default: []].append(p) }
        let skills = bySkill.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
        let learnerWidth = (suggestions.map { $0.learner.count + 1 }.max() ?? 0) + 1
        let mentorWidth = (suggestions.map { $0.mentor.count + 1 }.max() ?? 0) + 2
        var refs: [EntryRef] = []
        for (tag, pairs) in skills {
            c.print(s.tag(tag))
            for p in pairs {
                refs.append(.member(p.mentor))
                // "learning it" / "wants to learn it" is what made them a learner; the rest is why this pair.
                let why = p.reasons.dropFirst().map { $0.replacingOccurrences(of: "organisation", with: "org") }.joined(separator: " · ")
                let lead = "  " + s.member(Layout.pad("@" + p.learner, learnerWidth)) + "→ " + s.member(Layout.pad("@" + p.mentor, mentorWidth))
                c.print(lead + s.dim(Layout.truncate(why, max(10, c.width - Layout.width(lead)))))
            }
        }
        ctx.lastRefs = refs
        c.print(s.dim(Layout.wrap("Pairs across organisations and sectors score higher; each pair a mentor already has counts against the next. `show @handle` for a profile, --json for scores.", width: c.width, indent: "  ")))
        if !unmatched.isEmpty {
            c.print()
            c.print(s.bold("Still without a suggestion"))
            for u in unmatched.sorted(by: { ($0.learners.count, $1.tag) > ($1.learners.count, $0.tag) }).prefix(8) {
                let why = u.mentors == 0 ? "no expert who mentors" : "its \(Chart.plural(u.mentors, "mentor")) \(u.mentors == 1 ? "is" : "are") at the limit"
                c.print("  " + s.tag(Layout.pad(Layout.truncate(u.tag, 26), 26)) + Chart.right(String(u.learners.count), 3) + s.dim(" learning · " + why))
            }
            if unmatched.count > 8 { c.print(s.dim("  … \(unmatched.count - 8) more skills (--json lists them)")) }
        }
        return .ok
    }
}

// MARK: - stale

public struct StaleCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "stale",
        abstract: "Resources and practices nobody has changed for a long time (365 days; --days N), oldest first.",
        discussion: """
        Touched means updated, verified, or changed through any recorded change (edit, retag, merge, undo). Practices with a review date are left to `review`, which lists those due; stale lists what nothing would bring back to anyone's attention.

        Examples: stale · stale --days 730 --limit 20
        """)
    public static let arguments: [ArgumentKind] = [.nothing]

    @Option(help: "Untouched for at least this many days.") public var days = 365
    @OptionGroup public var output: OutputOptions

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        _ = try bounded(days, "--days", 1...36_500)
        let limit = try output.limit(ctx)
        // Practices with a review date are `review`'s to list (due) or already looked after (not yet due).
        let view = try ctx.community.stale(days: days)
        let stale = view.stale, scheduled = view.withReviewDate, due = view.dueForReview
        ctx.lastRefs = stale.prefix(limit).map { .entry($0.id) }
        if output.json(ctx) {
            try ctx.printJSON(view)
            return stale.isEmpty ? .noResults : .ok
        }
        let c = ctx.console, s = c.styler
        let resources = stale.filter { $0.id.type == .resource }.count
        if stale.isEmpty {
            c.error("nothing has gone untouched for \(Layout.count(days, "day"))")
        } else {
            c.print(s.bold("Untouched for \(Layout.count(days, "day")) or more") + s.dim("  since \(view.cutoff.map { $0.day.description } ?? view.since) · "
                    + Chart.plural(resources, "resource") + ", " + Chart.plural(stale.count - resources, "practice")))
            for e in stale.prefix(limit) {
                let tail = e.contributor.map { "  @" + $0 } ?? ""
                let lead = "  " + s.id(Layout.pad(e.id.description, 5)) + e.lastTouched.day.description + "  "
                let room = max(10, c.width - Layout.width(lead) - Layout.width(tail))
                c.print(lead + Layout.pad(Layout.truncate(e.title, room), room) + s.dim(tail))
            }
            if stale.count > limit { c.note(s.dim("  … \(stale.count - limit) more: raise --limit")) }
        }
        if scheduled > 0 || !due.isEmpty {
            let note = scheduled > 0
                ? "\(Chart.plural(scheduled, "practice")) untouched as long \(scheduled == 1 ? "has" : "have") a review date, so `review` lists \(scheduled == 1 ? "it" : "them") when due (\(due.count) due within 30 days)."
                : "\(Chart.plural(due.count, "practice")) due for review within 30 days: see `review`."
            c.print(s.dim(Layout.wrap(note, width: c.width)))
        }
        return stale.isEmpty ? .noResults : .ok
    }
}

// MARK: - graph

public struct GraphCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Write the community as a Graphviz graph (DOT): members, the tags that link them, skills by level.",
        discussion: """
        Members are ellipses coloured by sector, tags are boxes, and each skill is an edge labelled with its level. Tags held by fewer than --min-members members are left out so that the picture shows what links people.

        Examples: graph community.dot, then: sfdp -Tsvg community.dot -o community.svg · graph --interests --min-members 3 | dot -Tpng -Ksfdp -o community.png
        """)
    public static let arguments: [ArgumentKind] = [.file]

    @Option(name: .customLong("min-members"), help: "Only tags linking at least this many members.") public var minMembers = 2
    @Flag(help: "Add learning goals as dotted edges.") public var interests = false
    @Argument(help: "Where to write; standard output when left out.") public var file: String?

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        _ = try bounded(minMembers, "--min-members", 1...100_000)
        let graph = CommunityGraph.dot(try ctx.store.allMembers(), minMembers: minMembers, interests: interests)
        guard let file else {
            ctx.console.out += graph.text
            ctx.console.holdsData = true
            return .ok
        }
        let path = Paths.expand(file)
        do {
            try Data(graph.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw KnowHowError.cannotWrite(path: path, reason: "check that the folder exists and is writable")
        }
        ctx.console.print("wrote \(path): \(Chart.plural(graph.members, "member")), \(Chart.plural(graph.tags, "tag")), \(Chart.plural(graph.edges, "link"))")
        ctx.console.print(ctx.styler.dim("draw it with: sfdp -Tsvg \(file) -o community.svg"))
        return .ok
    }
}

// MARK: - config

public struct ConfigCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show or change the store's own settings: config logging on|off|anonymous (curators).",
        discussion: """
        logging: whether find, who and ask are logged for `gaps` and `stats` — on (with who searched), anonymous (without), or off. The change applies from now on; searches already logged keep what they have. Unlike `set`, which lasts one session, store settings are kept in the store for everyone.

        With --json: one object, the settings as they are (after a change): logging (on, off or anonymous) and loggingMeans (what that means, in words).
        """)
    public static let arguments: [ArgumentKind] = [.nothing]

    @Flag(name: .long, help: "Write JSON for scripts.") public var json = false
    @Argument(help: "The setting: logging.") public var name: String?
    @Argument(help: "Its new value.") public var value: String?

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let c = ctx.console, json = self.json || ctx.settings.json
        func show(_ mode: SearchLogging) throws {
            if json { try ctx.printJSON(StoreSettingsView(logging: mode)) } else { c.print("logging  \(mode.rawValue)" + c.styler.dim("  (\(mode.explanation))")) }
        }
        guard let name else {
            try show(try ctx.store.searchLogging())
            return .ok
        }
        guard name.lowercased() == SearchLogging.settingKey else {
            throw KnowHowError.invalidValue(field: "store setting", value: name, expected: "logging (for session settings, see `set`)")
        }
        guard let value else {
            try show(try ctx.store.searchLogging())
            return .ok
        }
        guard let mode = SearchLogging(rawValue: value.lowercased()) else {
            throw KnowHowError.invalidValue(field: "logging", value: value, expected: "on, off or anonymous")
        }
        try ctx.community.setSearchLogging(mode, as: ctx.actor)
        if json { try show(mode) } else { c.print("logging = \(mode.rawValue): \(mode.explanation) from now on") }
        return .ok
    }
}
