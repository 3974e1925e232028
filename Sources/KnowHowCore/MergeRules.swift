import Foundation

/// How two resources, practices or members become one: what the kept record holds after, the
/// plan shown before (field by field, and what moves), and what cannot be merged. Every store
/// applies these; a store only reads the two records and counts the references that move.
public enum MergeRules {
    /// Refuses merges of different kinds, of a thing into itself, and of kinds that do not merge.
    public static func check(keep: EntryRef, drop: EntryRef) throws {
        guard keep.type == drop.type else {
            throw KnowHowError.unsupported("\(keep) and \(drop) are not the same kind of thing; merge two resources, two practices or two members")
        }
        guard keep != drop else { throw KnowHowError.conflict("\(keep) cannot be merged into itself") }
        guard [.resource, .practice, .member].contains(keep.type) else { throw notMergeable(keep) }
    }

    /// What a store reads for a merge: the numbers of the two records (each existing itself, not
    /// through a redirect), the records, and how many references of a kind point at one.
    public protocol Reading {
        func requireOwn(_ id: EntryID) throws -> Int64
        func requireOwnMember(_ handle: String) throws -> Int64
        func resource(_ number: Int64) throws -> Resource
        func practice(_ number: Int64) throws -> Practice
        func member(_ id: Int64) throws -> Member
        func count(_ reference: Reference, to id: Int64) throws -> Int
    }

    /// The references that move with a merge, counted for its plan.
    public enum Reference: CaseIterable, Sendable {
        /// Practices superseded by the practice.
        case successorLinks
        case resourcesContributed, resourcesWritten, practicesContributed, verifications
        case questions, answers, endorsementsReceived, endorsementsGiven

        /// The table and column that hold the reference, in the schema both stores share (as
        /// `HistoryRows` reads their rows).
        public var column: (table: String, column: String) {
            switch self {
            case .successorLinks: ("practice_successor", "successor_id")
            case .resourcesContributed: ("resource", "contributor_id")
            case .resourcesWritten: ("resource_author", "member_id")
            case .practicesContributed: ("practice", "contributor_id")
            case .verifications: ("practice", "verified_by_id")
            case .questions: ("question", "asker_id")
            case .answers: ("answer", "author_id")
            case .endorsementsReceived: ("endorsement", "member_id")
            case .endorsementsGiven: ("endorsement", "endorser_id")
            }
        }
    }

    /// The record a merge keeps, with the numbers of the kept and the dropped one.
    public enum Merged: Hashable, Sendable {
        case resource(Int64, Int64, Resource)
        case practice(Int64, Int64, Practice)
        case member(Int64, Int64, Member)
    }

    /// What a merge will keep, as a plan to show and as the merged record to write: checks the
    /// pair, then reads the kept record before the dropped one.
    public static func draft(keep: EntryRef, drop: EntryRef, _ r: some Reading) throws -> (plan: MergePlan, merged: Merged) {
        try check(keep: keep, drop: drop)
        switch (keep, drop) {
        case (.entry(let ki), .entry(let di)) where ki.type == .resource:
            let k = try r.requireOwn(ki), d = try r.requireOwn(di)
            let m = resources(keep: try r.resource(k), drop: try r.resource(d), keep, drop)
            return (m.plan, .resource(k, d, m.merged))
        case (.entry(let ki), .entry(let di)) where ki.type == .practice:
            let k = try r.requireOwn(ki), d = try r.requireOwn(di)
            let m = practices(keep: try r.practice(k), drop: try r.practice(d), keep, drop,
                              successorLinks: try r.count(.successorLinks, to: d))
            return (m.plan, .practice(k, d, m.merged))
        case (.member(let kh), .member(let dh)):
            let k = try r.requireOwnMember(kh), d = try r.requireOwnMember(dh)
            let moving = MemberReferences(
                resourcesContributed: try r.count(.resourcesContributed, to: d), resourcesWritten: try r.count(.resourcesWritten, to: d),
                practicesContributed: try r.count(.practicesContributed, to: d), verifications: try r.count(.verifications, to: d),
                questions: try r.count(.questions, to: d), answers: try r.count(.answers, to: d),
                endorsementsReceived: try r.count(.endorsementsReceived, to: d), endorsementsGiven: try r.count(.endorsementsGiven, to: d))
            let m = members(keep: try r.member(k), drop: try r.member(d), keep, drop, moving: moving)
            return (m.plan, .member(k, d, m.merged))
        default:
            throw notMergeable(keep)
        }
    }

