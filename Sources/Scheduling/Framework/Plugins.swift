
/// A scheduling plugin: implement the extension-point protocols it takes part in. Filter and Score run in
/// parallel across nodes, so plugins are `Sendable` and keep per-pod data in the ``CycleState``.
public protocol SchedulerPlugin: Sendable {
    /// The plugin's name in profiles, statuses and events (kube-scheduler's names for the default plugins).
    var name: String { get }
}

/// Decides whether a pod may enter the active queue at all (scheduling gates). Runs under the queue's lock,
/// as in kube-scheduler: it must be quick and must not call back into the scheduler.
public protocol PreEnqueuePlugin: SchedulerPlugin {
    /// Success to enqueue; anything else keeps the pod waiting in the unschedulable pool.
    func preEnqueue(_ pod: PodInfo) -> PluginStatus
}

/// Orders the active queue. A profile has at most one (priority, then arrival, without). Runs under the
/// queue's lock: it must be quick and must not call back into the scheduler.
public protocol QueueSortPlugin: SchedulerPlugin {
    func less(_ lhs: QueuedPodInfo, _ rhs: QueuedPodInfo) -> Bool
}

/// What PreFilter may narrow the node set to.
public struct PreFilterResult: Sendable, Hashable {
    /// Only these nodes can fit; nil means every node.
    public var nodeNames: Set<String>?

    public init(nodeNames: Set<String>?) {
        self.nodeNames = nodeNames
    }

    /// The intersection of two results (nil is everything).
    func merge(_ other: PreFilterResult?) -> PreFilterResult {
        guard let otherNames = other?.nodeNames else { return self }
        guard let nodeNames else { return PreFilterResult(nodeNames: otherNames) }
        return PreFilterResult(nodeNames: nodeNames.intersection(otherNames))
    }
}

/// Computes per-pod data once per cycle, may narrow the node set, or skips the plugin's Filter for this pod.
public protocol PreFilterPlugin: SchedulerPlugin {
    /// Whether ``addPod(_:_:adding:to:)`` and ``removePod(_:_:removing:from:)`` change the cycle state.
    var updatesStateOnPodChanges: Bool { get }
    /// `nodes` is every node of the snapshot. Return ``PluginStatus/skip`` to skip this plugin's Filter.
    func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus)
    /// Preemption simulates adding `added` to `node`: update what PreFilter stored.
    func addPod(_ state: CycleState, _ pod: PodInfo, adding added: PodInfo, to node: NodeInfo) -> PluginStatus
    /// Preemption simulates removing `removed` from `node`: update what PreFilter stored.
    func removePod(_ state: CycleState, _ pod: PodInfo, removing removed: PodInfo, from node: NodeInfo) -> PluginStatus
}

extension PreFilterPlugin {
    /// Whether ``addPod(_:_:adding:to:)`` and ``removePod(_:_:removing:from:)`` change the cycle state. When
    /// no plugin active in a cycle does, filtering with nominated pods (and preemption's dry runs) need not
    /// clone the state. Plugins that implement those two must leave this `true`.
    public var updatesStateOnPodChanges: Bool { true }

    public func addPod(_ state: CycleState, _ pod: PodInfo, adding added: PodInfo, to node: NodeInfo) -> PluginStatus {
        .success
    }

    public func removePod(_ state: CycleState, _ pod: PodInfo, removing removed: PodInfo, from node: NodeInfo)
        -> PluginStatus
    {
        .success
    }
}

/// Whether the pod can run on one node: success, or unschedulable / unresolvable with reasons.
public protocol FilterPlugin: SchedulerPlugin {
    func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus
}

/// Runs when no node passed the filters (preemption). May nominate a node for the pod.
public protocol PostFilterPlugin: SchedulerPlugin {
    /// `statuses` holds each node's filter status (nodes not evaluated are absent).
    func postFilter(_ state: CycleState, _ pod: PodInfo, _ statuses: [String: PluginStatus], _ handle: SchedulingHandle)
        async -> PostFilterResult
}

/// What PostFilter achieved.
public struct PostFilterResult: Sendable, Hashable {
    /// The node the pod should get once victims are gone.
    public var nominatedNodeName: String?
    public var status: PluginStatus

    public init(nominatedNodeName: String? = nil, status: PluginStatus) {
        self.nominatedNodeName = nominatedNodeName
        self.status = status
    }
}

/// Computes per-pod data for scoring over the feasible nodes, or skips the plugin's Score for this pod.
public protocol PreScorePlugin: SchedulerPlugin {
    func preScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus
}

/// Ranks feasible nodes. Raw scores go through ``normalize(_:_:_:)``, must end in [0, 100], and are then
/// multiplied by the plugin's weight.
public protocol ScorePlugin: SchedulerPlugin {
    func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> Int64
    /// Whether ``normalize(_:_:_:)`` does anything (skips the call when not).
    var normalizesScores: Bool { get }
    /// Rescales the raw scores of every feasible node, in place, into [0, 100].
    func normalize(_ state: CycleState, _ pod: PodInfo, _ scores: inout [NodeScore]) -> PluginStatus
}

extension ScorePlugin {
    public var normalizesScores: Bool { false }
    public func normalize(_ state: CycleState, _ pod: PodInfo, _ scores: inout [NodeScore]) -> PluginStatus { .success }
}

/// A node's score from one plugin.
public struct NodeScore: Sendable, Hashable {
    public var name: String
    public var score: Int64

    public init(name: String, score: Int64) {
        self.name = name
        self.score = score
    }
}

/// Claims (and releases) resources for a pod once a node is chosen, before binding.
public protocol ReservePlugin: SchedulerPlugin {
    func reserve(_ state: CycleState, _ pod: PodInfo, nodeName: String) -> PluginStatus
    /// Undoes ``reserve(_:_:nodeName:)`` after any later failure. Must be idempotent.
    func unreserve(_ state: CycleState, _ pod: PodInfo, nodeName: String)
}

/// Approves, denies or delays binding (gang scheduling waits here).
public protocol PermitPlugin: SchedulerPlugin {
    /// Success, a rejection, or ``PluginStatus/Code/wait`` with the longest time to wait for an approval.
    func permit(_ state: CycleState, _ pod: PodInfo, nodeName: String, _ handle: SchedulingHandle)
        -> (status: PluginStatus, timeout: Duration)
}

/// Work before binding (volumes, …); a failure aborts the binding.
public protocol PreBindPlugin: SchedulerPlugin {
    func preBind(_ state: CycleState, _ pod: PodInfo, nodeName: String, _ handle: SchedulingHandle) async -> PluginStatus
}

/// Binds the pod. Binders are tried in order until one does not answer ``PluginStatus/skip``.
public protocol BindPlugin: SchedulerPlugin {
    func bind(_ state: CycleState, _ pod: PodInfo, nodeName: String, _ handle: SchedulingHandle) async -> PluginStatus
}

/// Informational, after a successful binding.
public protocol PostBindPlugin: SchedulerPlugin {
    func postBind(_ state: CycleState, _ pod: PodInfo, nodeName: String) async
}

/// The cluster events after which a pod this plugin rejected may fit (so the queue moves it back only then).
public protocol EnqueueExtensions: SchedulerPlugin {
    var clusterEvents: [ClusterEvent] { get }
}
