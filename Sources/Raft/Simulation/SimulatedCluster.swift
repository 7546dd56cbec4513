/// Something that happened in a ``SimulatedCluster``, for timelines and assertions.
public struct SimulationEvent: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case roleChanged(NodeID, RaftRole, term: UInt64)
        case leaderElected(NodeID, term: UInt64)
        case crashed(NodeID)
        case restarted(NodeID)
        case confChanged(NodeID, ConfState)
        case snapshotInstalled(NodeID, index: UInt64)
        case violation(String)
    }

    public var tick: UInt64
    public var kind: Kind

    public var description: String {
        let t = "t=\(tick)"
        switch kind {
        case .roleChanged(let id, let role, let term): return "\(t) node \(id) is \(role) (term \(term))"
        case .leaderElected(let id, let term): return "\(t) node \(id) elected leader for term \(term)"
        case .crashed(let id): return "\(t) node \(id) crashed"
        case .restarted(let id): return "\(t) node \(id) restarted from its durable log"
        case .confChanged(let id, let cs):
            return "\(t) node \(id) applied configuration voters=\(cs.voters) learners=\(cs.learners)"
                + (cs.isJoint ? " outgoing=\(cs.votersOutgoing)" : "")
        case .snapshotInstalled(let id, let index): return "\(t) node \(id) installed snapshot at \(index)"
        case .violation(let text): return "\(t) VIOLATION \(text)"
        }
    }
}

/// A whole Raft cluster in one deterministic value: members with in-memory "disks", a faulty
/// network, crashes and restarts, snapshots and membership changes, all replayable from a seed.
///
/// Each ``step()`` delivers the messages due, lets every live member process its ``Ready``
/// (sending its leader messages before its write and the rest after it, as a real driver does) and,
/// every ``Options/stepsPerTick`` steps, ticks every live member.
public struct SimulatedCluster: Sendable {
    public struct Options: Sendable {
        public var electionTick = 10
        public var heartbeatTick = 1
        public var stepsPerTick = 4
        public var preVote = true
        public var checkQuorum = true
        public var readOnlyOption: ReadOnlyOption = .safe
        public var maxSizePerMessage: UInt64 = 1 << 20
        public var maxInflightMessages = 256
        /// Probability that a member finishes a write a step later than it started it (while its
        /// immediate messages are already out): exercises crashes between send and fsync.
        public var delayedPersistRate = 0.0
        /// Make a snapshot and compact the log every this many applied entries (0: never).
        public var snapshotInterval: UInt64 = 0
        /// Entries kept behind a snapshot when compacting.
        public var compactionSlack: UInt64 = 5
        public var faults = NetworkFaults.none

        public init() {}
    }

    public struct Node: Sendable {
        public internal(set) var core: RaftCore
        public let storage: MemoryStorage
        public internal(set) var kv: SimulatedKV
        public internal(set) var isUp = true
        public internal(set) var readStates: [ReadState] = []
        var pendingReady: Ready?
        var lastSoftState: SoftState

        /// A write was started (its immediate messages sent) but is not durable yet.
        public var hasWriteInFlight: Bool { pendingReady != nil }
    }

    public private(set) var nodes: [NodeID: Node] = [:]
    public var network: SimulatedNetwork
    public let options: Options
    public let seed: UInt64
    public private(set) var steps: UInt64 = 0
    public private(set) var ticks: UInt64 = 0
    /// Everything noteworthy, in order. Call ``takeEvents()`` to drain.
    public private(set) var events: [SimulationEvent] = []
    /// Every entry applied by any member: index → digest of (term, data). Two members applying
    /// different entries at one index is a state machine safety violation.
    private var appliedEntries: [UInt64: UInt64] = [:]
    /// The configuration every member starts from, including members that join later.
    public let genesisVoters: [NodeID]
    public private(set) var violations: [String] = []
    /// Errors returned by `step` (for example responses from removed members), for diagnostics.
    public private(set) var stepErrors = 0
    private var rng: SplitMix64

