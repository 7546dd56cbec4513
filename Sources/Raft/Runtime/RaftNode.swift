import Synchronization

/// A Raft member at run time: drives a ``RaftCore`` with a clock, a durable log, a transport and the
/// application's state machine, and offers an async API (propose and wait, linearizable read
/// barrier, membership changes, leadership transfer, status).
///
/// Lifecycle: create it, connect its transport so that incoming messages reach ``receive(_:)``, then
/// call ``run()`` in a task; cancelling that task stops the node gracefully (pending requests fail
/// with ``RaftError/Code/shuttingDown``).
public final class RaftNode: RaftMessageReceiver, Sendable {
    /// Runtime settings. Defaults follow etcd: 100 ms heartbeat, 1 s election timeout.
    public struct Options: Sendable {
        /// The tick: one heartbeat interval.
        public var heartbeatInterval: Duration = .milliseconds(100)
        /// Election timeout; rounded to whole ticks (at least two).
        public var electionTimeout: Duration = .seconds(1)
        /// How long a proposal, read or membership change may wait before failing with `.timeout`.
        public var requestTimeout: Duration = .seconds(7)
        /// Incoming messages buffered while the node is busy; beyond it they are dropped (Raft
        /// retransmits), so a flood cannot exhaust memory.
        public var inboxCapacity = 16_384
        /// Proposals queued for the driver beyond which new ones are refused (`.proposalDropped`).
        public var maxQueuedProposals = 65_536
        /// Make a snapshot every this many applied entries (0: never).
        public var snapshotInterval: UInt64 = 10_000
        /// Entries kept behind a snapshot for slow followers.
        public var compactionSlack: UInt64 = 5_000

        public init() {}
    }

    public let id: NodeID
    /// Sleeps on the injected clock (captured at init so the node itself is not generic: a generic
    /// class would pay for runtime metadata lookups on every call from another module).
    let sleep: @Sendable (Duration) async throws -> Void
    let options: Options
    let storage: any DurableRaftLog
    let stateMachine: any RaftStateMachine
    let transport: any RaftTransport
    let state: Mutex<State>
    let intake = Mutex(Intake())
    let doorbell = Doorbell()
    let ticksPerRequestTimeout: UInt64

    /// Creates a member from what `storage` holds, restoring `stateMachine` from its latest snapshot.
    ///
    /// - Parameter config: the core's configuration; `electionTick` and `heartbeatTick` are derived
    ///   from `options`, and proposal forwarding is disabled (followers answer `.notLeader` with a hint).
    public init<C: Clock>(
        config: RaftConfig,
        storage: any DurableRaftLog,
        stateMachine: any RaftStateMachine,
        transport: any RaftTransport,
        clock: C,
        options: Options = Options()
    ) throws(RaftError) where C.Duration == Duration {
        var config = config
        let tick = options.heartbeatInterval
        config.heartbeatTick = 1
        config.electionTick = max(2, Int((options.electionTimeout / tick).rounded()))
        config.disableProposalForwarding = true
        let snapshot = try storage.snapshot()
        if !snapshot.isEmpty {
            do {
                try stateMachine.restore(snapshot.data)
            } catch {
                throw RaftError(.corrupt, "state machine could not restore snapshot \(snapshot.metadata.index): \(error)")
            }
            config.applied = snapshot.metadata.index
        }
        let core = try RaftCore(config: config, storage: storage)
        self.id = config.id
        self.sleep = { duration in try await clock.sleep(for: duration) }
        self.options = options
        self.storage = storage
        self.stateMachine = stateMachine
        self.transport = transport
        self.ticksPerRequestTimeout = UInt64(max(1, (options.requestTimeout / tick).rounded(.up)))
        self.state = Mutex(State(core: core, lastSnapshotIndex: snapshot.metadata.index))
    }

    // MARK: Lifecycle

