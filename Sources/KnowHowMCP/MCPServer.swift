import Foundation
import KnowHowCore
import MCP

/// `knowhow mcp`: serves the community to assistants over the Model Context Protocol on stdin and
/// stdout. Tools, resources and prompts all call `Community`; nothing here decides anything the
/// shell decides too. Only protocol messages go to stdout; notes go to stderr.
public enum MCPServer {
    static let usage = """
    USAGE: knowhow [--db PATH | --demo] [--as @HANDLE] mcp [--allow-writes]

    Serves this store to an assistant over the Model Context Protocol on standard input and output.
    Read-only unless --allow-writes, which adds the tools `ask` and `answer`, acting as --as @HANDLE.
    """

    /// Runs the server until its client closes stdin; returns the exit status.
    public static func main(community: Community, actor: String?, arguments: [String], version: String) -> Int32 {
        var allowWrites = false
        for a in arguments {
            switch a {
            case "--allow-writes": allowWrites = true
            case "-h", "--help": print(usage); return 0
            default:
                FileHandle.standardError.write(Data("knowhow: mcp takes only --allow-writes, not '\(a)'; see `knowhow mcp --help`\n".utf8))
                return 2
            }
        }
        if allowWrites && actor == nil {
            log("note: writes are allowed but no member is set (--as @handle, KNOWHOW_USER); ask and answer will say so")
        }
        let service = CommunityService(community: community, actor: actor, allowWrites: allowWrites)
        let done = DispatchSemaphore(value: 0)
        let failure = Failure()
        Task {
            do {
                let server = try await makeServer(service, version: version)
                try await server.start(transport: LineTransport())
                await server.waitUntilCompleted()
            } catch {
                failure.message = "\(error)"
            }
            done.signal()
        }
        done.wait()
        if let m = failure.message { log("the MCP server stopped: \(m)"); return 3 }
        return 0
    }

    /// A server with every handler registered on `service`.
    public static func makeServer(_ service: CommunityService, version: String) async throws -> Server {
        let server = Server(
            name: "knowhow", version: version, title: "KnowHow",
            instructions: "Who to ask, and what already exists, in this community of practice. Search with `find`, find people with `who`, check `similar` before writing anything new.",
            capabilities: .init(prompts: .init(listChanged: false), resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
        let tools = MCPTools(service: service)
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools.definitions) }
        await server.withMethodHandler(CallTool.self) { params in try tools.call(params.name, params.arguments ?? [:]) }
        let resources = MCPResources(service: service)
        await server.withMethodHandler(ListResources.self) { _ in try resources.list() }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in ListResourceTemplates.Result(templates: MCPResources.templates) }
        await server.withMethodHandler(ReadResource.self) { params in try resources.read(params.uri) }
        let prompts = MCPPrompts(service: service)
        await server.withMethodHandler(ListPrompts.self) { _ in ListPrompts.Result(prompts: MCPPrompts.definitions) }
        await server.withMethodHandler(GetPrompt.self) { params in try prompts.get(params.name, params.arguments ?? [:]) }
        return server
    }

    static func log(_ line: String) {
        FileHandle.standardError.write(Data("knowhow mcp: \(line)\n".utf8))
    }

    private final class Failure: @unchecked Sendable { var message: String? }
}

/// The community as the server's handlers share it: the SDK runs each request in its own task,
/// so calls go through one lock (the store is one connection, not `Sendable`).
public final class CommunityService: @unchecked Sendable {
    private let community: Community
    private let lock = NSLock()
    /// The acting member (`--as`, KNOWHOW_USER, the config file), as in the shell.
    public let actor: String?
    /// `--allow-writes`: whether `ask` and `answer` are offered.
    public let allowWrites: Bool

    public init(community: Community, actor: String?, allowWrites: Bool) {
        self.community = community
        self.actor = actor
        self.allowWrites = allowWrites
    }

    /// Runs `body` on the community, one call at a time.
    public func run<T>(_ body: (Community) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(community)
    }
}
