import Synchronization
import Testing
@testable import Raft

/// The runtime node on virtual time: no test here sleeps in real time.
@Suite struct RaftNodeTests {
    @Test func electsLeaderAndAppliesOnEveryMember() async throws {
        let cluster = try NodeCluster(voters: [1, 2, 3])
        let leader = try #require(await cluster.electLeader())
        let first = await cluster.propose("set color=blue", via: leader)
        #expect(try first.get() == [])
        let second = await cluster.propose("set color=green", via: leader)
        #expect(try second.get() == Array("blue".utf8), "apply returns the previous value to the proposer")
        let converged = await cluster.advance(maxTicks: 20) {
            [1, 2, 3].allSatisfy { cluster.kv($0)["color"] == "green" }
        }
        #expect(converged)
        await cluster.stopAll()
    }

    @Test func followerAnswersNotLeaderWithHint() async throws {
        let cluster = try NodeCluster(voters: [1, 2, 3])
        let leader = try #require(await cluster.electLeader())
        _ = await cluster.propose("set a=1", via: leader)
        let follower = try #require([1, 2, 3].first { $0 != leader })
        let result = await cluster.propose("set a=2", via: follower)
        guard case .failure(let error) = result else {
            Issue.record("a follower accepted a proposal")
            return
        }
        #expect(error.code == .notLeader)
        #expect(error.leaderHint == leader)
        await cluster.stopAll()
    }

    @Test func survivesLeaderCrashAndRestartsFromStorage() async throws {
        let cluster = try NodeCluster(voters: [1, 2, 3])
        let first = try #require(await cluster.electLeader())
        #expect(try await cluster.propose("set k=1", via: first).get() == [])
        await cluster.stop(first)
        let second = try #require(await cluster.electLeader())
        #expect(second != first)
        #expect(try await cluster.propose("set k=2", via: second).get() == Array("1".utf8))
        try cluster.restart(first)
        let caughtUp = await cluster.advance(maxTicks: 50) { cluster.kv(first)["k"] == "2" }
        #expect(caughtUp, "the restarted member replays its durable log and catches up")
        await cluster.stopAll()
    }

    @Test func readBarrierSeesPriorWrites() async throws {
        let cluster = try NodeCluster(voters: [1, 2, 3])
        let leader = try #require(await cluster.electLeader())
        _ = await cluster.propose("set x=42", via: leader)
        for id: NodeID in [1, 2, 3] {
            let node = cluster[id]
            let read = Task { () -> UInt64? in try? await node.readBarrier() }
            let done = Mutex<UInt64?>(nil)
            let watcher = Task { let value = await read.value; done.withLock { $0 = value } }
            await cluster.advance(maxTicks: 50) { done.withLock { $0 } != nil }
            _ = await watcher.value
            let index = try #require(done.withLock { $0 })
            #expect(index >= 2)
            #expect(cluster.kv(id)["x"] == "42", "node \(id) read after the barrier sees the write")
        }
        await cluster.stopAll()
    }

    @Test func membershipChangeAddsALearnerThenPromotesIt() async throws {
        let cluster = try NodeCluster(voters: [1, 2, 3])
        let leader = try #require(await cluster.electLeader())
        _ = await cluster.propose("set before=join", via: leader)
        try cluster.add(4, storage: MemoryStorage(voters: [1, 2, 3]))
        let node = cluster[leader]
        for change in [ConfChange.single(.addLearner, 4), .single(.addVoter, 4)] {
            let result = Mutex<Result<ConfState, RaftError>?>(nil)
            let task = Task {
                do throws(RaftError) {
                    let state = try await node.changeMembership(change)
                    result.withLock { $0 = .success(state) }
                } catch {
                    result.withLock { $0 = .failure(error) }
                }
            }
            await cluster.advance(maxTicks: 100) { result.withLock { $0 } != nil }
            _ = await task.value
            _ = try #require(try result.withLock { $0 }?.get())
        }
        #expect(cluster[leader].status().confState.voters == [1, 2, 3, 4])
        let caughtUp = await cluster.advance(maxTicks: 50) { cluster.kv(4)["before"] == "join" }
        #expect(caughtUp)
        await cluster.stopAll()
    }

    @Test func transferLeadershipMovesTheLeader() async throws {
        let cluster = try NodeCluster(voters: [1, 2, 3])
        let leader = try #require(await cluster.electLeader())
        let target: NodeID = leader == 3 ? 1 : leader + 1
        let node = cluster[leader]
        let finished = Mutex<Result<Void, RaftError>?>(nil)
        let task = Task {
            do throws(RaftError) {
                try await node.transferLeadership(to: target)
                finished.withLock { $0 = .success(()) }
            } catch {
                finished.withLock { $0 = .failure(error) }
            }
        }
        await cluster.advance(maxTicks: 50) { finished.withLock { $0 } != nil }
        _ = await task.value
        let outcome = try #require(finished.withLock { $0 })
        if case .failure(let error) = outcome { Issue.record("transfer failed: \(error)") }
        #expect(await cluster.advance(maxTicks: 20) { cluster.leader == target })
        await cluster.stopAll()
    }

    @Test func isolatedLeaderTimesOutAndShutdownFailsWaiters() async throws {
        let cluster = try NodeCluster(voters: [1, 2, 3])
        let leader = try #require(await cluster.electLeader())
        for other: NodeID in [1, 2, 3] where other != leader { cluster.network.cut(leader, other) }
        let result = await cluster.propose("set lost=1", via: leader)
        guard case .failure(let error) = result else {
            Issue.record("an isolated leader committed")
            return
        }
        // CheckQuorum makes it step down; the pending proposal times out (outcome unknown).
        #expect(error.code == .timeout)

        // A request pending at shutdown fails with shuttingDown.
        let node = cluster[leader]
        let pending = Task { () -> RaftError? in
            do throws(RaftError) {
                _ = try await node.readBarrier()
                return nil
            } catch {
                return error
            }
        }
        await cluster.settle()
        await cluster.stop(leader)
        let failure = await pending.value
        #expect(failure != nil)
        await cluster.stopAll()
    }

    @Test func inboxIsBounded() async throws {
        var options = RaftNode.Options()
        options.inboxCapacity = 10
        let clock = ManualClock()
        let node = try RaftNode(
            config: RaftConfig(id: 1),
            storage: MemoryStorage(voters: [1, 2, 3]),
            stateMachine: TestKV(),
            transport: InMemoryNetwork().transport(for: 1),
            clock: clock,
            options: options
        )
        // Before run() starts messages are buffered, but never beyond the capacity.
        node.receive([Message(kind: .heartbeat, from: 2, to: 1, term: 1)])
        #expect(node.intake.withLock { $0.messages.count } == 1)
        node.receive(Array(repeating: Message(kind: .heartbeat, from: 2, to: 1, term: 1), count: 25))
        node.receive([Message(kind: .heartbeat, from: 2, to: 1, term: 1)])
        #expect(node.intake.withLock { $0.messages.count } == 10)
        // Once stopped, nothing is accepted.
        node.shutDown()
        node.intake.withLock { $0.messages = [] }
        node.receive([Message(kind: .heartbeat, from: 2, to: 1, term: 1)])
        #expect(node.intake.withLock { $0.messages.count } == 0)
    }
}
