import Synchronization
import ProcessHarness
@testable import Raft

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ProcessCluster {
    /// `DUMP` from `id`: the values in log order, after a linearizable read barrier.
    func dump(_ id: NodeID, seconds: Double = 20) -> [String]? {
        let deadline = Self.now() + seconds
        while Self.now() < deadline {
            if let line = request(id, "DUMP"), line.hasPrefix("OK ") {
                return line.split(separator: " ").dropFirst(2).map(String.init)
            }
            usleep(50_000)
        }
        return nil
    }

    /// One line per member (of `members`, default all) whose `DUMP` is not `expected`.
    func membersNotHolding(_ expected: [String], among members: [NodeID]? = nil) -> [String] {
        (members ?? ids).compactMap { id in
            let log = dump(id)
            guard log != expected else { return nil }
            return "member \(id) holds \(log?.count ?? -1) values, expected \(expected.count): \((log ?? []).suffix(5))…"
        }
    }

}

/// Clients appending unique values as fast as the cluster takes them, following leader hints, and
/// recording which appends were acknowledged. A value is never retried: each attempt is fresh, so a
/// value seen twice in the log is a bug, not a retry.
final class AppendLoad: Sendable {
    struct Acknowledgement {
        var value: String
        /// The list's length after the append, as the member answered: the value's 1-based position.
        var length: Int
        var invoked: Double
        var returned: Double
    }

    struct Record {
        var attempted: Set<String> = []
        var acknowledged: [Acknowledgement] = []
        var errors = 0
    }

    let cluster: ProcessCluster
    let record = Mutex(Record())
    let stopped = Atomic(false)
    let running = Atomic(0)

    init(cluster: ProcessCluster) {
        self.cluster = cluster
    }

    func start(writers: Int) {
        for writer in 0..<writers {
            running.add(1, ordering: .relaxed)
            spawnThread { [self] in
                defer { running.subtract(1, ordering: .relaxed) }
                var target = cluster.ids[writer % cluster.ids.count]
                var sequence = 0
                while !stopped.load(ordering: .relaxed) {
                    sequence += 1
                    let value = "w\(writer)-\(sequence)"
                    record.withLock { _ = $0.attempted.insert(value) }
                    let invoked = ProcessCluster.now()
                    let answer = cluster.request(target, "APPEND \(value)", timeout: 5)
                    if let answer, answer.hasPrefix("OK "), let length = Int(answer.dropFirst(3)) {
                        let acknowledgement = Acknowledgement(
                            value: value, length: length, invoked: invoked, returned: ProcessCluster.now()
                        )
                        record.withLock { $0.acknowledged.append(acknowledgement) }
                        continue
                    }
                    record.withLock { $0.errors += 1 }
                    target = cluster.nextTarget(after: target, answer: answer)
                }
            }
        }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        while running.load(ordering: .relaxed) > 0 { usleep(10_000) }
    }

    /// Checks a final log: every acknowledged value present, none twice, none never attempted; and
    /// the history is linearizable: each acknowledged append sits at the position its answer named,
    /// and an append acknowledged before another was invoked comes before it in the log.
    func verify(_ log: [String]) -> [String] {
        var problems: [String] = []
        let record = record.withLock { $0 }
        var position: [String: Int] = [:]
        for (index, value) in log.enumerated() {
            if position.updateValue(index + 1, forKey: value) != nil { problems.append("\(value) appears twice") }
            if !record.attempted.contains(value) { problems.append("\(value) was never proposed") }
        }
        for ack in record.acknowledged {
            guard let at = position[ack.value] else {
                problems.append("acknowledged \(ack.value) is missing")
                continue
            }
            if at != ack.length { problems.append("\(ack.value) answered length \(ack.length) but sits at \(at)") }
        }
        // Real-time order: sweep invocations in time order, tracking the latest position among
        // appends already acknowledged.
        let byReturn = record.acknowledged.sorted { $0.returned < $1.returned }
        var next = 0
        var latest: (position: Int, value: String)?
        for ack in record.acknowledged.sorted(by: { $0.invoked < $1.invoked }) {
            while next < byReturn.count && byReturn[next].returned < ack.invoked {
                let earlier = byReturn[next]
                if let at = position[earlier.value], at > (latest?.position ?? 0) { latest = (at, earlier.value) }
                next += 1
            }
            if let latest, let at = position[ack.value], at < latest.position {
                problems.append("\(ack.value) (at \(at)) was invoked after \(latest.value) (at \(latest.position)) was acknowledged")
            }
        }
        return problems
    }
}
