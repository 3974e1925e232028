import ArgumentParser
import Foundation
import KnowHowCore

/// Draws results and records for people: numbered, aligned to the terminal width, matches
/// emphasised.
enum Render {
    /// `trailer(i, room)` may add a line under hit i, indented as its extract, `room` columns wide.
    static func results(_ results: SearchResults, ctx: ShellContext, emptyMessage: String, numberFrom: Int = 0,
                        trailer: (Int, Int) -> String? = { _, _ in nil }) {
        let c = ctx.console, s = c.styler, width = c.width
        if results.hits.isEmpty {
            c.error(emptyMessage)
            for note in results.notes { c.error(note) }
            if !results.suggestions.isEmpty {
                c.error("did you mean: " + results.suggestions.joined(separator: ", ") + "?")
            }
            return
        }
        let numWidth = String(results.hits.count + numberFrom).count
        // Members' handles are long: they overflow the id column instead of widening it.
        let idWidth = results.hits.filter { $0.ref.type != .member }.map { $0.ref.description.count }.max() ?? 3
        for (i, hit) in results.hits.enumerated() {
            let n = i + 1 + numberFrom
            let num = String(repeating: " ", count: numWidth - String(n).count) + "\(n)."
            let idText = Layout.pad(hit.ref.description, idWidth)
            let idStyled = hit.ref.type == .member ? s.member(idText) : s.id(idText)
            var label = hit.detail.map { "  " + $0 } ?? ""
            let lead = numWidth + 2 + idWidth + 1
            // A long label (a member's organisation and sector) is cut before the title (their name).
            let room = width - max(lead, numWidth + 2 + Layout.width(idText) + 1)
            let titleWidth = Layout.width(Highlight.plain(hit.title))
            if titleWidth + Layout.width(label) > room, Layout.width(label) > room / 2 {
                label = Layout.truncate(label, max(room - titleWidth, room / 2))
            }
            let titleRoom = max(10, room - Layout.width(label))
            let title = Layout.marked(Layout.truncateMarked(hit.title, titleRoom), s)
            c.print("\(num) \(idStyled) \(s.bold(title))\(s.dim(label))")
            let indent = String(repeating: " ", count: lead)
            let snippet = oneLine(hit.snippet)
            if !Highlight.plain(snippet).trimmingCharacters(in: .whitespaces).isEmpty {
                c.print(indent + Layout.marked(Layout.truncateMarked(snippet, width - lead), s))
            }
            if !hit.tags.isEmpty {
                let tags = Layout.truncate(hit.tags.map { "#" + $0 }.joined(separator: " "), width - lead)
                c.print(indent + s.tag(tags))
            }
            if let line = trailer(i, width - lead) { c.print(indent + line) }
        }
        if results.more {
            c.note(s.dim("… more results: narrow the search or raise --limit (now \(results.hits.count))"))
        }
    }

