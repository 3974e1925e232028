import Foundation

/// The JSON community file: what `export` writes and `import` reads. See README.
public struct CommunityFile: Codable, Equatable, Sendable {
    public static let formatName = "knowhow-community"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    public var tags: [Tag]
    public var members: [Member]
    public var resources: [Resource]
    public var practices: [Practice]
    public var questions: [Question]
    public var answers: [Answer]
    /// The search log (see Insights.swift); left out of the file when empty.
    public var searches: [SearchLogEntry]
    /// What links members and entries beyond the entries themselves (see CommunityLinks.swift);
    /// each is left out of the file when empty.
    public var endorsements: [Endorsement] = []
    public var successions: [Succession] = []
    public var redirects: [Redirect] = []
    public var notDuplicates: [NotDuplicatePair] = []
    /// Meeting series and meetings (see Meeting.swift); left out of the file when empty.
    public var series: [MeetingSeries]
    public var meetings: [Meeting]

    public init(tags: [Tag] = [], members: [Member] = [], resources: [Resource] = [],
                practices: [Practice] = [], questions: [Question] = [], answers: [Answer] = [],
                searches: [SearchLogEntry] = [], series: [MeetingSeries] = [], meetings: [Meeting] = []) {
        format = Self.formatName; version = Self.currentVersion
        self.tags = tags; self.members = members; self.resources = resources
        self.practices = practices; self.questions = questions; self.answers = answers
        self.searches = searches
        self.series = series; self.meetings = meetings
    }

    enum CodingKeys: String, CodingKey { case format, version, tags, members, resources, practices, questions, answers, searches, series, meetings
        case endorsements, successions, redirects, notDuplicates
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decodeIfPresent(String.self, forKey: .format) ?? Self.formatName
        version = try c.decodeIfPresent(WholeNumber.self, forKey: .version)?.value ?? Self.currentVersion
        tags = try c.decodeIfPresent([Tag].self, forKey: .tags) ?? []
        members = try c.decodeIfPresent([Member].self, forKey: .members) ?? []
        resources = try c.decodeIfPresent([Resource].self, forKey: .resources) ?? []
        practices = try c.decodeIfPresent([Practice].self, forKey: .practices) ?? []
        questions = try c.decodeIfPresent([Question].self, forKey: .questions) ?? []
        answers = try c.decodeIfPresent([Answer].self, forKey: .answers) ?? []
        searches = try c.decodeIfPresent([SearchLogEntry].self, forKey: .searches) ?? []
        endorsements = try c.decodeIfPresent([Endorsement].self, forKey: .endorsements) ?? []
        successions = try c.decodeIfPresent([Succession].self, forKey: .successions) ?? []
        redirects = try c.decodeIfPresent([Redirect].self, forKey: .redirects) ?? []
        notDuplicates = try c.decodeIfPresent([NotDuplicatePair].self, forKey: .notDuplicates) ?? []
        series = try c.decodeIfPresent([MeetingSeries].self, forKey: .series) ?? []
        meetings = try c.decodeIfPresent([Meeting].self, forKey: .meetings) ?? []
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(version, forKey: .version)
        try c.encode(tags, forKey: .tags)
        try c.encode(members, forKey: .members)
        try c.encode(resources, forKey: .resources)
        try c.encode(practices, forKey: .practices)
        try c.encode(questions, forKey: .questions)
        try c.encode(answers, forKey: .answers)
        // Files without a search log stay as they were before there was one.
        if !searches.isEmpty { try c.encode(searches, forKey: .searches) }
        if !endorsements.isEmpty { try c.encode(endorsements, forKey: .endorsements) }
        if !successions.isEmpty { try c.encode(successions, forKey: .successions) }
        if !redirects.isEmpty { try c.encode(redirects, forKey: .redirects) }
        if !notDuplicates.isEmpty { try c.encode(notDuplicates, forKey: .notDuplicates) }
        if !series.isEmpty { try c.encode(series, forKey: .series) }
        if !meetings.isEmpty { try c.encode(meetings, forKey: .meetings) }
    }

    /// Reads a community file, naming the path of the bad record when it is malformed.
    public static func decode(_ data: Data, path: String) throws -> CommunityFile {
        let file: CommunityFile
        do {
            file = try JSONDecoder().decode(CommunityFile.self, from: data)
        } catch let DecodingError.dataCorrupted(ctx) {
            if ctx.codingPath.isEmpty { throw invalidJSON(data, path: path, location: "file", line: 1) }
            throw KnowHowError.badImport(path: path, location: Self.location(ctx.codingPath), reason: Self.reason(ctx))
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw KnowHowError.badImport(path: path, location: Self.location(ctx.codingPath),
                                         reason: "'\(key.stringValue)' is missing")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw KnowHowError.badImport(path: path, location: Self.location(ctx.codingPath), reason: ctx.debugDescription)
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw KnowHowError.badImport(path: path, location: Self.location(ctx.codingPath), reason: "a value is null")
        } catch {
            throw KnowHowError.badImport(path: path, location: "file", reason: "not a KnowHow community file")
        }
        guard file.format == formatName else {
            throw KnowHowError.badImport(path: path, location: "format", reason: "expected \"\(formatName)\", found \"\(file.format)\"")
        }
        guard file.version <= currentVersion else {
            throw KnowHowError.badImport(path: path, location: "version",
                                         reason: "version \(file.version) is newer than this knowhow reads (\(currentVersion)); upgrade knowhow")
        }
        return file
    }

    /// What JSONDecoder called "not valid JSON" in `bytes` (the file, or a record at `location`
    /// that starts on `line`), said precisely where the bytes show it.
    static func invalidJSON(_ bytes: Data, path: String, location: String, line: Int?) -> KnowHowError {
        guard let p = JSONDiagnosis.problem(in: bytes) else {
            let start = location == "file" ? "" : line.map { " (the record starts on line \($0))" } ?? ""
            return .badImport(path: path, location: location, reason: "not valid JSON" + start)
        }
        let at = p.path.isEmpty ? location : location == "file" ? p.path : location + (p.path.hasPrefix("[") ? "" : ".") + p.path
        return .badImport(path: path, location: at, reason: p.reason + (line.map { " (line \($0 + p.line - 1))" } ?? ""))
    }

    static func reason(_ ctx: DecodingError.Context) -> String {
        if ctx.codingPath.isEmpty { return "not valid JSON" }
        return ctx.debugDescription.replacingOccurrences(of: "Cannot initialize ", with: "invalid ")
    }

    /// `members[3].skills[0].level`
    public static func location(_ path: [CodingKey]) -> String {
        var s = ""
        for k in path {
            if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
        }
        return s.isEmpty ? "file" : s
    }

    /// Bytes that are identical for identical content: sorted keys, stable order, a final newline.
    public func encoded() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try enc.encode(self)
        data.append(0x0A)
        return data
    }
}
