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

    func write<T: Encodable>(_ value: T, prefix: [(String, JSONValue)] = []) throws {
        switch value {
        case let string as String: writer.writeString(string)
        case let number as Int: writer.writeInteger(Int64(number))
        case let number as Int64: writer.writeInteger(number)
        case let number as Int32: writer.writeInteger(Int64(number))
        case let flag as Bool: writer.append(flag ? "true" : "false")
        case let json as JSONValue: writer.write(json)
        case let number as Double: writer.writeDouble(number)
        case let number as Float: writer.writeDouble(Double(number))
        case let number as Int8: writer.writeInteger(Int64(number))
        case let number as Int16: writer.writeInteger(Int64(number))
        case let number as UInt8: writer.writeInteger(Int64(number))
        case let number as UInt16: writer.writeInteger(Int64(number))
        case let number as UInt32: writer.writeInteger(Int64(number))
        case let number as UInt: writer.writeInteger(Int64(bitPattern: UInt64(number)))
        case let number as UInt64: writer.writeInteger(Int64(bitPattern: number))
        case let map as [String: String]:
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
        case let map as any StreamSortedKeysEncodable: try map.streamSorted(into: self)
        default:
            let encoder = StreamEncoder(sink: self, prefix: prefix)
            try value.encode(to: encoder)
            encoder.finish()
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
