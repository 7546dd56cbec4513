public import APIMachinery
public import Informers

/// Empties namespaces being deleted, then lets them go (Kubernetes' namespace controller): for a namespace
/// with a `deletionTimestamp` and the `kubernetes` finalizer in `spec.finalizers`, deletes every object of
/// every namespaced type in it, looks again until none is left (objects with finalizers or grace periods
/// take their time), then removes the finalizer through the `finalize` subresource; the registry deletes
/// the namespace once its finalizers are empty.
public struct NamespaceReconciler: Reconciler {
    static let finalizer = "kubernetes"

    let client: Client
    /// How soon to look again while objects remain.
    public var recheckInterval: Duration

    public init(client: Client, recheckInterval: Duration = .seconds(1)) {
        self.client = client
        self.recheckInterval = recheckInterval
    }

    public func reconcile(_ request: Request) async throws -> ReconcileResult {
        try await reconcileNamespace(request)
    }

    func reconcileNamespace(_ request: Request) async throws(APIError) -> ReconcileResult {
        let namespaces = client.resource(Namespace.self)
        let namespace: Namespace
        do {
            namespace = try await namespaces.get(request.name)
        } catch where error.code == 404 {
            return .done
        }
        guard namespace.metadata.deletionTimestamp != nil,
            namespace.spec?.finalizers?.contains(Self.finalizer) == true
        else { return .done }

        var remaining = 0
        for descriptor in client.server.registeredResources where descriptor.isNamespaced {
            let objects = client.metadata(descriptor.groupResource, namespace: request.name)
            // What is only marked (finalizers, grace periods) is still there: count it by listing again.
            _ = try await objects.deleteCollection()
            remaining += try await objects.list().items.count
        }
        if remaining > 0 { return .requeue(after: recheckInterval) }

        let dynamic = client.dynamic(Namespace.descriptor.groupResource)
        var content = try await dynamic.get(request.name)
        var spec = content["spec"]?.objectValue ?? JSONObject()
        spec["finalizers"] = .array((spec["finalizers"]?.arrayValue ?? []).filter { $0.stringValue != Self.finalizer })
        content["spec"] = .object(spec)
        do {
            _ = try await dynamic.update(content, subresource: "finalize")
        } catch where error.code == 404 {
        }
        return .done
    }
}

extension Manager {
    /// Adds the namespace controller (``NamespaceReconciler``) to this manager.
    @discardableResult
    public func addNamespaceController(recheckInterval: Duration = .seconds(1), workers: Int = 2) -> Controller {
        var options = ControllerOptions()
        options.maxConcurrentReconciles = workers
        return controller(for: Namespace.self, named: "namespace")
            .withPredicates(Predicate(create: { $0.metadata.deletionTimestamp != nil },
                update: { _, new in new.metadata.deletionTimestamp != nil }, delete: { _ in false }))
            .withOptions(options)
            .complete(NamespaceReconciler(client: client, recheckInterval: recheckInterval))
    }
}
