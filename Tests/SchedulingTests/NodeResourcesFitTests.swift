import APIMachinery
import Scheduling
import Testing

private let mebibyte: Int64 = 1024 * 1024

/// The seed's worked example: three workers with 1 CPU and 2 GiB allocatable each, partly used.
/// worker-1: 600m / 1536Mi used → 400m / 512Mi free; worker-2: 950m / 1Gi used → 50m / 1Gi free;
/// worker-3: 400m / 1Gi used → 600m / 1Gi free.
private let workers = [
    makeNodeInfo(makeNode("worker-1", cpu: "1", memory: "2Gi"), pods: [requesting("w1", cpu: "600m", memory: "1536Mi")]),
    makeNodeInfo(makeNode("worker-2", cpu: "1", memory: "2Gi"), pods: [requesting("w2", cpu: "950m", memory: "1Gi")]),
    makeNodeInfo(makeNode("worker-3", cpu: "1", memory: "2Gi"), pods: [requesting("w3", cpu: "400m", memory: "1Gi")]),
]
/// The pod of the worked example: 300m CPU, 256 MiB.
private let examplePod = PodInfo(requesting("web", cpu: "300m", memory: "256Mi"))

@Suite("NodeResourcesFit")
struct NodeResourcesFitTests {
    let plugin = NodeResourcesFit()

    func filter(_ pod: PodInfo, _ node: NodeInfo, plugin: NodeResourcesFit? = nil) -> PluginStatus {
        let plugin = plugin ?? self.plugin
        let state = CycleState()
        #expect(plugin.preFilter(state, pod, [node]).1.isSuccess)
        return plugin.filter(state, pod, node)
    }

    func scores(_ plugin: NodeResourcesFit, _ pod: PodInfo, _ nodes: [NodeInfo]) -> [Int64] {
        let state = CycleState()
        #expect(plugin.preScore(state, pod, nodes).isSuccess)
        return nodes.map { plugin.score(state, pod, $0) }
    }

    // MARK: Worked example

    @Test("worked example: 300m / 256Mi fits worker-1 and worker-3, not worker-2 (Insufficient cpu)")
    func workedExampleFilter() {
        #expect(filter(examplePod, workers[0]).isSuccess)  // 300m ≤ 400m, 256Mi ≤ 512Mi
        let status = filter(examplePod, workers[1])  // 300m > 50m; 256Mi ≤ 1Gi
        #expect(status.code == .unschedulable)
        #expect(status.reasons == ["Insufficient cpu"])
        #expect(filter(examplePod, workers[2]).isSuccess)  // 300m ≤ 600m, 256Mi ≤ 1Gi
    }

    @Test("worked example: LeastAllocated ranks worker-3 highest")
    func workedExampleScore() {
        // worker-1: cpu (1000 − (600 + 300))·100/1000 = 100·100/1000 = 10;
        //           memory (2048 − (1536 + 256))·100/2048 Mi = 256·100/2048 = 12 (12.5 truncated); (10 + 12)/2 = 11.
        // worker-3: cpu (1000 − 700)·100/1000 = 30; memory (2048 − 1280)·100/2048 = 37 (37.5); (30 + 37)/2 = 33.
        #expect(scores(plugin, examplePod, [workers[0], workers[2]]) == [11, 33])
        // worker-2 would score cpu 0 (1250m > 1000m), memory 37: (0 + 37)/2 = 18.
        #expect(scores(plugin, examplePod, [workers[1]]) == [18])
    }

    @Test("worked example through the framework: filter, then score the feasible nodes")
    func workedExampleFramework() throws {
        let framework = try Framework(Profile(schedulerName: "default-scheduler", plugins: [plugin]))
        let state = CycleState()
        #expect(framework.runPreFilter(state, examplePod, workers).1.isSuccess)
        let statuses = workers.map { framework.runFilter(state, examplePod, $0) }
        #expect(statuses.map(\.isSuccess) == [true, false, true])
        #expect(statuses[1].plugin == "NodeResourcesFit")
        #expect(statuses[1].message == "Insufficient cpu")
        let feasible = workers.indices.filter { statuses[$0].isSuccess }.map { workers[$0] }
        #expect(framework.runPreScore(state, examplePod, feasible).isSuccess)
        let totals = try framework.runScore(state, examplePod, feasible)
        #expect(totals == [11, 33])  // weight 1
        #expect(feasible[totals.firstIndex(of: totals.max()!)!].name == "worker-3")
    }

