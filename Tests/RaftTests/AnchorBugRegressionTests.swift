import Testing
@testable import Raft

/// One regression test (or a small family) per known bug of the anchor implementations listed in
/// /work/shared/reference/raft.md.
@Suite struct AnchorBugRegressionTests {
    static func libraryDefaults(_ c: inout RaftConfig) {
        c.preVote = true
        c.checkQuorum = true
        c.stepDownOnRemoval = true
    }

    static func preVoteOnly(_ c: inout RaftConfig) { c.preVote = true }

    static func isLeaveJoint(_ entry: Entry) -> Bool {
        entry.kind == .confChange && (try? ConfChange(decoding: entry.data))?.isLeaveJoint == true
    }

    // MARK: etcd-io/etcd#11038

    // etcd-io/etcd#11038: guards against a leader that removed itself continuing to heartbeat, which
    // kept resetting the remaining members' election timers so that they never elected a new leader.
    @Test func removedLeaderStopsHeartbeatingAndTheRestElectALeader() throws {
        var c = ScenarioCluster([1, 2, 3], configure: Self.libraryDefaults)
        c.campaign(1)
        try c.proposeConfChange(1, .single(.removeNode, 1))
        #expect(c[1].role == .follower)
        let sentBy1 = c.delivered.filter { $0.from == 1 }.count
        let ticks = c.tickAll(upTo: 100) { $0.leaders.contains(2) || $0.leaders.contains(3) }
        #expect(ticks != nil, "the remaining voters elect a leader")
        #expect(c.delivered.filter { $0.from == 1 }.count == sentBy1, "the removed leader sends nothing")
        #expect(!c.leaders.contains(1))
    }

    // MARK: etcd-io/etcd#8243, #9586, #10355

    // etcd-io/etcd#8243: guards against a stuck election when a node with a smaller term rejoins just
    // as the leader fails: its pre-votes must be answered with the higher term so that it catches up.
    @Test func nodeWithSmallerTermCanCompleteElection() {
        var c = ScenarioCluster([1, 2, 3], configure: Self.preVoteOnly)
        c.cut(1, 3)
        c.cut(2, 3)
        c.campaign(1)
        #expect(c[1].role == .leader)
        c.campaign(3)
        #expect(c[3].role == .preCandidate)
        c.campaign(2)
        #expect(c[2].role == .leader)
        #expect(c[1].term == 2)
        #expect(c[2].term == 2)
        #expect(c[3].term == 0)
        // Bring 3 back and lose the leader (2) at the same time.
        c.recover()
        c.cut(2, 1)
        c.cut(2, 3)
        c.campaign(3)
        c.campaign(1)
        #expect(c[1].role == .leader || c[3].role == .leader)
    }

    // etcd-io/etcd#8243 with CheckQuorum as well (the library default): the same race, driven by ticks.
    @Test func nodeWithSmallerTermCanCompleteElectionWithCheckQuorum() {
        var c = ScenarioCluster([1, 2, 3], configure: Self.libraryDefaults)
        c.cut(1, 3)
        c.cut(2, 3)
        c.campaign(1)
        c[1].transferLeadership(to: 2)  // moves the majority to term 2 while 3 stays at term 0
        c.flush(1)
        #expect(c[2].role == .leader)
        #expect(c[3].term == 0)
        c.recover()
        c.cut(2, 1)
        c.cut(2, 3)
        let ticks = c.tickAll(upTo: 100) { $0[1].role == .leader || $0[3].role == .leader }
        #expect(ticks != nil)
    }

    // etcd-io/etcd#9586: guards against no leader ever being elected with PreVote + CheckQuorum after
    // the leader is partitioned away: a pre-candidate must forget the old leader so that it can grant
    // another pre-candidate's pre-vote.
    @Test func preVoteWithCheckQuorumElectsAfterLeaderPartition() {
        var c = ScenarioCluster([1, 2, 3], configure: Self.libraryDefaults)
        c.campaign(1)
        c.isolate(1)
        c.campaign(2)  // 3 still hears the old leader's lease: ignored
        #expect(c[2].role == .preCandidate)
        c.campaign(3)  // 2 is a pre-candidate without a leader: grants
        #expect(c[3].role == .leader)
        #expect(c[2].leader == 3)
    }

