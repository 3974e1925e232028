import Foundation

/// Finding existing work from the words people actually type: a sentence or a question title,
/// not three careful keywords. Every word matching is the rule for typed searches; for natural
/// language the entries holding most of what was asked rank first ("coordination", as search
/// engines weigh it), the store's bm25 ordering among them.
public enum NaturalQuery {
    /// A plain-language search: the words it asks for, and the quoted words and phrases it requires.
    public struct Sentence: Equatable, Sendable {
        /// Lowercased, each once, stop words left out; quoted words among them.
        public var words: [String]
        /// Each quoted word (a term) or phrase, as written: required and exact, as web search
        /// engines read quotes; never relaxed.
        public var required: [QueryNode]
    }

    /// The words a plain search asks for (see `sentence`); nil for search syntax.
    public static func words(of text: String, query: Query) -> [String]? {
        sentence(of: text, query: query)?.words
    }

    /// A search in plain words, with its quoted words and phrases; nil when the text uses other
    /// search syntax (`OR`, exclusions, prefixes, filters, an unbalanced quote), whose meaning is
    /// exact and never relaxed.
    public static func sentence(of text: String, query: Query) -> Sentence? {
        guard query.filters.isEmpty, let node = query.text, isPlain(node), let required = quoted(text) else { return nil }
        return Sentence(words: contentWords(node.positiveWords), required: required)
    }

    /// The quoted words and phrases of a text, each once; nil when a quote is left open (the
    /// parser reads it to the end, a reading too unsure to rank around).
    static func quoted(_ text: String) -> [QueryNode]? {
        guard text.contains("\"") else { return [] }
        guard text.filter({ $0 == "\"" }).count % 2 == 0 else { return nil }
        var lexer = QueryParser.Lexer(text)
        guard let tokens = try? lexer.lex() else { return nil }
        var out: [QueryNode] = []
        for case .words(let ws, prefix: let prefix, quoted: true) in tokens where !ws.isEmpty {
            guard !prefix else { return nil }
            let node: QueryNode = ws.count == 1 ? .term(ws[0]) : .phrase(ws, prefix: false)
            if !out.contains(node) { out.append(node) }
        }
        return out
    }

    /// How required parts are named in notices: `"cold brew"`, `"deep" and "diner"`.
    public static func describe(_ required: [QueryNode]) -> String {
        required.map { "\"" + $0.positiveWords.joined(separator: " ") + "\"" }.joined(separator: " and ")
    }

    /// The words that count, in order, each once: stop words and one-letter words are left out
    /// (when nothing else is left, all are kept).
    public static func contentWords(_ words: [String]) -> [String] {
        var seen = Set<String>()
        let all = words.map { $0.lowercased() }.filter { seen.insert($0).inserted }
        let content = all.filter { !ExpertRanker.stopWords.contains($0) && ($0.count > 1 || $0.first?.isNumber == true) }
        return content.isEmpty ? all : content
    }

    /// How many distinct words were typed.
    public static func typedWordCount(_ query: Query) -> Int {
        Set((query.text?.positiveWords ?? []).map { $0.lowercased() }).count
    }

    /// A plain search without its stop words ("what is the", one-letter words), as search engines
    /// match a sentence: "every word" is every word that says something. Unchanged when nothing
    /// else would be left.
    /// `keeping`: quoted words, kept whatever they are.
    public static func withoutStopWords(_ node: QueryNode, keeping: [QueryNode] = []) -> QueryNode {
        guard case .and(let parts) = node else { return node }
        let kept = parts.filter { part in
            guard case .term(let w) = part, !keeping.contains(part) else { return true }
            let lower = w.lowercased()
            return !ExpertRanker.stopWords.contains(lower) && (lower.count > 1 || lower.first?.isNumber == true)
        }
        return kept.isEmpty ? node : kept.count == 1 ? kept[0] : .and(kept)
    }

    /// Words only: terms, and runs a tokenizer joins (`what's`, `e-mail`), all required.
    static func isPlain(_ node: QueryNode) -> Bool {
        switch node {
        case .term: return true
        case .phrase(_, let prefix): return !prefix
        case .and(let cs): return cs.allSatisfy(isPlain)
        case .or, .not, .prefix: return false
        }
    }

