import Foundation

/// What a member may do in the community; each role includes the ones before it.
public enum Role: String, Codable, CaseIterable, Comparable, Sendable, FileChoice {
    case member, contributor, curator

    public static let noun = "role"
    public init(from decoder: Decoder) throws { self = try Self.choice(decoder) }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The role a member joins with: a new community's first member is its curator (someone
    /// must be able to curate), everyone else what they were given.
    public static func onJoining(_ given: Role, isFirstMember: Bool) -> Role {
        isFirstMember ? .curator : given
    }
}

/// How well a member knows a skill.
public enum SkillLevel: String, Codable, CaseIterable, Comparable, Sendable, FileChoice {
    case learning, practising, expert

    public static let noun = "skill level"
    public init(from decoder: Decoder) throws { self = try Self.choice(decoder) }

    public static func < (lhs: SkillLevel, rhs: SkillLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

public struct Skill: Codable, Hashable, Sendable {
    public var tag: String
    public var level: SkillLevel
    public init(tag: String, level: SkillLevel) { self.tag = tag; self.level = level }
}

/// A person in the community.
public struct Member: Codable, Hashable, Sendable {
    public var handle: String
    public var name: String
    public var email: String?
    public var organisation: String?
    public var sector: String?
    public var location: String?
    public var timeZone: String?
    public var bio: String?
    public var role: Role
    public var openToQuestions: Bool
    public var mentoring: Bool
    public var joined: Day?
    public var skills: [Skill]
    public var interests: [String]
    public var sourceId: String?

    public init(handle: String, name: String, email: String? = nil, organisation: String? = nil,
                sector: String? = nil, location: String? = nil, timeZone: String? = nil,
                bio: String? = nil, role: Role = .member, openToQuestions: Bool = true,
                mentoring: Bool = false, joined: Day? = nil, skills: [Skill] = [],
                interests: [String] = [], sourceId: String? = nil) {
        self.handle = handle; self.name = name; self.email = email
        self.organisation = organisation; self.sector = sector; self.location = location
        self.timeZone = timeZone; self.bio = bio; self.role = role
        self.openToQuestions = openToQuestions; self.mentoring = mentoring; self.joined = joined
        self.skills = skills; self.interests = interests; self.sourceId = sourceId
    }
}

public enum ResourceKind: String, Codable, CaseIterable, Sendable, FileChoice {
    case guide, template, tool, course, article, video, book, dataset, slides, notes, other

    public static let noun = "kind of resource"

    /// The kind a title names, the last named when several are ("Supervision notes template" →
    /// template, "Two guides" → guide); nil when it names none. What the form for adding a
    /// resource offers when Enter is pressed at its kind.
    public static func named(in title: String) -> ResourceKind? {
        for w in WordSplitter.words(title).map({ $0.lowercased() }).reversed() {
            for candidate in [w, w + "s", w.hasSuffix("s") ? String(w.dropLast()) : w] {
                if let kind = ResourceKind(rawValue: candidate), kind != .other { return kind }
            }
        }
        return nil
    }
    public init(from decoder: Decoder) throws { self = try Self.choice(decoder) }
}

public enum ResourceStatus: String, Codable, CaseIterable, Sendable, FileChoice {
    case active, archived

    public static let noun = "resource status"
    public init(from decoder: Decoder) throws { self = try Self.choice(decoder) }
}

/// Something shared for reuse: a guide, a template, a tool, a course…
public struct Resource: Codable, Hashable, Sendable {
    public var id: EntryID?
    public var title: String
    public var url: String?
    public var kind: ResourceKind
    public var summary: String?
    public var body: String?
    public var tags: [String]
    public var contributor: String?
    public var authors: [String]
    public var created: Timestamp?
    public var updated: Timestamp?
    public var status: ResourceStatus

    public init(id: EntryID? = nil, title: String, url: String? = nil, kind: ResourceKind = .other,
                summary: String? = nil, body: String? = nil, tags: [String] = [],
                contributor: String? = nil, authors: [String] = [], created: Timestamp? = nil,
                updated: Timestamp? = nil, status: ResourceStatus = .active) {
        self.id = id; self.title = title; self.url = url; self.kind = kind; self.summary = summary
        self.body = body; self.tags = tags; self.contributor = contributor; self.authors = authors
        self.created = created; self.updated = updated; self.status = status
    }
}

public enum PracticeStatus: String, Codable, CaseIterable, Sendable, FileChoice {
    case proposed, verified, retired

    public static let noun = "practice status"
    public init(from decoder: Decoder) throws { self = try Self.choice(decoder) }
}

/// A way of working that people found to work, with the evidence for it.
public struct Practice: Codable, Hashable, Sendable {
    public var id: EntryID?
    public var title: String
    public var context: String?
    public var practice: String?
    public var evidence: String?
    public var tags: [String]
    public var contributor: String?
    public var status: PracticeStatus
    public var verifiedBy: String?
    public var verifiedAt: Timestamp?
    public var reviewBy: Day?
    public var created: Timestamp?
    public var updated: Timestamp?

    public init(id: EntryID? = nil, title: String, context: String? = nil, practice: String? = nil,
                evidence: String? = nil, tags: [String] = [], contributor: String? = nil,
                status: PracticeStatus = .proposed, verifiedBy: String? = nil,
                verifiedAt: Timestamp? = nil, reviewBy: Day? = nil, created: Timestamp? = nil,
                updated: Timestamp? = nil) {
        self.id = id; self.title = title; self.context = context; self.practice = practice
        self.evidence = evidence; self.tags = tags; self.contributor = contributor
        self.status = status; self.verifiedBy = verifiedBy; self.verifiedAt = verifiedAt
        self.reviewBy = reviewBy; self.created = created; self.updated = updated
    }
}

/// A question a member brought to the community (a peer assist).
public struct Question: Codable, Hashable, Sendable {
    public var id: EntryID?
    public var title: String
    public var body: String?
    public var tags: [String]
    public var asker: String?
    public var created: Timestamp?
    public var score: Int?
    public var acceptedAnswer: EntryID?

    public init(id: EntryID? = nil, title: String, body: String? = nil, tags: [String] = [],
                asker: String? = nil, created: Timestamp? = nil, score: Int? = nil,
                acceptedAnswer: EntryID? = nil) {
        self.id = id; self.title = title; self.body = body; self.tags = tags; self.asker = asker
        self.created = created; self.score = score; self.acceptedAnswer = acceptedAnswer
    }
}

/// An answer to a question.
public struct Answer: Codable, Hashable, Sendable {
    public var id: EntryID?
    public var question: EntryID
    public var body: String
    public var author: String?
    public var created: Timestamp?
    public var score: Int?

    public init(id: EntryID? = nil, question: EntryID, body: String, author: String? = nil,
                created: Timestamp? = nil, score: Int? = nil) {
        self.id = id; self.question = question; self.body = body; self.author = author
        self.created = created; self.score = score
    }
}

/// A tag: the one vocabulary for skills, interests, resources, practices and questions.
public struct Tag: Codable, Hashable, Sendable {
    public var name: String
    public var description: String?
    public var aliases: [String]

    public init(name: String, description: String? = nil, aliases: [String] = []) {
        self.name = name; self.description = description; self.aliases = aliases
    }
}

// Community files may leave out what has a sensible default; these decoders supply it.

/// A value of a community file chosen from a few words (a role, a kind…): any other word is
/// refused with the words there are, not with the decoder's "invalid Role from invalid String".
public protocol FileChoice: RawRepresentable<String>, CaseIterable, Decodable {
    /// What one of these is called in a message: "role", "kind of resource".
    static var noun: String { get }
}

extension FileChoice {
    /// `'admin' is not a role; use member, contributor or curator`.
    public static func choice(_ decoder: Decoder) throws -> Self {
        let text = try decoder.singleValueContainer().decode(String.self)
        if let value = Self(rawValue: text) { return value }
        let words = allCases.map(\.rawValue)
        let list = words.dropLast().joined(separator: ", ") + (words.count > 1 ? " or " : "") + (words.last ?? "")
        let article = noun.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
            debugDescription: "'\(text)' is not \(article) \(noun); use \(list)"))
    }
}

