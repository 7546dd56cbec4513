import APIMachinery
import Scheduling
import Testing

@Suite("TaintToleration")
struct TaintTolerationTests {
    let plugin = TaintToleration()

    func filter(_ tolerations: [Toleration], _ taints: [Taint]) -> PluginStatus {
        plugin.filter(CycleState(), PodInfo(makePod("p") { $0.tolerations = tolerations }),
            makeNodeInfo(makeNode("n1", taints: taints)))
    }

    // MARK: Toleration matching

    @Test("toleration matching follows Toleration.ToleratesTaint")
    func matching() {
        let taint = Taint(key: "dedicated", value: "gpu", effect: "NoSchedule")
        let cases: [(Toleration, Bool)] = [
            (Toleration(key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule"), true),
            (Toleration(key: "dedicated", value: "gpu", effect: "NoSchedule"), true),  // Equal is the default
            (Toleration(key: "dedicated", value: "gpu"), true),  // an empty effect matches every effect
            (Toleration(key: "dedicated", operator: "Exists"), true),
            (Toleration(operator: "Exists"), true),  // empty key with Exists: everything
            (Toleration(operator: "Exists", effect: "NoSchedule"), true),
            (Toleration(operator: "Exists", effect: "NoExecute"), false),
            (Toleration(key: "dedicated", value: "cpu"), false),
            (Toleration(key: "dedicated"), false),  // Equal with an empty value
            (Toleration(key: "other", operator: "Exists"), false),
            (Toleration(key: "dedicated", operator: "Bogus", value: "gpu"), false),
        ]
        for (toleration, expected) in cases {
            #expect(TaintToleration.toleration(toleration, tolerates: taint) == expected, "\(toleration)")
        }
    }

    // MARK: Filter

    @Test("a node without taints passes")
    func untainted() {
        #expect(filter([], []).isSuccess)
    }

    @Test("an untolerated NoSchedule taint rejects the node, named as kube-scheduler writes it")
    func noSchedule() {
        let status = filter([], [Taint(key: "dedicated", value: "gpu", effect: "NoSchedule")])
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["node(s) had untolerated taint {dedicated: gpu}"])
    }

    @Test("an untolerated NoExecute taint rejects the node; the first untolerated taint is named")
    func noExecute() {
        let taints = [
            Taint(key: "tolerated", value: "", effect: "NoSchedule"),
            Taint(key: "node.kubernetes.io/not-ready", effect: "NoExecute"),
            Taint(key: "later", value: "x", effect: "NoSchedule"),
        ]
        let status = filter([Toleration(key: "tolerated", operator: "Exists")], taints)
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["node(s) had untolerated taint {node.kubernetes.io/not-ready: }"])
    }

    @Test("PreferNoSchedule taints do not filter")
    func preferNoScheduleDoesNotFilter() {
        #expect(filter([], [Taint(key: "soft", value: "x", effect: "PreferNoSchedule")]).isSuccess)
    }

    @Test("tolerated taints pass")
    func tolerated() {
        let taints = [Taint(key: "a", value: "1", effect: "NoSchedule"), Taint(key: "b", value: "2", effect: "NoExecute")]
        let tolerations = [Toleration(key: "a", value: "1", effect: "NoSchedule"), Toleration(key: "b", operator: "Exists")]
        #expect(filter(tolerations, taints).isSuccess)
        #expect(filter([Toleration(operator: "Exists")], taints).isSuccess)
        #expect(filter([Toleration(key: "a", value: "1")], taints).code == .unschedulableAndUnresolvable)
    }

    @Test("node additions, taint changes and toleration changes may help")
    func events() {
        #expect(plugin.clusterEvents.contains { $0.matches(ClusterEvent(.node, .add)) })
        #expect(plugin.clusterEvents.contains { $0.matches(ClusterEvent(.node, .updateNodeTaint)) })
        #expect(plugin.clusterEvents.contains { $0.matches(ClusterEvent(.pod, .updatePodTolerations)) })
        #expect(!plugin.clusterEvents.contains { $0.matches(ClusterEvent(.pod, .delete)) })
    }

    // MARK: Score

    func rawScores(_ tolerations: [Toleration], _ nodes: [NodeInfo]) -> [Int64] {
        let state = CycleState()
        let pod = PodInfo(makePod("p") { $0.tolerations = tolerations })
        #expect(plugin.preScore(state, pod, nodes).isSuccess)
        return nodes.map { plugin.score(state, pod, $0) }
    }

    func normalized(_ raw: [Int64], sourceLocation: SourceLocation = #_sourceLocation) -> [Int64] {
        normalizedScores(plugin, raw, sourceLocation: sourceLocation)
    }

    @Test("the raw score counts untolerated PreferNoSchedule taints only")
    func raw() {
        let nodes = [
            makeNodeInfo(makeNode("n0")),
            makeNodeInfo(makeNode("n1", taints: [Taint(key: "a", value: "1", effect: "PreferNoSchedule")])),
            makeNodeInfo(makeNode("n2", taints: [
                Taint(key: "a", value: "1", effect: "PreferNoSchedule"), Taint(key: "b", value: "2", effect: "PreferNoSchedule"),
                Taint(key: "c", value: "3", effect: "NoSchedule"),
            ])),
        ]
        #expect(rawScores([], nodes) == [0, 1, 2])
        // Tolerating `a` for PreferNoSchedule (or every effect) removes it from the count.
        #expect(rawScores([Toleration(key: "a", value: "1", effect: "PreferNoSchedule")], nodes) == [0, 0, 1])
        #expect(rawScores([Toleration(key: "a", operator: "Exists")], nodes) == [0, 0, 1])
        // A toleration for another effect does not count for PreferNoSchedule taints.
        #expect(rawScores([Toleration(key: "a", operator: "Exists", effect: "NoSchedule")], nodes) == [0, 1, 2])
        #expect(rawScores([Toleration(operator: "Exists")], nodes) == [0, 0, 0])
    }

    @Test("normalisation is reversed: 100 − 100·raw/max")
    func normalization() {
        // max 3: 100 − 0 = 100; 100 − 100·1/3 = 100 − 33 = 67; 100 − 100·2/3 = 100 − 66 = 34; 100 − 100 = 0.
        #expect(normalized([0, 1, 2, 3]) == [100, 67, 34, 0])
        // max 2: 100 − 50 = 50.
        #expect(normalized([1, 2]) == [50, 0])
    }

    @Test("no untolerated PreferNoSchedule taint anywhere: every node scores 100")
    func normalizationAllZero() {
        #expect(normalized([0, 0, 0]) == [100, 100, 100])
    }

    @Test("through the framework, the weight 3 multiplies the normalised score")
    func weighted() throws {
        let framework = try Framework(Profile(schedulerName: "default-scheduler", plugins: [plugin],
            scoreWeights: ["TaintToleration": 3]))
        let nodes = [
            makeNodeInfo(makeNode("n0")),
            makeNodeInfo(makeNode("n1", taints: [Taint(key: "a", value: "1", effect: "PreferNoSchedule")])),
        ]
        let state = CycleState()
        let pod = PodInfo(makePod("p"))
        #expect(framework.runPreScore(state, pod, nodes).isSuccess)
        // Raw [0, 1], max 1 → [100, 0], × 3.
        #expect(try framework.runScore(state, pod, nodes) == [300, 0])
    }
}
