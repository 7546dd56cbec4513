/// An `any Clock<Duration>` reduced to what informers need: offsets from a fixed origin and sleeping
/// until one (so no existential instants leak into state).
struct InformerClock: Sendable {
    let now: @Sendable () -> Duration
    let sleepUntil: @Sendable (Duration) async throws -> Void

    init(_ clock: any Clock<Duration>) {
        self = Self.make(clock)
    }

    private init(now: @escaping @Sendable () -> Duration, sleepUntil: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleepUntil = sleepUntil
    }

    private static func make<C: Clock<Duration>>(_ clock: C) -> InformerClock {
        let origin = clock.now
        return InformerClock(
            now: { origin.duration(to: clock.now) },
            sleepUntil: { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
        )
    }

    /// Sleeps `duration`; false when the task was cancelled.
    func sleep(for duration: Duration) async -> Bool {
        do {
            try await sleepUntil(now() + duration)
            return !Task.isCancelled
        } catch {
            return false
        }
    }
}
