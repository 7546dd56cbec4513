/// A request for storage (core/v1 `PersistentVolumeClaim`), the shape StatefulSet claim templates use.
/// `kind` and `apiVersion` (in Go's order) are kept because embedded templates may carry them.
public struct PersistentVolumeClaim: Sendable, Hashable, Codable {
    public var kind: String?
    public var apiVersion: String?
    public var metadata: ObjectMeta
    public var spec: PersistentVolumeClaimSpec?
    public var status: PersistentVolumeClaimStatus?

    public init(
        kind: String? = nil, apiVersion: String? = nil, metadata: ObjectMeta = ObjectMeta(),
        spec: PersistentVolumeClaimSpec? = nil, status: PersistentVolumeClaimStatus? = nil
    ) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case kind, apiVersion, metadata, spec, status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(PersistentVolumeClaimSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(PersistentVolumeClaimStatus.self, forKey: .status)
    }
}

/// What storage is requested.
public struct PersistentVolumeClaimSpec: Sendable, Hashable, Codable {
    public var accessModes: [String]?
    public var selector: LabelSelector?
    public var resources: VolumeResourceRequirements?
    public var volumeName: String?
    public var storageClassName: String?
    public var volumeMode: String?
    public var dataSource: TypedLocalObjectReference?

    public init(
        accessModes: [String]? = nil, selector: LabelSelector? = nil, resources: VolumeResourceRequirements? = nil,
        volumeName: String? = nil, storageClassName: String? = nil, volumeMode: String? = nil,
        dataSource: TypedLocalObjectReference? = nil
    ) {
        self.accessModes = accessModes
        self.selector = selector
        self.resources = resources
        self.volumeName = volumeName
        self.storageClassName = storageClassName
        self.volumeMode = volumeMode
        self.dataSource = dataSource
    }
}

/// Storage requested and its limit.
public struct VolumeResourceRequirements: Sendable, Hashable, Codable {
    public var limits: [String: Quantity]?
    public var requests: [String: Quantity]?

    public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
        self.limits = limits
        self.requests = requests
    }
}

/// What is observed about a claim.
public struct PersistentVolumeClaimStatus: Sendable, Hashable, Codable {
    public var phase: String?
    public var accessModes: [String]?
    public var capacity: [String: Quantity]?

    public init(phase: String? = nil, accessModes: [String]? = nil, capacity: [String: Quantity]? = nil) {
        self.phase = phase
        self.accessModes = accessModes
        self.capacity = capacity
    }
}