    // etcd-io/etcd#10355 (and #9586): guards against partition flapping with a stale-log pre-candidate
    // leaving a PreVote + CheckQuorum cluster without a leader once the network heals.
    @Test(arguments: [21, 22, 23, 24, 25] as [UInt64])
    func flappingPartitionsWithStaleNodeStillElectALeader(seed: UInt64) {
        let ids: [NodeID] = [1, 2, 3, 4, 5]
        var sim = SimulatedCluster(voters: ids, seed: seed)
        #expect(sim.electLeader() != nil)
        // Node 5 falls behind.
        sim.network.isolate(5, from: ids)
        for i in 0..<10 {
            sim.propose(SimulatedKV.setCommand("k\(i)", "v\(i)"))
            sim.run(ticks: 1)
        }
        // Flap: cut the current leader off and pair the stale node with a varying minority or majority.
        for round in 0..<25 {
            sim.network.heal()
            if let leader = sim.leader { sim.network.isolate(leader, from: ids) }
            let buddy = NodeID(1 + sim.random(below: 4))
            if round % 2 == 0 {
                sim.network.partition([[5, buddy], ids.filter { $0 != 5 && $0 != buddy }])
            }
            sim.propose(SimulatedKV.setCommand("r\(round)", "x"))
            sim.run(ticks: Int(2 + sim.random(below: 25)))
        }
        sim.network.heal()
        let settled = sim.run(maxTicks: 150) { s in
            guard let leader = s.leader else { return false }
            let term = s[leader]!.core.term
            return s.sortedIDs.allSatisfy { s[$0]!.core.leader == leader && s[$0]!.core.term == term }
        }
        #expect(settled, "every member follows one leader after healing")
        #expect(sim.violations.isEmpty)
    }

    // MARK: etcd-io/raft#80 (and etcd-io/etcd#12136)

    // etcd-io/raft#80 / etcd-io/etcd#12136: guards against a joint configuration with auto-leave being
    // stuck forever when the leader that entered it fails before its leave entry was replicated.
    @Test func newLeaderLeavesPendingAutoLeaveJointConfiguration() throws {
        var c = ScenarioCluster([1, 2, 3], configure: Self.libraryDefaults)
        c.add(makeCore(id: 4, voters: [1, 2, 3], configure: Self.libraryDefaults))
        c.campaign(1)
        // Node 1's leave entry never leaves node 1.
        c.filter = { m in !(m.from == 1 && m.entries.contains(where: Self.isLeaveJoint)) }
        try c.proposeConfChange(
            1,
            ConfChange(changes: [ConfChangeSingle(.addVoter, 4), ConfChangeSingle(.removeNode, 3)])
        )
        let joint = ConfState(voters: [1, 2, 4], votersOutgoing: [1, 2, 3], autoLeave: true)
        #expect(c[2].confState == joint)
        #expect(c[3].confState == joint)
        c.isolate(1)
        let final = ConfState(voters: [1, 2, 4])
        let ticks = c.tickAll(upTo: 300) { cl in
            cl[2].confState == final && cl[4].confState == final
                && cl.leaders.contains { $0 == 2 || $0 == 4 }
        }
        #expect(ticks != nil, "the new leader leaves the joint configuration by itself")
    }

    // etcd-io/raft#80: guards against a refused (or failed) change blocking every later change.
    @Test func refusedChangeDoesNotBlockLaterChanges() throws {
        var leader = makeScenarioLeader(voters: [1, 2, 3])
        try leader.proposeConfChange(.single(.addLearner, 4))
        #expect(throws: RaftError(.confChangeRefused)) { try leader.proposeConfChange(.single(.addLearner, 5)) }
        // A follower forwards another change while the first is pending: it becomes a no-op...
        try leader.step(
            Message(
                kind: .propose,
                from: 3,
                to: 1,
                entries: [Entry(kind: .confChange, data: ConfChange.single(.addLearner, 6).encoded())]
            )
        )
        leader.settle()
        for peer: NodeID in [2, 3] { try leader.step(appendAck(from: peer, term: 1, index: leader.lastIndex)) }
        leader.settle()
        #expect(leader.confState == ConfState(voters: [1, 2, 3], learners: [4]))
        // ...and neither refusal leaves anything pending.
        try leader.proposeConfChange(.single(.addLearner, 5))
        leader.settle()
        for peer: NodeID in [2, 3] { try leader.step(appendAck(from: peer, term: 1, index: leader.lastIndex)) }
        leader.settle()
        #expect(leader.confState == ConfState(voters: [1, 2, 3], learners: [4, 5]))
    }

