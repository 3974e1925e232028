import Testing
@testable import KnowHowCore

/// Rules both stores wrote out, each in its own words, now once in the core: what an edit saves,
/// how a meeting is recorded, verification and retirement, and who a change is made to.
struct EntryEditRulesTests {
    let resource = Resource(id: EntryID(.resource, 12), title: "Checklist", tags: ["onboarding"])
    let practice = Practice(id: EntryID(.practice, 3), title: "Buddy scheme", tags: ["onboarding"])

    @Test func anEditThatChangesNothingSavesNothing() throws {
        #expect(try EditRules.resourceEdit(from: resource, current: resource, to: resource, entry: "r12") == nil)
        #expect(try EditRules.practiceEdit(from: practice, current: practice, to: practice, entry: "p3") == nil)
    }

    @Test func anEditSavesTheTrimmedTitleAndSaysWhatChanged() throws {
        var edited = resource
        edited.title = "  New starter checklist  "
        #expect(try EditRules.resourceEdit(from: resource, current: resource, to: edited, entry: "r12")
                == EditRules.Edit(changed: ["title"], title: "New starter checklist"))
        #expect(EditRules.note("r12", ["title", "tags"]) == "edited r12: title, tags")
        #expect(EditRules.note("m4", ["notes"], verb: "recorded") == "recorded m4: notes")
    }

    @Test func anEditThatEmptiesTheTitleIsRefused() {
        var edited = resource
        edited.title = "   "
        #expect(throws: KnowHowError.missingField("a resource's title")) {
            try EditRules.resourceEdit(from: resource, current: resource, to: edited, entry: "r12")
        }
        var p = practice
        p.title = ""
        #expect(throws: KnowHowError.missingField("a practice's title")) {
            try EditRules.practiceEdit(from: practice, current: practice, to: p, entry: "p3")
        }
    }

    @Test func aStaleEditIsRefusedBeforeItsTitleIsChecked() {
        var current = resource
        current.summary = "changed meanwhile"
        var edited = resource
        edited.title = ""
        #expect(throws: KnowHowError.staleEdit(entry: "r12", changed: ["summary"], keptIn: nil)) {
            try EditRules.resourceEdit(from: resource, current: current, to: edited, entry: "r12")
        }
    }

    @Test func aPracticesStatusIsNotChangedByEditing() {
        var edited = practice
        edited.status = .verified
        #expect(throws: KnowHowError.unsupported("a practice's status changes with `verify p3` or `retire p3`, not by editing")) {
            try EditRules.practiceEdit(from: practice, current: practice, to: edited, entry: "p3")
        }
        // The title is checked first.
        edited.title = ""
        #expect(throws: KnowHowError.missingField("a practice's title")) {
            try EditRules.practiceEdit(from: practice, current: practice, to: edited, entry: "p3")
        }
    }

    @Test func aTooLongTitleIsRefused() {
        var edited = resource
        edited.title = String(repeating: "x", count: Validation.Limit.title + 1)
        #expect(throws: KnowHowError.self) { try EditRules.resourceEdit(from: resource, current: resource, to: edited, entry: "r12") }
    }
}

struct MeetingEditRulesTests {
    let meeting = Meeting(id: EntryID(.meeting, 4), title: "Elevenses", start: Timestamp("2026-03-12T11:00:00Z")!,
                          attendees: ["kim"], organiser: "ana")

