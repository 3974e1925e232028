import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One kind of record in a community file: the key it sits under, and where a decoded
/// `CommunityFile` keeps it.
public protocol CommunityRecord: Decodable {
    static var section: String { get }
    static var inFile: KeyPath<CommunityFile, [Self]> { get }
}

extension Tag: CommunityRecord {
    public static var section: String { "tags" }
    public static var inFile: KeyPath<CommunityFile, [Tag]> { \.tags }
}
extension Member: CommunityRecord {
    public static var section: String { "members" }
    public static var inFile: KeyPath<CommunityFile, [Member]> { \.members }
}
extension Resource: CommunityRecord {
    public static var section: String { "resources" }
    public static var inFile: KeyPath<CommunityFile, [Resource]> { \.resources }
}
extension Practice: CommunityRecord {
    public static var section: String { "practices" }
    public static var inFile: KeyPath<CommunityFile, [Practice]> { \.practices }
}
extension Question: CommunityRecord {
    public static var section: String { "questions" }
    public static var inFile: KeyPath<CommunityFile, [Question]> { \.questions }
}
extension Answer: CommunityRecord {
    public static var section: String { "answers" }
    public static var inFile: KeyPath<CommunityFile, [Answer]> { \.answers }
}
extension MeetingSeries: CommunityRecord {
    public static var section: String { "series" }
    public static var inFile: KeyPath<CommunityFile, [MeetingSeries]> { \.series }
}
extension Meeting: CommunityRecord {
    public static var section: String { "meetings" }
    public static var inFile: KeyPath<CommunityFile, [Meeting]> { \.meetings }
}
extension SearchLogEntry: CommunityRecord {
    public static var section: String { "searches" }
    public static var inFile: KeyPath<CommunityFile, [SearchLogEntry]> { \.searches }
}

/// The records of a community, kind by kind: a decoded file in memory, or a file on disk read
/// record by record. An import asks for the kinds in the order it needs them, whatever the
/// order of the keys in the file.
public protocol CommunityRecords {
    /// Calls `body` with each record of one kind and its index, in file order. A record that
    /// cannot be read throws `badImport` naming it (`resources[3].kind`).
    func forEach<T: CommunityRecord>(_ type: T.Type, _ body: (Int, T) throws -> Void) throws
    /// How many bytes of records have been handed out, and how many there are (progress).
    var bytesRead: Int { get }
    var byteCount: Int { get }
}

extension CommunityFile: CommunityRecords {
    public func forEach<T: CommunityRecord>(_ type: T.Type, _ body: (Int, T) throws -> Void) throws {
        for (i, r) in self[keyPath: T.inFile].enumerated() { try body(i, r) }
    }
    public var bytesRead: Int { 0 }
    public var byteCount: Int { 0 }
}

/// Reads a community file without holding it in memory: the file is mapped, its top-level keys
/// are found by scanning bytes (strings, escapes and nesting tracked, nothing decoded), and each
/// record is decoded on its own when asked for. Pages already read are handed back to the OS,
/// so a file of a million entries (700 MB) costs about as much memory as one of a thousand.
///
/// Errors name the record (`answers[12].question`) and, for broken JSON, the line.
public final class CommunityFileReader: CommunityRecords {
    public let path: String
    let bytes: Data
    /// Where each top-level value sits; a repeated key counts once, the last, as with JSONDecoder.
    var values: [String: Range<Int>] = [:]
    public private(set) var bytesRead = 0
    /// The most bytes of decoded records that waited for the writer at once in the last
    /// `forEach` (bounded by `DecodedRecords.byteCapacity` and one batch).
    private(set) var mostQueuedBytes = 0
    /// Starts the decoding thread (tests stand in a failing one).
    var startThread: (any RecordDecoding) -> Bool = DecodingThread.start
    public var byteCount: Int { bytes.count }
    let decoder = JSONDecoder()

