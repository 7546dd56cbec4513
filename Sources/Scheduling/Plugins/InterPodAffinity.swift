import APIMachinery
import Synchronization

/// Places pods near or away from other pods by topology domain (kube-scheduler's `InterPodAffinity`).
///
/// Filter, from counts PreFilter takes over every node of the snapshot, per topology pair (key, value):
/// - the pod's required affinity: the node must carry every term's topology key, and each term's domain must
///   hold a pod matching all the terms, except for the first pod of a group: when no pod in the cluster
///   matches the terms and the pod matches them itself, any node with the keys will do (unresolvable
///   otherwise, "node(s) didn't match pod affinity rules");
/// - the pod's required anti-affinity: no term's domain of the node may hold a pod the term selects
///   (unschedulable, "node(s) didn't match pod anti-affinity rules");
/// - existing pods' required anti-affinity: the node must not be in the domain of a pod whose term selects the
///   incoming pod (unschedulable, "node(s) didn't satisfy existing pods anti-affinity rules").
/// PreFilter skips when the pod has no required terms and no existing pod's anti-affinity selects it. Existing
/// pods' anti-affinity is looked up only on nodes holding pods with required anti-affinity. The counts for the
/// incoming pod's required terms (a walk over every pod) are kept between cycles per distinct set of terms: a
/// cycle recounts only the nodes whose ``NodeInfo/generation`` changed since (nodes of generation 0, as in
/// hand-built snapshots, are always recounted; terms whose namespace selector reads namespace labels are never
/// kept, since those labels change without any node changing).
///
/// Score: for every existing pod, each of the incoming pod's preferred affinity (anti-affinity) terms the pod
/// matches adds (subtracts) the term's weight to the domain of the existing pod's node; symmetrically, each of
/// the existing pod's preferred affinity (anti-affinity) terms that selects the incoming pod adds (subtracts)
/// its weight, and each of its required affinity terms that selects the incoming pod adds
/// `hardPodAffinityWeight`. A node's raw score sums its domains; normalised to `100 · (raw − min) / (max − min)`
/// (all 0 when every node scores the same). Existing pods on every node of the snapshot count: PreScore only
/// receives the feasible nodes, so PreFilter keeps the snapshot's node list in the cycle state for it
/// (PreScore falls back to the feasible nodes when PreFilter did not run).
///
/// Terms with a namespace selector look namespaces' labels up through `namespaceLabels` (nil: no labels).
public struct InterPodAffinity: PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
    public let name = "InterPodAffinity"
    /// The score added for an existing pod's required affinity term that selects the incoming pod (0–100).
    public let hardPodAffinityWeight: Int32
    /// Leave existing pods' preferred terms out of scoring when the incoming pod has no preferred terms.
    public let ignorePreferredTermsOfExistingPods: Bool
    /// A namespace's labels, for terms with a namespace selector; nil when unknown.
    public let namespaceLabels: @Sendable (String) -> [String: String]?
    /// Counts of the incoming pods' required terms kept between cycles (shared by copies of the plugin).
    let tallies = TallyCache<TermsQuery, TermsTally> { TermsTally() }

    public init(
        hardPodAffinityWeight: Int32 = 1, ignorePreferredTermsOfExistingPods: Bool = false,
        namespaceLabels: @escaping @Sendable (String) -> [String: String]? = { _ in nil }
    ) {
        self.hardPodAffinityWeight = hardPodAffinityWeight
        self.ignorePreferredTermsOfExistingPods = ignorePreferredTermsOfExistingPods
        self.namespaceLabels = namespaceLabels
    }

    static let reasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules"
    static let reasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules"
    static let reasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules"

    private static let affinityNotMatched = PluginStatus(.unschedulableAndUnresolvable, reasonAffinityRulesNotMatch)
    private static let antiAffinityNotMatched = PluginStatus(.unschedulable, reasonAntiAffinityRulesNotMatch)
    private static let existingAntiAffinityNotMatched = PluginStatus(.unschedulable, reasonExistingAntiAffinityRulesNotMatch)

    // MARK: Events

    public var clusterEvents: [ClusterEvent] {
        [
            ClusterEvent(.pod, [.add, .delete, .updatePodLabel], label: "InterPodAffinity/Pod"),
            ClusterEvent(.node, [.add, .updateNodeLabel], label: "InterPodAffinity/Node"),
        ]
    }

    // MARK: Counts

    /// A topology domain: a node label key and value.
    struct TopologyPair: Sendable, Hashable {
        var key: String
        var value: String
    }

    /// Pods (or matching terms) per topology pair; entries that drop to 0 are removed.
    struct PairCounts: Sendable, Equatable {
        var counts: [TopologyPair: Int] = [:]
        /// How many pairs of `counts` have each key.
        var pairsPerKey: [String: Int] = [:]

        var isEmpty: Bool { counts.isEmpty }

        subscript(key: String, value: String) -> Int { counts[TopologyPair(key: key, value: value)] ?? 0 }

        /// Adds `delta` to the pair of `key` on a node with `labels` (nothing when the node lacks the key).
        mutating func add(_ delta: Int, key: String, labels: [String: String]) {
            guard let value = labels[key] else { return }
            add(delta, TopologyPair(key: key, value: value))
        }

        mutating func add(_ delta: Int, _ pair: TopologyPair) {
            let old = counts[pair]
            let new = (old ?? 0) + delta
            if new == 0 {
                counts[pair] = nil
                if old != nil { pairsPerKey[pair.key] = pairsPerKey[pair.key]! == 1 ? nil : pairsPerKey[pair.key]! - 1 }
            } else {
                counts[pair] = new
                if old == nil { pairsPerKey[pair.key, default: 0] += 1 }
            }
        }

        /// For each term selecting `pod`, adds `delta` to the term's pair on the node.
        mutating func addAntiAffinity(
            _ terms: [AffinityTerm], selecting pod: PodInfo, namespaceLabels: (String) -> [String: String]?,
            labels: [String: String], delta: Int
        ) {
            for term in terms where term.matches(pod, namespaceLabels: namespaceLabels) {
                add(delta, key: term.topologyKey, labels: labels)
            }
        }

        /// When `pod` matches every term, adds `delta` to every term's pair on the node.
        mutating func addAffinity(
            _ terms: [AffinityTerm], selecting pod: PodInfo, namespaceLabels: (String) -> [String: String]?,
            labels: [String: String], delta: Int
        ) {
            guard InterPodAffinity.matchesAll(terms, pod, namespaceLabels) else { return }
            for term in terms { add(delta, key: term.topologyKey, labels: labels) }
        }
    }

    /// Whether `pod` matches every one of (at least one) `terms`.
    static func matchesAll(_ terms: [AffinityTerm], _ pod: PodInfo, _ namespaceLabels: (String) -> [String: String]?)
        -> Bool
    {
        guard !terms.isEmpty else { return false }
        for term in terms where !term.matches(pod, namespaceLabels: namespaceLabels) { return false }
        return true
    }

    /// Memoises `lookup` per namespace for one pass.
    final class NamespaceLabelCache {
        private let lookup: @Sendable (String) -> [String: String]?
        private var cache: [String: [String: String]?] = [:]

        init(_ lookup: @escaping @Sendable (String) -> [String: String]?) {
            self.lookup = lookup
        }

        func labels(_ namespace: String) -> [String: String]? {
            if let cached = cache[namespace] { return cached }
            let labels = lookup(namespace)
            cache[namespace] = labels
            return labels
        }
    }

    // MARK: Counts kept between cycles

    /// The incoming pod's required terms as a counting query: pods with the same terms share counts.
    struct TermsQuery: Sendable, Hashable {
        var affinity: [AffinityTerm]
        var antiAffinity: [AffinityTerm]

        /// Whether matching reads namespaces' labels, which can change while no node does (not kept then).
        var readsNamespaceLabels: Bool {
            (affinity + antiAffinity).contains { term in term.namespaceSelector.map { !$0.isEverything } ?? false }
        }
    }

    /// What one node adds to a pair.
    struct Contribution: Sendable, Hashable {
        var pair: TopologyPair
        var count: Int
    }

    /// The pairs of a terms query over a node list, with what each node contributed, so that a node that
    /// changed is swapped out and counted again while the others are left alone.
    struct TermsTally: Sendable {
        var names: [String] = []
        var generations: [UInt64] = []
        /// Per node position: what it adds to `affinity` and to `antiAffinity`.
        var affinityContributions: [[Contribution]] = []
        var antiAffinityContributions: [[Contribution]] = []
        var affinity = PairCounts()
        var antiAffinity = PairCounts()

        mutating func update(
            _ nodes: UnsafeBufferPointer<NodeInfo>, _ query: TermsQuery, _ lookup: (String) -> [String: String]?
        ) {
            if names.count != nodes.count {
                self = TermsTally()
                names = Array(repeating: "", count: nodes.count)
                generations = Array(repeating: 0, count: nodes.count)
                affinityContributions = Array(repeating: [], count: nodes.count)
                antiAffinityContributions = Array(repeating: [], count: nodes.count)
            }
            for position in nodes.indices {
                let generation = nodes[position].generation
                let sameName = nodes[position].name == names[position]
                if generation != 0 && generation == generations[position] && sameName { continue }
                // Swap the node's old contribution out.
                for contribution in affinityContributions[position] {
                    affinity.add(-contribution.count, contribution.pair)
                }
                for contribution in antiAffinityContributions[position] {
                    antiAffinity.add(-contribution.count, contribution.pair)
                }
                affinityContributions[position].removeAll()
                antiAffinityContributions[position].removeAll()
                generations[position] = generation
                if !sameName { names[position] = nodes[position].name }
                if nodes[position].pods.isEmpty { continue }
                let labels = nodes[position].labels
                // Pods matching all the affinity terms count in every term's pair.
                if !query.affinity.isEmpty {
                    var matching = 0
                    for pod in nodes[position].pods where matchesAll(query.affinity, pod, lookup) { matching += 1 }
                    if matching > 0 {
                        for term in query.affinity {
                            guard let value = labels[term.topologyKey] else { continue }
                            let contribution = Contribution(pair: TopologyPair(key: term.topologyKey, value: value),
                                count: matching)
                            affinity.add(matching, contribution.pair)
                            affinityContributions[position].append(contribution)
                        }
                    }
                }
                // Pods selected by an anti-affinity term count in its pair.
                for term in query.antiAffinity {
                    guard let value = labels[term.topologyKey] else { continue }
                    var matching = 0
                    for pod in nodes[position].pods where term.matches(pod, namespaceLabels: lookup) { matching += 1 }
                    if matching > 0 {
                        let contribution = Contribution(pair: TopologyPair(key: term.topologyKey, value: value),
                            count: matching)
                        antiAffinity.add(matching, contribution.pair)
                        antiAffinityContributions[position].append(contribution)
                    }
                }
            }
        }
    }

    /// The affinity and anti-affinity pairs of `query` over `nodes`, counting only the nodes that changed since
    /// the query last ran (everything when the query reads namespace labels, which change without any node
    /// changing).
    func countPairs(_ query: TermsQuery, _ nodes: [NodeInfo], _ lookup: (String) -> [String: String]?)
        -> (affinity: PairCounts, antiAffinity: PairCounts)
    {
        func count(_ tally: inout TermsTally) -> (affinity: PairCounts, antiAffinity: PairCounts) {
            nodes.withUnsafeBufferPointer { tally.update($0, query, lookup) }
            return (tally.affinity, tally.antiAffinity)
        }
        if query.readsNamespaceLabels {
            var tally = TermsTally()
            return count(&tally)
        }
        return tallies.withTally(query, count)
    }

    // MARK: PreFilter and Filter

    /// What PreFilter computes.
    struct FilterState: Sendable, Equatable {
        /// Pairs holding existing pods with a required anti-affinity term that selects the incoming pod.
        var existingAntiAffinity = PairCounts()
        /// Pairs holding pods that match all the incoming pod's required affinity terms (one per term).
        var affinity = PairCounts()
        /// Pairs holding pods selected by the incoming pod's required anti-affinity terms (one per term).
        var antiAffinity = PairCounts()
        /// Whether the incoming pod matches all its own required affinity terms.
        var matchesOwnAffinity = false
        /// The incoming pod's namespace labels (for existing pods' terms with a namespace selector).
        var namespaceLabels: [String: String] = [:]
    }

    /// How PreFilter stores ``FilterState`` (a reference: Filter reads it without copying).
    typealias FilterStateBox = StateBox<FilterState>

    public func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        state.write(SnapshotNodes(nodes: nodes))
        if let parseError = pod.parseError {
            return (nil, PluginStatus(.unschedulableAndUnresolvable, "parsing pod: \(parseError)"))
        }
        var filterState = FilterState()
        let ownLabels = namespaceLabels(pod.namespace) ?? [:]
        filterState.namespaceLabels = ownLabels
        let incomingNamespace: (String) -> [String: String]? = { _ in ownLabels }
        // Existing pods' required anti-affinity: only nodes holding such pods (the snapshot lists them).
        let listed = state.read(SnapshotAffinityNodes.self).flatMap { $0.nodeCount == nodes.count ? $0 : nil }
        nodes.withUnsafeBufferPointer { nodes in
            for position in listed?.withRequiredAntiAffinity ?? Array(nodes.indices)
            where !nodes[position].podsWithRequiredAntiAffinity.isEmpty
            {
                let labels = nodes[position].labels
                for existing in nodes[position].podsWithRequiredAntiAffinity {
                    filterState.existingAntiAffinity.addAntiAffinity(existing.requiredAntiAffinityTerms, selecting: pod,
                        namespaceLabels: incomingNamespace, labels: labels, delta: 1)
                }
            }
        }
        let affinityTerms = pod.requiredAffinityTerms
        let antiAffinityTerms = pod.requiredAntiAffinityTerms
        if filterState.existingAntiAffinity.isEmpty && affinityTerms.isEmpty && antiAffinityTerms.isEmpty {
            return (nil, .skip)
        }
        // The incoming pod's required terms: every pod of every node (of the nodes that changed, when kept).
        if !affinityTerms.isEmpty || !antiAffinityTerms.isEmpty {
            let cache = NamespaceLabelCache(namespaceLabels)
            let lookup: (String) -> [String: String]? = { cache.labels($0) }
            (filterState.affinity, filterState.antiAffinity) = countPairs(
                TermsQuery(affinity: affinityTerms, antiAffinity: antiAffinityTerms), nodes, lookup)
            filterState.matchesOwnAffinity = Self.matchesAll(affinityTerms, pod, lookup)
        }
        state.write(FilterStateBox(filterState))
        return (nil, .success)
    }

    public func addPod(_ state: CycleState, _ pod: PodInfo, adding added: PodInfo, to node: NodeInfo) -> PluginStatus {
        update(state, pod, changed: added, node: node, delta: 1)
    }

    public func removePod(_ state: CycleState, _ pod: PodInfo, removing removed: PodInfo, from node: NodeInfo)
        -> PluginStatus
    {
        update(state, pod, changed: removed, node: node, delta: -1)
    }

    private func update(_ state: CycleState, _ pod: PodInfo, changed: PodInfo, node: NodeInfo, delta: Int) -> PluginStatus {
        guard var filterState = state.read(FilterStateBox.self)?.value else { return .success }
        let labels = node.labels
        let ownLabels = filterState.namespaceLabels
        filterState.existingAntiAffinity.addAntiAffinity(changed.requiredAntiAffinityTerms, selecting: pod,
            namespaceLabels: { _ in ownLabels }, labels: labels, delta: delta)
        let lookup = namespaceLabels
        filterState.affinity.addAffinity(pod.requiredAffinityTerms, selecting: changed, namespaceLabels: lookup,
            labels: labels, delta: delta)
        filterState.antiAffinity.addAntiAffinity(pod.requiredAntiAffinityTerms, selecting: changed,
            namespaceLabels: lookup, labels: labels, delta: delta)
        state.write(FilterStateBox(filterState))
        return .success
    }

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        guard let box = state.read(FilterStateBox.self) else {
            return PluginStatus(.error, "reading PreFilterInterPodAffinity from cycle state: not found")
        }
        let labels = node.labels
        // The pod's affinity: every key on the node, and pods in every term's domain (or the first-pod case).
        var podsExist = true
        for term in pod.requiredAffinityTerms {
            guard let value = labels[term.topologyKey] else { return Self.affinityNotMatched }
            if box.value.affinity[term.topologyKey, value] <= 0 { podsExist = false }
        }
        if !podsExist && !(box.value.affinity.isEmpty && box.value.matchesOwnAffinity) {
            return Self.affinityNotMatched
        }
        // The pod's anti-affinity.
        if !box.value.antiAffinity.isEmpty {
            for term in pod.requiredAntiAffinityTerms {
                if let value = labels[term.topologyKey], box.value.antiAffinity[term.topologyKey, value] > 0 {
                    return Self.antiAffinityNotMatched
                }
            }
        }
        // Existing pods' anti-affinity.
        if !box.value.existingAntiAffinity.isEmpty {
            for key in box.value.existingAntiAffinity.pairsPerKey.keys {
                if let value = labels[key], box.value.existingAntiAffinity[key, value] > 0 {
                    return Self.existingAntiAffinityNotMatched
                }
            }
        }
        return .success
    }

    // MARK: PreScore, Score and normalisation

    /// Scores per topology key and value.
    struct ScoreState: Sendable, Equatable {
        var topologyScore: [String: [String: Int64]] = [:]
    }

    /// How PreScore stores ``ScoreState`` (a reference: Score reads it without copying).
    typealias ScoreStateBox = StateBox<ScoreState>

    public func preScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus {
        if nodes.isEmpty { return .skip }
        let hasPreferredTerms = !pod.preferredAffinityTerms.isEmpty || !pod.preferredAntiAffinityTerms.isEmpty
        if ignorePreferredTermsOfExistingPods && !hasPreferredTerms { return .skip }
        let allNodes = state.read(SnapshotNodes.self)?.nodes ?? nodes
        var scores = TopologyScores(incoming: pod, hardPodAffinityWeight: hardPodAffinityWeight,
            incomingNamespaceLabels: namespaceLabels(pod.namespace) ?? [:], namespaceLabels: namespaceLabels)
        // Unless the pod has preferred terms, only pods with affinity terms can contribute: the snapshot lists
        // their nodes.
        let listed = hasPreferredTerms
            ? nil : state.read(SnapshotAffinityNodes.self).flatMap { $0.nodeCount == allNodes.count ? $0 : nil }
        allNodes.withUnsafeBufferPointer { allNodes in
            for position in listed?.withAffinity ?? Array(allNodes.indices) {
                if hasPreferredTerms {
                    if allNodes[position].pods.isEmpty { continue }
                    scores.add(allNodes[position].pods, on: allNodes[position].labels)
                } else {
                    if allNodes[position].podsWithAffinity.isEmpty { continue }
                    scores.add(allNodes[position].podsWithAffinity, on: allNodes[position].labels)
                }
            }
        }
        if !scores.scored { return .skip }
        state.write(ScoreStateBox(ScoreState(topologyScore: scores.topologyScore)))
        return .success
    }

    /// The scores per topology key and value that existing pods give nodes for an incoming pod.
    struct TopologyScores {
        let incoming: PodInfo
        let hardPodAffinityWeight: Int32
        let incomingNamespaceLabels: [String: String]
        let namespaces: NamespaceLabelCache
        var topologyScore: [String: [String: Int64]] = [:]
        /// Whether any term matched (kube-scheduler skips scoring otherwise).
        var scored = false

        init(
            incoming: PodInfo, hardPodAffinityWeight: Int32, incomingNamespaceLabels: [String: String],
            namespaceLabels: @escaping @Sendable (String) -> [String: String]?
        ) {
            self.incoming = incoming
            self.hardPodAffinityWeight = hardPodAffinityWeight
            self.incomingNamespaceLabels = incomingNamespaceLabels
            namespaces = NamespaceLabelCache(namespaceLabels)
        }

        /// Adds what `pods`, on a node with `labels`, contribute.
        mutating func add(_ pods: [PodInfo], on labels: [String: String]) {
            if labels.isEmpty { return }
            let own = incomingNamespaceLabels
            let incomingNamespace: (String) -> [String: String]? = { _ in own }
            let cache = namespaces
            let existingNamespace: (String) -> [String: String]? = { cache.labels($0) }
            for existing in pods {
                // The incoming pod's preferred terms selecting the existing pod.
                for weighted in incoming.preferredAffinityTerms {
                    add(weighted.term, weight: weighted.weight, selecting: existing, existingNamespace, labels, 1)
                }
                for weighted in incoming.preferredAntiAffinityTerms {
                    add(weighted.term, weight: weighted.weight, selecting: existing, existingNamespace, labels, -1)
                }
                // The existing pod's terms selecting the incoming pod.
                if hardPodAffinityWeight > 0 {
                    for term in existing.requiredAffinityTerms {
                        add(term, weight: hardPodAffinityWeight, selecting: incoming, incomingNamespace, labels, 1)
                    }
                }
                for weighted in existing.preferredAffinityTerms {
                    add(weighted.term, weight: weighted.weight, selecting: incoming, incomingNamespace, labels, 1)
                }
                for weighted in existing.preferredAntiAffinityTerms {
                    add(weighted.term, weight: weighted.weight, selecting: incoming, incomingNamespace, labels, -1)
                }
            }
        }

        private mutating func add(
            _ term: AffinityTerm, weight: Int32, selecting target: PodInfo, _ lookup: (String) -> [String: String]?,
            _ labels: [String: String], _ sign: Int32
        ) {
            guard term.matches(target, namespaceLabels: lookup), let value = labels[term.topologyKey] else { return }
            topologyScore[term.topologyKey, default: [:]][value, default: 0] += Int64(weight * sign)
            scored = true
        }
    }

    /// The sum of the scores of the node's domains.
    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> Int64 {
        guard let box = state.read(ScoreStateBox.self) else { return 0 }
        let labels = node.labels
        var score: Int64 = 0
        for (key, values) in box.value.topologyScore {
            if let value = labels[key] { score += values[value] ?? 0 }
        }
        return score
    }

    public var normalizesScores: Bool { true }

    /// `int(100 · ((raw − min) / (max − min)))` in floating point as kube-scheduler computes it; 0 for every node
    /// when max == min.
    public func normalize(_ state: CycleState, _ pod: PodInfo, _ scores: inout [NodeScore]) -> PluginStatus {
        guard !scores.isEmpty, let box = state.read(ScoreStateBox.self), !box.value.topologyScore.isEmpty else {
            return .success
        }
        var minimum = Int64.max
        var maximum = Int64.min
        for entry in scores {
            minimum = min(minimum, entry.score)
            maximum = max(maximum, entry.score)
        }
        let spread = maximum - minimum
        for index in scores.indices {
            var normalized = 0.0
            if spread > 0 {
                normalized = Double(Framework.maxNodeScore) * (Double(scores[index].score - minimum) / Double(spread))
            }
            scores[index].score = Int64(normalized)
        }
        return .success
    }
}
