import Foundation

/// The port every store implements (SQLite today, PostgreSQL later). The core and the shell
/// talk only to this.
public protocol KnowledgeStore: AnyObject, ExpertEvidenceSource {
    /// Ranked hits across kinds for a parsed query.
    func search(_ query: Query, limit: Int) throws -> SearchResults
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

    // Completion: prefix look-ups that stay fast on large stores.
    func handles(startingWith prefix: String, limit: Int) throws -> [String]
    func tagNames(startingWith prefix: String, limit: Int) throws -> [(name: String, count: Int)]
    func entryTitles(startingWith id: String, limit: Int) throws -> [(id: EntryID, title: String)]

    // Writes: each is one transaction.
    func importCommunity(_ file: CommunityFile) throws -> ImportSummary
    func exportCommunity() throws -> CommunityFile
    @discardableResult func add(_ member: Member) throws -> Member
    @discardableResult func add(_ resource: Resource) throws -> EntryID
    @discardableResult func add(_ practice: Practice) throws -> EntryID

    // Questions, answers and endorsements.
    func ask(_ question: Question) throws -> EntryID
    func answer(_ answer: Answer) throws -> EntryID
    /// Marks an answer accepted; returns its question.
    func accept(_ answer: EntryID) throws -> EntryID
    /// False when this endorsement was already recorded.
    func endorse(_ member: String, tag: String, by endorser: String) throws -> Bool
    /// False when there was nothing to withdraw.
    func withdrawEndorsement(_ member: String, tag: String, by endorser: String) throws -> Bool
    /// Endorsers of a member, by tag.
    func endorsements(of member: String) throws -> [String: [String]]
    /// Tags of what a member contributed or answered, strongest first.
    func evidenceTags(of member: String, limit: Int) throws -> [(tag: String, weight: Double)]
}
