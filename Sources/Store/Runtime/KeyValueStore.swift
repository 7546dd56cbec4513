public import Raft
import Synchronization

/// A versioned, watchable key-value store with etcd v3's semantics, replicated by Raft.
///
/// Three shapes, one code path (every write goes through a Raft log and is applied by the same state
/// machine):
/// - **embedded**: ``open(directory:options:)`` — one member on a local directory, durable (fsync
///   before acknowledging), started and ready when the call returns;
/// - **in-memory**: ``inMemory(options:)`` — the same, on memory, for tests;
/// - **replicated**: ``init(member:storage:transport:clock:options:)`` with a Raft transport (TCP or
///   in-memory), then ``run()``.
///
/// Writes and linearizable reads go to the leader's state; a follower answers writes with
/// ``StoreError/Code/notLeader`` and its leader's ID. Reads are linearizable by default (a
/// ReadIndex barrier shared by concurrent reads), serializable (this member's state) on request.
public final class KeyValueStore: Sendable {
    /// Settings. Defaults follow etcd where etcd has one.
    public struct Options: Sendable {
        /// Raft timing and log compaction. The store snapshots every 100,000 entries by default (etcd's
        /// `--snapshot-count`).
        public var raft: RaftNode.Options
        /// etcd's `--max-request-bytes`.
        public var maxRequestBytes = 1_572_864
        /// etcd's `--max-txn-ops`.
        public var maxTxnOperations = 128
        /// Events a watcher may have waiting for its consumer before it falls back to catching up
        /// from history (its memory bound).
        public var watchBufferEvents = 1_024
        /// Keep history by revision count or by age; compaction is decided by the leader and applied
        /// through the log.
        public var autoCompaction = AutoCompaction.disabled
        /// How often the leader checks lease expiry (etcd: 500 ms).
        public var leaseCheckInterval: Duration = .milliseconds(500)
        /// How often idle watchers that asked for it get a progress notification (etcd: 10 minutes).
        public var progressNotifyInterval: Duration = .seconds(600)
        /// fsync the log before acknowledging (embedded shape). Turning it off loses durability.
        public var syncWrites = true
        /// Seeds the member's randomized election timeouts; nil draws one. Fault tests set it so a
        /// run reproduces from its printed seed.
        public var raftSeed: UInt64?

        public init() {
            raft = RaftNode.Options()
            raft.snapshotInterval = 100_000
            raft.compactionSlack = 5_000
        }

        var limits: MVCCStore.Limits {
            var limits = MVCCStore.Limits()
            limits.maxRequestBytes = maxRequestBytes
            limits.maxTxnOperations = maxTxnOperations
            return limits
        }

        /// etcd's minimum lease TTL: one and a half election timeouts, rounded up to whole seconds, so a
        /// lease cannot expire during a leader change.
        var minimumLeaseTTL: Int64 {
            let seconds = (raft.electionTimeout * 3 / 2) / .seconds(1)
            return max(1, Int64(seconds.rounded(.up)))
        }
    }

    /// A retention policy for history.
    public enum AutoCompaction: Sendable, Hashable {
        case disabled
        /// Keep the last `n` revisions (checked every `every`).
        case revisions(Int64, every: Duration = .seconds(300))
        /// Keep history newer than the duration (checked every tenth of it).
        case period(Duration)
    }

    public let memberID: UInt64
    /// This member's Raft node: connect transports to it (``RaftNode/receive(_:)``).
    public let raft: RaftNode
    let machine: StoreStateMachine
    let reads: ReadCoalescer
    let lessor = Mutex(Lessor())
    let options: Options
    let validator: MVCCStore
    /// Time since the store was created, on the injected clock.
    let elapsed: @Sendable () -> Duration
    let sleep: @Sendable (Duration) async throws -> Void
    /// The task that runs an embedded or in-memory store (nil for one the caller runs).
    let ownedTask = Mutex<Task<Void, any Error>?>(nil)

    /// A member of a replicated store. Connect `transport` to ``raft`` and call ``run()``.
    public init<C: Clock>(
        member id: UInt64,
        storage: any DurableRaftLog,
        transport: any RaftTransport,
        clock: C,
        options: Options = Options()
    ) throws(StoreError) where C.Duration == Duration {
        let machine = StoreStateMachine(limits: options.limits, watchBufferEvents: options.watchBufferEvents)
        var config = RaftConfig(id: id)
        config.randomSeed = id &* 0x9E37_79B9_7F4A_7C15 ^ (options.raftSeed ?? UInt64.random(in: 0...UInt64.max))
        let node: RaftNode
        do throws(RaftError) {
            node = try RaftNode(config: config, storage: storage, stateMachine: machine, transport: transport, clock: clock, options: options.raft)
        } catch {
            throw StoreError(raft: error)
        }
        self.memberID = id
        self.raft = node
        self.machine = machine
        self.options = options
        self.validator = MVCCStore(limits: options.limits)
        self.reads = ReadCoalescer { () async throws(RaftError) -> UInt64 in try await node.readBarrier() }
        let start = clock.now
        self.elapsed = { start.duration(to: clock.now) }
        self.sleep = { duration in try await clock.sleep(for: duration) }
    }

