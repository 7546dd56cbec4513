/// The longest delay among several rate limiters (client-go's `MaxOfRateLimiter`): every limiter
/// records each failure, `forget` reaches them all, and `numRequeues` is the largest count.
public final class MaxOfRateLimiter<Item: Hashable & Sendable>: RateLimiter {
    public let limiters: [any RateLimiter<Item>]

    public init(_ limiters: [any RateLimiter<Item>]) {
        self.limiters = limiters
    }

    public convenience init(_ limiters: any RateLimiter<Item>...) {
        self.init(limiters)
    }

    public func when(_ item: Item) -> Duration {
        // Every limiter must see the failure, so no short-circuit.
        var longest = Duration.zero
        for limiter in limiters {
            longest = Swift.max(longest, limiter.when(item))
        }
        return longest
    }

    public func forget(_ item: Item) {
        for limiter in limiters { limiter.forget(item) }
    }

    public func numRequeues(_ item: Item) -> Int {
        limiters.reduce(0) { Swift.max($0, $1.numRequeues(item)) }
    }
}
