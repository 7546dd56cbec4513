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

    // Raft.TCP3Durable: three members on loopback TCP with fsync on; 64 proposers of 128 bytes.
    Benchmark(
        "Raft.TCP3Durable",
        configuration: .init(
            metrics: [.wallClock, .throughput, .peakMemoryResident, TCP3DurableBenchmark.latencyMetric],
            scalingFactor: .mega,
            maxDuration: .seconds(60),
            maxIterations: 3
        )
    ) { benchmark in
        try await TCP3DurableBenchmark.run(proposals: benchmark.scaledIterations.count, benchmark: benchmark)
    }

    // Raft.Failover: leader SIGKILL to the next committed proposal; one kill per iteration, 20 kills.
    Benchmark(
        "Raft.Failover",
        configuration: .init(
            metrics: [.wallClock],
            scalingFactor: .one,
            maxDuration: .seconds(300),
            maxIterations: 20,
            setup: { try FailoverBenchmark.setUp() },
            teardown: { FailoverBenchmark.tearDown() }
        )
    ) { benchmark in
        try FailoverBenchmark.iteration(benchmark)
    }
}
