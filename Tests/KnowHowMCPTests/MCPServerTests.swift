import Foundation
import MCP
import SystemPackage
import Testing

/// Runs the built `knowhow mcp` as a child process and drives it with the SDK's own client over
/// its pipes, as an assistant's host would.
@Suite(.serialized)
struct MCPServerTests {
    /// `knowhow [arguments]` with a client connected to its stdin and stdout.
    final class Child {
        let process = Process()
        let input = Pipe(), output = Pipe(), errors = Pipe()
        let client = Client(name: "knowhow-tests", version: "1")
        let dir: URL
        var initialized: Initialize.Result?

        init(_ arguments: [String]) async throws {
            let binary = try #require(Self.binary, "build knowhow first: swift build --build-tests")
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("knowhow-mcp-\(UUID().uuidString)")
            for sub in ["home", "data", "state", "config"] {
                try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            process.environment = [
                "HOME": dir.appendingPathComponent("home").path, "XDG_DATA_HOME": dir.appendingPathComponent("data").path,
                "XDG_STATE_HOME": dir.appendingPathComponent("state").path, "XDG_CONFIG_HOME": dir.appendingPathComponent("config").path,
                "TMPDIR": dir.path, "PATH": "/usr/bin:/bin", "KNOWHOW_NOW": "2026-06-01T12:00:00Z",
            ]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let transport = StdioTransport(input: FileDescriptor(rawValue: output.fileHandleForReading.fileDescriptor),
                                           output: FileDescriptor(rawValue: input.fileHandleForWriting.fileDescriptor))
            initialized = try await client.connect(transport: transport)
        }

        /// Calls a tool and returns its whole result, structured content included.
        func call(_ name: String, _ arguments: [String: Value] = [:]) async throws -> CallTool.Result {
            try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
        }

        /// The text of a result's first content.
        static func text(_ r: CallTool.Result) -> String {
            guard case .text(let t, _, _)? = r.content.first else { return "" }
            return t
        }

        /// Ends the child by closing its stdin; returns its exit status and what it wrote to stderr.
        func finish() async -> (status: Int32, stderr: String) {
            await client.disconnect()
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            try? FileManager.default.removeItem(at: dir)
            return (process.terminationStatus, err)
        }

        /// The `knowhow` built beside this test executable; `.build/debug/knowhow` as a last resort.
        static let binary: String? = {
            var dirs: [URL] = []
            if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
                dirs.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
            }
            dirs.append(Bundle.main.bundleURL)
            dirs.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug"))
            return dirs.map { $0.appendingPathComponent("knowhow").path }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }()
    }

    static let readers = ["find", "gaps", "list", "meetings", "show", "similar", "topics", "who"]

