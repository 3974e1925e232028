import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How emphasis is drawn: ANSI colours on a terminal, nothing in pipes and tests.
public struct Styler {
    public var enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

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

    public func print(_ s: String = "") { out += s + "\n" }
    public func error(_ s: String) { err += s + "\n" }

    /// Takes what was written so far.
    public func drain() -> (out: String, err: String) {
        defer { out = ""; err = "" }
        return (out, err)
    }
}

/// Text layout helpers sized to the terminal.
enum Layout {
    /// Display width of a string, ignoring ANSI escapes (wide CJK/emoji count 2).
    static func width(_ s: String) -> Int {
        var w = 0
        var inEscape = false
        for u in s.unicodeScalars {
            if inEscape { if u == "m" { inEscape = false }; continue }
            if u == "\u{1B}" { inEscape = true; continue }
            if u == Unicode.Scalar(Highlight.open.asciiValue!) || u == Unicode.Scalar(Highlight.close.asciiValue!) { continue }
            if u.properties.generalCategory == .nonspacingMark || u.value == 0x200D || (0xFE00...0xFE0F).contains(u.value) { continue }
            w += isWide(u) ? 2 : 1
        }
        return w
    }

    static func isWide(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        return (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v) ||
            (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v) ||
            (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
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
        return out + "…"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        let w = Self.width(s)
        return w >= width ? s : s + String(repeating: " ", count: width - w)
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
        var out = "", w = 0, open = false
        for ch in s {
            if ch == Highlight.open { open = true; out.append(ch); continue }
            if ch == Highlight.close { open = false; out.append(ch); continue }
            let cw = Self.width(String(ch))
            if w + cw > width - 1 {
                if open { out.append(Highlight.close) }
                return out + "…"
            }
            out.append(ch); w += cw
        }
        return out
    }
}

import KnowHowCore
