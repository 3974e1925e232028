import Foundation

/// Who a store's writes are made on behalf of.
public enum ActingAs: Equatable, Sendable, CustomStringConvertible {
    /// A program acting on its own account (tests, the demo loader, tools): no role checks.
    case system
    /// Nobody identified: only a new store's first steps are allowed (its first member, an import).
    case nobody
    /// A member, by handle: every write is checked against their role.
    case member(String)

    public init(_ handle: String?) {
        self = handle.map { .member($0) } ?? .nobody
    }

    public var handle: String? {
        if case .member(let h) = self { return h }
        return nil
    }

    public var description: String { handle.map { "@" + $0 } ?? (self == .system ? "(system)" : "(nobody)") }
}

/// Every kind of change a store records: the permission table and the history name them.
public enum ChangeAction: String, CaseIterable, Codable, Sendable {
    case addMember = "add member", addResource = "add resource", addPractice = "add practice"
    case editMember = "edit member", editResource = "edit resource", editPractice = "edit practice"
    case editQuestion = "edit question"
    case setRole = "set role"
    case ask, answer, accept, endorse
    case withdrawEndorsement = "withdraw endorsement"
    case tagRename = "tag rename", tagMerge = "tag merge", tagAlias = "tag alias", tagDescribe = "tag describe"
    case merge, verify, retire
    case notDuplicates = "not duplicates"
    case addSeries = "add series", planMeeting = "plan meeting", editMeeting = "edit meeting"
    case recordMeeting = "record meeting"
    case importCommunity = "import"
    case undo

    /// Editing an entry of this type (tags included).
    public static func edit(_ type: EntryType) -> ChangeAction {
        switch type {
        case .member: return .editMember
        case .resource: return .editResource
        case .practice: return .editPractice
        case .question, .answer: return .editQuestion
        case .meeting: return .editMeeting
        }
    }

    /// Adding an entry of this type.
    public static func add(_ type: EntryType) -> ChangeAction {
        switch type {
        case .member: return .addMember
        case .resource: return .addResource
        case .practice: return .addPractice
        case .question: return .ask
        case .answer: return .answer
        case .meeting: return .planMeeting
        }
    }
}

/// One row of the permission table: who may make a kind of change.
public struct Permission: Sendable {
    public var action: ChangeAction
    /// The least role that may make the change to anything.
    public var least: Role
    /// The least role that may make it to their own entry, profile, question or change; nil when
    /// owning gives no right.
    public var leastForOwn: Role?
    /// Members with expert level in one of the entry's tags may make it too (verification).
    public var experts: Bool
    /// The change as a phrase, for refusals: "adding a resource".
    public var doing: String
    /// The phrase when the entry is someone else's: "editing someone else's resource".
    public var doingOthers: String?

    public init(_ action: ChangeAction, _ least: Role, own: Role? = nil, experts: Bool = false,
                _ doing: String, others: String? = nil) {
        self.action = action; self.least = least; leastForOwn = own; self.experts = experts
        self.doing = doing; doingOthers = others
    }
}

