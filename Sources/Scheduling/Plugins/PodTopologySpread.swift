public import APIMachinery
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Spreads matching pods evenly across topology domains (kube-scheduler's `PodTopologySpread`).
///
/// The pod's `spec.topologySpreadConstraints` with `whenUnsatisfiable: DoNotSchedule` are filters: placing the
/// pod in a node's domain must keep `count(domain) + (1 if the pod matches its own selector) − global minimum`
/// at most `maxSkew`, where counts are the pods in the pod's namespace matching the constraint's selector
/// (`labelSelector` merged with the pod's values for `matchLabelKeys`), terminating pods excluded. The global
/// minimum is taken over the eligible domains, and is 0 while there are fewer than `minDomains` of them. Only
/// nodes carrying every constraint's topology key form domains; `nodeAffinityPolicy: Honor` (default) further
/// keeps only nodes matching the pod's `nodeSelector` and required node affinity, `nodeTaintsPolicy: Honor`
/// (default `Ignore`) only nodes whose `NoSchedule` / `NoExecute` taints the pod tolerates. A node without a
/// constraint's key is rejected as unresolvable ("node(s) didn't match pod topology spread constraints
/// (missing required label)"); a skew over `maxSkew` is unschedulable ("node(s) didn't match pod topology
/// spread constraints").
///
/// Constraints with `whenUnsatisfiable: ScheduleAnyway` score: per constraint the domain's count times
/// `ln(number of domains among the feasible nodes + 2)` (for `kubernetes.io/hostname`, the number of feasible
/// nodes holding every key) plus `maxSkew − 1`, summed and rounded; normalised to
/// `100 · (max + min − raw) / max`, so emptier domains score higher. Feasible nodes without every key score 0.
///
/// A pod without constraints gets kube-scheduler's system default constraints for scoring only
/// (`kubernetes.io/hostname` maxSkew 3 and `topology.kubernetes.io/zone` maxSkew 5, both `ScheduleAnyway`,
/// nodes without a zone still spread by host), with the selector of the Services, ReplicaSets, StatefulSets and
/// ReplicationControllers that select the pod. This package has no listers for those, so the caller supplies
/// that selector through `defaultSelector`: nil (the default), a nil answer or an empty selector means no
/// default spreading.
///
/// Counting covers every node of the snapshot, as kube-scheduler does; PreScore only receives the feasible
/// nodes, so PreFilter keeps the snapshot's node list in the cycle state for it (PreScore falls back to the
/// feasible nodes when PreFilter did not run). Counts are kept between cycles, per distinct counting query
/// (namespace, selectors, keys, inclusion policies): a cycle recounts only the nodes whose
/// ``NodeInfo/generation`` changed since the query last ran (nodes of generation 0, as in hand-built snapshots,
/// are always recounted), so PreFilter costs a walk over the node list rather than over every pod.
public struct PodTopologySpread: PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
    public let name = "PodTopologySpread"
    /// The selector of the workload objects (Services, ReplicaSets, StatefulSets, ReplicationControllers) that
    /// select a pod, for the default constraints; nil leaves pods without constraints unspread.
    public let defaultSelector: (@Sendable (PodInfo) -> LabelQuery?)?
    /// Counts kept between cycles (shared by copies of the plugin).
    let tallies = TallyCache<CountQuery, Tally> { Tally() }

    public init(defaultSelector: (@Sendable (PodInfo) -> LabelQuery?)? = nil) {
        self.defaultSelector = defaultSelector
    }

    /// kube-scheduler's reasons.
    static let reasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints"
    static let reasonNodeLabelNotMatch = reasonConstraintsNotMatch + " (missing required label)"
    static let hostnameKey = "kubernetes.io/hostname"
    static let zoneKey = "topology.kubernetes.io/zone"

    private static let skewViolated = PluginStatus(.unschedulable, reasonConstraintsNotMatch)
    private static let missingLabel = PluginStatus(.unschedulableAndUnresolvable, reasonNodeLabelNotMatch)

    /// The system default constraints (`ScheduleAnyway`, so they only ever score).
    static let systemDefaultConstraints: [(key: String, maxSkew: Int)] = [(hostnameKey, 3), (zoneKey, 5)]

    // MARK: Events

    public var clusterEvents: [ClusterEvent] {
        [
            ClusterEvent(.pod, [.add, .delete, .updatePodLabel], label: "PodTopologySpread/Pod"),
            ClusterEvent(.node, [.add, .delete, .updateNodeLabel, .updateNodeTaint], label: "PodTopologySpread/Node"),
        ]
    }

    // MARK: Constraints

    /// A parsed constraint.
    struct Constraint: Sendable, Hashable {
        var maxSkew: Int
        var topologyKey: String
        /// nil selects no pod (a constraint without a label selector and no `matchLabelKeys` value).
        var selector: LabelQuery?
        var minDomains: Int
        var honorNodeAffinity: Bool
        var honorTaints: Bool
        var isHostname: Bool

        func selects(_ labels: [String: String]) -> Bool { selector?.matches(labels) ?? false }
    }

    /// The pod's constraints with `whenUnsatisfiable == action`.
    static func constraints(of pod: PodInfo, action: String) throws(SelectorError) -> [Constraint] {
        var result: [Constraint] = []
        for spec in pod.pod.spec?.topologySpreadConstraints ?? [] where spec.whenUnsatisfiable == action {
            var selector = try spec.labelSelector.map { selector throws(SelectorError) in try selector.query() }
            var fromPod: [String: String] = [:]
            for key in spec.matchLabelKeys ?? [] {
                if let value = pod.labels[key] { fromPod[key] = value }
            }
            if !fromPod.isEmpty {
                // kube-scheduler starts from the pod's values and adds the selector's requirements (a missing
                // selector has none, so the pod's values alone remain).
                let requirements = LabelQuery(matching: fromPod).requirements + (selector?.requirements ?? [])
                selector = LabelQuery(requirements: requirements)
            }
            let key = spec.topologyKey ?? ""
            result.append(Constraint(
                maxSkew: Int(spec.maxSkew ?? 1), topologyKey: key, selector: selector,
                minDomains: Int(spec.minDomains ?? 1),
                honorNodeAffinity: (spec.nodeAffinityPolicy ?? "Honor") == "Honor",
                honorTaints: (spec.nodeTaintsPolicy ?? "Ignore") == "Honor",
                isHostname: key == hostnameKey))
        }
        return result
    }

    /// The soft constraints for scoring: the pod's own, or the system defaults with `defaultSelector`'s answer.
    /// The flag says whether nodes must hold every key (not so for the system defaults).
    func scoringConstraints(of pod: PodInfo) throws(SelectorError)
        -> (constraints: [Constraint], requireAllKeys: Bool)
    {
        if !(pod.pod.spec?.topologySpreadConstraints ?? []).isEmpty {
            return (try Self.constraints(of: pod, action: "ScheduleAnyway"), true)
        }
        guard let defaultSelector, let selector = defaultSelector(pod), !selector.isEverything else {
            return ([], false)
        }
        let constraints = Self.systemDefaultConstraints.map { entry in
            Constraint(maxSkew: entry.maxSkew, topologyKey: entry.key, selector: selector, minDomains: 1,
                honorNodeAffinity: true, honorTaints: false, isHostname: entry.key == Self.hostnameKey)
        }
        return (constraints, false)
    }

    /// Pods of `namespace` on a node matching `selector`, terminating pods left out.
    @inline(__always)
    static func countMatching(_ pods: [PodInfo], _ selector: LabelQuery?, namespace: String) -> Int {
        guard let selector else { return 0 }
        var count = 0
        // The terminating check reads the pod's metadata (the costliest part), so it comes last.
        for pod in pods where pod.namespace == namespace && selector.matches(pod.labels)
            && !pod.isTerminating
        {
            count += 1
        }
        return count
    }

    @inline(__always)
    static func hasKeys(_ labels: [String: String], _ keys: [String]) -> Bool {
        for key in keys where labels[key] == nil { return false }
        return true
    }

    @inline(__always)
    static func hasAllKeys(_ labels: [String: String], _ constraints: [Constraint]) -> Bool {
        for constraint in constraints where labels[constraint.topologyKey] == nil { return false }
        return true
    }

    /// Which nodes count for a pod's constraints (the node inclusion policies).
    struct Inclusion: Sendable, Hashable {
        var nodeAffinity: RequiredNodeAffinity
        var tolerations: [Toleration]

        init(_ pod: PodInfo) {
            nodeAffinity = RequiredNodeAffinity(pod.pod.spec)
            tolerations = pod.pod.spec?.tolerations ?? []
        }

        /// Whether `node` (whose labels are `labels`) counts for `constraint`.
        func includes(_ node: NodeInfo, labels: [String: String], _ constraint: Constraint) -> Bool {
            if constraint.honorNodeAffinity && !nodeAffinity.matches(labels: labels, name: node.name) { return false }
            if constraint.honorTaints && !Self.toleratesDoNotScheduleTaints(node.taints, tolerations) { return false }
            return true
        }

        /// Whether every `NoSchedule` / `NoExecute` taint is tolerated.
        static func toleratesDoNotScheduleTaints(_ taints: [Taint], _ tolerations: [Toleration]) -> Bool {
            for taint in taints where taint.effect == "NoSchedule" || taint.effect == "NoExecute" {
                if !tolerations.contains(where: { tolerates($0, taint) }) { return false }
            }
            return true
        }

        static func tolerates(_ toleration: Toleration, _ taint: Taint) -> Bool {
            if let effect = toleration.effect, !effect.isEmpty, effect != (taint.effect ?? "") { return false }
            if let key = toleration.key, !key.isEmpty, key != (taint.key ?? "") { return false }
            switch toleration.operator ?? "Equal" {
            case "", "Equal": return (toleration.value ?? "") == (taint.value ?? "")
            case "Exists": return true
            default: return false
            }
        }
    }

    // MARK: Counting

    /// What a count over the nodes depends on besides the nodes: an unchanged node counts the same again.
    struct CountQuery: Sendable, Hashable {
        var namespace: String
        /// Nodes lacking one of these keys count for no constraint.
        var requiredKeys: [String]
        /// Per counted constraint (a node lacking the key counts in the domain "").
        var keys: [String]
        var selectors: [LabelQuery?]
        var honorNodeAffinity: [Bool]
        var honorTaints: [Bool]
        /// Empty unless a constraint honours it.
        var nodeAffinity: RequiredNodeAffinity
        /// Empty unless a constraint honours taints.
        var tolerations: [Toleration]

        init(_ constraints: [Constraint], requiredKeys: [String], namespace: String, inclusion: Inclusion) {
            self.namespace = namespace
            self.requiredKeys = requiredKeys
            keys = constraints.map(\.topologyKey)
            selectors = constraints.map(\.selector)
            honorNodeAffinity = constraints.map(\.honorNodeAffinity)
            honorTaints = constraints.map(\.honorTaints)
            nodeAffinity = honorNodeAffinity.contains(true) ? inclusion.nodeAffinity : RequiredNodeAffinity(nil)
            tolerations = honorTaints.contains(true) ? inclusion.tolerations : []
        }
    }

    /// One constraint's domains: value → id, and per id the eligible nodes and their matching pods.
    struct Domains: Sendable, Equatable {
        var ids: [String: Int] = [:]
        var pods: [Int] = []
        var nodes: [Int] = []

        @inline(__always)
        mutating func id(of value: String) -> Int {
            if let id = ids[value] { return id }
            let id = pods.count
            ids[value] = id
            pods.append(0)
            nodes.append(0)
            return id
        }

        /// The matching pods of `value`'s domain (0 for an unknown domain).
        func count(_ value: String) -> Int {
            guard let id = ids[value] else { return 0 }
            return pods[id]
        }
    }

    /// Where each node of a node list counts: its position by name, the generation it was counted at and, per
    /// constraint, its domain id (-1: it counts in none).
    struct NodeDomains: Sendable, Equatable {
        var positions: [String: Int] = [:]
        var generations: [UInt64] = []
        var domains: [[Int32]] = []

        /// The position of the node called `name` when it is the node that was counted (same non-zero
        /// generation).
        @inline(__always)
        func position(name: String, generation: UInt64) -> Int? {
            guard generation != 0, let position = positions[name], generations[position] == generation else {
                return nil
            }
            return position
        }
    }

    /// The counts of one query over a node list, with what each node contributed, so that a node that changed
    /// is swapped out and counted again while the others are left alone.
    struct Tally: Sendable {
        var names: [String] = []
        var nodes = NodeDomains()
        /// Per constraint and node position: the node's matching pods.
        var nodePods: [[Int32]] = []
        var domains: [Domains] = []

        mutating func update(_ nodes: UnsafeBufferPointer<NodeInfo>, _ query: CountQuery) {
            let count = query.keys.count
            if names.count != nodes.count || domains.count != count {
                names = Array(repeating: "", count: nodes.count)
                self.nodes = NodeDomains(positions: [:], generations: Array(repeating: 0, count: nodes.count),
                    domains: Array(repeating: Array(repeating: -1, count: nodes.count), count: count))
                nodePods = Array(repeating: Array(repeating: 0, count: nodes.count), count: count)
                domains = Array(repeating: Domains(), count: count)
            }
            var renamed = false
            // Constraints with the same selector share one count per node.
            let slots = query.selectors.indices.map { index in
                query.selectors.firstIndex { $0 == query.selectors[index] } ?? index
            }
            let checksAffinity = !query.nodeAffinity.isEmpty
            let checksTaints = query.honorTaints.contains(true)
            var slotCounts = [Int](repeating: -1, count: count)
            for position in nodes.indices {
                let generation = nodes[position].generation
                let sameName = nodes[position].name == names[position]
                if generation != 0 && generation == self.nodes.generations[position] && sameName { continue }
                // Swap the node's old contribution out.
                for index in 0..<count where self.nodes.domains[index][position] >= 0 {
                    let domain = Int(self.nodes.domains[index][position])
                    domains[index].pods[domain] -= Int(nodePods[index][position])
                    domains[index].nodes[domain] -= 1
                    self.nodes.domains[index][position] = -1
                    nodePods[index][position] = 0
                }
                self.nodes.generations[position] = generation
                if !sameName {
                    names[position] = nodes[position].name
                    renamed = true
                }
                // Reading a node's labels is the costliest step per node: once.
                let labels = nodes[position].labels
                guard hasKeys(labels, query.requiredKeys) else { continue }
                let affinityMatch = !checksAffinity
                    || query.nodeAffinity.matches(labels: labels, name: nodes[position].name)
                let tolerated = !checksTaints
                    || Inclusion.toleratesDoNotScheduleTaints(nodes[position].taints, query.tolerations)
                for index in 0..<count { slotCounts[index] = -1 }
                for index in 0..<count {
                    if !affinityMatch && query.honorNodeAffinity[index] { continue }
                    if !tolerated && query.honorTaints[index] { continue }
                    let slot = slots[index]
                    var matching = slotCounts[slot]
                    if matching < 0 {
                        matching = countMatching(nodes[position].pods, query.selectors[index],
                            namespace: query.namespace)
                        slotCounts[slot] = matching
                    }
                    let domain = domains[index].id(of: labels[query.keys[index]] ?? "")
                    domains[index].pods[domain] += matching
                    domains[index].nodes[domain] += 1
                    self.nodes.domains[index][position] = Int32(domain)
                    nodePods[index][position] = Int32(matching)
                }
            }
            if renamed {
                self.nodes.positions.removeAll(keepingCapacity: true)
                for (position, name) in names.enumerated() { self.nodes.positions[name] = position }
            }
        }
    }

    /// The domains of `query` over `nodes`, and where each node counts, counting only the nodes that changed
    /// since the query last ran.
    func countDomains(_ query: CountQuery, _ nodes: [NodeInfo]) -> (domains: [Domains], nodes: NodeDomains) {
        tallies.withTally(query) { tally in
            nodes.withUnsafeBufferPointer { tally.update($0, query) }
            return (tally.domains, tally.nodes)
        }
    }

    // MARK: PreFilter and Filter

    /// What PreFilter computes for the hard constraints: per constraint, the domains of the nodes that count,
    /// their matching-pod counts and the minimum count over them.
    struct FilterState: Sendable, Equatable {
        var constraints: [Constraint]
        var domains: [Domains]
        /// Where each node of the snapshot counts (so Filter need not read the node's labels).
        var nodes: NodeDomains
        /// Per constraint and domain: whether the domain counts (it has an eligible node, or a pod was added to it).
        var present: [[Bool]]
        /// Per constraint: the number of domains that count.
        var domainCounts: [Int]
        /// Per constraint: the minimum count over the domains that count (`Int.max` without any).
        var minimums: [Int]
        /// Per constraint: whether the pod matches its own selector.
        var selfMatches: [Bool]
        var inclusion: Inclusion
        var namespace: String

        init(
            _ constraints: [Constraint], _ domains: [Domains], _ nodes: NodeDomains, _ pod: PodInfo,
            _ inclusion: Inclusion
        ) {
            self.constraints = constraints
            self.domains = domains
            self.nodes = nodes
            present = domains.map { $0.nodes.map { $0 > 0 } }
            domainCounts = present.map { $0.count(where: \.self) }
            minimums = Array(repeating: Int.max, count: domains.count)
            selfMatches = constraints.map { $0.selects(pod.labels) }
            self.inclusion = inclusion
            namespace = pod.namespace
            for index in domains.indices { minimums[index] = minimum(index) }
        }

        /// The count of `value`'s domain for constraint `index` (0 for a domain that does not count).
        func count(_ index: Int, _ value: String) -> Int { domains[index].count(value) }

        /// The global minimum for the skew: 0 while fewer than `minDomains` domains count.
        func globalMinimum(_ index: Int) -> Int {
            let counted = domainCounts[index]
            return counted == 0 || counted < constraints[index].minDomains ? 0 : minimums[index]
        }

        private func minimum(_ index: Int) -> Int {
            var result = Int.max
            for (id, pods) in domains[index].pods.enumerated() where present[index][id] { result = min(result, pods) }
            return result
        }

        mutating func add(_ delta: Int, constraint index: Int, value: String) {
            let id = domains[index].id(of: value)
            if id == present[index].count { present[index].append(false) }
            let old = domains[index].pods[id]
            let new = old + delta
            domains[index].pods[id] = new
            if !present[index][id] {
                present[index][id] = true
                domainCounts[index] += 1
                minimums[index] = min(minimums[index], new)
            } else if new < minimums[index] {
                minimums[index] = new
            } else if old == minimums[index] && new > old {
                minimums[index] = minimum(index)
            }
        }
    }

    /// How PreFilter stores ``FilterState`` (a reference: Filter reads it without copying).
    typealias FilterStateBox = StateBox<FilterState>

    public func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        state.write(SnapshotNodes(nodes: nodes))
        let constraints: [Constraint]
        do throws(SelectorError) {
            // A pod without constraints would get the default constraints, which never filter.
            constraints = try Self.constraints(of: pod, action: "DoNotSchedule")
        } catch {
            return (nil, PluginStatus(.error, "obtaining pod's hard topology spread constraints: \(error)"))
        }
        if constraints.isEmpty { return (nil, .skip) }
        let inclusion = Inclusion(pod)
        let query = CountQuery(constraints, requiredKeys: constraints.map(\.topologyKey), namespace: pod.namespace,
            inclusion: inclusion)
        let (domains, nodeDomains) = countDomains(query, nodes)
        state.write(FilterStateBox(FilterState(constraints, domains, nodeDomains, pod, inclusion)))
        return (nil, .success)
    }

    public func addPod(_ state: CycleState, _ pod: PodInfo, adding added: PodInfo, to node: NodeInfo) -> PluginStatus {
        update(state, changed: added, node: node, delta: 1)
    }

    public func removePod(_ state: CycleState, _ pod: PodInfo, removing removed: PodInfo, from node: NodeInfo)
        -> PluginStatus
    {
        update(state, changed: removed, node: node, delta: -1)
    }

    private func update(_ state: CycleState, changed: PodInfo, node: NodeInfo, delta: Int) -> PluginStatus {
        guard var filterState = state.read(FilterStateBox.self)?.value else { return .success }
        guard changed.namespace == filterState.namespace else { return .success }
        let labels = node.labels
        guard Self.hasAllKeys(labels, filterState.constraints) else { return .success }
        var changedAny = false
        for index in filterState.constraints.indices {
            let constraint = filterState.constraints[index]
            guard constraint.selects(changed.labels), filterState.inclusion.includes(node, labels: labels, constraint)
            else { continue }
            filterState.add(delta, constraint: index, value: labels[constraint.topologyKey]!)
            changedAny = true
        }
        if changedAny { state.write(FilterStateBox(filterState)) }
        return .success
    }

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        guard let box = state.read(FilterStateBox.self) else {
            return PluginStatus(.error, "reading PreFilterPodTopologySpread from cycle state: not found")
        }
        let count = box.value.constraints.count
        var start = 0
        // A node of the snapshot that counts for every constraint: its domains are known.
        if let position = box.value.nodes.position(name: node.name, generation: node.generation) {
            while start < count {
                let domain = Int(box.value.nodes.domains[start][position])
                if domain < 0 { break }
                let skew = box.value.domains[start].pods[domain] + (box.value.selfMatches[start] ? 1 : 0)
                    - box.value.globalMinimum(start)
                if skew > box.value.constraints[start].maxSkew { return Self.skewViolated }
                start += 1
            }
            if start == count { return .success }
        }
        // Otherwise by the node's labels.
        let labels = node.labels
        for index in start..<count {
            guard let value = labels[box.value.constraints[index].topologyKey] else { return Self.missingLabel }
            let skew = box.value.count(index, value) + (box.value.selfMatches[index] ? 1 : 0)
                - box.value.globalMinimum(index)
            if skew > box.value.constraints[index].maxSkew { return Self.skewViolated }
        }
        return .success
    }

    // MARK: PreScore, Score and normalisation

    /// What PreScore computes for the soft constraints.
    struct ScoreState: Sendable, Equatable {
        var constraints: [Constraint]
        /// Whether feasible nodes without every key are ignored (score 0).
        var requireAllKeys: Bool
        /// Per constraint: its index among the counted (not hostname) constraints, -1 for hostname.
        var countedSlots: [Int]
        /// Per counted constraint: matching pods per domain over every node of the snapshot.
        var domains: [Domains]
        /// Where each node of the snapshot counts, per counted constraint.
        var nodes: NodeDomains
        /// Per constraint: `ln(domains + 2)`.
        var weights: [Double]
        var namespace: String
    }

    /// How PreScore stores ``ScoreState`` (a reference: Score reads it without copying).
    typealias ScoreStateBox = StateBox<ScoreState>

    /// The raw score of a feasible node missing a key (normalised to 0).
    static let ignoredScore: Int64 = -1

    public func preScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus {
        let allNodes = state.read(SnapshotNodes.self)?.nodes ?? nodes
        if allNodes.isEmpty || nodes.isEmpty { return .skip }
        let constraints: [Constraint]
        let requireAllKeys: Bool
        do throws(SelectorError) {
            (constraints, requireAllKeys) = try scoringConstraints(of: pod)
        } catch {
            return PluginStatus(.error, "obtaining pod's soft topology spread constraints: \(error)")
        }
        if constraints.isEmpty { return .skip }
        // Counts over every node of the snapshot, for the constraints other than hostname (whose counts come in
        // Score).
        let counted = constraints.indices.filter { !constraints[$0].isHostname }
        var countedSlots = [Int](repeating: -1, count: constraints.count)
        for (slot, index) in counted.enumerated() { countedSlots[index] = slot }
        let requiredKeys = requireAllKeys ? constraints.map(\.topologyKey) : []
        let (domains, nodeDomains) = counted.isEmpty ? ([], NodeDomains()) : countDomains(
            CountQuery(counted.map { constraints[$0] }, requiredKeys: requiredKeys, namespace: pod.namespace,
                inclusion: Inclusion(pod)),
            allNodes)
        // The domains among the feasible nodes; feasible nodes lacking a key when all are required are ignored.
        var seen = domains.map { [Bool](repeating: false, count: $0.pods.count) }
        var unknown = [Set<String>](repeating: [], count: counted.count)
        var sizes = [Int](repeating: 0, count: counted.count)
        var ignored = 0
        nodes.withUnsafeBufferPointer { nodes in
            guard requireAllKeys || !counted.isEmpty else { return }
            nodeLoop: for position in nodes.indices {
                // A snapshot node counting for every constraint: its domains are known, and it has every key.
                if requireAllKeys, let known = nodeDomains.position(name: nodes[position].name,
                    generation: nodes[position].generation),
                    (0..<counted.count).allSatisfy({ nodeDomains.domains[$0][known] >= 0 })
                {
                    for slot in 0..<counted.count {
                        let domain = Int(nodeDomains.domains[slot][known])
                        if !seen[slot][domain] {
                            seen[slot][domain] = true
                            sizes[slot] += 1
                        }
                    }
                    continue nodeLoop
                }
                let labels = nodes[position].labels
                if requireAllKeys && !Self.hasAllKeys(labels, constraints) {
                    ignored += 1
                    continue
                }
                for (slot, index) in counted.enumerated() {
                    // Without requireAllKeys a node lacking the key stands for the domain "" (as kube-scheduler).
                    let value = labels[constraints[index].topologyKey] ?? ""
                    if let domain = domains[slot].ids[value] {
                        if !seen[slot][domain] {
                            seen[slot][domain] = true
                            sizes[slot] += 1
                        }
                    } else if unknown[slot].insert(value).inserted {
                        sizes[slot] += 1
                    }
                }
            }
        }
        let weights = constraints.indices.map { index in
            let size = constraints[index].isHostname ? nodes.count - ignored : sizes[countedSlots[index]]
            return log(Double(size + 2))
        }
        state.write(ScoreStateBox(ScoreState(constraints: constraints, requireAllKeys: requireAllKeys,
            countedSlots: countedSlots, domains: domains, nodes: nodeDomains, weights: weights,
            namespace: pod.namespace)))
        return .success
    }

    /// `round(Σ count · weight + (maxSkew − 1))` over the constraints whose key the node has; ``ignoredScore``
    /// for a node missing a key when every key is required.
    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> Int64 {
        guard let box = state.read(ScoreStateBox.self) else { return 0 }
        let count = box.value.constraints.count
        // A snapshot node counting for every constraint (so it has every key): no need for its labels.
        if box.value.requireAllKeys,
            let position = box.value.nodes.position(name: node.name, generation: node.generation)
        {
            var score = 0.0
            var index = 0
            while index < count {
                let slot = box.value.countedSlots[index]
                let matching: Int
                if slot < 0 {
                    matching = Self.countMatching(node.pods, box.value.constraints[index].selector,
                        namespace: box.value.namespace)
                } else {
                    let domain = Int(box.value.nodes.domains[slot][position])
                    if domain < 0 { break }
                    matching = box.value.domains[slot].pods[domain]
                }
                score += Double(matching) * box.value.weights[index] + Double(box.value.constraints[index].maxSkew - 1)
                index += 1
            }
            if index == count { return Int64(score.rounded()) }
        }
        let labels = node.labels
        if box.value.requireAllKeys && !Self.hasAllKeys(labels, box.value.constraints) { return Self.ignoredScore }
        var score = 0.0
        for index in 0..<count {
            let constraint = box.value.constraints[index]
            guard let value = labels[constraint.topologyKey] else { continue }
            let slot = box.value.countedSlots[index]
            let matching = slot < 0
                ? Self.countMatching(node.pods, constraint.selector, namespace: box.value.namespace)
                : box.value.domains[slot].count(value)
            score += Double(matching) * box.value.weights[index] + Double(constraint.maxSkew - 1)
        }
        return Int64(score.rounded())
    }

    public var normalizesScores: Bool { true }

    /// `100 · (max + min − raw) / max` (integer division), 100 for all when max is 0, 0 for ignored nodes.
    public func normalize(_ state: CycleState, _ pod: PodInfo, _ scores: inout [NodeScore]) -> PluginStatus {
        var minimum = Int64.max
        var maximum: Int64 = 0
        for entry in scores where entry.score != Self.ignoredScore {
            minimum = min(minimum, entry.score)
            maximum = max(maximum, entry.score)
        }
        for index in scores.indices {
            let raw = scores[index].score
            if raw == Self.ignoredScore {
                scores[index].score = 0
            } else if maximum == 0 {
                scores[index].score = Framework.maxNodeScore
            } else {
                scores[index].score = Framework.maxNodeScore * (maximum + minimum - raw) / maximum
            }
        }
        return .success
    }
}

