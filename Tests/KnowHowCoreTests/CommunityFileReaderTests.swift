import Foundation
import Testing
@testable import KnowHowCore

/// The streaming reader of community files: what it reads, and how it names what is wrong.
struct CommunityFileReaderTests {
    /// Writes `bytes` to a fresh file and opens a reader on it.
    static func reader(_ bytes: Data) throws -> CommunityFileReader {
        let path = NSTemporaryDirectory() + "knowhow-reader-\(UUID().uuidString).json"
        try bytes.write(to: URL(fileURLWithPath: path))
        return try CommunityFileReader(path: path)
    }

    static func reader(_ text: String) throws -> CommunityFileReader { try reader(Data(text.utf8)) }

    /// Reads every kind in import order, as the store does.
    static func readAll(_ r: CommunityFileReader) throws -> CommunityFile {
        var f = CommunityFile()
        try r.forEach(Tag.self) { _, x in f.tags.append(x) }
        try r.forEach(Member.self) { _, x in f.members.append(x) }
        try r.forEach(Resource.self) { _, x in f.resources.append(x) }
        try r.forEach(Practice.self) { _, x in f.practices.append(x) }
        try r.forEach(Question.self) { _, x in f.questions.append(x) }
        try r.forEach(Answer.self) { _, x in f.answers.append(x) }
        try r.forEach(SearchLogEntry.self) { _, x in f.searches.append(x) }
        return f
    }

    static let sample = CommunityFile(
        tags: [Tag(name: "onboarding", description: "Starting well", aliases: ["induction"])],
        members: [Member(handle: "kim", name: "Kim \"K\" Lee", bio: "Line one\nline two\\ with a backslash", skills: [Skill(tag: "onboarding", level: .expert)])],
        resources: [Resource(id: EntryID(.resource, 1), title: "Guide {with} [brackets], \"quotes\"", tags: ["onboarding"], contributor: "kim")],
        questions: [Question(id: EntryID(.question, 1), title: "Why?", acceptedAnswer: EntryID(.answer, 1))],
        answers: [Answer(id: EntryID(.answer, 1), question: EntryID(.question, 1), body: "Because. 😀 café")],
        searches: [SearchLogEntry(at: Timestamp("2025-01-02T03:04:05Z")!, kind: .find, query: "onboarding", results: 1)])

    @Test func readsWhatExportWrites() throws {
        let r = try Self.reader(try Self.sample.encoded())
        #expect(try Self.readAll(r) == Self.sample)
        #expect(r.bytesRead > 0 && r.bytesRead < r.byteCount)
    }

    @Test func readsCompactJSONInAnyKeyOrder() throws {
        let enc = JSONEncoder()
        let data = try enc.encode(Self.sample)  // no pretty printing, keys in declaration order
        #expect(try Self.readAll(try Self.reader(data)) == Self.sample)
        let reordered = """
            {"answers":[{"question":"q1","body":"b"}],"questions":[{"id":"q1","title":"t"}],"version":1,"format":"knowhow-community"}
            """
        let f = try Self.readAll(try Self.reader(reordered))
        #expect(f.questions.map(\.title) == ["t"] && f.answers.map(\.body) == ["b"])
    }

    @Test func ignoresUnknownKeysAndTakesNullAsEmpty() throws {
        let f = try Self.readAll(try Self.reader("""
            {"format": "knowhow-community", "comment": {"nested": [1, 2, {"x": "]}"}]}, "members": null,
             "resources": [{"title": "a", "extra": [true, false, null, -1.5e3]}], "tags": []}
            """))
        #expect(f.resources.map(\.title) == ["a"])
        #expect(f.members.isEmpty && f.tags.isEmpty)
    }

