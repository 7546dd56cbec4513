import APIMachinery
import Scheduling
import Testing

@Suite("SchedulingGates")
struct SchedulingGatesTests {
    let plugin = SchedulingGates()

    @Test("a pod without gates is enqueued")
    func noGates() {
        #expect(plugin.preEnqueue(PodInfo(makePod("p"))).isSuccess)
        #expect(plugin.preEnqueue(PodInfo(makePod("p") { $0.schedulingGates = [] })).isSuccess)
    }

    @Test("a gated pod is pending with its gates listed in Go's list format")
    func gated() {
        let pod = makePod("p") {
            $0.schedulingGates = [PodSchedulingGate(name: "example.com/quota"), PodSchedulingGate(name: "example.com/gang")]
        }
        let status = plugin.preEnqueue(PodInfo(pod))
        #expect(status.code == .pending)
        #expect(status.reasons == ["waiting for scheduling gates: [example.com/quota example.com/gang]"])
    }

    @Test("the framework reports the gating plugin")
    func throughFramework() throws {
        let framework = try Framework(Profile(schedulerName: "default-scheduler", plugins: [plugin]))
        let status = framework.runPreEnqueue(PodInfo(makePod("p") { $0.schedulingGates = [PodSchedulingGate(name: "g")] }))
        #expect(status.code == .pending)
        #expect(status.plugin == "SchedulingGates")
        #expect(status.message == "waiting for scheduling gates: [g]")
    }

    @Test("only the removal of gates moves a gated pod")
    func events() {
        #expect(plugin.clusterEvents.contains { $0.matches(ClusterEvent(.pod, .updatePodSchedulingGatesEliminated)) })
        #expect(!plugin.clusterEvents.contains { $0.matches(ClusterEvent(.node, .add)) })
        #expect(!plugin.clusterEvents.contains { $0.matches(ClusterEvent(.pod, .delete)) })
    }
}
