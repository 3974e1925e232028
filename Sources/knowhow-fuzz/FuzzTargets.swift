import ArgumentParser
import Foundation
import GRDB
import KnowHowCore
import KnowHowShell
import KnowHowSQLite

/// What each fuzz target checks of one input. A check that finds a broken invariant stops the
/// process (`fatalError`), which libFuzzer reports as a crash with the input that caused it.
enum FuzzTargets {
    static let all: [(name: String, run: @Sendable (Data) -> Void)] = [
        ("query", query),
        ("shell-line", shellLine),
        ("community-file", communityFile),
        ("stackexchange", stackExchange),
        ("icalendar", iCalendar),
    ]

    static func named(_ name: String) -> (@Sendable (Data) -> Void)? {
        all.first { $0.name == name }?.run
    }

    static func fail(_ what: String, _ input: Data) -> Never {
        fatalError("\(what)\ninput (base64): \(input.base64EncodedString())")
    }

    /// An error a person may see: one of ours, a sentence, and no engine text. A message may
    /// quote the person's own words (`-"retsqlite sequenmype practice"` for `NOT
    /// retsqlite_sequenmype:practice`): words of the input are left out before looking.
    static func checkMessage(_ error: Error, _ input: Data, _ context: String) {
        guard let e = error as? KnowHowError else {
            fail("\(context) threw \(type(of: error)), not a KnowHowError: \(error)", input)
        }
        let text = e.description
        if text.isEmpty || showsEngineText(text, input: String(decoding: input, as: UTF8.self)) {
            fail("\(context) gave a message that is empty or shows engine text: \(text)", input)
        }
    }

    /// Whether `message` holds an engine's words ("sqlite", "fts5", "syntax error", "sql error")
    /// beyond the words of `input` it quotes. Words are runs of letters and digits, lower-cased.
    static func showsEngineText(_ message: String, input: String) -> Bool {
        func words(_ s: String) -> [String] {
            s.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
        }
        let quoted = Set(words(input))
        let own = " " + words(message).filter { !quoted.contains($0) }.joined(separator: " ") + " "
        return own.contains("sqlite") || own.contains("fts5") || own.contains(" syntax error ") || own.contains(" sql error ")
    }

    // MARK: - Query parser and its rendering to FTS5

    /// An in-memory table shaped like the store's index, to ask SQLite whether a rendered
    /// expression is valid FTS5.
    nonisolated(unsafe) static var fts: DatabaseQueue = {
        let q = try! DatabaseQueue()
        try! q.write { db in
            try db.execute(sql: """
                CREATE VIRTUAL TABLE entry_fts USING fts5(title, tags, summary, body,
                    tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3');
                INSERT INTO entry_fts VALUES ('Onboarding checklist', 'onboarding', 'c++ and c#', 'a "quoted" body');
                INSERT INTO entry_fts VALUES ('Café rota', 'wellbeing', 'not or and near', 'x OR y');
                """)
        }
        return q
    }()

    /// Any text either parses or is refused with a sentence; what parses renders to an FTS5
    /// expression SQLite accepts, so no user text reaches FTS5 as syntax.
    static func query(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        let parsed: Query
        do {
            parsed = try QueryParser.parse(text)
        } catch {
            checkMessage(error, data, "QueryParser.parse")
            return
        }
        guard let node = parsed.text else { return }
        _ = QueryParser.render(node)
        let expressions = [FTS5Query.render(node)].compactMap { $0 } + FTS5Query.exclusions(node)
        for match in expressions {
            do {
                _ = try fts.read { db in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM entry_fts WHERE entry_fts MATCH ?", arguments: [match])
                }
            } catch {
                fail("FTS5 refused the rendering of \(String(reflecting: text)): \(match)\n\(error)", data)
            }
        }
    }

    // MARK: - Shell line

    /// The tokenizer's words keep every character that is not a separator (with quotes kept),
    /// `QueryWords` gives back the words as typed, and parsing the words as the command the
    /// line names never traps and refuses with a message.
    static func shellLine(_ data: Data) {
        let line = String(decoding: data, as: UTF8.self)
        let kept = ShellWords.split(line, keepQuotes: true)
        let removed = ShellWords.split(line, keepQuotes: false)
        if kept.joined() != expectedCharacters(line) {
            fail("ShellWords.split(keepQuotes: true) lost or added characters: \(kept)", data)
        }
        if removed.count > kept.count + line.count {
            fail("ShellWords.split(keepQuotes: false) gave more words than the line has characters", data)
        }
        let protected = QueryWords.protect(kept)
        var typed = kept
        if let end = typed.firstIndex(of: "--") { typed.remove(at: end) }  // the end of the options
        if protected.count != kept.count || QueryWords.text(protected) != typed.joined(separator: " ") {
            fail("QueryWords.text(protect(words)) is not the words as typed: \(protected)", data)
        }

        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        let first = String(trimmed.prefix { !$0.isWhitespace })
        let rest = String(trimmed.dropFirst(first.count))
        guard let command = CommandTable.command(named: first) else { return }
        let words = ShellWords.split(rest, keepQuotes: command.takesQuery)
        do {
            _ = try command.parse(command.takesQuery ? QueryWords.protect(words) : words)
        } catch {
            _ = command.fullMessage(for: error, columns: 80)
        }
    }

