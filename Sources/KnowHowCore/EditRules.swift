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
