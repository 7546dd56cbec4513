import Informers

/// How a ``Scheduler`` runs.
public struct SchedulerOptions: Sendable {
    /// The profiles; pods choose one with `spec.schedulerName` (empty means ``Profile/defaultSchedulerName``).
    public var profiles: [Profile]
    /// Overrides every profile's percentage of nodes to score (nil: the profile's, else adaptive).
    public var percentageOfNodesToScore: Int?
    public var parallelism: Int = ProcessInfoCores.active
    public var queue = SchedulingQueue.Options()
    /// Seeds tie-breaking among equally scored nodes (nil: random), so runs reproduce.
    public var seed: UInt64?
    /// Every timer (backoff, the unschedulable flush, permit timeouts) sleeps on this clock.
    public var clock: any Clock<Duration> = ContinuousClock()
    /// Write `Scheduled` / `FailedScheduling` Events (buffered, dropped when more than ``eventBuffer`` wait).
    public var recordEvents = true
    public var eventBuffer = 1_000
    /// Bindings in flight at once; the scheduling loop waits when this many are outstanding.
    public var maxConcurrentBindings = 256
    /// The name Events give as their source.
    public var componentName = "default-scheduler"

    public init(profiles: [Profile]) {
        self.profiles = profiles
    }
}