    /// A light stem for comparing marked words with asked words: the store matches by Porter
    /// stems, so `questions` marked in a title is the asked `question`.
    static func stem(_ w: String) -> String {
        var s = w.lowercased()
        for suffix in ["ing", "ies", "ed", "es", "s", "e", "y"] where s.count > suffix.count + 2 && s.hasSuffix(suffix) {
            s.removeLast(suffix.count); break
        }
        return s
    }

    /// The asked words a hit shows it holds: marked in its title or extract, or among its tags' words.
    static func matched(_ hit: SearchHit, stems asked: Set<String>) -> Set<String> {
        var found = Set<String>()
        let marked = (Highlight.segments(hit.title) + Highlight.segments(hit.snippet)).filter(\.match)
        for seg in marked { for w in WordSplitter.words(seg.text) { found.insert(stem(w)) } }
        for t in hit.tags { for w in WordSplitter.words(t) { found.insert(stem(w)) } }
        return found.intersection(asked)
    }
}

extension Community {
    /// How many entries the any-word search reads for each one shown (at least 50), before the
    /// closest are picked; the store orders them by BM25F one by one. `find` reads as many: with
    /// 20 it measured below `similar` (reuse benchmark, pooled MRR 0.325 against 0.339, members
    /// left out of BM25F's statistics), and past 50 nothing changed.
    public static let closestPoolFactor = 5
    /// How many of several asked words a match shown before `ask` records must hold (one shared
    /// word of several is no reason to stop someone asking). `find` and `similar` show entries
    /// holding one word too, ranked below those holding more: for "How is Nescafé made?" the
    /// question about Nescafé is the closest match (with two, `find` measured below `similar`
    /// on both sample sites).
    public static let minimumShouldMatch = 2
    /// What a question whose asker accepted an answer gains over its best entry's BM25F: less than
    /// one word matched once (a word's share of BM25F is its idf, 2 to 7, times 0.45 for a single
    /// title match). Reuse means finding work that answered the question; on the reuse benchmark
    /// the targets had an accepted answer far more often than other questions (ai 77% against
    /// 45%, coffee 69% against 51%), and 0.5, picked on either site, raised the other's MRR.
    public static let acceptedAnswerPrior = 0.5
    /// Plain searches of at least this many words, two of them not stop words, are natural
    /// language ("What is Deep Network?"): ranked by BM25F, and when too few entries hold them
    /// all, the closest follow. Keywords ("grant writing") keep "every word" and bm25.
    public static let naturalQueryWords = 3
    /// A sentence of at least this many words (stop words aside), a pasted title rather than typed
    /// keywords, is ranked by how much of it each entry holds even when a page of entries holds
    /// every word: holding all of a long title is rarely what makes an entry the one asked for
    /// (BM25F still ranks such entries high). Shorter searches keep "every word". On the reuse
    /// benchmark any value from 3 to 5 raised `find`'s pooled MRR from 0.351 to 0.354 (ai; coffee
    /// had no such case) and `--large-store`'s from 0.337 to 0.340; 5 changes the fewest searches.
    public static let coordinatedQueryWords = 5

    /// A plain search that reads as a sentence (see `naturalQueryWords`), else nil. A search whose
    /// every word is quoted is a phrase search, kept exact (nothing is left to relax).
    static func naturalSentence(_ text: String, query: Query) -> NaturalQuery.Sentence? {
        guard let sentence = NaturalQuery.sentence(of: text, query: query), sentence.words.count >= 2,
              NaturalQuery.typedWordCount(query) >= naturalQueryWords else { return nil }
        let quoted = Set(sentence.required.flatMap(\.positiveWords).map { $0.lowercased() })
        return sentence.words.contains { !quoted.contains($0) } ? sentence : nil
    }

