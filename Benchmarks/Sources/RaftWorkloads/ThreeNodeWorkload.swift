import Raft
import Synchronization

/// A state machine that counts what it applies (the cheapest real one: the workload measures Raft).
public final class CountingStateMachine: RaftStateMachine {
    let applied = Atomic<Int>(0)

    public init() {}

    public func apply(_ entry: Entry) -> [UInt8] {
        applied.add(1, ordering: .relaxed)
        return []
    }

    public func snapshot() throws -> [UInt8] {
        var writer = BinaryWriter()
        writer.writeVarint(UInt64(applied.load(ordering: .relaxed)))
        return writer.bytes
    }

    public func restore(_ data: [UInt8]) throws {
        var reader = BinaryReader(data)
        applied.store(Int(try reader.readVarint()), ordering: .relaxed)
    }
}

/// A shared counter for concurrent clients.
public final class Counter: Sendable {
    let value: Atomic<Int>
    public init(_ start: Int = 0) { value = Atomic(start) }
    public func add(_ n: Int = 1) { value.add(n, ordering: .relaxed) }
    /// Takes one ticket from a countdown; false once none are left.
    public func take() -> Bool { value.subtract(1, ordering: .relaxed).newValue >= 0 }
    public var count: Int { value.load(ordering: .relaxed) }
}

/// The `Raft.ThreeNodes` workload: three members in one process over the in-memory network with
/// in-memory logs; `proposers` clients each propose a 64-byte entry, wait until it is committed and
/// applied, and propose the next, following the leader hint on `notLeader`.
public struct ThreeNodeWorkload: Sendable {
    public let nodes: [RaftNode]
    let network: InMemoryNetwork

    public init() throws {
        network = InMemoryNetwork()
        var options = RaftNode.Options()
        options.snapshotInterval = 200_000
        options.compactionSlack = 50_000
        var nodes: [RaftNode] = []
        for id: NodeID in [1, 2, 3] {
            var config = RaftConfig(id: id)
            config.maxInflightMessages = 64
            config.maxCommittedSizePerReady = 4 << 20
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
        self.nodes = nodes
    }

    /// Waits (in real time) until some member leads, starting an election on the first one.
    public func electLeader() async throws {
        nodes[0].campaign()
        while !nodes.contains(where: { $0.status().softState.role == .leader }) {
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Runs `total` proposals from `proposers` clients; returns how many failed (retried or unknown).
    public func propose(total: Int, proposers: Int = 256, committed: Counter? = nil) async -> Int {
        await ProposalLoad.run(on: nodes, total: total, proposers: proposers, payloadBytes: 64, committed: committed).failures
    }
}
