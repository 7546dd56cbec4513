public import APIMachinery
import Synchronization

/// A bounded, strictly in-order queue of ``Delta``s between a reflector (producer) and an informer
/// (consumer): client-go's `RealFIFO`.
///
/// - Deltas come out in the order they went in, across keys (no per-key batching).
/// - A delete of a key whose latest queued delta is already a delete is dropped (consecutive deletes
///   collapse; an object beats a tombstone).
/// - ``replace(_:resourceVersion:)`` queues a ``DeltaType/replaced`` delta per listed object, then a
///   ``DeltaType/deleted`` tombstone (``DeletedObject/tombstone(key:lastKnown:)``) for every key the
///   cache would hold after the queued deltas (`knownObjects` plus the queue) that the list lacks.
/// - Producers wait while ``count`` is at `capacity`; a replace or a resync waits for room once,
///   then queues its whole list (a list is already in memory, so this adds no unbounded growth).
public final class DeltaQueue<Object: APIObject>: Sendable {
    /// How many deltas of a key are queued or being processed, and the sequence number of the latest.
    struct Pending {
        var count: Int
        var last: UInt64

        /// One more delta queued for the key, at `sequence`.
        mutating func record(_ sequence: UInt64) {
            count += 1
            last = sequence
        }
    }

    struct State {
        /// Queued deltas are `items[head...]`; `items[i]` has sequence number `base + i`.
        var items: [Delta<Object>] = []
        var head = 0
        var base: UInt64 = 0
        /// The deltas handed to the consumer and not yet `done`, from sequence `inFlightBase`.
        var inFlight: [Delta<Object>] = []
        var inFlightBase: UInt64 = 0
        var pending: [ObjectKey: Pending] = [:]
        var populated = false
        var initialRemaining = 0
        var synced = false
        var closed = false
        var consumer: UnsafeContinuation<Void, Never>?
        var producers: [UInt64: UnsafeContinuation<Void, Never>] = [:]
        var nextProducer: UInt64 = 0
        /// The highest resourceVersion whose deltas were all processed, and the highest a list or
        /// bookmark promised (reached once everything queued before it is processed).
        var processedRevision: UInt64 = 0
        var progressRevision: UInt64 = 0

        var queued: Int { items.count - head }
        var nextSequence: UInt64 { base + UInt64(items.count) }

        func delta(at sequence: UInt64) -> Delta<Object>? {
            if sequence >= base + UInt64(head), sequence < nextSequence { return items[Int(sequence - base)] }
            if sequence >= inFlightBase, sequence < inFlightBase + UInt64(inFlight.count) {
                return inFlight[Int(sequence - inFlightBase)]
            }
            return nil
        }

        mutating func append(_ delta: Delta<Object>) {
            if delta.type == .deleted, let pending = pending[delta.key], pending.last >= base + UInt64(head),
                items[Int(pending.last - base)].type == .deleted
            {
                // Consecutive deletes collapse; keep the one that knows the final state.
                let index = Int(pending.last - base)
                if items[index].object.isFinalStateUnknown && !delta.object.isFinalStateUnknown {
                    items[index].object = delta.object
                }
                return
            }
            let sequence = nextSequence
            pending[delta.key, default: Pending(count: 0, last: 0)].record(sequence)
            if delta.isInInitialList { initialRemaining += 1 }
            items.append(delta)
        }

        /// The state of `key` once every queued delta is applied: nil when unknown here.
        func latest(_ key: ObjectKey) -> Delta<Object>? {
            pending[key].flatMap { delta(at: $0.last) }
        }
    }

    let state = Mutex(State())
    let capacity: Int
    let knownObjects: Indexer<Object>?
    let transform: (@Sendable (Object) -> Object)?

    /// - Parameters:
    ///   - capacity: how many deltas may wait before producers wait.
    ///   - knownObjects: the cache the consumer maintains (for tombstones and resyncs).
    ///   - transform: applied to every object as it is queued.
    public init(
        capacity: Int = 1000, knownObjects: Indexer<Object>? = nil, transform: (@Sendable (Object) -> Object)? = nil
    ) {
        self.capacity = max(1, capacity)
        self.knownObjects = knownObjects
        self.transform = transform
    }

    /// The number of queued deltas.
    public var count: Int { state.withLock { $0.queued } }

    /// Whether the first replace was queued and all its deltas were processed.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// Whether nothing is queued or being processed.
    var isIdle: Bool { state.withLock { $0.queued == 0 && $0.inFlight.isEmpty } }

