import CLibPQ
import Foundation
import KnowHowCore

/// One synchronous connection to PostgreSQL through libpq.
///
/// The connection string goes to libpq unchanged, so it means what it means to psql: a URI
/// (`postgresql://`, `postgres://`) or `key=value` pairs, with `PGHOST`, `PGPORT`, `PGDATABASE`,
/// `PGUSER`, `PGPASSWORD`, `~/.pgpass`, `PGSERVICE`, `sslmode`, Unix sockets and
/// `target_session_attrs` all working. Queries are parameterised (`$1`, text format) and
/// nothing a person typed is ever spliced into SQL.
public final class PGConnection {
    /// Seconds libpq waits for a server before giving up, unless the string or
    /// `PGCONNECT_TIMEOUT` says otherwise, so nothing hangs.
    public static let defaultConnectTimeout = 10

    private let handle: OpaquePointer
    /// The connection string with any password left out, for messages.
    public let displayName: String

    /// Connects; `overrides` win over what the string and the environment say (tests use it to
    /// pick a database or a login).
    public init(_ conninfo: String, overrides: [String: String] = [:]) throws {
        displayName = PGConnection.redacted(conninfo)
        var pairs: [(String, String)] = []
        if ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil {
            pairs.append(("connect_timeout", String(Self.defaultConnectTimeout)))
        }
        // libpq expands the first dbname into its parts when it is a URI or key=value string;
        // later keywords override what it held.
        pairs.append(("dbname", conninfo))
        pairs.append(("fallback_application_name", "knowhow"))
        for (k, v) in overrides.sorted(by: { $0.key < $1.key }) { pairs.append((k, v)) }
        let conn: OpaquePointer? = withCStrings(pairs.map(\.0)) { keys in
            withCStrings(pairs.map(\.1)) { values in
                PQconnectdbParams(keys, values, 1)
            }
        }
        guard let conn else { throw KnowHowError.storeUnavailable(path: displayName, reason: "there is not enough memory to connect") }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn))
            PQfinish(conn)
            throw PGConnection.connectError(message, at: displayName)
        }
        handle = conn
        // Notices ("relation already exists, skipping") are not for the person at the terminal.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// The database login this connection runs as (`session_user`).
    public var user: String { String(cString: PQuser(handle)) }

    /// The value libpq settled on for a connection keyword (`connect_timeout`, `dbname`…),
    /// after the string, the environment, service files and defaults.
    public func setting(_ keyword: String) -> String? {
        guard let options = PQconninfo(handle) else { return nil }
        defer { PQconninfoFree(options) }
        var p = options
        while let k = p.pointee.keyword {
            if String(cString: k) == keyword { return p.pointee.val.map { String(cString: $0) } }
            p += 1
        }
        return nil
    }

    /// Whether a transaction is open (or failed and not yet rolled back).
    public var inTransaction: Bool { PQtransactionStatus(handle) != PQTRANS_IDLE }

    // MARK: - Queries

    /// Runs one statement with parameters (`$1`…) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PGBindable?] = []) throws -> PGResult {
        let texts = parameters.map { $0?.pgText }
        // libpq takes C strings, which would silently end at a NUL; PostgreSQL text cannot hold one.
        if texts.contains(where: { $0?.utf8.contains(0) == true }) {
            throw KnowHowError.invalidValue(field: "text", value: "(text with a NUL character)", expected: "text without NUL characters")
        }
        let result: OpaquePointer? = withOptionalCStrings(texts) { values in
            PQexecParams(handle, sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        return try take(result)
    }

    /// Runs statements without parameters: the frozen SQL of migrations, and transaction
    /// control. Never give it text from a person.
    func executeScript(_ sql: String) throws {
        _ = try take(PQexec(handle, sql))
    }

    /// Rows affected by an INSERT, UPDATE or DELETE.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PGBindable?] = []) throws -> Int {
        try query(sql, parameters).affectedRows
    }

    /// Streams rows into a table with `COPY … FROM STDIN` (text format): `sql` is the COPY
    /// statement (frozen, never a person's text); `body` adds rows to a buffer that is sent in
    /// pieces as it fills. Returns the rows the server took. A failure inside `body` cancels the
    /// copy, so nothing it sent stays.
    @discardableResult
    public func copy(_ sql: String, _ body: (inout PGCopyRows) throws -> Void) throws -> Int {
        let started = PQexec(handle, sql)
        guard let started, PQresultStatus(started) == PGRES_COPY_IN else {
            defer { if let started { PQclear(started) } }
            throw lostOrFailed(started)
        }
        PQclear(started)
        var rows = PGCopyRows()
        rows.sender = { [unowned self] in try self.send($0) }
        var failure: Error?
        do {
            try body(&rows)
            try rows.flush { try send($0) }
        } catch {
            failure = error
        }
        // Ending the copy with a message cancels it; the server then reports the copy as failed.
        let ended = failure == nil ? PQputCopyEnd(handle, nil) : PQputCopyEnd(handle, "cancelled by KnowHow")
        var outcome: PGError?
        while let r = PQgetResult(handle) {
            if PQresultStatus(r) != PGRES_COMMAND_OK, outcome == nil { outcome = lostOrFailed(r) }
            PQclear(r)
        }
        if let failure { throw failure }
        if ended != 1 { throw lostOrFailed(nil) }
        if let outcome { throw outcome }
        return rows.count
    }

    private func send(_ data: [UInt8]) throws {
        let ok = data.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: data.count) { PQputCopyData(handle, $0, Int32(data.count)) }
        }
        if ok != 1 { throw lostOrFailed(nil) }
    }

    private func take(_ result: OpaquePointer?) throws -> PGResult {
        guard let result else { throw lostOrFailed(nil) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PGResult(result)
        default:
            throw lostOrFailed(result)
        }
    }

    private func lostOrFailed(_ result: OpaquePointer?) -> PGError {
        func field(_ code: Int32) -> String? {
            guard let result, let p = PQresultErrorField(result, code) else { return nil }
            return String(cString: p)
        }
        let gone = PQstatus(handle) != CONNECTION_OK
        let message = field(Int32(UInt8(ascii: "M"))) ?? String(cString: PQerrorMessage(handle))
        return PGError(sqlState: field(Int32(UInt8(ascii: "C"))) ?? (gone ? "08006" : "XX000"),
                       message: message.trimmingCharacters(in: .whitespacesAndNewlines),
                       constraint: field(Int32(UInt8(ascii: "n"))),
                       connectionLost: gone, at: displayName)
    }

    // MARK: - Transactions

    public enum Isolation: String, Sendable {
        case readCommitted = "READ COMMITTED", repeatableRead = "REPEATABLE READ", serializable = "SERIALIZABLE"
    }

    /// Runs `body` in one transaction, again from the start when the server reports a
    /// serialization failure (40001) or a deadlock (40P01); after `attempts` such failures the
    /// store is busy. Inside an open transaction, `body` simply joins it.
    public func transaction<T>(_ isolation: Isolation = .readCommitted, attempts: Int = 8,
                               _ body: (PGConnection) throws -> T) throws -> T {
        if inTransaction { return try body(self) }
        var attempt = 0
        while true {
            attempt += 1
            try executeScript("BEGIN ISOLATION LEVEL \(isolation.rawValue)")
            do {
                let value = try body(self)
                try executeScript("COMMIT")
                return value
            } catch let error as PGError {
                if !error.connectionLost { try? executeScript("ROLLBACK") }
                guard error.isRetryable else { throw error }
                if attempt >= attempts { throw KnowHowError.storeBusy }
                // Back off a little, more each time, with jitter so two writers do not collide again.
                usleep(UInt32(1_000 * (attempt * attempt) + Int.random(in: 0...2_000)))
            } catch {
                if inTransaction { try? executeScript("ROLLBACK") }
                throw error
            }
        }
    }

    // MARK: - Messages

    /// The connection string without its password, to name the store in messages.
    public static func redacted(_ conninfo: String) -> String {
        if conninfo.isEmpty { return "the PostgreSQL server named by PG* variables" }
        if conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://"),
           var parts = URLComponents(string: conninfo) {
            if parts.password != nil { parts.password = "***" }
            parts.queryItems = parts.queryItems?.map { $0.name == "password" ? URLQueryItem(name: "password", value: "***") : $0 }
            return parts.string ?? conninfo
        }
        return conninfo.replacingOccurrences(of: #"password\s*=\s*('([^'\\]|\\.)*'|\S+)"#, with: "password=***", options: .regularExpression)
    }

    /// A failure to connect, as a sentence that says what to check. libpq's text is matched
    /// for its kind only; it is never shown.
    static func connectError(_ message: String, at place: String) -> KnowHowError {
        let m = message.lowercased()
        let reason: String
        if m.contains("password authentication failed") || m.contains("no password supplied")
            || m.contains("authentication failed") || (m.contains("role") && m.contains("does not exist")) {
            reason = "the server refused the login; check the user name and password (PGUSER, PGPASSWORD or ~/.pgpass)"
        } else if m.contains("database") && m.contains("does not exist") {
            reason = "that database does not exist; create it (createdb NAME) or check the name in the address"
        } else if m.contains("timeout expired") {
            reason = "the server did not answer in time; check the host and port, and that the server is running"
        } else if m.contains("does not support ssl") || m.contains("ssl") {
            reason = "the SSL settings do not match the server's; check sslmode"
        } else if m.contains("read-only") || m.contains("target_session_attrs") || m.contains("session is") {
            reason = "no server there accepts this kind of session; check target_session_attrs"
        } else if m.contains("invalid") || m.contains("missing") || m.contains("unexpected") || m.contains("uri") {
            reason = "the address is not a valid PostgreSQL connection string; use postgresql://USER@HOST/DATABASE"
        } else {
            reason = "could not reach the server; check that it is running and that the host, port or socket folder are right"
        }
        return .storeUnavailable(path: place, reason: reason)
    }
}

