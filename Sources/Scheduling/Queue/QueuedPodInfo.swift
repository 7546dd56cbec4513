/// A pod in the scheduling queue with its queueing history.
public struct QueuedPodInfo: Sendable {
    public var podInfo: PodInfo
    /// When the pod was last added to the queue (clock offset); the queue-sort tie-breaker.
    public var timestamp: Duration
    /// When the pod first entered the queue.
    public var initialAttemptTimestamp: Duration?
    /// Scheduling attempts so far.
    public var attempts: Int = 0
    /// Failed attempts since the pod last had an error-free cycle; drives the backoff.
    public var unschedulableCount: Int = 0
    /// Plugins that rejected the pod in its last attempt: only events they registered move it back.
    public var unschedulablePlugins: Set<String> = []
    /// When the pod's backoff ends (clock offset).
    public var backoffExpiry: Duration = .zero
    /// Set when PreEnqueue keeps the pod out of the active queue.
    public var gatingPlugin: String?

    public init(_ podInfo: PodInfo, timestamp: Duration) {
        self.podInfo = podInfo
        self.timestamp = timestamp
    }
}
