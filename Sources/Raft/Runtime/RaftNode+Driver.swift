extension RaftNode {
    /// Handles everything pending: messages, ticks, then Readies until there are none. Called by `run()`
    /// only, so storage writes and state machine calls happen on one task at a time.
    func processAvailableWork() throws {
        while true {
            var resumptions: [Resumption] = []
            let next = state.withLock { s -> Ready? in
                if !s.inbox.isEmpty {
                    var inbox: [Message] = []
                    swap(&inbox, &s.inbox)
                    for message in inbox { try? s.core.step(message) }
                }
                if s.pendingTicks > 0 {
                    for _ in 0..<s.pendingTicks {
                        s.core.tick()
                        s.ticks += 1
                    }
                    s.pendingTicks = 0
                    resumptions = s.expire()
                }
                return s.core.hasReady ? s.core.ready() : nil
            }
            for resumption in resumptions { resumption() }
            guard let ready = next else { return }
            try handle(ready)
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
        var outputs: [(index: UInt64, term: UInt64, output: [UInt8])] = []
        outputs.reserveCapacity(ready.committedEntries.count)
        for entry in ready.committedEntries {
            switch entry.kind {
            case .normal:
                outputs.append((entry.index, entry.term, entry.data.isEmpty ? [] : stateMachine.apply(entry)))
            case .confChange:
                let confState = state.withLock { s -> ConfState? in
                    guard let change = try? ConfChange(decoding: entry.data) else { return nil }
                    return try? s.core.applyConfChange(change)
                }
                var writer = BinaryWriter()
                (confState ?? ConfState()).encode(into: &writer)
                outputs.append((entry.index, entry.term, writer.bytes))
            }
        }

        let (resumptions, snapshotDue) = state.withLock { s -> ([Resumption], UInt64?) in
            s.core.advance(ready)
            var out: [Resumption] = []
            if !s.proposals.isEmpty {
                for (index, term, output) in outputs {
                    guard let waiter = s.proposals.removeValue(forKey: index) else { continue }
                    if waiter.term == term {
                        out.append(.proposal(waiter.continuation, .success(output)))
                    } else {
                        let error = RaftError(.proposalDropped, "entry \(index) was replaced by a newer leader's")
                        out.append(.proposal(waiter.continuation, .failure(error)))
                    }
                }
            }
            for readState in ready.readStates {
                if let waiter = s.reads.removeValue(forKey: readState.context) {
                    s.confirmedReads.append(State.ConfirmedRead(index: readState.index, waiter: waiter))
                }
            }
            out += s.releaseReads(applied: s.core.appliedIndex)
            if !s.transfers.isEmpty { out += s.expire() }
            var due: UInt64?
            let applied = s.core.appliedIndex
            if options.snapshotInterval > 0 && applied >= s.lastSnapshotIndex + options.snapshotInterval {
                s.lastSnapshotIndex = applied
                due = applied
            }
            return (out, due)
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
