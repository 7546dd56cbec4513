import APIMachinery
@testable import Scheduling
import Testing

private let mebibyte: Int64 = 1024 * 1024

/// A pod whose containers (and init containers) run these images.
private func podRunning(_ images: [String], initImages: [String] = []) -> PodInfo {
    PodInfo(makePod("p", containers: images.map { _ in (nil, nil) }) { spec in
        for (index, image) in images.enumerated() { spec.containers![index].image = image }
        if !initImages.isEmpty {
            spec.initContainers = initImages.enumerated().map { index, image in
                var container = Container()
                container.name = "init\(index)"
                container.image = image
                return container
            }
        }
    })
}

/// A node holding images: normalised name → (size in MiB, number of nodes holding it).
private func nodeHolding(_ name: String, _ images: [String: (mebibytes: Int64, nodes: Int)]) -> NodeInfo {
    var info = makeNodeInfo(makeNode(name))
    info.imageStates = images.mapValues { ImageStateSummary(size: $0.mebibytes * mebibyte, numberOfNodes: $0.nodes) }
    return info
}

@Suite("ImageLocality")
struct ImageLocalityTests {
    let plugin = ImageLocality()

    func scores(_ pod: PodInfo, _ nodes: [NodeInfo], snapshotNodes: Int? = nil) -> [Int64] {
        let state = CycleState()
        if let snapshotNodes { state.write(SnapshotNodeCount(count: snapshotNodes)) }
        #expect(plugin.preScore(state, pod, nodes).isSuccess)
        return nodes.map { plugin.score(state, pod, $0) }
    }

    @Test("image names are normalised as kube-scheduler does")
    func normalization() {
        #expect(ImageLocality.normalized("nginx") == "nginx:latest")
        #expect(ImageLocality.normalized("nginx:1.25") == "nginx:1.25")
        #expect(ImageLocality.normalized("registry.example/team/app") == "registry.example/team/app:latest")
        #expect(ImageLocality.normalized("localhost:5000/app") == "localhost:5000/app:latest")
        #expect(ImageLocality.normalized("localhost:5000/app:v1") == "localhost:5000/app:v1")
        #expect(ImageLocality.normalized("app@sha256:0123abcd") == "app@sha256:0123abcd")
    }

    @Test("one container: size scaled by spread, clamped and scaled to 0–100")
    func oneContainer() {
        let pod = podRunning(["nginx"])
        let nodes = [
            nodeHolding("a", ["nginx:latest": (500, 2)]),
            nodeHolding("b", ["nginx:latest": (2000, 4)]),
            nodeHolding("c", ["nginx:latest": (10, 4)]),
            nodeHolding("d", ["other:latest": (900, 1)]),
        ]
        // Four nodes in the snapshot.
        // a: 500 MiB · 2/4 = 250 MiB; 100·(250 − 23)/(1000 − 23) = 22700/977 = 23 (23.2 truncated).
        // b: 2000 MiB · 4/4 = 2000 MiB, clamped to 1000 MiB → 100.
        // c: 10 MiB · 4/4 = 10 MiB, below 23 MiB → 0.
        // d: the pod's image is not there → 0.
        #expect(scores(pod, nodes, snapshotNodes: 4) == [23, 100, 0, 0])
    }

    @Test("several containers: sums, and the maximum grows with the container count")
    func severalContainers() {
        let pod = podRunning(["app:v1", "sidecar:v2"])
        let node = nodeHolding("a", ["app:v1": (600, 1), "sidecar:v2": (800, 2)])
        // Two nodes: app 600 · 1/2 = 300 MiB, sidecar 800 · 2/2 = 800 MiB; sum 1100 MiB;
        // 100·(1100 − 23)/(2·1000 − 23) = 107700/1977 = 54 (54.5 truncated).
        #expect(scores(pod, [node], snapshotNodes: 2) == [54])
    }

    @Test("init containers count, both for the sum and the maximum")
    func initContainers() {
        let pod = podRunning(["app:v1"], initImages: ["migrate:v1"])
        let node = nodeHolding("a", ["migrate:v1": (1500, 1)])
        // One node: 1500 MiB; two containers: 100·(1500 − 23)/(2000 − 23) = 147700/1977 = 74 (74.7).
        #expect(scores(pod, [node], snapshotNodes: 1) == [74])
    }

    @Test("the spread divides by the snapshot's node count when the runner gives it")
    func snapshotCount() {
        let pod = podRunning(["nginx"])
        let feasible = [nodeHolding("a", ["nginx:latest": (1000, 2)])]
        // Snapshot of 10 nodes: 1000 · 2/10 = 200 MiB → 100·(200 − 23)/977 = 17700/977 = 18 (18.1).
        #expect(scores(pod, feasible, snapshotNodes: 10) == [18])
        // Without it, the nodes PreScore sees (1) are the total, and the spread is capped at 1:
        // 1000 MiB → 100.
        #expect(scores(pod, feasible) == [100])
        // Four feasible nodes, the image on two: 1000 · 2/4 = 500 MiB → 100·477/977 = 47700/977 = 48 (48.8).
        let four = feasible + [nodeHolding("b", [:]), nodeHolding("c", [:]), nodeHolding("d", ["nginx:latest": (1000, 2)])]
        #expect(scores(pod, four) == [48, 0, 0, 48])
    }

    @Test("an untagged image matches its :latest entry only")
    func tagMatching() {
        let node = nodeHolding("a", ["nginx:latest": (1000, 1)])
        #expect(scores(podRunning(["nginx"]), [node], snapshotNodes: 1) == [100])
        #expect(scores(podRunning(["nginx:latest"]), [node], snapshotNodes: 1) == [100])
        #expect(scores(podRunning(["nginx:1.25"]), [node], snapshotNodes: 1) == [0])
    }

    @Test("the clamp bounds: 23 MiB scores 0, 1000 MiB per container scores 100")
    func bounds() {
        #expect(ImageLocality.priority(sum: 23 * mebibyte, containers: 1) == 0)
        #expect(ImageLocality.priority(sum: 23 * mebibyte + 1, containers: 1) == 0)
        #expect(ImageLocality.priority(sum: 1000 * mebibyte, containers: 1) == 100)
        #expect(ImageLocality.priority(sum: 999 * mebibyte, containers: 1) == 99)  // 97600/977 = 99.9 → 99
        #expect(ImageLocality.priority(sum: 0, containers: 0) == 0)
    }

    @Test("Score without PreScore state still scores")
    func scoreWithoutPreScore() {
        let node = nodeHolding("a", ["nginx:latest": (2000, 3)])
        #expect(plugin.score(CycleState(), podRunning(["nginx"]), node) == 100)
    }
}
