import ArgumentParser
import Foundation
import KnowHowCore

// Contribute and curate: add, edit, tag, tags, merge, duplicates, verify, retire, review, history, undo.
// The store checks every change against the acting member's role and records it; these commands
// ask, preview, confirm and report.

/// The person chose "cancel" (or ended input) at a prompt: nothing is changed, and that is no error.
struct PromptCancelled: Error {}

extension ShellContext {
    /// Asks a question through the prompter, showing what the command printed so far first.
    func ask(_ question: String, choices: [String] = []) throws -> String {
        guard let p = prompter else { throw PromptCancelled() }
        flushForPrompt()
        guard let a = p.ask(question, choices: choices) else { throw PromptCancelled() }
        return a.trimmingCharacters(in: .whitespaces)
    }

    /// Output written so far goes to the terminal before a question (tests keep it in the console);
    /// in the shell as after a command, through the pager when long.
    func flushForPrompt() {
        guard prompter is TerminalPrompter else { return }
        if onTerminal { showOnTerminal() } else { console.flush() }
    }

    /// Yes when `yes` was given or the person says so; in scripts, an error naming the flag.
    func confirm(_ question: String, doing: String, yes: Bool) throws -> Bool {
        if yes { return true }
        guard prompter != nil else {
            throw KnowHowError.unsupported("\(doing) asks for confirmation; add --yes to go ahead without being asked")
        }
        let a = try ask(question + " [y/N] ", choices: ["yes", "no"]).lowercased()
        return a == "y" || a == "yes"
    }

    /// An entry id (or result number) of one of the given types.
    func entryID(_ text: String, types: [EntryType], field: String) throws -> EntryID {
        guard case .entry(let id)? = try resolve(text), types.contains(id.type) else {
            let examples = types.compactMap { [EntryType.resource: "r12", .practice: "p3", .question: "q7", .answer: "a40", .meeting: "m4"][$0] }
            throw KnowHowError.invalidValue(field: field, value: text, expected: "an id such as " + examples.joined(separator: " or "))
        }
        return id
    }

    /// The kept version of an edit that could not be saved: $XDG_STATE_HOME/knowhow/edits/ID-TIME.md.
    func keepEdit(_ text: String, for ref: String) -> String? {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        let dir = base + "/knowhow/edits"
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        let path = dir + "/" + ref.replacingOccurrences(of: "@", with: "") + "-" + f.string(from: Date()) + ".md"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        } catch {
            return nil
        }
    }
}

/// Splits `@a, @b @c` into words.
func listWords(_ text: String) -> [String] {
    text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
}