/// The one permission table. Roles include the ones before them: member < contributor < curator.
public enum Permissions {
    public static let table: [Permission] = [
        Permission(.addMember, .curator, "adding a member"),
        Permission(.addResource, .contributor, "adding a resource"),
        Permission(.addPractice, .contributor, "adding a practice"),
        Permission(.editMember, .curator, own: .member, "editing a profile", others: "editing someone else's profile"),
        Permission(.editResource, .curator, own: .contributor, "editing a resource", others: "editing someone else's resource"),
        Permission(.editPractice, .curator, own: .contributor, "editing a practice", others: "editing someone else's practice"),
        Permission(.editQuestion, .curator, own: .member, "editing a question", others: "editing someone else's question"),
        Permission(.setRole, .curator, "changing a member's role"),
        // Asking, answering and endorsing are every member's, in their own name.
        Permission(.ask, .curator, own: .member, "asking a question", others: "asking in someone else's name"),
        Permission(.answer, .curator, own: .member, "answering", others: "answering in someone else's name"),
        Permission(.accept, .curator, own: .member, "accepting an answer", others: "accepting an answer to someone else's question"),
        Permission(.endorse, .curator, own: .member, "endorsing", others: "endorsing in someone else's name"),
        Permission(.withdrawEndorsement, .curator, own: .member, "withdrawing an endorsement",
                   others: "withdrawing someone else's endorsement"),
        Permission(.tagRename, .curator, "renaming a tag"),
        Permission(.tagMerge, .curator, "merging tags"),
        Permission(.tagAlias, .curator, "changing a tag's aliases"),
        Permission(.tagDescribe, .curator, "describing a tag"),
        Permission(.merge, .curator, "merging duplicates"),
        Permission(.notDuplicates, .curator, "marking a pair as not duplicates"),
        Permission(.verify, .curator, experts: true, "verifying a practice"),
        Permission(.retire, .curator, "retiring a practice"),
        // Meetings: contributors plan them and edit their own; whoever was there records who came
        // and the notes (`own` is a meeting's organiser, presenters and attendees).
        Permission(.addSeries, .contributor, "adding a meeting series"),
        Permission(.planMeeting, .contributor, "planning a meeting"),
        Permission(.editMeeting, .curator, own: .contributor, "editing a meeting", others: "editing a meeting someone else organised"),
        Permission(.recordMeeting, .curator, own: .member, "recording a meeting's attendance and notes",
                   others: "recording attendance and notes of a meeting you did not attend"),
        Permission(.importCommunity, .curator, "importing into a store that has members"),
        Permission(.undo, .curator, own: .member, "undoing a change", others: "undoing someone else's change"),
    ]

    public static func rule(_ action: ChangeAction) -> Permission {
        table.first { $0.action == action }!
    }

    /// The role that is missing, or nil when a member with `role` may make the change.
    public static func missingRole(_ action: ChangeAction, role: Role, isOwner: Bool, isExpert: Bool = false) -> Role? {
        let r = rule(action)
        if role >= r.least { return nil }
        if isOwner, let own = r.leastForOwn {
            return role >= own ? nil : own
        }
        if r.experts && isExpert { return nil }
        return r.least
    }

    /// Throws `permissionDenied` naming the role needed, unless the change is allowed.
    public static func require(_ action: ChangeAction, handle: String, role: Role, isOwner: Bool, isExpert: Bool = false,
                               target: String? = nil) throws {
        guard let needs = missingRole(action, role: role, isOwner: isOwner, isExpert: isExpert) else { return }
        let r = rule(action)
        var doing = (!isOwner && r.leastForOwn != nil ? r.doingOthers : nil) ?? r.doing
        if let target { doing += " (\(target))" }
        if r.experts && needs == r.least { doing += " without expert level in one of its tags" }
        throw KnowHowError.permissionDenied(action: doing.prefix(1).uppercased() + doing.dropFirst(), needs: needs, actor: handle)
    }
}

/// One recorded change: who made it, when, what, and whether it was undone.
public struct ChangeRecord: Equatable, Sendable {
    public var number: Int64
    /// nil for the system or for nobody identified.
    public var actor: String?
    public var at: Timestamp
    public var action: String
    /// What was changed, as a sentence: "merged r15 into r12".
    public var summary: String
    /// Rows the change touched (an undo restores them); zero for imports, which cannot be undone.
    public var rowCount: Int
    public var undoes: Int64?
    public var undoneBy: Int64?
    /// Field by field, when asked for.
    public var details: [RowChange]

    public init(number: Int64, actor: String?, at: Timestamp, action: String, summary: String, rowCount: Int,
                undoes: Int64? = nil, undoneBy: Int64? = nil, details: [RowChange] = []) {
        self.number = number; self.actor = actor; self.at = at; self.action = action; self.summary = summary
        self.rowCount = rowCount; self.undoes = undoes; self.undoneBy = undoneBy; self.details = details
    }
}

/// One row a change created, deleted or updated, with the values before and after.
public struct RowChange: Equatable, Sendable {
    public enum Kind: String, Sendable { case created, deleted, updated }
    public var kind: Kind
    /// The table, in words: "resource", "entry tag".
    public var table: String
    /// The row's key, readable: "r12", "@kim", "r12 #onboarding".
    public var key: String
    /// Changed fields: name, before, after (nil when absent).
    public var fields: [(name: String, before: String?, after: String?)]

