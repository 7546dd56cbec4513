/// The durable part of the log as the Raft core sees it: read-only from the core's side.
///
/// The application appends entries, hard state and snapshots that ``Ready`` hands it, then tells the
/// core with ``RaftCore/advance(_:)``. Indexes in `firstIndex() - 1 ... lastIndex()` have a term
/// (the lower bound is the snapshot's index). Implementations must be safe to call from the thread
/// that owns the core while the application appends from another.
public protocol RaftLogStorage: AnyObject, Sendable {
    /// The hard state and configuration saved last (from the snapshot and applied conf changes).
    func initialState() throws(RaftError) -> (HardState, ConfState)
    /// Entries in `low..<high`, at least one if any, and no more than `maxBytes` of payload beyond the first.
    func entries(from low: UInt64, to high: UInt64, maxBytes: UInt64) throws(RaftError) -> [Entry]
    /// The term of the entry at `index`, for `firstIndex() - 1 ... lastIndex()`.
    func term(at index: UInt64) throws(RaftError) -> UInt64
    /// The index of the first entry available (the snapshot index plus one).
    func firstIndex() -> UInt64
    /// The index of the last entry.
    func lastIndex() -> UInt64
    /// The newest snapshot. Throws ``RaftError/Code/snapshotTemporarilyUnavailable`` while one is being made.
    func snapshot() throws(RaftError) -> Snapshot
}
