import Foundation

/// Turns the HTML of imported posts and profiles into plain text for terminals and search.
///
/// Tags are dropped, entities decoded, block elements (p, br, li, pre, blockquote, h1–h6…)
/// become line breaks, and other whitespace collapses to one space. Code in `<pre>` keeps its
/// lines and indentation. List items start with "- " and images become "[image]", so a post
/// that is only a picture still says something.
public enum HTMLText {
    public static func plainText(_ html: String) -> String {
        var html = html
        return html.withUTF8 { bytes in
            var c = Converter(capacity: bytes.count)
            c.convert(bytes)
            return c.result()
        }
    }

    /// The named entities that occur in real posts; others are left as written.
    static let entities: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ",
        "ndash": "\u{2013}", "mdash": "\u{2014}", "hellip": "\u{2026}", "bull": "\u{2022}", "middot": "\u{00B7}",
        "lsquo": "\u{2018}", "rsquo": "\u{2019}", "ldquo": "\u{201C}", "rdquo": "\u{201D}",
        "laquo": "\u{00AB}", "raquo": "\u{00BB}", "copy": "\u{00A9}", "reg": "\u{00AE}", "trade": "\u{2122}",
        "times": "\u{00D7}", "divide": "\u{00F7}", "minus": "\u{2212}", "plusmn": "\u{00B1}", "deg": "\u{00B0}",
        "le": "\u{2264}", "ge": "\u{2265}", "ne": "\u{2260}", "asymp": "\u{2248}", "infin": "\u{221E}",
        "larr": "\u{2190}", "rarr": "\u{2192}", "uarr": "\u{2191}", "darr": "\u{2193}", "harr": "\u{2194}",
        "euro": "\u{20AC}", "pound": "\u{00A3}", "yen": "\u{00A5}", "cent": "\u{00A2}", "sect": "\u{00A7}",
        "para": "\u{00B6}", "micro": "\u{00B5}", "frac12": "\u{00BD}", "frac14": "\u{00BC}", "frac34": "\u{00BE}",
        "shy": "\u{00AD}", "zwj": "\u{200D}", "zwnj": "\u{200C}",
    ]

    /// What an element does to the text around it.
    enum Element {
        case lineBreak, listItem, block, line, cell, image, preformatted, skipContent
    }

    static let elements: [String: Element] = {
        var e: [String: Element] = ["br": .lineBreak, "li": .listItem, "pre": .preformatted, "img": .image,
                                    "tr": .line, "dt": .line, "dd": .line, "td": .cell, "th": .cell,
                                    "script": .skipContent, "style": .skipContent]
        for b in ["p", "div", "blockquote", "ul", "ol", "dl", "table", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
                  "section", "article", "header", "footer", "figure", "details", "summary"] {
            e[b] = .block
        }
        return e
    }()
}

/// One pass over the bytes: UTF-8 passes through untouched, only ASCII is ever markup.
private struct Converter {
    var out: [UInt8] = []
    /// Newlines owed before the next visible text (0, 1 or 2); they replace any owed space.
    var pendingBreak = 0
    var pendingSpace = false
    var preDepth = 0
    /// Just after `<pre>`: a first newline there is not part of the code.
    var atPreStart = false
    /// A list item began: its "- " goes before its first text, after any breaks.
    var pendingBullet = false

    init(capacity: Int) { out.reserveCapacity(capacity) }

    mutating func result() -> String {
        while let last = out.last, isSpace(last) { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func convert(_ b: UnsafeBufferPointer<UInt8>) {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "<"), let next = tag(b, at: i) {
                i = next
            } else if c == UInt8(ascii: "&"), let (scalar, next) = entity(b, at: i) {
                if scalar.isASCII, isSpace(UInt8(scalar.value)) {
                    whitespace(UInt8(scalar.value))
                } else if scalar == "\u{00A0}" {
                    whitespace(UInt8(ascii: " "))
                } else {
                    visible(Array(String(Character(scalar)).utf8))
                }
                i = next
            } else if isSpace(c) {
                whitespace(c)
                i += 1
            } else if c == 0xC2, i + 1 < n, b[i + 1] == 0xA0 {  // a raw no-break space
                whitespace(UInt8(ascii: " "))
                i += 2
            } else {
                visible(c)
                i += 1
            }
        }
    }

