/// Keeps a number of identical pods running (apps/v1 `ReplicaSet`).
public struct ReplicaSet: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var spec: ReplicaSetSpec?
    public var status: ReplicaSetStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ReplicaSetSpec? = nil, status: ReplicaSetStatus? = nil) {
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
        spec = try container.decodeIfPresent(ReplicaSetSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(ReplicaSetStatus.self, forKey: .status)
    }
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
