/// A Raft node identifier. Zero means "no node" and is never a valid member.
public typealias NodeID = UInt64

extension NodeID {
    /// The reserved identifier meaning "nobody" (no leader known, no vote cast).
    public static let none: NodeID = 0
}

/// What a log entry carries.
public enum EntryKind: UInt8, Sendable, Hashable, CaseIterable {
    /// Application data handed to the state machine.
    case normal = 0
    /// An encoded ``ConfChange`` that the application applies with ``RaftCore/applyConfChange(_:)``.
    case confChange = 1
}

/// One entry of the replicated log.
public struct Entry: Sendable, Hashable {
    public var term: UInt64
    public var index: UInt64
    public var kind: EntryKind
    public var data: [UInt8]

    public init(term: UInt64 = 0, index: UInt64 = 0, kind: EntryKind = .normal, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }

    /// Bytes counted against size limits (message size, uncommitted size, apply batch size).
    @inlinable
    public var payloadSize: UInt64 { UInt64(data.count) }

    /// Approximate encoded size, used to cut append messages at ``RaftConfig/maxSizePerMessage``.
    var sizeEstimate: UInt64 { UInt64(data.count) + 24 }
}

extension Collection where Element == Entry {
    /// Sum of the entries' payload sizes.
    @inlinable
    public var payloadSize: UInt64 {
        var total: UInt64 = 0
        for entry in self { total &+= entry.payloadSize }
        return total
    }
}

/// The part of a node's state that must be durable before it sends the messages of the same ``Ready``.
public struct HardState: Sendable, Hashable {
    public var term: UInt64
    public var vote: NodeID
    public var commit: UInt64

    public init(term: UInt64 = 0, vote: NodeID = .none, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    public var isEmpty: Bool { term == 0 && vote == .none && commit == 0 }
}

/// Volatile state that the application may want to observe (who leads, which role this node plays).
public struct SoftState: Sendable, Hashable {
    public var leader: NodeID
    public var role: RaftRole

    public init(leader: NodeID, role: RaftRole) {
        self.leader = leader
        self.role = role
    }
}

/// The role a node plays in its current term.
public enum RaftRole: UInt8, Sendable, Hashable, CustomStringConvertible {
    case follower
    case preCandidate
    case candidate
    case leader

    public var description: String {
        switch self {
        case .follower: "follower"
        case .preCandidate: "pre-candidate"
        case .candidate: "candidate"
        case .leader: "leader"
        }
    }
}

/// The result of a ReadIndex request: once the application has applied `index`, a read issued with
/// `context` observes every write committed before the request was made.
public struct ReadState: Sendable, Hashable {
    public var index: UInt64
    public var context: [UInt8]

    public init(index: UInt64, context: [UInt8]) {
        self.index = index
        self.context = context
    }
}
