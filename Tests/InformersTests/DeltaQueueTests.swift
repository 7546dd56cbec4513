import APIMachinery
import Informers
import Testing

@Suite("DeltaQueue", .timeLimit(.minutes(2)))
struct DeltaQueueTests {
    func versioned(_ name: String, _ version: Int) -> ConfigMap {
        var object = configMap(name)
        object.metadata.resourceVersion = String(version)
        return object
    }

    func describe(_ delta: Delta<ConfigMap>) -> String {
        let suffix = delta.object.isFinalStateUnknown ? " tombstone" : ""
        return "\(delta.type) \(delta.key.name) \(delta.object.object.metadata.resourceVersion)\(suffix)"
    }

    func drain(_ queue: DeltaQueue<ConfigMap>, _ count: Int) async -> [String] {
        var out: [String] = []
        for _ in 0..<count {
            guard let delta = await queue.pop() else { break }
            out.append(describe(delta))
        }
        return out
    }

    @Test("deltas come out in arrival order across keys")
    func order() async {
        let queue = DeltaQueue<ConfigMap>()
        await queue.add(versioned("a", 1))
        await queue.add(versioned("b", 2))
        await queue.update(versioned("a", 3))
        await queue.delete(versioned("b", 4))
        await queue.update(versioned("a", 5))
        #expect(queue.count == 5)
        #expect(await drain(queue, 5) == ["added a 1", "added b 2", "updated a 3", "deleted b 4", "updated a 5"])
        #expect(queue.count == 0)
    }

    @Test("consecutive deletes of a key collapse; an object beats a tombstone")
    func deleteCollapse() async {
        let indexer = Indexer<ConfigMap>()
        indexer.add(versioned("a", 1))
        let queue = DeltaQueue<ConfigMap>(knownObjects: indexer)
        await queue.delete(versioned("a", 2))
        await queue.delete(versioned("a", 3))
        await queue.add(versioned("b", 4))
        #expect(queue.count == 2)
        #expect(await drain(queue, 2) == ["deleted a 2", "added b 4"])
        // A relist without "a" queues a tombstone; the watch's delete then replaces it with the final state.
        let second = DeltaQueue<ConfigMap>(knownObjects: indexer)
        await second.replace([], resourceVersion: "9")
        await second.delete(versioned("a", 8))
        #expect(await drain(second, 1) == ["deleted a 8"])
        // Deletes separated by another delta of the key do not collapse.
        let third = DeltaQueue<ConfigMap>()
        await third.delete(versioned("c", 1))
        await third.add(versioned("c", 2))
        await third.delete(versioned("c", 3))
        #expect(third.count == 3)
    }

    @Test("replace queues Replaced for listed objects and tombstones for known keys missing from the list")
    func replaceTombstones() async {
        let indexer = Indexer<ConfigMap>()
        indexer.add(versioned("kept", 1))
        indexer.add(versioned("gone", 2))
        let queue = DeltaQueue<ConfigMap>(knownObjects: indexer)
        await queue.add(versioned("queued", 3))  // known through the queue only
        await queue.replace([versioned("kept", 5), versioned("new", 6)], resourceVersion: "7")
        let out = await drain(queue, 5)
        #expect(out == ["added queued 3", "replaced kept 5", "replaced new 6", "deleted gone 2 tombstone",
            "deleted queued 3 tombstone"])
        // The first replace is the initial list; the queue is synced once its deltas are popped.
        #expect(queue.hasSynced)
    }

    @Test("the first replace marks its deltas as the initial list")
    func initialList() async {
        let queue = DeltaQueue<ConfigMap>()
        #expect(!queue.hasSynced)
        await queue.replace([versioned("a", 1), versioned("b", 2)], resourceVersion: "2")
        let first = await queue.pop()
        #expect(first?.isInInitialList == true)
        #expect(!queue.hasSynced)
        _ = await queue.pop()
        #expect(queue.hasSynced)
        await queue.replace([versioned("a", 3)], resourceVersion: "3")
        #expect(await queue.pop()?.isInInitialList == false)
    }

    @Test("an empty initial list syncs at once")
    func emptyInitialList() async {
        let queue = DeltaQueue<ConfigMap>()
        await queue.replace([], resourceVersion: "1")
        #expect(queue.hasSynced)
    }

    @Test("resync queues Sync deltas for cached keys without queued deltas")
    func resync() async {
        let indexer = Indexer<ConfigMap>()
        indexer.add(versioned("a", 1))
        indexer.add(versioned("b", 2))
        let queue = DeltaQueue<ConfigMap>(knownObjects: indexer)
        await queue.update(versioned("b", 3))
        await queue.resync()
        #expect(await drain(queue, 2) == ["updated b 3", "sync a 1"])
    }

    @Test("the transform runs as objects are queued")
    func transform() async {
        let queue = DeltaQueue<ConfigMap>(transform: { object in
            var trimmed = object
            trimmed.data = nil
            return trimmed
        })
        await queue.add(versioned("a", 1))
        await queue.replace([versioned("b", 2)], resourceVersion: "2")
        #expect(await queue.pop()?.object.object.data == nil)
        #expect(await queue.pop()?.object.object.data == nil)
    }

    @Test("a full queue makes the producer wait until the consumer pops")
    func backpressure() async throws {
        let queue = DeltaQueue<ConfigMap>(capacity: 2)
        await queue.add(versioned("a", 1))
        await queue.add(versioned("b", 2))
        let producer = Task { await queue.add(versioned("c", 3)) }
        // The producer cannot add while the queue is full.
        try await Task.sleep(for: .milliseconds(20))
        #expect(queue.count == 2)
        #expect(await queue.pop()?.key.name == "a")
        await producer.value
        #expect(queue.count == 2)
        #expect(await drain(queue, 2) == ["added b 2", "added c 3"])
    }

    @Test("close ends pops and releases waiting producers")
    func close() async {
        let queue = DeltaQueue<ConfigMap>(capacity: 1)
        await queue.add(versioned("a", 1))
        let producer = Task { await queue.add(versioned("b", 2)) }
        let consumer = Task { () -> Int in
            var popped = 0
            while await queue.pop() != nil { popped += 1 }
            return popped
        }
        #expect(await eventually { queue.count == 0 })
        queue.close()
        await producer.value
        #expect(await consumer.value <= 2)
        #expect(await queue.pop() == nil)
    }
}
