import ProcessHarness
import Synchronization
import Testing
@testable import Raft

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Members as separate `raft-member` processes on 127.0.0.1 with durable `FileLog`s: SIGKILLed at
/// random instants under load and restarted, partitioned, and caught up by log and by snapshot.
/// Each test is bounded (every wait has a deadline); a failure prints the seed and member logs.
@Suite(.serialized) struct ProcessClusterTests {
    static let fastTimings = [
        "--heartbeat-ms", "30", "--election-ms", "300", "--request-timeout-ms", "3000",
    ]

    static var seed: UInt64 {
        if let text = getenv("RAFT_PROCESS_SEED"), let seed = UInt64(String(cString: text)) { return seed }
        return UInt64(time(nil))
    }

    /// 50 SIGKILL/restart cycles under a steady append load: leaders and followers die at random
    /// instants (mid-fsync, mid-snapshot, mid-apply). Afterwards every acknowledged append is in the
    /// log, exactly once, and nothing appears that was not proposed; all members agree.
    @Test func acknowledgedWritesSurviveFiftyKillCycles() async throws {
        let seed = Self.seed
        let problems = try await onThread { () throws -> [String] in
            var rng = SplitMix64(seed: seed)
            let cluster = try ProcessCluster(
                size: 3, arguments: Self.fastTimings + ["--snapshot-interval", "300", "--compaction-slack", "100"]
            )
            defer { cluster.destroy() }
            try cluster.startAll()
            guard cluster.waitForLeader() != nil else { return ["no leader at start"] }
            let load = AppendLoad(cluster: cluster)
            load.start(writers: 4)
            var leaderKills = 0
            for _ in 0..<50 {
                usleep(UInt32(80_000 + rng.next() % 200_000))
                let leader = cluster.ids.first { cluster.status($0)?["role"] == "leader" }
                var victim = cluster.ids[Int(rng.next() % 3)]
                if rng.chance(0.4), let leader { victim = leader }
                if victim == leader { leaderKills += 1 }
                cluster.kill(victim)
                usleep(UInt32(rng.next() % 150_000))
                try cluster.start(victim)
            }
            load.stop()
            guard let leader = cluster.waitForLeader(seconds: 20) else { return ["no leader after the kills"] }
            guard let log = cluster.dump(leader) else { return ["no DUMP from leader \(leader)"] }
            var problems = load.verify(log)
            let acknowledged = load.record.withLock { $0.acknowledged.count }
            if acknowledged < 100 { problems.append("only \(acknowledged) appends acknowledged: the load did not run") }
            problems += cluster.membersNotHolding(log, among: cluster.ids.filter { $0 != leader })
            let errors = load.record.withLock { $0.errors }
            print("kill cycles (seed \(seed)): 50 kills, \(leaderKills) of the leader; \(acknowledged) appends acknowledged, \(errors) failed; log holds \(log.count)")
            if !problems.isEmpty {
                problems.append("leader kills: \(leaderKills); logs:\n" + cluster.ids.map(cluster.logTail).joined(separator: "\n--\n"))
            }
            return problems
        }
        #expect(problems.isEmpty, "seed \(seed) (RAFT_PROCESS_SEED=\(seed) to replay the kill schedule): \(problems.prefix(20))")
    }

    /// The checker behind the kill test: it must notice a lost, duplicated, invented, misplaced or
    /// reordered append, and accept a correct history.
    @Test func appendHistoryCheckerCatchesEveryKindOfAnomaly() throws {
        let cluster = try ProcessCluster(size: 1, arguments: [])
        defer { cluster.destroy() }
        let load = AppendLoad(cluster: cluster)
        load.record.withLock { record in
            record.attempted = ["a", "b", "c", "d"]
            record.acknowledged = [
                .init(value: "a", length: 1, invoked: 0, returned: 1),
                .init(value: "b", length: 2, invoked: 2, returned: 3),
            ]
        }
        #expect(load.verify(["a", "b"]).isEmpty)
        #expect(load.verify(["a", "b", "c"]).isEmpty)  // an unacknowledged append may land
        #expect(load.verify(["a"]).contains("acknowledged b is missing"))
        #expect(load.verify(["a", "b", "b"]).contains("b appears twice"))
        #expect(load.verify(["a", "b", "x"]).contains("x was never proposed"))
        #expect(load.verify(["c", "a", "b"]).contains("a answered length 1 but sits at 2"))
        load.record.withLock { $0.acknowledged[1].length = 1 }
        load.record.withLock { $0.acknowledged[0].length = 2 }
        #expect(load.verify(["b", "a"]).contains("b (at 1) was invoked after a (at 2) was acknowledged"))
    }

    /// etcd-io/etcd#14370: a one-member cluster must not lose an acknowledged write on a crash.
    @Test func singleMemberLosesNoAcknowledgedWriteOnKill() async throws {
        let problems = try await onThread { () throws -> [String] in
            let cluster = try ProcessCluster(size: 1, arguments: Self.fastTimings)
            defer { cluster.destroy() }
            var acknowledged: [String] = []
            for cycle in 0..<5 {
                try cluster.start(1)
                guard cluster.waitForLeader() == 1 else { return ["no leader in cycle \(cycle)"] }
                for i in 0..<20 {
                    let value = "c\(cycle)-\(i)"
                    if cluster.request(1, "APPEND \(value)")?.hasPrefix("OK ") == true { acknowledged.append(value) }
                }
                cluster.kill(1)
            }
            try cluster.start(1)
            guard cluster.waitForLeader() == 1, let log = cluster.dump(1) else { return ["no leader at the end"] }
            return log == acknowledged ? [] : ["log \(log) != acknowledged \(acknowledged)"]
        }
        #expect(problems.isEmpty, "\(problems)")
    }

