import Foundation
import Testing
import KnowHowCore
@testable import KnowHowShell

/// Inputs the fuzzers (Sources/knowhow-fuzz, .ci/fuzz) found, each kept as a case of the
/// invariant it broke.
struct FuzzRegressionTests {
    /// `QueryWords` marks `-word` with U+E000 to get it past the argument parser; a word typed
    /// with that character (or the escape, U+E001) in front came back as `-word`.
    @Test(arguments: [
        ["\u{E000}x"], ["\u{E001}x"], ["\u{E000}"], ["-\u{E000}x"], ["\u{E001}\u{E000}-x", "-y"],
        ["-x", "\u{E000}x", "x"], ["--json", "-n", "-draft", "\u{E001}"],
    ])
    func queryWordsGiveBackWordsThatStartWithTheMark(_ words: [String]) {
        #expect(QueryWords.text(QueryWords.protect(words)) == words.joined(separator: " "))
    }
}

/// A Stack Exchange dump file that declares an encoding libxml2 converts through iconv (UTF-7,
/// Shift-JIS, UTF-32…) and holds bytes that do not convert crashed the XML parser (SIGSEGV in
/// xmlSwitchToEncoding). Dumps are UTF-8: anything else is refused, naming the file.
struct StackExchangeEncodingTests {
    final class Sink: StackExchangeSink {
        var rows = 0
        func tag(_ tag: SETag) throws { rows += 1 }
        func user(_ user: SEUser) throws { rows += 1 }
        func question(_ post: SEPost) throws { rows += 1 }
        func answer(_ post: SEPost) throws { rows += 1 }
        func finish() throws {}
    }

    static let post = #"<posts><row Id="1" PostTypeId="1" CreationDate="2016-08-02T15:39:14.947" Title="caf\#u{E9} \#u{201C}x\#u{201D}" /></posts>"#

    /// Reads a dump whose Posts.xml holds these bytes.
    static func read(_ bytes: [UInt8]) throws -> Int {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("knowhow-se-enc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(bytes).write(to: dir.appendingPathComponent(StackExchangeDump.postsFile))
        let sink = Sink()
        try StackExchangeDump.read(folder: dir.path, into: sink)
        return sink.rows
    }

    static func declared(_ declaration: String) -> [UInt8] { Array((declaration + "\n" + post).utf8) }

    @Test(arguments: [
        ("<?xml version=\"1.0\" encoding=\"utf-7\"?>", "it declares the encoding 'utf-7'"),
        ("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>", "it declares the encoding 'Shift_JIS'"),
        ("<?xml version='1.0' encoding = 'UTF-32' standalone='yes'?>", "it declares the encoding 'UTF-32'"),
        ("<?xml version=\"1.0\"\nencoding=\"HZ\"?>", "it declares the encoding 'HZ'"),
        ("<?xml version=\"1.0\" encoding=\"utf-7\"", "it declares the encoding 'utf-7'"),
        ("<?xml version=\"1.0\" standalone=\"no\"", "its XML declaration (<?xml … ?>) is malformed"),
        ("<?xml version=\"1>\" encoding=\"utf-7\"?>", "it declares the encoding 'utf-7'"),
        ("<?xml version=\"1.0\" foo=\"x\" encoding=\"utf-7\"?>", "its XML declaration (<?xml … ?>) is malformed"),
        ("<?xml encoding=\"utf-7\"?>", "its XML declaration (<?xml … ?>) is malformed"),
    ])
    func declaredEncodingOtherThanUTF8IsRefused(_ c: (declaration: String, reason: String)) {
        let error = #expect(throws: KnowHowError.self) { try Self.read(Self.declared(c.declaration)) }
        #expect(error?.description.contains("Posts.xml") == true, "\(String(describing: error))")
        #expect(error?.description.contains(c.reason) == true, "\(String(describing: error))")
    }

    @Test func utf16AndEBCDICFilesAreRefused() {
        let utf16: [UInt8] = [0xFF, 0xFE] + Self.post.utf16.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let ebcdic: [UInt8] = [0x4C, 0x6F, 0xA7, 0x94, 0x93, 0x40]
        for bytes: [UInt8] in [utf16, Array(utf16.dropFirst(2)), ebcdic] {
            #expect(throws: KnowHowError.self) { try Self.read(bytes) }
        }
    }

    @Test(arguments: ["", "<?xml version=\"1.0\" encoding=\"utf-8\"?>", "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\" ?>",
                      "<?xml version=\"1.0\"?>"])
    func utf8DumpsStillRead(_ declaration: String) throws {
        #expect(try Self.read(Self.declared(declaration)) == 1)
    }
}

/// A processing instruction with nothing after its name (`<?x?>`) crashed Foundation's XML
/// parser on Linux (strlen of a null pointer); such a file is refused, naming the line.
struct StackExchangeInstructionTests {
    @Test(arguments: [
        ("<?x?><posts/>", 1), ("<posts>\n<?x3?></posts>", 2), ("<posts>\n\n<?x?y?></posts>", 3),
    ])
    func bareProcessingInstructionIsRefused(_ c: (text: String, line: Int)) {
        let error = #expect(throws: KnowHowError.self) { try StackExchangeEncodingTests.read(Array(c.text.utf8)) }
        #expect(error?.description.contains("Posts.xml: line \(c.line): it holds a processing instruction") == true,
                "\(String(describing: error))")
    }

    @Test func instructionsWithDataStillRead() throws {
        let text = "<?xml version=\"1.0\"?>\n<?style x?><posts><?x\n?>" + StackExchangeEncodingTests.post.dropFirst("<posts>".count)
        #expect(try StackExchangeEncodingTests.read(Array(text.utf8)) == 1)
    }
}
