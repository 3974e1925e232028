import KnowHowCore

/// Renders the core's query tree into a `tsquery` for `to_tsquery('knowhow.english', $1)`.
/// Every word is quoted, so no user text is ever read as tsquery syntax; the server stems
/// quoted words as it stems the index (see `PostgresSchema`).
public enum TSQuery {
    /// The text search configuration of the index and of every query.
    public static let configuration = "knowhow.english"

    /// `'word'`, with quotes doubled and backslashes escaped as tsquery reads them.
    public static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// nil when the node has nothing positive to match (only exclusions).
    public static func render(_ node: QueryNode) -> String? {
        switch node {
        case .term(let w):
            return quote(w)
        case .prefix(let w):
            return quote(w) + ":*"
        case .phrase(let ws, let prefix):
            guard !ws.isEmpty else { return nil }
            var parts = ws.map(quote)
            if prefix { parts[parts.count - 1] += ":*" }
            return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " <-> ") + ")"
        case .or(let cs):
            let parts = cs.compactMap(render)
            guard !parts.isEmpty else { return nil }
            return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: " | ") + ")"
        case .and(let cs):
            var positives: [String] = [], negatives: [String] = []
            for c in cs {
                if case .not(let inner) = c { if let r = render(inner) { negatives.append(r) } }
                else if let r = render(c) { positives.append(r) }
            }
            guard !positives.isEmpty else { return nil }
            var s = positives.count == 1 ? positives[0] : "(" + positives.joined(separator: " & ") + ")"
            for n in negatives { s += " & !" + n }
            return negatives.isEmpty ? s : "(" + s + ")"
        case .not:
            return nil
        }
    }

    /// Any of the positive words, phrases and prefixes, for marking matches with ts_headline:
    /// it marks only what satisfies its query within one field, so `a & b` would mark nothing
    /// in a title holding only `a`.
    public static func highlight(_ node: QueryNode) -> String? {
        func parts(_ n: QueryNode) -> [String] {
            switch n {
            case .term, .prefix, .phrase: return render(n).map { [$0] } ?? []
            case .and(let cs), .or(let cs): return cs.flatMap(parts)
            case .not: return []
            }
        }
        let all = parts(node)
        return all.isEmpty ? nil : all.joined(separator: " | ")
    }

    /// The exclusions of a query that has no positive words (`tag:x -draft`), each rendered to
    /// match what must be left out.
    public static func exclusions(_ node: QueryNode) -> [String] {
        switch node {
        case .not(let inner): return render(inner).map { [$0] } ?? []
        case .and(let cs): return cs.flatMap { c -> [String] in if case .not(let i) = c { return render(i).map { [$0] } ?? [] } else { return [] } }
        default: return []
        }
    }
}

/// Parameters of one statement, numbered as they are bound.
public struct PGParameters {
    public private(set) var values: [PGBindable?] = []
    public init() {}

    /// Binds a value and returns its placeholder (`$3`).
    public mutating func bind(_ value: PGBindable?) -> String {
        values.append(value)
        return "$\(values.count)"
    }

    /// Placeholders for a list, for `IN (…)`.
    public mutating func bind(list: [PGBindable]) -> String {
        list.map { bind($0) }.joined(separator: ", ")
    }
}

/// Filters (`tag:x`, `by:@kim`, `-status:retired`…) as SQL conditions on an entry key, with
/// every value bound as a parameter: OR within a key, AND across keys, NOT for negated ones,
/// as the SQLite store reads them. Names are resolved in SQL (tags through their aliases,
/// handles through merge redirects), so an unknown one matches nothing; saying why is the
/// store's work.
public enum PostgresFilters {
    public static func conditions(_ filters: [Filter], entry k: String, parameters p: inout PGParameters) throws -> [String] {
        var groups: [(Filter.Key, Bool, [String])] = []
        for f in filters {
            if let i = groups.firstIndex(where: { $0.0 == f.key && $0.1 == f.negated }) { groups[i].2.append(f.value) }
            else { groups.append((f.key, f.negated, [f.value])) }
        }
        return try groups.map { key, negated, values in
            let c = try condition(key, values, entry: k, parameters: &p)
            return negated ? "NOT (\(c))" : c
        }
    }

