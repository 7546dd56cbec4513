import APIMachinery
import StoreWorkloads

/// The `API.Create` workload: concurrent in-process clients creating Pods through the full chain, each
/// waiting for its create (an fsynced store write) before the next.
public enum CreateLoad {
    public struct Outcome: Sendable {
        public var failures: Int
        /// Every successful create's latency, in nanoseconds.
        public var latencies: [Int]
    }

    public static func run(_ fixture: APIFixture, total: Int, clients: Int = 64, offset: Int = 0) async -> Outcome {
        let tickets = Tally(total)
        let failures = Tally()
        let pods = fixture.client.resource(Pod.self, namespace: APIFixture.namespace)
        return await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var latencies: [Int] = []
                    latencies.reserveCapacity(total / clients + 1)
                    let clock = ContinuousClock()
                    while let ticket = tickets.take() {
                        let pod = APIFixture.pod("pod-\(ticket + offset)", labels: ["app": "feastflow", "shard": String(ticket % 16)])
                        let start = clock.now
                        do {
                            _ = try await pods.create(pod)
                            let elapsed = clock.now - start
                            latencies.append(Int(elapsed.components.seconds) * 1_000_000_000
                                + Int(elapsed.components.attoseconds / 1_000_000_000))
                        } catch {
                            failures.add()
                        }
                    }
                    return latencies
                }
            }
            var all: [Int] = []
            for await latencies in group { all += latencies }
            return Outcome(failures: failures.count, latencies: all)
        }
    }

    /// The 99th percentile of latencies, in nanoseconds.
    public static func percentile(_ latencies: [Int], _ fraction: Double) -> Int {
        guard !latencies.isEmpty else { return 0 }
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
}

/// The `API.ListSelector` workload: 10,000 Pods in one namespace, 1% labelled `tier=selected`.
public enum ListSelectorLoad {
    public static let selector = "tier=selected"

    public static func populate(_ fixture: APIFixture, pods: Int = 10_000) async throws {
        let client = fixture.client.resource(Pod.self, namespace: APIFixture.namespace)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for index in stride(from: worker, to: pods, by: 16) {
                        let tier = index % 100 == 0 ? "selected" : "other-\(index % 7)"
                        _ = try await client.create(APIFixture.pod("list-\(index)", labels: ["app": "feastflow", "tier": tier]))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// One list; returns the number of items.
    public static func list(_ fixture: APIFixture) async throws -> Int {
        try await fixture.client.resource(Pod.self, namespace: APIFixture.namespace)
            .list(ListOptions(labelSelector: selector)).items.count
    }
}
