extension WorkQueue {
    /// What a transition leaves to do once the lock is released: continuations to resume, metric hooks
    /// to call and timer changes. Empty arrays do not allocate, so plain adds and gets cost nothing here.
    struct Effects: Sendable {
        var getters: [(CheckedContinuation<Item?, Never>, Item?)] = []
        var drainers: [CheckedContinuation<Void, Never>] = []
        var metrics: [MetricEvent] = []
        var cancelTimers: [Task<Void, Never>] = []
        var startTimer: (id: UInt64, deadline: Duration)?
    }

    enum MetricEvent: Sendable {
        case added(depth: Int)
        case gotItem(queueLatency: Duration, depth: Int)
        case finished(workDuration: Duration)
        case retried
        case unfinishedWork(total: Duration, longestRunning: Duration)
    }

    struct Getter {
        var id: UInt64
        var continuation: CheckedContinuation<Item?, Never>
    }

    /// The pending wake-up for the earliest delayed item.
    struct Timer {
        var id: UInt64
        var deadline: Duration
        /// Set once the task exists (it is created outside the lock).
        var task: Task<Void, Never>?
    }

    /// The queue's state machine (client-go's `Typed` queue plus its delaying layer). Invariants:
    /// `queue` holds distinct dirty items that are not processing; an item is in at most one of
    /// `queue` and `processing`; a dirty processing item is queued again by `done`; getters wait only
    /// while `queue` is empty.
    struct State {
        /// Whether metrics are attached: only then are add times kept and events reported.
        let recordsMetrics: Bool
        var queue = FIFO<Item>()
        /// Items that need processing: queued, or added again while processing.
        var dirty: Set<Item> = []
        /// Items being processed, with the time each was taken (zero without metrics).
        var processing: [Item: Duration] = [:]
        /// When each dirty item was added (with metrics only).
        var addTimes: [Item: Duration] = [:]
        var delayed = DelayHeap<Item>()
        var getters: [Getter] = []
        var drainers: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID: UInt64 = 0
        var timer: Timer?
        var nextTimerID: UInt64 = 0
        var shuttingDown = false

        init(recordsMetrics: Bool) {
            self.recordsMetrics = recordsMetrics
        }

        mutating func makeWaiterID() -> UInt64 {
            nextWaiterID += 1
            return nextWaiterID
        }

        // MARK: Adding

        /// Marks `item` dirty and queues it, unless it is already dirty (stingy) or processing (then
        /// `done` queues it).
        mutating func add(_ item: Item, now: Duration, effects: inout Effects) {
            guard !shuttingDown, dirty.insert(item).inserted else { return }
            if recordsMetrics { addTimes[item] = now }
            guard processing[item] == nil else { return }
            enqueue(item, now: now, effects: &effects)
        }

        /// Puts a dirty, not processing item in line: straight to the longest-waiting getter if any.
        private mutating func enqueue(_ item: Item, now: Duration, effects: inout Effects) {
            if getters.isEmpty {
                queue.append(item)
                if recordsMetrics { effects.metrics.append(.added(depth: queue.count)) }
            } else {
                let getter = getters.removeFirst()
                if recordsMetrics { effects.metrics.append(.added(depth: queue.count + 1)) }
                take(item, now: now, effects: &effects)
                effects.getters.append((getter.continuation, item))
            }
        }

        mutating func addAfter(_ item: Item, readyAt: Duration, now: Duration, effects: inout Effects) {
            guard !shuttingDown else { return }
            guard readyAt > now else { return add(item, now: now, effects: &effects) }
            delayed.schedule(item, at: readyAt)
            rearmTimer(effects: &effects)
        }

        /// Adds every delayed item whose time has come, in time order.
        mutating func promoteDue(now: Duration, effects: inout Effects) {
            guard let first = delayed.first, first.readyAt <= now else { return }
            while let first = delayed.first, first.readyAt <= now {
                _ = delayed.popFirst()
                add(first.item, now: now, effects: &effects)
            }
            rearmTimer(effects: &effects)
        }

        /// Makes sure a timer is due no later than the earliest delayed item. A timer that is due
        /// earlier stays: when it fires it promotes what is due and re-arms for the rest.
        mutating func rearmTimer(effects: inout Effects) {
            guard let next = delayed.first?.readyAt, !shuttingDown else {
                if let task = timer?.task { effects.cancelTimers.append(task) }
                timer = nil
                effects.startTimer = nil
                return
            }
            if let timer, timer.deadline <= next { return }
            if let task = timer?.task { effects.cancelTimers.append(task) }
            nextTimerID += 1
            timer = Timer(id: nextTimerID, deadline: next, task: nil)
            effects.startTimer = (nextTimerID, next)
        }

        mutating func timerFired(id: UInt64, now: Duration, effects: inout Effects) {
            if timer?.id == id { timer = nil }
            promoteDue(now: now, effects: &effects)
            rearmTimer(effects: &effects)
        }

        // MARK: Getting

        enum Poll {
            case item(Item)
            case closed
            case empty
        }

        mutating func poll(now: Duration, effects: inout Effects) -> Poll {
            if shuttingDown { return .closed }
            promoteDue(now: now, effects: &effects)
            guard let item = queue.popFirst() else { return .empty }
            take(item, now: now, effects: &effects)
            return .item(item)
        }

        /// Moves a just-dequeued item from dirty to processing.
        private mutating func take(_ item: Item, now: Duration, effects: inout Effects) {
            dirty.remove(item)
            processing[item] = now
            guard recordsMetrics else { return }
            let latency = addTimes.removeValue(forKey: item).map { now - $0 } ?? .zero
            effects.metrics.append(.gotItem(queueLatency: latency, depth: queue.count))
            effects.metrics.append(unfinishedWork(now: now))
        }

        /// Takes a getter's continuation back (its task was cancelled); nil if it was already resumed.
        mutating func removeGetter(id: UInt64) -> CheckedContinuation<Item?, Never>? {
            guard let index = getters.firstIndex(where: { $0.id == id }) else { return nil }
            return getters.remove(at: index).continuation
        }

        // MARK: Finishing

        mutating func done(_ item: Item, now: Duration, effects: inout Effects) {
            guard let start = processing.removeValue(forKey: item) else { return }
            if recordsMetrics {
                effects.metrics.append(.finished(workDuration: now - start))
                effects.metrics.append(unfinishedWork(now: now))
            }
            if shuttingDown {
                if processing.isEmpty {
                    effects.drainers.append(contentsOf: drainers.values)
                    drainers.removeAll()
                }
            } else if dirty.contains(item) {
                enqueue(item, now: now, effects: &effects)
            }
        }

        func unfinishedWork(now: Duration) -> MetricEvent {
            var total = Duration.zero
            var longest = Duration.zero
            for start in processing.values {
                let running = now - start
                total += running
                longest = max(longest, running)
            }
            return .unfinishedWork(total: total, longestRunning: longest)
        }

        // MARK: Shutting down

        /// Stops accepting work: waiting getters get nil, queued and delayed items are dropped, the
        /// timer stops. Items being processed stay until `done`.
        mutating func shutDown(effects: inout Effects) {
            guard !shuttingDown else { return }
            shuttingDown = true
            effects.getters = getters.map { ($0.continuation, nil) }
            getters.removeAll()
            queue.removeAll()
            dirty.removeAll()
            addTimes.removeAll()
            delayed.removeAll()
            if let task = timer?.task { effects.cancelTimers.append(task) }
            timer = nil
            effects.startTimer = nil
        }
    }
}
