import Foundation
import MCP

/// MCP's stdio framing (one JSON message a line) with reads that block on a thread of their own.
/// The SDK's `StdioTransport` polls a non-blocking descriptor and sleeps 10 ms whenever nothing is
/// waiting, which puts up to 10 ms on every request; this hands a message on as its line ends.
actor LineTransport: Transport {
    /// The SDK's no-op logger (its type comes from swift-log, which this target does not name).
    nonisolated let logger = StdioTransport().logger
    private let reading: FileHandle
    private let writing: FileHandle
    private let stream: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    private var started = false

    /// Reads messages from `reading` (stdin by default), writes them to `writing` (stdout).
    init(reading: FileHandle = .standardInput, writing: FileHandle = .standardOutput) {
        self.reading = reading
        self.writing = writing
        (stream, continuation) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        guard !started else { return }
        started = true
        let fd = reading.fileDescriptor, continuation = self.continuation
        Thread.detachNewThread {
            var pending = Data()
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending.append(contentsOf: buffer[..<n])
                while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[pending.startIndex..<nl]
                    if !line.isEmpty { continuation.yield(Data(line)) }
                    pending = Data(pending[(nl + 1)...])
                }
            }
            continuation.finish()
        }
    }

    func disconnect() async {
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        var line = data
        line.append(UInt8(ascii: "\n"))
        try writing.write(contentsOf: line)
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, Swift.Error> { stream }
}

/// A client's end of `knowhow mcp` over a child's pipes, without the SDK transport's 10 ms poll.
public func lineTransport(reading: FileHandle, writing: FileHandle) -> any Transport {
    LineTransport(reading: reading, writing: writing)
}
