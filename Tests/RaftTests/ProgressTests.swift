import Testing

@testable import Raft

/// Replication progress (probe / replicate / snapshot), in-flight windows and quorum arithmetic,
/// after etcd-io/raft's `tracker/progress_test.go`, `tracker/inflights_test.go` and `quorum/` tests.
/// Quorum functions are also checked against brute-force definitions over seeded random inputs.
@Suite struct ProgressTests {
    // MARK: Helpers

    static func progress(
        _ state: ProgressState = .probe,
        match: UInt64,
        next: UInt64,
        pendingSnapshot: UInt64 = 0,
        capacity: Int = 256,
        maxBytes: UInt64 = 0
    ) -> Progress {
        var pr = Progress(next: next, inflightCapacity: capacity, maxInflightBytes: maxBytes, isLearner: false)
        pr.match = match
        pr.state = state
        pr.pendingSnapshot = pendingSnapshot
        return pr
    }

    // MARK: State transitions

    @Test(arguments: [
        (ProgressState.replicate, UInt64(1), UInt64(5), UInt64(0), UInt64(2)),
        // From a snapshot: resume after the snapshot if it is known to be sent.
        (.snapshot, 1, 5, 10, 11),
        (.snapshot, 1, 5, 0, 2),
        (.probe, 3, 9, 0, 4),
    ] as [(ProgressState, UInt64, UInt64, UInt64, UInt64)])
    func becomeProbe(from state: ProgressState, match: UInt64, next: UInt64, pendingSnapshot: UInt64, wantNext: UInt64) {
        var pr = Self.progress(state, match: match, next: next, pendingSnapshot: pendingSnapshot)
        pr.flowPaused = true
        pr.becomeProbe()
        #expect(pr.state == .probe)
        #expect(pr.match == match)
        #expect(pr.next == wantNext)
        #expect(pr.pendingSnapshot == 0)
        #expect(!pr.isPaused)
    }

    @Test func becomeReplicate() {
        var pr = Self.progress(match: 1, next: 5)
        pr.becomeReplicate()
        #expect(pr.state == .replicate)
        #expect(pr.match == 1)
        #expect(pr.next == 2)
        #expect(pr.inflightCount == 0)
        #expect(!pr.isPaused)
    }

    @Test func becomeSnapshot() {
        var pr = Self.progress(.replicate, match: 1, next: 5)
        pr.sentEntries(1, bytes: 10)
        pr.becomeSnapshot(10)
        #expect(pr.state == .snapshot)
        #expect(pr.match == 1)
        #expect(pr.pendingSnapshot == 10)
        #expect(pr.next == 11)
        #expect(pr.inflightCount == 0)
        #expect(pr.isPaused)
    }

    /// An acknowledgement moves the match forward only; `next` never goes back.
    @Test(arguments: [
        (UInt64(2), false, UInt64(3), UInt64(5)),  // stale
        (3, false, 3, 5),  // repeated
        (4, true, 4, 5),
        (5, true, 5, 6),
        (6, true, 6, 7),
        (100, true, 100, 101),
    ] as [(UInt64, Bool, UInt64, UInt64)])
    func maybeUpdate(index: UInt64, updated: Bool, wantMatch: UInt64, wantNext: UInt64) {
        var pr = Self.progress(match: 3, next: 5)
        pr.flowPaused = true
        let result = pr.maybeUpdate(index)
        #expect(result == updated)
        #expect(pr.match == wantMatch)
        #expect(pr.next == wantNext)
        // A real acknowledgement resumes sending.
        #expect(pr.flowPaused == !updated)
    }

    struct DecrCase: Sendable, CustomTestStringConvertible {
        var state: ProgressState
        var match: UInt64
        var next: UInt64
        var rejected: UInt64
        var hint: UInt64
        var accepted: Bool
        var wantNext: UInt64
        var testDescription: String { "\(state) \(match)/\(next) rejected \(rejected) hint \(hint)" }
    }

