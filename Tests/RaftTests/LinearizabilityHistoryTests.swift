import Testing
@testable import Raft

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Client histories recorded from seeded fault runs of ``SimulatedCluster`` (see
/// ``KVHistoryScenario``), checked with ``LinearizabilityChecker``. A failure prints its seed and a
/// minimal non-linearizable sub-history; rerun one seed with
/// `RAFT_LIN_SEED=<seed> swift test --filter LinearizabilityHistory`.
@Suite struct LinearizabilityHistoryTests {
    typealias KV = LinearizabilityChecker<KVModel>

    static let chunks = 4
    /// 50 per chunk; `RAFT_LIN_RUNS=<n>` checks n per chunk instead (a longer soak).
    static var historiesPerChunk: Int {
        getenv("RAFT_LIN_RUNS").flatMap { Int(String(cString: $0)) } ?? 50
    }

    static func report(_ outcome: KVHistoryScenario.Outcome, _ result: LinearizabilityResult<KVModel.Input, KVModel.Output>) -> String {
        var text = """
            \(outcome.summary)
            rerun: RAFT_LIN_SEED=\(outcome.seed) swift test --filter LinearizabilityHistory
            \(outcome.history.count) operations: \(outcome.completedPuts) puts done, \(outcome.pendingPuts) unknown, \
            \(outcome.lostPuts) lost; \(outcome.completedGets) gets done, \(outcome.abandonedGets) abandoned
            faults: \(outcome.actions.suffix(30).joined(separator: "; "))
            """
        if !outcome.clusterViolations.isEmpty { text += "\nsimulator violations: \(outcome.clusterViolations)" }
        switch result {
        case .linearizable: break
        case .undetermined: text += "\nthe checker ran out of budget"
        case .violation(let violation): text += "\n\(violation)"
        }
        return text
    }

    /// Every fourth run stops in the middle of its faults, leaving writes of unknown outcome; every
    /// fourth is crash-heavy; every fifth has eight clients on two keys.
    /// `RAFT_LIN_LEASE=1` switches reads to lease-based ones (exploratory).
    static func scenario(_ seed: UInt64) -> KVHistoryScenario {
        var scenario = KVHistoryScenario(seed: seed)
        scenario.settle = seed % 4 != 3
        scenario.crashHeavy = seed % 4 == 1
        if seed % 5 == 0 {
            scenario.clients = 8
            scenario.keys = 2
        }
        if getenv("RAFT_LIN_LEASE") != nil { scenario.readOnlyOption = .leaseBased }
        return scenario
    }

    @Test("200 seeded fault histories are linearizable", arguments: 0..<chunks)
    func seededHistories(chunk: Int) {
        if LinearizabilitySeed.single != nil { return }
        var puts = 0
        var gets = 0
        var pending = 0
        var lost = 0
        let runs = Self.historiesPerChunk
        for n in 0..<runs {
            let seed = UInt64(chunk * runs + n)
            let outcome = Self.scenario(seed).run()
            let result = KV.check(outcome.history)
            puts += outcome.completedPuts
            gets += outcome.completedGets
            pending += outcome.pendingPuts
            lost += outcome.lostPuts
            let ok = result.isLinearizable && outcome.clusterViolations.isEmpty
            #expect(ok, "\(Self.report(outcome, result))")
            if !ok { return }
        }
        print("chunk \(chunk): \(puts) puts, \(gets) gets, \(pending) puts of unknown outcome, \(lost) lost")
        // The histories must exercise the cluster, not just survive: most operations complete.
        #expect(puts > 20 * runs, "puts \(puts)")
        #expect(gets > 20 * runs, "gets \(gets)")
        #expect(pending > 0 && lost > 0, "pending \(pending), lost \(lost)")
    }

    @Test("the same seed records the same history")
    func sameSeedSameHistory() {
        let first = KVHistoryScenario(seed: 77).run().history
        let second = KVHistoryScenario(seed: 77).run().history
        #expect(first.map(\.description) == second.map(\.description))
        #expect(first.count > 20)
    }

    @Test("replay one seed from RAFT_LIN_SEED")
    func replaySeed() {
        guard let seed = LinearizabilitySeed.single else { return }
        var scenario = Self.scenario(seed)
        scenario.trace = getenv("RAFT_LIN_TRACE") != nil
        let outcome = scenario.run()
        let result = KV.check(outcome.history)
        print(Self.report(outcome, result))
        if getenv("RAFT_LIN_TRACE") != nil {
            for op in outcome.history.sorted(by: { $0.call < $1.call }) { print(op) }
        }
        #expect(result.isLinearizable && outcome.clusterViolations.isEmpty)
    }

    /// Sanity check of the whole pipeline: corrupting a recorded history must be caught.
    @Test("corrupted recorded histories are flagged")
    func mutations() throws {
        var phantoms = 0
        var staleReads = 0
        var printed = false
        for seed in 0..<16 as Range<UInt64> {
            let history = Self.scenario(seed).run().history
            try #require(KV.check(history).isLinearizable, "seed \(seed)")
            let gets = history.indices.filter { !history[$0].isPending && KVModel.isReadOnly(history[$0].input) }
            guard !gets.isEmpty else { continue }

            // A read of a value never written.
            var phantom = history
            phantom[gets[gets.count / 2]].output = "never-written"
            let phantomResult = KV.check(phantom)
            #expect(phantomResult.violation?.culprits.contains { $0.output == "never-written" } == true, "seed \(seed)")
            phantoms += 1

            // A stale read: the value of a put that was overwritten by another completed put before
            // the read was called (values are unique, so it cannot have been written again).
            let puts = history.indices.filter { !history[$0].isPending && !KVModel.isReadOnly(history[$0].input) }
            var stale: (get: Int, value: String)?
            search: for g in gets.reversed() {
                let read = history[g]
                for new in puts where history[new].input.key == read.input.key && history[new].response < read.call {
                    for old in puts where history[old].input.key == read.input.key && history[old].response < history[new].call {
                        guard case .put(_, let value) = history[old].input, value != read.output else { continue }
                        stale = (g, value)
                        break search
                    }
                }
            }
            guard let stale else { continue }
            var staleHistory = history
            staleHistory[stale.get].output = stale.value
            let violation = try #require(KV.check(staleHistory).violation, "seed \(seed): stale read not caught")
            #expect(violation.culprits.contains { $0.output == stale.value }, "\(violation)")
            #expect(violation.operations.count < staleHistory.count)
            if !printed {
                print("seed \(seed), a stale read planted in a recorded history is reported as:\n\(violation)")
                printed = true
            }
            staleReads += 1
        }
        #expect(phantoms >= 10)
        #expect(staleReads >= 10)
    }
}

extension LinearizabilityHistoryTests {
    /// Sanity check of the recording: reads served from any member's local state, without ReadIndex,
    /// are stale under faults, and the checker must notice in some of the runs.
    @Test("local reads without ReadIndex are caught as stale")
    func unsafeLocalReads() {
        var caught: [UInt64] = []
        var printed = false
        for seed in 0..<20 as Range<UInt64> {
            var scenario = Self.scenario(seed)
            scenario.unsafeLocalReads = true
            let result = KV.check(scenario.run().history)
            if let violation = result.violation {
                caught.append(seed)
                if !printed {
                    print("seed \(seed) with local reads:\n\(violation)")
                    printed = true
                }
            }
        }
        print("local reads caught as stale in \(caught.count) of 20 runs")
        #expect(caught.count >= 10, "caught in seeds \(caught)")
    }
}

enum LinearizabilitySeed {
    static var single: UInt64? {
        guard let raw = getenv("RAFT_LIN_SEED") else { return nil }
        return UInt64(String(cString: raw))
    }
}
