import Testing

@testable import APIMachinery

/// Helpers for the built-in type tests: the registry's wire form and strict decoding.
enum BuiltinTypesSupport {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The object as the registry writes it: `kind`, `apiVersion`, then the type's own members.
    static func wireJSON<T: Resource>(_ value: T) throws -> String {
        JSONValue.object(try ObjectCodec(type: .typed(T.self)).tree(value)).jsonString
    }

    /// Decodes wire JSON, checking `apiVersion` and `kind` and that every other member was read.
    static func decode<T: Resource>(_ type: T.Type, _ json: String) throws -> T {
        guard case .object(var object) = try JSONValue(parsing: json) else {
            throw Failure(description: "not a JSON object")
        }
        #expect(object["apiVersion"]?.stringValue == T.descriptor.apiVersion)
        #expect(object["kind"]?.stringValue == T.descriptor.kind)
        object["apiVersion"] = nil
        object["kind"] = nil
        let collector = UnknownFieldCollector()
        let value = try JSONValueDecoder().decode(T.self, from: .object(object), unknownFields: collector)
        #expect(collector.unknownFields == [], "\(T.self) left members unread")
        return value
    }

    /// A quantity from its string form (through its wire format, whatever its Swift initialisers).
    static func quantity(_ text: String) -> Quantity {
        try! JSONValueDecoder().decode(Quantity.self, from: .string(text))
    }

    /// Quantities by resource name.
    static func resources(_ values: [String: String]) -> [String: Quantity] {
        values.mapValues(quantity)
    }

    /// A selector matching the given labels (through its wire format).
    static func selector(_ labels: [String: String]) -> LabelSelector {
        var object = JSONObject()
        for key in labels.keys.sorted() { object[key] = .string(labels[key]!) }
        return try! JSONValueDecoder().decode(LabelSelector.self, from: ["matchLabels": .object(object)])
    }

    /// A selector from its JSON text.
    static func selector(json: String) -> LabelSelector {
        try! JSONValueDecoder().decode(LabelSelector.self, from: try! JSONValue(parsing: json))
    }

    static func time(_ text: String) -> Time { Time(rfc3339: text)! }
    static func microTime(_ text: String) -> MicroTime { MicroTime(rfc3339: text)! }

    /// Field paths of errors, in order.
    static func fields(_ errors: [FieldError]) -> [String] { errors.map(\.field) }
}
