import Foundation
import Testing
import KnowHowCore
import KnowHowSQLite
import KnowHowPostgres

// The store contract: behaviours every `KnowledgeStore` must have, written against the port and
// the core types only. This file is the one place that names a store; every other file of this
// target runs on whatever `ContractStores.all` lists. A new store (PostgreSQL) adds its factories
// here and must pass the same tests unchanged.

/// A fresh place for a store's data: each `open()` gives a store on it.
struct StorePlace: Sendable {
    /// Opens a store on this place's data. On a shared place every call is one more store on the
    /// same data (another connection); on a private one (in memory) it may be called once.
    let open: @Sendable () throws -> any KnowledgeStore
    /// Whether two stores opened on the place see each other's writes.
    let shared: Bool
}

/// Makes empty places for stores, one per test.
struct StoreFactory: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    let name: String
    let shared: Bool
    let makePlace: @Sendable () throws -> StorePlace

    var description: String { name }
    var testDescription: String { name }

    func place() throws -> StorePlace { try makePlace() }

    /// A fresh, empty store (acting as the system: no role checks).
    func empty() throws -> any KnowledgeStore { try place().open() }
}

enum ContractStores {
    /// Every store the contract runs on: PostgreSQL too when a test server is named
    /// (KNOWHOW_TEST_PG, set by `. .ci/postgres start`); `PostgresContractTests` says when it is not.
    static let all: [StoreFactory] = [sqliteInMemory, sqliteFile] + (postgres.map { [$0] } ?? [])

    /// The factories whose places are shared between store instances (for concurrent writers).
    static var shared: [StoreFactory] { all.filter(\.shared) }

    static let sqliteInMemory = StoreFactory(name: "SQLite in memory", shared: false) {
        StorePlace(open: { try SQLiteKnowledgeStore() }, shared: false)
    }

    static let sqliteFile = StoreFactory(name: "SQLite file", shared: true) {
        let path = ScratchFolder.path.appendingPathComponent("\(UUID().uuidString)/store.db").path
        // A store on a new path exists once created (`init`); reads before that say there is none.
        return StorePlace(open: { let s = try SQLiteKnowledgeStore(path: path); try s.create(); return s }, shared: true)
    }
}

extension ContractStores {
    /// The test server's address, nil when none was started.
    static let server = ProcessInfo.processInfo.environment["KNOWHOW_TEST_PG"].flatMap { $0.isEmpty ? nil : $0 }

    /// A fresh database per place, copied from one migrated template (made once per process), and
    /// dropped when the process ends; every `open()` is one more connection to it.
    static let postgres: StoreFactory? = server.map { url in
        StoreFactory(name: "PostgreSQL", shared: true) {
            let name = try PostgresPlaces.shared.makeDatabase()
            return StorePlace(open: { try PostgresKnowledgeStore(url, overrides: ["dbname": name]) }, shared: true)
        }
    }
}

/// The databases the contract makes on the test server.
final class PostgresPlaces: @unchecked Sendable {
    static let shared = PostgresPlaces()
    private let lock = NSLock()
    private var template: String?
    private var made: [String] = []
    private let prefix = "kh_contract_\(ProcessInfo.processInfo.processIdentifier)_"

    private init() {}

    func makeDatabase() throws -> String {
        let url = ContractStores.server!
        lock.lock(); defer { lock.unlock() }
        if template == nil {
            let name = prefix + "template"
            let admin = try PGConnection(url)
            try admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            try admin.execute("CREATE DATABASE \(name)")
            _ = try PostgresKnowledgeStore(url, overrides: ["dbname": name])  // migrates; its connection closes here
            template = name
            made.append(name)
            atexit { PostgresPlaces.shared.dropAll() }
        }
        let name = prefix + String(made.count)
        try PGConnection(url).execute("CREATE DATABASE \(name) TEMPLATE \(template!)")
        made.append(name)
        return name
    }

