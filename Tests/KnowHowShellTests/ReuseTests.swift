import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowShell
@testable import KnowHowSQLite

/// Issue 15: finding existing work from the words people type.
struct ReuseTests {
    static let pasted = "how do I keep postmortems blameless when managers want names"

    /// A pasted sentence found nothing (every word had to match); now the closest follow, said so.
    /// Stop words need not match: q6 has the other six, and ranks first among the closest.
    @Test func aPastedQuestionListsTheClosestEntriesAndSaysSo() throws {
        let s = try CurationSession(CurationSession.demo, as: "grace-mensah")
        let r = s.run("find \(Self.pasted)")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.hasPrefix("only 1 entry has all 6 words (stop words aside); with the closest matches:\n 1. q6 "), "\(r.out)")
        let none = s.run("find \(Self.unheardOf)")
        #expect(none.out.hasPrefix("no entry has all 6 words (stop words aside); closest matches:\n 1. q6 "), "\(none.out)")
        let json = s.run("find --json \(Self.unheardOf)")
        #expect(json.out.contains("\"notice\" : \"no entry has all 6 words (stop words aside); closest matches:\""), "\(json.out)")
    }

    /// One word of the sentence that no entry holds.
    static let unheardOf = "how do I keep postmortems blameless when managers want zebras"

    /// Typed syntax keeps its exact meaning: an exclusion (beside quotes too), OR, a filter are
    /// never relaxed. (A sentence's quoted words are required, the rest relaxed: NaturalSearchTests.)
    @Test(arguments: ["\"keep postmortems blameless\" managers -names want", "postmortems blameless managers -names want",
                      "postmortems OR blameless managers want names", "postmortems blameless managers want tag:leadership"])
    func typedSyntaxIsNeverRelaxed(_ line: String) throws {
        let s = try CurationSession(CurationSession.demo, as: "grace-mensah")
        let r = s.run("find \(line)")
        #expect(!r.out.contains("closest matches"), "\(line): \(r.out)")
        let q = try QueryParser.parse(line)
        #expect(NaturalQuery.words(of: line, query: q) == nil, "\(line)")
    }

    /// Two words stay a keyword search: every word must match, as before.
    @Test func twoWordSearchesStillNeedEveryWord() throws {
        let s = try CurationSession(CurationSession.demo, as: "grace-mensah")
        let r = s.run("find grant writing")
        #expect(r.code == 1 && r.out.isEmpty, "\(r.out)")
        #expect(r.err.hasPrefix("nothing matches 'grant writing'"), "\(r.err)")
    }

    /// Stop words do not count, and a word the tokenizer splits (`what's`) is still a plain word.
    @Test func plainWordsLeaveOutStopWords() throws {
        let text = "What's the best way to run a blameless postmortem?"
        #expect(NaturalQuery.words(of: text, query: try QueryParser.parse(text)) == ["run", "blameless", "postmortem"])
    }

    /// A relaxed search is logged as what the words found (nothing), so `gaps` still sees it.
    @Test func aRelaxedSearchIsLoggedAsUnmet() throws {
        let s = try CurationSession(CurationSession.demo, as: "grace-mensah")
        _ = s.run("find \(Self.unheardOf)")
        let logged = try #require(try s.store.searchLog(in: nil).last)
        #expect(logged.query == Self.unheardOf && logged.results == 0, "\(logged)")
    }

    /// `similar` on an entry leaves the entry out and finds its neighbours; on a text, the same words rank.
    @Test func similarFindsNeighboursOfAnEntryOrAText() throws {
        let s = try CurationSession(CurationSession.demo, as: "grace-mensah")
        let r = s.run("similar q6")
        #expect(r.code == 0, "\(r.err)")
        #expect(!r.out.contains(" q6 ") && r.out.contains("r4 ") && r.out.contains("r84 "), "\(r.out)")
        let t = s.run("similar --json \(Self.pasted)")
        #expect(t.out.contains("\"to\" : \"\(Self.pasted)\"") && t.out.contains("\"id\" : \"q6\""), "\(t.out)")
        let member = s.run("similar @grace-mensah")
        #expect(member.code != 0 && member.err.contains("an entry id such as q12"), "\(member.err)")
    }

    static let repeatQuestion = "ask How do you keep postmortems blameless when leadership wants names?"

    /// `ask` shows what exists before recording; cancelling asks nothing.
    @Test func askShowsExistingEntriesFirstAndCancelAsksNothing() throws {
        let s = try CurationSession(CurationSession.demo, as: "grace-mensah", answers: ["c"])
        s.ctx.interactive = true
        let before = try s.store.counts().questions
        let r = s.run(Self.repeatQuestion)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.hasPrefix("Already in the community"), "\(r.out)")
        #expect(r.out.contains("\n1. q6  How do you keep postmortems blameless"), "\(r.out)")
        #expect(r.out.hasSuffix("not asked\n"), "\(r.out)")
        #expect(s.prompter?.asked.last?.hasPrefix("[a]sk anyway, open 1–") == true)
        #expect(try s.store.counts().questions == before)
    }

    /// Opening one of them shows it and asks nothing; `a` asks anyway.
    @Test func askOpenOrAskAnyway() throws {
        let open = try CurationSession(CurationSession.demo, as: "grace-mensah", answers: ["1"])
        open.ctx.interactive = true
        let before = try open.store.counts().questions
        let o = open.run(Self.repeatQuestion)
        #expect(o.out.contains("How do you keep postmortems blameless when leadership wants a name?"), "\(o.out)")
        #expect(try open.store.counts().questions == before)
        let anyway = try CurationSession(CurationSession.demo, as: "grace-mensah", answers: ["a"])
        anyway.ctx.interactive = true
        let a = anyway.run(Self.repeatQuestion)
        #expect(a.out.contains("asked q33: "), "\(a.out)")
        #expect(try anyway.store.counts().questions == before + 1)
    }

    /// Scripts never hang on the question: a strong match is refused naming --force, which asks.
    @Test func scriptsNeedForceToAskPastAStrongMatch() throws {
        let s = try CurationSession(CurationSession.demo, as: "grace-mensah")
        let before = try s.store.counts().questions
        let r = s.run(Self.repeatQuestion)
        #expect(r.code != 0)
        #expect(r.err.contains("q6 ") && r.err.contains("add --force to ask anyway"), "\(r.err)")
        #expect(try s.store.counts().questions == before)
        let f = s.run(Self.repeatQuestion + " --force")
        #expect(f.code == 0 && f.out.hasPrefix("asked q33: "), "\(f.err)")
        // A question with no strong match is asked without --force.
        let new = s.run("ask How do we budget for a team offsite in Lisbon?")
        #expect(new.code == 0 && new.out.hasPrefix("asked q34: "), "\(new.err)")
    }
}