    /// Runs the node until the surrounding task is cancelled or storage fails.
    public func run() async throws {
        let started = state.withLock { s -> Bool in
            guard case .idle = s.lifecycle else { return false }
            s.lifecycle = .running
            return true
        }
        guard started else { throw RaftError(.shuttingDown, "node \(id) was already started") }
        defer { shutDown() }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { [self] in
                while !Task.isCancelled {
                    try await sleep(options.heartbeatInterval)
                    intake.withLock { $0.ticks += 1 }
                    doorbell.ring()
                }
            }
            while !Task.isCancelled {
                await doorbell.wait()
                if Task.isCancelled { break }
                try processAvailableWork()
            }
            group.cancelAll()
        }
    }

    func shutDown() {
        let queued = intake.withLock { i -> [Intake.Proposal] in
            i.stopped = true
            i.messages = []
            defer { i.proposals = [] }
            return i.proposals
        }
        let error = RaftError(.shuttingDown, "node \(id) stopped")
        var waiters = state.withLock { s -> [Resumption] in
            s.lifecycle = .stopped
            return s.failAll(error)
        }
        waiters += queued.map { .proposal($0.continuation, .failure(error)) }
        for resumption in waiters { resumption() }
    }

    // MARK: Incoming messages

    /// Delivers messages from the transport. Before ``run()`` starts they wait in the inbox (peers may
    /// start first); beyond ``Options/inboxCapacity`` they are dropped, and Raft retransmits.
    public func receive(_ messages: [Message]) {
        let accepted = intake.withLock { i -> Bool in
            if i.stopped { return false }
            let room = options.inboxCapacity - i.messages.count
            if room <= 0 { return false }
            if messages.count <= room {
                i.messages.append(contentsOf: messages)
            } else {
                i.messages.append(contentsOf: messages.prefix(room))
            }
            return true
        }
        if accepted { doorbell.ring() }
    }

    public func reportSnapshot(to peer: NodeID, succeeded: Bool) {
        report(.snapshot(peer, succeeded: succeeded))
    }

    public func reportUnreachable(_ peer: NodeID) {
        report(.unreachable(peer))
    }

    func report(_ report: Intake.Report) {
        let accepted = intake.withLock { i -> Bool in
            // Reports are few (one per stream or failed connection); the bound only guards a storm.
            guard !i.stopped, i.reports.count < 1_024 else { return false }
            i.reports.append(report)
            return true
        }
        if accepted { doorbell.ring() }
    }

    // MARK: Requests

    /// Proposes `data` and waits until it is committed and applied; returns the state machine's result.
    ///
    /// - Throws: `.notLeader` (with the leader's identity) on a follower, `.proposalDropped` if the
    ///   proposal was refused or overwritten by a new leader, `.timeout` (outcome unknown),
    ///   `.shuttingDown`.
    public func propose(_ data: [UInt8]) async throws(RaftError) -> [UInt8] {
        let result = await withCheckedContinuation { (continuation: ProposalContinuation) in
            // Only an append here: the driver proposes everything queued as one batch.
            let refusal = intake.withLock { i -> RaftError? in
                if i.stopped { return RaftError(.shuttingDown, "node \(id) is stopped") }
                if i.proposals.count >= options.maxQueuedProposals {
                    return RaftError(.proposalDropped, "more than \(options.maxQueuedProposals) proposals queued")
                }
                i.proposals.append(Intake.Proposal(data: data, continuation: continuation))
                return nil
            }
            if let refusal {
                continuation.resume(returning: .failure(refusal))
            } else {
                doorbell.ring()
            }
        }
        return try result.get()
    }

    /// Proposes a membership change and waits until it is applied; returns the configuration then in force.
    public func changeMembership(_ change: ConfChange) async throws(RaftError) -> ConfState {
        let result = await withCheckedContinuation { (continuation: ProposalContinuation) in
            var resumptions: [Resumption] = []
            state.withLock { s in
                guard case .running = s.lifecycle else {
                    resumptions.append(.proposal(continuation, .failure(RaftError(.shuttingDown, "node \(id) is not running"))))
                    return
                }
                if s.core.role != .leader {
                    let error = RaftError(.notLeader, "membership changes go through the leader", leaderHint: s.core.leader)
                    resumptions.append(.proposal(continuation, .failure(error)))
                    return
                }
                do throws(RaftError) {
                    try s.core.proposeConfChange(change)
                } catch {
                    resumptions.append(.proposal(continuation, .failure(error)))
                    return
                }
                let waiter = State.Waiter(term: s.core.term, deadline: s.ticks + ticksPerRequestTimeout, continuation: continuation)
                s.register(waiter, at: s.core.lastIndex, into: &resumptions)
            }
            doorbell.ring()
            for resumption in resumptions { resumption() }
        }
        var reader = BinaryReader(try result.get())
        return try ConfState(decoding: &reader)
    }

    /// Waits until the state machine reflects every write committed before the call (ReadIndex):
    /// a read of local state after it returns is linearizable. Returns the read index.
    public func readBarrier() async throws(RaftError) -> UInt64 {
        let result = await withCheckedContinuation { (continuation: ReadContinuation) in
            let error = state.withLock { s -> RaftError? in
                guard case .running = s.lifecycle else { return RaftError(.shuttingDown, "node \(id) is not running") }
                s.readSequence &+= 1
                var writer = BinaryWriter(capacity: 16)
                writer.writeVarint(id)
                writer.writeVarint(s.readSequence)
                let context = writer.bytes
                do throws(RaftError) {
                    try s.core.readIndex(context: context)
                } catch {
                    return error
                }
                s.reads[context] = State.ReadWaiter(deadline: s.ticks + ticksPerRequestTimeout, continuation: continuation)
                return nil
            }
            if let error { continuation.resume(returning: .failure(error)) } else { doorbell.ring() }
        }
        return try result.get()
    }

    /// Asks the cluster to make `target` leader and waits until this node sees it lead (or a timeout).
    public func transferLeadership(to target: NodeID) async throws(RaftError) {
        let result = await withCheckedContinuation { (continuation: ProposalContinuation) in
            let immediate = state.withLock { s -> Result<[UInt8], RaftError>? in
                guard case .running = s.lifecycle else {
                    return .failure(RaftError(.shuttingDown, "node \(id) is not running"))
                }
                if s.core.leader == target { return .success([]) }
                s.core.transferLeadership(to: target)
                s.transfers.append(
                    State.TransferWaiter(
                        target: target,
                        deadline: s.ticks + UInt64(2 * s.core.electionTimeout),
                        continuation: continuation
                    )
                )
                return nil
            }
            if let immediate {
                continuation.resume(returning: immediate)
            } else {
                doorbell.ring()
            }
        }
        _ = try result.get()
    }

    /// Starts an election now.
    public func campaign() {
        state.withLock { $0.core.campaign() }
        doorbell.ring()
    }

    /// Term, leader, commit and applied index, configuration and (on the leader) per-peer progress.
    public func status() -> RaftStatus {
        state.withLock { $0.core.status() }
    }

    /// The current term: what ``status()`` reports in `hardState.term`, without building the rest.
    public var term: UInt64 {
        state.withLock { $0.core.term }
    }
}
