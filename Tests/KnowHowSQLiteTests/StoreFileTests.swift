import Foundation
import GRDB
import Testing
@testable import KnowHowCore
@testable import KnowHowSQLite

/// The store's file: paths, recognising KnowHow's stores, creating them only on a write, and their permissions.
struct StoreFileTests {
    final class Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("knowhow-files-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    }

    static func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    static func applicationID(_ path: String) throws -> Int32 {
        var config = Configuration(); config.readonly = true
        return try DatabaseQueue(path: path, configuration: config).read { try Int32.fetchOne($0, sql: "PRAGMA application_id") ?? 0 }
    }

    @Test(arguments: [("x", "."), ("(", "."), (".", "."), ("/x", "/"), ("a/b.db", "a"), ("/a/b/c.db", "/a/b"), ("a//b", "a/")])
    func theFolderOfAnyPathIsFoundWithoutCrashing(_ c: (String, String)) {
        #expect(SQLiteKnowledgeStore.folder(of: c.0) == c.1)
    }

    @Test func oneCharacterPathsOpenWithoutCrashingOrCreating() throws {
        // Relative to the current folder, where these names do not exist: nothing may appear.
        for p in ["x", "(", "q"] where !FileManager.default.fileExists(atPath: p) {
            let store = try SQLiteKnowledgeStore(path: p)
            #expect(knowHowError { _ = try store.counts() } == .noStore(path: p))
            #expect(!FileManager.default.fileExists(atPath: p))
        }
        let e = knowHowError { _ = try SQLiteKnowledgeStore(path: ".") }
        #expect(e?.description.contains("it is a folder") == true, "\(String(describing: e))")
    }

    @Test func emptyAndNulPathsAreRefusedPlainly() {
        let empty = knowHowError { _ = try SQLiteKnowledgeStore(path: "") }
        #expect(empty?.description.contains("not a valid store path") == true, "\(String(describing: empty))")
        let nul = knowHowError { _ = try SQLiteKnowledgeStore(path: "a\0b") }
        #expect(nul?.description.contains("without NUL") == true, "\(String(describing: nul))")
    }

    @Test func devNullIsNotAStoreAndSaysWhy() {
        let e = knowHowError { _ = try SQLiteKnowledgeStore(path: "/dev/null") }
        #expect(e?.description.contains("not a regular file") == true, "\(String(describing: e))")
        #expect(e?.description.contains("error") == false)
    }

    @Test func readsOfAMissingStoreCreateNothing() throws {
        let dir = try Folder()
        let path = dir.path("missing/folder/store.db")
        let store = try SQLiteKnowledgeStore(path: path)
        #expect(knowHowError { _ = try find(store, "onboarding", limit: 10) } == .noStore(path: path))
        #expect(knowHowError { _ = try store.counts() } == .noStore(path: path))
        #expect(!FileManager.default.fileExists(atPath: dir.path("missing")))
    }

    @Test func aWriteCreatesAPrivateStampedStoreWhateverTheUmask() throws {
        let acting = Acting.system
        let dir = try Folder()
        let path = dir.path("new/store.db")
        let store = try SQLiteKnowledgeStore(path: path)
        let old = umask(0o022)
        defer { umask(old) }
        _ = try store.importCommunity(Fixture.file, as: acting)
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.mode(dir.path("new")) == 0o700)
        #expect(try Self.applicationID(path) == SQLiteKnowledgeStore.applicationID)
        // SQLite gives the -wal and -shm files the store's own mode.
        _ = try store.add(Resource(title: "Kept in the WAL", kind: .notes, contributor: "kim"), as: acting)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            #expect(try Self.mode(path + suffix) == 0o600, "\(suffix)")
        }
        #expect(try store.create() == false, "create is idempotent")
        #expect(try SQLiteKnowledgeStore(path: path).counts().resources == 13)
    }

    @Test func aSharedStoreIsGroupWritable() throws {
        let dir = try Folder()
        let path = dir.path("team/store.db")
        let store = try SQLiteKnowledgeStore(path: path, shared: true)
        #expect(try store.create())
        #expect(try Self.mode(path) == 0o660)
        #expect(try Self.mode(dir.path("team")) & 0o7777 == 0o2770)
    }

    @Test func anotherProgramsDatabaseIsLeftAlone() throws {
        let dir = try Folder()
        let path = dir.path("other.db")
        do {
            let q = try DatabaseQueue(path: path)
            try q.write { try $0.execute(sql: "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT)") }
            try q.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let e = knowHowError { _ = try SQLiteKnowledgeStore(path: path) }
        #expect(e?.description.contains("another program's SQLite database") == true, "\(String(describing: e))")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "not a byte changed")
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func anEmptyFileIsRefusedUntilInit() throws {
        let acting = Acting.system
        let dir = try Folder()
        let path = dir.path("empty.db")
        FileManager.default.createFile(atPath: path, contents: Data())
        let store = try SQLiteKnowledgeStore(path: path)
        let read = knowHowError { _ = try store.counts() }
        #expect(read?.description.contains("it is empty") == true, "\(String(describing: read))")
        let write = knowHowError { _ = try store.importCommunity(Fixture.file, as: acting) }
        #expect(write?.description.contains("it is empty") == true, "\(String(describing: write))")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
        #expect(try store.create())
        #expect(try store.counts().members == 0)
        #expect(try Self.applicationID(path) == SQLiteKnowledgeStore.applicationID)
    }

    @Test func aStoreFromBeforeTheStampOpensAndIsStamped() throws {
        let acting = Acting.system
        let dir = try Folder()
        let path = dir.path("earlier.db")
        do {
            let s = try SQLiteKnowledgeStore(path: path)
            _ = try s.importCommunity(Fixture.file, as: acting)
            try s.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = 0") }
        }
        #expect(try Self.applicationID(path) == 0)
        let reopened = try SQLiteKnowledgeStore(path: path)
        #expect(try reopened.counts().resources == 12)
        #expect(try Self.applicationID(path) == SQLiteKnowledgeStore.applicationID)
    }
}
