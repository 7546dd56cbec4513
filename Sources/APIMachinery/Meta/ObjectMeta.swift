/// The metadata every persisted object has (`metav1.ObjectMeta`). Empty fields are omitted from JSON,
/// in the field order Kubernetes writes them.
public struct ObjectMeta: Sendable, Hashable, Codable {
    public var name: String
    /// A prefix the server completes with a random suffix when `name` is empty.
    public var generateName: String
    public var namespace: String
    public var selfLink: String
    public var uid: String
    /// The store's modification revision of this object, as a string; opaque to clients.
    public var resourceVersion: String
    /// Incremented when the desired state (anything outside `metadata` and `status`) changes.
    public var generation: Int64
    public var creationTimestamp: Time?
    /// Set when deletion was requested; the object stays while finalizers remain.
    public var deletionTimestamp: Time?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var ownerReferences: [OwnerReference]
    public var finalizers: [String]
    public var managedFields: [ManagedFieldsEntry]

    public init(
        name: String = "", generateName: String = "", namespace: String = "", selfLink: String = "",
        uid: String = "", resourceVersion: String = "", generation: Int64 = 0, creationTimestamp: Time? = nil,
        deletionTimestamp: Time? = nil, deletionGracePeriodSeconds: Int64? = nil, labels: [String: String] = [:],
        annotations: [String: String] = [:], ownerReferences: [OwnerReference] = [], finalizers: [String] = [],
        managedFields: [ManagedFieldsEntry] = []
    ) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.selfLink = selfLink
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
        self.managedFields = managedFields
    }

    enum CodingKeys: String, CodingKey {
        case name, generateName, namespace, selfLink, uid, resourceVersion, generation, creationTimestamp
        case deletionTimestamp, deletionGracePeriodSeconds, labels, annotations, ownerReferences, finalizers
        case managedFields
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        generateName = try container.decodeIfPresent(String.self, forKey: .generateName) ?? ""
        namespace = try container.decodeIfPresent(String.self, forKey: .namespace) ?? ""
        selfLink = try container.decodeIfPresent(String.self, forKey: .selfLink) ?? ""
        uid = try container.decodeIfPresent(String.self, forKey: .uid) ?? ""
        resourceVersion = try container.decodeIfPresent(String.self, forKey: .resourceVersion) ?? ""
        generation = try container.decodeIfPresent(Int64.self, forKey: .generation) ?? 0
        creationTimestamp = try container.decodeIfPresent(Time.self, forKey: .creationTimestamp)
        deletionTimestamp = try container.decodeIfPresent(Time.self, forKey: .deletionTimestamp)
        deletionGracePeriodSeconds = try container.decodeIfPresent(Int64.self, forKey: .deletionGracePeriodSeconds)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations) ?? [:]
        ownerReferences = try container.decodeIfPresent([OwnerReference].self, forKey: .ownerReferences) ?? []
        finalizers = try container.decodeIfPresent([String].self, forKey: .finalizers) ?? []
        managedFields = try container.decodeIfPresent([ManagedFieldsEntry].self, forKey: .managedFields) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !name.isEmpty { try container.encode(name, forKey: .name) }
        if !generateName.isEmpty { try container.encode(generateName, forKey: .generateName) }
        if !namespace.isEmpty { try container.encode(namespace, forKey: .namespace) }
        if !selfLink.isEmpty { try container.encode(selfLink, forKey: .selfLink) }
        if !uid.isEmpty { try container.encode(uid, forKey: .uid) }
        if !resourceVersion.isEmpty { try container.encode(resourceVersion, forKey: .resourceVersion) }
        if generation != 0 { try container.encode(generation, forKey: .generation) }
        // Go's metav1.Time is not omitempty: a zero creation time is written as null.
        if let creationTimestamp {
            try container.encode(creationTimestamp, forKey: .creationTimestamp)
        } else {
            try container.encodeNil(forKey: .creationTimestamp)
        }
        try container.encodeIfPresent(deletionTimestamp, forKey: .deletionTimestamp)
        try container.encodeIfPresent(deletionGracePeriodSeconds, forKey: .deletionGracePeriodSeconds)
        if !labels.isEmpty { try container.encode(labels, forKey: .labels) }
        if !annotations.isEmpty { try container.encode(annotations, forKey: .annotations) }
        if !ownerReferences.isEmpty { try container.encode(ownerReferences, forKey: .ownerReferences) }
        if !finalizers.isEmpty { try container.encode(finalizers, forKey: .finalizers) }
        if !managedFields.isEmpty { try container.encode(managedFields, forKey: .managedFields) }
    }

    /// The owner reference marked `controller: true`, if any.
    public var controllerReference: OwnerReference? { ownerReferences.first { $0.controller == true } }
}

/// A reference from a dependent to its owner, followed by the garbage collector.
public struct OwnerReference: Sendable, Hashable, Codable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(
        apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil,
        blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// Which manager last set which fields (server-side apply bookkeeping).
public struct ManagedFieldsEntry: Sendable, Hashable, Codable {
    public var manager: String?
    public var operation: String?
    public var apiVersion: String?
    public var time: Time?
    public var fieldsType: String?
    public var fieldsV1: JSONValue?
    public var subresource: String?

    public init(
        manager: String? = nil, operation: String? = nil, apiVersion: String? = nil, time: Time? = nil,
        fieldsType: String? = nil, fieldsV1: JSONValue? = nil, subresource: String? = nil
    ) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.fieldsType = fieldsType
        self.fieldsV1 = fieldsV1
        self.subresource = subresource
    }
}

/// List metadata: the collection's resourceVersion and the continuation token of a paged list.
public struct ListMeta: Sendable, Hashable, Codable {
    public var selfLink: String?
    public var resourceVersion: String?
    /// Opaque token for the next page; absent on the last page.
    public var `continue`: String?
    /// How many items remain after this page (an estimate), when known.
    public var remainingItemCount: Int64?

    public init(
        resourceVersion: String? = nil, continue: String? = nil, remainingItemCount: Int64? = nil
    ) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
        self.remainingItemCount = remainingItemCount
    }
}

/// `apiVersion` and `kind`, the two fields that name an object's schema on the wire.
public struct TypeMeta: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var kind: String?

    public init(apiVersion: String? = nil, kind: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
    }
}
