/// Carries messages between members. Sending must not block: a transport queues (boundedly) or drops,
/// and Raft retransmits what is lost.
public protocol RaftTransport: Sendable {
    func send(_ messages: [Message])
}

/// Where a transport delivers incoming messages.
public protocol RaftMessageReceiver: AnyObject, Sendable {
    func receive(_ messages: [Message])
    /// A snapshot stream to `peer` ended: the follower holds the image (`succeeded`) or it was
    /// abandoned. Transports that send snapshots as ordinary messages need not call it.
    func reportSnapshot(to peer: NodeID, succeeded: Bool)
    /// Messages to `peer` could not be delivered (no connection).
    func reportUnreachable(_ peer: NodeID)
}

extension RaftMessageReceiver {
    public func reportSnapshot(to peer: NodeID, succeeded: Bool) {}
    public func reportUnreachable(_ peer: NodeID) {}
}
