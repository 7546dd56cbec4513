/// Bounds voluntary disruption of a set of pods (policy/v1 `PodDisruptionBudget`).
public struct PodDisruptionBudget: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var spec: PodDisruptionBudgetSpec?
    public var status: PodDisruptionBudgetStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: PodDisruptionBudgetSpec? = nil,
        status: PodDisruptionBudgetStatus? = nil
    ) {
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
        spec = try container.decodeIfPresent(PodDisruptionBudgetSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(PodDisruptionBudgetStatus.self, forKey: .status)
    }
}

/// The budget: at most one of `minAvailable` and `maxUnavailable`.
public struct PodDisruptionBudgetSpec: Sendable, Hashable, Codable {
    public var minAvailable: IntOrString?
    public var selector: LabelSelector?
    public var maxUnavailable: IntOrString?
    public var unhealthyPodEvictionPolicy: String?

    public init(
        minAvailable: IntOrString? = nil, selector: LabelSelector? = nil, maxUnavailable: IntOrString? = nil,
        unhealthyPodEvictionPolicy: String? = nil
    ) {
        self.minAvailable = minAvailable
        self.selector = selector
        self.maxUnavailable = maxUnavailable
        self.unhealthyPodEvictionPolicy = unhealthyPodEvictionPolicy
    }
}

/// What is observed about a budget.
public struct PodDisruptionBudgetStatus: Sendable, Hashable, Codable {
    public var observedGeneration: Int64?
    public var disruptedPods: [String: Time]?
    public var disruptionsAllowed: Int32?
    public var currentHealthy: Int32?
    public var desiredHealthy: Int32?
    public var expectedPods: Int32?
    public var conditions: [Condition]?

    public init(
        observedGeneration: Int64? = nil, disruptedPods: [String: Time]? = nil, disruptionsAllowed: Int32? = nil,
        currentHealthy: Int32? = nil, desiredHealthy: Int32? = nil, expectedPods: Int32? = nil,
        conditions: [Condition]? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.disruptedPods = disruptedPods
        self.disruptionsAllowed = disruptionsAllowed
        self.currentHealthy = currentHealthy
        self.desiredHealthy = desiredHealthy
        self.expectedPods = expectedPods
        self.conditions = conditions
    }
}