/// Splits `social care, onboarding` at commas only: a tag may be typed with spaces.
func commaList(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

// MARK: - add

public struct AddCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a resource, practice or member: asks field by field, and shows similar entries before saving.",
        discussion: """
        At the prompt each field is asked in turn (Enter skips an optional one; long text opens $EDITOR).
        Scripts give fields as options: add resource --title "Onboarding checklist" --url https://… --kind template \
        --tag onboarding --summary "…".
        Before saving, entries with the same address or a close title are \
        listed; at the prompt you can save anyway, open one, or cancel; in scripts, add --force to save anyway.
        Members: add member @kim --name "Kim Lee" --email kim@example.org --skill facilitation:expert.
        A new store's first member becomes its curator. Adding resources and practices needs the \
        contributor role; adding members, the curator role.
        """)
    public static let arguments: [ArgumentKind] = [.listType, .nothing]

    @Argument(help: "resource, practice or member.") public var what: String
    @Argument(help: "A new member's @handle.") public var handle: String?
    @Option(help: "The title (a member's name: --name).") public var title: String?
    @Option(help: "A resource's web address (http or https).") public var url: String?
    @Option(help: "A resource's kind: \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", ")).") public var kind: String?
    @Option(help: "A short summary.") public var summary: String?
    @Option(help: "A resource's details (Markdown).") public var body: String?
    @Option(name: .customLong("tag"), help: "A tag (repeat for more).") public var tags: [String] = []
    @Option(name: .customLong("author"), help: "A resource's author, @handle (repeat for more).") public var authors: [String] = []
    @Option(help: "A practice's context: where and when it applies.") public var context: String?
    @Option(help: "A practice: what to do.") public var practice: String?
    @Option(help: "A practice's evidence: why we think it works.") public var evidence: String?
    @Option(help: "A member's name.") public var name: String?
    @Option(help: "A member's email.") public var email: String?
    @Option(help: "A member's organisation.") public var organisation: String?
    @Option(help: "A member's sector.") public var sector: String?
    @Option(help: "A member's location.") public var location: String?
    @Option(help: "About a member.") public var bio: String?
    @Option(help: "A member's role: member, contributor or curator.") public var role: String?
    @Option(name: .customLong("skill"), help: "A member's skill as tag:level (learning, practising, expert).") public var skills: [String] = []
    @Option(name: .customLong("interest"), help: "A tag a member wants to learn about.") public var interests: [String] = []
    @Flag(help: "Save even when similar entries exist.") public var force = false

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        guard let type = EntryType(word: what), [.resource, .practice, .member].contains(type) else {
            throw KnowHowError.invalidValue(field: "thing to add", value: what, expected: "resource, practice or member")
        }
        // A first member starts a new store, made only as they are saved: a form cancelled half-way
        // leaves no store behind (it is empty meanwhile: nothing to check the member against).
        var noStoreYet = false
        if type == .member {
            do { _ = try ctx.store.counts() } catch KnowHowError.noStore(let path) {
                noStoreYet = true
                // Before the first question, not after the whole form.
                try NewStorePath.check(path)
            }
        }
        // Say which role is needed before asking for anything.
        if !noStoreYet { try ctx.community.authorize(.add(type), on: nil, as: ctx.actor) }
        do {
            switch type {
            case .resource: try addResource(ctx)
            case .practice: try addPractice(ctx)
            default: try addMember(ctx, noStoreYet: noStoreYet)
            }
        } catch is PromptCancelled {
            ctx.console.print("cancelled; nothing was saved")
        }
        return .ok
    }

    /// A field's value: the option when given (validated), else asked at the prompt until valid.
    /// The prompt is the short label; a `hint` goes on its own line above it, so that no prompt
    /// wraps in an 80-column terminal.
    func field(_ ctx: ShellContext, _ label: String, option: String?, flag: String, required: Bool = false,
               hint: String = "", skip: String = "Enter to skip", choices: [String] = [],
               validate: (String) throws -> String = { $0 }) throws -> String? {
        if let option {
            guard let v = Validation.text(option) else {
                if required { throw KnowHowError.missingField("\(label) (\(flag))") }
                return nil
            }
            return try validate(v)
        }
        guard ctx.prompter != nil else {
            if required { throw KnowHowError.missingField("\(label) (\(flag))") }
            return nil
        }
        if !hint.isEmpty {
            ctx.console.print(ctx.styler.dim(Layout.wrap(hint, width: ctx.console.width - 1, indent: "  ")))
        }
        while true {
            let a = try ctx.ask(label + (required ? "" : " (\(skip))") + ": ", choices: choices)
            if a.isEmpty {
                if required { ctx.console.error("\(label) is required (or end input to cancel)"); continue }
                return nil
            }
            do { return try validate(a) } catch let e as KnowHowError {
                ctx.console.error(e.description)
            }
        }
    }

    /// Long text: the option, else $EDITOR when the person asks for it at the prompt.
    func longText(_ ctx: ShellContext, _ label: String, option: String?, heading: String) throws -> String? {
        if option != nil || ctx.prompter == nil { return Validation.text(option) }
        ctx.console.print(ctx.styler.dim("  type it, or press Enter to write it in $EDITOR, or - to skip"))
        let a = try ctx.ask("\(label): ")
        if a == "-" { return nil }
        if !a.isEmpty { return a }
        ctx.flushForPrompt()
        let text = try ctx.prompter!.edit("<!-- \(heading): write below; lines in comments are ignored -->\n\n", fileExtension: "md")
        return Validation.text(text.replacingOccurrences(of: #"<!--[\s\S]*?-->"#, with: "", options: .regularExpression))
    }

    /// The tags: the --tag options, or asked. Asked, a new tag that looks like one the store has is
    /// named as soon as it is typed (as `tag` names it), and the tags are asked again: Enter keeps them.
    func tagList(_ ctx: ShellContext) throws -> [String] {
        if !tagsAsked(ctx) { return try tags.flatMap(commaList).map(Validation.tag) }
        let known = ((try? ctx.store.tagNames(startingWith: "", limit: 500)) ?? []).map(\.name)
        var answer: [String] = [], named: Set<String> = []
        var hint = "comma-separated; Tab completes", skip = "Enter to skip"
        while true {
            let text = try field(ctx, "tags", option: nil, flag: "--tag", hint: hint, skip: skip, choices: known) { t in
                try commaList(t).map(Validation.tag).joined(separator: ",")
            }
            guard let text else { return answer }
            answer = text.split(separator: ",").map(String.init)
            let misses = TagCommand.nearMissTags(answer, ctx: ctx).filter { !named.contains($0.tag) }
            if misses.isEmpty { return answer }
            for (tag, meant) in misses { ctx.console.print(ctx.styler.dim(TagCommand.nearMissNote(tag, meant))) }
            named.formUnion(misses.map(\.tag))
            hint = "type the tags again to change them"; skip = "Enter to keep them"
        }
    }

    /// Whether the tags are asked at the prompt (and so checked as they are typed), not given as options.
    func tagsAsked(_ ctx: ShellContext) -> Bool { tags.isEmpty && ctx.prompter != nil }

    /// At the prompt, as soon as a title (or a summary) is typed: lists existing entries like the
    /// draft that were not listed before, so nobody types a whole entry to learn it exists.
    /// Returns when the person goes on; `shown` collects what they have seen.
    func showSimilarEarly(_ ctx: ShellContext, _ draft: Draft, shown: inout Set<EntryRef>) throws {
        guard ctx.prompter != nil, !force else { return }
        let already = shown
        let similar = try ctx.community.similar(to: draft, limit: 5).filter { !already.contains($0.ref) }
        guard !similar.isEmpty else { return }
        listSimilar(ctx, similar)
        shown.formUnion(similar.map(\.ref))
        while true {
            let a = try ctx.ask("Enter to go on, open \(Layout.numbers(similar.count)), or [c]ancel? ", choices: ["cancel"]).lowercased()
            if a.isEmpty || a == "g" || a == "go" { return }
            if let n = Int(a), (1...similar.count).contains(n) {
                try Render.show(similar[n - 1].ref, ctx: ctx, json: false)
                ctx.lastRefs = similar.map(\.ref)
                continue
            }
            if a == "c" || a == "cancel" || a == "q" || a == "n" || a == "no" { throw PromptCancelled() }
        }
    }

    func listSimilar(_ ctx: ShellContext, _ similar: [SimilarEntry]) {
        let c = ctx.console, s = c.styler
        c.print(s.bold(similar.count == 1 ? "A similar entry already exists:" : "Similar entries already exist:"))
        let idWidth = similar.map { $0.ref.description.count }.max() ?? 3
        for (i, e) in similar.enumerated() {
            let why = "  (" + e.why + ")"
            c.print(String(format: "%2d. ", i + 1) + s.id(Layout.pad(e.ref.description, idWidth)) + " "
                    + Layout.truncate(e.title, max(10, c.width - idWidth - 5 - why.count)) + s.dim(why))
        }
        ctx.lastRefs = similar.map(\.ref)
    }

    /// Lists existing entries like the draft, leaving out those the person was already shown and
    /// went on from; returns normally when the person (or --force) says save.
    func checkSimilar(_ ctx: ShellContext, _ draft: Draft, shown: Set<EntryRef> = []) throws {
        let similar = try ctx.community.similar(to: draft, limit: 5).filter { !shown.contains($0.ref) }
        guard !similar.isEmpty, !force else { return }
        listSimilar(ctx, similar)
        guard ctx.prompter != nil else {
            throw KnowHowError.conflict("not added: \(similar.count == 1 ? "it looks like the entry" : "it looks like entries") listed above; "
                                        + "reuse \(similar.count == 1 ? "it" : "one") (`show 1`), or add --force to save anyway")
        }
        while true {
            let a = try ctx.ask("[s]ave anyway, open \(Layout.numbers(similar.count)), or [c]ancel? ", choices: ["save", "cancel"]).lowercased()
            if a == "s" || a == "save" { return }
            if let n = Int(a), (1...similar.count).contains(n) {
                try Render.show(similar[n - 1].ref, ctx: ctx, json: false)
                ctx.lastRefs = similar.map(\.ref)
                continue
            }
            if a.isEmpty || a == "c" || a == "cancel" || a == "n" || a == "no" { throw PromptCancelled() }
        }
    }

    func addResource(_ ctx: ShellContext) throws {
        let me = ctx.actor
        var shown: Set<EntryRef> = []
        let title = try field(ctx, "title", option: title, flag: "--title", required: true)!
        try showSimilarEarly(ctx, Draft(type: .resource, title: title), shown: &shown)
        let url = try field(ctx, "url", option: url, flag: "--url", validate: Validation.url)
        let summary = try field(ctx, "summary", option: summary, flag: "--summary")
        if url != nil || summary != nil {
            try showSimilarEarly(ctx, Draft(type: .resource, title: title, summary: summary, url: url), shown: &shown)
        }
        let kinds = ResourceKind.allCases.map(\.rawValue)
        // Asked, Enter takes the kind the title names ("… template"); a script without --kind adds `other`.
        let offered = ctx.prompter == nil ? .other : ResourceKind.named(in: title) ?? .other
        let kind = try field(ctx, "kind", option: kind, flag: "--kind", hint: "one of " + kinds.joined(separator: ", "),
                             skip: "Enter for \(offered.rawValue)", choices: kinds) { k in
            guard let v = ResourceKind(rawValue: k.lowercased()) else {
                throw KnowHowError.invalidValue(field: "kind", value: k, expected: kinds.joined(separator: ", "))
            }
            return v.rawValue
        }
        let tags = try tagList(ctx)
        try checkSimilar(ctx, Draft(type: .resource, title: title, summary: summary, url: url, tags: tags), shown: shown)
        let body = try longText(ctx, "details", option: body, heading: "Details")
        let authors = try self.authors.flatMap(listWords).map(Validation.handle)
        let notes = TagCommand.nearMisses(tagsAsked(ctx) ? [] : tags, ctx: ctx)
        let id = try ctx.community.add(Resource(title: title, url: url, kind: kind.flatMap(ResourceKind.init) ?? offered, summary: summary,
                                            body: body, tags: tags, contributor: me, authors: authors), as: ctx.actor)
        ctx.lastRefs = [.entry(id)]
        ctx.console.print("added \(ctx.styler.id(id.description)): \(title)")
        for note in notes(id) { ctx.console.note(ctx.styler.dim(note)) }
    }

    func addPractice(_ ctx: ShellContext) throws {
        var shown: Set<EntryRef> = []
        let title = try field(ctx, "title", option: title, flag: "--title", required: true)!
        try showSimilarEarly(ctx, Draft(type: .practice, title: title), shown: &shown)
        let context = try field(ctx, "context", option: context, flag: "--context", hint: "where and when it applies")
        if context != nil { try showSimilarEarly(ctx, Draft(type: .practice, title: title, summary: context), shown: &shown) }
        let tags = try tagList(ctx)
        try checkSimilar(ctx, Draft(type: .practice, title: title, summary: context, tags: tags), shown: shown)
        let practice = try longText(ctx, "the practice (what to do)", option: practice, heading: "Practice")
        let evidence = try longText(ctx, "evidence (why we think it works)", option: evidence, heading: "Evidence")
        let notes = TagCommand.nearMisses(tagsAsked(ctx) ? [] : tags, ctx: ctx)
        let id = try ctx.community.add(Practice(title: title, context: context, practice: practice, evidence: evidence,
                                            tags: tags, contributor: ctx.actor), as: ctx.actor)
        ctx.lastRefs = [.entry(id)]
        ctx.console.print("added \(ctx.styler.id(id.description)): \(title) (proposed; a curator or an expert can `verify \(id)`)")
        for note in notes(id) { ctx.console.note(ctx.styler.dim(note)) }
    }

    func addMember(_ ctx: ShellContext, noStoreYet: Bool = false) throws {
        let handle = try field(ctx, "handle", option: self.handle, flag: "@handle", required: true, validate: Validation.handle)!
        let name = try field(ctx, "name", option: name ?? title, flag: "--name", required: true)!
        let email = try field(ctx, "email", option: email, flag: "--email", validate: Validation.email)
        if !noStoreYet { try checkSimilar(ctx, Draft(type: .member, title: name, email: email)) }
        let organisation = try field(ctx, "organisation", option: organisation, flag: "--organisation")
        let sector = try field(ctx, "sector", option: sector, flag: "--sector")
        let location = try field(ctx, "location", option: location, flag: "--location")
        let levels = SkillLevel.allCases.map(\.rawValue)
        func parseSkills(_ words: [String]) throws -> [Skill] {
            try words.map { w in
                let parts = w.split(separator: ":", maxSplits: 1).map(String.init)
                let level = parts.count == 2 ? SkillLevel(rawValue: parts[1].lowercased()) : .practising
                guard let level else {
                    throw KnowHowError.invalidValue(field: "skill level", value: parts[1], expected: levels.joined(separator: ", "))
                }
                return Skill(tag: try Validation.tag(parts[0]), level: level)
            }
        }
        var skills = try parseSkills(self.skills.flatMap(commaList))
        if self.skills.isEmpty, ctx.prompter != nil {
            let text = try field(ctx, "skills", option: nil, flag: "--skill", hint: "tag:level, comma-separated; levels: \(levels.joined(separator: ", "))") { t in
                _ = try parseSkills(commaList(t)); return t
            }
            skills = try parseSkills(text.map(commaList) ?? [])
        }
        // The first member of a store is its curator whatever is asked (Role.onJoining), so the
        // guided form does not ask them for a role it would not keep.
        let firstMember = try noStoreYet || ctx.store.counts().members == 0
        let role = firstMember && self.role == nil ? nil : try field(ctx, "role", option: role, flag: "--role", hint: "member, contributor or curator",
                             skip: "Enter for member", choices: Role.allCases.map(\.rawValue)) { r in
            guard let v = Role(rawValue: r.lowercased()) else {
                throw KnowHowError.invalidValue(field: "role", value: r, expected: "member, contributor or curator")
            }
            return v.rawValue
        }
        if noStoreYet { try ctx.store.create() }
        let m = try ctx.community.add(Member(handle: handle, name: name, email: email, organisation: organisation, sector: sector,
                                         location: location, bio: Validation.text(bio), role: role.flatMap(Role.init) ?? .member,
                                         joined: ctx.today, skills: skills, interests: try interests.flatMap(commaList).map(Validation.tag)), as: ctx.actor)
        ctx.lastRefs = [.member(m.handle)]
        ctx.console.print("added \(ctx.styler.member("@" + m.handle)) (\(m.name)), \(m.role.rawValue)")
        if firstMember && ctx.interactive {
            // Whoever sets up a store is its first member: the shell acts as them from now on.
            ctx.actor = m.handle
            ctx.actorSource = "add member, as the store's first member"
            ctx.console.print("@\(m.handle) is the store's first member, so its curator; you are acting as @\(m.handle) now")
        } else if firstMember {
            ctx.console.print("@\(m.handle) is the store's first member, so its curator; act as them with --as @\(m.handle) or KNOWHOW_USER=\(m.handle)")
        }
    }
}

// MARK: - edit

public struct EditCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit a resource, practice or member in $EDITOR (or with options) and save what changed.",
        discussion: """
        Without options, the entry opens in $EDITOR as a form: `key: value` lines and ## sections.
        Options change fields directly: edit r12 --title "…" --kind template · edit @kim --sector health.
        If someone else changes the entry while you edit, nothing is saved: you are told what changed, \
        and your version is kept in a file. Contributors edit their own resources and practices, every \
        member their own profile; curators edit anything (and roles: edit @sam --role contributor).
        """)
    public static let arguments: [ArgumentKind] = [.reference]

    @Argument(help: "r12, p3 or @handle.") public var reference: String
    @Option public var title: String?
    @Option public var url: String?
    @Option public var kind: String?
    @Option public var summary: String?
    @Option(help: "A resource's details.") public var body: String?
    @Option(help: "A resource's status: active or archived.") public var status: String?
    @Option public var context: String?
    @Option public var practice: String?
    @Option public var evidence: String?
    @Option(name: .customLong("review-by"), help: "A practice's review date, YYYY-MM-DD.") public var reviewBy: String?
    @Option public var name: String?
    @Option public var email: String?
    @Option public var organisation: String?
    @Option public var sector: String?
    @Option public var location: String?
    @Option(name: .customLong("time-zone")) public var timeZone: String?
    @Option public var bio: String?
    @Option public var role: String?
    @Option(name: .customLong("open-to-questions"), help: "yes or no.") public var openToQuestions: String?
    @Option(help: "yes or no.") public var mentoring: String?

    public init() {}

    var options: [String: String] {
        var o: [String: String] = [:]
        let all: [(String, String?)] = [
            ("title", title), ("url", url), ("kind", kind), ("summary", summary), ("details", body), ("status", status),
            ("context", context), ("practice", practice), ("evidence", evidence), ("review-by", reviewBy),
            ("name", name), ("email", email), ("organisation", organisation), ("sector", sector), ("location", location),
            ("time-zone", timeZone), ("about", bio), ("role", role), ("open-to-questions", openToQuestions), ("mentoring", mentoring),
        ]
        for (k, v) in all { if let v { o[k] = v } }
        return o
    }

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        guard let ref = try ctx.resolve(reference) else { throw KnowHowError.unknownReference(reference) }
        switch ref {
        case .entry(let id) where id.type == .resource:
            let original = try ctx.store.resource(id)
            try ctx.community.authorize(.editResource, on: .entry(original.id!), as: ctx.actor)
            var notes: (EntryID) -> [String] = { _ in [] }
            try save(ctx, original.id!.description, form: EditForms.resource(original), keys: EditForms.resourceKeys,
                     headings: ["Summary", "Details"]) { form in
                let edited = try EditForms.apply(form, to: original)
                notes = TagCommand.nearMisses(edited.tags, removing: original.tags.filter { !edited.tags.contains($0) }, ctx: ctx)
                return try ctx.community.update(edited, expecting: original, as: ctx.actor)
            }
            for note in notes(id) { ctx.console.note(ctx.styler.dim(note)) }
        case .entry(let id) where id.type == .practice:
            let original = try ctx.store.practice(id)
            try ctx.community.authorize(.editPractice, on: .entry(original.id!), as: ctx.actor)
            var notes: (EntryID) -> [String] = { _ in [] }
            try save(ctx, original.id!.description, form: EditForms.practice(original), keys: EditForms.practiceKeys,
                     headings: ["Context", "Practice", "Evidence"]) { form in
                let edited = try EditForms.apply(form, to: original)
                notes = TagCommand.nearMisses(edited.tags, removing: original.tags.filter { !edited.tags.contains($0) }, ctx: ctx)
                return try ctx.community.update(edited, expecting: original, as: ctx.actor)
            }
            for note in notes(id) { ctx.console.note(ctx.styler.dim(note)) }
        case .member(let h):
            let original = try ctx.store.member(h)
            try ctx.community.authorize(.editMember, on: .member(original.handle), as: ctx.actor)
            try save(ctx, "@" + original.handle, form: EditForms.member(original), keys: EditForms.memberKeys, headings: ["About"]) { form in
                try ctx.community.update(try EditForms.apply(form, to: original), expecting: original, as: ctx.actor)
            }
        case .entry(let id) where id.type == .meeting:
            throw KnowHowError.unsupported("a meeting changes with `meeting edit \(id) --title …` (see `help meeting`), its notes with `meeting notes \(id)`")
        default:
            throw KnowHowError.unsupported("only resources, practices and members can be edited; tags of a question change with `tag \(ref) +TAG`")
        }
        return .ok
    }

    /// Changes the form by the options, or in $EDITOR; saves; keeps the text in a file when it cannot be saved.
    func save(_ ctx: ShellContext, _ label: String, form: EditForm, keys: [String], headings: [String],
              _ write: (EditForm) throws -> [String]) throws {
        var edited = form
        var text: String?
        if !options.isEmpty {
            for (k, v) in options.sorted(by: { $0.key < $1.key }) {
                if let i = edited.fields.firstIndex(where: { $0.key == k }) { edited.fields[i].value = v }
                else if let i = edited.sections.firstIndex(where: { $0.heading.lowercased() == k }) { edited.sections[i].text = v }
                else { throw KnowHowError.unsupported("--\(k == "details" ? "body" : k) does not apply to \(label)") }
            }
        } else {
            guard let p = ctx.prompter else {
                throw KnowHowError.unsupported("edit needs a terminal for $EDITOR, or options such as --title in scripts")
            }
            let header = ["Editing \(label). Change values, save and close the editor; lines starting with # are ignored.",
                          "An empty value clears the field. Close without saving changes to leave \(label) as it is."]
            ctx.flushForPrompt()
            let t = try p.edit(form.render(header: header), fileExtension: "md")
            text = t
            do {
                edited = try EditForm.parse(t, keys: keys, headings: headings)
            } catch let e as KnowHowError {
                throw KnowHowError.unsupported(e.description + "; nothing was saved"
                                               + (ctx.keepEdit(t, for: label).map { ". Your text is kept in \($0)" } ?? ""))
            }
        }
        do {
            let changed = try write(edited)
            ctx.console.print(changed.isEmpty ? "no changes to \(label)" : "saved \(label): " + changed.joined(separator: ", "))
        } catch KnowHowError.staleEdit(let entry, let fields, _) {
            let kept = ctx.keepEdit(text ?? edited.render(header: ["Your edit of \(label), not saved"]), for: label)
            throw KnowHowError.staleEdit(entry: entry, changed: fields, keptIn: kept)
        } catch let e as KnowHowError where text != nil {
            if case .permissionDenied = e { throw e }
            throw KnowHowError.unsupported(e.description + "; nothing was saved"
                                           + (ctx.keepEdit(text!, for: label).map { ". Your text is kept in \($0)" } ?? ""))
        }
    }
}

