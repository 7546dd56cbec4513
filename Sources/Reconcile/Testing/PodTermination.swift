public import APIMachinery

/// Removes Pods whose graceful deletion period has passed: the part of a kubelet that confirms a Pod has
/// stopped. The registry marks a Pod on a node with `deletionTimestamp` (now + grace period) instead of
/// deleting it; without a kubelet it would stay forever.
struct PodTerminationReconciler: Reconciler {
    let client: Client
    let now: @Sendable () -> Time

    func reconcile(_ request: Request) async throws -> ReconcileResult {
        try await terminate(request)
    }

    func terminate(_ request: Request) async throws(APIError) -> ReconcileResult {
        let pods = client.resource(Pod.self, namespace: request.namespace)
        let pod: Pod
        do {
            pod = try await pods.get(request.name)
        } catch where error.code == 404 {
            return .done
        }
        guard let due = pod.metadata.deletionTimestamp else { return .done }
        let remaining = due.secondsSinceEpoch - now().secondsSinceEpoch
        if remaining > 0 { return .requeue(after: .seconds(remaining)) }
        do {
            _ = try await pods.delete(request.name, options: DeleteOptions(gracePeriodSeconds: 0,
                preconditions: Preconditions(uid: pod.metadata.uid)))
        } catch where error.code == 404 || error.code == 409 {
        }
        return .done
    }
}

extension Manager {
    /// Adds a controller that removes Pods once their graceful deletion period has passed (a kubelet's
    /// confirmation, for environments without kubelets).
    @discardableResult
    public func addPodTermination(now: @escaping @Sendable () -> Time) -> Controller {
        controller(for: Pod.self, named: "pod-termination")
            .withPredicates(Predicate(create: { $0.metadata.deletionTimestamp != nil },
                update: { _, new in new.metadata.deletionTimestamp != nil }, delete: { _ in false }))
            .complete(PodTerminationReconciler(client: client, now: now))
    }
}
