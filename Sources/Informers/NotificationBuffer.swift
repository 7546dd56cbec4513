import Synchronization

/// One consumer's notifications (a handler's listener task or an events iterator): a bounded ring, and
/// past it a per-object coalescing map, so the producer (the informer) never waits and memory stays
/// bounded by `capacity` plus the number of distinct objects.
///
/// Order per object is kept: while anything is spilled, every new notification is spilled too, and the
/// ring (older) is drained before spilled entries move into it, oldest object first.
final class NotificationBuffer<Object: Sendable>: Sendable {
    /// One notification, shared by reference between every listener it goes to (one retain per
    /// listener instead of copying the objects' fields).
    final class Entry: Sendable {
        let key: ObjectKey
        let event: InformerEvent<Object>
        /// For deletes: the cached object the delete removed (the last state the consumer was told about).
        let before: Object?
        let isInitialAdd: Bool

        init(key: ObjectKey, event: InformerEvent<Object>, before: Object? = nil) {
            self.key = key
            self.event = event
            self.before = before
            isInitialAdd = event.isInitialAdd
        }
    }

    /// Spilled notifications of one object, merged: the state the consumer knew before the first of them
    /// (`base`, nil when it knew none) and the latest notification.
    struct Spilled {
        var base: Object?
        var latest: InformerEvent<Object>
        /// The first notification was an initial-list add.
        var initial: Bool

        init(_ entry: Entry) {
            switch entry.event {
            case .added(_, let initial):
                base = nil
                self.initial = initial
            case .updated(let old, _):
                base = old
                initial = false
            case .deleted(let deleted):
                base = entry.before ?? deleted.object
                initial = false
            }
            latest = entry.event
        }

        /// One notification from `base` to the latest state; nil when they cancel out (add then delete).
        var merged: InformerEvent<Object>? {
            switch (base, latest) {
            case (nil, .added(let new, _)), (nil, .updated(_, let new)):
                return .added(new, isInInitialList: initial)
            case (let old?, .added(let new, _)), (let old?, .updated(_, let new)):
                // Includes delete then re-create: one update across both objects (handlers compare uids).
                return .updated(old: old, new: new)
            case (nil, .deleted):
                return nil
            case (_?, .deleted(let deleted)):
                return .deleted(deleted)
            }
        }

        var initialCount: Int { merged?.isInitialAdd == true ? 1 : 0 }
    }

    struct State {
        var ring: [Entry] = []
        var head = 0
        var spill: [ObjectKey: Spilled] = [:]
        var spillOrder: [ObjectKey] = []
        var spillHead = 0
        /// A batch was taken and not finished (a handler call in progress).
        var inProgress = false
        /// Initial-list adds pushed and not yet delivered.
        var initialPending = 0
        var initialDistributed = false
        var closed = false
        var waiter: UnsafeContinuation<Void, Never>?
        /// Initial-list adds in the batch in progress.
        var lastInitialCount = 0

        var ringCount: Int { ring.count - head }
        var spillActive: Bool { spillHead < spillOrder.count }
        var isEmpty: Bool { ringCount == 0 && !spillActive }

        mutating func push(_ entry: Entry, capacity: Int) {
            if entry.isInitialAdd { initialPending += 1 }
            if !spillActive && ringCount < capacity {
                ring.append(entry)
                return
            }
            if var pending = spill[entry.key] {
                let before = pending.initialCount + (entry.isInitialAdd ? 1 : 0)
                pending.latest = entry.event
                initialPending -= before - pending.initialCount
                spill[entry.key] = pending
            } else {
                spill[entry.key] = Spilled(entry)
                spillOrder.append(entry.key)
            }
        }

        /// Moves spilled entries into the ring while it has room.
        mutating func refill(capacity: Int) {
            while spillActive && ringCount < capacity {
                let key = spillOrder[spillHead]
                spillHead += 1
                if let event = spill.removeValue(forKey: key)?.merged {
                    ring.append(Entry(key: key, event: event))
                }
            }
            if !spillActive && !spillOrder.isEmpty {
                spill = [:]
                spillOrder = []
                spillHead = 0
            }
        }