/// The readable forms `edit` opens, and how each is read back.
enum EditForms {
    static let resourceKeys = ["title", "url", "kind", "tags", "authors", "status"]
    static let practiceKeys = ["title", "tags", "review-by"]
    static let memberKeys = ["name", "email", "organisation", "sector", "location", "time-zone", "open-to-questions",
                             "mentoring", "skills", "interests", "role"]

    static func resource(_ r: Resource) -> EditForm {
        EditForm(fields: [("title", r.title), ("url", r.url ?? ""), ("kind", r.kind.rawValue), ("tags", r.tags.joined(separator: ", ")),
                          ("authors", r.authors.map { "@" + $0 }.joined(separator: ", ")), ("status", r.status.rawValue)],
                 sections: [("Summary", r.summary ?? ""), ("Details", r.body ?? "")])
    }

    static func practice(_ p: Practice) -> EditForm {
        EditForm(fields: [("title", p.title), ("tags", p.tags.joined(separator: ", ")), ("review-by", p.reviewBy?.description ?? "")],
                 sections: [("Context", p.context ?? ""), ("Practice", p.practice ?? ""), ("Evidence", p.evidence ?? "")])
    }

    static func member(_ m: Member) -> EditForm {
        EditForm(fields: [("name", m.name), ("email", m.email ?? ""), ("organisation", m.organisation ?? ""), ("sector", m.sector ?? ""),
                          ("location", m.location ?? ""), ("time-zone", m.timeZone ?? ""),
                          ("open-to-questions", m.openToQuestions ? "yes" : "no"), ("mentoring", m.mentoring ? "yes" : "no"),
                          ("skills", m.skills.map { "\($0.tag):\($0.level.rawValue)" }.joined(separator: ", ")),
                          ("interests", m.interests.joined(separator: ", ")), ("role", m.role.rawValue)],
                 sections: [("About", m.bio ?? "")])
    }

