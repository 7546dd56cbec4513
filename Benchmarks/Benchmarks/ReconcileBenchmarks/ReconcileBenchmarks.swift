import Benchmark
import Reconcile

// Reconcile.TestEnvStartup: from the call to a ready test environment — an in-memory store elected and
// serving, the API server with every built-in type, and the environment's informers synced (a metadata
// informer per type for the garbage collector, Namespaces for the namespace controller, Pods for pod
// termination). One start per iteration (scalingFactor .one), so wall clock is the time per start;
// stopping the environment is outside the measurement.
let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "Reconcile.TestEnvStartup",
        configuration: .init(
            metrics: [.wallClock, .throughput, .peakMemoryResident],
            scalingFactor: .one,
            maxDuration: .seconds(20),
            maxIterations: 500
        )
    ) { benchmark in
        benchmark.startMeasurement()
        let env = try await TestEnvironment.start()
        benchmark.stopMeasurement()
        await env.stop()
    }
}
