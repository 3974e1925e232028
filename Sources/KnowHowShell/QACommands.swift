import ArgumentParser
import Foundation
import KnowHowCore

public struct WhoCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "who",
        abstract: "Who to ask about a topic, ranked by evidence: what people wrote, answered and verified.",
        discussion: """
        Combines what members contributed, wrote, verified and answered (accepted answers count most, recent work more), their declared skills and endorsements. Each person comes with why.

        Examples: who facilitation · who "supervision in social care" --available · who onboarding sector:health

        With --batch, reads one topic a line from standard input and writes one JSON line each.
        """)
    public static let arguments: [ArgumentKind] = [.query]
    public static let takesQuery = true

    @OptionGroup public var output: OutputOptions
    @Flag(name: .long, help: "Only members open to questions.") public var available = false
    @Flag(name: .long, help: "Only members who mentor.") public var mentors = false
    @Flag(name: .long, help: "Read topics from standard input, one a line (with --json: one JSON line each).") public var batch = false
    @Argument(parsing: .allUnrecognized, help: "The topic.") public var words: [String] = []

    public init() {}

    func request(_ topic: String, ctx: ShellContext) throws -> Community.WhoRequest {
        Community.WhoRequest(topic: topic, availableOnly: available, mentorsOnly: mentors, limit: try output.limit(ctx))
    }

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        if batch {
            return try ctx.runBatch("who") { topic in
                let view = try ctx.community.who(try request(topic, ctx: ctx), as: ctx.actor, log: false)
                return (view, !view.members.isEmpty)
            }
        }
        let topic = QueryWords.text(words)
        if topic.trimmingCharacters(in: .whitespaces).isEmpty {
            throw KnowHowError.emptyQuery("who needs a topic: type one, e.g. `who facilitation`")
        }
        let view = try ctx.community.who(try request(topic, ctx: ctx), as: ctx.actor)
        let experts = view.experts
        if let unmatched = view.unmatched, !experts.isEmpty { ctx.console.note("no one has written about " + unmatched.map { "'\($0)'" }.joined(separator: ", ")) }
        ctx.lastRefs = experts.map { .member($0.member.handle) }
        if output.json(ctx) {
            try ctx.printJSON(view)
        } else if experts.isEmpty {
            ctx.console.error(Community.nobodyNote(topic))
        } else {
            Render.experts(experts, ctx: ctx)
        }
        return experts.isEmpty ? .noResults : .ok
    }
}

public struct AskCommand: ShellCommand {
    public static let collectsWords = true
    public static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Ask the community a question; shows who could help and what may already answer it.",
        discussion: "Example: ask How do you run a first supervision session? --tag supervision --body \"…\"")
    public static let arguments: [ArgumentKind] = [.query]

    @Option(name: .long, help: "More detail.") public var body: String?
    @Option(name: .customLong("tag"), help: "A tag (repeat for more).") public var tags: [String] = []
    @Flag(name: .long, help: "Write JSON for scripts.") public var json = false
    @Flag(name: .long, help: "Ask even when an existing entry closely matches (scripts and one-shot use).") public var force = false
    @Argument(parsing: .allUnrecognized, help: "The question.") public var words: [String] = []

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let me = try ctx.requireActor("asking a question")
        let text = QueryWords.text(words)
        // What exists first: asking again what is already answered recreates work.
        if !force, !text.trimmingCharacters(in: .whitespaces).isEmpty {
            let existing = try ctx.community.existing(for: text, body: body, tags: tags)
            // Someone at a terminal chooses (as `confirm` asks); scripts and pipes are refused past a strong match.
            if !existing.isEmpty, ctx.prompter != nil, !json {
                do {
                    if try !chooseToAsk(existing, ctx: ctx) { return .ok }
                } catch is PromptCancelled {
                    ctx.console.print("cancelled; nothing was asked"); return .ok
                }
            } else if let strong = existing.strong {
                let title = existing.hits.first { $0.ref.description == strong }.map { Highlight.plain($0.title) } ?? ""
                throw KnowHowError.duplicate("\(strong) '\(title)' may already answer this; read it with `show \(strong)`, or add --force to ask anyway")
            }
        }
        let view = try ctx.community.ask(text, body: body, tags: tags, as: me)
        if json {
            try ctx.printJSON(view)
            return .ok
        }
        let title = view.title, helpers = view.helpers.experts, related = view.related
        let s = ctx.console.styler
        ctx.console.print("asked \(s.id(view.question ?? "")): \(title)")
        if !helpers.isEmpty {
            ctx.console.print(); ctx.console.print(s.bold("Who could help"))
            Render.experts(helpers, ctx: ctx)
        }
        if !related.isEmpty {
            ctx.console.print(); ctx.console.print(s.bold("May already answer it"))
            Render.results(SearchResults(hits: related), ctx: ctx, emptyMessage: "", numberFrom: helpers.count)
        }
        ctx.lastRefs = helpers.map { .member($0.member.handle) } + related.map(\.ref)
        return .ok
    }

    /// Shows what exists and asks what to do: true to ask anyway; opening an entry or cancelling is false.
    func chooseToAsk(_ existing: ExistingView, ctx: ShellContext) throws -> Bool {
        let c = ctx.console, s = c.styler
        c.print(s.bold("Already in the community") + s.dim(": questions first, then resources and practices"))
        // One list, so numbers, ids and extracts line up; a question's accepted answer goes under it.
        let questions = existing.questions
        let hits = questions.map(\.hit) + existing.hits.dropFirst(questions.count)
        Render.results(SearchResults(hits: hits), ctx: ctx, emptyMessage: "") { i, room in
            guard i < questions.count, let a = questions[i].accepted, let text = questions[i].acceptedText else { return nil }
            let label = "accepted \(a): "
            return s.dim(label) + Layout.truncate(Render.oneLine(text), max(20, room - label.count))
        }
        ctx.lastRefs = existing.hits.map(\.ref)
        let n = existing.hits.count
        while true {
            let a = try ctx.ask("[a]sk anyway, open \(Layout.numbers(n)), or [c]ancel: ", choices: ["ask", "cancel"]).lowercased()
            if a == "a" || a == "ask" { return true }
            if a == "c" || a == "cancel" || a.isEmpty { c.print("not asked"); return false }
            let pick = a.hasPrefix("open ") ? String(a.dropFirst(5)).trimmingCharacters(in: .whitespaces) : a
            if let k = Int(pick), (1...n).contains(k) {
                try Render.show(existing.hits[k - 1].ref, ctx: ctx, json: false)
                return false
            }
            c.print("type a to ask anyway, a number from 1 to \(n) to open it, or c to cancel")
        }
    }
}

