/// Encodes `Encodable` values to ``JSONValue`` the way Kubernetes' Go encoder lays them out: fields in
/// the order a type encodes them, `nil` optionals omitted (synthesized `encodeIfPresent`), and
/// dictionaries with string keys written in sorted key order (Go sorts map keys).
public struct JSONValueEncoder: Sendable {
    public init() {}

    /// The value as a JSON tree.
    public func encode(_ value: some Encodable) throws -> JSONValue {
        try EncoderBox.box(value, codingPath: [])
    }

    /// The value as compact JSON text.
    public func encodeBytes(_ value: some Encodable) throws -> [UInt8] {
        try encode(value).serialized()
    }
}

/// A dictionary whose keys are strings: encoded with sorted keys.
private protocol SortedKeysEncodable {
    func encodeSorted(codingPath: [any CodingKey]) throws -> JSONValue
}

extension Dictionary: SortedKeysEncodable where Key == String, Value: Encodable {
    fileprivate func encodeSorted(codingPath: [any CodingKey]) throws -> JSONValue {
        var object = JSONObject(minimumCapacity: count)
        for key in self.keys.sorted() {
            let element = self[key]!
            object.appendNew(key, try EncoderBox.box(element, codingPath: codingPath + [AnyCodingKey(key)]))
        }
        return .object(object)
    }
}

struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.intValue = intValue
        stringValue = String(intValue)
    }
}

/// One `encode(to:)` call's state: what its container(s) wrote.
final class EncoderBox: Encoder {
    enum Storage {
        case none
        case single(JSONValue)
        case object(JSONObject)
        case array([JSONValue])
    }

    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var storage = Storage.none
    /// Nested containers and super encoders, written back when this box is finished.
    var pendingMembers: [(key: String, box: EncoderBox)] = []
    var pendingElements: [(index: Int, box: EncoderBox)] = []

    init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

    static func box<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> JSONValue {
        if let scalar = JSONScalar(value) { return scalar.jsonValue }
        if T.self == JSONValue.self { return unsafeBitCast(value, to: JSONValue.self) }
        if T.self == [String: String].self {
            let map = unsafeBitCast(value, to: [String: String].self)
            var object = JSONObject(minimumCapacity: map.count)
            for key in map.keys.sorted() { object.appendNew(key, .string(map[key]!)) }
            return .object(object)
        }
        if T.self is any SortedKeysEncodable.Type, let map = value as? any SortedKeysEncodable {
            return try map.encodeSorted(codingPath: codingPath)
        }
        let box = EncoderBox(codingPath: codingPath)
        try value.encode(to: box)
        return box.finish()
    }

    func finish() -> JSONValue {
        switch storage {
        case .none: return .object(JSONObject())
        case .single(let value): return value
        case .object(var object):
            for (key, box) in pendingMembers { object[key] = box.finish() }
            return .object(object)
        case .array(var array):
            for (index, box) in pendingElements { array[index] = box.finish() }
            return .array(array)
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = storage {} else { storage = .object(JSONObject()) }
        return KeyedEncodingContainer(KeyedEncoder<Key>(box: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = storage {} else { storage = .array([]) }
        return UnkeyedEncoder(box: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleEncoder(box: self) }

    func set(_ key: String, _ value: JSONValue) {
        guard case .object(var object) = storage else { return }
        storage = .none
        object[key] = value
        storage = .object(object)
    }

    func append(_ value: JSONValue) -> Int {
        guard case .array(var array) = storage else { return 0 }
        storage = .none
        array.append(value)
        storage = .array(array)
        return array.count - 1
    }
}

private struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: EncoderBox
    var codingPath: [any CodingKey] { box.codingPath }

    mutating func encodeNil(forKey key: Key) throws { box.set(key.stringValue, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.set(key.stringValue, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { box.set(key.stringValue, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { box.set(key.stringValue, .double(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { box.set(key.stringValue, .double(Double(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { box.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { box.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { box.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.set(key.stringValue, .int(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { box.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { box.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { box.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { box.set(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { box.set(key.stringValue, .int(Int64(value))) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        box.set(key.stringValue, try EncoderBox.box(value, codingPath: box.codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = EncoderBox(codingPath: box.codingPath + [key])
        box.set(key.stringValue, .null)
        box.pendingMembers.append((key.stringValue, child))
        return child.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = EncoderBox(codingPath: box.codingPath + [key])
        box.set(key.stringValue, .null)
        box.pendingMembers.append((key.stringValue, child))
        return child.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = EncoderBox(codingPath: box.codingPath + [key])
        box.set(key.stringValue, .null)
        box.pendingMembers.append((key.stringValue, child))
        return child
    }
}

private struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let box: EncoderBox
    var codingPath: [any CodingKey] { box.codingPath }
    var count: Int {
        if case .array(let array) = box.storage { return array.count }
        return 0
    }

    mutating func encodeNil() throws { _ = box.append(.null) }
    mutating func encode(_ value: Bool) throws { _ = box.append(.bool(value)) }
    mutating func encode(_ value: String) throws { _ = box.append(.string(value)) }
    mutating func encode(_ value: Double) throws { _ = box.append(.double(value)) }
    mutating func encode(_ value: Int) throws { _ = box.append(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { _ = box.append(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { _ = box.append(.int(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        _ = box.append(try EncoderBox.box(value, codingPath: box.codingPath + [AnyCodingKey(intValue: count)]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = EncoderBox(codingPath: box.codingPath + [AnyCodingKey(intValue: count)])
        box.pendingElements.append((box.append(.null), child))
        return child.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = EncoderBox(codingPath: box.codingPath + [AnyCodingKey(intValue: count)])
        box.pendingElements.append((box.append(.null), child))
        return child.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let child = EncoderBox(codingPath: box.codingPath + [AnyCodingKey(intValue: count)])
        box.pendingElements.append((box.append(.null), child))
        return child
    }
}

private struct SingleEncoder: SingleValueEncodingContainer {
    let box: EncoderBox
    var codingPath: [any CodingKey] { box.codingPath }

    mutating func encodeNil() throws { box.storage = .single(.null) }
    mutating func encode(_ value: Bool) throws { box.storage = .single(.bool(value)) }
    mutating func encode(_ value: String) throws { box.storage = .single(.string(value)) }
    mutating func encode(_ value: Double) throws { box.storage = .single(.double(value)) }
    mutating func encode(_ value: Int) throws { box.storage = .single(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { box.storage = .single(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { box.storage = .single(.int(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        box.storage = .single(try EncoderBox.box(value, codingPath: box.codingPath))
    }
}
