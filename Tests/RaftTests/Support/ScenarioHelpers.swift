import Testing
@testable import Raft

// Helpers for the scenario suites (ElectionScenarioTests, ReplicationScenarioTests,
// MembershipScenarioTests, ReadAndTransferScenarioTests, AnchorBugRegressionTests).

/// What a synchronous driver observed while settling one core.
struct Settled {
    var messages: [Message] = []
    var committed: [Entry] = []
    var readStates: [ReadState] = []
    var snapshots: [Snapshot] = []
    /// The configuration returned by each conf change applied, in order.
    var confStates: [ConfState] = []
    var confChangeErrors: [RaftError] = []
    /// False when `hasReady` stayed true for 50 rounds in a row.
    var converged = true
}

extension RaftCore {
    /// Persists everything pending to the core's MemoryStorage, applies committed entries (applying
    /// committed conf changes when `applyConfChanges`), acknowledges, and repeats until quiet.
    @discardableResult
    mutating func settle(applyConfChanges: Bool = true, reportNonConvergence: Bool = true) -> Settled {
        var out = Settled()
        var rounds = 0
        while hasReady {
            rounds += 1
            if rounds > 50 {
                // Fail the test, not the whole process: a core whose hasReady never clears is a bug.
                out.converged = false
                if reportNonConvergence {
                    Issue.record("node \(id): ready loop does not converge (hasReady stays true)")
                }
                break
            }
            let rd = ready()
            try! memoryStorage.save(rd)
            out.messages += rd.messages
            out.messages += rd.persistedMessages
            out.readStates += rd.readStates
            if let snapshot = rd.snapshot { out.snapshots.append(snapshot) }
            for entry in rd.committedEntries {
                out.committed.append(entry)
                guard applyConfChanges, entry.kind == .confChange,
                    let change = try? ConfChange(decoding: entry.data)
                else { continue }
                do {
                    out.confStates.append(try applyConfChange(change))
                } catch {
                    out.confChangeErrors.append(error)
                }
            }
            advance(rd)
        }
        return out
    }

    /// The replication progress the leader keeps for `peer`.
    func progress(_ peer: NodeID) -> Progress? { tracker[peer] }
}

extension Array where Element == Message {
    func withKind(_ kind: MessageKind) -> [Message] { filter { $0.kind == kind } }
    func addressedTo(_ id: NodeID) -> [Message] { filter { $0.to == id } }
    /// Append messages that carry at least one entry.
    var nonEmptyAppends: [Message] { filter { $0.kind == .append && !$0.entries.isEmpty } }
}

/// A vote (or pre-vote) response granting `to` in `term`.
func grant(_ kind: MessageKind = .voteResponse, from: NodeID, to: NodeID, term: UInt64) -> Message {
    Message(kind: kind, from: from, to: to, term: term)
}

/// An append acknowledgement from `from` up to `index`.
func appendAck(from: NodeID, to: NodeID = 1, term: UInt64, index: UInt64) -> Message {
    Message(kind: .appendResponse, from: from, to: to, term: term, index: index)
}

