/// Restricts a pod that names a node in `spec.nodeName` to that node (kube-scheduler's `NodeName` Filter).
///
/// PreFilter narrows the node set to the named node (and skips the plugin for pods that name none), so a
/// large cluster is not filtered node by node; Filter rejects any other node with
/// `UnschedulableAndUnresolvable` ("node(s) didn't match the requested node name"). Only a node being added
/// may help.
public struct NodeName: PreFilterPlugin, FilterPlugin, EnqueueExtensions {
    /// Its PreFilter state does not depend on other pods: nothing to update when pods are added or removed.
    public var updatesStateOnPodChanges: Bool { false }
    public let name = "NodeName"

    static let rejection = PluginStatus(.unschedulableAndUnresolvable, "node(s) didn't match the requested node name")

    public init() {}

    public func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        let nodeName = pod.nodeName
        guard !nodeName.isEmpty else { return (nil, .skip) }
        return (PreFilterResult(nodeNames: [nodeName]), .success)
    }

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        let nodeName = pod.nodeName
        return nodeName.isEmpty || nodeName == node.name ? .success : Self.rejection
    }

    public var clusterEvents: [ClusterEvent] { [ClusterEvent(.node, .add, label: "NodeAdd")] }
}
