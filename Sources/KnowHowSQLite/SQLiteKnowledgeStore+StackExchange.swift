import Foundation
import GRDB
import KnowHowCore

extension SQLiteKnowledgeStore {
    /// Imports a Stack Exchange data-dump folder in one transaction: a malformed row aborts it
    /// all and leaves the store as it was. Rows carry a source id (`stackexchange:SITE:ID`), so
    /// importing the same dump again adds nothing. `site` tells dumps apart, since every site
    /// numbers its users and posts from 1; it defaults to the folder's name
    /// (`ai.stackexchange.com` and `ai` are the same site).
    public func importStackExchange(folder: String, site: String? = nil,
                                    progress: ((String) -> Void)?, as acting: Acting) throws -> ImportSummary {
        let site = site ?? Self.siteName(folder: folder)
        // A curator's change once the store has members (see +History); recorded without row images.
        return try change(.importCommunity, as: acting, recordRows: false) { db, note in
            // Imported users are never curators: a new store gets its curator from who imports.
            var founder: String?
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM member") == 0 {
                switch acting.actor {
                case .nobody:
                    throw KnowHowError.notIdentified(action: "Importing a Stack Exchange archive into a new store (you become its curator)")
                case .member(let handle):
                    let h = try Validation.handle(handle)
                    _ = try Self.insertMember(db, Member(handle: h, name: h, role: .curator), session: note.session)
                    founder = h
                case .system:
                    break
                }
            }
            let sink = try StackExchangeImport(db: db, site: site, store: self, session: note.session, progress: progress)
            try StackExchangeDump.read(folder: folder, into: sink, progress: progress)
            if sink.orphanAnswers > 0 {
                progress?("\(StackExchangeDump.postsFile): left out \(sink.orphanAnswers) answers whose question is not in the dump")
            }
            sink.summary.founder = founder
            note.summary = "Stack Exchange \(site): " + sink.summary.description
            note.discard = sink.summary.total == 0 && founder == nil
            return sink.summary
        }
    }

    /// `…/ai.stackexchange.com` → `ai`; `…/coffee` → `coffee`.
    static func siteName(folder: String) -> String {
        var name = URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent.lowercased()
        for suffix in [".stackexchange.com", ".com"] where name.hasSuffix(suffix) && name.count > suffix.count {
            name.removeLast(suffix.count)
        }
        let kept = name.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "-") }
        return kept.isEmpty ? "site" : String(String.UnicodeScalarView(kept))
    }
}

/// Writes the rows of a dump into the store, inside the caller's transaction. Look-ups go
/// through the source-id indexes rather than maps in memory, so memory stays flat; the only
/// caches are the site's tags and a bounded map of handle suffixes. What must wait for later
/// rows (accepted answers, the full-text index) waits in temporary tables.
///
/// New entries are indexed at the end, in entry-key order: FTS5 flushes its pending data
/// whenever a rowid is not larger than the last one, and keys interleave types (members made
/// on the fly between questions), so indexing row by row cost a flush per member.
final class StackExchangeImport: StackExchangeSink {
    let db: Database
    let site: String
    let store: SQLiteKnowledgeStore
    let progress: ((String) -> Void)?
    /// The import's (see `change`): indexing notes its keys for the ranked lists.
    let session: WriteSession
    var summary = ImportSummary()
    var tagIDs: [String: Int64] = [:]
    var nextSuffix: [String: Int] = [:]
    /// Answers whose question is not in the dump (deleted questions); they are left out.
    var orphanAnswers = 0