/// A failure the server reported, with its SQLSTATE for the store's logic. Its message is the
/// server's and is never shown to a person: `knowHowError` is.
public struct PGError: Error, CustomStringConvertible, Sendable {
    public var sqlState: String
    public var message: String
    public var constraint: String?
    public var connectionLost: Bool
    public var at: String

    /// Serialization failures and deadlocks: the transaction may simply run again.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    public var description: String { "PostgreSQL \(sqlState): \(message)" }

    /// What a person is told: a full sentence, never the server's text.
    public var knowHowError: KnowHowError {
        if connectionLost || sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState) {
            return .storeUnavailable(path: at, reason: "the connection to the server was lost; the last change may not have been saved, so check it and run the command again")
        }
        switch sqlState {
        case "40001", "40P01", "55P03": return .storeBusy
        case "23502", "23503", "23505", "23514":
            return .conflict("that change conflicts with what is stored (a duplicate or a missing reference); nothing was changed")
        case "42501":
            return .unsupported("the database refused that change: your login may not make it; ask a curator to map your login to your handle or to change your role")
        case "25006":
            return .storeUnavailable(path: at, reason: "this server only reads (a standby); connect to the primary to make changes (target_session_attrs=read-write)")
        case "53100", "53200", "53300":
            return .storeUnavailable(path: at, reason: "the server is out of resources (disk, memory or connections); try again later or ask its administrator")
        case "3F000", "42P01":
            return .notAStore(at)
        default:
            return .internalError(code: Int(sqlState, radix: 36) ?? 0)
        }
    }
}

