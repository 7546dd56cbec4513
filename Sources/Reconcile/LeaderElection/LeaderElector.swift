import Informers
public import APIMachinery
import Raft
import Synchronization

/// Elects one leader among replicas through a coordination.k8s.io/v1 `Lease`, like client-go's
/// `tools/leaderelection` (v0.32).
///
/// Every candidate runs ``run(lead:onStoppedLeading:onNewLeader:)``. A candidate takes the Lease when it is
/// missing, released (empty holder), or has not changed for its `leaseDurationSeconds` as measured on this
/// replica's own clock (so clock skew between replicas does not matter). The leader renews every
/// `retryPeriod`; when it cannot renew for `renewDeadline` it stops leading, and because
/// `leaseDuration > renewDeadline` it stops before anyone else may start.
///
/// All waiting happens on the injected clock, so tests drive an election on virtual time.
public final class LeaderElector: Sendable {
    let config: LeaderElectionConfig
    let leases: ResourceClient<Lease>
    let clock: ElapsedTime
    let now: @Sendable () -> MicroTime
    let state: Mutex<State>

    struct State {
        /// Whether a run is in progress (runs do not overlap).
        var running = false
        /// Whether this elector holds leadership and runs `lead`.
        var leading = false
        /// The Lease as last read or written: its resourceVersion guards our updates, so a write based on a
        /// stale view fails with 409 instead of overwriting another candidate.
        var lease: Lease?
        /// The leader election record last seen, and when (on the injected clock) it was seen to change.
        var observedRecord: LeaseSpec?
        var observedTime: Duration = .zero
        /// The holder last passed to `onNewLeader` (nil: none yet).
        var reportedLeader: String?
        /// When the last successful acquire or renew began.
        var lastRenew: Duration = .zero
        var random: SplitMix64
    }

    /// Creates an elector; nothing happens until ``run(lead:onStoppedLeading:onNewLeader:)``.
    /// - Parameters:
    ///   - client: the client that reads and writes the Lease.
    ///   - config: the Lease and the timings; validated here.
    ///   - clock: the clock every wait and expiry is measured on.
    ///   - now: the wall-clock time written to the Lease's `acquireTime` and `renewTime`.
    /// - Throws: ``LeaderElectionError`` when `config` is invalid.
    public init(
        client: Client,
        config: LeaderElectionConfig,
        clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> MicroTime = { MicroTime.now() }
    ) throws(LeaderElectionError) {
        try config.validate()
        self.config = config
        self.leases = client.resource(Lease.self, namespace: config.leaseNamespace)
        self.clock = ElapsedTime(clock)
        self.now = now
        var seeder = SystemRandomNumberGenerator()
        self.state = Mutex(State(random: SplitMix64(seed: config.jitterSeed ?? seeder.next())))
    }

    /// Whether this elector currently leads (its `lead` closure is running and the Lease is being renewed).
    public var isLeader: Bool { state.withLock { $0.leading } }

    /// The holder of the Lease as last observed, or nil when none has been seen or the Lease was released.
    public var observedLeader: String? {
        state.withLock { s in
            guard let holder = s.observedRecord?.holderIdentity, !holder.isEmpty else { return nil }
            return holder
        }
    }

    /// Campaigns until this elector leads, then runs `lead` in a child task while renewing the Lease.
    ///
    /// The term ends when renewing fails for `renewDeadline` (leadership lost), when `lead` returns or throws,
    /// or when the calling task is cancelled. Then `lead`'s task is cancelled and awaited, the Lease is released
    /// if ``LeaderElectionConfig/releaseOnCancel`` is set and this elector still holds it, `onStoppedLeading`
    /// runs, and `run` returns. Cancellation before leadership is acquired just ends the campaign; unlike
    /// client-go, `onStoppedLeading` runs only after a term. `run` may be called again after it returns.
    ///
    /// - Parameters:
    ///   - lead: the leader's work; it should return promptly when its task is cancelled.
    ///   - onStoppedLeading: called once after a term ends, after `lead` has finished.
    ///   - onNewLeader: called, in order, with every newly observed non-empty holder, this elector included;
    ///     the campaign waits for it, so keep it short.
    /// - Throws: the error `lead` threw on its own (not a cancellation this elector caused), or
    ///   ``LeaderElectionError`` with ``LeaderElectionError/Code/alreadyRunning``.
    public func run(
        lead: @escaping @Sendable () async throws -> Void,
        onStoppedLeading: @escaping @Sendable () async -> Void = {},
        onNewLeader: @escaping @Sendable (String) async -> Void = { _ in }
    ) async throws {
        try state.withLock { s throws(LeaderElectionError) in
            guard !s.running else {
                throw LeaderElectionError(code: .alreadyRunning, message: "this elector is already running")
            }
            s.running = true
        }
        defer { state.withLock { $0.running = false } }

        guard await campaign(onNewLeader: onNewLeader) else { return }
        let end = await serveTerm(lead: lead, onNewLeader: onNewLeader)
        if config.releaseOnCancel { await release() }
        await onStoppedLeading()
        if case .leadThrew(let error) = end, !(error is CancellationError && Task.isCancelled) { throw error }
    }

