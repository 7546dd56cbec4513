import APIMachinery
import Raft
import Reconcile
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("LeaderElection", .timeLimit(.minutes(2)))
struct LeaderElectionTests {
    @Test("a single elector creates the missing lease, leads, and renews on virtual time")
    func singleElectorAcquiresAndRenews() async throws {
        try await withTestServer { server, _ in
            let clock = ManualClock()
            let leases = server.client().resource(Lease.self, namespace: "kube-system")
            let a = try LeaderElectionCandidate("a", server: server, clock: clock)
            a.start()
            try await leaderElectionEventually("a leads") { a.elector.isLeader && a.events.contains("lead") }
            try await leaderElectionSettle(clock, [a])

            let created = try await leases.get("controller")
            #expect(created.spec?.holderIdentity == "a")
            #expect(created.spec?.leaseDurationSeconds == 15)
            #expect(created.spec?.acquireTime == leaderElectionTime(0))
            #expect(created.spec?.renewTime == leaderElectionTime(0))
            #expect(created.spec?.leaseTransitions == 0)
            #expect(a.elector.observedLeader == "a")
            #expect(a.newLeaders == ["a"])

            for second in 1...6 {
                clock.advance(by: .seconds(1))
                try await leaderElectionSettle(clock, [a])
                let lease = try await leases.get("controller")
                // Renewals every retry period (2 s); the term's acquire time and transition count stay.
                #expect(lease.spec?.renewTime == leaderElectionTime(Int64(second / 2 * 2)))
                #expect(lease.spec?.acquireTime == leaderElectionTime(0))
                #expect(lease.spec?.leaseTransitions == 0)
                #expect(lease.spec?.holderIdentity == "a")
                #expect(a.elector.isLeader)
            }
            #expect(a.newLeaders == ["a"])

            // A graceful stop cancels `lead`, releases the lease and reports the end of the term.
            try await a.stop()
            #expect(!a.elector.isLeader)
            #expect(a.events == ["new a", "lead", "lead cancelled", "stopped", "returned"])
            let released = try await leases.get("controller")
            #expect(released.spec?.holderIdentity == "")
            #expect(released.spec?.leaseDurationSeconds == 1)
            #expect(released.spec?.renewTime == leaderElectionTime(6))
            #expect(released.spec?.leaseTransitions == 0)
            #expect(a.elector.observedLeader == nil)
        }
    }

