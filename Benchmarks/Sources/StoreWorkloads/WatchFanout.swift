import Store

/// The `Store.WatchFanout` workload: `watchers` watches on one prefix, each consumed by its own task
/// that counts the events it receives; then one closed-loop writer puts values under the prefix.
/// Every put is one event for every watcher: deliveries = puts × watchers.
public final class WatchFanout: Sendable {
    public static let prefix = "/bench/watch/"

    let store: KeyValueStore
    let watches: [Watch]
    let consumers: [Task<Int, any Error>]
    let puts: Int
    let keys: [[UInt8]]
    /// Events received so far, across all watchers.
    public let delivered = Tally()
    /// Responses received so far (each one or more events), across all watchers.
    public let responses = Tally()

    /// Starts `watchers` prefix watches and their consumers, each expecting `puts` events.
    public init(_ store: KeyValueStore, watchers: Int = 1_000, puts: Int, keyCount: Int = 100) throws {
        self.store = store
        self.puts = puts
        keys = StoreData.keys(keyCount, prefix: Self.prefix)
        var watches: [Watch] = []
        for _ in 0..<watchers { watches.append(try store.watch(.prefix(Array(Self.prefix.utf8)))) }
        self.watches = watches
        let delivered = delivered
        let responses = responses
        consumers = watches.map { watch in
            Task {
                // Counted locally and added to the shared tallies now and then: an atomic add per
                // response on counters every consumer shares would cost more than the delivery.
                var seen = 0
                var unreported = (events: 0, responses: 0)
                for try await response in watch {
                    seen += response.events.count
                    unreported.events += response.events.count
                    unreported.responses += 1
                    if unreported.responses == 64 || seen >= puts {
                        delivered.add(unreported.events)
                        responses.add(unreported.responses)
                        unreported = (0, 0)
                    }
                    if seen >= puts { break }
                }
                watch.cancel()
                return seen
            }
        }
    }

    /// Puts `puts` 128-byte values (one writer, each put waiting for the previous) and waits until
    /// every watcher has received every event; returns the events delivered.
    public func run(valueBytes: Int = 128) async throws -> Int {
        let value = StoreData.value(valueBytes)
        for i in 0..<puts {
            try await store.put(PutRequest(key: keys[i % keys.count], value: value))
        }
        var total = 0
        for consumer in consumers { total += try await consumer.value }
        return total
    }

    /// Stops every watch (after a failed run).
    public func cancel() {
        for consumer in consumers { consumer.cancel() }
        for watch in watches { watch.cancel() }
    }
}
