import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How emphasis is drawn: ANSI colours on a terminal, nothing in pipes and tests.
public struct Styler {
    public var enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    /// The SGR parameters this styler writes: the only escape sequences a Console lets through.
    static let codes: Set<Substring> = ["0", "1", "2", "36", "35", "33", "1;4", "32", "31"]

    func wrap(_ s: String, _ code: String) -> String { enabled && !s.isEmpty ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    public func bold(_ s: String) -> String { wrap(s, "1") }
    public func dim(_ s: String) -> String { wrap(s, "2") }
    public func id(_ s: String) -> String { wrap(s, "36") }
    public func member(_ s: String) -> String { wrap(s, "35") }
    public func tag(_ s: String) -> String { wrap(s, "33") }
    public func match(_ s: String) -> String { enabled ? wrap(s, "1;4") : s }
    public func good(_ s: String) -> String { wrap(s, "32") }
    public func warn(_ s: String) -> String { wrap(s, "31") }
}

/// Facts about the terminal the shell writes to.
public enum TerminalInfo {
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Columns of the terminal, else $COLUMNS, else 80.
    public static func width(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        var ws = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        if let c = environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return 80
    }

    public static func height() -> Int {
        var ws = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_row > 0 { return Int(ws.ws_row) }
        return 24
    }

    /// Colour unless NO_COLOR is set, TERM is dumb, or stdout is not a terminal.
    public static func wantsColour(environment: [String: String]) -> Bool {
        if let nc = environment["NO_COLOR"], !nc.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal(STDOUT_FILENO)
    }
}

/// Where a command writes. Output is collected per command, so that the shell can send long
/// output through a pager and tests can read it.
public final class Console {
    public var out = ""
    public var err = ""
    public var styler: Styler
    public var width: Int

    public init(styler: Styler = Styler(enabled: false), width: Int = 80) {
        self.styler = styler; self.width = width
    }

    /// True when standard output is a terminal (see `note`).
    public var outputIsTerminal = false

    public func print(_ s: String = "") { out += s + "\n" }
    /// True when the output holds data (JSON, DOT, iCalendar) that must reach the terminal as
    /// written, never re-wrapped; cleared by `drain`.
    public var holdsData = false
    public func error(_ s: String) { err += s + "\n" }
    /// A remark about the output ("… more results"): with it on a terminal, on standard error
    /// otherwise, so that what a script reads holds only results.
    public func note(_ s: String) { if outputIsTerminal { print(s) } else { error(s) } }

    /// Takes what was written so far, made safe for a terminal: everything a command writes
    /// passes here, so text from the store or the user can never drive the terminal.
    public func drain() -> (out: String, err: String) {
        defer { out = ""; err = ""; holdsData = false }
        return (TerminalText.safe(out, keepingStyles: styler.enabled), TerminalText.safe(err, keepingStyles: styler.enabled))
    }

    /// Where written text finally goes. Every path to standard output and error passes here, so
    /// that a front end speaking a protocol on stdio can take all of it.
    public struct Sink {
        public var out: (String) -> Void
        public var err: (String) -> Void
        public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void) { self.out = out; self.err = err }

        public static let standard = Sink(out: { FileHandle.standardOutput.write(Data($0.utf8)) },
                                          err: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    public var sink = Sink.standard

    /// Sends what was written so far, made safe (see `drain`), to the sink; `errors` may reword
    /// the error text first (a script names the line).
    public func flush(errors: (String) -> String = { $0 }) {
        let (o, e) = drain()
        if !o.isEmpty { sink.out(o) }
        if !e.isEmpty { sink.err(errors(e)) }
    }

    /// A progress line redrawn in place on standard error (a terminal's); nil clears it.
    public func progress(_ line: String?) {
        sink.err("\r\u{1B}[K" + (line.map { TerminalText.safe($0) } ?? ""))
    }
}

/// Text made harmless for a terminal. Control characters are shown in caret notation (`^[`,
/// `^G`, `^M`) so that an attempt is visible rather than obeyed; C1 controls become `�`;
/// bidirectional overrides and isolates, which reorder what a reader sees, are dropped.
/// Newlines and tabs stay. With `keepingStyles`, the Styler's own colour codes stay too.
public enum TerminalText {
    public static func safe(_ s: String, keepingStyles: Bool = false) -> String {
        guard s.unicodeScalars.contains(where: needsCare) else { return s }
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        out.reserveCapacity(scalars.count + 16)
        var i = 0
        while i < scalars.count {
            let u = scalars[i]
            if u == "\u{1B}", keepingStyles, let end = stylerSequenceEnd(scalars, from: i) {
                out.append(contentsOf: scalars[i...end]); i = end + 1; continue
            }
            if needsCare(u) {
                if u.value < 0x20 || u.value == 0x7F {
                    out.append("^"); out.append(Unicode.Scalar(u.value == 0x7F ? 0x3F : u.value + 0x40)!)
                } else if (0x80...0x9F).contains(u.value) {
                    out.append("\u{FFFD}")
                }
            } else {
                out.append(u)
            }
            i += 1
        }
        return String(out)
    }

