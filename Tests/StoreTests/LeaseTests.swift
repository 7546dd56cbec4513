import Foundation
import Raft
import Testing

@testable import Store

/// etcd v3 lease semantics (LeaseGrant, LeaseRevoke, LeaseKeepAlive, LeaseTimeToLive, LeaseLeases),
/// on virtual time: a ``ManualClock`` drives Raft, the lessor and expiry.
@Suite("LeaseTests: etcd leases on virtual time")
struct LeaseTests {
    static func exists(_ store: KeyValueStore, _ key: String) async throws -> Bool {
        try await !store.range(RangeRequest(key: semBytes(key), serializable: true)).kvs.isEmpty
    }

    static func leaseGone(_ store: KeyValueStore, _ id: Int64) async throws -> Bool {
        try await !store.leases().contains(id)
    }

    @Test("grant: TTL raised to 1.5 election timeouts (rounded up to seconds), IDs chosen or given, no revision")
    func grant() async throws {
        try await SemCluster.withSingle { cluster in
            let store = cluster.store
            let revision = store.status().revision
            #expect(try await store.grantLease(ttl: 1).ttl == 2, "1.5 × 1 s election timeout, rounded up")
            #expect(try await store.grantLease(ttl: 0).ttl == 2)
            #expect(try await store.grantLease(ttl: 2).ttl == 2)
            let ten = try await store.grantLease(ttl: 10)
            #expect(ten.ttl == 10 && ten.id > 0)
            let given = try await store.grantLease(ttl: 30, id: 12_345)
            #expect(given.id == 12_345 && given.ttl == 30)
            let duplicate = await semError { _ = try await store.grantLease(ttl: 30, id: 12_345) }
            #expect(duplicate?.code == .leaseExists)
            let huge = await semError { _ = try await store.grantLease(ttl: 9_000_000_001) }
            #expect(huge?.code == .leaseTTLTooLarge)
            #expect(try await store.grantLease(ttl: 9_000_000_000).ttl == 9_000_000_000, "etcd's MaxLeaseTTL itself is allowed")
            let all = try await store.leases()
            #expect(all.count == 6 && Set(all).count == 6 && all.contains(12_345) && all.contains(ten.id))
            #expect(store.status().revision == revision, "a grant writes no key")
            let ttl = try await store.timeToLive(given.id)
            #expect(ttl.grantedTTL == 30 && ttl.id == given.id && ttl.keys.isEmpty)
        }
        var options = KeyValueStore.Options()
        options.raft.electionTimeout = .seconds(3)
        try await SemCluster.withSingle(options: options) { cluster in
            let raised = try await cluster.store.grantLease(ttl: 1)
            #expect(raised.ttl == 5, "1.5 × 3 s = 4.5 s, rounded up")
            let seven = try await cluster.store.grantLease(ttl: 7)
            #expect(seven.ttl == 7)
        }
    }

    @Test("timeToLive: remaining and granted TTL, attached keys in order; keys detach on delete and on a lease-less put")
    func timeToLive() async throws {
        try await SemCluster.withSingle { cluster in
            let store = cluster.store
            let lease = try await store.grantLease(ttl: 10).id
            try await store.put("k2", "v", lease: lease)
            try await store.put("k1", "v", lease: lease)
            try await store.put("free", "v")
            var ttl = try await store.timeToLive(lease, keys: true)
            #expect(ttl.ttl == 10 && ttl.grantedTTL == 10 && ttl.keys == [semBytes("k1"), semBytes("k2")])
            #expect(ttl.header.revision == store.status().revision)
            await cluster.advance(by: .seconds(3))
            ttl = try await store.timeToLive(lease)
            #expect((6...7).contains(ttl.ttl), "3 s of 10 elapsed: \(ttl.ttl)")
            #expect(ttl.grantedTTL == 10 && ttl.keys.isEmpty, "keys only when asked")
            try await store.deleteRange(DeleteRangeRequest(key: semBytes("k1")))
            #expect(try await store.timeToLive(lease, keys: true).keys == [semBytes("k2")])
            try await store.put("k2", "no lease")
            #expect(try await store.timeToLive(lease, keys: true).keys.isEmpty)
            #expect(try await store.get("k2")?.lease == 0)
            // A lease without keys still expires, and its expiry writes nothing.
            let revision = store.status().revision
            let gone = try await cluster.advance(until: { try await Self.leaseGone(store, lease) }, atMost: .seconds(10))
            #expect(gone)
            #expect(store.status().revision == revision)
            #expect(try await store.get("k2")?.value == semBytes("no lease"))
            let after = await semError { _ = try await store.timeToLive(lease) }
            #expect(after?.code == .leaseNotFound)
        }
    }

