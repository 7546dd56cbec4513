import Raft

/// Closed-loop clients: each proposes an entry, waits until it is committed and applied, and
/// proposes the next, following the leader hint on `notLeader`.
public enum ProposalLoad {
    public struct Outcome: Sendable {
        /// Proposals retried or with an unknown outcome.
        public var failures: Int
        /// Propose-to-applied latency of every successful proposal, in nanoseconds (when recorded).
        public var latencies: [Int]

        public init(failures: Int, latencies: [Int]) {
            self.failures = failures
            self.latencies = latencies
        }
    }

    public static func run(
        on members: [RaftNode],
        total: Int,
        proposers: Int,
        payloadBytes: Int,
        committed: Counter? = nil,
        recordLatencies: Bool = false
    ) async -> Outcome {
        let remaining = Counter(total)
        let failures = Counter()
        let payload = [UInt8](repeating: 0x61, count: payloadBytes)
        return await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<proposers {
                group.addTask {
                    var latencies: [Int] = []
                    if recordLatencies { latencies.reserveCapacity(total / proposers + 1) }
                    let clock = ContinuousClock()
                    var target = members.first { $0.status().softState.role == .leader } ?? members[0]
                    while remaining.take() {
                        while true {
                            let start: ContinuousClock.Instant? = recordLatencies ? clock.now : nil
                            do throws(RaftError) {
                                _ = try await target.propose(payload)
                                if let start {
                                    let elapsed = clock.now - start
                                    latencies.append(
                                        Int(elapsed.components.seconds) * 1_000_000_000
                                            + Int(elapsed.components.attoseconds / 1_000_000_000)
                                    )
                                }
                                committed?.add()
                                break
                            } catch {
                                failures.add()
                                if error.code == .notLeader, let hinted = members.first(where: { $0.id == error.leaderHint }) {
                                    target = hinted
                                } else if error.code == .notLeader || error.code == .proposalDropped {
                                    try? await Task.sleep(for: .milliseconds(10))
                                } else {
                                    break  // outcome unknown: counted, not retried
                                }
                            }
                        }
                    }
                    return latencies
                }
            }
            var all: [Int] = []
            for await latencies in group { all += latencies }
            return Outcome(failures: failures.count, latencies: all)
        }
    }
}
