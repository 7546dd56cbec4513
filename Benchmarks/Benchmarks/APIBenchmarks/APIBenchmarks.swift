import APIMachinery
import APIWorkloads
import Benchmark

// The APIMachinery benchmarks. Each iteration runs 1,000 operations (scalingFactor .kilo) on a fresh
// server, so the scaled columns are per create / per list; API.Create also records creates/s and every
// create's latency (for p99) as custom metrics that read the same with or without `--scale`.
enum APIMetrics {
    static let createsPerSecond = BenchmarkMetric.custom("creates/s", polarity: .prefersLarger, useScalingFactor: false)
    static let createLatency = BenchmarkMetric.custom("createLatency (µs)", polarity: .prefersSmaller, useScalingFactor: false)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let benchmarks: @Sendable () -> Void = {
    // API.Create: 64 concurrent in-process clients creating Pods through authorization (RBAC), three
    // admission plugins and validation, on the embedded store with fsync.
    Benchmark(
        "API.Create",
        configuration: .init(
            metrics: [.wallClock, .throughput, .peakMemoryResident, APIMetrics.createsPerSecond, APIMetrics.createLatency],
            scalingFactor: .kilo,
            maxDuration: .seconds(60),
            maxIterations: 40
        )
    ) { benchmark in
        let fixture = try await APIFixture.start()
        let total = benchmark.scaledIterations.count
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        let outcome = await CreateLoad.run(fixture, total: total, clients: 64)
        benchmark.stopMeasurement()
        let elapsed = ContinuousClock.now - start
        await fixture.stop()
        if outcome.failures > 0 { print("API.Create: \(outcome.failures) creates failed") }
        benchmark.measurement(APIMetrics.createsPerSecond, Int(Double(total - outcome.failures) / seconds(elapsed)))
        for latency in outcome.latencies { benchmark.measurement(APIMetrics.createLatency, latency / 1_000) }
    }

    // API.ListSelector: list 10,000 Pods in a namespace with a label selector matching 1% (a consistent
    // list: resourceVersion unset), one list at a time.
    Benchmark(
        "API.ListSelector",
        configuration: .init(
            metrics: [.wallClock, .throughput, .peakMemoryResident],
            scalingFactor: .kilo,
            maxDuration: .seconds(60),
            maxIterations: 10
        )
    ) { benchmark in
        let fixture = try await APIFixture.start()
        try await ListSelectorLoad.populate(fixture)
        _ = try await ListSelectorLoad.list(fixture)  // warm the cache
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let count = try await ListSelectorLoad.list(fixture)
            precondition(count == 100, "expected 100 selected pods, listed \(count)")
        }
        benchmark.stopMeasurement()
        await fixture.stop()
    }
}
