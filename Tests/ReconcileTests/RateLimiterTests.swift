import Raft
import Testing

@testable import Reconcile

@Suite("Rate limiters", .timeLimit(.minutes(2)))
struct RateLimiterTests {
    @Test func exponentialDoublesFromBaseUpToTheCap() {
        let limiter = ItemExponentialFailureRateLimiter<String>()
        var expected = Duration.milliseconds(5)
        for failure in 0..<18 {
            #expect(limiter.when("a") == expected, "failure \(failure)")
            expected = expected * 2
        }
        // 5 ms × 2^18 = 1310.72 s: capped from here on, without overflow however long it fails.
        for _ in 0..<200 { #expect(limiter.when("a") == .seconds(1000)) }
        #expect(limiter.numRequeues("a") == 218)
        // Items back off independently.
        #expect(limiter.when("b") == .milliseconds(5))
        #expect(limiter.numRequeues("b") == 1)
    }

    @Test func exponentialForgetResets() {
        let limiter = ItemExponentialFailureRateLimiter<Int>(base: .milliseconds(1), max: .milliseconds(6))
        #expect(limiter.when(1) == .milliseconds(1))
        #expect(limiter.when(1) == .milliseconds(2))
        #expect(limiter.when(1) == .milliseconds(4))
        #expect(limiter.when(1) == .milliseconds(6))
        #expect(limiter.numRequeues(1) == 4)
        limiter.forget(1)
        #expect(limiter.numRequeues(1) == 0)
        #expect(limiter.when(1) == .milliseconds(1))
    }

    @Test func fastThenSlow() {
        let limiter = ItemFastSlowRateLimiter<String>(
            fastDelay: .milliseconds(5), slowDelay: .seconds(10), maxFastAttempts: 3)
        #expect((0..<3).map { _ in limiter.when("a") } == Array(repeating: .milliseconds(5), count: 3))
        #expect(limiter.when("a") == .seconds(10))
        #expect(limiter.when("a") == .seconds(10))
        #expect(limiter.numRequeues("a") == 5)
        #expect(limiter.when("b") == .milliseconds(5))
        limiter.forget("a")
        #expect(limiter.numRequeues("a") == 0)
        #expect(limiter.when("a") == .milliseconds(5))
    }

    @Test func bucketGivesTheBurstThenSpacesReservations() {
        let clock = ManualClock()
        let limiter = BucketRateLimiter<Int>(qps: 10, burst: 100, clock: clock)
        for item in 0..<100 { #expect(limiter.when(item) == .zero) }
        #expect(limiter.when(100) == .milliseconds(100))
        #expect(limiter.when(101) == .milliseconds(200))
        #expect(limiter.when(102) == .milliseconds(300))
        #expect(limiter.numRequeues(100) == 0)
        limiter.forget(100)  // tracks no items
        #expect(limiter.when(103) == .milliseconds(400))
    }

    @Test func bucketRefillsAsTimeAdvances() {
        let clock = ManualClock()
        let limiter = BucketRateLimiter<String>(qps: 10, burst: 100, clock: clock)
        for _ in 0..<102 { _ = limiter.when("x") }  // two reservations outstanding
        clock.advance(by: .milliseconds(100))  // one token back: still one owed
        #expect(limiter.when("x") == .milliseconds(200))
        clock.advance(by: .milliseconds(300))  // 3 more: the owed ones paid, one spare
        #expect(limiter.when("x") == .zero)
        #expect(limiter.when("x") == .milliseconds(100))
        // A long idle refills to the burst, never beyond it.
        clock.advance(by: .seconds(3600))
        for _ in 0..<100 { #expect(limiter.when("x") == .zero) }
        #expect(limiter.when("x") == .milliseconds(100))
    }

    @Test func bucketAtInfiniteRateNeverDelays() {
        let limiter = BucketRateLimiter<Int>(qps: .infinity, burst: 1, clock: ManualClock())
        for item in 0..<10 { #expect(limiter.when(item) == .zero) }
    }

    @Test func maxOfTakesTheLongestDelayAndForgetsEverywhere() {
        let clock = ManualClock()
        let limiter = MaxOfRateLimiter<String>(
            ItemExponentialFailureRateLimiter(base: .milliseconds(5), max: .seconds(1000)),
            ItemFastSlowRateLimiter(fastDelay: .milliseconds(1), slowDelay: .seconds(2), maxFastAttempts: 2),
            BucketRateLimiter(qps: 1, burst: 3, clock: clock)
        )
        #expect(limiter.when("a") == .milliseconds(5))  // exponential 5, fast 1, bucket 0
        #expect(limiter.when("a") == .milliseconds(10))  // 10, 1, 0
        #expect(limiter.when("a") == .seconds(2))  // 20, slow 2 s, 0
        #expect(limiter.when("b") == .seconds(1))  // 5, 1, bucket empty: 1 s
        #expect(limiter.numRequeues("a") == 3)
        #expect(limiter.numRequeues("b") == 1)
        limiter.forget("a")
        #expect(limiter.numRequeues("a") == 0)
        clock.advance(by: .seconds(10))
        #expect(limiter.when("a") == .milliseconds(5))
    }

    @Test func defaultControllerIsExponentialAndBucket() {
        let clock = ManualClock()
        let limiter: MaxOfRateLimiter<Int> = RateLimiters.defaultController(clock: clock)
        #expect(limiter.limiters.count == 2)
        #expect(limiter.when(0) == .milliseconds(5))
        #expect(limiter.when(0) == .milliseconds(10))
        for item in 1..<99 { #expect(limiter.when(item) == .milliseconds(5)) }
        // The 101st reservation in the same instant waits for the bucket.
        #expect(limiter.when(99) == .milliseconds(100))
        // A long failing item is bounded by its own backoff.
        for _ in 0..<30 { _ = limiter.when(0) }
        #expect(limiter.when(0) == .seconds(1000))
    }

    @Test func typedAndExistentialLimitersForward() {
        let exponential = ItemExponentialFailureRateLimiter<String>()
        let existential: any RateLimiter<String> = exponential
        let typed = TypedRateLimiter(existential)
        #expect(typed.when("a") == .milliseconds(5))
        #expect(existential.when("a") == .milliseconds(10))
        #expect(typed.numRequeues("a") == 2)
        typed.forget("a")
        #expect(exponential.numRequeues("a") == 0)
    }
}
