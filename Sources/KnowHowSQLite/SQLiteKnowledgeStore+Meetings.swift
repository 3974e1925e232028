import Foundation
import GRDB
import KnowHowCore

/// Meetings and their series (tables in migration v6-meetings). A meeting is an entry (`m4`,
/// key code 7): indexed, tagged through `entry_tag`, recorded in history like the others. The SQL
/// is plain on purpose, so that another store can say the same.
extension SQLiteKnowledgeStore {
    @discardableResult
    public func addSeries(_ series: MeetingSeries, as acting: Acting) throws -> MeetingSeries {
        try change(.addSeries, as: acting) { db, note in
            var s = try series.validated()
            s.organiser = s.organiser ?? acting.actor.handle
            s.created = s.created ?? note.now
            try Self.insertSeries(db, s)
            note.summary = ChangeNotes.addedSeries(s.name)
            return try Self.loadSeries(db, name: s.name)
        }
    }

    public func allSeries() throws -> [MeetingSeries] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT name FROM meeting_series ORDER BY name").map { try Self.loadSeries(db, name: $0) }
        }
    }

    @discardableResult
    public func add(_ meeting: Meeting, as acting: Acting) throws -> EntryID {
        try change(.planMeeting, as: acting) { db, note in
            var m = meeting
            m.created = m.created ?? note.now
            m.organiser = m.organiser ?? acting.actor.handle
            let id = EntryID(.meeting, try Self.insertMeeting(db, m, number: try Self.nextNumber(db, .meeting)))
            note.summary = ChangeNotes.planned(id, m.title)
            return id
        }
    }

    public func meeting(_ id: EntryID) throws -> Meeting {
        try read { db in try Self.loadMeeting(db, number: try Self.require(db, id)) }
    }

    public func meetings(series: String?, from: Timestamp?, through: Timestamp?) throws -> [Meeting] {
        try read { db in
            var conditions: [String] = [], args: StatementArguments = []
            if let series {
                conditions.append("series_id = ?"); _ = args.append(contentsOf: [try Self.seriesID(db, series)])
            }
            if let from { conditions.append("start >= ?"); _ = args.append(contentsOf: [from.description]) }
            if let through { conditions.append("start <= ?"); _ = args.append(contentsOf: [through.description]) }
            let whereSQL = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            return try Int64.fetchAll(db, sql: "SELECT id FROM meeting\(whereSQL) ORDER BY start, id", arguments: args)
                .map { try Self.loadMeeting(db, number: $0) }
        }
    }

    @discardableResult
    public func update(_ edited: Meeting, expecting original: Meeting, action: ChangeAction, as acting: Acting) throws -> [String] {
        guard let id = original.id else { throw KnowHowError.missingField("the meeting's id") }
        try EditRules.checkMeetingAction(action)
        return try change(action, as: acting, target: { db in
            let current = try Self.loadMeeting(db, number: try Self.require(db, id))
            return Target(ref: id.description, owner: EditRules.meetingOwner(current: current, original: original, edited: edited,
                                                                             action: action, actor: acting.actor.handle))
        }) { db, note in
            let n = try Self.require(db, id)
            let current = try Self.loadMeeting(db, number: n)
            guard case let (changed, m)? = try EditRules.meetingEdit(from: original, current: current, to: edited, action: action,
                                                                     entry: id.description) else { note.discard = true; return [] }
            try db.execute(sql: """
                UPDATE meeting SET title = ?, series_id = ?, start = ?, time_zone = ?, minutes = ?, place = ?, format = ?,
                                   notes = ?, organiser_id = ?, updated = ? WHERE id = ?
                """, arguments: [m.title, try m.series.map { try Self.seriesID(db, $0) }, m.start.description, m.timeZone,
                                 m.minutes, m.place, m.format.rawValue, m.notes, try Self.optionalMemberID(db, m.organiser),
                                 note.now.description, n])
            if changed.contains("presenters") || changed.contains("attendees") { try Self.setPeople(db, n, m) }
            if changed.contains("links") { try Self.setLinks(db, n, m.links) }
            if changed.contains("tags") { try Self.replaceTags(db, EntryKey.make(id), m.tags) }
            note.summary = EditRules.note(id.description, changed, verb: action == .recordMeeting ? "recorded" : "edited")
            return changed
        }
    }

    public func importMeetings(series: [MeetingSeries], meetings: [Meeting], as acting: Acting) throws -> ImportSummary {
        try change(.planMeeting, as: acting) { db, note in
            let run = try CommunityImport(db: db, records: CommunityFile(series: series, meetings: meetings), renumber: false,
                                          session: note.session, progress: nil)
            let summary = try run.importAll()
            note.summary = summary.description
            return summary
        }
    }

    // MARK: - Rows

    static func insertSeries(_ db: Database, _ s: MeetingSeries, session: WriteSession = WriteSession()) throws {
        if try Int64.fetchOne(db, sql: "SELECT 1 FROM meeting_series WHERE name = ?", arguments: [s.name]) != nil {
            throw KnowHowError.duplicate("there is already a series called '\(s.name)'; choose another name")
        }
        try db.execute(sql: """
            INSERT INTO meeting_series(name, weekday, at, time_zone, minutes, weeks, place, format, organiser_id, starts, created)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [s.name, s.weekday.rawValue, s.at, s.timeZone, s.minutes, s.weeks, s.place, s.format.rawValue,
                             try session.optionalMemberID(db, s.organiser), s.starts.description, (s.created ?? .now).description])
    }

    static func loadSeries(_ db: Database, name: String) throws -> MeetingSeries {
        guard let r = try Row.fetchOne(db, sql: "SELECT * FROM meeting_series WHERE name = ?", arguments: [name]) else {
            throw KnowHowError.unknownSeries(name, known: try String.fetchAll(db, sql: "SELECT name FROM meeting_series ORDER BY name"))
        }
        return MeetingSeries(name: r["name"], weekday: Weekday(rawValue: r["weekday"]) ?? .monday, at: r["at"], timeZone: r["time_zone"],
                             minutes: r["minutes"], weeks: r["weeks"], place: r["place"],
                             format: MeetingFormat(rawValue: r["format"]) ?? .other, organiser: try handle(db, r["organiser_id"]),
                             starts: Day(r["starts"] as String) ?? Day("1970-01-01")!,
                             created: (r["created"] as String?).flatMap(Timestamp.init))
    }

    /// A series' row id by name, matched without regard to case.
    static func seriesID(_ db: Database, _ name: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM meeting_series WHERE name = ? COLLATE NOCASE ORDER BY name = ? DESC",
                                       arguments: [name, name]) { return id }
        throw KnowHowError.unknownSeries(name, known: try String.fetchAll(db, sql: "SELECT name FROM meeting_series ORDER BY name"))
    }

    static func insertMeeting(_ db: Database, _ meeting: Meeting, number: Int64?, session: WriteSession = WriteSession()) throws -> Int64 {
        let m = try meeting.validated()
        let created = (m.created ?? .now).description
        try db.execute(sql: """
            INSERT INTO meeting(id, title, series_id, start, time_zone, minutes, place, format, notes, organiser_id, uid, created, updated)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [number, m.title, try m.series.map { try seriesID(db, $0) }, m.start.description, m.timeZone, m.minutes,
                             m.place, m.format.rawValue, m.notes, try session.optionalMemberID(db, m.organiser), Validation.text(m.uid),
                             created, m.updated.map(\.description) ?? created])
        let id = try EntryKey.checked(.meeting, db.lastInsertedRowID)
        try setPeople(db, id, m, session: session)
        try setLinks(db, id, m.links)
        let key = EntryKey.make(.meeting, id)
        _ = try tagNewEntry(db, key: key, m.tags, session)
        try session.indexFresh(db, key: key)
        return id
    }

    static func setPeople(_ db: Database, _ n: Int64, _ m: Meeting, session: WriteSession = WriteSession()) throws {
        try db.execute(sql: "DELETE FROM meeting_person WHERE meeting_id = ?", arguments: [n])
        for (part, handles) in [("presenter", m.presenters), ("attendee", m.attendees)] {
            for (i, h) in handles.enumerated() {
                try db.execute(sql: "INSERT OR IGNORE INTO meeting_person(meeting_id, member_id, part, seq) VALUES (?, ?, ?, ?)",
                               arguments: [n, try session.memberID(db, h), part, i + 1])
            }
        }
    }

    static func setLinks(_ db: Database, _ n: Int64, _ links: [EntryID]) throws {
        try db.execute(sql: "DELETE FROM meeting_link WHERE meeting_id = ?", arguments: [n])
        for (i, l) in links.enumerated() {
            let number = try require(db, l)
            try db.execute(sql: "INSERT OR IGNORE INTO meeting_link(meeting_id, entry, seq) VALUES (?, ?, ?)",
                           arguments: [n, EntryKey.make(l.type, number), i + 1])
        }
    }

    static func loadMeeting(_ db: Database, number n: Int64) throws -> Meeting {
        guard let r = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT m.*, s.name AS series_name FROM meeting m LEFT JOIN meeting_series s ON s.id = m.series_id WHERE m.id = ?
            """), arguments: [n]) else { throw KnowHowError.unknownEntry(EntryID(.meeting, n)) }
        func people(_ part: String) throws -> [String] {
            try String.fetchAll(db.cachedStatement(sql: """
                SELECT x.handle FROM meeting_person p JOIN member x ON x.id = p.member_id
                WHERE p.meeting_id = ? AND p.part = ? ORDER BY p.seq, x.handle
                """), arguments: [n, part])
        }
        let links = try Int64.fetchAll(db.cachedStatement(sql: "SELECT entry FROM meeting_link WHERE meeting_id = ? ORDER BY seq, entry"),
                                       arguments: [n]).compactMap { k in EntryKey.type(k).map { EntryID($0, EntryKey.number(k)) } }
        return Meeting(id: EntryID(.meeting, n), title: r["title"], series: r["series_name"],
                       start: Timestamp(r["start"] as String) ?? Timestamp(seconds: 0), timeZone: r["time_zone"], minutes: r["minutes"],
                       place: r["place"], format: MeetingFormat(rawValue: r["format"]) ?? .other,
                       presenters: try people("presenter"), attendees: try people("attendee"), links: links, notes: r["notes"],
                       tags: try entryTags(db, key: EntryKey.make(.meeting, n)), organiser: try handle(db, r["organiser_id"]),
                       uid: r["uid"], created: (r["created"] as String?).flatMap(Timestamp.init),
                       updated: (r["updated"] as String?).flatMap(Timestamp.init))
    }

    /// A meeting's index document: its title, tags, series, format and presenters, and its notes.
    static func meetingDocument(_ db: Database, number n: Int64) throws -> Document? {
        guard let r = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT m.title, m.notes, m.format, s.name FROM meeting m LEFT JOIN meeting_series s ON s.id = m.series_id WHERE m.id = ?
            """), arguments: [n]) else { return nil }
        let presenters = try String.fetchAll(db.cachedStatement(sql: """
            SELECT x.name FROM meeting_person p JOIN member x ON x.id = p.member_id WHERE p.meeting_id = ? AND p.part = 'presenter'
            ORDER BY p.seq
            """), arguments: [n])
        var d = Document()
        d.title = r[0]
        d.body = r[1] ?? ""
        let format = (r[2] as String).replacingOccurrences(of: "-", with: " ")
        d.summary = ([r[3] as String?, format] + [presenters.isEmpty ? nil : "presented by " + presenters.joined(separator: ", ")])
            .compactMap { $0 }.joined(separator: " · ")
        d.tags = try tagText(db, tagIDs: "SELECT tag_id FROM entry_tag WHERE entry = ?", [EntryKey.make(.meeting, n)])
        return d
    }

    /// Every meeting of the file's series first, then the meetings (after the entries they link).
    static func exportMeetings(_ db: Database, into file: inout CommunityFile) throws {
        file.series = try String.fetchAll(db, sql: "SELECT name FROM meeting_series ORDER BY name").map { try loadSeries(db, name: $0) }
        file.meetings = try Int64.fetchAll(db, sql: "SELECT id FROM meeting ORDER BY id").map { try loadMeeting(db, number: $0) }
    }
}
