import APIMachinery
import Informers
@testable import Scheduling
import Testing
import TestSupport

/// A pod with `priority` requesting `cpu`, started `started` seconds after the epoch (for tie-breaks).
private func lowPod(_ name: String, cpu: String, priority: Int32, started: Int64 = 100, node: String = "n1",
    labels: [String: String] = [:]) -> PodInfo
{
    var pod = makePod(name, containers: [(cpu, "1Gi")], labels: labels, nodeName: node, priority: priority)
    pod.status = PodStatus()
    pod.status?.startTime = Time(secondsSinceEpoch: started)
    return PodInfo(pod)
}

private func preemptor(cpu: String = "2", priority: Int32 = 1000, edit: (inout PodSpec) -> Void = { _ in }) -> PodInfo {
    PodInfo(makePod("preemptor", containers: [(cpu, "1Gi")], priority: priority, edit: edit))
}

private func budget(_ name: String, selecting labels: [String: String], allowed: Int32) -> PodDisruptionBudget {
    PodDisruptionBudget(metadata: ObjectMeta(name: name, namespace: "default"),
        spec: PodDisruptionBudgetSpec(selector: LabelSelector(matchLabels: labels)),
        status: PodDisruptionBudgetStatus(disruptionsAllowed: allowed))
}

private func resourceProfile() -> Profile {
    Profile(schedulerName: Profile.defaultSchedulerName,
        plugins: [PrioritySort(), TaintToleration(), NodeResourcesFit(), DefaultPreemption(seed: 1), DefaultBinder()])
}

/// Runs the filters the way a failed cycle does and returns the node statuses PostFilter gets.
private func filterStatuses(_ framework: Framework, _ state: CycleState, _ pod: PodInfo, _ snapshot: Snapshot)
    -> [String: PluginStatus]
{
    _ = framework.runPreFilter(state, pod, snapshot.nodes)
    var statuses: [String: PluginStatus] = [:]
    for node in snapshot.nodes {
        let status = framework.runFilter(state, pod, node)
        if !status.isSuccess { statuses[node.name] = status }
    }
    return statuses
}

@Suite("DefaultPreemption", .timeLimit(.minutes(2)))
struct DefaultPreemptionTests {
    let plugin = DefaultPreemption(seed: 1)

    func dryRun(_ pod: PodInfo, on node: NodeInfo, budgets: [PodDisruptionBudget] = []) throws -> VictimSelection {
        let framework = try Framework(resourceProfile())
        let state = CycleState()
        _ = framework.runPreFilter(state, pod, [node])
        return plugin.selectVictims(state, pod, on: node, framework: framework, nominated: [],
            budgets: DisruptionBudgetCheck.prepare(budgets))
    }

    @Test("victims are the fewest least important pods: the more important are reprieved first")
    func minimalVictims() throws {
        var node = NodeInfo(makeNode("n1", cpu: "4", memory: "16Gi"))
        for (index, priority) in [Int32(1), 2, 3, 4].enumerated() {
            node.add(lowPod("p\(priority)", cpu: "1", priority: priority, started: Int64(index)))
        }
        guard case .candidate(let candidate) = try dryRun(preemptor(cpu: "2"), on: node) else {
            Issue.record("n1 should be a candidate")
            return
        }
        // All removed: 4 free. Reprieve p4 (3 free), p3 (2 free), p2 would leave 1 < 2: victim; p1 too.
        #expect(candidate.victims.map(\.key.name) == ["p2", "p1"])
        #expect(candidate.disruptionBudgetViolations == 0)
    }

