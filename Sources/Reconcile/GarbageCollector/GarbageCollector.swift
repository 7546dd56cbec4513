public import APIMachinery
public import Informers
import Synchronization

/// Deletes objects whose owners are gone, following owner references across every registered type
/// (Kubernetes' garbage collector):
/// - **background**: an owner deleted outright leaves dependents with no remaining owner; they are deleted
///   (with the propagation their own finalizers ask for);
/// - **foreground**: an owner marked with the `foregroundDeletion` finalizer stays until its dependents with
///   `blockOwnerDeletion: true` are gone; its dependents are deleted in the foreground in turn;
/// - **orphan**: an owner marked with the `orphan` finalizer has its reference removed from every dependent,
///   then the finalizer, so it goes and its dependents stay.
///
/// It watches the metadata of every registered type through shared metadata informers and processes
/// objects by uid on a work queue. An owner not in its graph is looked up live before anything is deleted,
/// and an owner it cannot resolve is assumed present: doubt never deletes.
public final class GarbageCollector: Runnable {
    static let foregroundFinalizer = "foregroundDeletion"
    static let orphanFinalizer = "orphan"

    let client: Client
    let informers: InformerFactory
    let queue: WorkQueue<String>
    let workers: Int
    let clock: any Clock<Duration>
    let graph = Mutex(OwnerGraph())
    let watched = Mutex(Watched())

    /// The types the collector follows, and every registered type by group and kind (owner references name
    /// kinds; the registry is not asked again for each owner).
    struct Watched {
        var resources: Set<GroupResource> = []
        var informers: [SharedInformer<PartialObjectMetadata>] = []
        var byKind: [GroupKind: ResourceDescriptor] = [:]
    }

    struct GroupKind: Hashable {
        var group: String
        var kind: String
    }
    let ignored: Set<GroupResource>

    /// - Parameters:
    ///   - client: acts for the collector (needs get, list, watch, patch and delete on every type).
    ///   - informers: where the metadata informers are shared.
    ///   - workers: objects processed at once.
    ///   - ignoredResources: types never collected (Kubernetes ignores Events).
    public init(
        client: Client, informers: InformerFactory, clock: any Clock<Duration> = ContinuousClock(), workers: Int = 4,
        ignoredResources: Set<GroupResource> = [GroupResource(group: "", resource: "events")]
    ) {
        self.client = client
        self.informers = informers
        self.clock = clock
        self.workers = max(1, workers)
        self.ignored = ignoredResources
        queue = WorkQueue(name: "garbage-collector", clock: clock)
    }

    /// Nothing queued or being processed.
    public var isIdle: Bool { queue.count == 0 && queue.processingCount == 0 }

    /// Starts metadata informers for registered types not watched yet (run calls it at start and every 30 s;
    /// call it after registering a type to collect it at once). Returns the informers it started.
    @discardableResult
    public func refreshResources() -> [SharedInformer<PartialObjectMetadata>] {
        let registered = client.server.registeredResources
        // Claimed under one lock, so concurrent refreshes never add a type's handler twice.
        let new = watched.withLock { watched -> [ResourceDescriptor] in
            for descriptor in registered {
                watched.byKind[GroupKind(group: descriptor.group, kind: descriptor.kind)] = descriptor
            }
            return registered.filter { descriptor in
                !ignored.contains(descriptor.groupResource) && watched.resources.insert(descriptor.groupResource).inserted
            }
        }
        var started: [SharedInformer<PartialObjectMetadata>] = []
        for descriptor in new {
            let resource = descriptor.groupResource
            let metadataClient = client.metadata(resource)
            let informer = informers.informer(key: "metadata:\(resource)") {
                SharedInformer(listWatch: ListWatch(metadataClient), options: {
                    var options = InformerOptions<PartialObjectMetadata>()
                    options.clock = clock
                    return options
                }())
            }
            informer.addEventHandler(GraphHandler(collector: self, resource: resource))
            watched.withLock { $0.informers.append(informer) }
            started.append(informer)
        }
        if !started.isEmpty { informers.start() }
        return started
    }

    /// Whether every watched type's informer has synced.
    public func waitForSync() async -> Bool {
        for informer in watched.withLock({ $0.informers }) where !(await informer.waitForSync()) { return false }
        return true
    }

