// The Raft.ThreeNodes workload run standalone, printing progress and member status every second:
// for profiling (`perf record -- .build/release/raft-load`) and diagnosing stalls outside the harness.
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

let total = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1_000_000
let workload = try ThreeNodeWorkload()
let committed = Counter()
let start = ContinuousClock.now
try await withThrowingTaskGroup(of: Void.self) { group in
    for node in workload.nodes { group.addTask { try await node.run() } }
    try await workload.electLeader()
    group.addTask {
        var last = 0
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(1))
            let now = committed.count
            let statuses = workload.nodes.map { n -> String in
                let s = n.status()
                return "\(s.id):\(s.softState.role) t\(s.hardState.term) c\(s.hardState.commit) a\(s.applied)"
            }
            say("\(now - last)/s committed=\(now) \(statuses.joined(separator: " "))")
            last = now
        }
    }
    let failures = await workload.propose(total: total, committed: committed)
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    say("committed \(committed.count) in \(seconds) s: \(Int(Double(committed.count) / seconds))/s, failed \(failures)")
    group.cancelAll()
}
