import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A tag row of Tags.xml.
public struct SETag: Equatable, Sendable {
    public var id: Int64?
    /// As Stack Exchange writes it: `c++`, `neural-networks`.
    public var name: String
    public var count: Int?

    public init(id: Int64? = nil, name: String, count: Int? = nil) {
        self.id = id; self.name = name; self.count = count
    }
}

/// A user row of Users.xml.
public struct SEUser: Equatable, Sendable {
    public var id: Int64
    public var displayName: String?
    /// HTML.
    public var aboutMe: String?
    public var location: String?
    public var created: Timestamp?

    public init(id: Int64, displayName: String? = nil, aboutMe: String? = nil, location: String? = nil,
                created: Timestamp? = nil) {
        self.id = id; self.displayName = displayName; self.aboutMe = aboutMe; self.location = location
        self.created = created
    }
}

/// A question or answer row of Posts.xml.
public struct SEPost: Equatable, Sendable {
    public enum Kind: Sendable { case question, answer }

    public var id: Int64
    public var kind: Kind
    /// The question an answer answers.
    public var parentId: Int64?
    public var acceptedAnswerId: Int64?
    public var ownerUserId: Int64?
    /// Set instead of `ownerUserId` when the author's account is gone.
    public var ownerDisplayName: String?
    public var created: Timestamp
    public var score: Int?
    public var title: String?
    /// HTML.
    public var body: String
    /// As Stack Exchange writes them.
    public var tags: [String]

    public init(id: Int64, kind: Kind, parentId: Int64? = nil, acceptedAnswerId: Int64? = nil,
                ownerUserId: Int64? = nil, ownerDisplayName: String? = nil, created: Timestamp,
                score: Int? = nil, title: String? = nil, body: String = "", tags: [String] = []) {
        self.id = id; self.kind = kind; self.parentId = parentId; self.acceptedAnswerId = acceptedAnswerId
        self.ownerUserId = ownerUserId; self.ownerDisplayName = ownerDisplayName; self.created = created
        self.score = score; self.title = title; self.body = body; self.tags = tags
    }
}

/// What receives the rows of a dump, in this order: tags, users, questions, answers, then
/// `finish`. Rows are handed over one at a time and not kept.
public protocol StackExchangeSink: AnyObject {
    func tag(_ tag: SETag) throws
    func user(_ user: SEUser) throws
    func question(_ post: SEPost) throws
    func answer(_ post: SEPost) throws
    func finish() throws
}

/// Reads a Stack Exchange data-dump folder (Posts.xml; Tags.xml and Users.xml when present),
/// streaming each file so memory stays flat however large it is.
///
/// Posts.xml is read twice, questions first and then answers, so an answer that comes before
/// its question still finds it. A row that lacks what it needs stops the read with an error
/// naming the file, the row number and the post's Id.
public enum StackExchangeDump {
    public static let postsFile = "Posts.xml", usersFile = "Users.xml", tagsFile = "Tags.xml"

    /// True when the folder holds a Posts.xml.
    public static func isDump(folder: String) -> Bool {
        var isDir: ObjCBool = false
        let path = (folder as NSString).appendingPathComponent(postsFile)
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }

    /// Reads the folder into the sink. `progress` hears "Posts.xml (answers): 12,000 rows" a
    /// few times a second at most, and nothing on a read that is over quickly.
    public static func read(folder: String, into sink: StackExchangeSink,
                            progress: ((String) -> Void)? = nil) throws {
        guard isDump(folder: folder) else {
            throw KnowHowError.unsupported("\(folder) is not a Stack Exchange data dump: it has no \(postsFile)")
        }
        func path(_ file: String) -> String? {
            let p = (folder as NSString).appendingPathComponent(file)
            return FileManager.default.fileExists(atPath: p) ? p : nil
        }
        if let p = path(tagsFile) {
            try readRows(path: p, file: tagsFile, root: "tags", label: tagsFile, progress: progress) { row in
                try sink.tag(try tag(row))
            }
        }
        if let p = path(usersFile) {
            try readRows(path: p, file: usersFile, root: "users", label: usersFile, progress: progress) { row in
                try sink.user(try user(row))
            }
        }
        let posts = path(postsFile)!
        try readRows(path: posts, file: postsFile, root: "posts", label: postsFile + " (questions)", progress: progress) { row in
            if try postType(row) == 1 { try sink.question(try post(row, kind: .question)) }
        }
        try readRows(path: posts, file: postsFile, root: "posts", label: postsFile + " (answers)", progress: progress) { row in
            if try postType(row) == 2 { try sink.answer(try post(row, kind: .answer)) }
        }
        try sink.finish()
    }

