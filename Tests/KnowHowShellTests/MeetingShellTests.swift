import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowShell
@testable import KnowHowSQLite

/// Meetings at the prompt: notes in $EDITOR, a plan changed before it is saved, cancelling.
struct MeetingShellTests {
    @Test func notesOpenInTheEditorWithTheOldNotesAndSaveWhatWasWritten() throws {
        var given = ""
        let s = try CurationSession(CurationSession.demo, as: "grace-mensah", answers: [], edits: [{ text in
            given = text
            return text.replacingOccurrences(of: "Split the session", with: "Split every session")
        }])
        let r = s.run("meeting notes m1")
        #expect(r.code == 0 && r.out == "saved the notes of m1\n", "\(r.out)\(r.err)")
        #expect(given.hasPrefix("<!-- Notes of m1 Reflective supervision when it's all case management: Markdown; lines in comments are ignored -->\n\n"))
        #expect(given.contains("- Split the session: case management first"))
        let notes = try s.store.meeting(EntryID("m1")!).notes ?? ""
        #expect(notes.hasPrefix("Martin brought a case") && notes.contains("- Split every session: case management first") && !notes.contains("<!--"))
        // Saved unchanged: nothing recorded.
        let again = try CurationSession(CurationSession.demo, as: "grace-mensah", answers: [])
        #expect(again.run("meeting notes m1").out == "the notes of m1 are unchanged\n")
        #expect(try again.store.history(of: "m1", by: "grace-mensah", limit: 5).isEmpty)
    }

    @Test func aMemberWhoWasNotThereIsRefusedBeforeTheEditorOpens() throws {
        var opened = false
        let s = try CurationSession(CurationSession.demo, as: "megan-taylor", answers: [], edits: [{ opened = true; return $0 }])
        let r = s.run("meeting notes m1")
        #expect(r.code == 2 && r.err.contains("needs the curator role") && !opened, "\(r.err)")
    }

    @Test func aPlanIsChangedPartByPartBeforeItIsSaved() throws {
        let s = try CurationSession(CurationSession.demo, as: "rosa-delgado",
                                    answers: ["Supervision, briefly", "2027-01-07 11:00", "@nobody-at-all", "@martin-ashby @grace-mensah", "nonsense", "case clinic", "y"])
        let before = try s.store.meetings(series: nil, from: nil, through: nil).count
        let r = s.run("meeting plan supervision --series Elevenses")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.contains("no member @nobody-at-all") && r.err.contains("'nonsense' is not a valid format"), "\(r.err)")
        #expect(r.out.hasSuffix("planned m7: Supervision, briefly, Thu 2027-01-07 11:00 GMT\n"), "\(r.out)")
        let m = try s.store.meeting(EntryID("m7")!)
        #expect(m.presenters == ["martin-ashby", "grace-mensah"] && m.format == .caseClinic && m.series == "Elevenses")
        #expect(m.start == Timestamp("2027-01-07T11:00:00Z")! && m.organiser == "rosa-delgado" && m.tags == ["supervision"])
        #expect(try s.store.meetings(series: nil, from: nil, through: nil).count == before + 1)
    }

    @Test func aPlanNotConfirmedSavesNothing() throws {
        let s = try CurationSession(CurationSession.demo, as: "rosa-delgado", answers: ["", "", "", "", "n"])
        let before = try s.export()
        let r = s.run("meeting plan")
        #expect(r.out.contains("Plan: ") && r.out.hasSuffix("cancelled; nothing was saved\n"), "\(r.out)")
        #expect(try s.export() == before)
        // In a script, saving needs --yes.
        let script = try CurationSession(CurationSession.demo, as: "rosa-delgado")
        let refused = script.run("meeting plan onboarding --series Elevenses")
        #expect(refused.code == 2 && refused.err.contains("add --yes"), "\(refused.err)")
        #expect(try script.export() == before)
    }

    /// The store names a bad record `meetings[1]`, which means nothing in a calendar: the refusal
    /// names the event instead, and nothing is imported.
    @Test func aCalendarEventTheStoreRefusesIsNamedByItsTitle() throws {
        let s = try CurationSession(CurationSession.demo, as: "rosa-delgado")
        let file = s.home + "/bad.ics"
        try FileManager.default.createDirectory(atPath: s.home, withIntermediateDirectories: true)
        try Data(("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Fine\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\n"
                  + "BEGIN:VEVENT\r\nSUMMARY:Lost series\r\nDTSTART:20261201T100000Z\r\nX-KNOWHOW-SERIES:Nope\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").utf8)
            .write(to: URL(fileURLWithPath: file))
        let before = try s.export()
        let r = s.run("import \(file)")
        #expect(r.code == 2 && r.err == "knowhow: \(file): the event 'Lost series': no meeting series 'Nope'; series are: Elevenses; nothing was imported\n", "\(r.err)")
        #expect(try s.export() == before)
    }

    @Test func meetingActionsIdsAndTheListTypeComplete() throws {
        let s = try CurationSession(CurationSession.demo, as: "rosa-delgado")
        let completer = ShellCompleter(ctx: s.ctx)
        #expect(completer.completions(line: "meeting pl", word: "pl").map(\.value) == ["plan"])
        #expect(completer.completions(line: "meeting notes m", word: "m").map(\.value).contains("m1"))
        #expect(completer.completions(line: "list mee", word: "mee").map(\.value) == ["meetings"])
    }

    @Test func aMemberCannotPlan() throws {
        let s = try CurationSession(CurationSession.demo, as: "megan-taylor")
        let r = s.run("meeting plan supervision --yes")
        #expect(r.code == 2 && r.err.contains("Planning a meeting needs the contributor role") && r.out.isEmpty, "\(r.err)")
    }
}
