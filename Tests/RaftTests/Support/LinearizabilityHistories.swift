@testable import Raft

/// A seeded client workload against a faulty ``SimulatedCluster`` that records a concurrent
/// history of `put`s and `get`s for ``LinearizabilityChecker``.
///
/// Several clients each run one operation at a time:
/// - `put(key, value)` proposes `SimulatedKV.setCommand` (values are unique) on the leader. It
///   responds when its ticket is known committed; a ticket lost to another entry did not happen and
///   is left out; one still undecided when the run ends has an unknown outcome (pending). A client
///   that waits too long moves on, but its ticket stays watched, so the write still gets a response
///   time (the step its commit became known) or stays pending.
/// - `get(key)` asks a random live member for a ReadIndex. It responds once that member has the
///   ReadState and has applied through its index; it reads the member's `kv.values[key]` then. A
///   read that never completes (lost request, crash) is left out: reads have no effect.
///
/// Times: operations are invoked between steps and their responses are observed after a step, so
/// an invocation at step count `s` has time `2s + 1` and a response observed at step count `s` has
/// time `2s`. This keeps "responded before the other was invoked" exact at step granularity.
///
/// Faults drawn from the seed, once per tick: message loss, duplication and reordering (delays),
/// partitions, crashes and restarts, leadership transfers, delayed fsyncs, snapshots.
struct KVHistoryScenario {
    typealias Operation = HistoryOperation<KVModel.Input, KVModel.Output>

    struct Outcome {
        var seed: UInt64
        var summary: String
        var history: [Operation]
        /// Safety violations the simulator itself reported.
        var clusterViolations: [String]
        var actions: [String]
        var completedPuts = 0
        var pendingPuts = 0
        var lostPuts = 0
        var completedGets = 0
        var abandonedGets = 0
    }

    let seed: UInt64
    var clients = 4
    var keys = 3
    var faultTicks = 50
    var settleTicks = 200
    /// A client gives up on an operation after this many ticks.
    var clientTimeoutTicks = 20
    /// Heal and let outstanding puts be decided after the faults (false: the run stops in the middle
    /// of the faults, so writes in flight end with an unknown outcome).
    var settle = true
    /// Crash-heavy: fsyncs always lag behind sends and members crash in the middle of writes.
    var crashHeavy = false
    var readOnlyOption = ReadOnlyOption.safe
    /// Serve gets straight from a random member's state machine, without ReadIndex: not
    /// linearizable, for checking that the pipeline catches stale reads.
    var unsafeLocalReads = false
    /// Print the cluster's state every tick.
    var trace = false

    private enum Pending {
        case put(ticket: SimulatedCluster.Ticket, key: String, value: String, call: UInt64)
        case get(node: NodeID, context: [UInt8], key: String, call: UInt64, deadline: UInt64)
    }

    private struct Client {
        var pending: Pending?
        var idleUntil: UInt64 = 0
        var putDeadline: UInt64 = 0
    }