    // MARK: - Rows

    static func tag(_ row: Attributes) throws -> SETag {
        SETag(id: try row.int64("Id"), name: try row.required("TagName"), count: try row.int("Count"))
    }

    static func user(_ row: Attributes) throws -> SEUser {
        SEUser(id: try row.requiredInt64("Id"), displayName: row["DisplayName"], aboutMe: row["AboutMe"],
               location: row["Location"], created: try row.timestamp("CreationDate"))
    }

    static func postType(_ row: Attributes) throws -> Int {
        _ = try row.requiredInt64("Id")
        guard let t = try row.int("PostTypeId") else { throw RowProblem("PostTypeId is missing") }
        return t
    }

    static func post(_ row: Attributes, kind: SEPost.Kind) throws -> SEPost {
        let id = try row.requiredInt64("Id")
        guard let created = try row.timestamp("CreationDate") else { throw RowProblem("CreationDate is missing") }
        var p = SEPost(id: id, kind: kind, ownerUserId: try row.int64("OwnerUserId"),
                       ownerDisplayName: row["OwnerDisplayName"], created: created, score: try row.int("Score"),
                       body: row["Body"] ?? "")
        switch kind {
        case .question:
            guard let title = row["Title"], !title.allSatisfy(\.isWhitespace) else { throw RowProblem("Title is missing") }
            p.title = title
            p.acceptedAnswerId = try row.int64("AcceptedAnswerId")
            p.tags = tags(row["Tags"] ?? "")
        case .answer:
            guard let parent = try row.int64("ParentId") else { throw RowProblem("ParentId is missing") }
            p.parentId = parent
        }
        return p
    }

    // MARK: - Values