    @Test func readsAHugeString() throws {
        let body = String(repeating: "word \\\"quoted\\\" ", count: 200_000)  // 3 MB of escapes
        let f = try Self.readAll(try Self.reader(#"{"answers": [{"question": "q1", "body": ""# + body + #""}]}"#))
        #expect(f.answers.first?.body.count == 200_000 * 14)
    }

    /// Each bad file, and the start of the location its error names.
    static let badFiles: [(String, String)] = [
        (#"{"resources": [{"title": "a"}, {"title": "b", "kind": "bogus"}]}"#, "resources[1].kind"),
        (#"{"members": [{"handle": "kim"}]}"#, "members[0]"),
        (#"{"resources": [{"title": 12}]}"#, "resources[0].title"),
        (#"{"resources": {"title": "a"}}"#, "resources"),
        (#"{"resources": ["just a string"]}"#, "resources[0]"),
        (#"{"practices": [{"title": "x", "reviewBy": "2024-13-01"}]}"#, "practices[0].reviewBy"),
        (#"{"format": "something-else"}"#, "format"),
        (#"{"version": 99}"#, "version"),
        (#"{"version": "one"}"#, "version"),
        ("not json", "file"),
        ("[]", "file"),
        ("", "file"),
        ("{\"resources\": [{\"title\": \"a\"},\n  {\"title\": \"b\"", "line 2"),          // cut short
        ("{\"resources\": [{\"title\": \"a\"}]\n\"tags\": []}", "line 2"),                 // a comma missing
        ("{\"resources\": [{\"title\": \"a\"}}]}", "line 1"),                              // brackets crossed
        ("{\"resources\": [{\"title\": \"a\"} {\"title\": \"b\"}]}", "line 1"),            // no comma between records
        ("{\"resources\": [{\"title\": \"a\"},]}", "line 1"),                              // trailing comma
        ("{\"resources\": []} extra", "line 1"),
        ("{\"resources\": [{\"title\": \"a\tb\"}]}", "line 1"),                            // raw tab in a string
    ]

    @Test(arguments: badFiles)
    func badFileNamesWhere(_ c: (String, String)) {
        do {
            let r = try Self.reader(c.0)
            _ = try Self.readAll(r)
            Issue.record("\(c.0): no error")
        } catch let KnowHowError.badImport(path, location, reason) {
            #expect(path.hasSuffix(".json"))
            #expect(location.hasPrefix(c.1), "\(c.0): \(location): \(reason)")
            #expect(!reason.isEmpty)
        } catch {
            Issue.record("\(c.0): expected badImport, got \(error)")
        }
    }

    /// A file cut short was reported as "…; is it cut short?; nothing was imported": the question
    /// stands in brackets, so the sentence reads on.
    @Test func aFileCutShortReadsAsOneSentence() {
        do {
            _ = try Self.readAll(try Self.reader("{\"resources\": [{\"title\": \"a\"},\n  {\"title\": \"b\""))
            Issue.record("no error")
        } catch {
            let message = "\(error)"
            #expect(message.contains("(is it cut short?); nothing was imported"), "\(message)")
        }
    }

    @Test func invalidUTF8NamesTheRecord() throws {
        var data = Data(#"{"resources": [{"title": "fine"}, {"title": "bad "#.utf8)
        data.append(contentsOf: [0xC3, 0x28, 0xFF])
        data.append(contentsOf: Data(#""}]}"#.utf8))
        do {
            _ = try Self.readAll(try Self.reader(data))
            Issue.record("no error")
        } catch let KnowHowError.badImport(_, location, _) {
            #expect(location.hasPrefix("resources[1]"), "\(location)")
        }
    }

    /// 3,000 resources titled by number, the one at `broken` (if any) with a kind no resource has:
    /// records are decoded on another thread in batches, and the queue between fills up.
    static func numbered(broken: Int? = nil) throws -> CommunityFileReader {
        let records = (0..<3_000).map { (i: Int) -> String in
            "{\"title\": \"r" + String(i) + (i == broken ? "\", \"kind\": \"sculpture\"}" : "\"}")
        }
        return try reader(#"{"format": "knowhow-community", "resources": ["# + records.joined(separator: ",\n") + "]}")
    }

    @Test func decodedAheadRecordsArriveInOrderAndAnErrorOnlyAfterEveryRecordBeforeIt() throws {
        let r = try Self.numbered(broken: 2_700)
        var seen: [String] = [], indexes: [Int] = []
        do {
            try r.forEach(Resource.self) { i, x in seen.append(x.title); indexes.append(i) }
            Issue.record("no error")
        } catch let KnowHowError.badImport(_, location, _) {
            #expect(location.hasPrefix("resources[2700]"), "\(location)")
        }
        #expect(seen == (0..<2_700).map { "r\($0)" })
        #expect(indexes == Array(0..<2_700))
        // A whole list, in order, with every byte of it counted as read.
        let whole = try Self.numbered()
        var titles: [String] = []
        try whole.forEach(Resource.self) { _, x in titles.append(x.title) }
        #expect(titles == (0..<3_000).map { "r\($0)" })
        #expect(whole.bytesRead > 3_000 * 15)
    }

    /// Records of long texts wait in fewer batches: the bytes queued for the writer stay under
    /// the cap (and one batch), so a file of long bodies costs no more memory than short ones.
    @Test func longRecordsQueueByBytesNotOnlyByCount() throws {
        let body = String(repeating: "long text ", count: 8_000)  // 80 KB a record
        let records = (0..<1_000).map { "{\"title\": \"r\($0)\", \"body\": \"\(body)\"}" }
        let r = try Self.reader(Data((#"{"format": "knowhow-community", "resources": ["# + records.joined(separator: ",\n") + "]}").utf8))
        var n = 0
        try r.forEach(Resource.self) { i, _ in
            if i == 0 { Thread.sleep(forTimeInterval: 0.5) }  // the decoder runs as far ahead as it may
            n += 1
        }
        #expect(n == 1_000)
        let cap = DecodedRecords<Resource>.byteCapacity, batch = DecodedRecords<Resource>.batchSize * 81_000
        #expect(r.mostQueuedBytes > cap / 2, "the decoder ran ahead: \(r.mostQueuedBytes)")
        #expect(r.mostQueuedBytes <= cap + batch, "\(r.mostQueuedBytes) bytes waited")
    }

    /// A decoding thread that cannot start (no memory or processes left) is an error that says
    /// so, not a reader waiting forever for records that never come.
    @Test func aDecodingThreadThatCannotStartIsAnErrorNotAHang() throws {
        final class Outcome: @unchecked Sendable { var error: (any Error)?; var handed = 0 }
        let r = try Self.numbered()
        r.startThread = { _ in false }
        let outcome = Outcome(), done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let reader = r
        Thread {
            do { try reader.forEach(Resource.self) { _, _ in outcome.handed += 1 } } catch { outcome.error = error }
            done.signal()
        }.start()
        guard done.wait(timeout: .now() + 20) == .success else {
            Issue.record("the reader still waits for a decoding thread that never started")
            return
        }
        let message = (outcome.error as? KnowHowError)?.description ?? "no error"
        #expect(message.contains("no thread could be started"), "\(message)")
        #expect(message.hasSuffix("nothing was imported"), "\(message)")
        #expect(outcome.handed == 0)
        r.startThread = DecodingThread.start
        var handed = 0
        try r.forEach(Resource.self) { _, _ in handed += 1 }
        #expect(handed == 3_000)
    }

    @Test func aWriterThatFailsStopsTheDecodingAndTheReaderCanStartAgain() throws {
        struct Refused: Error {}
        let r = try Self.numbered()
        var handed = 0
        #expect(throws: Refused.self) {
            try r.forEach(Resource.self) { i, _ in
                handed += 1
                if i == 10 { throw Refused() }
            }
        }
        #expect(handed == 11)
        var again = 0
        try r.forEach(Resource.self) { _, _ in again += 1 }
        #expect(again == 3_000)
    }

    @Test func aMissingFileIsNotFound() {
        #expect(throws: KnowHowError.self) { try CommunityFileReader(path: "/nonexistent/knowhow.json") }
    }
}