    /// A new cluster whose initial voters are `voters`.
    public init(voters: [NodeID], seed: UInt64, options: Options = Options()) {
        self.seed = seed
        self.options = options
        network = SimulatedNetwork(seed: seed ^ 0xA5A5_A5A5, faults: options.faults)
        rng = SplitMix64(seed: seed)
        genesisVoters = voters
        for id in voters {
            let storage = MemoryStorage(voters: voters)
            nodes[id] = Self.makeNode(id: id, storage: storage, kv: SimulatedKV(), options: options, seed: seed)
        }
    }

    static func config(id: NodeID, options: Options, seed: UInt64, applied: UInt64) -> RaftConfig {
        var config = RaftConfig(id: id)
        config.electionTick = options.electionTick
        config.heartbeatTick = options.heartbeatTick
        config.preVote = options.preVote
        config.checkQuorum = options.checkQuorum
        config.readOnlyOption = options.readOnlyOption
        config.maxSizePerMessage = options.maxSizePerMessage
        config.maxInflightMessages = options.maxInflightMessages
        config.randomSeed = seed
        config.applied = applied
        return config
    }

    static func makeNode(id: NodeID, storage: MemoryStorage, kv: SimulatedKV, options: Options, seed: UInt64) -> Node {
        let config = config(id: id, options: options, seed: seed, applied: kv.appliedIndex)
        // The storage was written by this simulator, so it is consistent by construction.
        let core = try! RaftCore(config: config, storage: storage)
        return Node(core: core, storage: storage, kv: kv, lastSoftState: core.softState)
    }

    // MARK: Observation

    public var sortedIDs: [NodeID] { nodes.keys.sorted() }
    public var liveIDs: [NodeID] { sortedIDs.filter { nodes[$0]!.isUp } }

    public subscript(id: NodeID) -> Node? { nodes[id] }

    /// The live leader with the highest term, if any.
    public var leader: NodeID? {
        var best: (NodeID, UInt64)?
        for id in liveIDs where nodes[id]!.core.role == .leader {
            let term = nodes[id]!.core.term
            if best == nil || term > best!.1 { best = (id, term) }
        }
        return best?.0
    }

    public mutating func takeEvents() -> [SimulationEvent] {
        defer { events = [] }
        return events
    }

    mutating func record(_ kind: SimulationEvent.Kind) {
        events.append(SimulationEvent(tick: ticks, kind: kind))
        if case .violation(let text) = kind { violations.append(text) }
    }

    // MARK: Driving

    /// One simulation step.
    public mutating func step() {
        for message in network.takeDue() {
            guard nodes[message.to]?.isUp == true else { continue }
            do {
                try nodes[message.to]!.core.step(message)
            } catch {
                stepErrors += 1
                if error.code == .invariantViolation { record(.violation("node \(message.to): \(error)")) }
            }
        }
        for id in liveIDs { processReady(id) }
        network.advance()
        steps += 1
        if steps % UInt64(options.stepsPerTick) == 0 {
            ticks += 1
            for id in liveIDs { nodes[id]!.core.tick() }
        }
    }

    /// Runs `count` ticks' worth of steps.
    public mutating func run(ticks count: Int) {
        for _ in 0..<(count * options.stepsPerTick) { step() }
    }

    /// Steps until `condition` holds or `maxTicks` pass; returns whether it held.
    @discardableResult
    public mutating func run(maxTicks: Int, until condition: (SimulatedCluster) -> Bool) -> Bool {
        for _ in 0..<(maxTicks * options.stepsPerTick) {
            if condition(self) { return true }
            step()
        }
        return condition(self)
    }

    /// Steps until a leader exists; returns it.
    @discardableResult
    public mutating func electLeader(maxTicks: Int = 200) -> NodeID? {
        run(maxTicks: maxTicks) { $0.leader != nil }
        return leader
    }

