/// A worker machine (core/v1 `Node`), cluster-scoped.
///
/// `metadata`, `spec` and `status` live in one shared copy-on-write box: a copy is one
/// reference, and copies share their members until one of them is mutated. Equality, hashing and JSON
/// are by value.
public struct Node: Sendable, Hashable, Codable {
    var storage: CopyOnWrite<ObjectParts<NodeSpec, NodeStatus>>

    public var metadata: ObjectMeta {
        _read { yield storage.value.metadata }
        _modify { yield &storage.value.metadata }
    }

    public var spec: NodeSpec? {
        _read { yield storage.value.spec }
        _modify { yield &storage.value.spec }
    }

    public var status: NodeStatus? {
        _read { yield storage.value.status }
        _modify { yield &storage.value.status }
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: NodeSpec? = nil, status: NodeStatus? = nil) {
        storage = CopyOnWrite(ObjectParts(metadata: metadata, spec: spec, status: status))
    }

    public init(from decoder: any Decoder) throws {
        storage = CopyOnWrite(try ObjectParts(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try storage.value.encode(to: encoder)
    }

    public static func == (lhs: Node, rhs: Node) -> Bool { lhs.storage == rhs.storage }

    public func hash(into hasher: inout Hasher) { storage.hash(into: &hasher) }
}

/// How a node is configured.
public struct NodeSpec: Sendable, Hashable, Codable {
    public var podCIDR: String?
    public var podCIDRs: [String]?
    public var providerID: String?
    /// Cordoned: no new pods are scheduled.
    public var unschedulable: Bool?
    public var taints: [Taint]?
    public var externalID: String?

    public init(
        podCIDR: String? = nil, podCIDRs: [String]? = nil, providerID: String? = nil, unschedulable: Bool? = nil,
        taints: [Taint]? = nil, externalID: String? = nil
    ) {
        self.podCIDR = podCIDR
        self.podCIDRs = podCIDRs
        self.providerID = providerID
        self.unschedulable = unschedulable
        self.taints = taints
        self.externalID = externalID
    }
}

/// Repels pods that do not tolerate it.
public struct Taint: Sendable, Hashable, Codable {
    public var key: String?
    public var value: String?
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    public var effect: String?
    /// When a `NoExecute` taint was added.
    public var timeAdded: Time?

    public init(key: String? = nil, value: String? = nil, effect: String? = nil, timeAdded: Time? = nil) {
        self.key = key
        self.value = value
        self.effect = effect
        self.timeAdded = timeAdded
    }
}

/// What is observed about a node.
public struct NodeStatus: Sendable, Hashable, Codable {
    public var capacity: [String: Quantity]?
    public var allocatable: [String: Quantity]?
    public var phase: String?
    public var conditions: [NodeCondition]?
    public var addresses: [NodeAddress]?
    public var daemonEndpoints: NodeDaemonEndpoints?
    public var nodeInfo: NodeSystemInfo?
    public var images: [ContainerImage]?
    public var volumesInUse: [String]?
    public var volumesAttached: [AttachedVolume]?

    public init(
        capacity: [String: Quantity]? = nil, allocatable: [String: Quantity]? = nil, phase: String? = nil,
        conditions: [NodeCondition]? = nil, addresses: [NodeAddress]? = nil,
        daemonEndpoints: NodeDaemonEndpoints? = nil, nodeInfo: NodeSystemInfo? = nil,
        images: [ContainerImage]? = nil, volumesInUse: [String]? = nil, volumesAttached: [AttachedVolume]? = nil
    ) {
        self.capacity = capacity
        self.allocatable = allocatable
        self.phase = phase
        self.conditions = conditions
        self.addresses = addresses
        self.daemonEndpoints = daemonEndpoints
        self.nodeInfo = nodeInfo
        self.images = images
        self.volumesInUse = volumesInUse
        self.volumesAttached = volumesAttached
    }
}

/// One node condition (`Ready`, `MemoryPressure`, `DiskPressure`…).
public struct NodeCondition: Sendable, Hashable, Codable {
    public var type: String?
    public var status: String?
    @NullEncoded public var lastHeartbeatTime: Time?
    @NullEncoded public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String? = nil, status: String? = nil, lastHeartbeatTime: Time? = nil, lastTransitionTime: Time? = nil,
        reason: String? = nil, message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastHeartbeatTime = lastHeartbeatTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// One of a node's addresses.
public struct NodeAddress: Sendable, Hashable, Codable {
    /// `Hostname`, `InternalIP`, `ExternalIP`…
    public var type: String?
    public var address: String?

    public init(type: String? = nil, address: String? = nil) {
        self.type = type
        self.address = address
    }
}

/// Ports of daemons running on the node.
public struct NodeDaemonEndpoints: Sendable, Hashable, Codable {
    public var kubeletEndpoint: DaemonEndpoint?

    public init(kubeletEndpoint: DaemonEndpoint? = nil) {
        self.kubeletEndpoint = kubeletEndpoint
    }
}

/// A daemon's port (written `Port`, capitalised, as Kubernetes does).
public struct DaemonEndpoint: Sendable, Hashable, Codable {
    public var port: Int32?

    public init(port: Int32? = nil) {
        self.port = port
    }

    enum CodingKeys: String, CodingKey {
        case port = "Port"
    }
}

/// The node's software and hardware identity.
public struct NodeSystemInfo: Sendable, Hashable, Codable {
    public var machineID: String?
    public var systemUUID: String?
    public var bootID: String?
    public var kernelVersion: String?
    public var osImage: String?
    public var containerRuntimeVersion: String?
    public var kubeletVersion: String?
    public var kubeProxyVersion: String?
    public var operatingSystem: String?
    public var architecture: String?

    public init(
        machineID: String? = nil, systemUUID: String? = nil, bootID: String? = nil, kernelVersion: String? = nil,
        osImage: String? = nil, containerRuntimeVersion: String? = nil, kubeletVersion: String? = nil,
        kubeProxyVersion: String? = nil, operatingSystem: String? = nil, architecture: String? = nil
    ) {
        self.machineID = machineID
        self.systemUUID = systemUUID
        self.bootID = bootID
        self.kernelVersion = kernelVersion
        self.osImage = osImage
        self.containerRuntimeVersion = containerRuntimeVersion
        self.kubeletVersion = kubeletVersion
        self.kubeProxyVersion = kubeProxyVersion
        self.operatingSystem = operatingSystem
        self.architecture = architecture
    }
}

/// An image present on the node.
public struct ContainerImage: Sendable, Hashable, Codable {
    public var names: [String]?
    public var sizeBytes: Int64?

    public init(names: [String]? = nil, sizeBytes: Int64? = nil) {
        self.names = names
        self.sizeBytes = sizeBytes
    }
}

/// A volume attached to the node.
public struct AttachedVolume: Sendable, Hashable, Codable {
    public var name: String?
    public var devicePath: String?

    public init(name: String? = nil, devicePath: String? = nil) {
        self.name = name
        self.devicePath = devicePath
    }
}
