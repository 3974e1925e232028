import Foundation

// The port every store implements (SQLite today, PostgreSQL next), split by capability so that a
// front end or a use case can say what it needs. `KnowledgeStore` composes them all; the core
// and the front ends talk only to these (the executable alone knows which store serves a path).
// A store holds no per-user state: who acts and "now" travel with each write (`Acting`), so one
// store can serve many members at once (an MCP server, a web page), and the ports are `Sendable`.

/// Who makes a change and the time it is stamped with, given to every write.
public struct Acting: Equatable, Sendable {
    /// Whom the write is made for; it is checked against their role and recorded in history.
    public var actor: ActingAs
    /// The time the change is stamped with (the clock's, or a frozen time in tests and transcripts).
    public var now: Timestamp

    public init(_ actor: ActingAs, at now: Timestamp = .now) {
        self.actor = actor
        self.now = now
    }

    /// A program acting on its own account (tests, the demo loader, tools), now.
    public static var system: Acting { Acting(.system) }
}

/// Reading: searches, listings, records, and the prefix look-ups completion needs.
public protocol KnowledgeReading: AnyObject, Sendable, ExpertEvidenceSource {
    /// Ranked hits across kinds for a parsed query.
    func search(_ query: Query, limit: Int) throws -> SearchResults
    /// A search's ranked entries as `search` orders them, with what re-ranking needs (`closest`):
    /// a store may leave out titles, extracts and tags, which `hits(for:query:)` builds for the
    /// few shown. It may also name searched words no entry holds (`SearchPool.absentWords`).
    func searchPool(_ query: Query, limit: Int) throws -> SearchPool
    /// The full hits of pool entries (marked for `query`), in the pool's order; entries gone since are left out.
    func hits(for pool: [PoolHit], query: Query) throws -> [SearchHit]
    /// Entries of one type, optionally narrowed by a query, in a stable order.
    func list(_ type: EntryType, query: Query?, limit: Int) throws -> SearchResults
    func listTags(query: String?, limit: Int) throws -> [TagDetail]
    func member(_ handle: String) throws -> Member
    func resource(_ id: EntryID) throws -> Resource
    func practice(_ id: EntryID) throws -> Practice
    func question(_ id: EntryID) throws -> Question
    func answer(_ id: EntryID) throws -> Answer
    func answers(to question: EntryID) throws -> [Answer]
    func tag(_ name: String) throws -> TagDetail
    /// The canonical tag for a name or alias, nil when neither exists.
    func resolveTag(_ nameOrAlias: String) throws -> String?
    func counts() throws -> StoreCounts
    func handles(startingWith prefix: String, limit: Int) throws -> [String]
    func tagNames(startingWith prefix: String, limit: Int) throws -> [(name: String, count: Int)]
    func entryTitles(startingWith id: String, limit: Int) throws -> [(id: EntryID, title: String)]
    /// Endorsers of a member, by tag.
    func endorsements(of member: String) throws -> [String: [String]]
    /// Tags of what a member contributed or answered, strongest first.
    func evidenceTags(of member: String, limit: Int) throws -> [(tag: String, weight: Double)]
    /// Where a merged-away id or handle points now; nil when it exists itself or was never merged.
    func redirect(_ ref: EntryRef) throws -> EntryRef?
    /// Existing entries like one being added, closest first.
    func similar(to draft: Draft, limit: Int) throws -> [SimilarEntry]
    func successor(of id: EntryID) throws -> EntryID?
}

