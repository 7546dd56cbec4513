import APIMachinery
import Scheduling
import Store
import Synchronization

/// A workload failed: it stalled, or its end state is wrong.
public struct WorkloadError: Error, CustomStringConvertible {
    public var description: String
}

/// One run of a ``SchedulingWorkload``: an API server on an in-memory store (real time: the server's and the
/// scheduler's clocks are `ContinuousClock`s), its nodes, a running `Scheduler` with the default profile
/// binding through the API, and the initial pods already scheduled. ``measure()`` creates the measured pods
/// and waits until the scheduler has bound them all.
public final class SchedulingRun: Sendable {
    public let workload: SchedulingWorkload
    public let server: APIServer
    public let store: KeyValueStore
    public let client: Client
    public let scheduler: Scheduler
    let tasks: Mutex<[Task<Void, any Error>]>

    /// Concurrent API clients creating pods.
    public static let creators = 16

    /// What one measured phase did.
    public struct Outcome: Sendable {
        public var pods: Int
        public var nanoseconds: Int
        public var scheduled: SchedulerStatistics

        public var podsPerSecond: Double { Double(pods) / (Double(nanoseconds) / 1e9) }
    }

    init(workload: SchedulingWorkload, server: APIServer, store: KeyValueStore, scheduler: Scheduler) {
        self.workload = workload
        self.server = server
        self.store = store
        client = server.client()
        self.scheduler = scheduler
        tasks = Mutex([])
    }

    /// Starts the store, the server and the scheduler, creates the nodes and the initial pods, and waits until
    /// the initial pods are bound (setup: not part of any measurement).
    public static func setUp(_ workload: SchedulingWorkload, seed: UInt64 = 1) async throws -> SchedulingRun {
        if workload == .preemption {
            guard Profile.defaultProfile().plugins.contains(where: { $0.name == "DefaultPreemption" }) else {
                throw WorkloadError(description: "the default profile has no DefaultPreemption plugin: the "
                    + "preemption workload needs it (Sources/Scheduling/Plugins/DefaultPreemption.swift)")
            }
        }
        let store = try await KeyValueStore.inMemory()
        let server = APIServer(store: store)
        let client = server.client()
        _ = try await client.resource(Namespace.self).create(
            Namespace(metadata: ObjectMeta(name: SchedulingWorkload.namespace)))
        var options = SchedulerOptions(profiles: [.defaultProfile()])
        options.seed = seed
        let scheduler = try Scheduler(client: client, options: options)
        let run = SchedulingRun(workload: workload, server: server, store: store, scheduler: scheduler)
        let nodes = client.resource(Node.self)
        try await forEach(SchedulingWorkload.nodeCount) { index in _ = try await nodes.create(workload.node(index)) }
        run.start { try await scheduler.run() }
        if workload == .preemption { try await run.startKubelet() }
        let pods = client.resource(Pod.self, namespace: SchedulingWorkload.namespace)
        try await forEach(workload.initialPods) { index in _ = try await pods.create(workload.initialPod(index)) }
        try await run.waitForSetup()
        return run
    }

    /// Creates the measured pods (``creators`` clients at once) and waits until the scheduler bound every one
    /// of them; the time runs from the first create to the last binding.
    public func measure() async throws -> Outcome {
        let pods = client.resource(Pod.self, namespace: SchedulingWorkload.namespace)
        let workload = workload
        let target = scheduler.stats.scheduled + workload.measuredPods
        let clock = ContinuousClock()
        let start = clock.now
        try await Self.forEach(workload.measuredPods) { index in
            _ = try await pods.create(workload.measuredPod(index))
        }
        try await waitForScheduled(target, phase: "measurement")
        let elapsed = clock.now - start
        return Outcome(pods: workload.measuredPods, nanoseconds: nanoseconds(elapsed), scheduled: scheduler.stats)
    }

