import Foundation
import Testing
@testable import KnowHowCore

/// BM25F, the ranking of natural-language searches (issue 15).
struct FieldWeightedBM25Tests {
    let scorer = FieldWeightedBM25(weights: [3, 2, 1, 1])
    let lengths = [5, 2, 0, 40], averages = [5.0, 2, 1, 40]

    /// A word saturates across fields: in title and tags it counts less than two different words.
    /// Holding more of a sentence wins.
    @Test func aWordInEveryFieldCountsLessThanTwoWords() {
        let idfs = [2.0, 2.0]
        let repeated = scorer.score(counts: [[1, 1, 0, 1], [0, 0, 0, 0]], lengths: lengths, averages: averages, idfs: idfs)
        let two = scorer.score(counts: [[1, 0, 0, 0], [1, 0, 0, 0]], lengths: lengths, averages: averages, idfs: idfs)
        #expect(two > repeated, "\(two) vs \(repeated)")
        // Saturation: one word's share stays under its idf however often it occurs.
        let many = scorer.score(counts: [[9, 9, 0, 90], [0, 0, 0, 0]], lengths: lengths, averages: averages, idfs: idfs)
        #expect(many < 2.0 && many > repeated)
    }

    /// A title counts more than the text; a rarer word more than a common one.
    @Test func titleAndRareWordsCountMore() {
        let title = scorer.score(counts: [[1, 0, 0, 0]], lengths: lengths, averages: averages, idfs: [1])
        let body = scorer.score(counts: [[0, 0, 0, 1]], lengths: lengths, averages: averages, idfs: [1])
        #expect(title > body)
        #expect(FieldWeightedBM25.idf(entries: 1000, containing: 5) > FieldWeightedBM25.idf(entries: 1000, containing: 500))
        // A word in most entries still counts a little (FTS5's idf floors it to nothing).
        #expect(FieldWeightedBM25.idf(entries: 1000, containing: 900) > 0.05)
    }

    /// Longer fields than usual weigh each occurrence less (b = 0.75), each against its own kind:
    /// a long text does not drag down the title.
    @Test func longTextCountsEachOccurrenceLess() {
        let short = scorer.score(counts: [[0, 0, 0, 1]], lengths: [0, 0, 0, 10], averages: averages, idfs: [1])
        let long = scorer.score(counts: [[0, 0, 0, 1]], lengths: [0, 0, 0, 200], averages: averages, idfs: [1])
        #expect(short > long)
        #expect(scorer.score(counts: [[0, 0, 0, 0]], lengths: lengths, averages: averages, idfs: [1]) == 0)
        let title = scorer.score(counts: [[1, 0, 0, 0]], lengths: [5, 0, 0, 10], averages: averages, idfs: [1])
        #expect(title == scorer.score(counts: [[1, 0, 0, 0]], lengths: [5, 0, 0, 4000], averages: averages, idfs: [1]))
    }

    /// "every word" of a sentence is every word that says something; typed syntax keeps them all.
    @Test func stopWordsLeaveASentenceButNotSyntax() throws {
        let q = try QueryParser.parse("What is a deep network")
        #expect(NaturalQuery.withoutStopWords(q.text!) == .and([.term("deep"), .term("network")]))
        let only = try QueryParser.parse("what is it")
        #expect(NaturalQuery.withoutStopWords(only.text!) == only.text!)
        let or = try QueryParser.parse("what OR network")
        #expect(NaturalQuery.withoutStopWords(or.text!) == or.text!)
    }
}
