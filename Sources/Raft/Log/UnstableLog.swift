/// Entries and a snapshot that the core has accepted but the application has not yet made durable.
///
/// `entries[i]` has index `offset + i`. The prefix `offset..<offsetInProgress` has been handed out in a
/// ``Ready`` and is being written; it stays here until the write is acknowledged, so that it can still
/// be read and truncated.
struct UnstableLog {
    var snapshot: Snapshot?
    var entries: [Entry] = []
    var offset: UInt64
    var snapshotInProgress = false
    var offsetInProgress: UInt64

    init(offset: UInt64) {
        self.offset = offset
        self.offsetInProgress = offset
    }

    /// The first index, if a snapshot is pending.
    func maybeFirstIndex() -> UInt64? {
        snapshot.map { $0.metadata.index + 1 }
    }

    /// The last index, if there are unstable entries or a pending snapshot.
    func maybeLastIndex() -> UInt64? {
        if !entries.isEmpty { return offset + UInt64(entries.count) - 1 }
        return snapshot?.metadata.index
    }

    /// The term of `index` if this part of the log knows it.
    func maybeTerm(_ index: UInt64) -> UInt64? {
        if index < offset {
            if let snapshot, snapshot.metadata.index == index { return snapshot.metadata.term }
            return nil
        }
        guard let last = maybeLastIndex(), index <= last else { return nil }
        return entries[Int(index - offset)].term
    }

    /// Entries not yet handed out for writing.
    var nextEntries: ArraySlice<Entry> {
        let inProgress = Int(offsetInProgress - offset)
        if entries.count == inProgress { return [] }
        return entries[inProgress...]
    }

    /// The snapshot, if not yet handed out for writing.
    var nextSnapshot: Snapshot? {
        if snapshot == nil || snapshotInProgress { return nil }
        return snapshot
    }

    /// Marks everything returned by `nextEntries` and `nextSnapshot` as being written.
    mutating func acceptInProgress() {
        if !entries.isEmpty { offsetInProgress = entries[entries.count - 1].index + 1 }
        if snapshot != nil { snapshotInProgress = true }
    }

    /// The entries up to `index` (which had term `term` when written) are durable.
    ///
    /// Ignored if the entry has since been overwritten with another term or covered by a snapshot,
    /// which is how a late acknowledgement of a truncated write (the "ABA" race) is kept harmless.
    mutating func stableTo(index: UInt64, term: UInt64) {
        guard let storedTerm = maybeTerm(index) else { return }
        if index < offset { return }  // matched the pending snapshot, not an entry
        guard storedTerm == term else { return }
        let count = Int(index + 1 - offset)
        if count == entries.count {
            entries.removeAll(keepingCapacity: true)
        } else {
            entries.removeFirst(count)
        }
        offset = index + 1
        offsetInProgress = max(offsetInProgress, offset)
    }

    mutating func stableSnapshotTo(index: UInt64) {
        if let snapshot, snapshot.metadata.index == index {
            self.snapshot = nil
            snapshotInProgress = false
        }
    }

    mutating func restore(_ snapshot: Snapshot) {
        offset = snapshot.metadata.index + 1
        offsetInProgress = offset
        entries = []
        self.snapshot = snapshot
        snapshotInProgress = false
    }

    /// Appends `newEntries`, which must be contiguous, truncating whatever they overwrite.
    mutating func truncateAndAppend(_ newEntries: ArraySlice<Entry>) {
        guard let first = newEntries.first?.index else { return }
        let end = offset + UInt64(entries.count)
        if first == end {
            entries.append(contentsOf: newEntries)
        } else if first <= offset {
            // Replaces everything, including what is being written now.
            offset = first
            offsetInProgress = offset
            entries = Array(newEntries)
        } else {
            entries.removeSubrange(Int(first - offset)...)
            entries.append(contentsOf: newEntries)
            offsetInProgress = min(offsetInProgress, first)
        }
    }

    /// Entries in `low..<high`; the caller checked the bounds.
    func slice(_ low: UInt64, _ high: UInt64) -> ArraySlice<Entry> {
        entries[Int(low - offset)..<Int(high - offset)]
    }
}
