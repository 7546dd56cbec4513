/// A group of containers scheduled together onto a node (core/v1 `Pod`).
public struct Pod: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var spec: PodSpec?
    public var status: PodStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec? = nil, status: PodStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case metadata, spec, status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(PodSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(PodStatus.self, forKey: .status)
    }
}