    static func value(_ f: EditForm, _ key: String) -> String? { f.value(key).flatMap { Validation.text($0) } }
    static func section(_ f: EditForm, _ heading: String) -> String? { f.section(heading).flatMap { Validation.text($0) } }

    static func yesNo(_ text: String?, field: String, current: Bool) throws -> Bool {
        guard let t = text?.lowercased() else { return current }
        switch t {
        case "yes", "y", "true", "on": return true
        case "no", "n", "false", "off": return false
        default: throw KnowHowError.invalidValue(field: field, value: t, expected: "yes or no")
        }
    }

    static func apply(_ f: EditForm, to r: Resource) throws -> Resource {
        var e = r
        if f.value("title") != nil { e.title = value(f, "title") ?? "" }
        if f.value("url") != nil { e.url = try value(f, "url").map(Validation.url) }
        if let k = value(f, "kind") {
            guard let kind = ResourceKind(rawValue: k.lowercased()) else {
                throw KnowHowError.invalidValue(field: "kind", value: k, expected: ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            e.kind = kind
        }
        if let t = f.value("tags") { e.tags = try commaList(t).map(Validation.tag) }
        if let a = f.value("authors") { e.authors = try listWords(a).map(Validation.handle) }
        if let s = value(f, "status") {
            guard let st = ResourceStatus(rawValue: s.lowercased()) else {
                throw KnowHowError.invalidValue(field: "status", value: s, expected: "active or archived")
            }
            e.status = st
        }
        if f.section("Summary") != nil { e.summary = section(f, "Summary") }
        if f.section("Details") != nil { e.body = section(f, "Details") }
        return e
    }

    static func apply(_ f: EditForm, to p: Practice) throws -> Practice {
        var e = p
        if f.value("title") != nil { e.title = value(f, "title") ?? "" }
        if let t = f.value("tags") { e.tags = try commaList(t).map(Validation.tag) }
        if f.value("review-by") != nil {
            e.reviewBy = try value(f, "review-by").map { d in
                guard let day = Day(d) else { throw KnowHowError.invalidValue(field: "review date", value: d, expected: "a date such as 2026-03-14") }
                return day
            }
        }
        if f.section("Context") != nil { e.context = section(f, "Context") }
        if f.section("Practice") != nil { e.practice = section(f, "Practice") }
        if f.section("Evidence") != nil { e.evidence = section(f, "Evidence") }
        return e
    }

    static func apply(_ f: EditForm, to m: Member) throws -> Member {
        var e = m
        if f.value("name") != nil { e.name = value(f, "name") ?? "" }
        if f.value("email") != nil { e.email = try value(f, "email").map(Validation.email) }
        if f.value("organisation") != nil { e.organisation = value(f, "organisation") }
        if f.value("sector") != nil { e.sector = value(f, "sector") }
        if f.value("location") != nil { e.location = value(f, "location") }
        if f.value("time-zone") != nil { e.timeZone = value(f, "time-zone") }
        e.openToQuestions = try yesNo(value(f, "open-to-questions"), field: "open-to-questions", current: m.openToQuestions)
        e.mentoring = try yesNo(value(f, "mentoring"), field: "mentoring", current: m.mentoring)
        if let s = f.value("skills") {
            e.skills = try commaList(s).map { w in
                let parts = w.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, let level = SkillLevel(rawValue: parts[1].lowercased()) else {
                    throw KnowHowError.invalidValue(field: "skill", value: w, expected: "tag:level, with level learning, practising or expert")
                }
                return Skill(tag: try Validation.tag(parts[0]), level: level)
            }
        }
        if let i = f.value("interests") { e.interests = try commaList(i).map(Validation.tag) }
        if let r = value(f, "role") {
            guard let role = Role(rawValue: r.lowercased()) else {
                throw KnowHowError.invalidValue(field: "role", value: r, expected: "member, contributor or curator")
            }
            e.role = role
        }
        if f.section("About") != nil { e.bio = section(f, "About") }
        return e
    }
}

// MARK: - tags

public struct TagCommand: ShellCommand {
    public static let collectsWords = true
    public static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Tag an entry (tag r12 +onboarding -draft), or rename, merge, alias and describe tags.",
        discussion: """
        tag ID +a -b: add and remove tags of a resource, practice or question (a bare word adds).
        tag rename OLD NEW: rename a tag everywhere.
        tag merge FROM INTO: move every use of FROM to INTO; FROM becomes an alias of INTO (previewed; --yes).
        tag alias TAG +x -y: add and remove aliases (searching or filtering by an alias finds the tag).
        tag describe TAG TEXT: say what a tag is for.
        Tagging follows the edit rules; renaming, merging, aliases and descriptions are for curators.
        """)
    public static let arguments: [ArgumentKind] = [.reference, .reference]

    @Flag(help: "Merge without asking.") public var yes = false
    @Argument(parsing: .allUnrecognized, help: "ID +tag -tag, or rename|merge|alias|describe and their words.")
    public var words: [String] = []

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        guard let first = words.first else {
            throw KnowHowError.missingField("what to tag (tag r12 +onboarding), or rename, merge, alias or describe")
        }
        let rest = Array(words.dropFirst())
        let c = ctx.console, s = c.styler
        switch first.lowercased() {
        case "rename":
            guard rest.count == 2 else { throw KnowHowError.missingField("the old and the new name (tag rename OLD NEW)") }
            try ctx.community.renameTag(rest[0], to: rest[1], as: ctx.actor)
            c.print("renamed tag \(s.tag(try Validation.tag(rest[0]))) to \(s.tag(try Validation.tag(rest[1])))")
        case "merge":
            guard rest.count == 2 else { throw KnowHowError.missingField("the tag to merge and the one it goes into (tag merge FROM INTO)") }
            let plan = try ctx.community.tagMergePlan(rest[0], into: rest[1])
            let aliases = plan.aliases.isEmpty ? "" : " (with its alias\(plan.aliases.count == 1 ? "" : "es") \(plan.aliases.joined(separator: ", ")))"
            c.print("Merging tag \(s.tag(plan.from)) into \(s.tag(plan.into)) moves \(plan.entries) \(plan.entries == 1 ? "entry" : "entries") "
                    + "and \(plan.members) \(plan.members == 1 ? "member" : "members")"
                    + (plan.overlap > 0 ? " (\(plan.overlap) already \(plan.overlap == 1 ? "has" : "have") both)" : "")
                    + "; \(plan.from)\(aliases) becomes an alias of \(plan.into).")
            guard try ctx.confirm("Merge?", doing: "tag merge", yes: yes) else { c.print("cancelled; nothing was changed"); return .ok }
            try ctx.community.mergeTag(rest[0], into: rest[1], as: ctx.actor)
            c.print("merged tag \(s.tag(plan.from)) into \(s.tag(plan.into)); `undo` reverses it")
        case "alias", "aliases":
            guard let tag = rest.first, rest.count >= 2 else { throw KnowHowError.missingField("a tag and its changes (tag alias TAG +x -y)") }
            let (add, remove) = Self.plusMinus(Array(rest.dropFirst()))
            let t = try ctx.community.changeAliases(tag, add: add, remove: remove, as: ctx.actor)
            c.print("\(s.tag(t.name)): aliases " + (t.aliases.isEmpty ? "none" : t.aliases.joined(separator: ", ")))
        case "describe":
            guard let tag = rest.first else { throw KnowHowError.missingField("a tag and its description (tag describe TAG TEXT)") }
            let text = rest.dropFirst().joined(separator: " ")
            try ctx.community.describeTag(tag, text, as: ctx.actor)
            c.print(text.isEmpty ? "removed the description of \(s.tag(try Validation.tag(tag)))" : "described \(s.tag(try Validation.tag(tag)))")
        default:
            let id = try ctx.entryID(first, types: [.resource, .practice, .question, .meeting], field: "entry to tag")
            let (add, remove) = Self.plusMinus(rest)
            guard !add.isEmpty || !remove.isEmpty else { throw KnowHowError.missingField("tags to add or remove (tag \(id) +onboarding -draft)") }
            let notes = Self.nearMisses(add, removing: remove, ctx: ctx)
            let tags = try ctx.community.retag(id, add: add, remove: remove, as: ctx.actor)
            c.print("\(s.id(id.description)) " + (tags.isEmpty ? "has no tags" : tags.map { s.tag("#" + $0) }.joined(separator: " ")))
            for note in notes(id) { c.note(s.dim(note)) }
        }
        return .ok
    }

