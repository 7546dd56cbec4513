import Benchmark
import Foundation
import Raft
import Synchronization

/// One member with an in-memory log; one thread proposes 3-byte entries as fast as it can while the
/// driver takes each Ready, appends its entries to storage, sleeps 1 ms in place of fsync, and
/// acknowledges. Proposals pile up during the "fsync" and are written and committed in batches.
enum OneNodeBenchmark {
    final class Node: Sendable {
        let core: Mutex<RaftCore>
        init(_ core: RaftCore) { self.core = Mutex(core) }
    }

    static func run(proposals: Int, benchmark: Benchmark) -> Int {
        let storage = MemoryStorage(voters: [1])
        var config = RaftConfig(id: 1)
        config.maxSizePerMessage = .max
        config.maxCommittedSizePerReady = .max
        let node = Node(try! RaftCore(config: config, storage: storage))
        // Elect the single member and settle its first entry.
        node.core.withLock { $0.campaign() }
        var applied: UInt64 = 0
        while node.core.withLock({ $0.role != .leader || $0.appliedIndex < 1 }) {
            let rd = node.core.withLock { $0.ready() }
            try! storage.save(rd)
            node.core.withLock { $0.advance(rd) }
        }
        applied = 1
        let payload: [UInt8] = Array("foo".utf8)
        let target = applied + UInt64(proposals)

        benchmark.startMeasurement()
        let proposer = Thread {
            for _ in 0..<proposals {
                node.core.withLock { core in try! core.propose(payload) }
            }
        }
        proposer.start()
        while applied < target {
            let rd = node.core.withLock { $0.ready() }
            try! storage.save(rd)
            // A reasonable disk sync latency (as in etcd-io/raft's benchmark).
            usleep(1000)
            if let last = rd.committedEntries.last { applied = last.index }
            node.core.withLock { $0.advance(rd) }
            if applied > 100_000 { try? storage.compact(through: applied - 50_000) }
        }
        benchmark.stopMeasurement()
        return Int(applied)
    }
}