    /// `<a><b>` (older dumps) or `|a|b|` (newer) → `["a", "b"]`.
    public static func tags(_ attribute: String) -> [String] {
        attribute.split(whereSeparator: { $0 == "<" || $0 == ">" || $0 == "|" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A Stack Exchange tag as a KnowHow tag: `C++` → `c-plus-plus`, `c#` → `c-sharp`,
    /// `node.js` → `node-js`; nil when even that is not a valid tag.
    public static func tagName(_ name: String) -> String? {
        let spelled = name.replacingOccurrences(of: "+", with: "-plus-").replacingOccurrences(of: "#", with: "-sharp-")
        return try? Validation.tag(spelled)
    }

    /// A handle from a display name: `Jérémy Pouyet` → `jeremy-pouyet`, `Дмитрий` → `dmitrij`;
    /// `user-ID` when the name gives fewer than two usable letters. Not yet unique.
    public static func handle(displayName: String?, userId: Int64) -> String {
        let fallback = "user-\(userId)"
        guard let name = displayName, !name.isEmpty else { return fallback }
        let latin = asciiSpelling(name)
        var out = ""
        var dash = false
        for s in latin.lowercased().unicodeScalars {
            let letter = s >= "a" && s <= "z", digit = s >= "0" && s <= "9"
            if letter || digit {
                if out.isEmpty && !letter { continue }  // handles start with a letter
                if dash && !out.isEmpty { out.append("-") }
                dash = false
                out.unicodeScalars.append(s)
            } else {
                dash = true
            }
        }
        out = String(out.prefix(32))
        while out.hasSuffix("-") { out.removeLast() }
        return out.count >= 2 ? out : fallback
    }

    /// `Jérémy` → `Jeremy`, `Дмитрий` → `Dmitrij`, `张伟` → `zhang wei`. Latin names take the
    /// cheap transform; other scripts are romanised first, which costs more.
    static func asciiSpelling(_ text: String) -> String {
        func isASCII(_ s: String) -> Bool { s.utf8.allSatisfy { $0 < 0x80 } }
        if isASCII(text) { return text }
        let toASCII = StringTransform("Latin-ASCII")
        let latin = text.applyingTransform(toASCII, reverse: false) ?? text
        if isASCII(latin) { return latin }
        let romanised = latin.applyingTransform(.toLatin, reverse: false) ?? latin
        return romanised.applyingTransform(toASCII, reverse: false) ?? romanised
    }

    /// `base` made distinct with a numeric suffix, still at most 32 characters: `kim-lee-2`.
    public static func handle(_ base: String, suffix: Int) -> String {
        guard suffix > 1 else { return base }
        let tail = "-\(suffix)"
        var head = String(base.prefix(32 - tail.count))
        while head.hasSuffix("-") { head.removeLast() }
        return head + tail
    }

    /// `12000` → `12,000`.
    public static func grouped(_ n: Int) -> String { Validation.grouped(n) }

    // MARK: - Streaming

    /// Streams the `<row>` elements of one file to `body`; errors come back naming the file and
    /// the row, and the parse stops at the first.
    static func readRows(path: String, file: String, root: String, label: String,
                         progress: ((String) -> Void)?, _ body: (Attributes) throws -> Void) throws {
        guard let stream = InputStream(fileAtPath: path) else { throw KnowHowError.fileNotFound(path) }
        try checkEncoding(path: path, file: file)
        if let line = bareInstructionLine(path: path) {
            throw KnowHowError.badImport(path: file, location: "line \(line)",
                                         reason: "it holds a processing instruction with nothing in it (<?name?>), which Stack Exchange dumps do not have; remove it and import again")
        }
        try withoutActuallyEscaping(body) { body in
            let reader = RowReader(file: file, root: root, meter: ProgressMeter(label: label, report: progress), body: body)
            let parser = XMLParser(stream: stream)
            parser.shouldResolveExternalEntities = false
            parser.delegate = reader
            _ = parser.parse()  // on Linux it can say true after an error, so ask the reader
            parser.delegate = nil
            if let error = reader.error { throw error }
            if parser.parserError != nil || reader.rootSeen == nil {
                let reason = reader.rootSeen == nil ? "the file is empty or is not XML" : "the XML is malformed"
                throw KnowHowError.badImport(path: file, location: "line \(max(parser.lineNumber, 1))", reason: reason)
            }
        }
    }

    /// The encodings read without converting: libxml2 hands others to iconv, and on bytes that
    /// do not convert (a UTF-7 or Shift-JIS declaration over UTF-8 text) it crashes.
    static let encodings: Set<String> = ["utf-8", "utf8", "us-ascii", "ascii"]

    /// Refuses a file that is not UTF-8 before the XML parser sees it: dumps are UTF-8, so a
    /// UTF-16 or UTF-32 file, or a declaration of another encoding, is named with what to do.
    static func checkEncoding(path: String, file: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw KnowHowError.fileNotFound(path) }
        defer { try? handle.close() }
        var head = [UInt8](((try? handle.read(upToCount: 64 << 10)) ?? nil) ?? Data())
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
        let convert = "Stack Exchange dumps are UTF-8: convert it (iconv -t UTF-8) and import again"
        if head.prefix(4).contains(0) || head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE]) {
            throw KnowHowError.badImport(path: file, location: "line 1", reason: "it is not UTF-8 (UTF-16 or UTF-32?); " + convert)
        }
        guard let first = head.firstIndex(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return }
        guard head[first] == UInt8(ascii: "<") else {
            throw KnowHowError.badImport(path: file, location: "line 1", reason: "the file is empty or is not XML")
        }
        guard head[first...].starts(with: Array("<?xml".utf8)) else { return }
        // The declaration, read as strictly as XML defines it: whatever libxml2 would take for
        // an encoding is seen here first.
        let malformed = KnowHowError.badImport(path: file, location: "line 1",
                                               reason: "its XML declaration (<?xml … ?>) is malformed")
        var i = first + 5
        func spaces() -> Bool {
            let start = i
            while i < head.count, [0x20, 0x09, 0x0A, 0x0D].contains(head[i]) { i += 1 }
            return i > start
        }
        func attribute(_ name: String) throws -> String? {
            guard head[i...].starts(with: Array(name.utf8)) else { return nil }
            i += name.utf8.count
            _ = spaces()
            guard i < head.count, head[i] == UInt8(ascii: "=") else { throw malformed }
            i += 1
            _ = spaces()
            guard i < head.count, head[i] == UInt8(ascii: "\"") || head[i] == UInt8(ascii: "'") else { throw malformed }
            let quote = head[i]
            i += 1
            guard let close = head[i...].firstIndex(of: quote) else { throw malformed }
            defer { i = close + 1 }
            return String(decoding: head[i..<close], as: UTF8.self)
        }
        guard spaces(), try attribute("version") != nil else { throw malformed }
        var spaced = spaces()
        if spaced, let name = try attribute("encoding") {
            if !encodings.contains(name.lowercased()) {
                throw KnowHowError.badImport(path: file, location: "line 1",
                                             reason: "it declares the encoding '\(name.prefix(40))'; " + convert)
            }
            spaced = spaces()
        }
        if spaced, try attribute("standalone") != nil { _ = spaces() }
        guard head[i...].starts(with: Array("?>".utf8)) else { throw malformed }
    }

