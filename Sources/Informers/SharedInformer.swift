public import APIMachinery
import Synchronization

/// A cache of one resource type kept current by list and watch, shared by any number of event handlers.
///
/// A reflector lists, then watches from the list's resourceVersion, and queues every change in a
/// ``DeltaQueue``; the informer applies each delta to its ``Indexer`` and then notifies handlers. Each
/// handler has its own buffer and task, so a slow handler never delays the cache or other handlers.
///
/// Run it with ``run()`` (until the task is cancelled), or through an ``InformerFactory``.
public final class SharedInformer<Object: APIObject>: Sendable {
    /// A handler's (or an events sequence's) buffer, and the task that calls the handler.
    final class Listener: Sendable {
        let id: UInt64
        let buffer: NotificationBuffer<Object>
        let handler: (any ResourceEventHandler<Object>)?

        init(id: UInt64, capacity: Int, handler: (any ResourceEventHandler<Object>)?) {
            self.id = id
            self.buffer = NotificationBuffer(capacity: capacity)
            self.handler = handler
        }

        func run() async {
            guard let handler else { return }
            while let batch = await buffer.next(max: 64) {
                for entry in batch {
                    switch entry.event {
                    case .added(let object, let initial): await handler.onAdd(object, isInInitialList: initial)
                    case .updated(let old, let new): await handler.onUpdate(old: old, new: new)
                    case .deleted(let deleted): await handler.onDelete(deleted)
                    }
                }
            }
        }
    }

    /// What the dispatching path needs, under one lock: adding a handler (with its snapshot of the
    /// cache) is atomic with respect to applying a batch of deltas.
    struct Dispatch {
        var listeners: [Listener] = []
        var synced = false
    }

    enum Phase { case idle, running, stopped }

    struct Resync {
        var period: Duration
        var next: Duration
    }

    struct State {
        var phase = Phase.idle
        /// Handler listeners whose tasks the running informer has yet to start.
        var toStart: [Listener] = []
        var resync: [UInt64: Resync] = [:]
        var nextID: UInt64 = 0
        var lastSyncResourceVersion = ""
    }

    let listWatch: ListWatch<Object>
    let options: InformerOptions<Object>
    /// The cache.
    public let indexer: Indexer<Object>
    let queue: DeltaQueue<Object>
    let clock: ElapsedTime
    let synced = Latch()
    let resyncChanged = Signal()
    let listenersAdded = Signal()
    let dispatch = Mutex(Dispatch())
    let state = Mutex(State())

    public init(listWatch: ListWatch<Object>, options: InformerOptions<Object> = InformerOptions()) {
        self.listWatch = listWatch
        self.options = options
        indexer = Indexer(indexers: options.indexers)
        queue = DeltaQueue(capacity: options.queueCapacity, knownObjects: indexer, transform: options.transform)
        clock = ElapsedTime(options.clock)
    }

    /// A typed read-only view of the cache.
    public var lister: Lister<Object> { Lister(indexer: indexer) }

    /// Whether the initial list has been applied to the cache and handed to the handlers.
    public var hasSynced: Bool { dispatch.withLock { $0.synced } }

    /// Waits until ``hasSynced``; false if the informer stopped first or the task was cancelled.
    public func waitForSync() async -> Bool {
        await synced.wait()
    }

    /// The resourceVersion of the last list, event or bookmark the reflector received.
    public var lastSyncResourceVersion: String { state.withLock { $0.lastSyncResourceVersion } }

    /// The highest resourceVersion (of a list, an event or a bookmark) whose changes are in the cache and
    /// in every handler's buffer. With ``isIdle`` a caller can wait until handlers saw a store revision.
    public var processedResourceVersion: UInt64 { queue.processedRevision }

    /// No queued deltas, every handler buffer empty and no handler call in progress.
    public var isIdle: Bool {
        guard queue.isIdle else { return false }
        return dispatch.withLock { d in d.listeners.allSatisfy { $0.buffer.isIdle } }
    }

    /// Notifications waiting in handler buffers (buffered entries plus coalesced objects).
    public var pendingNotifications: Int {
        dispatch.withLock { d in d.listeners.reduce(0) { $0 + $1.buffer.pendingCount } }
    }

    // MARK: Handlers

