import Store

/// Converts between objects, their JSON trees and the bytes kept in the store. The store holds an object
/// without its resourceVersion; reads set it from the key's modification revision.
struct ObjectCodec: Sendable {
    let type: ResourceType

    var descriptor: ResourceDescriptor { type.descriptor }

    /// The object as a JSON tree with `kind` and `apiVersion` first, in the order Kubernetes writes them.
    func tree(_ object: any APIObject) throws(APIError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONValueEncoder().encode(object)
        } catch {
            throw APIError.internalError("encoding \(descriptor.kind): \(error)")
        }
        guard case .object(var tree) = value else { throw APIError.internalError("\(descriptor.kind) is not an object") }
        tree.prepend("apiVersion", .string(descriptor.apiVersion))
        tree.prepend("kind", .string(descriptor.kind))
        return tree
    }

    /// The bytes to store for an object: its JSON without `metadata.resourceVersion`, written in one pass.
    func storedBytes(_ object: any APIObject) throws(APIError) -> [UInt8] {
        var object = object
        object.metadata.resourceVersion = ""
        do {
            return try JSONStreamEncoder.encode(object,
                prefix: [("kind", .string(descriptor.kind)), ("apiVersion", .string(descriptor.apiVersion))])
        } catch {
            throw APIError.internalError("encoding \(descriptor.kind): \(error)")
        }
    }

    /// The bytes to store: the tree without `metadata.resourceVersion`.
    func storedBytes(_ tree: JSONObject) -> [UInt8] {
        var tree = tree
        if case .object(var metadata)? = tree["metadata"], metadata["resourceVersion"] != nil {
            metadata["resourceVersion"] = nil
            tree["metadata"] = .object(metadata)
        }
        return JSONValue.object(tree).serialized()
    }

    /// Decodes a request body's JSON tree into an object of this type. `apiVersion` and `kind`, when present,
    /// must name this type. Unknown fields are an error under strict field validation.
    func decodeRequest(_ value: JSONValue, validation: RequestContext.FieldValidation) throws(APIError) -> any APIObject {
        guard case .object(let object) = value else {
            throw APIError.badRequest("the request body must be a JSON object, not \(value.typeName)")
        }
        if let apiVersion = object["apiVersion"], apiVersion != .string(descriptor.apiVersion) {
            throw APIError.badRequest(
                "the API version in the data (\(apiVersion.selectorText ?? apiVersion.jsonString)) does not match the "
                    + "expected API version (\(descriptor.apiVersion))")
        }
        if let kind = object["kind"], kind != .string(descriptor.kind) {
            throw APIError.badRequest(
                "the kind in the data (\(kind.selectorText ?? kind.jsonString)) does not match the expected kind "
                    + "(\(descriptor.kind))")
        }
        let collector = validation == .strict && type.objectType != DynamicObject.self ? UnknownFieldCollector() : nil
        let decoded: any APIObject
        do {
            decoded = try type.decode(value, collector)
        } catch {
            throw APIError.badRequest("\(descriptor.kind) in version \"\(descriptor.version)\" cannot be handled as a "
                + "\(descriptor.kind): \(Self.describe(error))")
        }
        if let collector {
            let unknown = collector.unknownFields.filter { $0 != "apiVersion" && $0 != "kind" }
            if !unknown.isEmpty {
                throw APIError.badRequest("strict decoding error: "
                    + unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", "))
            }
        }
        if var dynamic = decoded as? DynamicObject {
            dynamic.content["apiVersion"] = .string(descriptor.apiVersion)
            dynamic.content["kind"] = .string(descriptor.kind)
            if case .object = dynamic.content["metadata"] ?? .object(JSONObject()) {} else {
                throw APIError.badRequest("metadata must be an object")
            }
            return dynamic
        }
        return decoded
    }

    /// Decodes a stored key-value into an object whose resourceVersion is the key's modification revision.
    func decodeStored(_ kv: KeyValue) throws(APIError) -> any APIObject {
        try decodeStored(kv.value, key: kv.key, revision: kv.modRevision)
    }

    func decodeStored(_ bytes: [UInt8], key: [UInt8], revision: Int64) throws(APIError) -> any APIObject {
        do {
            let value = try JSONValue(parsing: bytes)
            var object = try type.decode(value, nil)
            object.metadata.resourceVersion = String(revision)
            return object
        } catch {
            throw APIError.internalError("stored object \(String(decoding: key, as: UTF8.self)) cannot be decoded: \(error)")
        }
    }

    /// An object decoded from a JSON tree the server built (a patch result, a status merge).
    func decodeTree(_ tree: JSONObject) throws(APIError) -> any APIObject {
        do {
            return try type.decode(.object(tree), nil)
        } catch {
            throw APIError.invalid(kind: descriptor.kind, group: descriptor.group, name: "",
                errors: [FieldError(.typeInvalid, field: Self.path(of: error), detail: Self.describe(error))])
        }
    }

    static func path(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return "" }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
            .dataCorrupted(let context):
            return UnknownFieldCollector.render(context.codingPath)
        @unknown default: return ""
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = UnknownFieldCollector.render(context.codingPath)
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            let path = UnknownFieldCollector.render(context.codingPath + [key])
            return "\(path): missing required field"
        @unknown default: return "\(error)"
        }
    }
}
