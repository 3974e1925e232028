import Foundation
import KnowHowMCP
import KnowHowShell
import KnowHowStores

// The MCP server's program, started by `knowhow mcp` with the same arguments: it opens the store
// as knowhow does and serves it over stdio (see KnowHowMCP).
KnowHowMain.frontEnds["mcp"] = { MCPServer.main(community: $0.community, actor: $0.actor, arguments: $0.arguments, version: KnowHowMain.version) }
exit(KnowHowMain.run(Array(CommandLine.arguments.dropFirst()), opener: StoreFactory()))
