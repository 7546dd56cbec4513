// A standalone driver for the Raft.ThreeNodes workload: prints progress and member status, for
// profiling (perf record -- .build/release/raft-load) and diagnosing stalls outside the harness.
import Raft
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

final class Counter: Sendable {
    let value = Atomic<Int>(0)
    func add(_ n: Int = 1) { value.add(n, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

final class NullStateMachine: RaftStateMachine {
    func apply(_ entry: Entry) -> [UInt8] { [] }
    func snapshot() throws -> [UInt8] { [] }
    func restore(_ data: [UInt8]) throws {}
}

/// Unbuffered output, so a stalled run still shows its progress.
func say(_ text: String) {
    let line = text + "\n"
    _ = line.withCString { write(1, $0, strlen($0)) }
}
let total = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1_000_000
let proposers = 256
let network = InMemoryNetwork()
var options = RaftNode.Options()
options.snapshotInterval = 200_000
options.compactionSlack = 50_000
var built: [RaftNode] = []
for id: NodeID in [1, 2, 3] {
    var config = RaftConfig(id: id)
    config.maxInflightMessages = 64
    config.maxCommittedSizePerReady = 4 << 20
    let node = try RaftNode(
        config: config,
        storage: MemoryStorage(voters: [1, 2, 3]),
        stateMachine: NullStateMachine(),
        transport: network.transport(for: id),
        clock: ContinuousClock(),
        options: options
    )
    network.register(id, node)
    built.append(node)
}
let nodes = built
let done = Counter()
let failed = Counter()
let start = ContinuousClock.now
try await withThrowingTaskGroup(of: Void.self) { group in
    for node in nodes { group.addTask { try await node.run() } }
    nodes[0].campaign()
    while !nodes.contains(where: { $0.status().softState.role == .leader }) { try await Task.sleep(for: .milliseconds(1)) }
    group.addTask {
        var last = 0
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(1))
            let now = done.count
            let statuses = nodes.map { n -> String in
                let s = n.status()
                return "\(s.id):\(s.softState.role) t\(s.hardState.term) c\(s.hardState.commit) a\(s.applied)"
            }
            say("\(now - last)/s done=\(now) failed=\(failed.count) \(statuses.joined(separator: " "))")
            last = now
        }
    }
    let remaining = Counter()
    await withTaskGroup(of: Void.self) { proposersGroup in
        for _ in 0..<proposers {
            proposersGroup.addTask {
                var target = nodes.first { $0.status().softState.role == .leader } ?? nodes[0]
                while true {
                    remaining.add()
                    if remaining.count > total { return }
                    do throws(RaftError) {
                        _ = try await target.propose([UInt8](repeating: 0x61, count: 64))
                        done.add()
                    } catch {
                        failed.add()
                        if let hinted = nodes.first(where: { $0.id == error.leaderHint }) { target = hinted }
                    }
                }
            }
        }
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    say("committed \(done.count) in \(seconds) s: \(Int(Double(done.count) / seconds))/s, failed \(failed.count)")
    group.cancelAll()
}
