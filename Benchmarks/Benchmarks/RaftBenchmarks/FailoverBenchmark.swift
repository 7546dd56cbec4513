import Benchmark
import Raft
import RaftWorkloads
import Synchronization

/// Raft.Failover: time from SIGKILL of the leader to the next committed proposal, one kill per
/// iteration, three `raft-member` processes with default timeouts (heartbeat 100 ms, election 1 s).
/// Between iterations (outside the measurement) the killed member restarts and catches up.
enum FailoverBenchmark {
    static let workload = Mutex<FailoverWorkload?>(nil)

    /// The root package: three directories above this file's.
    static var rootPackage: String {
        var path = #filePath
        for _ in 0..<4 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }

    static func setUp() throws {
        let binary = try MemberCluster.buildMember(rootPackage: rootPackage)
        let cluster = try MemberCluster(binary: binary, size: 3)
        workload.withLock { $0 = FailoverWorkload(cluster: cluster) }
    }

    static func tearDown() {
        workload.withLock { workload in
            workload?.cluster.destroy()
            workload = nil
        }
    }

    static func iteration(_ benchmark: Benchmark) throws {
        guard let current = workload.withLock({ $0 }) else { throw RaftError(.unavailable, "Raft.Failover was not set up") }
        let leader = try current.settle()
        benchmark.startMeasurement()
        try current.killAndRecommit(leader)
        benchmark.stopMeasurement()
    }
}
