/// Everything the application must do after the core changed: persist, send, apply.
///
/// Order of work: send ``messages`` right away (in parallel with the write); write ``snapshot``,
/// ``entries`` and ``hardState`` durably (fsync when ``mustSync``); then send ``persistedMessages``;
/// apply ``committedEntries``; then acknowledge with ``RaftCore/advance(_:)``.
public struct Ready: Sendable {
    /// Present when the leader or role changed.
    public var softState: SoftState?
    /// Present when term, vote or commit changed; persist it.
    public var hardState: HardState?
    /// Completed ReadIndex requests.
    public var readStates: [ReadState] = []
    /// Entries to append to durable storage.
    public var entries: [Entry] = []
    /// A snapshot to install and persist before `entries`.
    public var snapshot: Snapshot?
    /// Entries committed by a quorum and durable here: apply them in order.
    public var committedEntries: [Entry] = []
    /// Messages that may be sent before the write finishes (the leader's appends and heartbeats:
    /// the leader writes its log in parallel with replicating it).
    public var messages: [Message] = []
    /// Messages that may be sent only after this Ready's snapshot, entries and hard state are durable
    /// (votes and append acknowledgements).
    public var persistedMessages: [Message] = []
    /// Whether the write must be synced to disk (term, vote or entries changed).
    public var mustSync = false

    public init() {}

    /// True when there is nothing to do.
    public var isEmpty: Bool {
        softState == nil && hardState == nil && readStates.isEmpty && entries.isEmpty && snapshot == nil
            && committedEntries.isEmpty && messages.isEmpty && persistedMessages.isEmpty
    }

    /// Both message lists, for drivers that send everything after persisting.
    public var allMessages: [Message] { messages + persistedMessages }
}

extension RaftCore {
    /// Whether ``ready()`` has anything for the application.
    public var hasReady: Bool {
        if needsBroadcast || !messages.isEmpty || !messagesAfterPersist.isEmpty || !readStates.isEmpty { return true }
        if softState != previousSoftState { return true }
        let hs = hardState
        if !hs.isEmpty && hs != previousHardState { return true }
        if log.hasNextUnstableSnapshot || log.hasNextUnstableEntries || log.hasNextCommittedEntries { return true }
        return false
    }

    /// Takes the pending work. Entries and committed entries handed out here are not handed out again,
    /// so ``ready()`` may be called again before the previous one is acknowledged (asynchronous writes).
    public mutating func ready() -> Ready {
        if needsBroadcast {
            needsBroadcast = false
            broadcastAppend()
        }
        var rd = Ready()
        rd.entries = Array(log.unstable.nextEntries)
        rd.snapshot = log.unstable.nextSnapshot
        rd.committedEntries = log.nextCommittedEntries()
        swap(&rd.messages, &messages)
        swap(&rd.persistedMessages, &messagesAfterPersist)
        swap(&rd.readStates, &readStates)
        let ss = softState
        if ss != previousSoftState {
            rd.softState = ss
            previousSoftState = ss
        }
        let hs = hardState
        if hs != previousHardState {
            rd.hardState = hs
            rd.mustSync = hs.term != previousHardState.term || hs.vote != previousHardState.vote
            previousHardState = hs
        }
        if !rd.entries.isEmpty || rd.snapshot != nil { rd.mustSync = true }
        log.unstable.acceptInProgress()
        if let last = rd.committedEntries.last { log.acceptApplying(through: last.index) }
        return rd
    }

    /// Acknowledges that everything in `ready` was persisted and its committed entries applied.
    public mutating func advance(_ ready: Ready) {
        acknowledgePersisted(ready)
        acknowledgeApplied(ready)
    }

    /// Acknowledges that `ready`'s snapshot, entries and hard state are durable.
    public mutating func acknowledgePersisted(_ ready: Ready) {
        if let snapshot = ready.snapshot { log.stableSnapshotTo(index: snapshot.metadata.index) }
        if let last = ready.entries.last {
            log.stableTo(index: last.index, term: last.term)
            if role == .leader {
                // Our own copy now counts towards the quorum.
                let durable = min(log.stableLastIndex, log.lastIndex)
                if tracker[id]?.maybeUpdate(durable) == true, maybeCommit() {
                    releasePendingReadIndexMessages()
                    broadcastAppend()
                }
            }
        }
    }

    /// Acknowledges that `ready`'s committed entries were applied.
    public mutating func acknowledgeApplied(_ ready: Ready) {
        // An installed snapshot is applied state: continue from its index.
        if let snapshot = ready.snapshot, snapshot.metadata.index > log.applied {
            log.appliedTo(snapshot.metadata.index)
        }
        if let last = ready.committedEntries.last {
            appliedTo(last.index, size: ready.committedEntries.payloadSize)
        }
    }
}