    public func run() async throws {
        refreshResources()
        _ = await waitForSync()
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for _ in 0..<workers {
                    group.addTask { await self.work() }
                }
                group.addTask {
                    // Types registered later are collected too (Kubernetes rediscovers every 30 s).
                    while (try? await self.clock.sleep(for: .seconds(30))) != nil {
                        self.refreshResources()
                    }
                }
            }
        } onCancel: {
            queue.shutDown()
        }
    }

    func work() async {
        while let uid = await queue.get() {
            do {
                try await process(uid)
                queue.forget(uid)
            } catch {
                queue.addRateLimited(uid)
            }
            queue.done(uid)
        }
    }

    // MARK: Graph events

    func observe(_ metadata: ObjectMeta, resource: GroupResource) {
        let node = OwnerGraph.Node(resource: resource, metadata: metadata)
        let (previous, waitingOwners) = graph.withLock { graph -> (OwnerGraph.Node?, [String]) in
            let previous = graph.upsert(node)
            // Owners this object no longer references may be waiting for it in the foreground.
            let dropped = (previous?.owners ?? []).filter { owner in !node.owners.contains { $0.uid == owner.uid } }
            return (previous, dropped.compactMap { graph.nodes[$0.uid]?.waitsForDependents == true ? $0.uid : nil })
        }
        // A node is what the collector acts on (owners, deletion, finalizers): any change may matter.
        if previous != node && (!node.owners.isEmpty || node.waitsForDependents || node.orphansDependents) {
            queue.add(node.uid)
        }
        for owner in waitingOwners { queue.add(owner) }
    }

    func forget(_ metadata: ObjectMeta) {
        let affected = graph.withLock { graph -> [String] in
            guard let node = graph.remove(uid: metadata.uid) else { return [] }
            // Dependents may have lost their last owner; owners may be waiting for this one.
            return Array(graph.dependents[node.uid] ?? []) + node.owners.map(\.uid).filter { graph.nodes[$0] != nil }
        }
        for uid in affected { queue.add(uid) }
    }

    // MARK: Processing

    enum OwnerState { case present, absent, waitingForDependents }

    func process(_ uid: String) async throws(APIError) {
        guard let node = graph.withLock({ $0.nodes[uid] }) else { return }
        if node.orphansDependents {
            try await orphanDependents(of: node)
            try await removeFinalizer(Self.orphanFinalizer, from: node)
            return
        }
        if node.waitsForDependents {
            try await processForegroundDeletion(of: node)
            return
        }
        if node.deleting || node.owners.isEmpty { return }

        var solid: [OwnerReference] = []
        var dangling: [OwnerReference] = []
        var waiting: [OwnerReference] = []
        for owner in node.owners {
            switch try await state(of: owner, dependent: node) {
            case .present: solid.append(owner)
            case .absent: dangling.append(owner)
            case .waitingForDependents: waiting.append(owner)
            }
        }
        if !solid.isEmpty {
            let stale = Set((dangling + waiting).map(\.uid))
            if !stale.isEmpty { try await removeOwnerReferences(stale, from: node) }
            return
        }
        let hasDependents = graph.withLock { !($0.dependents[uid] ?? []).isEmpty }
        let policy: PropagationPolicy
        if !waiting.isEmpty && hasDependents {
            policy = .foreground
        } else if node.finalizers.contains(Self.orphanFinalizer) {
            policy = .orphan
        } else if node.finalizers.contains(Self.foregroundFinalizer) {
            policy = .foreground
        } else {
            policy = .background
        }
        try await delete(node, policy: policy)
    }

    /// Whether an owner exists: from the graph, else by a live read (an informer may lag behind).
    func state(of owner: OwnerReference, dependent: OwnerGraph.Node) async throws(APIError) -> OwnerState {
        if let known = graph.withLock({ $0.nodes[owner.uid] }) {
            return known.waitsForDependents ? .waitingForDependents : .present
        }
        let group = OwnerReferences.group(ofAPIVersion: owner.apiVersion)
        guard let descriptor = watched.withLock({ $0.byKind[GroupKind(group: group, kind: owner.kind)] }) else {
            return .present  // a kind this server does not serve: never delete on doubt
        }
        let namespace = descriptor.isNamespaced ? dependent.namespace : ""
        do {
            let live = try await client.metadata(descriptor.groupResource, namespace: namespace).get(owner.name)
            guard live.metadata.uid == owner.uid else { return .absent }
            let waits = live.metadata.deletionTimestamp != nil
                && live.metadata.finalizers.contains(Self.foregroundFinalizer)
            return waits ? .waitingForDependents : .present
        } catch where error.code == 404 {
            return .absent
        }
    }

    func processForegroundDeletion(of owner: OwnerGraph.Node) async throws(APIError) {
        let dependents = graph.withLock { $0.dependentNodes(of: owner.uid) }
        let blocking = dependents.filter { dependent in
            dependent.owners.contains { $0.uid == owner.uid && $0.blockOwnerDeletion == true }
        }
        if blocking.isEmpty {
            try await removeFinalizer(Self.foregroundFinalizer, from: owner)
            return
        }
        // Each dependent, processed, sees an owner waiting for it and is deleted (in the foreground when it
        // has dependents of its own); its deletion brings the owner back here.
        for dependent in dependents where !dependent.deleting { queue.add(dependent.uid) }
    }

    func orphanDependents(of owner: OwnerGraph.Node) async throws(APIError) {
        for dependent in graph.withLock({ $0.dependentNodes(of: owner.uid) }) {
            try await removeOwnerReferences([owner.uid], from: dependent)
        }
    }

    func delete(_ node: OwnerGraph.Node, policy: PropagationPolicy) async throws(APIError) {
        let options = DeleteOptions(preconditions: Preconditions(uid: node.uid), propagationPolicy: policy)
        do {
            _ = try await client.metadata(node.resource, namespace: node.namespace).delete(node.name, options: options)
        } catch where error.code == 404 || error.code == 409 {
            // Gone already, or replaced by a new object of the same name (the uid precondition failed).
        }
    }

    /// Rewrites an object's owner references without `uids`, at the resourceVersion it was read at (a merge
    /// patch would otherwise replace the list blindly), retrying on conflicts.
    func removeOwnerReferences(_ uids: Set<String>, from node: OwnerGraph.Node) async throws(APIError) {
        try await rewriteMetadata(of: node) { (metadata: ObjectMeta) throws(APIError) -> JSONObject? in
            let kept = metadata.ownerReferences.filter { !uids.contains($0.uid) }
            guard kept.count != metadata.ownerReferences.count else { return nil }
            var patch = JSONObject()
            patch["ownerReferences"] = try Self.json(kept)
            return patch
        }
    }

    func removeFinalizer(_ finalizer: String, from node: OwnerGraph.Node) async throws(APIError) {
        try await rewriteMetadata(of: node) { (metadata: ObjectMeta) throws(APIError) -> JSONObject? in
            guard metadata.finalizers.contains(finalizer) else { return nil }
            var patch = JSONObject()
            patch["finalizers"] = .array(metadata.finalizers.filter { $0 != finalizer }.map { .string($0) })
            return patch
        }
    }

    /// Reads the object live, asks `change` for a metadata merge patch, and applies it at that
    /// resourceVersion; retries on conflict. Nothing to do when the object is gone or replaced.
    func rewriteMetadata(
        of node: OwnerGraph.Node, _ change: (ObjectMeta) throws(APIError) -> JSONObject?
    ) async throws(APIError) {
        let metadataClient = client.metadata(node.resource, namespace: node.namespace)
        for _ in 0..<10 {
            let current: PartialObjectMetadata
            do {
                current = try await metadataClient.get(node.name)
            } catch where error.code == 404 {
                return
            }
            guard current.metadata.uid == node.uid, var patch = try change(current.metadata) else { return }
            patch["resourceVersion"] = .string(current.metadata.resourceVersion)
            var body = JSONObject()
            body["metadata"] = .object(patch)
            do {
                _ = try await metadataClient.patch(node.name, type: .merge, .object(body))
                return
            } catch where error.code == 409 {
                continue
            } catch where error.code == 404 {
                return
            }
        }
        throw APIError.conflict(node.resource, name: node.name, detail: "the garbage collector kept conflicting")
    }

    static func json(_ references: [OwnerReference]) throws(APIError) -> JSONValue {
        do {
            return try JSONValueEncoder().encode(references)
        } catch {
            throw APIError.internalError("encoding owner references: \(error)")
        }
    }
}

/// Feeds a metadata informer's events into the collector's graph. Weak: the collector keeps its informers,
/// and they keep their handlers.
struct GraphHandler: ResourceEventHandler {
    weak let collector: GarbageCollector?
    let resource: GroupResource

    func onAdd(_ object: PartialObjectMetadata, isInInitialList: Bool) async {
        collector?.observe(object.metadata, resource: resource)
    }

    func onUpdate(old: PartialObjectMetadata, new: PartialObjectMetadata) async {
        if old.metadata.uid != new.metadata.uid { collector?.forget(old.metadata) }
        collector?.observe(new.metadata, resource: resource)
    }

    func onDelete(_ deleted: DeletedObject<PartialObjectMetadata>) async {
        collector?.forget(deleted.object.metadata)
    }
}

extension ListWatch where Object == PartialObjectMetadata {
    /// Lists and watches objects' metadata through a metadata client.
    public init(_ client: MetadataResourceClient) {
        self.init(
            list: { options async throws(APIError) in try await client.list(options) },
            watch: { options async throws(APIError) in try await client.watch(options) })
    }
}
