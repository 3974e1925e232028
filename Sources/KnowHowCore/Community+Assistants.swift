import Foundation

// Use cases a second front end (the MCP server) needed that lived only in shell commands:
// showing any reference, "does this already exist?", and asking with what exists shown first.

/// One member, entry or tag, as `show --json` gives it; exactly one of the parts is set.
public struct ShownView: Codable, Sendable {
    /// The reference shown (after a merge, what it was merged into).
    public var id: String
    /// member, resource, practice, question, answer, meeting or tag.
    public var kind: String
    /// Set when the reference asked for was merged away into `id`.
    public var mergedFrom: String?
    public var member: ProfileView?
    public var resource: Resource?
    public var practice: Practice?
    public var question: QuestionView?
    public var answer: Answer?
    public var meeting: MeetingView?
    public var tag: TagPageView?
}

/// `answer`: the new answer's id.
public struct AnsweredView: Codable, Sendable {
    public var question: String
    public var answer: String
}

extension Community {
    /// Any reference as `show` reads it: `@handle`, an id (r12, p3, q7, a40) or a tag. A merged-away
    /// reference leads to what it was merged into.
    public func show(_ reference: String) throws -> ShownView {
        let text = reference.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw KnowHowError.missingField("a reference: @handle, an id such as r12, or a tag") }
        _ = try EntryID.parse(text)  // refuses an id too large to be one
        guard var ref = EntryRef(text) else {
            guard (try? Validation.tag(text)) != nil else { throw KnowHowError.unknownReference(text) }
            do {
                return ShownView(id: text, kind: "tag", tag: try tagPage(text))
            } catch KnowHowError.unknownTag(let t, let s) {
                throw KnowHowError.unsupported("'\(t)' is not an id, a @handle or a tag" + (s.map { "; did you mean the tag '\($0)'?" } ?? "; ids look like r12, p3, q7"))
            }
        }
        var from: String?
        if let to = try store.redirect(ref) { from = ref.description; ref = to }
        var v = ShownView(id: ref.description, kind: ref.type.rawValue, mergedFrom: from)
        switch ref {
        case .member(let h): v.member = try profile(h)
        case .entry(let id):
            switch id.type {
            case .resource: v.resource = try store.resource(id)
            case .practice: v.practice = try store.practice(id)
            case .question: v.question = try question(id)
            case .answer: v.answer = try store.answer(id)
            case .meeting: v.meeting = try meeting(id)
            case .member: throw KnowHowError.unknownReference(text)
            }
        }
        return v
    }

    /// Who could help with a question and what may already answer it, leaving out `actor` and
    /// the question itself (`asked`). The one assembly `ask` shows in the shell and over MCP.
    public func askContext(title: String, body: String?, tags: [String], as actor: String?, asked: EntryID? = nil) -> (helpers: [Expert], related: [SearchHit]) {
        let topic = ([title, body ?? ""] + tags).joined(separator: " ")
        var who = ExpertQuery(topic: String(topic.prefix(QueryParser.maxLength - 100)))
        if let actor { who.exclude = [actor] }
        who.limit = 5
        let helpers = (try? ExpertRanker.rank(who, source: store, now: now)) ?? []
        var related: [SearchHit] = []
        if var q = try? ExpertRanker.relaxedQuery(who.topic) {
            q.filters = [Filter(.type, "member", negated: true), Filter(.type, "answer", negated: true)]
            related = (try? store.search(q, limit: 6))?.hits.filter { asked == nil || $0.ref != .entry(asked!) }.prefix(5).map { $0 } ?? []
        }
        return (helpers, related)
    }

    /// Asks a question as `actor`, showing what exists first: unless `force`, a question that looks
    /// strongly like an existing entry (`existing(for:)`'s strong match) is not recorded, and the view says what
    /// it looks like. Logged as an `ask` search either way.
    public func ask(title rawTitle: String, body: String?, tags rawTags: [String], as actor: String?, force: Bool) throws -> AskView {
        guard let actor else { throw KnowHowError.notIdentified(action: "asking a question") }
        _ = try store.member(actor)
        let title = rawTitle.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw KnowHowError.missingField("the question (ask How do I …?)") }
        let tags = try rawTags.map(Validation.tag)
        let body = body.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        let question = Question(title: title, body: body, tags: tags, asker: actor)
        // What exists, as the shell's `ask` shows it: a strong match stops the question unless forced.
        let existing = force ? nil : try self.existing(for: title, body: body, tags: tags)
        let id: EntryID? = (force || existing?.strong == nil) ? try store.ask(question, as: acting(actor)) : nil
        // Once the question is saved, finding helpers is a courtesy that must not make it look failed.
        let (helpers, related) = askContext(title: title, body: body, tags: tags, as: actor, asked: id)
        logSearch(.ask, title, results: related.count, weak: isWeak(title, results: related.count), as: actor)
        return AskView(question: id, title: title, helpers: WhoView(topic: title, experts: helpers), related: related,
                       similar: existing.map { HitView.numbered($0.hits) })
    }

    /// Answers question `reference` as `actor`.
    public func answer(_ reference: String, text: String, as actor: String?) throws -> AnsweredView {
        guard let actor else { throw KnowHowError.notIdentified(action: "answering") }
        _ = try store.member(actor)
        _ = try EntryID.parse(reference.trimmingCharacters(in: .whitespaces))
        guard case .entry(let q)? = EntryRef(reference.trimmingCharacters(in: .whitespaces)), q.type == .question else {
            throw KnowHowError.invalidValue(field: "question", value: reference, expected: "a question id such as q3")
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw KnowHowError.missingField("the answer text (answer \(q) Your answer…)") }
        return AnsweredView(question: q.description, answer: try answer(q, text, as: actor).description)
    }
}
