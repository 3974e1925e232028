import Foundation

/// What an edit changes, field by field, and the check that nobody changed the entry meanwhile:
/// the rules every store applies to `update(_:expecting:)`, with the field names people read in
/// history and messages.
public enum EditRules {
    /// The fields changed by an edit of `current` read as `original`; throws `staleEdit` naming the
    /// fields someone else changed since `original` was read. Empty when nothing changes.
    public static func changes(from original: Resource, current: Resource, to edited: Resource, entry: String) throws -> [String] {
        try checkNotStale(fields(original, current), entry: entry)
        return fields(current, edited)
    }

    public static func changes(from original: Practice, current: Practice, to edited: Practice, entry: String) throws -> [String] {
        try checkNotStale(fields(original, current), entry: entry)
        return fields(current, edited)
    }

    public static func changes(from original: Member, current: Member, to edited: Member, entry: String) throws -> [String] {
        try checkNotStale(fields(original, current), entry: entry)
        return fields(current, edited)
    }

    /// What an edit saves: the fields it changes and the title to store; nil when it changes
    /// nothing (the store saves nothing and keeps no history line).
    public struct Edit: Equatable, Sendable {
        public var changed: [String]
        public var title: String
    }

    /// A resource's edit, checked in the order every store applies: not stale, something changed,
    /// lengths, a title.
    public static func resourceEdit(from original: Resource, current: Resource, to edited: Resource, entry: String) throws -> Edit? {
        let changed = try changes(from: original, current: current, to: edited, entry: entry)
        guard !changed.isEmpty else { return nil }
        try Validation.checkLengths(edited)
        guard let title = Validation.text(edited.title) else { throw KnowHowError.missingField("a resource's title") }
        return Edit(changed: changed, title: title)
    }

    /// A practice's edit, checked as a resource's; its status and verifier change only by
    /// verifying or retiring it.
    public static func practiceEdit(from original: Practice, current: Practice, to edited: Practice, entry: String) throws -> Edit? {
        let changed = try changes(from: original, current: current, to: edited, entry: entry)
        guard !changed.isEmpty else { return nil }
        try Validation.checkLengths(edited)
        guard let title = Validation.text(edited.title) else { throw KnowHowError.missingField("a practice's title") }
        if changed.contains("status") || changed.contains("verified by") {
            throw KnowHowError.unsupported("a practice's status changes with `verify \(entry)` or `retire \(entry)`, not by editing")
        }
        return Edit(changed: changed, title: title)
    }

    /// Only resources, practices, questions and meetings carry tags; a member has skills.
    public static func checkTaggable(_ id: EntryID) throws {
        guard [.resource, .practice, .question, .meeting].contains(id.type) else {
            throw KnowHowError.unsupported("only resources, practices, questions and meetings have tags; a member's skills change with `edit @handle`")
        }
    }

    /// The refusal to remove a tag an entry does not have.
    public static func notTagged(_ id: EntryID, _ tag: String) -> KnowHowError {
        .conflict("\(id) is not tagged '\(tag)'; nothing was changed")
    }

    /// The history line of an edit: "edited r12: title, tags".
    public static func note(_ entry: String, _ changed: [String], verb: String = "edited") -> String {
        "\(verb) \(entry): " + changed.joined(separator: ", ")
    }

    /// The rules of a member's edit beyond its fields, in the order every store applies them: the
    /// handle never changes (merging combines members), a role change needs the set-role
    /// permission too (`authorizeRoleChange` checks it), lengths are checked and a name is
    /// required. Returns the name to store.
    public static func checkMemberEdit(_ changed: [String], edited: Member, authorizeRoleChange: () throws -> Void) throws -> String {
        if changed.contains("handle") {
            throw KnowHowError.unsupported("a handle cannot be changed; to combine two members use `merge @keep @drop`")
        }
        if changed.contains("role") { try authorizeRoleChange() }
        try Validation.checkLengths(edited)
        guard let name = Validation.text(edited.name) else { throw KnowHowError.missingField("a member's name") }
        return name
    }