/// Issue 15: words that are not plain words are searched as written.
struct SymbolWordTests {
    static func session() throws -> CurationSession {
        let s = try CurationSession(as: "kim")
        for (title, summary) in [("A C decompiler for embedded firmware", "Reads binaries back into C."),
                                 ("Modern C++ for embedded firmware", "Templates and RAII in C++17."),
                                 ("C# async patterns for embedded firmware", "Tasks and cancellation in C#."),
                                 ("Moving a service to .NET 8", "What changed for our firmware tools on .NET."),
                                 ("E-mail etiquette for firmware teams", "Short e-mail, clear subject.")] {
            let r = s.run("add resource --title '\(title)' --summary '\(summary)' --kind guide --force")
            #expect(r.code == 0, "\(r.err)")
        }
        return s
    }

    static func titles(_ out: String) -> [String] {
        out.split(separator: "\n").filter { $0.contains(". r") }.map(String.init)
    }

    /// `c++` found "C decompiler" (the index reads it as `c`); now only entries that say C++.
    @Test(arguments: [("c++ firmware", "Modern C++"), ("c# firmware", "C# async"), (".net firmware", ".NET 8")])
    func aSymbolWordFindsOnlyWhatSaysIt(_ search: String, _ expected: String) throws {
        let s = try Self.session()
        let r = s.run("find \(search)")
        let shown = Self.titles(r.out)
        #expect(shown.count == 1 && shown[0].contains(expected), "\(search): \(r.out)")
    }

    /// A plain `c` still finds them all; excluding `-c++` is not a requirement to hold it.
    @Test func plainLettersAndExclusionsKeepTheirMeaning() throws {
        let s = try Self.session()
        #expect(Self.titles(s.run("find c firmware").out).count >= 3)
        #expect(try QueryParser.parse("embedded -c++").symbolWords.isEmpty)
        #expect(try QueryParser.parse("Is C++ faster than C#?").symbolWords == ["c++", "c#"])
        #expect(try QueryParser.parse("c++").text == .term("c"))
    }

    /// Hyphenated words are phrases: `e-mail` finds "e-mail", not every "mail".
    @Test func hyphenatedWordsAreSearchedAsWritten() throws {
        let s = try Self.session()
        #expect(try QueryParser.parse("e-mail").text == .phrase(["e", "mail"], prefix: false))
        #expect(try QueryParser.parse("q-learning").text == .phrase(["q", "learning"], prefix: false))
        let r = s.run("find e-mail")
        #expect(Self.titles(r.out).count == 1 && r.out.contains("E-mail etiquette"), "\(r.out)")
    }

    @Test func symbolWordsAreWholeWords() {
        #expect(SymbolWord.occurs("c++", in: "Modern C++17 features") == false)
        #expect(SymbolWord.occurs("c++", in: "We use C++ daily."))
        #expect(!SymbolWord.occurs("c#", in: "abc# note"))
        #expect(SymbolWord.occurs(".net", in: "ASP.NET Core"))
    }
}

/// `similar --batch --json`: one JSON line per input line, entry ids and texts alike.
struct SimilarBatchBinaryTests {
    @Test func similarBatchWritesOneJSONLinePerLine() throws {
        let box = try BinaryTests.Sandbox()
        try box.importFixture()
        let input = "q1\nhow should we run onboarding for remote staff members\n@kim\n"
        let r = try box.run(["--db", box.db, "similar", "--batch", "--json"], stdin: Data(input.utf8))
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 3, "\(r.out) \(r.err)")
        #expect(lines.first?.contains("\"to\":\"q1\"") == true && lines.first?.contains("\"id\":\"q1\"") == false, "\(r.out)")
        #expect(lines.count > 1 && lines[1].contains("\"id\":\"q1\""), "\(r.out)")
        #expect(lines.count > 2 && lines[2].contains("\"error\""), "\(r.out)")
    }
}
