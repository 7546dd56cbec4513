/// Builds OpenAPI v3 schemas from `Decodable` Swift types without any reflection metadata: it runs the type's
/// `init(from:)` against a recording `Decoder` whose keyed containers answer "absent" to `decodeIfPresent`
/// but note the key and the static type asked for, recursing into nested types the same way.
///
/// Strings, booleans, integers and floating-point numbers map to their OpenAPI types; arrays to `items`,
/// string-keyed dictionaries to `additionalProperties`, ``Time`` and ``MicroTime`` to `date-time` strings,
/// ``IntOrString`` and ``Quantity`` to `x-kubernetes-int-or-string`, ``JSONValue`` to
/// `x-kubernetes-preserve-unknown-fields`; ``ObjectMeta`` and ``ListMeta`` below the root are references to
/// their shared schemas. Recursive types stop at their second occurrence (as an open object). Lists and
/// objects named by a ``StrategicMergeSchema`` get `x-kubernetes-patch-strategy` / `-merge-key`, which
/// `kubectl apply` reads to build strategic merge patches.
final class SchemaRecorder {
    let merge: StrategicMergeSchema?
    private var inProgress: [ObjectIdentifier] = []
    static let maximumDepth = 48

    init(merge: StrategicMergeSchema?) { self.merge = merge }

    /// The schema of a type (its root is generated even when it is ``ObjectMeta`` or ``ListMeta``).
    /// - Parameter path: the dotted path of the value in its object, for patch strategies (`metadata`).
    func schema<T: Decodable>(of type: T.Type, path: String = "") -> JSONValue {
        record(type, path: path, root: true).schema
    }

    /// The schema of a type and, when one could be built, a placeholder value of it (what a non-optional
    /// member decodes to, so the enclosing `init(from:)` continues).
    func record<T: Decodable>(_ type: T.Type, path: String, root: Bool = false) -> (value: T?, schema: JSONValue) {
        if !root, let known = Self.known[ObjectIdentifier(type)] { return (known.zero as? T, known.schema) }
        if let optional = type as? any SchemaOptional.Type {
            return (try? T(from: EmptyDecoder()), recordAny(optional.wrappedSchemaType, path: path))
        }
        if let array = type as? any SchemaArray.Type {
            let items = recordAny(array.elementSchemaType, path: path)
            return (try? T(from: EmptyDecoder()), ["type": "array", "items": items])
        }
        if let dictionary = type as? any SchemaDictionary.Type {
            let values = recordAny(dictionary.valueSchemaType, path: path)
            return (try? T(from: EmptyDecoder()), ["type": "object", "additionalProperties": values])
        }
        let id = ObjectIdentifier(type)
        if inProgress.contains(id) || inProgress.count >= Self.maximumDepth {
            return (try? T(from: EmptyDecoder()), Self.openObject)
        }
        inProgress.append(id)
        defer { inProgress.removeLast() }
        let node = SchemaNode()
        var value = try? T(from: RecordingDecoder(recorder: self, node: node, path: path))
        if value == nil, let cases = type as? any CaseIterable.Type {
            value = Self.firstCase(of: cases) as? T
        }
        return (value, node.schema)
    }

    func recordAny(_ type: any Decodable.Type, path: String) -> JSONValue {
        func open<T: Decodable>(_ type: T.Type) -> JSONValue { record(type, path: path).schema }
        return open(type)
    }

    static func firstCase<C: CaseIterable>(of type: C.Type) -> Any? { type.allCases.first }

    /// Adds the patch strategy of the member at a path.
    func decorate(_ schema: JSONValue, path: String) -> JSONValue {
        guard let merge, case .object(var object) = schema else { return schema }
        if let key = merge.listMergeKeys[path] {
            object["x-kubernetes-patch-merge-key"] = .string(key)
            object["x-kubernetes-patch-strategy"] = "merge"
        } else if merge.mergedScalarLists.contains(path) {
            object["x-kubernetes-patch-strategy"] = "merge"
        } else if merge.replacedObjects.contains(path) {
            object["x-kubernetes-patch-strategy"] = "replace"
        } else {
            return schema
        }
        return .object(object)
    }

    static let openObject: JSONValue = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]

    /// A reference as Kubernetes writes one for a member (`allOf` around the `$ref`).
    static func reference(_ name: String) -> JSONValue {
        ["allOf": [["$ref": .string("#/components/schemas/\(name)")]]]
    }

    static let objectMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    static let listMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"

    /// Types with a fixed schema, and the placeholder they decode to.
    static let known: [ObjectIdentifier: (schema: JSONValue, zero: any Sendable)] = {
        let int32: JSONValue = ["type": "integer", "format": "int32"]
        let int64: JSONValue = ["type": "integer", "format": "int64"]
        let intOrString: JSONValue = ["x-kubernetes-int-or-string": true]
        let dateTime: JSONValue = ["type": "string", "format": "date-time"]
        var table: [ObjectIdentifier: (schema: JSONValue, zero: any Sendable)] = [:]
        func add<T: Sendable>(_ type: T.Type, _ schema: JSONValue, _ zero: T) {
            table[ObjectIdentifier(type)] = (schema, zero)
        }
        add(String.self, ["type": "string"], "")
        add(Bool.self, ["type": "boolean"], false)
        add(Int.self, int64, 0)
        add(Int64.self, int64, 0)
        add(UInt.self, int64, 0)
        add(UInt64.self, int64, 0)
        add(Int32.self, int32, 0)
        add(UInt32.self, int32, 0)
        add(Int16.self, int32, 0)
        add(UInt16.self, int32, 0)
        add(Int8.self, int32, 0)
        add(UInt8.self, int32, 0)
        add(Double.self, ["type": "number", "format": "double"], 0)
        add(Float.self, ["type": "number", "format": "float"], 0)
        add(Time.self, dateTime, Time(secondsSinceEpoch: 0))
        add(MicroTime.self, dateTime, MicroTime(microsecondsSinceEpoch: 0))
        add(IntOrString.self, intOrString, IntOrString.int(0))
        add(Quantity.self, intOrString, Quantity())
        add(JSONValue.self, ["x-kubernetes-preserve-unknown-fields": true], JSONValue.null)
        add(JSONObject.self, openObject, JSONObject())
        add(ObjectMeta.self, reference(objectMetaName), ObjectMeta())
        add(ListMeta.self, reference(listMetaName), ListMeta())
        return table
    }()
}