    @Test(arguments: [
        // Replicate: a rejection at or below the match is a reordered old message.
        DecrCase(state: .replicate, match: 5, next: 10, rejected: 5, hint: 5, accepted: false, wantNext: 10),
        DecrCase(state: .replicate, match: 5, next: 10, rejected: 4, hint: 4, accepted: false, wantNext: 10),
        // Otherwise fall back to just after the match.
        DecrCase(state: .replicate, match: 5, next: 10, rejected: 9, hint: 9, accepted: true, wantNext: 6),
        // Probe: only the rejection of the latest probe counts.
        DecrCase(state: .probe, match: 0, next: 10, rejected: 5, hint: 5, accepted: false, wantNext: 10),
        DecrCase(state: .probe, match: 0, next: 10, rejected: 9, hint: 9, accepted: true, wantNext: 9),
        DecrCase(state: .probe, match: 0, next: 2, rejected: 1, hint: 1, accepted: true, wantNext: 1),
        DecrCase(state: .probe, match: 0, next: 1, rejected: 0, hint: 0, accepted: true, wantNext: 1),
        // The hint lets the leader skip back further; never below 1 or the match.
        DecrCase(state: .probe, match: 0, next: 10, rejected: 9, hint: 2, accepted: true, wantNext: 3),
        DecrCase(state: .probe, match: 0, next: 10, rejected: 9, hint: 0, accepted: true, wantNext: 1),
        DecrCase(state: .probe, match: 4, next: 10, rejected: 9, hint: 1, accepted: true, wantNext: 5),
    ])
    func maybeDecrTo(_ c: DecrCase) {
        var pr = Self.progress(c.state, match: c.match, next: c.next)
        pr.flowPaused = c.state == .probe
        let result = pr.maybeDecrTo(rejected: c.rejected, matchHint: c.hint)
        #expect(result == c.accepted)
        #expect(pr.match == c.match)
        #expect(pr.next == c.wantNext)
        if c.state == .probe {
            // A valid rejection answers the probe: the next one may go.
            #expect(pr.isPaused == !c.accepted)
        }
    }

    @Test(arguments: [
        (ProgressState.probe, false, false),
        (.probe, true, true),
        (.replicate, false, false),
        (.replicate, true, true),
        (.snapshot, false, true),
        (.snapshot, true, true),
    ] as [(ProgressState, Bool, Bool)])
    func isPaused(state: ProgressState, flowPaused: Bool, paused: Bool) {
        var pr = Self.progress(state, match: 0, next: 1)
        pr.flowPaused = flowPaused
        #expect(pr.isPaused == paused)
    }

    @Test func probeSendsOneAppendAtATime() {
        var pr = Self.progress(match: 0, next: 5)
        pr.sentEntries(0, bytes: 0)
        #expect(!pr.isPaused, "an empty probe does not pause")
        pr.sentEntries(3, bytes: 30)
        #expect(pr.isPaused)
        #expect(pr.next == 5, "probing does not advance next optimistically")
        #expect(pr.inflightCount == 0)
        let updated7 = pr.maybeUpdate(7)
        #expect(updated7)
        #expect(!pr.isPaused)
    }

    @Test func replicatePipelinesUntilWindowIsFull() {
        var pr = Self.progress(.replicate, match: 4, next: 5, capacity: 3)
        pr.sentEntries(2, bytes: 20)  // 5, 6
        pr.sentEntries(0, bytes: 0)  // an empty append takes no slot
        pr.sentEntries(1, bytes: 10)  // 7
        #expect(pr.next == 8)
        #expect(pr.inflightCount == 2)
        #expect(!pr.isPaused)
        pr.sentEntries(3, bytes: 30)  // 8, 9, 10
        #expect(pr.next == 11)
        #expect(pr.inflightCount == 3)
        #expect(pr.isPaused)
        // Acknowledging 7 frees two messages and resumes.
        let updated7 = pr.maybeUpdate(7)
        #expect(updated7)
        pr.inflights.freeLE(7)
        #expect(pr.inflightCount == 1)
        #expect(!pr.isPaused)
        #expect(pr.next == 11)
    }

    @Test func replicatePausesOnInflightBytes() {
        var pr = Self.progress(.replicate, match: 0, next: 1, capacity: 100, maxBytes: 100)
        pr.sentEntries(1, bytes: 60)
        #expect(!pr.isPaused)
        pr.sentEntries(1, bytes: 40)
        #expect(pr.isPaused)
        let updated1 = pr.maybeUpdate(1)
        #expect(updated1)
        pr.inflights.freeLE(1)
        #expect(!pr.isPaused)
        #expect(pr.inflights.bytes == 40)
    }

