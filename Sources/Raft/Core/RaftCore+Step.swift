extension RaftCore {
    /// Feeds a message received from another member.
    ///
    /// - Throws: ``RaftError/Code/stepPeerNotFound`` for a response from a non-member,
    ///   ``RaftError/Code/proposalDropped`` for a forwarded proposal that cannot be accepted, and
    ///   ``RaftError/Code/invariantViolation`` when the message contradicts committed state (the
    ///   message is then ignored and nothing changes).
    public mutating func step(_ m: Message) throws(RaftError) {
        if m.kind.isResponse && tracker[m.from] == nil {
            throw RaftError(.stepPeerNotFound, "response \(m.kind) from non-member \(m.from)")
        }
        try stepInternal(m)
    }

    mutating func stepInternal(_ m: Message) throws(RaftError) {
        if m.term == 0 {
            // Local requests and forwarded proposals / reads carry no term.
        } else if m.term > term {
            if m.kind == .vote || m.kind == .preVote {
                let force = m.context == campaignTransferContext
                let inLease = checkQuorum && leader != .none && electionElapsed < electionTimeout
                if !force && inLease {
                    // We heard from a live leader within the minimum election timeout: ignore the
                    // request and keep our term, so a disruptive (rejoining) node cannot depose it.
                    return
                }
            }
            switch m.kind {
            case .preVote:
                // A pre-vote never changes our term.
                break
            case .preVoteResponse where !m.reject:
                // Granted pre-votes carry the future term; we bump it only when we win.
                break
            case .append, .heartbeat, .snapshot:
                becomeFollower(term: m.term, leader: m.from)
            default:
                becomeFollower(term: m.term, leader: .none)
            }
        } else if m.term < term {
            if (checkQuorum || preVote) && (m.kind == .heartbeat || m.kind == .append) {
                // A stale leader (for example one isolated and then healed) gets our term back so it
                // steps down; without this, with CheckQuorum or PreVote it could never learn it,
                // and this node, ignoring its messages, could never be elected either.
                send(Message(kind: .appendResponse, to: m.from))
            } else if m.kind == .preVote {
                // Tell a stale pre-candidate our term so it can catch up instead of retrying forever.
                send(Message(kind: .preVoteResponse, to: m.from, term: term, reject: true))
            }
            // Other messages of an older term are ignored.
            return
        }

        switch m.kind {
        case .vote, .preVote:
            handleVoteRequest(m)
        default:
            switch role {
            case .leader: try stepLeader(m)
            case .candidate, .preCandidate: try stepCandidate(m)
            case .follower: try stepFollower(m)
            }
        }
    }

    mutating func handleVoteRequest(_ m: Message) {
        // We can vote if we voted for this candidate already (a retransmission), or have not voted and
        // know no leader in this term, or for a pre-vote for a future term.
        let canVote =
            vote == m.from
            || (vote == .none && leader == .none)
            || (m.kind == .preVote && m.term > term)
        let response: MessageKind = m.kind == .vote ? .voteResponse : .preVoteResponse
        if canVote && log.isUpToDate(index: m.index, term: m.logTerm) {
            // Respond with the request's term: for a pre-vote it is the future term the candidate will use.
            send(Message(kind: response, to: m.from, term: m.term))
            if m.kind == .vote {
                electionElapsed = 0
                vote = m.from
            }
        } else {
            send(Message(kind: response, to: m.from, term: term, reject: true))
        }
    }

    // MARK: Follower

    mutating func stepFollower(_ m: Message) throws(RaftError) {
        switch m.kind {
        case .propose:
            if leader == .none {
                throw RaftError(.proposalDropped, "no leader at term \(term)")
            }
            if disableProposalForwarding {
                throw RaftError(.notLeader, "proposal forwarding is disabled", leaderHint: leader)
            }
            var forwarded = m
            forwarded.to = leader
            send(forwarded)
        case .append:
            electionElapsed = 0
            leader = m.from
            try handleAppend(m)
        case .heartbeat:
            electionElapsed = 0
            leader = m.from
            try handleHeartbeat(m)
        case .snapshot:
            electionElapsed = 0
            leader = m.from
            handleSnapshot(m)
        case .transferLeader:
            if leader == .none { return }
            var forwarded = m
            forwarded.to = leader
            send(forwarded)
        case .timeoutNow:
            // The leader chose us: campaign at once, past any leader lease, and without pre-vote.
            hup(transfer: true)
        case .readIndex:
            if leader == .none {
                throw RaftError(.proposalDropped, "no leader to confirm a read at term \(term)")
            }
            var forwarded = m
            forwarded.to = leader
            send(forwarded)
        case .readIndexResponse:
            readStates.append(ReadState(index: m.index, context: m.context))
        default:
            break
        }
    }

    // MARK: Candidate

    mutating func stepCandidate(_ m: Message) throws(RaftError) {
        let myResponse: MessageKind = role == .preCandidate ? .preVoteResponse : .voteResponse
        switch m.kind {
        case .propose:
            throw RaftError(.proposalDropped, "election in progress at term \(term)")
        case .append:
            becomeFollower(term: m.term, leader: m.from)
            try handleAppend(m)
        case .heartbeat:
            becomeFollower(term: m.term, leader: m.from)
            try handleHeartbeat(m)
        case .snapshot:
            becomeFollower(term: m.term, leader: m.from)
            handleSnapshot(m)
        case myResponse:
            let result = poll(m.from, granted: !m.reject)
            switch result {
            case .won:
                if role == .preCandidate {
                    campaign(transfer: false, preElection: false)
                } else {
                    becomeLeader()
                    broadcastAppend()
                }
            case .lost:
                // A rejection with a higher term already made us a follower; this is a plain loss.
                becomeFollower(term: term, leader: .none)
            case .pending:
                break
            }
        case .readIndex:
            throw RaftError(.proposalDropped, "election in progress at term \(term)")
        default:
            break
        }
    }

    // MARK: Receiving replication

    mutating func handleAppend(_ m: Message) throws(RaftError) {
        if m.index < log.committed {
            send(Message(kind: .appendResponse, to: m.from, index: log.committed))
            return
        }
        if let lastNew = try log.maybeAppend(
            index: m.index,
            logTerm: m.logTerm,
            committed: m.commit,
            entries: m.entries
        ) {
            send(Message(kind: .appendResponse, to: m.from, index: lastNew))
            return
        }
        // Reject, with a hint that lets the leader skip the rest of a conflicting term.
        let hintIndex = min(m.index, log.lastIndex)
        let hint = log.findConflictByTerm(index: hintIndex, term: m.logTerm)
        send(
            Message(
                kind: .appendResponse,
                to: m.from,
                logTerm: hint.term,
                index: m.index,
                reject: true,
                rejectHint: hint.index
            )
        )
    }

    mutating func handleHeartbeat(_ m: Message) throws(RaftError) {
        try log.commitTo(min(m.commit, log.lastIndex))
        // Echo the lease tick (index) and the ReadIndex context.
        send(Message(kind: .heartbeatResponse, to: m.from, index: m.index, context: m.context))
    }

    mutating func handleSnapshot(_ m: Message) {
        guard let snapshot = m.snapshot else { return }
        // Either way the leader learns where our log stands and resumes replication from there.
        let index = restore(snapshot) ? log.lastIndex : log.committed
        send(Message(kind: .appendResponse, to: m.from, index: index))
    }

    /// Installs a snapshot received from the leader; false if it is not needed.
    mutating func restore(_ snapshot: Snapshot) -> Bool {
        let meta = snapshot.metadata
        if meta.index <= log.committed { return false }
        if role != .follower {
            // Only a follower receives snapshots; anything else means two leaders in one term.
            becomeFollower(term: term + 1, leader: .none)
            return false
        }
        // Refuse a snapshot whose configuration does not include us (we would stop being able to
        // act); the leader will remove us via the log instead.
        if !meta.confState.allMembers.contains(id) { return false }
        if log.matchTerm(meta.index, meta.term) {
            // We have the entries already: fast-forward the commit instead of discarding the log.
            try? log.commitTo(meta.index)
            return false
        }
        log.restore(snapshot)
        guard let restored = try? ConfChanger.restore(meta.confState, tracker: tracker, lastIndex: log.lastIndex) else {
            return false
        }
        tracker = restored
        isLearner = tracker[id]?.isLearner ?? false
        if let next = tracker[id]?.next { _ = tracker[id]!.maybeUpdate(next - 1) }
        return true
    }

    // MARK: Elections

    /// Starts an election now, as if the election timeout had elapsed.
    public mutating func campaign() {
        hup(transfer: false)
    }

    mutating func hup(transfer: Bool) {
        if role == .leader { return }
        if !promotable { return }
        if hasUnappliedConfChanges() { return }
        campaign(transfer: transfer, preElection: preVote && !transfer)
    }

    func hasUnappliedConfChanges() -> Bool {
        if log.applied >= log.committed { return false }
        guard let pending = try? log.slice(log.applied + 1, log.committed + 1, maxBytes: .max) else { return false }
        return pending.contains { $0.kind == .confChange }
    }

    mutating func campaign(transfer: Bool, preElection: Bool) {
        let voteKind: MessageKind
        let voteTerm: UInt64
        if preElection {
            becomePreCandidate()
            voteKind = .preVote
            voteTerm = term + 1
        } else {
            becomeCandidate()
            voteKind = .vote
            voteTerm = term
        }
        // Vote for ourselves first; a single-voter cluster wins at once.
        if poll(id, granted: true) == .won {
            if preElection {
                campaign(transfer: transfer, preElection: false)
            } else {
                becomeLeader()
            }
            return
        }
        let lastIndex = log.lastIndex
        let lastTerm = log.lastTerm
        for peer in tracker.voterIDs where peer != id {
            send(
                Message(
                    kind: voteKind,
                    to: peer,
                    term: voteTerm,
                    logTerm: lastTerm,
                    index: lastIndex,
                    context: transfer ? campaignTransferContext : []
                )
            )
        }
    }

    mutating func poll(_ from: NodeID, granted: Bool) -> VoteResult {
        tracker.recordVote(from, granted: granted)
        return tracker.tallyVotes().result
    }
}