    init(db: Database, site: String, store: SQLiteKnowledgeStore, session: WriteSession, progress: ((String) -> Void)?) throws {
        self.db = db; self.site = site; self.store = store; self.session = session; self.progress = progress
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS se_accepted(question_id INTEGER PRIMARY KEY, answer_source TEXT NOT NULL);
            CREATE TEMP TABLE IF NOT EXISTS se_unindexed(key INTEGER PRIMARY KEY);
            DELETE FROM temp.se_accepted;
            DELETE FROM temp.se_unindexed;
            """)
    }

    func source(_ id: Int64) -> String { "stackexchange:\(site):\(id)" }

    /// Runs one row's statements, mapping database errors so the reader can add the row.
    func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DatabaseError { throw store.map(e) }
    }

    func fetchID(_ sql: String, _ arguments: StatementArguments) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }

    func execute(_ sql: String, _ arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    // MARK: - Rows

    func tag(_ tag: SETag) throws {
        try mapped { _ = try tagID(tag.name) }
    }

    func user(_ user: SEUser) throws {
        guard user.id >= 0 else { return }  // the Community bot (-1) is not a person
        try mapped {
            if try memberID(user.id) != nil { summary.skipped += 1; return }
            let name = Validation.text(user.displayName) ?? "user \(user.id)"
            let bio = user.aboutMe.flatMap(Self.text)
            try insertMember(base: StackExchangeDump.handle(displayName: user.displayName, userId: user.id), name: name,
                             location: Validation.text(user.location), bio: bio,
                             joined: user.created?.day, source: source(user.id))
        }
    }

    func question(_ post: SEPost) throws {
        try mapped {
            if let existing = try fetchID("SELECT id FROM question WHERE source_id = ?", [source(post.id)]) {
                summary.skipped += 1
                if post.acceptedAnswerId != nil,
                   try fetchID("SELECT accepted_answer_id FROM question WHERE id = ?", [existing]) == nil {
                    try remember(accepted: post, question: existing)
                }
                return
            }
            let asker = try owner(post)
            let title = Validation.text(post.title) ?? ""
            try execute("""
                INSERT INTO question(title, body, asker_id, created, score, source_id) VALUES (?, ?, ?, ?, ?, ?)
                """, [title, Self.text(post.body), asker, post.created.description, post.score, source(post.id)])
            let id = try EntryKey.checked(.question, db.lastInsertedRowID)
            let key = EntryKey.make(.question, id)
            for t in post.tags {
                guard let tagID = try tagID(t) else { continue }
                try execute("INSERT OR IGNORE INTO entry_tag(entry, tag_id) VALUES (?, ?)", [key, tagID])
            }
            try toIndex(key)
            try remember(accepted: post, question: id)
            summary.added[.question, default: 0] += 1
        }
    }

    func answer(_ post: SEPost) throws {
        try mapped {
            if try fetchID("SELECT id FROM answer WHERE source_id = ?", [source(post.id)]) != nil {
                summary.skipped += 1; return
            }
            guard let parent = post.parentId,
                  let question = try fetchID("SELECT id FROM question WHERE source_id = ?", [source(parent)]) else {
                orphanAnswers += 1; return
            }
            let author = try owner(post)
            // An answer that is only a picture or a link still counts: keep it with a stand-in.
            let body = Self.text(post.body) ?? "(this answer has no text)"
            try execute("""
                INSERT INTO answer(question_id, body, author_id, created, score, source_id) VALUES (?, ?, ?, ?, ?, ?)
                """, [question, body, author, post.created.description, post.score, source(post.id)])
            try toIndex(EntryKey.make(.answer, try EntryKey.checked(.answer, db.lastInsertedRowID)))
            summary.added[.answer, default: 0] += 1
        }
    }

    /// Links accepted answers (they come after their questions), then indexes what is new.
    func finish() throws {
        try mapped {
            try db.execute(sql: """
                UPDATE question SET accepted_answer_id = (
                    SELECT a.id FROM temp.se_accepted p JOIN answer a ON a.source_id = p.answer_source
                    WHERE p.question_id = question.id AND a.question_id = question.id)
                WHERE id IN (
                    SELECT p.question_id FROM temp.se_accepted p JOIN answer a ON a.source_id = p.answer_source
                    WHERE a.question_id = p.question_id)
                  AND accepted_answer_id IS NULL
                """)
            var meter = StackExchangeDump.ProgressMeter(label: "indexing", report: progress)
            var n = 0
            let keys = try Int64.fetchCursor(db, sql: "SELECT key FROM temp.se_unindexed ORDER BY key")
            while let key = try keys.next() {
                try session.indexFresh(db, key: key)
                n += 1
                meter.rows(n)
            }
            try db.execute(sql: "DROP TABLE temp.se_accepted; DROP TABLE temp.se_unindexed")
        }
    }

    // MARK: - Helpers

    /// Plain text of HTML, nil when empty, trimmed as every other write trims text (it mostly
    /// comes out trimmed, and then that costs nothing), so an export imports unchanged.
    static func text(_ html: String) -> String? {
        Validation.text(HTMLText.plainText(html))
    }

    /// Notes a new entry for the full-text index, built in `finish`.
    func toIndex(_ key: Int64) throws {
        try execute("INSERT INTO temp.se_unindexed(key) VALUES (?)", [key])
    }

    /// Notes a question's accepted answer, to be linked in `finish`.
    func remember(accepted post: SEPost, question: Int64) throws {
        guard let answer = post.acceptedAnswerId else { return }
        try execute("INSERT OR REPLACE INTO temp.se_accepted(question_id, answer_source) VALUES (?, ?)",
                    [question, source(answer)])
    }

    func memberID(_ userId: Int64) throws -> Int64? {
        try fetchID("SELECT id FROM member WHERE source_id = ?", [source(userId)])
    }

    /// The member who wrote a post: one from Users.xml, or else a stand-in known by the user id.
    /// Posts of deleted accounts (no OwnerUserId) and of the Community bot have no author.
    func owner(_ post: SEPost) throws -> Int64? {
        guard let uid = post.ownerUserId, uid >= 0 else { return nil }
        if let id = try memberID(uid) { return id }
        return try insertMember(base: "user-\(uid)", name: "user \(uid)", location: nil, bio: nil, joined: nil,
                                source: source(uid))
    }

    @discardableResult
    func insertMember(base: String, name: String, location: String?, bio: String?, joined: Day?,
                      source: String) throws -> Int64 {
        let handle = try uniqueHandle(base)
        try execute("""
            INSERT INTO member(handle, name, location, bio, role, open_to_questions, mentoring, joined, source_id)
            VALUES (?, ?, ?, ?, 'member', 1, 0, ?, ?)
            """, [handle, name, location, bio, joined?.description, source])
        let id = db.lastInsertedRowID
        try toIndex(EntryKey.make(.member, id))
        summary.added[.member, default: 0] += 1
        return id
    }

    /// `base`, or `base-2`, `base-3`… whichever is free. Remembers where each base got to, so
    /// the thousandth "John" does not try a thousand handles; forgets when the map grows large.
    func uniqueHandle(_ base: String) throws -> String {
        var n = nextSuffix[base] ?? 1
        var handle = StackExchangeDump.handle(base, suffix: n)
        while try fetchID("SELECT id FROM member WHERE handle = ?", [handle]) != nil {
            n += 1
            handle = StackExchangeDump.handle(base, suffix: n)
        }
        if nextSuffix.count > 100_000 { nextSuffix.removeAll(keepingCapacity: true) }
        nextSuffix[base] = n + 1
        return try Validation.handle(handle)
    }

    /// The id of a tag by its Stack Exchange name, creating it when new; nil when the name
    /// cannot be a KnowHow tag even spelled out (the question still imports without it).
    func tagID(_ seName: String) throws -> Int64? {
        guard let name = StackExchangeDump.tagName(seName) else { return nil }
        if let id = tagIDs[name] { return id }
        var id = try fetchID("SELECT id FROM tag WHERE name = ?", [name])
        if id == nil { id = try fetchID("SELECT tag_id FROM tag_alias WHERE alias = ?", [name]) }
        if id == nil {
            try execute("INSERT INTO tag(name) VALUES (?)", [name])
            id = db.lastInsertedRowID
            summary.tagsAdded += 1
        }
        tagIDs[name] = id
        return id
    }
}
