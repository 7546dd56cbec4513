import APIMachinery
import Scheduling
import Testing

@Suite("NodeResourcesBalancedAllocation")
struct NodeResourcesBalancedAllocationTests {
    let plugin = NodeResourcesBalancedAllocation()

    func scores(_ pod: Pod, _ nodes: [NodeInfo], plugin: NodeResourcesBalancedAllocation? = nil) -> [Int64] {
        let plugin = plugin ?? self.plugin
        let state = CycleState()
        let info = PodInfo(pod)
        #expect(plugin.preScore(state, info, nodes).isSuccess)
        return nodes.map { plugin.score(state, info, $0) }
    }

    @Test("two resources: (1 − |f1 − f2|/2)·100")
    func twoResources() {
        let pod = requesting("p", cpu: "1", memory: "3Gi")
        let balanced = makeNodeInfo(makeNode("a", cpu: "4", memory: "8Gi"), pods: [requesting("e", cpu: "1", memory: "1Gi")])
        let skewed = makeNodeInfo(makeNode("b", cpu: "4", memory: "16Gi"), pods: [requesting("e", cpu: "1", memory: "1Gi")])
        // a: cpu 2000/4000 = 0.5, memory 4Gi/8Gi = 0.5: std 0 → 100.
        // b: cpu 0.5, memory 4Gi/16Gi = 0.25: std |0.5 − 0.25|/2 = 0.125 → (1 − 0.125)·100 = 87.5 → 87.
        #expect(scores(pod, [balanced, skewed]) == [100, 87])
    }

    @Test("fractions are capped at 1")
    func capped() {
        let node = makeNodeInfo(makeNode("n", cpu: "1", memory: "8Gi"), pods: [requesting("e", cpu: "2", memory: "1Gi")])
        // cpu min(3000/1000, 1) = 1; memory 4Gi/8Gi = 0.5: std 0.25 → 75.
        #expect(scores(requesting("p", cpu: "1", memory: "3Gi"), [node]) == [75])
    }

    @Test("actual requests, not the non-zero defaults")
    func actualRequests() {
        // The existing best-effort pod adds nothing; the pod requests CPU only.
        let node = makeNodeInfo(makeNode("n", cpu: "4", memory: "8Gi"), pods: [makePod("e")])
        // cpu 2000/4000 = 0.5, memory 0/8Gi = 0: std 0.25 → 75 (with 100m / 200 MiB defaults it would differ).
        #expect(scores(requesting("p", cpu: "2", memory: nil), [node]) == [75])
    }

    @Test("more than two resources: population standard deviation")
    func threeResources() {
        let plugin = NodeResourcesBalancedAllocation(resources: ["cpu", "memory", "ephemeral-storage"])
        let node = makeNodeInfo(makeNode("n", cpu: "4", memory: "16Gi", extra: ["ephemeral-storage": "8Gi"]))
        let pod = requesting("p", cpu: "2", memory: "4Gi", extra: ["ephemeral-storage": "6Gi"])
        // Fractions 0.5, 0.25, 0.75; mean 0.5; squared deviations 0, 0.0625, 0.0625: sum 0.125;
        // std = √(0.125/3) = √0.041667 = 0.20412; (1 − 0.20412)·100 = 79.59 → 79.
        #expect(scores(pod, [node], plugin: plugin) == [79])
    }

    @Test("a single resource has no spread")
    func oneResource() {
        let plugin = NodeResourcesBalancedAllocation(resources: ["cpu"])
        let node = makeNodeInfo(makeNode("n", cpu: "4", memory: "16Gi"))
        #expect(scores(requesting("p", cpu: "3", memory: "1Gi"), [node], plugin: plugin) == [100])
    }

    @Test("resources without allocatable, and scalars the pod does not request, are left out")
    func leftOut() {
        let plugin = NodeResourcesBalancedAllocation(resources: ["cpu", "memory", "nvidia.com/gpu"])
        let gpuNode = makeNodeInfo(makeNode("n", cpu: "4", memory: "16Gi", extra: ["nvidia.com/gpu": "4"]))
        // The pod requests no GPU: only cpu 0.5 and memory 0.25 count: std 0.125 → 87.
        #expect(scores(requesting("p", cpu: "2", memory: "4Gi"), [gpuNode], plugin: plugin) == [87])
        // With a GPU request: fractions 0.5, 0.25, 1/4 = 0.25; mean 1/3; deviations 1/6, −1/12, −1/12;
        // squares 1/36 + 1/144 + 1/144 = 6/144 = 1/24; std = √(1/72) = 0.11785; (1 − 0.11785)·100 = 88.2 → 88.
        #expect(scores(requesting("p", cpu: "2", memory: "4Gi", extra: ["nvidia.com/gpu": "1"]), [gpuNode], plugin: plugin) == [88])
        // A node without memory allocatable: only cpu counts → 100.
        let noMemory = makeNodeInfo(makeNode("m", cpu: "4", memory: "0"))
        #expect(scores(requesting("p", cpu: "2", memory: "4Gi"), [noMemory]) == [100])
    }

    @Test("best-effort pods skip the plugin")
    func bestEffort() throws {
        let node = makeNodeInfo(makeNode("n"))
        #expect(plugin.preScore(CycleState(), PodInfo(makePod("p")), [node]).code == .skip)
        // A pod requesting only a resource that is not balanced is best-effort for this plugin too.
        let gpuOnly = PodInfo(requesting("p", cpu: nil, memory: nil, extra: ["nvidia.com/gpu": "1"]))
        #expect(plugin.preScore(CycleState(), gpuOnly, [node]).code == .skip)
        let framework = try Framework(Profile(schedulerName: "default-scheduler", plugins: [plugin]))
        let state = CycleState()
        let pod = PodInfo(makePod("p"))
        #expect(framework.runPreScore(state, pod, [node]).isSuccess)
        #expect(try framework.runScore(state, pod, [node]) == [0])
    }

    @Test("Score without PreScore state computes the requests itself")
    func scoreWithoutPreScore() {
        let node = makeNodeInfo(makeNode("n", cpu: "4", memory: "16Gi"), pods: [requesting("e", cpu: "1", memory: "1Gi")])
        #expect(plugin.score(CycleState(), PodInfo(requesting("p", cpu: "1", memory: "3Gi")), node) == 87)
    }
}
