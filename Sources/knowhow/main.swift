import Foundation
import KnowHowMCP
import KnowHowShell

KnowHowMain.frontEnds["mcp"] = { MCPServer.main(community: $0.community, actor: $0.actor, arguments: $0.arguments, version: KnowHowMain.version) }
exit(KnowHowMain.run(Array(CommandLine.arguments.dropFirst())))
