/// How the leader replicates to one follower.
public enum ProgressState: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// One append at a time until the follower's position is known.
    case probe
    /// Optimistic pipelining of appends, bounded by the in-flight limits.
    case replicate
    /// A snapshot is being sent; appends wait until it is acknowledged.
    case snapshot

    public var description: String {
        switch self {
        case .probe: "probe"
        case .replicate: "replicate"
        case .snapshot: "snapshot"
        }
    }
}

/// The leader's view of one follower's log.
public struct Progress: Sendable, Hashable {
    /// Highest index known to be replicated (durably) on the follower.
    public internal(set) var match: UInt64 = 0
    /// Next index to send.
    public internal(set) var next: UInt64 = 1
    public internal(set) var state: ProgressState = .probe
    /// In the snapshot state: the index of the snapshot being sent.
    public internal(set) var pendingSnapshot: UInt64 = 0
    /// Heard from recently (reset each election timeout by CheckQuorum).
    public internal(set) var recentActive = false
    /// Sending is paused until an acknowledgement or heartbeat response arrives.
    var flowPaused = false
    var inflights: Inflights
    /// Ticks spent in the snapshot state (to retry a snapshot that was lost).
    var snapshotTicks = 0
    public internal(set) var isLearner = false

    init(next: UInt64, inflightCapacity: Int, maxInflightBytes: UInt64, isLearner: Bool) {
        self.next = next
        self.inflights = Inflights(capacity: inflightCapacity, maxBytes: maxInflightBytes)
        self.isLearner = isLearner
    }

    /// Messages in flight to this follower.
    public var inflightCount: Int { inflights.count }

    var isPaused: Bool {
        switch state {
        case .probe, .replicate: flowPaused
        case .snapshot: true
        }
    }

    private mutating func resetState(_ newState: ProgressState) {
        flowPaused = false
        pendingSnapshot = 0
        state = newState
        inflights.reset()
    }

    mutating func becomeProbe() {
        if state == .snapshot {
            let pending = pendingSnapshot
            resetState(.probe)
            next = max(match + 1, pending + 1)
        } else {
            resetState(.probe)
            next = match + 1
        }
    }

    mutating func becomeReplicate() {
        resetState(.replicate)
        next = match + 1
    }

    mutating func becomeSnapshot(_ snapshotIndex: UInt64) {
        resetState(.snapshot)
        snapshotTicks = 0
        pendingSnapshot = snapshotIndex
        next = snapshotIndex + 1
    }

    /// Records an append of `entries` entries carrying `bytes` of payload.
    mutating func sentEntries(_ entries: Int, bytes: UInt64) {
        switch state {
        case .replicate:
            if entries > 0 {
                next += UInt64(entries)
                inflights.add(index: next - 1, bytes: bytes)
            }
            flowPaused = inflights.isFull
        case .probe:
            if entries > 0 { flowPaused = true }
        case .snapshot:
            preconditionFailure("sending append while in snapshot state")
        }
    }

    /// The follower acknowledged `index`; returns false for a stale acknowledgement.
    mutating func maybeUpdate(_ index: UInt64) -> Bool {
        var updated = false
        if match < index {
            match = index
            updated = true
            flowPaused = false
        }
        next = max(next, index + 1)
        return updated
    }

    /// The follower rejected an append after `rejected`; `matchHint` is its best guess at the match.
    /// Returns false if the rejection is stale.
    mutating func maybeDecrTo(rejected: UInt64, matchHint: UInt64) -> Bool {
        if state == .replicate {
            // A rejection at or below the match is a reordered old message.
            if rejected <= match { return false }
            next = match + 1
            return true
        }
        // In probe, only the rejection of the last probe counts.
        if next - 1 != rejected { return false }
        next = max(min(rejected, matchHint + 1), match + 1)
        flowPaused = false
        return true
    }
}
