import Raft
import Synchronization

/// The filter-and-score part of a scheduling cycle (kube-scheduler's `schedulePod`): no API calls, so it can
/// run on a bare ``Snapshot`` (tests, what-if tools, the demo's worked example). Keeps the round-robin start
/// offset and the tie-break random source between cycles.
public final class SchedulingAlgorithm: Sendable {
    struct State {
        var nextStartNodeIndex = 0
        var random: SplitMix64
    }

    private let state: Mutex<State>
    /// Overrides every profile's percentage of nodes to score (nil: the profile's, else adaptive).
    public let percentageOfNodesToScore: Int?

    public init(percentageOfNodesToScore: Int? = nil, seed: UInt64? = nil) {
        var system = SystemRandomNumberGenerator()
        state = Mutex(State(random: SplitMix64(seed: seed ?? system.next())))
        self.percentageOfNodesToScore = percentageOfNodesToScore
    }

    /// Filters and scores `pod` on `snapshot` with `framework`; `nominated` holds the pods nominated to each
    /// node (read once per cycle, not once per node); `nominatedNode` is the node an earlier preemption
    /// promised the pod (default: its `status.nominatedNodeName`), tried first and alone.
    ///
    /// - Throws: ``FitError`` when no node fits; ``SchedulingError`` for an empty cluster or a plugin error.
    public func schedule(
        _ pod: PodInfo, framework: Framework, state cycle: CycleState, snapshot: Snapshot,
        nominated: [String: [PodInfo]] = [:], nominatedNode: String? = nil
    ) throws -> ScheduleResult {
        let all = snapshot.nodes
        guard !all.isEmpty else { throw SchedulingError(.noNodes, "no nodes available to schedule pods") }
        if let parseError = pod.parseError {
            throw FitError(pod: pod, numAllNodes: all.count, statuses: [:],
                preFilterStatus: PluginStatus(.unschedulableAndUnresolvable, "invalid affinity term: \(parseError)"))
        }
        cycle.write(SnapshotAffinityNodes(nodeCount: all.count, withAffinity: snapshot.nodesWithAffinityPods,
            withRequiredAntiAffinity: snapshot.nodesWithRequiredAntiAffinityPods))
        let (preFilterResult, preFilterStatus) = framework.runPreFilter(cycle, pod, all)
        guard preFilterStatus.isSuccess else {
            if preFilterStatus.code == .error {
                throw SchedulingError(.pluginFailed, "running PreFilter plugin \(preFilterStatus.plugin): \(preFilterStatus.message)")
            }
            throw FitError(pod: pod, numAllNodes: all.count, statuses: [:], preFilterStatus: preFilterStatus)
        }
        // A nominated node (from an earlier preemption) is tried first, alone.
        if let nominatedNode = nominatedNode ?? pod.pod.status?.nominatedNodeName, !nominatedNode.isEmpty,
            let node = snapshot[nominatedNode],
            preFilterResult?.nodeNames?.contains(nominatedNode) ?? true,
            framework.runFilterWithNominatedPods(cycle, pod, node, nominated: nominated[nominatedNode] ?? []).isSuccess
        {
            return ScheduleResult(suggestedHost: nominatedNode, evaluatedNodes: 1, feasibleNodes: 1, scores: [])
        }
        var candidates = all
        if let names = preFilterResult?.nodeNames {
            candidates = names.compactMap { snapshot[$0] }.sorted { $0.name < $1.name }
        }
        let (feasible, statuses) = try findFeasible(pod, framework, cycle, candidates, nominated: nominated)
        guard !feasible.isEmpty else {
            throw FitError(pod: pod, numAllNodes: all.count, statuses: statuses)
        }
        let evaluated = feasible.count + statuses.count
        if feasible.count == 1 {
            return ScheduleResult(suggestedHost: feasible[0].name, evaluatedNodes: evaluated, feasibleNodes: 1, scores: [])
        }
        // Scores that spread over the whole cluster (ImageLocality) need its size, not the feasible count.
        cycle.write(SnapshotNodeCount(count: all.count))
        let preScore = framework.runPreScore(cycle, pod, feasible)
        guard preScore.isSuccess else {
            throw SchedulingError(.pluginFailed, "running PreScore plugin \(preScore.plugin): \(preScore.message)")
        }
        let totals = try framework.runScore(cycle, pod, feasible)
        let host = selectHost(feasible, totals)
        let scores = zip(feasible, totals).map { NodeScore(name: $0.name, score: $1) }
            .sorted { $0.score > $1.score || ($0.score == $1.score && $0.name < $1.name) }
        return ScheduleResult(suggestedHost: host, evaluatedNodes: evaluated, feasibleNodes: feasible.count, scores: scores)
    }