    /// Text as a one-line extract shows it: its lines and paragraphs run on with one space between
    /// words, and Markdown emphasis marks, noise there, are dropped.
    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "**", with: "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Ranked people with why: matching skills, endorsements, the strongest evidence.
    static func experts(_ experts: [Expert], ctx: ShellContext) {
        let c = ctx.console, s = c.styler, width = c.width
        let numWidth = String(experts.count).count
        for (i, e) in experts.enumerated() {
            let m = e.member
            let num = String(repeating: " ", count: numWidth - String(i + 1).count) + "\(i + 1)."
            let place = [m.organisation, m.sector].compactMap { $0 }.joined(separator: ", ")
            var head = "\(num) \(s.member("@" + m.handle))  \(s.bold(m.name))"
            if !place.isEmpty { head += s.dim("  " + Layout.truncate(place, max(10, width - Layout.width(head) - 2))) }
            c.print(head)
            let indent = String(repeating: " ", count: numWidth + 2)
            var why: [String] = []
            if !m.skills.isEmpty {
                why.append("skills: " + m.skills.sorted { $0.level > $1.level }.map { sk in
                    let n = m.endorsements[sk.tag] ?? 0
                    return "\(sk.tag) (\(sk.level.rawValue)\(n > 0 ? ", \(n) endorsed" : ""))"
                }.joined(separator: ", "))
            }
            let otherEndorsed = m.endorsements.filter { t, _ in !m.skills.contains { $0.tag == t } }
            if !otherEndorsed.isEmpty {
                why.append("endorsed for " + otherEndorsed.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
            }
            if e.evidenceCount > 0 {
                why.append(Layout.count(e.evidenceCount, "matching entry", "matching entries")
                           + (m.openToQuestions ? "" : " · not taking questions") + (m.mentoring ? " · mentors" : ""))
            } else if !m.openToQuestions || m.mentoring {
                why.append((m.openToQuestions ? "" : "not taking questions") + (m.mentoring ? "mentors" : ""))
            }
            for w in why { c.print(indent + s.dim(Layout.truncate(w, width - indent.count))) }
            for (doc, how) in e.evidence {
                let label = s.id(Layout.pad(doc.id.description, 5)) + " "
                // A meeting reads as a sentence: presented 'Reflective supervision' at Elevenses, 2026-03-12.
                let presented = how == .presented
                let tail = presented ? "" : s.dim(" (\(how.phrase))")
                let room = width - indent.count - Layout.width(label) - Layout.width(tail)
                if presented, let cut = doc.title.range(of: "' at ", options: .backwards) ?? doc.title.range(of: "', ", options: .backwards) {
                    // Shorten the title, not where and when.
                    let place = String(doc.title[cut.lowerBound...])
                    let title = Layout.truncate(String(doc.title[..<cut.lowerBound]), max(10, room - 10 - Layout.width(place)))
                    c.print(indent + label + "presented " + title + place)
                } else {
                    c.print(indent + label + Layout.truncate((presented ? "presented " : "") + doc.title, max(10, room)) + tail)
                }
            }
        }
    }

    static func tags(_ tags: [TagDetail], ctx: ShellContext) {
        let c = ctx.console, s = c.styler
        if tags.isEmpty { c.error("no tags match"); return }
        let nameW = min(28, tags.map { $0.tag.name.count }.max() ?? 4)
        for t in tags {
            let counts = Chart.right(Validation.grouped(t.entryCount), 5) + " " + Layout.pad(t.entryCount == 1 ? "entry" : "entries", 7)
                + " " + Chart.right(Validation.grouped(t.memberCount), 4) + " " + (t.memberCount == 1 ? "member" : "members")
            // A name longer than the column is cut, so that the counts stay aligned.
            var line = s.tag(Layout.pad(Layout.truncate(t.tag.name, nameW), nameW)) + "  " + counts
            if !t.tag.aliases.isEmpty { line += s.dim((t.memberCount == 1 ? "   = " : "  = ") + t.tag.aliases.joined(separator: ", ")) }
            c.print(Layout.width(line) > c.width && !s.enabled ? Layout.truncate(line, c.width) : line)
        }
    }

    // MARK: - One record

    static func field(_ c: Console, _ name: String, _ value: String?) {
        guard let v = value, !v.isEmpty else { return }
        c.print(c.styler.dim(Layout.pad(name, 13)) + v)
    }

    static func text(_ c: Console, _ heading: String, _ body: String?) {
        guard let b = body, !b.isEmpty else { return }
        c.print()
        c.print(c.styler.bold(heading))
        c.print(Layout.indented(MarkdownText.terminal(b, c.styler), "  "))
    }

    static func show(_ ref: EntryRef, ctx: ShellContext, json: Bool) throws {
        let c = ctx.console, s = c.styler
        switch ref {
        case .member(let h):
            let profile = try ctx.community.profile(h)
            if json { try ctx.printJSON(TypedJSON(type: ref.type.rawValue, value: profile)); return }
            let m = profile.member
            c.print(s.member("@" + m.handle) + "  " + s.bold(m.name) + s.dim("  (\(m.role.rawValue))"))
            field(c, "organisation", m.organisation)
            field(c, "sector", m.sector)
            field(c, "location", [m.location, m.timeZone].compactMap { $0 }.joined(separator: " · "))
            field(c, "email", m.email)
            field(c, "joined", m.joined?.description)
            var availability: [String] = []
            availability.append(m.openToQuestions ? "open to questions" : "not taking questions")
            if m.mentoring { availability.append("mentoring") }
            field(c, "availability", availability.joined(separator: " · "))
            field(c, "source", m.sourceId)
            text(c, "About", m.bio)
            let endorsements = profile.endorsements
            if !m.skills.isEmpty {
                c.print(); c.print(s.bold("Skills"))
                for level in SkillLevel.allCases.reversed() {
                    let tags = m.skills.filter { $0.level == level }.map { sk -> String in
                        let n = endorsements[sk.tag]?.count ?? 0
                        return s.tag(sk.tag) + (n > 0 ? s.dim(" (+\(n))") : "")
                    }
                    if !tags.isEmpty { c.print(Layout.list(tags, lead: "  " + Layout.pad(level.rawValue, 11), width: c.width)) }
                }
            }
            let undeclaredEndorsed = profile.endorsedUndeclared
            if !undeclaredEndorsed.isEmpty {
                c.print(Layout.list(undeclaredEndorsed.keys.sorted().map { s.tag($0) + s.dim(" (+\(undeclaredEndorsed[$0]!.count))") }, lead: "  " + Layout.pad("endorsed", 11), width: c.width))
            }
            if !profile.alsoKnows.isEmpty {
                c.print(); c.print(s.bold("Also knows about") + s.dim("  (from what they wrote and answered)"))
                c.print(Layout.list(profile.alsoKnows.map { s.tag($0) }, lead: "  ", width: c.width))
            }
            if !m.interests.isEmpty {
                c.print(); c.print(s.bold("Learning goals"))
                c.print(Layout.list(m.interests.map { s.tag($0) }, lead: "  ", width: c.width))
            }
            if !profile.contributions.isEmpty {
                c.print(); c.print(s.bold("Contributed and answered"))
                for h in profile.contributions {
                    c.print("  " + s.id(Layout.pad(h.id, 5)) + " " + Layout.truncate(h.title, c.width - 9))
                }
            }
            ctx.lastRefs = profile.contributions.compactMap(\.ref)
        case .entry(let id):
            switch id.type {
            case .resource:
                let view = try ctx.community.resource(id)
                if json { try ctx.printJSON(TypedJSON(type: id.type.rawValue, value: view)); return }
                let r = view.resource
                c.print(s.id(id.description) + "  " + s.bold(r.title))
                field(c, "kind", r.kind.rawValue + (r.status == .archived ? " · " + s.warn("archived") : ""))
                field(c, "url", r.url)
                field(c, "tags", r.tags.map { s.tag("#" + $0) }.joined(separator: " "))
                field(c, "contributor", r.contributor.map { "@" + $0 })
                field(c, "authors", r.authors.map { "@" + $0 }.joined(separator: ", "))
                field(c, "created", r.created?.day.description)
                field(c, "updated", r.updated?.day.description)
                text(c, "Summary", r.summary)
                text(c, "Details", r.body)
            case .practice:
                let view = try ctx.community.practice(id)
                if json { try ctx.printJSON(TypedJSON(type: id.type.rawValue, value: view)); return }
                let p = view.practice
                c.print(s.id(id.description) + "  " + s.bold(p.title))
                var status = p.status == .verified ? s.good("verified") : (p.status == .retired ? s.warn("retired") : "proposed")
                if let by = p.verifiedBy { status += " by @\(by)" }
                if let at = p.verifiedAt { status += " on \(at.day)" }
                field(c, "status", status)
                if let next = view.replacedBy { field(c, "replaced by", s.id(next.description)) }
                if let r = p.reviewBy {
                    field(c, "review by", view.reviewOverdue ? s.warn("\(r) (overdue)") : r.description)
                }
                field(c, "tags", p.tags.map { s.tag("#" + $0) }.joined(separator: " "))
                field(c, "contributor", p.contributor.map { "@" + $0 })
                text(c, "Context", p.context)
                text(c, "Practice", p.practice)
                text(c, "Evidence", p.evidence)
            case .question:
                let view = try ctx.community.question(id)
                if json { try ctx.printJSON(TypedJSON(type: id.type.rawValue, value: view)); return }
                let q = view.question, answers = view.answers
                c.print(s.id(id.description) + "  " + s.bold(q.title))
                field(c, "asked by", q.asker.map { "@" + $0 })
                field(c, "asked", q.created?.day.description)
                field(c, "tags", q.tags.map { s.tag("#" + $0) }.joined(separator: " "))
                text(c, "Question", q.body)
                c.print()
                c.print(s.bold(answers.isEmpty ? "No answers yet" : "Answers (\(Validation.grouped(answers.count)))"))
                for a in answers {
                    let accepted = a.id == q.acceptedAnswer
                    c.print("  " + s.id(a.id!.description) + " " + (a.author.map { s.member("@" + $0) } ?? "")
                            + (a.created.map { s.dim(" · \($0.day)") } ?? "") + (accepted ? " " + s.good("✓ accepted") : ""))
                    c.print(Layout.indented(MarkdownText.terminal(a.body, s), "    "))
                }
                ctx.lastRefs = answers.compactMap { $0.id.map(EntryRef.entry) }
            case .answer:
                let view = try ctx.community.answer(id)
                if json { try ctx.printJSON(TypedJSON(type: id.type.rawValue, value: view)); return }
                let a = view.answer
                c.print(s.id(id.description) + "  answer to " + s.id(a.question.description) + " " + s.bold(view.questionTitle))
                field(c, "by", a.author.map { "@" + $0 })
                field(c, "answered", a.created?.day.description)
                if view.accepted { field(c, "status", s.good("accepted")) }
                c.print()
                c.print(Layout.indented(MarkdownText.terminal(a.body, s), "  "))
            case .meeting:
                let view = try ctx.community.meeting(id)
                if json { try ctx.printJSON(TypedJSON(type: id.type.rawValue, value: view)); return }
                showMeeting(view, ctx: ctx)
            case .member:
                throw KnowHowError.unknownEntry(id)
            }
        }
    }

    static func showTag(_ page: TagPageView, ctx: ShellContext, json: Bool) throws {
        let c = ctx.console, s = c.styler
        if json { try ctx.printJSON(TypedJSON(type: "tag", value: page)); return }
        let d = page.tag
        let entries = page.entries, members = page.members
        c.print(s.tag("#" + d.name) + s.dim("  \(Layout.count(d.entries, "entry", "entries")) · \(Layout.count(d.members, "member"))"))
        field(c, "aliases", d.aliases.joined(separator: ", "))
        if let desc = d.description { c.print(Layout.indented(desc, "  ")) }
        var refs: [EntryRef] = []
        if !entries.isEmpty {
            c.print(); c.print(s.bold("Entries"))
            for h in entries {
                if let r = h.ref { refs.append(r) }
                let detail = h.detail.map { "  " + $0 } ?? ""
                c.print(String(format: "%3d. ", refs.count) + s.id(Layout.pad(h.id, 5)) + " "
                        + Layout.truncate(h.title, max(10, c.width - 11 - Layout.width(detail))) + s.dim(detail))
            }
        }
        if !members.isEmpty {
            c.print(); c.print(s.bold("Members"))
            for h in members {
                if let r = h.ref { refs.append(r) }
                c.print(String(format: "%3d. ", refs.count) + s.member(h.id) + "  " + h.title)
            }
        }
        ctx.lastRefs = refs
    }

    // MARK: - Help

    static func help(_ topic: String, ctx: ShellContext) {
        let c = ctx.console, s = c.styler
        let t = topic.trimmingCharacters(in: .whitespaces).lowercased()
        if t.isEmpty {
            c.print(s.bold("Commands") + s.dim("  (help COMMAND for more; help WORDS searches the help)"))
            for cmd in CommandTable.all {
                let names = CommandTable.names(of: cmd)
                c.print("  " + s.id(Layout.pad(names[0], 10)) + " " + Layout.truncate(cmd.configuration.abstract, c.width - 13))
            }
            c.print()
            c.print(Layout.wrap("A line that does not start with a command searches: " + s.bold("onboarding checklist") + " is "
                                + s.bold("find onboarding checklist") + ".", width: c.width))
            c.print(Layout.wrap("A number shows that result of the last list: " + s.bold("2") + " is " + s.bold("show 2") + "; so does an id or a handle: "
                                + s.bold("r12") + " is " + s.bold("show r12") + ".", width: c.width))
            return
        }
        if let cmd = CommandTable.command(named: t) ?? CommandTable.all.first(where: { CommandTable.name(of: $0).hasPrefix(t) }) {
            var text = cmd.helpMessage(columns: c.width)
            text = text.replacingOccurrences(of: "USAGE: \(CommandTable.name(of: cmd))", with: "USAGE: \(CommandTable.name(of: cmd))")
            // The parser does not wrap its usage line: wrap it on words, under its first word.
            text = text.components(separatedBy: "\n").map { line in
                guard line.hasPrefix("USAGE: "), Layout.width(line) > c.width else { return line }
                let pad = String(repeating: " ", count: 7)
                return "USAGE: " + Layout.wrap(String(line.dropFirst(7)), width: c.width, indent: pad).dropFirst(7)
            }.joined(separator: "\n")
            let aliases = cmd.configuration.aliases
            if !aliases.isEmpty { text += "\nALIASES: " + aliases.joined(separator: ", ") + "\n" }
            c.out += text.hasSuffix("\n") ? text : text + "\n"
            return
        }
        let words = t.split(separator: " ").map(String.init)
        let hits = CommandTable.all.filter { cmd in
            let hay = (CommandTable.names(of: cmd).joined(separator: " ") + " " + cmd.configuration.abstract + " " + cmd.configuration.discussion).lowercased()
            return words.allSatisfy { hay.contains($0) }
        }
        if hits.isEmpty {
            c.error("no help for '\(topic)'; `help` lists the commands")
            return
        }
        c.print("Commands about '\(topic)':")
        for cmd in hits { c.print("  " + s.id(Layout.pad(CommandTable.name(of: cmd), 10)) + " " + Layout.truncate(cmd.configuration.abstract, c.width - 13)) }
    }
}

/// Markdown bodies drawn for a terminal: headings and **bold** in bold (plain without colour),
/// `* ` items as `- `, `[text](url)` as `text <url>`. Everything else is left as written.
enum MarkdownText {
    static func terminal(_ text: String, _ s: Styler) -> String {
        text.components(separatedBy: "\n").map { line -> String in
            var l = line
            let lead = l.prefix { $0 == " " }
            let body = l.dropFirst(lead.count)
            if body.hasPrefix("#") {
                let hashes = body.prefix { $0 == "#" }
                if hashes.count <= 6, body.dropFirst(hashes.count).hasPrefix(" ") {
                    return String(lead) + s.bold(inline(String(body.dropFirst(hashes.count + 1)), s))
                }
            }
            if body.hasPrefix("* ") { l = String(lead) + "- " + body.dropFirst(2) }
            return inline(l, s)
        }.joined(separator: "\n")
    }

    static func inline(_ line: String, _ s: Styler) -> String {
        var out = line.replacingOccurrences(of: #"\[([^\]\n]+)\]\((\S+?)\)"#, with: "$1 <$2>", options: .regularExpression)
        for mark in ["**", "__"] {
            var parts = out.components(separatedBy: mark)
            guard parts.count >= 3 else { continue }
            // Pairs of marks: every odd piece was between them; an unpaired last mark stays.
            let paired = parts.count % 2 == 1 ? parts.count : parts.count - 1
            for i in stride(from: 1, to: paired, by: 2) { parts[i] = s.bold(parts[i]) }
            out = parts[..<paired].joined() + (paired < parts.count ? mark + parts[paired...].joined(separator: mark) : "")
        }
        return out
    }
}
