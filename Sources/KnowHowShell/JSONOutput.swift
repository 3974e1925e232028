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

/// A value `show --json` writes, with a `type` key naming what was shown (member, resource,
/// practice, question, answer, meeting or tag), so that a script can tell one shape from another.
/// `type`, as in `find --json`'s hits and the `type:` filter: a resource's own `kind` is its kind
/// of resource (guide, template…). The value's own keys are written as they were.
struct TypedJSON<Value: Encodable>: Encodable {
    var type: String
    var value: Value

    private enum Key: String, CodingKey { case type }

    func encode(to encoder: Encoder) throws {
        try value.encode(to: encoder)
        // The same object: a keyed container asked for again adds to the one the value wrote.
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(type, forKey: .type)
    }
}
