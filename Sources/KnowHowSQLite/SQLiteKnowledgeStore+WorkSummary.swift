import Foundation
import GRDB
import KnowHowCore

/// Each member's work by kind, kept ready for `who` (see `work(of:)`): how many, the first one's
/// date, and the newest `storedWorkSample` with their dates. Reading this for a few hundred
/// candidates is one row per member and kind, where reading the work itself was up to a hundred
/// rows each (130 ms a topic at a million entries).
///
/// Triggers on the tables mark the members whose work changed (`rank_work_stale`); every write
/// transaction ends by bringing those members' rows up to date (see `write`), one by one for a
/// few, in one pass over the tables after an import.
extension SQLiteKnowledgeStore {
    static let storedWorkSample = ExpertRanker.workSample

    /// The kinds of work, in the order `WorkSample`s are given to the ranker.
    static let workKinds: [(from: String, member: String, created: String, order: String, how: Contribution?)] = [
        ("resource x WHERE x.contributor_id = ?1", "x.contributor_id", "x.created", "x.id", .contributed),
        // A resource its contributor also wrote is one piece of work, as in the evidence.
        ("resource_author a JOIN resource x ON x.id = a.resource_id WHERE a.member_id = ?1 AND x.contributor_id IS NOT ?1",
         "a.member_id", "x.created", "a.resource_id", .authored),
        ("practice x WHERE x.contributor_id = ?1", "x.contributor_id", "x.created", "x.id", .contributed),
        ("practice x WHERE x.verified_by_id = ?1", "x.verified_by_id", "coalesce(x.verified_at, x.created)", "x.id", .verified),
        ("answer x WHERE x.author_id = ?1", "x.author_id", "x.created", "x.id", nil),
    ]

    static func acceptedSQL(_ how: Contribution?) -> String {
        how == nil ? "EXISTS (SELECT 1 FROM question q WHERE q.accepted_answer_id = x.id)" : "0"
    }