    @Test("three electors: one leader at every step; after a crash another takes over once the lease expires")
    func threeElectorsFailOverAfterCrash() async throws {
        try await withTestServer { server, _ in
            let clock = ManualClock()
            let leases = server.client().resource(Lease.self, namespace: "kube-system")
            let candidates = try ["a", "b", "c"].map {
                try LeaderElectionCandidate($0, server: server, clock: clock, release: false)
            }
            for candidate in candidates { candidate.start() }
            try await leaderElectionEventually("one leads") { candidates.count(where: \.elector.isLeader) == 1 }
            try await leaderElectionSettle(clock, candidates)
            let first = try #require(candidates.first { $0.elector.isLeader })
            let survivors = candidates.filter { $0 !== first }

            func leaders() -> [String] { candidates.filter(\.elector.isLeader).map(\.identity) }
            for _ in 1...9 {
                clock.advance(by: .seconds(1))
                try await leaderElectionSettle(clock, candidates)
                #expect(leaders() == [first.identity])
            }
            for candidate in candidates { #expect(candidate.newLeaders == [first.identity]) }

            // A crash: the leader stops without releasing the lease.
            try await first.stop()
            #expect(first.events.contains("lead cancelled"))
            let abandoned = try await leases.get("controller")
            #expect(abandoned.spec?.holderIdentity == first.identity)
            let lastRenew = try #require(abandoned.spec?.renewTime).microsecondsSinceEpoch
            let lastRenewSecond = (lastRenew - leaderElectionEpochMicros) / 1_000_000

            // Nobody may take over before the lease has gone unchanged for its duration on the survivors' clock;
            // all of them see it change at their next attempt after it, at most one retry period later.
            var takeover: Int64?
            var second = clock.now.offset.components.seconds
            while takeover == nil, second < lastRenewSecond + 15 + 2 * 2 + 1 {
                clock.advance(by: .seconds(1))
                second += 1
                try await leaderElectionSettle(clock, candidates)
                let current = leaders()
                #expect(current.count <= 1, "leaders at \(second) s: \(current)")
                if !current.isEmpty { takeover = second }
            }
            let at = try #require(takeover, "no takeover")
            #expect(at >= lastRenewSecond + 15)
            #expect(at <= lastRenewSecond + 15 + 2 * 2)
            let successor = try #require(survivors.first { $0.elector.isLeader })

            let taken = try await leases.get("controller")
            #expect(taken.spec?.holderIdentity == successor.identity)
            #expect(taken.spec?.leaseTransitions == 1)
            #expect(taken.spec?.acquireTime == leaderElectionTime(at))
            #expect(taken.spec?.renewTime == leaderElectionTime(at))

            // The other survivor sees the new holder at its next attempt, and stays a follower.
            for _ in 1...2 {
                clock.advance(by: .seconds(1))
                try await leaderElectionSettle(clock, candidates)
                #expect(leaders() == [successor.identity])
            }
            for survivor in survivors {
                #expect(survivor.newLeaders == [first.identity, successor.identity])
                #expect(survivor.elector.observedLeader == successor.identity)
            }
            for survivor in survivors { try await survivor.stop() }
        }
    }

    @Test("a graceful release hands the lease over within one retry period")
    func gracefulReleaseHandsOver() async throws {
        try await withTestServer { server, _ in
            let clock = ManualClock()
            let leases = server.client().resource(Lease.self, namespace: "kube-system")
            let a = try LeaderElectionCandidate("a", server: server, clock: clock)
            let b = try LeaderElectionCandidate("b", server: server, clock: clock)
            a.start()
            try await leaderElectionEventually("a leads") { a.elector.isLeader }
            b.start()
            try await leaderElectionEventually("b sees a") { b.newLeaders == ["a"] }
            try await leaderElectionSettle(clock, [a, b])
            for _ in 1...3 {
                clock.advance(by: .seconds(1))
                try await leaderElectionSettle(clock, [a, b])
            }

            try await a.stop()
            #expect(a.events.suffix(3) == ["lead cancelled", "stopped", "returned"])
            let released = try await leases.get("controller")
            #expect(released.spec?.holderIdentity == "")
            #expect(!b.elector.isLeader)

            // b's next attempt is at most one retry period away, far sooner than the 15 s lease duration.
            for _ in 1...2 where !b.elector.isLeader {
                clock.advance(by: .seconds(1))
                try await leaderElectionSettle(clock, [a, b])
            }
            #expect(b.elector.isLeader)
            #expect(clock.now.offset <= .seconds(3 + 2))
            let taken = try await leases.get("controller")
            #expect(taken.spec?.holderIdentity == "b")
            #expect(taken.spec?.leaseTransitions == 1)
            #expect(taken.spec?.leaseDurationSeconds == 15)
            #expect(b.newLeaders == ["a", "b"])
            try await b.stop()
        }
    }

    @Test("a leader that cannot renew for the renew deadline stops leading and its run returns")
    func renewFailureLosesLeadership() async throws {
        try await withTestServer { server, _ in
            let clock = ManualClock()
            let leases = server.client().resource(Lease.self, namespace: "kube-system")
            let a = try LeaderElectionCandidate("a", server: server, clock: clock)
            a.start()
            try await leaderElectionEventually("a leads") { a.elector.isLeader }
            try await leaderElectionSettle(clock, [a])
            for _ in 1...3 {
                clock.advance(by: .seconds(1))
                try await leaderElectionSettle(clock, [a])
            }

            // Another writer takes the lease: a's renewals now fail (409 on its stale copy, then a holder that
            // has not expired).
            var lease = try await leases.get("controller")
            #expect(lease.spec?.renewTime == leaderElectionTime(2))
            lease.spec?.holderIdentity = "intruder"
            lease.spec?.renewTime = leaderElectionTime(3)
            _ = try await leases.update(lease)

            // Still leading until 10 s after its last successful renew at 2 s.
            for _ in 4..<12 {
                clock.advance(by: .seconds(1))
                try await leaderElectionSettle(clock, [a])
                #expect(a.elector.isLeader)
                #expect(!a.finished)
            }
            clock.advance(by: .seconds(1))
            try await leaderElectionEventually("a's run returns") { a.finished }
            #expect(!a.elector.isLeader)
            #expect(a.events == ["new a", "lead", "new intruder", "lead cancelled", "stopped", "returned"])
            #expect(a.elector.observedLeader == "intruder")
            // The release is skipped: the lease is no longer a's.
            let after = try await leases.get("controller")
            #expect(after.spec?.holderIdentity == "intruder")
            try await a.stop()
        }
    }

    @Test("lead returning ends the term and releases; a lead error is rethrown")
    func leadEndingEndsTheTerm() async throws {
        struct Boom: Error {}
        try await withTestServer { server, _ in
            let clock = ManualClock()
            let leases = server.client().resource(Lease.self, namespace: "kube-system")
            let elector = try LeaderElector(
                client: server.client(), config: leaderElectionConfig("a"), clock: clock,
                now: leaderElectionNow(clock))
            try await elector.run(lead: {})
            #expect(!elector.isLeader)
            #expect(try await leases.get("controller").spec?.holderIdentity == "")

            // The next run takes the released lease again: a new term, a new transition.
            await #expect(throws: Boom.self) { try await elector.run(lead: { throw Boom() }) }
            let lease = try await leases.get("controller")
            #expect(lease.spec?.holderIdentity == "")
            #expect(lease.spec?.leaseTransitions == 1)
        }
    }

    @Test("a second concurrent run is refused")
    func concurrentRunRefused() async throws {
        try await withTestServer { server, _ in
            let clock = ManualClock()
            let a = try LeaderElectionCandidate("a", server: server, clock: clock)
            a.start()
            try await leaderElectionEventually("a leads") { a.elector.isLeader }
            await #expect(throws: LeaderElectionError.self) { try await a.elector.run(lead: {}) }
            do {
                try await a.elector.run(lead: {})
            } catch let error as LeaderElectionError {
                #expect(error.code == .alreadyRunning)
            }
            #expect(a.elector.isLeader)
            try await a.stop()
        }
    }
}

@Suite("LeaderElection jitter", .timeLimit(.minutes(2)))
struct LeaderElectionJitterTests {
    /// The waits between one candidate's acquire attempts against a lease another holder keeps for an hour.
    static func campaignWaits(seed: UInt64, attempts: Int) async throws -> [Duration] {
        try await withTestServer { server, _ in
            let clock = ManualClock()
            let leases = server.client().resource(Lease.self, namespace: "kube-system")
            _ = try await leases.create(
                Lease(
                    metadata: ObjectMeta(name: "controller", namespace: "kube-system"),
                    spec: LeaseSpec(holderIdentity: "other", leaseDurationSeconds: 3600, leaseTransitions: 0)))
            var config = leaderElectionConfig("b")
            config.jitterFactor = 1.2
            config.jitterSeed = seed
            let elector = try LeaderElector(
                client: server.client(), config: config, clock: clock, now: leaderElectionNow(clock))
            let task = Task { try await elector.run(lead: {}) }
            var waits: [Duration] = []
            for _ in 0..<attempts {
                try await leaderElectionEventually("b waits") { clock.sleeperCount == 1 }
                let deadline = try #require(clock.nextDeadline)
                waits.append(clock.now.duration(to: deadline))
                clock.advance(by: clock.now.duration(to: deadline))
            }
            #expect(!elector.isLeader)
            #expect(elector.observedLeader == "other")
            task.cancel()
            try await task.value
            return waits
        }
    }

    @Test("acquire retries wait retryPeriod × (1 + r × 1.2), reproducibly from the seed")
    func jitterReproducesFromSeed() async throws {
        // `LEADER_ELECTION_SEED=<seed>` reruns a printed seed.
        let seed =
            getenv("LEADER_ELECTION_SEED").flatMap { UInt64(String(cString: $0)) }
            ?? UInt64.random(in: 0...UInt64.max)
        print("LeaderElection jitter seed: \(seed)")
        let waits = try await Self.campaignWaits(seed: seed, attempts: 6)
        for wait in waits {
            #expect(wait >= .seconds(2), "seed \(seed)")
            #expect(wait < .seconds(2) * 2.2, "seed \(seed)")
        }
        #expect(Set(waits).count > 1, "seed \(seed): no jitter in \(waits)")
        #expect(try await Self.campaignWaits(seed: seed, attempts: 6) == waits, "seed \(seed)")
    }
}
