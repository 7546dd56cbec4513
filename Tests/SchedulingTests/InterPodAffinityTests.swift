import APIMachinery
import Raft
@testable import Scheduling
import Testing


private let zone = "topology.kubernetes.io/zone"
private let hostname = "kubernetes.io/hostname"

/// A node in `zoneName` (nil: no zone label).
private func node(_ name: String, _ zoneName: String?) -> Node {
    makeNode(name, labels: zoneName.map { [zone: $0] } ?? [:])
}

private func term(
    _ selector: [String: String]?, _ key: String, namespaces: [String]? = nil, namespaceSelector: LabelSelector? = nil
) -> PodAffinityTerm {
    PodAffinityTerm(labelSelector: selector.map { LabelSelector(matchLabels: $0) }, namespaces: namespaces,
        topologyKey: key, namespaceSelector: namespaceSelector)
}

private func weighted(_ weight: Int32, _ term: PodAffinityTerm) -> WeightedPodAffinityTerm {
    WeightedPodAffinityTerm(weight: weight, podAffinityTerm: term)
}

/// A pod with labels and pod (anti-)affinity terms, optionally bound to `nodeName`.
private func pod(
    _ name: String, labels: [String: String] = [:], on nodeName: String? = nil, namespace: String = "default",
    affinity: [PodAffinityTerm] = [], antiAffinity: [PodAffinityTerm] = [],
    preferredAffinity: [WeightedPodAffinityTerm] = [], preferredAntiAffinity: [WeightedPodAffinityTerm] = []
) -> Pod {
    makePod(name, namespace: namespace, labels: labels, nodeName: nodeName) { spec in
        let podAffinity = affinity.isEmpty && preferredAffinity.isEmpty ? nil : PodAffinity(
            requiredDuringSchedulingIgnoredDuringExecution: affinity.isEmpty ? nil : affinity,
            preferredDuringSchedulingIgnoredDuringExecution: preferredAffinity.isEmpty ? nil : preferredAffinity)
        let podAntiAffinity = antiAffinity.isEmpty && preferredAntiAffinity.isEmpty ? nil : PodAntiAffinity(
            requiredDuringSchedulingIgnoredDuringExecution: antiAffinity.isEmpty ? nil : antiAffinity,
            preferredDuringSchedulingIgnoredDuringExecution:
                preferredAntiAffinity.isEmpty ? nil : preferredAntiAffinity)
        if podAffinity != nil || podAntiAffinity != nil {
            spec.affinity = Affinity(podAffinity: podAffinity, podAntiAffinity: podAntiAffinity)
        }
    }
}

private func filterAll(_ plugin: InterPodAffinity, _ incoming: Pod, _ nodes: [NodeInfo]) -> (PluginStatus, [PluginStatus]) {
    let info = PodInfo(incoming)
    let state = CycleState()
    let (_, status) = plugin.preFilter(state, info, nodes)
    guard status.isSuccess else { return (status, []) }
    return (status, nodes.map { plugin.filter(state, info, $0) })
}

/// ``scoreAll(_:_:_:feasible:)`` for a pod object.
private func scoreAll(
    _ plugin: InterPodAffinity, _ incoming: Pod, _ nodes: [NodeInfo], feasible: [NodeInfo]? = nil
) -> (status: PluginStatus, raw: [Int64], normalized: [Int64]) {
    scoreAll(plugin, PodInfo(incoming), nodes, feasible: feasible)
}

private let fits = PluginStatus.Code.success
private let affinityReason = "node(s) didn't match pod affinity rules"
private let antiAffinityReason = "node(s) didn't match pod anti-affinity rules"
private let existingReason = "node(s) didn't satisfy existing pods anti-affinity rules"

@Suite("InterPodAffinity")
struct InterPodAffinityTests {
    let plugin = InterPodAffinity()

    // MARK: Required affinity

