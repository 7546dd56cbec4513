/// Checks that a node has room for the pod's requests, and ranks nodes by how much of their allocatable
/// the pod would use (kube-scheduler's `NodeResourcesFit`).
///
/// - PreFilter computes the pod's effective requests once (``PodInfo/requests``: containers, sidecars, init
///   containers, overhead).
/// - Filter: the node must hold one more pod ("Too many pods") and, for every resource the pod requests
///   (a resource it does not request is ignored), `request ≤ allocatable − requested`: CPU, memory,
///   ephemeral storage, and extended or other scalar resources (`nvidia.com/gpu`, `hugepages-2Mi`; a scalar
///   the node does not list counts as 0 allocatable). Every insufficient resource is listed in the reasons
///   ("Insufficient cpu", "Insufficient memory", "Insufficient nvidia.com/gpu", …; scalars by name) of an
///   `Unschedulable` status, since preemption can free room. Extended resources named in
///   `ignoredResources`, or whose prefix (before `/`) is in `ignoredResourceGroups`, are not checked.
/// - Score, by ``ScoringStrategy`` over the configured resources and weights (default cpu and memory,
///   weight 1 each), from the node's requests plus the pod's. CPU and memory use non-zero requests (a
///   container without a request counts 100m and 200 MiB) on both sides, as kube-scheduler does; other
///   resources use actual requests. A resource the node has no allocatable of is left out, and so is a
///   scalar resource the pod does not request. Per resource (integer division truncates):
///   - ``ScoringStrategy/leastAllocated``: `(allocatable − requested)·100/allocatable` (0 when over);
///   - ``ScoringStrategy/mostAllocated``: `min(requested, allocatable)·100/allocatable`;
///   - ``ScoringStrategy/requestedToCapacityRatio(shape:)``: the piecewise-linear shape (scores 0–10,
///     ×10) at utilisation `requested·100/allocatable` (100 when over);
///   then the weighted average: truncated for the first two, rounded (half away from zero) for
///   RequestedToCapacityRatio, which also leaves out resources scoring 0, as kube-scheduler does.
public struct NodeResourcesFit: PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
    /// Its PreFilter state does not depend on other pods: nothing to update when pods are added or removed.
    public var updatesStateOnPodChanges: Bool { false }
    public let name = "NodeResourcesFit"

    /// A resource to score and its weight (1–100).
    public struct ResourceSpec: Sendable, Hashable {
        public var name: String
        public var weight: Int64

        public init(name: String, weight: Int64 = 1) {
            self.name = name
            self.weight = weight
        }
    }

    /// A point of the RequestedToCapacityRatio shape: at `utilization` percent (0–100) the resource scores
    /// `score` (0–10).
    public struct UtilizationShapePoint: Sendable, Hashable {
        public var utilization: Int64
        public var score: Int64

        public init(utilization: Int64, score: Int64) {
            self.utilization = utilization
            self.score = score
        }
    }

    /// How nodes are ranked.
    public enum ScoringStrategy: Sendable, Hashable {
        /// Prefer the emptiest nodes (spreading; the default).
        case leastAllocated
        /// Prefer the fullest nodes (bin packing).
        case mostAllocated
        /// Score each resource's utilisation on a piecewise-linear shape.
        case requestedToCapacityRatio(shape: [UtilizationShapePoint] = NodeResourcesFit.defaultShape)
    }

    /// cpu and memory, weight 1 each.
    public static let defaultResources = [ResourceSpec(name: "cpu"), ResourceSpec(name: "memory")]
    /// `(0, 0), (100, 10)`: the score grows with utilisation (bin packing).
    public static let defaultShape = [
        UtilizationShapePoint(utilization: 0, score: 0), UtilizationShapePoint(utilization: 100, score: 10),
    ]
    /// The largest shape score (kube-scheduler's `MaxCustomPriorityScore`).
    public static let maxShapeScore: Int64 = 10

    public let scoringStrategy: ScoringStrategy
    public let resources: [ResourceSpec]
    public let ignoredResources: Set<String>
    public let ignoredResourceGroups: Set<String>
    let allocation: ResourceAllocationScorer
    /// The shape with scores scaled to 0–100.
    let scaledShape: [UtilizationShapePoint]

    /// LeastAllocated over cpu and memory.
    public init() {
        scoringStrategy = .leastAllocated
        resources = Self.defaultResources
        ignoredResources = []
        ignoredResourceGroups = []
        allocation = ResourceAllocationScorer(resources.map(\.name), weights: resources.map(\.weight), useRequested: false)
        scaledShape = []
    }

    /// - Parameters:
    ///   - resources: the scored resources; empty means ``defaultResources``; a weight of 0 means 1.
    /// - Throws: ``SchedulingError`` (`invalidProfile`) for a weight outside 1–100, an empty shape, shape
    ///   utilisations not strictly increasing within 0–100 or scores outside 0–10, or a resource group
    ///   containing `/`.
    public init(
        scoringStrategy: ScoringStrategy, resources: [ResourceSpec] = NodeResourcesFit.defaultResources,
        ignoredResources: Set<String> = [], ignoredResourceGroups: Set<String> = []
    ) throws(SchedulingError) {
        var specs = resources.isEmpty ? Self.defaultResources : resources
        for index in specs.indices {
            if specs[index].weight == 0 { specs[index].weight = 1 }
            guard (1...100).contains(specs[index].weight) else {
                throw SchedulingError(.invalidProfile,
                    "NodeResourcesFit: resource weight of \(specs[index].name) should be in range 1-100")
            }
        }
        var scaled: [UtilizationShapePoint] = []
        if case .requestedToCapacityRatio(let shape) = scoringStrategy {
            guard !shape.isEmpty else {
                throw SchedulingError(.invalidProfile, "NodeResourcesFit: at least one shape point is required")
            }
            for (index, point) in shape.enumerated() {
                guard (0...100).contains(point.utilization), (0...Self.maxShapeScore).contains(point.score) else {
                    throw SchedulingError(.invalidProfile,
                        "NodeResourcesFit: shape point \(index) must have utilization in 0-100 and score in 0-10")
                }
                if index > 0 && shape[index - 1].utilization >= point.utilization {
                    throw SchedulingError(.invalidProfile,
                        "NodeResourcesFit: shape utilization values must be sorted in increasing order")
                }
                scaled.append(UtilizationShapePoint(utilization: point.utilization,
                    score: point.score * (Framework.maxNodeScore / Self.maxShapeScore)))
            }
        }
        for group in ignoredResourceGroups where group.contains("/") {
            throw SchedulingError(.invalidProfile, "NodeResourcesFit: resource group name \(group) can't contain '/'")
        }
        self.scoringStrategy = scoringStrategy
        self.resources = specs
        self.ignoredResources = ignoredResources
        self.ignoredResourceGroups = ignoredResourceGroups
        allocation = ResourceAllocationScorer(specs.map(\.name), weights: specs.map(\.weight), useRequested: false)
        scaledShape = scaled
    }

    // MARK: Filter

    private struct PreFilterState: Sendable {
        var requests: Resource
        var requestsNothing: Bool
        /// Scalar resources to check: requested, not ignored, sorted by name, with their reason.
        var scalars: [(name: String, amount: Int64, reason: String)]
    }

    private func preFilterState(_ pod: PodInfo) -> PreFilterState {
        let requests = pod.requests
        var scalars: [(name: String, amount: Int64, reason: String)] = []
        for (name, amount) in requests.scalarResources where amount != 0 && !isIgnored(name) {
            scalars.append((name: name, amount: amount, reason: "Insufficient " + name))
        }
        scalars.sort { $0.name < $1.name }
        let nothing = requests.milliCPU == 0 && requests.memory == 0 && requests.ephemeralStorage == 0
            && requests.scalarResources.isEmpty
        return PreFilterState(requests: requests, requestsNothing: nothing, scalars: scalars)
    }

    /// Whether `name` is an extended resource (`domain/name` outside `kubernetes.io`) the profile ignores.
    private func isIgnored(_ name: String) -> Bool {
        guard !ignoredResources.isEmpty || !ignoredResourceGroups.isEmpty else { return false }
        guard let slash = name.firstIndex(of: "/"), !name.contains("kubernetes.io/"), !name.hasPrefix("requests.")
        else { return false }
        return ignoredResources.contains(name) || ignoredResourceGroups.contains(String(name[..<slash]))
    }

    public func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        state.write(preFilterState(pod))
        return (nil, .success)
    }

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        let fit = state.read(PreFilterState.self) ?? preFilterState(pod)
        var reasons: [String] = []
        if Int64(node.pods.count) + 1 > node.allocatable.allowedPodNumber { reasons.append("Too many pods") }
        if !fit.requestsNothing {
            let request = fit.requests
            let allocatable = node.allocatable
            let requested = node.requested
            if request.milliCPU > 0 && request.milliCPU > allocatable.milliCPU - requested.milliCPU {
                reasons.append("Insufficient cpu")
            }
            if request.memory > 0 && request.memory > allocatable.memory - requested.memory {
                reasons.append("Insufficient memory")
            }
            if request.ephemeralStorage > 0
                && request.ephemeralStorage > allocatable.ephemeralStorage - requested.ephemeralStorage
            {
                reasons.append("Insufficient ephemeral-storage")
            }
            for scalar in fit.scalars {
                let free = (allocatable.scalarResources[scalar.name] ?? 0) - (requested.scalarResources[scalar.name] ?? 0)
                if scalar.amount > free { reasons.append(scalar.reason) }
            }
        }
        return reasons.isEmpty ? .success : PluginStatus(.unschedulable, reasons)
    }

    public var clusterEvents: [ClusterEvent] {
        [
            ClusterEvent(.pod, [.delete, .updatePodScaleDown], label: "PodDelete|PodScaleDown"),
            ClusterEvent(.node, [.add, .updateNodeAllocatable], label: "NodeAdd|NodeAllocatableChange"),
        ]
    }

    // MARK: Score

    private struct PreScoreState: Sendable {
        /// The pod's request of each scored resource, in ``resources`` order.
        var podRequests: [Int64]
    }

    public func preScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus {
        state.write(PreScoreState(podRequests: allocation.podRequests(pod)))
        return .success
    }

    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> Int64 {
        let podRequests = state.read(PreScoreState.self)?.podRequests ?? allocation.podRequests(pod)
        var nodeScore: Int64 = 0
        var weightSum: Int64 = 0
        for index in podRequests.indices {
            let (allocatable, requested) = allocation.allocatableAndRequested(index, podRequests[index], node)
            guard allocatable != 0 else { continue }
            let score: Int64
            switch scoringStrategy {
            case .leastAllocated:
                score = requested > allocatable ? 0 : (allocatable - requested) * Framework.maxNodeScore / allocatable
            case .mostAllocated:
                score = min(requested, allocatable) * Framework.maxNodeScore / allocatable
            case .requestedToCapacityRatio:
                let utilization = requested > allocatable ? 100 : requested * 100 / allocatable
                score = Self.brokenLinear(scaledShape, utilization)
                // Resources scoring 0 on the shape do not count towards the average.
                guard score > 0 else { continue }
            }
            nodeScore += score * allocation.weights[index]
            weightSum += allocation.weights[index]
        }
        guard weightSum > 0 else { return 0 }
        // Least and most allocated truncate the weighted average; the ratio shape rounds it.
        if case .requestedToCapacityRatio = scoringStrategy {
            return Int64((Double(nodeScore) / Double(weightSum)).rounded())
        }
        return nodeScore / weightSum
    }

    /// The piecewise-linear function through `shape` at `x`: the first score left of the first point, the
    /// last score right of the last, linear (truncating) in between.
    static func brokenLinear(_ shape: [UtilizationShapePoint], _ x: Int64) -> Int64 {
        for index in shape.indices where x <= shape[index].utilization {
            guard index > 0 else { return shape[0].score }
            let left = shape[index - 1]
            let right = shape[index]
            return left.score + (right.score - left.score) * (x - left.utilization) / (right.utilization - left.utilization)
        }
        return shape.last?.score ?? 0
    }
}