    @Test func listsToolsResourcesAndPromptsAndCallsEveryToolOnTheDemo() async throws {
        let child = try await Child(["--demo", "mcp"])
        #expect(child.initialized?.serverInfo.name == "knowhow")
        let tools = try await child.client.listTools().tools
        #expect(tools.map(\.name).sorted() == Self.readers)
        #expect(tools.allSatisfy { $0.outputSchema != nil && $0.annotations.readOnlyHint == true })

        let resources = try await child.client.listResources().resources
        #expect(resources.contains { $0.uri == "knowhow://@grace-mensah" })
        #expect(resources.contains { $0.uri == "knowhow://r1" })
        let templates = try await child.client.listResourceTemplates().templates
        #expect(templates.map(\.uriTemplate).sorted() == ["knowhow://@{handle}", "knowhow://{id}"])
        let prompts = try await child.client.listPrompts().prompts
        #expect(prompts.map(\.name).sorted() == ["check-before-writing", "who-to-ask"])

        let find = try await child.call("find", ["query": "onboarding", "limit": 3])
        #expect(find.isError == false)
        let hits = try #require(find.structuredContent?.objectValue?["hits"]?.arrayValue)
        #expect(hits.count == 3)
        #expect(hits.first?.objectValue?["id"]?.stringValue?.isEmpty == false)
        // The text is the same JSON as the structured content.
        #expect(try JSONDecoder().decode(Value.self, from: Data(Child.text(find).utf8)) == find.structuredContent)
        let typed = try await child.call("find", ["query": "onboarding", "type": "resource"])
        let types = typed.structuredContent?.objectValue?["hits"]?.arrayValue?.compactMap { $0.objectValue?["type"]?.stringValue }
        #expect(types?.isEmpty == false && types?.allSatisfy { $0 == "resource" } == true)

        let who = try await child.call("who", ["topic": "onboarding", "limit": 2])
        let people = try #require(who.structuredContent?.objectValue?["members"]?.arrayValue)
        #expect(people.count == 2)
        #expect(people.first?.objectValue?["why"]?.objectValue?["evidence"] != nil)

        let show = try await child.call("show", ["ref": "@grace-mensah"])
        #expect(show.structuredContent?.objectValue?["kind"]?.stringValue == "member")
        #expect(show.structuredContent?.objectValue?["member"]?.objectValue?["member"]?.objectValue?["handle"]?.stringValue == "grace-mensah")
        let entry = try await child.call("show", ["ref": "r1"])
        #expect(entry.structuredContent?.objectValue?["resource"]?.objectValue?["title"]?.stringValue?.isEmpty == false)

        let title = try #require(entry.structuredContent?.objectValue?["resource"]?.objectValue?["title"]?.stringValue)
        let byText = try await child.call("similar", ["text": .string(title)])
        #expect(byText.structuredContent?.objectValue?["results"]?.objectValue?["hits"]?.arrayValue?.first?.objectValue?["id"]?.stringValue == "r1")
        let byRef = try await child.call("similar", ["ref": "r1"])
        #expect(byRef.isError == false)
        #expect(byRef.structuredContent?.objectValue?["results"]?.objectValue?["hits"]?.arrayValue?.contains { $0.objectValue?["id"]?.stringValue == "r1" } == false)

        let members = try await child.call("list", ["what": "members", "limit": 5])
        #expect(members.structuredContent?.objectValue?["hits"]?.arrayValue?.count == 5)
        let tags = try await child.call("list", ["what": "tags"])
        #expect(tags.structuredContent?.objectValue?["tags"]?.arrayValue?.isEmpty == false)
        let topics = try await child.call("topics", ["min": 2])
        #expect(topics.isError == false && topics.structuredContent?.objectValue?["topics"]?.arrayValue != nil)
        let meetings = try await child.call("meetings", ["series": "Elevenses", "tz": "Europe/London", "limit": 2])
        #expect(meetings.structuredContent?.objectValue?["occurrences"]?.arrayValue?.count == 2, "\(meetings)")
        let badZone = try await child.call("meetings", ["tz": "Mars/Olympus"])
        #expect(badZone.isError == true)
        let meeting = try await child.call("show", ["ref": "m1"])
        #expect(meeting.structuredContent?.objectValue?["meeting"]?.objectValue?["meeting"]?.objectValue?["presenters"]?.arrayValue?.first?.stringValue == "martin-ashby")
        let gaps = try await child.call("gaps")
        #expect(gaps.isError == false && gaps.structuredContent?.objectValue?["unansweredQuestions"]?.arrayValue != nil)

        let profile = try await child.client.readResource(uri: "knowhow://@grace-mensah")
        #expect(profile.first?.mimeType == "text/markdown")
        #expect(profile.first?.text?.hasPrefix("# @grace-mensah: ") == true)
        let question = try await child.client.readResource(uri: "knowhow://q1")
        #expect(question.first?.text?.contains("## Answers") == true)
        await #expect(throws: MCPError.self) { _ = try await child.client.readResource(uri: "knowhow://r99999") }

        let prompt = try await child.client.getPrompt(name: "who-to-ask", arguments: ["topic": "onboarding"])
        guard case .text(let promptText)? = prompt.messages.first?.content else { Issue.record("no text in the prompt"); return }
        #expect(promptText.contains("knowhow://@"))
        let check = try await child.client.getPrompt(name: "check-before-writing", arguments: ["draft": title])
        guard case .text(let checkText)? = check.messages.first?.content else { Issue.record("no text in the prompt"); return }
        #expect(checkText.contains("r1 "))

        let (status, stderr) = await child.finish()
        #expect(status == 0)
        #expect(stderr == "")
    }