        mutating func take(max: Int, capacity: Int) -> [Entry] {
            refill(capacity: capacity)
            let end = min(ring.count, head + max)
            let batch = Array(ring[head..<end])
            head = end
            if head * 2 >= ring.count {
                ring.removeFirst(head)
                head = 0
            }
            refill(capacity: capacity)
            return batch
        }
    }

    let state = Mutex(State())
    let capacity: Int
    /// Resolved true once ``hasSynced`` holds, false if the buffer closes first.
    let synced = Latch()

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds notifications; never waits. Returns the consumer to wake (resume it after releasing locks).
    func push(_ entries: [Entry]) -> UnsafeContinuation<Void, Never>? {
        guard !entries.isEmpty else { return nil }
        return state.withLock { s -> UnsafeContinuation<Void, Never>? in
            if s.closed { return nil }
            for entry in entries { s.push(entry, capacity: capacity) }
            defer { s.waiter = nil }
            return s.waiter
        }
    }

    /// Marks the initial notifications as all pushed (``hasSynced`` can become true).
    func markInitialDistributed() {
        let nowSynced = state.withLock { s in
            s.initialDistributed = true
            return s.isSynced
        }
        if nowSynced { synced.resolve(true) }
    }

    /// Its initial notifications were all delivered.
    var hasSynced: Bool { state.withLock { $0.isSynced } }

    /// Nothing buffered and no batch in progress.
    var isIdle: Bool { state.withLock { $0.isEmpty && !$0.inProgress } }

    /// Buffered notifications (the ring plus spilled objects).
    var pendingCount: Int { state.withLock { $0.ringCount + $0.spill.count } }

    /// Takes up to `max` notifications, waiting for one; nil once closed or the task is cancelled. The
    /// previous batch counts as finished.
    func next(max: Int) async -> [Entry]? {
        while true {
            if Task.isCancelled {
                finish()
                return nil
            }
            var nowSynced = false
            let batch = state.withLock { s -> [Entry]?? in
                if s.inProgress { nowSynced = s.finishBatch() }
                if s.closed { return .some(nil) }
                if s.isEmpty { return nil }
                s.inProgress = true
                let batch = s.take(max: max, capacity: capacity)
                if s.initialPending > 0 {
                    s.lastInitialCount = batch.reduce(0) { $0 + ($1.isInitialAdd ? 1 : 0) }
                }
                return .some(batch)
            }
            if nowSynced { synced.resolve(true) }
            if let batch { return batch }
            await withTaskCancellationHandler {
                await withUnsafeContinuation { (waiter: UnsafeContinuation<Void, Never>) in
                    let parked = state.withLock { s in
                        guard !Task.isCancelled, !s.closed, s.isEmpty else { return false }
                        s.waiter = waiter
                        return true
                    }
                    if !parked { waiter.resume() }
                }
            } onCancel: {
                state.withLock { s in
                    defer { s.waiter = nil }
                    return s.waiter
                }?.resume()
            }
        }
    }

    /// Marks the batch taken last as delivered.
    func finish() {
        let nowSynced = state.withLock { s in s.inProgress && s.finishBatch() }
        if nowSynced { synced.resolve(true) }
    }

    /// Ends the buffer: the consumer's next call returns nil, pushes are ignored.
    func close() {
        defer { synced.resolve(false) }
        state.withLock { s -> UnsafeContinuation<Void, Never>? in
            s.closed = true
            s.ring = []
            s.head = 0
            s.spill = [:]
            s.spillOrder = []
            s.spillHead = 0
            defer { s.waiter = nil }
            return s.waiter
        }?.resume()
    }
}

extension NotificationBuffer.State {
    /// Its initial notifications were all delivered.
    var isSynced: Bool { initialDistributed && initialPending == 0 }

    /// Ends the batch in progress; true when that made the consumer synced.
    @discardableResult
    mutating func finishBatch() -> Bool {
        let wasSynced = isSynced
        inProgress = false
        // A handler is synced once it has *handled* its initial adds, so they count until the batch ends.
        initialPending -= lastInitialCount
        lastInitialCount = 0
        return !wasSynced && isSynced
    }
}
