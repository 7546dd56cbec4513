/// A value Go always writes, even when unset: a non-pointer `metav1.Time` (condition and event timestamps)
/// or a non-`omitempty` `MicroTime`. Go's `omitempty` does not apply to structs, so an unset time is written
/// as `null` (`"lastProbeTime":null`). Decoding accepts the member absent or `null`.
@propertyWrapper
public struct NullEncoded<Value: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}

extension KeyedDecodingContainer {
    /// An absent member decodes as unset rather than failing.
    public func decode<Value>(_ type: NullEncoded<Value>.Type, forKey key: Key) throws -> NullEncoded<Value> {
        NullEncoded(wrappedValue: try decodeIfPresent(Value.self, forKey: key))
    }
}
