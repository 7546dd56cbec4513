import Synchronization

/// The cache's window of recent changes (Kubernetes' watch cache ring): every stored event the cache
/// decoded, kept so API watches of the type reuse the decoded objects instead of decoding each event again.
///
/// Memory is bounded: the window keeps at most `capacity` changes (plus the last store response, which is
/// never split). A watch that falls behind the window (or starts before it) continues from the store's
/// history, decoding on its own, with the store's rules (410 Expired when that history was compacted).
extension ObjectCache {
    /// One decoded change, shared by every watch that reads it.
    final class CachedEvent: Sendable {
        enum Kind: Sendable {
            /// A put that created the key.
            case created
            /// A put of an existing key.
            case updated
            case deleted
        }

        let kind: Kind
        let revision: Int64
        let resourceVersion: String
        let namespace: String
        /// The new state of a put; for a delete, the last state with the delete's resourceVersion.
        let object: any APIObject
        /// The state before an update, when the cache held it (for selector transitions).
        let previous: (any APIObject)?

        init(kind: Kind, revision: Int64, namespace: String, object: any APIObject, previous: (any APIObject)?) {
            self.kind = kind
            self.revision = revision
            resourceVersion = String(revision)
            self.namespace = namespace
            self.object = object
            self.previous = previous
        }
    }

    struct Window {
        /// Kept changes are `changes[head...]`; `changes[i]` has sequence number `base + i`.
        var changes: [CachedEvent] = []
        var head = 0
        var base: UInt64 = 0
        /// Every change at or after this revision is in the window (`Int64.max` before the first load).
        var oldestRevision = Int64.max
        /// The revision of the latest progress notification (bookmarks for caught-up watches).
        var progressRevision: Int64 = 0
        /// Bumped by every append, progress, reload and stop: a reader parks only if nothing changed.
        var version: UInt64 = 0
        var parked: [UInt64: UnsafeContinuation<Void, Never>] = [:]
        var nextReader: UInt64 = 0

        var end: UInt64 { base + UInt64(changes.count) }

        mutating func append(_ change: CachedEvent) {
            changes.append(change)
        }

        /// Drops the oldest changes beyond `capacity`; returns the readers to wake.
        mutating func settle(capacity: Int) -> [UnsafeContinuation<Void, Never>] {
            let excess = changes.count - head - capacity
            if excess > 0 {
                head += excess
                oldestRevision = max(oldestRevision, changes[head - 1].revision + 1)
            }
            if head >= capacity || (head > 0 && head * 2 >= changes.count) {
                changes.removeFirst(head)
                base += UInt64(head)
                head = 0
            }
            return wakeAll()
        }

        /// Empties the window after a (re)load at `revision`.
        mutating func reset(at revision: Int64) -> [UnsafeContinuation<Void, Never>] {
            base = end
            changes = []
            head = 0
            oldestRevision = revision + 1
            return wakeAll()
        }

        mutating func wakeAll() -> [UnsafeContinuation<Void, Never>] {
            version &+= 1
            guard !parked.isEmpty else { return [] }
            defer { parked.removeAll(keepingCapacity: true) }
            return Array(parked.values)
        }
    }

    /// Where a watch reading the window stands.
    struct Cursor: Sendable {
        /// Every change up to this revision was handled.
        var position: Int64
        /// The sequence number to look at next.
        var sequence: UInt64 = 0
        /// The highest revision the watch reported (an event or a bookmark); its owner records events.
        var reported: Int64
        let bookmarks: Bool

        init(after revision: Int64, bookmarks: Bool) {
            position = revision
            reported = revision
            self.bookmarks = bookmarks
        }
    }

    /// A watch's registration with the window, for waking it and cancelling it.
    final class Reader: Sendable {
        let id: UInt64
        let cache: ObjectCache
        let cancelled = Atomic<Bool>(false)

        init(id: UInt64, cache: ObjectCache) {
            self.id = id
            self.cache = cache
        }

        /// Ends the reads: a parked read returns ``Read/cancelled``.
        func cancel() {
            cancelled.store(true, ordering: .sequentiallyConsistent)
            cache.state.withLock { $0.window.parked.removeValue(forKey: id) }?.resume()
        }
    }

    enum Read {
        /// Changes after the cursor's position (whole revisions, in order).
        case changes([CachedEvent])
        /// Nothing new, but the cache progressed to this revision.
        case bookmark(Int64)
        /// The window no longer holds the changes after the cursor: continue from the store's history.
        case behind
        case stopped(APIError)
        case cancelled
    }

    /// How many changes the window keeps.
    static let defaultWindowCapacity = 4096

    /// A reader for a watch whose first change is at `startRevision`, when the window holds every change
    /// from there on; nil when it does not (not loaded, or too old: the watch reads the store's history).
    func reader(from startRevision: Int64) -> Reader? {
        state.withLock { state -> Reader? in
            guard case .ready = state.phase, startRevision > 0, startRevision >= state.window.oldestRevision else {
                return nil
            }
            state.window.nextReader += 1
            return Reader(id: state.window.nextReader, cache: self)
        }
    }

    /// The next changes after `cursor` (at most about `max`, extended to a whole revision), waiting for them.
    func read(_ cursor: inout Cursor, reader: Reader, max: Int = 512) async -> Read {
        while true {
            if Task.isCancelled || reader.cancelled.load(ordering: .sequentiallyConsistent) { return .cancelled }
            let (read, version) = state.withLock { state -> (Read?, UInt64) in
                (Self.take(&cursor, from: state, max: max), state.window.version)
            }
            if let read { return read }
            await withTaskCancellationHandler {
                await withUnsafeContinuation { (waiter: UnsafeContinuation<Void, Never>) in
                    // The checks sit under the lock the waker and the cancellers take: nothing is lost.
                    let parked = state.withLock { state -> Bool in
                        guard !Task.isCancelled, !reader.cancelled.load(ordering: .sequentiallyConsistent),
                            state.window.version == version
                        else { return false }
                        state.window.parked[reader.id] = waiter
                        return true
                    }
                    if !parked { waiter.resume() }
                }
            } onCancel: {
                state.withLock { $0.window.parked.removeValue(forKey: reader.id) }?.resume()
            }
        }
    }

    /// What a reader at `cursor` gets now; nil: nothing yet.
    private static func take(_ cursor: inout Cursor, from state: State, max: Int) -> Read? {
        if case .stopped(let error) = state.phase { return .stopped(error) }
        guard case .ready = state.phase else { return nil }
        let window = state.window
        if cursor.position + 1 < window.oldestRevision { return .behind }
        var index = Int(Swift.max(cursor.sequence, window.base + UInt64(window.head)) - window.base)
        while index < window.changes.count && window.changes[index].revision <= cursor.position { index += 1 }
        var end = Swift.min(window.changes.count, index + max)
        if end > index {
            let last = window.changes[end - 1].revision
            while end < window.changes.count && window.changes[end].revision == last { end += 1 }
        }
        cursor.sequence = window.base + UInt64(end)
        if end == window.changes.count {
            cursor.position = Swift.max(cursor.position, state.revision)
        } else {
            cursor.position = window.changes[end - 1].revision
        }
        if end > index {
            return .changes(Array(window.changes[index..<end]))
        }
        if cursor.bookmarks && window.progressRevision > cursor.reported && window.progressRevision <= cursor.position {
            cursor.reported = window.progressRevision
            return .bookmark(window.progressRevision)
        }
        return nil
    }
}