    /// What to say of tags about to be given to `id` that the store does not know yet and that look
    /// like one it does (`onboard` beside `onboarding`: the same stem, or a typo apart), so that a
    /// slip does not start a second tag unnoticed. Worked out before the write makes them exist.
    /// `removing`: tags the same command takes off, never suggested (`tag r12 -onboarding +onboard`
    /// says what it means). A typo is one edit apart only for tags of four letters or more: among
    /// short tags one edit makes another word (`ux` and `ui`).
    static func nearMisses(_ tags: [String], removing: [String] = [], ctx: ShellContext) -> (EntryID) -> [String] {
        let misses = nearMissTags(tags, removing: removing, ctx: ctx)
        return { id in
            misses.map { tag, meant in nearMissNote(tag, meant) + " `tag \(id) -\(tag) +\(meant)` changes it" }
        }
    }

    /// The tags of `tags` that `nearMisses` names, each with the tag it looks like.
    static func nearMissTags(_ tags: [String], removing: [String] = [], ctx: ShellContext) -> [(tag: String, meant: String)] {
        func isNew(_ tag: String) -> Bool { do { return try ctx.store.resolveTag(tag) == nil } catch { return false } }
        let new = tags.compactMap { try? Validation.tag($0) }.filter(isNew)
        let removed = Set(removing.compactMap { try? Validation.tag($0) })
        guard !new.isEmpty, let all = try? ctx.store.tagNames(startingWith: "", limit: 100_000).map(\.name) else { return [] }
        let known = all.filter { !removed.contains($0) }, long = known.filter { $0.count >= 4 }
        func stem(_ tag: String) -> String { tag.split(separator: "-").map { SearchGaps.stem(String($0)) }.joined(separator: "-") }
        return new.compactMap { tag -> (String, String)? in
            let typo = tag.count >= 4 ? EditDistance.nearest(tag, in: long, max: 1).first : nil
            let meant = known.first { $0 != tag && stem($0) == stem(tag) } ?? typo
            return meant.map { (tag, $0) }
        }
    }