    public init(kind: Kind, table: String, key: String, fields: [(name: String, before: String?, after: String?)]) {
        self.kind = kind; self.table = table; self.key = key; self.fields = fields
    }

    public static func == (l: RowChange, r: RowChange) -> Bool {
        l.kind == r.kind && l.table == r.table && l.key == r.key && l.fields.count == r.fields.count
            && zip(l.fields, r.fields).allSatisfy { $0.name == $1.name && $0.before == $1.before && $0.after == $1.after }
    }
}

/// An existing entry that looks like one being added, and why.
public struct SimilarEntry: Equatable, Sendable {
    public var ref: EntryRef
    public var title: String
    public var why: String
    /// 0…1, higher is closer.
    public var score: Double

    public init(ref: EntryRef, title: String, why: String, score: Double) {
        self.ref = ref; self.title = title; self.why = why; self.score = score
    }
}

/// What is being added, for the similar-entries check.
public struct Draft: Equatable, Sendable {
    public var type: EntryType
    public var title: String
    public var summary: String?
    public var url: String?
    public var email: String?
    public var tags: [String]

    public init(type: EntryType, title: String, summary: String? = nil, url: String? = nil, email: String? = nil,
                tags: [String] = []) {
        self.type = type; self.title = title; self.summary = summary; self.url = url; self.email = email; self.tags = tags
    }
}

/// Two entries (or members) that look like duplicates.
public struct DuplicatePair: Equatable, Sendable {
    public var keep: EntryRef
    public var drop: EntryRef
    public var keepTitle: String
    public var dropTitle: String
    public var why: String
    /// 0…1: how sure the match is (same address or email 1, near-identical titles by closeness).
    public var strength: Double

    public init(keep: EntryRef, drop: EntryRef, keepTitle: String, dropTitle: String, why: String, strength: Double = 1) {
        self.keep = keep; self.drop = drop; self.keepTitle = keepTitle; self.dropTitle = dropTitle; self.why = why
        self.strength = strength
    }
}

/// What a merge of two entries or members will do (or did).
public struct MergePlan: Equatable, Sendable {
    public var keep: EntryRef
    public var drop: EntryRef
    /// Field, kept value, dropped value, and the value after the merge.
    public var fields: [MergeField]
    /// References that move to the kept one, as phrases: "3 answers", "2 skills".
    public var moves: [String]

    public struct MergeField: Equatable, Sendable {
        public var name: String
        public var keep: String
        public var drop: String
        public var result: String
        /// A list whose result is the union of both (tags, authors, skills, interests).
        public var union: Bool
        public init(name: String, keep: String, drop: String, result: String, union: Bool = false) {
            self.name = name; self.keep = keep; self.drop = drop; self.result = result; self.union = union
        }
    }

    public init(keep: EntryRef, drop: EntryRef, fields: [MergeField], moves: [String]) {
        self.keep = keep; self.drop = drop; self.fields = fields; self.moves = moves
    }
}

/// What merging one tag into another touches.
public struct TagMergePlan: Equatable, Sendable {
    public var from: String
    public var into: String
    public var entries: Int
    public var members: Int
    /// Entries and members that already have both tags.
    public var overlap: Int
    public var aliases: [String]

    public init(from: String, into: String, entries: Int, members: Int, overlap: Int, aliases: [String]) {
        self.from = from; self.into = into; self.entries = entries; self.members = members
        self.overlap = overlap; self.aliases = aliases
    }
}

/// Closeness of titles, names and addresses, for catching duplicates before they are made.
public enum Similarity {
    /// Titles this close are shown before adding when the entries also share a tag (or the
    /// summaries agree); this close or closer on their own.
    public static let similarTitle = 0.6
    public static let closeTitle = 0.75
    /// Titles this close are listed by `duplicates` on their own.
    public static let nearIdenticalTitle = 0.85

    // The classes of likeness every store reports, with their words; a store only finds the
    // candidates (by address, email, name or full-text search).

