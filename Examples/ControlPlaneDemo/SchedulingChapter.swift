import APIMachinery
import Scheduling
import Store

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chapter 5 of the demo: the scheduler. First the seed's worked example — three workers with 400m, 50m and
/// 600m of CPU free and a pod asking for 300m / 256Mi — taken apart on a bare snapshot: which filter rejects
/// which node and why, each plugin's score, and the winner; then the same through a running `Scheduler`
/// bound to an API server on the embedded store, plus a pod too big for any worker. Second, 30 replicas of an
/// app with a zone topology spread constraint over 12 nodes in three zones of unequal size.
struct SchedulingChapter {
    func show(_ text: String) { print(text) }

    func run() async -> Bool {
        var template = Array("/tmp/control-plane-demo-scheduling-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return false }
        let directory = String(cString: made)
        defer { _ = system("rm -rf '\(directory)'") }
        do {
            show("== 5. Scheduling: filters, scores and a topology spread")
            let example = try await workedExample(directory: directory)
            let spread = try await spreadExample()
            return example && spread
        } catch {
            show("   unexpected: \(error)")
            return false
        }
    }

    // MARK: The worked example

    /// The three workers: their allocatable is what the seed's story calls free.
    static let workers = [
        node("worker-1", cpu: "400m", memory: "512Mi"),
        node("worker-2", cpu: "50m", memory: "512Mi"),
        node("worker-3", cpu: "600m", memory: "1Gi"),
    ]

    func workedExample(directory: String) async throws -> Bool {
        let web = Self.pod("web", cpu: "300m", memory: "256Mi")
        show("   a) pod web asks for 300m CPU / 256Mi; the workers have free: "
            + Self.workers.map { "\($0.metadata.name) \(Self.free($0))" }.joined(separator: ", "))
        let expected = try analyse(web)
        return try await throughScheduler(web, expected: expected, directory: directory)
    }

    /// Runs the default profile's plugins one by one on a snapshot of the workers and prints what each says;
    /// returns the node `SchedulingAlgorithm` picks (after checking it agrees with the per-plugin sums).
    func analyse(_ pod: Pod) throws -> String? {
        let profile = Profile.defaultProfile()
        let snapshot = Snapshot(Self.workers.map { NodeInfo($0) })
        let info = PodInfo(pod)
        let state = CycleState()

        var skipped: [String] = []
        for plugin in profile.plugins.compactMap({ $0 as? any PreFilterPlugin }) {
            let (_, status) = plugin.preFilter(state, info, snapshot.nodes)
            if status.code == .skip { skipped.append(plugin.name) }
        }
        let filters = profile.plugins.compactMap { $0 as? any FilterPlugin }.filter { !skipped.contains($0.name) }
        show("      filters: \(filters.map(\.name).joined(separator: ", "))")
        if !skipped.isEmpty { show("      (\(skipped.joined(separator: ", ")): nothing to check for this pod)") }
        var feasible: [NodeInfo] = []
        for node in snapshot.nodes {
            let rejections = filters.compactMap { plugin -> String? in
                let status = plugin.filter(state, info, node)
                return status.isSuccess ? nil : "\(plugin.name) says \"\(status.message)\" (\(status.code))"
            }
            if rejections.isEmpty {
                feasible.append(node)
                show("      \(node.name): passes all \(filters.count) filters")
            } else {
                show("      \(node.name): rejected — \(rejections.joined(separator: "; "))")
            }
        }
        guard feasible.count > 1 else { return feasible.first?.name }

        // Scores: each plugin's normalised score times its weight, as the framework sums them.
        state.write(SnapshotNodeCount(count: snapshot.nodes.count))
        var scoreSkipped = Set<String>()
        for plugin in profile.plugins.compactMap({ $0 as? any PreScorePlugin }) {
            if plugin.preScore(state, info, feasible).code == .skip { scoreSkipped.insert(plugin.name) }
        }
        var rows: [(plugin: String, weight: Int64, scores: [Int64])] = []
        for plugin in profile.plugins.compactMap({ $0 as? any ScorePlugin }) where !scoreSkipped.contains(plugin.name) {
            var scores = feasible.map { NodeScore(name: $0.name, score: plugin.score(state, info, $0)) }
            if plugin.normalizesScores { _ = plugin.normalize(state, info, &scores) }
            rows.append((plugin.name, profile.scoreWeights[plugin.name] ?? 1, scores.map(\.score)))
        }
        let totals = feasible.indices.map { index in rows.reduce(Int64(0)) { $0 + $1.weight * $1.scores[index] } }
        let width = rows.map { $0.plugin.count + 4 }.max()! + 2
        show("      scores: each plugin's normalised score (0–100) × its weight")
        show("        \("".padding(width))" + feasible.map { $0.name.leftPadding(12) }.joined())
        for row in rows {
            show("        \("\(row.plugin) ×\(row.weight)".padding(width))"
                + row.scores.map { "\($0) → \($0 * row.weight)".leftPadding(12) }.joined())
        }
        show("        \("total".padding(width))" + totals.map { "\($0)".leftPadding(12) }.joined())
        if !scoreSkipped.isEmpty {
            show("        (\(scoreSkipped.sorted().joined(separator: ", ")) skipped: nothing to score for this pod)")
        }

        let result = try SchedulingAlgorithm(seed: 7).schedule(info, framework: Framework(profile), state: CycleState(),
            snapshot: snapshot)
        let winner = totals.indices.max { totals[$0] < totals[$1] }!
        guard result.suggestedHost == feasible[winner].name,
            result.scores.first?.score == totals[winner]
        else {
            show("      SchedulingAlgorithm picked \(result.suggestedHost) (\(result.scores.first?.score ?? 0)), "
                + "NOT what the plugins' sums say")
            return nil
        }
        // Why: the plugin that separates the winner most from the runner-up.
        let runnerUp = totals.indices.filter { $0 != winner }.max { totals[$0] < totals[$1] }!
        let decisive = rows.max { a, b in
            a.weight * (a.scores[winner] - a.scores[runnerUp]) < b.weight * (b.scores[winner] - b.scores[runnerUp])
        }!
        let winnerNode = feasible[winner]
        let runnerNode = feasible[runnerUp]
        show("      \(winnerNode.name) wins with \(totals[winner]) against \(totals[runnerUp]) for \(runnerNode.name) "
            + "(SchedulingAlgorithm agrees);")
        show("      \(decisive.plugin) makes the difference, "
            + "\(decisive.scores[winner]) against \(decisive.scores[runnerUp])"
            + (decisive.plugin == "NodeResourcesFit"
                ? " — least allocated: after the pod \(winnerNode.name) keeps \(Self.left(winnerNode, info)) free, "
                    + "\(runnerNode.name) only \(Self.left(runnerNode, info))"
                : ""))
        return result.suggestedHost
    }

    /// The worked example again, through a `Scheduler` watching an API server on the embedded store.
    func throughScheduler(_ web: Pod, expected: String?, directory: String) async throws -> Bool {
        let store = try await KeyValueStore.open(directory: directory)
        let server = APIServer(store: store)
        defer { server.close() }
        let client = server.client()
        try await server.createSystemNamespaces()
        for worker in Self.workers { _ = try await client.resource(Node.self).create(worker) }
        var options = SchedulerOptions(profiles: [.defaultProfile()])
        options.seed = 7
        let scheduler = try Scheduler(client: client, options: options)
        let running = Task { try await scheduler.run() }
        let pods = client.resource(Pod.self, namespace: "default")

        _ = try await pods.create(web)
        let bound = try await poll { try await pods.get("web").spec?.nodeName.flatMap { $0.isEmpty ? nil : $0 } }
        let scheduled = try await pods.get("web").status?.conditions?.first { $0.type == "PodScheduled" }
        show("      the same through a Scheduler on an API server (embedded store): web bound to "
            + "\(bound ?? "nothing"), PodScheduled=\(scheduled?.status ?? "?")")

        _ = try await pods.create(Self.pod("huge", cpu: "2", memory: "256Mi"))
        let condition = try await poll { () async throws -> PodCondition? in
            let condition = try await pods.get("huge").status?.conditions?.first { $0.type == "PodScheduled" }
            return condition?.status == "False" ? condition : nil
        }
        // kube-scheduler's message: the filters' summary, then what preemption found (nothing to evict here).
        let message = condition?.message ?? ""
        let summary = message.split(separator: " preemption: ", maxSplits: 1)
        show("      pod huge asks for 2 CPUs: PodScheduled=False, reason \(condition?.reason ?? "none"): "
            + (summary.first ?? ""))
        if summary.count > 1 { show("        preemption: \(summary[1])") }
        running.cancel()
        _ = await running.result
        await store.close()
        return expected != nil && bound == expected && condition?.reason == "Unschedulable"
            && message.hasPrefix("0/3 nodes are available: 3 Insufficient cpu.")
    }

    // MARK: Topology spread

    /// 12 nodes in three zones of 6, 4 and 2 nodes; 30 replicas of `menu` that must not differ by more than
    /// one pod between zones. Least-allocated scoring alone would put more of them in the big zone.
    func spreadExample() async throws -> Bool {
        let zones = [("zone-a", 6), ("zone-b", 4), ("zone-c", 2)]
        var nodes: [Node] = []
        for (zone, count) in zones {
            for index in 1...count {
                nodes.append(Self.node("node-\(zone.suffix(1))\(index)", cpu: "4", memory: "8Gi",
                    labels: ["topology.kubernetes.io/zone": zone]))
            }
        }
        let replicas = 30
        show("   b) \(replicas) replicas of menu (250m / 256Mi, zone spread maxSkew 1, DoNotSchedule) on "
            + "\(nodes.count) nodes: " + zones.map { "\($0.0) \($0.1) nodes" }.joined(separator: ", "))

        let store = try await KeyValueStore.inMemory()
        let server = APIServer(store: store)
        defer { server.close() }
        let client = server.client()
        try await server.createSystemNamespaces()
        for node in nodes { _ = try await client.resource(Node.self).create(node) }
        var options = SchedulerOptions(profiles: [.defaultProfile()])
        options.seed = 7
        let scheduler = try Scheduler(client: client, options: options)
        let running = Task { try await scheduler.run() }
        let pods = client.resource(Pod.self, namespace: "default")
        let started = ContinuousClock.now
        for index in 0..<replicas { _ = try await pods.create(Self.menuReplica(index, spread: true)) }
        let placed = try await poll { () async throws -> [String: Int]? in
            let items = try await pods.list(ListOptions(labelSelector: "app=menu")).items
            let names = items.compactMap { $0.spec?.nodeName }.filter { !$0.isEmpty }
            guard names.count == replicas else { return nil }
            return names.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        }
        let elapsed = started.duration(to: ContinuousClock.now)
        running.cancel()
        _ = await running.result
        await store.close()
        guard let placed else {
            show("      not every replica was bound")
            return false
        }
        show("      all \(replicas) bound in \(elapsed.wholeMilliseconds) ms:")
        var perZone: [Int] = []
        for (zone, _) in zones {
            let zoneNodes = nodes.filter { $0.metadata.labels["topology.kubernetes.io/zone"] == zone }
            let counts = zoneNodes.map { placed[$0.metadata.name] ?? 0 }
            perZone.append(counts.reduce(0, +))
            show("      \(zone)  " + zip(zoneNodes, counts).map { node, count in
                node.metadata.name + " " + String(repeating: "■", count: count)
                    + String(repeating: "·", count: max(0, 5 - count))
            }.joined(separator: "  ") + "   = \(counts.reduce(0, +))")
        }
        let skew = perZone.max()! - perZone.min()!
        let unconstrained = try placeWithoutConstraint(nodes, replicas: replicas, zones: zones.map(\.0))
        show("      per zone \(perZone.map(String.init).joined(separator: " / ")): skew \(skew) (maxSkew 1); "
            + "without the constraint the default scoring alone would place "
            + unconstrained.map(String.init).joined(separator: " / "))
        return skew <= 1 && perZone.reduce(0, +) == replicas
    }

    /// Where the default profile puts the replicas without their spread constraint: the scheduling algorithm
    /// on an in-memory snapshot, each placement added before the next pod.
    func placeWithoutConstraint(_ nodes: [Node], replicas: Int, zones: [String]) throws -> [Int] {
        let framework = try Framework(Profile.defaultProfile())
        let algorithm = SchedulingAlgorithm(seed: 7)
        var infos = nodes.map { NodeInfo($0) }
        for index in 0..<replicas {
            let pod = PodInfo(Self.menuReplica(index, spread: false))
            let result = try algorithm.schedule(pod, framework: framework, state: CycleState(),
                snapshot: Snapshot(infos))
            let position = infos.firstIndex { $0.name == result.suggestedHost }!
            infos[position].add(PodInfo(Self.menuReplica(index, spread: false, nodeName: result.suggestedHost)))
        }
        return zones.map { zone in
            infos.filter { $0.labels["topology.kubernetes.io/zone"] == zone }.reduce(0) { $0 + $1.pods.count }
        }
    }

    // MARK: Helpers

    /// Polls `value` every 2 ms for up to 10 s; nil if it never answered.
    func poll<T>(_ value: () async throws -> T?) async throws -> T? {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let answer = try await value() { return answer }
            try await Task.sleep(for: .milliseconds(2))
        }
        return nil
    }

