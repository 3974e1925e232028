import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowShell
@testable import KnowHowSQLite

/// The use cases every front end shares (Community.swift), seen through the shell on the demo.
struct CommunityServiceTests {
    /// `show @x --json` listed every undeclared evidence tag while the screen listed those with
    /// enough evidence, six at most: the two disagreed. One assembly now serves both.
    @Test func aProfileShowsTheSameAlsoKnowsOnScreenAndInJSON() throws {
        let session = try CurationSession(CurationSession.demo, as: nil)
        let store = session.store
        // A member whose undeclared evidence tags include some too weak to show.
        let member = try #require(try store.allMembers().first { m in
            let declared = Set(m.skills.map(\.tag))
            let undeclared = try store.evidenceTags(of: m.handle, limit: 12).filter { !declared.contains($0.tag) }
            return undeclared.contains { $0.weight < Community.alsoKnowsWeight } && undeclared.contains { $0.weight >= Community.alsoKnowsWeight }
        }, "the demo has a member with weak and strong undeclared evidence")
        let profile = try session.ctx.community.profile(member.handle)
        #expect(!profile.alsoKnows.isEmpty)

        let json = session.run("show @\(member.handle) --json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(object["alsoKnows"] as? [String] == profile.alsoKnows)

        let text = session.run("show @\(member.handle)").out.components(separatedBy: "\n")
        let heading = try #require(text.firstIndex { $0.hasPrefix("Also knows about") })
        let shown = text[(heading + 1)...].prefix { $0.hasPrefix("  ") }.joined(separator: " ")
            .components(separatedBy: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(shown == profile.alsoKnows)
        // Neither shows a tag with too little evidence.
        let declared = Set(member.skills.map(\.tag))
        let weak = try store.evidenceTags(of: member.handle, limit: 12).filter { !declared.contains($0.tag) && $0.weight < Community.alsoKnowsWeight }.map(\.tag)
        #expect(Set(weak).isDisjoint(with: object["alsoKnows"] as? [String] ?? []))
    }

    /// `show` of a resource, practice or answer read the store in the renderer; the views the
    /// community now builds must leave `show --json` byte for byte as it was (the record itself,
    /// with the `type` every `show --json` names), and give the screen what it showed (what
    /// replaced a retired practice, an accepted answer).
    @Test func showOfResourcesPracticesAndAnswersKeepsItsJSONBytes() throws {
        let session = try CurationSession(CurationSession.demo, as: nil)
        let store = session.store
        func recordJSON<T: Encodable>(_ value: T) throws -> String {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return JSONText.escapingInvisibles(String(decoding: try enc.encode(value), as: UTF8.self)) + "\n"
        }
        let practices = try store.list(.practice, query: nil, limit: 500).hits.compactMap { hit -> EntryID? in
            if case .entry(let id) = hit.ref { return id } else { return nil }
        }
        #expect(practices.count >= 2)
        let retired = practices[0], next = practices[1]
        _ = try store.retire(retired, supersededBy: next, as: .system)
        let question = try #require(try store.list(.question, query: nil, limit: 500).hits.lazy.compactMap { hit -> Question? in
            guard case .entry(let id) = hit.ref else { return nil }
            return try? store.question(id)
        }.first { $0.acceptedAnswer != nil }, "the demo has an accepted answer")
        let accepted = question.acceptedAnswer!
        let r1 = EntryID(.resource, 1)
        #expect(session.run("show \(r1) --json").out == (try recordJSON(TypedJSON(type: "resource", value: store.resource(r1)))))
        #expect(session.run("show \(retired) --json").out == (try recordJSON(TypedJSON(type: "practice", value: store.practice(retired)))))
        #expect(session.run("show \(accepted) --json").out == (try recordJSON(TypedJSON(type: "answer", value: store.answer(accepted)))))
        #expect(session.run("show \(retired)").out.contains("replaced by  \(next)"))
        let answerText = session.run("show \(accepted)").out
        #expect(answerText.contains(question.title) && answerText.contains("accepted"), "\(answerText)")
    }

    /// `show --json` wrote a different object for each kind of entry, with nothing saying which:
    /// every one names its `type` (as `find --json`'s hits do), and a resource keeps its own
    /// `kind` (template, guide…).
    @Test func showJSONNamesWhatItShowsForEveryKind() throws {
        let session = try CurationSession(CurationSession.demo, as: nil)
        for (reference, type) in [("r3", "resource"), ("p1", "practice"), ("q1", "question"), ("a1", "answer"),
                                  ("m1", "meeting"), ("@amara-okafor", "member"), ("onboarding", "tag")] {
            let shown = session.run("show \(reference) --json")
            #expect(shown.code == 0, "show \(reference): \(shown.err)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any])
            #expect(object["type"] as? String == type, "show \(reference) --json: type \(object["type"] ?? "none")")
            if type == "resource" { #expect(object["kind"] as? String == "template") }
        }
    }

    /// `find` logged "weak" as "no resource, practice or answer among the hits", while `who`, `ask`
    /// and `gaps` meant "none holds every word": a find whose hits each hold only some words was
    /// never a gap. One definition now serves all.
    @Test func findLogsWeakAsGapsDefinesIt() throws {
        let session = try CurationSession(CurationSession.demo, as: "rosa-delgado")
        let community = session.ctx.community
        let some = try community.find("onboarding OR zzqxv", limit: 10, as: "rosa-delgado")
        #expect(!some.results.hits.isEmpty && some.results.hits.contains { $0.type == "resource" })
        #expect(some.weak)
        let all = try community.find("onboarding", limit: 10, as: "rosa-delgado")
        #expect(!all.weak)
        let log = try session.store.searchLog(in: nil).suffix(2)
        #expect(log.map(\.weak) == [true, false])
        #expect(log.map(\.member) == ["rosa-delgado", "rosa-delgado"])
        // A script's searches are not logged.
        let before = try session.store.searchLog(in: nil).count
        _ = try community.find("onboarding", limit: 10, as: nil, log: false)
        #expect(try session.store.searchLog(in: nil).count == before)
    }

    /// Issue 19: `find --batch` paid for a second search per line (whether the find was weak)
    /// that only the log reads; an unlogged find does not make it.
    @Test func unloggedFindsSkipTheWeakCheck() throws {
        let session = try CurationSession(CurationSession.demo, as: "rosa-delgado")
        let community = session.ctx.community
        #expect(try community.find("onboarding OR zzqxv", limit: 10, as: nil, log: true).weak)
        let unlogged = try community.find("onboarding OR zzqxv", limit: 10, as: nil, log: false)
        #expect(!unlogged.weak)
        #expect(!unlogged.results.hits.isEmpty)
    }

    /// A front end with no way to open stores says so, instead of opening one of its own choosing.
    @Test func openWithoutAStoreOpenerSaysWhatToDo() throws {
        let session = try CurationSession(as: nil)
        let r = session.run("open --demo")
        #expect(r.code == 2)
        #expect(r.err.contains("cannot open other stores; start it again with --db PATH or --demo"))
    }
}
