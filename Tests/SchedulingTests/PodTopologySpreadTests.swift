import APIMachinery
import Raft
@testable import Scheduling
import Testing


private let zoneKey = "topology.kubernetes.io/zone"
private let hostnameKey = "kubernetes.io/hostname"

/// A node in `zone` (nil: no zone label).
private func zoned(_ name: String, _ zone: String?, labels: [String: String] = [:], taints: [Taint] = []) -> Node {
    var all = labels
    if let zone { all[zoneKey] = zone }
    return makeNode(name, labels: all, taints: taints)
}

/// `count` pods with `labels` bound to `node`.
private func pods(
    _ count: Int, on node: String, labels: [String: String] = ["app": "web"], namespace: String = "default",
    prefix: String = "p"
) -> [Pod] {
    (0..<count).map { makePod("\(prefix)-\(node)-\($0)", namespace: namespace, labels: labels, nodeName: node) }
}

private func spread(
    _ key: String = zoneKey, maxSkew: Int32 = 1, hard: Bool = true, selector: [String: String]? = ["app": "web"],
    minDomains: Int32? = nil, nodeAffinityPolicy: String? = nil, nodeTaintsPolicy: String? = nil,
    matchLabelKeys: [String]? = nil
) -> TopologySpreadConstraint {
    TopologySpreadConstraint(
        maxSkew: maxSkew, topologyKey: key, whenUnsatisfiable: hard ? "DoNotSchedule" : "ScheduleAnyway",
        labelSelector: selector.map { LabelSelector(matchLabels: $0) }, minDomains: minDomains,
        nodeAffinityPolicy: nodeAffinityPolicy, nodeTaintsPolicy: nodeTaintsPolicy, matchLabelKeys: matchLabelKeys)
}

/// The incoming pod.
private func incoming(
    _ constraints: [TopologySpreadConstraint], labels: [String: String] = ["app": "web"],
    edit: (inout PodSpec) -> Void = { _ in }
) -> PodInfo {
    PodInfo(makePod("incoming", labels: labels) { spec in
        spec.topologySpreadConstraints = constraints
        edit(&spec)
    })
}

/// PreFilter then Filter on every node.
private func filterAll(_ plugin: PodTopologySpread, _ pod: PodInfo, _ nodes: [NodeInfo]) -> (PluginStatus, [PluginStatus]) {
    let state = CycleState()
    let (_, status) = plugin.preFilter(state, pod, nodes)
    return (status, nodes.map { plugin.filter(state, pod, $0) })
}

private let fits = PluginStatus.Code.success
private let skewReason = "node(s) didn't match pod topology spread constraints"
private let labelReason = "node(s) didn't match pod topology spread constraints (missing required label)"

@Suite("PodTopologySpread")
struct PodTopologySpreadTests {
    let plugin = PodTopologySpread()

    // Zones a (a1: 2 web pods), b (b1: 1), c (c1: 0).
    var threeZones: [NodeInfo] {
        [
            makeNodeInfo(zoned("a1", "a"), pods: pods(2, on: "a1")),
            makeNodeInfo(zoned("b1", "b"), pods: pods(1, on: "b1")),
            makeNodeInfo(zoned("c1", "c")),
        ]
    }

    // MARK: Filter

    @Test func skewWithSelfMatch() {
        // counts a=2, b=1, c=0; min 0; the pod matches itself (+1):
        // a1: 2+1−0 = 3 > 1 ✗; b1: 1+1−0 = 2 > 1 ✗; c1: 0+1−0 = 1 ≤ 1 ✓.
        let (pre, statuses) = filterAll(plugin, incoming([spread()]), threeZones)
        #expect(pre.isSuccess)
        #expect(statuses.map(\.code) == [.unschedulable, .unschedulable, fits])
        #expect(statuses[0].reasons == [skewReason])
    }

    @Test func skewWithoutSelfMatch() {
        // The pod is not web: a1: 2+0−0 = 2 > 1 ✗; b1: 1+0−0 = 1 ✓; c1: 0 ✓.
        let (_, statuses) = filterAll(plugin, incoming([spread()], labels: ["app": "api"]), threeZones)
        #expect(statuses.map(\.code) == [.unschedulable, fits, fits])
    }

    @Test func largerMaxSkew() {
        // maxSkew 2: a1: 3 > 2 ✗; b1: 2 ✓; c1: 1 ✓.
        let (_, statuses) = filterAll(plugin, incoming([spread(maxSkew: 2)]), threeZones)
        #expect(statuses.map(\.code) == [.unschedulable, fits, fits])
    }

    @Test func domainsSpanNodes() {
        // Zone a: a1 (1) + a2 (1) = 2; zone b: b1 (1). min 1. a: 2+1−1 = 2 > 1 ✗ on both a nodes; b: 1+1−1 = 1 ✓.
        let nodes = [
            makeNodeInfo(zoned("a1", "a"), pods: pods(1, on: "a1")),
            makeNodeInfo(zoned("a2", "a"), pods: pods(1, on: "a2")),
            makeNodeInfo(zoned("b1", "b"), pods: pods(1, on: "b1")),
        ]
        let (_, statuses) = filterAll(plugin, incoming([spread()]), nodes)
        #expect(statuses.map(\.code) == [.unschedulable, .unschedulable, fits])
    }

