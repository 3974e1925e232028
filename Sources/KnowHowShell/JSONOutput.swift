import Foundation
import KnowHowCore

/// JSON text that a terminal shows as it is. JSONEncoder escapes C0 controls (ESC is `\u001b`) but
/// writes DEL, C1 controls and bidirectional overrides raw; these are escaped too, which keeps the
/// same strings for a parser (they can only occur inside strings).
enum JSONText {
    static func escapingInvisibles(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: TerminalText.needsCare) else { return json }
        var out = String.UnicodeScalarView()
        for u in json.unicodeScalars {
            if TerminalText.needsCare(u) { out.append(contentsOf: String(format: "\\u%04x", u.value).unicodeScalars) } else { out.append(u) }
        }
        return String(out)
    }
}

/// The JSON shape of a hit: the same facts as the screen, without terminal marks.
struct JSONHit: Encodable {
    var n: Int
    var id: String
    var type: String
    var title: String
    var snippet: String
    var matches: [String]
    var tags: [String]
    var score: Double?
    var detail: String?
    var status: String?

    init(_ hit: SearchHit, n: Int) {
        self.n = n
        id = hit.ref.description
        type = hit.ref.type.rawValue
        title = Highlight.plain(hit.title)
        snippet = Highlight.plain(hit.snippet)
        let matched = (Highlight.segments(hit.title) + Highlight.segments(hit.snippet)).filter(\.match).map { $0.text.lowercased() }
        var seen = Set<String>()
        matches = matched.filter { seen.insert($0).inserted }
        tags = hit.tags
        // bm25 is negative, better is lower; publish higher-is-better.
        score = hit.score == 0 ? nil : -hit.score
        detail = hit.detail
        status = hit.status
    }
}

struct JSONResults: Encodable {
    var query: String
    var hits: [JSONHit]
    var more: Bool
    var suggestions: [String]
    var notes: [String]

    init(query: String, results: SearchResults) {
        self.query = query
        hits = results.hits.enumerated().map { JSONHit($1, n: $0 + 1) }
        more = results.more
        suggestions = results.suggestions
        notes = results.notes
    }
}

struct JSONTag: Encodable {
    var name: String
    var description: String?
    var aliases: [String]
    var entries: Int
    var members: Int

    init(_ d: TagDetail) {
        name = d.tag.name; description = d.tag.description; aliases = d.tag.aliases
        entries = d.entryCount; members = d.memberCount
    }
}
