public import Informers
import Synchronization

/// kube-scheduler's priority queue: an active heap ordered by the queue-sort plugin, a backoff heap of pods
/// waiting out `initial × 2^(failures − 1)` (capped), and a pool of unschedulable pods that only cluster
/// events a rejecting plugin registered move back, or a flush after ``Options/maxUnschedulableDuration``.
/// Lock-guarded state; time comes from the injected clock; ``flush()`` is called by the scheduler's loop
/// (every second, like kube-scheduler), or directly in tests.
public final class SchedulingQueue: Sendable {
    public struct Options: Sendable {
        public var initialBackoff: Duration = .seconds(1)
        public var maxBackoff: Duration = .seconds(10)
        public var maxUnschedulableDuration: Duration = .seconds(5 * 60)
        public init() {}
    }

    struct State {
        var active = IndexedHeap()
        var backoff = IndexedHeap()
        var unschedulable: [String: QueuedPodInfo] = [:]
        /// Pods popped and not yet done, with the number of move requests at pop time.
        var inFlight: [String: UInt64] = [:]
        /// Counts move requests (cluster events that moved pods): a pod that failed while one happened
        /// retries at once instead of waiting in the unschedulable pool for an event that already passed.
        var moveRequests: UInt64 = 0
        /// Pods in flight that ``activate(_:)`` asked for: a failed attempt sends them to the active queue.
        var activateOnReturn: Set<String> = []
        var waiter: UnsafeContinuation<QueuedPodInfo?, Never>?
        var closed = false
        /// Nominated pods by node, and each nominated pod's node.
        var nominated: [String: [PodInfo]] = [:]
        var nominatedNode: [String: String] = [:]
    }

    public let options: Options
    let clock: ElapsedTime
    let framework: @Sendable (PodInfo) -> Framework?
    private let state: Mutex<State>

    /// - Parameters:
    ///   - framework: The framework (profile) of a pod; nil for pods no profile handles.
    public init(options: Options = Options(), clock: ElapsedTime, framework: @escaping @Sendable (PodInfo) -> Framework?) {
        self.options = options
        self.clock = clock
        self.framework = framework
        let less: @Sendable (QueuedPodInfo, QueuedPodInfo) -> Bool = { lhs, rhs in
            framework(lhs.podInfo)?.less(lhs, rhs) ?? PrioritySort.ordered(lhs, rhs)
        }
        state = Mutex(State(active: IndexedHeap(less: less), backoff: IndexedHeap(less: { $0.backoffExpiry < $1.backoffExpiry })))
    }

    // MARK: Pods coming and going

    /// A new unscheduled pod: active queue, or the unschedulable pool when PreEnqueue gates it.
    public func add(_ pod: PodInfo) {
        let now = clock()
        var queued = QueuedPodInfo(pod, timestamp: now)
        queued.initialAttemptTimestamp = now
        let waiter = state.withLock { s -> (UnsafeContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)? in
            guard !s.closed else { return nil }
            self.requeue(&s, queued, now: now)
            return self.wake(&s)
        }
        if let (continuation, popped) = waiter { continuation.resume(returning: popped) }
    }

    /// An unscheduled pod changed: its entry is replaced. With `specChanged` (spec, labels or annotations, not
    /// just status — the scheduler's own condition updates must not retry the pod), a gated or unschedulable
    /// pod is queued again (to backoff while its backoff lasts), as kube-scheduler does.
    public func update(_ pod: PodInfo, specChanged: Bool = true) {
        let now = clock()
        let waiter = state.withLock { s -> (UnsafeContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)? in
            let uid = pod.uid
            if var queued = s.active.get(uid) {
                queued.podInfo = pod
                s.active.upsert(uid, queued)
            } else if var queued = s.backoff.get(uid) {
                queued.podInfo = pod
                s.backoff.upsert(uid, queued)
            } else if var queued = s.unschedulable[uid] {
                queued.podInfo = pod
                if specChanged {
                    s.unschedulable[uid] = nil
                    queued.gatingPlugin = nil
                    self.requeue(&s, queued, now: now)
                } else {
                    s.unschedulable[uid] = queued
                }
            } else if s.inFlight[uid] == nil {
                var queued = QueuedPodInfo(pod, timestamp: now)
                queued.initialAttemptTimestamp = now
                self.requeue(&s, queued, now: now)
            }
            return self.wake(&s)
        }
        if let (continuation, popped) = waiter { continuation.resume(returning: popped) }
    }