    /// Entries (not members) ranked by how much of `words` they hold: the words as a
    /// natural-language any-word search through the store (bm25 and ranked lists find the pool,
    /// BM25F orders it where the store can). A question is ranked by its best entry, itself or
    /// one of its answers (an answer is shown as its question), plus `acceptedAnswerPrior` when
    /// it has an accepted answer. `excluding` are left out (already shown, or the entry itself);
    /// of several words, a hit must hold at least `minimumShouldMatch`. Every hit holds each of
    /// `required` (quoted words and phrases), the store checking them as it checks any search.
    public func closest(_ words: [String], limit: Int, excluding: Set<EntryRef> = [], minimumShouldMatch: Int = 1,
                        pool: Int? = nil, required: [QueryNode] = []) throws -> [SearchHit] {
        try closestMatches(words, limit: limit, excluding: excluding, minimumShouldMatch: minimumShouldMatch,
                           pool: pool, required: required).hits
    }

    /// `closest`, and the words the store found no entry holds while pooling (`SearchPool.absentWords`).
    func closestMatches(_ words: [String], limit: Int, excluding: Set<EntryRef> = [], minimumShouldMatch: Int = 1,
                        pool: Int? = nil, required: [QueryNode] = []) throws -> (hits: [SearchHit], absentWords: [String]) {
        guard !words.isEmpty, limit > 0 else { return ([], []) }
        var node: QueryNode = words.count == 1 ? .term(words[0]) : .or(words.map { .term($0) })
        // The quoted words' own words are among `words`: every entry holding the quoted is in the
        // pool, ranked as `similar` ranks the same words (plus the phrase).
        if !required.isEmpty { node = .and(required + [node]) }
        var query = Query(text: node)
        query.naturalLanguage = true
        let searched = try store.searchPool(query, limit: pool ?? max(50, limit * Self.closestPoolFactor))
        let pool = searched.hits
        let asked = Set(words.map(NaturalQuery.stem))
        // Each entry as what is shown for it (an answer as its question), with its score; the
        // first entry of a question is its best. Full hits are built for the shown page only.
        var questions: [EntryID: Question] = [:]
        func question(_ id: EntryID) throws -> Question {
            if let q = questions[id] { return q }
            let q = try store.question(id)
            questions[id] = q
            return q
        }
        var scored: [(item: PoolHit, shown: EntryRef, answered: Bool, score: Double, order: Int)] = []
        var seen = Set<EntryRef>()
        for (i, item) in pool.enumerated() where item.ref.type != .member {
            // Coordination is in the store's ranking (BM25F saturates a word across fields, so
            // holding more of the words wins); scaling by the share shown again measured worse.
            // The store's count where it has one: an extract may not show every word an entry holds.
            let held = item.matchedWords ?? item.hit.map { NaturalQuery.matched($0, stems: asked).count } ?? 0
            if asked.count >= 2, held < minimumShouldMatch { continue }
            // Ranks are negative (lower is better); a listing's 0 falls back on the order.
            var score = item.score < 0 ? -item.score : 1 / Double(i + 1)
            var shown = item.ref, answered = item.answered
            if let q = item.question {
                // The store read the answer's question with it.
                shown = .entry(q)
            } else if case .entry(let id) = item.ref, id.type == .answer, let q = try? store.answer(id).question,
                      let question = try? question(q) {
                shown = .entry(q)
                answered = question.acceptedAnswer != nil
            }
            guard !excluding.contains(shown), seen.insert(shown).inserted else { continue }
            if case .entry(let id) = shown, id.type == .question, answered {
                score += Self.acceptedAnswerPrior
            }
            scored.append((item, shown, answered, score, i))
        }
        scored.sort { ($0.score, $1.order) > ($1.score, $0.order) }
        let page = Array(scored.prefix(limit))
        var full: [EntryRef: SearchHit] = [:]
        for hit in try store.hits(for: page.map(\.item), query: query) where full[hit.ref] == nil { full[hit.ref] = hit }
        let hits = page.compactMap { item -> SearchHit? in
            guard var hit = full[item.item.ref] else { return nil }
            if item.shown != item.item.ref, case .entry(let q) = item.shown {
                // An answer shown as its question (whose tags its hit carries).
                let question = hit.question?.id == q ? nil : questions[q]
                hit = SearchHit(ref: item.shown, title: hit.question?.title ?? question?.title ?? hit.title, snippet: hit.snippet,
                                tags: question?.tags ?? hit.tags, score: hit.score, detail: nil,
                                status: item.answered ? "answered" : "open")
            }
            hit.score = -item.score
            return hit
        }
        return (hits, searched.absentWords)
    }

