public import APIMachinery
import Synchronization

/// The scheduler's view of nodes and the pods on them, kept incrementally from informers, including pods
/// assumed on a node before their binding is confirmed (kube-scheduler's cache). Lock-guarded; a cycle
/// copies out a ``Snapshot`` with ``updateSnapshot(_:)``, which copies only node infos changed since.
public final class SchedulerCache: Sendable {
    struct PodState {
        var pod: PodInfo
        var nodeName: String
        var assumed: Bool
        var bindingFinished = false
    }

    struct State {
        var nodes: [String: NodeInfo] = [:]
        /// Node infos kept only for their pods after the node object was deleted.
        var ghosts: Set<String> = []
        var pods: [String: PodState] = [:]
        /// Image name → nodes that have it.
        var imageNodes: [String: Set<String>] = [:]
        var generation: UInt64 = 0
        /// Nodes changed since the last snapshot; a node added or deleted also sets `listChanged`.
        var dirty: Set<String> = []
        var listChanged = false
        var affinityChanged = false
    }

    private let state = Mutex(State())

    public init() {}

    // MARK: Nodes

    /// Adds or replaces a node.
    public func addNode(_ node: Node) {
        state.withLock { s in
            let name = node.metadata.name
            let previous = s.nodes[name]?.node
            if s.nodes[name] == nil {
                s.nodes[name] = NodeInfo(node)
                s.listChanged = true
            } else {
                if s.ghosts.remove(name) != nil { s.listChanged = true }
                s.nodes[name]!.setNode(node)
            }
            Self.updateImages(&s, node: name, old: previous, new: node)
            Self.touch(&s, name)
        }
    }

    /// Updates a node (same as ``addNode(_:)``).
    public func updateNode(_ node: Node) { addNode(node) }

    /// Removes a node; its pods stay accounted until they are deleted.
    public func removeNode(_ name: String) {
        state.withLock { s in
            guard let info = s.nodes[name] else { return }
            Self.updateImages(&s, node: name, old: info.node, new: nil)
            if info.pods.isEmpty {
                s.nodes[name] = nil
            } else {
                s.ghosts.insert(name)
            }
            s.listChanged = true
            s.dirty.remove(name)
        }
    }

    /// How many nodes the cache holds (without deleted nodes kept for their pods).
    public var nodeCount: Int { state.withLock { $0.nodes.count - $0.ghosts.count } }

    // MARK: Pods

    /// Assumes `pod` (with `spec.nodeName` set) runs on its node before binding completes.
    ///
    /// - Throws: ``SchedulingError`` when the pod is already in the cache.
    public func assume(_ pod: PodInfo) throws(SchedulingError) {
        try state.withLock { s throws(SchedulingError) in
            guard s.pods[pod.uid] == nil else {
                throw SchedulingError(.pluginFailed, "pod \(pod.key) is already in the cache, so can't be assumed")
            }
            Self.place(&s, pod)
            s.pods[pod.uid] = PodState(pod: pod, nodeName: pod.nodeName, assumed: true)
        }
    }

    /// Marks an assumed pod's binding as done (its confirmation by the informer may still be on its way).
    public func finishBinding(uid: String) {
        state.withLock { s in s.pods[uid]?.bindingFinished = true }
    }

    /// Removes an assumed pod whose binding failed.
    public func forget(uid: String) {
        state.withLock { s in
            guard let entry = s.pods[uid], entry.assumed else { return }
            Self.unplace(&s, entry)
            s.pods[uid] = nil
        }
    }

    /// Whether the pod is assumed and not yet confirmed.
    public func isAssumed(uid: String) -> Bool { state.withLock { $0.pods[uid]?.assumed ?? false } }

    /// A bound pod seen by the informer: confirms an assumed pod (moving it if it landed elsewhere) or adds it.
    public func addPod(_ pod: PodInfo) {
        state.withLock { s in
            if let entry = s.pods[pod.uid] {
                Self.unplace(&s, entry)
            }
            Self.place(&s, pod)
            s.pods[pod.uid] = PodState(pod: pod, nodeName: pod.nodeName, assumed: false)
        }
    }

    /// A bound pod changed (labels, resources): replaces it.
    public func updatePod(_ pod: PodInfo) { addPod(pod) }

    /// A bound pod was deleted.
    public func removePod(uid: String) {
        state.withLock { s in
            guard let entry = s.pods.removeValue(forKey: uid) else { return }
            Self.unplace(&s, entry)
        }
    }

    /// The pods the cache holds (bound and assumed).
    public var podCount: Int { state.withLock { $0.pods.count } }

    /// The node info called `name`, as the cache holds it now.
    public func nodeInfo(_ name: String) -> NodeInfo? { state.withLock { $0.nodes[name] } }

    // MARK: Snapshot

