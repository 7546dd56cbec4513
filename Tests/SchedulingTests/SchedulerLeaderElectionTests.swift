import APIMachinery
import Raft
// Public: the conformance below is as visible as `Scheduler`.
public import Reconcile
import Scheduling
import Synchronization
import Testing

/// A scheduler is a long-running component with `run()`: a controller manager can run it (Scheduling does not
/// depend on Reconcile, so the conformance lives here).
extension Scheduler: Runnable {}

/// Three scheduler replicas, each under a controller manager campaigning for one Lease: only the leader
/// schedules; when it dies, another takes over once the lease expires, and no pod is bound twice.
@Suite("Scheduler replicas with leader election", .timeLimit(.minutes(2)))
struct SchedulerLeaderElectionTests {
    final class Replica: Sendable {
        let identity: String
        let manager: Manager
        let scheduler: Scheduler
        let task = Mutex<Task<Void, any Error>?>(nil)

        init(identity: String, env: TestEnvironment) throws {
            self.identity = identity
            var options = ManagerOptions()
            options.clock = env.clock
            var election = LeaderElectionConfig(
                leaseName: "kube-scheduler", leaseNamespace: "kube-system", identity: identity)
            // A crash, not a graceful stop: the others wait for the lease to expire.
            election.releaseOnCancel = false
            election.jitterSeed = 7
            options.leaderElection = election
            manager = Manager(client: env.server.client(fieldManager: identity), options: options)
            var schedulerOptions = SchedulerOptions(profiles: [Profile.defaultProfile()])
            schedulerOptions.clock = env.clock
            schedulerOptions.seed = 1
            schedulerOptions.componentName = identity
            scheduler = try Scheduler(client: env.server.client(fieldManager: identity), options: schedulerOptions)
            manager.add(scheduler, needsLeaderElection: true)
        }

        func start() {
            let manager = manager
            task.withLock { $0 = Task { try await manager.run() } }
        }

        /// Cancels the manager (its scheduler stops with it) and waits for it to return.
        func kill() async {
            let running = task.withLock { $0 }
            running?.cancel()
            _ = await running?.result
        }
    }

    /// Advances virtual time in half-second steps until `condition` holds (at most 100 s of virtual time).
    static func advance(_ env: TestEnvironment, until condition: () async throws -> Bool) async throws {
        for _ in 0..<200 {
            if try await condition() { return }
            try await env.advance(by: .milliseconds(500))
        }
        Issue.record("condition not reached in 100 s of virtual time")
    }

    static func allBound(_ env: TestEnvironment, _ names: [String]) async throws -> Bool {
        let pods = env.client.resource(Pod.self, namespace: "default")
        for name in names where (try await pods.get(name).spec?.nodeName ?? "").isEmpty { return false }
        return true
    }

    @Test(
        "only the leader schedules; after it dies another replica takes over and schedules new pods; none bound twice")
    func failover() async throws {
        var environment = TestEnvironment.Options()
        environment.garbageCollector = false
        let env = try await TestEnvironment.start(environment)
        for name in ["n1", "n2"] { _ = try await env.client.resource(Node.self).create(makeNode(name)) }
        let replicas = try ["a", "b", "c"].map { try Replica(identity: $0, env: env) }
        for replica in replicas { replica.start() }
        try await Self.advance(env) { replicas.filter(\.manager.isLeader).count == 1 }
        let first = try #require(replicas.first { $0.manager.isLeader })

        let pods = env.client.resource(Pod.self, namespace: "default")
        let before = (1...5).map { "before-\($0)" }
        for name in before { _ = try await pods.create(requesting(name, cpu: "100m", memory: "64Mi")) }
        try await Self.advance(env) { try await Self.allBound(env, before) }
        // The API shows a binding a moment before the scheduler counts it.
        #expect(await eventually { first.scheduler.stats.scheduled == 5 })
        for replica in replicas where replica !== first {
            #expect(replica.scheduler.stats.attempts == 0, "standby \(replica.identity) tried to schedule")
        }

        // The leader dies without releasing the lease: another replica leads once it expires (15 s).
        let diedAt = env.clock.now
        await first.kill()
        try await Self.advance(env) { replicas.contains { $0 !== first && $0.manager.isLeader } }
        let second = try #require(replicas.first { $0 !== first && $0.manager.isLeader })
        #expect(diedAt.duration(to: env.clock.now) >= .seconds(13))
        let lease = try await env.client.resource(Lease.self, namespace: "kube-system").get("kube-scheduler")
        #expect(lease.spec?.holderIdentity == second.identity)

        let after = (1...5).map { "after-\($0)" }
        for name in after { _ = try await pods.create(requesting(name, cpu: "100m", memory: "64Mi")) }
        try await Self.advance(env) { try await Self.allBound(env, after) }
        #expect(
            await eventually { second.scheduler.stats.scheduled == 5 }, "the new leader schedules only the new pods")
        #expect(first.scheduler.stats.scheduled == 5)
        for replica in replicas where replica !== first && replica !== second {
            #expect(replica.scheduler.stats.attempts == 0, "standby \(replica.identity) tried to schedule")
        }

        // No pod was bound twice: one binding each (a second would have failed with 409), one Scheduled event.
        #expect(replicas.allSatisfy { $0.scheduler.stats.bindingFailures == 0 })
        #expect(replicas.map(\.scheduler.stats.scheduled).reduce(0, +) == before.count + after.count)
        try await Self.advance(env) {
            let scheduled = try await env.events(namespace: "default").filter { $0.reason == "Scheduled" }
            return scheduled.count == before.count + after.count
        }
        let scheduled = try await env.events(namespace: "default").filter { $0.reason == "Scheduled" }
        var bindings: [String: [String]] = [:]
        for event in scheduled {
            bindings[event.involvedObject?.name ?? "", default: []].append(event.source?.component ?? "")
        }
        #expect(Set(bindings.keys) == Set(before + after))
        #expect(bindings.values.allSatisfy { $0.count == 1 })
        #expect(before.allSatisfy { bindings[$0] == [first.identity] })
        #expect(after.allSatisfy { bindings[$0] == [second.identity] })

        for replica in replicas { await replica.kill() }
        await env.stop()
    }
}
