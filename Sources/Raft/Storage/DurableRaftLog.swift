/// A log the runtime can write: what ``RaftNode`` persists each ``Ready`` into.
public protocol DurableRaftLog: RaftLogStorage {
    /// Persists a Ready's snapshot, entries and hard state, in that order; durable (synced) on return
    /// when `ready.mustSync` is true.
    func save(_ ready: Ready) throws(RaftError)
    /// Records a snapshot of the applied state at `index`.
    @discardableResult
    func createSnapshot(at index: UInt64, confState: ConfState?, data: [UInt8]) throws(RaftError) -> Snapshot
    /// Discards entries up to `index` (which must be covered by a snapshot).
    func compact(through index: UInt64) throws(RaftError)
}

extension MemoryStorage: DurableRaftLog {}