    /// The English of a search relaxed to the closest matches; `full`: a page of entries has every
    /// word; `required`: the quoted words and phrases every match has.
    public static func closestNotice(words: Int, exact: Int, full: Bool = false, required: [QueryNode] = []) -> String {
        let matches = required.isEmpty ? "closest matches:" : "closest matches that have \(NaturalQuery.describe(required)):"
        if full { return "\(exact) or more entries have all \(words) words (stop words aside); ranked with the \(matches)" }
        return exact == 0 ? "no entry has all \(words) words (stop words aside); \(matches)"
                   : "only \(exact) \(exact == 1 ? "entry has" : "entries have") all \(words) words (stop words aside); with the \(matches)"
    }

    /// Why a sentence with quoted words found nothing at all: no entry has them (together); nil
    /// when some entry does, or nothing was quoted.
    func missingQuoted(_ sentence: NaturalQuery.Sentence) throws -> String? {
        let required = sentence.required
        guard !required.isEmpty else { return nil }
        var quoted = Query(text: required.count == 1 ? required[0] : .and(required))
        quoted.explainEmpty = false
        guard try store.search(quoted, limit: 1).hits.isEmpty else { return nil }
        return "no entry has " + NaturalQuery.describe(required) + (required.count > 1 ? " together" : "")
    }

    /// `find` on plain words: the entries with every word when a page has them (and the sentence
    /// is shorter than `coordinatedQueryWords`); else the closest matches, with the entries that
    /// have every word ranked among them as BM25F orders them (nil notice when nothing was relaxed). Holding every word of a pasted title is
    /// rarely what makes an entry the one asked for: put first, such entries measured worse than
    /// ranked with the rest (`knowhow-bench reuse`). When fewer than a page have every word, each
    /// is always shown (the closest make room for it). Quoted words and phrases are never relaxed:
    /// every closest match has them, and only the other words rank.
    /// `sentence`: the search read as one (`naturalSentence`), nil when it is not.
    /// `closest`: the sentence's closest matches where `find` looked for them first.
    func relaxed(_ sentence: NaturalQuery.Sentence?, exact: SearchResults, limit: Int,
                 closest found: [SearchHit]? = nil) throws -> (SearchResults, String?) {
        let full = exact.hits.count >= limit
        guard let sentence, !full || sentence.words.count >= Self.coordinatedQueryWords else {
            return (exact, nil)
        }
        let words = sentence.words
        let closest = try found ?? closest(words, limit: limit, required: sentence.required)
        guard closest.contains(where: { hit in !exact.hits.contains { $0.ref == hit.ref } }) else { return (exact, nil) }
        // The closest show an answer as its question: an answer with every word is shown there.
        let shown = Set(closest.map(\.ref))
        // The closest leave members out: when a page held every word (a long sentence), the
        // members on that page keep their place; when fewer did, every such entry is shown.
        let missing = full
            ? Array(exact.hits.filter { $0.ref.type == .member && !shown.contains($0.ref) }.prefix(limit / 2))
            : exact.hits.filter { hit in
                if case .entry(let id) = hit.ref, id.type == .answer, let q = try? store.answer(id).question,
                   shown.contains(.entry(q)) { return false }
                return !shown.contains(hit.ref)
            }
        var out = exact
        out.hits = Array(closest.prefix(limit - missing.count)) + missing
        out.notes = []
        out.suggestions = []
        return (out, Self.closestNotice(words: words.count, exact: exact.hits.count, full: full, required: sentence.required))
    }

    /// Entries most like a text ("more like this"): its words, stop words out, ranked as `closest`.
    public func similar(text: String, limit: Int) throws -> SimilarView {
        if text.contains("\u{FFFD}") {
            throw KnowHowError.emptyQuery("the text is not valid UTF-8; check your terminal's encoding")
        }
        let words = NaturalQuery.contentWords(WordSplitter.words(text.prefix(QueryParser.maxLength)))
        guard !words.isEmpty else {
            throw KnowHowError.emptyQuery("nothing to compare in '\(text.prefix(40))': give an entry id such as q12, or some words")
        }
        return SimilarView(to: text, results: ResultsView(query: text, results: SearchResults(hits: try closest(words, limit: limit))))
    }