    @Test("pods of equal or higher priority are never victims; a node that still lacks room is no candidate")
    func higherPriorityPodsStay() throws {
        var node = NodeInfo(makeNode("n1", cpu: "4", memory: "16Gi"))
        node.add(lowPod("same", cpu: "2", priority: 1000))
        node.add(lowPod("higher", cpu: "1", priority: 5000))
        node.add(lowPod("low", cpu: "1", priority: 1))
        guard case .candidate(let candidate) = try dryRun(preemptor(cpu: "1"), on: node) else {
            Issue.record("n1 should be a candidate")
            return
        }
        #expect(candidate.victims.map(\.key.name) == ["low"])
        guard case .rejected(let status) = try dryRun(preemptor(cpu: "2"), on: node) else {
            Issue.record("evicting the only lower-priority pod frees 1 cpu; 2 are needed")
            return
        }
        #expect(status.reasons == ["Insufficient cpu"])
        var empty = NodeInfo(makeNode("n2", cpu: "4", memory: "16Gi"))
        empty.add(lowPod("mine", cpu: "4", priority: 2000, node: "n2"))
        guard case .rejected(let none) = try dryRun(preemptor(cpu: "1"), on: empty) else {
            Issue.record("no lower-priority pods: nothing to evict")
            return
        }
        #expect(none.reasons == [DefaultPreemption.noVictims])
    }

    @Test("a PodDisruptionBudget-protected pod is reprieved before an unprotected one of the same priority")
    func budgetProtectedPodsReprievedFirst() throws {
        var node = NodeInfo(makeNode("n1", cpu: "2", memory: "16Gi"))
        // `guarded` started later, so without the budget it would be the victim (less important).
        node.add(lowPod("plain", cpu: "1", priority: 1, started: 10))
        node.add(lowPod("guarded", cpu: "1", priority: 1, started: 20, labels: ["app": "db"]))
        let budgets = [budget("db", selecting: ["app": "db"], allowed: 0)]
        guard case .candidate(let protected) = try dryRun(preemptor(cpu: "1"), on: node, budgets: budgets) else {
            Issue.record("n1 should be a candidate")
            return
        }
        #expect(protected.victims.map(\.key.name) == ["plain"])
        #expect(protected.disruptionBudgetViolations == 0)
        guard case .candidate(let unprotected) = try dryRun(preemptor(cpu: "1"), on: node) else {
            Issue.record("n1 should be a candidate")
            return
        }
        #expect(unprotected.victims.map(\.key.name) == ["guarded"])
        // Needing both, the budget is violated once.
        guard case .candidate(let both) = try dryRun(preemptor(cpu: "2"), on: node, budgets: budgets) else {
            Issue.record("n1 should be a candidate")
            return
        }
        #expect(Set(both.victims.map(\.key.name)) == ["plain", "guarded"])
        #expect(both.disruptionBudgetViolations == 1)
        // A budget that still allows a disruption is not violated.
        let roomy = [budget("db", selecting: ["app": "db"], allowed: 1)]
        guard case .candidate(let allowed) = try dryRun(preemptor(cpu: "2"), on: node, budgets: roomy) else {
            Issue.record("n1 should be a candidate")
            return
        }
        #expect(allowed.disruptionBudgetViolations == 0)
    }

    @Test("budgets: empty selectors select nothing, other namespaces and already-disrupted pods do not count")
    func budgetMatching() {
        let pods = [lowPod("a", cpu: "1", priority: 1, labels: ["app": "x"]),
            lowPod("b", cpu: "1", priority: 1, labels: ["app": "x"])]
        var disrupted = budget("x", selecting: ["app": "x"], allowed: 0)
        disrupted.status?.disruptedPods = ["a": Time(secondsSinceEpoch: 1)]
        var elsewhere = budget("y", selecting: ["app": "x"], allowed: 0)
        elsewhere.metadata.namespace = "other"
        let empty = PodDisruptionBudget(metadata: ObjectMeta(name: "z", namespace: "default"),
            spec: PodDisruptionBudgetSpec(selector: LabelSelector()), status: PodDisruptionBudgetStatus(disruptionsAllowed: 0))
        let checks = DisruptionBudgetCheck.prepare([disrupted, elsewhere, empty])
        #expect(checks.count == 2)
        let split = DefaultPreemption.splitByBudgetViolation(pods, checks)
        #expect(split.violating.map(\.key.name) == ["b"])
        #expect(split.clean.map(\.key.name) == ["a"])
        // Allowed disruptions are counted down across pods.
        let two = DisruptionBudgetCheck.prepare([budget("x", selecting: ["app": "x"], allowed: 1)])
        let counted = DefaultPreemption.splitByBudgetViolation(pods, two)
        #expect(counted.clean.map(\.key.name) == ["a"])
        #expect(counted.violating.map(\.key.name) == ["b"])
    }

