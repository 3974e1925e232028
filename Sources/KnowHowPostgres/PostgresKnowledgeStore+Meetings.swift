import Foundation
import KnowHowCore

/// Meetings are not kept in PostgreSQL yet (see SQLiteKnowledgeStore+Meetings for the tables to
/// port): reads find none, and writes are refused with what to do instead.
extension PostgresKnowledgeStore {
    static func meetingsRefused() -> KnowHowError {
        .unsupported("meetings are kept only in SQLite stores for now; open a SQLite store with --db FILE to plan and record meetings")
    }

    public func addSeries(_ series: MeetingSeries, as acting: Acting) throws -> MeetingSeries { throw Self.meetingsRefused() }
    public func allSeries() throws -> [MeetingSeries] { [] }
    public func add(_ meeting: Meeting, as acting: Acting) throws -> EntryID { throw Self.meetingsRefused() }
    public func meeting(_ id: EntryID) throws -> Meeting { throw KnowHowError.unknownEntry(id) }
    public func meetings(series: String?, from: Timestamp?, through: Timestamp?) throws -> [Meeting] { [] }
    public func importMeetings(series: [MeetingSeries], meetings: [Meeting], as acting: Acting) throws -> ImportSummary {
        throw Self.meetingsRefused()
    }
    public func update(_ edited: Meeting, expecting original: Meeting, action: ChangeAction, as acting: Acting) throws -> [String] {
        throw Self.meetingsRefused()
    }
}
