/// The application state that Raft replicates. ``RaftNode`` calls it from one task at a time, in log
/// order, so implementations need no locking of their own beyond being `Sendable`.
public protocol RaftStateMachine: AnyObject, Sendable {
    /// Applies a committed entry and returns the result handed back to the proposer.
    func apply(_ entry: Entry) -> [UInt8]
    /// An image of the state after the last applied entry.
    func snapshot() throws -> [UInt8]
    /// Replaces the state with a snapshot's image.
    func restore(_ data: [UInt8]) throws
}
