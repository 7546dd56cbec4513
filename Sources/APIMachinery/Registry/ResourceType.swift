/// A registered type's behaviour, with its Swift type erased: what the registry needs to decode, default,
/// validate and select objects of it.
struct ResourceType: Sendable {
    let descriptor: ResourceDescriptor
    let objectType: any APIObject.Type
    let decode: @Sendable (JSONValue, UnknownFieldCollector?) throws -> any APIObject
    let applyDefaults: @Sendable (any APIObject) -> any APIObject
    let validate: @Sendable (any APIObject) -> [FieldError]
    let validateUpdate: @Sendable (any APIObject, any APIObject) -> [FieldError]
    let fieldValue: @Sendable (any APIObject, String) -> String?
    let strategicMergeSchema: StrategicMergeSchema?
    /// The OpenAPI v3 schema of a dynamic type, when its registrant gave one.
    let openAPISchema: JSONValue?

    static func typed<R: Resource>(_ type: R.Type) -> ResourceType {
        ResourceType(
            descriptor: R.descriptor,
            objectType: R.self,
            decode: { value, collector in try JSONValueDecoder().decode(R.self, from: value, unknownFields: collector) },
            applyDefaults: { object in
                guard var typed = object as? R else { return object }
                typed.applyDefaults()
                return typed
            },
            validate: { object in (object as? R)?.validate() ?? [] },
            validateUpdate: { new, old in
                guard let new = new as? R, let old = old as? R else { return [] }
                return new.validateUpdate(from: old)
            },
            fieldValue: { object, path in (object as? R)?.fieldValue(path) },
            strategicMergeSchema: R.strategicMergeSchema.map { StrategicMergeSchema.objectMeta.merging($0) },
            openAPISchema: nil
        )
    }

    static func dynamic(_ descriptor: ResourceDescriptor, schema: JSONValue?) -> ResourceType {
        ResourceType(
            descriptor: descriptor,
            objectType: DynamicObject.self,
            decode: { value, _ in
                guard case .object(let object) = value else {
                    throw DecodingError.typeMismatch(
                        JSONObject.self, .init(codingPath: [], debugDescription: "expected an object")
                    )
                }
                return DynamicObject(content: object)
            },
            applyDefaults: { $0 },
            validate: { _ in [] },
            validateUpdate: { _, _ in [] },
            fieldValue: { object, path in
                guard let dynamic = object as? DynamicObject else { return nil }
                return JSONValue.object(dynamic.content).value(atPath: path).flatMap(\.selectorText)
            },
            strategicMergeSchema: nil,
            openAPISchema: schema
        )
    }
}

extension JSONValue {
    /// A scalar as field selectors compare it (`true`, `3`, `Running`).
    var selectorText: String? {
        switch self {
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .double(let number): number.description
        case .null: ""
        default: nil
        }
    }
}