    /// "#onboard is a new tag; did you mean #onboarding?": said by `tag`, `add` and `edit`, and by
    /// the add form as the tags are typed.
    static func nearMissNote(_ tag: String, _ meant: String) -> String {
        "#\(tag) is a new tag; did you mean #\(meant)?"
    }

    /// `+a -b c` → (add: a, c; remove: b)
    static func plusMinus(_ words: [String]) -> (add: [String], remove: [String]) {
        var add: [String] = [], remove: [String] = []
        for w in words {
            if w.hasPrefix("-") { remove.append(String(w.dropFirst())) }
            else if w.hasPrefix("+") { add.append(String(w.dropFirst())) }
            else { add.append(w) }
        }
        return (add, remove)
    }
}

public struct TagsCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tags", abstract: "List tags with how many entries and members use them, and their aliases.",
        discussion: "tags onboard lists the tags whose name, alias or description contains 'onboard'.")
    public static let arguments: [ArgumentKind] = [.nothing]

    @OptionGroup public var output: OutputOptions
    @Argument(help: "Part of a tag's name, alias or description.") public var words: [String] = []

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let text = QueryWords.text(words)
        let tags = try ctx.store.listTags(query: text.isEmpty ? nil : text, limit: output.limit == nil ? 200 : try output.limit(ctx))
        if output.json(ctx) { try ctx.printJSON(tags.map(TagView.init)) } else { Render.tags(tags, ctx: ctx) }
        return tags.isEmpty ? .noResults : .ok
    }
}

// MARK: - merge and duplicates