    @Test func aMeetingChangesOnlyByEditingOrRecording() throws {
        try EditRules.checkMeetingAction(.editMeeting)
        try EditRules.checkMeetingAction(.recordMeeting)
        #expect(throws: KnowHowError.unsupported("a meeting is changed by editing it or by recording who came and what was said")) {
            try EditRules.checkMeetingAction(.editResource)
        }
    }

    @Test func recordingIsForWhoeverWasThereEditingForTheOrganiser() {
        var joining = meeting
        joining.attendees.append("sam")
        #expect(EditRules.meetingOwner(current: meeting, original: meeting, edited: meeting, action: .recordMeeting, actor: "kim") == "kim")
        #expect(EditRules.meetingOwner(current: meeting, original: meeting, edited: joining, action: .recordMeeting, actor: "sam") == "sam")
        #expect(EditRules.meetingOwner(current: meeting, original: meeting, edited: meeting, action: .recordMeeting, actor: "sam") == "ana")
        #expect(EditRules.meetingOwner(current: meeting, original: meeting, edited: meeting, action: .editMeeting, actor: "kim") == "ana")
    }

    @Test func recordingChangesOnlyAttendeesNotesAndLinks() throws {
        var edited = meeting
        edited.notes = "  We talked about supervision.  "
        let r = try #require(try EditRules.meetingEdit(from: meeting, current: meeting, to: edited, action: .recordMeeting, entry: "m4"))
        #expect(r.changed == ["notes"] && r.meeting.notes == "We talked about supervision.")
        edited.title = "Second breakfast"
        #expect(throws: KnowHowError.unsupported("recording a meeting changes its attendees, notes and links, not its title; use `meeting edit m4`")) {
            try EditRules.meetingEdit(from: meeting, current: meeting, to: edited, action: .recordMeeting, entry: "m4")
        }
        #expect(try EditRules.meetingEdit(from: meeting, current: meeting, to: edited, action: .editMeeting, entry: "m4")?.changed == ["title", "notes"])
        #expect(try EditRules.meetingEdit(from: meeting, current: meeting, to: meeting, action: .editMeeting, entry: "m4") == nil)
    }

    @Test func anEditedMeetingIsValidated() {
        var edited = meeting
        edited.minutes = 0
        #expect(throws: KnowHowError.invalidValue(field: "length", value: "0", expected: "a number of minutes from 1 to 1,440")) {
            try EditRules.meetingEdit(from: meeting, current: meeting, to: edited, action: .editMeeting, entry: "m4")
        }
    }
}

struct PracticeRulesTests {
    let today = Day("2026-05-01")!
    func own(_ id: EntryID) -> Int64 { id.number }

    @Test func aVerificationIsReviewedAYearOnByDefault() throws {
        let v = try PracticeRules.verification(of: EntryID(.practice, 3), reviewBy: nil, today: today, requireOwn: own) { _ in .proposed }
        #expect(v.number == 3 && v.review == Day("2027-05-01"))
        let asked = try PracticeRules.verification(of: EntryID(.practice, 3), reviewBy: Day("2026-09-01"), today: today,
                                                   requireOwn: own) { _ in .verified }
        #expect(asked.review == Day("2026-09-01"))
        #expect(PracticeRules.verifiedNote(EntryID(.practice, 3), review: v.review) == "verified p3, review by 2027-05-01")
    }