    func run() -> Outcome {
        var rng = SplitMix64(seed: seed ^ 0x11EA_5EED)
        let size = seed % 2 == 0 ? 3 : 5
        let voters = (1...NodeID(size)).map { $0 }
        let options = FaultScenario.randomOptions(&rng, crashHeavy: crashHeavy, readOnlyOption: readOnlyOption)
        var cluster = SimulatedCluster(voters: voters, seed: seed, options: options)
        let summary =
            "seed \(seed): \(size) members, \(clients) clients, \(keys) keys, preVote=\(options.preVote) "
            + "checkQuorum=\(options.checkQuorum) delayedPersist=\(options.delayedPersistRate) "
            + "snapshotEvery=\(options.snapshotInterval) inflight=\(options.maxInflightMessages) "
            + "drop=\(options.faults.dropRate) dup=\(options.faults.duplicateRate) delay<=\(options.faults.maxDelay)"
            + (crashHeavy ? " crash-heavy" : "") + (settle ? "" : " cut-short") + " reads=\(readOnlyOption)"

        var outcome = Outcome(seed: seed, summary: summary, history: [], clusterViolations: [], actions: [])
        var clientStates = Array(repeating: Client(), count: clients)
        /// Puts whose tickets are watched until decided: (client, ticket, key, value, call).
        var watched: [(client: Int, ticket: SimulatedCluster.Ticket, key: String, value: String, call: UInt64)] = []
        var sequence = 0
        var issuing = true
        var highestTicket: UInt64 = 0
        var filler = 0

        func callTime(_ cluster: SimulatedCluster) -> UInt64 { 2 * cluster.steps + 1 }
        func responseTime(_ cluster: SimulatedCluster) -> UInt64 { 2 * cluster.steps }

        func issue(_ c: Int, _ cluster: inout SimulatedCluster) {
            guard clientStates[c].pending == nil, clientStates[c].idleUntil <= cluster.steps else { return }
            // Think for a while between operations.
            guard rng.next() % 3 == 0 else { return }
            let key = "k\(rng.next() % UInt64(keys))"
            sequence += 1
            if rng.next() % 2 == 0 {
                let value = "c\(c)v\(sequence)"
                guard let ticket = cluster.propose(SimulatedKV.setCommand(key, value)) else {
                    // Refused at once (no leader): it did not happen. Back off.
                    clientStates[c].idleUntil = cluster.steps + UInt64(options.stepsPerTick)
                    return
                }
                highestTicket = max(highestTicket, ticket.index)
                clientStates[c].pending = .put(ticket: ticket, key: key, value: value, call: callTime(cluster))
                clientStates[c].putDeadline = cluster.steps + UInt64(clientTimeoutTicks * options.stepsPerTick)
            } else {
                let live = cluster.liveIDs
                guard !live.isEmpty else { return }
                let node = live[Int(rng.next() % UInt64(live.count))]
                if unsafeLocalReads {
                    let now = callTime(cluster)
                    outcome.history.append(
                        Operation(client: c, input: .get(key: key), output: cluster[node]!.kv.values[key], call: now, response: now)
                    )
                    outcome.completedGets += 1
                    return
                }
                let context = Array("c\(c)r\(sequence)".utf8)
                do {
                    try cluster.readIndex(on: node, context: context)
                } catch {
                    clientStates[c].idleUntil = cluster.steps + UInt64(options.stepsPerTick)
                    return
                }
                clientStates[c].pending = .get(
                    node: node, context: context, key: key, call: callTime(cluster),
                    deadline: cluster.steps + UInt64(clientTimeoutTicks * options.stepsPerTick)
                )
            }
        }

        func observe(_ cluster: SimulatedCluster) {
            for c in clientStates.indices {
                switch clientStates[c].pending {
                case nil:
                    break
                case .put(let ticket, let key, let value, let call):
                    if cluster.steps >= clientStates[c].putDeadline {
                        // Give up waiting; the ticket stays watched.
                        watched.append((c, ticket, key, value, call))
                        clientStates[c].pending = nil
                    }
                case .get(let node, let context, let key, let call, let deadline):
                    if let member = cluster[node], member.isUp,
                        let state = member.readStates.first(where: { $0.context == context }),
                        member.kv.appliedIndex >= state.index
                    {
                        outcome.history.append(
                            Operation(
                                client: c, input: .get(key: key), output: member.kv.values[key],
                                call: call, response: responseTime(cluster)
                            )
                        )
                        outcome.completedGets += 1
                        clientStates[c].pending = nil
                    } else if cluster.steps >= deadline {
                        outcome.abandonedGets += 1
                        clientStates[c].pending = nil
                    }
                }
            }
            // Decide puts: those a client still waits for, and those it gave up on.
            for c in clientStates.indices {
                guard case .put(let ticket, let key, let value, let call) = clientStates[c].pending else { continue }
                switch cluster.isCommitted(ticket) {
                case true?:
                    outcome.history.append(
                        Operation(client: c, input: .put(key: key, value: value), output: nil, call: call, response: responseTime(cluster))
                    )
                    outcome.completedPuts += 1
                    clientStates[c].pending = nil
                case false?:
                    outcome.lostPuts += 1
                    clientStates[c].pending = nil
                case nil:
                    break
                }
            }
            watched.removeAll { w in
                switch cluster.isCommitted(w.ticket) {
                case true?:
                    outcome.history.append(
                        Operation(client: w.client, input: .put(key: w.key, value: w.value), output: nil, call: w.call, response: responseTime(cluster))
                    )
                    outcome.completedPuts += 1
                    return true
                case false?:
                    outcome.lostPuts += 1
                    return true
                case nil:
                    return false
                }
            }
        }

        func stepAll(_ cluster: inout SimulatedCluster) {
            if trace {
                print("t=\(cluster.ticks) ops=\(outcome.history.count) \(FaultScenario.describe(cluster))")
            }
            for _ in 0..<options.stepsPerTick {
                if issuing {
                    for c in 0..<clients { issue(c, &cluster) }
                }
                cluster.step()
                observe(cluster)
                if crashHeavy && rng.next() % 8 == 0, cluster.liveIDs.count > size / 2 + 1,
                    let victim = cluster.liveIDs.first(where: { cluster[$0]!.hasWriteInFlight })
                {
                    // A failpoint: crash a member whose messages left before its write was durable.
                    cluster.crash(victim)
                    outcome.actions.append("t=\(cluster.ticks) crash \(victim) mid-write")
                }
            }
        }

        // Fault phase.
        for _ in 0..<faultTicks {
            let members = cluster.sortedIDs
            switch rng.next() % 100 {
            case 0..<8:
                // Keep a quorum most of the time so the clients make progress.
                let live = cluster.liveIDs
                if live.count > size / 2 + (rng.next() % 4 == 0 ? 0 : 1) {
                    let victim = live[Int(rng.next() % UInt64(live.count))]
                    cluster.crash(victim)
                    outcome.actions.append("t=\(cluster.ticks) crash \(victim)")
                }
            case 8..<18:
                if let down = members.first(where: { !cluster[$0]!.isUp }) {
                    cluster.restart(down)
                    outcome.actions.append("t=\(cluster.ticks) restart \(down)")
                }
            case 18..<24:
                var shuffled = members
                for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
                    shuffled.swapAt(i, Int(rng.next() % UInt64(i + 1)))
                }
                let cutAt = 1 + Int(rng.next() % UInt64(max(1, shuffled.count - 1)))
                cluster.network.partition([Array(shuffled[..<cutAt]), Array(shuffled[cutAt...])])
                outcome.actions.append("t=\(cluster.ticks) partition \(Array(shuffled[..<cutAt])) | \(Array(shuffled[cutAt...]))")
            case 24..<32:
                cluster.network.heal()
                outcome.actions.append("t=\(cluster.ticks) heal")
            case 32..<38:
                let target = members[Int(rng.next() % UInt64(members.count))]
                cluster.transferLeadership(to: target)
                outcome.actions.append("t=\(cluster.ticks) transfer to \(target)")
            default:
                break
            }
            stepAll(&cluster)
        }

