import Foundation

/// A candidate presenter for a planned meeting, with why they come where they do.
public struct PresenterCandidate: Sendable, Equatable {
    public var handle: String
    public var name: String
    public var organisation: String?
    public var sector: String?
    /// Their place in `who` for the topic (0 is first).
    public var evidenceRank: Int
    /// Meetings they presented, and the last one's start.
    public var presented: Int
    public var lastPresented: Timestamp?
    /// Why they come where they do: "first time", "presented 3×, last 2026-03-12".
    public var why: String
}

/// Puts presenters in the order a plan proposes them: by evidence, but those who presented
/// recently or often later, and first-time presenters with evidence earlier, so the load turns.
public enum PresenterRotation {
    /// Within this many days a presentation counts as recent.
    public static let recentDays: Int64 = 56

    public static func order(_ experts: [Expert], meetings: [Meeting], now: Timestamp) -> [PresenterCandidate] {
        var count: [String: Int] = [:], last: [String: Timestamp] = [:]
        for m in meetings where m.start <= now {
            for p in m.presenters {
                count[p, default: 0] += 1
                if last[p].map({ m.start > $0 }) ?? true { last[p] = m.start }
            }
        }
        let candidates = experts.enumerated().map { i, e -> (PresenterCandidate, Int) in
            let h = e.member.handle
            let n = count[h] ?? 0
            let recent = last[h].map { now.seconds - $0.seconds < recentDays * 86_400 } ?? false
            // Evidence order, moved back by each time presented and by a recent turn; a first
            // time comes a place earlier.
            let place = i * 2 + n * 3 + (recent ? 6 : 0) - (n == 0 ? 1 : 0)
            let why = n == 0 ? "first time presenting"
                : "presented \(n)×, last \(last[h]!.day)" + (recent ? " (recently)" : "")
            return (PresenterCandidate(handle: h, name: e.member.name, organisation: e.member.organisation, sector: e.member.sector,
                                       evidenceRank: i, presented: n, lastPresented: last[h], why: why), place)
        }
        return candidates.sorted { ($0.1, $0.0.evidenceRank) < ($1.1, $1.0.evidenceRank) }.map(\.0)
    }
}