    /// Checks the end state through the API: every measured pod bound, no node over its CPU or pod capacity,
    /// and the workload's own property (zone skew at most 1; the preemptors' victims gone).
    public func verify() async throws {
        let all = try await client.resource(Pod.self, namespace: SchedulingWorkload.namespace).list().items
        let measured = all.filter { $0.metadata.labels["phase"] == "measured" }
        let unbound = measured.filter { ($0.spec?.nodeName ?? "").isEmpty }
        guard measured.count == workload.measuredPods, unbound.isEmpty else {
            throw WorkloadError(description: "\(measured.count) measured pods, \(unbound.count) not bound "
                + "(first: \(unbound.first?.metadata.name ?? "-"))")
        }
        var millicores: [String: Int64] = [:]
        var podsOnNode: [String: Int] = [:]
        for pod in all {
            guard let node = pod.spec?.nodeName, !node.isEmpty, pod.metadata.deletionTimestamp == nil else { continue }
            for container in pod.spec?.containers ?? [] {
                millicores[node, default: 0] += container.resources?.requests?["cpu"]?.milliValue ?? 0
            }
            podsOnNode[node, default: 0] += 1
        }
        if let (node, cpu) = millicores.first(where: { $0.value > 4_000 }) {
            throw WorkloadError(description: "node \(node) holds \(cpu)m of CPU requests, more than its 4 CPUs")
        }
        if let (node, count) = podsOnNode.first(where: { $0.value > 110 }) {
            throw WorkloadError(description: "node \(node) holds \(count) pods, more than 110")
        }
        switch workload {
        case .basic:
            break
        case .spread:
            var perZone: [String: Int] = [:]
            for pod in measured {
                let index = Int(pod.spec!.nodeName!.split(separator: "-").last!)!
                perZone[SchedulingWorkload.zones[index % SchedulingWorkload.zones.count], default: 0] += 1
            }
            let counts = SchedulingWorkload.zones.map { perZone[$0] ?? 0 }
            guard counts.max()! - counts.min()! <= 1 else {
                throw WorkloadError(description: "zone skew above 1: \(counts)")
            }
        case .preemption:
            // Each preemptor needs 3000m on a node holding 4 × 900m: three victims per preemptor.
            let low = all.filter { $0.metadata.labels["priority"] == "low" }.count
            guard low <= workload.initialPods - 3 * workload.measuredPods else {
                throw WorkloadError(description: "\(low) low-priority pods left: too few victims")
            }
        }
    }

    /// Stops the scheduler and the kubelet stand-in, then the server and the store.
    public func stop() async {
        let running = tasks.withLock { $0 }
        for task in running { task.cancel() }
        for task in running { _ = await task.result }
        server.close()
        await store.close()
    }

    // MARK: Helpers

    func start(_ body: @escaping @Sendable () async throws -> Void) {
        let task = Task { try await body() }
        tasks.withLock { $0.append(task) }
    }

    /// Stands in for the kubelets of the preemption workload: a pod marked for deletion (graceful deletion of
    /// a pod on a node) is removed at once, as its kubelet would once the pod stopped. The low-priority pods
    /// ask for a grace period of 0 (as scheduler_perf's template does), so their deletion is immediate and
    /// this has nothing to do unless preemption asks for a longer grace period.
    func startKubelet() async throws {
        let pods = client.resource(Pod.self, namespace: SchedulingWorkload.namespace)
        let version = try await pods.list(ListOptions(limit: 1)).metadata.resourceVersion ?? ""
        let watch = try await pods.watch(WatchOptions(resourceVersion: version))
        start {
            for try await event in watch where event.type == .modified {
                guard let pod = event.object, pod.metadata.deletionTimestamp != nil else { continue }
                _ = try? await pods.delete(pod.metadata.name, options: DeleteOptions(gracePeriodSeconds: 0))
            }
        }
    }

    /// Waits until the initial pods are scheduled, or (created bound) in the scheduler's cache.
    func waitForSetup() async throws {
        guard workload.initialPodsAreBound else {
            try await waitForScheduled(workload.initialPods, phase: "setup")
            return
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while scheduler.cache.podCount < workload.initialPods {
            guard clock.now < deadline else {
                throw WorkloadError(description: "\(workload.rawValue) setup: the scheduler's cache holds "
                    + "\(scheduler.cache.podCount) of \(workload.initialPods) pods")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Waits until the scheduler has bound `count` pods in all; fails when nothing was bound for 30 s.
    func waitForScheduled(_ count: Int, phase: String) async throws {
        let clock = ContinuousClock()
        var last = scheduler.stats.scheduled
        var progressed = clock.now
        while true {
            let stats = scheduler.stats
            if stats.scheduled >= count { return }
            if stats.scheduled != last {
                last = stats.scheduled
                progressed = clock.now
            } else if clock.now - progressed > .seconds(30) {
                throw WorkloadError(description: "\(workload.rawValue) \(phase): stalled at \(stats.scheduled) of "
                    + "\(count) pods bound (\(stats))")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Runs `body` for `0..<count` on ``creators`` concurrent tasks, in index order per task.
    static func forEach(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let next = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(creators, max(count, 1)) {
                group.addTask {
                    while true {
                        let index = next.take()
                        guard index < count else { return }
                        try await body(index)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

/// Hands out consecutive indexes to concurrent tasks.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

@inline(__always)
func nanoseconds(_ duration: Duration) -> Int {
    Int(duration.components.seconds) * 1_000_000_000 + Int(duration.components.attoseconds / 1_000_000_000)
}
