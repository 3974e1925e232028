import Foundation
import KnowHowCore

/// Makes a realistic community of N entries, the same for the same seed. Every record is made
/// from its own generator (seed, kind, index), so any record can be made on its own, in any
/// order: the JSON writer and the chunked import both use that.
struct CommunityGenerator: Sendable {
    let entries: Int
    let seed: UInt64
    let vocab: Vocabulary

    let memberCount: Int
    let resourceCount: Int
    let practiceCount: Int
    let questionCount: Int
    let answerCount: Int

    /// Tag names by popularity rank.
    let tagNames: [String]
    let tagAliases: [Int: String]
    let tagZipf: Zipf
    /// Authorship: member index by activity rank, and the skew over ranks.
    let authorZipf: Zipf
    let handles: [String]
    let organisations: [(name: String, sector: String)]
    /// Answers of question q are answerStart[q]..<answerStart[q + 1] (0-based indices).
    let answerStart: [Int32]
    let answerQuestion: [Int32]

    /// 2021-01-01T00:00:00Z, and four years after it.
    static let epoch: Int64 = 1_609_459_200
    static let span: Int64 = 4 * 365 * 86_400

    enum Stream: UInt64 { case setup = 1, member, resource, practice, question, answer, tag, query }

    init(entries n: Int, seed: UInt64, vocabulary: Vocabulary = Vocabulary()) {
        entries = n
        self.seed = seed
        vocab = vocabulary
        memberCount = max(20, n / 40)
        resourceCount = n * 35 / 100
        practiceCount = n * 15 / 100
        questionCount = max(1, n * 20 / 100)
        answerCount = n - resourceCount - practiceCount - questionCount

        var rng = SplitMix64(seed: seed, stream: Stream.setup.rawValue, index: 0)

        // Tags: real names first (the popular ones), then two-word names from the vocabulary.
        let tagCount = max(60, n / 500)
        var names = Array(Names.realTags.prefix(tagCount))
        var taken = Set(names)
        while names.count < tagCount {
            let a = vocabulary.words[vocabulary.zipf.sample(&rng, in: 60..<8_000)]
            let b = vocabulary.words[vocabulary.zipf.sample(&rng, in: 60..<8_000)]
            let name = rng.chance(0.4) ? a : "\(a)-\(b)"
            if a != b, taken.insert(name).inserted { names.append(name) }
        }
        var aliases: [Int: String] = [:]
        for i in stride(from: 7, to: tagCount, by: 20) {
            let alias = vocabulary.words[vocabulary.zipf.sample(&rng, in: 2_000..<20_000)] + "-" + String(i)
            if taken.insert(alias).inserted { aliases[i] = alias }
        }
        tagNames = names
        tagAliases = aliases
        tagZipf = Zipf(count: tagCount, exponent: 1.0)
        authorZipf = Zipf(count: memberCount, exponent: 1.0)

        let orgCount = max(8, memberCount / 60)
        var orgs: [(String, String)] = []
        for i in 0..<orgCount {
            let w = vocabulary.words[vocabulary.zipf.sample(&rng, in: 300..<6_000)]
            orgs.append((w.prefix(1).uppercased() + w.dropFirst() + " " + rng.pick(Names.orgSuffixes),
                         Names.sectors[i % Names.sectors.count]))
        }
        organisations = orgs

        var hs: [String] = []
        var used = Set<String>()
        hs.reserveCapacity(memberCount)
        for i in 0..<memberCount {
            var r = SplitMix64(seed: seed, stream: Stream.member.rawValue, index: UInt64(i))
            let (first, last) = (r.pick(Names.first), r.pick(Names.last))
            let base = (first.prefix(1) + last).lowercased().folding(options: .diacriticInsensitive, locale: nil)
            var h = base
            var k = 2
            while !used.insert(h).inserted { h = base + String(k); k += 1 }
            hs.append(h)
        }
        handles = hs

        // Answers per question: 0–4, then nudged until they add up to the answers wanted.
        var perQuestion = [Int](repeating: 0, count: questionCount)
        var total = 0
        let mean = Double(answerCount) / Double(questionCount)
        for q in 0..<questionCount {
            var k = 0
            while rng.unit() < mean / (mean + 1) && k < 12 { k += 1 }  // geometric with this mean
            perQuestion[q] = k; total += k
        }
        while total < answerCount { perQuestion[rng.below(questionCount)] += 1; total += 1 }
        while total > answerCount {
            let q = rng.below(questionCount)
            if perQuestion[q] > 0 { perQuestion[q] -= 1; total -= 1 }
        }
        var starts = [Int32](repeating: 0, count: questionCount + 1)
        var owner = [Int32](repeating: 0, count: answerCount)
        for q in 0..<questionCount {
            starts[q + 1] = starts[q] + Int32(perQuestion[q])
            for a in Int(starts[q])..<Int(starts[q + 1]) { owner[a] = Int32(q) }
        }
        answerStart = starts
        answerQuestion = owner
    }

