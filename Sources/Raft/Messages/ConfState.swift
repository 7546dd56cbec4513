/// The membership configuration as recorded in snapshots and returned by ``RaftCore/applyConfChange(_:)``.
///
/// In a joint configuration `votersOutgoing` is non-empty and decisions need a majority of both
/// `voters` and `votersOutgoing`. `learnersNext` are voters of the outgoing configuration that become
/// learners once the joint configuration is left.
public struct ConfState: Sendable, Hashable {
    public var voters: [NodeID]
    public var learners: [NodeID]
    public var votersOutgoing: [NodeID]
    public var learnersNext: [NodeID]
    public var autoLeave: Bool

    public init(
        voters: [NodeID] = [],
        learners: [NodeID] = [],
        votersOutgoing: [NodeID] = [],
        learnersNext: [NodeID] = [],
        autoLeave: Bool = false
    ) {
        self.voters = voters.sorted()
        self.learners = learners.sorted()
        self.votersOutgoing = votersOutgoing.sorted()
        self.learnersNext = learnersNext.sorted()
        self.autoLeave = autoLeave
    }

    /// True when the configuration is joint (an outgoing voter set is still in force).
    public var isJoint: Bool { !votersOutgoing.isEmpty }

    /// Every node that appears in the configuration in any role.
    public var allMembers: Set<NodeID> {
        Set(voters).union(learners).union(votersOutgoing).union(learnersNext)
    }
}

/// One membership change.
public struct ConfChangeSingle: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable {
        /// Add a voter, or promote a learner to voter.
        case addVoter = 0
        /// Remove a voter or learner.
        case removeNode = 1
        /// Add a learner, or demote a voter to learner.
        case addLearner = 2
    }

    public var kind: Kind
    public var nodeID: NodeID

    public init(_ kind: Kind, _ nodeID: NodeID) {
        self.kind = kind
        self.nodeID = nodeID
    }
}

/// A membership change proposal: zero or more changes applied atomically.
///
/// - One change with ``Transition/auto`` is a single-server change applied directly.
/// - Several changes, or any change with ``Transition/jointImplicit`` / ``Transition/jointExplicit``,
///   go through joint consensus. With `auto` and `jointImplicit` the leader leaves the joint
///   configuration by itself once it is applied; with `jointExplicit` the application proposes an
///   empty `ConfChange` to leave.
/// - An empty change list means "leave the joint configuration".
public struct ConfChange: Sendable, Hashable {
    public enum Transition: UInt8, Sendable, Hashable {
        case auto = 0
        case jointImplicit = 1
        case jointExplicit = 2
    }

    public var transition: Transition
    public var changes: [ConfChangeSingle]
    /// Opaque application data (for example the address of a new member).
    public var context: [UInt8]

    public init(transition: Transition = .auto, changes: [ConfChangeSingle], context: [UInt8] = []) {
        self.transition = transition
        self.changes = changes
        self.context = context
    }

    /// A single-server change.
    public static func single(_ kind: ConfChangeSingle.Kind, _ nodeID: NodeID, context: [UInt8] = []) -> ConfChange {
        ConfChange(changes: [ConfChangeSingle(kind, nodeID)], context: context)
    }

    /// The change that leaves a joint configuration.
    public static var leaveJoint: ConfChange { ConfChange(changes: []) }

    /// Whether this change leaves a joint configuration.
    public var isLeaveJoint: Bool { changes.isEmpty }

    /// Whether applying this change enters a joint configuration, and if so whether to leave it automatically.
    public var entersJoint: (enters: Bool, autoLeave: Bool) {
        if transition != .auto || changes.count > 1 {
            return (true, transition != .jointExplicit)
        }
        return (false, false)
    }
}