    @Test func minDomains() {
        // Zones a (1) and b (1): 2 domains.
        let nodes = [
            makeNodeInfo(zoned("a1", "a"), pods: pods(1, on: "a1")),
            makeNodeInfo(zoned("b1", "b"), pods: pods(1, on: "b1")),
        ]
        // Without minDomains: min 1; 1+1−1 = 1 ✓ everywhere.
        #expect(filterAll(plugin, incoming([spread()]), nodes).1.map(\.code) == [fits, fits])
        // minDomains 2 (= domains): the same.
        #expect(filterAll(plugin, incoming([spread(minDomains: 2)]), nodes).1.map(\.code) == [fits, fits])
        // minDomains 3 > 2 domains: global min treated as 0; 1+1−0 = 2 > 1 ✗ everywhere.
        let (_, statuses) = filterAll(plugin, incoming([spread(minDomains: 3)]), nodes)
        #expect(statuses.map(\.code) == [.unschedulable, .unschedulable])
        // minDomains 3 with maxSkew 2: 2 ≤ 2 ✓.
        #expect(filterAll(plugin, incoming([spread(maxSkew: 2, minDomains: 3)]), nodes).1.map(\.code) == [fits, fits])
    }

    @Test func nodeMissingTopologyKey() {
        // n1 has no zone: unresolvable, and it forms no domain (min stays over a, b, c).
        var nodes = threeZones
        nodes.append(makeNodeInfo(zoned("n1", nil), pods: pods(5, on: "n1")))
        let (_, statuses) = filterAll(plugin, incoming([spread()]), nodes)
        #expect(statuses.map(\.code) == [.unschedulable, .unschedulable, fits, .unschedulableAndUnresolvable])
        #expect(statuses[3].reasons == [labelReason])
    }

    @Test func nodesLackingAnyKeyDoNotCount() {
        // Two constraints (zone, rack). b1 has no rack, so it forms no domain for either constraint: zone
        // domains are a (0) and c (2) only, min 0. c1: 2+1−0 = 3 > 1 ✗; a1: 0+1 = 1 ✓; b1 lacks rack: unresolvable.
        let nodes = [
            makeNodeInfo(zoned("a1", "a", labels: ["rack": "r1"])),
            makeNodeInfo(zoned("b1", "b"), pods: pods(3, on: "b1")),
            makeNodeInfo(zoned("c1", "c", labels: ["rack": "r2"]), pods: pods(2, on: "c1")),
        ]
        let pod = incoming([spread(maxSkew: 1), spread("rack", maxSkew: 5)])
        let (_, statuses) = filterAll(plugin, pod, nodes)
        #expect(statuses.map(\.code) == [fits, .unschedulableAndUnresolvable, .unschedulable])
    }

    @Test func nodeAffinityPolicyHonorAndIgnore() {
        // The pod wants disk=ssd; zone c (no web pods) has no ssd node.
        var nodes = [
            makeNodeInfo(zoned("a1", "a", labels: ["disk": "ssd"]), pods: pods(2, on: "a1")),
            makeNodeInfo(zoned("b1", "b", labels: ["disk": "ssd"]), pods: pods(1, on: "b1")),
            makeNodeInfo(zoned("c1", "c", labels: ["disk": "hdd"])),
        ]
        nodes.append(makeNodeInfo(zoned("c2", "c")))
        let ssd: (inout PodSpec) -> Void = { $0.nodeSelector = ["disk": "ssd"] }
        // Honor (default): zone c is not a domain; min over a=2, b=1 is 1. a1: 2+1−1 = 2 ✗; b1: 1+1−1 = 1 ✓;
        // c1, c2 (not eligible, count 0): 0+1−1 = 0 ✓ (NodeAffinity rejects them, not this plugin).
        let honor = filterAll(plugin, incoming([spread()], edit: ssd), nodes).1
        #expect(honor.map(\.code) == [.unschedulable, fits, fits, fits])
        // Ignore: zone c counts (0), min 0; b1: 1+1−0 = 2 ✗.
        let ignore = filterAll(plugin, incoming([spread(nodeAffinityPolicy: "Ignore")], edit: ssd), nodes).1
        #expect(ignore.map(\.code) == [.unschedulable, .unschedulable, fits, fits])
    }