    public init(path: String) throws {
        self.path = path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw KnowHowError.fileNotFound(path)
        }
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw KnowHowError.cannotWrite(path: path, reason: "it cannot be read")
        }
        try scanTopLevel()
        try checkFormat()
    }

    /// Reads a community file already in memory (the demo compiled into the program); `name`
    /// stands for its path in messages.
    public init(data: Data, name: String) throws {
        path = name
        bytes = data
        try scanTopLevel()
        try checkFormat()
    }

    // MARK: - Records

    /// Records are decoded on a thread of their own, a few batches ahead of `body`: decoding is
    /// a tenth of an import's time, and the writer need not wait for it on a second core. They
    /// reach `body` in file order, and a record that cannot be read throws only after every
    /// record before it has been handed over, as when one thread did both.
    public func forEach<T: CommunityRecord>(_ type: T.Type, _ body: (Int, T) throws -> Void) throws {
        guard let range = values[T.section] else { return }
        let queue = DecodedRecords<T>(reader: self, range: range)
        let job: any RecordDecoding = queue  // the thread needs no type of its own
        guard startThread(job) else {
            throw KnowHowError.badImport(path: path, location: T.section,
                                         reason: "no thread could be started to read it (the system is short of memory or processes); try again")
        }
        defer { queue.stop(); mostQueuedBytes = queue.mostQueuedBytes }
        var index = 0
        while let batch = try queue.next() {
            for (record, size) in batch {
                bytesRead += size
                try body(index, record)
                index += 1
            }
        }
    }

    /// Decodes the records of the list at `range` in batches, handing each to `emit` until it
    /// returns false.
    func decode<T: CommunityRecord>(_ range: Range<Int>, _ emit: ([(T, Int)]) -> Bool) throws {
        try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let p = raw.bindMemory(to: UInt8.self)
            var i = skipSpace(p, range.lowerBound)
            if p[i] == UInt8(ascii: "n"), isLiteral(p, i, "null") { return }
            guard p[i] == UInt8(ascii: "[") else {
                throw bad(T.section, "expected a list of records, found \(what(p[i]))")
            }
            i = skipSpace(p, i + 1)
            var index = 0
            var released = range.lowerBound
            if p[i] == UInt8(ascii: "]") { return }
            var batch: [(T, Int)] = []
            batch.reserveCapacity(DecodedRecords<T>.batchSize)
            func flush() -> Bool {
                defer { batch.removeAll(keepingCapacity: true) }
                return batch.isEmpty || emit(batch)
            }
            defer { _ = flush() }
            while true {
                let start = i
                let end = try skipValue(p, start, limit: range.upperBound)
                let record: T
                do {
                    record = try decoder.decode(T.self, from: bytes[start..<end])
                } catch {
                    throw Self.badImport(error, path: path, location: "\(T.section)[\(index)]",
                                         line: line(p, start), record: bytes[start..<end])
                }
                batch.append((record, end - start))
                if batch.count == DecodedRecords<T>.batchSize, !flush() { return }
                index += 1
                if end - released >= Self.releaseStep {
                    release(raw, from: released, to: end)
                    released = end
                }
                i = skipSpace(p, end)
                if p[i] == UInt8(ascii: ",") { i = skipSpace(p, i + 1); continue }
                if p[i] == UInt8(ascii: "]") { break }
                throw bad("line \(line(p, i))", "expected ',' or ']' after \(T.section)[\(index - 1)], found \(what(p[i]))")
            }
            release(raw, from: released, to: range.upperBound)
        }
    }

    /// Pages are handed back every 16 MB: mapped pages that were read count as the process's
    /// memory until then.
    static let releaseStep = 16 << 20

    func release(_ raw: UnsafeRawBufferPointer, from: Int, to: Int) {
        guard let base = raw.baseAddress else { return }
        let page = Int(getpagesize())
        let start = (from + page - 1) / page * page, end = to / page * page
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    // MARK: - The top level

    /// Finds each top-level key and the bytes of its value; checks the JSON's nesting throughout.
    func scanTopLevel() throws {
        try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let p = raw.bindMemory(to: UInt8.self)
            let n = p.count
            var i = skipSpace(p, 0)
            if i < n, p[i] == 0xEF, i + 2 < n, p[i + 1] == 0xBB, p[i + 2] == 0xBF { i = skipSpace(p, i + 3) }  // a UTF-8 BOM
            guard i < n else { throw bad("file", "the file is empty; a community file is a JSON object such as {\"format\": \"knowhow-community\", …}") }
            guard p[i] == UInt8(ascii: "{") else { throw bad("file", "not a KnowHow community file") }
            i = skipSpace(p, i + 1)
            var released = 0
            if i < n, p[i] == UInt8(ascii: "}") {
                i += 1
            } else {
                while true {
                    guard i < n else { throw truncated(p) }
                    guard p[i] == UInt8(ascii: "\"") else { throw bad("line \(line(p, i))", "expected a key in quotes, found \(what(p[i]))") }
                    let keyEnd = try skipValue(p, i, limit: n)
                    let key = try keyString(p, i, keyEnd)
                    i = skipSpace(p, keyEnd)
                    guard i < n else { throw truncated(p) }
                    guard p[i] == UInt8(ascii: ":") else { throw bad("line \(line(p, i))", "expected ':' after \"\(key)\", found \(what(p[i]))") }
                    i = skipSpace(p, i + 1)
                    guard i < n else { throw truncated(p) }
                    let start = i
                    if p[i] == UInt8(ascii: "[") {
                        // A list of records can be most of the file: hand its pages back as it goes.
                        i = skipSpace(p, i + 1)
                        guard i < n else { throw truncated(p) }
                        if p[i] != UInt8(ascii: "]") {
                            while true {
                                i = try skipValue(p, i, limit: n, inside: key)
                                if i - released >= Self.releaseStep { release(raw, from: released, to: i); released = i }
                                i = skipSpace(p, i)
                                guard i < n else { throw truncated(p) }
                                if p[i] == UInt8(ascii: ",") { i = skipSpace(p, i + 1); guard i < n else { throw truncated(p) }; continue }
                                if p[i] == UInt8(ascii: "]") { break }
                                throw bad("line \(line(p, i))", "expected ',' or ']' in \"\(key)\", found \(what(p[i]))")
                            }
                        }
                        i += 1
                    } else {
                        i = try skipValue(p, i, limit: n, inside: key)
                    }
                    values[key] = start..<i
                    if i - released >= Self.releaseStep { release(raw, from: released, to: i); released = i }
                    i = skipSpace(p, i)
                    guard i < n else { throw truncated(p) }
                    if p[i] == UInt8(ascii: ",") { i = skipSpace(p, i + 1); continue }
                    if p[i] == UInt8(ascii: "}") { i += 1; break }
                    throw bad("line \(line(p, i))", "expected ',' or '}' after the value of \"\(key)\", found \(what(p[i]))")
                }
            }
            i = skipSpace(p, i)
            guard i == n else { throw bad("line \(line(p, i))", "there is more after the end of the community file's object") }
            release(raw, from: released, to: n)
        }
    }

    func checkFormat() throws {
        if let r = values["format"] {
            let format: String
            do { format = try decoder.decode(String.self, from: bytes[r]) } catch {
                throw Self.badImport(error, path: path, location: "format", line: nil, record: bytes[r])
            }
            guard format == CommunityFile.formatName else {
                throw bad("format", "expected \"\(CommunityFile.formatName)\", found \"\(format)\"")
            }
        }
        if let r = values["version"] {
            let version: Int
            do { version = try decoder.decode(WholeNumber.self, from: bytes[r]).value } catch {
                // A lone number that is not an Int is "not valid JSON" to JSONDecoder, however it is written.
                let text = String(decoding: bytes[r], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if text.first.map({ $0 == "-" || $0.isASCII && $0.isNumber }) == true, JSONDiagnosis.problem(in: bytes[r]) == nil {
                    throw bad("version", WholeNumber.reason(Decimal(string: text)))
                }
                throw Self.badImport(error, path: path, location: "version", line: nil, record: bytes[r])
            }
            guard version <= CommunityFile.currentVersion else {
                throw bad("version", "version \(version) is newer than this knowhow reads (\(CommunityFile.currentVersion)); upgrade knowhow")
            }
        }
    }

    func keyString(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws -> String {
        let inner = UnsafeBufferPointer(rebasing: p[(start + 1)..<(end - 1)])
        if !inner.contains(UInt8(ascii: "\\")) { return String(decoding: inner, as: UTF8.self) }
        do { return try decoder.decode(String.self, from: bytes[start..<end]) } catch {
            throw bad("line \(line(p, start))", "a key is not a valid JSON string")
        }
    }

    // MARK: - Scanning

    /// The index just past the JSON value that starts at `i`. Strings and nesting are followed
    /// exactly; numbers and literals are only delimited (JSONDecoder checks them later).
    func skipValue(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, limit n: Int, inside key: String? = nil) throws -> Int {
        var i = i
        var stack: [UInt8] = []
        repeat {
            guard i < n else { throw truncated(p, key) }
            let c = p[i]
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                while true {
                    guard i < n else { throw truncated(p, key) }
                    let d = p[i]
                    if d == UInt8(ascii: "\"") { i += 1; break }
                    if d == UInt8(ascii: "\\") { i += 2; continue }
                    if d < 0x20 { throw bad("line \(line(p, i))", "a string holds a raw control character (newline or tab); write it as \\n or \\t") }
                    i += 1
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                stack.append(c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"))
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard let close = stack.popLast(), close == c else {
                    throw bad("line \(line(p, i))", "'\(Character(UnicodeScalar(c)))' does not close what is open here")
                }
                i += 1
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"),
                 UInt8(ascii: ","), UInt8(ascii: ":"):
                guard !stack.isEmpty else { throw bad("line \(line(p, i))", "expected a value, found \(what(c))") }
                i += 1
            default:
                // A number or a literal: up to the next delimiter.
                let start = i
                while i < n {
                    let d = p[i]
                    if d == UInt8(ascii: ",") || d == UInt8(ascii: "}") || d == UInt8(ascii: "]") || d == UInt8(ascii: " ")
                        || d == UInt8(ascii: "\n") || d == UInt8(ascii: "\r") || d == UInt8(ascii: "\t")
                        || d == UInt8(ascii: ":") || d == UInt8(ascii: "\"") || d == UInt8(ascii: "{") || d == UInt8(ascii: "[") { break }
                    i += 1
                }
                if stack.isEmpty, i == start { throw bad("line \(line(p, i))", "expected a value, found \(what(c))") }
            }
        } while !stack.isEmpty
        return i
    }

    func skipSpace(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var i = i
        while i < p.count {
            let c = p[i]
            guard c == UInt8(ascii: " ") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\t") else { break }
            i += 1
        }
        return i
    }

    func isLiteral(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ word: StaticString) -> Bool {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard i + w.count <= p.count else { return false }
        return (0..<w.count).allSatisfy { p[i + $0] == w[$0] }
    }

    /// The 1-based line of byte `i`; only counted when something is wrong.
    func line(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var n = 1
        for k in 0..<min(i, p.count) where p[k] == UInt8(ascii: "\n") { n += 1 }
        return n
    }

    func what(_ c: UInt8) -> String {
        c >= 0x21 && c < 0x7F ? "'\(Character(UnicodeScalar(c)))'" : "byte 0x\(String(c, radix: 16))"
    }

    func bad(_ location: String, _ reason: String) -> KnowHowError {
        .badImport(path: path, location: location, reason: reason)
    }

    func truncated(_ p: UnsafeBufferPointer<UInt8>, _ key: String? = nil) -> KnowHowError {
        bad("line \(line(p, p.count))", "the file ends too early" + (key.map { " inside \"\($0)\"" } ?? "") + " (is it cut short?)")
    }

    /// A decoding error of one record, named by the record's path and the path within it.
    static func badImport(_ error: Error, path: String, location: String, line: Int?, record: Data) -> KnowHowError {
        func at(_ ctx: DecodingError.Context) -> String {
            let inner = CommunityFile.location(ctx.codingPath)
            if inner == "file" { return location }
            return location + (inner.hasPrefix("[") ? "" : ".") + inner
        }
        switch error {
        case let DecodingError.dataCorrupted(ctx):
            if ctx.codingPath.isEmpty { return CommunityFile.invalidJSON(record, path: path, location: location, line: line) }
            return .badImport(path: path, location: at(ctx), reason: CommunityFile.reason(ctx))
        case let DecodingError.keyNotFound(key, ctx):
            return .badImport(path: path, location: at(ctx), reason: "'\(key.stringValue)' is missing")
        case let DecodingError.typeMismatch(_, ctx):
            return .badImport(path: path, location: at(ctx), reason: ctx.debugDescription)
        case let DecodingError.valueNotFound(_, ctx):
            return .badImport(path: path, location: at(ctx), reason: "a value is null")
        case let e as KnowHowError:
            return e
        default:
            return .badImport(path: path, location: location, reason: "not a valid record")
        }
    }
}

/// Work for a decoding thread.
protocol RecordDecoding: Sendable { func decode() }

/// Starts a decoding thread, saying whether it started: Foundation's `Thread` ignores a failed
/// `pthread_create`, and a reader waiting for a thread that never ran would wait forever.
enum DecodingThread {
    final class Job: @unchecked Sendable {
        let work: any RecordDecoding
        init(_ work: any RecordDecoding) { self.work = work }
    }

    static func start(_ work: any RecordDecoding) -> Bool {
        #if os(Linux)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 8 << 20)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let job = Unmanaged.passRetained(Job(work)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { raw in
            Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().work.decode()
            return nil
        }, job)
        if started != 0 { Unmanaged<Job>.fromOpaque(job).release() }
        return started == 0
        #else
        let thread = Thread { work.decode() }
        thread.stackSize = 8 << 20
        thread.start()
        return true
        #endif
    }
}

