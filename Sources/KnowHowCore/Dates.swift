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
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day], from: date)
        year = c.year!; month = c.month!; day = c.day!
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// Midnight UTC of this day.
    public var date: Date {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return cal.date(from: DateComponents(year: year, month: month, day: day))!
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

    /// Accepts `2025-03-14T09:30:00Z`, fractional seconds and offsets, or a plain day.
    public init?(_ text: String) {
        if let day = Day(text) { self.init(day.date); return }
        let f = ISO8601DateFormatter()
        if let d = f.date(from: text) { self.init(d); return }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { self.init(d); return }
        // Stack Exchange dumps write local-less timestamps: 2014-05-13T23:58:30.457
        f.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate,
                           .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        if let d = f.date(from: text) { self.init(d); return }
        f.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        if let d = f.date(from: text) { self.init(d); return }
        return nil
    }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
    public var day: Day { Day(date) }

    public var description: String {
        let f = ISO8601DateFormatter()
        return f.string(from: date)
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
