/// Non-secret configuration data (core/v1 `ConfigMap`).
public struct ConfigMap: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    /// When true, `data` and `binaryData` can no longer change.
    public var immutable: Bool?
    public var data: [String: String]?
    /// Values are base64 text.
    public var binaryData: [String: String]?

    public init(
        metadata: ObjectMeta = ObjectMeta(), immutable: Bool? = nil, data: [String: String]? = nil,
        binaryData: [String: String]? = nil
    ) {
        self.metadata = metadata
        self.immutable = immutable
        self.data = data
        self.binaryData = binaryData
    }

    enum CodingKeys: String, CodingKey {
        case metadata, immutable, data, binaryData
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        immutable = try container.decodeIfPresent(Bool.self, forKey: .immutable)
        data = try container.decodeIfPresent([String: String].self, forKey: .data)
        binaryData = try container.decodeIfPresent([String: String].self, forKey: .binaryData)
    }
}
