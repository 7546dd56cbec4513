import SchedulingWorkloads

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A driver for running and profiling the scheduling workloads outside the benchmark harness:
//   swift run -c release --package-path Benchmarks scheduling-load basic|spread|preemption [runs]
// Each run sets up a fresh server, nodes and initial pods, then prints the measured phase's pods/s.
let arguments = CommandLine.arguments.dropFirst()
guard let workload = SchedulingWorkload(rawValue: arguments.first ?? "basic") else {
    print("usage: scheduling-load basic|spread|preemption [runs]")
    exit(2)
}
let runs = arguments.dropFirst().first.flatMap(Int.init) ?? 1
let clock = ContinuousClock()
do {
    for round in 1...max(1, runs) {
        let started = clock.now
        let run = try await SchedulingRun.setUp(workload, seed: UInt64(round))
        print("\(workload.benchmarkName) run \(round): setup (\(SchedulingWorkload.nodeCount) nodes, "
            + "\(workload.initialPods) initial pods bound) in \(clock.now - started)")
        let outcome = try await run.measure()
        try await run.verify()
        print("\(workload.benchmarkName) run \(round): \(outcome.pods) pods in \(outcome.nanoseconds / 1_000_000) ms, "
            + "\(Int(outcome.podsPerSecond)) pods/s (scheduler: \(outcome.scheduled.attempts) attempts, "
            + "\(outcome.scheduled.unschedulable) unschedulable, \(outcome.scheduled.preemptionAttempts) preemption "
            + "attempts, \(outcome.scheduled.bindingFailures) binding failures)")
        await run.stop()
    }
} catch {
    print("\(workload.benchmarkName) failed: \(error)")
    exit(1)
}
