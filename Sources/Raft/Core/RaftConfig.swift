/// How a node reads when asked for a linearizable read.
public enum ReadOnlyOption: Sendable, Hashable {
    /// ReadIndex confirmed by a heartbeat round with a quorum: safe under any clock behaviour.
    case safe
    /// Served from the leader's lease without a round trip when the lease is valid; falls back to
    /// ``safe`` otherwise. Requires ``RaftConfig/checkQuorum`` and relies on bounded clock drift.
    case leaseBased
}

/// Configuration of one Raft member. Times are in ticks; the runtime decides how long a tick is.
public struct RaftConfig: Sendable, Hashable {
    /// This member's identifier; must not be zero.
    public var id: NodeID
    /// Ticks without hearing from a leader before a follower campaigns. The effective timeout of
    /// each term is drawn from `[electionTick, 2 * electionTick)`.
    public var electionTick: Int = 10
    /// Ticks between leader heartbeats. Must be less than `electionTick`.
    public var heartbeatTick: Int = 1
    /// The last index the application has applied (on restart).
    public var applied: UInt64 = 0
    /// The most bytes of entries in one append message (at least one entry is always sent).
    public var maxSizePerMessage: UInt64 = 1 << 20
    /// The most bytes of committed entries handed out in one ``Ready`` (0: `maxSizePerMessage`).
    public var maxCommittedSizePerReady: UInt64 = 0
    /// The most bytes of uncommitted entries a leader accepts before dropping proposals (0: no limit).
    public var maxUncommittedEntriesSize: UInt64 = 0
    /// The most append messages in flight to one follower in the replicate state.
    public var maxInflightMessages: Int = 256
    /// The most bytes of entries in flight to one follower (0: no limit).
    public var maxInflightBytes: UInt64 = 0
    /// A leader that has not heard from a quorum within an election timeout steps down, and
    /// followers ignore vote requests while they hear from a live leader.
    public var checkQuorum: Bool = true
    /// Campaign in two phases so that a partitioned node rejoining cannot disrupt the cluster.
    public var preVote: Bool = true
    /// How ReadIndex reads are confirmed.
    public var readOnlyOption: ReadOnlyOption = .safe
    /// Reject proposals on followers instead of forwarding them to the leader.
    public var disableProposalForwarding: Bool = false
    /// A leader removed from (or demoted in) the configuration steps down. On by default.
    public var stepDownOnRemoval: Bool = true
    /// Ticks the leader waits for a follower to acknowledge a snapshot before sending it again, in
    /// case the snapshot was lost and the transport did not report it (0: five election timeouts).
    public var snapshotTimeoutTicks: Int = 0
    /// Seed of the generator that randomizes election timeouts; combined with `id`.
    public var randomSeed: UInt64 = 0

    public init(id: NodeID) {
        self.id = id
    }

    /// Checks the configuration; throws ``RaftError/Code/invalidConfig`` naming the bad field.
    public func validate() throws(RaftError) {
        if id == .none { throw RaftError(.invalidConfig, "id must not be zero") }
        if heartbeatTick <= 0 { throw RaftError(.invalidConfig, "heartbeatTick must be greater than 0") }
        if electionTick <= heartbeatTick {
            throw RaftError(.invalidConfig, "electionTick must be greater than heartbeatTick")
        }
        if maxInflightMessages <= 0 { throw RaftError(.invalidConfig, "maxInflightMessages must be greater than 0") }
        if maxInflightBytes != 0 && maxInflightBytes < maxSizePerMessage {
            throw RaftError(.invalidConfig, "maxInflightBytes must be at least maxSizePerMessage")
        }
        if readOnlyOption == .leaseBased && !checkQuorum {
            throw RaftError(.invalidConfig, "leaseBased reads require checkQuorum")
        }
    }
}