/// Contributing: members, entries, questions, answers, endorsements and edits; each write is one
/// transaction, checked against the acting member's role in one place and recorded in history.
public protocol KnowledgeContributing: AnyObject, Sendable {
    /// Creates the store if it does not exist yet; true when it did. Reads never create a store:
    /// they say there is none; the first write creates it.
    @discardableResult func create() throws -> Bool
    @discardableResult func add(_ member: Member, as acting: Acting) throws -> Member
    @discardableResult func add(_ resource: Resource, as acting: Acting) throws -> EntryID
    @discardableResult func add(_ practice: Practice, as acting: Acting) throws -> EntryID
    func ask(_ question: Question, as acting: Acting) throws -> EntryID
    func answer(_ answer: Answer, as acting: Acting) throws -> EntryID
    /// Marks an answer accepted; returns its question.
    func accept(_ answer: EntryID, as acting: Acting) throws -> EntryID
    /// False when this endorsement was already recorded.
    func endorse(_ member: String, tag: String, by endorser: String, as acting: Acting) throws -> Bool
    /// False when there was nothing to withdraw.
    func withdrawEndorsement(_ member: String, tag: String, by endorser: String, as acting: Acting) throws -> Bool
    /// Throws what the change would be refused with (checked again when it is made): lets a command
    /// say which role is needed before asking for anything.
    func authorize(_ action: ChangeAction, on ref: EntryRef?, as acting: Acting) throws
    /// Each saves an edit if nobody changed the entry since `original` was read (else `staleEdit`);
    /// returns the names of the fields changed.
    @discardableResult func update(_ edited: Resource, expecting original: Resource, as acting: Acting) throws -> [String]
    @discardableResult func update(_ edited: Practice, expecting original: Practice, as acting: Acting) throws -> [String]
    @discardableResult func update(_ edited: Member, expecting original: Member, as acting: Acting) throws -> [String]
    /// Adds and removes tags of a resource, practice or question; returns its tags after.
    func retag(_ id: EntryID, add: [String], remove: [String], as acting: Acting) throws -> [String]
}

/// Curating (see Curation.swift): duplicates, merges, tags, verification, history and undo.
public protocol KnowledgeCurating: AnyObject, Sendable {
    /// Likely duplicate pairs for a curator to review, strongest first, leaving out pairs marked
    /// not duplicates.
    func duplicates(limit: Int) throws -> [DuplicatePair]
    /// Records that two entries or members are not duplicates, so `duplicates` stops listing them.
    func markNotDuplicates(_ a: EntryRef, _ b: EntryRef, as acting: Acting) throws
    func renameTag(_ old: String, to new: String, as acting: Acting) throws
    func tagMergePlan(_ from: String, into: String) throws -> TagMergePlan
    @discardableResult func mergeTag(_ from: String, into: String, as acting: Acting) throws -> TagMergePlan
    func changeAliases(_ tag: String, add: [String], remove: [String], as acting: Acting) throws -> Tag
    func describeTag(_ tag: String, _ text: String?, as acting: Acting) throws
    func mergePlan(keep: EntryRef, drop: EntryRef) throws -> MergePlan
    @discardableResult func merge(keep: EntryRef, drop: EntryRef, as acting: Acting) throws -> MergePlan
    func verify(_ id: EntryID, reviewBy: Day?, as acting: Acting) throws -> Practice
    func retire(_ id: EntryID, supersededBy: EntryID?, as acting: Acting) throws -> Practice
    /// Practices not retired whose review date is past or within `days` of `today`.
    func dueForReview(within days: Int, today: Day) throws -> [Practice]
    /// Changes, newest first: all, those touching an entry, member or tag, or those by a member.
    func history(of reference: String?, by actor: String?, limit: Int) throws -> [ChangeRecord]
    /// One change with its rows, field by field.
    func historyRecord(_ number: Int64) throws -> ChangeRecord
    /// Reverses a change (nil: the acting member's last); returns the record of the undo.
    func undo(_ number: Int64?, as acting: Acting) throws -> ChangeRecord
}

