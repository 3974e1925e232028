import Foundation
import KnowHowShell
import KnowHowStores
#if canImport(Glibc)
import Glibc
#endif

// The composition root: the store technology is chosen here; the shell sees only the core.
// `knowhow mcp` is served by knowhow-mcp beside this program (the same arguments, the same store
// rules): linking the MCP SDK here would load FoundationNetworking and libcurl at every start.
KnowHowMain.frontEnds["mcp"] = { _ in
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let server = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("knowhow-mcp").path
    var argv: [UnsafeMutablePointer<CChar>?] = ([server] + CommandLine.arguments.dropFirst()).map { strdup($0) } + [nil]
    execv(server, &argv)
    FileHandle.standardError.write(Data("knowhow: cannot start the MCP server \(server) (\(String(cString: strerror(errno)))); install knowhow-mcp beside knowhow\n".utf8))
    return 3
}
exit(KnowHowMain.run(Array(CommandLine.arguments.dropFirst()), opener: StoreFactory()))
