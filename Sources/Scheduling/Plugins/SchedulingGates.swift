/// Keeps a pod out of the active queue while its `spec.schedulingGates` is not empty (kube-scheduler's
/// `SchedulingGates` PreEnqueue plugin).
///
/// A gated pod waits in the unschedulable pool with a pending status naming its gates, in Go's `%v` list
/// format (`waiting for scheduling gates: [example.com/quota example.com/gang]`); removing the last gate
/// (`UpdatePodSchedulingGatesEliminated`) moves it back.
public struct SchedulingGates: PreEnqueuePlugin, EnqueueExtensions {
    public let name = "SchedulingGates"

    public init() {}

    public func preEnqueue(_ pod: PodInfo) -> PluginStatus {
        guard let gates = pod.pod.spec?.schedulingGates, !gates.isEmpty else { return .success }
        var names = ""
        for gate in gates {
            if !names.isEmpty { names += " " }
            names += gate.name ?? ""
        }
        return PluginStatus(.pending, "waiting for scheduling gates: [" + names + "]")
    }

    public var clusterEvents: [ClusterEvent] {
        [ClusterEvent(.pod, .updatePodSchedulingGatesEliminated, label: "PodSchedulingGatesEliminated")]
    }
}
