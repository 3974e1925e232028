import Foundation
import Testing
@testable import KnowHowCore
@testable import KnowHowShell

/// `show --json` put `type` beside the value's keys by asking the encoder for a second keyed
/// container and trusting JSONEncoder to merge it into the first; the Encoder protocol does not
/// promise that. TypedJSON now writes every key into one container.
struct TypedJSONTests {
    /// Each keyed container asked of it is a new object, as an encoder may do; records the
    /// top-level objects' keys.
    final class SeparateObjects {
        var objects: [[String]] = []

        struct Writer: Encoder {
            let record: SeparateObjects
            /// Nested values are not recorded: only the top-level objects matter here.
            var topLevel = true
            var codingPath: [CodingKey] = []
            var userInfo: [CodingUserInfoKey: Any] = [:]

            func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
                guard topLevel else { return KeyedEncodingContainer(Keys<Key>(record: record, index: nil)) }
                record.objects.append([])
                return KeyedEncodingContainer(Keys<Key>(record: record, index: record.objects.count - 1))
            }
            func unkeyedContainer() -> UnkeyedEncodingContainer { Discard(record: record) }
            func singleValueContainer() -> SingleValueEncodingContainer { Discard(record: record) }
        }

        struct Keys<Key: CodingKey>: KeyedEncodingContainerProtocol {
            let record: SeparateObjects
            let index: Int?
            var codingPath: [CodingKey] { [] }
            func note(_ key: Key) { if let index { record.objects[index].append(key.stringValue) } }
            mutating func encodeNil(forKey key: Key) throws { note(key) }
            // One generic method answers every kind of value: only the key is recorded.
            mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { note(key) }
            mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
                note(key)
                return KeyedEncodingContainer(Keys<NestedKey>(record: record, index: nil))
            }
            mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer { note(key); return Discard(record: record) }
            mutating func superEncoder() -> Encoder { Writer(record: record, topLevel: false) }
            mutating func superEncoder(forKey key: Key) -> Encoder { note(key); return Writer(record: record, topLevel: false) }
        }

        /// Arrays and single values, not recorded.
        struct Discard: UnkeyedEncodingContainer, SingleValueEncodingContainer {
            let record: SeparateObjects
            var codingPath: [CodingKey] { [] }
            var count = 0
            mutating func encodeNil() throws {}
            mutating func encode<T: Encodable>(_ value: T) throws {}
            mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
                KeyedEncodingContainer(Keys<NestedKey>(record: record, index: nil))
            }
            mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer { Discard(record: record) }
            mutating func superEncoder() -> Encoder { Writer(record: record, topLevel: false) }
        }
    }

    @Test func showJSONWritesTheValuesKeysAndTypeIntoOneObject() throws {
        let session = try CurationSession(CurationSession.demo, as: nil)
        let community = session.ctx.community
        let shown: [(String, any Encodable)] = [
            ("r3", TypedJSON(type: "resource", value: try community.resource(EntryID("r3")!))),
            ("p1", TypedJSON(type: "practice", value: try community.practice(EntryID("p1")!))),
            ("q1", TypedJSON(type: "question", value: try community.question(EntryID("q1")!))),
            ("a1", TypedJSON(type: "answer", value: try community.answer(EntryID("a1")!))),
            ("m1", TypedJSON(type: "meeting", value: try community.meeting(EntryID("m1")!))),
            ("@amara-okafor", TypedJSON(type: "member", value: try community.profile("amara-okafor"))),
            ("onboarding", TypedJSON(type: "tag", value: try community.tagPage("onboarding"))),
        ]
        for (reference, typed) in shown {
            let record = SeparateObjects()
            try typed.encode(to: SeparateObjects.Writer(record: record))
            #expect(record.objects.count == 1, "show \(reference) --json asked for \(record.objects.count) objects: \(record.objects)")
            // The one object holds every key `show --json` prints, `type` among them.
            let printed = session.run("show \(reference) --json").out
            let keys = try #require(try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any]).keys
            #expect(keys.contains("type") && keys.count > 1, "show \(reference) --json: \(keys.sorted())")
            #expect(Set(record.objects.first ?? []) == Set(keys), "show \(reference) --json: \(record.objects)")
        }
    }

    /// A value that is not written as an object cannot take a `type` key: an error, not a crash
    /// or a bare value.
    @Test func aValueThatIsNotAnObjectIsRefused() {
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(TypedJSON(type: "list", value: ["a", "b"])) }
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(TypedJSON(type: "word", value: "a")) }
    }
}