// MARK: - Values

/// A value sent as a query parameter, in PostgreSQL's text format.
public protocol PGBindable {
    var pgText: String? { get }
}

extension String: PGBindable { public var pgText: String? { self } }
extension Int: PGBindable { public var pgText: String? { String(self) } }
extension Int64: PGBindable { public var pgText: String? { String(self) } }
extension Int32: PGBindable { public var pgText: String? { String(self) } }
extension Double: PGBindable { public var pgText: String? { String(self) } }
extension Bool: PGBindable { public var pgText: String? { self ? "t" : "f" } }
extension Optional: PGBindable where Wrapped: PGBindable { public var pgText: String? { self?.pgText } }

/// A value read from a column in text format.
public protocol PGDecodable {
    init?(pgText: String)
}

extension String: PGDecodable { public init?(pgText: String) { self = pgText } }
extension Int: PGDecodable { public init?(pgText: String) { self.init(pgText) } }
extension Int64: PGDecodable { public init?(pgText: String) { self.init(pgText) } }
extension Double: PGDecodable { public init?(pgText: String) { self.init(pgText) } }
extension Bool: PGDecodable {
    public init?(pgText: String) {
        switch pgText { case "t", "true", "1": self = true; case "f", "false", "0": self = false; default: return nil }
    }
}

