import Foundation
import Raft
import Testing

@testable import Store

/// etcd v3 maintenance: status, key-space hash, snapshot backup and restore (etcdutl snapshot
/// restore into a new cluster), and automatic compaction (`--auto-compaction-mode` revision / periodic).
@Suite("MaintenanceTests: status, hash, backup and restore, auto compaction")
struct MaintenanceTests {
    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "store-maintenance-\(UUID().uuidString)"
    }

    /// A store with history, a deletion, a compaction, a transaction and a lease with keys.
    static func populate(_ store: KeyValueStore) async throws {
        _ = try await store.grantLease(ttl: 3_600, id: 77)
        for i in 0..<6 { try await store.put("h/\(i % 3)", "v\(i)") }  // 2...7
        try await store.deleteRange(DeleteRangeRequest(key: semBytes("h/1")))  // 8
        try await store.compact(4)
        _ = try await store.txn(TxnRequest(success: [
            .put(PutRequest(key: semBytes("t/a"), value: semBytes("1"))), .put(PutRequest(key: semBytes("t/b"), value: semBytes("2"), lease: 77)),
        ]))  // 9
        try await store.put("leased", "x", lease: 77)  // 10
    }

    // MARK: Status

    @Test("status: member, leader, raft term and indexes, revision, compact revision, keys, size")
    func status() async throws {
        try await withSemStore { store in
            // A new leader commits an empty entry of its term; wait until it is applied.
            #expect(await semEventually {
                let status = store.status()
                return status.raftAppliedIndex >= 1 && status.raftAppliedIndex == status.raftIndex
            }, "an idle member applied what it committed")
            let initial = store.status()
            #expect(initial.memberID == 1 && initial.leader == 1 && initial.header.memberID == 1)
            #expect(initial.raftTerm >= 1 && initial.header.raftTerm == initial.raftTerm)
            #expect(initial.revision == 1 && initial.header.revision == 1 && initial.compactRevision == 0 && initial.keys == 0)
            let value = String(repeating: "x", count: 1_024)
            for i in 0..<20 { try await store.put("k\(i % 5)", value) }
            var now = store.status()
            #expect(now.revision == 21 && now.keys == 5)
            #expect(now.raftAppliedIndex >= initial.raftAppliedIndex + 20 && now.raftAppliedIndex <= now.raftIndex)
            #expect(now.size >= 20 * 1_024 && now.size > initial.size, "history is held")
            try await store.deleteRange(DeleteRangeRequest(key: semBytes("k0")))
            now = store.status()
            #expect(now.keys == 4 && now.revision == 22)
            // Reads add no log entry.
            _ = try await store.range(RangeRequest(key: [0], rangeEnd: [0]))
            _ = try await store.get("k1")
            #expect(store.status().raftAppliedIndex == now.raftAppliedIndex)
            try await store.compact(22)
            let compacted = store.status()
            #expect(compacted.compactRevision == 22 && compacted.revision == 22 && compacted.keys == 4)
            #expect(compacted.size < now.size && compacted.size >= 4 * 1_024, "compaction frees history, keeps the current state")
        }
    }

    // MARK: Hash

    @Test("hash: equal for the same history, stable at a past revision, refused for compacted and future revisions")
    func hash() async throws {
        try await withSemStore { one in
            try await withSemStore { two in
                for store in [one, two] { try await Self.populate(store) }
                let a = try one.hash()
                let b = try two.hash()
                #expect(a.hash == b.hash && a.revision == 10 && a.compactRevision == 4 && a.header.revision == 10)
                let past = try one.hash(revision: 8)
                let pastTwo = try two.hash(revision: 8)
                #expect(past.revision == 8 && past.hash == pastTwo.hash)
                try await one.put("more", "x")  // 11
                #expect(try one.hash().hash != a.hash)
                #expect(try one.hash(revision: 10).hash == a.hash, "later writes do not change a past revision's hash")
                #expect(try one.hash(revision: 8).hash == past.hash)
                #expect(try one.hash(revision: 0).revision == 11)
                // Reads and refused writes leave it alone.
                _ = try await two.range(RangeRequest(key: [0], rangeEnd: [0]))
                _ = await semError { try await two.put("", "x") }
                _ = await semError { try await two.put(PutRequest(key: semBytes("nope"), ignoreValue: true)) }
                #expect(try two.hash().hash == b.hash)
                let future = await semError { _ = try one.hash(revision: 12) }
                #expect(future?.code == .futureRevision)
                let compacted = await semError { _ = try one.hash(revision: 3) }
                #expect(compacted?.code == .compacted && compacted?.compactRevision == 4)
                // A different value at the same revisions: a different hash.
                try await two.put("more", "y")
                let diverged = try one.hash()
                #expect(try two.hash().hash != diverged.hash)
            }
        }
    }

    // MARK: Backup and restore

    @Test("backup then restore into a new single-member store: same revision, history, leases and hash")
    func backupAndRestoreSingle() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/backup.db"
        let (revision, hash, pastHash, old) = try await withSemStore { store in
            try await Self.populate(store)
            let revision = try await store.backup(to: path)
            let hash = try store.hash()
            let old = try await store.range(RangeRequest(key: [0], rangeEnd: [0], revision: 5))
            try await store.put("after-backup", "x")  // not in the backup
            return (revision, hash, try store.hash(revision: 7), old)
        }
        #expect(revision == 10 && hash.revision == 10)

        let target = directory + "/member-1"
        #expect(try KeyValueStore.restore(backup: path, into: target) == revision)
        let restored = try await KeyValueStore.open(directory: target)
        do {
            let status = restored.status()
            #expect(status.revision == revision && status.compactRevision == 4 && status.keys == 5)
            #expect(try restored.hash().hash == hash.hash)
            #expect(try restored.hash(revision: 7).hash == pastHash.hash)
            let history = try await restored.range(RangeRequest(key: [0], rangeEnd: [0], revision: 5))
            #expect(history.kvs == old.kvs && history.count == old.count)
            #expect(try await restored.get("after-backup") == nil)
            #expect(try await restored.leases() == [77])
            let lease = try await restored.timeToLive(77, keys: true)
            #expect(lease.grantedTTL == 3_600 && lease.keys == [semBytes("leased"), semBytes("t/b")])
            try await restored.put("after-restore", "y")
            #expect(restored.status().revision == revision + 1)
            // A restored watch replays history after the compact revision.
            let watch = try restored.watch(.prefix(semBytes("t/"), startRevision: 9))
            #expect(try await semEvents(watch, count: 2).events.map { semText($0.kv.key) } == ["t/a", "t/b"])
            await restored.close()
        } catch {
            await restored.close()
            throw error
        }
        // Restoring over an existing log is refused.
        let again = await semError { _ = try KeyValueStore.restore(backup: path, into: target) }
        #expect(again?.code == .invalidArgument)
    }

    @Test("restore every member of a new 3-member cluster from one backup: identical hashes, then writes replicate")
    func restoreThreeMembers() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/backup.db"
        let (revision, hash) = try await withSemStore { store in
            try await Self.populate(store)
            let revision = try await store.backup(to: path)
            return (revision, try store.hash(revision: revision))
        }
        let members: [UInt64] = [1, 2, 3]
        for id in members {
            #expect(try KeyValueStore.restore(backup: path, into: directory + "/m\(id)", members: members) == revision)
        }
        let cluster = try SemCluster(members: members) { id in try FileLog(directory: directory + "/m\(id)") }
        try await cluster.using { cluster in
            for store in cluster.stores.values {
                #expect(store.status().revision == revision)
                #expect(try store.hash().hash == hash.hash, "member \(store.memberID)")
            }
            let leader = try await cluster.electLeader()
            #expect(cluster.stores.values.allSatisfy { $0.raft.status().confState.voters.sorted() == members })
            _ = try await cluster.driving { try await leader.put("new", "after restore") }
            let caughtUp = await cluster.advance(until: { cluster.stores.values.allSatisfy { $0.status().revision == revision + 1 } }, atMost: .seconds(5))
            #expect(caughtUp)
            let hashes = try cluster.stores.values.map { try $0.hash().hash }
            #expect(Set(hashes).count == 1)
            for store in cluster.stores.values {
                #expect(try store.hash(revision: revision).hash == hash.hash)
                #expect(try await store.range(RangeRequest(key: semBytes("new"), serializable: true)).kvs.first?.value == semBytes("after restore"))
                #expect(try await store.range(RangeRequest(key: semBytes("leased"), serializable: true)).kvs.first?.lease == 77)
            }
        }
    }

    @Test("a corrupted backup is refused with .corrupt naming the file and the offset; nothing is created")
    func corruptBackups() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/backup.db"
        try await withSemStore { store in
            try await Self.populate(store)
            try await store.backup(to: path)
        }
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(good.count > 64)
        var flipped = good
        flipped[good.count - 10] ^= 0x40
        var lengthField = good
        lengthField[6] ^= 0x01
        let variants: [(String, [UInt8])] = [
            ("a flipped bit in the image", flipped),
            ("a flipped bit in the header's length", lengthField),
            ("a truncated file", Array(good.prefix(good.count / 2))),
            ("a truncated header", Array(good.prefix(9))),
            ("not a backup", Array("definitely not a store backup file".utf8)),
            ("an empty file", []),
        ]
        for (name, bytes) in variants {
            let bad = directory + "/bad-\(UUID().uuidString).db"
            try Data(bytes).write(to: URL(fileURLWithPath: bad))
            let target = directory + "/target-\(UUID().uuidString)"
            let error = await semError { _ = try KeyValueStore.restore(backup: bad, into: target) }
            #expect(error?.code == .corrupt, "\(name): \(String(describing: error))")
            #expect(error?.message.contains(bad) == true, "\(name): the message names the file: \(error?.message ?? "")")
            #expect(error?.message.contains("offset") == true, "\(name): the message names the offset: \(error?.message ?? "")")
            #expect(!FileManager.default.fileExists(atPath: target), "\(name): nothing restored")
        }
        let missing = await semError { _ = try KeyValueStore.restore(backup: directory + "/missing.db", into: directory + "/t") }
        #expect(missing != nil && missing?.code != .corrupt)
        // The intact backup still restores.
        #expect(try KeyValueStore.restore(backup: path, into: directory + "/ok") == 10)
    }

    // MARK: Auto compaction

    @Test("auto compaction by revisions keeps the last N revisions, checked on the leader's schedule")
    func autoCompactionByRevisions() async throws {
        var options = KeyValueStore.Options()
        options.autoCompaction = .revisions(5, every: .seconds(1))
        try await SemCluster.withSingle(options: options) { cluster in
            let store = cluster.store
            for i in 0..<20 { try await store.put("k\(i % 4)", "v\(i)") }  // 2...21
            await cluster.advance(by: .milliseconds(500))
            #expect(store.status().compactRevision == 0, "not before the first check")
            let first = await cluster.advance(until: { store.status().compactRevision != 0 }, atMost: .seconds(2))
            #expect(first && store.status().compactRevision == 16)
            let old = await semError { _ = try await store.range(RangeRequest(key: semBytes("k0"), revision: 15)) }
            #expect(old?.code == .compacted && old?.compactRevision == 16)
            #expect(try await store.range(RangeRequest(key: [0], rangeEnd: [0], revision: 16)).count == 4)
            for i in 0..<3 { try await store.put("k\(i)", "w\(i)") }  // 22...24
            let second = await cluster.advance(until: { store.status().compactRevision == 19 }, atMost: .seconds(2))
            #expect(second, "compact revision \(store.status().compactRevision)")
            // Nothing new: it stays.
            await cluster.advance(by: .seconds(3))
            #expect(store.status().compactRevision == 19 && store.status().revision == 24)
        }
    }

    @Test("auto compaction by period keeps the history of the last period")
    func autoCompactionByPeriod() async throws {
        var options = KeyValueStore.Options()
        options.autoCompaction = .period(.seconds(10))
        try await SemCluster.withSingle(options: options) { cluster in
            let store = cluster.store
            let start = cluster.clock.now
            for i in 0..<10 { try await store.put("k\(i % 3)", "v\(i)") }  // 2...11 at t = 0
            let early: Int64 = 11
            await cluster.advance(by: .seconds(5))
            for i in 0..<5 { try await store.put("k\(i % 3)", "w\(i)") }  // 12...16 at t = 5
            let late: Int64 = 16
            await cluster.advance(by: .seconds(4))
            #expect(store.status().compactRevision == 0, "nothing is 10 s old yet")
            let first = await cluster.advance(until: { store.status().compactRevision != 0 }, atMost: .seconds(5))
            #expect(first, "no compaction within 14 s")
            #expect(store.status().compactRevision == early)
            #expect(start.duration(to: cluster.clock.now) >= .seconds(10))
            // Revisions written 5 s ago are still readable.
            #expect(try await store.range(RangeRequest(key: semBytes("k0"), revision: early)).kvs.first?.value == semBytes("v9"))
            #expect(try await store.range(RangeRequest(key: semBytes("k0"), revision: early + 1)).kvs.first?.value == semBytes("w0"))
            let second = await cluster.advance(until: { store.status().compactRevision == late }, atMost: .seconds(7))
            #expect(second, "compact revision \(store.status().compactRevision)")
            #expect(start.duration(to: cluster.clock.now) >= .seconds(15))
        }
    }
}