    @Test("node choice: fewest violations, lowest top priority, lowest sum, fewest victims, latest start")
    func pickOneNode() {
        func candidate(_ name: String, _ victims: [(Int32, Int64)], violations: Int = 0) -> PreemptionCandidate {
            PreemptionCandidate(nodeName: name,
                victims: victims.enumerated().map { lowPod("\(name)-\($0.offset)", cpu: "1", priority: $0.element.0,
                    started: $0.element.1, node: name) }.sorted(by: DefaultPreemption.moreImportant),
                disruptionBudgetViolations: violations)
        }
        #expect(plugin.selectCandidate([candidate("a", [(1, 0)], violations: 1), candidate("b", [(9, 0)])])?.nodeName == "b")
        #expect(plugin.selectCandidate([candidate("a", [(5, 0)]), candidate("b", [(3, 0), (3, 0)])])?.nodeName == "b")
        #expect(plugin.selectCandidate([candidate("a", [(3, 0), (2, 0)]), candidate("b", [(3, 0), (1, 0)])])?.nodeName == "b")
        // Priorities are offset by 2^31 before summing, so at equal top priority more victims weigh more.
        #expect(plugin.selectCandidate([candidate("a", [(0, 0), (0, 0)]), candidate("b", [(0, 0)])])?.nodeName == "b")
        #expect(plugin.selectCandidate([candidate("a", [(2, 10)]), candidate("b", [(2, 50)])])?.nodeName == "b")
        #expect(plugin.selectCandidate([candidate("a", [(2, 50)]), candidate("b", [(2, 50)])])?.nodeName == "a")
        #expect(plugin.selectCandidate([candidate("a", [(1, 0)]), candidate("b", [])])?.nodeName == "b")
        #expect(plugin.selectCandidate([]) == nil)
        // Negative priorities still count victims: two at -5 add up to more than one at -5.
        #expect(plugin.selectCandidate([candidate("a", [(-5, 0), (-5, 0)]), candidate("b", [(-5, 0)])])?.nodeName == "b")
    }

    @Test("candidate count: max(10% of the nodes, 100), at most the nodes")
    func candidateCount() {
        #expect(plugin.numberOfCandidates(potentialNodes: 5000) == 500)
        #expect(plugin.numberOfCandidates(potentialNodes: 500) == 100)
        #expect(plugin.numberOfCandidates(potentialNodes: 50) == 50)
    }

    @Test("PostFilter: unresolvable nodes are not tried; the message counts why, as kube-scheduler writes it")
    func postFilterOnSnapshot() async throws {
        let framework = try Framework(resourceProfile())
        var full = NodeInfo(makeNode("full", cpu: "2", memory: "16Gi"))
        full.add(lowPod("low-1", cpu: "1", priority: 1, node: "full"))
        full.add(lowPod("low-2", cpu: "1", priority: 2, node: "full"))
        var tainted = NodeInfo(makeNode("tainted", cpu: "2", memory: "16Gi",
            taints: [Taint(key: "dedicated", value: "gpu", effect: "NoSchedule")]))
        tainted.add(lowPod("low-3", cpu: "2", priority: 1, node: "tainted"))
        var mine = NodeInfo(makeNode("mine", cpu: "2", memory: "16Gi"))
        mine.add(lowPod("vip", cpu: "2", priority: 5000, node: "mine"))
        let snapshot = Snapshot([full, tainted, mine])
        let handle = SchedulingHandle(framework: framework, clock: ElapsedTime(ContinuousClock()))
        handle.snapshot = snapshot

        let pod = preemptor(cpu: "1")
        let state = CycleState()
        let statuses = filterStatuses(framework, state, pod, snapshot)
        #expect(statuses.count == 3)
        let result = await plugin.postFilter(state, pod, statuses, handle)
        #expect(result.status.isSuccess)
        #expect(result.nominatedNodeName == "full")

        let big = preemptor(cpu: "3")
        let bigState = CycleState()
        let failed = await plugin.postFilter(bigState, big, filterStatuses(framework, bigState, big, snapshot), handle)
        #expect(failed.nominatedNodeName == nil)
        #expect(failed.status.message == "preemption: 0/3 nodes are available: 1 Insufficient cpu, "
            + "1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.")

