/// Prefers nodes whose resources would be used evenly with the pod on them (kube-scheduler's
/// `NodeResourcesBalancedAllocation`).
///
/// For each scored resource (default cpu and memory) the fraction `f = min(requested/allocatable, 1)` is
/// taken from actual requests (the node's plus the pod's; not the non-zero defaults), leaving out resources
/// the node has no allocatable of and scalar resources the pod does not request. The spread is
/// `|f1 − f2| / 2` for two fractions, the population standard deviation for more, 0 for one; the score is
/// `Int64((1 − std) · 100)` (truncated). PreScore skips the plugin for best-effort pods (pods requesting
/// none of the resources), so that they do not all pile onto the same node.
public struct NodeResourcesBalancedAllocation: PreScorePlugin, ScorePlugin {
    public let name = "NodeResourcesBalancedAllocation"

    public static let defaultResources = [Resource.Name.cpu, Resource.Name.memory]

    /// The resources balanced, by name.
    public let resources: [String]
    let allocation: ResourceAllocationScorer

    /// - Parameter resources: resource names (`cpu`, `memory`, `ephemeral-storage`, `nvidia.com/gpu`, …);
    ///   empty means ``defaultResources``.
    public init(resources: [String] = NodeResourcesBalancedAllocation.defaultResources) {
        let names = resources.isEmpty ? Self.defaultResources : resources
        self.resources = names
        allocation = ResourceAllocationScorer(names, weights: names.map { _ in 1 }, useRequested: true)
    }

    private struct PreScoreState: Sendable {
        var podRequests: [Int64]
    }

    public func preScore(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> PluginStatus {
        let podRequests = allocation.podRequests(pod)
        if podRequests.allSatisfy({ $0 == 0 }) { return .skip }
        state.write(PreScoreState(podRequests: podRequests))
        return .success
    }

    public func score(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> Int64 {
        let podRequests = state.read(PreScoreState.self)?.podRequests ?? allocation.podRequests(pod)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: podRequests.count) { fractions in
            var count = 0
            var total = 0.0
            for index in podRequests.indices {
                let (allocatable, requested) = allocation.allocatableAndRequested(index, podRequests[index], node)
                guard allocatable != 0 else { continue }
                let fraction = min(Double(requested) / Double(allocatable), 1)
                total += fraction
                fractions[count] = fraction
                count += 1
            }
            var std = 0.0
            if count == 2 {
                std = abs((fractions[0] - fractions[1]) / 2)
            } else if count > 2 {
                let mean = total / Double(count)
                var sum = 0.0
                for index in 0..<count {
                    let deviation = fractions[index] - mean
                    sum += deviation * deviation
                }
                std = (sum / Double(count)).squareRoot()
            }
            return Int64((1 - std) * Double(Framework.maxNodeScore))
        }
    }
}
