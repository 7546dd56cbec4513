import Benchmark
import Store
import StoreWorkloads

// The Store benchmarks. Each iteration runs 1,000,000 operations (scalingFactor .mega), so the
// per-operation figures are the tool's scaled columns; the headline figures are also recorded as
// custom metrics that do not depend on scaling (`puts/s`, `gets/s`, `events/s`, `resident
// bytes/key`), so they read the same with or without `--scale`.
enum StoreMetrics {
    static let putsPerSecond = BenchmarkMetric.custom("puts/s", polarity: .prefersLarger, useScalingFactor: false)
    static let putLatency = BenchmarkMetric.custom("putLatency (µs)", polarity: .prefersSmaller, useScalingFactor: false)
    static let getsPerSecond = BenchmarkMetric.custom("gets/s", polarity: .prefersLarger, useScalingFactor: false)
    static let eventsPerSecond = BenchmarkMetric.custom("events/s delivered", polarity: .prefersLarger, useScalingFactor: false)
    static let residentPerKey = BenchmarkMetric.custom("resident bytes/key", polarity: .prefersSmaller, useScalingFactor: false)
    static let processResidentPerKey = BenchmarkMetric.custom(
        "process resident bytes/key", polarity: .prefersSmaller, useScalingFactor: false
    )
    static let rawPerKey = BenchmarkMetric.custom("raw key+value bytes/key", polarity: .prefersSmaller, useScalingFactor: false)
    static let residentOverRaw = BenchmarkMetric.custom("resident/raw (%)", polarity: .prefersSmaller, useScalingFactor: false)
}

/// Operations per second from a count and a `ContinuousClock` duration.
func rate(_ count: Int, _ elapsed: Duration) -> Int {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return seconds > 0 ? Int(Double(count) / seconds) : 0
}

let benchmarks: @Sendable () -> Void = {
    // Store.Put: embedded store (FileLog, fsync on), 64 closed-loop writers of 128-byte values over
    // 100,000 distinct keys; puts/s and every put's latency.
    Benchmark(
        "Store.Put",
        configuration: .init(
            metrics: [.wallClock, .throughput, .peakMemoryResident, StoreMetrics.putsPerSecond, StoreMetrics.putLatency],
            scalingFactor: .mega,
            maxDuration: .seconds(120),
            maxIterations: 3
        )
    ) { benchmark in
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let store = try await KeyValueStore.open(directory: directory.path)
        let keys = StoreData.keys(100_000, prefix: PutLoad.keyPrefix)
        let total = benchmark.scaledIterations.count
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        let outcome = await PutLoad.run(store, keys: keys, total: total, writers: 64, valueBytes: 128)
        benchmark.stopMeasurement()
        let elapsed = ContinuousClock.now - start
        await store.close()
        if outcome.failures > 0 { print("Store.Put: \(outcome.failures) puts failed") }
        benchmark.measurement(StoreMetrics.putsPerSecond, rate(total - outcome.failures, elapsed))
        for latency in outcome.latencies { benchmark.measurement(StoreMetrics.putLatency, latency / 1_000) }
    }

    // Store.Range: linearizable single-key gets from 16 closed-loop readers on the embedded store
    // (100,000 keys of 128 bytes loaded first).
    Benchmark(
        "Store.Range",
        configuration: .init(
            metrics: [.wallClock, .throughput, .peakMemoryResident, StoreMetrics.getsPerSecond],
            scalingFactor: .mega,
            maxDuration: .seconds(60),
            maxIterations: 5
        )
    ) { benchmark in
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let store = try await KeyValueStore.open(directory: directory.path)
        let keys = StoreData.keys(100_000, prefix: RangeLoad.keyPrefix)
        try await StoreData.load(store, keys: keys, value: StoreData.value(128))
        let total = benchmark.scaledIterations.count
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        let failures = await RangeLoad.run(store, keys: keys, total: total, readers: 16)
        benchmark.stopMeasurement()
        let elapsed = ContinuousClock.now - start
        await store.close()
        if failures > 0 { print("Store.Range: \(failures) gets failed or found nothing") }
        benchmark.measurement(StoreMetrics.getsPerSecond, rate(total - failures, elapsed))
    }

    // Store.WatchFanout: 1,000 watchers of one prefix on the embedded store, one closed-loop writer;
    // an operation is one event delivered to one watcher (1,000 puts × 1,000 watchers per iteration).
    Benchmark(
        "Store.WatchFanout",
        configuration: .init(
            metrics: [.wallClock, .throughput, .peakMemoryResident, StoreMetrics.eventsPerSecond],
            scalingFactor: .mega,
            maxDuration: .seconds(60),
            maxIterations: 10
        )
    ) { benchmark in
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let store = try await KeyValueStore.open(directory: directory.path)
        let watchers = 1_000
        let fanout = try WatchFanout(store, watchers: watchers, puts: benchmark.scaledIterations.count / watchers)
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        let delivered = try await fanout.run()
        benchmark.stopMeasurement()
        let elapsed = ContinuousClock.now - start
        await store.close()
        benchmark.measurement(StoreMetrics.eventsPerSecond, rate(delivered, elapsed))
    }

    // Store.Memory: resident bytes per key of an embedded store loaded with 1,000,000 keys of
    // 128-byte values (ordinary puts, 64 writers); an operation is one key loaded.
    Benchmark(
        "Store.Memory",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, StoreMetrics.residentPerKey, StoreMetrics.processResidentPerKey,
                StoreMetrics.rawPerKey, StoreMetrics.residentOverRaw,
            ],
            scalingFactor: .mega,
            maxDuration: .seconds(180),
            maxIterations: 3
        )
    ) { benchmark in
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        benchmark.startMeasurement()
        let outcome = try await MemoryLoad.run(directory: directory.path, keys: benchmark.scaledIterations.count)
        benchmark.stopMeasurement()
        if outcome.failures > 0 { print("Store.Memory: \(outcome.failures) puts failed") }
        benchmark.measurement(StoreMetrics.residentPerKey, outcome.residentBytesPerKey)
        benchmark.measurement(StoreMetrics.processResidentPerKey, outcome.processResidentBytesPerKey)
        benchmark.measurement(StoreMetrics.rawPerKey, outcome.rawBytesPerKey)
        benchmark.measurement(StoreMetrics.residentOverRaw, outcome.residentBytesPerKey * 100 / outcome.rawBytesPerKey)
    }
}