        // Settle: heal everything, keep the clients going a little, then let every put be decided.
        if settle {
            cluster.network.heal()
            cluster.network.faults = .none
            for id in cluster.sortedIDs where !cluster[id]!.isUp { cluster.restart(id) }
            outcome.actions.append("t=\(cluster.ticks) heal all, restart all")
            var ticks = 0
            while ticks < settleTicks {
                if ticks == 30 { issuing = false }
                let outstanding = clientStates.contains { $0.pending != nil } || !watched.isEmpty
                if !issuing && !outstanding { break }
                // Slots lost with a crashed leader are decided only once the log grows past them.
                if let leader = cluster.leader, !issuing {
                    while cluster[leader]!.core.lastIndex < highestTicket, cluster.leader == leader {
                        filler += 1
                        guard cluster.propose(SimulatedKV.setCommand("filler", "\(filler)")) != nil else { break }
                    }
                }
                stepAll(&cluster)
                ticks += 1
            }
        }
        // Whatever is still undecided has an unknown outcome.
        for c in clientStates.indices {
            if case .put(let ticket, let key, let value, let call) = clientStates[c].pending {
                watched.append((c, ticket, key, value, call))
            }
        }
        for w in watched {
            outcome.history.append(
                Operation(client: w.client, input: .put(key: w.key, value: w.value), output: nil, call: w.call, response: .max)
            )
            outcome.pendingPuts += 1
        }
        outcome.clusterViolations = cluster.violations
        return outcome
    }
}
