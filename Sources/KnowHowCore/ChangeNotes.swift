import Foundation

/// The history lines of changes, worded once for every store: what `history` shows of a change.
/// (Edits, merges, verification and retirement word theirs beside their rules: `EditRules`,
/// `MergeRules`, `PracticeRules`.)
public enum ChangeNotes {
    /// "added @kim (Kim Lee)"
    public static func added(_ member: Member) -> String { "added @\(member.handle) (\(member.name))" }
    /// "added r12: Checklist"
    public static func added(_ id: EntryID, _ title: String) -> String { "added \(id): \(title)" }
    /// "asked q7: How do we…"
    public static func asked(_ id: EntryID, _ title: String) -> String { "asked \(id): \(title)" }
    /// "answered q7 as a9"
    public static func answered(question: Int64, _ id: EntryID) -> String { "answered q\(question) as \(id)" }
    /// "accepted a9 as the answer to q7"
    public static func accepted(answer: Int64, question: Int64) -> String { "accepted a\(answer) as the answer to q\(question)" }
    /// "endorsed @kim for facilitation", and " as @sam" when a curator endorses for someone else.
    public static func endorsed(_ member: String, tag: String, by endorser: String, actor: String?) -> String {
        "endorsed @\(member) for \(tag)" + (actor == endorser ? "" : " as @\(endorser)")
    }
    /// "withdrew the endorsement of @kim for facilitation", and " by @sam" for someone else's.
    public static func withdrew(_ member: String, tag: String, by endorser: String, actor: String?) -> String {
        "withdrew the endorsement of @\(member) for \(tag)" + (actor == endorser ? "" : " by @\(endorser)")
    }
    /// "tagged r12 +onboarding -hr"
    public static func tagged(_ id: EntryID, adding: [String], removing: [String]) -> String {
        "tagged \(id) " + signed(adding, removing)
    }
    /// "aliases of onboarding: +induction -starting"
    public static func aliases(of tag: String, adding: [String], removing: [String]) -> String {
        "aliases of \(tag): " + signed(adding, removing)
    }
    public static func renamedTag(_ old: String, to new: String) -> String { "renamed tag \(old) to \(new)" }
    public static func mergedTag(_ from: String, into: String) -> String { "merged tag \(from) into \(into)" }
    public static func describedTag(_ name: String) -> String { "described tag " + name }
    public static func addedSeries(_ name: String) -> String { "added series \(name)" }
    /// "planned m4: Elevenses"
    public static func planned(_ id: EntryID, _ title: String) -> String { "planned \(id): \(title)" }
    /// "undid #12: added r3: Checklist"
    public static func undid(_ number: Int64, _ summary: String) -> String { "undid #\(number): " + summary }

    static func signed(_ adding: [String], _ removing: [String]) -> String {
        (adding.map { "+" + $0 } + removing.map { "-" + $0 }).joined(separator: " ")
    }
}
