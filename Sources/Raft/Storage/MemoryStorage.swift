import Synchronization

/// A ``RaftLogStorage`` held in memory, for tests, simulations and benchmarks.
///
/// Appending behaves like a disk: the application appends what a ``Ready`` hands it. Thread-safe.
public final class MemoryStorage: RaftLogStorage {
    struct State {
        var hardState = HardState()
        var snapshot = Snapshot()
        /// `entries[0]` is a placeholder holding the snapshot's index and term.
        var entries: [Entry] = [Entry()]

        var offset: UInt64 { entries[0].index }
        var lastIndex: UInt64 { entries[0].index + UInt64(entries.count) - 1 }
    }

    let state: Mutex<State>

    /// An empty storage.
    public init() {
        state = Mutex(State())
    }

    /// A storage for a brand-new cluster whose initial voters are `voters` (bootstraps the configuration
    /// the way a snapshot at index 0 would).
    public convenience init(voters: [NodeID], learners: [NodeID] = []) {
        self.init()
        state.withLock { $0.snapshot.metadata.confState = ConfState(voters: voters, learners: learners) }
    }

    public func initialState() throws(RaftError) -> (HardState, ConfState) {
        state.withLock { ($0.hardState, $0.snapshot.metadata.confState) }
    }

    /// Saves the hard state.
    public func setHardState(_ hardState: HardState) {
        state.withLock { $0.hardState = hardState }
    }

    public var hardState: HardState { state.withLock { $0.hardState } }

    /// The terms of every stored entry from the snapshot index on, in one lock (for checkers).
    func terms() -> (snapshotIndex: UInt64, terms: [UInt64]) {
        state.withLock { s in (s.offset, s.entries.map(\.term)) }
    }

    public func entries(from low: UInt64, to high: UInt64, maxBytes: UInt64) throws(RaftError) -> [Entry] {
        try state.withLock { s throws(RaftError) in
            let offset = s.offset
            if low <= offset { throw RaftError(.compacted, "index \(low) is compacted (first index \(offset + 1))") }
            if high > s.lastIndex + 1 {
                throw RaftError(.unavailable, "entries up to \(high - 1) requested, last index \(s.lastIndex)")
            }
            if s.entries.count == 1 { throw RaftError(.unavailable, "no entries") }
            let lo = Int(low - offset)
            let hi = Int(high - offset)
            return limitSize(s.entries[lo..<hi], maxBytes: maxBytes)
        }
    }

    public func term(at index: UInt64) throws(RaftError) -> UInt64 {
        try state.withLock { s throws(RaftError) in
            let offset = s.offset
            if index < offset { throw RaftError(.compacted, "index \(index) is compacted") }
            if index - offset >= UInt64(s.entries.count) {
                throw RaftError(.unavailable, "index \(index) is past the last index \(s.lastIndex)")
            }
            return s.entries[Int(index - offset)].term
        }
    }

    public func firstIndex() -> UInt64 { state.withLock { $0.offset + 1 } }
    public func lastIndex() -> UInt64 { state.withLock { $0.lastIndex } }
    public func snapshot() throws(RaftError) -> Snapshot { state.withLock { $0.snapshot } }

    /// Replaces the contents with `snapshot` (as a follower does when installing one).
    public func applySnapshot(_ snapshot: Snapshot) throws(RaftError) {
        try state.withLock { s throws(RaftError) in
            if s.snapshot.metadata.index >= snapshot.metadata.index && !(s.snapshot.isEmpty && snapshot.isEmpty) {
                throw RaftError(.snapshotOutOfDate, "stored snapshot \(s.snapshot.metadata.index) is newer")
            }
            s.snapshot = snapshot
            s.entries = [Entry(term: snapshot.metadata.term, index: snapshot.metadata.index)]
        }
    }

    /// Makes a snapshot at `index` (which must be applied) with the application's `data`.
    @discardableResult
    public func createSnapshot(at index: UInt64, confState: ConfState?, data: [UInt8]) throws(RaftError) -> Snapshot {
        try state.withLock { s throws(RaftError) in
            if index <= s.snapshot.metadata.index {
                throw RaftError(.snapshotOutOfDate, "snapshot at \(index) is not newer than \(s.snapshot.metadata.index)")
            }
            if index > s.lastIndex {
                throw RaftError(.unavailable, "snapshot index \(index) is past the last index \(s.lastIndex)")
            }
            s.snapshot.metadata.index = index
            s.snapshot.metadata.term = s.entries[Int(index - s.offset)].term
            if let confState { s.snapshot.metadata.confState = confState }
            s.snapshot.data = data
            return s.snapshot
        }
    }

    /// Drops the data of the snapshot at `index` (if it is still the stored one), keeping its
    /// metadata: ``FileLog`` keeps the data in its snapshot file and reads it back when asked.
    func releaseSnapshotData(at index: UInt64) {
        state.withLock { s in
            if s.snapshot.metadata.index == index { s.snapshot.data = [] }
        }
    }

    /// Discards entries before `compactIndex`; `compactIndex` itself becomes the placeholder.
    public func compact(through compactIndex: UInt64) throws(RaftError) {
        try state.withLock { s throws(RaftError) in
            let offset = s.offset
            if compactIndex <= offset { throw RaftError(.compacted, "already compacted through \(offset)") }
            if compactIndex > s.lastIndex {
                throw RaftError(.unavailable, "compact index \(compactIndex) is past the last index \(s.lastIndex)")
            }
            let i = Int(compactIndex - offset)
            var kept = [Entry(term: s.entries[i].term, index: s.entries[i].index)]
            kept.reserveCapacity(s.entries.count - i)
            kept.append(contentsOf: s.entries[(i + 1)...])
            s.entries = kept
        }
    }

    /// Appends `entries`, truncating any existing entries they overwrite. Entries already compacted
    /// are skipped.
    public func append(_ entries: [Entry]) throws(RaftError) {
        guard let first = entries.first, let last = entries.last else { return }
        try state.withLock { s throws(RaftError) in
            let firstKept = s.offset + 1
            if last.index < firstKept { return }
            var slice = entries[...]
            if first.index < firstKept { slice = entries[Int(firstKept - first.index)...] }
            let start = slice.first!.index
            if start > s.lastIndex + 1 {
                throw RaftError(.invariantViolation, "missing log entries: last \(s.lastIndex), appending at \(start)")
            }
            let position = Int(start - s.offset)
            if position < s.entries.count { s.entries.removeSubrange(position...) }
            s.entries.append(contentsOf: slice)
        }
    }

    /// Persists everything a ``Ready`` asks to persist, in the required order (snapshot, entries, hard state).
    public func save(_ ready: Ready) throws(RaftError) {
        if let snapshot = ready.snapshot { try applySnapshot(snapshot) }
        try append(ready.entries)
        if let hardState = ready.hardState { setHardState(hardState) }
    }
}

/// Keeps the first entry and then as many as fit in `maxBytes` of payload.
func limitSize(_ entries: ArraySlice<Entry>, maxBytes: UInt64) -> [Entry] {
    guard !entries.isEmpty else { return [] }
    if maxBytes == .max { return Array(entries) }
    var size: UInt64 = 0
    var end = entries.startIndex
    for i in entries.indices {
        size &+= entries[i].sizeEstimate
        if i > entries.startIndex && size > maxBytes { break }
        end = i + 1
    }
    return Array(entries[entries.startIndex..<end])
}
