import APIMachinery
import Scheduling
import Testing
import TestSupport

@Suite("The seed's worked example through the Scheduler", .timeLimit(.minutes(2)))
struct WorkedExampleTests {
    /// worker-1 has 400m / 512Mi free, worker-2 50m, worker-3 600m / 1Gi: a 300m / 256Mi pod fits worker-1 and
    /// worker-3, and the default profile's scores put it on worker-3 (most room left).
    @Test("three workers: worker-2 lacks CPU, worker-3 wins on free room")
    func workedExample() async throws {
        try await withTestServer { server, clock in
            try await server.createSystemNamespaces()
            let client = server.client()
            let nodes = client.resource(Node.self)
            _ = try await nodes.create(makeNode("worker-1", cpu: "400m", memory: "512Mi"))
            _ = try await nodes.create(makeNode("worker-2", cpu: "50m", memory: "512Mi"))
            _ = try await nodes.create(makeNode("worker-3", cpu: "600m", memory: "1Gi"))
            var options = SchedulerOptions(profiles: [.defaultProfile()])
            options.clock = clock
            options.seed = 7
            let scheduler = try Scheduler(client: client, options: options)
            let pods = client.resource(Pod.self, namespace: "default")
            try await running(scheduler) {
                _ = try await pods.create(makePod("web", containers: [("300m", "256Mi")]))
                #expect(try await eventually { try await pods.get("web").spec?.nodeName == "worker-3" })
                // A pod too big for every worker gets kube-scheduler's summary.
                _ = try await pods.create(makePod("huge", containers: [("2", "256Mi")]))
                #expect(try await eventually {
                    try await pods.get("huge").status?.conditions?.first { $0.type == "PodScheduled" }?.message
                        == "0/3 nodes are available: 3 Insufficient cpu. "
                        + "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
                })
            }
        }
    }
}
