/// Keeps a number of identical pods running (apps/v1 `ReplicaSet`).
///
/// `metadata`, `spec` and `status` live in one shared copy-on-write box: a copy is one
/// reference, and copies share their members until one of them is mutated. Equality, hashing and JSON
/// are by value.
public struct ReplicaSet: Sendable, Hashable, Codable {
    var storage: CopyOnWrite<ObjectParts<ReplicaSetSpec, ReplicaSetStatus>>

    public var metadata: ObjectMeta {
        _read { yield storage.value.metadata }
        _modify { yield &storage.value.metadata }
    }

    public var spec: ReplicaSetSpec? {
        _read { yield storage.value.spec }
        _modify { yield &storage.value.spec }
    }

    public var status: ReplicaSetStatus? {
        _read { yield storage.value.status }
        _modify { yield &storage.value.status }
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ReplicaSetSpec? = nil, status: ReplicaSetStatus? = nil) {
        storage = CopyOnWrite(ObjectParts(metadata: metadata, spec: spec, status: status))
    }

    public init(from decoder: any Decoder) throws {
        storage = CopyOnWrite(try ObjectParts(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try storage.value.encode(to: encoder)
    }

    public static func == (lhs: ReplicaSet, rhs: ReplicaSet) -> Bool { lhs.storage == rhs.storage }

    public func hash(into hasher: inout Hasher) { storage.hash(into: &hasher) }
}

/// The desired state of a replica set.
public struct ReplicaSetSpec: Sendable, Hashable, Codable {
    public var replicas: Int32?
    public var minReadySeconds: Int32?
    public var selector: LabelSelector?
    public var template: PodTemplateSpec?

    public init(
        replicas: Int32? = nil, minReadySeconds: Int32? = nil, selector: LabelSelector? = nil,
        template: PodTemplateSpec? = nil
    ) {
        self.replicas = replicas
        self.minReadySeconds = minReadySeconds
        self.selector = selector
        self.template = template
    }
}

/// What is observed about a replica set.
public struct ReplicaSetStatus: Sendable, Hashable, Codable {
    public var replicas: Int32?
    public var fullyLabeledReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var terminatingReplicas: Int32?
    public var observedGeneration: Int64?
    public var conditions: [ReplicaSetCondition]?

    public init(
        replicas: Int32? = nil, fullyLabeledReplicas: Int32? = nil, readyReplicas: Int32? = nil,
        availableReplicas: Int32? = nil, terminatingReplicas: Int32? = nil, observedGeneration: Int64? = nil,
        conditions: [ReplicaSetCondition]? = nil
    ) {
        self.replicas = replicas
        self.fullyLabeledReplicas = fullyLabeledReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.terminatingReplicas = terminatingReplicas
        self.observedGeneration = observedGeneration
        self.conditions = conditions
    }
}

/// One replica set condition (`ReplicaFailure`).
public struct ReplicaSetCondition: Sendable, Hashable, Codable {
    public var type: String?
    public var status: String?
    @NullEncoded public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String? = nil, status: String? = nil, lastTransitionTime: Time? = nil, reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
