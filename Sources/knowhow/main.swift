import Foundation
import KnowHowMCP
import KnowHowShell

// The composition root: the store technology and the front ends are chosen here; the shell and
// the MCP server see only the core.
KnowHowMain.frontEnds["mcp"] = { MCPServer.main(community: $0.community, actor: $0.actor, arguments: $0.arguments, version: KnowHowMain.version) }
exit(KnowHowMain.run(Array(CommandLine.arguments.dropFirst()), opener: StoreFactory()))
