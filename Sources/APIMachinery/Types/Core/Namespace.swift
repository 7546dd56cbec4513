/// A scope for names (core/v1 `Namespace`), cluster-scoped.
public struct Namespace: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var spec: NamespaceSpec?
    public var status: NamespaceStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: NamespaceSpec? = nil, status: NamespaceStatus? = nil) {
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
        spec = try container.decodeIfPresent(NamespaceSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(NamespaceStatus.self, forKey: .status)
    }
}

/// A namespace's finalizers.
public struct NamespaceSpec: Sendable, Hashable, Codable {
    /// `kubernetes` until its content is deleted.
    public var finalizers: [String]?

    public init(finalizers: [String]? = nil) {
        self.finalizers = finalizers
    }
}

/// A namespace's phase and conditions.
public struct NamespaceStatus: Sendable, Hashable, Codable {
    /// `Active` or `Terminating`.
    public var phase: String?
    public var conditions: [NamespaceCondition]?

    public init(phase: String? = nil, conditions: [NamespaceCondition]? = nil) {
        self.phase = phase
        self.conditions = conditions
    }
}

/// One namespace condition.
public struct NamespaceCondition: Sendable, Hashable, Codable {
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
