import Foundation

/// What is wrong with JSON that JSONDecoder refused as "not valid JSON", and where. JSONDecoder
/// says those words alike for a syntax error, for text that is not UTF-8 and for lists nested
/// deeper than it reads; a walk over the bytes tells them apart and names the path.
public enum JSONDiagnosis {
    /// JSONDecoder reads lists and objects nested up to 512 deep.
    public static let maxDepth = 512

    public struct Problem: Equatable, Sendable {
        /// Inside the value walked: `tags[2]`, `skills[0].level`; empty at its top.
        public var path: String
        /// 1-based, counted from the first byte walked.
        public var line: Int
        public var reason: String
    }

    /// The first problem in `bytes`, or nil when the walk finds none.
    public static func problem(in bytes: Data) -> Problem? {
        bytes.withUnsafeBytes { raw in
            var w = Walker(p: raw.bindMemory(to: UInt8.self))
            do {
                w.skipSpace()
                try w.value(depth: 0)
                w.skipSpace()
                if w.i < w.p.count { throw w.fail("there is more after the end of the JSON value") }
                return nil
            } catch {
                return error as? Problem
            }
        }
    }

    enum Step { case key(String), index(Int) }

    struct Walker {
        let p: UnsafeBufferPointer<UInt8>
        var i = 0
        var path: [Step] = []

        init(p: UnsafeBufferPointer<UInt8>) { self.p = p }

        mutating func value(depth: Int) throws {
            guard i < p.count else { throw fail("the JSON ends too early (is it cut short?)") }
            switch p[i] {
            case UInt8(ascii: "{"):
                guard depth < JSONDiagnosis.maxDepth else { throw tooDeep() }
                i += 1
                try members(depth: depth + 1, close: UInt8(ascii: "}")) { w in
                    guard w.i < w.p.count, w.p[w.i] == UInt8(ascii: "\"") else { throw w.fail("expected a key in quotes, found \(w.found)") }
                    let key = try w.string()
                    w.skipSpace()
                    guard w.i < w.p.count, w.p[w.i] == UInt8(ascii: ":") else { throw w.fail("expected ':' after \"\(key)\", found \(w.found)") }
                    w.i += 1
                    w.skipSpace()
                    return .key(key)
                }
            case UInt8(ascii: "["):
                guard depth < JSONDiagnosis.maxDepth else { throw tooDeep() }
                i += 1
                var index = 0
                try members(depth: depth + 1, close: UInt8(ascii: "]")) { _ in
                    defer { index += 1 }
                    return .index(index)
                }
            case UInt8(ascii: "\""):
                _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try number()
            default:
                throw fail("expected a value, found \(found)")
            }
        }

        /// The members of an object or the items of a list, after its opening bracket. `step`
        /// reads what comes before each value (an object's key) and names the value.
        mutating func members(depth: Int, close: UInt8, _ step: (inout Walker) throws -> Step) throws {
            skipSpace()
            if i < p.count, p[i] == close { i += 1; return }
            while true {
                path.append(try step(&self))
                try value(depth: depth)
                path.removeLast()
                skipSpace()
                guard i < p.count else { throw fail("the JSON ends too early (is it cut short?)") }
                if p[i] == UInt8(ascii: ",") {
                    i += 1
                    skipSpace()
                    if i < p.count, p[i] == close { i += 1; return }  // JSONDecoder takes a trailing comma
                    continue
                }
                if p[i] == close { i += 1; return }
                throw fail("expected ',' or '\(Character(UnicodeScalar(close)))', found \(found)")
            }
        }