    // etcd-io/raft#80: guards against a committed change that fails validation at apply time leaving
    // the change "pending" forever.
    @Test func changeThatFailsToApplyDoesNotBlockLaterChanges() throws {
        var core = makeCore(id: 1, voters: [1])
        core.campaign()
        core.settle()
        #expect(core.role == .leader)
        do {
            try core.proposeConfChange(.single(.removeNode, 1))  // would leave no voter
            let s = core.settle()
            #expect(s.confChangeErrors.map(\.code) == [.confChangeRefused])
        } catch {
            #expect(error.code == .confChangeRefused)
        }
        #expect(core.confState == ConfState(voters: [1]))
        try core.proposeConfChange(.single(.addLearner, 2))
        let s = core.settle()
        #expect(s.confChangeErrors.isEmpty)
        #expect(core.confState == ConfState(voters: [1], learners: [2]))
    }

    // etcd-io/raft#80: guards against a new leader refusing conf changes after it applied its log
    // (the pending index set on election must not outlive the log it covers).
    @Test func newLeaderAcceptsChangesOnceItsLogIsApplied() throws {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        try c.proposeConfChange(1, .single(.addLearner, 4))
        c.campaign(2)
        #expect(c[2].role == .leader)
        try c.proposeConfChange(2, .single(.addLearner, 5))
        #expect(c[2].confState == ConfState(voters: [1, 2, 3], learners: [4, 5]))
    }

    // MARK: hashicorp/raft#472

    // hashicorp/raft#472: guards against a three-node cluster staying in candidate forever when all
    // three start an election at the same moment.
    @Test(arguments: [false, true])
    func simultaneousCampaignsStillElectALeader(preVote: Bool) {
        var c = ScenarioCluster([1, 2, 3]) {
            $0.preVote = preVote
            $0.checkQuorum = preVote
        }
        for id in c.ids { c[id].campaign() }
        c.flushAll()
        if !preVote {
            #expect(c.leaders.isEmpty, "a three-way split vote")
        }
        let ticks = c.tickAll(upTo: 100) { $0.leaders.count == 1 }
        #expect(ticks != nil)
        c.tickAll(times: 30)
        #expect(c.leaders.count == 1, "and the leader is stable")
    }

    // hashicorp/raft#472: the same from a cold start in the simulator, where all timers start together.
    @Test func coldStartAlwaysElectsWithinBound() {
        for seed: UInt64 in 0..<20 {
            var sim = SimulatedCluster(voters: [1, 2, 3], seed: seed)
            #expect(sim.electLeader(maxTicks: 100) != nil, "seed \(seed)")
        }
    }

    // MARK: hashicorp/raft#212

    /// A cluster whose node 3 missed entries 2...11, which the leader compacted away.
    static func compactedCluster() throws -> (ScenarioCluster, UInt64) {
        var c = ScenarioCluster([1, 2, 3])
        c.campaign(1)
        c.isolate(3)
        for i in 0..<10 { try c.propose(1, "e\(i)") }
        let at = c[1].committedIndex
        try c[1].memoryStorage.createSnapshot(at: at, confState: c[1].confState, data: bytes("state"))
        try c[1].memoryStorage.compact(through: at)
        c.recover()
        return (c, at)
    }

    // hashicorp/raft#212: guards against a follower installing the same snapshot in a loop: once it
    // is installed the leader must not send it again, and replication continues with appends.
    @Test func installedSnapshotIsNotResentAndReplicationResumes() throws {
        var (c, at) = try Self.compactedCluster()
        c.tick(1)
        #expect(c.snapshotsInstalled[3]?.count == 1)
        for i in 0..<10 {
            try c.propose(1, "after\(i)")
            c.tickAll()
        }
        c.tickAll(times: 20)
        #expect(c.deliveredCount(.snapshot) == 1)
        #expect(c[1].progress(3)?.state == .replicate)
        #expect(c[3].committedIndex == c[1].lastIndex)
        #expect(c[3].appliedIndex == c[1].lastIndex, "entries after the snapshot are applied")
        #expect(c.applied[3]?.last?.data == bytes("after9"))
        #expect(at == 11)
    }

