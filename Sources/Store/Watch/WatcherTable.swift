/// The watchers of one member, guarded with its MVCC state by one lock (so a watcher moves from
/// catching up to following live without a gap or an overlap).
///
/// A watcher is *synced* when every change up to the store's revision is either delivered or in its
/// buffer; the apply path appends new revisions to synced watchers' buffers. A watcher whose buffer
/// would overflow stops being synced: it keeps what it has and, once its consumer drains the buffer,
/// reads the revisions it missed from MVCC history (``MVCCStore/history(key:rangeEnd:from:maxRevisions:)``)
/// until it reaches the present. Memory per watcher is thus bounded by its buffer; only compaction
/// of the history it still needs ends a slow watcher.
struct WatcherTable: Sendable {
    struct Watcher: Sendable {
        let id: Int64
        let key: [UInt8]
        let rangeEnd: [UInt8]
        let upper: [UInt8]?
        let prevKV: Bool
        let noPut: Bool
        let noDelete: Bool
        let progressNotify: Bool
        /// The first revision not yet in the buffer or delivered.
        var next: Int64
        var synced: Bool
        var pending: [Event] = []
        var progressDue = false
        /// The parked consumer. Unchecked continuations (no allocation per park): whoever takes one
        /// out sets this to nil under the table's lock, so each is resumed exactly once.
        var waiter: UnsafeContinuation<Void, Never>?
        var ended: StoreError?

        func matches(_ event: Event) -> Bool {
            if event.kind == .put ? noPut : noDelete { return false }
            let key = event.kv.key
            if rangeEnd.isEmpty { return key == self.key }
            if compareBytes(key, self.key) < 0 { return false }
            if let upper { return compareBytes(key, upper) < 0 }
            return true
        }

        /// Takes one revision's events into the buffer if the watcher is synced and any match (a
        /// mutating method, so the table's loop works in place instead of copying each watcher);
        /// returns its parked consumer to wake.
        mutating func offer(
            _ events: [Event], withoutPrevious: [Event], revision: Int64, capacity: Int
        ) -> UnsafeContinuation<Void, Never>? {
            guard synced, ended == nil, revision >= next else { return nil }
            let shaped = prevKV ? events : withoutPrevious
            var matched = 0
            for event in shaped where matches(event) { matched += 1 }
            if matched == 0 {
                next = revision + 1
                return nil
            }
            // A revision is never split: one larger than the whole buffer still goes into an empty one.
            guard pending.isEmpty || pending.count + matched <= capacity else {
                // Too slow: catch up from history once the buffer is drained.
                synced = false
                return nil
            }
            if matched == shaped.count {
                pending.append(contentsOf: shaped)
            } else {
                for event in shaped where matches(event) { pending.append(event) }
            }
            next = revision + 1
            defer { waiter = nil }
            return waiter
        }

        func shaped(_ event: Event) -> Event {
            if prevKV || event.prevKV == nil { return event }
            var event = event
            event.prevKV = nil
            return event
        }
    }

    /// What a consumer gets when it asks for more.
    enum Poll {
        case events([Event], revision: Int64)
        case progress(revision: Int64)
        case ended(StoreError?)
        case wait
    }

    var watchers: [Watcher] = []
    var positions: [Int64: Int] = [:]
    var nextID: Int64 = 1
    let capacity: Int
    /// Set when the member stopped (``endAll(_:wake:)``): watches created afterwards are refused
    /// with it rather than waiting for revisions that will never be applied.
    var closed: StoreError?

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var isEmpty: Bool { watchers.isEmpty }

    mutating func add(_ request: WatchRequest, currentRevision: Int64) -> Int64 {
        let id = nextID
        nextID += 1
        let next = request.startRevision > 0 ? request.startRevision : currentRevision + 1
        let watcher = Watcher(
            id: id,
            key: request.key,
            rangeEnd: request.rangeEnd,
            upper: request.rangeEnd.isEmpty ? nil : KeyRange.upperBound(request.rangeEnd),
            prevKV: request.prevKV,
            noPut: request.noPut,
            noDelete: request.noDelete,
            progressNotify: request.progressNotify,
            next: next,
            synced: next > currentRevision
        )
        positions[id] = watchers.count
        watchers.append(watcher)
        return id
    }

    /// Removes a watcher; returns its waiting consumer, if any, to wake.
    mutating func remove(_ id: Int64) -> UnsafeContinuation<Void, Never>? {
        guard let position = positions.removeValue(forKey: id) else { return nil }
        let waiter = watchers[position].waiter
        let last = watchers.count - 1
        if position != last {
            watchers.swapAt(position, last)
            positions[watchers[position].id] = position
        }
        watchers.removeLast()
        return waiter
    }