/// A whole number in a community file. JSONDecoder calls a fraction, or a number too large for
/// an Int, "not valid JSON" for the whole file; this names the number and (by its coding path)
/// the field.
public struct WholeNumber: Decodable, Sendable {
    public var value: Int

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        do { value = try c.decode(Int.self) } catch let e as DecodingError { throw e } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: Self.reason(try? c.decode(Decimal.self))))
        }
    }

    /// Why a number that is not an Int is refused: it is not whole, or out of range.
    public static func reason(_ number: Decimal?) -> String {
        let range = "use a whole number from \(Int.min) to \(Int.max)"
        guard var d = number else { return "the number is out of range: " + range }
        var whole = Decimal()
        NSDecimalRound(&whole, &d, 0, .plain)
        return whole == d ? "\(d) is out of range: " + range : "\(d) is not a whole number"
    }
}

extension Member {
    enum CodingKeys: String, CodingKey {
        case handle, name, email, organisation, sector, location, timeZone, bio, role, openToQuestions, mentoring
        case joined, skills, interests, sourceId
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(handle: try c.decode(String.self, forKey: .handle), name: try c.decode(String.self, forKey: .name),
                  email: try c.decodeIfPresent(String.self, forKey: .email),
                  organisation: try c.decodeIfPresent(String.self, forKey: .organisation),
                  sector: try c.decodeIfPresent(String.self, forKey: .sector),
                  location: try c.decodeIfPresent(String.self, forKey: .location),
                  timeZone: try c.decodeIfPresent(String.self, forKey: .timeZone),
                  bio: try c.decodeIfPresent(String.self, forKey: .bio),
                  role: try c.decodeIfPresent(Role.self, forKey: .role) ?? .member,
                  openToQuestions: try c.decodeIfPresent(Bool.self, forKey: .openToQuestions) ?? true,
                  mentoring: try c.decodeIfPresent(Bool.self, forKey: .mentoring) ?? false,
                  joined: try c.decodeIfPresent(Day.self, forKey: .joined),
                  skills: try c.decodeIfPresent([Skill].self, forKey: .skills) ?? [],
                  interests: try c.decodeIfPresent([String].self, forKey: .interests) ?? [],
                  sourceId: try c.decodeIfPresent(String.self, forKey: .sourceId))
    }
}

