import Store

/// The `Store.Range` workload: closed-loop readers, each getting one key (linearizable: every read
/// waits for a ReadIndex barrier, shared by the reads that arrive together) and checking it came
/// back, then getting the next.
public enum RangeLoad {
    public static let keyPrefix = "/bench/range/"

    /// Runs `total` single-key gets over `keys` from `readers` concurrent readers; returns how many
    /// failed or found nothing.
    public static func run(_ store: KeyValueStore, keys: [[UInt8]], total: Int, readers: Int = 16, done: Tally? = nil) async -> Int {
        let tickets = Tally(total)
        let failures = Tally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<readers {
                group.addTask {
                    while let ticket = tickets.take() {
                        // A stride that visits every key before repeating, spread over the key space.
                        let key = keys[(ticket &* 7_919) % keys.count]
                        do {
                            let response = try await store.range(RangeRequest(key: key))
                            if response.kvs.count != 1 { failures.add() }
                            done?.add()
                        } catch {
                            failures.add()
                        }
                    }
                }
            }
        }
        return failures.count
    }
}