    /// How an existing entry of the draft's type compares with it; nil when not worth showing.
    public static func entryLikeness(title: String, summary: String?, to draft: Draft, sharesTag: Bool) -> (why: String, score: Double)? {
        let t = titleScore(title, draft.title)
        if t >= closeTitle { return ("similar title", t) }
        if t >= similarTitle && sharesTag { return ("similar title, same tags", t) }
        guard draft.summary != nil else { return nil }
        let both = dice(words(title + " " + (summary ?? "")), words(draft.title + " " + (draft.summary ?? "")))
        return both >= 0.5 ? ("similar title and summary", both) : nil
    }

    /// How a member found by name compares with a draft member: the same name however written
    /// (Kim Lee, kim-lee, KimLee), or a similar one; nil when neither.
    public static func memberLikeness(name: String, handle: String, to draft: Draft) -> (why: String, score: Double)? {
        let key = nameKey(draft.title)
        if nameKey(name) == key || nameKey(handle) == key { return (sameName, 1) }
        let s = titleScore(name, draft.title)
        return s >= nearIdenticalTitle ? ("similar name", s) : nil
    }

    public static let sameAddress = "same address"
    public static let sameEmail = "same email"
    public static let sameName = "same name"

    /// Why `duplicates` lists two entries whose titles are this close (0…1).
    public static func nearIdenticalTitles(_ score: Double) -> String { "near-identical titles (\(Int((score * 100).rounded()))%)" }
    /// Why `duplicates` lists two entries sharing a tag whose titles are this close.
    public static func similarTitlesSameTags(_ score: Double) -> String { "similar titles, same tags (\(Int((score * 100).rounded()))%)" }

    /// Significant words: folded, without stop words, lightly stemmed (`starters` → `starter`).
    public static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        var out: [String] = []
        for w in folded.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            var s = String(w)
            if ExpertRanker.stopWords.contains(s) || s.count < 2 { continue }
            if s.count > 4, s.hasSuffix("ies") { s = String(s.dropLast(3)) + "y" }
            else if s.count > 3, s.hasSuffix("s"), !s.hasSuffix("ss") { s.removeLast() }
            out.append(s)
        }
        return out
    }

    /// A title folded to lowercase words separated by single spaces.
    public static func titleKey(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        return folded.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
    }

    /// 0…1: the better of shared significant words (Dice) and edit distance of the folded titles.
    public static func titleScore(_ a: String, _ b: String) -> Double {
        let ka = titleKey(a), kb = titleKey(b)
        if ka.isEmpty || kb.isEmpty { return 0 }
        if ka == kb { return 1 }
        let longest = max(ka.count, kb.count)
        let limit = longest / 3
        let d = EditDistance.distance(ka, kb, limit: limit)
        let edit = d > limit ? 0 : 1 - Double(d) / Double(longest)
        return max(edit, dice(words(a), words(b)))
    }

    /// Dice's coefficient of two word lists (as sets).
    public static func dice(_ a: [String], _ b: [String]) -> Double {
        let x = Set(a), y = Set(b)
        guard !x.isEmpty, !y.isEmpty else { return 0 }
        return 2 * Double(x.intersection(y).count) / Double(x.count + y.count)
    }

    /// A web address reduced to what identifies the page: no scheme, `www.`, fragment or final slash.
    public static func urlKey(_ url: String) -> String {
        var u = url.trimmingCharacters(in: .whitespaces)
        if let hash = u.firstIndex(of: "#") { u = String(u[..<hash]) }
        for scheme in ["https://", "http://"] where u.lowercased().hasPrefix(scheme) { u = String(u.dropFirst(scheme.count)) }
        let hostEnd = u.firstIndex { $0 == "/" || $0 == "?" } ?? u.endIndex
        var host = u[..<hostEnd].lowercased()
        if host.hasPrefix("www.") { host = String(host.dropFirst(4)) }
        var rest = String(u[hostEnd...])
        while rest.hasSuffix("/") { rest.removeLast() }
        return host + rest
    }

    /// A person's name or handle folded to letters and digits: `Kim Lee`, `kim-lee`, `kimlee` agree.
    public static func nameKey(_ name: String) -> String {
        String(name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
            .unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }
}