    /// The highest resourceVersion processed (see ``SharedInformer/processedResourceVersion``).
    var processedRevision: UInt64 { state.withLock { $0.processedRevision } }

    func prepare(_ object: Object) -> Object { transform.map { $0(object) } ?? object }

    func makeDelta(_ type: DeltaType, _ object: Object) -> Delta<Object> {
        let metadata = object.metadata  // one copy: `metadata` is a getter through the protocol
        var delta = Delta(type: type, object: .object(object), key: ObjectKey(metadata))
        delta.revision = UInt64(metadata.resourceVersion) ?? 0
        return delta
    }

    /// Queues an added object (waits while the queue is full).
    public func add(_ object: Object) async {
        await enqueue(makeDelta(.added, prepare(object)))
    }

    /// Queues an updated object (waits while the queue is full).
    public func update(_ object: Object) async {
        await enqueue(makeDelta(.updated, prepare(object)))
    }

    /// Queues a deleted object (waits while the queue is full).
    public func delete(_ object: Object) async {
        await enqueue(makeDelta(.deleted, prepare(object)))
    }

    func enqueue(_ delta: Delta<Object>) async {
        await withRoom { s in s.append(delta) }
    }

    /// Queues a full list: ``DeltaType/replaced`` for each object, then tombstones for known keys it lacks.
    public func replace(_ objects: [Object], resourceVersion: String) async {
        let prepared = transform == nil ? objects : objects.map(prepare)
        knownObjects?.reserveCapacity(prepared.count)
        await withRoom { s in
            let initial = !s.populated
            s.populated = true
            var listed = Set<ObjectKey>(minimumCapacity: prepared.count)
            s.items.reserveCapacity(s.items.count + prepared.count)
            s.pending.reserveCapacity(s.pending.count + prepared.count)
            for object in prepared {
                var delta = makeDelta(.replaced, object)
                delta.isInInitialList = initial
                listed.insert(delta.key)
                s.append(delta)
            }
            // What the cache holds after every earlier delta: knownObjects, overridden by pending deltas.
            var vanished: [ObjectKey] = []
            for key in knownObjects?.keys() ?? [] where !listed.contains(key) && s.pending[key] == nil {
                vanished.append(key)
            }
            for (key, _) in s.pending where !listed.contains(key) {
                if let latest = s.latest(key), latest.type != .deleted { vanished.append(key) }
            }
            for key in vanished.sorted() {
                guard let lastKnown = s.latest(key)?.object.object ?? knownObjects?.get(key) else { continue }
                var delta = Delta(type: .deleted, object: .tombstone(key: key, lastKnown: lastKnown), key: key,
                    isInInitialList: initial)
                delta.revision = 0
                s.append(delta)
            }
            if initial && s.initialRemaining == 0 { s.synced = true }
            if let revision = UInt64(resourceVersion) { s.progressRevision = max(s.progressRevision, revision) }
            Self.settleProgress(&s)
        }
    }

    /// Queues a ``DeltaType/sync`` delta for every cached object with nothing queued.
    public func resync() async {
        await resync(targets: nil)
    }

    func resync(targets: SyncTargets?) async {
        await withRoom { s in
            for object in knownObjects?.list() ?? [] {
                let key = ObjectKey(object.metadata)
                if s.pending[key] != nil { continue }
                var delta = makeDelta(.sync, object)
                delta.syncTargets = targets
                s.append(delta)
            }
        }
    }

    /// Records a bookmark: once everything queued is processed, ``processedRevision`` reaches `revision`.
    func noteProgress(_ revision: UInt64) {
        state.withLock { s in
            s.progressRevision = max(s.progressRevision, revision)
            Self.settleProgress(&s)
        }
    }

    static func settleProgress(_ s: inout State) {
        if s.queued == 0 && s.inFlight.isEmpty { s.processedRevision = max(s.processedRevision, s.progressRevision) }
    }

    /// Takes the oldest delta, waiting for one; nil once the queue is closed or the task is cancelled.
    /// The delta counts as processed when it is returned.
    public func pop() async -> Delta<Object>? {
        guard let batch = await popBatch(max: 1) else { return nil }
        _ = done()
        return batch.first
    }

