/// The Raft consensus algorithm as a deterministic value: no threads, clocks, files or sockets.
///
/// The application drives it:
/// 1. ``tick()`` at a fixed interval, ``step(_:)`` for every message received, ``propose(_:)`` and the
///    other requests as they come;
/// 2. when ``hasReady`` is true, take a ``Ready`` with ``ready()``; send ``Ready/messages`` at once;
///    persist the snapshot, entries and hard state; then send ``Ready/persistedMessages``; apply
///    ``Ready/committedEntries``;
/// 3. call ``advance(_:)`` (or ``acknowledgePersisted(_:)`` and ``acknowledgeApplied(_:)`` separately
///    when writing and applying run in parallel with the next ``ready()``).
///
/// The leader counts its own log towards a quorum only once the application acknowledged the write,
/// so committed entries are always durable on a quorum.
public struct RaftCore: Sendable {
    public let id: NodeID
    public internal(set) var term: UInt64 = 0
    public internal(set) var vote: NodeID = .none
    public internal(set) var role: RaftRole = .follower
    /// The leader this node follows (itself when leader), or `.none`.
    public internal(set) var leader: NodeID = .none

    var log: RaftLog
    var tracker: ProgressTracker
    var readOnly: ReadOnly
    var readStates: [ReadState] = []
    /// Messages that may leave at once.
    var messages: [Message] = []
    /// Messages that may leave only once the state of the same ``Ready`` is durable.
    var messagesAfterPersist: [Message] = []
    /// Proposals were appended since the last broadcast; ``ready()`` replicates them in one batch.
    var needsBroadcast = false

    var isLearner = false
    var leadTransferee: NodeID = .none
    /// Index of the latest conf change that may not be applied yet; one pending change at a time.
    var pendingConfIndex: UInt64 = 0
    var uncommittedSize: UInt64 = 0
    var pendingReadIndexMessages: [Message] = []

    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    /// Ticks since this node started; the leader lease is measured in them.
    var tickCount: UInt64 = 0
    /// Per voter: the tick at which the leader sent the newest heartbeat the voter acknowledged.
    var leaseAcks: [NodeID: UInt64] = [:]
    /// Set once a TimeoutNow went out this term: another leader may now arise at any moment.
    var leaseRevoked = false

    let electionTimeout: Int
    let heartbeatTimeout: Int
    let checkQuorum: Bool
    let preVote: Bool
    let maxMessageSize: UInt64
    let maxUncommittedSize: UInt64
    let disableProposalForwarding: Bool
    /// Ticks a follower may stay in the snapshot state without acknowledging before the leader retries.
    let snapshotTimeout: Int
    let stepDownOnRemoval: Bool
    var rng: SplitMix64

    var previousSoftState: SoftState
    var previousHardState: HardState

    /// Creates a member from what `storage` holds (a new cluster's storage holds the initial voters).
    public init(config: RaftConfig, storage: any RaftLogStorage) throws(RaftError) {
        try config.validate()
        id = config.id
        electionTimeout = config.electionTick
        heartbeatTimeout = config.heartbeatTick
        checkQuorum = config.checkQuorum
        preVote = config.preVote
        maxMessageSize = config.maxSizePerMessage
        maxUncommittedSize = config.maxUncommittedEntriesSize == 0 ? .max : config.maxUncommittedEntriesSize
        disableProposalForwarding = config.disableProposalForwarding
        stepDownOnRemoval = config.stepDownOnRemoval
        // Hash the id before mixing it in: SplitMix64 steps its state by a fixed constant, so seeds that
        // differ by a multiple of it would give members the same timeout sequence shifted by a draw.
        var idHash = SplitMix64(seed: config.id)
        rng = SplitMix64(seed: config.randomSeed ^ idHash.next())
        snapshotTimeout = config.snapshotTimeoutTicks == 0 ? 5 * config.electionTick : config.snapshotTimeoutTicks
        readOnly = ReadOnly(option: config.readOnlyOption)
        let applySize = config.maxCommittedSizePerReady == 0 ? config.maxSizePerMessage : config.maxCommittedSizePerReady
        log = RaftLog(storage: storage, maxApplyingSize: applySize)
        tracker = ProgressTracker(maxInflight: config.maxInflightMessages, maxInflightBytes: config.maxInflightBytes)
        previousSoftState = SoftState(leader: .none, role: .follower)
        previousHardState = HardState()

        let (hardState, confState) = try storage.initialState()
        tracker = try ConfChanger.restore(confState, tracker: tracker, lastIndex: log.lastIndex)
        if tracker.confState != confState {
            throw RaftError(.invariantViolation, "restored configuration \(tracker.confState) differs from \(confState)")
        }
        if !hardState.isEmpty {
            if hardState.commit < log.committed || hardState.commit > log.lastIndex {
                throw RaftError(
                    .invariantViolation,
                    "hard state commit \(hardState.commit) is outside [\(log.committed), \(log.lastIndex)]"
                )
            }
            log.committed = hardState.commit
            term = hardState.term
            vote = hardState.vote
        }
        if config.applied > 0 {
            if config.applied > log.committed {
                throw RaftError(.invalidConfig, "applied \(config.applied) is past committed \(log.committed)")
            }
            log.appliedTo(config.applied)
        }
        isLearner = tracker[id]?.isLearner ?? false
        becomeFollower(term: term, leader: .none)
        previousHardState = hardState
        previousSoftState = softState
    }

    // MARK: Observable state

    public var hardState: HardState {
        HardState(term: term, vote: vote, commit: log.committed)
    }

    public var softState: SoftState {
        SoftState(leader: leader, role: role)
    }

