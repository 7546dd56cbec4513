/// Rejects nodes where a host port the pod asks for is already taken (kube-scheduler's `NodePorts`).
///
/// PreFilter skips the plugin for pods without host ports (most pods), so their Filter never runs; the
/// pod's host ports themselves are computed once, with the ``PodInfo``. Two host ports conflict when
/// protocol and port are equal and the addresses are equal or either is the wildcard (`0.0.0.0` or empty).
/// A conflict is `Unschedulable` ("node(s) didn't have free ports for the requested pod ports"): preempting
/// the pod holding the port can help. A pod being deleted or a node being added may help.
public struct NodePorts: PreFilterPlugin, FilterPlugin, EnqueueExtensions {
    /// Its PreFilter state does not depend on other pods: nothing to update when pods are added or removed.
    public var updatesStateOnPodChanges: Bool { false }
    public let name = "NodePorts"

    static let rejection = PluginStatus(.unschedulable, "node(s) didn't have free ports for the requested pod ports")

    public init() {}

    public func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        pod.hostPorts.isEmpty ? (nil, .skip) : (nil, .success)
    }

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        if node.usedPorts.isEmpty { return .success }
        for port in pod.hostPorts where node.portConflicts(port) { return Self.rejection }
        return .success
    }

    public var clusterEvents: [ClusterEvent] {
        [ClusterEvent(.pod, .delete, label: "PodDelete"), ClusterEvent(.node, .add, label: "NodeAdd")]
    }
}