        mutating func string() throws -> String {
            let start = i + 1
            i += 1
            while true {
                guard i < p.count else { throw fail("the JSON ends too early, inside a string (is it cut short?)") }
                let c = p[i]
                if c == UInt8(ascii: "\"") { break }
                if c < 0x20 { throw fail("a string holds a raw control character (newline or tab); write it as \\n or \\t") }
                if c == UInt8(ascii: "\\") {
                    guard i + 1 < p.count else { throw fail("the JSON ends too early, inside a string (is it cut short?)") }
                    switch p[i + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        i += 2
                    case UInt8(ascii: "u"):
                        guard i + 5 < p.count, (i + 2...i + 5).allSatisfy({ Character(UnicodeScalar(p[$0])).isHexDigit }) else {
                            throw fail("'\\u' in a string must be followed by four hexadecimal digits")
                        }
                        i += 6
                    default:
                        throw fail("'\\\(Character(UnicodeScalar(p[i + 1])))' is not an escape JSON knows; write a backslash as \\\\")
                    }
                    continue
                }
                i += 1
            }
            let bytes = UnsafeBufferPointer(rebasing: p[start..<i])
            i += 1
            guard let s = String(validating: bytes, as: UTF8.self) else {
                i = start
                throw fail("a string is not UTF-8 text; save the file as UTF-8")
            }
            return s
        }

        mutating func literal(_ word: String) throws {
            let end = tokenEnd()
            let token = String(decoding: UnsafeBufferPointer(rebasing: p[i..<end]), as: UTF8.self)
            guard token == word else { throw fail("'\(token)' is not a JSON value (true, false, null, a number, a string, a list or an object)") }
            i = end
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number() throws {
            let end = tokenEnd()
            let token = Array(UnsafeBufferPointer(rebasing: p[i..<end]))
            var k = 0
            func digits() -> Int {
                let from = k
                while k < token.count, token[k] >= UInt8(ascii: "0"), token[k] <= UInt8(ascii: "9") { k += 1 }
                return k - from
            }
            if k < token.count, token[k] == UInt8(ascii: "-") { k += 1 }
            let first = k
            let whole = digits()
            var valid = whole == 1 || whole > 1 && token[first] != UInt8(ascii: "0")  // no leading zeros
            if valid, k < token.count, token[k] == UInt8(ascii: ".") { k += 1; valid = digits() > 0 }
            if valid, k < token.count, token[k] == UInt8(ascii: "e") || token[k] == UInt8(ascii: "E") {
                k += 1
                if k < token.count, token[k] == UInt8(ascii: "+") || token[k] == UInt8(ascii: "-") { k += 1 }
                valid = digits() > 0
            }
            guard valid, k == token.count else {
                throw fail("'\(String(decoding: token, as: UTF8.self))' is not a JSON number such as 12, -3 or 1.5")
            }
            i = end
        }

        /// Where a number or a literal ends: at the next delimiter.
        func tokenEnd() -> Int {
            var k = i
            while k < p.count {
                switch p[k] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "), UInt8(ascii: "\n"),
                     UInt8(ascii: "\r"), UInt8(ascii: "\t"), UInt8(ascii: ":"), UInt8(ascii: "\""):
                    return k
                default: k += 1
                }
            }
            return k
        }

        mutating func skipSpace() {
            while i < p.count, p[i] == UInt8(ascii: " ") || p[i] == UInt8(ascii: "\n") || p[i] == UInt8(ascii: "\r") || p[i] == UInt8(ascii: "\t") {
                i += 1
            }
        }

        var found: String {
            guard i < p.count else { return "the end of the file" }
            let c = p[i]
            return c >= 0x21 && c < 0x7F ? "'\(Character(UnicodeScalar(c)))'" : "byte 0x\(String(c, radix: 16))"
        }

        func tooDeep() -> Problem {
            fail("lists and objects nest more than \(JSONDiagnosis.maxDepth) deep here; a community file's records nest three deep at most")
        }

        func fail(_ reason: String) -> Problem {
            var s = ""
            for step in path {
                switch step {
                case .key(let k): s += (s.isEmpty ? "" : ".") + k
                case .index(let n): s += "[\(n)]"
                }
            }
            let line = 1 + p[0..<min(i, p.count)].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            return Problem(path: s, line: line, reason: reason)
        }
    }
}

extension JSONDiagnosis.Problem: Error {}
