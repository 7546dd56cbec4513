import APIMachinery
import Scheduling
import Testing

@Suite("NodeName")
struct NodeNameTests {
    let plugin = NodeName()
    let nodes = [makeNodeInfo(makeNode("n1")), makeNodeInfo(makeNode("n2"))]

    @Test("a pod naming no node: PreFilter skips, Filter passes every node")
    func noNodeName() {
        let pod = PodInfo(makePod("p"))
        let (result, status) = plugin.preFilter(CycleState(), pod, nodes)
        #expect(status.code == .skip)
        #expect(result == nil)
        for node in nodes { #expect(plugin.filter(CycleState(), pod, node).isSuccess) }
    }

    @Test("a pod naming a node fits only that node; other nodes are unresolvable")
    func namedNode() {
        let pod = PodInfo(makePod("p", nodeName: "n2"))
        #expect(plugin.filter(CycleState(), pod, nodes[1]).isSuccess)
        let status = plugin.filter(CycleState(), pod, nodes[0])
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.reasons == ["node(s) didn't match the requested node name"])
    }

    @Test("PreFilter narrows the node set to the named node")
    func narrows() throws {
        let pod = PodInfo(makePod("p", nodeName: "n2"))
        let (result, status) = plugin.preFilter(CycleState(), pod, nodes)
        #expect(status.isSuccess)
        #expect(result?.nodeNames == ["n2"])
        let framework = try Framework(Profile(schedulerName: "default-scheduler", plugins: [plugin]))
        let (merged, merging) = framework.runPreFilter(CycleState(), pod, nodes)
        #expect(merging.isSuccess)
        #expect(merged?.nodeNames == ["n2"])
    }

    @Test("only a node being added may help")
    func events() {
        #expect(plugin.clusterEvents.contains { $0.matches(ClusterEvent(.node, .add)) })
        #expect(!plugin.clusterEvents.contains { $0.matches(ClusterEvent(.node, .updateNodeLabel)) })
        #expect(!plugin.clusterEvents.contains { $0.matches(ClusterEvent(.pod, .delete)) })
    }
}