    static func condition(_ key: Filter.Key, _ values: [String], entry k: String, parameters p: inout PGParameters) throws -> String {
        switch key {
        case .type:
            let codes = try EntryType.filterValues(values).map(\.keyCode)
            return "(\(k) & 7) IN (\(codes.map(String.init).joined(separator: ", ")))"
        case .tag:
            var names: [String] = []
            for v in values {
                guard let name = try? Validation.tag(v) else {
                    throw KnowHowError.badFilter(key: "tag", reason: "'\(v)' is not a tag name; tags look like social-care")
                }
                names.append(name)
            }
            let list = p.bind(list: names)
            let tags = "SELECT id FROM knowhow.tag WHERE name IN (\(list)) UNION SELECT tag_id FROM knowhow.tag_alias WHERE alias IN (\(list))"
            return """
                \(k) IN (SELECT entry FROM knowhow.entry_tag WHERE tag_id IN (\(tags)) \
                UNION ALL SELECT member_id << 3 | 1 FROM knowhow.member_skill WHERE tag_id IN (\(tags)) \
                UNION ALL SELECT member_id << 3 | 1 FROM knowhow.member_interest WHERE tag_id IN (\(tags)))
                """
        case .by:
            var handles: [String] = []
            for v in values { handles.append(try Validation.handle(v)) }
            let list = p.bind(list: handles)
            let atList = p.bind(list: handles.map { "@" + $0 })
            let ids = "SELECT id FROM knowhow.member WHERE handle IN (\(list)) OR '@' || handle IN (SELECT new FROM knowhow.redirect WHERE old IN (\(atList)))"
            return members(ids, entry: k, includingProfiles: false, includingAuthors: true)
        case .status:
            var parts: [String] = []
            for v in values.map({ $0.lowercased() }) {
                if ResourceStatus(rawValue: v) != nil {
                    parts.append("SELECT id << 3 | 2 FROM knowhow.resource WHERE status = \(p.bind(v))")
                } else if PracticeStatus(rawValue: v) != nil {
                    parts.append("SELECT id << 3 | 3 FROM knowhow.practice WHERE status = \(p.bind(v))")
                } else if v == "open" || v == "unanswered" {
                    parts.append("SELECT id << 3 | 4 FROM knowhow.question WHERE accepted_answer_id IS NULL")
                } else if v == "answered" || v == "accepted" {
                    parts.append("SELECT id << 3 | 4 FROM knowhow.question WHERE accepted_answer_id IS NOT NULL")
                } else {
                    throw KnowHowError.badFilter(key: "status", reason: "'\(v)' is not a status; use active, archived, proposed, verified, retired, open or answered")
                }
            }
            return "\(k) IN (" + parts.joined(separator: " UNION ALL ") + ")"
        case .kind:
            var kinds: [String] = []
            for v in values {
                guard let kind = ResourceKind(rawValue: v.lowercased()) else {
                    throw KnowHowError.badFilter(key: "kind", reason: "'\(v)' is not a kind; use " + ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                kinds.append(kind.rawValue)
            }
            return "\(k) IN (SELECT id << 3 | 2 FROM knowhow.resource WHERE kind IN (\(p.bind(list: kinds))))"
        case .role:
            var roles: [String] = []
            for v in values {
                guard let r = Role(rawValue: v.lowercased()) else {
                    throw KnowHowError.badFilter(key: "role", reason: "'\(v)' is not a role; use member, contributor or curator")
                }
                roles.append(r.rawValue)
            }
            return "\(k) IN (SELECT id << 3 | 1 FROM knowhow.member WHERE role IN (\(p.bind(list: roles))))"
        case .sector:
            // A prefix of the sector, any case; `_` stands for a space as in the SQLite store.
            let patterns = values.map { likeEscaped($0.replacingOccurrences(of: "_", with: " ")) + "%" }
            let cond = patterns.map { "sector ILIKE \(p.bind($0))" }.joined(separator: " OR ")
            return members("SELECT id FROM knowhow.member WHERE \(cond)", entry: k, includingProfiles: true, includingAuthors: false)
        }
    }

    /// Entries by the members `ids` selects: contributed, authored (`by:` only, as in the SQLite
    /// store), asked or answered.
    static func members(_ ids: String, entry k: String, includingProfiles: Bool, includingAuthors: Bool) -> String {
        "(" + (includingProfiles ? "\(k) IN (SELECT id << 3 | 1 FROM knowhow.member WHERE id IN (\(ids))) OR " : "") + """
            \(k) IN (SELECT id << 3 | 2 FROM knowhow.resource WHERE contributor_id IN (\(ids)) \
            \(includingAuthors ? "UNION ALL SELECT resource_id << 3 | 2 FROM knowhow.resource_author WHERE member_id IN (\(ids))" : "") \
            UNION ALL SELECT id << 3 | 3 FROM knowhow.practice WHERE contributor_id IN (\(ids)) \
            UNION ALL SELECT id << 3 | 4 FROM knowhow.question WHERE asker_id IN (\(ids)) \
            UNION ALL SELECT id << 3 | 5 FROM knowhow.answer WHERE author_id IN (\(ids)) \
            \(includingAuthors ? "UNION ALL SELECT id << 3 | 7 FROM knowhow.meeting WHERE organiser_id IN (\(ids)) UNION ALL SELECT meeting_id << 3 | 7 FROM knowhow.meeting_person WHERE part = 'presenter' AND member_id IN (\(ids))" : "")))
            """
    }

    /// A value matched literally by LIKE: its own `%`, `_` and `\` lose their meaning.
    static func likeEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
