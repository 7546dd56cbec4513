import Benchmark
import Raft

let benchmarks: @Sendable () -> Void = {
    // Raft.OneNode: etcd-io/raft's BenchmarkOneNode shape; time per committed proposal.
    Benchmark(
        "Raft.OneNode",
        configuration: .init(
            metrics: [.wallClock, .throughput, .peakMemoryResident],
            scalingFactor: .mega,
            maxDuration: .seconds(20),
            maxIterations: 5
        )
    ) { benchmark in
        let committed = OneNodeBenchmark.run(proposals: benchmark.scaledIterations.count, benchmark: benchmark)
        blackHole(committed)
    }

    // Raft.ThreeNodes: committed-and-applied proposals per second, 256 concurrent proposers.
    Benchmark(
        "Raft.ThreeNodes",
        configuration: .init(
            metrics: [.wallClock, .throughput, .peakMemoryResident],
            scalingFactor: .mega,
            maxDuration: .seconds(30),
            maxIterations: 5
        )
    ) { benchmark in
        try await ThreeNodesBenchmark.run(proposals: benchmark.scaledIterations.count, benchmark: benchmark)
    }
}
