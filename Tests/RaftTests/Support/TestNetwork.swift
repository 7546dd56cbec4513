@testable import Raft

/// Builds a core for tests. Unlike the library defaults, PreVote and CheckQuorum are off unless asked
/// for, as in the Raft paper (and etcd-io/raft's tests), so each test opts into what it exercises.
func makeCore(
    id: NodeID,
    voters: [NodeID],
    learners: [NodeID] = [],
    election: Int = 10,
    heartbeat: Int = 1,
    storage: MemoryStorage? = nil,
    configure: (inout RaftConfig) -> Void = { _ in }
) -> RaftCore {
    var config = RaftConfig(id: id)
    config.electionTick = election
    config.heartbeatTick = heartbeat
    config.preVote = false
    config.checkQuorum = false
    config.maxInflightMessages = 256
    config.randomSeed = 42
    configure(&config)
    let storage = storage ?? MemoryStorage(voters: voters, learners: learners)
    return try! RaftCore(config: config, storage: storage)
}

extension RaftCore {
    /// Persists and acknowledges everything pending (as a synchronous driver would) and returns
    /// every message produced, in the order they may be sent.
    mutating func drain(into storage: MemoryStorage) -> [Message] {
        var out: [Message] = []
        var rounds = 0
        while hasReady {
            rounds += 1
            precondition(rounds < 1000, "ready loop does not converge")
            let rd = ready()
            try! storage.save(rd)
            out += rd.messages
            out += rd.persistedMessages
            advance(rd)
        }
        return out
    }

    /// The storage this core reads from (tests always use MemoryStorage).
    var memoryStorage: MemoryStorage { log.storage as! MemoryStorage }

    /// Persists everything pending and returns the messages.
    mutating func readMessages() -> [Message] {
        drain(into: memoryStorage)
    }

    /// Steps a message, ignoring errors (most tests feed messages that are valid by construction).
    mutating func stepIgnoringErrors(_ m: Message) {
        try? step(m)
    }
}

/// A synchronous in-memory network of cores, after etcd-io/raft's test `network`: `send` delivers
/// messages (and the messages they cause) until none are left, honouring cut links, isolated nodes,
/// ignored message kinds and per-link drop rates.
struct TestNetwork {
    struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    var peers: [NodeID: RaftCore] = [:]
    /// Drop probability per directed link (1.0 = cut).
    var dropRates: [Link: Double] = [:]
    var ignoredKinds: Set<MessageKind> = []
    /// Every message delivered, in order (for assertions).
    var delivered: [Message] = []
    /// Hook to inspect or drop messages: return false to drop.
    var filter: ((Message) -> Bool)?
    var rng = SplitMix64(seed: 1)

    /// A network of `ids`, all voters, with the given configuration tweak.
    init(_ ids: [NodeID], configure: (inout RaftConfig) -> Void = { _ in }) {
        for id in ids {
            peers[id] = makeCore(id: id, voters: ids, configure: configure)
        }
    }

    /// A network of existing cores (nil entries are black holes, like etcd's `nopStepper`).
    init(cores: [RaftCore]) {
        for core in cores { peers[core.id] = core }
    }

    subscript(id: NodeID) -> RaftCore {
        get { peers[id]! }
        set { peers[id] = newValue }
    }

    mutating func send(_ messages: [Message]) {
        var queue = messages
        var delivered = 0
        while !queue.isEmpty {
            let m = queue.removeFirst()
            guard peers[m.to] != nil else { continue }
            delivered += 1
            precondition(delivered < 100_000, "message storm")
            self.delivered.append(m)
            peers[m.to]!.stepIgnoringErrors(m)
            queue += filtered(peers[m.to]!.readMessages())
        }
    }

    mutating func send(_ message: Message) {
        send([message])
    }

    /// Runs the local campaign of `id` and delivers everything it causes.
    mutating func campaign(_ id: NodeID) {
        peers[id]!.campaign()
        send(filtered(peers[id]!.readMessages()))
    }

    /// Proposes on `id` and delivers everything it causes.
    mutating func propose(_ id: NodeID, _ data: String) {
        try? peers[id]!.propose(Array(data.utf8))
        send(filtered(peers[id]!.readMessages()))
    }

    /// Lets every peer emit what it has pending (heartbeats after ticks, etc.) and delivers it.
    mutating func flushAll() {
        var messages: [Message] = []
        for id in peers.keys.sorted() { messages += filtered(peers[id]!.readMessages()) }
        send(messages)
    }

    mutating func tick(_ id: NodeID, times: Int = 1) {
        for _ in 0..<times { peers[id]!.tick() }
    }

    mutating func drop(from: NodeID, to: NodeID, rate: Double) {
        dropRates[Link(from: from, to: to)] = rate
    }

    mutating func cut(_ a: NodeID, _ b: NodeID) {
        drop(from: a, to: b, rate: 1)
        drop(from: b, to: a, rate: 1)
    }

    mutating func isolate(_ id: NodeID) {
        for other in peers.keys where other != id { cut(id, other) }
    }

    mutating func ignore(_ kind: MessageKind) {
        ignoredKinds.insert(kind)
    }

    mutating func recover() {
        dropRates = [:]
        ignoredKinds = []
    }

    mutating func filtered(_ messages: [Message]) -> [Message] {
        messages.filter { m in
            if ignoredKinds.contains(m.kind) { return false }
            if let rate = dropRates[Link(from: m.from, to: m.to)] {
                if rate >= 1 { return false }
                if rng.chance(rate) { return false }
            }
            if let filter, !filter(m) { return false }
            return true
        }
    }
}
