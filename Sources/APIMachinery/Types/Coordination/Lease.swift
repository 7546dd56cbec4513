/// A lease for leader election and node heartbeats (coordination.k8s.io/v1 `Lease`).
public struct Lease: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var spec: LeaseSpec?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: LeaseSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey {
        case metadata, spec
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(LeaseSpec.self, forKey: .spec)
    }
}

/// Who holds a lease and until when.
public struct LeaseSpec: Sendable, Hashable, Codable {
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int32?
    public var acquireTime: MicroTime?
    public var renewTime: MicroTime?
    public var leaseTransitions: Int32?
    public var strategy: String?
    public var preferredHolder: String?

    public init(
        holderIdentity: String? = nil, leaseDurationSeconds: Int32? = nil, acquireTime: MicroTime? = nil,
        renewTime: MicroTime? = nil, leaseTransitions: Int32? = nil, strategy: String? = nil,
        preferredHolder: String? = nil
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
        self.strategy = strategy
        self.preferredHolder = preferredHolder
    }
}
