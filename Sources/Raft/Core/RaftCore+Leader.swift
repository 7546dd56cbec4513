extension RaftCore {
    // MARK: Proposals

    /// Proposes `data` for the log. On the leader it is appended and replicated with the next
    /// ``ready()``; a follower forwards it to the leader (unless forwarding is disabled).
    ///
    /// - Throws: ``RaftError/Code/proposalDropped`` (no leader, leadership transfer in progress,
    ///   uncommitted limit reached, removed from the cluster) or ``RaftError/Code/notLeader``
    ///   with the leader's identity when forwarding is disabled.
    public mutating func propose(_ data: [UInt8]) throws(RaftError) {
        if role == .leader {
            // Fast path: no message is built for the leader's own proposals.
            try checkLeaderAcceptsProposals()
            if !increaseUncommittedSize(by: UInt64(data.count)) {
                throw RaftError(.proposalDropped, "too many uncommitted bytes")
            }
            log.appendOne(Entry(term: term, index: log.lastIndex + 1, kind: .normal, data: data))
            needsBroadcast = true
            return
        }
        try stepInternal(Message(kind: .propose, from: id, entries: [Entry(kind: .normal, data: data)]))
    }

    /// Proposes several entries at once (one log append, one replication batch).
    public mutating func propose(batch: [[UInt8]]) throws(RaftError) {
        guard !batch.isEmpty else { return }
        try stepInternal(Message(kind: .propose, from: id, entries: batch.map { Entry(kind: .normal, data: $0) }))
    }

    /// Proposes a membership change; apply it with ``applyConfChange(_:)`` once it is committed.
    ///
    /// - Throws: ``RaftError/Code/confChangeRefused`` on the leader when another change is pending or the
    ///   change does not fit the current configuration (joint vs. not joint).
    public mutating func proposeConfChange(_ change: ConfChange) throws(RaftError) {
        let entry = Entry(kind: .confChange, data: change.encoded())
        if role == .leader, let reason = confChangeRefusal(change) {
            throw RaftError(.confChangeRefused, reason)
        }
        try stepInternal(Message(kind: .propose, from: id, entries: [entry]))
    }

    func checkLeaderAcceptsProposals() throws(RaftError) {
        if tracker[id] == nil {
            throw RaftError(.proposalDropped, "this node was removed from the configuration")
        }
        if leadTransferee != .none {
            throw RaftError(.proposalDropped, "leadership is being transferred to \(leadTransferee)")
        }
    }

    /// Why the leader would refuse `change` now, or nil if it is acceptable.
    func confChangeRefusal(_ change: ConfChange) -> String? {
        let alreadyPending = pendingConfIndex > log.applied
        let alreadyJoint = tracker.config.voters.isJoint
        if alreadyPending {
            return "conf change at index \(pendingConfIndex) is not applied yet (applied \(log.applied))"
        }
        if alreadyJoint && !change.isLeaveJoint {
            return "the configuration is joint: leave it before proposing another change"
        }
        if !alreadyJoint && change.isLeaveJoint {
            return "the configuration is not joint: nothing to leave"
        }
        return nil
    }

    /// Appends entries to the leader's log with the current term; false if the uncommitted limit refuses them.
    mutating func appendEntries(_ entries: [Entry]) -> Bool {
        var entries = entries
        let last = log.lastIndex
        for i in entries.indices {
            entries[i].term = term
            entries[i].index = last + 1 + UInt64(i)
        }
        if !increaseUncommittedSize(by: entries.payloadSize) { return false }
        log.append(entries[...])
        // The leader's own progress moves only when the write is acknowledged (see advance).
        return true
    }

    mutating func increaseUncommittedSize(by size: UInt64) -> Bool {
        // Always accept one batch when nothing is outstanding, however big: a single large entry
        // must not be refused forever.
        if uncommittedSize > 0 && size > 0 && uncommittedSize &+ size > maxUncommittedSize { return false }
        uncommittedSize &+= size
        return true
    }

    mutating func reduceUncommittedSize(_ size: UInt64) {
        uncommittedSize = size > uncommittedSize ? 0 : uncommittedSize - size
    }

    // MARK: Leader message handling

    mutating func stepLeader(_ m: Message) throws(RaftError) {
        switch m.kind {
        case .propose:
            try leaderPropose(m)
            return
        case .readIndex:
            leaderReadIndex(m)
            return
        case .transferLeader:
            leaderTransfer(to: m.from)
            return
        default:
            break
        }

        // Everything else is from a follower.
        guard tracker[m.from] != nil else { return }
        switch m.kind {
        case .appendResponse:
            handleAppendResponse(m)
        case .heartbeatResponse:
            handleHeartbeatResponse(m)
        default:
            break
        }
    }

    mutating func leaderPropose(_ m: Message) throws(RaftError) {
        if m.entries.isEmpty { throw RaftError(.proposalDropped, "empty proposal") }
        try checkLeaderAcceptsProposals()
        var entries = m.entries
        for i in entries.indices where entries[i].kind == .confChange {
            guard let change = try? ConfChange(decoding: entries[i].data) else {
                entries[i] = Entry(kind: .normal)
                continue
            }
            if confChangeRefusal(change) != nil {
                // Keep the slot so the proposer's index bookkeeping holds, but make it a no-op.
                entries[i] = Entry(kind: .normal)
            } else {
                pendingConfIndex = log.lastIndex + UInt64(i) + 1
            }
        }
        if !appendEntries(entries) {
            throw RaftError(.proposalDropped, "too many uncommitted bytes")
        }
        needsBroadcast = true
    }

    mutating func handleAppendResponse(_ m: Message) {
        tracker[m.from]!.recentActive = true
        if m.reject {
            var nextProbe = m.rejectHint
            if m.logTerm > 0 {
                // The follower told us its term at the hint: skip every entry of ours above it with a
                // larger term, so one round trip crosses a whole divergent term.
                nextProbe = log.findConflictByTerm(index: m.rejectHint, term: m.logTerm).index
            }
            if tracker[m.from]!.maybeDecrTo(rejected: m.index, matchHint: nextProbe) {
                if tracker[m.from]!.state == .replicate { tracker[m.from]!.becomeProbe() }
                _ = maybeSendAppend(to: m.from, sendIfEmpty: true)
            }
            return
        }
        let wasPaused = tracker[m.from]!.isPaused
        let updated = tracker[m.from]!.maybeUpdate(m.index)
        let pr = tracker[m.from]!
        guard updated || (pr.match == m.index && pr.state == .probe) else { return }
        switch pr.state {
        case .probe:
            tracker[m.from]!.becomeReplicate()
        case .snapshot where pr.match + 1 >= log.firstIndex:
            // The follower caught up (through the snapshot or appends): resume normal replication.
            tracker[m.from]!.becomeProbe()
            tracker[m.from]!.becomeReplicate()
        case .replicate:
            tracker[m.from]!.inflights.freeLE(m.index)
        case .snapshot:
            break
        }
        if maybeCommit() {
            releasePendingReadIndexMessages()
            broadcastAppend()
        } else if wasPaused {
            _ = maybeSendAppend(to: m.from, sendIfEmpty: true)
        }
        // Fill the window while there is something to send.
        while maybeSendAppend(to: m.from, sendIfEmpty: false) {}
        if m.from == leadTransferee && tracker[m.from]!.match == log.lastIndex {
            sendTimeoutNow(to: m.from)
        }
    }

    mutating func handleHeartbeatResponse(_ m: Message) {
        tracker[m.from]!.recentActive = true
        tracker[m.from]!.flowPaused = false
        if m.index > (leaseAcks[m.from] ?? 0) { leaseAcks[m.from] = m.index }
        let pr = tracker[m.from]!
        // Also recovers a follower whose window filled with messages that were all lost.
        if pr.match < log.lastIndex || pr.state == .probe {
            _ = maybeSendAppend(to: m.from, sendIfEmpty: true)
        }
        guard !m.context.isEmpty else { return }
        guard let acks = readOnly.receiveAck(from: m.from, context: m.context),
            tracker.config.voters.voteResult(acks) == .won
        else { return }
        for status in readOnly.advance(context: m.context) {
            respondToReadIndex(status.request, index: status.index)
        }
    }

    /// Commits the highest index replicated on a quorum, if it belongs to the current term.
    mutating func maybeCommit() -> Bool {
        log.maybeCommit(index: tracker.committed(), term: term)
    }

    // MARK: Sending replication

    mutating func broadcastAppend() {
        // Followers in step usually need the same entries: read them once for all.
        var shared: (from: UInt64, entries: [Entry])?
        for peer in tracker.sortedIDs where peer != id {
            _ = maybeSendAppend(to: peer, sendIfEmpty: true, shared: &shared)
        }
    }

    /// Sends entries (or a snapshot) to `to` if its flow control allows; true if a message went out.
    mutating func maybeSendAppend(to: NodeID, sendIfEmpty: Bool) -> Bool {
        var shared: (from: UInt64, entries: [Entry])?
        return maybeSendAppend(to: to, sendIfEmpty: sendIfEmpty, shared: &shared)
    }

    /// `shared` caches the entries read for one follower so the next follower needing the same range
    /// reuses the array (copy-on-write: no copy, one retain).
    mutating func maybeSendAppend(
        to: NodeID,
        sendIfEmpty: Bool,
        shared: inout (from: UInt64, entries: [Entry])?
    ) -> Bool {
        guard let pr = tracker[to], !pr.isPaused else { return false }
        let previousIndex = pr.next - 1
        let previousTerm: UInt64
        do {
            previousTerm = try log.term(previousIndex)
        } catch {
            // The entry before `next` is compacted: only a snapshot can help.
            return maybeSendSnapshot(to: to)
        }
        var entries: [Entry] = []
        // A replicating follower with a full window only gets empty appends (to carry the commit).
        if pr.state != .replicate || !pr.inflights.isFull {
            if let cached = shared, cached.from == pr.next {
                entries = cached.entries
            } else {
                do {
                    entries = try log.entries(from: pr.next, maxBytes: maxMessageSize)
                } catch {
                    return maybeSendSnapshot(to: to)
                }
                shared = (pr.next, entries)
            }
        }
        if entries.isEmpty && !sendIfEmpty { return false }
        let bytes = entries.payloadSize
        let count = entries.count
        send(
            Message(
                kind: .append,
                to: to,
                logTerm: previousTerm,
                index: previousIndex,
                entries: entries,
                commit: log.committed
            )
        )
        tracker[to]!.sentEntries(count, bytes: bytes)
        return true
    }

    mutating func maybeSendSnapshot(to: NodeID) -> Bool {
        guard tracker[to]!.recentActive else {
            // Don't stream a snapshot to a node that may be down; wait until it answers.
            return false
        }
        guard let snapshot = try? log.snapshot(), !snapshot.isEmpty else { return false }
        tracker[to]!.becomeSnapshot(snapshot.metadata.index)
        send(Message(kind: .snapshot, to: to, snapshot: snapshot))
        return true
    }

    mutating func broadcastHeartbeat() {
        let context = readOnly.lastPendingContext ?? []
        for peer in tracker.sortedIDs where peer != id {
            sendHeartbeat(to: peer, context: context)
        }
    }

    mutating func sendHeartbeat(to: NodeID, context: [UInt8]) {
        // Never advance a follower's commit past what it is known to hold.
        let commit = min(tracker[to]!.match, log.committed)
        send(Message(kind: .heartbeat, to: to, index: tickCount, commit: commit, context: context))
    }

    // MARK: Reads

    /// Requests a linearizable read point. When ready, a ``ReadState`` with `context` appears in a
    /// ``Ready``; reads of state applied through its index are linearizable.
    ///
    /// - Throws: ``RaftError/Code/proposalDropped`` when no leader is known.
    public mutating func readIndex(context: [UInt8]) throws(RaftError) {
        try stepInternal(Message(kind: .readIndex, from: id, context: context))
    }

    mutating func leaderReadIndex(_ m: Message) {
        if tracker.isSingleton {
            respondToReadIndex(m, index: log.committed)
            return
        }
        // A new leader does not know the commit index until an entry of its term commits (§6.4).
        if !committedEntryInCurrentTerm {
            pendingReadIndexMessages.append(m)
            return
        }
        serveReadIndex(m)
    }

    mutating func serveReadIndex(_ m: Message) {
        if readOnly.option == .leaseBased && leaseValid {
            respondToReadIndex(m, index: log.committed)
            return
        }
        readOnly.addRequest(index: log.committed, m)
        _ = readOnly.receiveAck(from: id, context: m.context)
        for peer in tracker.sortedIDs where peer != id {
            sendHeartbeat(to: peer, context: m.context)
        }
    }

    var committedEntryInCurrentTerm: Bool {
        log.termOrZero(log.committed) == term
    }

    mutating func releasePendingReadIndexMessages() {
        guard !pendingReadIndexMessages.isEmpty, committedEntryInCurrentTerm else { return }
        let pending = pendingReadIndexMessages
        pendingReadIndexMessages = []
        for m in pending { serveReadIndex(m) }
    }

    mutating func respondToReadIndex(_ request: Message, index: UInt64) {
        if request.from == .none || request.from == id {
            readStates.append(ReadState(index: index, context: request.context))
        } else {
            send(Message(kind: .readIndexResponse, to: request.from, index: index, context: request.context))
        }
    }

    /// Whether the leader lease covers now: a quorum acknowledged heartbeats sent recently enough that
    /// none of them can have granted a vote to another candidate since (they ignore vote requests for
    /// an election timeout after hearing from us). Two ticks of margin absorb tick-boundary skew and
    /// bounded clock drift.
    public var leaseValid: Bool {
        guard role == .leader, checkQuorum, leadTransferee == .none, !leaseRevoked else { return false }
        if tracker.isSingleton { return true }
        let start = tracker.config.voters.committedIndex { peer in
            peer == id ? tickCount : leaseAcks[peer]
        }
        return start > 0 && tickCount + 2 < start + UInt64(electionTimeout)
    }

    // MARK: Leadership transfer

    /// Asks the cluster to make `target` the leader. The leader stops accepting proposals, brings the
    /// target up to date and tells it to campaign; the transfer is abandoned after an election timeout.
    public mutating func transferLeadership(to target: NodeID) {
        try? stepInternal(Message(kind: .transferLeader, from: target))
    }

    mutating func leaderTransfer(to target: NodeID) {
        guard let pr = tracker[target], !pr.isLearner else { return }
        if leadTransferee != .none {
            if leadTransferee == target { return }
            abortLeaderTransfer()
        }
        if target == id { return }
        // The transfer must finish within one election timeout.
        electionElapsed = 0
        leadTransferee = target
        if pr.match == log.lastIndex {
            sendTimeoutNow(to: target)
        } else {
            _ = maybeSendAppend(to: target, sendIfEmpty: true)
        }
    }

    mutating func sendTimeoutNow(to: NodeID) {
        leaseRevoked = true
        send(Message(kind: .timeoutNow, to: to))
    }

    mutating func abortLeaderTransfer() {
        leadTransferee = .none
    }

    /// Sends a snapshot again to followers that have not acknowledged one for ``snapshotTimeout``
    /// ticks: the snapshot (or its acknowledgement) was lost and nobody reported it.
    mutating func retryStalledSnapshots() {
        for peer in tracker.sortedIDs where peer != id && tracker[peer]!.state == .snapshot {
            tracker[peer]!.snapshotTicks += 1
            if tracker[peer]!.snapshotTicks >= snapshotTimeout {
                tracker[peer]!.becomeProbe()
            }
        }
    }

    // MARK: Reports from the transport

    /// The transport could not deliver to `peer`: stop pipelining to it until it answers.
    public mutating func reportUnreachable(_ peer: NodeID) {
        guard role == .leader, tracker[peer]?.state == .replicate else { return }
        tracker[peer]!.becomeProbe()
    }

    /// The transport finished (or failed) sending a snapshot to `peer`.
    public mutating func reportSnapshot(_ peer: NodeID, succeeded: Bool) {
        guard role == .leader, let pr = tracker[peer], pr.state == .snapshot else { return }
        if !succeeded { tracker[peer]!.pendingSnapshot = 0 }
        tracker[peer]!.becomeProbe()
        // Wait for the follower's answer (success) or the next heartbeat response (failure) before
        // sending again.
        tracker[peer]!.flowPaused = true
    }
}
