/// The log as the core sees it: durable storage followed by the unstable tail.
struct RaftLog {
    let storage: any RaftLogStorage
    var unstable: UnstableLog
    /// Highest index known to be committed by a quorum.
    var committed: UInt64
    /// Highest index handed to the application for applying (≥ applied).
    var applying: UInt64
    /// Highest index the application has applied.
    var applied: UInt64
    /// Bytes of committed entries handed out per ``Ready``.
    let maxApplyingSize: UInt64

    init(storage: any RaftLogStorage, maxApplyingSize: UInt64) {
        self.storage = storage
        let first = storage.firstIndex()
        let last = storage.lastIndex()
        self.unstable = UnstableLog(offset: last + 1)
        self.committed = first - 1
        self.applying = first - 1
        self.applied = first - 1
        self.maxApplyingSize = maxApplyingSize
    }

    var firstIndex: UInt64 {
        unstable.maybeFirstIndex() ?? storage.firstIndex()
    }

    var lastIndex: UInt64 {
        unstable.maybeLastIndex() ?? storage.lastIndex()
    }

    /// The last index known durable (everything after it is still being written).
    var stableLastIndex: UInt64 {
        // While a snapshot is pending nothing may be applied; what storage holds is the best answer.
        if unstable.snapshot != nil { return storage.lastIndex() }
        return unstable.offset - 1
    }

    func term(_ index: UInt64) throws(RaftError) -> UInt64 {
        if let term = unstable.maybeTerm(index) { return term }
        let dummy = firstIndex - 1
        if index < dummy { throw RaftError(.compacted, "index \(index) is compacted") }
        if index > lastIndex { throw RaftError(.unavailable, "index \(index) is past the last index") }
        return try storage.term(at: index)
    }

    /// The term at `index`, or 0 when the index is outside the log.
    func termOrZero(_ index: UInt64) -> UInt64 {
        termIfPresent(index) ?? 0
    }

    var lastTerm: UInt64 { termOrZero(lastIndex) }

    /// The term at `index`, or nil outside the log, without building an error (hot path).
    func termIfPresent(_ index: UInt64) -> UInt64? {
        if let term = unstable.maybeTerm(index) { return term }
        if index + 1 < firstIndex || index > lastIndex { return nil }
        return try? storage.term(at: index)
    }

    func matchTerm(_ index: UInt64, _ term: UInt64) -> Bool {
        termIfPresent(index) == term
    }

    /// A candidate whose last entry is `(index, term)` is at least as up to date as this log (§5.4.1).
    func isUpToDate(index: UInt64, term: UInt64) -> Bool {
        let myTerm = lastTerm
        return term > myTerm || (term == myTerm && index >= lastIndex)
    }

    /// The index of the first entry in `entries` that conflicts with the log (different term at the
    /// same index) or is new; 0 if all are present.
    func findConflict(_ entries: ArraySlice<Entry>) -> UInt64 {
        let last = lastIndex
        for entry in entries {
            // Past our end everything is new: no need to look further.
            if entry.index > last { return entry.index }
            if !matchTerm(entry.index, entry.term) { return entry.index }
        }
        return 0
    }

    /// The largest index ≤ `index` whose term is ≤ `term`, with that term: the leader's or follower's
    /// best guess at where the logs diverge, so a probe skips a whole term per round trip.
    func findConflictByTerm(index: UInt64, term: UInt64) -> (index: UInt64, term: UInt64) {
        var i = index
        while true {
            guard let t = try? self.term(i) else { return (i, 0) }
            if t <= term { return (i, t) }
            if i == 0 { return (0, 0) }
            i -= 1
        }
    }

    /// Appends entries offered after `(index, logTerm)` if that entry matches; returns the last new index.
    mutating func maybeAppend(
        index: UInt64,
        logTerm: UInt64,
        committed leaderCommit: UInt64,
        entries: [Entry]
    ) throws(RaftError) -> UInt64? {
        guard matchTerm(index, logTerm) else { return nil }
        let lastNew = index + UInt64(entries.count)
        let conflict = findConflict(entries[...])
        if conflict != 0 {
            if conflict <= committed {
                throw RaftError(
                    .invariantViolation,
                    "entry \(conflict) conflicts with committed entry (committed \(committed))"
                )
            }
            let start = Int(conflict - (index + 1))
            append(entries[start...])
        }
        try commitTo(min(leaderCommit, lastNew))
        return lastNew
    }

