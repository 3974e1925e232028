import Foundation
import GRDBSQLite
import Testing
@testable import KnowHowCore
@testable import KnowHowShell
@testable import KnowHowSQLite
@testable import KnowHowStores

/// Issue 12: saying who you are, worded for where you are (the shell or the command line), and a
/// first run that tells you how to start.
struct IdentityShellTests {
    /// A session on an empty store, as in the interactive shell (or not).
    static func emptySession(interactive: Bool) throws -> CurationSession {
        let s = try CurationSession(as: nil)
        s.ctx.store = try SQLiteKnowledgeStore()
        s.ctx.interactive = interactive
        return s
    }

    @Test func inTheShellTheFirstMemberIsActedAsAtOnce() throws {
        let s = try Self.emptySession(interactive: true)
        let r = s.run(#"add member @kim --name "Kim Lee""#)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("@kim is the store's first member, so its curator; you are acting as @kim now"), "\(r.out)")
        #expect(s.run("whoami").out == "@kim (Kim Lee), curator (from add member, as the store's first member)\n")
        let added = s.run("add resource --title 'Interview consent form' --kind template")
        #expect(added.code == 0 && added.out == "added r1: Interview consent form\n", "\(added.err)")
    }

    /// `add member @me` at a path with no store made the store at once: cancelling the form said
    /// "nothing was saved", yet `init` then found an empty store there. It is made as the member
    /// is saved.
    @Test(arguments: [[], ["Sam Jones"], ["Sam Jones", "", "", "", ""]])
    func aCancelledFirstMemberLeavesNoStoreBehind(_ answers: [String]) throws {
        let s = try CurationSession(as: nil, answers: answers)
        let folder = s.home + "/new"
        let path = folder + "/team.db"
        s.ctx.store = try SQLiteKnowledgeStore(path: path)
        s.ctx.interactive = true
        let r = s.run("add member @sam")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.hasSuffix("cancelled; nothing was saved\n"), "\(r.out)")
        #expect(!FileManager.default.fileExists(atPath: path), "a store was made")
        // Saved, it is made, and its first member is its curator.
        let done = try CurationSession(as: nil, answers: ["Sam Jones", "", "", "", "", "", ""])
        done.ctx.store = try SQLiteKnowledgeStore(path: path)
        done.ctx.interactive = true
        let saved = done.run("add member @sam")
        #expect(saved.code == 0 && saved.out.contains("added @sam (Sam Jones), curator"), "\(saved.out)\(saved.err)")
        #expect(done.run("whoami").out.hasPrefix("@sam (Sam Jones), curator (from add member"))
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// `add member` at a path where no store can be made (a file where a folder should be, a
    /// folder you cannot write) asked the whole form before the store said so: it is checked
    /// before the first question. (Root writes anywhere, so the folder case is checked by others.)
    @Test func aFirstMemberWhereNoStoreCanBeMadeIsRefusedBeforeTheFirstQuestion() throws {
        let s = try CurationSession(as: nil, answers: ["Sam Jones", "", "", "", "", "", ""])
        try FileManager.default.createDirectory(atPath: s.home, withIntermediateDirectories: true)
        let file = s.home + "/notes.txt"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        s.ctx.store = try SQLiteKnowledgeStore(path: file + "/team/kh.db")
        s.ctx.interactive = true
        let r = s.run("add member @sam")
        #expect(r.code == 3)
        #expect(r.err.contains("\(file) is a file, not a folder; `open` another path"), "\(r.err)")
        #expect(s.prompter?.asked == [], "asked before refusing: \(s.prompter?.asked ?? [])")
        if getuid() != 0 {
            let locked = s.home + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
            chmod(locked, 0o555)
            defer { chmod(locked, 0o755) }
            s.ctx.store = try SQLiteKnowledgeStore(path: locked + "/new/kh.db")
            let refused = s.run("add member @sam")
            #expect(refused.code == 3 && refused.err.contains("you cannot write in the folder \(locked)"), "\(refused.err)")
            #expect(s.prompter?.asked == [])
        }
    }

    /// `add member` where no store can be made told a script that had chosen the path with
    /// `open PATH` to give another path with --db, which it had not used: the advice names `open`
    /// where `open` chose the store, and --db where the start did.
    @Test(arguments: [false, true])
    func aFirstMemberWhereNoStoreCanBeMadeIsToldToOpenWhereOpenChoseTheStore(_ opened: Bool) throws {
        let s = try CurationSession(as: nil)
        try FileManager.default.createDirectory(atPath: s.home, withIntermediateDirectories: true)
        let file = s.home + "/notes.txt"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let path = file + "/team/kh.db"
        s.ctx.opener = StoreFactory()
        if opened {
            #expect(s.run("open \(path)").code == 0)
        } else {
            s.ctx.store = try SQLiteKnowledgeStore(path: path)
        }
        let r = s.run("add member @sam --name 'Sam Jones'")
        #expect(r.code == 3)
        let advice = opened ? "\(file) is a file, not a folder; `open` another path (nothing was asked or saved)"
                            : "\(file) is a file, not a folder; give another path with --db (nothing was asked or saved)"
        #expect(r.err.contains(advice), "\(r.err)")
        if getuid() != 0 {  // root writes anywhere
            let locked = s.home + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
            chmod(locked, 0o555)
            defer { chmod(locked, 0o755) }
            if opened { _ = s.run("open \(locked)/kh.db") } else { s.ctx.store = try SQLiteKnowledgeStore(path: locked + "/kh.db") }
            let refused = s.run("add member @sam --name 'Sam Jones'")
            #expect(refused.err.contains(opened ? "; `open` a path in a folder you can write, or ask" : "; give a path in a folder you can write with --db, or ask"), "\(refused.err)")
            if opened { _ = s.run("open \(path)") } else { s.ctx.store = try SQLiteKnowledgeStore(path: path) }
        }
        // The store's own advice on a missing store, too: `init`, where `open` chose it.
        let find = s.run("find onboarding")
        #expect(find.err.contains(opened ? "make one with `init`" : "make one with `knowhow --db \(path) init`"), "\(find.err)")
    }

    /// A path that cannot hold a store (a device, another program's SQLite database, an empty
    /// file) is refused with advice worded for how it was chosen: `open` after `open`, --db with --db.
    @Test(arguments: [false, true])
    func aPathThatCannotHoldAStoreIsRefusedInTheWordsOfHowItWasChosen(_ opened: Bool) throws {
        let box = try BinaryTests.Sandbox()
        let other = box.dir.appendingPathComponent("other.db").path
        var db: OpaquePointer?
        #expect(sqlite3_open(other, &db) == SQLITE_OK)
        #expect(sqlite3_exec(db, "CREATE TABLE t(x)", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(db)
        let empty = try box.file("empty.db", Data())
        let cases = [("/dev/null", opened ? "`open` the path of a store file" : "give the path of a store file with --db"),
                     (other, opened ? "`open` a KnowHow store, or a new file" : "give the path of a KnowHow store, or of a new file, with --db"),
                     (empty, opened ? "to make it one, run `init`" : "to make it one, run `knowhow --db \(empty) init`")]
        for (path, advice) in cases {
            let r = try box.run(opened ? ["-c", "open \(path)", "-c", "find x"] : ["--db", path, "find", "x"])
            #expect(r.status == 3, "\(path): \(r.err)")
            #expect(r.err.contains(advice), "\(path): \(r.err)")
            #expect(opened != r.err.contains("--db"), "\(path): \(r.err)")
        }
    }

    /// The same through the binary: --db, or `open` in -c lines (as in a script).
    @Test(arguments: [false, true])
    func theBinaryNamesHowTheStoreWasChosenWhereNoneCanBeMade(_ opened: Bool) throws {
        let box = try BinaryTests.Sandbox()
        let file = try box.file("notes.txt", Data("x".utf8))
        let path = file + "/team/kh.db"
        let r = try box.run(opened ? ["-c", "open \(path)", "-c", "add member @sam --name Sam"]
                                   : ["--db", path, "add", "member", "@sam", "--name", "Sam"])
        #expect(r.status == 3, "\(r.err)")
        #expect(r.err.contains(opened ? "is a file, not a folder; `open` another path" : "is a file, not a folder; give another path with --db"), "\(r.err)")
        #expect(opened != r.err.contains("--db"), "\(r.err)")
    }

    /// In the shell, a path with no store said "make one with `knowhow --db PATH init`", a command
    /// for the terminal the shell runs in; at the prompt it is `init`. On the command line it stays.
    @Test(arguments: [true, false])
    func aMissingStoreIsMadeWithInitAtThePrompt(_ interactive: Bool) throws {
        let s = try CurationSession(as: nil)
        let path = s.home + "/none/team.db"
        s.ctx.store = try SQLiteKnowledgeStore(path: path)
        s.ctx.interactive = interactive
        let r = s.run("find onboarding")
        #expect(r.code == 3)
        let advice = interactive ? "make one with `init`, or start it" : "make one with `knowhow --db \(path) init`, or start it"
        #expect(r.err.contains(advice), "\(r.err)")
        if interactive {
            #expect(s.run("init").code == 0)
            #expect(s.run("whoami").code == 0)
        }
    }

    /// whoami's help says it tells "how that was decided", and README says `whoami` says which
    /// of --as, KNOWHOW_USER, config.toml or the login name; it said only who. A handle that is
    /// no member said "no member @x; try `list members` or `who TOPIC`", not that you act as them.
    @Test func whoamiSaysHowTheActingMemberWasDecided() throws {
        let s = try CurationSession(as: nil)
        s.ctx.actor = "kim"; s.ctx.actorSource = "KNOWHOW_USER"
        #expect(s.run("whoami").out == "@kim (Kim Lee), curator (from KNOWHOW_USER)\n")
        #expect(s.run("whoami --as @sam").out.hasSuffix("(from --as on this line)\n"))
        #expect(s.run("set as @sam").code == 0)
        #expect(s.run("whoami").out.hasSuffix("(from set as)\n"))
        s.ctx.actor = "nobody-here"; s.ctx.actorSource = "--as"
        let r = s.run("whoami")
        #expect(r.err == "knowhow: you act as @nobody-here (from --as), who is not a member of this store; `list members` lists them\n", "\(r.err)")
    }

    @Test func oneShotTheFirstMemberIsToldAboutDashDashAs() throws {
        let s = try Self.emptySession(interactive: false)
        let r = s.run(#"add member @kim --name "Kim Lee""#)
        #expect(r.out.contains("act as them with --as @kim or KNOWHOW_USER=kim"), "\(r.out)")
        #expect(s.ctx.actor == nil)
    }

    @Test func anEmptyStoreSaysToAddYourselfFirst() throws {
        let s = try Self.emptySession(interactive: true)
        let r = s.run("add resource --title X")
        #expect(r.err == "knowhow: Adding a resource needs to know who you are: this store has no members yet; start with `add member @you`\n")
    }

    @Test func insideTheShellTheAdviceIsSetAsNotDashDashAs() throws {
        let shell = try CurationSession(as: nil)
        shell.ctx.interactive = true
        #expect(shell.run("add resource --title X").err
                == "knowhow: Adding a resource needs to know who you are: type `set as @handle`\n")
        #expect(shell.run("whoami").out == "nobody: type `set as @handle` (or, before starting knowhow, set KNOWHOW_USER)\n")
        shell.ctx.actor = "nobody-here"
        let stranger = shell.run("add resource --title X").err
        #expect(stranger.contains("no such member; type `set as @handle` with a member's handle"), "\(stranger)")

        let oneShot = try CurationSession(as: nil)
        #expect(oneShot.run("add resource --title X").err
                == "knowhow: Adding a resource needs to know who you are: pass --as @handle or set KNOWHOW_USER\n")
    }