    @Test func aWriteWithoutAllowWritesIsRefusedAndRecordsNothing() async throws {
        let child = try await Child(["--demo", "--as", "@grace-mensah", "mcp"])
        let before = try await child.call("list", ["what": "questions", "limit": 1000])
        let ask = try await child.call("ask", ["question": "How do we run a retrospective with a new team?", "force": true])
        #expect(ask.isError == true)
        #expect(Child.text(ask).contains("knowhow mcp --allow-writes"))
        let answer = try await child.call("answer", ["question": "q1", "text": "Like this."])
        #expect(answer.isError == true)
        let after = try await child.call("list", ["what": "questions", "limit": 1000])
        #expect(after.structuredContent == before.structuredContent)
        let q1 = try await child.call("show", ["ref": "q1"])
        let answers = q1.structuredContent?.objectValue?["question"]?.objectValue?["answers"]?.arrayValue?.count
        _ = await child.finish()
        let again = try await Child(["--demo", "mcp"])
        let fresh = try await again.call("show", ["ref": "q1"])
        #expect(fresh.structuredContent?.objectValue?["question"]?.objectValue?["answers"]?.arrayValue?.count == answers)
        _ = await again.finish()
    }

    @Test func withAllowWritesAskShowsWhatExistsFirstThenRecordsAndAnswers() async throws {
        let child = try await Child(["--demo", "--as", "@grace-mensah", "mcp", "--allow-writes"])
        let tools = try await child.client.listTools().tools.map(\.name)
        #expect(tools.contains("ask") && tools.contains("answer"))
        let existing = try await child.call("show", ["ref": "q1"])
        let title = try #require(existing.structuredContent?.objectValue?["question"]?.objectValue?["question"]?.objectValue?["title"]?.stringValue)

        let shown = try await child.call("ask", ["question": .string(title)])
        #expect(shown.isError == false)
        #expect(shown.structuredContent?.objectValue?["question"] == nil || shown.structuredContent?.objectValue?["question"] == .null)
        #expect(shown.structuredContent?.objectValue?["similar"]?.arrayValue?.contains { $0.objectValue?["id"]?.stringValue == "q1" } == true)

        let forced = try await child.call("ask", ["question": .string(title), "tags": ["onboarding"], "force": true])
        let id = try #require(forced.structuredContent?.objectValue?["question"]?.stringValue)
        #expect(id.hasPrefix("q"))
        let answered = try await child.call("answer", ["question": .string(id), "text": "Start with the handbook."])
        #expect(answered.structuredContent?.objectValue?["question"]?.stringValue == id)
        let q = try await child.call("show", ["ref": .string(id)])
        let answers = q.structuredContent?.objectValue?["question"]?.objectValue?["answers"]?.arrayValue
        #expect(answers?.first?.objectValue?["author"]?.stringValue == "grace-mensah")
        _ = await child.finish()
    }

    @Test func badInputGetsAClearErrorAndTheServerGoesOn() async throws {
        let child = try await Child(["--demo", "mcp"])
        // Not JSON, invalid UTF-8, and a request that is not JSON-RPC: each answered, none fatal.
        let raw = child.input.fileHandleForWriting
        try raw.write(contentsOf: Data("this is not json\n".utf8))
        try raw.write(contentsOf: Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D, 0x0A]))
        try raw.write(contentsOf: Data("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/call\",\"params\":42}\n".utf8))
        let tools = try await child.client.listTools().tools
        #expect(tools.count == Self.readers.count)

        await #expect(throws: MCPError.self) { _ = try await child.call("no-such-tool") }
        let wrongType = try await child.call("find", ["query": "onboarding", "limit": "ten"])
        #expect(wrongType.isError == true)
        #expect(Child.text(wrongType) == "'ten' is not a valid limit: expected a number from 1 to 100")
        let outOfRange = try await child.call("who", ["topic": "onboarding", "limit": 0])
        #expect(Child.text(outOfRange).contains("a number from 1 to 100"))
        let unknownArgument = try await child.call("find", ["query": "onboarding", "sort": "new"])
        #expect(Child.text(unknownArgument) == "find takes limit, query, tag, type, not 'sort'")
        let huge = try await child.call("find", ["query": .string(String(repeating: "onboarding ", count: 100_000))])
        #expect(huge.isError == true)
        #expect(Child.text(huge).contains("shorten it"))
        let missing = try await child.call("who")
        #expect(Child.text(missing).contains("topic"))
        let badRef = try await child.call("show", ["ref": "r99999"])
        #expect(badRef.isError == true && Child.text(badRef).contains("r99999"))
        let lone = try await child.call("find", ["query": "\u{FFFD}"])
        #expect(Child.text(lone).contains("not valid UTF-8"))

        let good = try await child.call("find", ["query": "onboarding"])
        #expect(good.isError == false)
        #expect(child.process.isRunning)
        let (status, _) = await child.finish()
        #expect(status == 0)
    }
}