    // MARK: Inflights

    @Test func inflightsFillAndFreeByCount() {
        var inflights = Inflights(capacity: 10, maxBytes: 0)
        for i in 0..<5 { inflights.add(index: UInt64(i), bytes: 100 + UInt64(i)) }
        #expect(inflights.count == 5)
        #expect(inflights.bytes == 510)
        #expect(!inflights.isFull)
        for i in 5..<10 { inflights.add(index: UInt64(i), bytes: 100 + UInt64(i)) }
        #expect(inflights.count == 10)
        #expect(inflights.isFull)
        inflights.freeLE(4)
        #expect(inflights.count == 5)
        #expect(inflights.bytes == 535)
        #expect(!inflights.isFull)
        inflights.freeLE(8)
        #expect(inflights.count == 1)
        #expect(inflights.bytes == 109)
        // Older or repeated acknowledgements free nothing.
        inflights.freeLE(8)
        inflights.freeLE(0)
        #expect(inflights.count == 1)
        inflights.freeLE(9)
        #expect(inflights.count == 0)
        #expect(inflights.bytes == 0)
    }

    @Test func inflightsWrapAround() {
        var inflights = Inflights(capacity: 10, maxBytes: 0)
        for i in 0..<10 { inflights.add(index: UInt64(i), bytes: 1) }
        inflights.freeLE(4)  // the first five slots are free, the live window starts in the middle
        for i in 10..<15 { inflights.add(index: UInt64(i), bytes: 2) }  // these wrap around
        #expect(inflights.count == 10)
        #expect(inflights.bytes == 15)
        #expect(inflights.isFull)
        inflights.freeLE(7)
        #expect(inflights.count == 7)
        #expect(inflights.bytes == 12)
        inflights.freeLE(12)  // across the wrap point
        #expect(inflights.count == 2)
        #expect(inflights.bytes == 4)
        for i in 15..<23 { inflights.add(index: UInt64(i), bytes: 3) }
        #expect(inflights.isFull)
        inflights.freeLE(22)
        #expect(inflights.count == 0)
        #expect(inflights.bytes == 0)
    }

    @Test func inflightsFullByBytes() {
        var inflights = Inflights(capacity: 10, maxBytes: 1000)
        inflights.add(index: 1, bytes: 100)
        inflights.add(index: 2, bytes: 200)
        inflights.add(index: 3, bytes: 300)
        #expect(!inflights.isFull)
        inflights.add(index: 4, bytes: 400)
        #expect(inflights.isFull)
        #expect(inflights.count == 4)
        inflights.freeLE(1)
        #expect(!inflights.isFull)
        // One message may overshoot the budget (a single entry bigger than it must still go out).
        inflights.add(index: 5, bytes: 5000)
        #expect(inflights.isFull)
        inflights.reset()
        #expect(inflights.count == 0)
        #expect(inflights.bytes == 0)
        #expect(!inflights.isFull)
    }

