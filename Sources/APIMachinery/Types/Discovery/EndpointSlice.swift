/// A slice of a service's endpoints (discovery.k8s.io/v1 `EndpointSlice`); it has no `spec`.
public struct EndpointSlice: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN`.
    public var addressType: String?
    public var endpoints: [EndpointSlice.Endpoint]?
    public var ports: [EndpointSlice.EndpointPort]?

    public init(
        metadata: ObjectMeta = ObjectMeta(), addressType: String? = nil, endpoints: [EndpointSlice.Endpoint]? = nil,
        ports: [EndpointSlice.EndpointPort]? = nil
    ) {
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    enum CodingKeys: String, CodingKey {
        case metadata, addressType, endpoints, ports
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        addressType = try container.decodeIfPresent(String.self, forKey: .addressType)
        endpoints = try container.decodeIfPresent([EndpointSlice.Endpoint].self, forKey: .endpoints)
        ports = try container.decodeIfPresent([EndpointSlice.EndpointPort].self, forKey: .ports)
    }
}