    func rng(_ stream: Stream, _ index: Int) -> SplitMix64 {
        SplitMix64(seed: seed, stream: stream.rawValue, index: UInt64(index))
    }

    // MARK: - Text

    static func capitalised(_ w: String) -> String { w.prefix(1).uppercased() + w.dropFirst() }

    func title(_ r: inout SplitMix64, question: Bool = false) -> String {
        let n = r.int(4...10)
        var ws: [String] = []
        for _ in 0..<n { ws.append(vocab.titleWord(&r)) }
        ws[0] = Self.capitalised(ws[0])
        return ws.joined(separator: " ") + (question ? "?" : "")
    }

    /// Running text of `words` words in sentences of 6–14 words.
    func prose(_ r: inout SplitMix64, words: ClosedRange<Int>) -> String {
        var left = r.int(words)
        var out = ""
        out.reserveCapacity(left * 8)
        while left > 0 {
            let n = min(left, r.int(6...14))
            for i in 0..<n {
                let w = vocab.word(&r)
                if i == 0 {
                    if !out.isEmpty { out += " " }
                    out += Self.capitalised(w)
                } else {
                    out += (i > 2 && i < n - 1 && r.chance(0.06)) ? ", " : " "
                    out += w
                }
            }
            out += "."
            left -= n
        }
        return out
    }

    func tags(_ r: inout SplitMix64, _ range: ClosedRange<Int>) -> [String] {
        let n = r.int(range)
        var out: [String] = []
        var tries = 0
        while out.count < n && tries < 20 {
            let t = tagNames[tagZipf.sample(&r)]
            if !out.contains(t) { out.append(t) }
            tries += 1
        }
        return out
    }

    /// A member by activity: a few write most.
    func author(_ r: inout SplitMix64) -> String {
        let rank = authorZipf.sample(&r)
        // Spread the busy members over the handle list instead of taking the first ones.
        let index = (rank &* 7_919) % memberCount
        return handles[memberCount % 7_919 == 0 ? rank : index]
    }

    /// A time in the four years, later for later records of a kind (ids grow with time).
    func created(_ r: inout SplitMix64, index: Int, of count: Int) -> Int64 {
        let position = (Double(index) + r.unit()) / Double(max(count, 1))
        return Self.epoch + Int64(Double(Self.span - 86_400) * position)
    }

    // MARK: - Records

    func allTags() -> [Tag] {
        var r = rng(.tag, 0)
        return tagNames.enumerated().map { i, name in
            let description = r.chance(0.3) ? prose(&r, words: 8...16) : nil
            return Tag(name: name, description: description, aliases: tagAliases[i].map { [$0] } ?? [])
        }
    }