extension Resource {
    enum CodingKeys: String, CodingKey {
        case id, title, url, kind, summary, body, tags, contributor, authors, created, updated, status
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decodeIfPresent(EntryID.self, forKey: .id), title: try c.decode(String.self, forKey: .title),
                  url: try c.decodeIfPresent(String.self, forKey: .url),
                  kind: try c.decodeIfPresent(ResourceKind.self, forKey: .kind) ?? .other,
                  summary: try c.decodeIfPresent(String.self, forKey: .summary),
                  body: try c.decodeIfPresent(String.self, forKey: .body),
                  tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? [],
                  contributor: try c.decodeIfPresent(String.self, forKey: .contributor),
                  authors: try c.decodeIfPresent([String].self, forKey: .authors) ?? [],
                  created: try c.decodeIfPresent(Timestamp.self, forKey: .created),
                  updated: try c.decodeIfPresent(Timestamp.self, forKey: .updated),
                  status: try c.decodeIfPresent(ResourceStatus.self, forKey: .status) ?? .active)
    }
}

extension Practice {
    enum CodingKeys: String, CodingKey {
        case id, title, context, practice, evidence, tags, contributor, status, verifiedBy, verifiedAt, reviewBy, created, updated
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decodeIfPresent(EntryID.self, forKey: .id), title: try c.decode(String.self, forKey: .title),
                  context: try c.decodeIfPresent(String.self, forKey: .context),
                  practice: try c.decodeIfPresent(String.self, forKey: .practice),
                  evidence: try c.decodeIfPresent(String.self, forKey: .evidence),
                  tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? [],
                  contributor: try c.decodeIfPresent(String.self, forKey: .contributor),
                  status: try c.decodeIfPresent(PracticeStatus.self, forKey: .status) ?? .proposed,
                  verifiedBy: try c.decodeIfPresent(String.self, forKey: .verifiedBy),
                  verifiedAt: try c.decodeIfPresent(Timestamp.self, forKey: .verifiedAt),
                  reviewBy: try c.decodeIfPresent(Day.self, forKey: .reviewBy),
                  created: try c.decodeIfPresent(Timestamp.self, forKey: .created),
                  updated: try c.decodeIfPresent(Timestamp.self, forKey: .updated))
    }
}

extension Question {
    enum CodingKeys: String, CodingKey { case id, title, body, tags, asker, created, score, acceptedAnswer }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decodeIfPresent(EntryID.self, forKey: .id), title: try c.decode(String.self, forKey: .title),
                  body: try c.decodeIfPresent(String.self, forKey: .body),
                  tags: try c.decodeIfPresent([String].self, forKey: .tags) ?? [],
                  asker: try c.decodeIfPresent(String.self, forKey: .asker),
                  created: try c.decodeIfPresent(Timestamp.self, forKey: .created),
                  score: try c.decodeIfPresent(WholeNumber.self, forKey: .score)?.value,
                  acceptedAnswer: try c.decodeIfPresent(EntryID.self, forKey: .acceptedAnswer))
    }
}

extension Answer {
    enum CodingKeys: String, CodingKey { case id, question, body, author, created, score }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decodeIfPresent(EntryID.self, forKey: .id), question: try c.decode(EntryID.self, forKey: .question),
                  body: try c.decode(String.self, forKey: .body),
                  author: try c.decodeIfPresent(String.self, forKey: .author),
                  created: try c.decodeIfPresent(Timestamp.self, forKey: .created),
                  score: try c.decodeIfPresent(WholeNumber.self, forKey: .score)?.value)
    }
}

extension Tag {
    enum CodingKeys: String, CodingKey { case name, description, aliases }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name),
                  description: try c.decodeIfPresent(String.self, forKey: .description),
                  aliases: try c.decodeIfPresent([String].self, forKey: .aliases) ?? [])
    }
}
