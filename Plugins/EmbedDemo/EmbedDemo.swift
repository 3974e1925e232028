import Foundation
import PackagePlugin

/// Compiles the demo community (Data/community.json) into the program as a string, so that an
/// installed or copied `knowhow` opens `--demo` from any folder with no file beside it.
@main
struct EmbedDemo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let input = context.package.directoryURL.appending(path: "Data/community.json")
        let output = context.pluginWorkDirectoryURL.appending(path: "DemoCommunity.swift")
        // A raw multi-line literal keeps every byte: nothing in JSON can close `"""####`.
        let open = "####" + String(repeating: "\"", count: 3), close = String(repeating: "\"", count: 3) + "####"
        let script = "{ printf '/// Data/community.json, compiled in by the EmbedDemo plugin.\\n'; "
            + "printf 'let embeddedDemoCommunity = \(open)\\n'; cat \"$1\"; printf '\\n\(close)\\n'; } > \"$2\""
        return [.buildCommand(displayName: "Embedding the demo community", executable: URL(fileURLWithPath: "/bin/sh"),
                              arguments: ["-c", script, "sh", input.path, output.path],
                              inputFiles: [input], outputFiles: [output])]
    }
}