    static func node(_ name: String, cpu: Quantity, memory: Quantity, labels: [String: String] = [:]) -> Node {
        let allocatable: [String: Quantity] = ["cpu": cpu, "memory": memory, "pods": 110]
        var all = labels
        all["kubernetes.io/hostname"] = name
        return Node(metadata: ObjectMeta(name: name, labels: all),
            status: NodeStatus(capacity: allocatable, allocatable: allocatable))
    }

    static func pod(_ name: String, cpu: Quantity, memory: Quantity, labels: [String: String] = [:]) -> Pod {
        Pod(metadata: ObjectMeta(name: name, namespace: "default", labels: labels),
            spec: PodSpec(containers: [
                Container(name: "app", image: "registry.feastflow.io/\(name):1",
                    resources: ResourceRequirements(requests: ["cpu": cpu, "memory": memory]))
            ]))
    }

    /// Replica `index` of the menu app, with or without its zone spread constraint.
    static func menuReplica(_ index: Int, spread: Bool, nodeName: String? = nil) -> Pod {
        var pod = pod("menu-\(index)", cpu: "250m", memory: "256Mi", labels: ["app": "menu"])
        pod.metadata.uid = "menu-\(index)"
        pod.spec?.nodeName = nodeName
        if spread {
            pod.spec?.topologySpreadConstraints = [TopologySpreadConstraint(
                maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule",
                labelSelector: LabelSelector(matchLabels: ["app": "menu"]))]
        }
        return pod
    }

    /// `400m / 512Mi`.
    static func free(_ node: Node) -> String {
        let allocatable = node.status?.allocatable ?? [:]
        return "\(allocatable["cpu"]?.description ?? "0") / \(allocatable["memory"]?.description ?? "0")"
    }

    /// The share of CPU and memory left on `node` once `pod` is on it.
    static func left(_ node: NodeInfo, _ pod: PodInfo) -> String {
        func percent(_ allocatable: Int64, _ used: Int64) -> Int64 {
            allocatable > 0 ? max(0, allocatable - used) * 100 / allocatable : 0
        }
        let cpu = percent(node.allocatable.milliCPU, node.nonZeroRequested.milliCPU + pod.nonZeroRequests.milliCPU)
        let memory = percent(node.allocatable.memory, node.nonZeroRequested.memory + pod.nonZeroRequests.memory)
        return "\(cpu)% CPU / \(memory)% memory"
    }
}

extension String {
    /// Left-aligned in `width` columns.
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
    /// Right-aligned in `width` columns.
    func leftPadding(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}

extension Duration {
    var wholeMilliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }
}
