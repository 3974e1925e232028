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