    func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C
    }

    mutating func flush() {
        if pendingBreak > 0 {
            if !out.isEmpty {
                while let last = out.last, isSpace(last) { out.removeLast() }
                for _ in 0..<pendingBreak { out.append(0x0A) }
            }
            pendingBreak = 0
            pendingSpace = false
        } else if pendingSpace {
            if let last = out.last, last != 0x0A, last != 0x20 { out.append(0x20) }
            pendingSpace = false
        }
        if pendingBullet {
            out.append(contentsOf: [UInt8(ascii: "-"), 0x20])
            pendingBullet = false
        }
        atPreStart = false
    }

    mutating func visible(_ c: UInt8) {
        flush()
        out.append(c)
    }

    mutating func visible(_ bytes: [UInt8]) {
        flush()
        out.append(contentsOf: bytes)
    }

    mutating func whitespace(_ c: UInt8) {
        guard preDepth > 0 else { pendingSpace = true; return }
        if c == 0x0D { return }
        if c == 0x0A, atPreStart { atPreStart = false; return }
        if c == 0x0A, pendingBreak > 0 { return }  // the break already starts a new line
        flush()
        out.append(c)
    }

    mutating func lineBreak(_ newlines: Int) {
        pendingBreak = max(pendingBreak, newlines)
    }

    /// Handles a tag (or comment) starting at `<`; nil when the `<` is just text.
    mutating func tag(_ b: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
        let n = b.count
        var i = start + 1
        if i + 2 < n, b[i] == UInt8(ascii: "!"), b[i + 1] == UInt8(ascii: "-"), b[i + 2] == UInt8(ascii: "-") {
            i += 3
            while i + 2 < n, !(b[i] == UInt8(ascii: "-") && b[i + 1] == UInt8(ascii: "-") && b[i + 2] == UInt8(ascii: ">")) { i += 1 }
            return min(i + 3, n)
        }
        var closing = false
        if i < n, b[i] == UInt8(ascii: "/") { closing = true; i += 1 }
        if i < n, b[i] == UInt8(ascii: "!") || b[i] == UInt8(ascii: "?") {  // <!DOCTYPE …>, <?xml …?>
            guard let end = endOfTag(b, from: i) else { return nil }
            return end
        }
        let nameStart = i
        while i < n, isNameByte(b[i]) { i += 1 }
        guard i > nameStart, isLetter(b[nameStart]) else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: b[nameStart..<i]), as: UTF8.self).lowercased()
        guard let end = endOfTag(b, from: i) else { return nil }
        apply(name, closing: closing)
        if !closing, HTMLText.elements[name] == .skipContent {
            return skipContent(of: name, b, from: end)
        }
        return end
    }

    func isLetter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }

    func isNameByte(_ c: UInt8) -> Bool {
        isLetter(c) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    /// The index after the `>` that ends a tag, skipping quoted attribute values.
    func endOfTag(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        var quote: UInt8? = nil
        while i < b.count {
            let c = b[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                quote = c
            } else if c == UInt8(ascii: ">") {
                return i + 1
            } else if c == UInt8(ascii: "<") {
                return nil
            }
            i += 1
        }
        return nil
    }

    /// Skips to after `</name>` (script and style hold no text for people).
    func skipContent(of name: String, _ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let closing = Array("</\(name)".utf8)
        var i = start
        while i + closing.count <= b.count {
            var match = true
            for (k, c) in closing.enumerated() where b[i + k] | 0x20 != c | 0x20 { match = false; break }
            if match, let end = endOfTag(b, from: i + closing.count) { return end }
            i += 1
        }
        return b.count
    }

    mutating func apply(_ name: String, closing: Bool) {
        guard let element = HTMLText.elements[name] else { return }
        switch element {
        case .lineBreak:
            pendingBreak = min(pendingBreak + 1, 2)
            pendingSpace = false
        case .block:
            lineBreak(2)
        case .preformatted:
            lineBreak(2)
            if closing { preDepth = max(preDepth - 1, 0) } else { preDepth += 1; atPreStart = true }
        case .line:
            lineBreak(1)
        case .listItem:
            lineBreak(1)
            if !closing { pendingBullet = true }
        case .cell:
            pendingSpace = true
        case .image:
            if !closing { visible(Array("[image]".utf8)) }
        case .skipContent:
            break
        }
    }

    /// Decodes `&name;`, `&#123;` or `&#x1F;` at `&`; nil when it is not an entity we know.
    func entity(_ b: UnsafeBufferPointer<UInt8>, at start: Int) -> (Unicode.Scalar, Int)? {
        var i = start + 1
        let limit = min(b.count, start + 12)
        while i < limit, b[i] != UInt8(ascii: ";") {
            guard isNameByte(b[i]) || b[i] == UInt8(ascii: "#") else { return nil }
            i += 1
        }
        guard i < limit, i > start + 1 else { return nil }
        let body = String(decoding: UnsafeBufferPointer(rebasing: b[(start + 1)..<i]), as: UTF8.self)
        if body.hasPrefix("#") {
            let digits = body.dropFirst()
            let value: UInt32?
            if digits.first == "x" || digits.first == "X" {
                value = UInt32(digits.dropFirst(), radix: 16)
            } else {
                value = UInt32(digits, radix: 10)
            }
            guard let value else { return nil }
            let scalar = value == 0 ? nil : Unicode.Scalar(value)
            return (scalar ?? "\u{FFFD}", i + 1)
        }
        guard let scalar = HTMLText.entities[body] else { return nil }
        return (scalar, i + 1)
    }
}
