import APIMachinery
import Benchmark
import InformerWorkloads

// The Informers benchmarks.
//
// Informers.InitialSync: a Pod informer (all namespaces) lists and caches 100,000 realistic Pods (labels,
// one container with image, ports, requests and limits, a node) from an API server on an in-memory store.
// Writing the Pods is setup, outside the measurement. One iteration = one sync; custom metrics report the
// sync time, the resident memory growth it causes (heap trimmed before and after, informer alive) and
// that growth relative to the Pods' stored JSON size.
//
// Informers.Dispatch: store writes → API watch → informer cache → 10 handlers. One event is one object
// change (a ConfigMap put in a store transaction of 128 puts, decoded by the API watch, applied to the
// cache) delivered to all 10 handlers; an iteration ends when every handler has received every change.
// scalingFactor .mega: an iteration runs 1,000,000 events, so `--scale` reports time per event; events/s
// is the headline (a custom metric, not scaled).
enum InformerMetrics {
    static let syncMilliseconds = BenchmarkMetric.custom("sync (ms)", polarity: .prefersSmaller, useScalingFactor: false)
    static let residentGrowth = BenchmarkMetric.custom("resident growth (MiB)", polarity: .prefersSmaller,
        useScalingFactor: false)
    static let growthPerJSON = BenchmarkMetric.custom("growth / JSON size (%)", polarity: .prefersSmaller,
        useScalingFactor: false)
    static let eventsPerSecond = BenchmarkMetric.custom("events/s", polarity: .prefersLarger, useScalingFactor: false)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "Informers.InitialSync",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, InformerMetrics.syncMilliseconds, InformerMetrics.residentGrowth,
                InformerMetrics.growthPerJSON],
            scalingFactor: .one,
            maxDuration: .seconds(60),
            maxIterations: 5
        )
    ) { benchmark in
        let fixture = try await InformerFixture.start()
        let json = try await fixture.populatePods(100_000)
        try await InitialSyncLoad.warmServerCache(fixture)
        var first = true
        for _ in benchmark.scaledIterations {
            benchmark.startMeasurement()
            let outcome = try await InitialSyncLoad.run(fixture)
            benchmark.stopMeasurement()
            precondition(outcome.cached == 100_000, "cached \(outcome.cached) Pods")
            benchmark.measurement(InformerMetrics.syncMilliseconds, outcome.nanoseconds / 1_000_000)
            // Memory only for the first sync: later ones reuse the pages an earlier informer freed, and the
            // resident growth they show understates what an informer holds.
            if first {
                benchmark.measurement(InformerMetrics.residentGrowth, outcome.residentGrowth / 1_048_576)
                benchmark.measurement(InformerMetrics.growthPerJSON, outcome.residentGrowth * 100 / json)
                first = false
            }
        }
        await fixture.stop()
    }

    Benchmark(
        "Informers.Dispatch",
        configuration: .init(
            metrics: [.wallClock, .throughput, .peakMemoryResident, InformerMetrics.eventsPerSecond],
            scalingFactor: .mega,
            maxDuration: .seconds(90),
            maxIterations: 3
        )
    ) { benchmark in
        let setup = try await DispatchLoad.setUp(objects: 10_000)
        _ = try await setup.run(events: 20_000)  // warm up
        let events = benchmark.scaledIterations.count
        benchmark.startMeasurement()
        let elapsed = try await setup.run(events: events)
        benchmark.stopMeasurement()
        benchmark.measurement(InformerMetrics.eventsPerSecond, Int(Double(events) / (Double(elapsed) / 1e9)))
        await setup.stop()
    }
}