    func member(_ i: Int) -> Member {
        var r = rng(.member, i)
        let (first, last) = (r.pick(Names.first), r.pick(Names.last))
        let org = organisations[(i &* 31 + r.below(3)) % organisations.count]
        let place = r.pick(Names.places)
        var skills: [Skill] = []
        for t in tags(&r, 1...6) {
            let level: SkillLevel = r.chance(0.25) ? .expert : (r.chance(0.55) ? .practising : .learning)
            skills.append(Skill(tag: t, level: level))
        }
        let interests = tags(&r, 0...4).filter { t in !skills.contains { $0.tag == t } }
        let joined = Timestamp(seconds: Self.epoch + Int64(r.below(Int(Self.span)))).day
        return Member(handle: handles[i], name: "\(first) \(last)",
                      email: r.chance(0.7) ? "\(handles[i])@example.org" : nil,
                      organisation: org.name, sector: org.sector, location: place.0, timeZone: place.1,
                      bio: r.chance(0.6) ? prose(&r, words: 8...25) : nil,
                      role: r.chance(0.02) ? .curator : (r.chance(0.3) ? .contributor : .member),
                      openToQuestions: r.chance(0.8), mentoring: r.chance(0.15), joined: joined,
                      skills: skills, interests: interests)
    }

    static let kinds: [ResourceKind] = [.guide, .guide, .guide, .template, .template, .tool, .article, .article,
                                        .course, .video, .book, .dataset, .slides, .notes, .other]

    func resource(_ i: Int) -> Resource {
        var r = rng(.resource, i)
        let title = title(&r)
        let url = r.chance(0.6) ? "https://example.org/\(vocab.word(&r, ranks: 300..<5_000))/\(i + 1)" : nil
        let contributor = author(&r)
        var authors: [String] = []
        if r.chance(0.25) { authors.append(author(&r)) }
        if r.chance(0.1) { authors.append(author(&r)) }
        authors = Array(Set(authors)).sorted()
        let created = created(&r, index: i, of: resourceCount)
        return Resource(id: EntryID(.resource, Int64(i + 1)), title: title, url: url, kind: r.pick(Self.kinds),
                        summary: r.chance(0.7) ? prose(&r, words: 10...20) : nil,
                        body: prose(&r, words: 40...80), tags: tags(&r, 1...4), contributor: contributor,
                        authors: authors, created: Timestamp(seconds: created),
                        updated: Timestamp(seconds: created + Int64(r.below(90 * 86_400))),
                        status: r.chance(0.05) ? .archived : .active)
    }

    func practice(_ i: Int) -> Practice {
        var r = rng(.practice, i)
        let title = title(&r)
        let contributor = author(&r)
        let created = created(&r, index: i, of: practiceCount)
        let status: PracticeStatus = r.chance(0.4) ? .verified : (r.chance(0.1) ? .retired : .proposed)
        let verified = status == .verified
        return Practice(id: EntryID(.practice, Int64(i + 1)), title: title, context: prose(&r, words: 10...20),
                        practice: prose(&r, words: 40...80),
                        evidence: r.chance(0.5) ? prose(&r, words: 8...20) : nil, tags: tags(&r, 1...4),
                        contributor: contributor, status: status,
                        verifiedBy: verified ? author(&r) : nil,
                        verifiedAt: verified ? Timestamp(seconds: created + 30 * 86_400) : nil,
                        reviewBy: verified ? Timestamp(seconds: created + 365 * 86_400).day : nil,
                        created: Timestamp(seconds: created), updated: Timestamp(seconds: created))
    }

    func question(_ i: Int) -> Question {
        var r = rng(.question, i)
        let title = title(&r, question: true)
        let body = prose(&r, words: 40...80)
        let asker = author(&r)
        let created = created(&r, index: i, of: questionCount)
        let first = Int(answerStart[i]), count = Int(answerStart[i + 1]) - first
        let accepted = count > 0 && r.chance(0.6) ? EntryID(.answer, Int64(first + r.below(count) + 1)) : nil
        return Question(id: EntryID(.question, Int64(i + 1)), title: title, body: body, tags: tags(&r, 1...4),
                        asker: asker, created: Timestamp(seconds: created), score: r.below(4) == 0 ? r.below(25) : r.below(3),
                        acceptedAnswer: accepted)
    }

