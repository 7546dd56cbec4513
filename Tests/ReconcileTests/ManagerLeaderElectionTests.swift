import APIMachinery
import Informers
import Raft
import Reconcile
import Synchronization
import Testing

/// Three controller-manager replicas on one lease: one is active, and another takes over when it stops.
@Suite("Manager with leader election", .timeLimit(.minutes(2)))
struct ManagerLeaderElectionTests {
    final class Replica: Sendable {
        let identity: String
        let manager: Manager
        let reconciled = Mutex<[String]>([])
        let task = Mutex<Task<Void, any Error>?>(nil)

        init(identity: String, env: TestEnvironment, releaseOnCancel: Bool) {
            self.identity = identity
            var options = ManagerOptions()
            options.clock = env.clock
            var election = LeaderElectionConfig(leaseName: "demo-controller", leaseNamespace: "kube-system", identity: identity)
            election.releaseOnCancel = releaseOnCancel
            options.leaderElection = election
            manager = Manager(client: env.server.client(fieldManager: identity), options: options)
        }

        func start() {
            manager.controller(for: ConfigMap.self).complete(ReconcilerFunction { [self] request in
                reconciled.withLock { $0.append(request.name) }
                return .done
            })
            let manager = manager
            task.withLock { $0 = Task { try await manager.run() } }
        }

        func stop() async {
            let running = task.withLock { $0 }
            running?.cancel()
            _ = await running?.result
        }
    }

    /// Advances virtual time in small steps until `condition` holds (bounded).
    static func advance(_ env: TestEnvironment, until condition: () -> Bool) async throws {
        for _ in 0..<200 {
            if condition() { return }
            try await env.advance(by: .milliseconds(500))
        }
        Issue.record("condition not reached in 100 s of virtual time")
    }

    @Test("exactly one replica reconciles; when it stops without releasing, another takes over after the lease expires")
    func handover() async throws {
        var options = TestEnvironment.Options()
        options.garbageCollector = false
        let env = try await TestEnvironment.start(options)
        let replicas = ["a", "b", "c"].map { Replica(identity: $0, env: env, releaseOnCancel: false) }
        for replica in replicas { replica.start() }
        try await Self.advance(env) { replicas.filter(\.manager.isLeader).count == 1 }
        let first = try #require(replicas.first { $0.manager.isLeader })

        _ = try await env.client.resource(ConfigMap.self, namespace: "default")
            .create(ConfigMap(metadata: ObjectMeta(name: "one", namespace: "default")))
        try await Self.advance(env) { first.reconciled.withLock { $0.contains("one") } }
        for replica in replicas where replica !== first {
            #expect(replica.reconciled.withLock { $0.isEmpty }, "standby \(replica.identity) reconciled")
        }
        let lease = try await env.client.resource(Lease.self, namespace: "kube-system").get("demo-controller")
        #expect(lease.spec?.holderIdentity == first.identity)

        // The leader stops without releasing (a crash): the others wait out the 15 s lease.
        let stoppedAt = env.clock.now
        await first.stop()
        try await Self.advance(env) { replicas.contains { $0 !== first && $0.manager.isLeader } }
        let second = try #require(replicas.first { $0 !== first && $0.manager.isLeader })
        #expect(stoppedAt.duration(to: env.clock.now) >= .seconds(13))
        #expect(replicas.filter(\.manager.isLeader).count == 1)

        _ = try await env.client.resource(ConfigMap.self, namespace: "default")
            .create(ConfigMap(metadata: ObjectMeta(name: "two", namespace: "default")))
        try await Self.advance(env) { second.reconciled.withLock { $0.contains("two") } }
        #expect(!first.reconciled.withLock { $0.contains("two") })
        let handedOver = try await env.client.resource(Lease.self, namespace: "kube-system").get("demo-controller")
        #expect(handedOver.spec?.holderIdentity == second.identity)
        #expect((handedOver.spec?.leaseTransitions ?? 0) >= 1)

        for replica in replicas { await replica.stop() }
        await env.stop()
    }

    @Test("a replica that stops gracefully releases the lease: another leads within a retry period")
    func gracefulRelease() async throws {
        var options = TestEnvironment.Options()
        options.garbageCollector = false
        let env = try await TestEnvironment.start(options)
        let replicas = ["a", "b"].map { Replica(identity: $0, env: env, releaseOnCancel: true) }
        for replica in replicas { replica.start() }
        try await Self.advance(env) { replicas.filter(\.manager.isLeader).count == 1 }
        let first = try #require(replicas.first { $0.manager.isLeader })
        let other = try #require(replicas.first { $0 !== first })
        let stoppedAt = env.clock.now
        await first.stop()
        try await Self.advance(env) { other.manager.isLeader }
        // One jittered retry period (2 s × up to 2.2) and the 0.5 s step of `advance`; not the 15 s lease.
        #expect(stoppedAt.duration(to: env.clock.now) <= .seconds(5))
        await other.stop()
        await env.stop()
    }
}
