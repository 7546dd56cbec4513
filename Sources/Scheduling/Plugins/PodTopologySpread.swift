public import APIMachinery

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
/// constraint's key is rejected as unresolvable.
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
/// Counting for scoring covers every node of the snapshot, as kube-scheduler does; PreScore only receives the
/// feasible nodes, so PreFilter keeps the snapshot's node list in the cycle state for it (PreScore falls back
/// to the feasible nodes when PreFilter did not run).
public struct PodTopologySpread: PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
    public let name = "PodTopologySpread"
    /// The selector of the workload objects (Services, ReplicaSets, StatefulSets, ReplicationControllers) that
    /// select a pod, for the default constraints; nil leaves pods without constraints unspread.
    public let defaultSelector: (@Sendable (PodInfo) -> LabelQuery?)?

    public init(defaultSelector: (@Sendable (PodInfo) -> LabelQuery?)? = nil) {
        self.defaultSelector = defaultSelector
    }

    /// kube-scheduler's reasons.
    static let reasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints"
    static let reasonNodeLabelNotMatch = "node(s) didn't match pod topology spread constraints (missing required label)"
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
            var selector: LabelQuery? = try spec.labelSelector.map { selector throws(SelectorError) in try selector.query() }
            var fromPod: [String: String] = [:]
            for key in spec.matchLabelKeys ?? [] {
                if let value = pod.labels[key] { fromPod[key] = value }
            }
            if !fromPod.isEmpty {
                // kube-scheduler starts from the pod's values and adds the selector's requirements (a missing
                // selector has none, so the pod's values alone remain).
                selector = LabelQuery(requirements: LabelQuery(matching: fromPod).requirements + (selector?.requirements ?? []))
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
    func scoringConstraints(of pod: PodInfo) throws(SelectorError) -> (constraints: [Constraint], requireAllKeys: Bool) {
        if !(pod.pod.spec?.topologySpreadConstraints ?? []).isEmpty {
            return (try Self.constraints(of: pod, action: "ScheduleAnyway"), true)
        }
        guard let defaultSelector, let selector = defaultSelector(pod), !selector.isEverything else { return ([], false) }
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
            && pod.pod.metadata.deletionTimestamp == nil
        {
            count += 1
        }
        return count
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

        /// Whether `node` (whose labels are `labels`) counts for `constraint`; `affinityMatch` and `tolerated`
        /// memoise the two checks across a node's constraints.
        @inline(__always)
        func includes(
            _ node: borrowing NodeInfo, labels: [String: String], _ constraint: Constraint, affinityMatch: inout Bool?,
            tolerated: inout Bool?
        ) -> Bool {
            if constraint.honorNodeAffinity && !nodeAffinity.isEmpty {
                if affinityMatch == nil { affinityMatch = nodeAffinity.matches(labels: labels, name: node.name) }
                if affinityMatch == false { return false }
            }
            if constraint.honorTaints {
                if tolerated == nil { tolerated = Self.toleratesDoNotScheduleTaints(node.taints, tolerations) }
                if tolerated == false { return false }
            }
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

    // MARK: PreFilter and Filter

    /// What PreFilter computes for the hard constraints: per constraint, the eligible domains as small ids,
    /// their matching-pod counts and the minimum count.
    struct FilterState: Sendable, Equatable {
        var constraints: [Constraint]
        /// Per constraint: domain value → id (index into `counts`).
        var domainIDs: [[String: Int]]
        /// Per constraint: matching pods per domain id.
        var counts: [[Int]]
        /// Per constraint: the minimum of `counts` (`Int.max` without domains).
        var minimums: [Int]
        /// Per constraint: whether the pod matches its own selector.
        var selfMatches: [Bool]
        var inclusion: Inclusion
        var namespace: String

        /// The count of `value`'s domain for constraint `index` (0 for a domain that is not eligible).
        func count(_ index: Int, _ value: String) -> Int {
            guard let id = domainIDs[index][value] else { return 0 }
            return counts[index][id]
        }

        /// The global minimum for the skew: 0 while fewer than `minDomains` domains are eligible.
        func globalMinimum(_ index: Int) -> Int {
            let domains = counts[index].count
            return domains == 0 || domains < constraints[index].minDomains ? 0 : minimums[index]
        }

        mutating func add(_ delta: Int, constraint index: Int, value: String) {
            let id: Int
            if let existing = domainIDs[index][value] {
                id = existing
            } else {
                id = counts[index].count
                domainIDs[index][value] = id
                counts[index].append(0)
            }
            let old = counts[index][id]
            let new = old + delta
            counts[index][id] = new
            if new < minimums[index] {
                minimums[index] = new
            } else if old == minimums[index] && new > old {
                minimums[index] = counts[index].min() ?? Int.max
            }
        }
    }

    /// The cycle state's holder of ``FilterState`` (a reference: reading it copies nothing).
    final class FilterStateBox: Sendable {
        let value: FilterState

        init(_ value: FilterState) {
            self.value = value
        }
    }

    /// The snapshot's node list, kept by PreFilter for PreScore.
    struct SnapshotNodes: Sendable {
        var nodes: [NodeInfo]
    }

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
        state.write(FilterStateBox(Self.filterState(pod, constraints, nodes)))
        return (nil, .success)
    }

    /// One pass over the nodes: each eligible node adds its matching pods to its domain of every constraint.
    static func filterState(_ pod: PodInfo, _ constraints: [Constraint], _ nodes: [NodeInfo]) -> FilterState {
        let count = constraints.count
        let inclusion = Inclusion(pod)
        let keys = constraints.map(\.topologyKey)
        let selectors = constraints.map(\.selector)
        // Constraints with the same selector share one count per node.
        let selectorSlot: [Int] = constraints.indices.map { index in
            constraints.firstIndex { $0.selector == constraints[index].selector } ?? index
        }
        let checksAffinity = !inclusion.nodeAffinity.isEmpty && constraints.contains { $0.honorNodeAffinity }
        let checksTaints = constraints.contains { $0.honorTaints }
        var domainIDs = [[String: Int]](repeating: [:], count: count)
        var counts = [[Int]](repeating: [], count: count)
        for index in 0..<count where constraints[index].isHostname {
            domainIDs[index].reserveCapacity(nodes.count)
            counts[index].reserveCapacity(nodes.count)
        }
        var slotCounts = [Int](repeating: -1, count: count)
        var values = [String](repeating: "", count: count)
        let namespace = pod.namespace
        nodes.withUnsafeBufferPointer { nodes in
            nodeLoop: for position in nodes.indices {
                // Reading a node's labels is the costliest step per node: once.
                let labels = nodes[position].labels
                for index in 0..<count {
                    guard let value = labels[keys[index]] else { continue nodeLoop }
                    values[index] = value
                    slotCounts[index] = -1
                }
                let affinityMatch = !checksAffinity
                    || inclusion.nodeAffinity.matches(labels: labels, name: nodes[position].name)
                let tolerated = !checksTaints
                    || Inclusion.toleratesDoNotScheduleTaints(nodes[position].taints, inclusion.tolerations)
                for index in 0..<count {
                    if !affinityMatch && constraints[index].honorNodeAffinity { continue }
                    if !tolerated && constraints[index].honorTaints { continue }
                    let slot = selectorSlot[index]
                    var matching = slotCounts[slot]
                    if matching < 0 {
                        matching = countMatching(nodes[position].pods, selectors[index], namespace: namespace)
                        slotCounts[slot] = matching
                    }
                    if let id = domainIDs[index][values[index]] {
                        counts[index][id] += matching
                    } else {
                        domainIDs[index][values[index]] = counts[index].count
                        counts[index].append(matching)
                    }
                }
            }
        }
        return FilterState(
            constraints: constraints, domainIDs: domainIDs, counts: counts,
            minimums: counts.map { $0.min() ?? Int.max },
            selfMatches: constraints.map { $0.selects(pod.labels) },
            inclusion: inclusion, namespace: namespace)
    }

    public func addPod(_ state: CycleState, _ pod: PodInfo, adding added: PodInfo, to node: NodeInfo) -> PluginStatus {
        update(state, changed: added, node: node, delta: 1)
    }

    public func removePod(_ state: CycleState, _ pod: PodInfo, removing removed: PodInfo, from node: NodeInfo) -> PluginStatus {
        update(state, changed: removed, node: node, delta: -1)
    }

    private func update(_ state: CycleState, changed: PodInfo, node: NodeInfo, delta: Int) -> PluginStatus {
        guard var filterState = state.read(FilterStateBox.self)?.value else { return .success }
        guard changed.namespace == filterState.namespace else { return .success }
        let labels = node.labels
        guard Self.hasAllKeys(labels, filterState.constraints) else { return .success }
        var affinityMatch: Bool?
        var tolerated: Bool?
        var changedAny = false
        for index in filterState.constraints.indices {
            let constraint = filterState.constraints[index]
            guard constraint.selects(changed.labels),
                filterState.inclusion.includes(node, labels: labels, constraint, affinityMatch: &affinityMatch,
                    tolerated: &tolerated)
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
        let labels = node.labels
        for index in box.value.constraints.indices {
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
        /// Per constraint (not hostname): matching pods per domain value present among the feasible nodes.
        var valueCounts: [[String: Int]]
        /// Per constraint: `ln(domains + 2)`.
        var weights: [Double]
        var namespace: String
    }

    /// The cycle state's holder of ``ScoreState``.
    final class ScoreStateBox: Sendable {
        let value: ScoreState

        init(_ value: ScoreState) {
            self.value = value
        }
    }

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
        let count = constraints.count
        // The domains among the feasible nodes.
        var valueCounts = [[String: Int]](repeating: [:], count: count)
        var sizes = [Int](repeating: 0, count: count)
        var ignored = 0
        let countsZones = constraints.contains { !$0.isHostname }
        nodes.withUnsafeBufferPointer { nodes in
            // Only zone-like domains and ignored nodes are counted here.
            guard requireAllKeys || countsZones else { return }
            for position in nodes.indices {
                let labels = nodes[position].labels
                if requireAllKeys && !Self.hasAllKeys(labels, constraints) {
                    ignored += 1
                    continue
                }
                for index in 0..<count where !constraints[index].isHostname {
                    // Without requireAllKeys a node lacking the key stands for the domain "" (as kube-scheduler).
                    let value = labels[constraints[index].topologyKey] ?? ""
                    if valueCounts[index][value] == nil {
                        valueCounts[index][value] = 0
                        sizes[index] += 1
                    }
                }
            }
        }
        let weights = (0..<count).map { index in
            let size = constraints[index].isHostname ? nodes.count - ignored : sizes[index]
            return log(Double(size + 2))
        }
        // Counts over every node of the snapshot, for the domains found above (hostname counts come in Score).
        if countsZones {
            let inclusion = Inclusion(pod)
            let namespace = pod.namespace
            allNodes.withUnsafeBufferPointer { allNodes in
                for position in allNodes.indices {
                    let labels = allNodes[position].labels
                    if requireAllKeys && !Self.hasAllKeys(labels, constraints) { continue }
                    var affinityMatch: Bool?
                    var tolerated: Bool?
                    for index in 0..<count where !constraints[index].isHostname {
                        let constraint = constraints[index]
                        guard let slot = valueCounts[index].index(forKey: labels[constraint.topologyKey] ?? ""),
                            inclusion.includes(allNodes[position], labels: labels, constraint,
                                affinityMatch: &affinityMatch, tolerated: &tolerated)
                        else { continue }
                        valueCounts[index].values[slot] += Self.countMatching(allNodes[position].pods,
                            constraint.selector, namespace: namespace)
                    }
                }
            }
        }
        state.write(ScoreStateBox(ScoreState(constraints: constraints, requireAllKeys: requireAllKeys,
            valueCounts: valueCounts, weights: weights, namespace: pod.namespace)))
        return .success
    }

    /// `round(Σ count · weight + (maxSkew − 1))` over the constraints whose key the node has; ``ignoredScore``
    /// for a node missing a key when every key is required.
    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> Int64 {
        guard let box = state.read(ScoreStateBox.self) else { return 0 }
        let labels = node.labels
        if box.value.requireAllKeys && !Self.hasAllKeys(labels, box.value.constraints) { return Self.ignoredScore }
        var score = 0.0
        for index in box.value.constraints.indices {
            let constraint = box.value.constraints[index]
            guard let value = labels[constraint.topologyKey] else { continue }
            let count = constraint.isHostname
                ? Self.countMatching(node.pods, constraint.selector, namespace: box.value.namespace)
                : box.value.valueCounts[index][value] ?? 0
            score += Double(count) * box.value.weights[index] + Double(constraint.maxSkew - 1)
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
    /// a node matches when it carries every `nodeSelector` label and, when the pod has required node affinity, one
    /// of its terms matches (a term whose requirements do not parse matches nothing).
    struct RequiredNodeAffinity: Sendable, Hashable {
        private var nodeSelector: [String: String]
        /// nil when the pod has no required node affinity; each inner array is one term (ANDed), or nil if invalid.
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
