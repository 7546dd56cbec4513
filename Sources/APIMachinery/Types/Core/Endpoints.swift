/// The addresses backing a service (core/v1 `Endpoints`).
public struct Endpoints: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var subsets: [EndpointSubset]?

    public init(metadata: ObjectMeta = ObjectMeta(), subsets: [EndpointSubset]? = nil) {
        self.metadata = metadata
        self.subsets = subsets
    }

    enum CodingKeys: String, CodingKey {
        case metadata, subsets
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        subsets = try container.decodeIfPresent([EndpointSubset].self, forKey: .subsets)
    }
}

/// Addresses that share a set of ports.
public struct EndpointSubset: Sendable, Hashable, Codable {
    public var addresses: [EndpointAddress]?
    public var notReadyAddresses: [EndpointAddress]?
    public var ports: [EndpointPort]?

    public init(
        addresses: [EndpointAddress]? = nil, notReadyAddresses: [EndpointAddress]? = nil, ports: [EndpointPort]? = nil
    ) {
        self.addresses = addresses
        self.notReadyAddresses = notReadyAddresses
        self.ports = ports
    }
}

/// One endpoint address.
public struct EndpointAddress: Sendable, Hashable, Codable {
    public var ip: String?
    public var hostname: String?
    public var nodeName: String?
    public var targetRef: ObjectReference?

    public init(
        ip: String? = nil, hostname: String? = nil, nodeName: String? = nil, targetRef: ObjectReference? = nil
    ) {
        self.ip = ip
        self.hostname = hostname
        self.nodeName = nodeName
        self.targetRef = targetRef
    }
}

/// One endpoint port.
public struct EndpointPort: Sendable, Hashable, Codable {
    public var name: String?
    public var port: Int32?
    public var `protocol`: String?
    public var appProtocol: String?

    public init(name: String? = nil, port: Int32? = nil, protocol: String? = nil, appProtocol: String? = nil) {
        self.name = name
        self.port = port
        self.protocol = `protocol`
        self.appProtocol = appProtocol
    }
}
