public import APIMachinery

/// Keeps pods off nodes whose taints they do not tolerate, and prefers nodes with fewer untolerated
/// `PreferNoSchedule` taints (kube-scheduler's `TaintToleration`).
///
/// - Filter: every `NoSchedule` and `NoExecute` taint of the node must be tolerated; the first one that is
///   not is named in the `UnschedulableAndUnresolvable` reason, as kube-scheduler writes it:
///   `node(s) had untolerated taint {key: value}`.
/// - Score: the number of the node's `PreferNoSchedule` taints not tolerated by the pod's tolerations whose
///   effect is `PreferNoSchedule` or empty; normalised reversed, `100 − 100·raw/max` (every node 100 when no
///   node has such a taint).
///
/// A toleration matches a taint when its effect is empty or equal, its key is empty or equal, and its
/// operator is `Exists`, or `Equal` (the default) with an equal value. An empty key with `Exists` tolerates
/// every taint.
public struct TaintToleration: FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
    public let name = "TaintToleration"

    public init() {}

    // MARK: Toleration matching

    /// Whether `toleration` tolerates `taint` (Kubernetes' `Toleration.ToleratesTaint`).
    public static func toleration(_ toleration: Toleration, tolerates taint: Taint) -> Bool {
        if let effect = toleration.effect, !effect.isEmpty, effect != (taint.effect ?? "") { return false }
        if let key = toleration.key, !key.isEmpty, key != (taint.key ?? "") { return false }
        switch toleration.operator ?? "" {
        case "", "Equal": return (toleration.value ?? "") == (taint.value ?? "")
        case "Exists": return true
        default: return false
        }
    }

    /// Whether any of `tolerations` tolerates `taint`.
    public static func tolerates(_ tolerations: [Toleration], _ taint: Taint) -> Bool {
        for candidate in tolerations where toleration(candidate, tolerates: taint) { return true }
        return false
    }

    // MARK: Filter

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        let taints = node.taints
        guard !taints.isEmpty else { return .success }
        let tolerations = pod.tolerations
        for taint in taints {
            let effect = taint.effect ?? ""
            guard effect == "NoSchedule" || effect == "NoExecute" else { continue }
            if !Self.tolerates(tolerations, taint) {
                return PluginStatus(.unschedulableAndUnresolvable,
                    "node(s) had untolerated taint {" + (taint.key ?? "") + ": " + (taint.value ?? "") + "}")
            }
        }
        return .success
    }

    public var clusterEvents: [ClusterEvent] {
        [
            ClusterEvent(.node, [.add, .updateNodeTaint], label: "NodeAdd|NodeTaintChange"),
            ClusterEvent(.pod, .updatePodTolerations, label: "PodTolerationChange"),
        ]
    }

    // MARK: Score

    /// The pod's tolerations that can tolerate a `PreferNoSchedule` taint.
    private struct PreScoreState: Sendable {
        var tolerations: [Toleration]
    }

    public func preScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus {
        state.write(PreScoreState(tolerations: Self.preferNoScheduleTolerations(pod)))
        return .success
    }

    static func preferNoScheduleTolerations(_ pod: PodInfo) -> [Toleration] {
        pod.tolerations.filter { toleration in
            let effect = toleration.effect ?? ""
            return effect.isEmpty || effect == "PreferNoSchedule"
        }
    }

    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> Int64 {
        let taints = node.taints
        guard !taints.isEmpty else { return 0 }
        let tolerations = state.read(PreScoreState.self)?.tolerations ?? Self.preferNoScheduleTolerations(pod)
        var count: Int64 = 0
        for taint in taints where taint.effect == "PreferNoSchedule" && !Self.tolerates(tolerations, taint) {
            count += 1
        }
        return count
    }

    public var normalizesScores: Bool { true }

    /// `100 − 100·raw/max`; every node 100 when the maximum is 0.
    public func normalize(_ state: CycleState, _ pod: PodInfo, _ scores: inout [NodeScore]) -> PluginStatus {
        var maximum: Int64 = 0
        for entry in scores where entry.score > maximum { maximum = entry.score }
        let top = Framework.maxNodeScore
        for index in scores.indices {
            scores[index].score = maximum == 0 ? top : top - top * scores[index].score / maximum
        }
        return .success
    }
}
