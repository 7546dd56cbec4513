public import APIMachinery

/// Places pods by node labels: `spec.nodeSelector` and required node affinity as a Filter, preferred node
/// affinity as a Score (kube-scheduler's `NodeAffinity`).
///
/// - PreFilter skips the plugin for pods with neither a node selector nor required node affinity, parses
///   the requirements once, and narrows the node set when every required term pins `metadata.name` with
///   `In` (the union of the terms' names; "pod affinity terms conflict" when that union is empty).
/// - Filter: every `spec.nodeSelector` label must be on the node with that value, and at least one required
///   term must match (terms ORed; within a term every `matchExpressions` and `matchFields` requirement,
///   ANDed). Operators `In`, `NotIn` (also matches a node without the label), `Exists`, `DoesNotExist`,
///   `Gt`, `Lt` (integer label values); `matchFields` supports `metadata.name` with `In` / `NotIn` and one
///   value. An empty term, or a term that does not parse, matches nothing; an empty term list matches no node.
///   A rejection is `UnschedulableAndUnresolvable`: "node(s) didn't match Pod's node affinity/selector".
/// - Score: the sum of the weights of the preferred terms the node matches (terms with weight 0 or no
///   requirement are ignored; a preferred term that does not parse fails PreScore, as in kube-scheduler),
///   normalised to `100·raw/max` (all 0 when the maximum is 0). The profile applies the plugin weight.
///
/// `addedAffinity` (kube-scheduler's `NodeAffinityArgs.addedAffinity`) is node affinity the scheduler adds to
/// every pod of the profile: its required part is checked first ("node(s) didn't match scheduler-enforced
/// node affinity"), its preferred terms add to every pod's score. Terms that do not parse never match.
public struct NodeAffinity: PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
    /// Its PreFilter state does not depend on other pods: nothing to update when pods are added or removed.
    public var updatesStateOnPodChanges: Bool { false }
    public let name = "NodeAffinity"

    let addedRequired: [Term]?
    let addedPreferred: [WeightedTerm]

    static let rejection = PluginStatus(.unschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector")
    static let enforcedRejection = PluginStatus(.unschedulableAndUnresolvable,
        "node(s) didn't match scheduler-enforced node affinity")
    static let conflict = PluginStatus(.unschedulableAndUnresolvable, "pod affinity terms conflict")

    public init(addedAffinity: APIMachinery.NodeAffinity? = nil) {
        addedRequired = addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution.map(Term.parse)
        addedPreferred = (addedAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).compactMap { preferred in
            guard let weighted = WeightedTerm(preferred), weighted.term.parseError == nil else { return nil }
            return weighted
        }
    }

    // MARK: Parsed requirements

    /// One node selector term with its requirements parsed (Kubernetes' `nodeSelectorTerm`).
    public struct Term: Sendable {
        /// `matchExpressions`, all of which must hold.
        public let labelRequirements: [LabelRequirement]
        /// `matchFields` on `metadata.name`: `In` (equal) or `NotIn` (not equal) one value.
        public let nameRequirements: [(equal: Bool, value: String)]
        /// Why the term does not parse (it then matches nothing).
        public let parseError: String?

        public init(_ term: NodeSelectorTerm) {
            var labels: [LabelRequirement] = []
            var names: [(equal: Bool, value: String)] = []
            var problems: [String] = []
            for expression in term.matchExpressions ?? [] {
                let key = expression.key ?? ""
                let op: LabelRequirement.Operator? = switch expression.operator ?? "" {
                case "In": .in
                case "NotIn": .notIn
                case "Exists": .exists
                case "DoesNotExist": .doesNotExist
                case "Gt": .greaterThan
                case "Lt": .lessThan
                default: nil
                }
                guard let op else {
                    problems.append("\"\(expression.operator ?? "")\" is not a valid label selector operator")
                    continue
                }
                do throws(SelectorError) {
                    labels.append(try LabelRequirement(key: key, operator: op, values: expression.values ?? []))
                } catch {
                    problems.append(error.message)
                }
            }
            for field in term.matchFields ?? [] {
                guard field.key == "metadata.name" else {
                    problems.append("field \"\(field.key ?? "")\" is not supported: only metadata.name")
                    continue
                }
                let values = field.values ?? []
                switch field.operator ?? "" {
                case "In", "NotIn":
                    guard values.count == 1 else {
                        problems.append("matchFields on metadata.name must have one value")
                        continue
                    }
                    names.append((equal: field.operator == "In", value: values[0]))
                default:
                    problems.append("\"\(field.operator ?? "")\" is not a valid field selector operator: In or NotIn")
                }
            }
            labelRequirements = labels
            nameRequirements = names
            parseError = problems.isEmpty ? nil : problems.joined(separator: "; ")
        }

        /// Whether a term has no requirement at all (it selects nothing and is left out).
        static func isEmpty(_ term: NodeSelectorTerm) -> Bool {
            (term.matchExpressions ?? []).isEmpty && (term.matchFields ?? []).isEmpty
        }

        /// The terms of `selector` that have requirements.
        static func parse(_ selector: NodeSelector) -> [Term] {
            (selector.nodeSelectorTerms ?? []).compactMap { isEmpty($0) ? nil : Term($0) }
        }

        /// Whether a node with these labels and name satisfies every requirement.
        public func matches(labels: [String: String], name: String) -> Bool {
            if parseError != nil { return false }
            for requirement in labelRequirements where !requirement.matches(value: labels[requirement.key]) {
                return false
            }
            for requirement in nameRequirements where (requirement.value == name) != requirement.equal {
                return false
            }
            return true
        }
    }

    /// A preferred term and its weight.
    struct WeightedTerm: Sendable {
        let weight: Int64
        let term: Term

        /// Nil for a term kube-scheduler ignores: weight 0 or no requirement.
        init?(_ preferred: PreferredSchedulingTerm) {
            let weight = Int64(preferred.weight ?? 0)
            guard weight != 0, let preference = preferred.preference, !Term.isEmpty(preference) else { return nil }
            self.weight = weight
            term = Term(preference)
        }
    }

    /// A pod's required node selector and node affinity, parsed (Kubernetes' `RequiredNodeAffinity`): what
    /// the Filter checks, and what PodTopologySpread's `nodeAffinityPolicy: Honor` needs.
    public struct RequiredNodeAffinity: Sendable {
        /// `spec.nodeSelector` as (key, value) pairs.
        public let nodeSelector: [(key: String, value: String)]
        /// The required terms (those with requirements); nil when the pod has no required node affinity.
        public let terms: [Term]?

        public init(_ pod: Pod) {
            nodeSelector = (pod.spec?.nodeSelector ?? [:]).map { (key: $0.key, value: $0.value) }
            terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution.map(Term.parse)
        }

        /// Whether a node with these labels and name satisfies the node selector and a required term.
        public func matches(labels: [String: String], name: String) -> Bool {
            for (key, value) in nodeSelector where labels[key] != value { return false }
            guard let terms else { return true }
            for term in terms where term.matches(labels: labels, name: name) { return true }
            return false
        }

        public func matches(_ node: NodeInfo) -> Bool { matches(labels: node.labels, name: node.name) }
    }

    // MARK: Filter

    private struct PreFilterState: Sendable {
        var required: RequiredNodeAffinity
    }

    public func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        let spec = pod.pod.spec
        let requiredSelector = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        if requiredSelector == nil && addedRequired == nil && spec?.nodeSelector == nil { return (nil, .skip) }
        state.write(PreFilterState(required: RequiredNodeAffinity(pod.pod)))
        guard let terms = requiredSelector?.nodeSelectorTerms, !terms.isEmpty else { return (nil, .success) }
        // Node names every term pins with `metadata.name In`: the pod can only go to their union.
        var union = Set<String>()
        for term in terms {
            var names: Set<String>?
            for field in term.matchFields ?? [] where field.key == "metadata.name" && field.operator == "In" {
                let values = Set(field.values ?? [])
                names = names.map { $0.intersection(values) } ?? values
            }
            guard let names else { return (nil, .success) }  // this term allows any node
            union.formUnion(names)
        }
        if union.isEmpty { return (nil, Self.conflict) }
        return (PreFilterResult(nodeNames: union), .success)
    }

    public func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        let labels = node.labels
        if let addedRequired, !addedRequired.contains(where: { $0.matches(labels: labels, name: node.name) }) {
            return Self.enforcedRejection
        }
        let required = state.read(PreFilterState.self)?.required ?? RequiredNodeAffinity(pod.pod)
        return required.matches(labels: labels, name: node.name) ? .success : Self.rejection
    }

    public var clusterEvents: [ClusterEvent] {
        [ClusterEvent(.node, [.add, .updateNodeLabel], label: "NodeAdd|NodeLabelChange")]
    }

    // MARK: Score

    private struct PreScoreState: Sendable {
        var preferred: [WeightedTerm]
    }

    public func preScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus {
        let preferred: [WeightedTerm]
        switch Self.preferredTerms(pod) {
        case .success(let terms): preferred = terms
        case .failure(let problem): return PluginStatus(.error, problem.message)
        }
        if preferred.isEmpty && addedPreferred.isEmpty { return .skip }
        state.write(PreScoreState(preferred: preferred))
        return .success
    }

    struct ParseProblem: Error {
        var message: String
    }

    /// The pod's preferred terms, or the first that does not parse.
    static func preferredTerms(_ pod: PodInfo) -> Result<[WeightedTerm], ParseProblem> {
        let list = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
        var terms: [WeightedTerm] = []
        for preferred in list {
            guard let weighted = WeightedTerm(preferred) else { continue }
            if let problem = weighted.term.parseError { return .failure(ParseProblem(message: problem)) }
            terms.append(weighted)
        }
        return .success(terms)
    }

    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> Int64 {
        let labels = node.labels
        var total: Int64 = 0
        for weighted in addedPreferred where weighted.term.matches(labels: labels, name: node.name) {
            total += weighted.weight
        }
        let preferred: [WeightedTerm]
        if let stored = state.read(PreScoreState.self) {
            preferred = stored.preferred
        } else if case .success(let terms) = Self.preferredTerms(pod) {
            preferred = terms
        } else {
            preferred = []
        }
        for weighted in preferred where weighted.term.matches(labels: labels, name: node.name) {
            total += weighted.weight
        }
        return total
    }

    public var normalizesScores: Bool { true }

    /// `100·raw/max`; unchanged (all 0) when the maximum is 0.
    public func normalize(_ state: CycleState, _ pod: PodInfo, _ scores: inout [NodeScore]) -> PluginStatus {
        var maximum: Int64 = 0
        for entry in scores where entry.score > maximum { maximum = entry.score }
        guard maximum > 0 else { return .success }
        for index in scores.indices { scores[index].score = Framework.maxNodeScore * scores[index].score / maximum }
        return .success
    }
}
