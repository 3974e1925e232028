import Foundation
import KnowHowCore
import MCP

/// The tools: each reads its arguments, calls one `Community` use case and returns its view as
/// structured content (the JSON `--json` writes) and as text. A refused argument or a failed use
/// case is a tool error carrying the shell's sentence; an unknown tool is a protocol error.
struct MCPTools: Sendable {
    let service: CommunityService

    /// The tools offered: the readers always, `ask` and `answer` with --allow-writes.
    var definitions: [Tool] {
        Self.readers + (service.allowWrites ? Self.writers : [])
    }

    func call(_ name: String, _ arguments: [String: Value]) throws -> CallTool.Result {
        guard let tool = (Self.readers + Self.writers).first(where: { $0.name == name }) else {
            throw MCPError.invalidParams("there is no tool '\(name)'; the tools are \(definitions.map(\.name).joined(separator: ", "))")
        }
        do {
            let args = try Arguments(tool: tool, values: arguments)
            return try Self.result(try run(name, args))
        } catch let e as KnowHowError {
            return CallTool.Result(content: [.text(text: e.description, annotations: nil, _meta: nil)], isError: true)
        }
    }

    private func run(_ name: String, _ a: Arguments) throws -> any Encodable {
        let actor = service.actor
        switch name {
        case "find":
            var text = try a.string("query", limit: Validation.Limit.query) ?? ""
            if let type = try a.string("type", limit: 20) {
                guard let t = EntryType(word: type) else {
                    throw KnowHowError.invalidValue(field: "type", value: type, expected: "member, resource, practice, question, answer or meeting")
                }
                text += " type:\(t.rawValue)"
            }
            if let tag = try a.string("tag", limit: Validation.Limit.tag) { text += " tag:\(try Validation.tag(tag))" }
            let limit = try a.int("limit", default: 10, 1...100)
            return try service.run { try $0.find(text, limit: limit, as: actor).results }
        case "who":
            let request = Community.WhoRequest(
                topic: try a.required("topic", limit: Validation.Limit.query), availableOnly: try a.bool("available"),
                mentorsOnly: try a.bool("mentors"), limit: try a.int("limit", default: 10, 1...100))
            return try service.run { try $0.who(request, as: actor) }
        case "show":
            let ref = try a.required("ref", limit: 100)
            return try service.run { try $0.show(ref) }
        case "similar":
            let limit = try a.int("limit", default: 5, 1...50)
            let text = try a.string("text", limit: Validation.Limit.title + Validation.Limit.summary)
            let ref = try a.string("ref", limit: 100)
            switch (text, ref) {
            case (let t?, nil): return try service.run { try $0.similar(text: t, limit: limit) }
            case (nil, let r?):
                _ = try EntryID.parse(r.trimmingCharacters(in: .whitespaces))
                guard let entry = EntryRef(r.trimmingCharacters(in: .whitespaces)) else { throw KnowHowError.unknownReference(r) }
                return try service.run { try $0.similar(to: entry, limit: limit) }
            default:
                throw KnowHowError.missingField("either text (a title or a sentence) or ref (such as r12), not both")
            }
        case "list":
            let what = try a.required("what", limit: 20)
            let text = try a.string("query", limit: Validation.Limit.query) ?? ""
            let limit = try a.int("limit", default: 20, 1...1_000)
            if what.lowercased().hasPrefix("tag") {
                return try service.run { TagsView(tags: try $0.listTags(matching: text, limit: limit)) }
            }
            guard let type = EntryType(word: what) else {
                throw KnowHowError.invalidValue(field: "list", value: what, expected: "members, resources, practices, questions, answers, meetings or tags")
            }
            return try service.run { try $0.list(type, matching: text, limit: limit) }
        case "topics":
            let min = try a.int("min", default: 3, 1...100_000), limit = try a.int("limit", default: 5, 1...100)
            return try service.run { TopicsView(topics: try $0.topics(minMembers: min, limit: limit)) }
        case "meetings":
            let series = try a.string("series", limit: Validation.Limit.name), zone = try a.string("tz", limit: 64) ?? "UTC"
            let limit = try a.int("limit", default: 4, 1...100)
            return try service.run { try $0.upcoming(series: series, count: limit, viewerZone: zone) }
        case "gaps":
            let since = try a.string("since", limit: 40), until = try a.string("until", limit: 40)
            return try service.run { c in try c.gaps(in: try Period.parse(since: since, until: until, now: c.now), checkFilled: 500) }
        case "ask", "answer":
            guard service.allowWrites else {
                throw KnowHowError.unsupported("this server is read-only, so nothing was recorded; start it with `knowhow mcp --allow-writes` to let assistants \(name)")
            }
            if name == "answer" {
                let q = try a.required("question", limit: 100), text = try a.required("text", limit: Validation.Limit.body)
                return try service.run { try $0.answer(q, text: text, as: actor) }
            }
            let title = try a.required("question", limit: Validation.Limit.title)
            let body = try a.string("body", limit: Validation.Limit.body), tags = try a.strings("tags")
            let force = try a.bool("force")
            return try service.run { try $0.ask(title: title, body: body, tags: tags, as: actor, force: force) }
        default:
            throw KnowHowError.unsupported("the tool '\(name)' has no handler")
        }
    }

