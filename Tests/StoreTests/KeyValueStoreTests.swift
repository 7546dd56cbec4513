import Foundation
import Raft
import Testing

@testable import Store

@Suite("KeyValueStore: embedded, in-memory and single-member shapes")
struct KeyValueStoreTests {
    @Test("put, get, delete and txn through the in-memory store")
    func basics() async throws {
        let store = try await KeyValueStore.inMemory()
        defer { Task { await store.close() } }
        let put = try await store.put("a", "1")
        #expect(put.header.revision == 2)
        #expect(try await store.get("a")?.value == Array("1".utf8))
        let txn = try await store.txn(
            TxnRequest(
                compare: [Compare(key: Array("a".utf8), .value(Array("1".utf8)), .equal)],
                success: [.put(PutRequest(key: Array("b".utf8), value: Array("2".utf8))), .range(RangeRequest(key: Array("a".utf8)))]
            )
        )
        #expect(txn.succeeded)
        #expect(txn.header.revision == 3)
        let deleted = try await store.deleteRange(DeleteRangeRequest(key: Array("a".utf8), rangeEnd: Array("c".utf8), prevKV: true))
        #expect(deleted.deleted == 2)
        #expect(deleted.prevKVs.map(\.key) == [Array("a".utf8), Array("b".utf8)])
        let serializable = try await store.range(RangeRequest(key: Array("a".utf8), serializable: true))
        #expect(serializable.kvs.isEmpty && serializable.header.revision == 4)
        await #expect(throws: StoreError.self) { try await store.put("", "x") }
        #expect(store.status().revision == 4)
    }

    @Test("a watch replays history from its start revision, then follows live writes")
    func watchReplayThenLive() async throws {
        let store = try await KeyValueStore.inMemory()
        defer { Task { await store.close() } }
        for i in 0..<5 { try await store.put("k/\(i)", "v\(i)") }
        let watch = try store.watch(.prefix(Array("k/".utf8), startRevision: 3))
        var iterator = watch.makeAsyncIterator()
        var revisions: [Int64] = []
        while revisions.count < 4, let response = try await iterator.next() {
            revisions += response.events.map(\.kv.modRevision)
        }
        #expect(revisions == [3, 4, 5, 6])
        try await store.put("k/9", "live")
        try await store.put("other", "x")
        try await store.put("k/9", "again")
        var live: [Int64] = []
        while live.count < 2, let response = try await iterator.next() {
            live += response.events.map(\.kv.modRevision)
        }
        #expect(live == [7, 9])
        watch.cancel()
        #expect(try await iterator.next() == nil)
    }

    @Test("reopening the embedded store's directory recovers every acknowledged write")
    func embeddedReopen() async throws {
        let directory = NSTemporaryDirectory() + "kv-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var store = try await KeyValueStore.open(directory: directory)
        for i in 0..<100 { try await store.put("key\(i)", "value\(i)") }
        let hash = try store.hash()
        await store.close()
        store = try await KeyValueStore.open(directory: directory)
        #expect(try await store.get("key99")?.value == Array("value99".utf8))
        #expect(try store.hash(revision: hash.revision).hash == hash.hash)
        await store.close()
    }
}