    static func checkNotStale(_ changedMeanwhile: [String], entry: String) throws {
        if !changedMeanwhile.isEmpty { throw KnowHowError.staleEdit(entry: entry, changed: changedMeanwhile, keptIn: nil) }
    }

    /// The names of the fields that differ (tags, authors, skills and interests as sets).
    public static func fields(_ a: Resource, _ b: Resource) -> [String] {
        var f: [String] = []
        if a.title != b.title { f.append("title") }
        if a.url != b.url { f.append("url") }
        if a.kind != b.kind { f.append("kind") }
        if a.summary != b.summary { f.append("summary") }
        if a.body != b.body { f.append("details") }
        if Set(a.tags) != Set(b.tags) { f.append("tags") }
        if a.contributor != b.contributor { f.append("contributor") }
        if Set(a.authors) != Set(b.authors) { f.append("authors") }
        if a.status != b.status { f.append("status") }
        return f
    }

    public static func fields(_ a: Practice, _ b: Practice) -> [String] {
        var f: [String] = []
        if a.title != b.title { f.append("title") }
        if a.context != b.context { f.append("context") }
        if a.practice != b.practice { f.append("practice") }
        if a.evidence != b.evidence { f.append("evidence") }
        if Set(a.tags) != Set(b.tags) { f.append("tags") }
        if a.contributor != b.contributor { f.append("contributor") }
        if a.status != b.status { f.append("status") }
        if a.verifiedBy != b.verifiedBy { f.append("verified by") }
        if a.reviewBy != b.reviewBy { f.append("review by") }
        return f
    }

    public static func fields(_ a: Member, _ b: Member) -> [String] {
        var f: [String] = []
        if a.handle != b.handle { f.append("handle") }
        if a.name != b.name { f.append("name") }
        if a.email != b.email { f.append("email") }
        if a.organisation != b.organisation { f.append("organisation") }
        if a.sector != b.sector { f.append("sector") }
        if a.location != b.location { f.append("location") }
        if a.timeZone != b.timeZone { f.append("time zone") }
        if a.bio != b.bio { f.append("about") }
        if a.role != b.role { f.append("role") }
        if a.openToQuestions != b.openToQuestions { f.append("open to questions") }
        if a.mentoring != b.mentoring { f.append("mentoring") }
        if Set(a.skills) != Set(b.skills) { f.append("skills") }
        if Set(a.interests) != Set(b.interests) { f.append("interests") }
        return f
    }
}

/// What a change is made to, as each store authorises it: the entry or member (`r12`, `@kim`), who
/// owns it (for "own entry" rules) and, for verification, the tags whose experts may make it.
public struct ChangeTarget: Sendable {
    public var ref: String?
    public var owner: String?
    public var expertTags: [Int64] = []
    public init(ref: String? = nil, owner: String? = nil, expertTags: [Int64] = []) {
        self.ref = ref; self.owner = owner; self.expertTags = expertTags
    }
}

extension ChangeTarget {
    /// What a permission check on `ref` is made to, as every store builds it: an entry's owner
    /// (`owner`), or the acting member when recording a meeting they were at (`people` reads who
    /// was there); a practice's tags when verifying it (`tags`); a member is their own owner.
    public static func of(_ ref: EntryRef?, action: ChangeAction, actor: String?, owner: (EntryID) throws -> String?,
                          people: (EntryID) throws -> [String], tags: (EntryID) throws -> [Int64]) throws -> ChangeTarget {
        var t = ChangeTarget(ref: ref?.description)
        switch ref {
        case .entry(let id)?:
            t.owner = try owner(id)
            if action == .recordMeeting, id.type == .meeting, let me = actor, try people(id).contains(me) { t.owner = me }
            if action == .verify { t.expertTags = try tags(id) }
        case .member(let h)?: t.owner = h
        case nil: break
        }
        return t
    }
}
