/// An injected clock with its instant type erased: the elector measures everything as time since the clock's
/// reading at its creation, so it can store instants and deadlines as plain `Duration`s.
struct LeaderElectionClock: Sendable {
    private let elapsedSinceStart: @Sendable () -> Duration
    private let sleepUntilElapsed: @Sendable (Duration) async throws -> Void

    init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let start = clock.now
        elapsedSinceStart = { start.duration(to: clock.now) }
        sleepUntilElapsed = { target in try await clock.sleep(until: start.advanced(by: target), tolerance: nil) }
    }

    /// Time since the elector was created, on the injected clock.
    var elapsed: Duration { elapsedSinceStart() }

    /// Sleeps until `elapsed` reaches `target`; throws `CancellationError` when the task is cancelled.
    func sleep(until target: Duration) async throws { try await sleepUntilElapsed(target) }
}

/// SplitMix64: a small seeded generator, so the retry jitter of a run reproduces from its seed.
struct LeaderElectionRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
