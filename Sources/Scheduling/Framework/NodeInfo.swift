public import APIMachinery

/// A node and the pods on it (bound or assumed), with their sums kept incrementally: what every filter and
/// score reads. A value: a snapshot holds copies, and preemption edits a copy to try removing victims.
public struct NodeInfo: Sendable {
    /// Everything in one copy-on-write reference: a snapshot of thousands of nodes is copied whenever a
    /// cycle still holds the previous one, and copying a node info must then cost one retain, not one per
    /// field.
    private var storage: Storage

    /// The fields. Immutable once shared: mutations copy it first unless this value holds the only reference.
    private final class Storage: Sendable {
        // `nonisolated(unsafe) var`: written only through `NodeInfo`'s mutating members, which first make
        // the storage unique (isKnownUniquelyReferenced, else a copy), so no other value or thread can see
        // a write; shared storage is only ever read.
        nonisolated(unsafe) var node: Node
        let name: String
        nonisolated(unsafe) var pods: [PodInfo] = []
        nonisolated(unsafe) var podsWithAffinity: [PodInfo] = []
        nonisolated(unsafe) var podsWithRequiredAntiAffinity: [PodInfo] = []
        nonisolated(unsafe) var usedPorts: [HostPort] = []
        nonisolated(unsafe) var requested = Resource()
        nonisolated(unsafe) var nonZeroRequested = Resource()
        nonisolated(unsafe) var allocatable: Resource
        nonisolated(unsafe) var imageStates: [String: ImageStateSummary] = [:]
        nonisolated(unsafe) var generation: UInt64 = 0
        nonisolated(unsafe) var labels: [String: String]
        nonisolated(unsafe) var taints: [Taint]
        nonisolated(unsafe) var unschedulable: Bool

        init(_ node: Node) {
            self.node = node
            name = node.metadata.name
            allocatable = Resource(node.status?.allocatable)
            labels = node.metadata.labels
            taints = node.spec?.taints ?? []
            unschedulable = node.spec?.unschedulable == true
        }

        init(copying other: Storage) {
            node = other.node
            name = other.name
            pods = other.pods
            podsWithAffinity = other.podsWithAffinity
            podsWithRequiredAntiAffinity = other.podsWithRequiredAntiAffinity
            usedPorts = other.usedPorts
            requested = other.requested
            nonZeroRequested = other.nonZeroRequested
            allocatable = other.allocatable
            imageStates = other.imageStates
            generation = other.generation
            labels = other.labels
            taints = other.taints
            unschedulable = other.unschedulable
        }
    }

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
        return storage
    }

    public init(_ node: Node) {
        storage = Storage(node)
    }

    public var node: Node { storage.node }
    public var name: String { storage.name }
    public var pods: [PodInfo] { storage.pods }
    /// Pods with any pod affinity or anti-affinity term (InterPodAffinity's existing-pod side).
    public var podsWithAffinity: [PodInfo] { storage.podsWithAffinity }
    /// Pods with a required anti-affinity term.
    public var podsWithRequiredAntiAffinity: [PodInfo] { storage.podsWithRequiredAntiAffinity }
    public var usedPorts: [HostPort] { storage.usedPorts }
    /// The sum of the pods' effective requests.
    public var requested: Resource { storage.requested }
    /// The same with defaults for containers that request no CPU or memory (for scoring).
    public var nonZeroRequested: Resource { storage.nonZeroRequested }
    public var allocatable: Resource { storage.allocatable }
    /// Images on the node by every name they go by, with size and how many nodes hold them.
    public internal(set) var imageStates: [String: ImageStateSummary] {
        get { storage.imageStates }
        set { unique().imageStates = newValue }
    }
    /// Bumped on every change; a snapshot copies only node infos that changed since it last looked.
    public internal(set) var generation: UInt64 {
        get { storage.generation }
        set { unique().generation = newValue }
    }
    /// The node's labels and taints, read out once per node change: every Filter and Score call reads them,
    /// and going through the node's metadata each time costs more than the check itself.
    public var labels: [String: String] { storage.labels }
    public var taints: [Taint] { storage.taints }
    /// `spec.unschedulable` (cordoned).
    public var isUnschedulable: Bool { storage.unschedulable }

    /// Replaces the node object (labels, taints, allocatable) and keeps the pods.
    public mutating func setNode(_ node: Node) {
        let s = unique()
        s.node = node
        s.allocatable = Resource(node.status?.allocatable)
        s.labels = node.metadata.labels
        s.taints = node.spec?.taints ?? []
        s.unschedulable = node.spec?.unschedulable == true
    }

    /// Adds a pod and its requests and ports.
    public mutating func add(_ pod: PodInfo) {
        let s = unique()
        s.pods.append(pod)
        if pod.hasAffinityTerms { s.podsWithAffinity.append(pod) }
        if !pod.requiredAntiAffinityTerms.isEmpty { s.podsWithRequiredAntiAffinity.append(pod) }
        s.requested += pod.requests
        s.nonZeroRequested += pod.nonZeroRequests
        s.usedPorts += pod.hostPorts
    }

    /// Removes the pod with `uid`; returns false when the node has none.
    @discardableResult
    public mutating func remove(uid: String) -> Bool {
        guard let index = storage.pods.firstIndex(where: { $0.uid == uid }) else { return false }
        let s = unique()
        let pod = s.pods.remove(at: index)
        if pod.hasAffinityTerms { s.podsWithAffinity.removeAll { $0.uid == uid } }
        if !pod.requiredAntiAffinityTerms.isEmpty { s.podsWithRequiredAntiAffinity.removeAll { $0.uid == uid } }
        s.requested -= pod.requests
        s.nonZeroRequested -= pod.nonZeroRequests
        for port in pod.hostPorts {
            if let used = s.usedPorts.firstIndex(of: port) { s.usedPorts.remove(at: used) }
        }
        return true
    }

    /// Whether `port` conflicts with a host port in use on the node.
    public func portConflicts(_ port: HostPort) -> Bool {
        storage.usedPorts.contains { $0.conflicts(with: port) }
    }
}

/// An image on a node: its size and on how many nodes of the cluster it is.
public struct ImageStateSummary: Sendable, Hashable {
    public var size: Int64
    public var numberOfNodes: Int

    public init(size: Int64, numberOfNodes: Int) {
        self.size = size
        self.numberOfNodes = numberOfNodes
    }
}
