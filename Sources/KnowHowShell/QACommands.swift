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

    func request(_ topic: String, ctx: ShellContext) throws -> ExpertQuery {
        var r = ExpertQuery(topic: topic)
        r.availableOnly = available
        r.mentorsOnly = mentors
        let parsed = try QueryParser.parse(topic)
        r.sectors = parsed.values(of: .sector)
        if let me = ctx.actor { r.exclude.insert(me) }
        r.limit = try output.limit(ctx)
        return r
    }

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        if batch {
            return try ctx.runBatch("who") { topic in
                let experts = try ExpertRanker.rank(try request(topic, ctx: ctx), source: ctx.store, now: ctx.now)
                return (JSONWho(topic: topic, experts: experts), !experts.isEmpty)
            }
        }
        let topic = QueryWords.text(words)
        let found = try ExpertRanker.find(try request(topic, ctx: ctx), source: ctx.store, now: ctx.now), experts = found.experts
        if !found.unmatched.isEmpty, !experts.isEmpty { ctx.console.note("no one has written about " + found.unmatched.map { "'\($0)'" }.joined(separator: ", ")) }
        ctx.lastRefs = experts.map { .member($0.member.handle) }
        ctx.logSearch(.who, topic, results: experts.count, weak: ctx.isWeak(topic, results: experts.count))
        if output.json(ctx) {
            try ctx.printJSON(JSONWho(topic: topic, experts: experts))
        } else if experts.isEmpty {
            ctx.console.error("nobody's work or skills match '\(topic)' yet; try fewer or broader words, or `find \(topic)`")
        } else {
            Render.experts(experts, ctx: ctx)
        }
        return experts.isEmpty ? .noResults : .ok
    }
}

public struct AskCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Ask the community a question; shows who could help and what may already answer it.",
        discussion: "Example: ask How do you run a first supervision session? --tag supervision --body \"…\"")
    public static let arguments: [ArgumentKind] = [.query]

    @Option(name: .long, help: "More detail.") public var body: String?
    @Option(name: .customLong("tag"), help: "A tag (repeat for more).") public var tags: [String] = []
    @Flag(name: .long, help: "Write JSON for scripts.") public var json = false
    @Argument(parsing: .allUnrecognized, help: "The question.") public var words: [String] = []

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let me = try ctx.requireActor("asking a question")
        let title = QueryWords.text(words).trimmingCharacters(in: .whitespaces)
        guard !title.isEmpty else { throw KnowHowError.missingField("the question (ask How do I …?)") }
        let tags = try self.tags.map(Validation.tag)
        let id = try ctx.store.ask(Question(title: title, body: body, tags: tags, asker: me))
        let topic = ([title, body ?? ""] + tags).joined(separator: " ")
        var who = ExpertQuery(topic: String(topic.prefix(QueryParser.maxLength - 100)))
        who.exclude = [me]
        who.limit = 5
        let helpers = (try? ExpertRanker.rank(who, source: ctx.store, now: ctx.now)) ?? []
        var related: [SearchHit] = []
        if var q = try? ExpertRanker.relaxedQuery(who.topic) {
            q.filters = [Filter(.type, "member", negated: true), Filter(.type, "answer", negated: true)]
            related = (try? ctx.store.search(q, limit: 6))?.hits.filter { $0.ref != .entry(id) }.prefix(5).map { $0 } ?? []
        }
        ctx.logSearch(.ask, title, results: related.count, weak: ctx.isWeak(title, results: related.count))
        if json {
            struct Out: Encodable { var question: String; var helpers: JSONWho; var existing: [JSONHit] }
            try ctx.printJSON(Out(question: id.description, helpers: JSONWho(topic: title, experts: helpers),
                                  existing: related.enumerated().map { JSONHit($1, n: $0 + 1) }))
            return .ok
        }
        let s = ctx.console.styler
        ctx.console.print("asked \(s.id(id.description)): \(title)")
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
}

public struct AnswerCommand: ShellCommand {
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
        let text = QueryWords.text(words)
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw KnowHowError.missingField("the answer text (answer \(q) Your answer…)") }
        let id = try ctx.store.answer(Answer(question: q, body: text, author: me))
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
        _ = try ctx.requireActor("accepting an answer")
        guard case .entry(let a)? = try ctx.resolve(answer), a.type == .answer else {
            throw KnowHowError.invalidValue(field: "answer", value: answer, expected: "an answer id such as a12")
        }
        let ans = try ctx.store.answer(a)
        let q = try ctx.store.question(ans.question)
        // The store checks that this is the asker (or a curator).
        _ = try ctx.store.accept(a)
        ctx.console.print("accepted \(a) as the answer to \(q.id!)")
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
        let tagName = try ctx.store.tag(tag).tag.name
        if withdraw {
            let done = try ctx.store.withdrawEndorsement(h, tag: tagName, by: me)
            ctx.console.print(done ? "withdrew your endorsement of @\(h) for \(tagName)" : "you had not endorsed @\(h) for \(tagName)")
        } else {
            let done = try ctx.store.endorse(h, tag: tagName, by: me)
            ctx.console.print(done ? "endorsed @\(h) for \(tagName)" : "you already endorse @\(h) for \(tagName)")
        }
        return .ok
    }
}

/// `who` as JSON: the ranked members with scores and why.
struct JSONWho: Encodable {
    struct Person: Encodable {
        var rank: Int
        var handle: String
        var name: String
        var sourceId: String?
        var organisation: String?
        var sector: String?
        var score: Double
        var scores: [String: Double]
        var why: Why
    }
    struct Why: Encodable {
        var skills: [Skill]
        var endorsements: [String: Int]
        var evidence: [Evidence]
        var evidenceCount: Int
    }
    struct Evidence: Encodable { var id: String; var title: String; var how: String }

    var topic: String
    var members: [Person]

    init(topic: String, experts: [Expert]) {
        self.topic = topic
        members = experts.enumerated().map { i, e in
            func r(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
            return Person(rank: i + 1, handle: e.member.handle, name: e.member.name, sourceId: e.member.sourceId,
                          organisation: e.member.organisation, sector: e.member.sector, score: r(e.score),
                          scores: ["evidence": r(e.evidenceScore), "skills": r(e.skillScore), "endorsements": r(e.endorsementScore)],
                          why: Why(skills: e.member.skills, endorsements: e.member.endorsements,
                                   evidence: e.evidence.map { Evidence(id: $0.doc.id.description, title: $0.doc.title, how: $0.how.rawValue) },
                                   evidenceCount: e.evidenceCount))
        }
    }
}

public struct WhoamiCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Say who you are acting as, with which role, and how that was decided.")
    public static let arguments: [ArgumentKind] = [.nothing]

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        guard let me = ctx.actor else {
            ctx.console.print(ctx.interactive
                ? "nobody: type `set as @handle` (or, before starting knowhow, set KNOWHOW_USER)"
                : "nobody: pass --as @handle, set KNOWHOW_USER, or put user = \"handle\" in \(Identity.configPath(environment: ctx.environment))")
            return .ok
        }
        let m = try ctx.store.member(me)
        ctx.console.print("@\(m.handle) (\(m.name)), \(m.role.rawValue)")
        return .ok
    }
}