/// What one decoded value asked for.
final class SchemaNode {
    enum Member {
        case schema(JSONValue)
        /// A member read through a nested container (a hand-written `init(from:)`).
        case node(SchemaNode)
    }

    var members: [(name: String, member: Member)] = []
    var isObject = false
    var isArray = false
    var leaf: JSONValue?

    func add(_ name: String, _ member: Member) {
        isObject = true
        if !members.contains(where: { $0.name == name }) { members.append((name, member)) }
    }

    var schema: JSONValue {
        if isObject {
            var properties = JSONObject()
            for (name, member) in members {
                switch member {
                case .schema(let schema): properties[name] = schema
                case .node(let node): properties[name] = node.schema
                }
            }
            var object = JSONObject()
            object["type"] = "object"
            object["properties"] = .object(properties)
            return .object(object)
        }
        if let leaf { return leaf }
        if isArray { return ["type": "array", "items": SchemaRecorder.openObject] }
        return SchemaRecorder.openObject
    }
}

/// Lets the recorder see through `Optional`, `Array` and `Dictionary` to their element types.
protocol SchemaOptional { static var wrappedSchemaType: any Decodable.Type { get } }
protocol SchemaArray { static var elementSchemaType: any Decodable.Type { get } }
protocol SchemaDictionary { static var valueSchemaType: any Decodable.Type { get } }

extension Optional: SchemaOptional where Wrapped: Decodable {
    static var wrappedSchemaType: any Decodable.Type { Wrapped.self }
}

extension Array: SchemaArray where Element: Decodable {
    static var elementSchemaType: any Decodable.Type { Element.self }
}

extension Set: SchemaArray where Element: Decodable {
    static var elementSchemaType: any Decodable.Type { Element.self }
}

extension Dictionary: SchemaDictionary where Key == String, Value: Decodable {
    static var valueSchemaType: any Decodable.Type { Value.self }
}

private struct RecorderError: Error {}

/// The decoder handed to `init(from:)` while recording.
private final class RecordingDecoder: Decoder {
    let recorder: SchemaRecorder
    let node: SchemaNode
    let path: String
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(recorder: SchemaRecorder, node: SchemaNode, path: String) {
        self.recorder = recorder
        self.node = node
        self.path = path
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        node.isObject = true
        return KeyedDecodingContainer(RecordingKeyed<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        node.isArray = true
        return EmptyUnkeyed()
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { RecordingSingle(decoder: self) }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Records a member and returns its placeholder (nil when none could be built).
    func member<T: Decodable>(_ type: T.Type, key: String) -> T? {
        let memberPath = childPath(key)
        let (value, schema) = recorder.record(type, path: memberPath)
        node.add(key, .schema(recorder.decorate(schema, path: memberPath)))
        return value
    }
}

private struct RecordingKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let value = decoder.member(type, key: key.stringValue) else { throw RecorderError() }
        return value
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        _ = decoder.member(type, key: key.stringValue)
        return nil
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { child(key) }

    /// A decoder for a member read through a nested container; its node fills in as the caller reads.
    func child(_ key: Key) -> RecordingDecoder {
        let node = SchemaNode()
        decoder.node.add(key.stringValue, .node(node))
        return RecordingDecoder(recorder: decoder.recorder, node: node, path: decoder.childPath(key.stringValue))
    }
}

private struct RecordingSingle: SingleValueDecodingContainer {
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, schema) = decoder.recorder.record(type, path: decoder.path)
        if decoder.node.leaf == nil { decoder.node.leaf = schema }
        guard let value else { throw RecorderError() }
        return value
    }
}

/// A decoder of nothing: absent members, empty arrays and dictionaries, null single values.
private struct EmptyDecoder: Decoder {
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(EmptyKeyed<Key>())
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { EmptyUnkeyed() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { EmptySingle() }
}

private struct EmptyKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }
    func contains(_ key: Key) -> Bool { false }
    func decodeNil(forKey key: Key) throws -> Bool { true }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { throw RecorderError() }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { nil }
    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> { throw RecorderError() }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw RecorderError() }
    func superDecoder() throws -> any Decoder { EmptyDecoder() }
    func superDecoder(forKey key: Key) throws -> any Decoder { EmptyDecoder() }
}

private struct EmptyUnkeyed: UnkeyedDecodingContainer {
    var codingPath: [any CodingKey] { [] }
    var count: Int? { 0 }
    var isAtEnd: Bool { true }
    var currentIndex: Int { 0 }
    mutating func decodeNil() throws -> Bool { true }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { throw RecorderError() }
    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> { throw RecorderError() }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { throw RecorderError() }
    mutating func superDecoder() throws -> any Decoder { EmptyDecoder() }
}

private struct EmptySingle: SingleValueDecodingContainer {
    var codingPath: [any CodingKey] { [] }
    func decodeNil() -> Bool { true }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { throw RecorderError() }
}
