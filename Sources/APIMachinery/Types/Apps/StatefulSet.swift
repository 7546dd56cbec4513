/// Pods with stable identities and storage (apps/v1 `StatefulSet`).
///
/// `metadata`, `spec` and `status` live in one shared copy-on-write box: a copy is one
/// reference, and copies share their members until one of them is mutated. Equality, hashing and JSON
/// are by value.
public struct StatefulSet: Sendable, Hashable, Codable {
    var storage: CopyOnWrite<ObjectParts<StatefulSetSpec, StatefulSetStatus>>

    public var metadata: ObjectMeta {
        _read { yield storage.value.metadata }
        _modify { yield &storage.value.metadata }
    }

    public var spec: StatefulSetSpec? {
        _read { yield storage.value.spec }
        _modify { yield &storage.value.spec }
    }

    public var status: StatefulSetStatus? {
        _read { yield storage.value.status }
        _modify { yield &storage.value.status }
    }

    public init(metadata: ObjectMeta = ObjectMeta(), spec: StatefulSetSpec? = nil, status: StatefulSetStatus? = nil) {
        storage = CopyOnWrite(ObjectParts(metadata: metadata, spec: spec, status: status))
    }

    public init(from decoder: any Decoder) throws {
        storage = CopyOnWrite(try ObjectParts(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try storage.value.encode(to: encoder)
    }

    public static func == (lhs: StatefulSet, rhs: StatefulSet) -> Bool { lhs.storage == rhs.storage }

    public func hash(into hasher: inout Hasher) { storage.hash(into: &hasher) }
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