    /// Reads one member's work from the tables (as it stood at `asOf`, when given).
    static func liveWork(_ db: Database, member id: Int64, asOf: Timestamp?, newest: Int) throws -> [WorkSample] {
        var samples: [WorkSample] = []
        for k in workKinds {
            let cond = asOf == nil ? "" : " AND \(k.created) <= ?2"
            let args: StatementArguments = asOf.map { [id, $0.description] } ?? [id]
            var sample = WorkSample(newest: [])
            // Accepted marks carry no date: as of a date, none is known (see `evidenceDoc`).
            for r in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(k.created), \(asOf == nil ? acceptedSQL(k.how) : "0") FROM \(k.from)\(cond) ORDER BY \(k.order) DESC LIMIT \(newest)
                """), arguments: args) {
                let how = k.how ?? ((r[1] as Bool?) == true ? .acceptedAnswer : .answered)
                sample.newest.append(DatedContribution(date: (r[0] as String?).flatMap(Timestamp.init), how: how))
            }
            if sample.newest.count == newest {
                let all = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM \(k.from)\(cond)"), arguments: args) ?? 0
                sample.older = max(0, all - newest)
                sample.first = try String.fetchOne(db.cachedStatement(sql: """
                    SELECT \(k.created) FROM \(k.from)\(cond) ORDER BY \(k.order) LIMIT 1
                    """), arguments: args).flatMap(Timestamp.init)
            }
            samples.append(sample)
        }
        return samples
    }

    /// The stored work of members by id; nil for a member with none stored (no work at all).
    static func storedWork(_ db: Database, members ids: [Int64]) throws -> [Int64: [WorkSample]] {
        var out: [Int64: [WorkSample]] = [:]
        for chunk in chunks(ids) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for r in try Row.fetchAll(db, sql: "SELECT member_id, kind, total, first, newest FROM rank_work WHERE member_id IN (\(marks))",
                                      arguments: StatementArguments(chunk)) {
                let member: Int64 = r[0], kind: Int = r[1], total: Int = r[2]
                guard kind >= 0, kind < workKinds.count else { continue }
                let how = workKinds[kind].how
                let newest = decodeDates(r[4] as Data? ?? Data()).map { d in
                    DatedContribution(date: d.date, how: how ?? (d.flag ? .acceptedAnswer : .answered))
                }
                var sample = WorkSample(newest: newest)
                if newest.count == storedWorkSample {
                    sample.older = max(0, total - storedWorkSample)
                    sample.first = (r[3] as Int64?).map(Timestamp.init(seconds:))
                }
                var samples = out[member] ?? Array(repeating: WorkSample(newest: []), count: workKinds.count)
                samples[kind] = sample
                out[member] = samples
            }
        }
        return out
    }

    // MARK: - Encoding: 8 bytes a contribution, seconds × 2 + flag; undated is Int64.max

    static func encodeDates(_ items: [(date: Timestamp?, flag: Bool)]) -> Data {
        var data = Data(capacity: items.count * 8)
        for item in items {
            var v = item.date.map { $0.seconds &* 2 &+ (item.flag ? 1 : 0) } ?? Int64.max - (item.flag ? 0 : 1)
            v = v.littleEndian
            withUnsafeBytes(of: &v) { data.append(contentsOf: $0) }
        }
        return data
    }

    static func decodeDates(_ data: Data) -> [(date: Timestamp?, flag: Bool)] {
        var out: [(date: Timestamp?, flag: Bool)] = []
        out.reserveCapacity(data.count / 8)
        data.withUnsafeBytes { raw in
            for i in stride(from: 0, to: raw.count - 7, by: 8) {
                let v = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: Int64.self))
                if v >= Int64.max - 1 { out.append((nil, v == Int64.max)) }
                else { out.append((Timestamp(seconds: v >> 1), v & 1 == 1)) }
            }
        }
        return out
    }

    // MARK: - Keeping it current

    /// Brings the stale members' rows up to date; at the end of every write transaction.
    static func refreshWork(_ db: Database) throws {
        let stale = try Int64.fetchAll(db.cachedStatement(sql: "SELECT member_id FROM rank_work_stale"))
        guard !stale.isEmpty else { return }
        if stale.count > 200 {
            try rebuildWork(db)
        } else {
            for id in stale {
                try db.run(sql: "DELETE FROM rank_work WHERE member_id = ?", arguments: [id])
                for (kind, sample) in try liveWork(db, member: id, asOf: nil, newest: storedWorkSample).enumerated()
                where !sample.newest.isEmpty {
                    try insertWork(db, member: id, kind: kind, total: sample.newest.count + sample.older, first: sample.first,
                                   newest: sample.newest.map { ($0.date, $0.how == .acceptedAnswer) })
                }
            }
        }
        try db.run(sql: "DELETE FROM rank_work_stale")
    }

    static func insertWork(_ db: Database, member: Int64, kind: Int, total: Int, first: Timestamp?,
                           newest: [(date: Timestamp?, flag: Bool)]) throws {
        try db.run(sql: "INSERT INTO rank_work(member_id, kind, total, first, newest) VALUES (?, ?, ?, ?, ?)",
                   arguments: [member, kind, total, first?.seconds, encodeDates(newest)])
    }

    /// Every member's rows, in one pass over each kind's table.
    static func rebuildWork(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM rank_work")
        for (kind, k) in workKinds.enumerated() {
            // The newest of each member's work, and the oldest one, numbered newest first.
            let from = k.from.replacingOccurrences(of: " = ?1", with: " IS NOT NULL")
                .replacingOccurrences(of: "x.contributor_id IS NOT ?1", with: "x.contributor_id IS NOT a.member_id")
            let rows = try Row.fetchCursor(db, sql: """
                SELECT member, created, accepted, n, total FROM (
                    SELECT \(k.member) AS member, \(k.created) AS created, \(acceptedSQL(k.how)) AS accepted,
                           row_number() OVER (PARTITION BY \(k.member) ORDER BY \(k.order) DESC) AS n,
                           count(*) OVER (PARTITION BY \(k.member)) AS total
                    FROM \(from))
                WHERE n <= \(storedWorkSample) OR n = total
                ORDER BY member, n
                """)
            var member: Int64 = -1, total = 0
            var first: Timestamp?
            var newest: [(date: Timestamp?, flag: Bool)] = []
            func flush() throws {
                guard member >= 0 else { return }
                try insertWork(db, member: member, kind: kind, total: total,
                               first: newest.count == storedWorkSample ? first : nil, newest: newest)
            }
            while let r = try rows.next() {
                let m: Int64 = r[0]
                if m != member { try flush(); member = m; newest = []; first = nil }
                let n: Int = r[3]
                total = r[4]
                let date = (r[1] as String?).flatMap(Timestamp.init)
                if n <= storedWorkSample { newest.append((date, (r[2] as Bool?) == true)) }
                if n == total { first = date }
            }
            try flush()
        }
    }
}
