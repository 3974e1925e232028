import Foundation
import KnowHowCore

/// Meetings and their series on PostgreSQL (tables in `PostgresSchema.v7Meetings`), as the SQLite
/// store keeps them (SQLiteKnowledgeStore+Meetings): a meeting is an entry (`m4`, key code 7),
/// indexed, tagged through `entry_tag`, recorded in history like the others, each write one
/// `change` (see +Changes).
///
/// Presenters, attendees and links are written as differences (only the rows that change), so
/// a member recording a meeting touches only attendee rows, which the database lets them write.
extension PostgresKnowledgeStore {
    @discardableResult
    public func addSeries(_ series: MeetingSeries, as acting: Acting) throws -> MeetingSeries {
        try change(.addSeries, as: acting) { c, note in
            var s = try series.validated()
            s.organiser = s.organiser ?? acting.actor.handle
            s.created = s.created ?? note.now
            try Self.insertSeries(c, s)
            note.summary = ChangeNotes.addedSeries(s.name)
            return try Self.loadSeries(c, name: s.name)
        }
    }

    public func allSeries() throws -> [MeetingSeries] {
        try run { c in try Self.allSeries(c) }
    }

    @discardableResult
    public func add(_ meeting: Meeting, as acting: Acting) throws -> EntryID {
        try change(.planMeeting, as: acting) { c, note in
            var m = meeting
            m.created = m.created ?? note.now
            m.organiser = m.organiser ?? acting.actor.handle
            let id = EntryID(.meeting, try Self.insertMeeting(c, m, number: try Self.nextNumber(c, .meeting)))
            note.summary = ChangeNotes.planned(id, m.title)
            return id
        }
    }

    public func meeting(_ id: EntryID) throws -> Meeting {
        try run { c in try Self.loadMeeting(c, number: try Self.require(c, id)) }
    }

    public func meetings(series: String?, from: Timestamp?, through: Timestamp?) throws -> [Meeting] {
        try run { c in
            var p = PGParameters()
            var conditions: [String] = []
            if let series { conditions.append("series_id = \(p.bind(try Self.seriesID(c, series)))") }
            // Times are UTC text of one width, so text order is time order (as in SQLite).
            if let from { conditions.append("start COLLATE \"C\" >= \(p.bind(from.description))") }
            if let through { conditions.append("start COLLATE \"C\" <= \(p.bind(through.description))") }
            let whereSQL = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            return try c.query("SELECT id FROM knowhow.meeting\(whereSQL) ORDER BY start COLLATE \"C\", id", p.values).rows
                .map { try Self.loadMeeting(c, number: try $0.require("id")) }
        }
    }

    @discardableResult
    public func update(_ edited: Meeting, expecting original: Meeting, action: ChangeAction, as acting: Acting) throws -> [String] {
        guard let id = original.id else { throw KnowHowError.missingField("the meeting's id") }
        try EditRules.checkMeetingAction(action)
        return try change(action, as: acting, target: { c in
            let current = try Self.loadMeeting(c, number: try Self.require(c, id))
            return Target(ref: id.description, owner: EditRules.meetingOwner(current: current, original: original, edited: edited,
                                                                             action: action, actor: acting.actor.handle))
        }) { c, note in
            let n = try Self.require(c, id)
            let current = try Self.loadMeeting(c, number: n)
            guard case let (changed, m)? = try EditRules.meetingEdit(from: original, current: current, to: edited, action: action,
                                                                     entry: id.description) else { note.discard = true; return [] }
            // People first: a member who adds themselves may then write the notes of a meeting they were at.
            if changed.contains("presenters") || changed.contains("attendees") { try Self.setPeople(c, n, m) }
            if changed.contains("links") { try Self.setLinks(c, n, m.links) }
            try Self.updateColumns(c, "meeting", id: n, [
                ("title", m.title), ("series_id", try m.series.map { try Self.seriesID(c, $0) }), ("start", m.start.description),
                ("time_zone", m.timeZone), ("minutes", m.minutes), ("place", m.place), ("format", m.format.rawValue),
                ("notes", m.notes), ("organiser_id", try Self.optionalMemberID(c, m.organiser)), ("updated", note.now.description),
            ])
            if changed.contains("tags") { try Self.replaceTags(c, EntryKeys.make(id), m.tags) }
            note.summary = EditRules.note(id.description, changed, verb: action == .recordMeeting ? "recorded" : "edited")
            return changed
        }
    }

