import Benchmark
import Raft
import RaftWorkloads

/// Raft.ThreeNodes: see ``ThreeNodeWorkload``; measures committed-and-applied proposals.
enum ThreeNodesBenchmark {
    static func run(proposals: Int, benchmark: Benchmark) async throws {
        let workload = try ThreeNodeWorkload()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in workload.nodes { group.addTask { try await node.run() } }
            try await workload.electLeader()
            benchmark.startMeasurement()
            let failures = await workload.propose(total: proposals)
            benchmark.stopMeasurement()
            if failures > 0 { print("Raft.ThreeNodes: \(failures) proposals were retried or had an unknown outcome") }
            group.cancelAll()
        }
    }
}
