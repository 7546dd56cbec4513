import Testing
@testable import Raft

/// Replication scenarios: progress states, flow control, batching, asynchronous storage writes,
/// catching up, fast log rejection, reordering, snapshots, transport reports, proposal forwarding.
@Suite struct ReplicationScenarioTests {
    static func payload(_ size: Int, _ fill: UInt8 = 1) -> [UInt8] { [UInt8](repeating: fill, count: size) }

    // MARK: Progress states and flow control

    @Test func probeThenReplicate() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3], acknowledge: false)
        #expect(leader.progress(2)?.state == .probe)
        try leader.propose(bytes("a"))
        let whileProbing = leader.settle().messages
        #expect(whileProbing.nonEmptyAppends.addressedTo(2).isEmpty, "one probe in flight at a time")
        try leader.step(appendAck(from: 2, term: 1, index: 1))
        #expect(leader.progress(2)?.state == .replicate)
        let after = leader.settle().messages.nonEmptyAppends.addressedTo(2)
        #expect(after.count == 1)
        #expect(after.first?.entries.map(\.index) == [2])
        #expect(leader.progress(3)?.state == .probe)
    }

    @Test func pipeliningIsLimitedByMaxInflightMessages() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3]) { $0.maxInflightMessages = 3 }
        #expect(leader.progress(2)?.state == .replicate)
        var sent: [Message] = []
        for i in 0..<5 {
            try leader.propose(bytes("e\(i)"))
            sent += leader.settle().messages.nonEmptyAppends.addressedTo(2)
        }
        #expect(sent.count == 3)
        #expect(sent.flatMap(\.entries).map(\.index) == [2, 3, 4])
        #expect(leader.progress(2)?.inflightCount == 3)
        // One acknowledgement frees the window: the rest goes out in one message.
        try leader.step(appendAck(from: 2, term: 1, index: 2))
        let more = leader.settle().messages.nonEmptyAppends.addressedTo(2)
        #expect(more.count == 1)
        #expect(more.flatMap(\.entries).map(\.index) == [5, 6])
        #expect(leader.progress(2)?.inflightCount == 3)
    }

    @Test func pipeliningIsLimitedByMaxInflightBytes() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3]) {
            $0.maxInflightBytes = 2000
            $0.maxSizePerMessage = 1024
        }
        var sent: [Message] = []
        for _ in 0..<5 {
            try leader.propose(Self.payload(1000))
            sent += leader.settle().messages.nonEmptyAppends.addressedTo(2)
        }
        #expect(sent.count == 2, "2000 bytes in flight fill the window")
        try leader.step(appendAck(from: 2, term: 1, index: 2))
        let more = leader.settle().messages.nonEmptyAppends.addressedTo(2)
        #expect(more.count == 1)
        #expect(more.first?.entries.map(\.index) == [4])
    }

    // MARK: Batching

    @Test func manyProposalsShareOneWriteAndOneAppend() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        for i in 0..<100 { try leader.propose(Self.payload(10, UInt8(i))) }
        let rd = leader.ready()
        #expect(rd.entries.count == 100)
        for peer: NodeID in [2, 3] {
            let appends = rd.messages.nonEmptyAppends.addressedTo(peer)
            #expect(appends.count == 1)
            #expect(appends.first?.entries.count == 100)
        }
        try leader.memoryStorage.save(rd)
        leader.advance(rd)
    }

    @Test func maxSizePerMessageCutsBatches() throws {
        // Each 10-byte entry counts 34 bytes: ten fit in 340.
        var leader = makeScenarioLeader(voters: [1, 2, 3]) { $0.maxSizePerMessage = 340 }
        for i in 0..<100 { try leader.propose(Self.payload(10, UInt8(i))) }
        var toTwo = leader.settle().messages.nonEmptyAppends.addressedTo(2)
        #expect(toTwo.count == 1)
        #expect(toTwo.first?.entries.count == 10)
        let firstLast = try #require(toTwo.first?.entries.last?.index)
        try leader.step(appendAck(from: 2, term: 1, index: firstLast))
        toTwo += leader.settle().messages.nonEmptyAppends.addressedTo(2)
        #expect(toTwo.count == 10)
        #expect(toTwo.flatMap(\.entries).map(\.index) == Array(2...101))
        for m in toTwo {
            #expect(m.entries.reduce(0) { $0 + $1.sizeEstimate } <= 340)
        }
    }

    // MARK: Uncommitted size limit

    @Test func uncommittedSizeLimitDropsProposalsUntilCommit() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3]) { $0.maxUncommittedEntriesSize = 30 }
        for _ in 0..<3 { try leader.propose(Self.payload(10)) }
        #expect(throws: RaftError(.proposalDropped)) { try leader.propose(Self.payload(10)) }
        leader.settle()
        let last = leader.lastIndex
        #expect(last == 4)
        try leader.step(appendAck(from: 2, term: 1, index: last))
        leader.settle()
        #expect(leader.committedIndex == last)
        #expect(leader.appliedIndex == last)
        try leader.propose(Self.payload(10))
        #expect(leader.lastIndex == last + 1)
    }

    @Test func uncommittedSizeLimitAppliesToForwardedProposals() throws {
        var c = ScenarioCluster([1, 2, 3]) { $0.maxUncommittedEntriesSize = 30 }
        c.campaign(1)
        c.isolate(2)
        c.isolate(3)
        for _ in 0..<3 { try c[1].propose(Self.payload(10)) }
        c.recover()
        c.cut(1, 3)
        // A proposal forwarded by 2 is dropped by the leader (nothing committed yet: 2 has not acked).
        c.filter = { $0.kind != .appendResponse }
        try c[2].propose(Self.payload(10))
        c.flush(2)
        #expect(c[1].lastIndex == 4)
        #expect(c.stepErrors.contains { $0.0 == 1 && $0.1.code == .proposalDropped })
    }

    @Test func oneLargeProposalIsAcceptedWhenNothingIsOutstanding() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3]) { $0.maxUncommittedEntriesSize = 30 }
        try leader.propose(Self.payload(100))
        #expect(throws: RaftError(.proposalDropped)) { try leader.propose(Self.payload(1)) }
    }

    // MARK: Asynchronous storage writes

    @Test func leaderSendsAppendsBeforePersistingAndCountsItselfOnlyAfter() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        try leader.propose(bytes("x"))
        let rd = leader.ready()
        let x = leader.lastIndex
        #expect(rd.entries.map(\.index) == [x])
        #expect(rd.messages.nonEmptyAppends.count == 2, "appends leave before the write")
        #expect(rd.persistedMessages.isEmpty)
        // One follower acknowledges while the leader's own write is in progress: no quorum yet.
        try leader.step(appendAck(from: 2, term: 1, index: x))
        #expect(leader.committedIndex == x - 1)
        try leader.memoryStorage.save(rd)
        leader.acknowledgePersisted(rd)
        #expect(leader.committedIndex == x)
        let rd2 = leader.ready()
        #expect(rd2.committedEntries.map(\.index) == [x])
        try leader.memoryStorage.save(rd2)
        leader.advance(rd2)
    }

    @Test func followersQuorumCommitsButLeaderAppliesOnlyDurableEntries() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        try leader.propose(bytes("x"))
        let rd = leader.ready()
        let x = leader.lastIndex
        try leader.step(appendAck(from: 2, term: 1, index: x))
        try leader.step(appendAck(from: 3, term: 1, index: x))
        #expect(leader.committedIndex == x, "durable on a quorum of followers")
        let early = leader.ready()
        #expect(early.committedEntries.isEmpty, "not durable here yet: not applied")
        try leader.memoryStorage.save(rd)
        try leader.memoryStorage.save(early)
        leader.acknowledgePersisted(rd)
        leader.acknowledgePersisted(early)
        let late = leader.ready()
        #expect(late.committedEntries.map(\.index) == [x])
    }

    @Test func followerSendsAppendResponsesOnlyAfterPersisting() throws {
        var follower = makeCore(id: 2, voters: [1, 2, 3])
        try follower.step(
            Message(
                kind: .append,
                from: 1,
                to: 2,
                term: 1,
                entries: [Entry(term: 1, index: 1), Entry(term: 1, index: 2)]
            )
        )
        let rd = follower.ready()
        #expect(rd.entries.count == 2)
        #expect(rd.messages.isEmpty)
        #expect(rd.persistedMessages.withKind(.appendResponse).map(\.index) == [2])
        #expect(rd.mustSync)
    }

    @Test func leaderHandlesTwoReadiesBeforeAdvancing() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        try leader.propose(bytes("A"))
        let rd1 = leader.ready()
        try leader.propose(bytes("B"))
        let rd2 = leader.ready()
        #expect(rd1.entries.map(\.data) == [bytes("A")])
        #expect(rd2.entries.map(\.data) == [bytes("B")], "entries are handed out once")
        let a = try #require(rd1.entries.first?.index)
        let b = try #require(rd2.entries.first?.index)
        #expect(rd2.messages.nonEmptyAppends.addressedTo(2).first?.entries.map(\.index) == [b])
        try leader.memoryStorage.save(rd1)
        try leader.memoryStorage.save(rd2)
        try leader.step(appendAck(from: 2, term: 1, index: b))
        #expect(leader.committedIndex == a - 1)
        leader.acknowledgePersisted(rd1)
        #expect(leader.committedIndex == a)
        leader.acknowledgePersisted(rd2)
        #expect(leader.committedIndex == b)
        leader.acknowledgeApplied(rd1)
        leader.acknowledgeApplied(rd2)
        let rd3 = leader.ready()
        #expect(rd3.committedEntries.map(\.index) == [a, b])
        try leader.memoryStorage.save(rd3)
        leader.advance(rd3)
        #expect(leader.ready().committedEntries.isEmpty, "no entry is applied twice")
        #expect(leader.appliedIndex == b)
    }

    @Test func followerHandlesTwoReadiesBeforeAdvancing() throws {
        var follower = makeCore(id: 2, voters: [1, 2, 3])
        try follower.step(
            Message(kind: .append, from: 1, to: 2, term: 1, entries: [Entry(term: 1, index: 1, data: bytes("a"))])
        )
        let rd1 = follower.ready()
        try follower.step(
            Message(
                kind: .append,
                from: 1,
                to: 2,
                term: 1,
                logTerm: 1,
                index: 1,
                entries: [Entry(term: 1, index: 2, data: bytes("b"))],
                commit: 1
            )
        )
        let rd2 = follower.ready()
        #expect(rd1.entries.map(\.index) == [1])
        #expect(rd2.entries.map(\.index) == [2])
        #expect(rd1.persistedMessages.withKind(.appendResponse).map(\.index) == [1])
        #expect(rd2.persistedMessages.withKind(.appendResponse).map(\.index) == [2])
        #expect(rd2.committedEntries.isEmpty, "entry 1 is committed but not yet durable here")
        try follower.memoryStorage.save(rd1)
        follower.acknowledgePersisted(rd1)
        let rd3 = follower.ready()
        #expect(rd3.committedEntries.map(\.index) == [1])
        try follower.memoryStorage.save(rd2)
        follower.acknowledgePersisted(rd2)
        try follower.memoryStorage.save(rd3)
        follower.advance(rd3)
        #expect(follower.memoryStorage.lastIndex() == 2)
        #expect(follower.appliedIndex == 1)
    }

    @Test func lateAcknowledgementOfOverwrittenWriteIsIgnored() throws {
        // The ABA race of etcd's async_storage_writes_append_aba_race: an acknowledgement for
        // (index 2, term 1) arrives after index 2 was overwritten with term 2.
        var follower = makeCore(id: 3, voters: [1, 2, 3])
        try follower.step(
            Message(
                kind: .append,
                from: 1,
                to: 3,
                term: 1,
                entries: [Entry(term: 1, index: 1, data: bytes("a")), Entry(term: 1, index: 2, data: bytes("b"))]
            )
        )
        let rd1 = follower.ready()
        try follower.step(
            Message(
                kind: .append,
                from: 2,
                to: 3,
                term: 2,
                logTerm: 1,
                index: 1,
                entries: [Entry(term: 2, index: 2, data: bytes("c"))]
            )
        )
        let rd2 = follower.ready()
        #expect(rd2.entries.map(\.term) == [2])
        try follower.memoryStorage.save(rd1)
        follower.acknowledgePersisted(rd1)
        #expect(follower.log.stableLastIndex < 2, "(2, term 2) is still being written")
        try follower.step(Message(kind: .append, from: 2, to: 3, term: 2, logTerm: 2, index: 2, commit: 2))
        let rd3 = follower.ready()
        #expect(!rd3.committedEntries.contains { $0.index == 2 }, "not durable: not applied")
        try follower.memoryStorage.save(rd2)
        follower.acknowledgePersisted(rd2)
        try follower.memoryStorage.save(rd3)
        follower.advance(rd3)
        let rd4 = follower.ready()
        let applied = rd3.committedEntries + rd4.committedEntries
        #expect(applied.map(\.index) == [1, 2])
        #expect(applied.last?.term == 2)
        #expect(applied.last?.data == bytes("c"))
    }

    // MARK: Catching up

    @Test func slowFollowerCatchesUp() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        for i in 0..<20 { try c.propose(1, "e\(i)") }
        #expect(c[2].committedIndex == 21)
        #expect(c[3].lastIndex == 1)
        c.recover()
        c.tickAll(times: 2)
        #expect(c[3].lastIndex == 21)
        #expect(c[3].committedIndex == 21)
        #expect(c[1].progress(3)?.state == .replicate)
        #expect(c[1].progress(3)?.match == 21)
        #expect(c.applied[3]?.map(\.index) == Array(1...21))
    }

    @Test func heartbeatRecoversFollowerWhoseWindowFilledWithLostMessages() throws {
        var c = ScenarioCluster([1, 2, 3]) { $0.maxInflightMessages = 2 }
        c.campaign(1)
        c.filter = { !($0.kind == .append && $0.to == 3) }
        try c.propose(1, "a")
        try c.propose(1, "b")
        #expect(c[1].progress(3)?.inflightCount == 2)
        c.filter = nil
        let before = c.deliveredCount(.append, to: 3)
        try c.propose(1, "c")
        #expect(c.deliveredCount(.append, to: 3) == before, "the window is full: nothing goes to 3")
        #expect(c[3].lastIndex == 1)
        c.tick(1)  // heartbeat → response → empty append → rejection → probe → catch up
        #expect(c[3].lastIndex == c[1].lastIndex)
        #expect(c[3].committedIndex == c[1].committedIndex)
        #expect(c[1].progress(3)?.state == .replicate)
    }

    @Test func heartbeatResponseUnpausesProbingFollower() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        c[1].reportUnreachable(3)
        c.filter = { !($0.kind == .append && $0.to == 3) }
        try c.propose(1, "lost probe")
        #expect(c[1].progress(3)?.state == .probe)
        #expect(c[1].progress(3)?.isPaused == true)
        c.filter = nil
        c.tick(1)
        #expect(c[3].lastIndex == c[1].lastIndex)
        #expect(c[1].progress(3)?.state == .replicate)
    }

    // MARK: Fast log rejection

    struct RejectCase: Sendable, CustomTestStringConvertible {
        var leader: [UInt64]
        var follower: [UInt64]
        var hintIndex: UInt64
        var hintTerm: UInt64
        var nextIndex: UInt64
        var nextTerm: UInt64
        var testDescription: String { "leader \(leader) follower \(follower)" }
    }

    static let rejectCases: [RejectCase] = [
        // The follower has a longer divergent tail of a lower term.
        RejectCase(
            leader: [1, 2, 2, 4, 4, 4, 4],
            follower: [1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3],
            hintIndex: 7,
            hintTerm: 3,
            nextIndex: 3,
            nextTerm: 2
        ),
        // The follower has a shorter divergent tail of a higher term.
        RejectCase(
            leader: [1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3],
            follower: [1, 2, 2, 4, 4, 4, 4],
            hintIndex: 3,
            hintTerm: 2,
            nextIndex: 3,
            nextTerm: 2
        ),
        // A whole divergent term of five entries is skipped in one round trip.
        RejectCase(
            leader: [1, 3, 3, 3, 3, 3, 3],
            follower: [1, 2, 2, 2, 2, 2],
            hintIndex: 6,
            hintTerm: 2,
            nextIndex: 1,
            nextTerm: 1
        ),
        // The follower is simply behind.
        RejectCase(leader: [1, 1, 1, 1, 1], follower: [1, 1], hintIndex: 2, hintTerm: 1, nextIndex: 2, nextTerm: 1),
    ]

    @Test(arguments: rejectCases)
    func fastLogRejection(_ tc: RejectCase) throws {
        let top = max(tc.leader.max()!, tc.follower.max()!)
        var leader = makeCore(
            id: 1,
            voters: [1, 2],
            storage: storageWithTerms(voters: [1, 2], terms: tc.leader, hardTerm: top)
        )
        var follower = makeCore(
            id: 2,
            voters: [1, 2],
            storage: storageWithTerms(voters: [1, 2], terms: tc.follower, hardTerm: top)
        )
        leader.becomeCandidate()
        leader.becomeLeader()
        leader.broadcastAppend()
        var toFollower = leader.settle().messages.withKind(.append).addressedTo(2)
        #expect(toFollower.count == 1)
        #expect(toFollower.first?.index == UInt64(tc.leader.count))

        var rejections = 0
        var rounds = 0
        while let m = toFollower.first, rounds < 10 {
            rounds += 1
            try follower.step(m)
            let responses = follower.settle().messages.withKind(.appendResponse)
            let response = try #require(responses.first)
            if response.reject {
                rejections += 1
                if rejections == 1 {
                    #expect(response.rejectHint == tc.hintIndex)
                    #expect(response.logTerm == tc.hintTerm)
                }
            }
            try leader.step(response)
            toFollower = leader.settle().messages.withKind(.append).addressedTo(2)
            if response.reject && rejections == 1 {
                #expect(toFollower.first?.index == tc.nextIndex)
                #expect(toFollower.first?.logTerm == tc.nextTerm)
            }
            if !response.reject && follower.lastIndex == leader.lastIndex { break }
        }
        #expect(rejections == 1, "one round trip finds the divergence point")
        #expect(follower.logEntries().map(\.term) == leader.logEntries().map(\.term))
    }

    // MARK: Reordered and duplicated messages

    @Test func followerToleratesReorderedAndDuplicatedAppends() throws {
        var follower = makeCore(id: 2, voters: [1, 2, 3])
        let first = Message(
            kind: .append,
            from: 1,
            to: 2,
            term: 1,
            entries: (1...3).map { Entry(term: 1, index: $0) }
        )
        let second = Message(
            kind: .append,
            from: 1,
            to: 2,
            term: 1,
            logTerm: 1,
            index: 3,
            entries: (4...5).map { Entry(term: 1, index: $0) },
            commit: 3
        )
        try follower.step(second)
        #expect(follower.settle().messages.withKind(.appendResponse).first?.reject == true)
        try follower.step(first)
        try follower.step(second)
        follower.settle()
        #expect(follower.lastIndex == 5)
        #expect(follower.committedIndex == 3)
        try follower.step(first)  // a late duplicate must not truncate 4 and 5
        let response = follower.settle().messages.withKind(.appendResponse)
        #expect(response.last?.reject == false)
        #expect(response.last?.index == 3)
        #expect(follower.logEntries().map(\.index) == [1, 2, 3, 4, 5])
        #expect(follower.committedIndex == 3)
    }

    @Test func leaderIgnoresStaleAndDuplicatedResponses() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        for i in 0..<3 { try leader.propose(bytes("e\(i)")) }
        leader.settle()
        let last = leader.lastIndex
        try leader.step(appendAck(from: 2, term: 1, index: last))
        leader.settle()
        #expect(leader.progress(2)?.match == last)
        try leader.step(appendAck(from: 2, term: 1, index: 2))  // reordered
        try leader.step(appendAck(from: 2, term: 1, index: last))  // duplicated
        // A rejection of an index below the match is an old message.
        try leader.step(
            Message(kind: .appendResponse, from: 2, to: 1, term: 1, logTerm: 1, index: 2, reject: true, rejectHint: 1)
        )
        #expect(leader.progress(2)?.match == last)
        #expect(leader.progress(2)?.state == .replicate)
        #expect(leader.progress(2)?.next == last + 1)
        #expect(leader.settle().messages.nonEmptyAppends.addressedTo(2).isEmpty)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func simulatedClusterSurvivesDuplicationReorderingAndLoss(seed: UInt64) {
        var options = SimulatedCluster.Options()
        options.faults = NetworkFaults(dropRate: 0.05, duplicateRate: 0.2, minDelay: 1, maxDelay: 8)
        var sim = SimulatedCluster(voters: [1, 2, 3], seed: seed, options: options)
        var accepted = 0
        for i in 0..<40 {
            sim.run(ticks: 2)
            if sim.propose(SimulatedKV.setCommand("k\(i)", "v\(i)")) != nil { accepted += 1 }
        }
        sim.network.faults = .none
        sim.run(ticks: 100)
        #expect(sim.violations.isEmpty)
        #expect(accepted > 0)
        let leader = sim.leader
        #expect(leader != nil)
        let digests = Set(sim.sortedIDs.map { sim[$0]!.kv.digest })
        let applied = Set(sim.sortedIDs.map { sim[$0]!.kv.appliedIndex })
        #expect(digests.count == 1)
        #expect(applied.count == 1)
    }

    // MARK: Snapshots

    /// A cluster whose node 3 missed entries 2...11, which the leader then compacted away.
    static func clusterWithCompactedLeader() throws -> (ScenarioCluster, UInt64) {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        for i in 0..<10 { try c.propose(1, "e\(i)") }
        let compactAt = c[1].committedIndex
        let storage = c[1].memoryStorage
        try storage.createSnapshot(at: compactAt, confState: c[1].confState, data: bytes("state"))
        try storage.compact(through: compactAt)
        c.recover()
        return (c, compactAt)
    }

    @Test func laggingFollowerGetsSnapshotThenReplicatesViaAppendResponse() throws {
        var (c, compactAt) = try Self.clusterWithCompactedLeader()
        #expect(compactAt == 11)
        c.tick(1)
        #expect(c.deliveredCount(.snapshot, to: 3) == 1)
        #expect(c.snapshotsInstalled[3]?.map(\.metadata.index) == [compactAt])
        #expect(c[3].committedIndex == compactAt)
        // No reportSnapshot: the follower's append response alone moves it back to replicate.
        #expect(c[1].progress(3)?.state == .replicate)
        #expect(c[1].progress(3)?.match == compactAt)
        try c.propose(1, "after")
        #expect(c[3].lastIndex == compactAt + 1)
        #expect(c[3].committedIndex == compactAt + 1)
        #expect(c.applied[3]?.last?.data == bytes("after"), "entries after the snapshot are applied")
        #expect(c[3].appliedIndex == compactAt + 1)
        #expect(c.deliveredCount(.snapshot) == 1)
    }

    @Test func failedSnapshotReportReturnsToProbeAndRetries() throws {
        var (c, compactAt) = try Self.clusterWithCompactedLeader()
        c.droppedKinds = [.snapshot]
        c.tick(1)
        #expect(c[1].progress(3)?.state == .snapshot)
        #expect(c[1].progress(3)?.pendingSnapshot == compactAt)
        c[1].reportSnapshot(3, succeeded: false)
        #expect(c[1].progress(3)?.state == .probe)
        #expect(c[1].progress(3)?.pendingSnapshot == 0)
        #expect(c[1].progress(3)?.isPaused == true, "waits for the next heartbeat response")
        c.droppedKinds = []
        c.tick(1)
        #expect(c.deliveredCount(.snapshot, to: 3) == 1)
        #expect(c[3].committedIndex == compactAt)
        #expect(c[1].progress(3)?.state == .replicate)
    }

    @Test func successfulSnapshotReportProbesPastTheSnapshot() throws {
        var (c, compactAt) = try Self.clusterWithCompactedLeader()
        c.droppedKinds = [.snapshot]
        c.tick(1)
        #expect(c[1].progress(3)?.state == .snapshot)
        c[1].reportSnapshot(3, succeeded: true)
        #expect(c[1].progress(3)?.state == .probe)
        #expect(c[1].progress(3)?.next == compactAt + 1)
    }

    @Test func reportUnreachableMovesReplicatingFollowerToProbe() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        try leader.propose(bytes("a"))
        leader.settle()
        #expect(leader.progress(2)?.state == .replicate)
        #expect(leader.progress(2)?.next == 3)
        leader.reportUnreachable(2)
        #expect(leader.progress(2)?.state == .probe)
        #expect(leader.progress(2)?.next == 2, "next falls back to match + 1")
        try leader.propose(bytes("b"))
        let first = leader.settle().messages.nonEmptyAppends.addressedTo(2)
        #expect(first.count == 1)
        try leader.propose(bytes("c"))
        #expect(leader.settle().messages.nonEmptyAppends.addressedTo(2).isEmpty, "one probe at a time")
        try leader.step(appendAck(from: 2, term: 1, index: 3))
        #expect(leader.progress(2)?.state == .replicate)
    }

    // MARK: Proposal forwarding

    @Test func followerForwardsProposalToLeader() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        try c.propose(2, "forwarded")
        #expect(c.deliveredCount(.propose, to: 1, from: 2) == 1)
        for id: NodeID in [1, 2, 3] {
            #expect(c.applied[id]?.last?.data == bytes("forwarded"), "node \(id)")
            #expect(c.applied[id]?.last?.term == 1, "node \(id)")
        }
    }

    @Test func followerWithForwardingDisabledReportsTheLeader() throws {
        var c = ScenarioCluster([1, 2, 3]) { $0.disableProposalForwarding = true }
        c.campaign(1)
        do {
            try c[2].propose(bytes("x"))
            Issue.record("proposal was accepted by a follower with forwarding disabled")
        } catch {
            #expect(error.code == .notLeader)
            #expect(error.leaderHint == 1)
        }
        #expect(c.process(2).withKind(.propose).isEmpty)
    }

    @Test func proposalWithoutLeaderIsDropped() throws {
        var c = ScenarioCluster([1, 2, 3])
        #expect(throws: RaftError(.proposalDropped)) { try c[2].propose(bytes("x")) }
        c[2].campaign()
        #expect(c[2].role == .candidate)
        #expect(throws: RaftError(.proposalDropped)) { try c[2].propose(bytes("x")) }
    }
}