    /// Random adds, frees and resets against a plain FIFO model.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func inflightsMatchModel(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let capacity = Int(rng.next() % 8) + 1
        let maxBytes: UInt64 = rng.next() % 2 == 0 ? 0 : 50 + rng.next() % 100
        var inflights = Inflights(capacity: capacity, maxBytes: maxBytes)
        var model: [(index: UInt64, bytes: UInt64)] = []
        var nextIndex: UInt64 = 1
        for step in 0..<3000 {
            let modelBytes = model.reduce(0) { $0 + $1.bytes }
            let modelFull = model.count == capacity || (maxBytes != 0 && modelBytes >= maxBytes)
            switch rng.next() % 10 {
            case 0..<5:
                if !modelFull {
                    nextIndex += 1 + rng.next() % 3
                    let bytes = rng.next() % 40
                    inflights.add(index: nextIndex, bytes: bytes)
                    model.append((nextIndex, bytes))
                }
            case 5..<9:
                let bound = nextIndex > 5 ? nextIndex - 5 + rng.next() % 7 : rng.next() % 7
                inflights.freeLE(bound)
                model.removeAll { $0.index <= bound }
            default:
                if rng.next() % 4 == 0 {
                    inflights.reset()
                    model = []
                }
            }
            let bytes = model.reduce(0) { $0 + $1.bytes }
            let full = model.count == capacity || (maxBytes != 0 && bytes >= maxBytes)
            if inflights.count != model.count || inflights.bytes != bytes || inflights.isFull != full {
                Issue.record(
                    "step \(step): count \(inflights.count)/\(model.count) bytes \(inflights.bytes)/\(bytes) full \(inflights.isFull)/\(full)"
                )
                return
            }
        }
    }

    // MARK: Quorum: reference definitions

    /// The largest index acknowledged by a majority, by definition: the largest value v such that at
    /// least a majority acknowledged v or more. An empty configuration does not constrain.
    static func bruteCommitted(_ ids: Set<NodeID>, _ acked: [NodeID: UInt64]) -> UInt64 {
        if ids.isEmpty { return .max }
        let quorum = ids.count / 2 + 1
        let candidates = Set(ids.map { acked[$0] ?? 0 }).union([0])
        return candidates.filter { v in ids.filter { (acked[$0] ?? 0) >= v }.count >= quorum }.max()!
    }

    /// The vote outcome by enumerating how the missing voters could still vote: won if every way wins,
    /// lost if none does, pending otherwise. `configs` must all win (joint consensus).
    static func bruteVote(_ configs: [Set<NodeID>], _ votes: [NodeID: Bool]) -> VoteResult {
        let missing = configs.reduce(Set<NodeID>()) { $0.union($1) }.filter { votes[$0] == nil }.sorted()
        var wins = 0
        let ways = 1 << missing.count
        for mask in 0..<ways {
            var completed = votes
            for (bit, id) in missing.enumerated() { completed[id] = mask & (1 << bit) != 0 }
            let won = configs.allSatisfy { ids in
                ids.isEmpty || ids.filter { completed[$0] == true }.count >= ids.count / 2 + 1
            }
            if won { wins += 1 }
        }
        if wins == ways { return .won }
        if wins == 0 { return .lost }
        return .pending
    }

    static func randomIDs(_ rng: inout SplitMix64, max: Int) -> Set<NodeID> {
        let n = Int(rng.next() % UInt64(max + 1))
        var ids: Set<NodeID> = []
        for _ in 0..<n { ids.insert(1 + rng.next() % 9) }
        return ids
    }

    static func randomAcks(_ rng: inout SplitMix64) -> [NodeID: UInt64] {
        var acked: [NodeID: UInt64] = [:]
        for id: NodeID in 1...9 where rng.next() % 5 != 0 {
            acked[id] = rng.next() % 2 == 0 ? rng.next() % 8 : rng.next() % 1000
        }
        return acked
    }

    static func randomVotes(_ rng: inout SplitMix64) -> [NodeID: Bool] {
        var votes: [NodeID: Bool] = [:]
        for id: NodeID in 1...9 {
            switch rng.next() % 3 {
            case 0: votes[id] = true
            case 1: votes[id] = false
            default: break
            }
        }
        return votes
    }

    // MARK: Quorum: committed index

    @Test(arguments: [
        // (voters, acknowledged, committed)
        ([NodeID](), [NodeID: UInt64](), UInt64.max),
        ([1], [:], 0),
        ([1], [1: 12], 12),
        ([1, 2], [1: 12], 0),
        ([1, 2], [1: 12, 2: 5], 5),
        ([1, 2, 3], [1: 100, 2: 101, 3: 99], 100),
        ([1, 2, 3], [1: 100], 0),
        ([1, 2, 3], [1: 100, 2: 101], 100),
        ([1, 2, 3, 4], [1: 10, 2: 20, 3: 30, 4: 40], 20),
        ([1, 2, 3, 4, 5], [1: 10, 2: 20, 3: 30, 4: 40, 5: 50], 30),
        ([1, 2, 3, 4, 5], [1: 10, 2: 10, 3: 10], 10),
        // Acknowledgements from non-voters do not count.
        ([1, 2, 3], [1: 7, 4: 9, 5: 9], 0),
    ] as [([NodeID], [NodeID: UInt64], UInt64)])
    func majorityCommittedIndex(voters: [NodeID], acked: [NodeID: UInt64], committed: UInt64) {
        let config = MajorityConfig(ids: Set(voters))
        #expect(config.committedIndex { acked[$0] } == committed)
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func majorityCommittedIndexMatchesDefinition(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for trial in 0..<700 {
            let ids = Self.randomIDs(&rng, max: 7)
            let acked = Self.randomAcks(&rng)
            let got = MajorityConfig(ids: ids).committedIndex { acked[$0] }
            let want = Self.bruteCommitted(ids, acked)
            if got != want {
                Issue.record("trial \(trial): voters \(ids.sorted()) acked \(acked): \(got), expected \(want)")
                return
            }
        }
    }

    /// A joint configuration commits what both halves commit; an empty outgoing half does not constrain.
    @Test(arguments: [UInt64(21), 22, 23])
    func jointCommittedIndexIsMinimumOfHalves(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for trial in 0..<500 {
            let incoming = Self.randomIDs(&rng, max: 5)
            let outgoing = Self.randomIDs(&rng, max: 5)
            let acked = Self.randomAcks(&rng)
            let joint = JointConfig(incoming: MajorityConfig(ids: incoming), outgoing: MajorityConfig(ids: outgoing))
            let got = joint.committedIndex { acked[$0] }
            let want = min(Self.bruteCommitted(incoming, acked), Self.bruteCommitted(outgoing, acked))
            if got != want {
                Issue.record("trial \(trial): \(incoming.sorted()) && \(outgoing.sorted()) acked \(acked): \(got) ≠ \(want)")
                return
            }
            #expect(joint.isJoint == !outgoing.isEmpty)
        }
    }

    @Test func jointCommittedIndexExamples() {
        let joint = JointConfig(incoming: MajorityConfig(ids: [1, 2, 3]), outgoing: MajorityConfig(ids: [3, 4, 5]))
        // The incoming half has 1, 2 at 10; the outgoing only 3 at 10 and 4 at 5.
        let acked: [NodeID: UInt64] = [1: 10, 2: 10, 3: 10, 4: 5]
        #expect(joint.committedIndex { acked[$0] } == 5)
        let notJoint = JointConfig(incoming: MajorityConfig(ids: [1, 2, 3]))
        #expect(!notJoint.isJoint)
        #expect(notJoint.committedIndex { acked[$0] } == 10)
        #expect(JointConfig().committedIndex { acked[$0] } == .max)
    }

    // MARK: Quorum: votes

    @Test(arguments: [
        // (voters, votes, result)
        ([NodeID](), [NodeID: Bool](), VoteResult.won),
        ([1], [:], .pending),
        ([1], [1: true], .won),
        ([1], [1: false], .lost),
        ([1, 2], [1: true], .pending),
        ([1, 2], [1: true, 2: true], .won),
        ([1, 2], [1: true, 2: false], .lost),
        ([1, 2, 3], [1: true], .pending),
        ([1, 2, 3], [1: true, 2: false], .pending),
        ([1, 2, 3], [1: true, 3: true], .won),
        ([1, 2, 3], [2: false, 3: false], .lost),
        ([1, 2, 3, 4], [1: true, 2: true], .pending),
        ([1, 2, 3, 4], [1: true, 2: true, 3: true], .won),
        ([1, 2, 3, 4], [1: false, 2: false], .lost),
        // Votes of non-voters do not count.
        ([1, 2, 3], [1: true, 4: true, 5: true], .pending),
    ] as [([NodeID], [NodeID: Bool], VoteResult)])
    func majorityVoteResult(voters: [NodeID], votes: [NodeID: Bool], result: VoteResult) {
        #expect(MajorityConfig(ids: Set(voters)).voteResult(votes) == result)
    }

    @Test(arguments: [UInt64(31), 32, 33])
    func majorityVoteResultMatchesDefinition(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for trial in 0..<400 {
            let ids = Self.randomIDs(&rng, max: 7)
            let votes = Self.randomVotes(&rng)
            let got = MajorityConfig(ids: ids).voteResult(votes)
            let want = Self.bruteVote([ids], votes)
            if got != want {
                Issue.record("trial \(trial): voters \(ids.sorted()) votes \(votes): \(got), expected \(want)")
                return
            }
        }
    }

    @Test(arguments: [UInt64(41), 42, 43])
    func jointVoteResultMatchesDefinition(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for trial in 0..<300 {
            let incoming = Self.randomIDs(&rng, max: 5)
            let outgoing = Self.randomIDs(&rng, max: 5)
            let votes = Self.randomVotes(&rng)
            let joint = JointConfig(incoming: MajorityConfig(ids: incoming), outgoing: MajorityConfig(ids: outgoing))
            let got = joint.voteResult(votes)
            let want = Self.bruteVote([incoming, outgoing], votes)
            if got != want {
                Issue.record("trial \(trial): \(incoming.sorted()) && \(outgoing.sorted()) votes \(votes): \(got) ≠ \(want)")
                return
            }
        }
    }

    @Test func jointVoteExamples() {
        let joint = JointConfig(incoming: MajorityConfig(ids: [1, 2, 3]), outgoing: MajorityConfig(ids: [3, 4, 5]))
        #expect(joint.voteResult([1: true, 2: true]) == .pending)  // incoming won, outgoing open
        #expect(joint.voteResult([1: true, 2: true, 3: true]) == .pending)
        #expect(joint.voteResult([1: true, 2: true, 3: true, 4: true]) == .won)
        #expect(joint.voteResult([1: true, 2: true, 4: false, 5: false]) == .lost)  // outgoing lost
        #expect(joint.voteResult([1: false, 2: false, 4: true, 5: true]) == .lost)
    }

    // MARK: ProgressTracker

    static func tracker(voters: [NodeID], learners: [NodeID] = []) throws -> ProgressTracker {
        try ConfChanger.restore(
            ConfState(voters: voters, learners: learners),
            tracker: ProgressTracker(maxInflight: 256, maxInflightBytes: 0),
            lastIndex: 10
        )
    }

    @Test func trackerCommitsByVotersOnly() throws {
        var tracker = try Self.tracker(voters: [1, 2, 3], learners: [4, 5])
        #expect(tracker.voterIDs == [1, 2, 3])
        #expect(tracker.learnerIDs == [4, 5])
        tracker[1]!.match = 8
        tracker[4]!.match = 9
        tracker[5]!.match = 9
        #expect(tracker.committed() == 0, "learners must not help commit")
        tracker[2]!.match = 6
        #expect(tracker.committed() == 6)
        tracker[3]!.match = 9
        #expect(tracker.committed() == 8)
    }

    @Test func trackerTalliesVotersOnlyAndFirstVoteCounts() throws {
        var tracker = try Self.tracker(voters: [1, 2, 3], learners: [4])
        tracker.recordVote(1, granted: true)
        tracker.recordVote(4, granted: true)
        #expect(tracker.tallyVotes().granted == 1)
        #expect(tracker.tallyVotes().result == .pending)
        tracker.recordVote(2, granted: false)
        tracker.recordVote(2, granted: true)  // a second answer from the same voter is ignored
        let tally = tracker.tallyVotes()
        #expect(tally.granted == 1)
        #expect(tally.rejected == 1)
        #expect(tally.result == .pending)
        tracker.recordVote(3, granted: false)
        #expect(tracker.tallyVotes().result == .lost)
        tracker.resetVotes()
        #expect(tracker.tallyVotes().granted == 0)
    }

    @Test func trackerQuorumActive() throws {
        var tracker = try Self.tracker(voters: [1, 2, 3], learners: [4])
        tracker.resetRecentActive(except: 1)
        #expect(!tracker.quorumActive())
        tracker[4]!.recentActive = true
        #expect(!tracker.quorumActive(), "a learner does not make a quorum")
        tracker[3]!.recentActive = true
        #expect(tracker.quorumActive())
        tracker.resetRecentActive(except: 1)
        #expect(tracker[3]!.recentActive == false)
        #expect(tracker[1]!.recentActive == true)
    }
}