    @Test func onlyAPracticeIsVerifiedAndItsIdIsCheckedFirst() {
        var looked = false
        #expect(throws: KnowHowError.invalidValue(field: "practice", value: "r3", expected: "a practice id such as p3")) {
            try PracticeRules.verification(of: EntryID(.resource, 3), reviewBy: nil, today: today,
                                           requireOwn: { looked = true; return $0.number }) { _ in nil }
        }
        #expect(!looked)
    }

    @Test func aReviewDayMustBeAfterTodayAndIsCheckedBeforeTheStatus() {
        #expect(throws: KnowHowError.invalidValue(field: "review date", value: "2026-05-01", expected: "a day after today")) {
            try PracticeRules.verification(of: EntryID(.practice, 3), reviewBy: today, today: today, requireOwn: own) { _ in .retired }
        }
    }

    @Test func aRetiredPracticeIsNotVerified() {
        #expect(throws: KnowHowError.conflict("p3 is retired; undo its retirement (see `history p3`) before verifying it")) {
            try PracticeRules.verification(of: EntryID(.practice, 3), reviewBy: nil, today: today, requireOwn: own) { _ in .retired }
        }
    }

    @Test func aRetiredPracticeMayNameASuccessorButNotItself() throws {
        let r = try PracticeRules.retirement(of: EntryID(.practice, 3), supersededBy: EntryID(.practice, 7), requireOwn: own, require: own)
        #expect(r.number == 3 && r.successor == 7)
        #expect(PracticeRules.retiredNote(EntryID(.practice, 3), successor: 7) == "retired p3, superseded by p7")
        #expect(PracticeRules.retiredNote(EntryID(.practice, 3), successor: nil) == "retired p3")
        #expect(try PracticeRules.retirement(of: EntryID(.practice, 3), supersededBy: nil, requireOwn: own, require: own).successor == nil)
        // p3 redirected to p7 by a merge: still itself.
        #expect(throws: KnowHowError.conflict("a practice cannot supersede itself")) {
            try PracticeRules.retirement(of: EntryID(.practice, 3), supersededBy: EntryID(.practice, 9), requireOwn: own, require: { _ in 3 })
        }
        #expect(throws: KnowHowError.invalidValue(field: "successor", value: "r7", expected: "a practice id such as p7")) {
            try PracticeRules.retirement(of: EntryID(.practice, 3), supersededBy: EntryID(.resource, 7), requireOwn: own, require: own)
        }
        #expect(throws: KnowHowError.invalidValue(field: "practice", value: "q3", expected: "a practice id such as p3")) {
            try PracticeRules.retirement(of: EntryID(.question, 3), supersededBy: nil, requireOwn: own, require: own)
        }
    }

    func verify(_ handle: String, _ role: Role, owner: String? = "ana", tags: [Int64] = [5], expertIn: [Int64] = [],
                vouched: Set<Int64> = []) throws {
        try PracticeRules.authorizeVerifier(handle: handle, role: role, ChangeTarget(ref: "p3", owner: owner, expertTags: tags),
                                            expertIn: { expertIn }, vouched: { vouched.contains($0) }, tagName: { $0 == 5 ? "safeguarding" : nil })
    }

    @Test func aPracticeIsVerifiedBySomeoneElse() {
        #expect(throws: KnowHowError.verificationRefused(practice: "p3", actor: "ana", reason:
            "they contributed it, and a practice is verified by someone else (a curator, or an expert in one of its tags)")) {
            try verify("ana", .curator)
        }
    }

    @Test func aCuratorOrAVouchedExpertVerifies() throws {
        try verify("kim", .curator)
        try verify("kim", .member, expertIn: [5], vouched: [5])
        try verify("kim", .member, expertIn: [6, 5], vouched: [5])
        #expect(throws: KnowHowError.self) { try verify("kim", .member) }
        // Without tags there is no expert to ask about.
        #expect(throws: KnowHowError.self) { try verify("kim", .member, tags: [], expertIn: [5], vouched: [5]) }
    }

    @Test func anExpertWhoVouchedForThemselvesIsToldWhoCanHelp() {
        #expect(throws: KnowHowError.verificationRefused(practice: "p3", actor: "kim", reason:
            "their expert level in safeguarding was set by themselves and nobody else has endorsed it; a curator can verify it "
            + "or confirm the level (`edit @kim`), or another member can `endorse @kim safeguarding`")) {
            try verify("kim", .member, expertIn: [5])
        }
    }
}

struct ChangeTargetTests {
    func target(_ ref: String?, _ action: ChangeAction, actor: String? = "kim") throws -> ChangeTarget {
        try ChangeTarget.of(ref.flatMap(EntryRef.init), action: action, actor: actor, owner: { $0.type == .meeting ? "ana" : "rosa" },
                            people: { _ in ["ana", "kim"] }, tags: { [$0.number, 9] })
    }

    @Test func aChangeIsMadeToTheEntrysOwner() throws {
        let t = try target("r12", .editResource)
        #expect(t.ref == "r12" && t.owner == "rosa" && t.expertTags.isEmpty)
        #expect(try target("@sam", .editMember).owner == "sam")
        #expect(try target(nil, .addResource).owner == nil)
    }

    @Test func whoeverWasAtAMeetingMayRecordIt() throws {
        #expect(try target("m4", .recordMeeting).owner == "kim")
        #expect(try target("m4", .recordMeeting, actor: "sam").owner == "ana")
        #expect(try target("m4", .editMeeting).owner == "ana")
    }

    @Test func aVerificationCarriesThePracticesTags() throws {
        #expect(try target("p3", .verify).expertTags == [3, 9])
        #expect(try target("p3", .retire).expertTags.isEmpty)
    }
}

/// A merge's draft, read through the port both stores implement.
struct MergeDraftTests {
    final class Reader: MergeRules.Reading {
        var reads: [String] = []
        func requireOwn(_ id: EntryID) throws -> Int64 { reads.append("own \(id)"); return id.number }
        func requireOwnMember(_ handle: String) throws -> Int64 {
            reads.append("own @\(handle)")
            guard handle != "gone" else { throw KnowHowError.unknownMember(handle: handle) }
            return Int64(handle.count)
        }
        func resource(_ number: Int64) throws -> Resource {
            reads.append("r\(number)"); return Resource(title: "R\(number)", tags: ["t\(number)"])
        }
        func practice(_ number: Int64) throws -> Practice { reads.append("p\(number)"); return Practice(title: "P\(number)") }
        func member(_ id: Int64) throws -> Member { reads.append("member \(id)"); return Member(handle: "m\(id)", name: "M") }
        func count(_ reference: MergeRules.Reference, to id: Int64) throws -> Int {
            MergeRules.Reference.allCases.firstIndex(of: reference)!
        }
    }