    /// The line of the first processing instruction with no data (`<?x?>`), or nil. Foundation's
    /// XMLParser on Linux reads such an instruction's missing data as a C string and crashes.
    static func bareInstructionLine(path: String) -> Int? {
        guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { return nil }
        return bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int? in
            let p = raw.bindMemory(to: UInt8.self)
            guard let base = p.baseAddress else { return nil }
            var i = 0
            while i < p.count, let hit = memchr(base + i, Int32(UInt8(ascii: "<")), p.count - i) {
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                i = at + 1
                guard i < p.count, p[i] == UInt8(ascii: "?") else { continue }
                var j = i + 1
                while j < p.count, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "?")].contains(p[j]) { j += 1 }
                if j < p.count, p[j] == UInt8(ascii: "?") {
                    return 1 + p[..<at].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                }
            }
            return nil
        }
    }

    /// What the XML parser's complaints mean, by libxml2's numbers (XMLParser passes them on).
    static func xmlProblem(_ code: Int) -> String {
        switch code {
        case 3, 4: return "the file is empty or is not XML"
        case 5: return "the XML ends too early (is the file cut short?) or has extra text after its end"
        case 6, 7, 8: return "a character reference such as &#1; names a character that XML does not allow"
        case 9: return "it holds a character that XML does not allow (a control character, or bytes that are not UTF-8)"
        case 10...21: return "an entity or character reference stands where XML allows none"
        case 22, 23, 24, 25: return "an '&' does not start a reference such as &amp; (write a bare '&' as &amp;)"
        case 26, 27: return "it uses an entity that XML does not define (only &amp; &lt; &gt; &quot; &apos; and &#…; are known)"
        case 28, 29, 30: return "it refers to an external entity, which KnowHow does not read"
        case 31, 32, 79, 81: return "it is in a text encoding that cannot be read; Stack Exchange dumps are UTF-8"
        case 33, 34, 43, 44: return "a quoted value is not closed"
        case 38: return "an attribute value holds a raw '<' (write it as &lt;)"
        case 39, 40, 41: return "an attribute value is not properly quoted"
        case 42: return "an element has the same attribute twice"
        case 45, 80: return "a comment is not closed with -->, or holds '--'"
        case 62, 63: return "a CDATA section is not closed with ]]>"
        case 64: return "an <?xml …?> declaration stands somewhere other than the very start"
        case 65, 66: return "a space is missing between attributes, or the file ends inside a tag (is it cut short?)"
        case 68, 72, 74: return "a name is missing after '<' or '&' (write a bare '<' as &lt; and a bare '&' as &amp;)"
        case 73, 77: return "a tag is not closed with '>'"
        case 75: return "an attribute has no '=' before its value"
        case 76: return "a closing tag does not match the tag it closes"
        case 85: return "the elements are not properly nested"
        case 86: return "there is more after the end of the document"
        case 89: return "its entities refer to themselves or expand without bound (an entity loop or 'billion laughs'), which KnowHow refuses"
        case 94: return "it declares a document type that cannot be read"
        default: return "the XML is not well-formed here (libxml2 reports problem \(code)); is it an unmodified Stack Exchange dump?"
        }
    }

    /// The attributes of one row.
    struct Attributes {
        var values: [String: String]

        subscript(_ name: String) -> String? { values[name] }

        func required(_ name: String) throws -> String {
            guard let v = values[name], !v.isEmpty else { throw RowProblem("\(name) is missing") }
            return v
        }

        func int64(_ name: String) throws -> Int64? {
            guard let v = values[name], !v.isEmpty else { return nil }
            guard let n = Int64(v) else { throw RowProblem("\(name) '\(v)' is not a whole number") }
            return n
        }

        func requiredInt64(_ name: String) throws -> Int64 {
            guard let n = try int64(name) else { throw RowProblem("\(name) is missing") }
            return n
        }

        func int(_ name: String) throws -> Int? {
            try int64(name).map { Int(clamping: $0) }
        }

        func timestamp(_ name: String) throws -> Timestamp? {
            guard let v = values[name], !v.isEmpty else { return nil }
            guard let t = Timestamp(v) else {
                throw RowProblem("\(name) '\(v)' is not a time such as 2016-08-02T15:39:14.947")
            }
            return t
        }
    }

    /// Why a row cannot be read; the reader adds the file and the row.
    struct RowProblem: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Reports "LABEL: 12,000 rows" at most four times a second, and only once a step takes
    /// a while.
    public struct ProgressMeter {
        let label: String
        let report: ((String) -> Void)?
        var last = ContinuousClock.now

        public init(label: String, report: ((String) -> Void)?) {
            self.label = label; self.report = report
        }

        public mutating func rows(_ n: Int) {
            guard let report, n & 255 == 0 else { return }
            let now = ContinuousClock.now
            guard now - last >= .milliseconds(250) else { return }
            last = now
            report("\(label): \(StackExchangeDump.grouped(n)) rows")
        }
    }

    final class RowReader: NSObject, XMLParserDelegate {
        let file: String, root: String
        var meter: ProgressMeter
        let body: (Attributes) throws -> Void
        var row = 0
        var depth = 0
        var rootSeen: String?
        var error: Error?

        init(file: String, root: String, meter: ProgressMeter, body: @escaping (Attributes) throws -> Void) {
            self.file = file; self.root = root; self.meter = meter; self.body = body
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            depth += 1
            guard error == nil else { return }
            if depth == 1 {
                rootSeen = name
                if name != root {
                    fail(parser, KnowHowError.badImport(path: file, location: "line \(parser.lineNumber)",
                        reason: "expected <\(root)> holding <row> elements, found <\(name)>; is this a Stack Exchange dump?"))
                }
                return
            }
            guard depth == 2, name == "row" else { return }
            row += 1
            do {
                try body(Attributes(values: attributes))
            } catch let problem as RowProblem {
                fail(parser, KnowHowError.badImport(path: file, location: location(attributes), reason: problem.reason))
            } catch let e as KnowHowError {
                if case .badImport = e { fail(parser, e); return }
                fail(parser, KnowHowError.badImport(path: file, location: location(attributes), reason: e.description))
            } catch {
                fail(parser, error)
            }
            meter.rows(row)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            depth -= 1
        }

        /// The first error ends the read: libxml2 would recover and hand over guessed rows.
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            guard error == nil else { return }
            let location = "line \(parser.lineNumber), column \(parser.columnNumber)" + (row > 0 ? " (after row \(row))" : "")
            fail(parser, KnowHowError.badImport(path: file, location: location,
                                                reason: StackExchangeDump.xmlProblem((parseError as NSError).code)))
        }

        func location(_ attributes: [String: String]) -> String {
            "row \(row)" + (attributes["Id"].map { " (Id \($0))" } ?? "")
        }

        func fail(_ parser: XMLParser, _ e: Error) {
            error = e
            parser.abortParsing()
        }
    }
}
