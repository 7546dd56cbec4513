/// Encodes `Encodable` values straight to JSON bytes, with the same layout as ``JSONValueEncoder`` (fields in
/// encoding order, nil optionals omitted, string-keyed dictionaries sorted) but without building a tree: the
/// write path of every create and update. Types whose `encode(to:)` interleaves nested containers (which a
/// stream cannot express) fall back to the tree encoder.
struct JSONStreamEncoder {
    /// A value that must be encoded through the tree encoder.
    struct NeedsTree: Error {}

    /// The value as compact JSON, with `prefix` members (already JSON values) written first when it is an object.
    static func encode(_ value: some Encodable, prefix: [(String, JSONValue)] = []) throws -> [UInt8] {
        let sink = StreamSink()
        sink.writer.bytes.reserveCapacity(1024)
        do {
            try sink.write(value, prefix: prefix)
            return sink.writer.bytes
        } catch is NeedsTree {
            guard case .object(var object) = try JSONValueEncoder().encode(value) else {
                return try JSONValueEncoder().encode(value).serialized()
            }
            for (key, member) in prefix.reversed() { object.prepend(key, member) }
            return JSONValue.object(object).serialized()
        }
    }
}

/// The shared output of one stream encoding.
final class StreamSink {
    var writer = JSONWriter(capacity: 0)

    /// Writes one value. Scalars are recognised by comparing metatypes (a pointer comparison), not by dynamic
    /// casts: this runs for every field of every object written.
    func write<T: Encodable>(_ value: T, prefix: [(String, JSONValue)] = []) throws {
        if let scalar = JSONScalar(value) {
            scalar.write(to: &writer)
        } else if T.self == JSONValue.self {
            writer.write(unsafeBitCast(value, to: JSONValue.self))
        } else if T.self == [String: String].self {
            let map = unsafeBitCast(value, to: [String: String].self)
            writer.bytes.append(UInt8(ascii: "{"))
            var first = true
            for key in map.keys.sorted() {
                if !first { writer.bytes.append(UInt8(ascii: ",")) }
                first = false
                writer.writeString(key)
                writer.bytes.append(UInt8(ascii: ":"))
                writer.writeString(map[key]!)
            }
            writer.bytes.append(UInt8(ascii: "}"))
        } else if T.self is any StreamSortedKeysEncodable.Type, let map = value as? any StreamSortedKeysEncodable {
            try map.streamSorted(into: self)
        } else {
            let encoder = StreamEncoder(sink: self, prefix: prefix)
            try value.encode(to: encoder)
            encoder.finish()
        }
    }
}

/// A value of one of the standard scalar types, recognised by metatype.
enum JSONScalar {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case double(Double)

    init?<T>(_ value: T) {
        if T.self == String.self {
            self = .string(unsafeBitCast(value, to: String.self))
        } else if T.self == Int32.self {
            self = .integer(Int64(unsafeBitCast(value, to: Int32.self)))
        } else if T.self == Int64.self {
            self = .integer(unsafeBitCast(value, to: Int64.self))
        } else if T.self == Int.self {
            self = .integer(Int64(unsafeBitCast(value, to: Int.self)))
        } else if T.self == Bool.self {
            self = .bool(unsafeBitCast(value, to: Bool.self))
        } else if T.self == Double.self {
            self = .double(unsafeBitCast(value, to: Double.self))
        } else if T.self == Float.self {
            self = .double(Double(unsafeBitCast(value, to: Float.self)))
        } else if T.self == Int8.self {
            self = .integer(Int64(unsafeBitCast(value, to: Int8.self)))
        } else if T.self == Int16.self {
            self = .integer(Int64(unsafeBitCast(value, to: Int16.self)))
        } else if T.self == UInt8.self {
            self = .integer(Int64(unsafeBitCast(value, to: UInt8.self)))
        } else if T.self == UInt16.self {
            self = .integer(Int64(unsafeBitCast(value, to: UInt16.self)))
        } else if T.self == UInt32.self {
            self = .integer(Int64(unsafeBitCast(value, to: UInt32.self)))
        } else if T.self == UInt.self {
            self = Self.unsigned(UInt64(unsafeBitCast(value, to: UInt.self)))
        } else if T.self == UInt64.self {
            self = Self.unsigned(unsafeBitCast(value, to: UInt64.self))
        } else {
            return nil
        }
    }

    /// Unsigned values beyond Int64 become doubles, as the tree encoder writes them.
    static func unsigned(_ value: UInt64) -> JSONScalar {
        value <= UInt64(Int64.max) ? .integer(Int64(value)) : .double(Double(value))
    }

    var jsonValue: JSONValue {
        switch self {
        case .string(let text): .string(text)
        case .integer(let number): .int(number)
        case .bool(let flag): .bool(flag)
        case .double(let number): .double(number)
        }
    }

    func write(to writer: inout JSONWriter) {
        switch self {
        case .string(let text): writer.writeString(text)
        case .integer(let number): writer.writeInteger(number)
        case .bool(let flag): writer.append(flag ? "true" : "false")
        case .double(let number): writer.writeDouble(number)
        }
    }
}

/// String-keyed dictionaries stream their members in sorted key order.
protocol StreamSortedKeysEncodable {
    func streamSorted(into sink: StreamSink) throws
}

extension Dictionary: StreamSortedKeysEncodable where Key == String, Value: Encodable {
    func streamSorted(into sink: StreamSink) throws {
        sink.writer.bytes.append(UInt8(ascii: "{"))
        var first = true
        for key in keys.sorted() {
            if !first { sink.writer.bytes.append(UInt8(ascii: ",")) }
            first = false
            sink.writer.writeString(key)
            sink.writer.bytes.append(UInt8(ascii: ":"))
            try sink.write(self[key]!)
        }
        sink.writer.bytes.append(UInt8(ascii: "}"))
    }
}