    @Test func aDraftReadsTheKeptRecordFirstAndKeepsItsNumbers() throws {
        let r = Reader()
        let d = try MergeRules.draft(keep: EntryRef("r2")!, drop: EntryRef("r5")!, r)
        #expect(r.reads == ["own r2", "own r5", "r2", "r5"])
        guard case .resource(2, 5, let merged) = d.merged else { Issue.record("not a resource merge: \(d.merged)"); return }
        #expect(merged.title == "R2" && merged.tags == ["t2", "t5"])
        #expect(MergeRules.note(keep: EntryRef("r2")!, drop: EntryRef("r5")!) == "merged r5 into r2")
    }

    @Test func aDraftCountsWhatMovesToTheKeptMember() throws {
        let d = try MergeRules.draft(keep: EntryRef("@kim")!, drop: EntryRef("@kimlee")!, Reader())
        // The reader counts each kind by its place in Reference.allCases (successor links 0, …).
        #expect(d.plan.moves == ["1 resource contributed", "2 resources written", "3 practices contributed", "4 verifications",
                                 "5 questions", "6 answers", "7 endorsements received", "8 endorsements given"])
        let p = try MergeRules.draft(keep: EntryRef("p1")!, drop: EntryRef("p2")!, Reader())
        #expect(p.plan.moves == [])
    }

    @Test func aRefusedPairReadsNothing() {
        let r = Reader()
        #expect(throws: KnowHowError.conflict("r1 cannot be merged into itself")) { try MergeRules.draft(keep: EntryRef("r1")!, drop: EntryRef("r1")!, r) }
        #expect(throws: MergeRules.notMergeable(EntryRef("q1")!)) { try MergeRules.draft(keep: EntryRef("q1")!, drop: EntryRef("q2")!, r) }
        #expect(r.reads.isEmpty)
        #expect(throws: KnowHowError.unknownMember(handle: "gone")) { try MergeRules.draft(keep: EntryRef("@kim")!, drop: EntryRef("@gone")!, r) }
        #expect(r.reads == ["own @kim", "own @gone"])
    }

    @Test func everyReferenceIsHeldInItsOwnColumn() {
        let columns = MergeRules.Reference.allCases.map { "\($0.column.table).\($0.column.column)" }
        #expect(Set(columns).count == columns.count)
        #expect(MergeRules.Reference.verifications.column == ("practice", "verified_by_id"))
    }
}

struct NotDuplicatesRulesTests {
    @Test func aPairNotDuplicatesIsTwoThingsOfOneKind() throws {
        var looked: [String] = []
        let key = { (r: EntryRef) throws -> Int64 in looked.append(r.description); return Int64(looked.count) }
        #expect(try DuplicateFinder.notDuplicatesKeys(EntryRef("r2")!, EntryRef("r1")!, ownKey: key) == [1, 2])
        #expect(looked == ["r2", "r1"])
        #expect(throws: KnowHowError.unsupported("r1 and @kim are not the same kind of thing, so they are never listed as duplicates")) {
            try DuplicateFinder.notDuplicatesKeys(EntryRef("r1")!, EntryRef("@kim")!, ownKey: key)
        }
        #expect(throws: KnowHowError.conflict("@kim is one entry; name two to mark as not duplicates")) {
            try DuplicateFinder.notDuplicatesKeys(EntryRef("@kim")!, EntryRef("@kim")!, ownKey: key)
        }
        #expect(looked.count == 2)
        #expect(DuplicateFinder.notDuplicatesNote("r1", "r2") == "marked r1 and r2 not duplicates")
        #expect(DuplicateFinder.alreadyNotDuplicates("r1", "r2") == .conflict("r1 and r2 are already marked not duplicates; nothing was changed"))
    }
}

