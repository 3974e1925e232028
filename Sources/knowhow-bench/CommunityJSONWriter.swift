import Foundation
import KnowHowCore

/// Writes a generated community as a community file, record by record, so a million entries
/// never sit in memory at once. The bytes are those of `CommunityFile.encoded()` (sorted keys,
/// the same pretty printing): each record is encoded alone and indented to its depth.
struct CommunityJSONWriter {
    let generator: CommunityGenerator
    let handle: FileHandle
    var buffer = Data()
    let encoder: JSONEncoder
    /// Bytes of text in the records written (see `CommunityGenerator.textBytes`).
    var textBytes = 0

    init(generator: CommunityGenerator, path: String) throws {
        self.generator = generator
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw BenchError("cannot create \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        buffer.reserveCapacity(1 << 22)
    }

    mutating func emit(_ s: String) throws {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 22 { try flush() }
    }

    mutating func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// `"key" : [ records ]` at depth 1, as the pretty printer lays it out.
    mutating func array<T: Encodable>(_ key: String, count: Int, last: Bool = false, _ make: (Int) -> T) throws {
        try emit("  \"\(key)\" : [\n")
        if count == 0 { try emit("\n") }
        for i in 0..<count {
            let record = make(i)
            textBytes += CommunityGenerator.textBytes(of: record)
            let data = try encoder.encode(record)
            var text = String(decoding: data, as: UTF8.self)
            text = "    " + text.replacingOccurrences(of: "\n", with: "\n    ")
                .replacingOccurrences(of: "\n    \n", with: "\n\n")  // blank lines stay blank
            try emit(text + (i + 1 < count ? ",\n" : "\n"))
        }
        try emit("  ]" + (last ? "\n" : ",\n"))
    }

    /// Keys in sorted order: answers, format, members, practices, questions, resources, tags, version.
    mutating func write() throws {
        let g = generator
        try emit("{\n")
        try array("answers", count: g.answerCount, g.answer)
        try emit("  \"format\" : \"\(CommunityFile.formatName)\",\n")
        try array("members", count: g.memberCount, g.member)
        try array("practices", count: g.practiceCount, g.practice)
        try array("questions", count: g.questionCount, g.question)
        try array("resources", count: g.resourceCount, g.resource)
        let tags = g.allTags()
        try array("tags", count: tags.count) { tags[$0] }
        try emit("  \"version\" : \(CommunityFile.currentVersion)\n}\n")
        try flush()
        try handle.close()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
