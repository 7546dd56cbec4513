/// Computes the configuration and progress map that result from a membership change, checking that
/// the change is legal. Pure: the tracker is only replaced when the change succeeds.
struct ConfChanger {
    var config: TrackerConfig
    var progress: [NodeID: Progress]
    let lastIndex: UInt64
    let maxInflight: Int
    let maxInflightBytes: UInt64

    init(tracker: ProgressTracker, lastIndex: UInt64) {
        config = tracker.config
        progress = tracker.progress
        self.lastIndex = lastIndex
        maxInflight = tracker.maxInflight
        maxInflightBytes = tracker.maxInflightBytes
    }

    /// Enters a joint configuration: the current voters become the outgoing set and `changes` apply
    /// to the incoming set.
    mutating func enterJoint(autoLeave: Bool, _ changes: [ConfChangeSingle]) throws(RaftError) {
        if config.voters.isJoint { throw RaftError(.confChangeRefused, "configuration is already joint") }
        if config.voters.incoming.ids.isEmpty {
            throw RaftError(.confChangeRefused, "cannot enter a joint configuration from an empty one")
        }
        config.voters.outgoing = config.voters.incoming
        try apply(changes)
        config.autoLeave = autoLeave
        try checkInvariants()
    }

    /// Leaves the joint configuration: outgoing voters not kept become learners (if so staged) or leave.
    mutating func leaveJoint() throws(RaftError) {
        if !config.voters.isJoint { throw RaftError(.confChangeRefused, "configuration is not joint") }
        for id in config.learnersNext {
            config.learners.insert(id)
            progress[id]?.isLearner = true
        }
        config.learnersNext = []
        for id in config.voters.outgoing.ids {
            let isVoter = config.voters.incoming.ids.contains(id)
            let isLearner = config.learners.contains(id)
            if !isVoter && !isLearner { progress[id] = nil }
        }
        config.voters.outgoing = MajorityConfig()
        config.autoLeave = false
        try checkInvariants()
    }

    /// Applies a change that alters the voter set by at most one node, outside joint consensus.
    mutating func simple(_ changes: [ConfChangeSingle]) throws(RaftError) {
        if config.voters.isJoint {
            throw RaftError(.confChangeRefused, "cannot apply a simple change in a joint configuration")
        }
        let before = config.voters.incoming.ids
        try apply(changes)
        let after = config.voters.incoming.ids
        if before.symmetricDifference(after).count > 1 {
            throw RaftError(.confChangeRefused, "more than one voter changed without joint consensus")
        }
        try checkInvariants()
    }

    private mutating func apply(_ changes: [ConfChangeSingle]) throws(RaftError) {
        for change in changes {
            if change.nodeID == .none { continue }  // etcd treats node 0 as a no-op
            switch change.kind {
            case .addVoter: makeVoter(change.nodeID)
            case .addLearner: makeLearner(change.nodeID)
            case .removeNode: remove(change.nodeID)
            }
        }
        if config.voters.incoming.ids.isEmpty {
            throw RaftError(.confChangeRefused, "removing all voters is not allowed")
        }
    }

    private mutating func makeVoter(_ id: NodeID) {
        if progress[id] == nil {
            initProgress(id, isLearner: false)
            return
        }
        progress[id]!.isLearner = false
        config.learners.remove(id)
        config.learnersNext.remove(id)
        config.voters.incoming.ids.insert(id)
    }

    private mutating func makeLearner(_ id: NodeID) {
        guard let pr = progress[id] else {
            initProgress(id, isLearner: true)
            return
        }
        if pr.isLearner { return }
        // Demote: take it out of the incoming voters first.
        remove(id)
        progress[id] = pr
        if config.voters.outgoing.ids.contains(id) {
            // Still a voter of the outgoing half: becomes a learner when the joint configuration is left.
            config.learnersNext.insert(id)
        } else {
            progress[id]!.isLearner = true
            config.learners.insert(id)
        }
    }

    private mutating func remove(_ id: NodeID) {
        guard progress[id] != nil else { return }
        config.voters.incoming.ids.remove(id)
        config.learners.remove(id)
        config.learnersNext.remove(id)
        // Outgoing voters still count until the joint configuration is left.
        if !config.voters.outgoing.ids.contains(id) { progress[id] = nil }
    }

    private mutating func initProgress(_ id: NodeID, isLearner: Bool) {
        if isLearner {
            config.learners.insert(id)
        } else {
            config.voters.incoming.ids.insert(id)
        }
        // Start probing from the end of the log; recentActive so CheckQuorum does not count a brand-new
        // member as dead before it could answer.
        var pr = Progress(
            next: max(lastIndex, 1),
            inflightCapacity: maxInflight,
            maxInflightBytes: maxInflightBytes,
            isLearner: isLearner
        )
        pr.recentActive = true
        progress[id] = pr
    }

    private func checkInvariants() throws(RaftError) {
        for id in config.voters.allIDs where progress[id] == nil {
            throw RaftError(.invariantViolation, "voter \(id) has no progress")
        }
        for id in config.learners {
            guard let pr = progress[id] else { throw RaftError(.invariantViolation, "learner \(id) has no progress") }
            if !pr.isLearner { throw RaftError(.invariantViolation, "learner \(id) is not marked as learner") }
            if config.voters.allIDs.contains(id) {
                throw RaftError(.invariantViolation, "\(id) is both a learner and a voter")
            }
        }
        for id in config.learnersNext {
            if !config.voters.outgoing.ids.contains(id) {
                throw RaftError(.invariantViolation, "\(id) is in learnersNext but not an outgoing voter")
            }
            if progress[id]?.isLearner == true {
                throw RaftError(.invariantViolation, "\(id) is in learnersNext but already a learner")
            }
        }
        if !config.voters.isJoint && config.autoLeave {
            throw RaftError(.invariantViolation, "autoLeave set outside a joint configuration")
        }
    }

    /// Rebuilds a configuration from a ``ConfState`` (on restart or snapshot install).
    static func restore(
        _ cs: ConfState,
        tracker: ProgressTracker,
        lastIndex: UInt64
    ) throws(RaftError) -> ProgressTracker {
        var empty = tracker
        empty.config = TrackerConfig()
        empty.setProgress([:])
        var changer = ConfChanger(tracker: empty, lastIndex: lastIndex)
        if cs.votersOutgoing.isEmpty {
            var changes = cs.voters.map { ConfChangeSingle(.addVoter, $0) }
            changes += cs.learners.map { ConfChangeSingle(.addLearner, $0) }
            // Apply one at a time so each step is a legal simple change.
            for change in changes { try changer.simple([change]) }
        } else {
            for id in cs.votersOutgoing { try changer.simple([ConfChangeSingle(.addVoter, id)]) }
            var incoming = cs.votersOutgoing.map { ConfChangeSingle(.removeNode, $0) }
            incoming += cs.voters.map { ConfChangeSingle(.addVoter, $0) }
            incoming += cs.learners.map { ConfChangeSingle(.addLearner, $0) }
            incoming += cs.learnersNext.map { ConfChangeSingle(.addLearner, $0) }
            try changer.enterJoint(autoLeave: cs.autoLeave, incoming)
        }
        empty.config = changer.config
        empty.setProgress(changer.progress)
        return empty
    }
}
