@testable import Raft

/// One randomized fault scenario, entirely determined by its seed: a 3- or 5-member cluster under
/// message loss, duplication, reordering, partitions, crashes and restarts, with proposals,
/// membership changes and leadership transfers mixed in. Safety is checked after every step; after
/// the faults stop, liveness (a leader within a bounded time, every proposal resolved, new proposals
/// committed).
struct FaultScenario {
    struct Outcome {
        var seed: UInt64
        var problems: [String]
        var summary: String
        var committedProposals = 0
        var lostProposals = 0
        /// A digest of the run (steps, message counts, events, final state), to check that a seed replays exactly.
        var fingerprint = ""
    }

    let seed: UInt64
    var faultTicks = 60
    var livenessTicks = 400
    var trace = false
    /// Crash-heavy: members crash and restart often and writes always lag behind sends.
    var crashHeavy = false

    /// Cluster settings and network faults drawn from `rng`: election variants, delayed writes,
    /// snapshots, flow-control limits, loss, duplication and reordering.
    static func randomOptions(
        _ rng: inout SplitMix64,
        crashHeavy: Bool,
        readOnlyOption: ReadOnlyOption = .safe
    ) -> SimulatedCluster.Options {
        var options = SimulatedCluster.Options()
        options.preVote = rng.next() % 4 != 0
        options.checkQuorum = rng.next() % 4 != 0
        options.delayedPersistRate = crashHeavy ? 0.5 : (rng.next() % 3 == 0 ? 0.3 : 0)
        options.readOnlyOption = readOnlyOption
        // Lease-based reads are only sound with checkQuorum.
        if readOnlyOption == .leaseBased { options.checkQuorum = true }
        options.snapshotInterval = rng.next() % 2 == 0 ? 8 : 0
        options.compactionSlack = 2
        options.maxInflightMessages = [1, 4, 256][Int(rng.next() % 3)]
        options.maxSizePerMessage = rng.next() % 2 == 0 ? 64 : 1 << 20
        options.faults = NetworkFaults(
            dropRate: Double(rng.next() % 15) / 100,
            duplicateRate: Double(rng.next() % 6) / 100,
            minDelay: 1,
            maxDelay: 1 + Int(rng.next() % 6)
        )
        return options
    }

    static func describe(_ cluster: SimulatedCluster) -> String {
        cluster.sortedIDs.map { id in
            let n = cluster[id]!
            let c = n.core
            return "\(id):\(n.isUp ? "" : "DOWN ")\(c.role) t\(c.term) v\(c.vote) L\(c.leader) last\(c.lastIndex)/\(c.term(at: c.lastIndex) ?? 0) "
                + "commit\(c.committedIndex) applied\(c.appliedIndex) cfg\(c.confState.voters)\(c.confState.isJoint ? "J\(c.confState.votersOutgoing)" : "")"
                + (c.confState.learners.isEmpty ? "" : "L\(c.confState.learners)")
                + (c.transferTarget == .none ? "" : " xfer\(c.transferTarget)") + " unc\(c.uncommittedSize) pci\(c.pendingConfIndex)"
        }.joined(separator: " | ")
    }

