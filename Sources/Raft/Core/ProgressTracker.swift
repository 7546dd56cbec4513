/// The membership configuration as the tracker applies it.
struct TrackerConfig: Hashable, Sendable {
    var voters = JointConfig()
    /// Leave the joint configuration automatically once it is applied.
    var autoLeave = false
    var learners: Set<NodeID> = []
    /// Outgoing voters that become learners when the joint configuration is left.
    var learnersNext: Set<NodeID> = []

    var confState: ConfState {
        ConfState(
            voters: Array(voters.incoming.ids),
            learners: Array(learners),
            votersOutgoing: Array(voters.outgoing.ids),
            learnersNext: Array(learnersNext),
            autoLeave: autoLeave
        )
    }
}

/// Configuration, per-node progress and the votes of the current election.
struct ProgressTracker {
    var config = TrackerConfig()
    private(set) var progress: [NodeID: Progress] = [:]
    /// Node IDs in ascending order, so iteration (and so message order) is deterministic.
    private(set) var sortedIDs: [NodeID] = []
    var votes: [NodeID: Bool] = [:]
    let maxInflight: Int
    let maxInflightBytes: UInt64

    init(maxInflight: Int, maxInflightBytes: UInt64) {
        self.maxInflight = maxInflight
        self.maxInflightBytes = maxInflightBytes
    }

    subscript(id: NodeID) -> Progress? {
        get { progress[id] }
        _modify { yield &progress[id] }
    }

    mutating func setProgress(_ newProgress: [NodeID: Progress]) {
        progress = newProgress
        sortedIDs = newProgress.keys.sorted()
    }

    var confState: ConfState { config.confState }

    /// One voter, not joint: commits and reads need nobody else.
    var isSingleton: Bool {
        config.voters.incoming.ids.count == 1 && !config.voters.isJoint
    }

    func committed() -> UInt64 {
        config.voters.committedIndex { progress[$0]?.match }
    }

    /// Whether a quorum has been heard from since the last reset.
    func quorumActive() -> Bool {
        var votes: [NodeID: Bool] = [:]
        for (id, pr) in progress where !pr.isLearner {
            votes[id] = pr.recentActive
        }
        return config.voters.voteResult(votes) == .won
    }

    var voterIDs: [NodeID] { config.voters.allIDs.sorted() }
    var learnerIDs: [NodeID] { config.learners.union(config.learnersNext).sorted() }

    func isVoter(_ id: NodeID) -> Bool { config.voters.allIDs.contains(id) }

    mutating func resetVotes() { votes = [:] }

    mutating func recordVote(_ id: NodeID, granted: Bool) {
        if votes[id] == nil { votes[id] = granted }
    }

    func tallyVotes() -> (granted: Int, rejected: Int, result: VoteResult) {
        var granted = 0
        var rejected = 0
        for (id, pr) in progress where !pr.isLearner {
            switch votes[id] {
            case true?: granted += 1
            case false?: rejected += 1
            case nil: break
            }
        }
        return (granted, rejected, config.voters.voteResult(votes))
    }

    mutating func resetRecentActive(except selfID: NodeID) {
        for id in sortedIDs {
            progress[id]!.recentActive = id == selfID
        }
    }
}