    /// Characters a terminal may obey rather than show.
    static func needsCare(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x20 { return v != 0x0A && v != 0x09 }
        if v < 0x7F { return false }
        return v <= 0x9F || isBidiControl(v)
    }

    static func isBidiControl(_ v: UInt32) -> Bool { (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) }

    /// The index of the `m` ending an SGR sequence the Styler writes, starting at `i` (an ESC).
    static func stylerSequenceEnd(_ scalars: [Unicode.Scalar], from i: Int) -> Int? {
        guard i + 2 < scalars.count, scalars[i + 1] == "[" else { return nil }
        var j = i + 2, code = ""
        while j < scalars.count, j - i < 8, scalars[j] == ";" || ("0"..."9").contains(scalars[j]) { code.unicodeScalars.append(scalars[j]); j += 1 }
        guard j < scalars.count, scalars[j] == "m", Styler.codes.contains(Substring(code)) else { return nil }
        return j
    }
}

/// Text layout helpers sized to the terminal.
enum Layout {
    /// The numbers a prompt offers to open: `1` for one entry, `1–n` for more ("open 1–1" read oddly).
    static func numbers(_ n: Int) -> String { n == 1 ? "1" : "1–\(n)" }

    /// Display width of a string as the Console will show it: colour codes take no room, other
    /// control characters take two (`^[`, see TerminalText), wide CJK/emoji take two.
    static func width(_ s: String) -> Int {
        var w = 0
        let scalars = s.unicodeScalars
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let u = scalars[i]
            i = scalars.index(after: i)
            if u == "\u{1B}" {
                // An SGR sequence (ESC [ digits ; m) is drawn as colour; anything else is shown.
                var j = i
                if j < scalars.endIndex, scalars[j] == "[" {
                    j = scalars.index(after: j)
                    while j < scalars.endIndex, scalars[j] == ";" || ("0"..."9").contains(scalars[j]) { j = scalars.index(after: j) }
                    if j < scalars.endIndex, scalars[j] == "m" { i = scalars.index(after: j); continue }
                }
                w += 2; continue
            }
            if u == highlightOpen || u == highlightClose { continue }
            if TerminalText.needsCare(u) { w += u.value <= 0x7F ? 2 : (0x80...0x9F).contains(u.value) ? 1 : 0; continue }
            if u.properties.generalCategory == .nonspacingMark || u.value == 0x200D || (0xFE00...0xFE0F).contains(u.value) { continue }
            w += isWide(u) ? 2 : 1
        }
        return w
    }

    static let highlightOpen = Highlight.open.unicodeScalars.first!
    static let highlightClose = Highlight.close.unicodeScalars.first!

    static func isWide(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v) ||
            (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v) ||
            (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
    }

    /// `1 entry`, `2 entries`, `12,000 members`: every count shown to people is written so.
    static func count(_ n: Int, _ one: String, _ many: String? = nil) -> String {
        Validation.grouped(n) + " " + (n == 1 ? one : many ?? one + "s")
    }

    /// Cuts plain text to `width` columns with an ellipsis.
    static func truncate(_ s: String, _ width: Int) -> String {
        if Self.width(s) <= width { return s }
        var out = "", w = 0
        for ch in s {
            let cw = Self.width(String(ch))
            if w + cw > width - 1 { break }
            out.append(ch); w += cw
        }
        // "first 12…", not "first 12 …".
        while out.last == " " { out.removeLast() }
        return out + "…"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        let w = Self.width(s)
        return w >= width ? s : s + String(repeating: " ", count: width - w)
    }