    @Test func requiredNodeAffinityTerms() {
        // Required node affinity zone In (a, b): zone c not a domain. min = b's 1; b1: 1+1−1 = 1 ✓.
        let affinity: (inout PodSpec) -> Void = { spec in
            spec.affinity = Affinity(nodeAffinity: NodeAffinity(requiredDuringSchedulingIgnoredDuringExecution:
                NodeSelector(nodeSelectorTerms: [NodeSelectorTerm(matchExpressions: [
                    NodeSelectorRequirement(key: zoneKey, operator: "In", values: ["a", "b"]),
                ])])))
        }
        let statuses = filterAll(plugin, incoming([spread()], edit: affinity), threeZones).1
        #expect(statuses.map(\.code) == [.unschedulable, fits, fits])
    }

    @Test func nodeTaintsPolicy() {
        // c1 (0 web pods) has an untolerated NoSchedule taint.
        let taint = Taint(key: "dedicated", value: "gpu", effect: "NoSchedule")
        let nodes = [
            makeNodeInfo(zoned("a1", "a"), pods: pods(2, on: "a1")),
            makeNodeInfo(zoned("b1", "b"), pods: pods(1, on: "b1")),
            makeNodeInfo(zoned("c1", "c", taints: [taint])),
        ]
        // Ignore (default): zone c counts, min 0; b1: 2 > 1 ✗.
        #expect(filterAll(plugin, incoming([spread()]), nodes).1.map(\.code) == [.unschedulable, .unschedulable, fits])
        // Honor: zone c excluded, min 1; b1: 1+1−1 = 1 ✓.
        let honor = filterAll(plugin, incoming([spread(nodeTaintsPolicy: "Honor")]), nodes).1
        #expect(honor.map(\.code) == [.unschedulable, fits, fits])
        // Honor with a toleration: zone c counts again.
        let tolerating = incoming([spread(nodeTaintsPolicy: "Honor")]) { spec in
            spec.tolerations = [Toleration(key: "dedicated", operator: "Exists", effect: "NoSchedule")]
        }
        #expect(filterAll(plugin, tolerating, nodes).1.map(\.code) == [.unschedulable, .unschedulable, fits])
    }

    @Test func countsOnlyTheNamespaceAndLivePods() {
        // a1: 1 web pod in default, 3 in "other", 1 terminating → counts a=1; b=0. a1: 1+1−0 = 2 ✗; b1 ✓.
        var terminating = makePod("dying", labels: ["app": "web"], nodeName: "a1")
        terminating.metadata.deletionTimestamp = Time(secondsSinceEpoch: 1)
        let nodes = [
            makeNodeInfo(zoned("a1", "a"),
                pods: pods(1, on: "a1") + pods(3, on: "a1", namespace: "other") + [terminating]),
            makeNodeInfo(zoned("b1", "b")),
        ]
        #expect(filterAll(plugin, incoming([spread(maxSkew: 1)]), nodes).1.map(\.code) == [.unschedulable, fits])
        // maxSkew 2: a1: 1+1−0 = 2 ✓ (the other pods would make it 6).
        #expect(filterAll(plugin, incoming([spread(maxSkew: 2)]), nodes).1.map(\.code) == [fits, fits])
    }

    @Test func matchLabelKeysNarrowTheSelector() {
        // a1 holds 2 web pods of revision 1; b1 one web pod of revision 2. The pod is revision 2 and spreads by
        // app and revision: counts a=0, b=1; min 0. a1: 0+1 = 1 ✓; b1: 1+1 = 2 ✗.
        let nodes = [
            makeNodeInfo(zoned("a1", "a"), pods: pods(2, on: "a1", labels: ["app": "web", "rev": "1"])),
            makeNodeInfo(zoned("b1", "b"), pods: pods(1, on: "b1", labels: ["app": "web", "rev": "2"])),
        ]
        let pod = incoming([spread(matchLabelKeys: ["rev"])], labels: ["app": "web", "rev": "2"])
        #expect(filterAll(plugin, pod, nodes).1.map(\.code) == [fits, .unschedulable])
        // Without matchLabelKeys: a=2, b=1, min 1; a1: 2+1−1 = 2 ✗; b1: 1+1−1 = 1 ✓.
        let plain = incoming([spread()], labels: ["app": "web", "rev": "2"])
        #expect(filterAll(plugin, plain, nodes).1.map(\.code) == [.unschedulable, fits])
    }

    @Test func missingLabelSelectorSelectsNothing() {
        // No selector: every count is 0 and the pod does not match itself: 0 ≤ 1 everywhere.
        let (_, statuses) = filterAll(plugin, incoming([spread(selector: nil)]), threeZones)
        #expect(statuses.map(\.code) == [fits, fits, fits])
    }

    @Test func hostnameConstraint() {
        // Per-node domains: a1=2, b1=1, c1=0; min 0. maxSkew 1 with self-match: only c1.
        let (_, statuses) = filterAll(plugin, incoming([spread(hostnameKey)]), threeZones)
        #expect(statuses.map(\.code) == [.unschedulable, .unschedulable, fits])
    }