/// Bytes of a string.
func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// The error code `body` throws, or nil if it does not throw.
func errorCode<T>(_ body: () throws -> T) -> RaftError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as RaftError {
        return error.code
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

/// A leader at term ≥ 1 built without a network: campaigns and steps the votes it needs. With
/// `acknowledge`, every other member then acknowledges the leader's log, so they are all replicating
/// and the empty entry of the term is committed and applied.
func makeScenarioLeader(
    id: NodeID = 1,
    voters: [NodeID],
    learners: [NodeID] = [],
    election: Int = 10,
    acknowledge: Bool = true,
    configure: (inout RaftConfig) -> Void = { _ in }
) -> RaftCore {
    var core = makeCore(id: id, voters: voters, learners: learners, election: election, configure: configure)
    core.campaign()
    core.settle()
    if core.role == .preCandidate {
        for peer in voters where peer != id && core.role == .preCandidate {
            try! core.step(grant(.preVoteResponse, from: peer, to: id, term: core.term + 1))
        }
        core.settle()
    }
    for peer in voters where peer != id && core.role == .candidate {
        try! core.step(grant(from: peer, to: id, term: core.term))
    }
    core.settle()
    precondition(core.role == .leader, "could not build a leader")
    if acknowledge {
        for peer in (voters + learners) where peer != id {
            try! core.step(appendAck(from: peer, to: id, term: core.term, index: core.lastIndex))
        }
        core.settle()
    }
    return core
}

/// A storage holding entries with the given terms from index 1 on, and a hard state at `term`.
func storageWithTerms(voters: [NodeID], terms: [UInt64], hardTerm: UInt64) -> MemoryStorage {
    let storage = MemoryStorage(voters: voters)
    let entries = terms.enumerated().map { Entry(term: $0.element, index: UInt64($0.offset + 1)) }
    try! storage.append(entries)
    storage.setHardState(HardState(term: hardTerm))
    return storage
}

/// A synchronous cluster of cores, like `TestNetwork`, that also behaves like an application: it
/// applies committed conf changes, records applied entries, read states and snapshots per node, and
/// can cut links, drop message kinds, or filter messages.
struct ScenarioCluster {
    struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    var cores: [NodeID: RaftCore] = [:]
    var cutLinks: Set<Link> = []
    var droppedKinds: Set<MessageKind> = []
    /// Return false to drop a message.
    var filter: ((Message) -> Bool)?
    var applyConfChanges = true
    /// Every message delivered, in order.
    var delivered: [Message] = []
    var applied: [NodeID: [Entry]] = [:]
    var readStates: [NodeID: [ReadState]] = [:]
    var snapshotsInstalled: [NodeID: [Snapshot]] = [:]
    var confChangeErrors: [NodeID: [RaftError]] = [:]
    /// Every configuration each node applied, in order.
    var confStates: [NodeID: [ConfState]] = [:]
    /// Nodes whose `hasReady` never cleared (reported once each).
    var nonConverging: Set<NodeID> = []
    /// Errors returned by `step` on delivery.
    var stepErrors: [(NodeID, RaftError)] = []

    init(
        _ ids: [NodeID],
        learners: [NodeID] = [],
        election: Int = 10,
        configure: (inout RaftConfig) -> Void = { _ in }
    ) {
        for id in ids + learners {
            cores[id] = makeCore(id: id, voters: ids, learners: learners, election: election, configure: configure)
        }
    }

    subscript(id: NodeID) -> RaftCore {
        get { cores[id]! }
        set { cores[id] = newValue }
    }

    var ids: [NodeID] { cores.keys.sorted() }

    /// Nodes that currently believe they lead.
    var leaders: [NodeID] { ids.filter { cores[$0]!.role == .leader } }

    mutating func add(_ core: RaftCore) { cores[core.id] = core }

    func passes(_ m: Message) -> Bool {
        if cutLinks.contains(Link(from: m.from, to: m.to)) { return false }
        if droppedKinds.contains(m.kind) { return false }
        if let filter, !filter(m) { return false }
        return true
    }

    /// Settles `id` and returns what it wants to send.
    mutating func process(_ id: NodeID) -> [Message] {
        let s = cores[id]!.settle(applyConfChanges: applyConfChanges, reportNonConvergence: false)
        if !s.converged && nonConverging.insert(id).inserted {
            Issue.record("node \(id): ready loop does not converge (hasReady stays true)")
        }
        applied[id, default: []] += s.committed
        readStates[id, default: []] += s.readStates
        snapshotsInstalled[id, default: []] += s.snapshots
        confChangeErrors[id, default: []] += s.confChangeErrors
        confStates[id, default: []] += s.confStates
        return s.messages
    }

    /// Delivers `messages` and everything they cause until the network is quiet.
    mutating func deliver(_ messages: [Message]) {
        var queue = messages
        var i = 0
        while i < queue.count {
            let m = queue[i]
            i += 1
            precondition(i < 200_000, "message storm")
            guard cores[m.to] != nil, passes(m) else { continue }
            delivered.append(m)
            do {
                try cores[m.to]!.step(m)
            } catch {
                stepErrors.append((m.to, error))
            }
            queue += process(m.to)
        }
    }

    mutating func flush(_ id: NodeID) { deliver(process(id)) }

    mutating func flushAll() {
        var out: [Message] = []
        for id in ids { out += process(id) }
        deliver(out)
    }

    mutating func campaign(_ id: NodeID) {
        cores[id]!.campaign()
        flush(id)
    }

    mutating func propose(_ id: NodeID, _ data: String) throws(RaftError) {
        try cores[id]!.propose(bytes(data))
        flush(id)
    }

    mutating func proposeConfChange(_ id: NodeID, _ change: ConfChange) throws(RaftError) {
        try cores[id]!.proposeConfChange(change)
        flush(id)
    }

    /// Ticks `id` `times` times, delivering what each tick causes.
    mutating func tick(_ id: NodeID, times: Int = 1) {
        for _ in 0..<times {
            cores[id]!.tick()
            flush(id)
        }
    }

    /// Ticks every node in lockstep, delivering after each round.
    mutating func tickAll(times: Int = 1) {
        for _ in 0..<times {
            for id in ids { cores[id]!.tick() }
            flushAll()
        }
    }

    /// Ticks every node until `condition` holds; returns the ticks it took, or nil.
    mutating func tickAll(upTo maxTicks: Int, until condition: (ScenarioCluster) -> Bool) -> Int? {
        for n in 0...maxTicks {
            if condition(self) { return n }
            if n == maxTicks { break }
            tickAll()
        }
        return nil
    }

    mutating func cut(_ a: NodeID, _ b: NodeID) {
        cutLinks.insert(Link(from: a, to: b))
        cutLinks.insert(Link(from: b, to: a))
    }

    mutating func isolate(_ id: NodeID) {
        for other in ids where other != id { cut(id, other) }
    }

    mutating func recover() {
        cutLinks = []
        droppedKinds = []
        filter = nil
    }

    /// Messages of `kind` delivered to `to` (any sender when `from` is nil).
    func deliveredCount(_ kind: MessageKind, to: NodeID? = nil, from: NodeID? = nil) -> Int {
        delivered.filter { $0.kind == kind && (to == nil || $0.to == to) && (from == nil || $0.from == from) }.count
    }
}
