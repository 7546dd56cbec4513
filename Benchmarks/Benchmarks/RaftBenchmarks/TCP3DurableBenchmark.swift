import Benchmark
import Raft
import RaftWorkloads

/// Raft.TCP3Durable: see ``TCPDurableWorkload``. 64 closed-loop proposers of 128-byte entries;
/// throughput counts committed-and-applied proposals; `commitLatency (µs)` holds every proposal's
/// propose-to-applied time, so its percentiles are the p50/p99 commit latency.
enum TCP3DurableBenchmark {
    static let latencyMetric = BenchmarkMetric.custom("commitLatency (µs)", polarity: .prefersSmaller, useScalingFactor: false)

    static func run(proposals: Int, benchmark: Benchmark) async throws {
        let workload = try TCPDurableWorkload()
        defer { workload.removeData() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            workload.start(in: &group)
            try await workload.electLeader()
            benchmark.startMeasurement()
            let outcome = await ProposalLoad.run(
                on: workload.nodes, total: proposals, proposers: 64, payloadBytes: 128, recordLatencies: true
            )
            benchmark.stopMeasurement()
            if outcome.failures > 0 {
                print("Raft.TCP3Durable: \(outcome.failures) proposals were retried or had an unknown outcome")
            }
            for latency in outcome.latencies { benchmark.measurement(latencyMetric, latency / 1_000) }
            group.cancelAll()
        }
    }
}