    /// Lines wider than the terminal broken between words, as the terminal would break them
    /// mid-word: a continuation goes under the line's own indentation. Only single spaces are
    /// break points (runs of spaces are a table's columns), and a line with none that helps (a long
    /// address) is left to the terminal.
    static func fit(_ text: String, width: Int) -> String {
        guard width >= 20 else { return text }
        return text.components(separatedBy: "\n").map { line -> String in
            var rest = line, lines: [String] = []
            let indent = String(line.prefix { $0 == " " })
            while Self.width(rest) > width {
                let chars = Array(rest)
                var cut: Int?, w = 0, colour = false
                for (i, ch) in chars.enumerated() {
                    // A colour code (ESC [ … m) takes no room.
                    if ch == "\u{1B}", i + 1 < chars.count, chars[i + 1] == "[" { colour = true; continue }
                    if colour { if ch == "m" { colour = false }; continue }
                    // A space may end a line that is `width` wide: the space itself is dropped.
                    if ch == " ", i > indent.count, chars[i - 1] != " ", i + 1 < chars.count, chars[i + 1] != " " { cut = i }
                    w += Self.width(String(ch))
                    if w > width { break }
                }
                guard let cut else { break }
                lines.append(String(chars[..<cut]))
                rest = indent + String(chars[(cut + 1)...])
            }
            lines.append(rest)
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The rows `text` takes on a terminal `width` columns wide, long lines wrapped by it.
    static func rows(_ text: String, width: Int) -> Int {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
            .reduce(0) { $0 + max(1, (Self.width(String($1)) + width - 1) / max(1, width)) }
    }

    /// Prose (an entry's body, a bio, notes) indented line by line and never broken: into a pipe
    /// or a file it stays a paragraph a line for scripts; on a terminal `fit` wraps it between
    /// words at the terminal's width, under its indentation. Blank lines stay blank, trailing
    /// blank lines go.
    static func indented(_ text: String, _ indent: String) -> String {
        var lines = text.components(separatedBy: "\n").map { line -> String in
            let kept = String(line.reversed().drop { $0.isWhitespace }.reversed())
            return kept.isEmpty ? "" : indent + kept
        }
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// Word-wraps paragraphs to `width`, indenting every line.
    static func wrap(_ text: String, width: Int, indent: String = "") -> String {
        let avail = max(20, width - indent.count)
        var lines: [String] = []
        for para in text.components(separatedBy: "\n") {
            if para.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(""); continue }
            let lead = String(para.prefix { $0 == " " })
            // List items (`- x`, `2. x`) continue under their text, not under the marker.
            let body = para.dropFirst(lead.count)
            var hanging = lead
            if body.hasPrefix("- ") || body.hasPrefix("* ") { hanging += "  " }
            else if let dot = body.firstIndex(of: "."), body[..<dot].allSatisfy(\.isNumber), !body[..<dot].isEmpty,
                    body[body.index(after: dot)...].hasPrefix(" ") {
                hanging += String(repeating: " ", count: body.distance(from: body.startIndex, to: dot) + 2)
            }
            var line = ""
            for word in para.split(separator: " ", omittingEmptySubsequences: true) {
                if line.isEmpty { line = lead + word }
                else if Self.width(line) + 1 + Self.width(String(word)) > avail { lines.append(line); line = hanging + word }
                else { line += " " + word }
            }
            lines.append(line)
        }
        while lines.last == "" { lines.removeLast() }
        return lines.map { $0.isEmpty ? "" : indent + $0 }.joined(separator: "\n")
    }

    /// Items joined by commas after `lead`, wrapped under the first item.
    static func list(_ items: [String], lead: String, width: Int) -> String {
        let indent = String(repeating: " ", count: Self.width(lead))
        var lines: [String] = []
        var line = lead
        for (i, item) in items.enumerated() {
            let piece = item + (i < items.count - 1 ? "," : "")
            if line != lead, Self.width(line) + 1 + Self.width(piece) > width {
                lines.append(line); line = indent + piece
            } else {
                line += (line == lead ? "" : " ") + piece
            }
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }

    /// Marked text (see Highlight) drawn with the styler, or plain.
    static func marked(_ s: String, _ styler: Styler) -> String {
        Highlight.segments(s).map { $0.match ? styler.match($0.text) : $0.text }.joined()
    }

    /// Marked text cut to a width, keeping the marks balanced.
    static func truncateMarked(_ s: String, _ width: Int) -> String {
        if Self.width(Highlight.plain(s)) <= width { return s }
        var out = "", w = 0, open = false
        for ch in s {
            if ch == Highlight.open { open = true; out.append(ch); continue }
            if ch == Highlight.close { open = false; out.append(ch); continue }
            let cw = Self.width(String(ch))
            if w + cw > width - 1 {
                while out.last == " " { out.removeLast() }
                if open { out.append(Highlight.close) }
                return out + "…"
            }
            out.append(ch); w += cw
        }
        return out
    }
}

import KnowHowCore