/// The rows of one statement, copied out of libpq's result.
public struct PGResult: Sendable {
    public let columns: [String]
    public let rows: [PGRow]
    public let affectedRows: Int

    init(_ r: OpaquePointer) {
        let nf = Int(PQnfields(r)), nt = Int(PQntuples(r))
        let columns = (0..<nf).map { String(cString: PQfname(r, Int32($0))) }
        var index: [String: Int] = [:]
        for (i, c) in columns.enumerated() where index[c] == nil { index[c] = i }
        self.columns = columns
        rows = (0..<nt).map { t in
            PGRow(values: (0..<nf).map { f in
                PQgetisnull(r, Int32(t), Int32(f)) == 1 ? nil : String(cString: PQgetvalue(r, Int32(t), Int32(f)))
            }, index: index)
        }
        affectedRows = Int(String(cString: PQcmdTuples(r))) ?? 0
    }

    public var first: PGRow? { rows.first }
}

/// One row; columns by position or name, decoded to the type asked for.
public struct PGRow: Sendable {
    public let values: [String?]
    let index: [String: Int]

    /// The value of a column; nil when it is NULL. A column that is absent, or text that is
    /// not a value of `T`, is a programming error in the store and reported as such.
    public func get<T: PGDecodable>(_ column: String, as _: T.Type = T.self) throws -> T? {
        guard let i = index[column] else { throw PGRow.decodingError(column) }
        return try get(i)
    }

    public func get<T: PGDecodable>(_ i: Int, as _: T.Type = T.self) throws -> T? {
        guard i < values.count else { throw PGRow.decodingError("#\(i)") }
        guard let text = values[i] else { return nil }
        guard let v = T(pgText: text) else { throw PGRow.decodingError("#\(i)") }
        return v
    }

    /// A column that must not be NULL.
    public func require<T: PGDecodable>(_ column: String, as _: T.Type = T.self) throws -> T {
        guard let v: T = try get(column) else { throw PGRow.decodingError(column) }
        return v
    }

    static func decodingError(_ column: String) -> KnowHowError { .internalError(code: 0xDEC0DE) }
}

/// Rows for `PGConnection.copy`, in COPY's text format: tab between columns, `\N` for NULL,
/// backslash escapes for the characters that would end a value.
public struct PGCopyRows {
    var buffer: [UInt8] = []
    public private(set) var count = 0
    /// Sent to the server each time the buffer holds this much.
    static let chunk = 1 << 20
    var sender: (([UInt8]) throws -> Void)?

    init() { buffer.reserveCapacity(Self.chunk + 4096) }

    /// Adds one row. Text holding a NUL cannot be stored in PostgreSQL and is refused.
    public mutating func add(_ values: [PGBindable?]) throws {
        for (i, v) in values.enumerated() {
            if i > 0 { buffer.append(9) }
            guard let text = v?.pgText else { buffer.append(92); buffer.append(78); continue }
            for b in text.utf8 {
                switch b {
                case 0: throw KnowHowError.invalidValue(field: "text", value: "(text with a NUL character)", expected: "text without NUL characters")
                case 92: buffer.append(92); buffer.append(92)
                case 9: buffer.append(92); buffer.append(116)
                case 10: buffer.append(92); buffer.append(110)
                case 13: buffer.append(92); buffer.append(114)
                default: buffer.append(b)
                }
            }
        }
        buffer.append(10)
        count += 1
        if buffer.count >= Self.chunk, let sender {
            try sender(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    mutating func flush(_ send: ([UInt8]) throws -> Void) throws {
        if !buffer.isEmpty { try send(buffer) }
        buffer.removeAll(keepingCapacity: true)
    }
}

// MARK: - C strings

private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    withOptionalCStrings(strings.map { Optional($0) }) { body($0 + [nil]) }
}

private func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
