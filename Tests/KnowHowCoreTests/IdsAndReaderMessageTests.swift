import Foundation
import Testing
@testable import KnowHowCore

/// Issue 11: ids bounded to what the index key holds, and readers that say what is wrong.
struct IdsAndReaderMessageTests {
    // MARK: - Ids in range

    @Test func idsAreBoundedToWhatTheIndexKeyHolds() throws {
        #expect(EntryID.maxNumber == 999_999_999_999_999)
        #expect((EntryID.maxNumber << 3 | 7) >> 3 == EntryID.maxNumber, "the key must not wrap")
        #expect(Int64(exactly: Double(EntryID.maxNumber)) == EntryID.maxNumber, "JSON readers must keep it exact")
        #expect(EntryID("r999999999999999") == EntryID(.resource, 999_999_999_999_999))
        #expect(EntryID("Q7") == EntryID(.question, 7))
        for text in ["r1000000000000000", "r2305843009213693953", "r9223372036854775807", "r999999999999999999999", "p99999999999999999999999999"] {
            #expect(EntryID(text) == nil, "\(text)")
            let e = #expect(throws: KnowHowError.self) { try EntryID.parse(text) }
            #expect(e?.description == "'\(text)' is not a valid id: expected a letter and a number from 1 to 999999999999999, such as r12")
        }
        // Not ids at all (a tag may be called so): nil, not an error.
        for text in ["r0", "r+5", "r-5", "r", "x12", "r1a", "r١٢"] {
            #expect(try EntryID.parse(text) == nil, "\(text)")
        }
    }

