public import APIMachinery

/// A node and the pods on it (bound or assumed), with their sums kept incrementally: what every filter and
/// score reads. A value: a snapshot holds copies, and preemption edits a copy to try removing victims.
public struct NodeInfo: Sendable {
    public private(set) var node: Node
    public let name: String
    public private(set) var pods: [PodInfo] = []
    /// Pods with any pod affinity or anti-affinity term (InterPodAffinity's existing-pod side).
    public private(set) var podsWithAffinity: [PodInfo] = []
    /// Pods with a required anti-affinity term.
    public private(set) var podsWithRequiredAntiAffinity: [PodInfo] = []
    public private(set) var usedPorts: [HostPort] = []
    /// The sum of the pods' effective requests.
    public private(set) var requested = Resource()
    /// The same with defaults for containers that request no CPU or memory (for scoring).
    public private(set) var nonZeroRequested = Resource()
    public private(set) var allocatable: Resource
    /// Images on the node by every name they go by, with size and how many nodes hold them.
    public internal(set) var imageStates: [String: ImageStateSummary] = [:]
    /// Bumped on every change; a snapshot copies only node infos that changed since it last looked.
    public internal(set) var generation: UInt64 = 0

    /// The node's labels and taints, read out once per node change: every Filter and Score call reads them,
    /// and going through the node's metadata each time costs more than the check itself.
    public private(set) var labels: [String: String]
    public private(set) var taints: [Taint]

    public init(_ node: Node) {
        self.node = node
        name = node.metadata.name
        allocatable = Resource(node.status?.allocatable)
        labels = node.metadata.labels
        taints = node.spec?.taints ?? []
    }

    /// Replaces the node object (labels, taints, allocatable) and keeps the pods.
    public mutating func setNode(_ node: Node) {
        self.node = node
        allocatable = Resource(node.status?.allocatable)
        labels = node.metadata.labels
        taints = node.spec?.taints ?? []
    }

    /// Adds a pod and its requests and ports.
    public mutating func add(_ pod: PodInfo) {
        pods.append(pod)
        if pod.hasAffinityTerms { podsWithAffinity.append(pod) }
        if !pod.requiredAntiAffinityTerms.isEmpty { podsWithRequiredAntiAffinity.append(pod) }
        requested += pod.requests
        nonZeroRequested += pod.nonZeroRequests
        usedPorts += pod.hostPorts
    }

    /// Removes the pod with `uid`; returns false when the node has none.
    @discardableResult
    public mutating func remove(uid: String) -> Bool {
        guard let index = pods.firstIndex(where: { $0.uid == uid }) else { return false }
        let pod = pods.remove(at: index)
        if pod.hasAffinityTerms { podsWithAffinity.removeAll { $0.uid == uid } }
        if !pod.requiredAntiAffinityTerms.isEmpty { podsWithRequiredAntiAffinity.removeAll { $0.uid == uid } }
        requested -= pod.requests
        nonZeroRequested -= pod.nonZeroRequests
        for port in pod.hostPorts {
            if let used = usedPorts.firstIndex(of: port) { usedPorts.remove(at: used) }
        }
        return true
    }

    /// Whether `port` conflicts with a host port in use on the node.
    public func portConflicts(_ port: HostPort) -> Bool {
        usedPorts.contains { $0.conflicts(with: port) }
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