    @Test func skipsWithoutHardConstraints() {
        let state = CycleState()
        #expect(plugin.preFilter(state, incoming([]), threeZones).1.code == .skip)
        #expect(plugin.preFilter(state, incoming([spread(hard: false)]), threeZones).1.code == .skip)
        // The default constraints never filter.
        let withDefaults = PodTopologySpread(defaultSelector: { _ in LabelQuery(matching: ["app": "web"]) })
        #expect(withDefaults.preFilter(state, incoming([]), threeZones).1.code == .skip)
    }

    @Test func invalidSelectorIsAnError() {
        let bad = TopologySpreadConstraint(maxSkew: 1, topologyKey: zoneKey, whenUnsatisfiable: "DoNotSchedule",
            labelSelector: LabelSelector(matchLabels: ["bad key!": "x"]))
        #expect(plugin.preFilter(CycleState(), incoming([bad]), threeZones).1.code == .error)
    }

    // MARK: Preemption support

    @Test func addThenRemoveRestoresTheState() throws {
        let pod = incoming([spread(), spread(hostnameKey, maxSkew: 3)])
        let nodes = threeZones
        let state = CycleState()
        _ = plugin.preFilter(state, pod, nodes)
        let before = try #require(state.read(PodTopologySpread.FilterStateBox.self)?.value)
        let added = PodInfo(makePod("new", labels: ["app": "web"], nodeName: "c1"))
        // c1 becomes 1: zone c = 1, min over a=2, b=1, c=1 is 1; c1: 1+1−1 = 1 ✓, b1: 1+1−1 = 1 ✓ now.
        _ = plugin.addPod(state, pod, adding: added, to: nodes[2])
        let withAdded = try #require(state.read(PodTopologySpread.FilterStateBox.self)?.value)
        #expect(withAdded.count(0, "c") == 1)
        #expect(withAdded.globalMinimum(0) == 1)
        #expect(nodes.map { plugin.filter(state, pod, $0).code } == [.unschedulable, fits, fits])
        _ = plugin.removePod(state, pod, removing: added, from: nodes[2])
        #expect(state.read(PodTopologySpread.FilterStateBox.self)?.value == before)
        #expect(nodes.map { plugin.filter(state, pod, $0).code } == [.unschedulable, .unschedulable, fits])
    }

    @Test func removingAVictimLowersTheCount() throws {
        // Remove one of a1's pods: a=1, b=1, c=0; min 0; a1: 1+1 = 2 ✗ still; then remove b1's: b=0; b1: 0+1 ✓.
        let pod = incoming([spread()])
        let nodes = threeZones
        let state = CycleState()
        _ = plugin.preFilter(state, pod, nodes)
        _ = plugin.removePod(state, pod, removing: nodes[0].pods[0], from: nodes[0])
        _ = plugin.removePod(state, pod, removing: nodes[1].pods[0], from: nodes[1])
        let after = try #require(state.read(PodTopologySpread.FilterStateBox.self)?.value)
        #expect(after.count(0, "a") == 1 && after.count(0, "b") == 0 && after.globalMinimum(0) == 0)
        #expect(nodes.map { plugin.filter(state, pod, $0).code } == [.unschedulable, fits, fits])
    }

    @Test func addPodIgnoresOtherNamespacesAndNonMatchingPods() throws {
        let pod = incoming([spread()])
        let nodes = threeZones
        let state = CycleState()
        _ = plugin.preFilter(state, pod, nodes)
        let before = try #require(state.read(PodTopologySpread.FilterStateBox.self)?.value)
        _ = plugin.addPod(state, pod, adding: PodInfo(makePod("x", namespace: "other", labels: ["app": "web"])),
            to: nodes[2])
        _ = plugin.addPod(state, pod, adding: PodInfo(makePod("y", labels: ["app": "db"])), to: nodes[2])
        #expect(state.read(PodTopologySpread.FilterStateBox.self)?.value == before)
    }

    @Test func minimumFollowsIncrementsOfTheMinimumDomain() throws {
        // a=2, b=1, c=0. Adding 2 pods to c: min 0 → 1 (b) after the second add.
        let pod = incoming([spread()])
        let nodes = threeZones
        let state = CycleState()
        _ = plugin.preFilter(state, pod, nodes)
        _ = plugin.addPod(state, pod, adding: PodInfo(makePod("n1", labels: ["app": "web"])), to: nodes[2])
        #expect(state.read(PodTopologySpread.FilterStateBox.self)?.value.globalMinimum(0) == 1)
        _ = plugin.addPod(state, pod, adding: PodInfo(makePod("n2", labels: ["app": "web"])), to: nodes[2])
        let after = try #require(state.read(PodTopologySpread.FilterStateBox.self)?.value)
        #expect(after.count(0, "c") == 2 && after.globalMinimum(0) == 1)
    }

    // MARK: Score