    /// Takes up to `max` deltas, waiting for at least one; nil once closed or cancelled. The consumer must
    /// call ``done()`` after processing them and before popping again.
    func popBatch(max: Int) async -> [Delta<Object>]? {
        while true {
            if Task.isCancelled { return nil }
            let batch = state.withLock { s -> [Delta<Object>]?? in
                if s.closed { return .some(nil) }
                guard s.queued > 0 else { return nil }
                let end = min(s.items.count, s.head + max)
                s.inFlight = Array(s.items[s.head..<end])
                s.inFlightBase = s.base + UInt64(s.head)
                s.head = end
                if s.head == s.items.count {
                    // Drained: drop the buffer (a large list would otherwise keep its capacity forever).
                    s.base += UInt64(s.head)
                    s.items = []
                    s.head = 0
                } else if s.head * 2 >= s.items.count {
                    s.items.removeFirst(s.head)
                    s.base += UInt64(s.head)
                    s.head = 0
                }
                return .some(s.inFlight)
            }
            if let batch { return batch }
            await withTaskCancellationHandler {
                await withUnsafeContinuation { (waiter: UnsafeContinuation<Void, Never>) in
                    let parked = state.withLock { s in
                        guard !Task.isCancelled, !s.closed, s.queued == 0 else { return false }
                        s.consumer = waiter
                        return true
                    }
                    if !parked { waiter.resume() }
                }
            } onCancel: {
                state.withLock { s in
                    defer { s.consumer = nil }
                    return s.consumer
                }?.resume()
            }
        }
    }

    /// Marks the popped batch processed. Returns true when this completed the initial list.
    @discardableResult
    func done() -> Bool {
        let (wake, justSynced) = finishBatch()
        for waiter in wake { waiter.resume() }
        return justSynced
    }

    /// ``done()`` without waking producers: returns them (to resume after releasing locks) and whether
    /// this completed the initial list.
    func finishBatch() -> (wake: [UnsafeContinuation<Void, Never>], justSynced: Bool) {
        state.withLock { s -> ([UnsafeContinuation<Void, Never>], Bool) in
            var justSynced = false
            for delta in s.inFlight {
                s.processedRevision = max(s.processedRevision, delta.revision)
                if delta.isInInitialList {
                    s.initialRemaining -= 1
                    if s.initialRemaining == 0 && !s.synced {
                        s.synced = true
                        justSynced = true
                    }
                }
                if let index = s.pending.index(forKey: delta.key) {  // one hash per key
                    if s.pending.values[index].count <= 1 {
                        s.pending.remove(at: index)
                    } else {
                        s.pending.values[index].count -= 1
                    }
                }
            }
            s.inFlight.removeAll(keepingCapacity: true)
            if s.pending.isEmpty && s.pending.capacity > 1024 { s.pending = [:] }
            Self.settleProgress(&s)
            guard s.queued < capacity else { return ([], justSynced) }
            let wake = Array(s.producers.values)
            s.producers.removeAll()
            return (wake, justSynced)
        }
    }

    /// Ends the queue: pops return nil, producers stop waiting (their deltas are dropped).
    public func close() {
        let wake = state.withLock { s -> [UnsafeContinuation<Void, Never>] in
            s.closed = true
            var wake = Array(s.producers.values)
            s.producers.removeAll()
            if let consumer = s.consumer { wake.append(consumer) }
            s.consumer = nil
            return wake
        }
        for waiter in wake { waiter.resume() }
    }

    /// Waits until there is room (or the queue closed, or the task is cancelled: then nothing is queued),
    /// then runs `body` under the lock and wakes the consumer.
    func withRoom(_ body: (inout State) -> Void) async {
        while true {
            let outcome = state.withLock { s -> (done: Bool, consumer: UnsafeContinuation<Void, Never>?) in
                if s.closed { return (true, nil) }
                guard s.queued < capacity else { return (false, nil) }
                body(&s)
                guard s.queued > 0, let consumer = s.consumer else { return (true, nil) }
                s.consumer = nil
                return (true, consumer)
            }
            if outcome.done {
                outcome.consumer?.resume()
                return
            }
            if Task.isCancelled { return }
            let id = state.withLock { s in
                s.nextProducer += 1
                return s.nextProducer
            }
            await withTaskCancellationHandler {
                await withUnsafeContinuation { (waiter: UnsafeContinuation<Void, Never>) in
                    let parked = state.withLock { s in
                        guard !Task.isCancelled, !s.closed, s.queued >= capacity else { return false }
                        s.producers[id] = waiter
                        return true
                    }
                    if !parked { waiter.resume() }
                }
            } onCancel: {
                state.withLock { $0.producers.removeValue(forKey: id) }?.resume()
            }
        }
    }
}
