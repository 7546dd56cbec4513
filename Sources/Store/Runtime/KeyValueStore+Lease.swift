import Raft

/// A granted lease (etcd's `LeaseGrantResponse`).
public struct LeaseGrant: Sendable, Hashable {
    public var header: ResponseHeader
    public var id: Int64
    /// The TTL in force: the one asked for, raised to the store's minimum if lower.
    public var ttl: Int64
}

/// A lease's state (etcd's `LeaseTimeToLiveResponse`).
public struct LeaseTimeToLive: Sendable, Hashable {
    public var header: ResponseHeader
    public var id: Int64
    /// Seconds left before the leader expires it.
    public var ttl: Int64
    public var grantedTTL: Int64
    /// Attached keys, when asked for.
    public var keys: [[UInt8]]
}

extension KeyValueStore {
    /// Grants a lease of `ttl` seconds (raised to one and a half election timeouts if lower). `id` 0
    /// lets the store choose.
    public func grantLease(ttl: Int64, id: Int64 = 0) async throws(StoreError) -> LeaseGrant {
        if id < 0 { throw StoreError(.invalidArgument, "etcdserver: lease ID must be positive") }
        if ttl > MVCCStore.maxLeaseTTL { throw StoreError(.leaseTTLTooLarge, "etcdserver: too large lease TTL") }
        let ttl = max(ttl, options.minimumLeaseTTL)
        let chosen = id != 0 ? id : Int64.random(in: 1...Int64.max)
        var reader = try await propose(.grantLease(id: chosen, ttl: ttl))
        let revision = try Self.revision(&reader)
        lessor.withLock { l in
            if l.primaryTerm != 0 { l.deadlines[chosen] = elapsed() + .seconds(ttl) }
        }
        return LeaseGrant(header: header(revision), id: chosen, ttl: ttl)
    }

    /// Revokes a lease: every attached key is deleted, all at one revision.
    @discardableResult
    public func revokeLease(_ id: Int64) async throws(StoreError) -> ResponseHeader {
        var reader = try await propose(.revokeLease(id: id))
        return header(try Self.revision(&reader))
    }

    /// Renews a lease for its full TTL; returns that TTL. Only the leader keeps lease time.
    @discardableResult
    public func keepAlive(_ id: Int64) async throws(StoreError) -> Int64 {
        try await readBarrier()
        let ttl = try primaryLease(id)
        lessor.withLock { $0.deadlines[id] = elapsed() + .seconds(ttl) }
        return ttl
    }

    /// A lease's remaining and granted TTL, and optionally its keys (served by the leader).
    public func timeToLive(_ id: Int64, keys: Bool = false) async throws(StoreError) -> LeaseTimeToLive {
        try await readBarrier()
        let granted = try primaryLease(id)
        let (revision, attached) = machine.state.withLock { s in
            (s.mvcc.revision, keys ? (s.mvcc.leases[id]?.keys.sorted { compareBytes($0, $1) < 0 } ?? []) : [])
        }
        let now = elapsed()
        let deadline = lessor.withLock { $0.deadlines[id] } ?? now + .seconds(granted)
        let remaining = max(0, Int64(((deadline - now) / .seconds(1)).rounded(.up)))
        return LeaseTimeToLive(header: header(revision), id: id, ttl: remaining, grantedTTL: granted, keys: attached)
    }

    /// IDs of every lease.
    public func leases() async throws(StoreError) -> [Int64] {
        try await readBarrier()
        return machine.state.withLock { $0.mvcc.leases.keys.sorted() }
    }

    /// The lease's granted TTL, after making sure this member is the primary lessor.
    func primaryLease(_ id: Int64) throws(StoreError) -> Int64 {
        // Only the maintenance loop claims due leases: it is the one that proposes their expiry.
        refreshLessor(claimingDue: false)
        let status = raft.status()
        guard status.softState.role == .leader else {
            throw StoreError(.notLeader, "etcdserver: not leader (lease time is kept by the leader)", leaderHint: status.softState.leader)
        }
        guard let ttl = machine.state.withLock({ $0.mvcc.leases[id]?.ttl }) else {
            throw StoreError(.leaseNotFound, "etcdserver: requested lease not found")
        }
        return ttl
    }

    /// Updates the lessor from the Raft role and lease table; returns leases due for expiry (marked
    /// as expiring: the caller must propose their expiry), none unless `claimingDue`.
    @discardableResult
    func refreshLessor(claimingDue: Bool = true) -> [Int64] {
        let status = raft.status()
        let leases = machine.state.withLock { s in s.mvcc.leases.mapValues(\.ttl) }
        let now = elapsed()
        return lessor.withLock { l in
            l.refresh(isLeader: status.softState.role == .leader, term: status.hardState.term, leases: leases, now: now, claimingDue: claimingDue)
        }
    }

    static func revision(_ reader: inout BinaryReader) throws(StoreError) -> Int64 {
        do throws(RaftError) {
            return try reader.readSigned()
        } catch {
            throw StoreError(corrupt: error, "command result")
        }
    }
}
