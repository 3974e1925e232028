import Foundation
import KnowHowCore

/// JSON text that a terminal shows as it is. JSONEncoder escapes C0 controls (ESC is `\u001b`) but
/// writes DEL, C1 controls and bidirectional overrides raw; these are escaped too, which keeps the
/// same strings for a parser (they can only occur inside strings).
enum JSONText {
    static func escapingInvisibles(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: TerminalText.needsCare) else { return json }
        var out = String.UnicodeScalarView()
        for u in json.unicodeScalars {
            if TerminalText.needsCare(u) { out.append(contentsOf: String(format: "\\u%04x", u.value).unicodeScalars) } else { out.append(u) }
        }
        return String(out)
    }
}

/// A value `show --json` writes, with a `type` key naming what was shown (member, resource,
/// practice, question, answer, meeting or tag), so that a script can tell one shape from another.
/// `type`, as in `find --json`'s hits and the `type:` filter: a resource's own `kind` is its kind
/// of resource (guide, template…). The value's own keys are written as they were.
///
/// The value and `type` go into one keyed container: an encoder need not merge two containers
/// asked of it (JSONEncoder does; the Encoder protocol does not promise it).
struct TypedJSON<Value: Encodable>: Encodable {
    var type: String
    var value: Value

    func encode(to encoder: Encoder) throws {
        let object = OneObject(encoder.container(keyedBy: AnyKey.self))
        try value.encode(to: OneObject.Writer(object: object, codingPath: encoder.codingPath, userInfo: encoder.userInfo))
        if object.notAnObject {
            throw EncodingError.invalidValue(value, .init(codingPath: encoder.codingPath,
                                                          debugDescription: "\(Value.self) is not written as a JSON object, so it cannot take a type key"))
        }
        try object.container.encode(type, forKey: AnyKey("type"))
    }
}

/// Any key, by its name.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ name: String) { stringValue = name }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { stringValue = String(intValue); self.intValue = intValue }
    init<Key: CodingKey>(_ key: Key) { stringValue = key.stringValue; intValue = key.intValue }
}

/// One keyed container that every keyed container a value asks for writes into, so that keys
/// added beside the value's own land in the same object.
final class OneObject {
    var container: KeyedEncodingContainer<AnyKey>
    /// The value asked for an array or a single value instead.
    var notAnObject = false

    init(_ container: KeyedEncodingContainer<AnyKey>) { self.container = container }

    /// The encoder the value is given.
    struct Writer: Encoder {
        let object: OneObject
        var codingPath: [CodingKey]
        var userInfo: [CodingUserInfoKey: Any]

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keys<Key>(object: object))
        }

        // Not an object: written under "value" only so that the encoder is left whole; TypedJSON
        // then throws.
        func unkeyedContainer() -> UnkeyedEncodingContainer {
            object.notAnObject = true
            return object.container.nestedUnkeyedContainer(forKey: AnyKey("value"))
        }

        func singleValueContainer() -> SingleValueEncodingContainer {
            object.notAnObject = true
            return object.container.superEncoder(forKey: AnyKey("value")).singleValueContainer()
        }
    }

    /// A value's keyed container, written through to the one container.
    struct Keys<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let object: OneObject
        var codingPath: [CodingKey] { object.container.codingPath }

        mutating func encodeNil(forKey key: Key) throws { try object.container.encodeNil(forKey: AnyKey(key)) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try object.container.encode(value, forKey: AnyKey(key)) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            object.container.nestedContainer(keyedBy: keyType, forKey: AnyKey(key))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            object.container.nestedUnkeyedContainer(forKey: AnyKey(key))
        }
        mutating func superEncoder() -> Encoder { object.container.superEncoder() }
        mutating func superEncoder(forKey key: Key) -> Encoder { object.container.superEncoder(forKey: AnyKey(key)) }
    }
}
