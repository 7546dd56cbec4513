/// Node affinity and inter-pod (anti-)affinity scheduling rules.
public struct Affinity: Sendable, Hashable, Codable {
    public var nodeAffinity: NodeAffinity?
    public var podAffinity: PodAffinity?
    public var podAntiAffinity: PodAntiAffinity?

    public init(
        nodeAffinity: NodeAffinity? = nil, podAffinity: PodAffinity? = nil, podAntiAffinity: PodAntiAffinity? = nil
    ) {
        self.nodeAffinity = nodeAffinity
        self.podAffinity = podAffinity
        self.podAntiAffinity = podAntiAffinity
    }
}

/// Which nodes a pod must or would rather run on.
public struct NodeAffinity: Sendable, Hashable, Codable {
    public var requiredDuringSchedulingIgnoredDuringExecution: NodeSelector?
    public var preferredDuringSchedulingIgnoredDuringExecution: [PreferredSchedulingTerm]?

    public init(
        requiredDuringSchedulingIgnoredDuringExecution: NodeSelector? = nil,
        preferredDuringSchedulingIgnoredDuringExecution: [PreferredSchedulingTerm]? = nil
    ) {
        self.requiredDuringSchedulingIgnoredDuringExecution = requiredDuringSchedulingIgnoredDuringExecution
        self.preferredDuringSchedulingIgnoredDuringExecution = preferredDuringSchedulingIgnoredDuringExecution
    }
}

/// Node selector terms, ORed.
public struct NodeSelector: Sendable, Hashable, Codable {
    public var nodeSelectorTerms: [NodeSelectorTerm]?

    public init(nodeSelectorTerms: [NodeSelectorTerm]? = nil) {
        self.nodeSelectorTerms = nodeSelectorTerms
    }
}

/// Requirements on a node's labels and fields, ANDed.
public struct NodeSelectorTerm: Sendable, Hashable, Codable {
    public var matchExpressions: [NodeSelectorRequirement]?
    public var matchFields: [NodeSelectorRequirement]?

    public init(matchExpressions: [NodeSelectorRequirement]? = nil, matchFields: [NodeSelectorRequirement]? = nil) {
        self.matchExpressions = matchExpressions
        self.matchFields = matchFields
    }
}

/// One requirement: `key` `operator` `values`.
public struct NodeSelectorRequirement: Sendable, Hashable, Codable {
    public var key: String?
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt` or `Lt`.
    public var `operator`: String?
    public var values: [String]?

    public init(key: String? = nil, operator: String? = nil, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}

/// A weighted node preference.
public struct PreferredSchedulingTerm: Sendable, Hashable, Codable {
    public var weight: Int32?
    public var preference: NodeSelectorTerm?

    public init(weight: Int32? = nil, preference: NodeSelectorTerm? = nil) {
        self.weight = weight
        self.preference = preference
    }
}

/// Pods this pod must or would rather run near.
public struct PodAffinity: Sendable, Hashable, Codable {
    public var requiredDuringSchedulingIgnoredDuringExecution: [PodAffinityTerm]?
    public var preferredDuringSchedulingIgnoredDuringExecution: [WeightedPodAffinityTerm]?

    public init(
        requiredDuringSchedulingIgnoredDuringExecution: [PodAffinityTerm]? = nil,
        preferredDuringSchedulingIgnoredDuringExecution: [WeightedPodAffinityTerm]? = nil
    ) {
        self.requiredDuringSchedulingIgnoredDuringExecution = requiredDuringSchedulingIgnoredDuringExecution
        self.preferredDuringSchedulingIgnoredDuringExecution = preferredDuringSchedulingIgnoredDuringExecution
    }
}

/// Pods this pod must not or would rather not run near.
public struct PodAntiAffinity: Sendable, Hashable, Codable {
    public var requiredDuringSchedulingIgnoredDuringExecution: [PodAffinityTerm]?
    public var preferredDuringSchedulingIgnoredDuringExecution: [WeightedPodAffinityTerm]?

    public init(
        requiredDuringSchedulingIgnoredDuringExecution: [PodAffinityTerm]? = nil,
        preferredDuringSchedulingIgnoredDuringExecution: [WeightedPodAffinityTerm]? = nil
    ) {
        self.requiredDuringSchedulingIgnoredDuringExecution = requiredDuringSchedulingIgnoredDuringExecution
        self.preferredDuringSchedulingIgnoredDuringExecution = preferredDuringSchedulingIgnoredDuringExecution
    }
}

/// A set of pods, in some namespaces, and the topology domain "near" them means.
public struct PodAffinityTerm: Sendable, Hashable, Codable {
    public var labelSelector: LabelSelector?
    public var namespaces: [String]?
    public var topologyKey: String?
    public var namespaceSelector: LabelSelector?
    public var matchLabelKeys: [String]?
    public var mismatchLabelKeys: [String]?

    public init(
        labelSelector: LabelSelector? = nil, namespaces: [String]? = nil, topologyKey: String? = nil,
        namespaceSelector: LabelSelector? = nil, matchLabelKeys: [String]? = nil, mismatchLabelKeys: [String]? = nil
    ) {
        self.labelSelector = labelSelector
        self.namespaces = namespaces
        self.topologyKey = topologyKey
        self.namespaceSelector = namespaceSelector
        self.matchLabelKeys = matchLabelKeys
        self.mismatchLabelKeys = mismatchLabelKeys
    }
}

/// A weighted pod (anti-)affinity preference.
public struct WeightedPodAffinityTerm: Sendable, Hashable, Codable {
    public var weight: Int32?
    public var podAffinityTerm: PodAffinityTerm?

    public init(weight: Int32? = nil, podAffinityTerm: PodAffinityTerm? = nil) {
        self.weight = weight
        self.podAffinityTerm = podAffinityTerm
    }
}
