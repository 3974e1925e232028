import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One completion candidate: what is inserted, and an optional description shown beside it in the list.
public struct Completion: Equatable {
    public var value: String
    public var description: String?

    public init(_ value: String, description: String? = nil) {
        self.value = value
        self.description = description
    }
}

/// Supplies completions for the word under the cursor.
public protocol Completer: AnyObject {
    /// `line` is the whole line up to the cursor, `word` the word being completed (its start is line.count - word.count).
    func completions(line: String, word: String) -> [Completion]
}

/// Where the shell gets its lines.
public protocol LineReader: AnyObject {
    /// Reads one line; nil at end of input (Ctrl-D on an empty line, or EOF).
    func readLine(prompt: String) -> String?
    /// Reads the answer to a command's question; nil also when the person interrupts (Ctrl-C),
    /// which cancels the command.
    func readAnswer(prompt: String) -> String?
}

extension LineReader {
    public func readAnswer(prompt: String) -> String? { readLine(prompt: prompt) }
}

/// Reads lines from a file handle (stdin when not a terminal): no prompt, no echo.
///
/// Invalid UTF-8 is decoded with replacement characters rather than failing, a trailing "\r" is
/// stripped so files saved on Windows work, and so is a byte-order mark at the very start.
/// It reads with `read(2)` as data arrives, so a pipe fed line by line is answered line by line.
public final class StreamLineReader: LineReader {
    private let fileHandle: FileHandle
    private var buffer: [UInt8] = []
    private var atEndOfInput = false
    private var isFirstLine = true

    public init(fileHandle: FileHandle = .standardInput) {
        self.fileHandle = fileHandle
    }

    public func readLine(prompt: String) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = decode(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            if atEndOfInput {
                guard !buffer.isEmpty else { return nil }
                let line = decode(buffer[...])
                buffer.removeAll()
                return line
            }
            fill()
        }
    }

    /// Appends whatever the file has ready; a read error counts as end of input, never a crash.
    private func fill() {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fileHandle.fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                atEndOfInput = true
            }
            return
        }
    }

    private func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var bytes = bytes
        if isFirstLine {
            isFirstLine = false
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        }
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
