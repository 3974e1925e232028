import Foundation
import Testing

/// Issue 11 and 12 regressions that need the real process: standard input, argument order,
/// where notes go.
struct SafetyBinaryTests {
    typealias Sandbox = BinaryTests.Sandbox

    @Test func batchInsideAScriptIsRefusedInsteadOfSwallowingTheScript() throws {
        let box = try Sandbox()
        try box.importFixture()
        let r = try box.run(["--db", box.db], stdin: Data("find --batch --json\nonboarding\nfind supervision\n".utf8))
        #expect(r.status == 2, "\(r.out) \(r.err)")
        #expect(r.err.contains("line 1: --batch reads standard input; use it as a one-shot command: knowhow find --batch"), "\(r.err)")
        #expect(r.out.isEmpty, "\(r.out)")
    }

    @Test func batchWritesOneLinePerInputLineEvenBlankOnes() throws {
        let box = try Sandbox()
        try box.importFixture()
        let input = "onboarding\n\n\u{200B}\n   \nsupervision\n"
        for cmd in ["find", "who"] {
            let r = try box.run(["--db", box.db, cmd, "--batch", "--json"], stdin: Data(input.utf8))
            let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == 5, "\(cmd): \(r.out)")
            for (i, line) in lines.enumerated() where (1...3).contains(i) {
                let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(obj?["error"] as? String == "this line is blank: nothing to search for", "\(cmd): \(line)")
            }
        }
    }

    @Test func commandOptionsMayComeBeforeTheCommandWord() throws {
        let box = try Sandbox()
        try box.importFixture()
        let after = try box.run(["--db", box.db, "find", "onboarding", "--limit", "1", "--json"])
        let before = try box.run(["--limit", "1", "--json", "--db", box.db, "find", "onboarding"])
        #expect(before.status == 0, "\(before.err)")
        #expect(before.out == after.out)
        #expect(try BinaryTests.jsonIDs(before.outData).count == 1)
        let alone = try box.run(["--db", box.db, "--json"])
        #expect(alone.status == 2 && alone.err.contains("--json belongs to a command"), "\(alone.err)")
    }

    @Test func moreResultsNoteGoesToStandardErrorInAPipe() throws {
        let box = try Sandbox()
        try box.importFixture()
        let r = try box.run(["--db", box.db, "find", "onboarding", "--limit", "1"])
        #expect(r.status == 0)
        #expect(!r.out.contains("more results"), "\(r.out)")
        #expect(r.err.contains("… more results"), "\(r.err)")
    }

    @Test func hugeReviewDaysIsRefusedNotACrash() throws {
        let box = try Sandbox()
        try box.importFixture()
        for days in ["9223372036854775807", "1000000000000000", "0", "36501"] {
            let r = try box.run(["--db", box.db, "review", "--days", days])
            #expect(r.exited, "--days \(days) crashed: \(r.err)")
            #expect(r.status == 2, "--days \(days): \(r.out) \(r.err)")
            #expect(r.err.contains("'\(days)' is not a valid --days: expected a number from 1 to 36,500"), "\(r.err)")
            #expect(!r.err.contains(".swift"), "no source paths: \(r.err)")
        }
    }

    @Test func escapeSequencesInStoredTextNeverReachTheTerminal() throws {
        let box = try Sandbox()
        try box.importFixture()
        let evil = "Why \u{1B}]0;owned\u{07}\u{1B}[2J\u{202E}here"
        let ask = try box.run(["--db", box.db, "--as", "@kim", "ask", evil])
        #expect(ask.status == 0, "\(ask.err)")
        #expect(ask.out.contains("Why ^[]0;owned^G^[[2Jhere"), "\(ask.out)")
        for args in [["find", "owned"], ["list", "questions"], ["show", "q" + String(ask.out.split(separator: ":")[0].dropFirst("asked q".count))]] {
            let r = try box.run(["--db", box.db] + args)
            #expect(!r.all.contains("\u{1B}") && !r.all.contains("\u{07}") && !r.all.contains("\u{202E}"), "\(args): \(r.all)")
        }
        let json = try box.run(["--db", box.db, "find", "owned", "--json"])
        #expect(json.out.contains("\\u001b]0;owned\\u0007\\u001b[2J\\u202ehere"), "\(json.out)")
        #expect(!json.out.contains("\u{1B}"))
    }
}