    mutating func processReady(_ id: NodeID) {
        if let pending = nodes[id]!.pendingReady {
            if rng.chance(options.delayedPersistRate) { return }
            nodes[id]!.pendingReady = nil
            finishReady(id, pending)
        }
        guard nodes[id]!.core.hasReady else { return }
        let ready = nodes[id]!.core.ready()
        if let soft = ready.softState { noteSoftState(id, soft) }
        for message in ready.messages {
            // Like a real transport, report a snapshot that could not be sent.
            if !network.send(message) && message.kind == .snapshot {
                nodes[id]!.core.reportSnapshot(message.to, succeeded: false)
            }
        }
        if rng.chance(options.delayedPersistRate) {
            nodes[id]!.pendingReady = ready
            return
        }
        finishReady(id, ready)
    }

    mutating func noteSoftState(_ id: NodeID, _ soft: SoftState) {
        let previous = nodes[id]!.lastSoftState
        nodes[id]!.lastSoftState = soft
        let term = nodes[id]!.core.term
        if soft.role != previous.role {
            if soft.role == .leader {
                record(.leaderElected(id, term: term))
            } else {
                record(.roleChanged(id, soft.role, term: term))
            }
        }
    }

    mutating func finishReady(_ id: NodeID, _ ready: Ready) {
        let storage = nodes[id]!.storage
        do {
            try storage.save(ready)
        } catch {
            record(.violation("node \(id) could not persist: \(error)"))
            return
        }
        if let snapshot = ready.snapshot {
            if let kv = try? SimulatedKV(decoding: snapshot.data) {
                nodes[id]!.kv = kv
            } else {
                record(.violation("node \(id) received an undecodable snapshot"))
            }
            record(.snapshotInstalled(id, index: snapshot.metadata.index))
        }
        for message in ready.persistedMessages { network.send(message) }
        nodes[id]!.readStates.append(contentsOf: ready.readStates)
        for entry in ready.committedEntries { apply(entry, on: id) }
        nodes[id]!.core.advance(ready)
        maybeSnapshot(id)
    }

    mutating func apply(_ entry: Entry, on id: NodeID) {
        let expected = nodes[id]!.kv.appliedIndex + 1
        if entry.index != expected {
            record(.violation("node \(id) applied index \(entry.index), expected \(expected)"))
        }
        let digest = SimulatedKV.chain(0, entry)
        if let known = appliedEntries[entry.index], known != digest {
            record(.violation("state machine safety: node \(id) applied a different entry at index \(entry.index)"))
        }
        appliedEntries[entry.index] = digest
        nodes[id]!.kv.apply(entry)
        guard entry.kind == .confChange else { return }
        guard let change = try? ConfChange(decoding: entry.data) else {
            record(.violation("node \(id) committed an undecodable conf change at \(entry.index)"))
            return
        }
        do {
            let confState = try nodes[id]!.core.applyConfChange(change)
            record(.confChanged(id, confState))
            for member in confState.allMembers where nodes[member] == nil {
                // A brand-new member knows only the genesis configuration (as an etcd member started
                // with the initial cluster list does) and learns the rest from the log or a snapshot.
                nodes[member] = Self.makeNode(
                    id: member,
                    storage: MemoryStorage(voters: genesisVoters),
                    kv: SimulatedKV(),
                    options: options,
                    seed: seed
                )
            }
        } catch {
            // The leader validated it; the change is committed, so every member must accept it.
            record(.violation("node \(id) could not apply committed conf change: \(error)"))
        }
    }

