public import Informers
import Synchronization

/// A work queue for controllers, with client-go's `workqueue` guarantees:
///
/// - **Fair**: items are handed out in the order they were added (waiting workers in the order they
///   asked).
/// - **Stingy**: an item added several times before a worker takes it is processed once.
/// - **Exclusive**: an item is never processed by two workers at once. An item added while it is
///   being processed is queued again when the worker calls ``done(_:)``.
/// - **Concurrent**: any number of producers and consumers.
/// - **Graceful**: ``shutDown()`` stops new work, and items being processed may still be finished;
///   ``shutDownWithDrain()`` waits for them.
///
/// Delayed adds (``addAfter(_:_:)``) wait in a heap and come due on the injected clock: a timer task,
/// started when needed and cancelled on shutdown, wakes waiting workers, and every read of the queue
/// also moves due items in, so on a manual clock an item is visible as soon as the clock reaches its
/// time. ``addRateLimited(_:)`` delays by the rate limiter's verdict.
///
/// ```swift
/// while let key = await queue.get() {
///     defer { queue.done(key) }
///     do { try await reconcile(key); queue.forget(key) } catch { queue.addRateLimited(key) }
/// }
/// ```
public final class WorkQueue<Item: Hashable & Sendable>: Sendable {
    /// A label for logs and metrics.
    public let name: String
    /// The queue's time base: ``nextDelayedDeadline`` and metric times are readings of it.
    public let elapsed: ElapsedTime
    /// Decides the delays of ``addRateLimited(_:)``.
    public let rateLimiter: any RateLimiter<Item>
    private let metrics: (any WorkQueueMetrics)?
    let state: Mutex<State>

    /// - Parameters:
    ///   - name: a label for logs and metrics.
    ///   - clock: the clock for delayed adds, the default rate limiter's bucket and metric times.
    ///   - rateLimiter: the delays of ``addRateLimited(_:)``; by default
    ///     ``RateLimiters/defaultController(clock:)`` on `clock`.
    ///   - metrics: hooks to report to, such as a ``WorkQueueStatistics``.
    public convenience init(
        name: String = "",
        clock: any Clock<Duration> = ContinuousClock(),
        rateLimiter: (any RateLimiter<Item>)? = nil,
        metrics: (any WorkQueueMetrics)? = nil
    ) {
        self.init(name: name, time: ElapsedTime(clock), rateLimiter: rateLimiter, metrics: metrics)
    }

    /// A queue on an existing time base (to share its origin with other components).
    public init(
        name: String = "",
        time: ElapsedTime,
        rateLimiter: (any RateLimiter<Item>)? = nil,
        metrics: (any WorkQueueMetrics)? = nil
    ) {
        self.name = name
        self.elapsed = time
        self.rateLimiter = rateLimiter ?? RateLimiters.defaultController(time: time)
        self.metrics = metrics
        self.state = Mutex(State(recordsMetrics: metrics != nil))
    }

    deinit {
        // The timer task holds the queue weakly; stop its sleep so no sleeper outlives the queue.
        state.withLock { $0.timer?.task }?.cancel()
    }

    // MARK: Adding

    /// Queues `item` unless it is already waiting; if it is being processed, it is queued again when
    /// the worker calls ``done(_:)``. Ignored once shutting down.
    public func add(_ item: Item) {
        transition { state, now, effects in state.add(item, now: now, effects: &effects) }
    }

    /// Adds `item` once `delay` has passed on the queue's clock (at once if `delay` is not positive).
    /// Re-adding an item that is already waiting can only move its time earlier. Ignored once
    /// shutting down.
    public func addAfter(_ item: Item, _ delay: Duration) {
        transition { state, now, effects in
            state.addAfter(item, readyAt: now + delay, now: now, effects: &effects)
        }
    }

    /// Adds `item` after the rate limiter's delay for it (which records a failure), counting a retry.
    public func addRateLimited(_ item: Item) {
        guard !isShuttingDown else { return }
        let delay = rateLimiter.when(item)
        transition { state, now, effects in
            guard !state.shuttingDown else { return }
            if state.recordsMetrics { effects.metrics.append(.retried) }
            state.addAfter(item, readyAt: now + delay, now: now, effects: &effects)
        }
    }

    /// Tells the rate limiter `item` succeeded: its backoff starts over.
    public func forget(_ item: Item) {
        rateLimiter.forget(item)
    }

    /// How many failures the rate limiter holds for `item`.
    public func numRequeues(_ item: Item) -> Int {
        rateLimiter.numRequeues(item)
    }

    // MARK: Processing