    /// A calendar's series and events, as one change that can be undone (unlike a community import).
    public func importMeetings(series: [MeetingSeries], meetings: [Meeting], as acting: Acting) throws -> ImportSummary {
        try change(.planMeeting, as: acting) { c, note in
            var summary = ImportSummary()
            try Self.importMeetings(c, series: series, meetings: meetings, renumber: false, renumbered: [:], summary: &summary)
            note.summary = summary.description
            return summary
        }
    }

    // MARK: - Importing

    /// Adds series (skipped when one of the name exists) and meetings (skipped when one of the
    /// UID, or of the id and title, exists) as the SQLite store's CommunityImport does, naming the
    /// record in what it throws. `renumbered` maps the file's question ids to where they went.
    /// Returns the numbers of the meetings added.
    @discardableResult
    static func importMeetings(_ c: PGConnection, series: [MeetingSeries], meetings: [Meeting], renumber: Bool,
                               renumbered: [EntryID: Int64], summary: inout ImportSummary) throws -> [Int64] {
        for (i, s) in series.enumerated() {
            try at("\(MeetingSeries.section)[\(i)]") {
                let v = try s.validated()
                if try c.query("SELECT 1 FROM knowhow.meeting_series WHERE name = $1", [v.name]).first != nil {
                    summary.skipped += 1; return
                }
                try insertSeries(c, v)
                summary.seriesAdded += 1
            }
        }
        let startedEmpty = try c.query("SELECT 1 FROM knowhow.meeting LIMIT 1").first == nil
        var taken: [Int64] = []
        for (i, meeting) in meetings.enumerated() {
            let record = "\(Meeting.section)[\(i)]"
            try at(record) {
                // Links point at entries the file may have renumbered: only questions are tracked.
                var m = meeting
                m.links = m.links.map { l in l.type == .question ? renumbered[l].map { EntryID(.question, $0) } ?? l : l }
                // A calendar's event is the meeting with its UID (or, made here, with its id and creation time).
                if let uid = Validation.text(m.uid) {
                    if try c.query("SELECT 1 FROM knowhow.meeting WHERE uid = $1", [uid]).first != nil { summary.skipped += 1; return }
                    for r in try c.query("SELECT id FROM knowhow.meeting WHERE uid IS NULL AND title = $1 ORDER BY id", [m.title]).rows
                    where ICalendar.uid(try loadMeeting(c, number: try r.require("id"))) == uid {
                        summary.skipped += 1; return
                    }
                }
                let number: Int64?
                let text = Validation.text(m.title) ?? ""
                if let id = m.id {
                    try PostgresCommunityImport<CommunityFile>.check(id, is: .meeting, at: record + ".id")
                    if startedEmpty && !taken.contains(id.number) {
                        number = id.number
                    } else if try c.query("SELECT 1 FROM knowhow.meeting WHERE id = $1 AND title = $2", [id.number, text]).first != nil {
                        summary.skipped += 1; return
                    } else if let other = try c.query("SELECT title FROM knowhow.meeting WHERE id = $1", [id.number]).first?
                                .get("title", as: String.self) {
                        if renumber, try c.query("SELECT 1 FROM knowhow.meeting WHERE title = $1", [text]).first != nil {
                            summary.skipped += 1; return
                        }
                        guard renumber else {
                            throw KnowHowError.conflict("\(id) already exists with another title ('\(PostgresCommunityImport<CommunityFile>.excerpt(other))'); use --renumber to import it under a new id")
                        }
                        let n = try nextNumber(c, .meeting)
                        summary.renumbered.append(.init(record: record, from: id, to: EntryID(.meeting, n)))
                        number = n
                    } else {
                        number = id.number
                    }
                } else {
                    // Without an id or a UID nothing tells it is held already: it goes in (as in SQLite).
                    number = nil
                }
                let n = try insertMeeting(c, m, number: number)
                taken.append(n)
                summary.added[.meeting, default: 0] += 1
            }
        }
        return taken
    }

    /// Names the record in what it throws, as the community import does.
    static func at<T>(_ location: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as KnowHowError {
            if case .badImport = e { throw e }
            throw KnowHowError.badImport(path: "", location: location, reason: e.description)
        }
    }

    // MARK: - Rows

    static func insertSeries(_ c: PGConnection, _ s: MeetingSeries) throws {
        if try c.query("SELECT 1 FROM knowhow.meeting_series WHERE name = $1", [s.name]).first != nil {
            throw KnowHowError.duplicate("there is already a series called '\(s.name)'; choose another name")
        }
        try c.execute("""
            INSERT INTO knowhow.meeting_series(name, weekday, at, time_zone, minutes, weeks, place, format, organiser_id, starts, created)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """, [s.name, s.weekday.rawValue, s.at, s.timeZone, s.minutes, s.weeks, s.place, s.format.rawValue,
                  try optionalMemberID(c, s.organiser), s.starts.description, (s.created ?? .now).description])
    }