    /// The history line of a merge.
    public static func note(keep: EntryRef, drop: EntryRef) -> String { "merged \(drop) into \(keep)" }

    public static func notMergeable(_ ref: EntryRef) -> KnowHowError {
        .unsupported("only resources, practices and members can be merged; \(ref) is \(ref.type == .answer ? "an" : "a") \(ref.type.rawValue)")
    }

    typealias F = MergePlan.MergeField
    static func show(_ s: String?) -> String { s.map { $0.count > 40 ? String($0.prefix(39)) + "…" : $0 } ?? "–" }
    static func list(_ a: [String]) -> String { a.isEmpty ? "–" : a.joined(separator: ", ") }
    static func handles(_ a: [String]) -> String { list(a.map { "@" + $0 }) }
    static func phrase(_ n: Int, _ noun: String, _ tail: String = "") -> String? { n == 0 ? nil : "\(n) \(noun)\(n == 1 ? "" : "s")\(tail)" }

    /// The kept resource fills its empty fields from the dropped one; tags and authors are both.
    public static func resources(keep K: Resource, drop D: Resource, _ keep: EntryRef, _ drop: EntryRef) -> (plan: MergePlan, merged: Resource) {
        var m = K
        m.url = K.url ?? D.url; m.summary = K.summary ?? D.summary; m.body = K.body ?? D.body
        m.contributor = K.contributor ?? D.contributor
        m.authors = Array(Set(K.authors + D.authors)).sorted()
        m.tags = Array(Set(K.tags + D.tags)).sorted()
        let fields = [
            F(name: "title", keep: K.title, drop: D.title, result: m.title),
            F(name: "url", keep: show(K.url), drop: show(D.url), result: show(m.url)),
            F(name: "kind", keep: K.kind.rawValue, drop: D.kind.rawValue, result: m.kind.rawValue),
            F(name: "summary", keep: show(K.summary), drop: show(D.summary), result: show(m.summary)),
            F(name: "tags", keep: list(K.tags), drop: list(D.tags), result: list(m.tags), union: true),
            F(name: "contributor", keep: handles(K.contributor.map { [$0] } ?? []), drop: handles(D.contributor.map { [$0] } ?? []),
              result: handles(m.contributor.map { [$0] } ?? [])),
            F(name: "authors", keep: handles(K.authors), drop: handles(D.authors), result: handles(m.authors), union: true),
        ]
        let moves = [phrase(Set(D.tags).subtracting(K.tags).count, "tag"), phrase(Set(D.authors).subtracting(K.authors).count, "author")].compactMap { $0 }
        return (MergePlan(keep: keep, drop: drop, fields: fields, moves: moves), m)
    }

    /// The kept practice fills its empty fields from the dropped one, takes its tags, and takes its
    /// verification when only the dropped one was verified.
    public static func practices(keep K: Practice, drop D: Practice, _ keep: EntryRef, _ drop: EntryRef,
                                 successorLinks: Int) -> (plan: MergePlan, merged: Practice) {
        var m = K
        m.context = K.context ?? D.context; m.practice = K.practice ?? D.practice; m.evidence = K.evidence ?? D.evidence
        m.contributor = K.contributor ?? D.contributor
        m.tags = Array(Set(K.tags + D.tags)).sorted()
        if K.status == .proposed && D.status == .verified {
            m.status = D.status; m.verifiedBy = D.verifiedBy; m.verifiedAt = D.verifiedAt; m.reviewBy = D.reviewBy
        }
        func status(_ p: Practice) -> String { p.status.rawValue + (p.verifiedBy.map { " by @\($0)" } ?? "") }
        let fields = [
            F(name: "title", keep: K.title, drop: D.title, result: m.title),
            F(name: "status", keep: status(K), drop: status(D), result: status(m)),
            F(name: "context", keep: show(K.context), drop: show(D.context), result: show(m.context)),
            F(name: "practice", keep: show(K.practice), drop: show(D.practice), result: show(m.practice)),
            F(name: "evidence", keep: show(K.evidence), drop: show(D.evidence), result: show(m.evidence)),
            F(name: "tags", keep: list(K.tags), drop: list(D.tags), result: list(m.tags), union: true),
            F(name: "contributor", keep: handles(K.contributor.map { [$0] } ?? []), drop: handles(D.contributor.map { [$0] } ?? []),
              result: handles(m.contributor.map { [$0] } ?? [])),
        ]
        let moves = [phrase(Set(D.tags).subtracting(K.tags).count, "tag"),
                     m.verifiedBy != K.verifiedBy ? "the verification" : nil,
                     phrase(successorLinks, "successor link")].compactMap { $0 }
        return (MergePlan(keep: keep, drop: drop, fields: fields, moves: moves), m)
    }