    /// Appends entries at the end (after truncating what they overwrite); returns the new last index.
    @discardableResult
    mutating func append(_ entries: ArraySlice<Entry>) -> UInt64 {
        guard let first = entries.first else { return lastIndex }
        precondition(first.index > committed, "appending at \(first.index) would overwrite committed \(committed)")
        unstable.truncateAndAppend(entries)
        return lastIndex
    }

    /// Appends one entry at the end of the log (the leader's proposal fast path: no array to build).
    mutating func appendOne(_ entry: Entry) {
        if entry.index == unstable.offset + UInt64(unstable.entries.count) {
            unstable.entries.append(entry)
        } else {
            append([entry][...])
        }
    }

    mutating func commitTo(_ index: UInt64) throws(RaftError) {
        guard committed < index else { return }
        if lastIndex < index {
            throw RaftError(
                .invariantViolation,
                "commit index \(index) is past the last index \(lastIndex): was the durable log lost?"
            )
        }
        committed = index
    }

    /// Commits `index` if its term is `term` (the leader only commits entries of its own term by counting).
    mutating func maybeCommit(index: UInt64, term: UInt64) -> Bool {
        guard index > committed, termOrZero(index) == term else { return false }
        committed = index
        return true
    }

    mutating func appliedTo(_ index: UInt64) {
        guard index > applied else { return }
        precondition(index <= committed, "applied \(index) is past committed \(committed)")
        applied = index
        applying = max(applying, index)
    }

    // MARK: Ready support

    var hasNextUnstableEntries: Bool { !unstable.nextEntries.isEmpty }
    var hasNextUnstableSnapshot: Bool { unstable.nextSnapshot != nil }
    var hasNextOrInProgressSnapshot: Bool { unstable.snapshot != nil }

    /// The highest index that may be applied: committed and durable locally.
    var maxAppliableIndex: UInt64 {
        min(committed, stableLastIndex)
    }

    var hasNextCommittedEntries: Bool {
        if hasNextOrInProgressSnapshot { return false }
        return applying < maxAppliableIndex
    }

    func nextCommittedEntries() -> [Entry] {
        if hasNextOrInProgressSnapshot { return [] }
        let high = maxAppliableIndex
        guard applying < high else { return [] }
        return (try? slice(applying + 1, high + 1, maxBytes: maxApplyingSize)) ?? []
    }

    mutating func acceptApplying(through index: UInt64) {
        applying = max(applying, index)
    }

    mutating func stableTo(index: UInt64, term: UInt64) {
        unstable.stableTo(index: index, term: term)
    }

    mutating func stableSnapshotTo(index: UInt64) {
        unstable.stableSnapshotTo(index: index)
    }

    func snapshot() throws(RaftError) -> Snapshot {
        if let snapshot = unstable.snapshot { return snapshot }
        return try storage.snapshot()
    }

    mutating func restore(_ snapshot: Snapshot) {
        committed = snapshot.metadata.index
        unstable.restore(snapshot)
    }

    // MARK: Reading entries

    /// Entries from `index` on, at most `maxBytes` of them beyond the first.
    func entries(from index: UInt64, maxBytes: UInt64) throws(RaftError) -> [Entry] {
        if index > lastIndex { return [] }
        return try slice(index, lastIndex + 1, maxBytes: maxBytes)
    }

    /// Every entry in the log (for tests).
    func allEntries() -> [Entry] {
        (try? entries(from: firstIndex, maxBytes: .max)) ?? []
    }

    /// Entries in `low..<high` from storage then the unstable tail.
    func slice(_ low: UInt64, _ high: UInt64, maxBytes: UInt64) throws(RaftError) -> [Entry] {
        if low > high { throw RaftError(.invariantViolation, "invalid slice \(low) > \(high)") }
        let first = firstIndex
        if low < first { throw RaftError(.compacted, "index \(low) is compacted (first index \(first))") }
        if high > lastIndex + 1 {
            throw RaftError(.invariantViolation, "slice \(low)..<\(high) is out of bounds (last \(lastIndex))")
        }
        if low == high { return [] }
        var result: [Entry] = []
        if low < unstable.offset {
            result = try storage.entries(from: low, to: min(high, unstable.offset), maxBytes: maxBytes)
            // Storage stopped early because of the size limit.
            if UInt64(result.count) < min(high, unstable.offset) - low { return result }
        }
        if high > unstable.offset {
            let part = unstable.slice(max(low, unstable.offset), high)
            if result.isEmpty {
                return limitSize(part, maxBytes: maxBytes)
            }
            var size = result.reduce(0) { $0 &+ $1.sizeEstimate }
            for entry in part {
                size &+= entry.sizeEstimate
                if size > maxBytes { break }
                result.append(entry)
            }
        }
        return result
    }
}