/// History lines, worded once for both stores (history, undo and transcripts show them).
struct ChangeNotesTests {
    @Test(arguments: [
        (ChangeNotes.added(Member(handle: "kim", name: "Kim Lee")), "added @kim (Kim Lee)"),
        (ChangeNotes.added(EntryID(.resource, 12), "Checklist"), "added r12: Checklist"),
        (ChangeNotes.asked(EntryID(.question, 7), "Who knows?"), "asked q7: Who knows?"),
        (ChangeNotes.answered(question: 7, EntryID(.answer, 9)), "answered q7 as a9"),
        (ChangeNotes.accepted(answer: 9, question: 7), "accepted a9 as the answer to q7"),
        (ChangeNotes.endorsed("kim", tag: "facilitation", by: "sam", actor: "sam"), "endorsed @kim for facilitation"),
        (ChangeNotes.endorsed("kim", tag: "facilitation", by: "sam", actor: "rosa"), "endorsed @kim for facilitation as @sam"),
        (ChangeNotes.withdrew("kim", tag: "facilitation", by: "sam", actor: "sam"), "withdrew the endorsement of @kim for facilitation"),
        (ChangeNotes.withdrew("kim", tag: "facilitation", by: "sam", actor: nil), "withdrew the endorsement of @kim for facilitation by @sam"),
        (ChangeNotes.tagged(EntryID(.resource, 12), adding: ["onboarding"], removing: ["hr"]), "tagged r12 +onboarding -hr"),
        (ChangeNotes.aliases(of: "onboarding", adding: ["induction"], removing: []), "aliases of onboarding: +induction"),
        (ChangeNotes.renamedTag("hr", to: "people"), "renamed tag hr to people"),
        (ChangeNotes.mergedTag("hr", into: "people"), "merged tag hr into people"),
        (ChangeNotes.describedTag("people"), "described tag people"),
        (ChangeNotes.addedSeries("Elevenses"), "added series Elevenses"),
        (ChangeNotes.planned(EntryID(.meeting, 4), "Elevenses"), "planned m4: Elevenses"),
        (ChangeNotes.undid(12, "added r3: Checklist"), "undid #12: added r3: Checklist"),
    ])
    func aChangeIsNotedInOneWording(_ c: (String, String)) {
        #expect(c.0 == c.1)
    }
}

struct RetagRulesTests {
    @Test func onlyEntriesWithTagsAreRetagged() throws {
        for id in [EntryID(.resource, 1), EntryID(.practice, 1), EntryID(.question, 1), EntryID(.meeting, 1)] { try EditRules.checkTaggable(id) }
        for id in [EntryID(.answer, 1), EntryID(.member, 1)] {
            #expect(throws: KnowHowError.unsupported("only resources, practices, questions and meetings have tags; a member's skills change with `edit @handle`")) {
                try EditRules.checkTaggable(id)
            }
        }
        #expect(EditRules.notTagged(EntryID(.resource, 12), "hr") == .conflict("r12 is not tagged 'hr'; nothing was changed"))
    }
}

/// The one permission check both stores make before a change.
struct AuthorizeRulesTests {
    let members: [String: (id: Int64, role: Role)] = ["kim": (1, .member), "rosa": (2, .curator)]

    func authorize(_ action: ChangeAction, _ acting: ActingAs, owner: String? = nil, empty: Bool = false,
                   madeBy: String? = nil, verified: inout [Int64]) throws -> (actor: String?, madeBy: String?) {
        var v: [Int64] = []
        defer { verified = v }
        return try Permissions.authorize(action, ChangeTarget(ref: "r1", owner: owner), acting: acting, storeIsEmpty: { empty },
                                         login: { _, _ in madeBy }, member: { members[$0] }, verifier: { id, _, _ in v.append(id) })
    }

