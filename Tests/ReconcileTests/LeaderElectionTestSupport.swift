import APIMachinery
import Raft
import Reconcile
import Synchronization
import Testing

/// Wall-clock origin of the electors' `now`: renew and acquire times are this plus the manual clock's offset.
let leaderElectionEpochMicros: Int64 = 1_700_000_000 * 1_000_000

/// Micro time on a manual clock, from ``leaderElectionEpochMicros``.
func leaderElectionNow(_ clock: ManualClock) -> @Sendable () -> MicroTime {
    {
        let offset = clock.now.offset.components
        return MicroTime(
            microsecondsSinceEpoch: leaderElectionEpochMicros + offset.seconds * 1_000_000
                + offset.attoseconds / 1_000_000_000_000)
    }
}

/// The micro time `seconds` after the epoch.
func leaderElectionTime(_ seconds: Int64) -> MicroTime {
    MicroTime(microsecondsSinceEpoch: leaderElectionEpochMicros + seconds * 1_000_000)
}

/// Kubernetes' default timings, without jitter so tests know when each attempt happens.
func leaderElectionConfig(_ identity: String, release: Bool = true) -> LeaderElectionConfig {
    var config = LeaderElectionConfig(leaseName: "controller", leaseNamespace: "kube-system", identity: identity)
    config.jitterFactor = 0
    config.releaseOnCancel = release
    return config
}

/// Polls `condition` until it has held on three consecutive checks (async progress settles), for at most
/// `limit` of real time. Only short real sleeps between polls; all elector time is virtual.
func leaderElectionEventually(
    _ description: String, limit: Duration = .seconds(5), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    var held = 0
    while ContinuousClock.now < deadline {
        if try await condition() {
            held += 1
            if held == 3 { return }
            await Task.yield()
        } else {
            held = 0
            try await Task.sleep(for: .microseconds(200))
        }
    }
    Issue.record("timed out waiting until \(description)")
    throw LeaderElectionTestTimeout()
}

struct LeaderElectionTestTimeout: Error {}

/// One replica in a test: an elector, its run task, and what its callbacks saw.
final class LeaderElectionCandidate: Sendable {
    let identity: String
    let elector: LeaderElector
    /// Callback log: "lead", "lead cancelled", "stopped", "returned", "new <holder>".
    private let log = Mutex<[String]>([])
    private let task = Mutex<Task<Void, any Error>?>(nil)
    /// `lead` waits on this clock, which never moves, so it runs until cancelled.
    private let idle = ManualClock()

    init(_ identity: String, server: APIServer, clock: ManualClock, release: Bool = true) throws {
        self.identity = identity
        elector = try LeaderElector(
            client: server.client(), config: leaderElectionConfig(identity, release: release), clock: clock,
            now: leaderElectionNow(clock))
    }

    func start() {
        let task = Task { [self] in
            defer { record("returned") }
            try await elector.run(
                lead: { [self] in
                    record("lead")
                    do {
                        try await idle.sleep(for: .seconds(1_000_000))
                    } catch {
                        record("lead cancelled")
                        throw error
                    }
                },
                onStoppedLeading: { [self] in record("stopped") },
                onNewLeader: { [self] holder in record("new \(holder)") }
            )
        }
        self.task.withLock { $0 = task }
    }

    /// Cancels the run and waits for it to return.
    func stop() async throws {
        let task = self.task.withLock { $0 }
        task?.cancel()
        try await task?.value
    }

    func record(_ event: String) { log.withLock { $0.append(event) } }
    var events: [String] { log.withLock { $0 } }
    var newLeaders: [String] { events.filter { $0.hasPrefix("new ") }.map { String($0.dropFirst(4)) } }
    var finished: Bool { events.contains("returned") }
    var running: Bool { task.withLock { $0 != nil } && !finished }
}

/// Sleepers the running candidates keep on the clock when idle: a campaigner waits for its next attempt; a
/// leader waits for its next renew and for its renew deadline.
func leaderElectionIdleSleepers(_ candidates: [LeaderElectionCandidate]) -> Int {
    candidates.filter(\.running).map { $0.elector.isLeader ? 2 : 1 }.reduce(0, +)
}

/// Waits until every running candidate is parked on the clock.
func leaderElectionSettle(_ clock: ManualClock, _ candidates: [LeaderElectionCandidate]) async throws {
    try await leaderElectionEventually("the candidates wait on the clock") {
        clock.sleeperCount == leaderElectionIdleSleepers(candidates)
    }
}
