import Raft

/// How a reflector waits between failed (or ended) list-and-watch attempts: client-go's exponential
/// backoff manager (800 ms initial, ×2, 30 s cap, jitter 1.0, reset after 2 min without a backoff).
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    /// The cap of the un-jittered delay.
    public var maximum: Duration
    public var factor: Double
    /// A delay `d` becomes `d + random(0..<jitter) × d`.
    public var jitter: Double
    /// When the previous backoff started longer ago than this, the delay starts over from ``initial``.
    public var resetAfter: Duration
    /// Seeds the random source of jitter and watch timeouts (nil: a random seed), so runs reproduce.
    public var seed: UInt64?

    public init(
        initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), factor: Double = 2,
        jitter: Double = 1.0, resetAfter: Duration = .seconds(120), seed: UInt64? = nil
    ) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
        self.resetAfter = resetAfter
        self.seed = seed
    }
}

/// The running state of a ``Backoff`` and the reflector's random source.
struct BackoffState {
    let policy: Backoff
    var current: Duration
    var lastStart: Duration?
    var random: SplitMix64

    init(_ policy: Backoff) {
        self.policy = policy
        current = policy.initial
        var system = SystemRandomNumberGenerator()
        random = SplitMix64(seed: policy.seed ?? system.next())
    }

    /// The next delay, at clock offset `now`.
    mutating func next(now: Duration) -> Duration {
        if let lastStart, now - lastStart > policy.resetAfter { current = policy.initial }
        lastStart = now
        let base = current
        current = min(current * policy.factor, policy.maximum)
        guard policy.jitter > 0 else { return base }
        return base + base * (policy.jitter * random.nextUnit())
    }

    /// A watch timeout drawn from `range`, in whole seconds (at least 1).
    mutating func timeoutSeconds(in range: ClosedRange<Duration>) -> Int {
        let low = range.lowerBound.components.seconds
        let high = range.upperBound.components.seconds
        guard high > low else { return Int(max(1, low)) }
        return Int(max(1, low + Int64(random.next() % UInt64(high - low + 1))))
    }
}

extension SplitMix64 {
    /// A uniform value in 0..<1.
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