    /// Leader SIGKILL in a 3- and a 5-member cluster: a new leader is elected and commits continue;
    /// the old leader comes back and catches up from the log.
    @Test(arguments: [3, 5])
    func leaderKillElectsANewLeaderAndTheOldOneCatchesUp(size: Int) async throws {
        let problems = try await onThread { () throws -> [String] in
            let cluster = try ProcessCluster(size: size, arguments: Self.fastTimings)
            defer { cluster.destroy() }
            try cluster.startAll()
            guard let first = cluster.waitForLeader() else { return ["no leader"] }
            for i in 0..<20 where cluster.request(first, "APPEND before-\(i)")?.hasPrefix("OK ") != true {
                return ["append \(i) to leader \(first) failed"]
            }
            cluster.kill(first)
            let survivors = cluster.ids.filter { $0 != first }
            guard let second = cluster.waitForLeader(among: survivors) else { return ["no new leader"] }
            for i in 0..<20 where cluster.request(second, "APPEND after-\(i)")?.hasPrefix("OK ") != true {
                return ["append \(i) to new leader \(second) failed"]
            }
            try cluster.start(first)
            let expected = (0..<20).map { "before-\($0)" } + (0..<20).map { "after-\($0)" }
            return cluster.membersNotHolding(expected)
        }
        #expect(problems.isEmpty, "\(problems)")
    }

    /// A 5-member cluster split 2 | 3 with the leader in the minority: the minority cannot commit
    /// (its appends fail), the majority elects a leader and commits; after healing, the minority
    /// holds exactly the majority's log.
    @Test func partitionedMinorityCannotCommit() async throws {
        let problems = try await onThread { () throws -> [String] in
            let cluster = try ProcessCluster(size: 5, arguments: Self.fastTimings)
            defer { cluster.destroy() }
            try cluster.startAll()
            guard let leader = cluster.waitForLeader() else { return ["no leader"] }
            guard cluster.request(leader, "APPEND before")?.hasPrefix("OK ") == true else { return ["first append failed"] }
            let minority = [leader, cluster.ids.first { $0 != leader }!]
            let majority = cluster.ids.filter { !minority.contains($0) }
            for id in minority { _ = cluster.request(id, "BLOCK " + majority.map(String.init).joined(separator: ",")) }
            for id in majority { _ = cluster.request(id, "BLOCK " + minority.map(String.init).joined(separator: ",")) }
            var problems: [String] = []
            // The old leader may still believe it leads for a moment; nothing it takes can commit.
            for i in 0..<3 {
                let answer = cluster.request(leader, "APPEND minority-\(i)")
                if answer?.hasPrefix("OK ") == true { problems.append("minority committed minority-\(i)") }
            }
            guard let newLeader = cluster.waitForLeader(among: majority) else { return problems + ["majority elected nobody"] }
            for i in 0..<10 where cluster.request(newLeader, "APPEND majority-\(i)")?.hasPrefix("OK ") != true {
                problems.append("majority append \(i) failed")
            }
            for id in cluster.ids { _ = cluster.request(id, "BLOCK") }
            let expected = ["before"] + (0..<10).map { "majority-\($0)" }
            return problems + cluster.membersNotHolding(expected)
        }
        #expect(problems.isEmpty, "\(problems)")
    }

    /// A follower is killed; the leader takes 400 appends and compacts its log behind snapshots; the
    /// follower restarts from its own durable state and is caught up by a chunked snapshot.
    @Test func restartedFollowerCatchesUpByChunkedSnapshot() async throws {
        let problems = try await onThread { () throws -> [String] in
            let cluster = try ProcessCluster(
                size: 3,
                arguments: Self.fastTimings + [
                    "--snapshot-interval", "100", "--compaction-slack", "20", "--chunk-bytes", "256",
                ]
            )
            defer { cluster.destroy() }
            try cluster.startAll()
            guard let leader = cluster.waitForLeader() else { return ["no leader"] }
            let follower = cluster.ids.first { $0 != leader }!
            for i in 0..<10 { _ = cluster.request(leader, "APPEND early-\(i)") }
            cluster.kill(follower)
            for i in 0..<400 where cluster.request(leader, "APPEND late-\(i)")?.hasPrefix("OK ") != true {
                return ["append \(i) failed"]
            }
            try cluster.start(follower)
            let expected = (0..<10).map { "early-\($0)" } + (0..<400).map { "late-\($0)" }
            var problems: [String] = []
            let log = cluster.dump(follower)
            if log != expected { problems.append("follower holds \(log?.count ?? -1) values, expected \(expected.count)") }
            let received = Int(cluster.status(follower)?["snapshotsReceived"] ?? "") ?? 0
            if received < 1 { problems.append("follower received no snapshot (status \(cluster.status(follower) ?? [:]))") }
            if !problems.isEmpty { problems.append(cluster.logTail(follower)) }
            return problems
        }
        #expect(problems.isEmpty, "\(problems)")
    }
}
