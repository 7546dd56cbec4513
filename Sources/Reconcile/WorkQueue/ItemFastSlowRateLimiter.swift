import Synchronization

/// Waits `fastDelay` for an item's first `maxFastAttempts` failures, then `slowDelay` (client-go's
/// `ItemFastSlowRateLimiter`).
public final class ItemFastSlowRateLimiter<Item: Hashable & Sendable>: RateLimiter {
    public let fastDelay: Duration
    public let slowDelay: Duration
    public let maxFastAttempts: Int
    private let failures = Mutex<[Item: Int]>([:])

    public init(fastDelay: Duration, slowDelay: Duration, maxFastAttempts: Int) {
        self.fastDelay = fastDelay
        self.slowDelay = slowDelay
        self.maxFastAttempts = maxFastAttempts
    }

    public func when(_ item: Item) -> Duration {
        let attempts = failures.withLock { failures -> Int in
            let attempts = failures[item, default: 0] + 1
            failures[item] = attempts
            return attempts
        }
        return attempts <= maxFastAttempts ? fastDelay : slowDelay
    }

    public func forget(_ item: Item) {
        _ = failures.withLock { $0.removeValue(forKey: item) }
    }

    public func numRequeues(_ item: Item) -> Int {
        failures.withLock { $0[item, default: 0] }
    }
}
