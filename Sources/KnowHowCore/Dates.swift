import Foundation

/// A calendar day such as `2025-03-14` (joined dates, review-by dates).
public struct Day: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...Day.daysIn(month: m, year: y)).contains(d) else { return nil }
        year = y; month = m; day = d
    }

    public init(_ date: Date) {
        // Clamped to years 0…9999: a Double beyond Int traps (issue 11: `review --days 9223372036854775807`).
        let days = (date.timeIntervalSince1970 / 86_400).rounded(.down)
        (year, month, day) = Timestamp.civil(fromDays: Int(days.isFinite ? min(max(days, -719_528), 2_932_896) : 0))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var description: String {
        guard (0...9999).contains(year) else { return String(format: "%04d-%02d-%02d", year, month, day) }
        var b = [UInt8](repeating: UInt8(ascii: "-"), count: 10)
        Timestamp.digits(&b, 0, year, 4); Timestamp.digits(&b, 5, month, 2); Timestamp.digits(&b, 8, day, 2)
        return String(decoding: b, as: UTF8.self)
    }

    /// Midnight UTC of this day.
    public var date: Date {
        Date(timeIntervalSince1970: TimeInterval(Timestamp.daysFromCivil(year, month, day)) * 86_400)
    }

    public static func < (l: Day, r: Day) -> Bool { (l.year, l.month, l.day) < (r.year, r.month, r.day) }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = Day(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "'\(text)' is not a date such as 2025-03-14"))
        }
        self = d
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(description)
    }
}

/// A moment, kept to the second in UTC and written as `2025-03-14T09:30:00Z`.
public struct Timestamp: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// Seconds since 1970 (UTC).
    public let seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }
    public init(_ date: Date) { seconds = Int64(date.timeIntervalSince1970.rounded(.down)) }
    public static var now: Timestamp { Timestamp(Date()) }

    /// Accepts `2025-03-14T09:30:00Z`, fractional seconds, `±hh:mm` offsets, no zone (UTC, as
    /// Stack Exchange dumps write), or a plain day. Parsed by hand: formatters are slow.
    public init?(_ text: String) {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard b.count >= 10, b[4] == 45, b[7] == 45, let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
              (1...12).contains(mo), (1...Day.daysIn(month: mo, year: y)).contains(d) else { return nil }
        var h = 0, mi = 0, sec = 0, offset = 0
        var i = 10
        if b.count > 10 {
            guard b[10] == 84 || b[10] == 32, let hh = num(11, 2), b.count > 13, b[13] == 58, let mm = num(14, 2),
                  hh < 24, mm < 60 else { return nil }
            h = hh; mi = mm; i = 16
            if i < b.count, b[i] == 58 {
                guard let ss = num(i + 1, 2), ss < 61 else { return nil }
                sec = ss; i += 3
            }
            if i < b.count, b[i] == 46 {
                i += 1
                let start = i
                while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
                guard i > start else { return nil }
            }
            if i < b.count {
                if b[i] == 90 { i += 1 }
                else if b[i] == 43 || b[i] == 45 {
                    let negative = b[i] == 45
                    guard let oh = num(i + 1, 2) else { return nil }
                    var om = 0
                    if i + 3 < b.count, b[i + 3] == 58 {
                        guard let m = num(i + 4, 2) else { return nil }
                        om = m; i += 6
                    } else if let m = num(i + 3, 2) { om = m; i += 5 } else { i += 3 }
                    // Local time = UTC + offset, so UTC = local - offset.
                    offset = (oh * 3600 + om * 60) * (negative ? -1 : 1)
                } else { return nil }
            }
            guard i == b.count else { return nil }
        }
        let days = Timestamp.daysFromCivil(y, mo, d)
        seconds = Int64(days) * 86_400 + Int64(h * 3600 + mi * 60 + sec) - Int64(offset)
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
    public var day: Day { Day(date) }

    public var description: String {
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let rest = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = Timestamp.civil(fromDays: days)
        // By hand: String(format:) showed in profiles of large imports.
        guard (0...9999).contains(y) else {
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, rest / 3600, rest / 60 % 60, rest % 60)
        }
        var b: [UInt8] = Array("0000-00-00T00:00:00Z".utf8)
        Self.digits(&b, 0, y, 4); Self.digits(&b, 5, m, 2); Self.digits(&b, 8, d, 2)
        Self.digits(&b, 11, rest / 3600, 2); Self.digits(&b, 14, rest / 60 % 60, 2); Self.digits(&b, 17, rest % 60, 2)
        return String(decoding: b, as: UTF8.self)
    }

    /// Writes `value` as `count` decimal digits, zero-padded, at `at`.
    static func digits(_ b: inout [UInt8], _ at: Int, _ value: Int, _ count: Int) {
        var v = value
        for k in stride(from: at + count - 1, through: at, by: -1) { b[k] = UInt8(48 + v % 10); v /= 10 }
    }

    public static func < (l: Timestamp, r: Timestamp) -> Bool { l.seconds < r.seconds }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let t = Timestamp(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "'\(text)' is not a time such as 2025-03-14T09:30:00Z"))
        }
        self = t
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer(); try c.encode(description)
    }
}