    @Test func zoneScores() {
        // Soft zone constraint, maxSkew 1, 3 domains among feasible nodes: weight ln(3+2) = ln 5 = 1.6094379.
        // raw a1 = round(2·1.6094 + 0) = round(3.2189) = 3; b1 = round(1.6094) = 2; c1 = round(0) = 0.
        // max 3, min 0: a1 = 100·(3+0−3)/3 = 0; b1 = 100·(3−2)/3 = 100/3 = 33 (truncated); c1 = 300/3 = 100.
        let result = scoreAll(plugin, incoming([spread(hard: false)]), threeZones)
        #expect(result.raw == [3, 2, 0])
        #expect(result.normalized == [0, 33, 100])
    }

    @Test func zoneScoresWithMaxSkew() {
        // Counts a=3, b=1, c=0; weight ln 5. maxSkew 2 adds 1:
        // raw a1 = round(3·1.6094 + 1) = round(5.8283) = 6; b1 = round(2.6094) = 3; c1 = round(1) = 1.
        // max 6, min 1: a1 = 100·(7−6)/6 = 16 (16.67 truncated); b1 = 100·(7−3)/6 = 66; c1 = 100·6/6 = 100.
        let nodes = [
            makeNodeInfo(zoned("a1", "a"), pods: pods(3, on: "a1")),
            makeNodeInfo(zoned("b1", "b"), pods: pods(1, on: "b1")),
            makeNodeInfo(zoned("c1", "c")),
        ]
        let result = scoreAll(plugin, incoming([spread(maxSkew: 2, hard: false)]), nodes)
        #expect(result.raw == [6, 3, 1])
        #expect(result.normalized == [16, 66, 100])
    }

    @Test func roundingIsToNearest() {
        // 2 domains (a, b): weight ln 4 = 1.3862944. a: 1 pod → round(1.386) = 1 (not 2);
        // b: 2 pods → round(2.7726) = 3 (not 2). max 3, min 1: a = 100·(4−1)/3 = 100; b = 100·(4−3)/3 = 33.
        let nodes = [
            makeNodeInfo(zoned("a1", "a"), pods: pods(1, on: "a1")),
            makeNodeInfo(zoned("b1", "b"), pods: pods(2, on: "b1")),
        ]
        let result = scoreAll(plugin, incoming([spread(hard: false)]), nodes)
        #expect(result.raw == [1, 3])
        #expect(result.normalized == [100, 33])
    }

    @Test func domainsComeFromFeasibleNodesAndCountsFromAllNodes() {
        // Snapshot: a1 (2 web), b1 (1 web), c1 (0), d1 (4 web, not feasible). Feasible: a1, b1.
        // Domains among feasible nodes: a, b → weight ln(2+2) = ln 4 = 1.3862944; counts from every node: a=2, b=1.
        // raw a1 = round(2.7726) = 3; b1 = round(1.3863) = 1. max 3, min 1: a1 = 100·(4−3)/3 = 33; b1 = 100.
        var nodes = threeZones
        nodes.append(makeNodeInfo(zoned("d1", "d"), pods: pods(4, on: "d1")))
        let result = scoreAll(plugin, incoming([spread(hard: false)]), nodes, feasible: [nodes[0], nodes[1]])
        #expect(result.raw == [3, 1])
        #expect(result.normalized == [33, 100])
    }

    @Test func zoneCountsIncludeInfeasibleNodesOfTheDomain() {
        // Zone a: a1 (feasible, 0 pods) and a2 (not feasible, 3 pods); zone b: b1 (1 pod). Feasible a1, b1.
        // weight ln(2+2) = 1.3862944; a1 = round(3·1.3863) = round(4.1589) = 4; b1 = round(1.3863) = 1.
        // max 4, min 1: a1 = 100·(5−4)/4 = 25; b1 = 100·(5−1)/4 = 100.
        let nodes = [
            makeNodeInfo(zoned("a1", "a")),
            makeNodeInfo(zoned("a2", "a"), pods: pods(3, on: "a2")),
            makeNodeInfo(zoned("b1", "b"), pods: pods(1, on: "b1")),
        ]
        let result = scoreAll(plugin, incoming([spread(hard: false)]), nodes, feasible: [nodes[0], nodes[2]])
        #expect(result.raw == [4, 1])
        #expect(result.normalized == [25, 100])
    }

    @Test func hostnameScoresAndIgnoredNodes() {
        // Soft hostname constraint; n1 lacks... every node has a hostname, so add a zone constraint too and
        // leave n1 without a zone: n1 is ignored (score 0) and does not count as a hostname domain.
        // Nodes with both keys: a1 (2 web), a2 (1), b1 (0) → hostname weight ln(3+2) = ln 5 = 1.6094379;
        // zone domains a, b → weight ln 4 = 1.3862944; zone counts a = 3, b = 0.
        // a1 = round(2·1.6094 + 0 + 3·1.3863 + 0) = round(3.2189 + 4.1589) = round(7.3778) = 7
        // a2 = round(1.6094 + 4.1589) = round(5.7683) = 6
        // b1 = round(0 + 0) = 0
        // max 7, min 0: a1 = 100·(7−7)/7 = 0; a2 = 100·(7−6)/7 = 14; b1 = 700/7 = 100; n1 ignored = 0.
        let nodes = [
            makeNodeInfo(zoned("a1", "a"), pods: pods(2, on: "a1")),
            makeNodeInfo(zoned("a2", "a"), pods: pods(1, on: "a2")),
            makeNodeInfo(zoned("b1", "b")),
            makeNodeInfo(zoned("n1", nil)),
        ]
        let pod = incoming([spread(hostnameKey, hard: false), spread(hard: false)])
        let result = scoreAll(plugin, pod, nodes)
        #expect(result.raw == [7, 6, 0, PodTopologySpread.ignoredScore])
        #expect(result.normalized == [0, 14, 100, 0])
    }

