import Store

/// The `Store.Put` workload: closed-loop writers, each putting a 128-byte value to one of 100,000
/// distinct keys (round robin over all writers), waiting for the acknowledgement and putting the
/// next. On the embedded store every acknowledgement follows an fsync (group commit).
public enum PutLoad {
    public static let keyPrefix = "/bench/put/"

    public struct Outcome: Sendable {
        /// Puts that failed (counted, not retried).
        public var failures: Int
        /// Every successful put's latency, in nanoseconds (when recorded).
        public var latencies: [Int]
    }

    /// Runs `total` puts from `writers` concurrent writers over `keys`.
    public static func run(
        _ store: KeyValueStore,
        keys: [[UInt8]],
        total: Int,
        writers: Int = 64,
        valueBytes: Int = 128,
        recordLatencies: Bool = true,
        done: Tally? = nil
    ) async -> Outcome {
        await run(store, key: { keys[$0 % keys.count] }, total: total, writers: writers, valueBytes: valueBytes, recordLatencies: recordLatencies, done: done)
    }

    /// Runs `total` puts from `writers` concurrent writers; put `i` (counting down) writes `key(i)`.
    public static func run(
        _ store: KeyValueStore,
        key: @escaping @Sendable (Int) -> [UInt8],
        total: Int,
        writers: Int = 64,
        valueBytes: Int = 128,
        recordLatencies: Bool = true,
        done: Tally? = nil
    ) async -> Outcome {
        let tickets = Tally(total)
        let failures = Tally()
        let value = StoreData.value(valueBytes)
        return await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<writers {
                group.addTask {
                    var latencies: [Int] = []
                    if recordLatencies { latencies.reserveCapacity(total / writers + 1) }
                    let clock = ContinuousClock()
                    while let ticket = tickets.take() {
                        let request = PutRequest(key: key(ticket), value: value)
                        let start = clock.now
                        do {
                            try await store.put(request)
                            if recordLatencies { latencies.append(nanoseconds(clock.now - start)) }
                            done?.add()
                        } catch {
                            failures.add()
                        }
                    }
                    return latencies
                }
            }
            var all: [Int] = []
            if recordLatencies { all.reserveCapacity(total) }
            for await latencies in group { all += latencies }
            return Outcome(failures: failures.count, latencies: all)
        }
    }
}