    /// Adds a handler. Added to a synced informer, it first gets every cached object as
    /// `onAdd(_, isInInitialList: true)`.
    ///
    /// - Parameter resyncPeriod: how often it gets the cache again as updates; nil: the informer's
    ///   ``InformerOptions/resyncPeriod``. At least 1 s.
    @discardableResult
    public func addEventHandler(
        _ handler: some ResourceEventHandler<Object>, resyncPeriod: Duration? = nil
    ) -> HandlerRegistration {
        let period = (resyncPeriod ?? options.resyncPeriod).map { max($0, .seconds(1)) }
        let listener = Listener(id: nextID(), capacity: options.handlerBufferCapacity, handler: handler)
        attach(listener)
        let now = clock()
        let closed = state.withLock { s -> Bool in
            if let period { s.resync[listener.id] = Resync(period: period, next: now + period) }
            switch s.phase {
            case .idle, .running: s.toStart.append(listener)
            case .stopped: return true
            }
            return false
        }
        if closed { listener.buffer.close() }
        listenersAdded.fire()
        if period != nil { resyncChanged.fire() }
        let buffer = listener.buffer
        return HandlerRegistration(id: listener.id, synced: { buffer.hasSynced }, waitForSync: { await buffer.synced.wait() })
    }

    /// Adds a handler made of closures (see ``addEventHandler(_:resyncPeriod:)``).
    @discardableResult
    public func addEventHandler(
        resyncPeriod: Duration? = nil,
        onAdd: (@Sendable (Object, Bool) async -> Void)? = nil,
        onUpdate: (@Sendable (Object, Object) async -> Void)? = nil,
        onDelete: (@Sendable (DeletedObject<Object>) async -> Void)? = nil
    ) -> HandlerRegistration {
        addEventHandler(ResourceEventHandlerFunctions(onAdd: onAdd, onUpdate: onUpdate, onDelete: onDelete),
            resyncPeriod: resyncPeriod)
    }

    /// Removes a handler; it gets no further notifications (its task ends after the call in progress).
    public func removeEventHandler(_ registration: HandlerRegistration) {
        detach(registration.id)
        state.withLock { s in
            s.resync[registration.id] = nil
            s.toStart.removeAll { $0.id == registration.id }
        }
    }

    /// The informer's notifications as an async sequence: a bounded buffer like a handler's (coalescing
    /// per object when full). Added to a synced informer, it starts with the cache as initial adds. It ends
    /// when the informer stops; dropping it (and its iterators) unsubscribes.
    public func events(bufferCapacity: Int = 1024) -> InformerEvents<Object> {
        let listener = Listener(id: nextID(), capacity: bufferCapacity, handler: nil)
        attach(listener)
        if state.withLock({ $0.phase == .stopped }) { listener.buffer.close() }
        let id = listener.id
        return InformerEvents(subscription: InformerEvents.Subscription(buffer: listener.buffer) { [weak self] in
            self?.detach(id)
        })
    }

    func nextID() -> UInt64 {
        state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
    }

    /// Adds a listener to the dispatch list; when the informer has synced, with the cache's content first.
    func attach(_ listener: Listener) {
        let waiter = dispatch.withLock { d -> UnsafeContinuation<Void, Never>? in
            d.listeners.append(listener)
            guard d.synced else { return nil }
            let entries = indexer.list().map {
                NotificationBuffer<Object>.Entry(key: ObjectKey($0.metadata), event: .added($0, isInInitialList: true))
            }
            let waiter = listener.buffer.push(entries)
            listener.buffer.markInitialDistributed()
            return waiter
        }
        waiter?.resume()
    }

    func detach(_ id: UInt64) {
        let removed = dispatch.withLock { d -> Listener? in
            guard let index = d.listeners.firstIndex(where: { $0.id == id }) else { return nil }
            return d.listeners.remove(at: index)
        }
        removed?.buffer.close()
    }
}

/// A handler added to a ``SharedInformer``: pass it to ``SharedInformer/removeEventHandler(_:)``.
public final class HandlerRegistration: Sendable {
    let id: UInt64
    let synced: @Sendable () -> Bool
    let waitSynced: @Sendable () async -> Bool

    init(id: UInt64, synced: @escaping @Sendable () -> Bool, waitForSync: @escaping @Sendable () async -> Bool) {
        self.id = id
        self.synced = synced
        waitSynced = waitForSync
    }

    /// The handler has handled every notification of its initial list (the informer's first list, or
    /// the cache's content when it was added to a synced informer).
    public var hasSynced: Bool { synced() }

    /// Waits until ``hasSynced``: what a component that builds state in its handlers (a scheduler's cache)
    /// waits for before acting on it. False if the handler was removed, the informer stopped, or the task
    /// was cancelled first.
    public func waitForSync() async -> Bool { await waitSynced() }
}