    /// How a term ended.
    enum LeaderElectionTermEnd: Sendable {
        case leadReturned
        case leadThrew(any Error)
        case lost
        case cancelled
    }

    /// Tries to acquire the Lease every jittered retry period until it succeeds (true) or the task is
    /// cancelled (false).
    func campaign(onNewLeader: @Sendable (String) async -> Void) async -> Bool {
        while !Task.isCancelled {
            let start = clock()
            let acquired = await tryAcquireOrRenew()
            await reportTransition(onNewLeader)
            if acquired {
                state.withLock { $0.lastRenew = start }
                return true
            }
            let wait = state.withLock { s in
                let fraction = config.jitterFactor > 0 ? Double.random(in: 0..<1, using: &s.random) : 0
                return config.retryPeriod + config.retryPeriod * (fraction * config.jitterFactor)
            }
            do { try await clock.sleep(until: clock() + wait) } catch { return false }
        }
        return false
    }

    /// Runs `lead` next to the renew loop and the renew-deadline watchdog until the first of them ends.
    func serveTerm(
        lead: @escaping @Sendable () async throws -> Void,
        onNewLeader: @escaping @Sendable (String) async -> Void
    ) async -> LeaderElectionTermEnd {
        state.withLock { $0.leading = true }
        return await withTaskGroup(of: LeaderElectionTermEnd.self) { group in
            group.addTask {
                do {
                    try await lead()
                    return .leadReturned
                } catch {
                    return .leadThrew(error)
                }
            }
            group.addTask { await self.renewLoop(onNewLeader: onNewLeader) }
            group.addTask { await self.watchRenewDeadline() }
            let end = await group.next() ?? .cancelled
            // Leadership ends here, before `lead` has wound down: no new work should be started as leader.
            state.withLock { $0.leading = false }
            group.cancelAll()
            while await group.next() != nil {}
            return end
        }
    }

    /// Renews every `retryPeriod` after the previous attempt; failures are retried at the same pace and the
    /// watchdog decides when they have lasted too long.
    func renewLoop(onNewLeader: @Sendable (String) async -> Void) async -> LeaderElectionTermEnd {
        while true {
            do { try await clock.sleep(until: clock() + config.retryPeriod) } catch { return .cancelled }
            let start = clock()
            // An attempt that starts at the deadline is too late even if it succeeds.
            if start >= state.withLock({ $0.lastRenew }) + config.renewDeadline { return .lost }
            if await tryAcquireOrRenew() { state.withLock { $0.lastRenew = start } }
            await reportTransition(onNewLeader)
        }
    }

    /// Ends the term when `renewDeadline` passes without a successful renew, even if an attempt is still in
    /// flight (so `lead` is cancelled on time when the API hangs).
    func watchRenewDeadline() async -> LeaderElectionTermEnd {
        while true {
            let deadline = state.withLock { $0.lastRenew } + config.renewDeadline
            do { try await clock.sleep(until: deadline) } catch { return .cancelled }
            if state.withLock({ $0.lastRenew }) + config.renewDeadline <= clock() { return .lost }
        }
    }

    /// Calls `onNewLeader` when the observed holder differs from the last one reported. An empty holder (a
    /// released Lease) is remembered but not reported, so a replica that re-acquires is reported again.
    func reportTransition(_ onNewLeader: @Sendable (String) async -> Void) async {
        let newLeader = state.withLock { s -> String? in
            let holder = s.observedRecord?.holderIdentity ?? ""
            guard holder != s.reportedLeader else { return nil }
            s.reportedLeader = holder
            return holder.isEmpty ? nil : holder
        }
        if let newLeader { await onNewLeader(newLeader) }
    }
}