    @Test func dashDashAsOnAShellLineActsForThatLineOnly() throws {
        let s = try CurationSession(as: nil)
        s.ctx.interactive = true
        #expect(s.run("whoami --as @kim").out.hasPrefix("@kim "))
        #expect(s.run("whoami").out.hasPrefix("nobody"), "only for that line")
        #expect(s.run("add resource --title 'Interview consent form' --kind template --as=@sam").out == "added r13: Interview consent form\n")
        #expect(try s.store.resource(EntryID("r13")!).contributor == "sam")
        let unknown = s.run("find onboarding --as @nobody-here")
        #expect(unknown.code == 2 && unknown.err == "knowhow: no member @nobody-here; try `list members` or `who TOPIC`\n")
        #expect(s.run("whoami --as").err.contains("a member's handle after --as"))
        #expect(s.ctx.actor == nil)
    }

    @Test func dashDashAsAndItsHandleComplete() throws {
        let s = try CurationSession(as: nil)
        let completer = ShellCompleter(ctx: s.ctx)
        #expect(completer.completions(line: "whoami --as @ki", word: "@ki").map(\.value) == ["@kim"])
        #expect(completer.completions(line: "find onboarding --a", word: "--a").map(\.value).contains("--as"))
    }

    @Test func rootHelpListsTheGlobalOptions() {
        for option in ["--as @HANDLE", "--db PATH", "--demo", "-c LINE"] {
            #expect(KnowHowMain.rootHelp.contains("\n  \(option) "), "\(option)")
        }
    }
}

/// `knowhow --help` is read on an 80-column terminal: no line may wrap.
@Test func rootHelpFitsEightyColumns() {
    let long = KnowHowMain.rootHelp.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.count > 80 }
    #expect(long.isEmpty, "\(long)")
}
