/// Where a pod should go, and what the cycle looked at.
public struct ScheduleResult: Sendable {
    public var suggestedHost: String
    /// Nodes filtered (feasible or not).
    public var evaluatedNodes: Int
    public var feasibleNodes: Int
    /// Total weighted score of every scored node, best first (empty when only one node was feasible).
    public var scores: [NodeScore]
}

/// No node fits the pod: kube-scheduler's `FitError`, with the per-node statuses its message summarises.
public struct FitError: Error, Sendable, CustomStringConvertible {
    public var pod: PodInfo
    public var numAllNodes: Int
    /// Each rejected node's status.
    public var statuses: [String: PluginStatus]
    /// A PreFilter rejection that ruled out every node at once.
    public var preFilterStatus: PluginStatus?
    /// What PostFilter (preemption) said, appended to the message.
    public var postFilterMessage: String?

    /// The plugins whose rejection made the pod unschedulable (the queue waits for events they registered).
    public var unschedulablePlugins: Set<String> {
        var plugins = Set(statuses.values.map(\.plugin).filter { !$0.isEmpty })
        if let plugin = preFilterStatus?.plugin, !plugin.isEmpty { plugins.insert(plugin) }
        return plugins
    }

    /// `0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {…}.` — reasons counted
    /// over nodes and sorted, as kube-scheduler writes them.
    public var description: String {
        var message: String
        if let preFilterStatus, statuses.isEmpty {
            message = "0/\(numAllNodes) nodes are available: \(preFilterStatus.message)."
        } else {
            var counts: [String: Int] = [:]
            for status in statuses.values {
                for reason in status.reasons { counts[reason, default: 0] += 1 }
            }
            let reasons = counts.map { "\($0.value) \($0.key)" }.sorted()
            message = "0/\(numAllNodes) nodes are available: \(reasons.joined(separator: ", "))."
        }
        if let postFilterMessage, !postFilterMessage.isEmpty { message += " " + postFilterMessage }
        return message
    }
}

/// How many feasible nodes to look for before scoring (kube-scheduler's `numFeasibleNodesToFind`): every
/// node below 100 nodes; else `percentage` (or the adaptive `max(50 − nodes/125, 5)` percent) of the nodes,
/// at least 100.
public func numberOfFeasibleNodesToFind(percentage: Int?, allNodes: Int) -> Int {
    let minimum = 100
    if allNodes < minimum { return allNodes }
    var percent = percentage ?? 0
    if percent >= 100 { return allNodes }
    if percent <= 0 { percent = max(50 - allNodes / 125, 5) }
    return max(allNodes * percent / 100, minimum)
}