    /// A view as structured content and as the same JSON in text, for clients that read only text.
    static func result(_ view: any Encodable) throws -> CallTool.Result {
        let data = try encoder.encode(view)
        let value = try JSONDecoder().decode(Value.self, from: data)
        return CallTool.Result(content: [.text(text: String(decoding: data, as: UTF8.self), annotations: nil, _meta: nil)],
                               structuredContent: Optional(value), isError: false)
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// `list tags` and `topics` as objects: structured content must be one.
    struct TagsView: Encodable { var tags: [TagView] }
    struct TopicsView: Encodable { var topics: [TopicView] }
}

/// A tool's arguments, checked against its schema's names and types with the shell's sentences.
struct Arguments {
    let tool: String
    let values: [String: Value]

    init(tool: Tool, values: [String: Value]) throws {
        self.tool = tool.name
        self.values = values
        let known = tool.inputSchema.objectValue?["properties"]?.objectValue.map { Array($0.keys) } ?? []
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw KnowHowError.unsupported("\(tool.name) takes \(known.sorted().joined(separator: ", ")), not '\(unknown)'")
        }
    }

    func string(_ name: String, limit: Int) throws -> String? {
        switch values[name] {
        case nil, .null?: return nil
        case .string(let s)?:
            guard s.count <= limit else { throw KnowHowError.tooLong(field: name, length: s.count, limit: limit) }
            return s
        case let v?: throw KnowHowError.invalidValue(field: name, value: Self.describe(v), expected: "a string")
        }
    }

    func required(_ name: String, limit: Int) throws -> String {
        guard let s = try string(name, limit: limit), !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw KnowHowError.missingField("\(name) (\(tool) needs it)")
        }
        return s
    }

    func int(_ name: String, default d: Int, _ range: ClosedRange<Int>) throws -> Int {
        let n: Int
        switch values[name] {
        case nil, .null?: return d
        case .int(let i)?: n = i
        case .double(let x)? where x.rounded() == x && abs(x) < 1e15: n = Int(x)
        case let v?: throw KnowHowError.invalidValue(field: name, value: Self.describe(v), expected: "a number from \(Validation.grouped(range.lowerBound)) to \(Validation.grouped(range.upperBound))")
        }
        guard range.contains(n) else {
            throw KnowHowError.invalidValue(field: name, value: String(n), expected: "a number from \(Validation.grouped(range.lowerBound)) to \(Validation.grouped(range.upperBound))")
        }
        return n
    }

    func bool(_ name: String) throws -> Bool {
        switch values[name] {
        case nil, .null?: return false
        case .bool(let b)?: return b
        case let v?: throw KnowHowError.invalidValue(field: name, value: Self.describe(v), expected: "true or false")
        }
    }

    func strings(_ name: String) throws -> [String] {
        switch values[name] {
        case nil, .null?: return []
        case .array(let a)?:
            return try a.map { v in
                guard case .string(let s) = v else { throw KnowHowError.invalidValue(field: name, value: Self.describe(v), expected: "a list of strings") }
                return s
            }
        case let v?: throw KnowHowError.invalidValue(field: name, value: Self.describe(v), expected: "a list of strings")
        }
    }

    /// A value as an error quotes it, cut short.
    static func describe(_ v: Value) -> String {
        let s = v.description
        return s.count > 40 ? String(s.prefix(40)) + "…" : s
    }
}
