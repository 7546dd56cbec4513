public import APIMachinery
public import Informers
import Synchronization

/// What plugins may use beyond their arguments (kube-scheduler's `framework.Handle`): the cycle's snapshot,
/// the API client, the clock, the scheduling queue, the pods waiting in Permit, nominated pods and
/// PodDisruptionBudgets. A scheduling cycle's ``CycleState/handle`` reaches it from every extension point.
public final class SchedulingHandle: Sendable {
    public let framework: Framework
    /// Binds pods and deletes preemption victims; nil in pure in-memory use (binding then only updates the
    /// cache).
    public let client: Client?
    public let clock: ElapsedTime
    /// The scheduler's queue, for plugins that activate pods (kube-scheduler's `PodActivator`) or ask which
    /// pods still wait to be scheduled; nil in pure in-memory use.
    public let queue: SchedulingQueue?
    private let state: Mutex<State>

    struct State {
        var snapshot = Snapshot()
        var waiting: [String: WaitingPod] = [:]
    }

    /// The pods nominated to a node (preemptors waiting for their victims to go).
    let nominatedPods: @Sendable (String) -> [PodInfo]
    /// The PodDisruptionBudgets preemption must respect.
    public let disruptionBudgets: @Sendable () -> [PodDisruptionBudget]

    public init(
        framework: Framework, client: Client? = nil, clock: ElapsedTime, queue: SchedulingQueue? = nil,
        nominatedPods: @escaping @Sendable (String) -> [PodInfo] = { _ in [] },
        disruptionBudgets: @escaping @Sendable () -> [PodDisruptionBudget] = { [] }
    ) {
        self.framework = framework
        self.client = client
        self.clock = clock
        self.queue = queue
        self.nominatedPods = nominatedPods
        self.disruptionBudgets = disruptionBudgets
        state = Mutex(State())
    }

    /// The snapshot of the current scheduling cycle.
    public var snapshot: Snapshot {
        get { state.withLock { $0.snapshot } }
        set { state.withLock { $0.snapshot = newValue } }
    }

    /// Pods nominated to `nodeName`.
    public func nominatedPods(on nodeName: String) -> [PodInfo] { nominatedPods(nodeName) }

    /// Withdraws `pod`'s nomination to a node: it no longer holds room there.
    public func withdrawNomination(of pod: PodInfo) { queue?.nominate(pod, nodeName: nil) }

    /// Filters `node` for `pod` counting the pods nominated to it (what preemption and scheduling use).
    public func runFilterWithNominatedPods(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus {
        framework.runFilterWithNominatedPods(state, pod, node, nominated: nominatedPods(node.name))
    }

    // MARK: Waiting pods

    /// The pod waiting in Permit with `uid`.
    public func waitingPod(uid: String) -> WaitingPod? { state.withLock { $0.waiting[uid] } }

    /// Every pod waiting in Permit.
    public var waitingPods: [WaitingPod] { state.withLock { Array($0.waiting.values) } }

    func addWaiting(_ pod: WaitingPod) { state.withLock { $0.waiting[pod.pod.uid] = pod } }

    func removeWaiting(uid: String) { _ = state.withLock { $0.waiting.removeValue(forKey: uid) } }
}

/// A pod held in Permit until every plugin that asked it to wait allows it, one rejects it, or a plugin's
/// timeout passes.
public final class WaitingPod: Sendable {
    public let pod: PodInfo
    public let nodeName: String
    private let state: Mutex<State>

    struct State {
        var pending: Set<String>
        var result: PluginStatus?
        var waiter: CheckedContinuation<PluginStatus, Never>?
    }

    init(pod: PodInfo, nodeName: String, plugins: Set<String>) {
        self.pod = pod
        self.nodeName = nodeName
        state = Mutex(State(pending: plugins))
    }

    /// The plugins still to allow the pod.
    public var pendingPlugins: Set<String> { state.withLock { $0.pending } }

    /// Success once every plugin allowed the pod, the rejection once one rejected it (or its wait timed out);
    /// nil while it still waits.
    public var result: PluginStatus? { state.withLock { $0.result } }

    /// `plugin` allows the pod; the last one lets it bind.
    public func allow(_ plugin: String) {
        let waiter = state.withLock { s -> (CheckedContinuation<PluginStatus, Never>, PluginStatus)? in
            guard s.result == nil else { return nil }
            s.pending.remove(plugin)
            guard s.pending.isEmpty else { return nil }
            s.result = .success
            defer { s.waiter = nil }
            return s.waiter.map { ($0, .success) }
        }
        waiter.map { $0.0.resume(returning: $0.1) }
    }

    /// `plugin` rejects the pod: it goes back to the queue.
    public func reject(_ plugin: String, _ message: String) {
        let status = PluginStatus(.unschedulable, message, plugin: plugin)
        let waiter = state.withLock { s -> CheckedContinuation<PluginStatus, Never>? in
            guard s.result == nil else { return nil }
            s.result = status
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: status)
    }

    /// Waits for the outcome.
    func wait() async -> PluginStatus {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> PluginStatus? in
                if let result = s.result { return result }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
