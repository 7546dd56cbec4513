/// The outcome of a vote count.
public enum VoteResult: Sendable, Hashable {
    case pending
    case lost
    case won
}

/// A set of voters deciding by simple majority.
struct MajorityConfig: Hashable, Sendable {
    var ids: Set<NodeID> = []

    /// The highest index acknowledged by a majority, given each voter's acknowledged index.
    /// An empty configuration commits everything (so that it never constrains a joint one).
    func committedIndex(_ acked: (NodeID) -> UInt64?) -> UInt64 {
        let n = ids.count
        if n == 0 { return .max }
        if n == 1 { return acked(ids.first!) ?? 0 }
        // Small clusters: collect into a stack-friendly array and sort descending.
        var values: [UInt64] = []
        values.reserveCapacity(n)
        for id in ids { values.append(acked(id) ?? 0) }
        values.sort(by: >)
        return values[n / 2]
    }

    func voteResult(_ votes: [NodeID: Bool]) -> VoteResult {
        if ids.isEmpty { return .won }
        var granted = 0
        var missing = 0
        for id in ids {
            switch votes[id] {
            case true?: granted += 1
            case false?: break
            case nil: missing += 1
            }
        }
        let quorum = ids.count / 2 + 1
        if granted >= quorum { return .won }
        if granted + missing >= quorum { return .pending }
        return .lost
    }
}

/// Two majority configurations that must both agree (joint consensus, §6 of the Raft thesis).
struct JointConfig: Hashable, Sendable {
    var incoming = MajorityConfig()
    var outgoing = MajorityConfig()

    var isJoint: Bool { !outgoing.ids.isEmpty }
    var allIDs: Set<NodeID> { incoming.ids.union(outgoing.ids) }

    func committedIndex(_ acked: (NodeID) -> UInt64?) -> UInt64 {
        min(incoming.committedIndex(acked), outgoing.committedIndex(acked))
    }

    func voteResult(_ votes: [NodeID: Bool]) -> VoteResult {
        let a = incoming.voteResult(votes)
        let b = outgoing.voteResult(votes)
        if a == b { return a }
        if a == .lost || b == .lost { return .lost }
        return .pending
    }
}