public struct MergeCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge a duplicate into the entry or member to keep: merge r12 r15 · merge @kim @kim-b.",
        discussion: """
        Shows what will be kept side by side, then moves every reference from DROP to KEEP (tags, authors, \
        contributions, skills keeping the higher level, endorsements, questions, answers, verifications).
        DROP's id keeps working and points to KEEP. Curators only; `undo` reverses a merge exactly.
        """)
    public static let arguments: [ArgumentKind] = [.reference, .reference]

    @Flag(help: "Merge without asking.") public var yes = false
    @Argument(help: "The one to keep.") public var keep: String
    @Argument(help: "The duplicate, merged into KEEP.") public var drop: String

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        guard let k = try ctx.resolve(keep) else { throw KnowHowError.unknownReference(keep) }
        guard let d = try ctx.resolve(drop) else { throw KnowHowError.unknownReference(drop) }
        try ctx.community.authorize(.merge, on: nil, as: ctx.actor)
        let plan = try ctx.community.mergePlan(keep: k, drop: d)
        Self.render(plan, ctx: ctx)
        guard try ctx.confirm("Merge \(d) into \(k)?", doing: "merge", yes: yes) else {
            ctx.console.print("cancelled; nothing was changed"); return .ok
        }
        try ctx.community.merge(keep: k, drop: d, as: ctx.actor)
        ctx.lastRefs = [k]
        ctx.console.print("merged \(d) into \(k); \(d) now points to \(k), and `undo` reverses the merge")
        return .ok
    }

    /// The side-by-side preview: a row a field with both values, and which one the merge keeps
    /// (`keep`, `drop` when KEEP's is empty, `both` for lists that are joined).
    static func render(_ plan: MergePlan, ctx: ShellContext) {
        let c = ctx.console, s = c.styler
        let label = 13, kept = 6
        let col = max(12, (c.width - label - kept - 4) / 2)
        c.print(s.bold("Merging \(plan.drop) into \(plan.keep)") + s.dim("  (\(plan.drop) will point to \(plan.keep))"))
        c.print(s.dim(Layout.pad("", label) + Layout.pad("keep \(plan.keep)", col) + "  " + Layout.pad("drop \(plan.drop)", col) + "  after"))
        for f in plan.fields {
            // Lists (tags, authors, skills) are joined: say so even when KEEP's was empty.
            let after = f.result == f.keep ? "keep" : (f.union ? s.good("both") : (f.result == f.drop ? s.warn("drop") : s.good("both")))
            c.print(Layout.pad(f.name, label) + Layout.pad(Layout.truncate(f.keep, col), col) + "  "
                    + Layout.pad(Layout.truncate(f.drop, col), col) + "  " + after)
        }
        c.print(s.dim("moves to \(plan.keep): ") + (plan.moves.isEmpty ? "nothing else" : plan.moves.joined(separator: ", ")))
    }
}

public struct DuplicatesCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "List likely duplicates to review: same address, near-identical titles, members with the same email or name.",
        discussion: """
        The strongest matches come first, 20 at a time (--limit N for more). Each pair is shown with the `merge` line \
        that would combine it (the older one is kept). `duplicates --not r3 r9` marks a pair as not duplicates \
        (curators; `undo` reverses it), so it is not listed again.
        """)
    public static let arguments: [ArgumentKind] = [.nothing]

    @OptionGroup public var output: OutputOptions
    @Option(name: .customLong("not"), parsing: .upToNextOption, help: "Mark two entries or members as not duplicates.")
    public var not: [String] = []

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        if !not.isEmpty {
            guard not.count == 2 else {
                throw KnowHowError.invalidValue(field: "pair", value: not.joined(separator: " "), expected: "two ids or handles, such as --not r3 r9")
            }
            guard let a = try ctx.resolve(not[0]) else { throw KnowHowError.unknownReference(not[0]) }
            guard let b = try ctx.resolve(not[1]) else { throw KnowHowError.unknownReference(not[1]) }
            try ctx.community.markNotDuplicates(a, b, as: ctx.actor)
            ctx.console.print("marked \(a) and \(b) as not duplicates; `duplicates` leaves them out, and `undo` reverses it")
            return .ok
        }
        let all = try ctx.community.duplicates(limit: .max)
        let limit = output.limit == nil ? 20 : try output.limit(ctx)
        let pairs = Array(all.prefix(limit))
        if output.json(ctx) {
            struct Pair: Encodable { var keep: String; var drop: String; var why: String }
            try ctx.printJSON(pairs.map { Pair(keep: $0.keep.description, drop: $0.drop.description, why: $0.why) })
            return pairs.isEmpty ? .noResults : .ok
        }
        let c = ctx.console, s = c.styler
        if pairs.isEmpty { c.error("no likely duplicates found"); return .noResults }
        for (i, p) in pairs.enumerated() {
            // What does not fit the width goes on a line of its own; commands are never cut.
            let pair = String(format: "%2d. ", i + 1) + p.keep.description + " and " + p.drop.description
            let header = String(format: "%2d. ", i + 1) + s.id(p.keep.description) + " and " + s.id(p.drop.description)
            if Layout.width(pair + "  " + p.why) <= c.width { c.print(header + s.dim("  " + p.why)) } else { c.print(header); c.print("    " + s.dim(p.why)) }
            c.print("    " + Layout.truncate(p.keepTitle, c.width - 4))
            c.print("    " + Layout.truncate(p.dropTitle, c.width - 4))
            let merge = "merge \(p.keep) \(p.drop)", not = "duplicates --not \(p.keep) \(p.drop)"
            if 4 + Layout.width(merge + "  ·  " + not) <= c.width { c.print("    " + s.dim(merge + "  ·  " + not)) }
            else { c.print("    " + s.dim(merge)); c.print("    " + s.dim(not)) }
        }
        if all.count > pairs.count {
            let more = all.count - pairs.count
            c.print(s.dim("… and \(more) more \(more == 1 ? "pair" : "pairs"); --limit \(all.count) shows them all"))
        }
        ctx.lastRefs = pairs.map(\.keep)
        return .ok
    }
}

// MARK: - verification

public struct VerifyCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Mark a practice verified, with a date to review it by: verify p3 --review-by 2026-06-30.",
        discussion: "Curators may verify any practice; other members, practices in a tag where their skill is expert. The review date defaults to a year on.")
    public static let arguments: [ArgumentKind] = [.reference]

    @Option(name: .customLong("review-by"), help: "When to review it, YYYY-MM-DD.") public var reviewBy: String?
    @Argument(help: "The practice, p3.") public var practice: String

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let id = try ctx.entryID(practice, types: [.practice], field: "practice")
        var day: Day?
        if let r = reviewBy {
            guard let d = Day(r) else { throw KnowHowError.invalidValue(field: "review date", value: r, expected: "a date such as 2026-06-30") }
            day = d
        }
        let p = try ctx.community.verify(id, reviewBy: day, as: ctx.actor)
        ctx.console.print("verified \(ctx.styler.id(p.id!.description)): \(p.title); review by \(p.reviewBy.map(\.description) ?? "–")")
        return .ok
    }
}

