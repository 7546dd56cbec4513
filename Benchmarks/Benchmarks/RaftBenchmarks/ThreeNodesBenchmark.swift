import Benchmark
import Raft
import Synchronization

/// A state machine that counts what it applies (the cheapest real one: the benchmark measures Raft).
final class CountingStateMachine: RaftStateMachine {
    let applied = Atomic<Int>(0)

    func apply(_ entry: Entry) -> [UInt8] {
        applied.add(1, ordering: .relaxed)
        return []
    }

    func snapshot() throws -> [UInt8] {
        var writer = BinaryWriter()
        writer.writeVarint(UInt64(applied.load(ordering: .relaxed)))
        return writer.bytes
    }

    func restore(_ data: [UInt8]) throws {
        var reader = BinaryReader(data)
        applied.store(Int(try reader.readVarint()), ordering: .relaxed)
    }
}

/// Three members in one process over the in-memory network with in-memory logs; 256 proposers each
/// propose a 64-byte entry and wait until it is committed and applied, then propose the next.
enum ThreeNodesBenchmark {
    static let proposers = 256

    static func run(proposals: Int, benchmark: Benchmark) async throws {
        let network = InMemoryNetwork()
        var nodes: [RaftNode] = []
        var options = RaftNode.Options()
        options.snapshotInterval = 200_000
        options.compactionSlack = 50_000
        for id: NodeID in [1, 2, 3] {
            var config = RaftConfig(id: id)
            config.maxSizePerMessage = 1 << 20
            config.maxCommittedSizePerReady = 4 << 20
            config.maxInflightMessages = 64
            let node = try RaftNode(
                config: config,
                storage: MemoryStorage(voters: [1, 2, 3]),
                stateMachine: CountingStateMachine(),
                transport: network.transport(for: id),
                clock: ContinuousClock(),
                options: options
            )
            network.register(id, node)
            nodes.append(node)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { try await node.run() } }
            nodes[0].campaign()
            while !nodes.contains(where: { $0.status().softState.role == .leader }) {
                try await Task.sleep(for: .milliseconds(1))
            }
            let payload = [UInt8](repeating: 0x61, count: 64)
            let members = nodes
            let remaining = Countdown(proposals)
            let failures = Countdown(0)
            benchmark.startMeasurement()
            await withTaskGroup(of: Void.self) { proposerGroup in
                for _ in 0..<proposers {
                    proposerGroup.addTask {
                        // A client: follows the leader hint, retries what was not accepted.
                        var target = members.first { $0.status().softState.role == .leader } ?? members[0]
                        while remaining.take() {
                            while true {
                                do throws(RaftError) {
                                    _ = try await target.propose(payload)
                                    break
                                } catch {
                                    failures.add()
                                    if error.code == .notLeader, let hinted = members.first(where: { $0.id == error.leaderHint }) {
                                        target = hinted
                                    } else if error.code == .notLeader || error.code == .proposalDropped {
                                        try? await Task.sleep(for: .milliseconds(10))
                                    } else {
                                        break  // outcome unknown: counted, not retried
                                    }
                                }
                            }
                        }
                    }
                }
            }
            benchmark.stopMeasurement()
            if failures.count > 0 {
                print("Raft.ThreeNodes: \(failures.count) proposals were retried or had an unknown outcome")
            }
            group.cancelAll()
        }
    }
}

/// Hands out a fixed number of tickets to concurrent workers.
final class Countdown: Sendable {
    let remaining: Atomic<Int>
    init(_ count: Int) { remaining = Atomic(count) }
    func take() -> Bool { remaining.subtract(1, ordering: .relaxed).newValue >= 0 }
    func add() { remaining.add(1, ordering: .relaxed) }
    var count: Int { remaining.load(ordering: .relaxed) }
}
