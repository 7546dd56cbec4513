public import APIMachinery

/// Rejects cordoned nodes (`spec.unschedulable`) unless the pod tolerates the
/// `node.kubernetes.io/unschedulable:NoSchedule` taint (kube-scheduler's `NodeUnschedulable` Filter).
///
/// The rejection is `UnschedulableAndUnresolvable` ("node(s) were unschedulable"): evicting pods from a
/// cordoned node would not let the pod on. A node being added, a node's taints or unschedulable flag
/// changing (an `updateNodeTaint` event), or the pod's tolerations changing may help.
public struct NodeUnschedulable: FilterPlugin, EnqueueExtensions {
    public let name = "NodeUnschedulable"

    /// The taint a cordoned node is treated as having.
    public static let unschedulableTaint = Taint(key: "node.kubernetes.io/unschedulable", effect: "NoSchedule")
    static let rejection = PluginStatus(.unschedulableAndUnresolvable, "node(s) were unschedulable")

    public init() {}

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        guard node.isUnschedulable else { return .success }
        if case let tolerations = pod.tolerations, !tolerations.isEmpty,
            TaintToleration.tolerates(tolerations, Self.unschedulableTaint)
        {
            return .success
        }
        return Self.rejection
    }

    public var clusterEvents: [ClusterEvent] {
        [
            ClusterEvent(.node, [.add, .updateNodeTaint], label: "NodeAdd|NodeTaintChange"),
            ClusterEvent(.pod, .updatePodTolerations, label: "PodTolerationChange"),
        ]
    }
}