    /// The highest committed index this node knows.
    public var committedIndex: UInt64 { log.committed }
    /// The highest index the application acknowledged as applied.
    public var appliedIndex: UInt64 { log.applied }
    public var lastIndex: UInt64 { log.lastIndex }
    public var firstIndex: UInt64 { log.firstIndex }
    /// The configuration in force.
    public var confState: ConfState { tracker.confState }
    /// Whether a leadership transfer is in progress, and to whom.
    public var transferTarget: NodeID { leadTransferee }

    /// Every entry held in the log (storage and unstable), for tests and tools.
    public func logEntries() -> [Entry] { log.allEntries() }

    /// The term of the entry at `index`, if the log holds it.
    public func term(at index: UInt64) -> UInt64? { try? log.term(index) }

    /// A snapshot of this node's state for monitoring.
    public func status() -> RaftStatus {
        RaftStatus(
            id: id,
            hardState: hardState,
            softState: softState,
            applied: log.applied,
            lastIndex: log.lastIndex,
            leadTransferee: leadTransferee,
            confState: tracker.confState,
            progress: role == .leader ? tracker.progress : [:]
        )
    }

    // MARK: Timing

    /// Advances logical time by one tick.
    public mutating func tick() {
        tickCount &+= 1
        if role == .leader {
            tickHeartbeat()
        } else {
            tickElection()
        }
    }

    mutating func tickElection() {
        electionElapsed += 1
        if promotable && electionElapsed >= randomizedElectionTimeout {
            electionElapsed = 0
            hup(transfer: false)
        }
    }

    mutating func tickHeartbeat() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= electionTimeout {
            electionElapsed = 0
            if checkQuorum {
                if !tracker.quorumActive() {
                    becomeFollower(term: term, leader: .none)
                    return
                }
                tracker.resetRecentActive(except: id)
            }
            // A transfer that did not finish within an election timeout is abandoned.
            if leadTransferee != .none { abortLeaderTransfer() }
        }
        guard role == .leader else { return }
        retryStalledSnapshots()
        if heartbeatElapsed >= heartbeatTimeout {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }

    var pastElectionTimeout: Bool { electionElapsed >= randomizedElectionTimeout }

    mutating func resetRandomizedElectionTimeout() {
        randomizedElectionTimeout = electionTimeout + Int(rng.next() % UInt64(electionTimeout))
    }

    /// A voter that is not waiting for a snapshot to land may campaign.
    var promotable: Bool {
        guard let pr = tracker[id] else { return false }
        return !pr.isLearner && !log.hasNextOrInProgressSnapshot
    }

    // MARK: Role transitions

    mutating func reset(term newTerm: UInt64) {
        if term != newTerm {
            term = newTerm
            vote = .none
        }
        leader = .none
        electionElapsed = 0
        heartbeatElapsed = 0
        resetRandomizedElectionTimeout()
        abortLeaderTransfer()
        tracker.resetVotes()
        let last = log.lastIndex
        let stable = min(log.stableLastIndex, last)
        var fresh: [NodeID: Progress] = [:]
        for id in tracker.sortedIDs {
            let old = tracker[id]!
            var pr = Progress(
                next: last + 1,
                inflightCapacity: tracker.maxInflight,
                maxInflightBytes: tracker.maxInflightBytes,
                isLearner: old.isLearner
            )
            if id == self.id { pr.match = stable }
            fresh[id] = pr
        }
        tracker.setProgress(fresh)
        pendingConfIndex = 0
        uncommittedSize = 0
        readOnly = ReadOnly(option: readOnly.option)
        pendingReadIndexMessages = []
        leaseAcks = [:]
        leaseRevoked = false
    }

    mutating func becomeFollower(term newTerm: UInt64, leader newLeader: NodeID) {
        reset(term: newTerm)
        leader = newLeader
        role = .follower
    }

    mutating func becomeCandidate() {
        precondition(role != .leader, "leader cannot become candidate")
        reset(term: term + 1)
        vote = id
        role = .candidate
    }

    mutating func becomePreCandidate() {
        precondition(role != .leader, "leader cannot become pre-candidate")
        // Neither the term nor the vote changes: a pre-election is a dry run.
        tracker.resetVotes()
        leader = .none
        role = .preCandidate
    }

    mutating func becomeLeader() {
        precondition(role != .follower, "follower cannot become leader without an election")
        reset(term: term)
        leader = id
        role = .leader
        tracker[id]!.becomeReplicate()
        tracker[id]!.recentActive = true
        // Entries before the new one may hold a conf change not yet applied: be conservative.
        pendingConfIndex = log.lastIndex
        // The empty entry of the new term lets the leader commit everything before it (§5.4.2).
        let appended = appendEntries([Entry()])
        precondition(appended, "empty entry was dropped")
        // The empty entry does not count against the uncommitted limit.
        uncommittedSize = 0
    }

    // MARK: Sending

    mutating func send(_ message: Message) {
        var m = message
        if m.from == .none { m.from = id }
        switch m.kind {
        case .vote, .voteResponse, .preVote, .preVoteResponse:
            precondition(m.term != 0, "vote message without a term")
        case .propose, .readIndex:
            // Forwarded requests keep whatever term they carry (zero for local requests).
            break
        default:
            m.term = term
        }
        switch m.kind {
        case .vote, .voteResponse, .appendResponse:
            // These claim durable state (a vote, appended entries): only after the write.
            messagesAfterPersist.append(m)
        default:
            messages.append(m)
        }
    }
}

/// A point-in-time view of a member for monitoring and tests.
public struct RaftStatus: Sendable, Hashable {
    public var id: NodeID
    public var hardState: HardState
    public var softState: SoftState
    public var applied: UInt64
    public var lastIndex: UInt64
    public var leadTransferee: NodeID
    public var confState: ConfState
    /// Replication progress per member (leader only).
    public var progress: [NodeID: Progress]
}
