import KnowHowCore
import MCP

// The tools' names, descriptions and JSON schemas: one table, which `tools/list` returns and
// `Arguments` checks names against.
extension MCPTools {
    static let readers: [Tool] = [
        tool("find", "Search the community's resources, practices, questions, answers and members. Returns numbered hits (id, type, title, snippet, matched words, tags, score) and suggestions when little matched.",
             input: ["query": str("Words, \"a phrase\", or filters such as tag:onboarding type:resource by:@handle"),
                     "type": str("Only this kind: member, resource, practice, question, answer or meeting"),
                     "tag": str("Only entries with this tag"),
                     "limit": int("How many hits (1–100, default 10)")],
             output: obj(["query": .string, "hits": .array, "more": .boolean, "suggestions": .array, "notes": .array])),
        tool("who", "Who to ask about a topic: members ranked by what they wrote and answered, their declared skills and endorsements, each with the why (skills, endorsements, evidence entries).",
             input: ["topic": str("The topic, in a few words; sector:health narrows"), "available": bool("Only members open to questions"),
                     "mentors": bool("Only members who mentor"), "limit": int("How many people (1–100, default 10)")],
             required: ["topic"], output: obj(["topic": .string, "members": .array])),
        tool("show", "One member (@handle), entry (r12, p3, q7, a40) or tag, in full: a member's profile with contributions and endorsements, a question with its answers, a tag's busiest entries and members.",
             input: ["ref": str("@handle, an id such as r12, or a tag")], required: ["ref"],
             output: obj(["id": .string, "kind": .string])),
        tool("similar", "Does this already exist? Existing entries like a text (a title or a sentence) or like an existing entry (ref), closest first: the words of the text, ranked by how much of them each entry holds.",
             input: ["text": str("A title or sentence to compare"), "ref": str("An existing entry to compare, such as r12"),
                     "limit": int("How many (1–50, default 5)")],
             output: obj(["to": .string, "results": .object])),
        tool("list", "List members, resources, practices, questions, answers, meetings or tags, optionally narrowed by a search.",
             input: ["what": str("members, resources, practices, questions, answers, meetings or tags"), "query": str("An optional search to narrow the list"),
                     "limit": int("How many (1–1,000, default 20)")],
             required: ["what"], output: .object(["type": .string("object")])),
        tool("topics", "Learning goals many members share, each with who could lead a session (ranked as `who` ranks) and entries to start from.",
             input: ["min": int("Only goals at least this many members share (default 3)"), "limit": int("How many topics (1–100, default 5)")],
             output: obj(["topics": .array])),
        tool("meetings", "The community's next meetings, planned or not yet, of every series or one, with times in a time zone.",
             input: ["series": str("Only this series (Elevenses)"), "tz": str("Show times in this time zone (default UTC)"),
                     "limit": int("How many (1–100, default 4)")],
             output: obj(["timeZone": .string, "occurrences": .array, "series": .array])),
        tool("gaps", "What people searched for and did not find, questions nobody answered, and tags members want that nobody practises.",
             input: ["since": str("Start: a day (2026-03-01) or an age (90d, 8w, 6m, 1y); default a year before until"),
                     "until": str("End, included: a day or a time; default now")],
             output: obj(["since": .string, "until": .string, "searches": .integer, "unmet": .integer, "searchGaps": .array,
                          "unansweredQuestions": .array, "wantedTags": .array])),
    ]

    static let writers: [Tool] = [
        tool("ask", "Ask the community a question as the configured member. Shows what exists first: when an existing entry looks strongly like it, nothing is recorded (question is null) unless force is true. Returns who could help and what may already answer it.",
             input: ["question": str("The question, as a title"), "body": str("More detail"), "tags": .object(["type": .string("array"), "items": .object(["type": .string("string")]), "description": .string("Tags")]),
                     "force": bool("Record it even when something similar exists")],
             required: ["question"], output: obj(["question": .string, "helpers": .object, "existing": .array, "similar": .array]),
             readOnly: false),
        tool("answer", "Answer a question (such as q3) as the configured member; recorded in history like any change.",
             input: ["question": str("The question's id, such as q3"), "text": str("The answer")], required: ["question", "text"],
             output: obj(["question": .string, "answer": .string]), readOnly: false),
    ]

    enum Kind: String { case string, integer, boolean, array, object }

    static func str(_ d: String) -> Value { .object(["type": .string("string"), "description": .string(d)]) }
    static func int(_ d: String) -> Value { .object(["type": .string("integer"), "description": .string(d)]) }
    static func bool(_ d: String) -> Value { .object(["type": .string("boolean"), "description": .string(d)]) }

    /// An object schema; `question` in `ask` may be null, so string properties there allow it.
    static func obj(_ properties: [String: Kind]) -> Value {
        .object(["type": .string("object"),
                 "properties": .object(properties.mapValues { k in
                     k == .string ? .object(["type": .array([.string("string"), .string("null")])]) : .object(["type": .string(k.rawValue)])
                 })])
    }

    static func tool(_ name: String, _ description: String, input: [String: Value], required: [String] = [], output: Value,
                     readOnly: Bool = true) -> Tool {
        Tool(name: name, description: description,
             inputSchema: .object(["type": .string("object"), "properties": .object(input),
                                   "required": .array(required.map(Value.string)), "additionalProperties": .bool(false)]),
             annotations: .init(readOnlyHint: readOnly, destructiveHint: false, idempotentHint: readOnly, openWorldHint: false),
             outputSchema: output)
    }
}
