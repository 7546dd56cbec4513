/// Decodes `Decodable` values from ``JSONValue``. In strict mode it reports every object member that
/// the type never asked for (Kubernetes' `fieldValidation=Strict`), by JSON path.
public struct JSONValueDecoder: Sendable {
    public init() {}

    /// Decodes a value; with `unknownFields` non-nil, collects the paths of members no type read.
    public func decode<T: Decodable>(
        _ type: T.Type, from value: JSONValue, unknownFields: UnknownFieldCollector? = nil
    ) throws -> T {
        let root = DecoderBox(value: value, codingPath: [], collector: unknownFields)
        let result = try root.decodeValue(T.self)
        return result
    }

    /// Decodes a value from JSON text.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try decode(type, from: try JSONValue(parsing: bytes))
    }
}

/// Collects the members of decoded objects that no `init(from:)` read.
public final class UnknownFieldCollector {
    final class Usage {
        let path: [any CodingKey]
        let keys: [String]
        var used: Set<String> = []
        init(path: [any CodingKey], keys: [String]) {
            self.path = path
            self.keys = keys
        }
    }

    var usages: [Usage] = []

    public init() {}

    /// The dotted paths of unread members, in document order (`spec.containers[0].imagee`).
    public var unknownFields: [String] {
        var result: [String] = []
        for usage in usages {
            for key in usage.keys where !usage.used.contains(key) {
                result.append(Self.render(usage.path + [AnyCodingKey(key)]))
            }
        }
        return result
    }

    static func render(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }
}

/// A value type able to decode itself from any JSON value (so the decoder does not track its members).
protocol OpaqueJSONDecodable {}
extension JSONValue: OpaqueJSONDecodable {}

final class DecoderBox: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let collector: UnknownFieldCollector?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, codingPath: [any CodingKey], collector: UnknownFieldCollector?) {
        self.value = value
        self.codingPath = codingPath
        self.collector = collector
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        try Self.decode(type, value, codingPath: codingPath, collector: collector)
    }

    static func decode<T: Decodable>(
        _ type: T.Type, _ value: JSONValue, codingPath: [any CodingKey], collector: UnknownFieldCollector?
    ) throws -> T {
        if T.self == String.self {
            guard case .string(let string) = value else { throw mismatch(type, value, codingPath) }
            return string as! T
        }
        if T.self == Int.self { return Int(try integer(value, codingPath, type)) as! T }
        if T.self == Int32.self {
            let number = try integer(value, codingPath, type)
            guard let narrowed = Int32(exactly: number) else { throw mismatch(type, value, codingPath) }
            return narrowed as! T
        }
        if T.self == Int64.self { return try integer(value, codingPath, type) as! T }
        if let integerType = T.self as? any FixedWidthInteger.Type {
            // Int8, UInt16, UInt…: their `init(from:)` asks the single-value container, whose generic
            // `decode` would come straight back here.
            let number = try integer(value, codingPath, type)
            guard let narrowed = integerType.init(exactly: number) else { throw mismatch(type, value, codingPath) }
            return narrowed as! T
        }
        if T.self == Bool.self {
            guard case .bool(let flag) = value else { throw mismatch(type, value, codingPath) }
            return flag as! T
        }
        if T.self == JSONValue.self { return value as! T }
        if T.self == [String: String].self {
            guard case .object(let object) = value else { throw mismatch(type, value, codingPath) }
            var map: [String: String] = [:]
            map.reserveCapacity(object.count)
            for (key, member) in object {
                guard case .string(let string) = member else {
                    throw mismatch(String.self, member, codingPath + [AnyCodingKey(key)])
                }
                map[key] = string
            }
            return map as! T
        }
        return try T(from: DecoderBox(value: value, codingPath: codingPath, collector: collector))
    }

    static func integer(_ value: JSONValue, _ codingPath: [any CodingKey], _ type: Any.Type) throws -> Int64 {
        guard let number = value.intValue else { throw mismatch(type, value, codingPath) }
        return number
    }

    static func mismatch(_ type: Any.Type, _ value: JSONValue, _ codingPath: [any CodingKey]) -> DecodingError {
        DecodingError.typeMismatch(
            type,
            DecodingError.Context(codingPath: codingPath, debugDescription: "expected \(type), found \(value.typeName)")
        )
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw Self.mismatch([String: JSONValue].self, value, codingPath)
        }
        var usage: UnknownFieldCollector.Usage?
        if let collector, !(Key.self is any OpaqueJSONDecodable.Type) {
            let entry = UnknownFieldCollector.Usage(path: codingPath, keys: object.keys)
            collector.usages.append(entry)
            usage = entry
        }
        return KeyedDecodingContainer(KeyedDecoder<Key>(object: object, box: self, usage: usage))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else { throw Self.mismatch([JSONValue].self, value, codingPath) }
        return UnkeyedDecoder(array: array, box: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleDecoder(box: self) }
}

