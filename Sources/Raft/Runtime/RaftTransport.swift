/// Carries messages between members. Sending must not block: a transport queues (boundedly) or drops,
/// and Raft retransmits what is lost.
public protocol RaftTransport: Sendable {
    func send(_ messages: [Message])
}

/// Where a transport delivers incoming messages.
public protocol RaftMessageReceiver: AnyObject, Sendable {
    func receive(_ messages: [Message])
}