    @Test func allZeroScoresNormaliseTo100() {
        // No matching pods, maxSkew 1: every raw score is 0 → max 0 → 100 for every node.
        let nodes = [makeNodeInfo(zoned("a1", "a")), makeNodeInfo(zoned("b1", "b"))]
        let result = scoreAll(plugin, incoming([spread(hard: false)]), nodes)
        #expect(result.raw == [0, 0])
        #expect(result.normalized == [100, 100])
    }

    @Test func defaultConstraintsNeedASelector() {
        let pod = incoming([])
        #expect(plugin.preScore(CycleState(), pod, threeZones).code == .skip)
        let empty = PodTopologySpread(defaultSelector: { _ in .everything })
        #expect(empty.preScore(CycleState(), pod, threeZones).code == .skip)
        let none = PodTopologySpread(defaultSelector: { _ in nil })
        #expect(none.preScore(CycleState(), pod, threeZones).code == .skip)
    }

    @Test func defaultConstraints() {
        // System defaults: hostname maxSkew 3, zone maxSkew 5, selector app=web. Nodes without a zone are
        // still scored (by hostname). Feasible: a1 (2 web), a2 (0), b1 (1), n1 (1, no zone).
        // Zone domains among feasible nodes: a, b and "" (n1) → 3 → weight ln 5 = 1.6094379; hostname: 4 nodes →
        // weight ln 6 = 1.7917595. Zone counts: a = 2, b = 1.
        // a1 = (2·1.7918 + 2) + (2·1.6094 + 4) = 5.5835 + 7.2189 = 12.8024 → 13
        // a2 = (0 + 2) + 7.2189 = 9.2189 → 9
        // b1 = (1.7918 + 2) + (1.6094 + 4) = 9.4012 → 9
        // n1 = (1.7918 + 2) + (no zone) = 3.7918 → 4
        // max 13, min 4: a1 = 100·(17−13)/13 = 30 (30.8); a2 = b1 = 100·(17−9)/13 = 61 (61.5); n1 = 1300/13 = 100.
        let nodes = [
            makeNodeInfo(zoned("a1", "a"), pods: pods(2, on: "a1")),
            makeNodeInfo(zoned("a2", "a")),
            makeNodeInfo(zoned("b1", "b"), pods: pods(1, on: "b1")),
            makeNodeInfo(zoned("n1", nil), pods: pods(1, on: "n1")),
        ]
        let withDefaults = PodTopologySpread(defaultSelector: { pod in
            pod.labels["app"].map { LabelQuery(matching: ["app": $0]) }
        })
        let result = scoreAll(withDefaults, incoming([]), nodes)
        #expect(result.status.isSuccess)
        #expect(result.raw == [13, 9, 9, 4])
        #expect(result.normalized == [30, 61, 61, 100])
    }

    @Test func scoringHonoursNodeAffinityPolicy() {
        // Zone a: a1 (ssd, 0 web), a2 (hdd, 3 web); zone b: b1 (ssd, 1 web). The pod wants ssd; feasible a1, b1.
        // Honor: a2 does not count → a = 0, b = 1; weight ln 4: a1 = 0, b1 = round(1.3863) = 1 → a1 100, b1 0.
        // Ignore: a = 3 → a1 = round(4.1589) = 4, b1 = 1 → a1 = 100·(5−4)/4 = 25, b1 = 100.
        let nodes = [
            makeNodeInfo(zoned("a1", "a", labels: ["disk": "ssd"])),
            makeNodeInfo(zoned("a2", "a", labels: ["disk": "hdd"]), pods: pods(3, on: "a2")),
            makeNodeInfo(zoned("b1", "b", labels: ["disk": "ssd"]), pods: pods(1, on: "b1")),
        ]
        let ssd: (inout PodSpec) -> Void = { $0.nodeSelector = ["disk": "ssd"] }
        let honor = scoreAll(plugin, incoming([spread(hard: false)], edit: ssd), nodes, feasible: [nodes[0], nodes[2]])
        #expect(honor.raw == [0, 1])
        #expect(honor.normalized == [100, 0])
        let ignore = scoreAll(plugin, incoming([spread(hard: false, nodeAffinityPolicy: "Ignore")], edit: ssd), nodes,
            feasible: [nodes[0], nodes[2]])
        #expect(ignore.raw == [4, 1])
        #expect(ignore.normalized == [25, 100])
    }

