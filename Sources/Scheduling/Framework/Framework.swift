import Synchronization

/// Runs one profile's plugins at each extension point (kube-scheduler's `frameworkImpl`).
public final class Framework: Sendable {
    public let profileName: String
    public let percentageOfNodesToScore: Int?
    let preEnqueuePlugins: [any PreEnqueuePlugin]
    let queueSortPlugin: (any QueueSortPlugin)?
    let preFilterPlugins: [any PreFilterPlugin]
    let filterPlugins: [any FilterPlugin]
    let postFilterPlugins: [any PostFilterPlugin]
    let preScorePlugins: [any PreScorePlugin]
    let scorePlugins: [(plugin: any ScorePlugin, weight: Int64)]
    let reservePlugins: [any ReservePlugin]
    let permitPlugins: [any PermitPlugin]
    let preBindPlugins: [any PreBindPlugin]
    let bindPlugins: [any BindPlugin]
    let postBindPlugins: [any PostBindPlugin]
    /// Per plugin name, the cluster events that may make a pod it rejected schedulable; plugins that do not
    /// say get the wildcard.
    let clusterEvents: [String: [ClusterEvent]]
    public let parallelizer: Parallelizer

    /// Builds the framework of `profile`.
    ///
    /// - Throws: ``SchedulingError`` when the profile has more than one queue-sort plugin, two plugins share a
    ///   name, or a score weight is not positive.
    public init(_ profile: Profile, parallelizer: Parallelizer = Parallelizer()) throws(SchedulingError) {
        profileName = profile.schedulerName
        percentageOfNodesToScore = profile.percentageOfNodesToScore
        self.parallelizer = parallelizer
        var names = Set<String>()
        for plugin in profile.plugins where !names.insert(plugin.name).inserted {
            throw SchedulingError(.invalidProfile, "profile \(profile.schedulerName): plugin \(plugin.name) appears twice")
        }
        let sorts = profile.plugins.compactMap { $0 as? any QueueSortPlugin }
        guard sorts.count <= 1 else {
            throw SchedulingError(.invalidProfile, "profile \(profile.schedulerName): more than one queue-sort plugin")
        }
        for (name, weight) in profile.scoreWeights where weight <= 0 {
            throw SchedulingError(.invalidProfile, "profile \(profile.schedulerName): score weight of \(name) must be positive")
        }
        queueSortPlugin = sorts.first
        preEnqueuePlugins = profile.plugins.compactMap { $0 as? any PreEnqueuePlugin }
        preFilterPlugins = profile.plugins.compactMap { $0 as? any PreFilterPlugin }
        filterPlugins = profile.plugins.compactMap { $0 as? any FilterPlugin }
        postFilterPlugins = profile.plugins.compactMap { $0 as? any PostFilterPlugin }
        preScorePlugins = profile.plugins.compactMap { $0 as? any PreScorePlugin }
        scorePlugins = profile.plugins.compactMap { plugin in
            (plugin as? any ScorePlugin).map { ($0, profile.scoreWeights[plugin.name] ?? 1) }
        }
        reservePlugins = profile.plugins.compactMap { $0 as? any ReservePlugin }
        permitPlugins = profile.plugins.compactMap { $0 as? any PermitPlugin }
        preBindPlugins = profile.plugins.compactMap { $0 as? any PreBindPlugin }
        bindPlugins = profile.plugins.compactMap { $0 as? any BindPlugin }
        postBindPlugins = profile.plugins.compactMap { $0 as? any PostBindPlugin }
        var events: [String: [ClusterEvent]] = [:]
        for plugin in profile.plugins {
            events[plugin.name] = (plugin as? any EnqueueExtensions)?.clusterEvents ?? [.wildcard]
        }
        clusterEvents = events
    }

    // MARK: Queueing

    /// The first PreEnqueue rejection, or success.
    public func runPreEnqueue(_ pod: PodInfo) -> PluginStatus {
        for plugin in preEnqueuePlugins {
            let status = plugin.preEnqueue(pod)
            if !status.isSuccess { return status.with(plugin: plugin.name) }
        }
        return .success
    }