    static func allSeries(_ c: PGConnection) throws -> [MeetingSeries] {
        try c.query("SELECT name FROM knowhow.meeting_series ORDER BY name COLLATE \"C\"").rows.map { try loadSeries(c, name: try $0.require("name")) }
    }

    static func seriesNames(_ c: PGConnection) throws -> [String] {
        try c.query("SELECT name FROM knowhow.meeting_series ORDER BY name COLLATE \"C\"").rows.map { try $0.require("name") }
    }

    static func loadSeries(_ c: PGConnection, name: String) throws -> MeetingSeries {
        guard let r = try c.query("SELECT * FROM knowhow.meeting_series WHERE name = $1", [name]).first else {
            throw KnowHowError.unknownSeries(name, known: try seriesNames(c))
        }
        return MeetingSeries(name: try r.require("name"), weekday: Weekday(rawValue: try r.require("weekday")) ?? .monday,
                             at: try r.require("at"), timeZone: try r.require("time_zone"), minutes: try r.require("minutes"),
                             weeks: try r.require("weeks"), place: try r.get("place"),
                             format: MeetingFormat(rawValue: try r.require("format")) ?? .other,
                             organiser: try handle(c, try r.get("organiser_id")),
                             starts: Day(try r.require("starts", as: String.self)) ?? Day("1970-01-01")!,
                             created: (try r.get("created", as: String.self)).flatMap(Timestamp.init))
    }

    /// A series' row id by name, matched without regard to (ASCII) case, as SQLite's NOCASE.
    static func seriesID(_ c: PGConnection, _ name: String) throws -> Int64 {
        if let id: Int64 = try c.query("""
            SELECT id FROM knowhow.meeting_series
            WHERE translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
                = translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
            ORDER BY name = $1 DESC, id LIMIT 1
            """, [name]).first?.get("id") { return id }
        throw KnowHowError.unknownSeries(name, known: try seriesNames(c))
    }

    /// Inserts a meeting under `number` (nil: the largest held plus one, as SQLite numbers rows).
    static func insertMeeting(_ c: PGConnection, _ meeting: Meeting, number: Int64?) throws -> Int64 {
        let m = try meeting.validated()
        let created = (m.created ?? .now).description
        let n: Int64
        if let number { n = number } else {
            n = try c.query("SELECT coalesce(max(id), 0) + 1 AS n FROM knowhow.meeting").first!.require("n")
        }
        guard n >= 1, n <= EntryID.maxNumber else { throw KnowHowError.idsExhausted(.meeting) }
        try c.execute("""
            INSERT INTO knowhow.meeting(id, title, series_id, start, time_zone, minutes, place, format, notes, organiser_id, uid, created, updated)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """, [n, m.title, try m.series.map { try seriesID(c, $0) }, m.start.description, m.timeZone, m.minutes,
                  m.place, m.format.rawValue, m.notes, try optionalMemberID(c, m.organiser), Validation.text(m.uid),
                  created, m.updated.map(\.description) ?? created])
        try setPeople(c, n, m)
        try setLinks(c, n, m.links)
        try tagNewEntry(c, key: EntryKeys.make(.meeting, n), m.tags)
        return n
    }

    /// Makes a meeting's presenters and attendees these, in this order (a handle given twice in
    /// one part counts once, where first given), touching only the rows that differ.
    static func setPeople(_ c: PGConnection, _ n: Int64, _ m: Meeting) throws {
        var wanted: [String: Int] = [:]  // "part member" → seq
        for (part, handles) in [("presenter", m.presenters), ("attendee", m.attendees)] {
            for (i, h) in handles.enumerated() {
                let key = part + " " + String(try memberID(c, h))
                if wanted[key] == nil { wanted[key] = i + 1 }
            }
        }
        var held: [String: Int] = [:]
        for r in try c.query("SELECT part, member_id, seq FROM knowhow.meeting_person WHERE meeting_id = $1", [n]).rows {
            held[(try r.require("part", as: String.self)) + " " + String(try r.require("member_id", as: Int64.self))] = try r.require("seq")
        }
        func split(_ key: String) -> (String, Int64) {
            let parts = key.split(separator: " ")
            return (String(parts[0]), Int64(parts[1])!)
        }
        for key in held.keys.sorted() where wanted[key] == nil {
            let (part, member) = split(key)
            try c.execute("DELETE FROM knowhow.meeting_person WHERE meeting_id = $1 AND part = $2 AND member_id = $3", [n, part, member])
        }
        for (key, seq) in wanted.sorted(by: { $0.value < $1.value || $0.value == $1.value && $0.key < $1.key }) {
            let (part, member) = split(key)
            if let old = held[key] {
                if old != seq {
                    try c.execute("UPDATE knowhow.meeting_person SET seq = $4 WHERE meeting_id = $1 AND part = $2 AND member_id = $3",
                                  [n, part, member, seq])
                }
            } else {
                try c.execute("INSERT INTO knowhow.meeting_person(meeting_id, member_id, part, seq) VALUES ($1, $2, $3, $4)",
                              [n, member, part, seq])
            }
        }
    }

