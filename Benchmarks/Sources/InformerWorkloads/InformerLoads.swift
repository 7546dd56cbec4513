import APIMachinery
import Informers
import StoreWorkloads
import Synchronization

/// `Informers.InitialSync`: a Pod informer (all namespaces) lists and caches every Pod.
public enum InitialSyncLoad {
    public struct Outcome: Sendable {
        public var nanoseconds: Int
        /// Resident memory growth from before the informer existed to after it synced (heap trimmed
        /// both times), while the informer and its cache are alive.
        public var residentGrowth: Int
        public var cached: Int
    }

    /// Loads the API server's object cache (a plain list, no informer), so a sync measured afterwards is the
    /// informer's own cost, and its memory growth is not hidden by an earlier informer's freed memory.
    public static func warmServerCache(_ fixture: InformerFixture) async throws {
        _ = try await fixture.client.resource(Pod.self).list(ListOptions(resourceVersion: "0")).items.count
    }

    public static func run(_ fixture: InformerFixture) async throws -> Outcome {
        trimHeap()
        let before = residentBytes()
        let clock = ContinuousClock()
        let start = clock.now
        let informer = SharedInformer(listWatch: ListWatch(fixture.client.resource(Pod.self)))
        let task = Task { try await informer.run() }
        let synced = await informer.waitForSync()
        let elapsed = clock.now - start
        precondition(synced, "the informer did not sync")
        trimHeap()
        let after = residentBytes()
        let cached = informer.indexer.count
        task.cancel()
        try await task.value
        return Outcome(nanoseconds: nanoseconds(elapsed), residentGrowth: after - before, cached: cached)
    }
}

/// `Informers.Dispatch`: store writes → API watch → informer cache → 10 handlers.
///
/// One event is one object change (a ConfigMap put through a store transaction, decoded by the API
/// watch, applied to the informer's cache) delivered to all 10 handlers; the run ends when every handler
/// has received every change. Writes go in transactions of `batch` (128) puts, concurrently with dispatch.
public enum DispatchLoad {
    public static let handlers = 10

    public final class Setup: Sendable {
        public let fixture: InformerFixture
        public let informer: SharedInformer<ConfigMap>
        let task: Task<Void, any Error>
        let counters: [Tally]
        let objects: Int
        let round = Tally()

        init(fixture: InformerFixture, objects: Int) async throws {
            self.fixture = fixture
            self.objects = objects
            try await fixture.writeConfigMaps(objects, round: 0, batch: 128)
            informer = SharedInformer(listWatch: ListWatch(fixture.client.resource(ConfigMap.self,
                namespace: InformerFixture.namespace)))
            counters = (0..<DispatchLoad.handlers).map { _ in Tally() }
            for counter in counters {
                informer.addEventHandler(onAdd: { _, _ in counter.add() }, onUpdate: { _, _ in counter.add() },
                    onDelete: { _ in counter.add() })
            }
            let informer = informer
            task = Task { try await informer.run() }
            let synced = await informer.waitForSync()
            precondition(synced, "the informer did not sync")
            while !informer.isIdle { await Task.yield() }
        }

        func nextRound() -> Int {
            round.add()
            return round.count
        }

        public func stop() async {
            task.cancel()
            _ = await task.result
            await fixture.stop()
        }

        /// Updates `events` objects (cycling through the pre-created ones) and waits until all handlers saw
        /// them; returns the elapsed nanoseconds from the first write.
        public func run(events: Int, batch: Int = 128) async throws -> Int {
            let starts = counters.map(\.count)
            let targets = starts.map { $0 + events }
            let clock = ContinuousClock()
            let start = clock.now
            var written = 0
            while written < events {
                // Steady state, not catch-up: the writer stays within `lead` events of the slowest handler,
                // inside the API server's window of decoded changes (a watch that falls behind it reads and
                // decodes the store's history instead).
                while zip(counters, starts).map({ $0.count - $1 }).min()! < written - Self.lead {
                    try await Self.pause()
                }
                let count = min(events - written, objects, Self.chunk)
                try await fixture.writeConfigMaps(count, round: nextRound(), batch: batch)
                written += count
            }
            for (counter, target) in zip(counters, targets) {
                while counter.count < target { try await Self.pause() }
            }
            return nanoseconds(clock.now - start)
        }

        /// Waits a little without holding a thread: a `Task.yield` loop would spin on one of the two cores the
        /// pipeline being measured needs.
        static func pause() async throws { try await Task.sleep(for: .microseconds(50)) }

        /// Events written per round, and how far the writer may run ahead of the slowest handler.
        static let chunk = 1_024
        static let lead = 2_048
    }

    public static func setUp(objects: Int = 10_000) async throws -> Setup {
        try await Setup(fixture: InformerFixture.start(), objects: objects)
    }
}

@inline(__always)
func nanoseconds(_ duration: Duration) -> Int {
    Int(duration.components.seconds) * 1_000_000_000 + Int(duration.components.attoseconds / 1_000_000_000)
}
