import Foundation
import KnowHowCore
import MCP

/// Entries and profiles as resources with stable URIs (`knowhow://r12`, `knowhow://@grace-mensah`),
/// their text in markdown. The listing names members and the newest entries; the templates reach
/// every other.
struct MCPResources: Sendable {
    let service: CommunityService

    static let scheme = "knowhow://"
    /// How many of each kind `resources/list` names.
    static let listed = 50

    static let templates: [MCP.Resource.Template] = [
        MCP.Resource.Template(uriTemplate: "knowhow://{id}", name: "entry", title: "An entry",
                          description: "A resource (r12), practice (p3), question with its answers (q7) or answer (a40), in markdown.",
                          mimeType: "text/markdown"),
        MCP.Resource.Template(uriTemplate: "knowhow://@{handle}", name: "profile", title: "A member's profile",
                          description: "Who they are, what they know, who endorses them, what they wrote and answered, in markdown.",
                          mimeType: "text/markdown"),
    ]

    func list() throws -> ListResources.Result {
        do {
            let resources = try service.run { c in
                try [EntryType.member, .resource, .practice, .question].flatMap { type in
                    try c.list(type, matching: "", limit: Self.listed).hits.map { h in
                        MCP.Resource(name: h.id, uri: Self.scheme + h.id, title: h.title, description: "\(h.type): \(h.title)", mimeType: "text/markdown")
                    }
                }
            }
            return ListResources.Result(resources: resources)
        } catch let e as KnowHowError {
            throw MCPError.internalError(e.description)
        }
    }

    func read(_ uri: String) throws -> ReadResource.Result {
        guard uri.hasPrefix(Self.scheme), uri.count <= Self.scheme.count + 100 else {
            throw MCPError.invalidParams("'\(uri.prefix(120))' is not a KnowHow address; they look like knowhow://r12 or knowhow://@handle")
        }
        let ref = String(uri.dropFirst(Self.scheme.count)).removingPercentEncoding ?? ""
        do {
            let shown = try service.run { try $0.show(ref) }
            return ReadResource.Result(contents: [.text(Markdown.render(shown), uri: uri, mimeType: "text/markdown")])
        } catch let e as KnowHowError {
            throw MCPError.invalidParams(e.description)
        }
    }
}