    /// Filters from the round-robin offset until enough feasible nodes are found, in parallel.
    func findFeasible(
        _ pod: PodInfo, _ framework: Framework, _ cycle: CycleState, _ nodes: [NodeInfo],
        nominated nominatedPods: [String: [PodInfo]]
    ) throws(SchedulingError) -> ([NodeInfo], [String: PluginStatus]) {
        let count = nodes.count
        let wanted = numberOfFeasibleNodesToFind(
            percentage: percentageOfNodesToScore ?? framework.percentageOfNodesToScore, allNodes: count)
        let start = state.withLock { $0.nextStartNodeIndex % max(count, 1) }
        // Read once for the cycle: Filter plugins PreFilter told to skip.
        let plugins = framework.activeFilterPlugins(cycle)
        let found = Atomic<Int>(0)
        let results = Mutex<(feasible: [(Int, NodeInfo)], statuses: [String: PluginStatus], processed: Int, error: PluginStatus?)>(
            ([], [:], 0, nil))
        framework.parallelizer.forEachChunk(count: count) { range in
            var feasible: [(Int, NodeInfo)] = []
            var rejected: [(String, PluginStatus)] = []
            var processed = 0
            var failure: PluginStatus?
            for offset in range {
                if found.load(ordering: .relaxed) >= wanted { break }
                let node = nodes[(start + offset) % count]
                processed += 1
                let status = if !nominatedPods.isEmpty, let pods = nominatedPods[node.name] {
                    framework.runFilterWithNominatedPods(cycle, pod, node, nominated: pods)
                } else {
                    framework.runFilter(cycle, pod, node, plugins: plugins)
                }
                if status.isSuccess {
                    if found.add(1, ordering: .relaxed).newValue <= wanted {
                        feasible.append((offset, node))
                    } else {
                        processed -= 1
                    }
                } else if status.code == .error {
                    failure = status
                    break
                } else {
                    rejected.append((node.name, status))
                }
            }
            results.withLock { r in
                r.feasible += feasible
                for (name, status) in rejected { r.statuses[name] = status }
                r.processed += processed
                if r.error == nil { r.error = failure }
            }
            return failure == nil && found.load(ordering: .relaxed) < wanted
        }
        let outcome = results.withLock { $0 }
        if let error = outcome.error {
            throw SchedulingError(.pluginFailed, "running Filter plugin \(error.plugin): \(error.message)")
        }
        state.withLock { $0.nextStartNodeIndex = (start + outcome.processed) % max(count, 1) }
        // In walk order, so results do not depend on thread timing beyond which nodes were reached.
        let feasible = outcome.feasible.sorted { $0.0 < $1.0 }.map(\.1)
        return (feasible, outcome.statuses)
    }

    /// The highest total; ties broken uniformly at random (reservoir sampling, as kube-scheduler).
    func selectHost(_ nodes: [NodeInfo], _ totals: [Int64]) -> String {
        state.withLock { s in
            var best = 0
            var ties = 1
            for index in 1..<nodes.count {
                if totals[index] > totals[best] {
                    best = index
                    ties = 1
                } else if totals[index] == totals[best] {
                    ties += 1
                    if s.random.next() % UInt64(ties) == 0 { best = index }
                }
            }
            return nodes[best].name
        }
    }
}