    @Test func hardConstraintsDoNotScore() {
        #expect(plugin.preScore(CycleState(), incoming([spread()]), threeZones).code == .skip)
    }

    // MARK: Counts kept between cycles

    /// The present domains' counts per constraint, whatever ids they got.
    private func summary(_ state: PodTopologySpread.FilterState) -> [[String: Int]] {
        state.domains.indices.map { index in
            var result: [String: Int] = [:]
            for (value, id) in state.domains[index].ids where state.present[index][id] {
                result[value] = state.domains[index].pods[id]
            }
            return result
        }
    }

    @Test func changedGenerationsAreRecounted() throws {
        // Generations as the scheduler cache sets them: a1 = 1, b1 = 2.
        var a1 = makeNodeInfo(zoned("a1", "a"), pods: pods(2, on: "a1"))
        var b1 = makeNodeInfo(zoned("b1", "b"))
        a1.generation = 1
        b1.generation = 2
        let pod = incoming([spread()])
        let first = CycleState()
        _ = plugin.preFilter(first, pod, [a1, b1])
        #expect(try summary(#require(first.read(PodTopologySpread.FilterStateBox.self)?.value)) == [["a": 2, "b": 0]])
        // b1 gets 3 pods (generation 3); a1 is unchanged and not recounted.
        for extra in pods(3, on: "b1", prefix: "q") { b1.add(PodInfo(extra)) }
        b1.generation = 3
        let second = CycleState()
        _ = plugin.preFilter(second, pod, [a1, b1])
        #expect(try summary(#require(second.read(PodTopologySpread.FilterStateBox.self)?.value)) == [["a": 2, "b": 3]])
        // b1 moves to zone a and loses its pods (generation 4): zone b no longer counts.
        b1 = makeNodeInfo(zoned("b1", "a"))
        b1.generation = 4
        let third = CycleState()
        _ = plugin.preFilter(third, pod, [a1, b1])
        let state = try #require(third.read(PodTopologySpread.FilterStateBox.self)?.value)
        #expect(summary(state) == [["a": 2]])
        #expect(state.domainCounts == [1])
        // Generation 0 (hand-built nodes) is always recounted, even under a name counted before.
        let fresh = [makeNodeInfo(zoned("a1", "a")), makeNodeInfo(zoned("b1", "b"), pods: pods(1, on: "b1"))]
        let fourth = CycleState()
        _ = plugin.preFilter(fourth, pod, fresh)
        #expect(try summary(#require(fourth.read(PodTopologySpread.FilterStateBox.self)?.value)) == [["a": 0, "b": 1]])
        let again = [makeNodeInfo(zoned("a1", "a"), pods: pods(4, on: "a1")), makeNodeInfo(zoned("b1", "b"))]
        let fifth = CycleState()
        _ = plugin.preFilter(fifth, pod, again)
        #expect(try summary(#require(fifth.read(PodTopologySpread.FilterStateBox.self)?.value)) == [["a": 4, "b": 0]])
    }