    func answer(_ j: Int) -> Answer {
        var r = rng(.answer, j)
        let q = Int(answerQuestion[j])
        // No earlier than the latest time `created` can give its question.
        let qCreated = Self.epoch + Int64(Double(Self.span - 86_400) * Double(q + 1) / Double(questionCount))
        let created = min(qCreated + Int64(r.below(30 * 86_400)), Self.epoch + Self.span)
        return Answer(id: EntryID(.answer, Int64(j + 1)), question: EntryID(.question, Int64(q + 1)),
                      body: prose(&r, words: 40...80), author: author(&r), created: Timestamp(seconds: created),
                      score: r.below(3) == 0 ? r.below(20) : r.below(2))
    }

    // MARK: - Chunks

    /// A slice of the community small enough to import in one transaction. Questions come with
    /// their answers, since an accepted answer must be in the same file as its question.
    enum Chunk: Sendable {
        case people
        case resources(Range<Int>)
        case practices(Range<Int>)
        case questions(Range<Int>)
    }

    func chunks(size: Int) -> [Chunk] {
        var out: [Chunk] = [.people]
        for s in stride(from: 0, to: resourceCount, by: size) { out.append(.resources(s..<min(s + size, resourceCount))) }
        for s in stride(from: 0, to: practiceCount, by: size) { out.append(.practices(s..<min(s + size, practiceCount))) }
        var q = 0
        while q < questionCount {
            var end = q
            while end < questionCount && (end - q) + Int(answerStart[end] - answerStart[q]) < size { end += 1 }
            end = max(end, q + 1)
            out.append(.questions(q..<end))
            q = end
        }
        return out
    }

    func file(_ chunk: Chunk) -> CommunityFile {
        switch chunk {
        case .people:
            return CommunityFile(tags: allTags(), members: (0..<memberCount).map(member))
        case .resources(let r):
            return CommunityFile(resources: r.map(resource))
        case .practices(let r):
            return CommunityFile(practices: r.map(practice))
        case .questions(let r):
            let answers = Int(answerStart[r.lowerBound])..<Int(answerStart[r.upperBound])
            return CommunityFile(questions: r.map(question), answers: answers.map(answer))
        }
    }

    /// The whole community in memory (fine up to a few hundred thousand entries).
    func wholeFile() -> CommunityFile {
        var f = file(.people)
        f.resources = (0..<resourceCount).map(resource)
        f.practices = (0..<practiceCount).map(practice)
        f.questions = (0..<questionCount).map(question)
        f.answers = (0..<answerCount).map(answer)
        return f
    }

    /// UTF-8 bytes of what the store indexes from a file: titles, summaries, bodies, tags, names, bios.
    /// The text of one record, as `textBytes` counts it in a file.
    static func textBytes(of record: some Encodable) -> Int {
        switch record {
        case let m as Member: return textBytes(CommunityFile(members: [m]))
        case let r as Resource: return textBytes(CommunityFile(resources: [r]))
        case let p as Practice: return textBytes(CommunityFile(practices: [p]))
        case let q as Question: return textBytes(CommunityFile(questions: [q]))
        case let a as Answer: return textBytes(CommunityFile(answers: [a]))
        default: return 0
        }
    }

    static func textBytes(_ f: CommunityFile) -> Int {
        var n = 0
        func add(_ s: String?) { n += s?.utf8.count ?? 0 }
        for m in f.members {
            add(m.name); add(m.bio); m.skills.forEach { add($0.tag) }; m.interests.forEach { add($0) }
        }
        for r in f.resources { add(r.title); add(r.summary); add(r.body); r.tags.forEach { add($0) } }
        for p in f.practices { add(p.title); add(p.context); add(p.practice); add(p.evidence); p.tags.forEach { add($0) } }
        for q in f.questions { add(q.title); add(q.body); q.tags.forEach { add($0) } }
        for a in f.answers { add(a.body) }
        return n
    }
}
