import Testing
@testable import Raft

/// Linearizable reads (ReadIndex and leases) and leadership transfer.
@Suite struct ReadAndTransferScenarioTests {
    static func heartbeatAck(from: NodeID, term: UInt64 = 1, context: String) -> Message {
        Message(kind: .heartbeatResponse, from: from, to: 1, term: term, context: bytes(context))
    }

    static func leaseBased(_ c: inout RaftConfig) {
        c.checkQuorum = true
        c.readOnlyOption = .leaseBased
    }

    // MARK: ReadIndex (safe)

    @Test func readIndexOnLeaderNeedsHeartbeatQuorum() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        try leader.readIndex(context: bytes("a"))
        let s = leader.settle()
        #expect(s.readStates.isEmpty)
        let heartbeats = s.messages.withKind(.heartbeat)
        #expect(Set(heartbeats.map(\.to)) == [2, 3])
        #expect(heartbeats.allSatisfy { $0.context == bytes("a") })
        try leader.step(Self.heartbeatAck(from: 2, context: "a"))
        let after = leader.settle()
        #expect(after.readStates == [ReadState(index: 1, context: bytes("a"))])
    }

    @Test func severalPendingReadsAreReleasedTogether() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        for ctx in ["a", "b", "c"] { try leader.readIndex(context: bytes(ctx)) }
        #expect(leader.settle().readStates.isEmpty)
        // An acknowledgement of the latest request confirms the earlier ones too.
        try leader.step(Self.heartbeatAck(from: 3, context: "c"))
        let released = leader.settle().readStates
        #expect(released.map(\.context) == [bytes("a"), bytes("b"), bytes("c")])
        #expect(released.allSatisfy { $0.index == 1 })
    }

    @Test func readIndexIgnoresAcknowledgementsWithUnknownContext() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        try leader.readIndex(context: bytes("a"))
        leader.settle()
        try leader.step(Self.heartbeatAck(from: 2, context: "zzz"))
        try leader.step(Self.heartbeatAck(from: 2, context: ""))
        #expect(leader.settle().readStates.isEmpty)
    }

    @Test func readIndexOnFollowerIsForwardedAndAnswered() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        try c.propose(1, "w")
        try c[2].readIndex(context: bytes("f"))
        c.flush(2)
        #expect(c.deliveredCount(.readIndex, to: 1, from: 2) == 1)
        #expect(c.deliveredCount(.readIndexResponse, to: 2) == 1)
        #expect(c.readStates[2] == [ReadState(index: 2, context: bytes("f"))])
        #expect(c.readStates[1]?.isEmpty ?? true, "the leader answers, it does not read")
    }

    @Test func readIndexOnFollowerWithoutLeaderFails() {
        var follower = makeCore(id: 2, voters: [1, 2, 3])
        #expect(throws: RaftError(.proposalDropped)) { try follower.readIndex(context: bytes("x")) }
    }

    @Test func newLeaderDefersReadsUntilItsTermCommits() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3], acknowledge: false)
        try leader.readIndex(context: bytes("n"))
        let s = leader.settle()
        #expect(s.readStates.isEmpty)
        #expect(s.messages.withKind(.heartbeat).allSatisfy { $0.context.isEmpty }, "no read round before commit")
        try leader.step(appendAck(from: 2, term: 1, index: 1))
        let afterCommit = leader.settle()
        #expect(leader.committedIndex == 1)
        let readRound = afterCommit.messages.withKind(.heartbeat).filter { $0.context == bytes("n") }
        #expect(Set(readRound.map(\.to)) == [2, 3])
        try leader.step(Self.heartbeatAck(from: 2, context: "n"))
        #expect(leader.settle().readStates == [ReadState(index: 1, context: bytes("n"))])
    }

    @Test func singleVoterServesReadsAtOnce() throws {
        var core = makeCore(id: 1, voters: [1])
        core.campaign()
        core.settle()
        #expect(core.role == .leader)
        try core.propose(bytes("w"))
        core.settle()
        try core.readIndex(context: bytes("s"))
        let s = core.settle()
        #expect(s.readStates == [ReadState(index: 2, context: bytes("s"))])
        #expect(s.messages.isEmpty)
    }

    // MARK: Lease-based reads

    @Test func leaseServesReadWithoutRoundTripAndFallsBackWhenExpired() throws {
        var c = ScenarioCluster([1, 2, 3], configure: Self.leaseBased)
        c.campaign(1)
        c.tickAll(times: 2)
        #expect(c[1].leaseValid)
        c.isolate(1)
        try c[1].readIndex(context: bytes("l"))
        c.flush(1)
        #expect(c.readStates[1] == [ReadState(index: 1, context: bytes("l"))], "served from the lease")
        // Without acknowledgements the lease runs out well before an election timeout.
        c.tick(1, times: 9)
        #expect(c[1].role == .leader)
        #expect(!c[1].leaseValid)
        try c[1].readIndex(context: bytes("m"))
        c.flush(1)
        #expect(c.readStates[1]?.count == 1, "no lease: a heartbeat round is needed")
        c.recover()
        c.tick(1)
        #expect(c.readStates[1]?.last == ReadState(index: 1, context: bytes("m")))
    }

    @Test func leaseIsRevokedOnceTimeoutNowWasSent() throws {
        var c = ScenarioCluster([1, 2, 3], configure: Self.leaseBased)
        c.campaign(1)
        c.tickAll(times: 2)
        #expect(c[1].leaseValid)
        c.droppedKinds = [.timeoutNow]
        c[1].transferLeadership(to: 2)
        c.flush(1)
        #expect(!c[1].leaseValid, "another leader may now arise at any moment")
        c.tickAll(times: 12)  // the transfer is abandoned after an election timeout
        #expect(c[1].role == .leader)
        #expect(c[1].transferTarget == .none)
        #expect(!c[1].leaseValid, "stays revoked for the rest of the term")
        c.isolate(1)
        try c[1].readIndex(context: bytes("r"))
        c.flush(1)
        #expect(c.readStates[1]?.isEmpty ?? true)
    }

    @Test func leaseIsInvalidWithoutCheckQuorum() {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        leader.tick()
        leader.settle()
        #expect(!leader.leaseValid)
    }

    // MARK: Leadership transfer

    @Test func upToDateTargetGetsTimeoutNowImmediately() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        try c.propose(1, "w")
        c[1].transferLeadership(to: 2)
        let out = c.process(1)
        #expect(out.withKind(.timeoutNow).map(\.to) == [2])
        c.deliver(out)
        #expect(c[2].role == .leader)
        #expect(c[2].term == 2)
        #expect(c[1].role == .follower)
        #expect(c[1].leader == 2)
    }

    @Test func slowTargetIsCaughtUpFirst() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        for i in 0..<5 { try c.propose(1, "e\(i)") }
        c.recover()
        c[1].transferLeadership(to: 3)
        #expect(c[1].transferTarget == 3)
        let out = c.process(1)
        #expect(out.withKind(.timeoutNow).isEmpty, "3 lacks entries: no TimeoutNow yet")
        #expect(!out.withKind(.append).addressedTo(3).isEmpty)
        c.deliver(out)
        #expect(c[3].role == .leader)
        #expect(c[3].lastIndex >= 6)
        #expect(c[1].role == .follower)
    }

    @Test(arguments: [NodeID(1), 9, 4])
    func transferToSelfNonMemberOrLearnerIsIgnored(target: NodeID) throws {
        var c = ScenarioCluster([1, 2, 3], learners: [4])
        c.campaign(1)
        c[1].transferLeadership(to: target)
        #expect(c[1].transferTarget == .none)
        let out = c.process(1)
        #expect(out.withKind(.timeoutNow).isEmpty)
        #expect(c[1].role == .leader)
        try c.propose(1, "still accepting")
    }

    /// Leader 1 has begun transferring to 3, which is cut off and misses the newest entry, so the
    /// transfer stays pending.
    static func transferPendingToLaggingMember() throws -> ScenarioCluster {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        try c.propose(1, "3 misses this")
        c[1].transferLeadership(to: 3)
        c.flush(1)
        return c
    }

    @Test func transferIsAbortedAfterElectionTimeout() throws {
        var c = try Self.transferPendingToLaggingMember()
        #expect(c[1].transferTarget == 3)
        c.tick(1, times: 9)
        #expect(c[1].transferTarget == 3)
        c.tick(1)
        #expect(c[1].transferTarget == .none)
        #expect(c[1].role == .leader)
        try c.propose(1, "accepted again")
    }

    @Test func proposalsAreDroppedDuringTransfer() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        c[1].transferLeadership(to: 3)
        c.flush(1)
        let last = c[1].lastIndex
        #expect(throws: RaftError(.proposalDropped)) { try c[1].propose(bytes("x")) }
        // A proposal forwarded by a follower is dropped too.
        try c[2].propose(bytes("y"))
        c.flush(2)
        #expect(c[1].lastIndex == last)
        #expect(c.stepErrors.contains { $0.0 == 1 && $0.1.code == .proposalDropped })
    }

    @Test func secondTransferToAnotherNodeReplacesTheFirst() throws {
        var c = try Self.transferPendingToLaggingMember()
        #expect(c[1].transferTarget == 3)
        c.recover()
        c.cut(1, 3)
        c[1].transferLeadership(to: 2)
        #expect(c[1].transferTarget == 2)
        c.flush(1)
        #expect(c[2].role == .leader)
        #expect(c[1].role == .follower)
    }

    @Test func secondTransferToTheSameNodeDoesNotExtendTheTimeout() throws {
        var c = try Self.transferPendingToLaggingMember()
        c.tick(1, times: 5)
        c[1].transferLeadership(to: 3)
        c.flush(1)
        c.tick(1, times: 5)
        #expect(c[1].transferTarget == .none)
    }

    @Test func removingTheTargetAbortsTheTransfer() throws {
        var c = try Self.transferPendingToLaggingMember()
        #expect(c[1].transferTarget == 3)
        try c[1].applyConfChange(.single(.removeNode, 3))
        #expect(c[1].transferTarget == .none)
        #expect(c[1].role == .leader)
    }

    @Test func transferFromFollowerIsForwardedToLeader() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        try c[3].step(Message(kind: .transferLeader, from: 3, to: 3))
        c.flush(3)
        #expect(c[3].role == .leader)
        #expect(c[1].role == .follower)
    }
}
