import Testing
@testable import Raft

/// Membership scenarios: single-server changes, learners, joint consensus, the one-pending-change
/// rule, restoring joint configurations, and leaders removed or demoted.
@Suite struct MembershipScenarioTests {
    static func change(_ changes: [(ConfChangeSingle.Kind, NodeID)], _ transition: ConfChange.Transition = .auto) -> ConfChange {
        ConfChange(transition: transition, changes: changes.map { ConfChangeSingle($0.0, $0.1) })
    }

    /// A node that is about to join a cluster whose genesis voters are 1, 2, 3.
    static func joiner(_ id: NodeID) -> RaftCore { makeCore(id: id, voters: [1, 2, 3]) }

    // MARK: Single-server changes

    @Test func addedVoterCatchesUpAndCountsForCommit() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.add(Self.joiner(4))
        c.campaign(1)
        try c.proposeConfChange(1, .single(.addVoter, 4))
        for id: NodeID in [1, 2, 3, 4] {
            #expect(c[id].confState == ConfState(voters: [1, 2, 3, 4]), "node \(id)")
        }
        #expect(c[4].lastIndex == c[1].lastIndex)
        #expect(c[1].progress(4)?.match == c[1].lastIndex)
        // Four voters: a commit needs three of them.
        c.isolate(3)
        c.isolate(4)
        try c.propose(1, "needs three")
        #expect(c[1].committedIndex == c[1].lastIndex - 1)
        c.recover()
        c.tickAll(times: 2)
        #expect(c[1].committedIndex == c[1].lastIndex)
        #expect(c[4].committedIndex == c[1].lastIndex)
    }

    @Test func removingVoterShrinksCommitQuorum() throws {
        // etcd's TestCommitAfterRemoveNode.
        var leader = makeScenarioLeader(voters: [1, 2])
        try leader.proposeConfChange(.single(.removeNode, 2))
        leader.settle(applyConfChanges: false)
        let ccIndex = leader.lastIndex
        try leader.step(appendAck(from: 2, term: 1, index: ccIndex))
        let rd = leader.ready()
        #expect(rd.committedEntries.map(\.kind) == [.confChange])
        try leader.memoryStorage.save(rd)
        leader.acknowledgePersisted(rd)
        // Proposed before the removal is applied: it still needs node 2.
        try leader.propose(bytes("data"))
        leader.settle(applyConfChanges: false)
        #expect(leader.committedIndex == ccIndex)
        try leader.applyConfChange(.single(.removeNode, 2))
        leader.acknowledgeApplied(rd)
        #expect(leader.confState == ConfState(voters: [1]))
        #expect(leader.committedIndex == ccIndex + 1, "the leader alone is now a quorum")
        #expect(leader.progress(2) == nil)
        #expect(throws: RaftError(.stepPeerNotFound)) {
            try leader.step(appendAck(from: 2, term: 1, index: ccIndex + 1))
        }
    }

    @Test func removedFollowerNoLongerCountsAndIsNotContacted() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        try c.proposeConfChange(1, .single(.removeNode, 3))
        #expect(c[1].confState == ConfState(voters: [1, 2]))
        #expect(c[2].confState == ConfState(voters: [1, 2]))
        let toThree = c.delivered.filter { $0.to == 3 }.count
        c.tickAll(times: 5)
        try c.propose(1, "two of two")
        #expect(c.delivered.filter { $0.to == 3 }.count == toThree)
        #expect(c[2].committedIndex == c[1].lastIndex)
        // With voters {1, 2}, losing 2 stops commits.
        c.isolate(2)
        try c.propose(1, "stuck")
        #expect(c[1].committedIndex == c[1].lastIndex - 1)
    }

    // MARK: Learners

    @Test func addLearnerThenPromote() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.add(Self.joiner(4))
        c.campaign(1)
        try c.proposeConfChange(1, .single(.addLearner, 4))
        #expect(c[1].confState == ConfState(voters: [1, 2, 3], learners: [4]))
        #expect(c[4].confState == ConfState(voters: [1, 2, 3], learners: [4]))
        #expect(c[4].isLearner)
        try c.propose(1, "x")
        #expect(c[4].committedIndex == c[1].committedIndex, "the learner catches up")
        c.tickAll(times: 50)
        #expect(c[4].role == .follower)
        #expect(c.deliveredCount(.vote, from: 4) + c.deliveredCount(.preVote, from: 4) == 0)
        try c.proposeConfChange(1, .single(.addVoter, 4))
        for id: NodeID in [1, 2, 3, 4] {
            #expect(c[id].confState == ConfState(voters: [1, 2, 3, 4]), "node \(id)")
        }
        #expect(!c[4].isLearner)
        #expect(c[1].progress(4)?.isLearner == false)
        // Promoted and up to date: it can win an election.
        c.campaign(4)
        #expect(c[4].role == .leader)
    }

    @Test func learnerVoteDoesNotCount() throws {
        var candidate = makeCore(id: 1, voters: [1, 2], learners: [3])
        candidate.campaign()
        let votes = candidate.settle().messages.withKind(.vote)
        #expect(votes.map(\.to) == [2], "no vote request goes to the learner")
        try candidate.step(grant(from: 3, to: 1, term: 1))
        #expect(candidate.role == .candidate)
        try candidate.step(grant(from: 2, to: 1, term: 1))
        #expect(candidate.role == .leader)
    }

    @Test func learnerAcknowledgementDoesNotCommit() throws {
        var leader = makeScenarioLeader(voters: [1, 2], learners: [3], acknowledge: false)
        #expect(leader.settle().messages.isEmpty)
        try leader.propose(bytes("x"))
        leader.settle()
        let x = leader.lastIndex
        try leader.step(appendAck(from: 3, term: 1, index: x))
        leader.settle()
        #expect(leader.committedIndex == 0)
        try leader.step(appendAck(from: 2, term: 1, index: x))
        leader.settle()
        #expect(leader.committedIndex == x)
    }

    // MARK: Joint consensus

    @Test func jointConsensusWithAutomaticLeave() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.add(Self.joiner(4))
        c.campaign(1)
        try c.proposeConfChange(1, Self.change([(.addVoter, 4), (.removeNode, 3)]))
        let joint = ConfState(voters: [1, 2, 4], votersOutgoing: [1, 2, 3], autoLeave: true)
        let final = ConfState(voters: [1, 2, 4])
        for id: NodeID in [1, 2, 4] {
            #expect(c.confStates[id] == [joint, final], "node \(id)")
            #expect(c[id].confState == final, "node \(id)")
        }
        #expect(c[1].role == .leader)
        try c.propose(1, "after")
        #expect(c[4].committedIndex == c[1].lastIndex)
    }

    @Test func jointImplicitSingleChangeLeavesAutomatically() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.add(Self.joiner(4))
        c.campaign(1)
        try c.proposeConfChange(1, Self.change([(.addLearner, 4)], .jointImplicit))
        let final = ConfState(voters: [1, 2, 3], learners: [4])
        #expect(c.confStates[1]?.first?.isJoint == true)
        #expect(c[1].confState == final)
        #expect(c[2].confState == final)
    }

    @Test func jointConsensusWithExplicitLeave() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.add(Self.joiner(4))
        c.campaign(1)
        try c.proposeConfChange(1, Self.change([(.addVoter, 4)], .jointExplicit))
        c.tickAll(times: 20)
        let joint = ConfState(voters: [1, 2, 3, 4], votersOutgoing: [1, 2, 3])
        for id: NodeID in [1, 2, 3, 4] {
            #expect(c[id].confState == joint, "node \(id) stays joint until told to leave")
        }
        try c.proposeConfChange(1, .leaveJoint)
        for id: NodeID in [1, 2, 3, 4] {
            #expect(c[id].confState == ConfState(voters: [1, 2, 3, 4]), "node \(id)")
        }
    }

    @Test func jointCommitNeedsBothMajorities() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        try leader.applyConfChange(
            Self.change([(.addVoter, 4), (.addVoter, 5), (.removeNode, 2), (.removeNode, 3)], .jointExplicit)
        )
        #expect(leader.confState == ConfState(voters: [1, 4, 5], votersOutgoing: [1, 2, 3]))
        leader.settle()
        try leader.propose(bytes("x"))
        leader.settle()
        let x = leader.lastIndex
        try leader.step(appendAck(from: 4, term: 1, index: x))
        try leader.step(appendAck(from: 5, term: 1, index: x))
        #expect(leader.committedIndex < x, "the incoming majority alone is not enough")
        try leader.step(appendAck(from: 2, term: 1, index: x))
        #expect(leader.committedIndex == x)
        leader.settle()
        try leader.propose(bytes("y"))
        leader.settle()
        let y = leader.lastIndex
        try leader.step(appendAck(from: 2, term: 1, index: y))
        try leader.step(appendAck(from: 3, term: 1, index: y))
        #expect(leader.committedIndex == x, "the outgoing majority alone is not enough")
        try leader.step(appendAck(from: 4, term: 1, index: y))
        #expect(leader.committedIndex == y)
    }

    @Test func jointElectionNeedsBothMajorities() throws {
        var candidate = makeCore(id: 1, voters: [1, 2, 3])
        try candidate.applyConfChange(
            Self.change([(.addVoter, 4), (.addVoter, 5), (.removeNode, 2), (.removeNode, 3)], .jointExplicit)
        )
        candidate.campaign()
        let votes = candidate.settle().messages.withKind(.vote)
        #expect(Set(votes.map(\.to)) == [2, 3, 4, 5])
        try candidate.step(grant(from: 4, to: 1, term: 1))
        try candidate.step(grant(from: 5, to: 1, term: 1))
        #expect(candidate.role == .candidate)
        try candidate.step(grant(from: 2, to: 1, term: 1))
        #expect(candidate.role == .leader)
    }

    // MARK: One change at a time

    @Test func onlyOneConfChangeMayBePending() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        try leader.proposeConfChange(.single(.addLearner, 4))
        #expect(throws: RaftError(.confChangeRefused)) {
            try leader.proposeConfChange(.single(.addLearner, 5))
        }
        // A conf change forwarded by a follower meanwhile keeps its slot but becomes a no-op.
        let before = leader.lastIndex
        try leader.step(
            Message(
                kind: .propose,
                from: 2,
                to: 1,
                entries: [Entry(kind: .confChange, data: ConfChange.single(.addLearner, 5).encoded())]
            )
        )
        #expect(leader.lastIndex == before + 1)
        #expect(leader.logEntries().last?.kind == .normal)
        #expect(leader.logEntries().last?.data.isEmpty == true)
        leader.settle()
        for peer: NodeID in [2, 3] { try leader.step(appendAck(from: peer, term: 1, index: leader.lastIndex)) }
        let applied = leader.settle()
        #expect(applied.committed.filter { $0.kind == .confChange }.count == 1)
        #expect(leader.confState == ConfState(voters: [1, 2, 3], learners: [4]))
        // Once the first change is applied, the next one is accepted.
        try leader.proposeConfChange(.single(.addLearner, 5))
        #expect(leader.logEntries().last?.kind == .confChange)
    }

    @Test func confChangeMustFitTheJointState() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        #expect(throws: RaftError(.confChangeRefused)) { try leader.proposeConfChange(.leaveJoint) }
        try leader.proposeConfChange(Self.change([(.addLearner, 4)], .jointExplicit))
        leader.settle()
        for peer: NodeID in [2, 3] { try leader.step(appendAck(from: peer, term: 1, index: leader.lastIndex)) }
        leader.settle()
        #expect(leader.confState.isJoint)
        #expect(throws: RaftError(.confChangeRefused)) {
            try leader.proposeConfChange(.single(.addLearner, 5))
        }
        try leader.proposeConfChange(.leaveJoint)
        #expect(leader.logEntries().last?.kind == .confChange)
    }

    // MARK: Restoring joint configurations

    static let jointStates: [ConfState] = [
        ConfState(voters: [2, 3, 4], votersOutgoing: [1, 2, 3]),
        ConfState(voters: [2, 3], votersOutgoing: [1, 2, 3], learnersNext: [1]),
        ConfState(voters: [2, 3, 4], learners: [5], votersOutgoing: [1, 2, 3], autoLeave: true),
    ]

    @Test(arguments: jointStates)
    func snapshotRestoresJointConfiguration(_ cs: ConfState) throws {
        var follower = makeCore(id: 2, voters: [1, 2, 3])
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: 10, term: 1, confState: cs), data: bytes("app"))
        try follower.step(Message(kind: .snapshot, from: 1, to: 2, term: 1, snapshot: snapshot))
        #expect(follower.confState == cs)
        #expect(follower.committedIndex == 10)
        let rd = follower.ready()
        #expect(rd.snapshot == snapshot)
        try follower.memoryStorage.save(rd)
        follower.acknowledgePersisted(rd)

        // A restart from the stored snapshot yields the same configuration...
        var restarted = makeCore(id: 2, voters: [], storage: follower.memoryStorage)
        #expect(restarted.confState == cs)
        // ...and an election needs a majority of both halves.
        restarted.campaign()
        let votes = restarted.settle().messages.withKind(.vote)
        let allVoters = Set(cs.voters).union(cs.votersOutgoing).subtracting([2])
        #expect(Set(votes.map(\.to)) == allVoters)
        let onlyIncoming = cs.voters.filter { $0 != 2 && !cs.votersOutgoing.contains($0) }
        for peer in onlyIncoming { try restarted.step(grant(from: peer, to: 2, term: restarted.term)) }
        #expect(restarted.role == .candidate)
        try restarted.step(grant(from: 3, to: 2, term: restarted.term))
        #expect(restarted.role == .leader)
    }

    // MARK: Removed or demoted leaders

    @Test func removedLeaderStepsDownAndStopsSending() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        try c.proposeConfChange(1, .single(.removeNode, 1))
        #expect(c[1].role == .follower)
        #expect(c[2].confState == ConfState(voters: [2, 3]))
        #expect(c[3].confState == ConfState(voters: [2, 3]))
        let before = c.delivered.count
        c.tick(1, times: 50)
        #expect(c.delivered.count == before, "the removed node sends nothing")
        #expect(c[1].role == .follower)
        let ticks = c.tickAll(upTo: 100) { $0.leaders.contains(2) || $0.leaders.contains(3) }
        #expect(ticks != nil)
        #expect(!c.leaders.contains(1))
    }

    @Test func demotedLeaderStepsDownAndKeepsLearning() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        try c.proposeConfChange(1, .single(.addLearner, 1))
        #expect(c[1].role == .follower)
        #expect(c[1].isLearner)
        #expect(c[1].confState == ConfState(voters: [2, 3], learners: [1]))
        let campaignsBefore = c.deliveredCount(.vote, from: 1) + c.deliveredCount(.preVote, from: 1)
        c.tick(1, times: 50)
        #expect(c[1].role == .follower)
        #expect(c.deliveredCount(.vote, from: 1) + c.deliveredCount(.preVote, from: 1) == campaignsBefore)
        let ticks = c.tickAll(upTo: 100) { !$0.leaders.isEmpty }
        #expect(ticks != nil)
        let newLeader = try #require(c.leaders.first)
        #expect(newLeader != 1)
        try c.propose(newLeader, "after")
        #expect(c.applied[1]?.last?.data == bytes("after"), "the demoted node follows as a learner")
    }
}
