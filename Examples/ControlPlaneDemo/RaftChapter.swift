import Raft

/// Chapter 1 of the demo: consensus. A three-member Raft cluster in one process, on virtual time.
///
/// It elects a leader, replicates proposals, loses its leader, elects another and keeps committing,
/// printing a timeline. Everything is deterministic: the same seed prints the same story.
struct RaftChapter {
    var cluster: SimulatedCluster
    let seed: UInt64

    init(seed: UInt64) {
        self.seed = seed
        var options = SimulatedCluster.Options()
        options.faults = NetworkFaults(minDelay: 1, maxDelay: 2)
        cluster = SimulatedCluster(voters: [1, 2, 3], seed: seed, options: options)
    }

    func show(_ text: String) {
        print(text)
    }

    mutating func drainTimeline() {
        for event in cluster.takeEvents() {
            switch event.kind {
            case .leaderElected, .crashed, .restarted, .violation:
                show("  \(event)")
            default:
                break
            }
        }
    }

    mutating func commit(_ key: String, _ value: String) {
        guard let ticket = cluster.propose(SimulatedKV.setCommand(key, value)) else {
            show("  proposal \(key)=\(value) refused: no leader")
            return
        }
        let done = cluster.run(maxTicks: 50) { $0.isCommitted(ticket) != nil }
        let committed = done && cluster.isCommitted(ticket) == true
        show(
            "  t=\(cluster.ticks) \(key)=\(value) -> index \(ticket.index), term \(ticket.term): "
                + (committed ? "committed by a quorum" : "not committed")
        )
    }

    /// Runs the chapter; returns false if anything went wrong.
    mutating func run() -> Bool {
        show("== Consensus: a three-member Raft cluster (seed \(seed)) ==")
        show("")
        show("1. Three Raft members start; nobody leads yet.")
        cluster.electLeader()
        drainTimeline()
        guard let first = cluster.leader else {
            show("no leader elected")
            return false
        }

        show("")
        show("2. Clients write through the leader (node \(first)).")
        for (key, value) in [("feastflow/replicas", "3"), ("feastflow/image", "backend:1.4"), ("feastflow/env", "prod")] {
            commit(key, value)
        }
        cluster.run(ticks: 5)

        show("")
        show("3. The leader (node \(first)) crashes.")
        cluster.crash(first)
        drainTimeline()
        cluster.run(maxTicks: 100) { $0.leader != nil && $0.leader != first }
        drainTimeline()
        guard let second = cluster.leader else {
            show("no new leader")
            return false
        }

        show("")
        show("4. The survivors keep committing under node \(second).")
        commit("feastflow/replicas", "5")
        commit("feastflow/image", "backend:1.5")

        show("")
        show("5. Node \(first) restarts from its durable log and catches up.")
        cluster.restart(first)
        cluster.run(maxTicks: 100) { c in
            let target = c[c.leader ?? second]!.kv.appliedIndex
            return c.liveIDs.allSatisfy { c[$0]!.kv.appliedIndex == target }
        }
        drainTimeline()

        show("")
        show("Replicated state on every member:")
        for id in cluster.sortedIDs {
            let node = cluster[id]!
            let values = node.kv.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            show(
                "  node \(id) [\(node.core.role), term \(node.core.term), applied \(node.kv.appliedIndex)]: "
                    + values.joined(separator: " ")
            )
        }
        let digests = Set(cluster.liveIDs.map { cluster[$0]!.kv.digest })
        show("")
        show(digests.count == 1 ? "All members hold identical state." : "Members diverge: \(digests)")
        if !cluster.violations.isEmpty {
            show("Safety violations: \(cluster.violations)")
            return false
        }
        return digests.count == 1
    }
}