extension PodTopologySpread {
    /// A pod's `nodeSelector` and required node affinity, parsed once (kube-scheduler's `RequiredNodeAffinity`):
    /// a node matches when it carries every `nodeSelector` label and, when the pod has required node affinity,
    /// one of its terms matches (a term whose requirements do not parse matches nothing).
    struct RequiredNodeAffinity: Sendable, Hashable {
        private var nodeSelector: [String: String]
        /// nil when the pod has no required node affinity; each inner array is one term (ANDed), nil if invalid.
        private var terms: [[Requirement]?]?

        private enum Requirement: Sendable, Hashable {
            case label(key: String, op: Op, values: Set<String>, bound: Int64)
            case name(equal: Bool, value: String)
        }

        private enum Op: Sendable, Hashable {
            case `in`, notIn, exists, doesNotExist, greaterThan, lessThan
        }

        init(_ spec: PodSpec?) {
            nodeSelector = spec?.nodeSelector ?? [:]
            guard let required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution else {
                terms = nil
                return
            }
            terms = (required.nodeSelectorTerms ?? []).map(Self.parse)
        }

        /// Whether every node matches (no node selector and no required node affinity).
        var isEmpty: Bool { nodeSelector.isEmpty && terms == nil }

        private static func parse(_ term: NodeSelectorTerm) -> [Requirement]? {
            var requirements: [Requirement] = []
            for expression in term.matchExpressions ?? [] {
                let values = expression.values ?? []
                let op: Op
                var bound: Int64 = 0
                switch expression.operator {
                case "In": op = .in
                case "NotIn": op = .notIn
                case "Exists": op = .exists
                case "DoesNotExist": op = .doesNotExist
                case "Gt": op = .greaterThan
                case "Lt": op = .lessThan
                default: return nil
                }
                switch op {
                case .in, .notIn:
                    if values.isEmpty { return nil }
                case .exists, .doesNotExist:
                    if !values.isEmpty { return nil }
                case .greaterThan, .lessThan:
                    guard values.count == 1, let parsed = Int64(values[0]) else { return nil }
                    bound = parsed
                }
                requirements.append(.label(key: expression.key ?? "", op: op, values: Set(values), bound: bound))
            }
            for field in term.matchFields ?? [] {
                guard field.key == "metadata.name", let values = field.values, values.count == 1 else { return nil }
                switch field.operator {
                case "In": requirements.append(.name(equal: true, value: values[0]))
                case "NotIn": requirements.append(.name(equal: false, value: values[0]))
                default: return nil
                }
            }
            // A term without requirements matches nothing.
            return requirements.isEmpty ? nil : requirements
        }

        func matches(labels: [String: String], name: String) -> Bool {
            for (key, value) in nodeSelector where labels[key] != value { return false }
            guard let terms else { return true }
            for term in terms {
                guard let term else { continue }
                if Self.matches(term, labels: labels, name: name) { return true }
            }
            return false
        }

        private static func matches(_ term: [Requirement], labels: [String: String], name: String) -> Bool {
            for requirement in term {
                switch requirement {
                case .name(let equal, let value):
                    if (name == value) != equal { return false }
                case .label(let key, let op, let values, let bound):
                    let label = labels[key]
                    switch op {
                    case .in:
                        guard let label, values.contains(label) else { return false }
                    case .notIn:
                        if let label, values.contains(label) { return false }
                    case .exists:
                        if label == nil { return false }
                    case .doesNotExist:
                        if label != nil { return false }
                    case .greaterThan:
                        guard let label, let number = Int64(label), number > bound else { return false }
                    case .lessThan:
                        guard let label, let number = Int64(label), number < bound else { return false }
                    }
                }
            }
            return true
        }
    }
}
