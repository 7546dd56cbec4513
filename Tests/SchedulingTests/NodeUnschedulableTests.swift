import APIMachinery
import Scheduling
import Testing

@Suite("NodeUnschedulable")
struct NodeUnschedulableTests {
    let plugin = NodeUnschedulable()
    let cordoned = makeNodeInfo(makeNode("n1", unschedulable: true))

    func filter(_ pod: Pod, _ node: NodeInfo) -> PluginStatus { plugin.filter(CycleState(), PodInfo(pod), node) }

    @Test("a schedulable node passes")
    func schedulable() {
        #expect(filter(makePod("p"), makeNodeInfo(makeNode("n1"))).isSuccess)
    }

    @Test("a cordoned node is unschedulable and unresolvable")
    func cordonedNode() {
        let status = filter(makePod("p"), cordoned)
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["node(s) were unschedulable"])
    }

    @Test("a pod tolerating node.kubernetes.io/unschedulable:NoSchedule passes a cordoned node")
    func tolerated() {
        let exists = makePod("p") {
            $0.tolerations = [Toleration(key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule")]
        }
        #expect(filter(exists, cordoned).isSuccess)
        // Equal (the default operator) with the taint's empty value, and an empty effect matching every effect.
        let equal = makePod("p") { $0.tolerations = [Toleration(key: "node.kubernetes.io/unschedulable")] }
        #expect(filter(equal, cordoned).isSuccess)
        // An empty key with Exists tolerates every taint.
        let everything = makePod("p") { $0.tolerations = [Toleration(operator: "Exists")] }
        #expect(filter(everything, cordoned).isSuccess)
    }

    @Test("tolerations for another effect, key or value do not help")
    func notTolerated() {
        let tolerations: [[Toleration]] = [
            [Toleration(key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoExecute")],
            [Toleration(key: "node.kubernetes.io/unschedulable", value: "true", effect: "NoSchedule")],
            [Toleration(key: "other", operator: "Exists")],
        ]
        for list in tolerations {
            #expect(filter(makePod("p") { $0.tolerations = list }, cordoned).code == .unschedulableAndUnresolvable)
        }
    }

    @Test("node additions, taint or unschedulable changes and toleration changes may help")
    func events() {
        let events = plugin.clusterEvents
        #expect(events.contains { $0.matches(ClusterEvent(.node, .add)) })
        #expect(events.contains { $0.matches(ClusterEvent(.node, .updateNodeTaint)) })
        #expect(events.contains { $0.matches(ClusterEvent(.pod, .updatePodTolerations)) })
        #expect(!events.contains { $0.matches(ClusterEvent(.node, .updateNodeLabel)) })
        #expect(!events.contains { $0.matches(ClusterEvent(.pod, .delete)) })
    }
}
