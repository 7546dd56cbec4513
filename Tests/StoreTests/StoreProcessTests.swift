import ProcessHarness
import Raft
import Synchronization
import Testing

@testable import Store

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `store-member` processes on 127.0.0.1: SIGKILLed at random instants of a write load and
/// restarted; every acknowledged put must survive. Bounded: every wait has a deadline; a failure
/// prints the seed and the member's log.
@Suite(.serialized) struct StoreProcessTests {
    static let fastTimings = ["--heartbeat-ms", "20", "--election-ms", "200"]

    @Test("SIGKILL at random instants of a write load loses no acknowledged put (embedded store)")
    func killDuringLoad() async throws {
        let seed = UInt64(time(nil))
        try await onThread {
            var rng = SplitMix64(seed: seed)
            let cluster = try ProcessCluster(size: 1, member: "store-member", arguments: Self.fastTimings)
            defer { cluster.destroy() }
            let load = PutLoad(cluster: cluster)
            var lastRevision: Int64 = 0
            for cycle in 0..<12 {
                try cluster.start(1)
                guard cluster.waitForLeader(seconds: 20) == 1 else {
                    Issue.record("seed \(seed) cycle \(cycle): member did not come back\n\(cluster.logTail(1))")
                    return
                }
                // Everything acknowledged so far is there after the restart.
                let problems = load.missing(on: 1)
                #expect(problems.isEmpty, "seed \(seed) cycle \(cycle): \(problems.prefix(5))\n\(cluster.logTail(1))")
                if !problems.isEmpty { return }
                let revision = Int64(cluster.status(1)?["revision"] ?? "") ?? -1
                #expect(revision >= lastRevision, "seed \(seed): revision went back from \(lastRevision) to \(revision)")
                lastRevision = revision
                load.start(writers: 4, cycle: cycle)
                usleep(useconds_t(50_000 + rng.next() % 250_000))
                cluster.kill(1)
                load.stop()
            }
            #expect(load.acknowledgedCount > 100, "seed \(seed): too few acknowledged puts to mean anything")
        }
    }

    @Test("a backup taken under load restores, into a new member, to an identical key-space hash")
    func backupUnderLoad() async throws {
        let cluster = try ProcessCluster(size: 1, member: "store-member", arguments: Self.fastTimings)
        defer { cluster.destroy() }
        let path = cluster.root + "/backup.db"
        let (answer, hash, acknowledged) = try await onThread { () throws -> (String, String, Int) in
            try cluster.start(1)
            #expect(cluster.waitForLeader(seconds: 20) == 1)
            let load = PutLoad(cluster: cluster)
            load.start(writers: 4, cycle: 0)
            usleep(200_000)
            let answer = cluster.request(1, "BACKUP \(path)") ?? ""
            usleep(100_000)
            load.stop()
            let revision = answer.split(separator: " ").last.map(String.init) ?? "0"
            return (answer, cluster.request(1, "HASH \(revision)") ?? "", load.acknowledgedCount)
        }
        let words = answer.split(separator: " ")
        guard words.count == 2, words[0] == "OK", let revision = Int64(words[1]) else {
            Issue.record("backup failed: \(answer)")
            return
        }
        #expect(acknowledged > 10)
        let restored = cluster.root + "/restored"
        try KeyValueStore.restore(backup: path, into: restored)
        let store = try await KeyValueStore.open(directory: restored)
        let h = try store.hash(revision: revision)
        #expect(store.status().revision == revision)
        await store.close()
        #expect("OK \(h.hash) \(h.revision) \(h.compactRevision)" == hash, "original member: \(hash)")
    }

    @Test("three replicated members: the leader killed under load, no acknowledged put lost, hashes agree")
    func replicatedLeaderKill() async throws {
        let seed = UInt64(time(nil))
        try await onThread {
            var rng = SplitMix64(seed: seed)
            let cluster = try ProcessCluster(size: 3, member: "store-member", arguments: Self.fastTimings)
            defer { cluster.destroy() }
            try cluster.startAll()
            let load = PutLoad(cluster: cluster)
            for round in 0..<3 {
                guard let leader = cluster.waitForLeader(seconds: 20) else {
                    Issue.record("seed \(seed) round \(round): no leader")
                    return
                }
                load.start(writers: 4, cycle: round)
                usleep(useconds_t(100_000 + rng.next() % 200_000))
                cluster.kill(leader)
                usleep(300_000)
                load.stop()
                try cluster.start(leader)
            }
            guard cluster.waitForLeader(seconds: 20) != nil else {
                Issue.record("seed \(seed): no leader at the end")
                return
            }
            for id in cluster.ids {
                let problems = load.missing(on: id)
                #expect(problems.isEmpty, "seed \(seed) member \(id): \(problems.prefix(5))\n\(cluster.logTail(id))")
            }
            // Members that applied the same log agree on the hash at one revision.
            let revision = cluster.ids.compactMap { Int64(cluster.status($0)?["revision"] ?? "") }.min() ?? 0
            let hashes = Set(cluster.ids.compactMap { cluster.request($0, "HASH \(revision)") })
            #expect(hashes.count == 1, "seed \(seed): hashes at \(revision) differ: \(hashes)")
            #expect(load.acknowledgedCount > 50)
        }
    }
}

/// Writers putting unique keys through the line protocol, following leader hints, recording every
/// acknowledged put. A key is never retried.
final class PutLoad: Sendable {
    let cluster: ProcessCluster
    let acknowledged = Mutex<[String: String]>([:])
    let stopped = Atomic(false)
    let running = Atomic(0)

    init(cluster: ProcessCluster) {
        self.cluster = cluster
    }

    var acknowledgedCount: Int { acknowledged.withLock { $0.count } }

    func start(writers: Int, cycle: Int) {
        stopped.store(false, ordering: .relaxed)
        for writer in 0..<writers {
            running.add(1, ordering: .relaxed)
            spawnThread { [self] in
                defer { running.subtract(1, ordering: .relaxed) }
                var target = cluster.ids[writer % cluster.ids.count]
                var sequence = 0
                while !stopped.load(ordering: .relaxed) {
                    sequence += 1
                    let key = "c\(cycle)/w\(writer)/\(sequence)"
                    let value = "v\(sequence)"
                    let answer = cluster.request(target, "PUT \(key) \(value)", timeout: 5)
                    if let answer, answer.hasPrefix("OK ") {
                        acknowledged.withLock { $0[key] = value }
                        continue
                    }
                    target = cluster.nextTarget(after: target, answer: answer)
                }
            }
        }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        while running.load(ordering: .relaxed) > 0 { usleep(10_000) }
    }

    /// Acknowledged puts that member `id` does not hold (after a linearizable `LIST`); a failed list
    /// is reported as a problem too.
    func missing(on id: UInt64) -> [String] {
        let expected = acknowledged.withLock { $0 }
        var held: [String: String] = [:]
        let deadline = ProcessCluster.now() + 20
        var listed = false
        while ProcessCluster.now() < deadline {
            guard let line = cluster.request(id, "LIST c", timeout: 10), line.hasPrefix("OK ") else {
                usleep(50_000)
                continue
            }
            for pair in line.split(separator: " ").dropFirst(3) {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { held[String(parts[0])] = String(parts[1]) }
            }
            listed = true
            break
        }
        if !listed { return ["member \(id) did not answer LIST"] }
        return expected.compactMap { key, value in held[key] == value ? nil : "\(key)=\(value) missing (holds \(held[key] ?? "nothing"))" }
    }
}

