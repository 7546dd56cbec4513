import Testing
@testable import Raft

/// Election scenarios after etcd-io/raft's raft_test.go: PreVote, CheckQuorum, dueling candidates,
/// stale messages, learners, candidates conceding, randomized timeouts.
@Suite struct ElectionScenarioTests {
    static func preVote(_ c: inout RaftConfig) { c.preVote = true }
    static func checkQuorum(_ c: inout RaftConfig) { c.checkQuorum = true }
    static func both(_ c: inout RaftConfig) {
        c.preVote = true
        c.checkQuorum = true
    }

    // MARK: PreVote

    @Test func preVoteElectionBumpsTermOnlyOnce() {
        var c = ScenarioCluster([1, 2, 3], configure: Self.preVote)
        c.campaign(1)
        #expect(c[1].role == .leader)
        for id: NodeID in [1, 2, 3] { #expect(c[id].term == 1, "node \(id)") }
        // The pre-vote round went out with the future term, before any vote.
        let preVotes = c.delivered.withKind(.preVote)
        #expect(preVotes.count == 2)
        #expect(preVotes.allSatisfy { $0.term == 1 })
    }

    @Test func isolatedPreCandidateNeverBumpsItsTerm() {
        var c = ScenarioCluster([1, 2, 3], configure: Self.preVote)
        c.campaign(1)
        c.isolate(3)
        c.tick(3, times: 100)  // many election timeouts, every pre-vote lost in the partition
        #expect(c[3].role == .preCandidate)
        #expect(c[3].term == 1)
        #expect(c[3].vote == 1)
        #expect(c.deliveredCount(.vote, from: 3) == 0)
    }

    @Test func withoutPreVoteAnIsolatedNodeBumpsItsTerm() {
        // Contrast for the test above: without PreVote every timeout is a real election.
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        c.tick(3, times: 100)
        #expect(c[3].term > 3)
    }

    @Test func rejectedPreVoteLeavesTermUnchanged() throws {
        var c = ScenarioCluster([1, 2, 3], configure: Self.preVote)
        c.campaign(1)
        c.isolate(3)
        for i in 0..<3 { try c.propose(1, "w\(i)") }
        c.recover()
        // Node 3's log is stale: both peers refuse the pre-vote; nobody's term moves.
        c.campaign(3)
        #expect(c.deliveredCount(.preVoteResponse, to: 3) == 2)
        #expect(c.delivered.withKind(.preVoteResponse).addressedTo(3).allSatisfy { $0.reject })
        #expect(c[3].role == .follower)
        for id: NodeID in [1, 2, 3] { #expect(c[id].term == 1, "node \(id)") }
        #expect(c[1].role == .leader)
    }

    @Test func rejoiningPartitionedNodeDoesNotDisruptWithPreVote() throws {
        var c = ScenarioCluster([1, 2, 3], configure: Self.preVote)
        c.campaign(1)
        c.isolate(3)
        try c.propose(1, "while-3-was-away")
        c.tickAll(times: 60)
        #expect(c[3].term == 1)
        c.recover()
        c.tickAll(times: 60)
        #expect(c[1].role == .leader)
        for id: NodeID in [1, 2, 3] {
            #expect(c[id].term == 1, "node \(id)")
            #expect(c[id].leader == 1, "node \(id)")
        }
        #expect(c[3].committedIndex == c[1].committedIndex)
        #expect(c.deliveredCount(.vote) == 2, "only the first election's votes")
    }

    @Test func rejoiningNodeWithUpToDateLogDoesNotDisruptWithPreVoteAndCheckQuorum() {
        var c = ScenarioCluster([1, 2, 3], configure: Self.both)
        c.campaign(1)
        c.isolate(3)
        c.tick(3, times: 50)
        #expect(c[3].role == .preCandidate)
        // 3's log is as up to date as anyone's, yet the peers hear from a live leader: it cannot win.
        c.recover()
        c[3].campaign()
        c.flush(3)
        #expect(c[1].role == .leader)
        #expect(c[1].term == 1)
        c.tickAll(times: 30)
        #expect(c[1].role == .leader)
        for id: NodeID in [1, 2, 3] { #expect(c[id].term == 1, "node \(id)") }
    }

    // MARK: CheckQuorum

    @Test func leaderStepsDownWithoutQuorum() {
        var c = ScenarioCluster([1, 2, 3], configure: Self.checkQuorum)
        c.campaign(1)
        c.isolate(1)
        c.tick(1, times: 20)
        #expect(c[1].role == .follower)
        #expect(c[1].leader == .none)
        #expect(c[1].term == 1)
    }

    @Test func leaderWithQuorumStaysLeader() {
        var c = ScenarioCluster([1, 2, 3], configure: Self.checkQuorum)
        c.campaign(1)
        c.isolate(3)  // one follower down: a quorum (1, 2) remains
        c.tickAll(times: 100)
        #expect(c[1].role == .leader)
        #expect(c[1].term == 1)
    }

    @Test func followersIgnoreVoteRequestsWithinLease() {
        var c = ScenarioCluster([1, 2, 3], configure: Self.checkQuorum)
        c.campaign(1)
        c.campaign(3)  // no PreVote: a real vote request at term 2
        #expect(c[3].role == .candidate)
        #expect(c[3].term == 2)
        // Both peers heard from the leader within the election timeout and ignored the request.
        #expect(c[1].role == .leader)
        #expect(c[1].term == 1)
        #expect(c[2].term == 1)
        #expect(c[2].vote == 1)
        #expect(c.deliveredCount(.voteResponse, to: 3) == 0)
    }

    @Test func stuckCandidateIsFreedWithCheckQuorum() {
        // etcd's TestFreeStuckCandidateWithCheckQuorum.
        var c = ScenarioCluster([1, 2, 3], configure: Self.checkQuorum)
        c.campaign(1)
        c.isolate(1)
        c.campaign(3)
        c.campaign(3)
        #expect(c[3].role == .candidate)
        #expect(c[3].term == 3)
        #expect(c[2].term == 1)
        c.recover()
        // The leader's heartbeat reaches the candidate with an older term: the answer carries term 3,
        // which deposes the stale leader so that an election can succeed.
        c.tick(1, times: 1)
        #expect(c[1].role == .follower)
        #expect(c[1].term == 3)
        let ticks = c.tickAll(upTo: 100) { $0.leaders.count == 1 }
        #expect(ticks != nil)
    }

    @Test func transferCampaignBypassesLease() {
        var c = ScenarioCluster([1, 2, 3], configure: Self.both)
        c.campaign(1)
        c.tickAll(times: 2)
        c[1].transferLeadership(to: 2)
        c.flush(1)
        #expect(c[2].role == .leader)
        #expect(c[2].term == 2)
        #expect(c[1].role == .follower)
        #expect(c[3].leader == 2)
        let votes = c.delivered.withKind(.vote).filter { $0.from == 2 }
        #expect(votes.count == 2)
        #expect(votes.allSatisfy { $0.context == campaignTransferContext })
        #expect(c.deliveredCount(.preVote, from: 2) == 0, "a forced campaign skips the pre-vote")
    }

    @Test func forcedVoteIsGrantedInsideLease() throws {
        var follower = makeCore(id: 3, voters: [1, 2, 3], configure: Self.checkQuorum)
        try follower.step(Message(kind: .heartbeat, from: 1, to: 3, term: 1))
        follower.settle()
        // An ordinary vote request is ignored within the lease...
        try follower.step(Message(kind: .vote, from: 2, to: 3, term: 2, logTerm: 0, index: 0))
        #expect(follower.settle().messages.isEmpty)
        #expect(follower.term == 1)
        // ...a transfer-forced one is not.
        try follower.step(
            Message(kind: .vote, from: 2, to: 3, term: 2, logTerm: 0, index: 0, context: campaignTransferContext)
        )
        let out = follower.settle().messages.withKind(.voteResponse)
        #expect(out.count == 1)
        #expect(out.first?.reject == false)
        #expect(follower.term == 2)
        #expect(follower.vote == 2)
    }

    // MARK: Dueling candidates

    @Test func duelingCandidates() {
        var c = ScenarioCluster([1, 2, 3])
        c.cut(1, 3)
        c.campaign(1)
        c.campaign(3)
        #expect(c[1].role == .leader)
        #expect(c[3].role == .candidate)
        #expect(c[3].term == 1)
        c.recover()
        // 3 campaigns again at term 2; its log misses the leader's entry, so it loses.
        c.campaign(3)
        for id: NodeID in [1, 2, 3] {
            #expect(c[id].role == .follower, "node \(id)")
            #expect(c[id].term == 2, "node \(id)")
        }
        #expect(c[1].lastIndex == 1)
        #expect(c[2].lastIndex == 1)
        #expect(c[3].lastIndex == 0)
        #expect(c[1].committedIndex == 1)
    }

    @Test func duelingPreCandidates() {
        var c = ScenarioCluster([1, 2, 3], configure: Self.preVote)
        c.cut(1, 3)
        c.campaign(1)
        c.campaign(3)
        #expect(c[1].role == .leader)
        #expect(c[3].role == .follower)
        c.recover()
        c.campaign(3)
        // With PreVote the stale node never disturbs the leader.
        #expect(c[1].role == .leader)
        for id: NodeID in [1, 2, 3] { #expect(c[id].term == 1, "node \(id)") }
        #expect(c[3].role == .follower)
    }

    @Test func splitVoteWithFourNodesResolves() {
        var c = ScenarioCluster([1, 2, 3, 4])
        c.cut(1, 3)
        c.cut(1, 4)
        c.cut(2, 3)
        c.cut(2, 4)
        c.campaign(1)
        c.campaign(3)
        #expect(c.leaders.isEmpty, "two candidates with two votes each: no majority of four")
        c.recover()
        let ticks = c.tickAll(upTo: 200) { $0.leaders.count == 1 }
        #expect(ticks != nil)
    }

    // MARK: Stale messages

    @Test func oldTermMessagesAreIgnored() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        c.campaign(2)
        c.campaign(1)
        #expect(c[1].role == .leader)
        #expect(c[1].term == 3)
        // An append from the deposed leader of term 2 tries to plant an entry at index 3.
        c.deliver([
            Message(
                kind: .append,
                from: 2,
                to: 1,
                term: 2,
                logTerm: 2,
                index: 2,
                entries: [Entry(term: 2, index: 3, data: bytes("stale"))],
                commit: 3
            )
        ])
        #expect(c[1].role == .leader)
        #expect(c[1].term(at: 3) == 3)
        try c.propose(1, "somedata")
        for id: NodeID in [1, 2, 3] {
            let log = c[id].logEntries()
            #expect(log.map(\.term) == [1, 2, 3, 3], "node \(id)")
            #expect(log.last?.data == bytes("somedata"), "node \(id)")
            #expect(c[id].committedIndex == 4, "node \(id)")
        }
    }

    @Test func staleVoteResponseDoesNotCount() throws {
        var core = makeCore(id: 1, voters: [1, 2, 3])
        core.campaign()
        core.campaign()  // second round: term 2
        core.settle()
        #expect(core.term == 2)
        try core.step(grant(from: 2, to: 1, term: 1))
        #expect(core.role == .candidate)
        try core.step(grant(from: 2, to: 1, term: 2))
        #expect(core.role == .leader)
    }

    @Test func staleLeaderLearnsNewTermFromFollowerWithCheckQuorum() throws {
        var follower = makeCore(id: 2, voters: [1, 2, 3], configure: Self.checkQuorum)
        try follower.step(Message(kind: .heartbeat, from: 3, to: 2, term: 5))
        follower.settle()
        try follower.step(Message(kind: .heartbeat, from: 1, to: 2, term: 2))
        let out = follower.settle().messages.addressedTo(1)
        #expect(out.count == 1)
        #expect(out.first?.kind == .appendResponse)
        #expect(out.first?.term == 5)
        #expect(follower.leader == 3)
    }

    @Test func staleMessagesGetNoAnswerWithoutCheckQuorumOrPreVote() throws {
        var follower = makeCore(id: 2, voters: [1, 2, 3])
        try follower.step(Message(kind: .heartbeat, from: 3, to: 2, term: 5))
        follower.settle()
        try follower.step(Message(kind: .heartbeat, from: 1, to: 2, term: 2))
        try follower.step(Message(kind: .append, from: 1, to: 2, term: 2, entries: [Entry(term: 2, index: 1)]))
        #expect(follower.settle().messages.addressedTo(1).isEmpty)
        #expect(follower.lastIndex == 0)
        #expect(follower.term == 5)
    }

    // MARK: Learners

    @Test func learnersNeverCampaign() throws {
        var c = ScenarioCluster([1, 2], learners: [3])
        c.tick(3, times: 100)
        #expect(c[3].role == .follower)
        #expect(c[3].term == 0)
        c[3].campaign()
        try c[3].step(Message(kind: .timeoutNow, from: 1, to: 3, term: 0))
        c.flush(3)
        #expect(c[3].role == .follower)
        #expect(c[3].term == 0)
        #expect(c.deliveredCount(.vote, from: 3) == 0)
        #expect(c.deliveredCount(.preVote, from: 3) == 0)
        // The voters still elect a leader, and its vote requests skip the learner.
        c.campaign(1)
        #expect(c[1].role == .leader)
        #expect(c.deliveredCount(.vote, to: 3) == 0)
        #expect(c[3].leader == 1)
    }

    // MARK: Candidates conceding

    @Test(arguments: [MessageKind.append, .heartbeat])
    func candidateConcedesToCurrentLeader(kind: MessageKind) throws {
        var candidate = makeCore(id: 2, voters: [1, 2, 3])
        candidate.campaign()
        candidate.settle()
        #expect(candidate.role == .candidate)
        #expect(candidate.term == 1)
        try candidate.step(Message(kind: kind, from: 1, to: 2, term: 1))
        #expect(candidate.role == .follower)
        #expect(candidate.leader == 1)
        #expect(candidate.term == 1)
    }

    @Test func preCandidateConcedesToCurrentLeader() throws {
        var pre = makeCore(id: 2, voters: [1, 2, 3], configure: Self.preVote)
        try pre.step(Message(kind: .heartbeat, from: 1, to: 2, term: 1))
        pre.campaign()
        pre.settle()
        #expect(pre.role == .preCandidate)
        try pre.step(Message(kind: .append, from: 1, to: 2, term: 1))
        #expect(pre.role == .follower)
        #expect(pre.leader == 1)
        #expect(pre.term == 1)
    }

    @Test func candidateIgnoresOlderLeader() throws {
        var candidate = makeCore(id: 2, voters: [1, 2, 3])
        candidate.campaign()
        candidate.campaign()
        #expect(candidate.term == 2)
        try candidate.step(Message(kind: .heartbeat, from: 1, to: 2, term: 1))
        #expect(candidate.role == .candidate)
        #expect(candidate.term == 2)
    }

    // MARK: Randomized timeouts

    @Test func randomizedElectionTimeoutsCoverTheRange() {
        var core = makeCore(id: 1, voters: [1, 2, 3], election: 10)
        var seen: Set<Int> = []
        for _ in 0..<1000 {
            core.resetRandomizedElectionTimeout()
            seen.insert(core.randomizedElectionTimeout)
        }
        #expect(seen.allSatisfy { (10..<20).contains($0) })
        #expect(seen == Set(10..<20))
    }

    @Test func followerCampaignsExactlyAtItsRandomizedTimeout() {
        for seed: UInt64 in 0..<50 {
            var core = makeCore(id: 1, voters: [1, 2, 3]) { $0.randomSeed = seed }
            let timeout = core.randomizedElectionTimeout
            #expect((10..<20).contains(timeout))
            var ticks = 0
            while core.role == .follower && ticks < 100 {
                core.tick()
                ticks += 1
            }
            #expect(ticks == timeout, "seed \(seed)")
            #expect(core.role == .candidate)
        }
    }

    @Test func membersDrawDifferentTimeouts() {
        let timeouts = (1...5).map { id in makeCore(id: NodeID(id), voters: [1, 2, 3, 4, 5]).randomizedElectionTimeout }
        #expect(Set(timeouts).count > 1)
    }
}
