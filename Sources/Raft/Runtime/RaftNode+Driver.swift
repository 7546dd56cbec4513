extension RaftNode {
    /// Handles everything pending — messages, ticks, queued proposals — then Readies until there are
    /// none. Called by `run()` only, so storage writes and state machine calls happen on one task.
    func processAvailableWork() throws {
        while true {
            var intook = intake.withLock { i -> Intake in
                var taken = Intake()
                swap(&taken.messages, &i.messages)
                swap(&taken.proposals, &i.proposals)
                swap(&taken.reports, &i.reports)
                taken.ticks = i.ticks
                i.ticks = 0
                return taken
            }
            var resumptions: [Resumption] = []
            let next = state.withLock { s -> Ready? in
                for message in intook.messages { try? s.core.step(message) }
                for report in intook.reports {
                    switch report {
                    case .snapshot(let peer, let succeeded): s.core.reportSnapshot(peer, succeeded: succeeded)
                    case .unreachable(let peer): s.core.reportUnreachable(peer)
                    }
                }
                if intook.ticks > 0 {
                    for _ in 0..<intook.ticks {
                        s.core.tick()
                        s.ticks += 1
                    }
                    s.expire(into: &resumptions)
                }
                if !intook.proposals.isEmpty { proposeQueued(&intook.proposals, in: &s, resumptions: &resumptions) }
                return s.core.hasReady ? s.core.ready() : nil
            }
            for resumption in resumptions { resumption() }
            guard let ready = next else { return }
            try handle(ready)
        }
    }

    /// Proposes everything queued as one batch (one log append, one replication message per follower).
    func proposeQueued(_ queued: inout [Intake.Proposal], in s: inout State, resumptions: inout [Resumption]) {
        do throws(RaftError) {
            if queued.count == 1 {
                try s.core.propose(queued[0].data)
            } else {
                try s.core.propose(batch: queued.map(\.data))
            }
        } catch {
            for proposal in queued { resumptions.append(.proposal(proposal.continuation, .failure(error))) }
            return
        }
        let term = s.core.term
        let deadline = s.ticks + ticksPerRequestTimeout
        var index = s.core.lastIndex - UInt64(queued.count)
        for proposal in queued {
            index += 1
            s.register(State.Waiter(term: term, deadline: deadline, continuation: proposal.continuation), at: index, into: &resumptions)
        }
    }

    func handle(_ ready: Ready) throws {
        // The leader's appends and heartbeats leave before the write: replication overlaps the fsync.
        if !ready.messages.isEmpty { transport.send(ready.messages) }
        do {
            try storage.save(ready)
        } catch {
            // Without durability the node must not go on acknowledging anything.
            throw RaftError(.storageFailure, "node \(id) could not persist: \(error)")
        }
        if !ready.persistedMessages.isEmpty { transport.send(ready.persistedMessages) }
        if let snapshot = ready.snapshot {
            do {
                try stateMachine.restore(snapshot.data)
            } catch {
                throw RaftError(.corrupt, "node \(id) could not restore snapshot \(snapshot.metadata.index): \(error)")
            }
        }

        // Apply outside the lock; conf changes need the core, so they take it briefly.
        var outputs: [[UInt8]] = []
        outputs.reserveCapacity(ready.committedEntries.count)
        for entry in ready.committedEntries {
            switch entry.kind {
            case .normal:
                outputs.append(entry.data.isEmpty ? [] : stateMachine.apply(entry))
            case .confChange:
                let confState = state.withLock { s -> ConfState? in
                    guard let change = try? ConfChange(decoding: entry.data) else { return nil }
                    return try? s.core.applyConfChange(change)
                }
                var writer = BinaryWriter()
                (confState ?? ConfState()).encode(into: &writer)
                outputs.append(writer.bytes)
            }
        }

        var resumptions: [Resumption] = []
        let snapshotDue = state.withLock { s -> UInt64? in
            s.core.advance(ready)
            if let snapshot = ready.snapshot {
                // An installed snapshot is this node's latest: the next one is due an interval later.
                s.lastSnapshotIndex = max(s.lastSnapshotIndex, snapshot.metadata.index)
            }
            if !s.proposals.isEmpty {
                for (entry, output) in zip(ready.committedEntries, outputs) {
                    guard let waiter = s.proposals.take(entry.index) else { continue }
                    if waiter.term == entry.term {
                        resumptions.append(.proposal(waiter.continuation, .success(output)))
                    } else {
                        let error = RaftError(.proposalDropped, "entry \(entry.index) was replaced by a newer leader's")
                        resumptions.append(.proposal(waiter.continuation, .failure(error)))
                    }
                }
            }
            for readState in ready.readStates {
                if let waiter = s.reads.removeValue(forKey: readState.context) {
                    s.confirmedReads.append(State.ConfirmedRead(index: readState.index, waiter: waiter))
                }
            }
            s.releaseReads(applied: s.core.appliedIndex, into: &resumptions)
            s.completeTransfers(into: &resumptions)
            let applied = s.core.appliedIndex
            if options.snapshotInterval > 0 && applied >= s.lastSnapshotIndex + options.snapshotInterval {
                s.lastSnapshotIndex = applied
                return applied
            }
            return nil
        }
        for resumption in resumptions { resumption() }
        if let index = snapshotDue { try takeSnapshot(at: index) }
    }

    func takeSnapshot(at index: UInt64) throws {
        let data: [UInt8]
        do {
            data = try stateMachine.snapshot()
        } catch {
            return  // try again at the next interval
        }
        let confState = state.withLock { $0.core.confState }
        try storage.createSnapshot(at: index, confState: confState, data: data)
        if index > options.compactionSlack {
            try? storage.compact(through: index - options.compactionSlack)
        }
    }
}
