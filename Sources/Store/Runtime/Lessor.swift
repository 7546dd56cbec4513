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

    /// Expiries claimed per refresh (the maintenance loop refreshes every 500 ms by default: etcd's
    /// 1,000 revocations a second). The rest stay due for the next refresh, so a mass expiry is a
    /// steady trickle of proposals, never one task per lease at once.
    static let maxExpiriesPerRefresh = 500

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
        let due = deadlines.filter { $0.value <= now && !expiring.contains($0.key) }
            .sorted { ($0.value, $0.key) < ($1.value, $1.key) }
            .prefix(Self.maxExpiriesPerRefresh)
            .map(\.key)
        expiring.formUnion(due)
        return due
    }
}
