extension Profile {
    /// kube-scheduler's default profile as far as this module ships its plugins: SchedulingGates,
    /// PrioritySort, NodeUnschedulable, NodeName, TaintToleration (score weight 3), NodeAffinity (2),
    /// NodePorts, NodeResourcesFit (1, LeastAllocated), PodTopologySpread (2), InterPodAffinity (2),
    /// NodeResourcesBalancedAllocation (1), ImageLocality (1), DefaultPreemption and DefaultBinder. `extra`
    /// plugins are appended (before the binder).
    public static func defaultProfile(
        schedulerName: String = Profile.defaultSchedulerName, extra: [any SchedulerPlugin] = [],
        weights: [String: Int64] = [:]
    ) -> Profile {
        var plugins: [any SchedulerPlugin] = [
            SchedulingGates(), PrioritySort(), NodeUnschedulable(), NodeName(), TaintToleration(), NodeAffinity(),
            NodePorts(), NodeResourcesFit(), PodTopologySpread(), InterPodAffinity(), NodeResourcesBalancedAllocation(),
            ImageLocality(), DefaultPreemption(),
        ]
        plugins += extra
        plugins.append(DefaultBinder())
        var scoreWeights: [String: Int64] = [
            "TaintToleration": 3, "NodeAffinity": 2, "NodeResourcesFit": 1, "NodeResourcesBalancedAllocation": 1,
            "ImageLocality": 1, "PodTopologySpread": 2, "InterPodAffinity": 2,
        ]
        for (name, weight) in weights { scoreWeights[name] = weight }
        return Profile(schedulerName: schedulerName, plugins: plugins, scoreWeights: scoreWeights)
    }
}
