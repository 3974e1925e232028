import Foundation

/// Times of meetings: parsing what people type, and showing instants in a time zone.
public enum MeetingTime {
    /// A time zone by IANA name; `UTC` and `GMT` too.
    public static func zone(_ name: String) throws -> TimeZone {
        guard let z = TimeZone(identifier: name), !name.isEmpty else {
            throw KnowHowError.invalidValue(field: "time zone", value: name, expected: "a time zone name such as Europe/London, America/New_York or UTC")
        }
        return z
    }

    /// `11:00` → (11, 0).
    public static func clock(_ text: String) throws -> (Int, Int) {
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0..<24).contains(h), (0..<60).contains(m) else {
            throw KnowHowError.invalidValue(field: "time", value: text, expected: "a 24-hour time such as 11:00 or 09:30")
        }
        return (h, m)
    }

    /// The years a meeting may be in: calendars and time zones are only sure within them.
    public static let years = 1900...2999

    /// Refuses a day outside `years`.
    public static func checkYear(_ year: Int, _ text: String) throws {
        guard years.contains(year) else {
            throw KnowHowError.invalidValue(field: "date", value: text, expected: "a day in the years \(years.lowerBound) to \(years.upperBound)")
        }
    }

    /// `2026-03-12 11:00` (or `2026-03-12T11:00`) as local time in `zone`.
    public static func parseLocal(_ text: String, in zone: String) throws -> Timestamp {
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "T", with: " ")
        let parts = t.split(separator: " ").map(String.init)
        guard parts.count == 2, let day = Day(parts[0]) else {
            throw KnowHowError.invalidValue(field: "--at", value: text, expected: "a day and a local time such as 2026-03-12 11:00")
        }
        try checkYear(day.year, text)
        let (h, m) = try clock(parts[1])
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = try self.zone(zone)
        guard let d = cal.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: h, minute: m)) else {
            throw KnowHowError.invalidValue(field: "--at", value: text, expected: "a day and a local time such as 2026-03-12 11:00")
        }
        return Timestamp(d)
    }

    static func components(_ t: Timestamp, in zone: String) throws -> DateComponents {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = try self.zone(zone)
        return cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: t.date)
    }

    public static func localDay(_ t: Timestamp, in zone: String) throws -> Day {
        let c = try components(t, in: zone)
        return Day(String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!))!
    }

    /// `Thu 2026-03-12 11:00 GMT`: an instant as someone in `zone` reads it.
    public static func show(_ t: Timestamp, in zone: String) throws -> String {
        let c = try components(t, in: zone)
        let day = Weekday.allCases.first { $0.calendarNumber == c.weekday! }!.rawValue.prefix(3).capitalized
        let abbreviation = self.abbreviation(try self.zone(zone), named: zone, at: t.date)
        return String(format: "%@ %04d-%02d-%02d %02d:%02d ", day, c.year!, c.month!, c.day!, c.hour!, c.minute!) + abbreviation
    }

    /// The zone's name as people there write it beside a time: `BST`, `CET`, `EDT`, `IST`, `UTC`.
    /// Foundation's own abbreviation on Linux is an offset (`GMT+1`); the short names are read from
    /// the English locales that use them, and an offset stays where none has a name.
    public static func abbreviation(_ z: TimeZone, named name: String, at date: Date) -> String {
        // Foundation gives `TimeZone(identifier: "UTC")` the identifier GMT: go by the name asked for.
        if ["UTC", "Etc/UTC", "Etc/UCT", "UCT", "Universal", "Zulu", "Etc/Universal", "Etc/Zulu"].contains(name) { return "UTC" }
        let plain = z.abbreviation(for: date) ?? z.identifier
        let style: NSTimeZone.NameStyle = z.isDaylightSavingTime(for: date) ? .shortDaylightSaving : .shortStandard
        for locale in ["en_GB", "en_US", "en_CA", "en_AU", "en_NZ", "en_IN", "en_IE", "en_ZA"] {
            if let name = z.localizedName(for: style, locale: Locale(identifier: locale)),
               !name.hasPrefix("GMT+"), !name.hasPrefix("GMT-"), !name.hasPrefix("UTC"), name.count <= 5 {
                return name
            }
        }
        return plain
    }

    /// `20260312T110000`: local time for iCalendar.
    public static func icsLocal(_ t: Timestamp, in zone: String) throws -> String {
        let c = try components(t, in: zone)
        return String(format: "%04d%02d%02dT%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
