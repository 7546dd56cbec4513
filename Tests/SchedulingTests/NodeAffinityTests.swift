import APIMachinery
import Scheduling
import Testing

private func requirement(_ key: String, _ op: String, _ values: [String]? = nil) -> NodeSelectorRequirement {
    NodeSelectorRequirement(key: key, operator: op, values: values)
}

private func term(_ expressions: [NodeSelectorRequirement] = [], fields: [NodeSelectorRequirement] = []) -> NodeSelectorTerm {
    NodeSelectorTerm(matchExpressions: expressions.isEmpty ? nil : expressions, matchFields: fields.isEmpty ? nil : fields)
}

/// A pod with a node selector, required terms (nil: no required node affinity) and preferred terms.
private func affinityPod(
    selector: [String: String]? = nil, required: [NodeSelectorTerm]? = nil, preferred: [PreferredSchedulingTerm]? = nil
) -> PodInfo {
    PodInfo(makePod("p") { spec in
        spec.nodeSelector = selector
        if required != nil || preferred != nil {
            spec.affinity = Affinity(nodeAffinity: APIMachinery.NodeAffinity(
                requiredDuringSchedulingIgnoredDuringExecution: required.map { NodeSelector(nodeSelectorTerms: $0) },
                preferredDuringSchedulingIgnoredDuringExecution: preferred))
        }
    })
}

@Suite("NodeAffinity")
struct NodeAffinityTests {
    let plugin = Scheduling.NodeAffinity()
    let node = makeNodeInfo(makeNode("n1", labels: ["zone": "a", "disk": "ssd", "cores": "8"]))

    /// PreFilter then Filter, as the framework runs them (a skipped PreFilter passes the node).
    func filter(_ pod: PodInfo, _ node: NodeInfo, plugin: Scheduling.NodeAffinity? = nil) -> PluginStatus {
        let plugin = plugin ?? self.plugin
        let state = CycleState()
        let (_, status) = plugin.preFilter(state, pod, [node])
        if status.code == .skip { return .success }
        guard status.isSuccess else { return status }
        return plugin.filter(state, pod, node)
    }

    func fits(_ required: [NodeSelectorTerm], selector: [String: String]? = nil) -> Bool {
        filter(affinityPod(selector: selector, required: required), node).isSuccess
    }

    // MARK: Filter

    @Test("a pod without node selector or required affinity skips the plugin")
    func skip() {
        let (result, status) = plugin.preFilter(CycleState(), PodInfo(makePod("p")), [node])
        #expect(status.code == .skip)
        #expect(result == nil)
        let preferredOnly = affinityPod(preferred: [PreferredSchedulingTerm(weight: 1, preference: term([requirement("zone", "Exists")]))])
        #expect(plugin.preFilter(CycleState(), preferredOnly, [node]).1.code == .skip)
    }

