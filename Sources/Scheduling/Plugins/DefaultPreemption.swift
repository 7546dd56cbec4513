import APIMachinery
import Raft
import Synchronization

/// kube-scheduler's DefaultPreemption (PostFilter): when no node fits a pod, finds nodes where evicting
/// lower-priority pods would make it fit, picks the node whose eviction hurts least, deletes the victims
/// through the API client and nominates the node for the pod.
///
/// Candidates are nodes whose filters failed with a resolvable reason (``PluginStatus/Code/unschedulable``).
/// On each, every lower-priority pod is removed; if the pod then fits, victims are put back most important
/// first (pods whose eviction would break a PodDisruptionBudget before the others) while it still fits.
/// Dry runs stop once `max(minCandidateNodesPercentage % of the nodes, minCandidateNodesAbsolute)`
/// candidates are found, starting from a random node. The node chosen has the fewest budget violations,
/// then the lowest highest-victim priority, the lowest sum of victim priorities, the fewest victims, and the
/// latest start among its most important victims.
public struct DefaultPreemption: PostFilterPlugin, EnqueueExtensions {
    public let name = "DefaultPreemption"
    /// kube-scheduler's `minCandidateNodesPercentage` (default 10).
    public var minCandidateNodesPercentage: Int
    /// kube-scheduler's `minCandidateNodesAbsolute` (default 100).
    public var minCandidateNodesAbsolute: Int
    /// The grace period victims are deleted with (nil: each pod's own, as kube-scheduler does).
    public var victimGracePeriodSeconds: Int64?
    let random: RandomSource

    public init(
        minCandidateNodesPercentage: Int = 10, minCandidateNodesAbsolute: Int = 100,
        victimGracePeriodSeconds: Int64? = nil, seed: UInt64? = nil
    ) {
        self.minCandidateNodesPercentage = minCandidateNodesPercentage
        self.minCandidateNodesAbsolute = minCandidateNodesAbsolute
        self.victimGracePeriodSeconds = victimGracePeriodSeconds
        random = RandomSource(seed: seed)
    }

    /// A pod's preemption is retried when lower-priority pods go away or nodes change.
    public var clusterEvents: [ClusterEvent] {
        [ClusterEvent(.pod, .delete), ClusterEvent(.node, [.add, .updateNodeAllocatable, .updateNodeTaint, .updateNodeLabel])]
    }

    public func postFilter(
        _ state: CycleState, _ pod: PodInfo, _ statuses: [String: PluginStatus], _ handle: SchedulingHandle
    ) async -> PostFilterResult {
        let snapshot = handle.snapshot
        if let reason = ineligibility(of: pod, snapshot) {
            return PostFilterResult(status: PluginStatus(.unschedulable, reason))
        }
        let outcome = findCandidates(state, pod, statuses, handle)
        guard let best = selectCandidate(outcome.candidates) else {
            return PostFilterResult(status: PluginStatus(.unschedulable, outcome.message(allNodes: snapshot.nodes.count)))
        }
        do {
            try await evict(best, for: pod, handle)
        } catch {
            return PostFilterResult(status: PluginStatus(.error, "preemption: deleting victims: \(error)"))
        }
        return PostFilterResult(nominatedNodeName: best.nodeName, status: .success)
    }

    /// Why `pod` may not preempt now (nil: it may): its policy says never, or victims it already evicted on
    /// its nominated node are still terminating.
    func ineligibility(of pod: PodInfo, _ snapshot: Snapshot) -> String? {
        if pod.pod.spec?.preemptionPolicy == "Never" {
            return "not eligible due to preemptionPolicy=Never."
        }
        if let nominated = pod.pod.status?.nominatedNodeName, !nominated.isEmpty, let node = snapshot[nominated],
            node.pods.contains(where: { $0.isTerminating && $0.priority < pod.priority })
        {
            return "not eligible due to a terminating pod on the nominated node."
        }
        return nil
    }

    /// Deletes the victims (or rejects them while they wait in Permit) and takes the node away from
    /// lower-priority pods nominated to it. Deletions run concurrently.
    func evict(_ candidate: PreemptionCandidate, for pod: PodInfo, _ handle: SchedulingHandle) async throws {
        var deletions: [PodInfo] = []
        for victim in candidate.victims {
            if let waiting = handle.waitingPod(uid: victim.uid) {
                waiting.reject(name, "preempted by \(pod.key.namespace)/\(pod.key.name) on node \(candidate.nodeName)")
            } else {
                deletions.append(victim)
            }
        }
        for nominated in handle.nominatedPods(on: candidate.nodeName)
        where nominated.uid != pod.uid && nominated.priority < pod.priority {
            handle.withdrawNomination(of: nominated)
        }
        guard let client = handle.client, !deletions.isEmpty else { return }
        let gracePeriod = victimGracePeriodSeconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            for victim in deletions {
                group.addTask {
                    // The uid precondition: never delete a pod that replaced the victim under its name.
                    let options = DeleteOptions(gracePeriodSeconds: gracePeriod, preconditions: Preconditions(uid: victim.uid))
                    do {
                        _ = try await client.resource(Pod.self, namespace: victim.namespace)
                            .delete(victim.key.name, options: options)
                    } catch let error as APIError {
                        // Already gone (or replaced by a pod of the same name): nothing to evict.
                        guard error.code == 404 || error.code == 409 else { throw error }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

/// A seeded (or system-seeded) random source shared by a plugin's copies.
final class RandomSource: Sendable {
    private let generator: Mutex<SplitMix64>

    init(seed: UInt64?) {
        var system = SystemRandomNumberGenerator()
        generator = Mutex(SplitMix64(seed: seed ?? system.next()))
    }

    /// A uniform value in `0..<upperBound` (0 when the bound is not positive).
    func next(below upperBound: Int) -> Int {
        guard upperBound > 0 else { return 0 }
        return generator.withLock { Int.random(in: 0..<upperBound, using: &$0) }
    }
}