    mutating func maybeSnapshot(_ id: NodeID) {
        guard options.snapshotInterval > 0 else { return }
        let node = nodes[id]!
        let applied = node.kv.appliedIndex
        let snapshotIndex = node.storage.firstIndex() - 1
        guard applied >= snapshotIndex + options.snapshotInterval, applied <= node.storage.lastIndex() else { return }
        do {
            try node.storage.createSnapshot(at: applied, confState: node.core.confState, data: node.kv.encoded())
            if applied > options.compactionSlack {
                let compactTo = applied - options.compactionSlack
                if compactTo > snapshotIndex { try node.storage.compact(through: compactTo) }
            }
        } catch {
            record(.violation("node \(id) failed to snapshot: \(error)"))
        }
    }


    /// A draw from the cluster's generator, for tests that schedule faults from the same seed.
    public mutating func random(below bound: UInt64) -> UInt64 {
        bound == 0 ? 0 : rng.next() % bound
    }

    // MARK: Faults

    /// Stops `id` at once: what it had not yet written is lost, as are its in-flight messages.
    public mutating func crash(_ id: NodeID) {
        guard nodes[id]?.isUp == true else { return }
        nodes[id]!.isUp = false
        nodes[id]!.pendingReady = nil
        network.dropAll(involving: id)
        record(.crashed(id))
    }

    /// Restarts `id` from its durable storage (its state machine from the latest snapshot).
    public mutating func restart(_ id: NodeID) {
        guard let node = nodes[id], !node.isUp else { return }
        var kv = SimulatedKV()
        if let snapshot = try? node.storage.snapshot(), !snapshot.isEmpty {
            kv = (try? SimulatedKV(decoding: snapshot.data)) ?? SimulatedKV()
        }
        nodes[id] = Self.makeNode(id: id, storage: node.storage, kv: kv, options: options, seed: seed &+ steps)
        record(.restarted(id))
    }

    // MARK: Client requests

    /// Where a proposal landed in the leader's log.
    public struct Ticket: Sendable, Hashable {
        public var index: UInt64
        public var term: UInt64
        public var data: [UInt8]
    }

    /// Proposes `data` on the current leader; nil when there is no leader or it refused.
    @discardableResult
    public mutating func propose(_ data: [UInt8]) -> Ticket? {
        guard let leader else { return nil }
        do {
            try nodes[leader]!.core.propose(data)
        } catch {
            return nil
        }
        let core = nodes[leader]!.core
        return Ticket(index: core.lastIndex, term: core.term, data: data)
    }

    /// Proposes a membership change on the current leader.
    public mutating func proposeConfChange(_ change: ConfChange) throws(RaftError) {
        guard let leader else { throw RaftError(.proposalDropped, "no leader") }
        try nodes[leader]!.core.proposeConfChange(change)
    }

    /// Asks the current leader to hand leadership to `target`.
    public mutating func transferLeadership(to target: NodeID) {
        guard let leader else { return }
        nodes[leader]!.core.transferLeadership(to: target)
    }

    /// Requests a linearizable read point on `id`.
    public mutating func readIndex(on id: NodeID, context: [UInt8]) throws(RaftError) {
        guard nodes[id]?.isUp == true else { throw RaftError(.proposalDropped, "node \(id) is down") }
        try nodes[id]!.core.readIndex(context: context)
    }

    /// Direct access to a member's core, for tests that need to poke at it.
    public mutating func withCore<R>(_ id: NodeID, _ body: (inout RaftCore) throws -> R) rethrows -> R {
        try body(&nodes[id]!.core)
    }

    /// Whether the entry of `ticket` was committed (true), lost because another entry was committed
    /// in its slot (false), or is not decided yet (nil).
    public func isCommitted(_ ticket: Ticket) -> Bool? {
        if let digest = appliedEntries[ticket.index] {
            return digest == SimulatedKV.chain(0, Entry(term: ticket.term, index: ticket.index, data: ticket.data))
        }
        for id in liveIDs {
            let core = nodes[id]!.core
            if core.committedIndex >= ticket.index, let term = core.term(at: ticket.index) {
                return term == ticket.term
            }
        }
        return nil
    }
}
