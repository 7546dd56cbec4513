/// An object of any registered type as untyped JSON (`unstructured.Unstructured`), for dynamic clients
/// and custom types registered without a Swift type.
public struct DynamicObject: APIObject, Hashable {
    /// The whole object, `apiVersion` and `kind` included.
    public var content: JSONObject

    public init(content: JSONObject) { self.content = content }

    public init(apiVersion: String, kind: String, metadata: ObjectMeta, fields: JSONObject = JSONObject()) {
        var object = JSONObject()
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        object["metadata"] = (try? JSONValueEncoder().encode(metadata)) ?? .object(JSONObject())
        for (key, value) in fields where key != "metadata" { object[key] = value }
        content = object
    }

    public var apiVersion: String { content["apiVersion"]?.stringValue ?? "" }
    public var kind: String { content["kind"]?.stringValue ?? "" }

    /// The object's metadata, decoded from (and written back to) its `metadata` member.
    public var metadata: ObjectMeta {
        get {
            guard let value = content["metadata"] else { return ObjectMeta() }
            return (try? JSONValueDecoder().decode(ObjectMeta.self, from: value)) ?? ObjectMeta()
        }
        set { content["metadata"] = (try? JSONValueEncoder().encode(newValue)) ?? .object(JSONObject()) }
    }

    /// A top-level member (`spec`, `status`, `data`…).
    public subscript(key: String) -> JSONValue? {
        get { content[key] }
        set { content[key] = newValue }
    }

    public init(from decoder: any Decoder) throws {
        guard case .object(let object) = try JSONValue(from: decoder) else {
            throw DecodingError.typeMismatch(
                JSONObject.self, .init(codingPath: decoder.codingPath, debugDescription: "expected an object")
            )
        }
        content = object
    }

    public func encode(to encoder: any Encoder) throws { try JSONValue.object(content).encode(to: encoder) }
}