/// Records decoded by one thread for another: batches in file order, at most `capacity` waiting,
/// then the end or the error that stopped the decoding.
final class DecodedRecords<T: CommunityRecord>: RecordDecoding, @unchecked Sendable {
    static var batchSize: Int { 64 }
    /// 2,048 records, a few MB: on a busy machine the decoding thread may wait its turn for a
    /// while, and the writer should not run dry meanwhile.
    static var capacity: Int { 32 }
    /// And at most this many bytes of the file's records: records of long texts (up to 100 KB a
    /// field) wait in fewer batches, so a file of them costs no more memory than one of short
    /// ones. A batch is always taken into an empty queue.
    static var byteCapacity: Int { 16 << 20 }
    /// Used on the decoding thread only, while the reader's thread waits in `forEach`.
    private let reader: CommunityFileReader
    private let range: Range<Int>
    private let condition = NSCondition()
    private var batches: [[(T, Int)]] = []
    private var queuedBytes = 0
    private(set) var mostQueuedBytes = 0
    private var failure: (any Error)?
    private var finished = false
    private var stopped = false

    init(reader: CommunityFileReader, range: Range<Int>) {
        self.reader = reader
        self.range = range
    }

    /// Decodes every record of the list, on the decoding thread.
    func decode() {
        do {
            try reader.decode(range) { put($0) }
            finish(nil)
        } catch {
            finish(error)
        }
    }

