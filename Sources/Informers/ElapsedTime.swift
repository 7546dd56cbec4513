/// A clock reading as "time since start", so that code which is not generic over a `Clock` can still
/// run on an injected one (a `ContinuousClock` in production, `Raft.ManualClock` in tests).
///
/// Readings are `Duration`s measured from an origin (by default the clock's `now` when the value was
/// made), so they can be stored, compared and used as deadlines without knowing the clock's `Instant`.
public struct ElapsedTime: Sendable {
    private let read: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    /// Measures time on `clock` from its current instant.
    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        self.init(clock, origin: clock.now)
    }

    /// Measures time on `clock` from `origin` (for a `ManualClock`, `Instant(offset: .zero)` makes
    /// readings equal to the clock's offsets).
    public init<C: Clock>(_ clock: C, origin: C.Instant) where C.Duration == Duration {
        read = { origin.duration(to: clock.now) }
        sleeper = { deadline in try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil) }
    }

    /// The time elapsed since the origin.
    public func callAsFunction() -> Duration { read() }

    /// Suspends for `duration` on the underlying clock.
    /// - Throws: `CancellationError` when the task is cancelled.
    public func sleep(for duration: Duration) async throws {
        try await sleeper(read() + duration)
    }

    /// Suspends until the elapsed time reaches `deadline` (at once when it already has).
    /// - Throws: `CancellationError` when the task is cancelled.
    public func sleep(until deadline: Duration) async throws {
        try await sleeper(deadline)
    }
}

extension ElapsedTime {
    /// Sleeps `duration`; false when the task was cancelled (for loops that stop on cancellation).
    package func sleepUnlessCancelled(for duration: Duration) async -> Bool {
        do {
            try await sleep(for: duration)
            return !Task.isCancelled
        } catch {
            return false
        }
    }
}
