// Raft workloads run standalone, printing progress and member status every second: for profiling
// (`perf record -e cpu-clock -- .build/release/raft-load tcp3`) and diagnosing stalls outside the
// harness.
//
//     raft-load [three|tcp3] [proposals]
//
// three: Raft.ThreeNodes (in-memory network and logs, 256 proposers of 64 bytes);
// tcp3:  Raft.TCP3Durable (loopback TCP, FileLog with fsync, 64 proposers of 128 bytes).
import Raft
import RaftWorkloads

#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered output, so a stalled run still shows its progress.
func say(_ text: String) {
    let line = text + "\n"
    _ = line.withCString { write(1, $0, strlen($0)) }
}

let arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first ?? "three"
let total = arguments.dropFirst().first.flatMap(Int.init) ?? (mode == "tcp3" ? 200_000 : 1_000_000)
let committed = Counter()
let start = ContinuousClock.now

func report(_ nodes: [RaftNode]) async throws {
    var last = 0
    while !Task.isCancelled {
        try await Task.sleep(for: .seconds(1))
        let now = committed.count
        let statuses = nodes.map { n -> String in
            let s = n.status()
            return "\(s.id):\(s.softState.role) t\(s.hardState.term) c\(s.hardState.commit) a\(s.applied)"
        }
        say("\(now - last)/s committed=\(now) \(statuses.joined(separator: " "))")
        last = now
    }
}

func summary(_ outcome: ProposalLoad.Outcome) {
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    var line = "committed \(committed.count) in \(seconds) s: \(Int(Double(committed.count) / seconds))/s, failed \(outcome.failures)"
    if !outcome.latencies.isEmpty {
        let sorted = outcome.latencies.sorted()
        func percentile(_ p: Double) -> Double { Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6 }
        line += "; latency p50 \(percentile(0.5)) ms, p99 \(percentile(0.99)) ms, max \(percentile(1)) ms"
    }
    say(line)
}

switch mode {
case "tcp3":
    let workload = try TCPDurableWorkload()
    try await withThrowingTaskGroup(of: Void.self) { group in
        workload.start(in: &group)
        try await workload.electLeader()
        group.addTask { try await report(workload.nodes) }
        let outcome = await ProposalLoad.run(
            on: workload.nodes, total: total, proposers: 64, payloadBytes: 128, committed: committed,
            recordLatencies: true
        )
        summary(outcome)
        group.cancelAll()
    }
    workload.removeData()
default:
    let workload = try ThreeNodeWorkload()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for node in workload.nodes { group.addTask { try await node.run() } }
        try await workload.electLeader()
        group.addTask { try await report(workload.nodes) }
        let failures = await workload.propose(total: total, committed: committed)
        summary(ProposalLoad.Outcome(failures: failures, latencies: []))
        group.cancelAll()
    }
}
