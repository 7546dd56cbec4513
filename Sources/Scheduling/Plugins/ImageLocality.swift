/// The number of nodes in the scheduling cycle's snapshot, which the framework runner writes into the
/// ``CycleState`` before PreScore: ImageLocality's spread factor divides by every node of the cluster, not
/// only the feasible ones PreScore sees.
public struct SnapshotNodeCount: Sendable, Hashable {
    public var count: Int

    public init(count: Int) {
        self.count = count
    }
}

/// Prefers nodes that already hold the pod's container images (kube-scheduler's `ImageLocality`).
///
/// For each container (init containers included) whose image, normalised as kube-scheduler does (no tag
/// and no digest → `:latest`), is on the node, the image adds `Int64(size · (nodesWithImage / totalNodes))`
/// (the spread factor damps images present everywhere, so pods do not pile onto one node). The sum is
/// clamped to [23 MiB, 1000 MiB × containers] and scaled: `100·(sum − 23 MiB)/(1000 MiB·containers − 23 MiB)`,
/// integer division. `totalNodes` is the snapshot's node count (``SnapshotNodeCount`` in the cycle state),
/// or the number of nodes PreScore gets when the runner did not write it (the spread factor is then capped
/// at 1, its value when every node holds the image).
public struct ImageLocality: PreScorePlugin, ScorePlugin {
    public let name = "ImageLocality"

    static let mebibyte: Int64 = 1024 * 1024
    /// Below this sum the score is 0.
    static let minThreshold: Int64 = 23 * mebibyte
    /// Per container: at or above this sum the score is 100.
    static let maxContainerThreshold: Int64 = 1000 * mebibyte

    public init() {}

    private struct PreScoreState: Sendable {
        var images: [String]
        var containers: Int
        var totalNodes: Int
    }

    public func preScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus {
        let totalNodes = state.read(SnapshotNodeCount.self)?.count ?? nodes.count
        state.write(Self.preScoreState(pod, totalNodes: totalNodes))
        return .success
    }

    private static func preScoreState(_ pod: PodInfo, totalNodes: Int) -> PreScoreState {
        let spec = pod.pod.spec
        let containers = (spec?.initContainers ?? []) + (spec?.containers ?? [])
        return PreScoreState(images: containers.map { normalized($0.image ?? "") }, containers: containers.count,
            totalNodes: max(totalNodes, 1))
    }

    /// An image reference as kube-scheduler compares them: `:latest` is added unless the last `:` comes after
    /// the last `/` (a tag, or a digest's algorithm separator).
    static func normalized(_ image: String) -> String {
        let utf8 = image.utf8
        let lastColon = utf8.lastIndex(of: UInt8(ascii: ":"))
        let lastSlash = utf8.lastIndex(of: UInt8(ascii: "/"))
        switch (lastColon, lastSlash) {
        case (nil, _): return image + ":latest"
        case (let colon?, let slash?) where colon < slash: return image + ":latest"
        default: return image
        }
    }

    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> Int64 {
        let stored = state.read(PreScoreState.self)
            ?? Self.preScoreState(pod, totalNodes: state.read(SnapshotNodeCount.self)?.count ?? 1)
        var sum: Int64 = 0
        if !node.imageStates.isEmpty {
            let total = Double(stored.totalNodes)
            for image in stored.images {
                guard let imageState = node.imageStates[image] else { continue }
                let spread = min(Double(imageState.numberOfNodes) / total, 1)
                sum += Int64(Double(imageState.size) * spread)
            }
        }
        return Self.priority(sum: sum, containers: stored.containers)
    }

    /// The clamped, scaled score of an image-size sum.
    static func priority(sum: Int64, containers: Int) -> Int64 {
        let maxThreshold = maxContainerThreshold * Int64(containers)
        let clamped = sum < minThreshold ? minThreshold : (sum > maxThreshold ? maxThreshold : sum)
        guard maxThreshold != minThreshold else { return 0 }
        return Framework.maxNodeScore * (clamped - minThreshold) / (maxThreshold - minThreshold)
    }
}