/// Insight facts (see Insights.swift): the search log, and the facts `stats`, `gaps`, `topics`,
/// `match`, `stale` and `graph` compute from.
public protocol InsightFacts: AnyObject, Sendable {
    /// Whether searches are logged, and with whom (a store setting; `on` until a curator changes it).
    func searchLogging() throws -> SearchLogging
    /// Changes the setting; curators only.
    func setSearchLogging(_ mode: SearchLogging, as acting: Acting) throws
    /// Records a search as the setting says: in full, without the member, or not at all.
    func logSearch(_ entry: SearchLogEntry) throws
    /// Logged searches in a period (all when nil), oldest first.
    func searchLog(in period: Period?) throws -> [SearchLogEntry]
    /// Every member with skills and interests, by handle.
    func allMembers() throws -> [Member]
    /// Dated activity (joins, entries, questions, answers, verifications, endorsements, searches)
    /// from `since` on (all when nil), oldest first.
    func activity(since: Timestamp?) throws -> [Activity]
    /// Questions nobody has answered, newest first.
    func unansweredQuestions() throws -> [Question]
    /// Tag names and aliases, each to its tag.
    func tagVocabulary() throws -> TagVocabulary
    /// Active resources and practices not retired that nobody changed since `cutoff`, oldest first.
    func untouched(since cutoff: Timestamp) throws -> [UntouchedEntry]
}

/// Transfer: whole communities in and out.
public protocol KnowledgeTransfer: AnyObject, Sendable {
    func importCommunity(_ file: CommunityFile, as acting: Acting) throws -> ImportSummary
    /// The same from records read as they are needed (a large file); `progress` hears a line a few times a second.
    /// An id the store holds with another title is refused, naming the record; with `renumber`
    /// the record gets a new id instead (listed in the summary), and the file's references follow.
    func importCommunity(_ records: some CommunityRecords, renumber: Bool, progress: ((String) -> Void)?, as acting: Acting) throws -> ImportSummary
    func exportCommunity() throws -> CommunityFile
    /// Imports a Stack Exchange data-dump folder in one transaction; `progress` hears a line a few times a second.
    func importStackExchange(folder: String, site: String?, progress: ((String) -> Void)?, as acting: Acting) throws -> ImportSummary
}

/// Meetings (see Meeting.swift): series, the meetings themselves, and who presented and attended.
/// Each write is one transaction, checked and recorded in history as the other writes are.
public protocol KnowledgeMeetings: AnyObject, Sendable {
    /// Adds a series; its name must be new.
    @discardableResult func addSeries(_ series: MeetingSeries, as acting: Acting) throws -> MeetingSeries
    /// Every series, by name.
    func allSeries() throws -> [MeetingSeries]
    @discardableResult func add(_ meeting: Meeting, as acting: Acting) throws -> EntryID
    func meeting(_ id: EntryID) throws -> Meeting
    /// Meetings by start, of one series when named, starting in `from`…`through` when given.
    func meetings(series: String?, from: Timestamp?, through: Timestamp?) throws -> [Meeting]
    /// Saves an edit (notes, attendance, links…) if nobody changed the meeting since `original`
    /// was read (else `staleEdit`); `action` is `.editMeeting` or `.recordMeeting`. Returns the
    /// names of the fields changed.
    @discardableResult func update(_ edited: Meeting, expecting original: Meeting, action: ChangeAction, as acting: Acting) throws -> [String]
    /// Adds the series and meetings of a calendar in one change (planning: contributors), skipping
    /// those already present (same name; same UID); undoable as a whole.
    func importMeetings(series: [MeetingSeries], meetings: [Meeting], as acting: Acting) throws -> ImportSummary
}

/// A store whose database knows who connects (PostgreSQL): the member mapped to the database login
/// is the one who acts, and acting for another member (`--as`) is for curators; the store refuses
/// it otherwise, whatever the front end passes.
public protocol LoginIdentity: AnyObject, Sendable {
    /// The database login, the handle mapped to it (nil: none yet), and whether it may act for others.
    func loginMember() throws -> (login: String, handle: String?, mayActForOthers: Bool)
}

/// A whole store: every capability.
public protocol KnowledgeStore: KnowledgeReading, KnowledgeContributing, KnowledgeCurating, InsightFacts, KnowledgeTransfer,
                                KnowledgeMeetings {}

extension KnowledgeTransfer {
    /// An import that refuses ids the store holds with other content.
    public func importCommunity(_ records: some CommunityRecords, progress: ((String) -> Void)?, as acting: Acting) throws -> ImportSummary {
        try importCommunity(records, renumber: false, progress: progress, as: acting)
    }
}