    // hashicorp/raft#212: the leader took a newer snapshot while the first was in flight; the follower
    // installs the older one and catches up from the log instead of being sent snapshot after snapshot.
    @Test func olderSnapshotInstalledWhileLeaderMovedOnCatchesUpByAppends() throws {
        var (c, at) = try Self.compactedCluster()
        c.droppedKinds = [.snapshot]
        c.tick(1)
        #expect(c[1].progress(3)?.state == .snapshot)
        let inFlight = Message(kind: .snapshot, from: 1, to: 3, term: 1, snapshot: try c[1].memoryStorage.snapshot())
        c.droppedKinds = []
        for i in 0..<10 { try c.propose(1, "more\(i)") }
        let newer = c[1].committedIndex
        try c[1].memoryStorage.createSnapshot(at: newer, confState: c[1].confState, data: bytes("state2"))
        c.deliver([inFlight])
        #expect(c.snapshotsInstalled[3]?.map(\.metadata.index) == [at])
        c.tickAll(times: 5)
        #expect(c.deliveredCount(.snapshot) == 1, "no second snapshot")
        #expect(c[3].committedIndex == c[1].committedIndex)
        #expect(c[3].appliedIndex == c[1].committedIndex)
        #expect(c[1].progress(3)?.state == .replicate)
    }

    // MARK: etcd-io/etcd#14370

    /// Rebuilds a core from a copy of `storage`, as after a crash, and checks that every applied
    /// entry survived and is committed again.
    static func crashAndRecover(_ storage: MemoryStorage, applied: [Entry], point: String) {
        let copy = MemoryStorage(voters: [1])
        let last = storage.lastIndex()
        if last >= storage.firstIndex() {
            try! copy.append(try! storage.entries(from: storage.firstIndex(), to: last + 1, maxBytes: .max))
        }
        copy.setHardState(storage.hardState)
        var config = RaftConfig(id: 1)
        config.preVote = false
        config.checkQuorum = false
        guard var restarted = try? RaftCore(config: config, storage: copy) else {
            Issue.record("\(point): the durable state cannot be restarted")
            return
        }
        for entry in applied where restarted.term(at: entry.index) != entry.term {
            Issue.record("\(point): applied entry \(entry.index) was lost by the crash")
        }
        restarted.campaign()
        restarted.settle()
        let highest = applied.last?.index ?? 0
        #expect(restarted.committedIndex >= highest, "\(point)")
        let recovered = restarted.logEntries()
        for entry in applied {
            let again = recovered.first { $0.index == entry.index }
            #expect(again?.data == entry.data, "\(point): entry \(entry.index)")
        }
    }

    // etcd-io/etcd#14370: guards against a single-node cluster applying (and acknowledging) an entry
    // before it is durable, so that a crash loses an acknowledged write.
    @Test func singleNodeNeverAppliesWhatIsNotDurable() throws {
        var core = makeCore(id: 1, voters: [1])
        let storage = core.memoryStorage
        core.campaign()
        var applied: [Entry] = []
        for step in 0..<60 {
            if step % 3 == 0 { try core.propose(bytes("w\(step)")) }
            if step % 7 == 0 { try core.propose(batch: [bytes("b\(step)a"), bytes("b\(step)b")]) }
            guard core.hasReady else { continue }
            let rd = core.ready()
            // The application may apply these while the write of `rd` is still running: they must
            // already be durable.
            for entry in rd.committedEntries {
                let stored = try? storage.term(at: entry.index)
                #expect(stored == entry.term, "entry \(entry.index) handed out for applying before it was durable")
            }
            applied += rd.committedEntries
            Self.crashAndRecover(storage, applied: applied, point: "crash before writing ready \(step)")
            try storage.save(rd)
            Self.crashAndRecover(storage, applied: applied, point: "crash after writing ready \(step)")
            core.advance(rd)
        }
        #expect(applied.count > 20)
        #expect(applied.map(\.index) == Array(1...UInt64(applied.count)))
    }
}