    /// Entries most like an existing entry (its title, tags and summary), leaving it out.
    public func similar(to ref: EntryRef, limit: Int) throws -> SimilarView {
        guard case .entry(let id) = ref else {
            throw KnowHowError.invalidValue(field: "entry", value: ref.description, expected: "an entry id such as q12, r3 or p7")
        }
        let text: String
        var leaveOut: Set<EntryRef> = [ref]
        switch id.type {
        case .resource: let r = try store.resource(id); text = ([r.title, r.summary ?? ""] + r.tags).joined(separator: " ")
        case .practice: let p = try store.practice(id); text = ([p.title, p.context ?? ""] + p.tags).joined(separator: " ")
        case .question: let q = try store.question(id); text = ([q.title] + q.tags).joined(separator: " ")
        case .answer:
            let a = try store.answer(id), q = try store.question(a.question)
            leaveOut.insert(.entry(a.question))
            text = ([q.title] + q.tags).joined(separator: " ")
        case .meeting: let m = try store.meeting(id); text = ([m.title] + m.tags).joined(separator: " ")
        case .member:
            throw KnowHowError.invalidValue(field: "entry", value: ref.description, expected: "an entry id such as q12, r3 or p7")
        }
        let words = NaturalQuery.contentWords(WordSplitter.words(text.prefix(QueryParser.maxLength)))
        let hits = try closest(words, limit: limit, excluding: leaveOut)
        return SimilarView(to: ref.description, results: ResultsView(query: text, results: SearchResults(hits: hits)))
    }
}

/// What `similar` found: entries like a text or an entry, closest first.
public struct SimilarView: Codable, Sendable {
    /// The entry id or the text compared.
    public var to: String
    public var results: ResultsView
}

extension Community {
    /// A match is strong when its title holds at least this share of the asked words (and two or more).
    public static let strongMatchShare = 2.0 / 3.0

    /// What already exists for a question about to be asked: the closest questions (each with its
    /// accepted answer), resources and practices, and the strongest match when one is strong.
    public func existing(for title: String, body: String? = nil, tags: [String] = [], limit: Int = 3) throws -> ExistingView {
        let titleWords = NaturalQuery.contentWords(WordSplitter.words(title))
        let words = NaturalQuery.contentWords(WordSplitter.words(([title] + tags).joined(separator: " ")))
        guard !words.isEmpty else { return ExistingView(title: title, questions: [], others: [], strong: nil) }
        let hits = try closest(words, limit: limit * 4, minimumShouldMatch: Self.minimumShouldMatch)
        var questions: [ExistingView.Question] = [], others: [SearchHit] = []
        for h in hits {
            guard case .entry(let id) = h.ref else { continue }
            if id.type == .question, questions.count < limit {
                let accepted = try? store.question(id).acceptedAnswer.map { try store.answer($0) }
                questions.append(.init(hit: h, accepted: accepted.flatMap { $0 }))
            } else if id.type == .resource || id.type == .practice, others.count < limit {
                others.append(h)
            }
        }
        // Strong: a title holding most of the asked title's words, so asking again is likely a repeat.
        let asked = Set(titleWords.map(NaturalQuery.stem))
        let strong = (questions.map(\.hit) + others).first { h in
            let held = Set(WordSplitter.words(Highlight.plain(h.title)).map(NaturalQuery.stem)).intersection(asked)
            return asked.count >= 2 && Double(held.count) >= Self.strongMatchShare * Double(asked.count)
        }
        return ExistingView(title: title, questions: questions, others: others, strong: strong)
    }
}