public struct AnswerCommand: ShellCommand {
    public static let collectsWords = true
    public static let configuration = CommandConfiguration(
        commandName: "answer", abstract: "Answer a question: answer q3 Your answer…")
    public static let arguments: [ArgumentKind] = [.reference, .query]

    @Argument(help: "The question (q3, or a result number).") public var question: String
    @Argument(parsing: .allUnrecognized, help: "The answer.") public var words: [String] = []

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let me = try ctx.requireActor("answering")
        guard case .entry(let q)? = try ctx.resolve(question), q.type == .question else {
            throw KnowHowError.invalidValue(field: "question", value: question, expected: "a question id such as q3")
        }
        let id = try ctx.community.answer(q, QueryWords.text(words), as: me)
        ctx.console.print("answered \(q) as \(ctx.styler.id(id.description))")
        return .ok
    }
}

public struct AcceptCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "accept", abstract: "Accept an answer to your question: accept a12.")
    public static let arguments: [ArgumentKind] = [.reference]

    @Argument(help: "The answer (a12, or a result number after `show q3`).") public var answer: String

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let me = try ctx.requireActor("accepting an answer")
        guard case .entry(let a)? = try ctx.resolve(answer), a.type == .answer else {
            throw KnowHowError.invalidValue(field: "answer", value: answer, expected: "an answer id such as a12")
        }
        // The store checks that this is the asker (or a curator).
        let q = try ctx.community.accept(a, as: me)
        ctx.console.print("accepted \(a) as the answer to \(q)")
        return .ok
    }
}

public struct EndorseCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "endorse", abstract: "Vouch for a member's skill: endorse @kim facilitation (--withdraw to take it back).")
    public static let arguments: [ArgumentKind] = [.reference, .reference]

    @Flag(name: .long, help: "Withdraw your endorsement.") public var withdraw = false
    @Argument(help: "The member, as @handle.") public var member: String
    @Argument(help: "The skill's tag.") public var tag: String

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let me = try ctx.requireActor("endorsing")
        guard case .member(let h)? = try ctx.resolve(member) else {
            throw KnowHowError.invalidValue(field: "member", value: member, expected: "a @handle")
        }
        let (tagName, done) = try ctx.community.endorse(h, for: tag, withdraw: withdraw, as: me)
        if withdraw {
            ctx.console.print(done ? "withdrew your endorsement of @\(h) for \(tagName)" : "you had not endorsed @\(h) for \(tagName)")
        } else {
            ctx.console.print(done ? "endorsed @\(h) for \(tagName)" : "you already endorse @\(h) for \(tagName)")
        }
        return .ok
    }
}

public struct WhoamiCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Say who you are acting as, with which role, and how that was decided.",
        discussion: "With --json: one object with handle, name, role and source (what named you), each null when nobody is named.")
    public static let arguments: [ArgumentKind] = [.nothing]

    @Flag(name: .long, help: "Write JSON for scripts.") public var json = false

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let json = self.json || ctx.settings.json
        guard let me = ctx.actor else {
            if json { try ctx.printJSON(WhoamiView(member: nil, source: nil)); return .ok }
            ctx.console.print(ctx.interactive
                ? "nobody: type `set as @handle` (or, before starting knowhow, set KNOWHOW_USER)"
                : "nobody: pass --as @handle, set KNOWHOW_USER, or put user = \"handle\" in \(Identity.configPath(environment: ctx.environment))")
            return .ok
        }
        let from = ctx.actorSource.map { " (from \($0))" } ?? ""
        let m: Member
        do { m = try ctx.store.member(me) } catch KnowHowError.unknownMember(let h) {
            throw KnowHowError.unsupported("you act as @\(h)\(from), who is not a member of this store; `list members` lists them")
        }
        if json { try ctx.printJSON(WhoamiView(member: m, source: ctx.actorSource)); return .ok }
        ctx.console.print("@\(m.handle) (\(m.name)), \(m.role.rawValue)\(from)")
        return .ok
    }
}