    /// Brings `snapshot` up to date: copies the node infos changed since it was last updated and rebuilds the
    /// node list (interleaving zones, like kube-scheduler's node tree) when nodes came or went. The cache
    /// tracks changes for one snapshot: keep one per cache (the scheduler's), and copy it for other uses.
    public func updateSnapshot(_ snapshot: inout Snapshot) {
        state.withLock { s in
            guard snapshot.generation != s.generation || s.listChanged || snapshot.nodes.isEmpty else { return }
            if s.listChanged || snapshot.nodes.count != s.nodes.count - s.ghosts.count {
                snapshot.nodes = Self.zoneInterleaved(s)
                snapshot.rebuildIndexes()
                s.listChanged = false
            } else {
                for name in s.dirty {
                    if let position = snapshot.index[name], let info = s.nodes[name] { snapshot.nodes[position] = info }
                }
                if s.affinityChanged { snapshot.rebuildAffinityLists() }
            }
            s.dirty.removeAll(keepingCapacity: true)
            s.affinityChanged = false
            snapshot.generation = s.generation
        }
    }

    // MARK: Internals

    private static func touch(_ s: inout State, _ name: String) {
        s.generation += 1
        s.nodes[name]?.generation = s.generation
        s.dirty.insert(name)
    }

    private static func place(_ s: inout State, _ pod: PodInfo) {
        let name = pod.nodeName
        if s.nodes[name] == nil {
            // A pod on a node the cache has not seen yet: keep it on a placeholder until the node arrives.
            var placeholder = NodeInfo(Node(metadata: ObjectMeta(name: name)))
            placeholder.generation = s.generation
            s.nodes[name] = placeholder
            s.ghosts.insert(name)
        }
        s.nodes[name]!.add(pod)
        if pod.hasAffinityTerms { s.affinityChanged = true }
        touch(&s, name)
    }

    private static func unplace(_ s: inout State, _ entry: PodState) {
        let name = entry.nodeName
        guard s.nodes[name] != nil else { return }
        s.nodes[name]!.remove(uid: entry.pod.uid)
        if entry.pod.hasAffinityTerms { s.affinityChanged = true }
        if s.ghosts.contains(name) && s.nodes[name]!.pods.isEmpty {
            s.nodes[name] = nil
            s.ghosts.remove(name)
            s.dirty.remove(name)
            s.generation += 1
            return
        }
        touch(&s, name)
    }

    /// Keeps the image-to-nodes map and every affected node's image summaries current.
    private static func updateImages(_ s: inout State, node: String, old: Node?, new: Node?) {
        func names(_ node: Node?) -> [String: Int64] {
            var result: [String: Int64] = [:]
            for image in node?.status?.images ?? [] {
                for name in image.names ?? [] { result[normalizedImageName(name)] = image.sizeBytes ?? 0 }
            }
            return result
        }
        let before = names(old)
        let after = names(new)
        guard before != after else { return }
        var affected = Set<String>()
        for name in before.keys where after[name] == nil {
            s.imageNodes[name]?.remove(node)
            if s.imageNodes[name]?.isEmpty == true { s.imageNodes[name] = nil }
            affected.formUnion(s.imageNodes[name] ?? [])
        }
        for name in after.keys where before[name] == nil {
            s.imageNodes[name, default: []].insert(node)
            affected.formUnion(s.imageNodes[name] ?? [])
        }
        affected.insert(node)
        for nodeName in affected where s.nodes[nodeName] != nil {
            var states: [String: ImageStateSummary] = [:]
            let images = nodeName == node ? after : names(s.nodes[nodeName]!.node)
            for (image, size) in images {
                states[image] = ImageStateSummary(size: size, numberOfNodes: s.imageNodes[image]?.count ?? 0)
            }
            s.nodes[nodeName]!.imageStates = states
            if nodeName != node { touch(&s, nodeName) }
        }
    }

    /// Nodes ordered zone by zone in turn (first of each zone, then second of each, …), each zone by name.
    private static func zoneInterleaved(_ s: State) -> [NodeInfo] {
        var zones: [String: [String]] = [:]
        for (name, info) in s.nodes where !s.ghosts.contains(name) {
            let labels = info.labels
            let zone = (labels["topology.kubernetes.io/region"] ?? "") + ":\u{0}:"
                + (labels["topology.kubernetes.io/zone"] ?? "")
            zones[zone, default: []].append(name)
        }
        let ordered = zones.keys.sorted().map { zones[$0]!.sorted() }
        var result: [NodeInfo] = []
        result.reserveCapacity(s.nodes.count)
        var position = 0
        while result.count < s.nodes.count - s.ghosts.count {
            for zone in ordered where position < zone.count { result.append(s.nodes[zone[position]]!) }
            position += 1
        }
        return result
    }
}

/// An image reference as kube-scheduler compares them: without a tag or digest, `:latest` is implied.
public func normalizedImageName(_ name: String) -> String {
    if name.contains("@") { return name }
    let lastComponent = name.split(separator: "/").last ?? Substring(name)
    return lastComponent.contains(":") ? name : name + ":latest"
}
