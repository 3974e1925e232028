import Foundation

/// How a practice is verified and retired: the checks, in the order every store applies them,
/// the default review day and the history lines. A store reads and writes the rows; `requireOwn`
/// gives the number of an entry that exists itself (not through a redirect), `require` one that
/// may be reached through a redirect.
public enum PracticeRules {
    /// How long a verification holds when no review day is given.
    public static let reviewAfter: TimeInterval = 365 * 86_400

    /// The practice to verify and the day to review it by: a practice's id, one that exists, a
    /// review day after today, not retired (`status` reads its status). A year on by default.
    public static func verification(of id: EntryID, reviewBy: Day?, today: Day, requireOwn: (EntryID) throws -> Int64,
                                    status: (Int64) throws -> PracticeStatus?) throws -> (number: Int64, review: Day) {
        try requirePractice(id, field: "practice", example: "p3")
        let n = try requireOwn(id)
        if let r = reviewBy, r <= today {
            throw KnowHowError.invalidValue(field: "review date", value: r.description, expected: "a day after today")
        }
        if try status(n) == .retired {
            throw KnowHowError.conflict("\(id) is retired; undo its retirement (see `history \(id)`) before verifying it")
        }
        return (n, reviewBy ?? Day(today.date.addingTimeInterval(reviewAfter)))
    }

    /// The practice to retire and the number of its successor, if one is named: both practices'
    /// ids, the retired one existing itself, and never a practice superseding itself.
    public static func retirement(of id: EntryID, supersededBy: EntryID?, requireOwn: (EntryID) throws -> Int64,
                                  require: (EntryID) throws -> Int64) throws -> (number: Int64, successor: Int64?) {
        try requirePractice(id, field: "practice", example: "p3")
        let n = try requireOwn(id)
        guard let s = supersededBy else { return (n, nil) }
        try requirePractice(s, field: "successor", example: "p7")
        let successor = try require(s)
        guard successor != n else { throw KnowHowError.conflict("a practice cannot supersede itself") }
        return (n, successor)
    }

    /// Who may verify a practice: never its own contributor; a curator; or an expert in one of its
    /// tags whose level someone else vouched for (set it, or endorsed it). `expertIn` reads the
    /// target's tags in which the member is an expert, `vouched` whether someone else stands
    /// behind their level in one, `tagName` a tag's name for the message.
    public static func authorizeVerifier(handle: String, role: Role, _ target: ChangeTarget, expertIn: () throws -> [Int64],
                                         vouched: (Int64) throws -> Bool, tagName: (Int64) throws -> String?) throws {
        let practice = target.ref ?? "this practice"
        if target.owner == handle {
            throw KnowHowError.verificationRefused(practice: practice, actor: handle, reason:
                "they contributed it, and a practice is verified by someone else (a curator, or an expert in one of its tags)")
        }
        if role >= Permissions.rule(.verify).least { return }
        let tags = target.expertTags.isEmpty ? [] : try expertIn()
        guard !tags.isEmpty else {
            return try Permissions.require(.verify, handle: handle, role: role, isOwner: false, target: target.ref)
        }
        for tag in tags where try vouched(tag) { return }
        let tag = try tagName(tags[0]) ?? "its tag"
        throw KnowHowError.verificationRefused(practice: practice, actor: handle, reason:
            "their expert level in \(tag) was set by themselves and nobody else has endorsed it; a curator can verify it "
            + "or confirm the level (`edit @\(handle)`), or another member can `endorse @\(handle) \(tag)`")
    }

    /// "verified p3, review by 2027-05-01"
    public static func verifiedNote(_ id: EntryID, review: Day) -> String { "verified \(id), review by \(review)" }

    /// "retired p3, superseded by p7"
    public static func retiredNote(_ id: EntryID, successor: Int64?) -> String {
        "retired \(id)" + (successor.map { ", superseded by p\($0)" } ?? "")
    }

    static func requirePractice(_ id: EntryID, field: String, example: String) throws {
        guard id.type == .practice else {
            throw KnowHowError.invalidValue(field: field, value: id.description, expected: "a practice id such as \(example)")
        }
    }
}