    /// What points at a dropped member and moves to the kept one.
    public struct MemberReferences: Equatable, Sendable {
        public var resourcesContributed = 0, resourcesWritten = 0, practicesContributed = 0, verifications = 0
        public var questions = 0, answers = 0, endorsementsReceived = 0, endorsementsGiven = 0
        public init(resourcesContributed: Int = 0, resourcesWritten: Int = 0, practicesContributed: Int = 0, verifications: Int = 0,
                    questions: Int = 0, answers: Int = 0, endorsementsReceived: Int = 0, endorsementsGiven: Int = 0) {
            self.resourcesContributed = resourcesContributed; self.resourcesWritten = resourcesWritten
            self.practicesContributed = practicesContributed; self.verifications = verifications
            self.questions = questions; self.answers = answers
            self.endorsementsReceived = endorsementsReceived; self.endorsementsGiven = endorsementsGiven
        }
    }

    /// The kept member fills empty fields from the dropped one, keeps the higher role and each
    /// skill's higher level, the earlier joining day, and both members' interests.
    public static func members(keep K: Member, drop D: Member, _ keep: EntryRef, _ drop: EntryRef,
                               moving r: MemberReferences) -> (plan: MergePlan, merged: Member) {
        var m = K
        m.email = K.email ?? D.email; m.organisation = K.organisation ?? D.organisation; m.sector = K.sector ?? D.sector
        m.location = K.location ?? D.location; m.timeZone = K.timeZone ?? D.timeZone; m.bio = K.bio ?? D.bio
        m.role = max(K.role, D.role); m.mentoring = K.mentoring || D.mentoring
        m.joined = [K.joined, D.joined].compactMap { $0 }.min()
        m.sourceId = K.sourceId ?? D.sourceId
        var skills = Dictionary(K.skills.map { ($0.tag, $0.level) }, uniquingKeysWith: max)
        for s in D.skills { skills[s.tag] = max(skills[s.tag] ?? s.level, s.level) }
        m.skills = skills.map { Skill(tag: $0.key, level: $0.value) }.sorted { $0.tag < $1.tag }
        m.interests = Array(Set(K.interests + D.interests)).sorted()
        func skillList(_ s: [Skill]) -> String { list(s.map { "\($0.tag) (\($0.level.rawValue))" }) }
        let fields = [
            F(name: "handle", keep: "@" + K.handle, drop: "@" + D.handle, result: "@" + m.handle),
            F(name: "name", keep: K.name, drop: D.name, result: m.name),
            F(name: "email", keep: show(K.email), drop: show(D.email), result: show(m.email)),
            F(name: "organisation", keep: show(K.organisation), drop: show(D.organisation), result: show(m.organisation)),
            F(name: "sector", keep: show(K.sector), drop: show(D.sector), result: show(m.sector)),
            F(name: "role", keep: K.role.rawValue, drop: D.role.rawValue, result: m.role.rawValue),
            F(name: "skills", keep: skillList(K.skills), drop: skillList(D.skills), result: skillList(m.skills), union: true),
            F(name: "interests", keep: list(K.interests), drop: list(D.interests), result: list(m.interests), union: true),
        ]
        let moves = [
            phrase(r.resourcesContributed, "resource", " contributed"),
            phrase(r.resourcesWritten, "resource", " written"),
            phrase(r.practicesContributed, "practice", " contributed"),
            phrase(r.verifications, "verification"),
            phrase(r.questions, "question"),
            phrase(r.answers, "answer"),
            phrase(r.endorsementsReceived, "endorsement", " received"),
            phrase(r.endorsementsGiven, "endorsement", " given"),
        ].compactMap { $0 }
        return (MergePlan(keep: keep, drop: drop, fields: fields, moves: moves), m)
    }
}