    /// Hands one revision's events to synced watchers; collects consumers to wake.
    mutating func publish(_ events: [Event], revision: Int64, wake: inout [UnsafeContinuation<Void, Never>]) {
        if events.isEmpty { return }
        // Shaped once for all watchers that did not ask for previous states, not once per watcher.
        let withoutPrevious = events.contains { $0.prevKV != nil } ? events.map { Event(kind: $0.kind, kv: $0.kv) } : events
        for i in watchers.indices {
            if let waiter = watchers[i].offer(events, withoutPrevious: withoutPrevious, revision: revision, capacity: capacity) {
                wake.append(waiter)
            }
        }
    }

    /// The next delivery for watcher `id`, catching up from `mvcc`'s history when it fell behind.
    mutating func poll(_ id: Int64, mvcc: MVCCStore) -> Poll {
        guard let i = positions[id] else { return .ended(nil) }
        if let error = watchers[i].ended {
            _ = remove(id)
            return .ended(error)
        }
        if !watchers[i].pending.isEmpty {
            let events = watchers[i].pending
            watchers[i].pending = []
            return .events(events, revision: mvcc.revision)
        }
        while !watchers[i].synced {
            let next = watchers[i].next
            if next > mvcc.revision {
                watchers[i].synced = true
                break
            }
            if next <= mvcc.compactRevision {
                // The revisions it still needs are gone (at the compact revision itself, deletions are).
                _ = remove(id)
                return .ended(StoreError.compacted(mvcc.compactRevision))
            }
            let batch = mvcc.history(key: watchers[i].key, rangeEnd: watchers[i].rangeEnd, from: next, maxRevisions: capacity)
            watchers[i].next = batch.next
            if batch.next > mvcc.revision { watchers[i].synced = true }
            var events: [Event] = []
            for event in batch.events where watchers[i].matches(event) { events.append(watchers[i].shaped(event)) }
            if !events.isEmpty {
                    return .events(events, revision: mvcc.revision)
            }
        }
        if watchers[i].progressDue {
            watchers[i].progressDue = false
            return .progress(revision: mvcc.revision)
        }
        return .wait
    }

    /// Parks a consumer until there is something for it; false if there already is (or it ended).
    mutating func park(_ id: Int64, _ waiter: UnsafeContinuation<Void, Never>) -> Bool {
        guard let i = positions[id] else { return false }
        if watchers[i].ended != nil || !watchers[i].pending.isEmpty || !watchers[i].synced || watchers[i].progressDue { return false }
        watchers[i].waiter = waiter
        return true
    }

    /// Takes a parked consumer out (to resume it, for example on cancellation).
    mutating func unpark(_ id: Int64) -> UnsafeContinuation<Void, Never>? {
        guard let i = positions[id] else { return nil }
        defer { watchers[i].waiter = nil }
        return watchers[i].waiter
    }

    /// Asks for a progress notification: to one watcher (`id`), or to every synced, idle watcher
    /// (`id == nil`; with `periodic`, only those that asked for periodic ones).
    mutating func requestProgress(_ id: Int64?, periodic: Bool, wake: inout [UnsafeContinuation<Void, Never>]) {
        for i in watchers.indices {
            if let id, watchers[i].id != id { continue }
            if periodic {
                // Periodic notifications go to idle watchers that asked for them.
                if !watchers[i].progressNotify { continue }
                guard watchers[i].synced, watchers[i].pending.isEmpty else { continue }
            }
            // A requested one is never dropped (etcd defers it): ``poll(_:mvcc:)`` sends it once the
            // queued events were delivered and the watcher caught up.
            watchers[i].progressDue = true
            if let waiter = watchers[i].waiter {
                watchers[i].waiter = nil
                wake.append(waiter)
            }
        }
    }

    /// After the state was replaced by a snapshot: every watcher catches up from the new history.
    mutating func resynchronize(wake: inout [UnsafeContinuation<Void, Never>]) {
        for i in watchers.indices {
            watchers[i].synced = false
            if let waiter = watchers[i].waiter {
                watchers[i].waiter = nil
                wake.append(waiter)
            }
        }
    }

    /// Ends every watcher with `error` (the store is closing).
    mutating func endAll(_ error: StoreError, wake: inout [UnsafeContinuation<Void, Never>]) {
        closed = error
        for i in watchers.indices {
            watchers[i].ended = error
            if let waiter = watchers[i].waiter {
                watchers[i].waiter = nil
                wake.append(waiter)
            }
        }
    }
}