    @Test func theSystemActsAndNobodyOnlyStartsAnEmptyStore() throws {
        var v: [Int64] = []
        #expect(try authorize(.editResource, .system, verified: &v) == (nil, nil))
        #expect(try authorize(.addMember, .nobody, empty: true, verified: &v) == (nil, nil))
        #expect(throws: KnowHowError.notIdentified(action: "Adding a member")) {
            try authorize(.addMember, .nobody, verified: &v)
        }
        #expect(throws: KnowHowError.notIdentified(action: "Adding a resource")) {
            try authorize(.addResource, .nobody, empty: true, verified: &v)
        }
    }

    @Test func aMemberMustExistExceptTheFirstJoiningAnEmptyStore() throws {
        var v: [Int64] = []
        #expect(try authorize(.addMember, .member("sam"), empty: true, verified: &v) == ("sam", nil))
        #expect(throws: KnowHowError.unsupported("you are acting as @sam, but this store has no such member; pass --as with a member's handle, or ask a curator to add you")) {
            try authorize(.addMember, .member("sam"), verified: &v)
        }
    }

    @Test func aMemberNeedsTheRoleOrToOwnTheEntry() throws {
        var v: [Int64] = []
        #expect(throws: KnowHowError.self) { try authorize(.editResource, .member("kim"), owner: "rosa", verified: &v) }
        #expect(try authorize(.editResource, .member("rosa"), owner: "kim", madeBy: "ana", verified: &v) == ("rosa", "ana"))
        #expect(try authorize(.ask, .member("kim"), owner: "kim", verified: &v) == ("kim", nil))
    }

    @Test func aVerificationIsCheckedByTheVerifierRules() throws {
        var v: [Int64] = []
        #expect(try authorize(.verify, .member("kim"), verified: &v) == ("kim", nil))
        #expect(v == [1])
        _ = try authorize(.editResource, .member("rosa"), verified: &v)
        #expect(v.isEmpty)
    }

    @Test func storeSettingsAreTheCurators() throws {
        let role = { (h: String) in members[h]?.role }
        try Permissions.requireCurator(.system, doing: "Changing how searches are logged", role: role)
        try Permissions.requireCurator(.member("rosa"), doing: "Changing how searches are logged", role: role)
        #expect(throws: KnowHowError.notIdentified(action: "Changing how searches are logged")) {
            try Permissions.requireCurator(.nobody, doing: "Changing how searches are logged", role: role)
        }
        #expect(throws: KnowHowError.permissionDenied(action: "Changing how searches are logged", needs: .curator, actor: "kim")) {
            try Permissions.requireCurator(.member("kim"), doing: "Changing how searches are logged", role: role)
        }
        #expect(throws: KnowHowError.unsupported("you are acting as @sam, but this store has no such member; pass --as with a member's handle")) {
            try Permissions.requireCurator(.member("sam"), doing: "Changing how searches are logged", role: role)
        }
    }
}

/// Entry keys and the key `history REF` looks up, once for both stores.
struct HistoryKeyTests {
    func key(_ reference: String) throws -> Int64 {
        try HistoryRows.key(of: reference, memberID: { $0 == "kim" ? 3 : nil }, formerMemberID: { $0 == "kimlee" ? 9 : nil },
                            tagID: { $0 == "onboarding" ? 5 : nil })
    }

    @Test func anEntryKeyIsItsNumberAndTypeCode() {
        #expect(EntryKeys.make(.resource, 12) == 12 << 3 | 2)
        #expect(EntryKeys.type(EntryKeys.make(.meeting, 4)) == .meeting && EntryKeys.number(EntryKeys.make(.meeting, 4)) == 4)
    }

    @Test func historyLooksUpEntriesMembersFormerMembersAndTags() throws {
        #expect(try key("r12") == EntryKeys.make(.resource, 12))
        #expect(try key("@kim") == EntryKeys.make(.member, 3))
        #expect(try key("@kimlee") == EntryKeys.make(.member, 9))
        #expect(try key("onboarding") == HistoryRows.tagKey(5))
        #expect(throws: KnowHowError.unknownMember(handle: "sam")) { try key("@sam") }
        #expect(throws: KnowHowError.unknownReference("giraffes")) { try key("giraffes") }
        #expect(throws: KnowHowError.self) { try key("r99999999999999999999") }
    }
}

/// The member-edit rule both stores call (EditRules.checkMemberEdit, moved last session).
struct MemberEditRulesTests {
    @Test func aHandleNeverChangesARoleNeedsSetRoleAndANameIsRequired() throws {
        var asked = 0
        let edited = Member(handle: "kim", name: "  Kim Lee  ", role: .curator)
        #expect(try EditRules.checkMemberEdit(["name"], edited: edited) { asked += 1 } == "Kim Lee")
        #expect(asked == 0)
        #expect(try EditRules.checkMemberEdit(["role"], edited: edited) { asked += 1 } == "Kim Lee")
        #expect(asked == 1)
        #expect(throws: KnowHowError.permissionDenied(action: "Setting a role", needs: .curator, actor: "kim")) {
            try EditRules.checkMemberEdit(["role"], edited: edited) { throw KnowHowError.permissionDenied(action: "Setting a role", needs: .curator, actor: "kim") }
        }
        #expect(throws: KnowHowError.unsupported("a handle cannot be changed; to combine two members use `merge @keep @drop`")) {
            try EditRules.checkMemberEdit(["handle", "role"], edited: edited) { asked += 1 }
        }
        #expect(asked == 1)
        #expect(throws: KnowHowError.missingField("a member's name")) {
            try EditRules.checkMemberEdit(["name"], edited: Member(handle: "kim", name: " ")) {}
        }
    }
}