    /// The characters of a line outside quotes that are not whitespace, plus everything inside
    /// quotes and the double quotes themselves: what `split(keepQuotes: true)` must keep.
    static func expectedCharacters(_ line: String) -> String {
        var out = ""
        var quoted = false
        for ch in line {
            if ch == "\"" { quoted.toggle(); out.append(ch); continue }
            if quoted || !ch.isWhitespace { out.append(ch) }
        }
        return out
    }

    // MARK: - Readers of files

    static let scratch: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm")
                                                                         : FileManager.default.temporaryDirectory
        let dir = base.appendingPathComponent("knowhow-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: FuzzTargets.scratch) }
        return dir
    }()

    /// Every record of a community file either decodes or is refused with a message naming it.
    static func communityFile(_ data: Data) {
        let file = scratch.appendingPathComponent("community.json")
        try! data.write(to: file)
        do {
            let reader = try CommunityFileReader(path: file.path)
            try reader.forEach(Tag.self) { _, _ in }
            try reader.forEach(Member.self) { _, _ in }
            try reader.forEach(Resource.self) { _, _ in }
            try reader.forEach(Practice.self) { _, _ in }
            try reader.forEach(Question.self) { _, _ in }
            try reader.forEach(Answer.self) { _, _ in }
            try reader.forEach(SearchLogEntry.self) { _, _ in }
            try reader.forEach(MeetingSeries.self) { _, _ in }
            try reader.forEach(Meeting.self) { _, _ in }
            if reader.bytesRead > reader.byteCount { fail("read \(reader.bytesRead) of \(reader.byteCount) bytes", data) }
        } catch {
            checkMessage(error, data, "CommunityFileReader")
        }
    }

    /// A calendar reads or is refused with a sentence; what reads writes back as a calendar that
    /// reads again to as many series and meetings, every line at most 75 octets.
    static func iCalendar(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        let read: (series: [MeetingSeries], meetings: [Meeting], unknown: [String])
        do { read = try ICalendar.read(text, path: "fuzz.ics", members: []) } catch {
            checkMessage(error, data, "ICalendar.read"); return
        }
        do {
            let written = try ICalendar.write(series: read.series, meetings: read.meetings, members: [:], now: Timestamp(seconds: 0))
            if let long = written.components(separatedBy: "\r\n").first(where: { $0.utf8.count > 75 }) {
                fail("a written line is longer than 75 octets: \(long)", data)
            }
            let again = try ICalendar.read(written, path: "fuzz.ics", members: [])
            if again.series.count != read.series.count || again.meetings.count != read.meetings.count {
                fail("a calendar written from what was read reads back to other events", data)
            }
        } catch {
            fail("a calendar written from what was read could not be written or read: \(error)", data)
        }
    }

    final class Sink: StackExchangeSink {
        func tag(_ tag: SETag) throws {}
        func user(_ user: SEUser) throws {}
        func question(_ post: SEPost) throws {}
        func answer(_ post: SEPost) throws {}
        func finish() throws {}
    }

    /// A dump folder reads or is refused with a message. The first byte chooses the file the
    /// rest becomes: Posts.xml, or Users.xml or Tags.xml beside a one-row Posts.xml.
    static func stackExchange(_ data: Data) {
        let folder = scratch.appendingPathComponent("dump")
        try? FileManager.default.removeItem(at: folder)
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let files = [StackExchangeDump.postsFile, StackExchangeDump.usersFile, StackExchangeDump.tagsFile]
        let choice = files[Int(data.first ?? 0) % files.count]
        let body = data.dropFirst()
        if choice != StackExchangeDump.postsFile {
            let posts = #"<?xml version="1.0"?><posts><row Id="1" PostTypeId="1" CreationDate="2016-08-02T15:39:14.947" Title="t" Body="b" Tags="|a|" /></posts>"#
            try! Data(posts.utf8).write(to: folder.appendingPathComponent(StackExchangeDump.postsFile))
        }
        try! Data(body).write(to: folder.appendingPathComponent(choice))
        do {
            try StackExchangeDump.read(folder: folder.path, into: Sink())
        } catch {
            checkMessage(error, data, "StackExchangeDump.read")
        }
    }
}
