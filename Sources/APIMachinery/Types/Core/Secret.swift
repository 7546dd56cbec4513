/// Sensitive data (core/v1 `Secret`).
public struct Secret: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var immutable: Bool?
    /// Values are base64 text.
    public var data: [String: String]?
    /// Write-only convenience: merged into `data` on write.
    public var stringData: [String: String]?
    /// `Opaque` by default.
    public var type: String?

    public init(
        metadata: ObjectMeta = ObjectMeta(), immutable: Bool? = nil, data: [String: String]? = nil,
        stringData: [String: String]? = nil, type: String? = nil
    ) {
        self.metadata = metadata
        self.immutable = immutable
        self.data = data
        self.stringData = stringData
        self.type = type
    }

    enum CodingKeys: String, CodingKey {
        case metadata, immutable, data, stringData, type
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        immutable = try container.decodeIfPresent(Bool.self, forKey: .immutable)
        data = try container.decodeIfPresent([String: String].self, forKey: .data)
        stringData = try container.decodeIfPresent([String: String].self, forKey: .stringData)
        type = try container.decodeIfPresent(String.self, forKey: .type)
    }
}
