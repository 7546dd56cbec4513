import Testing
@testable import Raft

@Suite struct HarnessTests {
    @Test func threeNodesElectAndCommit() {
        var net = TestNetwork([1, 2, 3])
        net.campaign(1)
        #expect(net[1].role == .leader)
        #expect(net[2].role == .follower)
        net.propose(1, "hello")
        for id: NodeID in [1, 2, 3] {
            #expect(net[id].committedIndex == 2, "node \(id)")
        }
    }

    @Test func singleNodeCommitsOnlyAfterPersisting() {
        var core = makeCore(id: 1, voters: [1])
        core.campaign()
        #expect(core.role == .leader)
        let rd = core.ready()
        #expect(rd.entries.count == 1)
        // Not durable yet: nothing may be committed (etcd-io/etcd#14370).
        #expect(rd.committedEntries.isEmpty)
        #expect(core.committedIndex == 0)
        try! core.memoryStorage.save(rd)
        core.advance(rd)
        #expect(core.committedIndex == 1)
        let rd2 = core.ready()
        #expect(rd2.committedEntries.map(\.index) == [1])
    }
}