    /// Adds a batch, waiting while the queue is full; false when the reader has stopped.
    func put(_ batch: [(T, Int)]) -> Bool {
        condition.lock(); defer { condition.unlock() }
        while !batches.isEmpty, batches.count >= Self.capacity || queuedBytes >= Self.byteCapacity, !stopped {
            condition.wait()
        }
        if stopped { return false }
        batches.append(batch)
        queuedBytes += batch.reduce(0) { $0 + $1.1 }
        mostQueuedBytes = max(mostQueuedBytes, queuedBytes)
        condition.broadcast()
        return true
    }

    /// The decoding has ended, at the end of the list or with `error`.
    func finish(_ error: (any Error)?) {
        condition.lock(); defer { condition.unlock() }
        failure = error
        finished = true
        condition.broadcast()
    }

    /// The next batch; nil after the last; the decoding's error once every batch before it is taken.
    func next() throws -> [(T, Int)]? {
        condition.lock(); defer { condition.unlock() }
        while batches.isEmpty, !finished { condition.wait() }
        if !batches.isEmpty {
            condition.broadcast()
            let batch = batches.removeFirst()
            queuedBytes -= batch.reduce(0) { $0 + $1.1 }
            return batch
        }
        if let failure { throw failure }
        return nil
    }

    /// Stops the decoding (the reader is done or failed) and waits until it has ended: it reads
    /// the reader's mapped file, which must outlive it.
    func stop() {
        condition.lock(); defer { condition.unlock() }
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
    }
}