    // MARK: Filter

    @Test("every insufficient resource is listed, in kube-scheduler's order")
    func allReasons() {
        let node = makeNodeInfo(makeNode("n", cpu: "1", memory: "1Gi", pods: 1, extra: ["ephemeral-storage": "1Gi", "nvidia.com/gpu": "1"]),
            pods: [requesting("e", cpu: "100m", memory: "100Mi")])
        let pod = PodInfo(requesting("p", cpu: "2", memory: "2Gi",
            extra: ["ephemeral-storage": "2Gi", "nvidia.com/gpu": "2", "example.com/foo": "1"]))
        let status = filter(pod, node)
        #expect(status.code == .unschedulable)
        #expect(status.reasons == [
            "Too many pods", "Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage",
            "Insufficient example.com/foo", "Insufficient nvidia.com/gpu",
        ])
    }

    @Test("Too many pods applies even to a pod requesting nothing")
    func tooManyPods() {
        let node = makeNodeInfo(makeNode("n", pods: 2), pods: [makePod("a"), makePod("b")])
        let status = filter(PodInfo(makePod("p")), node)
        #expect(status.reasons == ["Too many pods"])
        #expect(filter(PodInfo(makePod("p")), makeNodeInfo(makeNode("n", pods: 3), pods: [makePod("a"), makePod("b")])).isSuccess)
    }

    @Test("a resource the pod does not request is ignored")
    func unrequestedIgnored() {
        // Memory fully used; the pod requests CPU only.
        let full = makeNodeInfo(makeNode("n", cpu: "2", memory: "1Gi"), pods: [requesting("e", cpu: "100m", memory: "1Gi")])
        #expect(filter(PodInfo(requesting("p", cpu: "500m", memory: nil)), full).isSuccess)
        #expect(filter(PodInfo(requesting("p", cpu: "500m", memory: "1Mi")), full).reasons == ["Insufficient memory"])
        // A best-effort pod requests nothing and fits anywhere with room for one more pod.
        let overcommitted = makeNodeInfo(makeNode("n", cpu: "1", memory: "1Gi"), pods: [requesting("e", cpu: "2", memory: "2Gi")])
        #expect(filter(PodInfo(makePod("p")), overcommitted).isSuccess)
    }

    @Test("a request equal to the free amount fits")
    func exactFit() {
        #expect(filter(PodInfo(requesting("p", cpu: "400m", memory: "512Mi")), workers[0]).isSuccess)
        #expect(filter(PodInfo(requesting("p", cpu: "401m", memory: "512Mi")), workers[0]).reasons == ["Insufficient cpu"])
    }

    @Test("scalar resources: free = allocatable − requested, 0 when the node lacks them")
    func scalars() {
        let gpuNode = makeNodeInfo(makeNode("n", extra: ["nvidia.com/gpu": "2", "hugepages-2Mi": "64Mi"]),
            pods: [requesting("e", cpu: nil, memory: nil, extra: ["nvidia.com/gpu": "1"])])
        #expect(filter(PodInfo(requesting("p", cpu: nil, memory: nil, extra: ["nvidia.com/gpu": "1"])), gpuNode).isSuccess)
        #expect(filter(PodInfo(requesting("p", cpu: nil, memory: nil, extra: ["nvidia.com/gpu": "2"])), gpuNode).reasons
            == ["Insufficient nvidia.com/gpu"])
        #expect(filter(PodInfo(requesting("p", cpu: nil, memory: nil, extra: ["hugepages-2Mi": "64Mi"])), gpuNode).isSuccess)
        #expect(filter(PodInfo(requesting("p", cpu: nil, memory: nil, extra: ["hugepages-2Mi": "66Mi"])), gpuNode).reasons
            == ["Insufficient hugepages-2Mi"])
        let plain = makeNodeInfo(makeNode("n"))
        let status = filter(PodInfo(requesting("p", cpu: "1", memory: nil, extra: ["nvidia.com/gpu": "1"])), plain)
        #expect(status.code == .unschedulable)
        #expect(status.reasons == ["Insufficient nvidia.com/gpu"])
    }

    @Test("ignored extended resources and resource groups are not checked")
    func ignored() throws {
        let pod = PodInfo(requesting("p", cpu: nil, memory: nil, extra: ["example.com/foo": "1", "vendor.io/bar": "1"]))
        let node = makeNodeInfo(makeNode("n"))
        #expect(filter(pod, node).reasons == ["Insufficient example.com/foo", "Insufficient vendor.io/bar"])
        let ignoringFoo = try NodeResourcesFit(scoringStrategy: .leastAllocated, ignoredResources: ["example.com/foo"])
        #expect(filter(pod, node, plugin: ignoringFoo).reasons == ["Insufficient vendor.io/bar"])
        let ignoringGroup = try NodeResourcesFit(scoringStrategy: .leastAllocated, ignoredResourceGroups: ["vendor.io"])
        #expect(filter(pod, node, plugin: ignoringGroup).reasons == ["Insufficient example.com/foo"])
        // Only extended resources can be ignored: hugepages are always checked.
        let hugepages = PodInfo(requesting("p", cpu: nil, memory: nil, extra: ["hugepages-2Mi": "2Mi"]))
        let ignoringHugepages = try NodeResourcesFit(scoringStrategy: .leastAllocated, ignoredResources: ["hugepages-2Mi"])
        #expect(filter(hugepages, node, plugin: ignoringHugepages).reasons == ["Insufficient hugepages-2Mi"])
    }

    @Test("Filter without PreFilter state computes the requests itself")
    func filterWithoutPreFilter() {
        #expect(plugin.filter(CycleState(), examplePod, workers[1]).reasons == ["Insufficient cpu"])
        #expect(plugin.filter(CycleState(), examplePod, workers[2]).isSuccess)
    }

    @Test("pod deletions and scale-downs, node additions and allocatable changes may help")
    func events() {
        let events = plugin.clusterEvents
        #expect(events.contains { $0.matches(ClusterEvent(.pod, .delete)) })
        #expect(events.contains { $0.matches(ClusterEvent(.pod, .updatePodScaleDown)) })
        #expect(events.contains { $0.matches(ClusterEvent(.node, .add)) })
        #expect(events.contains { $0.matches(ClusterEvent(.node, .updateNodeAllocatable)) })
        #expect(!events.contains { $0.matches(ClusterEvent(.pod, .add)) })
        #expect(!events.contains { $0.matches(ClusterEvent(.node, .updateNodeLabel)) })
    }

    // MARK: Score

    @Test("LeastAllocated counts non-zero requests for containers without CPU or memory requests")
    func leastAllocatedNonZero() {
        let node = makeNodeInfo(makeNode("n", cpu: "2", memory: "4Gi"), pods: [makePod("e")])
        // Node 100m + pod 100m = 200m: (2000 − 200)·100/2000 = 90.
        // Node 200Mi + pod 200Mi = 400Mi: (4096 − 400)·100/4096 = 369600/4096 = 90 (90.23 truncated).
        // (90 + 90)/2 = 90 (with actual requests, 0, it would be 100).
        #expect(scores(plugin, PodInfo(makePod("p")), [node]) == [90])
    }

    @Test("MostAllocated: min(requested, allocatable)·100/allocatable")
    func mostAllocated() throws {
        let most = try NodeResourcesFit(scoringStrategy: .mostAllocated)
        // worker-1: cpu 900·100/1000 = 90; memory 1792·100/2048 = 87 (87.5); (90 + 87)/2 = 88 (88.5 truncated).
        // worker-2: cpu 1250m > 1000m → 1000·100/1000 = 100; memory 1280·100/2048 = 62 (62.5); (100 + 62)/2 = 81.
        // worker-3: cpu 700·100/1000 = 70; memory 62; (70 + 62)/2 = 66.
        #expect(scores(most, examplePod, workers) == [88, 81, 66])
    }

    @Test("RequestedToCapacityRatio with the default shape (0,0)–(100,10): utilisation, rounded average")
    func requestedToCapacityRatioDefault() throws {
        let ratio = try NodeResourcesFit(scoringStrategy: .requestedToCapacityRatio())
        // Shape scaled ×10: (0,0)–(100,100), f(u) = u.
        // worker-1: cpu u = 900·100/1000 = 90; memory u = 1792·100/2048 = 87; (90 + 87)/2 = 88.5 → 89 (rounded).
        // worker-2: cpu over capacity → u = 100; memory u = 1280·100/2048 = 62; (100 + 62)/2 = 81.
        // worker-3: cpu u = 70, memory u = 62; 132/2 = 66.
        #expect(scores(ratio, examplePod, workers) == [89, 81, 66])
    }

    @Test("RequestedToCapacityRatio interpolates linearly with truncation and rounds the average")
    func requestedToCapacityRatioShape() throws {
        let spreading = try NodeResourcesFit(scoringStrategy: .requestedToCapacityRatio(shape: [
            .init(utilization: 0, score: 10), .init(utilization: 50, score: 5), .init(utilization: 100, score: 0),
        ]))
        // Scaled: (0,100), (50,50), (100,0).
        // worker-1: cpu u = 90: 50 + (0 − 50)·(90 − 50)/(100 − 50) = 50 − 2000/50 = 10;
        //           memory u = 87: 50 − 50·37/50 = 50 − 37 = 13; (10 + 13)/2 = 11.5 → 12.
        // worker-3: cpu u = 70: 50 − 50·20/50 = 30; memory u = 62: 50 − 50·12/50 = 38; (30 + 38)/2 = 34.
        #expect(scores(spreading, examplePod, [workers[0], workers[2]]) == [12, 34])
        let steep = try NodeResourcesFit(scoringStrategy: .requestedToCapacityRatio(shape: [
            .init(utilization: 0, score: 10), .init(utilization: 30, score: 4), .init(utilization: 100, score: 0),
        ]))
        // Scaled: (0,100), (30,40), (100,0).
        // worker-1: cpu u = 90: 40 + (−40·60)/70 = 40 + (−2400/70 = −34.3 → −34) = 6;
        //           memory u = 87: 40 + (−40·57)/70 = 40 + (−2280/70 = −32.6 → −32) = 8; (6 + 8)/2 = 7.
        #expect(scores(steep, examplePod, [workers[0]]) == [7])
        // Below the first point the first score holds, above the last the last.
        let plateau = try NodeResourcesFit(scoringStrategy: .requestedToCapacityRatio(shape: [
            .init(utilization: 20, score: 2), .init(utilization: 80, score: 8),
        ]))
        // worker-1: cpu u = 90 > 80 → 80; memory u = 87 → 80; 80.  worker-3: cpu 70 → 20 + 60·50/60 = 70;
        // memory 62 → 20 + 60·42/60 = 62; (70 + 62)/2 = 66.
        #expect(scores(plateau, examplePod, [workers[0], workers[2]]) == [80, 66])
    }

    @Test("RequestedToCapacityRatio leaves resources scoring 0 out of the average")
    func requestedToCapacityRatioZero() throws {
        let ratio = try NodeResourcesFit(scoringStrategy: .requestedToCapacityRatio())
        let huge = makeNodeInfo(makeNode("n", cpu: "1000", memory: "1Gi"))
        // cpu u = 100·100/1000000 = 0 → score 0, left out; memory u = 512·100/1024 = 50 → 50; 50/1 = 50 (not 25).
        #expect(scores(ratio, PodInfo(requesting("p", cpu: "100m", memory: "512Mi")), [huge]) == [50])
    }

    @Test("configured resources and weights, including an extended resource")
    func weightedResources() throws {
        let gpu = try NodeResourcesFit(scoringStrategy: .leastAllocated, resources: [
            .init(name: "cpu", weight: 1), .init(name: "memory", weight: 1), .init(name: "nvidia.com/gpu", weight: 2),
        ])
        let node = makeNodeInfo(makeNode("n", cpu: "4", memory: "8Gi", extra: ["nvidia.com/gpu": "4"]),
            pods: [requesting("e", cpu: "1", memory: "2Gi", extra: ["nvidia.com/gpu": "1"])])
        // cpu (4000 − 2000)·100/4000 = 50; memory (8 − 4)·100/8 = 50; gpu (4 − 3)·100/4 = 25;
        // (50·1 + 50·1 + 25·2)/(1 + 1 + 2) = 150/4 = 37 (37.5 truncated).
        #expect(scores(gpu, PodInfo(requesting("p", cpu: "1", memory: "2Gi", extra: ["nvidia.com/gpu": "2"])), [node]) == [37])
        // A pod not requesting the GPU leaves it out: (50 + 50)/2 = 50.
        #expect(scores(gpu, PodInfo(requesting("p", cpu: "1", memory: "2Gi")), [node]) == [50])
        // A node without the GPU leaves it out too.
        let plain = makeNodeInfo(makeNode("m", cpu: "4", memory: "8Gi"), pods: [requesting("e", cpu: "1", memory: "2Gi")])
        #expect(scores(gpu, PodInfo(requesting("p", cpu: "1", memory: "2Gi", extra: ["nvidia.com/gpu": "2"])), [plain]) == [50])
        // MostAllocated with the same weights: cpu 50, memory 50, gpu 3·100/4 = 75; (50 + 50 + 150)/4 = 62 (62.5).
        let packing = try NodeResourcesFit(scoringStrategy: .mostAllocated, resources: gpu.resources)
        #expect(scores(packing, PodInfo(requesting("p", cpu: "1", memory: "2Gi", extra: ["nvidia.com/gpu": "2"])), [node]) == [62])
    }

    @Test("a resource with no allocatable on the node is left out; none left scores 0")
    func zeroAllocatable() throws {
        let node = makeNodeInfo(makeNode("n", cpu: "1", memory: "0"))
        // memory left out: cpu (1000 − 250)·100/1000 = 75.
        #expect(scores(plugin, PodInfo(requesting("p", cpu: "250m", memory: "1Mi")), [node]) == [75])
        let storage = try NodeResourcesFit(scoringStrategy: .leastAllocated, resources: [.init(name: "ephemeral-storage")])
        #expect(scores(storage, PodInfo(requesting("p", cpu: "250m", memory: nil)), [node]) == [0])
    }

    @Test("Score without PreScore state computes the requests itself")
    func scoreWithoutPreScore() {
        #expect(plugin.score(CycleState(), examplePod, workers[2]) == 33)
    }

    @Test("configuration is validated as kube-scheduler does")
    func validation() throws {
        #expect(throws: SchedulingError.self) {
            try NodeResourcesFit(scoringStrategy: .leastAllocated, resources: [.init(name: "cpu", weight: 101)])
        }
        #expect(throws: SchedulingError.self) {
            try NodeResourcesFit(scoringStrategy: .leastAllocated, resources: [.init(name: "cpu", weight: -1)])
        }
        #expect(throws: SchedulingError.self) { try NodeResourcesFit(scoringStrategy: .requestedToCapacityRatio(shape: [])) }
        #expect(throws: SchedulingError.self) {
            try NodeResourcesFit(scoringStrategy: .requestedToCapacityRatio(shape: [
                .init(utilization: 50, score: 1), .init(utilization: 50, score: 2),
            ]))
        }
        #expect(throws: SchedulingError.self) {
            try NodeResourcesFit(scoringStrategy: .requestedToCapacityRatio(shape: [.init(utilization: 0, score: 11)]))
        }
        #expect(throws: SchedulingError.self) {
            try NodeResourcesFit(scoringStrategy: .requestedToCapacityRatio(shape: [.init(utilization: 101, score: 1)]))
        }
        #expect(throws: SchedulingError.self) {
            try NodeResourcesFit(scoringStrategy: .leastAllocated, ignoredResourceGroups: ["example.com/foo"])
        }
        // Weight 0 defaults to 1; no resources default to cpu and memory.
        let defaulted = try NodeResourcesFit(scoringStrategy: .leastAllocated, resources: [.init(name: "cpu", weight: 0)])
        #expect(defaulted.resources == [.init(name: "cpu", weight: 1)])
        #expect(try NodeResourcesFit(scoringStrategy: .mostAllocated, resources: []).resources == NodeResourcesFit.defaultResources)
        #expect(NodeResourcesFit().scoringStrategy == .leastAllocated)
        #expect(NodeResourcesFit().resources == NodeResourcesFit.defaultResources)
    }

    @Test("memory sizes in the example are what the arithmetic assumes")
    func exampleSizes() {
        #expect(workers[0].requested.memory == 1536 * mebibyte)
        #expect(workers[0].allocatable.memory == 2048 * mebibyte)
        #expect(examplePod.nonZeroRequests == examplePod.requests)
    }
}
