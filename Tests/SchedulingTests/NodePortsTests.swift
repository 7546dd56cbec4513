import APIMachinery
import Scheduling
import Testing

/// A pod whose first container binds `ports` as (host port, protocol, host IP).
private func podWithPorts(_ name: String, _ ports: [(Int32, String?, String?)]) -> Pod {
    makePod(name) { spec in
        spec.containers![0].ports = ports.map { port, proto, ip in
            ContainerPort(hostPort: port, containerPort: port, protocol: proto, hostIP: ip)
        }
    }
}

@Suite("NodePorts")
struct NodePortsTests {
    let plugin = NodePorts()

    func filter(_ pod: Pod, onNodeWith existing: [Pod]) -> PluginStatus {
        let node = makeNodeInfo(makeNode("n1"), pods: existing)
        let state = CycleState()
        let info = PodInfo(pod)
        let (_, preFilter) = plugin.preFilter(state, info, [node])
        if preFilter.code == .skip { return .success }
        return plugin.filter(state, info, node)
    }

    @Test("a pod without host ports skips the plugin")
    func noHostPorts() {
        let pod = makePod("p") { $0.containers![0].ports = [ContainerPort(containerPort: 80)] }
        let (result, status) = plugin.preFilter(CycleState(), PodInfo(pod), [])
        #expect(status.code == .skip)
        #expect(result == nil)
    }

    @Test("a pod with host ports runs the Filter")
    func hostPortsRun() {
        let (_, status) = plugin.preFilter(CycleState(), PodInfo(podWithPorts("p", [(8080, nil, nil)])), [])
        #expect(status.isSuccess)
    }

    @Test("a free port fits")
    func free() {
        #expect(filter(podWithPorts("p", [(8080, "TCP", nil)]), onNodeWith: [podWithPorts("e", [(8081, "TCP", nil)])])
            .isSuccess)
        #expect(filter(podWithPorts("p", [(8080, "TCP", nil)]), onNodeWith: []).isSuccess)
    }

    @Test("the same port and protocol on every address conflicts, and preemption can help")
    func conflict() {
        let status = filter(podWithPorts("p", [(8080, nil, nil)]), onNodeWith: [podWithPorts("e", [(8080, "TCP", nil)])])
        #expect(status.code == .unschedulable)
        #expect(status.reasons == ["node(s) didn't have free ports for the requested pod ports"])
    }

    @Test("another protocol does not conflict")
    func otherProtocol() {
        #expect(filter(podWithPorts("p", [(53, "UDP", nil)]), onNodeWith: [podWithPorts("e", [(53, "TCP", nil)])])
            .isSuccess)
    }

    @Test("distinct addresses do not conflict; the wildcard conflicts with any address")
    func addresses() {
        let existing = [podWithPorts("e", [(8080, "TCP", "10.0.0.1")])]
        #expect(filter(podWithPorts("p", [(8080, "TCP", "10.0.0.2")]), onNodeWith: existing).isSuccess)
        #expect(filter(podWithPorts("p", [(8080, "TCP", "10.0.0.1")]), onNodeWith: existing).code == .unschedulable)
        #expect(filter(podWithPorts("p", [(8080, "TCP", "0.0.0.0")]), onNodeWith: existing).code == .unschedulable)
        #expect(filter(podWithPorts("p", [(8080, "TCP", nil)]), onNodeWith: existing).code == .unschedulable)
    }

    @Test("any one conflicting port rejects the node")
    func oneOfMany() {
        let pod = podWithPorts("p", [(9000, "TCP", nil), (9001, "TCP", nil)])
        #expect(filter(pod, onNodeWith: [podWithPorts("e", [(9001, "TCP", nil)])]).code == .unschedulable)
    }

    @Test("a pod deletion or a node addition may help")
    func events() {
        #expect(plugin.clusterEvents.contains { $0.matches(ClusterEvent(.pod, .delete)) })
        #expect(plugin.clusterEvents.contains { $0.matches(ClusterEvent(.node, .add)) })
        #expect(!plugin.clusterEvents.contains { $0.matches(ClusterEvent(.pod, .add)) })
    }
}