    @Test func requiredAffinityNeedsAMatchingPodInTheDomain() {
        // A db pod on a1 (zone a). The pod needs app=db in its zone: a1, a2 ✓; b1 ✗; n1 has no zone ✗.
        let nodes = [
            makeNodeInfo(node("a1", "a"), pods: [pod("db", labels: ["app": "db"], on: "a1")]),
            makeNodeInfo(node("a2", "a")),
            makeNodeInfo(node("b1", "b")),
            makeNodeInfo(node("n1", nil)),
        ]
        let incoming = pod("web", labels: ["app": "web"], affinity: [term(["app": "db"], zone)])
        let (pre, statuses) = filterAll(plugin, incoming, nodes)
        #expect(pre.isSuccess)
        #expect(statuses.map(\.code) == [fits, fits, .unschedulableAndUnresolvable, .unschedulableAndUnresolvable])
        #expect(statuses[2].reasons == [affinityReason])
    }

    @Test func firstPodOfAGroup() {
        // No db pod anywhere. A db pod with affinity to db pods may go to any node with the key.
        let nodes = [makeNodeInfo(node("a1", "a")), makeNodeInfo(node("b1", "b")), makeNodeInfo(node("n1", nil))]
        let first = pod("db-0", labels: ["app": "db"], affinity: [term(["app": "db"], zone)])
        #expect(filterAll(plugin, first, nodes).1.map(\.code) == [fits, fits, .unschedulableAndUnresolvable])
        // A pod that does not match its own terms cannot.
        let other = pod("web", labels: ["app": "web"], affinity: [term(["app": "db"], zone)])
        #expect(filterAll(plugin, other, nodes).1.map(\.code)
            == [.unschedulableAndUnresolvable, .unschedulableAndUnresolvable, .unschedulableAndUnresolvable])
    }

    @Test func firstPodRuleOnlyWhenNoPodMatches() {
        // A db pod exists in zone a: the next db pod must join it (b1 ✗ even though it matches itself).
        let nodes = [
            makeNodeInfo(node("a1", "a"), pods: [pod("db-0", labels: ["app": "db"], on: "a1")]),
            makeNodeInfo(node("b1", "b")),
        ]
        let next = pod("db-1", labels: ["app": "db"], affinity: [term(["app": "db"], zone)])
        #expect(filterAll(plugin, next, nodes).1.map(\.code) == [fits, .unschedulableAndUnresolvable])
    }

    @Test func affinityCountsPodsMatchingEveryTerm() {
        // Terms: app=db in the zone and tier=backend on the host. p1 (a1) matches both; p2 (b1) only app=db,
        // so it counts for neither. a1 ✓ (zone a and host a1 hold p1); a2 ✗ (host a2 holds nothing); b1 ✗.
        let nodes = [
            makeNodeInfo(node("a1", "a"), pods: [pod("p1", labels: ["app": "db", "tier": "backend"], on: "a1")]),
            makeNodeInfo(node("a2", "a")),
            makeNodeInfo(node("b1", "b"), pods: [pod("p2", labels: ["app": "db"], on: "b1")]),
        ]
        let incoming = pod("web", labels: ["app": "web"],
            affinity: [term(["app": "db"], zone), term(["tier": "backend"], hostname)])
        #expect(filterAll(plugin, incoming, nodes).1.map(\.code)
            == [fits, .unschedulableAndUnresolvable, .unschedulableAndUnresolvable])
    }

    @Test func termWithoutSelectorSelectsNothing() {
        // A required affinity term without a label selector matches no pod (and not the pod itself).
        let nodes = [makeNodeInfo(node("a1", "a"), pods: [pod("x", labels: ["app": "db"], on: "a1")])]
        let incoming = pod("web", labels: ["app": "db"], affinity: [term(nil, zone)])
        #expect(filterAll(plugin, incoming, nodes).1.map(\.code) == [.unschedulableAndUnresolvable])
    }

    // MARK: Required anti-affinity

    @Test func requiredAntiAffinity() {
        // The pod avoids web pods per host: a1 holds one ✗ (unschedulable); a2 ✓; a node without the key ✓.
        let nodes = [
            makeNodeInfo(node("a1", "a"), pods: [pod("w", labels: ["app": "web"], on: "a1")]),
            makeNodeInfo(node("a2", "a")),
            makeNodeInfo(makeNode("bare", labels: ["kubernetes.io/hostname": "bare"])),
        ]
        let incoming = pod("web", labels: ["app": "web"], antiAffinity: [term(["app": "web"], hostname)])
        let statuses = filterAll(plugin, incoming, nodes).1
        #expect(statuses.map(\.code) == [.unschedulable, fits, fits])
        #expect(statuses[0].reasons == [antiAffinityReason])
        // Per zone: both zone a nodes ✗.
        let byZone = pod("web", labels: ["app": "web"], antiAffinity: [term(["app": "web"], zone)])
        let zoned = [nodes[0], nodes[1], makeNodeInfo(node("b1", "b")), makeNodeInfo(node("n1", nil))]
        #expect(filterAll(plugin, byZone, zoned).1.map(\.code) == [.unschedulable, .unschedulable, fits, fits])
    }

    @Test func existingPodsAntiAffinity() {
        // An existing pod on a1 repels web pods from its zone: a1, a2 ✗ (existing pods' rule); b1 ✓.
        let guardPod = pod("guard", labels: ["app": "guard"], on: "a1", antiAffinity: [term(["app": "web"], zone)])
        let nodes = [
            makeNodeInfo(node("a1", "a"), pods: [guardPod]),
            makeNodeInfo(node("a2", "a")),
            makeNodeInfo(node("b1", "b")),
        ]
        let (pre, statuses) = filterAll(plugin, pod("web", labels: ["app": "web"]), nodes)
        #expect(pre.isSuccess)
        #expect(statuses.map(\.code) == [.unschedulable, .unschedulable, fits])
        #expect(statuses[0].reasons == [existingReason])
        // A pod the rule does not select: nothing to do.
        #expect(filterAll(plugin, pod("api", labels: ["app": "api"]), nodes).0.code == .skip)
    }

    @Test func skipsWithoutRequiredTerms() {
        let nodes = [makeNodeInfo(node("a1", "a"), pods: [pod("w", labels: ["app": "web"], on: "a1")])]
        let preferredOnly = pod("p", labels: ["app": "web"],
            preferredAffinity: [weighted(5, term(["app": "web"], zone))])
        #expect(filterAll(plugin, preferredOnly, nodes).0.code == .skip)
        #expect(filterAll(plugin, pod("plain"), nodes).0.code == .skip)
    }

    @Test func unparsableTermIsUnresolvable() {
        let bad = PodAffinityTerm(labelSelector: LabelSelector(matchLabels: ["bad key!": "x"]), topologyKey: zone)
        let incoming = pod("p", affinity: [bad])
        #expect(filterAll(plugin, incoming, [makeNodeInfo(node("a1", "a"))]).0.code == .unschedulableAndUnresolvable)
    }

    // MARK: Namespaces

    @Test func termsSelectTheirNamespaces() {
        // A web pod in namespace "other" on a1.
        let nodes = [
            makeNodeInfo(node("a1", "a"), pods: [pod("w", labels: ["app": "web"], on: "a1", namespace: "other")]),
            makeNodeInfo(node("a2", "a")),
        ]
        // The pod's own namespace only: the other pod does not count.
        let own = pod("x", labels: ["app": "web"], antiAffinity: [term(["app": "web"], hostname)])
        #expect(filterAll(plugin, own, nodes).1.map(\.code) == [fits, fits])
        // Named namespace.
        let named = pod("x", labels: ["app": "web"],
            antiAffinity: [term(["app": "web"], hostname, namespaces: ["other"])])
        #expect(filterAll(plugin, named, nodes).1.map(\.code) == [.unschedulable, fits])
        // Namespace selector, resolved through namespaceLabels.
        let selected = pod("x", labels: ["app": "web"], antiAffinity: [
            term(["app": "web"], hostname, namespaceSelector: LabelSelector(matchLabels: ["team": "blue"])),
        ])
        let blue = InterPodAffinity(namespaceLabels: { $0 == "other" ? ["team": "blue"] : nil })
        #expect(filterAll(blue, selected, nodes).1.map(\.code) == [.unschedulable, fits])
        #expect(filterAll(plugin, selected, nodes).1.map(\.code) == [fits, fits])
        // An empty namespace selector selects every namespace.
        let every = pod("x", labels: ["app": "web"], antiAffinity: [
            term(["app": "web"], hostname, namespaceSelector: LabelSelector()),
        ])
        #expect(filterAll(plugin, every, nodes).1.map(\.code) == [.unschedulable, fits])
    }

    @Test func existingTermsMatchTheIncomingPodsNamespaceLabels() {
        // The existing pod (namespace "infra") repels web pods of namespaces labelled team=blue.
        let guardPod = pod("guard", on: "a1", namespace: "infra", antiAffinity: [
            term(["app": "web"], hostname, namespaceSelector: LabelSelector(matchLabels: ["team": "blue"])),
        ])
        let nodes = [makeNodeInfo(node("a1", "a"), pods: [guardPod]), makeNodeInfo(node("a2", "a"))]
        let incoming = pod("web", labels: ["app": "web"])
        let blue = InterPodAffinity(namespaceLabels: { $0 == "default" ? ["team": "blue"] : nil })
        #expect(filterAll(blue, incoming, nodes).1.map(\.code) == [.unschedulable, fits])
        #expect(filterAll(plugin, incoming, nodes).0.code == .skip)
    }

    // MARK: Preemption support

    @Test func addThenRemoveRestoresTheState() throws {
        let guardPod = pod("guard", on: "a1", antiAffinity: [term(["app": "web"], zone)])
        let nodes = [
            makeNodeInfo(node("a1", "a"), pods: [guardPod, pod("db", labels: ["app": "db"], on: "a1")]),
            makeNodeInfo(node("b1", "b"), pods: [pod("w", labels: ["app": "web"], on: "b1")]),
            makeNodeInfo(node("c1", "c")),
        ]
        let incoming = PodInfo(pod("web", labels: ["app": "web"], affinity: [term(["app": "db"], zone)],
            antiAffinity: [term(["app": "web"], hostname)]))
        let state = CycleState()
        #expect(plugin.preFilter(state, incoming, nodes).1.isSuccess)
        let before = try #require(state.read(InterPodAffinity.FilterStateBox.self)?.value)
        // Zone a: db ✓ but the guard ✗; b1, c1: no db ✗.
        #expect(nodes.map { plugin.filter(state, incoming, $0).code }
            == [.unschedulable, .unschedulableAndUnresolvable, .unschedulableAndUnresolvable])
        // A db pod with its own guard, added to c1, and a web pod added to b1: every count changes.
        let added = [
            (PodInfo(pod("db2", labels: ["app": "db"], on: "c1", antiAffinity: [term(["app": "web"], hostname)])), 2),
            (PodInfo(pod("db3", labels: ["app": "db"], on: "b1")), 1),
        ]
        for (info, index) in added { _ = plugin.addPod(state, incoming, adding: info, to: nodes[index]) }
        let changed = try #require(state.read(InterPodAffinity.FilterStateBox.self)?.value)
        #expect(changed != before)
        #expect(changed.affinity[zone, "c"] == 1 && changed.existingAntiAffinity[hostname, "c1"] == 1)
        // b1: db in zone b ✓ but a web pod on the host ✗ (own anti-affinity); c1: db ✓ but db2 repels ✗.
        #expect(nodes.map { plugin.filter(state, incoming, $0).code }
            == [.unschedulable, .unschedulable, .unschedulable])
        #expect(plugin.filter(state, incoming, nodes[2]).reasons == [existingReason])
        for (info, index) in added.reversed() {
            _ = plugin.removePod(state, incoming, removing: info, from: nodes[index])
        }
        #expect(state.read(InterPodAffinity.FilterStateBox.self)?.value == before)
    }

    @Test func removingVictimsClearsTheRules() {
        let guardPod = PodInfo(pod("guard", on: "a1", antiAffinity: [term(["app": "web"], zone)]))
        var a1 = NodeInfo(node("a1", "a"))
        a1.add(guardPod)
        let nodes = [a1, makeNodeInfo(node("b1", "b"), pods: [pod("w", labels: ["app": "web"], on: "b1")])]
        let incoming = PodInfo(pod("web", labels: ["app": "web"], antiAffinity: [term(["app": "web"], hostname)]))
        let state = CycleState()
        _ = plugin.preFilter(state, incoming, nodes)
        #expect(nodes.map { plugin.filter(state, incoming, $0).code } == [.unschedulable, .unschedulable])
        _ = plugin.removePod(state, incoming, removing: guardPod, from: nodes[0])
        _ = plugin.removePod(state, incoming, removing: nodes[1].pods[0], from: nodes[1])
        #expect(nodes.map { plugin.filter(state, incoming, $0).code } == [fits, fits])
        #expect(state.read(InterPodAffinity.FilterStateBox.self)?.value.existingAntiAffinity.isEmpty == true)
    }

    // MARK: Score

    var fourNodes: [Node] { [node("a1", "a"), node("a2", "a"), node("b1", "b"), node("c1", "c")] }

    @Test func preferredTermsOfTheIncomingPod() {
        // Preferred affinity to app=db per zone (weight 5) and anti-affinity to app=web per host (weight 3).
        // db on a1 → zone a +5; web on a2 → host a2 −3; web on b1 → host b1 −3.
        // raw: a1 = 5; a2 = 5 − 3 = 2; b1 = −3; c1 = 0. min −3, max 5, max − min = 8:
        // a1 = 100·8/8 = 100; a2 = 100·5/8 = 62.5 → 62; b1 = 0; c1 = 100·3/8 = 37.5 → 37.
        let nodes = [
            makeNodeInfo(fourNodes[0], pods: [pod("db", labels: ["app": "db"], on: "a1")]),
            makeNodeInfo(fourNodes[1], pods: [pod("w1", labels: ["app": "web"], on: "a2")]),
            makeNodeInfo(fourNodes[2], pods: [pod("w2", labels: ["app": "web"], on: "b1")]),
            makeNodeInfo(fourNodes[3]),
        ]
        let incoming = pod("api", labels: ["app": "api"],
            preferredAffinity: [weighted(5, term(["app": "db"], zone))],
            preferredAntiAffinity: [weighted(3, term(["app": "web"], hostname))])
        let result = scoreAll(plugin, incoming, nodes)
        #expect(result.raw == [5, 2, -3, 0])
        #expect(result.normalized == [100, 62, 0, 37])
    }

    @Test func existingPodsTermsScoreSymmetrically() {
        // The incoming pod (app=api) has no terms. Existing pods' terms selecting it:
        // e1 on b1: preferred affinity per zone, weight 10 → zone b +10;
        // e2 on c1: required affinity per host → host c1 + hardPodAffinityWeight (1);
        // e3 on a1: preferred anti-affinity per zone, weight 4 → zone a −4.
        // raw: a1 = −4; a2 = −4; b1 = 10; c1 = 1. min −4, max 10, max − min = 14:
        // a1 = a2 = 0; b1 = 100; c1 = 100·5/14 = 35.7 → 35.
        let nodes = [
            makeNodeInfo(fourNodes[0], pods: [pod("e3", on: "a1",
                preferredAntiAffinity: [weighted(4, term(["app": "api"], zone))])]),
            makeNodeInfo(fourNodes[1]),
            makeNodeInfo(fourNodes[2], pods: [pod("e1", on: "b1",
                preferredAffinity: [weighted(10, term(["app": "api"], zone))])]),
            makeNodeInfo(fourNodes[3], pods: [pod("e2", labels: ["app": "api"], on: "c1",
                affinity: [term(["app": "api"], hostname)])]),
        ]
        let incoming = pod("api", labels: ["app": "api"])
        let result = scoreAll(plugin, incoming, nodes)
        #expect(result.raw == [-4, -4, 10, 1])
        #expect(result.normalized == [0, 0, 100, 35])
        // Without the hard-affinity weight c1 scores 0: c1 = 100·4/14 = 28.6 → 28.
        let noHard = scoreAll(InterPodAffinity(hardPodAffinityWeight: 0), incoming, nodes)
        #expect(noHard.raw == [-4, -4, 10, 0])
        #expect(noHard.normalized == [0, 0, 100, 28])
    }

    @Test func normalisationTruncatesTheFloatingPointResult() {
        // Weights 29 (app=db) and 100 (app=cache) per zone: a1 = 29, b1 = 100, c1 = 0.
        // a1 = int(100 · (29 / 100)) = int(28.999999999999996) = 28 (integer arithmetic would give 29).
        let nodes = [
            makeNodeInfo(node("a1", "a"), pods: [pod("db", labels: ["app": "db"], on: "a1")]),
            makeNodeInfo(node("b1", "b"), pods: [pod("cache", labels: ["app": "cache"], on: "b1")]),
            makeNodeInfo(node("c1", "c")),
        ]
        let incoming = pod("api", preferredAffinity: [
            weighted(29, term(["app": "db"], zone)), weighted(100, term(["app": "cache"], zone)),
        ])
        let result = scoreAll(plugin, incoming, nodes)
        #expect(result.raw == [29, 100, 0])
        #expect(result.normalized == [28, 100, 0])
    }

    @Test func equalScoresNormaliseToZero() {
        // Every node in zone a with a db pod in it: all raw 5 → max == min → 0 everywhere.
        let nodes = [
            makeNodeInfo(node("a1", "a"), pods: [pod("db", labels: ["app": "db"], on: "a1")]),
            makeNodeInfo(node("a2", "a")),
        ]
        let incoming = pod("api", preferredAffinity: [weighted(5, term(["app": "db"], zone))])
        let result = scoreAll(plugin, incoming, nodes)
        #expect(result.raw == [5, 5])
        #expect(result.normalized == [0, 0])
    }

    @Test func podsOnInfeasibleNodesCount() {
        // The db pod is on a1, which is not feasible; a2 shares its zone: a2 = 5, b1 = 0 → a2 100, b1 0.
        let nodes = [
            makeNodeInfo(node("a1", "a"), pods: [pod("db", labels: ["app": "db"], on: "a1")]),
            makeNodeInfo(node("a2", "a")),
            makeNodeInfo(node("b1", "b")),
        ]
        let incoming = pod("api", preferredAffinity: [weighted(5, term(["app": "db"], zone))])
        let result = scoreAll(plugin, incoming, nodes, feasible: [nodes[1], nodes[2]])
        #expect(result.raw == [5, 0])
        #expect(result.normalized == [100, 0])
    }

    @Test func preScoreSkips() {
        let nodes = [makeNodeInfo(node("a1", "a"), pods: [pod("w", labels: ["app": "web"], on: "a1")])]
        // Nothing to score: no preferred terms and no existing pod with terms.
        #expect(scoreAll(plugin, pod("plain"), nodes).status.code == .skip)
        // Preferred terms that match nothing.
        let unmatched = pod("p", preferredAffinity: [weighted(5, term(["app": "db"], zone))])
        #expect(scoreAll(plugin, unmatched, nodes).status.code == .skip)
        // ignorePreferredTermsOfExistingPods: a pod without preferred terms skips even when existing pods
        // prefer it.
        let preferring = [makeNodeInfo(node("a1", "a"), pods: [pod("e", on: "a1",
            preferredAffinity: [weighted(10, term(["app": "api"], zone))])])]
        let incoming = pod("api", labels: ["app": "api"])
        #expect(scoreAll(plugin, incoming, preferring).status.isSuccess)
        let ignoring = InterPodAffinity(ignorePreferredTermsOfExistingPods: true)
        #expect(scoreAll(ignoring, incoming, preferring).status.code == .skip)
    }

    // MARK: Counts kept between cycles

    @Test func keptCountsMatchFreshCounts() throws {
        // A cluster that changes between cycles, generations bumped as the scheduler cache does: the plugin that
        // keeps its counts answers as a fresh plugin counting everything (nodes of generation 0).
        var random = SplitMix64(seed: 7)
        var generation: UInt64 = 0
        func touch(_ node: inout NodeInfo) {
            generation += 1
            node.generation = generation
        }
        let zones = ["a", "b", "c"]
        let apps = ["web", "db", "cache"]
        var nodes: [NodeInfo] = (0..<10).map { index in
            var node = makeNodeInfo(node("n\(index)", zones[index % 3]))
            touch(&node)
            return node
        }
        var serial = 0
        let kept = InterPodAffinity(namespaceLabels: { $0 == "other" ? ["team": "blue"] : [:] })
        let incoming: [PodInfo] = [
            PodInfo(pod("i1", labels: ["app": "web"], antiAffinity: [term(["app": "web"], hostname)])),
            PodInfo(pod("i2", labels: ["app": "web"], affinity: [term(["app": "db"], zone)],
                antiAffinity: [term(["app": "web"], hostname), term(["app": "cache"], zone)])),
            PodInfo(pod("i3", labels: ["app": "db"],
                affinity: [term(["app": "db"], zone), term(["tier": "x"], hostname)])),
            PodInfo(pod("i4", labels: ["app": "web"], antiAffinity: [
                term(["app": "web"], zone, namespaceSelector: LabelSelector(matchLabels: ["team": "blue"])),
            ])),
            PodInfo(pod("i5", labels: ["app": "web"])),
        ]
        for round in 0..<50 {
            for _ in 0..<3 {
                let position = Int(random.next() % UInt64(nodes.count))
                switch random.next() % 5 {
                case 0, 1:
                    serial += 1
                    var labels = ["app": apps[Int(random.next() % 3)]]
                    if random.next() % 3 == 0 { labels["tier"] = "x" }
                    let anti = random.next() % 4 == 0 ? [term(["app": "web"], zone)] : []
                    nodes[position].add(PodInfo(pod("r\(serial)", labels: labels, on: nodes[position].name,
                        namespace: random.next() % 4 == 0 ? "other" : "default", antiAffinity: anti)))
                case 2:
                    if let victim = nodes[position].pods.first { nodes[position].remove(uid: victim.uid) }
                case 3:
                    var node = nodes[position].node
                    node.metadata.labels[zone] = random.next() % 5 == 0 ? nil : zones[Int(random.next() % 3)]
                    nodes[position].setNode(node)
                default:
                    if random.next() % 2 == 0 && nodes.count > 5 {
                        nodes.remove(at: position)
                        continue
                    }
                    serial += 1
                    var added = makeNodeInfo(node("m\(serial)", zones[Int(random.next() % 3)]))
                    touch(&added)
                    nodes.insert(added, at: position)
                    continue
                }
                touch(&nodes[position])
            }
            if round % 6 == 0 { nodes.shuffle(using: &random) }
            let zeroed = withGenerationsReset(nodes)
            for pod in incoming {
                let fresh = InterPodAffinity(namespaceLabels: { $0 == "other" ? ["team": "blue"] : [:] })
                let keptState = CycleState()
                let freshState = CycleState()
                let keptStatus = kept.preFilter(keptState, pod, nodes).1
                #expect(keptStatus == fresh.preFilter(freshState, pod, zeroed).1)
                if keptStatus.isSuccess {
                    #expect(keptState.read(InterPodAffinity.FilterStateBox.self)?.value
                        == freshState.read(InterPodAffinity.FilterStateBox.self)?.value)
                    #expect(nodes.map { kept.filter(keptState, pod, $0) }
                        == zeroed.map { fresh.filter(freshState, pod, $0) })
                }
            }
        }
    }

    // MARK: Framework, events

    @Test func throughTheFramework() throws {
        // Required affinity to db per zone, preferred anti-affinity to web per host (weight 7).
        // Feasible: a1, a2 (zone a has db). a2 holds a web pod: a1 = 0, a2 = −7 → a1 100, a2 0.
        let framework = try Framework(Profile(schedulerName: "test", plugins: [plugin]))
        let nodes = [
            makeNodeInfo(node("a1", "a"), pods: [pod("db", labels: ["app": "db"], on: "a1")]),
            makeNodeInfo(node("a2", "a"), pods: [pod("w", labels: ["app": "web"], on: "a2")]),
            makeNodeInfo(node("b1", "b")),
        ]
        let incoming = PodInfo(pod("web", labels: ["app": "web"], affinity: [term(["app": "db"], zone)],
            preferredAntiAffinity: [weighted(7, term(["app": "web"], hostname))]))
        let state = CycleState()
        #expect(framework.runPreFilter(state, incoming, nodes).1.isSuccess)
        let feasible = nodes.filter { framework.runFilter(state, incoming, $0).isSuccess }
        #expect(feasible.map(\.name) == ["a1", "a2"])
        #expect(framework.runPreScore(state, incoming, feasible).isSuccess)
        #expect(try framework.runScore(state, incoming, feasible) == [100, 0])
    }

    @Test func events() {
        let events = plugin.clusterEvents
        #expect(events.contains { $0.matches(ClusterEvent(.pod, .add)) })
        #expect(events.contains { $0.matches(ClusterEvent(.pod, .delete)) })
        #expect(events.contains { $0.matches(ClusterEvent(.pod, .updatePodLabel)) })
        #expect(events.contains { $0.matches(ClusterEvent(.node, .add)) })
        #expect(events.contains { $0.matches(ClusterEvent(.node, .updateNodeLabel)) })
        #expect(!events.contains { $0.matches(ClusterEvent(.node, .updateNodeTaint)) })
    }
}
