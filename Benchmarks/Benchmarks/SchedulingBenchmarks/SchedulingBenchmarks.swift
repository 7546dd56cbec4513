import Benchmark
import SchedulingWorkloads

// The Scheduling benchmarks: kube-scheduler's scheduler_perf workloads (SchedulingBasic 5000Nodes,
// TopologySpreading 5000Nodes, PreemptionBasic 5000Nodes) against a real `Scheduler` (default profile,
// `run()`) binding through the API (`pods/binding` via DefaultBinder) to an in-process API server on an
// in-memory store, all on real time. See Sources/SchedulingWorkloads/SchedulingWorkload.swift for the nodes
// and pod templates.
//
// One iteration = one whole workload. Starting the server, creating the 5,000 nodes and the initial pods
// (scheduled by the scheduler; Preemption's are created bound to their nodes) is setup, outside the
// measurement; the measured part runs from the first measured pod's create until the scheduler has bound
// every measured pod (the pods are created by 16 concurrent clients while the scheduler runs). Preemption
// has few iterations: one takes about two minutes at the current rate.
//
// The headline is `pods/s` (a custom metric, not scaled). scalingFactor .kilo, the closest package-benchmark
// offers (it has no factor of 10,000 or 5,000). With package-benchmark 1.38.1 the default table divides the
// wall clock by the factor (marked `*`): it shows the time per 1,000th of the measured pods, i.e. per 10 pods
// for Basic5000Nodes (divide by 10 for the time per pod) and per 5 pods for TopologySpreading5000Nodes and
// Preemption (divide by 5); `--scale` shows the whole measured phase per iteration (10,000 or 5,000 pods).
enum SchedulingMetrics {
    static let podsPerSecond = BenchmarkMetric.custom("pods/s", polarity: .prefersLarger, useScalingFactor: false)
}

let benchmarks: @Sendable () -> Void = {
    for workload in SchedulingWorkload.allCases {
        Benchmark(
            workload.benchmarkName,
            configuration: .init(
                metrics: [SchedulingMetrics.podsPerSecond, .wallClock, .peakMemoryResident],
                warmupIterations: 0,
                scalingFactor: .kilo,
                maxDuration: .seconds(60),
                maxIterations: workload == .basic ? 5 : 3
            )
        ) { benchmark in
            let run = try await SchedulingRun.setUp(workload)
            benchmark.startMeasurement()
            let outcome = try await run.measure()
            benchmark.stopMeasurement()
            try await run.verify()
            benchmark.measurement(SchedulingMetrics.podsPerSecond, Int(outcome.podsPerSecond))
            await run.stop()
        }
    }
}
