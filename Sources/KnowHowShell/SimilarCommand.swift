import ArgumentParser
import Foundation
import KnowHowCore

/// `similar REF|TEXT`: entries most like an entry or a text ("more like this"), via `Community.similar`.
public struct SimilarCommand: ShellCommand {
    public static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Entries most like an entry (q12, r3, a result number) or a text, closest first.",
        discussion: """
        The entry's title, summary and tags, or the text's words (common words left out), are compared: entries holding more of them rank higher, and an answer leads to its question.

        Examples: similar q12 · similar How do I brew cold coffee without a filter? · knowhow similar --batch --json < titles.txt
        """,
        aliases: ["like"])
    public static let arguments: [ArgumentKind] = [.reference, .query]
    public static let takesQuery = true

    @OptionGroup public var output: OutputOptions
    @Flag(name: .long, help: "Read entries or texts from standard input, one a line (with --json: one JSON line each).")
    public var batch = false
    @Argument(parsing: .allUnrecognized, help: "An entry id, a result number, or some text.")
    public var words: [String] = []

    public init() {}

    public func execute(_ ctx: ShellContext) throws -> Outcome {
        let limit = try output.limit(ctx)
        if batch {
            return try ctx.runBatch("similar") { line in
                let found = try EntryRef(line).map { try ctx.community.similar(to: $0, limit: limit) }
                    ?? ctx.community.similar(text: line, limit: limit)
                return (found, !found.results.hits.isEmpty)
            }
        }
        let text = QueryWords.text(words)
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw KnowHowError.missingField("an entry id or some text (similar q12, or similar How do I …?)")
        }
        let ref = words.count == 1 ? try ctx.resolve(text) : nil
        let found = try ref.map { try ctx.community.similar(to: $0, limit: limit) } ?? ctx.community.similar(text: text, limit: limit)
        let results = found.results.results
        ctx.lastRefs = results.hits.map(\.ref)
        if output.json(ctx) {
            try ctx.printJSON(found)
        } else {
            Render.results(results, ctx: ctx, emptyMessage: "nothing like '\(text)' yet")
        }
        return results.hits.isEmpty ? .noResults : .ok
    }
}
