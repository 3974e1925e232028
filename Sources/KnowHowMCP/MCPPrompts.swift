import Foundation
import KnowHowCore
import MCP

/// Prompts an assistant's user can pick: each carries what the community says now, so the
/// assistant starts from facts rather than guesses.
struct MCPPrompts: Sendable {
    let service: CommunityService

    static let definitions: [Prompt] = [
        Prompt(name: "who-to-ask", title: "Find who to ask about …",
               description: "Who in the community knows about a topic, and why; the assistant then suggests whom to contact.",
               arguments: [.init(name: "topic", description: "The topic, in a few words", required: true)]),
        Prompt(name: "check-before-writing", title: "Check whether this exists before I write it",
               description: "Existing entries like a planned resource, practice or question, so you reuse or extend one instead of writing it again.",
               arguments: [.init(name: "draft", description: "The title, or a sentence about what you plan to write", required: true)]),
    ]

    func get(_ name: String, _ arguments: [String: String]) throws -> GetPrompt.Result {
        do {
            switch name {
            case "who-to-ask":
                let topic = try argument("topic", arguments)
                let who = try service.run { try $0.who(.init(topic: topic, limit: 5), as: service.actor) }
                return GetPrompt.Result(description: "Who to ask about \(topic)", messages: [.user(.text(text: """
                    I want to find someone in my community to ask about: \(topic)

                    The community directory (KnowHow) ranks these members, with why:

                    \(Markdown.who(who))

                    Suggest whom I should contact first and why, using only the people above. If the list is empty or weak, \
                    say so and suggest the `find` tool or broader words instead of inventing names.
                    """))])
            case "check-before-writing":
                let draft = try argument("draft", arguments)
                let similar = try service.run { try $0.similar(text: draft, limit: 5) }
                return GetPrompt.Result(description: "Does this already exist: \(draft)", messages: [.user(.text(text: """
                    Before I write this for my community, check whether it already exists: \(draft)

                    Existing entries that look alike (KnowHow):

                    \(Markdown.similar(similar))

                    Tell me whether one of these already covers it (read them with the `show` tool or their knowhow:// \
                    address), whether I should extend one instead, or whether it is new.
                    """))])
            default:
                throw MCPError.invalidParams("there is no prompt '\(name)'; the prompts are \(Self.definitions.map(\.name).joined(separator: ", "))")
            }
        } catch let e as KnowHowError {
            throw MCPError.invalidParams(e.description)
        }
    }

    private func argument(_ name: String, _ arguments: [String: String]) throws -> String {
        guard let v = arguments[name], !v.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw KnowHowError.missingField("\(name) (the prompt needs it)")
        }
        guard v.count <= Validation.Limit.query else { throw KnowHowError.tooLong(field: name, length: v.count, limit: Validation.Limit.query) }
        return v
    }
}