    @Test("spec.nodeSelector: every label must match")
    func nodeSelector() {
        #expect(filter(affinityPod(selector: ["zone": "a"]), node).isSuccess)
        #expect(filter(affinityPod(selector: ["zone": "a", "disk": "ssd"]), node).isSuccess)
        let status = filter(affinityPod(selector: ["zone": "a", "disk": "hdd"]), node)
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["node(s) didn't match Pod's node affinity/selector"])
        #expect(!filter(affinityPod(selector: ["gpu": "true"]), node).isSuccess)
    }

    @Test("operators In, NotIn, Exists, DoesNotExist, Gt, Lt")
    func operators() {
        let cases: [(NodeSelectorRequirement, Bool)] = [
            (requirement("zone", "In", ["a", "b"]), true),
            (requirement("zone", "In", ["b"]), false),
            (requirement("missing", "In", ["a"]), false),
            (requirement("zone", "NotIn", ["b"]), true),
            (requirement("zone", "NotIn", ["a"]), false),
            (requirement("missing", "NotIn", ["a"]), true),  // an absent label is not in the set
            (requirement("disk", "Exists"), true),
            (requirement("missing", "Exists"), false),
            (requirement("missing", "DoesNotExist"), true),
            (requirement("disk", "DoesNotExist"), false),
            (requirement("cores", "Gt", ["4"]), true),
            (requirement("cores", "Gt", ["8"]), false),
            (requirement("cores", "Lt", ["16"]), true),
            (requirement("cores", "Lt", ["8"]), false),
            (requirement("zone", "Gt", ["1"]), false),  // the label is not an integer
            (requirement("missing", "Lt", ["100"]), false),
        ]
        for (expression, expected) in cases {
            #expect(fits([term([expression])]) == expected, "\(expression)")
        }
    }

    @Test("terms are ORed, expressions within a term ANDed")
    func termsAndExpressions() {
        let mismatch = term([requirement("zone", "In", ["b"])])
        let match = term([requirement("zone", "In", ["a"]), requirement("disk", "Exists")])
        let halfMatch = term([requirement("zone", "In", ["a"]), requirement("disk", "In", ["hdd"])])
        #expect(fits([mismatch, match]))
        #expect(!fits([mismatch, halfMatch]))
        #expect(!fits([halfMatch]))
    }

    @Test("node selector and required affinity must both hold")
    func selectorAndAffinity() {
        let match = term([requirement("zone", "In", ["a"])])
        #expect(fits([match], selector: ["disk": "ssd"]))
        #expect(!fits([match], selector: ["disk": "hdd"]))
        #expect(!fits([term([requirement("zone", "In", ["b"])])], selector: ["disk": "ssd"]))
    }

    @Test("an empty term list matches no node; an empty term matches nothing")
    func emptyTerms() {
        #expect(!fits([]))
        #expect(!fits([NodeSelectorTerm()]))
        #expect(fits([NodeSelectorTerm(), term([requirement("zone", "Exists")])]))
    }

    @Test("a term that does not parse matches nothing, other terms still can")
    func invalidTerms() {
        let badOperator = term([requirement("zone", "Bogus", ["a"])])
        let badGt = term([requirement("cores", "Gt", ["many"])])
        let inWithoutValues = term([requirement("zone", "In", [])])
        let badField = term(fields: [requirement("metadata.uid", "In", ["x"])])
        for bad in [badOperator, badGt, inWithoutValues, badField] {
            #expect(!fits([bad]))
            #expect(fits([bad, term([requirement("zone", "In", ["a"])])]))
        }
    }

    @Test("matchFields on metadata.name with In and NotIn")
    func matchFields() {
        #expect(fits([term(fields: [requirement("metadata.name", "In", ["n1"])])]))
        #expect(!fits([term(fields: [requirement("metadata.name", "In", ["n2"])])]))
        #expect(fits([term(fields: [requirement("metadata.name", "NotIn", ["n2"])])]))
        #expect(!fits([term(fields: [requirement("metadata.name", "NotIn", ["n1"])])]))
        // Fields and labels of one term are ANDed.
        #expect(!fits([term([requirement("zone", "In", ["b"])], fields: [requirement("metadata.name", "In", ["n1"])])]))
        // matchFields In needs exactly one value.
        #expect(!fits([term(fields: [requirement("metadata.name", "In", ["n1", "n2"])])]))
    }

    @Test("PreFilter narrows to the node names every term pins with metadata.name In")
    func narrowing() {
        func narrowed(_ terms: [NodeSelectorTerm]) -> (Set<String>?, PluginStatus) {
            let (result, status) = plugin.preFilter(CycleState(), affinityPod(required: terms), [node])
            return (result?.nodeNames, status)
        }
        let n1 = term(fields: [requirement("metadata.name", "In", ["n1"])])
        let n2n3 = term(fields: [requirement("metadata.name", "In", ["n2", "n3"])])
        #expect(narrowed([n1]).0 == ["n1"])
        #expect(narrowed([n1, n2n3]).0 == ["n1", "n2", "n3"])
        // A term without a name requirement allows every node.
        #expect(narrowed([n1, term([requirement("zone", "Exists")])]).0 == nil)
        // Within a term, name requirements intersect.
        let both = term(fields: [requirement("metadata.name", "In", ["n1", "n2"]), requirement("metadata.name", "In", ["n2"])])
        #expect(narrowed([both]).0 == ["n2"])
        // NotIn does not narrow.
        #expect(narrowed([term(fields: [requirement("metadata.name", "NotIn", ["n1"])])]).0 == nil)
        // No name satisfies the term: unresolvable at PreFilter.
        let disjoint = term(fields: [requirement("metadata.name", "In", ["n1"]), requirement("metadata.name", "In", ["n2"])])
        let (names, status) = narrowed([disjoint])
        #expect(names == nil)
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["pod affinity terms conflict"])
    }

    @Test("Filter without PreFilter state computes the requirements itself")
    func filterWithoutPreFilter() {
        let pod = affinityPod(selector: ["zone": "a"], required: [term([requirement("disk", "In", ["ssd"])])])
        #expect(plugin.filter(CycleState(), pod, node).isSuccess)
        let other = makeNodeInfo(makeNode("n2", labels: ["zone": "a"]))
        #expect(plugin.filter(CycleState(), pod, other).code == .unschedulableAndUnresolvable)
    }

    @Test("added affinity is enforced on every pod, with its own reason")
    func addedAffinity() {
        let enforced = Scheduling.NodeAffinity(addedAffinity: APIMachinery.NodeAffinity(
            requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(nodeSelectorTerms: [term([requirement("zone", "In", ["b"])])])))
        let status = filter(PodInfo(makePod("p")), node, plugin: enforced)
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["node(s) didn't match scheduler-enforced node affinity"])
        let zoneB = makeNodeInfo(makeNode("n2", labels: ["zone": "b"]))
        #expect(filter(PodInfo(makePod("p")), zoneB, plugin: enforced).isSuccess)
    }

    @Test("node additions and label changes may help")
    func events() {
        #expect(plugin.clusterEvents.contains { $0.matches(ClusterEvent(.node, .add)) })
        #expect(plugin.clusterEvents.contains { $0.matches(ClusterEvent(.node, .updateNodeLabel)) })
        #expect(!plugin.clusterEvents.contains { $0.matches(ClusterEvent(.node, .updateNodeAllocatable)) })
        #expect(!plugin.clusterEvents.contains { $0.matches(ClusterEvent(.pod, .delete)) })
    }

    // MARK: Score

    let nodes = [
        makeNodeInfo(makeNode("n0", labels: ["zone": "a", "disk": "ssd"])),
        makeNodeInfo(makeNode("n1", labels: ["zone": "a"])),
        makeNodeInfo(makeNode("n2", labels: ["disk": "ssd"])),
        makeNodeInfo(makeNode("n3")),
    ]

    let preferred = [
        PreferredSchedulingTerm(weight: 30, preference: term([requirement("zone", "In", ["a"])])),
        PreferredSchedulingTerm(weight: 50, preference: term([requirement("disk", "In", ["ssd"])])),
        // Ignored: weight 0, and no requirement.
        PreferredSchedulingTerm(weight: 0, preference: term([requirement("zone", "Exists")])),
        PreferredSchedulingTerm(weight: 90, preference: NodeSelectorTerm()),
    ]

    func rawScores(_ pod: PodInfo, plugin: Scheduling.NodeAffinity? = nil) -> [Int64] {
        let plugin = plugin ?? self.plugin
        let state = CycleState()
        #expect(plugin.preScore(state, pod, nodes).isSuccess)
        return nodes.map { plugin.score(state, pod, $0) }
    }

    func normalized(_ raw: [Int64], sourceLocation: SourceLocation = #_sourceLocation) -> [Int64] {
        normalizedScores(plugin, raw, sourceLocation: sourceLocation)
    }

    @Test("the raw score sums the weights of the matching preferred terms")
    func raw() {
        // n0: 30 + 50 = 80; n1: 30; n2: 50; n3: 0.
        #expect(rawScores(affinityPod(preferred: preferred)) == [80, 30, 50, 0])
    }

    @Test("normalisation: 100·raw/max")
    func normalization() {
        // max 80: 100·80/80 = 100; 100·30/80 = 3000/80 = 37 (37.5 truncated); 100·50/80 = 62 (62.5); 0.
        #expect(normalized([80, 30, 50, 0]) == [100, 37, 62, 0])
        // max 0: all 0.
        #expect(normalized([0, 0]) == [0, 0])
    }

    @Test("PreScore skips pods without preferred terms")
    func preScoreSkip() {
        #expect(plugin.preScore(CycleState(), PodInfo(makePod("p")), nodes).code == .skip)
        #expect(plugin.preScore(CycleState(), affinityPod(selector: ["zone": "a"]), nodes).code == .skip)
        #expect(plugin.preScore(CycleState(), affinityPod(preferred: [preferred[2], preferred[3]]), nodes).code == .skip)
    }

    @Test("a preferred term that does not parse fails PreScore")
    func preScoreError() {
        let bad = PreferredSchedulingTerm(weight: 10, preference: term([requirement("zone", "Gt", ["x"])]))
        #expect(plugin.preScore(CycleState(), affinityPod(preferred: [bad]), nodes).code == .error)
    }

    @Test("added preferred terms score every pod")
    func addedPreferred() {
        let added = Scheduling.NodeAffinity(addedAffinity: APIMachinery.NodeAffinity(
            preferredDuringSchedulingIgnoredDuringExecution: [
                PreferredSchedulingTerm(weight: 5, preference: term([requirement("disk", "DoesNotExist")])),
            ]))
        // n1 and n3 have no disk label: +5 each. Pod terms: n0 80, n1 30, n2 50.
        #expect(rawScores(PodInfo(makePod("p")), plugin: added) == [0, 5, 0, 5])
        #expect(rawScores(affinityPod(preferred: preferred), plugin: added) == [80, 35, 50, 5])
    }

    @Test("through the framework: normalised, then × weight 2")
    func weighted() throws {
        let framework = try Framework(Profile(schedulerName: "default-scheduler", plugins: [plugin],
            scoreWeights: ["NodeAffinity": 2]))
        let state = CycleState()
        let pod = affinityPod(preferred: preferred)
        #expect(framework.runPreScore(state, pod, nodes).isSuccess)
        // [100, 37, 62, 0] × 2.
        #expect(try framework.runScore(state, pod, nodes) == [200, 74, 124, 0])
    }
}
