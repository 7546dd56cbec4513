public import APIMachinery
import Informers
import Synchronization

/// A kube-scheduler in-process: informers feed the cache and the queue; one loop pops a pod, filters and
/// scores it on a snapshot, assumes it on the chosen node and hands binding to a task of its own; failures
/// go back to the queue with `PodScheduled=False` and a `FailedScheduling` Event.
///
/// Run it with ``run()`` until its task is cancelled. Under a controller manager with leader election, one of
/// several replicas schedules at a time.
public final class Scheduler: Sendable {
    public let client: Client
    public let options: SchedulerOptions
    public let cache: SchedulerCache
    public let queue: SchedulingQueue
    public let algorithm: SchedulingAlgorithm
    let frameworks: [String: Framework]
    let handles: [String: SchedulingHandle]
    let clock: ElapsedTime
    let writer: BackgroundWriter
    let bindings: BindingLimiter
    let snapshot = Mutex(Snapshot())
    let statistics = Mutex(SchedulerStatistics())
    let disruptionBudgets = DisruptionBudgets()

    /// - Throws: ``SchedulingError`` for an invalid profile or two profiles with one name.
    public init(client: Client, options: SchedulerOptions) throws(SchedulingError) {
        self.client = client
        self.options = options
        let clock = ElapsedTime(options.clock)
        self.clock = clock
        var frameworks: [String: Framework] = [:]
        for profile in options.profiles {
            guard frameworks[profile.schedulerName] == nil else {
                throw SchedulingError(.invalidProfile, "two profiles are called \(profile.schedulerName)")
            }
            frameworks[profile.schedulerName] = try Framework(profile, parallelizer: Parallelizer(parallelism: options.parallelism))
        }
        guard !frameworks.isEmpty else { throw SchedulingError(.invalidProfile, "a scheduler needs at least one profile") }
        self.frameworks = frameworks
        cache = SchedulerCache()
        let profiles = frameworks
        let lookup: @Sendable (PodInfo) -> Framework? = { pod in
            profiles[Self.schedulerName(of: pod.pod)]
        }
        let queue = SchedulingQueue(options: options.queue, clock: clock, framework: lookup)
        self.queue = queue
        algorithm = SchedulingAlgorithm(percentageOfNodesToScore: options.percentageOfNodesToScore, seed: options.seed)
        writer = BackgroundWriter(capacity: options.eventBuffer)
        bindings = BindingLimiter(limit: options.maxConcurrentBindings)
        let budgets = disruptionBudgets
        handles = frameworks.mapValues { framework in
            SchedulingHandle(framework: framework, client: client, clock: clock, queue: queue,
                nominatedPods: { queue.nominatedPods(on: $0) },
                disruptionBudgets: { budgets.all })
        }
    }

    /// `spec.schedulerName`, defaulted.
    static func schedulerName(of pod: Pod) -> String {
        let name = pod.spec?.schedulerName ?? ""
        return name.isEmpty ? Profile.defaultSchedulerName : name
    }

    /// Whether one of this scheduler's profiles handles the pod.
    public func isResponsible(for pod: Pod) -> Bool { frameworks[Self.schedulerName(of: pod)] != nil }

    /// Counts of what the scheduler did.
    public var stats: SchedulerStatistics { statistics.withLock { $0 } }

    // MARK: Running

    /// Watches pods, nodes and PodDisruptionBudgets, schedules until the task is cancelled, then lets bindings
    /// in flight finish.
    public func run() async throws {
        let podInformer = SharedInformer(listWatch: ListWatch(client.resource(Pod.self)),
            options: informerOptions(Pod.self))
        let nodeInformer = SharedInformer(listWatch: ListWatch(client.resource(Node.self)),
            options: informerOptions(Node.self))
        let budgetInformer = SharedInformer(listWatch: ListWatch(client.resource(PodDisruptionBudget.self)),
            options: informerOptions(PodDisruptionBudget.self))
        let nodeHandler = nodeInformer.addEventHandler(onAdd: { [self] node, _ in nodeAdded(node) },
            onUpdate: { [self] old, new in nodeUpdated(old, new) },
            onDelete: { [self] deleted in nodeDeleted(deleted.key.name) })
        let podHandler = podInformer.addEventHandler(onAdd: { [self] pod, _ in podAdded(pod) },
            onUpdate: { [self] old, new in podUpdated(old, new) },
            onDelete: { [self] deleted in podDeleted(deleted.object) })
        _ = budgetInformer.addEventHandler(onAdd: { [self] budget, _ in budgetChanged(budget, deleted: false) },
            onUpdate: { [self] _, budget in budgetChanged(budget, deleted: false) },
            onDelete: { [self] deleted in budgetChanged(deleted.object, deleted: true) })
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await nodeInformer.run() }
            group.addTask { try await podInformer.run() }
            group.addTask { try await budgetInformer.run() }
            group.addTask { [writer] in await writer.run() }
            // The cache and the queue are built by the handlers: wait until they handled the initial lists,
            // not only until the informers listed (a cycle could otherwise see some of the nodes).
            guard await nodeHandler.waitForSync(), await podHandler.waitForSync() else { return }
            group.addTask { [self] in await flushLoop() }
            defer { queue.close() }
            while !Task.isCancelled {
                guard let queued = await queue.pop() else { break }
                guard let binding = await scheduleCycle(queued) else { continue }
                await bindings.acquire()
                group.addTask { [self] in
                    await binding()
                    bindings.release()
                }
            }
        }
    }

    func informerOptions<R: APIMachinery.Resource>(_ type: R.Type) -> InformerOptions<R> {
        var informerOptions = InformerOptions<R>()
        informerOptions.clock = options.clock
        return informerOptions
    }

    /// Moves pods whose backoff ended to the active queue every second, and flushes long-unschedulable ones.
    func flushLoop() async {
        while !Task.isCancelled {
            guard await clock.sleepUnlessCancelled(for: .seconds(1)) else { return }
            queue.flush()
        }
    }
}

/// What a scheduler did so far.
public struct SchedulerStatistics: Sendable, Hashable {
    public var attempts = 0
    public var scheduled = 0
    public var unschedulable = 0
    public var errors = 0
    public var bindingFailures = 0
    public var preemptionAttempts = 0
}

/// The PodDisruptionBudgets the informer delivered, by namespace/name.
final class DisruptionBudgets: Sendable {
    private let budgets = Mutex<[String: PodDisruptionBudget]>([:])

    var all: [PodDisruptionBudget] { budgets.withLock { Array($0.values) } }

    func set(_ key: String, _ budget: PodDisruptionBudget?) { budgets.withLock { $0[key] = budget } }
}

/// Caps bindings in flight: the scheduling loop waits for a free slot.
final class BindingLimiter: Sendable {
    struct State {
        var available: Int
        var waiters: [UnsafeContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    func acquire() async {
        let acquired = state.withLock { s -> Bool in
            guard s.available > 0 else { return false }
            s.available -= 1
            return true
        }
        if acquired { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.available > 0 {
                    s.available -= 1
                    return true
                }
                s.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func release() {
        let waiter = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            s.available += 1
            return nil
        }
        waiter?.resume()
    }
}