    @Test("expiry: not before the TTL; then every attached key is deleted at one revision, each a delete event")
    func expiry() async throws {
        try await SemCluster.withSingle { cluster in
            let store = cluster.store
            await cluster.advance(by: .milliseconds(250))
            let granted = cluster.clock.now
            let lease = try await store.grantLease(ttl: 3, id: 42).id
            for key in ["e/3", "e/1", "e/2"] { try await store.put(key, "v-" + key, lease: lease) }
            try await store.put("e/free", "v")
            let watch = try store.watch(.prefix(semBytes("e/"), prevKV: true))
            let revision = store.status().revision
            await cluster.advance(by: .milliseconds(2_600))
            #expect(try await Self.exists(store, "e/1"), "expired early")
            #expect(try await store.leases().contains(lease), "expired early")
            let expired = try await cluster.advance(until: { try await Self.leaseGone(store, lease) }, atMost: .seconds(5))
            #expect(expired)
            let lifetime = granted.duration(to: cluster.clock.now)
            #expect(lifetime >= .seconds(3) && lifetime <= .seconds(4), "lived \(lifetime)")
            let events = try await semEvents(watch, count: 3).events
            #expect(events.map { semText($0.kv.key) } == ["e/1", "e/2", "e/3"])
            #expect(events.allSatisfy { $0.kind == .delete && $0.kv.modRevision == revision + 1 })
            #expect(events.allSatisfy { $0.prevKV?.lease == lease && $0.prevKV?.value == semBytes("v-") + $0.kv.key })
            #expect(store.status().revision == revision + 1, "one revision for every key")
            #expect(try await store.range(.prefix(semBytes("e/"))).kvs.map { semText($0.key) } == ["e/free"])
            for error in [
                await semError { _ = try await store.timeToLive(lease) },
                await semError { try await store.keepAlive(lease) },
                await semError { try await store.revokeLease(lease) },
                await semError { try await store.put("e/new", "v", lease: lease) },
            ] {
                #expect(error?.code == .leaseNotFound)
            }
        }
    }

    @Test("keepAlive renews the full TTL; without it the lease expires a TTL after the last renewal")
    func keepAlive() async throws {
        try await SemCluster.withSingle { cluster in
            let store = cluster.store
            let lease = try await store.grantLease(ttl: 5).id
            try await store.put("kept", "v", lease: lease)
            await cluster.advance(by: .seconds(4))
            #expect(try await store.keepAlive(lease) == 5)
            let renewed = cluster.clock.now
            #expect(try await store.timeToLive(lease).ttl == 5)
            await cluster.advance(by: .seconds(4))
            #expect(try await Self.exists(store, "kept"), "8 s after the grant, 4 s after the renewal")
            #expect((1...2).contains(try await store.timeToLive(lease).ttl))
            let gone = try await cluster.advance(until: { try await !Self.exists(store, "kept") }, atMost: .seconds(5))
            #expect(gone)
            #expect(renewed.duration(to: cluster.clock.now) >= .seconds(5))
        }
    }

    /// A client keeps one lease alive while another runs out: calls that consult the lessor
    /// (keep-alive, time-to-live) must not swallow the other lease's expiry.
    @Test("a lease expires while another one is kept alive")
    func expiryWhileAnotherIsKeptAlive() async throws {
        try await SemCluster.withSingle { cluster in
            let store = cluster.store
            let kept = try await store.grantLease(ttl: 60).id
            await cluster.advance(by: .milliseconds(250))
            let short = try await store.grantLease(ttl: 2).id
            try await store.put("short", "v", lease: short)
            try await store.put("kept", "v", lease: kept)
            _ = try await store.timeToLive(short)
            // A busy client: a keep-alive for the other lease every 100 ms of virtual time.
            let expired = try await cluster.advance(until: {
                try await store.keepAlive(kept)
                return try await !Self.exists(store, "short")
            }, atMost: .seconds(6))
            #expect(expired, "the short lease never expired")
            #expect(try await Self.exists(store, "kept"))
        }
    }