    /// The queue-sort order (priority, then queue time, when the profile has no queue-sort plugin).
    public func less(_ lhs: QueuedPodInfo, _ rhs: QueuedPodInfo) -> Bool {
        if let queueSortPlugin { return queueSortPlugin.less(lhs, rhs) }
        return PrioritySort.ordered(lhs, rhs)
    }

    /// Whether `event` can make a pod rejected by `plugins` schedulable.
    public func mayHelp(_ event: ClusterEvent, rejectedBy plugins: Set<String>) -> Bool {
        if plugins.isEmpty { return true }
        for name in plugins {
            for registered in clusterEvents[name] ?? [.wildcard] where registered.matches(event) { return true }
        }
        return false
    }

    // MARK: Filtering

    /// Runs every PreFilter plugin: the merged node subset (nil: every node), and success or the first
    /// rejection. Plugins answering skip have their Filter skipped for this pod.
    public func runPreFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        var result: PreFilterResult?
        var skipped = Set<String>()
        var narrowedBy: [String] = []
        for plugin in preFilterPlugins {
            let (narrowed, status) = plugin.preFilter(state, pod, nodes)
            if status.code == .skip {
                skipped.insert(plugin.name)
                continue
            }
            guard status.isSuccess else { return (nil, status.with(plugin: plugin.name)) }
            if let narrowed, narrowed.nodeNames != nil {
                result = (result ?? PreFilterResult(nodeNames: nil)).merge(narrowed)
                narrowedBy.append(plugin.name)
                if result?.nodeNames?.isEmpty == true {
                    return (result, PluginStatus(.unschedulableAndUnresolvable,
                        "node(s) didn't satisfy plugin(s) \(narrowedBy) simultaneously", plugin: plugin.name))
                }
            }
        }
        if !skipped.isEmpty { state.skipFilter.withLock { $0 = skipped } }
        return (result, .success)
    }

    /// Runs the Filter plugins on one node, stopping at the first that rejects it.
    public func runFilter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        runFilter(state, pod, node, plugins: activeFilterPlugins(state))
    }

    /// The Filter plugins PreFilter did not tell to skip (worked out once per cycle, not hashed per node).
    func activeFilterPlugins(_ state: CycleState) -> [any FilterPlugin] {
        let skipped = state.skipFilter.withLock { $0 }
        return skipped.isEmpty ? filterPlugins : filterPlugins.filter { !skipped.contains($0.name) }
    }

    /// ``runFilter(_:_:_:)`` over the cycle's ``activeFilterPlugins(_:)``.
    func runFilter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo, plugins: [any FilterPlugin]) -> PluginStatus {
        // Borrowed through the buffer: iterating the array would copy each existential (a retain and a
        // release per node and plugin).
        plugins.withUnsafeBufferPointer { plugins in
            for index in plugins.indices {
                let status = plugins[index].filter(state, pod, node)
                if !status.isSuccess { return status.with(plugin: plugins[index].name) }
            }
            return .success
        }
    }

    /// Filters `node` as if the pods nominated to it with priority ≥ the pod's were already there (so a pod
    /// does not take room a preemptor was promised), and without them (both must pass).
    public func runFilterWithNominatedPods(
        _ state: CycleState, _ pod: PodInfo, _ node: NodeInfo, nominated: [PodInfo]
    ) -> PluginStatus {
        let relevant = nominated.filter { $0.uid != pod.uid && $0.priority >= pod.priority }
        if !relevant.isEmpty {
            var withNominated = node
            // Cloned only when an active PreFilter plugin keeps state that depends on the node's pods.
            let updating = podTrackingPlugins(state)
            let stateWith = updating.isEmpty ? state : state.clone()
            for other in relevant {
                withNominated.add(other)
                for plugin in updating {
                    let status = plugin.addPod(stateWith, pod, adding: other, to: withNominated)
                    if !status.isSuccess { return status.with(plugin: plugin.name) }
                }
            }
            let status = runFilter(stateWith, pod, withNominated)
            if !status.isSuccess { return status }
        }
        return runFilter(state, pod, node)
    }

    /// The PreFilter plugins active in this cycle whose state adding or removing pods changes (none: trying
    /// such changes needs no copy of the state).
    func podTrackingPlugins(_ state: CycleState) -> [any PreFilterPlugin] {
        let skipped = state.skipFilter.withLock { $0 }
        return preFilterPlugins.filter { $0.updatesStateOnPodChanges && !skipped.contains($0.name) }
    }

    /// Tells the PreFilter plugins (not skipped for this pod) that `added` now runs on `node` (preemption's
    /// dry runs put victims back).
    public func runPreFilterAddPod(_ state: CycleState, _ pod: PodInfo, adding added: PodInfo, to node: NodeInfo)
        -> PluginStatus
    {
        forEachPodTrackingPlugin(state) { $0.addPod(state, pod, adding: added, to: node) }
    }

    /// Tells the PreFilter plugins (not skipped for this pod) that `removed` no longer runs on `node`
    /// (preemption's dry runs take victims away).
    public func runPreFilterRemovePod(_ state: CycleState, _ pod: PodInfo, removing removed: PodInfo, from node: NodeInfo)
        -> PluginStatus
    {
        forEachPodTrackingPlugin(state) { $0.removePod(state, pod, removing: removed, from: node) }
    }

    /// Calls `body` on each of the cycle's ``podTrackingPlugins(_:)``, stopping at the first failure.
    private func forEachPodTrackingPlugin(_ state: CycleState, _ body: (any PreFilterPlugin) -> PluginStatus)
        -> PluginStatus
    {
        for plugin in podTrackingPlugins(state) {
            let status = body(plugin)
            if !status.isSuccess { return status.with(plugin: plugin.name) }
        }
        return .success
    }

    /// Runs PostFilter plugins until one succeeds or returns an unresolvable status.
    public func runPostFilter(_ state: CycleState, _ pod: PodInfo, _ statuses: [String: PluginStatus], _ handle: SchedulingHandle)
        async -> PostFilterResult
    {
        var reasons: [String] = []
        for plugin in postFilterPlugins {
            let result = await plugin.postFilter(state, pod, statuses, handle)
            if result.status.isSuccess { return result }
            if result.status.code == .unschedulableAndUnresolvable || result.status.code == .error {
                return PostFilterResult(nominatedNodeName: result.nominatedNodeName,
                    status: result.status.with(plugin: plugin.name))
            }
            reasons += result.status.reasons
        }
        return PostFilterResult(status: PluginStatus(.unschedulable, reasons))
    }

    public var hasPostFilterPlugins: Bool { !postFilterPlugins.isEmpty }

    // MARK: Scoring

    /// Runs every PreScore plugin over the feasible nodes; plugins answering skip are left out of scoring.
    public func runPreScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus {
        var skipped = Set<String>()
        for plugin in preScorePlugins {
            let status = plugin.preScore(state, pod, nodes)
            if status.code == .skip {
                skipped.insert(plugin.name)
                continue
            }
            if !status.isSuccess { return status.with(plugin: plugin.name) }
        }
        state.skipScore.withLock { $0 = skipped }
        return .success
    }

    /// Scores every node with every (not skipped) Score plugin in parallel, normalises per plugin, applies
    /// the weights and returns each node's total, in the order of `nodes`.
    ///
    /// - Throws: ``SchedulingError`` when a normalisation fails or leaves a score outside [0, 100].
    public func runScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) throws(SchedulingError) -> [Int64] {
        let skipped = state.skipScore.withLock { $0 }
        let active = scorePlugins.filter { !skipped.contains($0.plugin.name) }
        guard !active.isEmpty else { return Array(repeating: 0, count: nodes.count) }
        let pluginCount = active.count
        // Raw scores, node-major, filled by chunks in parallel.
        let results = Mutex<[(Int, [Int64])]>([])
        let plugins = active.map(\.plugin)
        parallelizer.forEachChunk(count: nodes.count) { range in
            var local = [Int64](repeating: 0, count: range.count * pluginCount)
            // Borrowed through buffers: iterating the arrays would copy each existential and node info.
            plugins.withUnsafeBufferPointer { plugins in
                nodes.withUnsafeBufferPointer { nodes in
                    for (offset, index) in range.enumerated() {
                        for position in plugins.indices {
                            local[offset * pluginCount + position] = plugins[position].score(state, pod, nodes[index])
                        }
                    }
                }
            }
            results.withLock { $0.append((range.lowerBound, local)) }
            return true
        }
        var raw = [Int64](repeating: 0, count: nodes.count * pluginCount)
        for (start, chunk) in results.withLock({ $0 }) {
            raw.replaceSubrange(start * pluginCount..<(start * pluginCount + chunk.count), with: chunk)
        }
        var totals = [Int64](repeating: 0, count: nodes.count)
        for (position, entry) in active.enumerated() {
            if entry.plugin.normalizesScores {
                var scores = nodes.indices.map { NodeScore(name: nodes[$0].name, score: raw[$0 * pluginCount + position]) }
                let status = entry.plugin.normalize(state, pod, &scores)
                guard status.isSuccess else {
                    throw SchedulingError(.pluginFailed, "\(entry.plugin.name) normalize: \(status.message)")
                }
                for index in nodes.indices { raw[index * pluginCount + position] = scores[index].score }
            }
            for index in nodes.indices {
                let score = raw[index * pluginCount + position]
                guard (0...Self.maxNodeScore).contains(score) else {
                    throw SchedulingError(.pluginFailed,
                        "plugin \(entry.plugin.name) returns an invalid score \(score) for node \(nodes[index].name), it should be in [0, 100]")
                }
                totals[index] += score * entry.weight
            }
        }
        return totals
    }

    /// The highest score a plugin may give a node.
    public static let maxNodeScore: Int64 = 100

    // MARK: Reserve, permit and binding

    /// Reserves in order; on a failure unreserves every plugin (in reverse) and returns the failure.
    public func runReserve(_ state: CycleState, _ pod: PodInfo, nodeName: String) -> PluginStatus {
        for plugin in reservePlugins {
            let status = plugin.reserve(state, pod, nodeName: nodeName)
            if !status.isSuccess {
                runUnreserve(state, pod, nodeName: nodeName)
                return status.with(plugin: plugin.name)
            }
        }
        return .success
    }

    /// Unreserves every Reserve plugin in reverse order.
    public func runUnreserve(_ state: CycleState, _ pod: PodInfo, nodeName: String) {
        for plugin in reservePlugins.reversed() { plugin.unreserve(state, pod, nodeName: nodeName) }
    }

    /// Runs the Permit plugins: success, the first rejection, or wait with the plugins waited on and their
    /// timeouts.
    func runPermit(_ state: CycleState, _ pod: PodInfo, nodeName: String, _ handle: SchedulingHandle)
        -> (PluginStatus, [String: Duration])
    {
        var waits: [String: Duration] = [:]
        for plugin in permitPlugins {
            let (status, timeout) = plugin.permit(state, pod, nodeName: nodeName, handle)
            switch status.code {
            case .success: continue
            case .wait: waits[plugin.name] = min(timeout, Self.maxPermitTimeout)
            default: return (status.with(plugin: plugin.name), [:])
            }
        }
        return waits.isEmpty ? (.success, [:]) : (PluginStatus(.wait), waits)
    }

    /// kube-scheduler caps a permit wait at 15 minutes.
    public static let maxPermitTimeout: Duration = .seconds(15 * 60)

    public func runPreBind(_ state: CycleState, _ pod: PodInfo, nodeName: String, _ handle: SchedulingHandle) async -> PluginStatus {
        for plugin in preBindPlugins {
            let status = await plugin.preBind(state, pod, nodeName: nodeName, handle)
            if !status.isSuccess { return status.with(plugin: plugin.name) }
        }
        return .success
    }

    /// Tries the binders in order until one does not skip.
    public func runBind(_ state: CycleState, _ pod: PodInfo, nodeName: String, _ handle: SchedulingHandle) async -> PluginStatus {
        for plugin in bindPlugins {
            let status = await plugin.bind(state, pod, nodeName: nodeName, handle)
            if status.code == .skip { continue }
            return status.with(plugin: plugin.name)
        }
        return PluginStatus(.error, "no bind plugin bound the pod")
    }

    public func runPostBind(_ state: CycleState, _ pod: PodInfo, nodeName: String) async {
        for plugin in postBindPlugins { await plugin.postBind(state, pod, nodeName: nodeName) }
    }
}
