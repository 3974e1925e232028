import GRDB
import KnowHowCore

/// What the writes of one transaction share: look-ups they repeat for every row (tag ids by the
/// text a record gives, the words each tag adds to the full-text index, member ids by handle) and,
/// during an import, index rows waiting to be written together and the keys it indexed. An import
/// shares one (its `ChangeNote`'s); a single write uses a fresh one. Whoever changes a tag's name
/// or aliases in the same transaction must call `forget(tag:)`.
///
/// State that lasts a transaction lives here, never in globals: two stores in one process (or
/// two transactions) each have their own.
final class WriteSession {
    /// Index rows are held back and written in batches (see `index`), not one by one.
    let batchesIndex: Bool
    private var pending: [(key: Int64, doc: SQLiteKnowledgeStore.Document)] = []
    static let batchSize = 4_096
    /// During an import, the keys of the entries it indexed: their indexing skips the ranked
    /// lists, which are brought up to date once at the import's end (see `change`). nil otherwise.
    private(set) var importedKeys: [Int64]?

    /// `importing`: an import's session, which batches its index rows and leaves the ranked lists
    /// to its end.
    init(importing: Bool = false) {
        batchesIndex = importing
        importedKeys = importing ? [] : nil
    }

    /// Notes a key indexed during an import; false outside imports (the lists are then kept
    /// current entry by entry).
    func noteImported(_ key: Int64) -> Bool {
        guard importedKeys != nil else { return false }
        importedKeys!.append(key)
        return true
    }

    /// Tag ids by the text as written (`Social Care`, `induction`), names and aliases alike.
    private var tagIDs: [String: Int64] = [:]
    /// A tag's name (to order by) and its words in the index: name and aliases, dashes as spaces.
    private var tagWords: [Int64: (name: String, words: String)] = [:]
    private var memberIDs: [String: Int64] = [:]

    func tagID(_ db: Database, _ text: String) throws -> Int64 {
        if let id = tagIDs[text] { return id }
        let id = try SQLiteKnowledgeStore.tagID(db, text, create: true)!
        tagIDs[text] = id
        return id
    }

    func memberID(_ db: Database, _ handle: String) throws -> Int64 {
        if let id = memberIDs[handle] { return id }
        let id = try SQLiteKnowledgeStore.memberID(db, handle)
        memberIDs[handle] = id
        return id
    }

    func optionalMemberID(_ db: Database, _ handle: String?) throws -> Int64? {
        guard let handle else { return nil }
        if let id = memberIDs[handle] { return id }
        return try Validation.text(handle).map { try memberID(db, $0) }
    }

    func forget(tag id: Int64) { tagWords[id] = nil }

    /// The `tags` column of an entry with these tags: each tag's words, tags in name order, as
    /// `SQLiteKnowledgeStore.tagText` makes it from the tables.
    func tagText(_ db: Database, _ ids: some Sequence<Int64>) throws -> String {
        var words: [(name: String, words: String)] = []
        var seen = Set<Int64>()
        for id in ids where seen.insert(id).inserted { words.append(try self.words(db, id)) }
        if words.count > 1 { words.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) } }
        switch words.count {
        case 0: return ""
        case 1: return words[0].words
        default: return words.map(\.words).joined(separator: " ")
        }
    }

    private func words(_ db: Database, _ id: Int64) throws -> (name: String, words: String) {
        if let w = tagWords[id] { return w }
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT t.name, (SELECT group_concat(alias, ' ') FROM tag_alias a WHERE a.tag_id = t.id) FROM tag t WHERE t.id = ?
            """), arguments: [id])
        let name: String = row?[0] ?? ""
        let aliases: String? = row?[1]
        let text = SQLiteKnowledgeStore.tagWordsText(name: name, aliases: aliases)
        tagWords[id] = (name, text)
        return (name, text)
    }

    // MARK: - Index rows

    /// Indexes a new entry with the next batch, during an import. Any other change indexes the
    /// entries its rows touched when it ends (see `finishRecording`), so that it can take each
    /// old row out of the index with the text it was made from; a new entry is left to that.
    /// FTS5 writes its pending rows to disk at every statement that opens a savepoint (an insert
    /// into a table with foreign keys, say), so indexing row by row between the other inserts
    /// made one tiny segment per entry, and merging them cost most of an import. Batched, a
    /// segment holds thousands of entries.
    func index(_ db: Database, key: Int64, _ doc: SQLiteKnowledgeStore.Document) throws {
        guard batchesIndex else { return }
        pending.append((key, doc))
        if pending.count >= Self.batchSize { try flushIndex(db) }
    }

    /// Indexes an entry inserted in this transaction from the tables, as `index` does.
    func indexFresh(_ db: Database, key: Int64) throws {
        guard batchesIndex, let doc = try SQLiteKnowledgeStore.document(db, key: key) else { return }
        try index(db, key: key, doc)
    }

    /// Writes the index rows held back. Call before reading the index, and at the end.
    func flushIndex(_ db: Database) throws {
        for (key, doc) in pending { try SQLiteKnowledgeStore.index(db, key: key, doc, session: self) }
        pending.removeAll(keepingCapacity: true)
    }
}
