/// Pods with stable identities and storage (apps/v1 `StatefulSet`).
public struct StatefulSet: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var spec: StatefulSetSpec?
    public var status: StatefulSetStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: StatefulSetSpec? = nil, status: StatefulSetStatus? = nil) {
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
        spec = try container.decodeIfPresent(StatefulSetSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(StatefulSetStatus.self, forKey: .status)
    }
}

/// The desired state of a stateful set.
public struct StatefulSetSpec: Sendable, Hashable, Codable {
    public var replicas: Int32?
    public var selector: LabelSelector?
    public var template: PodTemplateSpec?
    public var volumeClaimTemplates: [PersistentVolumeClaim]?
    public var serviceName: String?
    /// `OrderedReady` (default) or `Parallel`.
    public var podManagementPolicy: String?
    public var updateStrategy: StatefulSetUpdateStrategy?
    public var revisionHistoryLimit: Int32?
    public var minReadySeconds: Int32?
    public var persistentVolumeClaimRetentionPolicy: StatefulSetPersistentVolumeClaimRetentionPolicy?
    public var ordinals: StatefulSetOrdinals?

    public init(
        replicas: Int32? = nil, selector: LabelSelector? = nil, template: PodTemplateSpec? = nil,
        volumeClaimTemplates: [PersistentVolumeClaim]? = nil, serviceName: String? = nil,
        podManagementPolicy: String? = nil, updateStrategy: StatefulSetUpdateStrategy? = nil,
        revisionHistoryLimit: Int32? = nil, minReadySeconds: Int32? = nil,
        persistentVolumeClaimRetentionPolicy: StatefulSetPersistentVolumeClaimRetentionPolicy? = nil,
        ordinals: StatefulSetOrdinals? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.volumeClaimTemplates = volumeClaimTemplates
        self.serviceName = serviceName
        self.podManagementPolicy = podManagementPolicy
        self.updateStrategy = updateStrategy
        self.revisionHistoryLimit = revisionHistoryLimit
        self.minReadySeconds = minReadySeconds
        self.persistentVolumeClaimRetentionPolicy = persistentVolumeClaimRetentionPolicy
        self.ordinals = ordinals
    }
}

/// How pods are updated when the template changes.
public struct StatefulSetUpdateStrategy: Sendable, Hashable, Codable {
    /// `RollingUpdate` (default) or `OnDelete`.
    public var type: String?
    public var rollingUpdate: RollingUpdateStatefulSetStrategy?

    public init(type: String? = nil, rollingUpdate: RollingUpdateStatefulSetStrategy? = nil) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

/// Rolling-update settings: ordinals below `partition` are left alone.
public struct RollingUpdateStatefulSetStrategy: Sendable, Hashable, Codable {
    public var partition: Int32?
    public var maxUnavailable: IntOrString?

    public init(partition: Int32? = nil, maxUnavailable: IntOrString? = nil) {
        self.partition = partition
        self.maxUnavailable = maxUnavailable
    }
}

/// What happens to claims when pods are deleted or scaled away.
public struct StatefulSetPersistentVolumeClaimRetentionPolicy: Sendable, Hashable, Codable {
    public var whenDeleted: String?
    public var whenScaled: String?

    public init(whenDeleted: String? = nil, whenScaled: String? = nil) {
        self.whenDeleted = whenDeleted
        self.whenScaled = whenScaled
    }
}

/// The first replica ordinal.
public struct StatefulSetOrdinals: Sendable, Hashable, Codable {
    public var start: Int32?

    public init(start: Int32? = nil) {
        self.start = start
    }
}

/// What is observed about a stateful set.
public struct StatefulSetStatus: Sendable, Hashable, Codable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var readyReplicas: Int32?
    public var currentReplicas: Int32?
    public var updatedReplicas: Int32?
    public var currentRevision: String?
    public var updateRevision: String?
    public var collisionCount: Int32?
    public var conditions: [StatefulSetCondition]?
    public var availableReplicas: Int32?

    public init(
        observedGeneration: Int64? = nil, replicas: Int32? = nil, readyReplicas: Int32? = nil,
        currentReplicas: Int32? = nil, updatedReplicas: Int32? = nil, currentRevision: String? = nil,
        updateRevision: String? = nil, collisionCount: Int32? = nil, conditions: [StatefulSetCondition]? = nil,
        availableReplicas: Int32? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.currentReplicas = currentReplicas
        self.updatedReplicas = updatedReplicas
        self.currentRevision = currentRevision
        self.updateRevision = updateRevision
        self.collisionCount = collisionCount
        self.conditions = conditions
        self.availableReplicas = availableReplicas
    }
}

/// One stateful set condition.
public struct StatefulSetCondition: Sendable, Hashable, Codable {
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
