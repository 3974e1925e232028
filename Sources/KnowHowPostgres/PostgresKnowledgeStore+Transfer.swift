import Foundation
import KnowHowCore

extension PostgresKnowledgeStore {
    /// Imports a community file, adding only what the store does not hold (see
    /// `importCommunity(_:renumber:progress:)`).
    public func importCommunity(_ file: CommunityFile) throws -> ImportSummary {
        try importCommunity(file, renumber: false, progress: nil)
    }

    /// Imports records from any source (a `CommunityFileReader` reads a large file record by
    /// record) in one transaction, with the SQLite store's rules: what is present is skipped, an
    /// id held with another title is refused naming the record, or with `renumber` given the
    /// next free number. Rows go in with COPY; the search index is written once at the end.
    /// A bad record leaves the store as it was.
    public func importCommunity(_ records: some CommunityRecords, renumber: Bool, progress: ((String) -> Void)?) throws -> ImportSummary {
        try run { c in
            try c.transaction { c in
                try PostgresCommunityImport(c, records: records, renumber: renumber, progress: progress).importAll()
            }
        }
    }

    /// An import as a change, as the SQLite store records it: a curator's once the store has
    /// members, in history without row images (an import can be large, and is not undone).
    public func importCommunity(_ file: CommunityFile, as acting: Acting) throws -> ImportSummary {
        try importCommunity(file, renumber: false, progress: nil, as: acting)
    }

    public func importCommunity(_ records: some CommunityRecords, renumber: Bool, progress: ((String) -> Void)?, as acting: Acting) throws -> ImportSummary {
        try change(.importCommunity, as: acting, recordRows: false) { c, note in
            let summary = try PostgresCommunityImport(c, records: records, renumber: renumber, progress: progress).importAll()
            note.summary = summary.description
            note.discard = summary.total == 0
            return summary
        }
    }

    /// Stack Exchange archives go into a SQLite store for now: the reader of their dumps writes
    /// through the SQLite store's import. Refused before anything is read or changed.
    public func importStackExchange(folder: String, site: String?, progress: ((String) -> Void)?, as acting: Acting) throws -> ImportSummary {
        throw KnowHowError.unsupported("a Stack Exchange archive cannot be imported into a PostgreSQL store yet; import the folder into a SQLite store (`knowhow --db FILE.db import \(folder)`), `export` that store to a file, and `import` the file here")
    }

    /// The whole community as a file, in the SQLite store's order, so the same community gives
    /// the same bytes from either store.
    public func exportCommunity() throws -> CommunityFile {
        try run { c in
            try c.transaction(.repeatableRead) { c in
                var file = CommunityFile()
                file.tags = try c.query("""
                    SELECT name, description, ARRAY(SELECT alias FROM knowhow.tag_alias a WHERE a.tag_id = t.id ORDER BY alias COLLATE "C") AS aliases
                    FROM knowhow.tag t ORDER BY name COLLATE "C"
                    """).rows.map { Tag(name: try $0.require("name"), description: try $0.get("description"),
                                        aliases: try $0.require("aliases", as: PGTextArray.self).values) }
                file.members = try c.query("SELECT id FROM knowhow.member ORDER BY handle COLLATE \"C\"").rows.map { try Self.loadMember(c, id: try $0.require("id")) }
                file.resources = try c.query("SELECT id FROM knowhow.resource ORDER BY id").rows.map { try Self.loadResource(c, number: try $0.require("id")) }
                file.practices = try c.query("SELECT id FROM knowhow.practice ORDER BY id").rows.map { try Self.loadPractice(c, number: try $0.require("id")) }
                file.questions = try c.query("SELECT id FROM knowhow.question ORDER BY id").rows.map { try Self.loadQuestion(c, number: try $0.require("id")) }
                file.answers = try c.query("SELECT id FROM knowhow.answer ORDER BY id").rows.map { try Self.loadAnswer(c, number: try $0.require("id")) }
                file.searches = try c.query("""
                    SELECT s.at, s.kind, s.query, s.results, s.weak, m.handle FROM knowhow.search_log s
                    LEFT JOIN knowhow.member m ON m.id = s.member_id ORDER BY s.at COLLATE "C", s.id
                    """).rows.compactMap { r in
                        guard let at = Timestamp(try r.require("at", as: String.self)), let kind = SearchKind(rawValue: try r.require("kind")) else { return nil }
                        return SearchLogEntry(at: at, kind: kind, query: try r.require("query"), results: try r.require("results"),
                                              weak: try r.require("weak"), member: try r.get("handle"))
                    }
                try Self.exportMeetings(c, into: &file)
                try Self.exportLinks(c, into: &file)
                return file
            }
        }
    }
}
