@testable import Raft

/// The terms of a member's whole log, read in one go: `terms[i]` is the term of index `first + i`.
struct LogTerms {
    var first: UInt64
    var terms: [UInt64]

    var last: UInt64 { first + UInt64(terms.count) - 1 }

    func term(_ index: UInt64) -> UInt64? {
        guard index >= first, index <= last else { return nil }
        return terms[Int(index - first)]
    }

    init(_ core: RaftCore) {
        let log = core.log
        let storage = log.storage as! MemoryStorage
        var (base, storedTerms) = storage.terms()
        // storedTerms[0] is the snapshot placeholder at `base`.
        if let snapshot = log.unstable.snapshot {
            base = snapshot.metadata.index
            storedTerms = [snapshot.metadata.term]
        }
        let unstable = log.unstable
        if !unstable.entries.isEmpty {
            let keep = Int(unstable.offset - base)
            if keep < storedTerms.count { storedTerms.removeSubrange(keep...) }
            storedTerms += unstable.entries.map(\.term)
        }
        first = base
        terms = storedTerms
    }
}

/// Checks Raft's five safety properties (Figure 3 of the paper) after every step of a simulation:
/// election safety, leader append-only, log matching, leader completeness and state machine safety
/// (the last is checked by ``SimulatedCluster`` as entries are applied and reported in `violations`).
struct SafetyChecker {
    private var leaderOfTerm: [UInt64: NodeID] = [:]
    /// The log of each node while it leads a term, as seen at the previous step.
    private var leaderLogs: [NodeID: (term: UInt64, log: LogTerms)] = [:]
    /// Committed entries observed so far: index → (entry term, the lowest member term that observed the
    /// commit; the commit happened in that term or earlier).
    private(set) var committed: [UInt64: (term: UInt64, observedIn: UInt64)] = [:]
    private var committedThrough: [NodeID: UInt64] = [:]

    mutating func check(_ cluster: SimulatedCluster) -> [String] {
        var problems = cluster.violations
        var logs: [NodeID: LogTerms] = [:]
        let live = cluster.liveIDs
        for id in live { logs[id] = LogTerms(cluster[id]!.core) }

        for id in live {
            let core = cluster[id]!.core
            let log = logs[id]!
            // Committed entries must be in the log, and agree with everything committed before.
            let commit = core.committedIndex
            if commit > log.last {
                problems.append("node \(id) commit \(commit) is past its last index \(log.last)")
            }
            var i = max(committedThrough[id] ?? 0, log.first) + 1
            while i <= min(commit, log.last) {
                let t = log.term(i)!
                if let known = committed[i] {
                    if known.term != t {
                        problems.append("node \(id) committed index \(i) with term \(t), but term \(known.term) was committed")
                    } else if core.term < known.observedIn {
                        committed[i] = (t, core.term)
                    }
                } else {
                    committed[i] = (t, core.term)
                }
                i += 1
            }
            committedThrough[id] = max(committedThrough[id] ?? 0, commit)

            guard core.role == .leader else {
                leaderLogs[id] = nil
                continue
            }
            // Election safety: at most one leader per term.
            if let other = leaderOfTerm[core.term], other != id {
                problems.append("election safety: nodes \(other) and \(id) both led term \(core.term)")
            }
            leaderOfTerm[core.term] = id
            // Leader append-only: while leading a term, nothing in its log is overwritten or deleted.
            if let previous = leaderLogs[id], previous.term == core.term {
                let old = previous.log
                if log.last < old.last {
                    problems.append("leader append-only: leader \(id) log shrank from \(old.last) to \(log.last)")
                }
                var j = max(old.first, log.first)
                while j <= min(old.last, log.last) {
                    if old.term(j) != log.term(j) {
                        problems.append("leader append-only: leader \(id) rewrote index \(j) in term \(core.term)")
                        break
                    }
                    j += 1
                }
            }
            leaderLogs[id] = (core.term, log)
            // Leader completeness: entries committed in earlier terms are in the leader's log.
            for (index, entry) in committed where entry.observedIn < core.term && index >= log.first {
                if log.term(index) != entry.term {
                    problems.append(
                        "leader completeness: leader \(id) of term \(core.term) lacks committed index \(index)/\(entry.term)"
                    )
                }
            }
        }

        // Log matching: same index and term ⇒ identical prefixes.
        for (n, a) in live.enumerated() {
            for b in live[(n + 1)...] {
                let la = logs[a]!
                let lb = logs[b]!
                let low = max(la.first, lb.first)
                let high = min(la.last, lb.last)
                guard low <= high else { continue }
                var i = high
                var matched = false
                while true {
                    if la.term(i) == lb.term(i) {
                        matched = true
                    } else if matched {
                        problems.append("log matching: nodes \(a) and \(b) agree at a later index but differ at \(i)")
                        break
                    }
                    if i == low { break }
                    i -= 1
                }
            }
        }
        return problems
    }
}
