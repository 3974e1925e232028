import Foundation
import Testing
@testable import KnowHowCore

/// Issue 11, build 6: every field has a length limit, refused with a clear sentence.
struct ValidationLimitsTests {
    @Test func overlongFieldsAreRefusedWithTheirLengthAndLimit() {
        let title = String(repeating: "t", count: Validation.Limit.title + 1)
        #expect(throws: KnowHowError.tooLong(field: "title", length: 301, limit: 300)) {
            try Validation.checkLengths(Resource(title: title))
        }
        #expect(KnowHowError.tooLong(field: "title", length: 10_485_760, limit: 300).description
                == "the title is 10,485,760 characters long; the most it may have is 300: shorten it and try again")
        #expect(throws: KnowHowError.tooLong(field: "question", length: 301, limit: 300)) {
            try Validation.checkLengths(Question(title: title))
        }
        let body = String(repeating: "b", count: Validation.Limit.body + 1)
        #expect(throws: KnowHowError.tooLong(field: "answer", length: 100_001, limit: 100_000)) {
            try Validation.checkLengths(Answer(question: EntryID(.question, 1), body: body))
        }
        #expect(throws: KnowHowError.tooLong(field: "bio", length: 100_001, limit: 100_000)) {
            try Validation.checkLengths(Member(handle: "kim", name: "Kim", bio: body))
        }
        #expect(throws: KnowHowError.tooLong(field: "summary", length: 2_001, limit: 2_000)) {
            try Validation.checkLengths(Resource(title: "ok", summary: String(repeating: "s", count: 2_001)))
        }
    }

    @Test func textAtTheLimitIsAcceptedAndCountedInCharacters() throws {
        // 300 characters of 4 bytes each: UTF-8 length is not the measure.
        try Validation.checkLengths(Resource(title: String(repeating: "🙂", count: 300)))
        try Validation.checkLengths(Practice(title: String(repeating: "é", count: 300)))
    }

    @Test func overlongTagsAndQueriesAreRefused() {
        #expect(throws: KnowHowError.tooLong(field: "tag", length: 65, limit: 64)) { try Validation.tag(String(repeating: "a", count: 65)) }
        #expect(throws: KnowHowError.tooLong(field: "tag", length: 10_000, limit: 64)) { try Validation.tag(String(repeating: "a", count: 10_000)) }
        #expect(throws: KnowHowError.self) { try QueryParser.parse(String(repeating: "word ", count: 201)) }
        #expect(throws: Never.self) { try QueryParser.parse(String(repeating: "é", count: 1_000)) }
    }

    @Test func countsAreGroupedInThousands() {
        #expect(Validation.grouped(0) == "0")
        #expect(Validation.grouped(999) == "999")
        #expect(Validation.grouped(1_000) == "1,000")
        #expect(Validation.grouped(1_234_567) == "1,234,567")
        #expect(Validation.grouped(-1_234) == "-1,234")
    }
}

/// Issue 11: `review --days 9223372036854775807` trapped converting a huge Double date to Int.
struct HugeDateTests {
    @Test func aDayFromAFarDateIsClampedNotATrap() {
        #expect(Day(Date(timeIntervalSince1970: 9.2e18 * 86_400)).year == 9999)
        #expect(Day(Date(timeIntervalSince1970: -9.2e18)).year == 0)
        #expect(Day(Date(timeIntervalSince1970: 0)).description == "1970-01-01")
    }
}
