import Synchronization
@testable import Raft

/// A key-value state machine for runtime tests: `set k=v` commands; apply returns the previous value.
final class TestKV: RaftStateMachine {
    let values = Mutex<[String: String]>([:])

    func apply(_ entry: Entry) -> [UInt8] {
        let text = String(decoding: entry.data, as: UTF8.self)
        guard text.hasPrefix("set "), let eq = text.firstIndex(of: "=") else { return [] }
        let key = String(text[text.index(text.startIndex, offsetBy: 4)..<eq])
        let value = String(text[text.index(after: eq)...])
        let previous = values.withLock { v in
            defer { v[key] = value }
            return v[key]
        }
        return Array((previous ?? "").utf8)
    }

    func snapshot() throws -> [UInt8] {
        var writer = BinaryWriter()
        let pairs = values.withLock { $0.sorted { $0.key < $1.key } }
        writer.writeVarint(UInt64(pairs.count))
        for (k, v) in pairs {
            writer.writeBytes(Array(k.utf8))
            writer.writeBytes(Array(v.utf8))
        }
        return writer.bytes
    }

    func restore(_ data: [UInt8]) throws {
        var reader = BinaryReader(data)
        let count = try reader.readCount()
        var restored: [String: String] = [:]
        for _ in 0..<count {
            let k = String(decoding: try reader.readBytes(), as: UTF8.self)
            restored[k] = String(decoding: try reader.readBytes(), as: UTF8.self)
        }
        values.withLock { $0 = restored }
    }

    subscript(key: String) -> String? { values.withLock { $0[key] } }
}

/// Several ``RaftNode``s on an ``InMemoryNetwork`` and a ``ManualClock``: virtual time only.
final class NodeCluster: Sendable {
    struct Member {
        var node: RaftNode
        var storage: MemoryStorage
        var kv: TestKV
        var task: Task<Void, any Error>?
    }

    let clock = ManualClock()
    let network: InMemoryNetwork
    let members = Mutex<[NodeID: Member]>([:])
    let options: RaftNode.Options

    init(voters: [NodeID], seed: UInt64 = 1, snapshotInterval: UInt64 = 0) throws {
        network = InMemoryNetwork(seed: seed)
        var options = RaftNode.Options()
        options.snapshotInterval = snapshotInterval
        options.compactionSlack = 2
        options.requestTimeout = .seconds(3)
        self.options = options
        for id in voters {
            try add(id, storage: MemoryStorage(voters: voters))
        }
    }

    func add(_ id: NodeID, storage: MemoryStorage) throws {
        var config = RaftConfig(id: id)
        config.randomSeed = id &* 7919
        let kv = TestKV()
        let node = try RaftNode(
            config: config,
            storage: storage,
            stateMachine: kv,
            transport: network.transport(for: id),
            clock: clock,
            options: options
        )
        network.register(id, node)
        let task = Task { try await node.run() }
        members.withLock { $0[id] = Member(node: node, storage: storage, kv: kv, task: task) }
    }

    /// Stops a member as a crash would: its task is cancelled and its network link removed.
    func stop(_ id: NodeID) async {
        let task = members.withLock { m -> Task<Void, any Error>? in
            defer { m[id]?.task = nil }
            return m[id]?.task
        }
        network.unregister(id)
        task?.cancel()
        _ = await task?.result
    }

    /// Restarts a stopped member from its storage with a fresh state machine.
    func restart(_ id: NodeID) throws {
        let storage = members.withLock { $0[id]!.storage }
        try add(id, storage: storage)
    }

    func stopAll() async {
        for id in members.withLock({ Array($0.keys) }) { await stop(id) }
    }

    subscript(id: NodeID) -> RaftNode { members.withLock { $0[id]!.node } }
    func kv(_ id: NodeID) -> TestKV { members.withLock { $0[id]!.kv } }
    var runningIDs: [NodeID] { members.withLock { m in m.filter { $0.value.task != nil }.keys.sorted() } }

    /// The running member that believes it leads with the highest term.
    var leader: NodeID? {
        let statuses = runningIDs.map { (id: $0, status: self[$0].status()) }
        return statuses.filter { $0.status.softState.role == .leader }.max { $0.status.hardState.term < $1.status.hardState.term }?.id
    }

    /// Lets tasks run without moving time.
    func settle() async {
        for _ in 0..<20 { await Task.yield() }
    }

    /// Advances virtual time one heartbeat at a time until `condition` holds (true) or `maxTicks` pass.
    @discardableResult
    func advance(maxTicks: Int, until condition: () -> Bool) async -> Bool {
        for _ in 0..<maxTicks {
            await settle()
            if condition() { return true }
            clock.advance(by: options.heartbeatInterval)
        }
        await settle()
        return condition()
    }

    func electLeader(maxTicks: Int = 200) async -> NodeID? {
        // A leader every running member agrees on: a status read alone can show a leader that a newer term
        // has already replaced, and a proposal sent there is refused.
        await advance(maxTicks: maxTicks) {
            guard let leader else { return false }
            return runningIDs.allSatisfy { self[$0].status().softState.leader == leader }
        }
        return leader
    }

    /// Proposes through the leader while advancing time until the proposal completes.
    func propose(_ data: String, via id: NodeID) async -> Result<[UInt8], RaftError> {
        let node = self[id]
        let task = Task { () -> Result<[UInt8], RaftError> in
            do throws(RaftError) {
                return .success(try await node.propose(Array(data.utf8)))
            } catch {
                return .failure(error)
            }
        }
        let done = Mutex(false)
        let watcher = Task {
            _ = await task.value
            done.withLock { $0 = true }
        }
        await advance(maxTicks: 200) { done.withLock { $0 } }
        _ = await watcher.value
        return await task.value
    }
}
