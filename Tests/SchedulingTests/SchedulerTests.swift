import APIMachinery
import Informers
import Raft
import Scheduling
import Synchronization
import Testing
import TestSupport

/// A user plugin, as operators write them: fits a pod on nodes labelled `pool=<the pod's pool label>` and
/// prefers nodes with fewer pods.
struct PoolPlugin: FilterPlugin, ScorePlugin, EnqueueExtensions {
    let name = "Pool"

    func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        guard let pool = pod.labels["pool"], node.labels["pool"] != pool else { return .success }
        return PluginStatus(.unschedulable, "node(s) not in pool \(pool)")
    }

    func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> Int64 {
        max(0, 100 - Int64(node.pods.count) * 10)
    }

    var clusterEvents: [ClusterEvent] { [ClusterEvent(.node, [.add, .updateNodeLabel])] }
}

/// Polls `condition` every 2 ms, for at least as many polls as `timeout` takes on an idle machine.
func eventually(_ timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    let minimumPolls = Int(timeout / .milliseconds(2))
    var polls = 0
    while ContinuousClock.now < deadline || polls < minimumPolls {
        if try await condition() { return true }
        polls += 1
        try? await Task.sleep(for: .milliseconds(2))
    }
    return try await condition()
}

/// Runs `scheduler` for the duration of `body`.
func running<T>(_ scheduler: Scheduler, _ body: () async throws -> T) async throws -> T {
    let task = Task { try await scheduler.run() }
    defer { task.cancel() }
    let result = try await body()
    task.cancel()
    _ = await task.result
    return result
}

@Suite("Scheduler against the API server", .timeLimit(.minutes(2)))
struct SchedulerTests {
    func profile() -> Profile {
        Profile(schedulerName: Profile.defaultSchedulerName, plugins: [PrioritySort(), PoolPlugin(), DefaultBinder()])
    }

    @Test("binds through the binding subresource: nodeName, PodScheduled=True, a Scheduled event")
    func bindsAPod() async throws {
        try await withTestServer { server, clock in
            try await server.createSystemNamespaces()
            let client = server.client()
            _ = try await client.resource(Node.self).create(makeNode("a", labels: ["pool": "x"]))
            _ = try await client.resource(Node.self).create(makeNode("b", labels: ["pool": "y"]))
            var options = SchedulerOptions(profiles: [profile()])
            options.clock = clock
            options.seed = 1
            let scheduler = try Scheduler(client: client, options: options)
            let pods = client.resource(Pod.self, namespace: "default")
            try await running(scheduler) {
                _ = try await pods.create(makePod("web", labels: ["pool": "y"]))
                #expect(try await eventually { try await pods.get("web").spec?.nodeName == "b" })
                let pod = try await pods.get("web")
                let condition = pod.status?.conditions?.first { $0.type == "PodScheduled" }
                #expect(condition?.status == "True")
                #expect(try await eventually {
                    try await client.resource(APIMachinery.Event.self, namespace: "default").list().items
                        .contains { $0.reason == "Scheduled" && $0.message == "Successfully assigned default/web to b" }
                })
                #expect(scheduler.stats.scheduled == 1)
            }
        }
    }

    @Test("a pod that fits nowhere: PodScheduled=False with kube-scheduler's message; a new node it fits moves it")
    func unschedulableThenNodeAdded() async throws {
        try await withTestServer { server, clock in
            try await server.createSystemNamespaces()
            let client = server.client()
            _ = try await client.resource(Node.self).create(makeNode("a", labels: ["pool": "x"]))
            _ = try await client.resource(Node.self).create(makeNode("b", labels: ["pool": "x"]))
            var options = SchedulerOptions(profiles: [profile()])
            options.clock = clock
            let scheduler = try Scheduler(client: client, options: options)
            let pods = client.resource(Pod.self, namespace: "default")
            try await running(scheduler) {
                // Node events reach the queue on the informer's handler tasks: wait for them before the pod, so
                // none arrives while it is being scheduled (that would send it to backoff, not to the pool).
                #expect(await eventually { scheduler.cache.nodeCount == 2 })
                let created = try await pods.create(makePod("batch", labels: ["pool": "z"]))
                #expect(try await eventually {
                    let condition = try await pods.get("batch").status?.conditions?.first { $0.type == "PodScheduled" }
                    return condition?.status == "False" && condition?.reason == "Unschedulable"
                })
                let condition = try await pods.get("batch").status?.conditions?.first { $0.type == "PodScheduled" }
                #expect(condition?.message == "0/2 nodes are available: 2 node(s) not in pool z.")
                #expect(scheduler.queue.isUnschedulable(uid: created.metadata.uid))
                // A node in another pool is an event Pool registered, but still no fit; a node in pool z fits.
                _ = try await client.resource(Node.self).create(makeNode("c", labels: ["pool": "z"]))
                #expect(await eventually { !scheduler.queue.isUnschedulable(uid: created.metadata.uid) })
                // It failed once: a 1 s backoff on the manual clock before it is retried.
                #expect(await eventually { scheduler.queue.isBackingOff(uid: created.metadata.uid) })
                #expect(await eventually { scheduler.cache.nodeCount == 3 })
                clock.advance(by: .seconds(1))
                #expect(try await eventually { try await pods.get("batch").spec?.nodeName == "c" })
                #expect(try await eventually {
                    try await client.resource(APIMachinery.Event.self, namespace: "default").list().items
                        .contains { $0.reason == "FailedScheduling" && $0.message == "0/2 nodes are available: 2 node(s) not in pool z." }
                })
            }
        }
    }

    @Test("binding a bound pod is refused with 409; nothing changes")
    func bindingConflicts() async throws {
        try await withTestServer { server, _ in
            try await server.createSystemNamespaces()
            let client = server.client()
            let pods = client.resource(Pod.self, namespace: "default")
            _ = try await pods.create(makePod("p"))
            try await pods.bind("p", to: "n1")
            let bound = try await pods.get("p")
            #expect(bound.spec?.nodeName == "n1")
            let error = await #expect(throws: APIError.self) { try await pods.bind("p", to: "n2") }
            #expect(error?.code == 409)
            #expect(try await pods.get("p").metadata.resourceVersion == bound.metadata.resourceVersion)
        }
    }
}