    @Test func anIdTooLargeInAFileNamesTheRecord() throws {
        let r = try CommunityFileReaderTests.reader(#"{"resources": [{"id": "r1", "title": "a"}, {"id": "r2305843009213693953", "title": "b"}]}"#)
        let e = #expect(throws: KnowHowError.self) { try CommunityFileReaderTests.readAll(r) }
        guard case .badImport(_, let location, let reason)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(location == "resources[1].id")
        #expect(reason == "'r2305843009213693953' is out of range: an id's number goes from 1 to 999999999999999")
    }

    // MARK: - Messages

    /// Each bad value of a choice, where it is, and the message.
    static let badChoices: [(json: String, location: String, reason: String)] = [
        (#"{"members": [{"handle": "ana", "name": "A"}, {"handle": "bo", "name": "B"}, {"handle": "cy", "name": "C", "role": "admin"}]}"#,
         "members[2].role", "'admin' is not a role; use member, contributor or curator"),
        (#"{"members": [{"handle": "ana", "name": "A", "skills": [{"tag": "x", "level": "guru"}]}]}"#,
         "members[0].skills[0].level", "'guru' is not a skill level; use learning, practising or expert"),
        (#"{"resources": [{"title": "a", "kind": "pdf"}]}"#,
         "resources[0].kind", "'pdf' is not a kind of resource; use guide, template, tool, course, article, video, book, dataset, slides, notes or other"),
        (#"{"resources": [{"title": "a", "status": "gone"}]}"#,
         "resources[0].status", "'gone' is not a resource status; use active or archived"),
        (#"{"practices": [{"title": "a", "status": "approved"}]}"#,
         "practices[0].status", "'approved' is not a practice status; use proposed, verified or retired"),
        (#"{"searches": [{"at": "2025-01-01T00:00:00Z", "kind": "browse", "query": "x", "results": 1}]}"#,
         "searches[0].kind", "'browse' is not a kind of search; use find, who or ask"),
    ]

    @Test(arguments: badChoices)
    func roleAdminAndOtherBadChoicesListTheWords(_ c: (json: String, location: String, reason: String)) throws {
        // The streaming reader (import) and the whole-file decoder say the same.
        let streamed = #expect(throws: KnowHowError.self) { try CommunityFileReaderTests.readAll(try CommunityFileReaderTests.reader(c.json)) }
        let whole = #expect(throws: KnowHowError.self) { try CommunityFile.decode(Data(c.json.utf8), path: "f.json") }
        for e in [streamed, whole] {
            guard case .badImport(_, let location, let reason)? = e else { Issue.record("\(String(describing: e))"); continue }
            #expect(location == c.location)
            #expect(reason == c.reason)
        }
    }

    /// Valid JSON that JSONDecoder calls "not valid JSON": the number or the nesting is named.
    static let notInvalidJSON: [(json: String, location: String, reason: String)] = [
        (#"{"questions": [{"title": "a", "score": 99999999999999999999}]}"#,
         "questions[0].score", "99999999999999999999 is out of range: use a whole number from -9223372036854775808 to 9223372036854775807"),
        (#"{"answers": [{"question": "q1", "body": "b", "score": 1.5}]}"#, "answers[0].score", "1.5 is not a whole number"),
        (#"{"questions": [{"title": "a", "score": 1e400}]}"#,
         "questions[0].score", "the number is out of range: use a whole number from -9223372036854775808 to 9223372036854775807"),
        (#"{"searches": [{"at": "2025-01-01T00:00:00Z", "kind": "find", "query": "x", "results": -1e30}]}"#,
         "searches[0].results", "-1000000000000000000000000000000 is out of range: use a whole number from -9223372036854775808 to 9223372036854775807"),
        (#"{"resources": [{"title": "a", "extra": "# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}]}",
         "resources[0].extra" + String(repeating: "[0]", count: 511),
         "lists and objects nest more than 512 deep here; a community file's records nest three deep at most (line 1)"),
        ("{\"resources\": [{\"title\": \"a\",\n \"url\": \"x\" \"kind\": \"guide\"}]}", "resources[0]", "expected ',' or '}', found '\"' (line 2)"),
        (#"{"resources": [{"title": "a", "extra": 0x10}]}"#, "resources[0].extra", "'0x10' is not a JSON number such as 12, -3 or 1.5 (line 1)"),
        (#"{"resources": [{"title": "a", "extra": tru}]}"#, "resources[0].extra",
         "'tru' is not a JSON value (true, false, null, a number, a string, a list or an object) (line 1)"),
        (#"{"resources": [{"title": "a\q"}]}"#, "resources[0].title", #"'\q' is not an escape JSON knows; write a backslash as \\ (line 1)"#),
    ]

    @Test(arguments: notInvalidJSON)
    func hugeNumbersAndDeepNestingAreNamedNotCalledInvalidJSON(_ c: (json: String, location: String, reason: String)) throws {
        let e = #expect(throws: KnowHowError.self) { try CommunityFileReaderTests.readAll(try CommunityFileReaderTests.reader(c.json)) }
        guard case .badImport(_, let location, let reason)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(location == c.location)
        #expect(reason == c.reason)
    }

    @Test func theWholeFileDecoderNamesDeepNestingToo() throws {
        let json = #"{"members": "# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        let e = #expect(throws: KnowHowError.self) { try CommunityFile.decode(Data(json.utf8), path: "f.json") }
        guard case .badImport(_, let location, let reason)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(location.hasPrefix("members[0][0]"))
        #expect(reason.hasPrefix("lists and objects nest more than 512 deep here"))
    }

    @Test func versionOutOfRangeIsNamed() throws {
        let e = #expect(throws: KnowHowError.self) { try CommunityFileReaderTests.reader(#"{"version": 1e20}"#) }
        #expect(e?.description.hasSuffix(": version: 100000000000000000000 is out of range: use a whole number from -9223372036854775808 to 9223372036854775807; nothing was imported") == true, "\(String(describing: e))")
    }

    /// Posts.xml bodies for each kind of XML problem, and the sentence each gets.
    static let badXML: [(xml: String, reason: String)] = [
        ("<posts>\n<row Id=\"1\" PostTypeId=\"3\" />", "the XML ends too early (is the file cut short?) or has extra text after its end"),
        ("<posts>\n<row Id=\"1\" PostTypeId=\"3\"", "a space is missing between attributes, or the file ends inside a tag (is it cut short?)"),
        ("<posts>\n<row Id=\"1\" Body=\"&nbsp;\" /></posts>",
         "it uses an entity that XML does not define (only &amp; &lt; &gt; &quot; &apos; and &#…; are known)"),
        ("<posts>\n<row Id=\"1\" Body=\"a \u{1} b\" /></posts>",
         "it holds a character that XML does not allow (a control character, or bytes that are not UTF-8)"),
        ("<!DOCTYPE posts [<!ENTITY a \"&b;\"><!ENTITY b \"&a;\">]>\n<posts><row Id=\"1\" Body=\"&a;\" /></posts>",
         "its entities refer to themselves or expand without bound (an entity loop or 'billion laughs'), which KnowHow refuses"),
        ("<!DOCTYPE posts [<!ENTITY a \"x\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
            + "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
            + "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\"><!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">]>\n<posts><row Id=\"1\" Body=\"&h;\" /></posts>",
         "its entities refer to themselves or expand without bound (an entity loop or 'billion laughs'), which KnowHow refuses"),
        ("<!DOCTYPE posts [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<posts><row Id=\"1\" Body=\"&x;\" /></posts>",
         "it refers to an external entity, which KnowHow does not read"),
        ("<posts>\n<row Id=\"1\" Body=\"a & b\" /></posts>", "a name is missing after '<' or '&' (write a bare '<' as &lt; and a bare '&' as &amp;)"),
        ("<posts>\n<item></posts>", "a closing tag does not match the tag it closes"),
    ]

    final class NoSink: StackExchangeSink {
        func tag(_ tag: SETag) throws {}
        func user(_ user: SEUser) throws {}
        func question(_ post: SEPost) throws {}
        func answer(_ post: SEPost) throws {}
        func finish() throws {}
    }

    @Test(arguments: badXML)
    func xmlParserErrorsAreSentencesNamingFileAndLine(_ c: (xml: String, reason: String)) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("knowhow-xml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(c.xml.utf8).write(to: folder.appendingPathComponent("Posts.xml"))
        let e = #expect(throws: KnowHowError.self) { try StackExchangeDump.read(folder: folder.path, into: NoSink()) }
        guard case .badImport(let path, let location, let reason)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(path == "Posts.xml")
        #expect(location.hasPrefix("line "), "\(location)")
        #expect(reason == c.reason)
        #expect(!(e?.description.contains("parser error") ?? true))
    }

    // MARK: - Round trip

    @Test func validationKeepsTheIndentOfMultilineTextSoTheRoundTripKeepsEveryByte() {
        #expect(Validation.text("  a title  ") == "a title")
        #expect(Validation.text("\n\n    while x {\n        y\n    }\n\n") == "    while x {\n        y\n    }")
        #expect(Validation.text("   \r\n  code\r\n  more") == "  code\r\n  more")
        #expect(Validation.text(" \t\n ") == nil)
        // What it returns it returns again unchanged: an export imports byte for byte.
        for s in ["  a", "\n  b\n  c ", "x", "  α\u{2028}  β"] {
            let once = Validation.text(s)
            #expect(Validation.text(once) == once, "\(s.debugDescription)")
        }
    }
}
