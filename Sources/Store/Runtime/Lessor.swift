/// The leader's lease clock. Only the leader ("primary") counts down; its decisions reach every
/// member as log entries. A new leader starts every lease's countdown afresh (etcd's promotion), so a
/// leader change can only lengthen a lease, never cut it short.
struct Lessor: Sendable {
    /// The term this member leads in, while it acts as the primary lessor (0: not primary).
    var primaryTerm: UInt64 = 0
    /// Deadline per lease, as time since the store started.
    var deadlines: [Int64: Duration] = [:]
    /// Leases whose expiry was proposed and not yet applied.
    var expiring: Set<Int64> = []

    /// Brings the lessor up to date with this member's role and the replicated lease table; returns
    /// leases now due for expiry (once each), and marks them expiring, when `claimingDue`.
    mutating func refresh(isLeader: Bool, term: UInt64, leases: [Int64: Int64], now: Duration, claimingDue: Bool = true) -> [Int64] {
        guard isLeader else {
            primaryTerm = 0
            deadlines = [:]
            expiring = []
            return []
        }
        if primaryTerm != term {
            primaryTerm = term
            deadlines = [:]
            expiring = []
        }
        for (id, ttl) in leases where deadlines[id] == nil { deadlines[id] = now + .seconds(ttl) }
        for id in deadlines.keys where leases[id] == nil {
            deadlines[id] = nil
            expiring.remove(id)
        }
        if !claimingDue { return [] }
        var due: [Int64] = []
        for (id, deadline) in deadlines where deadline <= now && !expiring.contains(id) {
            expiring.insert(id)
            due.append(id)
        }
        return due.sorted()
    }
}