    func dropAll() {
        guard let url = ContractStores.server, let admin = try? PGConnection(url) else { return }
        for name in made.reversed() { _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    }
}

/// One folder per test process for file-backed stores, removed when the process exits (a store
/// may still hold its files open at the end of a test, so they are not removed one by one).
enum ScratchFolder {
    static let path: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("knowhow-contract-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: ScratchFolder.path) }
        return url
    }()
}

// MARK: - Helpers every contract test uses

/// The time writes are stamped with, so that exports of two runs are byte-identical.
let contractNow = Timestamp("2025-06-01T10:00:00Z")!

extension StoreFactory {
    /// A fresh store holding the fixture community (for who acts on it, see `contractActing`).
    func fixture() throws -> any KnowledgeStore {
        let store = try empty()
        try load(store)
        return store
    }

    /// A place holding the fixture community, for tests that open several stores on it.
    func fixturePlace() throws -> StorePlace {
        let place = try place()
        try load(place.open())
        return place
    }

    private func load(_ store: any KnowledgeStore) throws {
        _ = try store.importCommunity(Fixture.file, as: contractActing())
    }
}

/// Who acts in a contract test, at the fixture's time: `handle` (nil: the system).
func contractActing(_ handle: String? = nil) -> Acting {
    Acting(handle.map { .member($0) } ?? .system, at: contractNow)
}

/// Parses and searches, as the shell does.
func find(_ store: any KnowledgeStore, _ text: String, limit: Int = 50) throws -> SearchResults {
    try store.search(QueryParser.parse(text), limit: limit)
}

/// The ids of a search's hits, in order: `r1`, `@kim`.
func ids(_ r: SearchResults) -> [String] { r.hits.map(\.ref.description) }

/// The ids a query finds.
func found(_ store: any KnowledgeStore, _ text: String, limit: Int = 50) throws -> [String] {
    ids(try find(store, text, limit: limit))
}

/// The error a body throws, as a KnowHowError (nil and a recorded issue otherwise).
func knowHowError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> KnowHowError? {
    do {
        try body()
        Issue.record("expected a KnowHowError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let e as KnowHowError {
        return e
    } catch {
        Issue.record("expected a KnowHowError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The store's whole content as the bytes `export` writes: equal bytes, equal community.
func snapshot(_ store: any KnowledgeStore) throws -> Data {
    try store.exportCommunity().encoded()
}

/// What the community file leaves out: endorsements, successors of retired practices and where
/// merged-away ids point, for every member and entry of the fixture, one line each.
func linkState(_ store: any KnowledgeStore) throws -> [String] {
    var lines: [String] = []
    for m in Fixture.members {
        let e = try store.endorsements(of: m.handle)
        lines.append("@\(m.handle) endorsed: " + e.keys.sorted().map { "\($0)=\(e[$0]!.sorted())" }.joined(separator: " "))
        lines.append("@\(m.handle) → \(String(describing: try store.redirect(.member(m.handle))))")
    }
    let ids = Fixture.resources.map(\.id) + Fixture.practices.map(\.id) + Fixture.questions.map(\.id) + Fixture.answers.map(\.id)
    for id in ids.compactMap({ $0 }) {
        lines.append("\(id) → \(String(describing: try store.redirect(.entry(id))))")
        if id.type == .practice { lines.append("\(id) succeeded by \(String(describing: try store.successor(of: id)))") }
    }
    return lines
}

/// Records the first differing line of two exports, so a failure says where they differ.
func expectSameBytes(_ a: Data, _ b: Data, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a == b, "\(what): the exports differ", sourceLocation: sourceLocation)
    guard a != b else { return }
    let x = String(decoding: a, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    let y = String(decoding: b, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    if let i = zip(x, y).enumerated().first(where: { $1.0 != $1.1 })?.offset {
        Issue.record("first difference at line \(i + 1): \(x[i]) ≠ \(y[i])", sourceLocation: sourceLocation)
    } else {
        Issue.record("one export is a prefix of the other (\(x.count) and \(y.count) lines)", sourceLocation: sourceLocation)
    }
}

extension EntryID {
    /// `EntryID("r4")` for a literal the test knows is valid.
    static func id(_ text: String) -> EntryID { EntryID(text)! }
}

/// Collects errors from several threads.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []
    func add(_ e: Error) { lock.lock(); errors.append("\(e)"); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return errors }
}