/// The form `edit` opens in $EDITOR: `key: value` lines, then `## Heading` sections of longer text.
public struct EditForm: Equatable, Sendable {
    public var fields: [(key: String, value: String)]
    public var sections: [(heading: String, text: String)]

    public init(fields: [(key: String, value: String)], sections: [(heading: String, text: String)]) {
        self.fields = fields; self.sections = sections
    }

    public static func == (l: EditForm, r: EditForm) -> Bool {
        l.fields.map { [$0.key, $0.value] } == r.fields.map { [$0.key, $0.value] }
            && l.sections.map { [$0.heading, $0.text] } == r.sections.map { [$0.heading, $0.text] }
    }

    public func value(_ key: String) -> String? { fields.first { $0.key == key }?.value }
    public func section(_ heading: String) -> String? { sections.first { $0.heading == heading }?.text }

    /// The text to edit, with a comment header.
    public func render(header: [String]) -> String {
        var s = header.map { "# " + $0 }.joined(separator: "\n") + "\n\n"
        let width = (fields.map(\.key.count).max() ?? 0) + 2
        for f in fields { s += (f.key + ":").padding(toLength: width, withPad: " ", startingAt: 0) + f.value + "\n" }
        for sec in sections { s += "\n## \(sec.heading)\n\n" + sec.text + (sec.text.isEmpty ? "" : "\n") }
        return s
    }

    /// Reads an edited form; keys must be among `keys` and headings among `headings`.
    public static func parse(_ text: String, keys: [String], headings: [String]) throws -> EditForm {
        var fields: [(String, String)] = []
        var sections: [(String, String)] = []
        var current: (String, [String])?
        for (i, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            if line.hasPrefix("## ") {
                if let c = current { sections.append((c.0, c.1.joined(separator: "\n"))) }
                let h = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
                guard let known = headings.first(where: { $0.lowercased() == h.lowercased() }) else {
                    throw KnowHowError.invalidValue(field: "section on line \(i + 1)", value: h, expected: headings.joined(separator: ", "))
                }
                current = (known, [])
                continue
            }
            if current != nil { current!.1.append(line); continue }
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("#") { continue }
            guard let colon = t.firstIndex(of: ":") else {
                throw KnowHowError.invalidValue(field: "line \(i + 1)", value: t, expected: "key: value, or a ## section")
            }
            let key = t[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            guard keys.contains(key) else {
                throw KnowHowError.invalidValue(field: "field on line \(i + 1)", value: key, expected: keys.joined(separator: ", "))
            }
            fields.append((key, t[t.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        if let c = current { sections.append((c.0, c.1.joined(separator: "\n"))) }
        return EditForm(fields: fields, sections: sections.map { ($0.0, $0.1.trimmingCharacters(in: .whitespacesAndNewlines)) })
    }
}

/// Two versions of a text cut down to what changed, for `history #N`.
public enum TextDiff {
    /// Longest a value is shown.
    public static let width = 60

    /// Short values as they are; long ones as the changed words with a few words of context
    /// either side (`…the first two weeks…` → `…the first month…`).
    public static func short(_ before: String?, _ after: String?, context: Int = 3) -> (String?, String?) {
        func cut(_ s: String?) -> String? { s.map { $0.count > width ? String($0.prefix(width - 1)) + "…" : $0 } }
        guard let b = before, let a = after, b.count > width || a.count > width else { return (cut(before), cut(after)) }
        let bw = b.split(separator: " ", omittingEmptySubsequences: false), aw = a.split(separator: " ", omittingEmptySubsequences: false)
        var head = 0
        while head < min(bw.count, aw.count), bw[head] == aw[head] { head += 1 }
        var tail = 0
        while tail < min(bw.count, aw.count) - head, bw[bw.count - 1 - tail] == aw[aw.count - 1 - tail] { tail += 1 }
        func excerpt(_ w: [Substring]) -> String {
            let from = max(0, head - context), to = min(w.count, w.count - tail + context)
            let middle = w[from..<max(from, to)].joined(separator: " ")
            return (from > 0 ? "…" : "") + middle + (to < w.count ? "…" : "")
        }
        return (cut(excerpt(bw)), cut(excerpt(aw)))
    }
}
