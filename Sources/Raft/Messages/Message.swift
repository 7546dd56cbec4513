/// The kinds of messages Raft members exchange.
public enum MessageKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A proposal forwarded from a follower to the leader.
    case propose = 1
    case append = 2
    case appendResponse = 3
    case vote = 4
    case voteResponse = 5
    case preVote = 6
    case preVoteResponse = 7
    case snapshot = 8
    case heartbeat = 9
    case heartbeatResponse = 10
    /// Asks the leader to transfer leadership to `from`.
    case transferLeader = 11
    /// Tells the transfer target to campaign at once.
    case timeoutNow = 12
    case readIndex = 13
    case readIndexResponse = 14

    public var description: String {
        switch self {
        case .propose: "Propose"
        case .append: "Append"
        case .appendResponse: "AppendResponse"
        case .vote: "Vote"
        case .voteResponse: "VoteResponse"
        case .preVote: "PreVote"
        case .preVoteResponse: "PreVoteResponse"
        case .snapshot: "Snapshot"
        case .heartbeat: "Heartbeat"
        case .heartbeatResponse: "HeartbeatResponse"
        case .transferLeader: "TransferLeader"
        case .timeoutNow: "TimeoutNow"
        case .readIndex: "ReadIndex"
        case .readIndexResponse: "ReadIndexResponse"
        }
    }

    /// Responses are not answered in turn; used to decide how to treat stale terms.
    var isResponse: Bool {
        switch self {
        case .appendResponse, .voteResponse, .preVoteResponse, .heartbeatResponse, .readIndexResponse: true
        default: false
        }
    }
}

/// A message between members. Which fields matter depends on ``kind``:
///
/// | kind | index / logTerm | entries | commit | reject / rejectHint | context |
/// |---|---|---|---|---|---|
/// | append | entry preceding `entries` | yes | leader commit | | |
/// | appendResponse | last index accepted or rejected | | | rejected, hint index + `logTerm` hint | |
/// | vote, preVote | candidate's last index/term | | | | `campaignTransfer` when forced |
/// | heartbeat | lease tick | | min(match, commit) | | ReadIndex context |
/// | readIndex / readIndexResponse | read index (response) | | | | request context |
public struct Message: Sendable, Hashable {
    public var kind: MessageKind
    public var from: NodeID
    public var to: NodeID
    public var term: UInt64
    public var logTerm: UInt64
    public var index: UInt64
    public var entries: [Entry]
    public var commit: UInt64
    public var reject: Bool
    public var rejectHint: UInt64
    public var snapshot: Snapshot?
    public var context: [UInt8]

    public init(
        kind: MessageKind,
        from: NodeID = .none,
        to: NodeID = .none,
        term: UInt64 = 0,
        logTerm: UInt64 = 0,
        index: UInt64 = 0,
        entries: [Entry] = [],
        commit: UInt64 = 0,
        reject: Bool = false,
        rejectHint: UInt64 = 0,
        snapshot: Snapshot? = nil,
        context: [UInt8] = []
    ) {
        self.kind = kind
        self.from = from
        self.to = to
        self.term = term
        self.logTerm = logTerm
        self.index = index
        self.entries = entries
        self.commit = commit
        self.reject = reject
        self.rejectHint = rejectHint
        self.snapshot = snapshot
        self.context = context
    }
}

extension Message: CustomStringConvertible {
    public var description: String {
        var text = "\(from)->\(to) \(kind) term=\(term)"
        switch kind {
        case .append:
            text += " idx=\(index) logTerm=\(logTerm) ents=\(entries.count) commit=\(commit)"
        case .appendResponse:
            text += " idx=\(index)" + (reject ? " reject hint=\(rejectHint)/\(logTerm)" : "")
        case .vote, .preVote:
            text += " last=\(index)/\(logTerm)"
        case .voteResponse, .preVoteResponse:
            text += reject ? " rejected" : " granted"
        case .heartbeat:
            text += " commit=\(commit)"
        case .snapshot:
            text += " snap=\(snapshot?.metadata.index ?? 0)/\(snapshot?.metadata.term ?? 0)"
        case .readIndexResponse:
            text += " idx=\(index)"
        default:
            break
        }
        return text
    }
}

/// The context carried by a vote request that a leadership transfer forces past the leader lease.
public let campaignTransferContext: [UInt8] = Array("CampaignTransfer".utf8)