    /// An unscheduled pod was deleted (or got bound by someone else): it leaves the queue.
    public func delete(uid: String) {
        state.withLock { s in
            s.active.remove(uid)
            s.backoff.remove(uid)
            s.unschedulable[uid] = nil
            s.activateOnReturn.remove(uid)
            Self.removeNomination(&s, uid: uid)
        }
    }

    /// Waits for the next pod to schedule (highest in queue-sort order); nil once ``close()`` was called or
    /// the task is cancelled.
    public func pop() async -> QueuedPodInfo? {
        if let ready = state.withLock({ s in self.popReady(&s) }) { return ready }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<QueuedPodInfo?, Never>) in
                let immediate = state.withLock { s -> QueuedPodInfo?? in
                    if s.closed || Task.isCancelled { return .some(nil) }
                    if let ready = self.popReady(&s) { return .some(ready) }
                    s.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            state.withLock { s in
                defer { s.waiter = nil }
                return s.waiter
            }?.resume(returning: nil)
        }
    }

    /// The pop without waiting (nil when the active queue is empty).
    public func tryPop() -> QueuedPodInfo? { state.withLock { s in popReady(&s) } }

    /// The pod's attempt ended with it scheduled (or handed to binding): it is no longer in flight.
    public func done(uid: String) {
        state.withLock { s in
            s.inFlight[uid] = nil
            s.activateOnReturn.remove(uid)
        }
    }

    /// A failed attempt: the pod waits in the unschedulable pool for an event one of `rejectedBy` registered,
    /// or, when such an event came while it was in flight or the failure was an error, in backoff.
    public func addUnschedulable(_ queued: QueuedPodInfo, rejectedBy plugins: Set<String>, error: Bool = false) {
        let now = clock()
        let waiter = state.withLock { s -> (UnsafeContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)? in
            let poppedAt = s.inFlight.removeValue(forKey: queued.podInfo.uid)
            guard !s.closed else { return nil }
            var entry = queued
            entry.timestamp = now
            entry.unschedulableCount += 1
            entry.unschedulablePlugins = plugins
            entry.backoffExpiry = now + self.backoffDuration(entry.unschedulableCount)
            if s.activateOnReturn.remove(entry.podInfo.uid) != nil {
                s.active.upsert(entry.podInfo.uid, entry)
            } else if error || plugins.isEmpty || (poppedAt.map { $0 < s.moveRequests } ?? false) {
                s.backoff.upsert(entry.podInfo.uid, entry)
            } else {
                s.unschedulable[entry.podInfo.uid] = entry
            }
            return self.wake(&s)
        }
        if let (continuation, popped) = waiter { continuation.resume(returning: popped) }
    }

    // MARK: Cluster events and time

    /// A cluster event: unschedulable pods rejected by a plugin that registered it move to backoff (still
    /// backing off) or the active queue.
    public func moveAllToActiveOrBackoff(_ event: ClusterEvent) {
        let now = clock()
        let waiter = state.withLock { s -> (UnsafeContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)? in
            s.moveRequests += 1
            guard !s.unschedulable.isEmpty else { return nil }
            var moved: [QueuedPodInfo] = []
            for (_, queued) in s.unschedulable where queued.gatingPlugin == nil {
                let helps = self.framework(queued.podInfo)?.mayHelp(event, rejectedBy: queued.unschedulablePlugins) ?? true
                if helps { moved.append(queued) }
            }
            for queued in moved {
                s.unschedulable[queued.podInfo.uid] = nil
                self.requeue(&s, queued, now: now)
            }
            return self.wake(&s)
        }
        if let (continuation, popped) = waiter { continuation.resume(returning: popped) }
    }

    /// Moves pods whose backoff is over to the active queue, and pods unschedulable for longer than
    /// ``Options/maxUnschedulableDuration`` back into the queue.
    public func flush() {
        let now = clock()
        let waiter = state.withLock { s -> (UnsafeContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)? in
            while let first = s.backoff.peek(), first.backoffExpiry <= now {
                s.backoff.remove(first.podInfo.uid)
                s.active.upsert(first.podInfo.uid, first)
            }
            let stale = s.unschedulable.values.filter {
                $0.gatingPlugin == nil && now - $0.timestamp >= self.options.maxUnschedulableDuration
            }
            for queued in stale {
                s.unschedulable[queued.podInfo.uid] = nil
                self.requeue(&s, queued, now: now)
            }
            return self.wake(&s)
        }
        if let (continuation, popped) = waiter { continuation.resume(returning: popped) }
    }

    /// Moves these pods to the active queue now, from the unschedulable pool (unless a PreEnqueue plugin gates
    /// them) or the backoff queue: kube-scheduler's `Activate`, for a plugin that knows a pod can make progress
    /// without a cluster event (a gang member whose group is ready). A pod being scheduled goes to the active
    /// queue if its attempt fails; pods the queue does not hold are ignored.
    public func activate(_ uids: some Sequence<String>) {
        let waiter = state.withLock { s -> (UnsafeContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)? in
            guard !s.closed else { return nil }
            for uid in uids {
                if let queued = s.unschedulable[uid], queued.gatingPlugin == nil {
                    s.unschedulable[uid] = nil
                    s.active.upsert(uid, queued)
                } else if let queued = s.backoff.remove(uid) {
                    s.active.upsert(uid, queued)
                } else if s.inFlight[uid] != nil {
                    s.activateOnReturn.insert(uid)
                }
            }
            return self.wake(&s)
        }
        if let (continuation, popped) = waiter { continuation.resume(returning: popped) }
    }

    /// Ends every ``pop()``.
    public func close() {
        let waiter = state.withLock { s in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    // MARK: Nominations

    /// Records that `pod` was promised `nodeName` (by preemption); nil clears it.
    public func nominate(_ pod: PodInfo, nodeName: String?) {
        state.withLock { s in
            Self.removeNomination(&s, uid: pod.uid)
            guard let nodeName, !nodeName.isEmpty else { return }
            s.nominated[nodeName, default: []].append(pod)
            s.nominatedNode[pod.uid] = nodeName
        }
    }

    /// Every node's nominated pods (one read for a whole scheduling cycle).
    public var nominations: [String: [PodInfo]] { state.withLock { $0.nominated } }

    /// The node `uid` is nominated to, if any.
    public func nominatedNode(of uid: String) -> String? { state.withLock { $0.nominatedNode[uid] } }

    /// Pods nominated to `nodeName`.
    public func nominatedPods(on nodeName: String) -> [PodInfo] { state.withLock { $0.nominated[nodeName] ?? [] } }

    // MARK: Inspection

    /// Pods in the active queue, the backoff queue and the unschedulable pool.
    public var counts: (active: Int, backoff: Int, unschedulable: Int) {
        state.withLock { ($0.active.count, $0.backoff.count, $0.unschedulable.count) }
    }

    /// Of `uids`, the pods still waiting to be scheduled: in the active or backoff queue, in the unschedulable
    /// pool (not gated by a PreEnqueue plugin), or being scheduled or bound. One lock for the whole set.
    public func pending(among uids: some Sequence<String>) -> Set<String> {
        state.withLock { s in
            var result = Set<String>()
            for uid in uids {
                let queued = s.inFlight[uid] != nil || s.active.get(uid) != nil || s.backoff.get(uid) != nil
                    || (s.unschedulable[uid].map { $0.gatingPlugin == nil } ?? false)
                if queued { result.insert(uid) }
            }
            return result
        }
    }

    /// Whether the pod waits in the unschedulable pool.
    public func isUnschedulable(uid: String) -> Bool { state.withLock { $0.unschedulable[uid] != nil } }

    /// Whether the pod waits in the backoff queue.
    public func isBackingOff(uid: String) -> Bool { state.withLock { $0.backoff.get(uid) != nil } }

    /// Whether the pod waits in the active queue.
    public func isActive(uid: String) -> Bool { state.withLock { $0.active.get(uid) != nil } }

    /// The earliest backoff expiry (clock offset), if any pod is backing off.
    public var nextBackoffExpiry: Duration? { state.withLock { $0.backoff.peek()?.backoffExpiry } }

    // MARK: Internals

    /// `initial × 2^(count − 1)`, at most the maximum.
    func backoffDuration(_ count: Int) -> Duration {
        var duration = options.initialBackoff
        for _ in 1..<max(1, count) {
            duration *= 2
            if duration >= options.maxBackoff { return options.maxBackoff }
        }
        return min(duration, options.maxBackoff)
    }

    /// Into the queue through PreEnqueue: gated pods wait in the unschedulable pool, pods that failed before
    /// wait out their backoff, the rest are active.
    private func requeue(_ s: inout State, _ queued: QueuedPodInfo, now: Duration) {
        if let framework = framework(queued.podInfo) {
            let status = framework.runPreEnqueue(queued.podInfo)
            if !status.isSuccess {
                var gated = queued
                gated.gatingPlugin = status.plugin
                s.unschedulable[queued.podInfo.uid] = gated
                return
            }
        }
        if queued.unschedulableCount > 0 && queued.backoffExpiry > now {
            s.backoff.upsert(queued.podInfo.uid, queued)
        } else {
            s.active.upsert(queued.podInfo.uid, queued)
        }
    }

    private func popReady(_ s: inout State) -> QueuedPodInfo? {
        guard var queued = s.active.popFirst() else { return nil }
        queued.attempts += 1
        s.inFlight[queued.podInfo.uid] = s.moveRequests
        return queued
    }

    private func wake(_ s: inout State) -> (UnsafeContinuation<QueuedPodInfo?, Never>, QueuedPodInfo)? {
        guard let waiter = s.waiter, let popped = popReady(&s) else { return nil }
        s.waiter = nil
        return (waiter, popped)
    }

    private static func removeNomination(_ s: inout State, uid: String) {
        guard let node = s.nominatedNode.removeValue(forKey: uid) else { return }
        s.nominated[node]?.removeAll { $0.uid == uid }
        if s.nominated[node]?.isEmpty == true { s.nominated[node] = nil }
    }
}

/// A binary heap of queued pods with removal and update by uid.
struct IndexedHeap {
    private var items: [QueuedPodInfo] = []
    private var positions: [String: Int] = [:]
    let less: @Sendable (QueuedPodInfo, QueuedPodInfo) -> Bool

    init(less: @escaping @Sendable (QueuedPodInfo, QueuedPodInfo) -> Bool = PrioritySort.ordered) {
        self.less = less
    }

    var count: Int { items.count }
    func peek() -> QueuedPodInfo? { items.first }
    func get(_ uid: String) -> QueuedPodInfo? { positions[uid].map { items[$0] } }

    mutating func upsert(_ uid: String, _ item: QueuedPodInfo) {
        if let position = positions[uid] {
            items[position] = item
            siftUp(siftDown(position))
        } else {
            items.append(item)
            positions[uid] = items.count - 1
            siftUp(items.count - 1)
        }
    }

    @discardableResult
    mutating func remove(_ uid: String) -> QueuedPodInfo? {
        guard let position = positions.removeValue(forKey: uid) else { return nil }
        let removed = items[position]
        let last = items.removeLast()
        if position < items.count {
            items[position] = last
            positions[last.podInfo.uid] = position
            siftUp(siftDown(position))
        }
        return removed
    }

    mutating func popFirst() -> QueuedPodInfo? {
        guard let first = items.first else { return nil }
        remove(first.podInfo.uid)
        return first
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        items.swapAt(i, j)
        positions[items[i].podInfo.uid] = i
        positions[items[j].podInfo.uid] = j
    }

    @discardableResult
    private mutating func siftUp(_ start: Int) -> Int {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(items[child], items[parent]) else { break }
            swapAt(child, parent)
            child = parent
        }
        return child
    }

    private mutating func siftDown(_ start: Int) -> Int {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { return parent }
            var best = left
            if left + 1 < items.count && less(items[left + 1], items[left]) { best = left + 1 }
            guard less(items[best], items[parent]) else { return parent }
            swapAt(best, parent)
            parent = best
        }
    }
}