        let polite = preemptor(cpu: "1") { $0.preemptionPolicy = "Never" }
        let politeState = CycleState()
        let declined = await plugin.postFilter(politeState, polite, filterStatuses(framework, politeState, polite, snapshot), handle)
        #expect(declined.status.message == "not eligible due to preemptionPolicy=Never.")
    }

    @Test("a nominated pod does not preempt again while its victims are terminating")
    func terminatingVictimsBlockRepeat() throws {
        var node = NodeInfo(makeNode("n1", cpu: "2", memory: "16Gi"))
        var going = makePod("going", containers: [("2", "1Gi")], nodeName: "n1", priority: 1)
        going.metadata.deletionTimestamp = Time(secondsSinceEpoch: 1)
        node.add(PodInfo(going))
        var pod = makePod("preemptor", containers: [("2", "1Gi")], priority: 1000)
        pod.status = PodStatus()
        pod.status?.nominatedNodeName = "n1"
        #expect(plugin.ineligibility(of: PodInfo(pod), Snapshot([node])) == "not eligible due to a terminating pod on the nominated node.")
        pod.status?.nominatedNodeName = nil
        #expect(plugin.ineligibility(of: PodInfo(pod), Snapshot([node])) == nil)
    }

    @Test("through the Scheduler: victims deleted via the API, the preemptor nominated and then bound")
    func endToEnd() async throws {
        try await withTestServer { server, clock in
            try await server.createSystemNamespaces()
            let client = server.client()
            _ = try await client.resource(Node.self).create(makeNode("a", cpu: "2", memory: "16Gi"))
            _ = try await client.resource(Node.self).create(makeNode("b", cpu: "2", memory: "16Gi"))
            let pods = client.resource(Pod.self, namespace: "default")
            // Node a: two 1-cpu pods of priority 1 and 2; node b: one 2-cpu pod of priority 3.
            _ = try await pods.create(makePod("a-1", containers: [("1", "1Gi")], nodeName: "a", priority: 1))
            _ = try await pods.create(makePod("a-2", containers: [("1", "1Gi")], nodeName: "a", priority: 2))
            _ = try await pods.create(makePod("b-1", containers: [("2", "1Gi")], nodeName: "b", priority: 3))
            let profile = Profile(schedulerName: Profile.defaultSchedulerName,
                plugins: [PrioritySort(), NodeResourcesFit(), DefaultPreemption(victimGracePeriodSeconds: 0, seed: 3),
                    DefaultBinder()])
            var options = SchedulerOptions(profiles: [profile])
            options.clock = clock
            options.seed = 1
            let scheduler = try Scheduler(client: client, options: options)
            try await running(scheduler) {
                _ = try await pods.create(makePod("urgent", containers: [("1", "1Gi")], priority: 100))
                // The lowest-priority victim on a: a-1 (priority 1) is enough.
                #expect(await eventually { (try? await pods.get("a-1")) == nil })
                #expect(try await eventually {
                    // The requeue after the victim's deletion goes through backoff on the manual clock.
                    clock.advance(by: .seconds(1))
                    return try await pods.get("urgent").spec?.nodeName == "a"
                })
                #expect(try await pods.get("a-2").metadata.deletionTimestamp == nil)
                #expect(try await pods.get("b-1").metadata.deletionTimestamp == nil)
                #expect(scheduler.stats.preemptionAttempts >= 1)
                #expect(scheduler.queue.nominatedNode(of: "uid-default-urgent") == nil)
            }
        }
    }
}