    /// The next item to process, suspending until there is one. The caller owns the item until it
    /// calls ``done(_:)``.
    /// - Returns: nil once the queue is shutting down, or when the calling task is cancelled (a
    ///   cancelled task takes no item).
    public func get() async -> Item? {
        if Task.isCancelled { return nil }
        let (first, id) = transition { state, now, effects -> (State.Poll, UInt64) in
            let poll = state.poll(now: now, effects: &effects)
            return (poll, poll.isEmpty ? state.makeWaiterID() : 0)
        }
        switch first {
        case .item(let item): return item
        case .closed: return nil
        case .empty: break
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
                // Checked under the lock: a cancellation either is seen here or finds the getter
                // registered, so no wake-up is lost and no continuation leaks.
                let outcome = transition { state, now, effects -> State.Poll in
                    if Task.isCancelled { return .closed }
                    let poll = state.poll(now: now, effects: &effects)
                    if poll.isEmpty { state.getters.append(Getter(id: id, continuation: continuation)) }
                    return poll
                }
                switch outcome {
                case .item(let item): continuation.resume(returning: item)
                case .closed: continuation.resume(returning: nil)
                case .empty: break
                }
            }
        } onCancel: {
            state.withLock { $0.removeGetter(id: id) }?.resume(returning: nil)
        }
    }

    /// Marks `item` processed. If it was added meanwhile, it is queued again (unless shutting down).
    /// Items not being processed are ignored.
    public func done(_ item: Item) {
        transition { state, now, effects in state.done(item, now: now, effects: &effects) }
    }

    // MARK: Inspecting

    /// Items waiting to be taken (neither processing nor delayed).
    public var count: Int {
        transition { state, now, effects in
            state.promoteDue(now: now, effects: &effects)
            return state.queue.count
        }
    }

    /// Items taken by workers and not yet done.
    public var processingCount: Int {
        state.withLock { $0.processing.count }
    }

    /// Items waiting for their delay (including rate-limited ones).
    public var delayedCount: Int {
        transition { state, now, effects in
            state.promoteDue(now: now, effects: &effects)
            return state.delayed.count
        }
    }

    /// When the earliest delayed item comes due, as a reading of ``elapsed``; nil when none waits.
    /// A test on a manual clock can advance to it.
    public var nextDelayedDeadline: Duration? {
        transition { state, now, effects in
            state.promoteDue(now: now, effects: &effects)
            return state.delayed.first?.readyAt
        }
    }

    /// Whether nothing is queued, processing or delayed.
    public var isIdle: Bool {
        transition { state, now, effects in
            state.promoteDue(now: now, effects: &effects)
            return state.queue.isEmpty && state.processing.isEmpty && state.delayed.isEmpty
        }
    }

    /// Whether ``shutDown()`` or ``shutDownWithDrain()`` was called.
    public var isShuttingDown: Bool {
        state.withLock { $0.shuttingDown }
    }

    /// Workers suspended in ``get()`` (for tests that wait for a worker to be parked).
    var waitingGetterCount: Int {
        state.withLock { $0.getters.count }
    }

    /// Tasks suspended in ``shutDownWithDrain()``.
    var drainWaiterCount: Int {
        state.withLock { $0.drainers.count }
    }

    /// Reports the work in process now to the metrics (it is also reported on every get and done);
    /// call it periodically to notice stuck workers.
    public func reportUnfinishedWork() {
        guard metrics != nil else { return }
        transition { state, now, effects in effects.metrics.append(state.unfinishedWork(now: now)) }
    }

    // MARK: Shutting down

    /// Stops the queue: waiting and later ``get()`` calls return nil, adds are ignored, queued and
    /// delayed items are dropped. Workers may still call ``done(_:)`` for the items they hold.
    public func shutDown() {
        transition { state, _, effects in state.shutDown(effects: &effects) }
    }

    /// Shuts down as ``shutDown()``, then waits until every item being processed is done (or the
    /// calling task is cancelled).
    public func shutDownWithDrain() async {
        let id = transition { state, _, effects in
            state.shutDown(effects: &effects)
            return state.makeWaiterID()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let drained = state.withLock { state -> Bool in
                    if state.processing.isEmpty || Task.isCancelled { return true }
                    state.drainers[id] = continuation
                    return false
                }
                if drained { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.drainers.removeValue(forKey: id) }?.resume()
        }
    }

    // MARK: Machinery

    /// Runs a state transition under the lock with the current time, then its effects outside it.
    @discardableResult
    func transition<Result: Sendable>(
        _ body: (inout State, Duration, inout Effects) -> Result
    ) -> Result {
        let (result, effects) = state.withLock { state -> (Result, Effects) in
            var effects = Effects()
            let result = body(&state, elapsed(), &effects)
            return (result, effects)
        }
        perform(effects)
        return result
    }

    private func perform(_ effects: Effects) {
        if let metrics {
            // Before resuming getters, so a worker's done cannot be reported ahead of its get.
            for event in effects.metrics {
                switch event {
                case .added(let depth): metrics.added(depth: depth)
                case .gotItem(let latency, let depth): metrics.gotItem(queueLatency: latency, depth: depth)
                case .finished(let duration): metrics.finished(workDuration: duration)
                case .retried: metrics.retried()
                case .unfinishedWork(let total, let longest):
                    metrics.unfinishedWork(total: total, longestRunning: longest)
                }
            }
        }
        for task in effects.cancelTimers { task.cancel() }
        if let timer = effects.startTimer { startTimer(id: timer.id, deadline: timer.deadline) }
        for (continuation, item) in effects.getters { continuation.resume(returning: item) }
        for continuation in effects.drainers { continuation.resume() }
    }

    /// Starts the task that promotes delayed items at `deadline`. It holds the queue weakly, and is
    /// cancelled when an earlier deadline replaces it or the queue shuts down.
    private func startTimer(id: UInt64, deadline: Duration) {
        let elapsed = self.elapsed
        let task = Task { [weak self] in
            do { try await elapsed.sleep(until: deadline) } catch { return }
            self?.transition { state, now, effects in state.timerFired(id: id, now: now, effects: &effects) }
        }
        // The timer may have been replaced (or have fired) before its task existed.
        let stale = state.withLock { state -> Bool in
            guard state.timer?.id == id else { return true }
            state.timer?.task = task
            return false
        }
        if stale { task.cancel() }
    }
}

extension WorkQueue.State.Poll {
    var isEmpty: Bool {
        if case .empty = self { return true }
        return false
    }
}
