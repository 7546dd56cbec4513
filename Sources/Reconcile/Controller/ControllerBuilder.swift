public import APIMachinery
public import Informers

/// Wires a controller to informers (controller-runtime's builder): ``for`` the primary type, ``owns``
/// types whose controller owner is a primary, ``watches`` any type through a mapping, each with predicates.
///
/// ```swift
/// try manager.controller(for: ReplicaSet.self)
///     .owns(Pod.self)
///     .withPredicates(.generationChanged)
///     .complete(ReplicaSetReconciler(client: manager.client, pods: manager.informers.informer(for: Pod.self).lister))
/// ```
public struct ControllerBuilder<Primary: Resource>: Sendable {
    let manager: Manager
    var name: String
    var primaryPredicates: [Predicate<Primary>] = []
    var options = ControllerOptions()
    /// Registers a source's handler on an informer for a controller's queue; returns its cache-sync wait.
    var sources: [@Sendable (WorkQueue<Request>) -> @Sendable () async -> Bool] = []

    init(manager: Manager, name: String) {
        self.manager = manager
        self.name = name
    }

    /// Filters the primary type's events.
    public func withPredicates(_ predicates: Predicate<Primary>...) -> Self {
        var copy = self
        copy.primaryPredicates += predicates
        return copy
    }

    public func withOptions(_ options: ControllerOptions) -> Self {
        var copy = self
        copy.options = options
        return copy
    }

    /// Enqueues the controlling owner (a `Primary`) of objects of `type` when they change.
    public func owns<R: Resource>(_ type: R.Type, predicates: Predicate<R>...) -> Self {
        let owner = Primary.descriptor
        return watches(type, predicates: predicates) { object in
            guard let reference = object.metadata.controllerReference, reference.kind == owner.kind,
                OwnerReferences.group(ofAPIVersion: reference.apiVersion) == owner.group
            else { return [] }
            return [Request(namespace: object.metadata.namespace, name: reference.name)]
        }
    }

    /// Enqueues the requests `map` returns for each changed object of `type`.
    public func watches<R: Resource>(
        _ type: R.Type, predicates: Predicate<R>..., map: @escaping @Sendable (R) -> [Request]
    ) -> Self {
        watches(type, predicates: predicates, map: map)
    }

    func watches<R: Resource>(
        _ type: R.Type, predicates: [Predicate<R>], map: @escaping @Sendable (R) -> [Request]
    ) -> Self {
        var copy = self
        let informers = manager.informers
        copy.sources.append { queue in
            let informer = informers.informer(for: R.self)
            informer.addEventHandler(EnqueueHandler(queue: queue, predicate: .all(predicates), map: map))
            return { await informer.waitForSync() }
        }
        return copy
    }

    /// Builds the controller, registers it with the manager (it starts when the manager leads) and returns it.
    @discardableResult
    public func complete(_ reconciler: some Reconciler) -> Controller {
        let queue = WorkQueue<Request>(name: name, clock: manager.options.clock, rateLimiter: options.rateLimiter,
            metrics: options.metrics)
        // The primary type is one more source: each object enqueues itself.
        let all = watches(Primary.self, predicates: primaryPredicates) { object in [Request(object.metadata)] }
        let waits = all.sources.map { $0(queue) }
        let controller = Controller(name: name, reconciler: reconciler, queue: queue, options: options, syncWaits: waits)
        manager.add(controller: controller)
        return controller
    }
}

/// An informer handler that maps events to requests on a work queue (controller-runtime's event handlers).
struct EnqueueHandler<Object: APIObject>: ResourceEventHandler {
    let queue: WorkQueue<Request>
    let predicate: Predicate<Object>
    let map: @Sendable (Object) -> [Request]

    func onAdd(_ object: Object, isInInitialList: Bool) async {
        guard predicate.create(object) else { return }
        for request in map(object) { queue.add(request) }
    }

    func onUpdate(old: Object, new: Object) async {
        guard predicate.update(old, new) else { return }
        // Both: an owner reference or label that moved away still concerns the old target.
        var requests = map(old)
        for request in map(new) where !requests.contains(request) { requests.append(request) }
        for request in requests { queue.add(request) }
    }

    func onDelete(_ deleted: DeletedObject<Object>) async {
        guard predicate.delete(deleted) else { return }
        for request in map(deleted.object) { queue.add(request) }
    }
}

/// Helpers for owner references.
public enum OwnerReferences {
    /// The group of an `apiVersion` (`apps/v1` → `apps`, `v1` → the core group "").
    public static func group(ofAPIVersion apiVersion: String) -> String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    /// A controller reference to `owner` (`controller: true`, `blockOwnerDeletion: true`), as controllers set
    /// on the objects they create.
    public static func controllerReference<Owner: Resource>(to owner: Owner) -> OwnerReference {
        OwnerReference(apiVersion: Owner.descriptor.groupVersionKind.apiVersion, kind: Owner.descriptor.kind,
            name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true)
    }
}