/// What exists for a question about to be asked (`ask` shows it before recording).
public struct ExistingView: Codable, Sendable {
    /// A close question and its accepted answer, if any.
    public struct Question: Codable, Sendable {
        public var question: HitView
        public var accepted: String?
        public var acceptedText: String?
        /// The question with matched words marked, for screens.
        public var hit: SearchHit { _hit }
        private var _hit: SearchHit
        enum CodingKeys: String, CodingKey { case question, accepted, acceptedText = "accepted_text" }
        public init(hit: SearchHit, accepted: Answer?) {
            _hit = hit
            question = HitView(hit, n: 0)
            self.accepted = accepted?.id?.description
            acceptedText = accepted.map { String($0.body.replacingOccurrences(of: "\n", with: " ").prefix(200)) }
        }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            question = try c.decode(HitView.self, forKey: .question)
            accepted = try c.decodeIfPresent(String.self, forKey: .accepted)
            acceptedText = try c.decodeIfPresent(String.self, forKey: .acceptedText)
            _hit = SearchHit(ref: question.ref ?? .member("unknown"), title: question.title)
        }
    }
    public var title: String
    public var questions: [Question]
    /// Resources and practices.
    public var others: [HitView]
    /// The id of a strong match: asking anyway needs saying so (`--force` in scripts).
    public var strong: String?
    /// Everything shown, in order, marked, for screens and numbering.
    public var hits: [SearchHit] { _hits }
    private var _hits: [SearchHit] = []
    enum CodingKeys: String, CodingKey { case title, questions, others, strong }

    public init(title: String, questions: [Question], others: [SearchHit], strong: SearchHit?) {
        self.title = title
        self.questions = questions
        self.others = HitView.numbered(others).map { var v = $0; v.n += questions.count; return v }
        self.strong = strong?.ref.description
        _hits = questions.map(\.hit) + others
        for i in self.questions.indices { self.questions[i].question.n = i + 1 }
    }

    public var isEmpty: Bool { _hits.isEmpty }
}

extension Community {
    /// How many hits are read for each one shown when symbol words (`c++`) filter them.
    public static let symbolPoolFactor = 10

    /// A search with `c++`, `c#` or `.net`: the index matches the letters (`c`), so the entries
    /// whose own text holds every symbol word as written are kept, in the index's order.
    func searchSymbols(_ query: Query, limit: Int) throws -> SearchResults {
        var results = try store.search(query, limit: max(50, limit * Self.symbolPoolFactor))
        results.hits = try results.hits.filter { hit in
            let text = try rawText(hit.ref)
            return query.symbolWords.allSatisfy { SymbolWord.occurs($0, in: text) }
        }
        results.more = results.hits.count > limit
        results.hits = Array(results.hits.prefix(limit))
        return results
    }

    /// An entry's or member's own words, as stored.
    func rawText(_ ref: EntryRef) throws -> String {
        switch ref {
        case .member(let h):
            let m = try store.member(h); return [m.name, m.bio ?? "", m.organisation ?? ""].joined(separator: "\n")
        case .entry(let id):
            switch id.type {
            case .resource: let r = try store.resource(id); return ([r.title, r.summary ?? "", r.body ?? ""] + r.tags).joined(separator: "\n")
            case .practice:
                let p = try store.practice(id)
                return ([p.title, p.context ?? "", p.practice ?? "", p.evidence ?? ""] + p.tags).joined(separator: "\n")
            case .question: let q = try store.question(id); return ([q.title, q.body ?? ""] + q.tags).joined(separator: "\n")
            case .answer: return try store.answer(id).body
            case .meeting: let m = try store.meeting(id); return ([m.title, m.notes ?? ""] + m.tags).joined(separator: "\n")
            case .member: return ""
            }
        }
    }
}

/// Finding `c++` as written: not inside a longer word (`abc++`), not followed by more of one (`c++x`).
public enum SymbolWord {
    public static func occurs(_ word: String, in text: String) -> Bool {
        let hay = text.lowercased()
        var from = hay.startIndex
        while let r = hay.range(of: word, range: from..<hay.endIndex) {
            let before = r.lowerBound == hay.startIndex ? nil : hay[hay.index(before: r.lowerBound)]
            let after = r.upperBound == hay.endIndex ? nil : hay[r.upperBound]
            let startsClean = before.map { !($0.isLetter || $0.isNumber) || word.first == "." && $0 != "." } ?? true
            let endsClean = after.map { !($0.isLetter || $0.isNumber || $0 == "+" || $0 == "#") } ?? true
            if startsClean && endsClean { return true }
            from = hay.index(after: r.lowerBound)
        }
        return false
    }
}