private struct KeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let box: DecoderBox
    let usage: UnknownFieldCollector.Usage?

    var codingPath: [any CodingKey] { box.codingPath }
    var allKeys: [Key] {
        usage.map { $0.used.formUnion(object.keys) }
        return object.keys.compactMap { Key(stringValue: $0) }
    }

    func member(_ key: Key) throws -> JSONValue {
        usage?.used.insert(key.stringValue)
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, DecodingError.Context(codingPath: codingPath, debugDescription: "missing required field")
            )
        }
        return value
    }

    func contains(_ key: Key) -> Bool {
        usage?.used.insert(key.stringValue)
        return object[key.stringValue] != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        usage?.used.insert(key.stringValue)
        return object[key.stringValue]?.isNull ?? true
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try DecoderBox.decode(type, try member(key), codingPath: codingPath + [key], collector: box.collector)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        usage?.used.insert(key.stringValue)
        guard let value = object[key.stringValue], !value.isNull else { return nil }
        return try DecoderBox.decode(type, value, codingPath: codingPath + [key], collector: box.collector)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try DecoderBox(value: try member(key), codingPath: codingPath + [key], collector: box.collector)
            .container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try DecoderBox(value: try member(key), codingPath: codingPath + [key], collector: box.collector)
            .unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        DecoderBox(value: object["super"] ?? .null, codingPath: codingPath, collector: box.collector)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        DecoderBox(value: try member(key), codingPath: codingPath + [key], collector: box.collector)
    }
}

private struct UnkeyedDecoder: UnkeyedDecodingContainer {
    let array: [JSONValue]
    let box: DecoderBox
    var currentIndex = 0

    var codingPath: [any CodingKey] { box.codingPath }
    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }

    mutating func next() throws -> (JSONValue, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                JSONValue.self, DecodingError.Context(codingPath: codingPath, debugDescription: "array exhausted")
            )
        }
        defer { currentIndex += 1 }
        return (array[currentIndex], codingPath + [AnyCodingKey(intValue: currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, array[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try DecoderBox.decode(type, value, codingPath: path, collector: box.collector)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (value, path) = try next()
        return try DecoderBox(value: value, codingPath: path, collector: box.collector).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try DecoderBox(value: value, codingPath: path, collector: box.collector).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return DecoderBox(value: value, codingPath: path, collector: box.collector)
    }
}

private struct SingleDecoder: SingleValueDecodingContainer {
    let box: DecoderBox
    var codingPath: [any CodingKey] { box.codingPath }

    func decodeNil() -> Bool { box.value.isNull }
    func decode(_ type: Double.Type) throws -> Double {
        switch box.value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: throw DecoderBox.mismatch(type, box.value, codingPath)
        }
    }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try DecoderBox.decode(type, box.value, codingPath: codingPath, collector: box.collector)
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let box = decoder as? DecoderBox {
            self = box.value
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Int64.self) {
            self = .int(number)
        } else if let number = try? container.decode(Double.self) {
            self = .double(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            let members = try container.decode([String: JSONValue].self)
            var object = JSONObject()
            for key in members.keys.sorted() { object.appendNew(key, members[key]!) }
            self = .object(object)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if let box = encoder as? EncoderBox {
            box.storage = .single(self)
            return
        }
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .int(let number): try container.encode(number)
        case .double(let number): try container.encode(number)
        case .string(let string): try container.encode(string)
        case .array(let array): try container.encode(array)
        case .object(let object):
            var members: [String: JSONValue] = [:]
            for (key, value) in object { members[key] = value }
            try container.encode(members)
        }
    }
}
