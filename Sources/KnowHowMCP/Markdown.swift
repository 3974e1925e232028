import Foundation
import KnowHowCore

/// Views as markdown, for resources and prompts: what an assistant reads.
enum Markdown {
    static func render(_ v: ShownView) -> String {
        var out: [String] = []
        if let from = v.mergedFrom { out.append("_\(from) was merged into \(v.id)._\n") }
        if let p = v.member { out.append(profile(p)) }
        if let r = v.resource {
            out.append("# \(v.id): \(r.title)\n")
            out.append(fields([("kind", r.kind.rawValue + (r.status == .archived ? " (archived)" : "")), ("url", r.url),
                               ("tags", tags(r.tags)), ("contributor", r.contributor.map { "@" + $0 }),
                               ("authors", r.authors.isEmpty ? nil : r.authors.map { "@" + $0 }.joined(separator: ", ")),
                               ("created", r.created?.day.description)]))
            section(&out, "Summary", r.summary)
            section(&out, "Details", r.body)
        }
        if let p = v.practice {
            out.append("# \(v.id): \(p.title)\n")
            out.append(fields([("status", p.status.rawValue), ("tags", tags(p.tags)), ("contributor", p.contributor.map { "@" + $0 }),
                               ("verified by", p.verifiedBy.map { "@" + $0 }), ("review by", p.reviewBy?.description)]))
            section(&out, "Context", p.context)
            section(&out, "Practice", p.practice)
            section(&out, "Evidence", p.evidence)
        }
        if let q = v.question {
            out.append("# \(v.id): \(q.question.title)\n")
            out.append(fields([("asked by", q.question.asker.map { "@" + $0 }), ("asked", q.question.created?.day.description),
                               ("tags", tags(q.question.tags))]))
            section(&out, "Question", q.question.body)
            out.append("## Answers (\(q.answers.count))\n")
            for a in q.answers {
                let accepted = a.id != nil && a.id == q.question.acceptedAnswer ? " (accepted)" : ""
                out.append("### \(a.id?.description ?? "answer") by \(a.author.map { "@" + $0 } ?? "someone")\(accepted)\n\n\(a.body)\n")
            }
        }
        if let a = v.answer {
            out.append("# \(v.id): an answer to \(a.question)\n")
            out.append(fields([("by", a.author.map { "@" + $0 }), ("answered", a.created?.day.description)]))
            out.append(a.body + "\n")
        }
        if let t = v.tag {
            out.append("# #\(t.tag.name)\n")
            out.append(fields([("description", t.tag.description), ("aliases", t.tag.aliases.isEmpty ? nil : t.tag.aliases.joined(separator: ", ")),
                               ("entries", String(t.tag.entries)), ("members", String(t.tag.members))]))
            hits(&out, "Entries", t.entries)
            hits(&out, "Members", t.members)
        }
        return out.joined(separator: "\n")
    }

    static func profile(_ p: ProfileView) -> String {
        let m = p.member
        var out = ["# @\(m.handle): \(m.name)\n"]
        var availability = [m.openToQuestions ? "open to questions" : "not taking questions"]
        if m.mentoring { availability.append("mentoring") }
        out.append(fields([("role", m.role.rawValue), ("organisation", m.organisation), ("sector", m.sector),
                           ("location", [m.location, m.timeZone].compactMap { $0 }.joined(separator: " · ")), ("email", m.email),
                           ("joined", m.joined?.description), ("availability", availability.joined(separator: " · "))]))
        section(&out, "About", m.bio)
        if !m.skills.isEmpty {
            out.append("## Skills\n\n" + m.skills.map { s in
                let n = p.endorsements[s.tag]?.count ?? 0
                return "- \(s.tag) (\(s.level.rawValue)\(n > 0 ? ", endorsed by \(n)" : ""))"
            }.joined(separator: "\n") + "\n")
        }
        if !p.alsoKnows.isEmpty { out.append("## Also knows about (from what they wrote and answered)\n\n" + tags(p.alsoKnows)! + "\n") }
        if !m.interests.isEmpty { out.append("## Learning goals\n\n" + tags(m.interests)! + "\n") }
        hits(&out, "Contributed and answered", p.contributions)
        return out.joined(separator: "\n")
    }

    static func who(_ v: WhoView) -> String {
        guard !v.members.isEmpty else { return Community.nobodyNote(v.topic) }
        return v.members.map { p in
            var why: [String] = []
            let skills = p.why.skills.map { "\($0.tag) (\($0.level.rawValue))" }
            if !skills.isEmpty { why.append("skills: " + skills.prefix(5).joined(separator: ", ")) }
            if !p.why.evidence.isEmpty { why.append("wrote or answered: " + p.why.evidence.prefix(3).map { "\($0.id) \"\($0.title)\"" }.joined(separator: "; ")) }
            let endorsed = p.why.endorsements.values.reduce(0, +)
            if endorsed > 0 { why.append("endorsed \(endorsed) times") }
            return "\(p.rank). @\(p.handle) — \(p.name)\(p.organisation.map { ", " + $0 } ?? "") (knowhow://@\(p.handle))\n   " + why.joined(separator: " · ")
        }.joined(separator: "\n")
    }

    static func similar(_ v: SimilarView) -> String {
        guard !v.results.hits.isEmpty else { return "Nothing in the community looks like it." }
        return v.results.hits.map { "- \($0.id) \"\($0.title)\" (\($0.type); knowhow://\($0.id))" }.joined(separator: "\n")
    }

    private static func fields(_ pairs: [(String, String?)]) -> String {
        pairs.compactMap { k, v in v.flatMap { $0.isEmpty ? nil : "- **\(k)**: \($0)" } }.joined(separator: "\n") + "\n"
    }

    private static func section(_ out: inout [String], _ title: String, _ text: String?) {
        guard let text, !text.isEmpty else { return }
        out.append("## \(title)\n\n\(text)\n")
    }

    private static func hits(_ out: inout [String], _ title: String, _ hits: [HitView]) {
        guard !hits.isEmpty else { return }
        out.append("## \(title)\n\n" + hits.map { "- \($0.id): \($0.title)" }.joined(separator: "\n") + "\n")
    }

    private static func tags(_ t: [String]) -> String? { t.isEmpty ? nil : t.map { "#" + $0 }.joined(separator: " ") }
}