    @Test func keptCountsMatchFreshCounts() throws {
        // A cluster that changes between cycles (pods bound and deleted, labels and taints changed, nodes added
        // and removed, generations bumped as the scheduler cache does): the plugin that keeps its counts
        // answers as a fresh plugin counting everything.
        var random = SplitMix64(seed: 42)
        var generation: UInt64 = 0
        func touch(_ node: inout NodeInfo) {
            generation += 1
            node.generation = generation
        }
        let zones = ["a", "b", "c", "d"]
        var nodes: [NodeInfo] = (0..<12).map { index in
            let disk = index % 3 == 0 ? "hdd" : "ssd"
            var node = makeNodeInfo(zoned("n\(index)", zones[index % 4], labels: ["disk": disk]))
            touch(&node)
            return node
        }
        var serial = 0
        let kept = PodTopologySpread(defaultSelector: { _ in LabelQuery(matching: ["app": "web"]) })
        let pods: [PodInfo] = [
            incoming([spread(maxSkew: 1), spread(hostnameKey, maxSkew: 2)]),
            incoming([spread(maxSkew: 1, nodeAffinityPolicy: "Ignore")]) { $0.nodeSelector = ["disk": "ssd"] },
            incoming([spread(maxSkew: 2, nodeTaintsPolicy: "Honor")]) { $0.nodeSelector = ["disk": "ssd"] },
            incoming([spread(maxSkew: 1, hard: false), spread(hostnameKey, hard: false)]),
            incoming([]),
        ]
        for round in 0..<60 {
            // Change the cluster.
            for _ in 0..<3 {
                let position = Int(random.next() % UInt64(nodes.count))
                switch random.next() % 6 {
                case 0, 1:
                    serial += 1
                    let labels = random.next() % 3 == 0 ? ["app": "db"] : ["app": "web"]
                    let namespace = random.next() % 5 == 0 ? "other" : "default"
                    nodes[position].add(PodInfo(makePod("r\(serial)", namespace: namespace, labels: labels,
                        nodeName: nodes[position].name)))
                case 2:
                    if let victim = nodes[position].pods.first { nodes[position].remove(uid: victim.uid) }
                case 3:
                    var labels = nodes[position].labels
                    labels[zoneKey] = random.next() % 4 == 0 ? nil : zones[Int(random.next() % 4)]
                    var node = nodes[position].node
                    node.metadata.labels = labels
                    nodes[position].setNode(node)
                case 4:
                    var node = nodes[position].node
                    var spec = node.spec ?? NodeSpec()
                    spec.taints = spec.taints == nil ? [Taint(key: "t", value: "v", effect: "NoSchedule")] : nil
                    node.spec = spec
                    nodes[position].setNode(node)
                default:
                    if random.next() % 2 == 0 && nodes.count > 6 {
                        nodes.remove(at: position)
                        continue
                    }
                    serial += 1
                    var node = makeNodeInfo(zoned("m\(serial)", zones[Int(random.next() % 4)], labels: ["disk": "ssd"]))
                    touch(&node)
                    nodes.insert(node, at: position)
                    continue
                }
                touch(&nodes[position])
            }
            if round % 7 == 0 { nodes.shuffle(using: &random) }
            // Kept against fresh, for each pod. The fresh plugin sees the nodes with generation 0, so it counts
            // everything and reads every node's labels (no shortcut through the kept positions).
            let zeroed = withGenerationsReset(nodes)
            for pod in pods {
                let fresh = PodTopologySpread(defaultSelector: { _ in LabelQuery(matching: ["app": "web"]) })
                let keptState = CycleState()
                let freshState = CycleState()
                let keptStatus = kept.preFilter(keptState, pod, nodes).1
                #expect(keptStatus == fresh.preFilter(freshState, pod, zeroed).1)
                if keptStatus.isSuccess {
                    let keptFilter = try #require(keptState.read(PodTopologySpread.FilterStateBox.self)?.value)
                    let freshFilter = try #require(freshState.read(PodTopologySpread.FilterStateBox.self)?.value)
                    #expect(summary(keptFilter) == summary(freshFilter))
                    #expect(keptFilter.domainCounts == freshFilter.domainCounts)
                    #expect(keptFilter.minimums == freshFilter.minimums)
                    #expect(nodes.map { kept.filter(keptState, pod, $0) }
                        == zeroed.map { fresh.filter(freshState, pod, $0) })
                }
                let feasible = nodes.indices.filter { _ in random.next() % 3 != 0 }
                let keptScore = kept.preScore(keptState, pod, feasible.map { nodes[$0] })
                #expect(keptScore == fresh.preScore(freshState, pod, feasible.map { zeroed[$0] }))
                if keptScore.isSuccess {
                    let keptWeights = keptState.read(PodTopologySpread.ScoreStateBox.self)?.value.weights
                    let freshWeights = freshState.read(PodTopologySpread.ScoreStateBox.self)?.value.weights
                    #expect(keptWeights == freshWeights)
                    #expect(feasible.map { kept.score(keptState, pod, nodes[$0]) }
                        == feasible.map { fresh.score(freshState, pod, zeroed[$0]) })
                }
            }
        }
    }

    // MARK: Framework, events

    @Test func throughTheFramework() throws {
        // Hard zone constraint and soft hostname constraint through the framework runner: the snapshot's
        // nodes reach PreScore through PreFilter.
        let framework = try Framework(Profile(schedulerName: "test", plugins: [plugin]))
        let pod = incoming([spread(maxSkew: 2), spread(hostnameKey, hard: false)])
        let nodes = threeZones
        let state = CycleState()
        #expect(framework.runPreFilter(state, pod, nodes).1.isSuccess)
        // a1: 2+1−0 = 3 > 2 ✗; b1: 2 ✓; c1: 1 ✓.
        let feasible = nodes.filter { framework.runFilter(state, pod, $0).isSuccess }
        #expect(feasible.map(\.name) == ["b1", "c1"])
        #expect(framework.runPreScore(state, pod, feasible).isSuccess)
        // Hostname weight ln(2+2): b1 = round(1.3863) = 1, c1 = 0 → b1 = 100·(1+0−1)/1 = 0, c1 = 100.
        #expect(try framework.runScore(state, pod, feasible) == [0, 100])
    }

    @Test func events() {
        let events = plugin.clusterEvents
        #expect(events.contains { $0.matches(ClusterEvent(.pod, .delete)) })
        #expect(events.contains { $0.matches(ClusterEvent(.pod, .updatePodLabel)) })
        #expect(events.contains { $0.matches(ClusterEvent(.node, .add)) })
        #expect(events.contains { $0.matches(ClusterEvent(.node, .updateNodeTaint)) })
        #expect(!events.contains { $0.matches(ClusterEvent(.node, .updateNodeAllocatable)) })
    }
}