public struct RetireCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "retire",
        abstract: "Retire a practice that no longer holds, optionally naming its successor: retire p3 --superseded-by p9.")
    public static let arguments: [ArgumentKind] = [.reference]

    @Option(name: .customLong("superseded-by"), help: "The practice that replaces it.") public var supersededBy: String?
    @Argument(help: "The practice, p3.") public var practice: String

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let id = try ctx.entryID(practice, types: [.practice], field: "practice")
        let next = try supersededBy.map { try ctx.entryID($0, types: [.practice], field: "successor") }
        let p = try ctx.community.retire(id, supersededBy: next, as: ctx.actor)
        ctx.console.print("retired \(ctx.styler.id(p.id!.description)): \(p.title)" + (next.map { "; superseded by \($0)" } ?? ""))
        return .ok
    }
}

public struct ReviewCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "review", abstract: "List practices past their review date or due within 30 days (--days N).")
    public static let arguments: [ArgumentKind] = [.nothing]

    @Option(help: "How many days ahead to look.") public var days = 30
    @Flag(help: "Write JSON for scripts.") public var json = false

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let today = ctx.today
        let due = try ctx.store.dueForReview(within: try bounded(days, "--days", 1...36_500), today: today)
        ctx.lastRefs = due.compactMap { $0.id.map(EntryRef.entry) }
        if json || ctx.settings.json {
            struct Due: Encodable { var id: String; var title: String; var reviewBy: String; var overdue: Bool; var status: String }
            try ctx.printJSON(due.map { Due(id: $0.id!.description, title: $0.title, reviewBy: $0.reviewBy!.description,
                                            overdue: $0.reviewBy! < today, status: $0.status.rawValue) })
            return due.isEmpty ? .noResults : .ok
        }
        let c = ctx.console, s = c.styler
        if due.isEmpty { c.error("no practice is due for review in the next \(Layout.count(days, "day"))"); return .noResults }
        for (i, p) in due.enumerated() {
            let r = p.reviewBy!
            let when = r < today ? s.warn("\(r) overdue") : "\(r)        "
            // Rows are 80 columns at most: who verified it is left to `show` when the title needs the room.
            let lead = 4 + 5 + 18 + 2
            var label = "  " + p.status.rawValue
            if let by = p.verifiedBy, lead + min(Layout.width(p.title), 40) + Layout.width(label) + 5 + by.count <= c.width { label += " by @" + by }
            c.print(String(format: "%2d. ", i + 1) + s.id(Layout.pad(p.id!.description, 4)) + " " + when + "  "
                    + Layout.truncate(p.title, max(10, c.width - lead - Layout.width(label))) + s.dim(label))
        }
        return .ok
    }
}

// MARK: - history and undo

public struct HistoryCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "What changed, newest first: all, for one entry, member or tag (history r12), or one change in full (history #14).",
        discussion: "--by @handle lists one member's changes. Each line: number, when, who, what; undone changes say so.")
    public static let arguments: [ArgumentKind] = [.reference]

    @OptionGroup public var output: OutputOptions
    @Option(help: "Only changes made by this member.") public var by: String?
    @Argument(help: "r12, @handle, a tag, or #N for one change.") public var reference: String?

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let c = ctx.console, s = c.styler
        if let r = reference, let n = Int64(r.hasPrefix("#") ? String(r.dropFirst()) : r) {
            let record = try ctx.community.historyRecord(n)
            if output.json(ctx) { try ctx.printJSON(ChangeView(record, withRows: true)); return .ok }
            Self.line(record, ctx: ctx)
            for d in record.details {
                let mark = d.kind == .created ? "+" : (d.kind == .deleted ? "-" : "~")
                c.print("    \(mark) \(d.table) \(d.key)")
                for f in d.fields {
                    let before = f.before.map { "\"\($0)\"" } ?? "–", after = f.after.map { "\"\($0)\"" } ?? "–"
                    let line = "        " + f.name + ": " + before + " → " + after
                    // Too wide for the terminal: the new value goes under the old, arrows aligned.
                    if Layout.width(line) <= c.width { c.print(line) } else {
                        c.print("        " + f.name + ": " + before)
                        c.print(String(repeating: " ", count: 8 + Layout.width(f.name)) + "→ " + after)
                    }
                }
            }
            if record.rowCount == 0 { c.print(s.dim("    (imports are recorded without their rows, and cannot be undone)")) }
            return .ok
        }
        var ref = reference
        if let r = reference, case .entry(let id)? = try? ctx.resolve(r) { ref = id.description }
        let records = try ctx.community.history(of: ref, by: by, limit: output.limit == nil ? 20 : try output.limit(ctx))
        if output.json(ctx) { try ctx.printJSON(records.map { ChangeView($0) }); return records.isEmpty ? .noResults : .ok }
        if records.isEmpty { c.error(reference == nil ? "nothing has changed yet" : "no recorded changes to \(reference!)"); return .noResults }
        let who = records.map { ($0.actor.map { "@" + $0 } ?? "(system)").count }.max() ?? 8
        for r in records { Self.line(r, ctx: ctx, whoWidth: who) }
        return .ok
    }

    static func line(_ r: ChangeRecord, ctx: ShellContext, whoWidth: Int = 8) {
        let s = ctx.console.styler
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm"
        f.timeZone = TimeZone(identifier: "UTC")
        let who = r.actor.map { "@" + $0 } ?? "(system)"
        var tail = ""
        if let by = r.undoneBy { tail = s.dim("  (undone by #\(by))") }
        let lead = 5 + 1 + 16 + 2 + whoWidth + 1
        ctx.console.print(s.id(Layout.pad("#\(r.number)", 5)) + " " + s.dim(f.string(from: r.at.date)) + "  "
                          + s.member(Layout.pad(who, whoWidth)) + " " + Layout.truncate(r.summary, max(20, ctx.console.width - lead - Layout.width(tail))) + tail)
    }
}

public struct UndoCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Undo your last change, or (curators) any change by number: undo · undo 14.",
        discussion: """
        Restores every row the change touched and the search index, as one new change (so undoing an undo \
        redoes it). Refused when a later change touched the same records: undo that one first.
        """)
    public static let arguments: [ArgumentKind] = [.nothing]

    @Argument(help: "The change's number (see `history`); your last change when left out.") public var number: String?

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        var n: Int64?
        if let t = number {
            guard let v = Int64(t.hasPrefix("#") ? String(t.dropFirst()) : t) else {
                throw KnowHowError.invalidValue(field: "change number", value: t, expected: "a number from `history`, such as 14")
            }
            n = v
        }
        let record = try ctx.community.undo(n, as: ctx.actor)
        ctx.console.print("\(record.summary) (recorded as #\(record.number))")
        return .ok
    }
}
