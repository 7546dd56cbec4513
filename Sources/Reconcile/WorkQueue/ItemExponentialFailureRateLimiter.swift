import Synchronization

/// Per-item exponential backoff: `base × 2^failures`, never more than `max` (client-go's
/// `ItemExponentialFailureRateLimiter`). The first failure waits `base`.
public final class ItemExponentialFailureRateLimiter<Item: Hashable & Sendable>: RateLimiter {
    public let base: Duration
    public let max: Duration
    private let failures = Mutex<[Item: Int]>([:])

    /// - Parameters:
    ///   - base: the first delay (5 ms by default).
    ///   - max: the cap (1000 s by default).
    public init(base: Duration = .milliseconds(5), max: Duration = .seconds(1000)) {
        self.base = base
        self.max = max
    }

    public func when(_ item: Item) -> Duration {
        let exponent = failures.withLock { failures -> Int in
            let exponent = failures[item, default: 0]
            failures[item] = exponent + 1
            return exponent
        }
        return delay(exponent: exponent)
    }

    public func forget(_ item: Item) {
        _ = failures.withLock { $0.removeValue(forKey: item) }
    }

    public func numRequeues(_ item: Item) -> Int {
        failures.withLock { $0[item, default: 0] }
    }

    /// `base × 2^exponent` capped at `max`, in exact `Duration` arithmetic that cannot overflow: it
    /// doubles only while the result stays at most `max`, so it loops at most log2(max / base) times.
    private func delay(exponent: Int) -> Duration {
        guard base > .zero else { return .zero }
        guard base < max else { return max }
        var delay = base
        for _ in 0..<exponent {
            if delay > max / 2 { return max }
            delay = delay * 2
        }
        return delay
    }
}
