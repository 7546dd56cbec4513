import Raft
import Synchronization
import Testing

@testable import Reconcile

/// What the workers and producers of the property test observed, under one lock.
private struct Observations {
    /// Keys a worker holds right now.
    var inFlight: Set<Int> = []
    /// Keys handed to a worker while another held them (must stay empty).
    var overlaps: [Int] = []
    /// Logical time each key's last add started.
    var lastAddStarted: [Int: Int] = [:]
    /// Logical time each key was last handed to a worker.
    var lastTaken: [Int: Int] = [:]
    var processed: [Int: Int] = [:]
    /// The most keys held at once: shows the workers really overlapped.
    var maxInFlight = 0
}

/// Shared by the worker and producer tasks.
private final class Recorder: Sendable {
    let observations = Mutex(Observations())
    /// Logical time: every take and every add start draws the next tick.
    let clock = Atomic<Int>(0)

    func tick() -> Int { clock.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue }
}

@Suite("WorkQueue properties", .timeLimit(.minutes(2)))
struct WorkQueuePropertyTests {
    static let workers = 16
    static let producers = 4
    static let addsPerProducer = 1_500
    static let keys = 200

    @Test(arguments: [UInt64(0xC0FF_EE00_2024), UInt64.random(in: 0...UInt64.max)])
    func concurrentWorkersNeverShareAKeyAndLoseNone(seed: UInt64) async throws {
        print("WorkQueue property test seed: \(seed) (rerun with this argument to reproduce the choices)")
        let queue = WorkQueue<Int>(clock: ManualClock())
        let recorder = Recorder()

        // Phase 1, stingy: adds before any worker starts collapse to one entry per key.
        var generator = SplitMix64(seed: seed)
        var distinct: Set<Int> = []
        for _ in 0..<(Self.keys * 3) {
            let key = Int(generator.next() % UInt64(Self.keys))
            distinct.insert(key)
            queue.add(key)
        }
        #expect(queue.count == distinct.count)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<Self.workers {
                let workerSeed = seed &+ UInt64(worker) &* 0x9E37_79B9
                group.addTask {
                    var random = SplitMix64(seed: workerSeed)
                    while let key = await queue.get() {
                        let now = recorder.tick()
                        recorder.observations.withLock { o in
                            if !o.inFlight.insert(key).inserted { o.overlaps.append(key) }
                            o.maxInFlight = max(o.maxInFlight, o.inFlight.count)
                            o.lastTaken[key] = now
                            o.processed[key, default: 0] += 1
                        }
                        // Random processing time: a few yields, sometimes a tiny real sleep.
                        for _ in 0..<Int(random.next() % 4) { await Task.yield() }
                        if random.chance(0.02) { try await Task.sleep(for: .microseconds(200)) }
                        recorder.observations.withLock { _ = $0.inFlight.remove(key) }
                        queue.done(key)
                    }
                }
            }

            // Phase 1 drains before producers start, so each of those keys is processed exactly once.
            await workQueueEventually({ queue.isIdle }, timeout: .seconds(60))
            let phaseOne = recorder.observations.withLock { $0.processed }
            #expect(Set(phaseOne.keys) == distinct)
            #expect(phaseOne.values.allSatisfy { $0 == 1 })

            // Phase 2: producers race the workers.
            try await withThrowingTaskGroup(of: Void.self) { producers in
                for producer in 0..<Self.producers {
                    let producerSeed = seed ^ (UInt64(producer + 1) &* 0xBF58_476D_1CE4_E5B9)
                    producers.addTask {
                        var random = SplitMix64(seed: producerSeed)
                        for _ in 0..<Self.addsPerProducer {
                            let key = Int(random.next() % UInt64(Self.keys))
                            let now = recorder.tick()
                            recorder.observations.withLock {
                                $0.lastAddStarted[key] = max($0.lastAddStarted[key] ?? 0, now)
                            }
                            queue.add(key)
                            if random.chance(0.1) { await Task.yield() }
                        }
                    }
                }
                try await producers.waitForAll()
            }
            await workQueueEventually({ queue.isIdle }, timeout: .seconds(60))
            queue.shutDown()
            try await group.waitForAll()
        }

        let final = recorder.observations.withLock { $0 }
        #expect(final.overlaps.isEmpty, "keys processed by two workers at once: \(final.overlaps.prefix(10))")
        #expect(final.inFlight.isEmpty)
        #expect(final.maxInFlight > 1)
        let lost = final.lastAddStarted.filter { key, added in (final.lastTaken[key] ?? 0) <= added }.keys
        #expect(lost.isEmpty, "keys not processed after their last add: \(lost.sorted().prefix(10))")
        #expect(queue.processingCount == 0)
    }
}