    @Test("revoke: every attached key deleted at one new revision; a lease without keys writes nothing")
    func revoke() async throws {
        try await SemCluster.withSingle { cluster in
            let store = cluster.store
            let lease = try await store.grantLease(ttl: 600).id
            let empty = try await store.grantLease(ttl: 600).id
            for key in ["r/b", "r/a"] { try await store.put(key, "v", lease: lease) }
            let watch = try store.watch(.prefix(semBytes("r/")))
            let revision = store.status().revision
            let header = try await store.revokeLease(lease)
            #expect(header.revision == revision + 1 && store.status().revision == revision + 1)
            let events = try await semEvents(watch, count: 2).events
            #expect(events.map { semText($0.kv.key) } == ["r/a", "r/b"] && events.allSatisfy { $0.kind == .delete && $0.kv.modRevision == revision + 1 })
            #expect(try await store.range(.prefix(semBytes("r/"))).kvs.isEmpty)
            #expect(try await store.leases() == [empty])
            let emptyHeader = try await store.revokeLease(empty)
            #expect(emptyHeader.revision == revision + 1 && store.status().revision == revision + 1)
            #expect(try await store.leases().isEmpty)
        }
    }

    @Test("a lease survives a leader change (the new leader restarts its countdown) and still expires without keep-alive")
    func survivesLeaderChange() async throws {
        let cluster = try SemCluster(members: [1, 2, 3])
        try await cluster.using { cluster in
            let leader = try await cluster.electLeader()
            let grant = try await cluster.driving { try await leader.grantLease(ttl: 6) }
            let granted = cluster.clock.now
            _ = try await cluster.driving { try await leader.put("leased", "v", lease: grant.id) }
            _ = try await cluster.driving { try await leader.put("plain", "v") }
            let applied = await cluster.advance(until: { cluster.stores.values.allSatisfy { $0.status().revision == 3 } }, atMost: .seconds(5))
            #expect(applied)
            var watches: [UInt64: Watch] = [:]
            for (id, store) in cluster.stores { watches[id] = try store.watch(WatchRequest(key: semBytes("leased"))) }

            // Followers do not keep lease time.
            let follower = try #require(cluster.stores.values.first { $0.memberID != leader.memberID })
            let refused = await semError { _ = try await cluster.driving { try await follower.timeToLive(grant.id) } }
            #expect(refused?.code == .notLeader && refused?.leaderHint == leader.memberID)

            await cluster.advance(by: .seconds(4))
            let target = follower.memberID
            try await cluster.driving { try await leader.raft.transferLeadership(to: target) }
            let moved = await cluster.advance(until: {
                cluster.stores.values.allSatisfy { $0.raft.status().softState.leader == target }
                    && cluster[target].raft.status().softState.role == .leader
            }, atMost: .seconds(10))
            #expect(moved)
            let changed = cluster.clock.now
            let newLeader = cluster[target]

            // Past the original deadline (6 s after the grant) the lease is still there.
            await cluster.advance(by: .seconds(3))
            #expect(granted.duration(to: cluster.clock.now) > .seconds(6) + .milliseconds(500))
            for store in cluster.stores.values {
                #expect(try await Self.exists(store, "leased"), "member \(store.memberID) lost the key at the leader change")
            }
            let ttl = try await cluster.driving { try await newLeader.timeToLive(grant.id, keys: true) }
            #expect(ttl.grantedTTL == 6 && ttl.ttl > 0 && ttl.keys == [semBytes("leased")])
            let old = await semError { _ = try await cluster.driving { try await leader.timeToLive(grant.id) } }
            #expect(old?.code == .notLeader)

            // Without keep-alive it expires, on every member, as a delete event.
            let expired = try await cluster.advance(until: {
                for store in cluster.stores.values where try await Self.exists(store, "leased") { return false }
                return true
            }, atMost: .seconds(10))
            #expect(expired)
            let sinceChange = changed.duration(to: cluster.clock.now)
            #expect(sinceChange >= .seconds(5) && sinceChange <= .seconds(8), "expired \(sinceChange) after the leader change")
            for (id, watch) in watches {
                let events = try await semEvents(watch, count: 1).events
                #expect(events.map(\.kind) == [.delete] && events.first?.kv.modRevision == 4, "member \(id)")
            }
            for store in cluster.stores.values {
                #expect(try await Self.exists(store, "plain"))
                #expect(store.status().revision == 4)
            }
            #expect(try await cluster.driving { try await newLeader.leases() }.isEmpty)
        }
    }
}
