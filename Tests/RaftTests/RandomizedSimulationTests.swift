import Testing
@testable import Raft

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seeded fault-injection runs over whole clusters. A failure prints its seed; rerun just that seed
/// with `RAFT_SIM_SEED=<seed> swift test --filter RandomizedSimulation`.
@Suite struct RandomizedSimulationTests {
    static let chunks = 20
    static let scenariosPerChunk = 100

    @Test("2,000 seeded fault scenarios on 3- and 5-member clusters", arguments: 0..<chunks)
    func seededScenarios(chunk: Int) {
        if ProcessInfoSeed.single != nil { return }
        var committed = 0
        for n in 0..<Self.scenariosPerChunk {
            let seed = UInt64(chunk * Self.scenariosPerChunk + n)
            // Every fourth scenario is crash-heavy.
            var scenario = FaultScenario(seed: seed)
            scenario.crashHeavy = seed % 4 == 3
            let outcome = scenario.run()
            committed += outcome.committedProposals
            #expect(
                outcome.problems.isEmpty,
                """
                \(outcome.summary)
                rerun: RAFT_SIM_SEED=\(seed) swift test --filter RandomizedSimulation
                \(outcome.problems.joined(separator: "\n"))
                """
            )
            if !outcome.problems.isEmpty { return }
        }
        // The scenarios must do real work, not just survive.
        #expect(committed > Self.scenariosPerChunk)
    }

    @Test("the same seed replays the same run", arguments: [3, 42, 1_003] as [UInt64])
    func sameSeedSameRun(seed: UInt64) {
        func fingerprint() -> String {
            var scenario = FaultScenario(seed: seed)
            scenario.crashHeavy = seed % 4 == 3
            let outcome = scenario.run()
            return "\(outcome.committedProposals)/\(outcome.lostProposals)/\(outcome.problems)/\(outcome.fingerprint)"
        }
        let first = fingerprint()
        #expect(first == fingerprint())
    }

    @Test("replay one seed from RAFT_SIM_SEED")
    func replaySeed() {
        guard let seed = ProcessInfoSeed.single else { return }
        var scenario = FaultScenario(seed: seed)
        scenario.crashHeavy = seed % 4 == 3
        scenario.trace = getenv("RAFT_SIM_TRACE") != nil
        let outcome = scenario.run()
        print(outcome.summary)
        #expect(outcome.problems.isEmpty, "\(outcome.problems.joined(separator: "\n"))")
    }
}

enum ProcessInfoSeed {
    static var single: UInt64? {
        guard let raw = getenv("RAFT_SIM_SEED") else { return nil }
        return UInt64(String(cString: raw))
    }
}
