/// A reference to another object (core/v1 `ObjectReference`): event subjects, endpoint targets.
public struct ObjectReference: Sendable, Hashable, Codable {
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var apiVersion: String?
    public var resourceVersion: String?
    /// A path within the object, such as `spec.containers{nginx}`.
    public var fieldPath: String?

    public init(
        kind: String? = nil, namespace: String? = nil, name: String? = nil, uid: String? = nil,
        apiVersion: String? = nil, resourceVersion: String? = nil, fieldPath: String? = nil
    ) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.apiVersion = apiVersion
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }
}

/// A reference by name to an object in the same namespace.
public struct LocalObjectReference: Sendable, Hashable, Codable {
    public var name: String?

    public init(name: String? = nil) {
        self.name = name
    }
}

/// A reference to an object of a named kind in the same namespace.
public struct TypedLocalObjectReference: Sendable, Hashable, Codable {
    public var apiGroup: String?
    public var kind: String?
    public var name: String?

    public init(apiGroup: String? = nil, kind: String? = nil, name: String? = nil) {
        self.apiGroup = apiGroup
        self.kind = kind
        self.name = name
    }
}

/// A standard status condition (`metav1.Condition`).
public struct Condition: Sendable, Hashable, Codable {
    public var type: String?
    /// `True`, `False` or `Unknown`.
    public var status: String?
    public var observedGeneration: Int64?
    @NullEncoded public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String? = nil, status: String? = nil, observedGeneration: Int64? = nil,
        lastTransitionTime: Time? = nil, reason: String? = nil, message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
