extension RaftCore {
    /// Applies a committed membership change and returns the configuration now in force.
    ///
    /// Call it for every committed entry of kind ``EntryKind/confChange``, in log order, before
    /// acknowledging those entries as applied.
    @discardableResult
    public mutating func applyConfChange(_ change: ConfChange) throws(RaftError) -> ConfState {
        var changer = ConfChanger(tracker: tracker, lastIndex: log.lastIndex)
        if change.isLeaveJoint {
            try changer.leaveJoint()
        } else {
            let (enters, autoLeave) = change.entersJoint
            if enters {
                try changer.enterJoint(autoLeave: autoLeave, change.changes)
            } else {
                try changer.simple(change.changes)
            }
        }
        return switchToConfig(changer.config, progress: changer.progress)
    }

    mutating func switchToConfig(_ config: TrackerConfig, progress: [NodeID: Progress]) -> ConfState {
        tracker.config = config
        tracker.setProgress(progress)
        let confState = tracker.confState
        let selfProgress = tracker[id]
        isLearner = selfProgress?.isLearner ?? false

        if (selfProgress == nil || isLearner) && role == .leader {
            // Removed or demoted while leading. Stepping down right away stops us from heartbeating a
            // cluster we no longer belong to (etcd-io/etcd#11038); the remaining voters elect a leader.
            if stepDownOnRemoval { becomeFollower(term: term, leader: .none) }
            return confState
        }
        guard role == .leader, !confState.voters.isEmpty else { return confState }

        // The quorum changed: something may have become committed, and new members need the log.
        if maybeCommit() {
            broadcastAppend()
        } else {
            for peer in tracker.sortedIDs where peer != id {
                _ = maybeSendAppend(to: peer, sendIfEmpty: false)
            }
        }
        if leadTransferee != .none && !tracker.isVoter(leadTransferee) {
            abortLeaderTransfer()
        }
        return confState
    }

    /// Called as entries become applied: leaves a joint configuration automatically when asked to.
    mutating func appliedTo(_ index: UInt64, size: UInt64) {
        log.appliedTo(index)
        reduceUncommittedSize(size)
        if tracker.config.autoLeave && index >= pendingConfIndex && role == .leader {
            // An empty ConfChange leaves the joint configuration. It bypasses the uncommitted-size
            // limit (it has no payload) and the pending check (the joint change is applied).
            let entry = Entry(kind: .confChange, data: ConfChange.leaveJoint.encoded())
            if appendEntries([entry]) {
                pendingConfIndex = log.lastIndex
                needsBroadcast = true
            }
        }
    }
}