    // MARK: Shapes

    /// The embedded default: one member whose log and snapshots live in `directory` (created if
    /// missing), running in the background and ready when this returns. Reopening the directory
    /// recovers every acknowledged write. Call ``close()`` when done.
    public static func open(directory: String, options: Options = Options()) async throws(StoreError) -> KeyValueStore {
        var logOptions = FileLog.Options()
        logOptions.sync = options.syncWrites
        let storage: FileLog
        do throws(RaftError) {
            storage = try FileLog(directory: directory, voters: [1], options: logOptions)
        } catch {
            throw StoreError(raft: error)
        }
        return try await startSingle(storage: storage, options: options)
    }

    /// The in-memory shape: the embedded store's code path on a memory log (nothing survives the process).
    public static func inMemory(options: Options = Options()) async throws(StoreError) -> KeyValueStore {
        try await startSingle(storage: MemoryStorage(voters: [1]), options: options)
    }

    static func startSingle(storage: any DurableRaftLog, options: Options) async throws(StoreError) -> KeyValueStore {
        let store = try KeyValueStore(member: 1, storage: storage, transport: NoPeers(), clock: ContinuousClock(), options: options)
        store.ownedTask.withLock { $0 = Task { try await store.run() } }
        // A lone voter need not wait out an election timeout.
        store.raft.campaign()
        // Ready once a read barrier passes: the node runs, leads, and applied its first entry.
        var attempts = 0
        while true {
            do throws(RaftError) {
                _ = try await store.raft.readBarrier()
                break
            } catch {
                // Until the node's task has started, requests find it not running yet.
                attempts += 1
                if attempts > 10_000 || store.ownedTask.withLock({ $0 == nil }) {
                    await store.close()
                    throw StoreError(raft: error)
                }
                try? await Task.sleep(for: .milliseconds(1))
                store.raft.campaign()
            }
        }
        return store
    }

    /// Stops a store started by ``open(directory:options:)`` or ``inMemory(options:)``: pending
    /// requests and watches end with ``StoreError/Code/shuttingDown``.
    public func close() async {
        let task = ownedTask.withLock { t -> Task<Void, any Error>? in
            defer { t = nil }
            return t
        }
        task?.cancel()
        _ = await task?.result
    }

    // MARK: Running

    /// Runs the member (its Raft node and the leader's lease, compaction and progress duties) until
    /// the task is cancelled.
    public func run() async throws {
        defer { endWatches(StoreError(.shuttingDown, "member \(memberID) stopped")) }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.raft.run() }
            group.addTask { try await self.runMaintenance() }
        }
    }

    func endWatches(_ error: StoreError) {
        var wake: [UnsafeContinuation<Void, Never>] = []
        machine.state.withLock { $0.watchers.endAll(error, wake: &wake) }
        for waiter in wake { waiter.resume() }
    }

    // MARK: Raft plumbing

    /// Proposes a command and decodes its applied result.
    func propose(_ command: StoreCommand) async throws(StoreError) -> BinaryReader {
        let output: [UInt8]
        do throws(RaftError) {
            output = try await raft.propose(command.encoded())
        } catch {
            throw StoreError(raft: error)
        }
        return try CommandResult.decode(output)
    }

    /// Waits for a linearizable read point.
    func readBarrier() async throws(StoreError) {
        do throws(RaftError) {
            _ = try await reads.wait()
        } catch {
            throw StoreError(raft: error)
        }
    }

    func header(_ revision: Int64) -> ResponseHeader {
        ResponseHeader(revision: revision, raftTerm: raft.term, memberID: memberID)
    }
}

/// The transport of a member with no peers.
struct NoPeers: RaftTransport {
    func send(_ messages: [Message]) {}
}

extension StoreError {
    /// The store's view of a Raft runtime error.
    init(raft error: RaftError) {
        switch error.code {
        case .notLeader:
            self.init(.notLeader, "etcdserver: not leader (\(error.message))", leaderHint: error.leaderHint)
        case .timeout, .outcomeUnknown:
            self.init(.timeout, "etcdserver: request timed out (\(error.message))")
        case .shuttingDown:
            self.init(.shuttingDown, "etcdserver: server stopped (\(error.message))")
        case .corrupt:
            self.init(.corrupt, error.message)
        default:
            self.init(.unavailable, "etcdserver: \(error.code): \(error.message)")
        }
    }
}
