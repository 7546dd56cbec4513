/// Errors the Raft core and its storage report. Codes are open-ended: new ones may be added.
public struct RaftError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidConfig, proposalDropped, notLeader, compacted, unavailable
            case snapshotOutOfDate, snapshotTemporarilyUnavailable, stepLocalMessage, stepPeerNotFound
            case invariantViolation, confChangeRefused, corrupt
            case shuttingDown, timeout, storageFailure, outcomeUnknown
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The configuration is invalid.
        public static let invalidConfig = Code(.invalidConfig)
        /// The proposal was not accepted (no leader known, leadership transfer in progress, too many
        /// uncommitted bytes, or this node was removed).
        public static let proposalDropped = Code(.proposalDropped)
        /// This node is not the leader; ``RaftError/leaderHint`` names the leader if known.
        public static let notLeader = Code(.notLeader)
        /// The requested index is older than the first index kept in the log (compacted).
        public static let compacted = Code(.compacted)
        /// The requested index is newer than the last index in the log.
        public static let unavailable = Code(.unavailable)
        /// A snapshot older than the one stored was offered.
        public static let snapshotOutOfDate = Code(.snapshotOutOfDate)
        /// The storage cannot produce a snapshot right now; Raft will retry later.
        public static let snapshotTemporarilyUnavailable = Code(.snapshotTemporarilyUnavailable)
        /// A message of a kind that only this node may generate came from the network.
        public static let stepLocalMessage = Code(.stepLocalMessage)
        /// A response came from a node that is not in the configuration.
        public static let stepPeerNotFound = Code(.stepPeerNotFound)
        /// A message or the stored state contradicts Raft's invariants (for example a peer asks to
        /// overwrite a committed entry, or the durable log lost entries it had acknowledged).
        public static let invariantViolation = Code(.invariantViolation)
        /// A membership change was refused (another is pending, or it would leave no voters).
        public static let confChangeRefused = Code(.confChangeRefused)
        /// Encoded bytes could not be decoded.
        public static let corrupt = Code(.corrupt)
        /// The node is stopping or stopped; the request was not (or may not have been) carried out.
        public static let shuttingDown = Code(.shuttingDown)
        /// The request did not complete in time; its outcome is unknown (it may still commit).
        public static let timeout = Code(.timeout)
        /// The request was accepted but leadership changed before its fate was known: it may or may
        /// not take effect. Retry only if the operation is idempotent, or read to find out.
        public static let outcomeUnknown = Code(.outcomeUnknown)
        /// Durable storage failed; the node stops rather than continue without durability.
        public static let storageFailure = Code(.storageFailure)

        public var description: String { String(describing: base) }
    }

    public var code: Code
    public var message: String
    /// For ``Code/notLeader``: the leader this node knows of, or `NodeID.none`.
    public var leaderHint: NodeID

    public init(_ code: Code, _ message: String = "", leaderHint: NodeID = .none) {
        self.code = code
        self.message = message
        self.leaderHint = leaderHint
    }

    public var description: String {
        var text = "RaftError(\(code))"
        if !message.isEmpty { text += ": \(message)" }
        if leaderHint != .none { text += " (leader \(leaderHint))" }
        return text
    }

    public static func == (lhs: RaftError, rhs: RaftError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
