/// Hooks a ``WorkQueue`` calls as work moves through it (client-go's queue metrics). Every hook has a
/// no-op default, so a collector implements only what it records. Hooks are called outside the
/// queue's lock, from whichever task made the change; times come from the queue's clock.
public protocol WorkQueueMetrics: Sendable {
    /// An item entered the queue (a new add, a delayed add coming due, or an item added while it was
    /// processing being requeued by `done`); `depth` is the number of items waiting afterwards.
    func added(depth: Int)

    /// A worker took an item that waited `queueLatency` since it was added; `depth` items still wait.
    func gotItem(queueLatency: Duration, depth: Int)

    /// A worker finished an item it held for `workDuration`.
    func finished(workDuration: Duration)

    /// An item was re-added through the rate limiter.
    func retried()

    /// The items being processed have run `total` time together, the oldest for `longestRunning`.
    /// Reported after every get and done, and on ``WorkQueue/reportUnfinishedWork()``.
    func unfinishedWork(total: Duration, longestRunning: Duration)
}

extension WorkQueueMetrics {
    public func added(depth: Int) {}
    public func gotItem(queueLatency: Duration, depth: Int) {}
    public func finished(workDuration: Duration) {}
    public func retried() {}
    public func unfinishedWork(total: Duration, longestRunning: Duration) {}
}
