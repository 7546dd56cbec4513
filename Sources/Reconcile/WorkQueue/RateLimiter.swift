public import Informers

/// Decides how long an item waits before its next retry, as client-go's `workqueue.TypedRateLimiter`.
///
/// Use it as an existential, `any RateLimiter<Item>`, or wrap one in ``TypedRateLimiter``.
public protocol RateLimiter<Item>: Sendable {
    associatedtype Item: Hashable & Sendable

    /// How long to wait before the item's next retry; records a failure for it.
    func when(_ item: Item) -> Duration

    /// Stops tracking the item (it succeeded): its next failure starts from scratch.
    func forget(_ item: Item)

    /// How many failures are recorded for the item.
    func numRequeues(_ item: Item) -> Int
}

/// A type-erased ``RateLimiter``, for stored properties that want a concrete type.
public struct TypedRateLimiter<Item: Hashable & Sendable>: RateLimiter {
    private let base: any RateLimiter<Item>

    public init(_ base: any RateLimiter<Item>) {
        self.base = base
    }

    public func when(_ item: Item) -> Duration { base.when(item) }
    public func forget(_ item: Item) { base.forget(item) }
    public func numRequeues(_ item: Item) -> Int { base.numRequeues(item) }
}

/// Ready-made rate limiter combinations.
public enum RateLimiters {
    /// client-go's `DefaultControllerRateLimiter`: the larger of a per-item exponential backoff
    /// (5 ms × 2^failures, at most 1000 s) and an overall token bucket (10 per second, burst 100).
    /// - Parameter clock: the clock the token bucket refills on.
    public static func defaultController<Item: Hashable & Sendable>(
        clock: any Clock<Duration> = ContinuousClock()
    ) -> MaxOfRateLimiter<Item> {
        defaultController(time: ElapsedTime(clock))
    }

    /// ``defaultController(clock:)`` on an existing time base.
    public static func defaultController<Item: Hashable & Sendable>(time: ElapsedTime) -> MaxOfRateLimiter<Item> {
        MaxOfRateLimiter(
            ItemExponentialFailureRateLimiter<Item>(base: .milliseconds(5), max: .seconds(1000)),
            BucketRateLimiter<Item>(qps: 10, burst: 100, time: time)
        )
    }
}