/// One `encode(to:)` call writing to the sink: it opens at most one container, which ``finish()`` closes.
final class StreamEncoder: Encoder {
    enum Opened {
        case none
        case object(memberCount: Int)
        case array(count: Int)
        case single
    }

    let sink: StreamSink
    let prefix: [(String, JSONValue)]
    var opened = Opened.none
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(sink: StreamSink, prefix: [(String, JSONValue)] = []) {
        self.sink = sink
        self.prefix = prefix
    }

    func finish() {
        switch opened {
        case .none: sink.writer.append("{}")
        case .object: sink.writer.bytes.append(UInt8(ascii: "}"))
        case .array: sink.writer.bytes.append(UInt8(ascii: "]"))
        case .single: break
        }
    }

    func beginMember(_ key: String) {
        guard case .object(let count) = opened else { return }
        if count > 0 { sink.writer.bytes.append(UInt8(ascii: ",")) }
        opened = .object(memberCount: count + 1)
        sink.writer.writeString(key)
        sink.writer.bytes.append(UInt8(ascii: ":"))
    }

    func beginElement() {
        guard case .array(let count) = opened else { return }
        if count > 0 { sink.writer.bytes.append(UInt8(ascii: ",")) }
        opened = .array(count: count + 1)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .none = opened {
            sink.writer.bytes.append(UInt8(ascii: "{"))
            opened = .object(memberCount: 0)
            for (key, value) in prefix {
                beginMember(key)
                sink.writer.write(value)
            }
        }
        return KeyedEncodingContainer(StreamKeyedEncoder<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .none = opened {
            sink.writer.bytes.append(UInt8(ascii: "["))
            opened = .array(count: 0)
        }
        return StreamUnkeyedEncoder(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        StreamSingleEncoder(encoder: self)
    }
}

private struct StreamKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: StreamEncoder
    var codingPath: [any CodingKey] { [] }
    var writer: StreamSink { encoder.sink }

    mutating func encodeNil(forKey key: Key) throws {
        encoder.beginMember(key.stringValue)
        writer.writer.append("null")
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        encoder.beginMember(key.stringValue)
        writer.writer.append(value ? "true" : "false")
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        encoder.beginMember(key.stringValue)
        writer.writer.writeString(value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        encoder.beginMember(key.stringValue)
        writer.writer.writeDouble(value)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        encoder.beginMember(key.stringValue)
        writer.writer.writeInteger(Int64(value))
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        encoder.beginMember(key.stringValue)
        writer.writer.writeInteger(Int64(value))
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        encoder.beginMember(key.stringValue)
        writer.writer.writeInteger(value)
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        encoder.beginMember(key.stringValue)
        try writer.write(value)
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        guard let value else { return }
        try encode(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        guard let value else { return }
        try encode(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws {
        guard let value else { return }
        try encode(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
        guard let value else { return }
        try encode(value, forKey: key)
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        guard let value else { return }
        try encode(value, forKey: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(FailingKeyed<NestedKey>())
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { FailingUnkeyed() }
    mutating func superEncoder() -> any Encoder { FailingEncoder() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { FailingEncoder() }
}

private struct StreamUnkeyedEncoder: UnkeyedEncodingContainer {
    let encoder: StreamEncoder
    var codingPath: [any CodingKey] { [] }
    var count: Int {
        if case .array(let count) = encoder.opened { return count }
        return 0
    }

    mutating func encodeNil() throws {
        encoder.beginElement()
        encoder.sink.writer.append("null")
    }
    mutating func encode(_ value: String) throws {
        encoder.beginElement()
        encoder.sink.writer.writeString(value)
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.beginElement()
        try encoder.sink.write(value)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        KeyedEncodingContainer(FailingKeyed<NestedKey>())
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { FailingUnkeyed() }
    mutating func superEncoder() -> any Encoder { FailingEncoder() }
}

private struct StreamSingleEncoder: SingleValueEncodingContainer {
    let encoder: StreamEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws {
        encoder.opened = .single
        encoder.sink.writer.append("null")
    }
    mutating func encode(_ value: String) throws {
        encoder.opened = .single
        encoder.sink.writer.writeString(value)
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.opened = .single
        try encoder.sink.write(value)
    }
}

/// Containers a stream cannot express: every use fails with ``JSONStreamEncoder/NeedsTree``.
private struct FailingKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil(forKey key: Key) throws { throw JSONStreamEncoder.NeedsTree() }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { throw JSONStreamEncoder.NeedsTree() }
    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(FailingKeyed<NestedKey>())
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { FailingUnkeyed() }
    mutating func superEncoder() -> any Encoder { FailingEncoder() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { FailingEncoder() }
}

private struct FailingUnkeyed: UnkeyedEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    var count: Int { 0 }
    mutating func encodeNil() throws { throw JSONStreamEncoder.NeedsTree() }
    mutating func encode<T: Encodable>(_ value: T) throws { throw JSONStreamEncoder.NeedsTree() }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        KeyedEncodingContainer(FailingKeyed<NestedKey>())
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { FailingUnkeyed() }
    mutating func superEncoder() -> any Encoder { FailingEncoder() }
}

private struct FailingEncoder: Encoder {
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(FailingKeyed<Key>())
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { FailingUnkeyed() }
    func singleValueContainer() -> any SingleValueEncodingContainer { FailingSingle() }
}

private struct FailingSingle: SingleValueEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil() throws { throw JSONStreamEncoder.NeedsTree() }
    mutating func encode<T: Encodable>(_ value: T) throws { throw JSONStreamEncoder.NeedsTree() }
}
