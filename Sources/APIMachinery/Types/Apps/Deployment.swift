/// Declarative rollouts of a pod template through ReplicaSets (apps/v1 `Deployment`).
///
/// `metadata`, `spec` and `status` live in one shared copy-on-write box: a copy is one
/// reference, and copies share their members until one of them is mutated. Equality, hashing and JSON
/// are by value.
public struct Deployment: Sendable, Hashable, Codable {
    var storage: CopyOnWrite<ObjectParts<DeploymentSpec, DeploymentStatus>>

    public var metadata: ObjectMeta {
        _read { yield storage.value.metadata }
        _modify { yield &storage.value.metadata }
    }

    public var spec: DeploymentSpec? {
        _read { yield storage.value.spec }
        _modify { yield &storage.value.spec }
    }

    public var status: DeploymentStatus? {
        _read { yield storage.value.status }
        _modify { yield &storage.value.status }
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: DeploymentSpec? = nil, status: DeploymentStatus? = nil) {
        storage = CopyOnWrite(ObjectParts(metadata: metadata, spec: spec, status: status))
    }

    public init(from decoder: any Decoder) throws {
        storage = CopyOnWrite(try ObjectParts(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try storage.value.encode(to: encoder)
    }

    public static func == (lhs: Deployment, rhs: Deployment) -> Bool { lhs.storage == rhs.storage }

    public func hash(into hasher: inout Hasher) { storage.hash(into: &hasher) }
}

/// The desired state of a deployment.
public struct DeploymentSpec: Sendable, Hashable, Codable {
    public var replicas: Int32?
    public var selector: LabelSelector?
    public var template: PodTemplateSpec?
    public var strategy: DeploymentStrategy?
    public var minReadySeconds: Int32?
    public var revisionHistoryLimit: Int32?
    public var paused: Bool?
    public var progressDeadlineSeconds: Int32?

    public init(
        replicas: Int32? = nil, selector: LabelSelector? = nil, template: PodTemplateSpec? = nil,
        strategy: DeploymentStrategy? = nil, minReadySeconds: Int32? = nil, revisionHistoryLimit: Int32? = nil,
        paused: Bool? = nil, progressDeadlineSeconds: Int32? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.strategy = strategy
        self.minReadySeconds = minReadySeconds
        self.revisionHistoryLimit = revisionHistoryLimit
        self.paused = paused
        self.progressDeadlineSeconds = progressDeadlineSeconds
    }
}

/// How old pods are replaced by new ones.
public struct DeploymentStrategy: Sendable, Hashable, Codable {
    /// `RollingUpdate` (default) or `Recreate`.
    public var type: String?
    public var rollingUpdate: RollingUpdateDeployment?

    public init(type: String? = nil, rollingUpdate: RollingUpdateDeployment? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

/// Rolling-update bounds, absolute or percentages of the desired replicas.
public struct RollingUpdateDeployment: Sendable, Hashable, Codable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?

    public init(maxUnavailable: IntOrString? = nil, maxSurge: IntOrString? = nil) {
        self.maxUnavailable = maxUnavailable
        self.maxSurge = maxSurge
    }
}

/// What is observed about a deployment.
public struct DeploymentStatus: Sendable, Hashable, Codable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var updatedReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var unavailableReplicas: Int32?
    public var terminatingReplicas: Int32?
    public var conditions: [DeploymentCondition]?
    public var collisionCount: Int32?

    public init(
        observedGeneration: Int64? = nil, replicas: Int32? = nil, updatedReplicas: Int32? = nil,
        readyReplicas: Int32? = nil, availableReplicas: Int32? = nil, unavailableReplicas: Int32? = nil,
        terminatingReplicas: Int32? = nil, conditions: [DeploymentCondition]? = nil, collisionCount: Int32? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.unavailableReplicas = unavailableReplicas
        self.terminatingReplicas = terminatingReplicas
        self.conditions = conditions
        self.collisionCount = collisionCount
    }
}

/// One deployment condition (`Available`, `Progressing`, `ReplicaFailure`).
public struct DeploymentCondition: Sendable, Hashable, Codable {
    public var type: String?
    public var status: String?
    @NullEncoded public var lastUpdateTime: Time?
    @NullEncoded public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String? = nil, status: String? = nil, lastUpdateTime: Time? = nil, lastTransitionTime: Time? = nil,
        reason: String? = nil, message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastUpdateTime = lastUpdateTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
