public import Informers
import Synchronization

/// An overall token bucket shared by all items (client-go's `BucketRateLimiter` over
/// `golang.org/x/time/rate`): `burst` tokens to start with, refilled at `qps` per second. Each `when`
/// reserves one token and returns how long until that reservation is honoured, so successive calls
/// with an empty bucket are spaced `1 / qps` apart. It tracks no items: `forget` does nothing and
/// `numRequeues` is 0.
public final class BucketRateLimiter<Item: Hashable & Sendable>: RateLimiter {
    public let qps: Double
    public let burst: Int
    private let time: ElapsedTime

    private struct Bucket {
        /// Negative when reservations are outstanding.
        var tokens: Double
        var last: Duration
    }

    private let bucket: Mutex<Bucket>

    /// - Parameters:
    ///   - qps: tokens per second (positive; `.infinity` never delays).
    ///   - burst: the bucket's size and initial fill (positive).
    ///   - time: the clock the bucket refills on.
    public init(qps: Double = 10, burst: Int = 100, time: ElapsedTime) {
        precondition(qps > 0, "BucketRateLimiter needs a positive rate")
        precondition(burst > 0, "BucketRateLimiter needs a positive burst")
        self.qps = qps
        self.burst = burst
        self.time = time
        self.bucket = Mutex(Bucket(tokens: Double(burst), last: time()))
    }

    /// A bucket refilling on `clock`.
    public convenience init(qps: Double = 10, burst: Int = 100, clock: any Clock<Duration> = ContinuousClock()) {
        self.init(qps: qps, burst: burst, time: ElapsedTime(clock))
    }

    public func when(_ item: Item) -> Duration {
        guard qps.isFinite else { return .zero }
        let now = time()
        let deficit = bucket.withLock { bucket -> Double in
            // rate.Limiter.advance: refill for the time since the last reservation, up to the burst.
            let last = Swift.min(bucket.last, now)
            let refill = Self.seconds(now - last) * qps
            let tokens = Swift.min(Double(burst), bucket.tokens + refill) - 1
            bucket.tokens = tokens
            bucket.last = now
            return -tokens
        }
        guard deficit > 0 else { return .zero }
        return Self.duration(seconds: deficit / qps)
    }

    public func forget(_ item: Item) {}

    public func numRequeues(_ item: Item) -> Int { 0 }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Rounded to the nanosecond so that, say, 3 tokens at 10 qps is exactly 300 ms.
    private static func duration(seconds: Double) -> Duration {
        let nanoseconds = (seconds * 1e9).rounded()
        guard nanoseconds < Double(Int64.max) else { return .nanoseconds(Int64.max) }
        return .nanoseconds(Int64(nanoseconds))
    }
}