    /// Makes a meeting's links these, in this order, touching only the rows that differ.
    static func setLinks(_ c: PGConnection, _ n: Int64, _ links: [EntryID]) throws {
        var wanted: [Int64: Int] = [:]
        for (i, l) in links.enumerated() {
            let key = EntryKeys.make(l.type, try require(c, l))
            if wanted[key] == nil { wanted[key] = i + 1 }
        }
        var held: [Int64: Int] = [:]
        for r in try c.query("SELECT entry, seq FROM knowhow.meeting_link WHERE meeting_id = $1", [n]).rows {
            held[try r.require("entry")] = try r.require("seq")
        }
        for key in held.keys.sorted() where wanted[key] == nil {
            try c.execute("DELETE FROM knowhow.meeting_link WHERE meeting_id = $1 AND entry = $2", [n, key])
        }
        for (key, seq) in wanted.sorted(by: { $0.value < $1.value }) {
            if let old = held[key] {
                if old != seq { try c.execute("UPDATE knowhow.meeting_link SET seq = $3 WHERE meeting_id = $1 AND entry = $2", [n, key, seq]) }
            } else {
                try c.execute("INSERT INTO knowhow.meeting_link(meeting_id, entry, seq) VALUES ($1, $2, $3)", [n, key, seq])
            }
        }
    }

    static func loadMeeting(_ c: PGConnection, number n: Int64) throws -> Meeting {
        guard let r = try c.query("""
            SELECT m.*, s.name AS series_name FROM knowhow.meeting m LEFT JOIN knowhow.meeting_series s ON s.id = m.series_id WHERE m.id = $1
            """, [n]).first else { throw KnowHowError.unknownEntry(EntryID(.meeting, n)) }
        func people(_ part: String) throws -> [String] {
            try c.query("""
                SELECT x.handle FROM knowhow.meeting_person p JOIN knowhow.member x ON x.id = p.member_id
                WHERE p.meeting_id = $1 AND p.part = $2 ORDER BY p.seq, x.handle COLLATE "C"
                """, [n, part]).rows.map { try $0.require("handle") }
        }
        let links = try c.query("SELECT entry FROM knowhow.meeting_link WHERE meeting_id = $1 ORDER BY seq, entry", [n]).rows
            .compactMap { r -> EntryID? in
                let k: Int64 = try r.require("entry")
                return EntryKeys.type(k).map { EntryID($0, EntryKeys.number(k)) }
            }
        return Meeting(id: EntryID(.meeting, n), title: try r.require("title"), series: try r.get("series_name"),
                       start: Timestamp(try r.require("start", as: String.self)) ?? Timestamp(seconds: 0),
                       timeZone: try r.require("time_zone"), minutes: try r.require("minutes"),
                       place: try r.get("place"), format: MeetingFormat(rawValue: try r.require("format")) ?? .other,
                       presenters: try people("presenter"), attendees: try people("attendee"), links: links, notes: try r.get("notes"),
                       tags: try entryTags(c, key: EntryKeys.make(.meeting, n)), organiser: try handle(c, try r.get("organiser_id")),
                       uid: try r.get("uid"), created: (try r.get("created", as: String.self)).flatMap(Timestamp.init),
                       updated: (try r.get("updated", as: String.self)).flatMap(Timestamp.init))
    }

    /// Every series of the store, then every meeting, by id.
    static func exportMeetings(_ c: PGConnection, into file: inout CommunityFile) throws {
        file.series = try allSeries(c)
        file.meetings = try c.query("SELECT id FROM knowhow.meeting ORDER BY id").rows.map { try loadMeeting(c, number: try $0.require("id")) }
    }
}