/// What NodeResourcesFit's scoring and NodeResourcesBalancedAllocation share (kube-scheduler's
/// `resourceAllocationScorer`): the pod's request of each scored resource, and a node's allocatable and
/// requested amount of it with the pod added.
struct ResourceAllocationScorer: Sendable {
    enum Kind: Sendable, Hashable {
        case cpu
        case memory
        case ephemeralStorage
        /// `pods`: never scored (no pod requests it).
        case pods
        case scalar(String)
    }

    let kinds: [Kind]
    let weights: [Int64]
    /// Actual requests (BalancedAllocation), or non-zero requests for CPU and memory (Fit).
    let useRequested: Bool

    init(_ names: [String], weights: [Int64], useRequested: Bool) {
        kinds = names.map { name in
            switch name {
            case Resource.Name.cpu: .cpu
            case Resource.Name.memory: .memory
            case Resource.Name.ephemeralStorage: .ephemeralStorage
            case Resource.Name.pods: .pods
            default: .scalar(name)
            }
        }
        self.weights = weights
        self.useRequested = useRequested
    }

    /// The pod's request of each resource, in order.
    func podRequests(_ pod: PodInfo) -> [Int64] {
        let requests = useRequested ? pod.requests : pod.nonZeroRequests
        return kinds.map { kind in
            switch kind {
            case .cpu: requests.milliCPU
            case .memory: requests.memory
            case .ephemeralStorage: requests.ephemeralStorage
            case .pods: 0
            case .scalar(let name): requests.scalarResources[name] ?? 0
            }
        }
    }

    /// The node's allocatable amount of resource `index`, and its requested amount plus `podRequest`;
    /// (0, 0) when the resource is not scored on this node (a scalar the pod does not request or the node
    /// does not have).
    @inline(__always)
    func allocatableAndRequested(_ index: Int, _ podRequest: Int64, _ node: NodeInfo) -> (Int64, Int64) {
        switch kinds[index] {
        case .cpu:
            let requested = useRequested ? node.requested.milliCPU : node.nonZeroRequested.milliCPU
            return (node.allocatable.milliCPU, requested + podRequest)
        case .memory:
            let requested = useRequested ? node.requested.memory : node.nonZeroRequested.memory
            return (node.allocatable.memory, requested + podRequest)
        case .ephemeralStorage:
            return (node.allocatable.ephemeralStorage, node.requested.ephemeralStorage + podRequest)
        case .pods:
            return (0, 0)
        case .scalar(let name):
            guard podRequest != 0, let allocatable = node.allocatable.scalarResources[name] else { return (0, 0) }
            return (allocatable, (node.requested.scalarResources[name] ?? 0) + podRequest)
        }
    }
}
