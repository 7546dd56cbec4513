/// The node infos one scheduling cycle sees: a consistent copy taken from the cache at the start of the
/// cycle. Only node infos that changed since the previous snapshot are copied.
public struct Snapshot: Sendable {
    /// Every node, in a stable order (the round-robin start offset walks this list).
    public internal(set) var nodes: [NodeInfo] = []
    /// Node name → index in ``nodes``.
    public internal(set) var index: [String: Int] = [:]
    /// Nodes with at least one pod with pod affinity or anti-affinity, and with required anti-affinity.
    public internal(set) var nodesWithAffinityPods: [Int] = []
    public internal(set) var nodesWithRequiredAntiAffinityPods: [Int] = []
    /// The cache generation this snapshot reflects.
    var generation: UInt64 = 0

    public init() {}

    /// A snapshot of exactly these node infos (for tests and tools).
    public init(_ nodes: [NodeInfo]) {
        self.nodes = nodes
        rebuildIndexes()
    }

    /// The node info called `name`.
    public subscript(name: String) -> NodeInfo? {
        guard let position = index[name] else { return nil }
        return nodes[position]
    }

    mutating func rebuildIndexes() {
        index.removeAll(keepingCapacity: true)
        for (position, node) in nodes.enumerated() { index[node.name] = position }
        rebuildAffinityLists()
    }

    mutating func rebuildAffinityLists() {
        nodesWithAffinityPods.removeAll(keepingCapacity: true)
        nodesWithRequiredAntiAffinityPods.removeAll(keepingCapacity: true)
        for (position, node) in nodes.enumerated() {
            if !node.podsWithAffinity.isEmpty { nodesWithAffinityPods.append(position) }
            if !node.podsWithRequiredAntiAffinity.isEmpty { nodesWithRequiredAntiAffinityPods.append(position) }
        }
    }
}