    /// Runs the scenario and returns what went wrong, if anything.
    func run() -> Outcome {
        var rng = SplitMix64(seed: seed)
        let size = seed % 2 == 0 ? 3 : 5
        let voters = (1...NodeID(size)).map { $0 }
        let options = Self.randomOptions(&rng, crashHeavy: crashHeavy)
        var cluster = SimulatedCluster(voters: voters, seed: seed, options: options)
        var checker = SafetyChecker()
        var problems: [String] = []
        var tickets: [SimulatedCluster.Ticket] = []
        var nextNode = NodeID(size) + 1
        var proposalNumber = 0
        var actions: [String] = []
        let summary =
            "seed \(seed): \(size) members, preVote=\(options.preVote) checkQuorum=\(options.checkQuorum) "
            + "delayedPersist=\(options.delayedPersistRate) snapshotEvery=\(options.snapshotInterval) "
            + "inflight=\(options.maxInflightMessages) drop=\(options.faults.dropRate) "
            + "dup=\(options.faults.duplicateRate) delay<=\(options.faults.maxDelay)"
            + (crashHeavy ? " crash-heavy" : "")

        func stepChecked(_ cluster: inout SimulatedCluster) -> Bool {
            cluster.step()
            let found = checker.check(cluster)
            if !found.isEmpty {
                problems += found.map { "t=\(cluster.ticks): \($0)" }
                return false
            }
            return true
        }

        // Fault phase.
        for _ in 0..<faultTicks {
            var roll = rng.next() % 100
            if crashHeavy && roll >= 56 && roll < 90 {
                // Trade partitions, transfers and membership changes for crashes and restarts.
                roll = roll % 2 == 0 ? 40 + roll % 7 : 47 + roll % 9
            }
            let members = cluster.sortedIDs
            let voterIDs = cluster.leader.map { cluster[$0]!.core.confState.voters } ?? voters
            switch roll {
            case 0..<40:
                proposalNumber += 1
                if let ticket = cluster.propose(SimulatedKV.setCommand("k\(proposalNumber % 7)", "v\(proposalNumber)")) {
                    tickets.append(ticket)
                }
            case 40..<47:
                let victim = members[Int(rng.next() % UInt64(members.count))]
                cluster.crash(victim)
                actions.append("t=\(cluster.ticks) crash \(victim)")
            case 47..<56:
                if let down = members.first(where: { !cluster[$0]!.isUp }) {
                    cluster.restart(down)
                    actions.append("t=\(cluster.ticks) restart \(down)")
                }
            case 56..<62:
                var shuffled = members
                for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
                    shuffled.swapAt(i, Int(rng.next() % UInt64(i + 1)))
                }
                let cutAt = 1 + Int(rng.next() % UInt64(max(1, shuffled.count - 1)))
                cluster.network.partition([Array(shuffled[..<cutAt]), Array(shuffled[cutAt...])])
                actions.append("t=\(cluster.ticks) partition \(Array(shuffled[..<cutAt])) | \(Array(shuffled[cutAt...]))")
            case 62..<70:
                cluster.network.heal()
                actions.append("t=\(cluster.ticks) heal")
            case 70..<74:
                let target = voterIDs[Int(rng.next() % UInt64(voterIDs.count))]
                cluster.transferLeadership(to: target)
                actions.append("t=\(cluster.ticks) transfer to \(target)")
            case 74..<78:
                // Membership: add a learner, promote a learner, remove a voter, or swap voters jointly.
                let conf = cluster.leader.map { cluster[$0]!.core.confState } ?? ConfState(voters: voters)
                let change: ConfChange
                switch rng.next() % 4 {
                case 0:
                    change = .single(.addLearner, nextNode)
                    nextNode += 1
                case 1:
                    guard let learner = conf.learners.first else { continue }
                    change = .single(.addVoter, learner)
                case 2:
                    guard conf.voters.count > 3 else { continue }
                    change = .single(.removeNode, conf.voters[Int(rng.next() % UInt64(conf.voters.count))])
                default:
                    guard let outgoing = conf.voters.last else { continue }
                    let incoming = conf.learners.first ?? nextNode
                    if incoming == nextNode { nextNode += 1 }
                    change = ConfChange(
                        transition: rng.next() % 2 == 0 ? .auto : .jointImplicit,
                        changes: [ConfChangeSingle(.addVoter, incoming), ConfChangeSingle(.removeNode, outgoing)]
                    )
                }
                do {
                    try cluster.proposeConfChange(change)
                    actions.append("t=\(cluster.ticks) conf change \(change.changes)")
                } catch {}
            default:
                break
            }
            if trace { print("t=\(cluster.ticks) \(actions.last ?? ""): \(Self.describe(cluster))") }
            for _ in 0..<options.stepsPerTick {
                if !stepChecked(&cluster) {
                    return Outcome(seed: seed, problems: problems + actions.suffix(20), summary: summary)
                }
                if crashHeavy && rng.next() % 8 == 0 {
                    // A failpoint: crash a member in the middle of a write whose messages already left.
                    if let victim = cluster.liveIDs.first(where: { cluster[$0]!.hasWriteInFlight }) {
                        cluster.crash(victim)
                        actions.append("t=\(cluster.ticks) crash \(victim) mid-write")
                    }
                }
            }
        }

        // Liveness phase: heal everything and require progress.
        cluster.network.heal()
        cluster.network.faults = .none
        for id in cluster.sortedIDs where !cluster[id]!.isUp { cluster.restart(id) }
        var probe: SimulatedCluster.Ticket?
        var ticks = 0
        // Slots of proposals lost with a crashed leader are decided only once the log grows past
        // them: keep the leader's log at least that long, as retrying clients would.
        let highestTicket = tickets.map(\.index).max() ?? 0
        var filler = 0
        while ticks < livenessTicks {
            if let leader = cluster.leader {
                if probe == nil { probe = cluster.propose(SimulatedKV.setCommand("probe", "\(seed)")) }
                let fillTo = max(highestTicket, probe?.index ?? 0)
                while cluster[leader]!.core.lastIndex < fillTo, cluster.leader == leader {
                    filler += 1
                    guard cluster.propose(SimulatedKV.setCommand("filler", "\(filler)")) != nil else { break }
                }
            }
            if let p = probe, cluster.isCommitted(p) == false { probe = nil }  // lost to a new leader: retry
            if let p = probe, cluster.isCommitted(p) == true, tickets.allSatisfy({ cluster.isCommitted($0) != nil }) {
                break
            }
            if trace && ticks % 10 == 0 {
                print("live t=\(cluster.ticks): \(Self.describe(cluster)) probe=\(probe.map { "\($0.index)/\($0.term)" } ?? "-")")
            }
            for _ in 0..<options.stepsPerTick {
                if !stepChecked(&cluster) {
                    return Outcome(seed: seed, problems: problems + actions.suffix(20), summary: summary)
                }
            }
            ticks += 1
        }
        if probe.flatMap({ cluster.isCommitted($0) }) != true {
            problems.append(
                "liveness: no proposal made after healing committed within \(livenessTicks) ticks "
                    + (cluster.leader == nil ? "(no leader)" : "(leader \(cluster.leader!))")
                    + "\n  " + Self.describe(cluster)
            )
        }
        let unresolved = tickets.filter { cluster.isCommitted($0) == nil }
        if !unresolved.isEmpty {
            problems.append("liveness: \(unresolved.count) proposals neither committed nor lost after healing")
        }
        let digests = cluster.sortedIDs.map { "\($0):\(cluster[$0]!.kv.digest):\(cluster[$0]!.core.term)" }
        let fingerprint = "\(cluster.steps) \(cluster.network.sent) \(cluster.network.dropped) \(cluster.events.count) \(digests)"
        var outcome = Outcome(seed: seed, problems: problems, summary: summary)
        outcome.fingerprint = fingerprint
        outcome.committedProposals = tickets.filter { cluster.isCommitted($0) == true }.count
        outcome.lostProposals = tickets.count - outcome.committedProposals - unresolved.count
        if !problems.isEmpty { outcome.problems += actions.suffix(20) }
        return outcome
    }
}
