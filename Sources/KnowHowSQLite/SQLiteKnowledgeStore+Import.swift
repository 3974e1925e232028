import Foundation
import GRDB
import KnowHowCore

extension SQLiteKnowledgeStore {
    /// Adds what the file holds and the store lacks, in one transaction: a bad record aborts
    /// the whole import with the record's path, and the store is left exactly as it was.
    public func importCommunity(_ file: CommunityFile, as acting: Acting) throws -> ImportSummary {
        try importCommunity(file, progress: nil, as: acting)
    }

    /// The same from any source of records, such as a `CommunityFileReader` reading a large file
    /// record by record. `progress` hears a line a few times a second. An id the store holds
    /// with other content is refused, or with `renumber` given a new one (see CommunityImport).
    public func importCommunity(_ records: some CommunityRecords, renumber: Bool, progress: ((String) -> Void)?, as acting: Acting) throws -> ImportSummary {
        // Recorded in history without row images: an import can be large, and is not undone.
        try change(.importCommunity, as: acting, recordRows: false) { db, note in
            // A large import touches more pages than the default cache holds (FTS5 segments,
            // indexes in random order); a larger cache (128 MB) for its length saves rereading and
            // rewriting them.
            let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2_000
            try db.execute(sql: "PRAGMA cache_size = -131072")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
            let run = try CommunityImport(db: db, records: records, renumber: renumber, session: note.session, progress: progress)
            let summary = try run.importAll()
            // The ranked lists are brought up to date when the import's transaction ends (see `change`).
            note.summary = summary.description
            note.discard = summary.total == 0
            return summary
        }
    }

    static func at<T>(_ location: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as KnowHowError {
            if case .badImport = e { throw e }
            throw KnowHowError.badImport(path: "", location: location, reason: e.description)
        }
    }

    // MARK: - Export

    public func exportCommunity() throws -> CommunityFile {
        try read { db in
            var file = CommunityFile()
            file.tags = try Row.fetchAll(db, sql: "SELECT id, name, description FROM tag ORDER BY name").map { row in
                let aliases = try String.fetchAll(db, sql: "SELECT alias FROM tag_alias WHERE tag_id = ? ORDER BY alias", arguments: [row["id"] as Int64])
                return Tag(name: row["name"], description: row["description"], aliases: aliases)
            }
            file.members = try Int64.fetchAll(db, sql: "SELECT id FROM member ORDER BY handle").map { try Self.loadMember(db, id: $0) }
            file.resources = try Int64.fetchAll(db, sql: "SELECT id FROM resource ORDER BY id").map { try Self.loadResource(db, number: $0) }
            file.practices = try Int64.fetchAll(db, sql: "SELECT id FROM practice ORDER BY id").map { try Self.loadPractice(db, number: $0) }
            file.questions = try Int64.fetchAll(db, sql: "SELECT id FROM question ORDER BY id").map { try Self.loadQuestion(db, number: $0) }
            file.answers = try Int64.fetchAll(db, sql: "SELECT id FROM answer ORDER BY id").map { try Self.loadAnswer(db, number: $0) }
            file.searches = try Self.searchLog(db, nil)
            try Self.exportMeetings(db, into: &file)
            try Self.exportLinks(db, into: &file)
            return file
        }
    }
}
