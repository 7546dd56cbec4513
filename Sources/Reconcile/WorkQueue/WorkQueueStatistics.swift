import Synchronization

/// A ready-made ``WorkQueueMetrics`` collector: counters, the current depth, latency and work-duration
/// summaries and the unfinished work, read as one consistent ``Snapshot``.
public final class WorkQueueStatistics: WorkQueueMetrics {
    /// Count, sum and maximum of a series of durations.
    public struct Summary: Sendable, Hashable {
        public var count = 0
        public var sum = Duration.zero
        public var max = Duration.zero

        public init() {}

        /// The mean, or zero when nothing was recorded.
        public var average: Duration { count == 0 ? .zero : sum / count }

        mutating func record(_ value: Duration) {
            count += 1
            sum += value
            max = Swift.max(max, value)
        }
    }

    /// The statistics at one moment.
    public struct Snapshot: Sendable, Hashable {
        /// Items that entered the queue.
        public var adds = 0
        /// Items waiting in the queue at the last change.
        public var depth = 0
        /// Rate-limited re-adds.
        public var retries = 0
        /// Time items waited between add and get (its count is the number of gets).
        public var queueLatency = Summary()
        /// Time workers held items (its count is the number of dones).
        public var workDuration = Summary()
        /// Combined running time of the items in process at the last report.
        public var unfinishedWork = Duration.zero
        /// Running time of the oldest item in process at the last report.
        public var longestRunning = Duration.zero

        public init() {}
    }

    private let state = Mutex(Snapshot())

    public init() {}

    /// The statistics now.
    public var snapshot: Snapshot { state.withLock { $0 } }

    public func added(depth: Int) {
        state.withLock {
            $0.adds += 1
            $0.depth = depth
        }
    }

    public func gotItem(queueLatency: Duration, depth: Int) {
        state.withLock {
            $0.queueLatency.record(queueLatency)
            $0.depth = depth
        }
    }

    public func finished(workDuration: Duration) {
        state.withLock { $0.workDuration.record(workDuration) }
    }

    public func retried() {
        state.withLock { $0.retries += 1 }
    }

    public func unfinishedWork(total: Duration, longestRunning: Duration) {
        state.withLock {
            $0.unfinishedWork = total
            $0.longestRunning = longestRunning
        }
    }
}
