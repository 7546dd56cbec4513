import APIMachinery
import Informers
import Raft
@testable import Scheduling
import Testing
import TestSupport

/// A pod of `group` asking for `min` pods placed together (nil: no annotation), requesting `cpu`.
func gangPod(_ name: String, group: String, min: String?, cpu: String = "1", priority: Int32? = nil) -> Pod {
    var pod = makePod(name, containers: [(cpu, "100Mi")], labels: [Coscheduling.podGroupLabel: group], priority: priority)
    if let min { pod.metadata.annotations[Coscheduling.minAvailableAnnotation] = min }
    return pod
}

/// Errors every pod labelled `broken=true` in PreFilter: the scheduler backs it off without a PostFilter, so
/// it never tells its group it cannot be placed (a member that is never placed).
struct BreakLabelled: PreFilterPlugin {
    let name = "BreakLabelled"

    func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus) {
        pod.labels["broken"] == "true" ? (nil, PluginStatus(.error, "broken on purpose")) : (nil, .skip)
    }
}

/// Moves the manual clock forward a step at a time (giving the scheduler's tasks a moment between steps)
/// until `condition` holds; false when it still does not after `steps`.
func advance(
    _ clock: ManualClock, by step: Duration = .seconds(1), steps: Int = 120, until condition: () async throws -> Bool
) async rethrows -> Bool {
    for _ in 0..<steps {
        if try await condition() { return true }
        clock.advance(by: step)
        try? await Task.sleep(for: .milliseconds(5))
    }
    return try await condition()
}

@Suite("Coscheduling (gang scheduling)", .timeLimit(.minutes(2)))
struct CoschedulingTests {
    static let profileName = Profile.defaultSchedulerName

    // MARK: Pure logic

    @Test("min-available: absent is 1; a positive integer; anything else is invalid")
    func minAvailableParsing() {
        #expect(Coscheduling.minAvailable(nil) == 1)
        #expect(Coscheduling.minAvailable("3") == 3)
        #expect(Coscheduling.minAvailable("1") == 1)
        for invalid in ["0", "-2", "abc", "", " 3", "2.5"] {
            #expect(Coscheduling.minAvailable(invalid) == nil, "\(invalid)")
        }
    }

    @Test("the group is the label's value in the pod's namespace; no label or an empty one is no group")
    func groups() {
        #expect(Coscheduling.podGroup(of: PodInfo(makePod("p"))) == nil)
        #expect(Coscheduling.podGroup(of: PodInfo(makePod("p", labels: [Coscheduling.podGroupLabel: ""]))) == nil)
        let group = Coscheduling.podGroup(of: PodInfo(makePod("p", namespace: "ml", labels: [Coscheduling.podGroupLabel: "train"])))
        #expect(group == Coscheduling.PodGroup(namespace: "ml", name: "train"))
        #expect(group?.description == "ml/train")
    }

    /// A handle (with a queue of its own) on a manual clock, and the plugin in its framework.
    struct Fixture {
        let clock = ManualClock()
        let plugin: Coscheduling
        let handle: SchedulingHandle
        let queue: SchedulingQueue

        init(_ plugin: Coscheduling = Coscheduling()) throws {
            self.plugin = plugin
            let framework = try Framework(Profile(schedulerName: CoschedulingTests.profileName,
                plugins: [PrioritySort(), plugin, DefaultBinder()]))
            let elapsed = ElapsedTime(clock)
            queue = SchedulingQueue(clock: elapsed, framework: { _ in framework })
            handle = SchedulingHandle(framework: framework, clock: elapsed, queue: queue)
        }

        /// Queues the pods (PreEnqueue records them) and pops them all, as if each were being scheduled.
        func enqueue(_ pods: [Pod]) -> [PodInfo] {
            let infos = pods.map(PodInfo.init)
            for info in infos { queue.add(info) }
            while queue.tryPop() != nil {}
            return infos
        }

        func preFilter(_ pod: PodInfo, nodes: [NodeInfo] = []) -> (CycleState, PluginStatus) {
            let state = CycleState(handle: handle)
            return (state, plugin.preFilter(state, pod, nodes).1)
        }

        /// PreFilter, then Permit on node n1; a pod told to wait is added to the handle's waiting pods.
        func place(_ pod: PodInfo) -> (state: CycleState, status: PluginStatus, timeout: Duration) {
            let (state, preFilter) = preFilter(pod)
            guard preFilter.isSuccess else { return (state, preFilter, .zero) }
            let assumed = pod.assumed(on: "n1")
            let (status, timeout) = plugin.permit(state, assumed, nodeName: "n1", handle)
            if status.code == .wait {
                handle.addWaiting(WaitingPod(pod: assumed, nodeName: "n1", plugins: [plugin.name]))
            }
            return (state, status, timeout)
        }
    }

    @Test("pods without the label, or with a minimum of 1, are untouched: skip, success, no waiting")
    func nonGangPodsUntouched() throws {
        let fixture = try Fixture()
        for pod in [makePod("plain"), gangPod("solo", group: "g", min: nil), gangPod("one", group: "g", min: "1")] {
            let info = fixture.enqueue([pod])[0]
            let (state, status) = fixture.preFilter(info)
            #expect(status.code == .skip)
            #expect(fixture.plugin.permit(state, info, nodeName: "n1", fixture.handle).status.isSuccess)
            #expect(fixture.plugin.preEnqueue(info).isSuccess)
        }
        #expect(fixture.handle.waitingPods.isEmpty)
    }

    @Test("an invalid min-available is unresolvable, naming the annotation")
    func invalidMinimum() throws {
        let fixture = try Fixture()
        let pod = fixture.enqueue([gangPod("p", group: "g", min: "three")])[0]
        let status = fixture.preFilter(pod).1
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.message
            == "pod group default/g has an invalid scheduling.x-k8s.io/min-available annotation \"three\": it must be a positive integer")
    }

    @Test("PreFilter counts pods in the queue and pods on nodes; deleted pods stop counting")
    func membership() throws {
        let fixture = try Fixture()
        let pods = fixture.enqueue([gangPod("a", group: "g", min: "3"), gangPod("b", group: "g", min: "3")])
        let status = fixture.preFilter(pods[0]).1
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.message == "pod group default/g has 2 of the 3 pods it needs (scheduling.x-k8s.io/min-available)")
        // A member bound on a node (another scheduler's, or before a restart) counts.
        let bound = makeNodeInfo(makeNode("n1"), pods: [gangPod("c", group: "g", min: "3")].map {
            var pod = $0
            pod.spec?.nodeName = "n1"
            return pod
        })
        #expect(fixture.preFilter(pods[0], nodes: [bound]).1.isSuccess)
        // A pod of the same name in another namespace is another group.
        let elsewhere = makeNodeInfo(makeNode("n1"), pods: [makePod("c", namespace: "other",
            labels: [Coscheduling.podGroupLabel: "g"], nodeName: "n1")])
        #expect(fixture.preFilter(pods[0], nodes: [elsewhere]).1.code == .unschedulableAndUnresolvable)
        // A third pending member; then it is deleted from the queue.
        let third = fixture.enqueue([gangPod("d", group: "g", min: "3")])[0]
        #expect(fixture.preFilter(pods[0]).1.isSuccess)
        fixture.queue.done(uid: third.uid)
        #expect(fixture.preFilter(pods[0]).1.code == .unschedulableAndUnresolvable)
    }

    @Test("Permit: wait until the minimum is placed, then allow every waiting member")
    func permitWaitsThenAllows() throws {
        let fixture = try Fixture(Coscheduling(permitWaitingTime: .seconds(30)))
        let pods = fixture.enqueue((1...3).map { gangPod("m\($0)", group: "g", min: "3") })
        let first = fixture.place(pods[0])
        #expect(first.status.code == .wait)
        #expect(first.timeout == .seconds(30))
        #expect(fixture.place(pods[1]).status.code == .wait)
        let waiting = fixture.handle.waitingPods
        #expect(waiting.count == 2 && waiting.allSatisfy { $0.result == nil })
        #expect(fixture.place(pods[2]).status.isSuccess)
        #expect(waiting.allSatisfy { $0.result == .success })
    }

    @Test("Permit activates the group's pods parked in the queue")
    func permitActivatesSiblings() throws {
        let fixture = try Fixture()
        let pods = fixture.enqueue((1...3).map { gangPod("m\($0)", group: "g", min: "3") })
        // Two members failed earlier and wait in the unschedulable pool for an event.
        for pod in pods.dropFirst() {
            fixture.queue.addUnschedulable(QueuedPodInfo(pod, timestamp: .zero), rejectedBy: [fixture.plugin.name])
            #expect(fixture.queue.isUnschedulable(uid: pod.uid))
        }
        fixture.queue.add(pods[0])
        let popped = try #require(fixture.queue.tryPop())
        #expect(fixture.place(popped.podInfo).status.code == .wait)
        #expect(pods.dropFirst().allSatisfy { fixture.queue.isActive(uid: $0.uid) })
    }

    @Test("a member unreserved: the other waiting members are rejected and the group backs off")
    func unreserveRejectsTheGroup() throws {
        let fixture = try Fixture(Coscheduling(podGroupBackoff: .seconds(5)))
        let pods = fixture.enqueue((1...4).map { gangPod("m\($0)", group: "g", min: "4") })
        let placed = pods.prefix(3).map { fixture.place($0) }
        #expect(placed.allSatisfy { $0.status.code == .wait })
        let waiting = fixture.handle.waitingPods
        // The first member times out: the scheduler rejects it and unreserves.
        let first = try #require(waiting.first { $0.pod.uid == pods[0].uid })
        first.reject("Coscheduling", "rejected due to timeout")
        fixture.handle.removeWaiting(uid: pods[0].uid)
        fixture.plugin.unreserve(placed[0].state, first.pod, nodeName: "n1")
        for member in waiting where member.pod.uid != pods[0].uid {
            #expect(member.result == PluginStatus(.unschedulable,
                "pod group default/g rejected: member m1 was unreserved", plugin: "Coscheduling"))
        }
        // The member that was never placed is turned away while the group backs off…
        let status = fixture.preFilter(pods[3]).1
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.message == "pod group default/g was rejected (member m1 was unreserved) and backs off")
        // …until a rejected member comes back (it served the queue's backoff): that ends the back-off.
        #expect(fixture.preFilter(pods[1]).1.isSuccess)
        #expect(fixture.preFilter(pods[3]).1.isSuccess)
    }

    @Test("the back-off ends on time when no rejected member comes back")
    func backOffExpires() throws {
        let fixture = try Fixture(Coscheduling(podGroupBackoff: .seconds(5)))
        let pods = fixture.enqueue((1...3).map { gangPod("m\($0)", group: "g", min: "3") })
        let placed = fixture.place(pods[0])
        #expect(placed.status.code == .wait)
        fixture.plugin.unreserve(placed.state, pods[0].assumed(on: "n1"), nodeName: "n1")
        #expect(fixture.preFilter(pods[1]).1.code == .unschedulableAndUnresolvable)
        fixture.clock.advance(by: .seconds(5))
        #expect(fixture.preFilter(pods[1]).1.isSuccess)
    }

    @Test("one group at a time: another group's pod is parked while one has members waiting, then activated")
    func oneGroupPlacesAtATime() throws {
        let fixture = try Fixture()
        let a = fixture.enqueue((1...2).map { gangPod("a\($0)", group: "a", min: "2") })
        let b = fixture.enqueue((1...2).map { gangPod("b\($0)", group: "b", min: "2") })
        #expect(fixture.place(a[0]).status.code == .wait)
        let status = fixture.preFilter(b[0]).1
        #expect(status.code == .unschedulableAndUnresolvable)
        #expect(status.message == "pod group default/a is being placed; pod group default/b waits until it is complete or rejected")
        fixture.queue.addUnschedulable(QueuedPodInfo(b[0], timestamp: .zero), rejectedBy: [fixture.plugin.name])
        // Pods without a group, or in a group of one, are not held back.
        #expect(fixture.preFilter(PodInfo(makePod("plain"))).1.code == .skip)
        // The group completes: it no longer holds the others back, and the parked pod is active again.
        #expect(fixture.place(a[1]).status.isSuccess)
        #expect(fixture.queue.isActive(uid: b[0].uid))
        #expect(fixture.preFilter(b[0]).1.isSuccess)
    }

    @Test("PostFilter: a member fitting nowhere releases the waiting members at once; not once the group is placed")
    func postFilterReleases() async throws {
        let fixture = try Fixture()
        let pods = fixture.enqueue((1...3).map { gangPod("m\($0)", group: "g", min: "2") })
        #expect(fixture.place(pods[0]).status.code == .wait)
        let (state, preFilter) = fixture.preFilter(pods[1])
        #expect(preFilter.isSuccess)
        let result = await fixture.plugin.postFilter(state, pods[1], [:], fixture.handle)
        #expect(result.status == PluginStatus(.unschedulable, "pod group default/g rejected: 1 waiting member(s) released"))
        #expect(fixture.handle.waitingPods.allSatisfy { $0.result?.code == .unschedulable })

        // Later, placed: m1 and m2 bound on n1; an extra member that fits nowhere leaves them alone.
        fixture.clock.advance(by: .seconds(5))
        let bound = makeNodeInfo(makeNode("n1"), pods: [pods[0].pod, pods[1].pod].map {
            var pod = $0
            pod.spec?.nodeName = "n1"
            return pod
        })
        for pod in pods.prefix(2) { fixture.queue.done(uid: pod.uid) }
        fixture.handle.snapshot = Snapshot([bound])
        let extra = CycleState(handle: fixture.handle)
        #expect(fixture.plugin.preFilter(extra, pods[2], [bound]).1.isSuccess)
        #expect(await fixture.plugin.postFilter(extra, pods[2], [:], fixture.handle).status == PluginStatus(.unschedulable))
    }

    @Test("queue: activate moves pods from the pool and from backoff, and in-flight pods when they fail")
    func queueActivation() throws {
        let fixture = try Fixture()
        let pods = fixture.enqueue([makePod("pool"), makePod("backoff"), makePod("flight")])
        fixture.queue.addUnschedulable(QueuedPodInfo(pods[0], timestamp: .zero), rejectedBy: ["X"])
        fixture.queue.addUnschedulable(QueuedPodInfo(pods[1], timestamp: .zero), rejectedBy: [], error: true)
        #expect(fixture.queue.isUnschedulable(uid: pods[0].uid) && fixture.queue.isBackingOff(uid: pods[1].uid))
        #expect(fixture.queue.pending(among: pods.map(\.uid) + ["unknown"]) == Set(pods.map(\.uid)))
        fixture.queue.activate(pods.map(\.uid) + ["unknown"])
        #expect(fixture.queue.isActive(uid: pods[0].uid) && fixture.queue.isActive(uid: pods[1].uid))
        // The in-flight pod fails afterwards: straight to the active queue, not the pool.
        fixture.queue.addUnschedulable(QueuedPodInfo(pods[2], timestamp: .zero), rejectedBy: ["X"])
        #expect(fixture.queue.isActive(uid: pods[2].uid))
    }

    // MARK: Against the API server

    /// Runs a scheduler with PrioritySort, NodeResourcesFit, `extra` plugins, Coscheduling and DefaultBinder
    /// on `nodes` (created first) and `pods` (created before the scheduler starts, so it sees them all at once).
    func withGangScheduler(
        nodes: [Node], pods initial: [Pod] = [], extra: [any SchedulerPlugin] = [],
        _ body: (Scheduler, ResourceClient<Pod>, ManualClock) async throws -> Void
    ) async throws {
        try await withTestServer { server, clock in
            try await server.createSystemNamespaces()
            let client = server.client()
            for node in nodes { _ = try await client.resource(Node.self).create(node) }
            let pods = client.resource(Pod.self, namespace: "default")
            for pod in initial { _ = try await pods.create(pod) }
            let profile = Profile(schedulerName: Self.profileName,
                plugins: [PrioritySort(), NodeResourcesFit()] + extra + [Coscheduling(), DefaultBinder()])
            var options = SchedulerOptions(profiles: [profile])
            options.clock = clock
            options.seed = 1
            let scheduler = try Scheduler(client: client, options: options)
            try await running(scheduler) {
                #expect(await eventually { scheduler.cache.nodeCount == nodes.count })
                try await body(scheduler, pods, clock)
            }
        }
    }

    func nodeNames(_ pods: ResourceClient<Pod>, _ names: [String]) async throws -> [String?] {
        var result: [String?] = []
        for name in names {
            let node = try await pods.get(name).spec?.nodeName
            result.append(node?.isEmpty == false ? node : nil)
        }
        return result
    }

    func allBound(_ pods: ResourceClient<Pod>, _ names: [String]) async throws -> Bool {
        try await nodeNames(pods, names).allSatisfy { $0 != nil }
    }

    func noneBound(_ pods: ResourceClient<Pod>, _ names: [String]) async throws -> Bool {
        try await nodeNames(pods, names).allSatisfy { $0 == nil }
    }

    func waiting(_ scheduler: Scheduler) -> [WaitingPod] { scheduler.handles[Self.profileName]?.waitingPods ?? [] }

    @Test("(a) a gang of 3 with room for all, created one by one: all 3 bind")
    func gangFits() async throws {
        try await withGangScheduler(nodes: [makeNode("n1", cpu: "4")]) { scheduler, pods, _ in
            let names = ["w1", "w2", "w3"]
            for name in names { _ = try await pods.create(gangPod(name, group: "train", min: "3")) }
            #expect(try await eventually { try await allBound(pods, names) })
            #expect(scheduler.stats.scheduled == 3)
            #expect(scheduler.stats.bindingFailures == 0)
        }
    }

    @Test("(b) a gang of 4 with room for 3: none binds, none holds room, other pods use it; still none after the timeout")
    func gangTooBig() async throws {
        try await withGangScheduler(nodes: [makeNode("n1", cpu: "3")]) { scheduler, pods, clock in
            let names = ["w1", "w2", "w3", "w4"]
            for name in names { _ = try await pods.create(gangPod(name, group: "big", min: "4")) }
            // Three members are placed and wait; the fourth fits nowhere and releases them at once.
            #expect(await eventually { scheduler.stats.bindingFailures >= 3 && scheduler.cache.podCount == 0 })
            #expect(try await noneBound(pods, names))
            #expect(scheduler.cache.nodeInfo("n1")?.requested.milliCPU == 0)
            _ = try await pods.create(requesting("filler", cpu: "3", memory: nil))
            #expect(try await eventually { try await pods.get("filler").spec?.nodeName == "n1" })
            // Past the permit timeout (the members retry after their backoff and find no room): nothing binds.
            for _ in 0..<65 {
                clock.advance(by: .seconds(1))
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(try await noneBound(pods, names))
            #expect(waiting(scheduler).isEmpty)
            #expect(scheduler.cache.podCount == 1)
            let condition = try await pods.get("w1").status?.conditions?.first { $0.type == "PodScheduled" }
            #expect(condition?.status == "False")
        }
    }

    @Test("(c) two gangs that fit one at a time, interleaved by priority: one is placed, the other after it is gone")
    func twoGangsOneAfterTheOther() async throws {
        // a1 > b1 > a2 > b2 > a3 > b3 in priority: popped alternately. Room for 4 of the 6.
        let order = ["a1", "b1", "a2", "b2", "a3", "b3"]
        let gangs = order.enumerated().map { index, name in
            gangPod(name, group: String(name.prefix(1)), min: "3", priority: Int32(10 - index))
        }
        try await withGangScheduler(nodes: [makeNode("n1", cpu: "4")], pods: gangs) { scheduler, pods, clock in
            #expect(try await eventually { try await allBound(pods, ["a1", "a2", "a3"]) })
            // Gang b never holds part of the room while a does: once a is bound, b tried and backed off.
            #expect(await eventually { scheduler.cache.podCount == 3 && waiting(scheduler).isEmpty })
            #expect(try await noneBound(pods, ["b1", "b2", "b3"]))
            // Gang a finishes; gang b then gets the room.
            for name in ["a1", "a2", "a3"] { _ = try await pods.delete(name, options: DeleteOptions(gracePeriodSeconds: 0)) }
            #expect(try await advance(clock) { try await allBound(pods, ["b1", "b2", "b3"]) })
            #expect(scheduler.stats.scheduled == 6)
        }
    }

    @Test("(c) deadlock: a gang stuck half-placed holds its room only until the timeout; then the other completes")
    func stuckGangTimesOut() async throws {
        // a3 never gets placed (its attempts error out); gang b could fit, but not while a holds 2 of 4 cpus.
        var a3 = gangPod("a3", group: "a", min: "3", priority: 8)
        a3.metadata.labels["broken"] = "true"
        let gangs = [gangPod("a1", group: "a", min: "3", priority: 10), gangPod("a2", group: "a", min: "3", priority: 9), a3]
            + (1...3).map { gangPod("b\($0)", group: "b", min: "3", cpu: "1", priority: 5) }
        let nodes = [makeNode("n1", cpu: "4")]
        try await withGangScheduler(nodes: nodes, pods: gangs, extra: [BreakLabelled()]) { scheduler, pods, clock async throws in
            #expect(await eventually { waiting(scheduler).count == 2 })
            #expect(waiting(scheduler).allSatisfy { $0.pod.labels[Coscheduling.podGroupLabel] == "a" })
            #expect(try await noneBound(pods, ["b1", "b2", "b3"]))
            let start = clock.now
            #expect(try await advance(clock) { try await allBound(pods, ["b1", "b2", "b3"]) })
            #expect(start.duration(to: clock.now) >= .seconds(60), "gang b completed only once gang a timed out")
            #expect(try await noneBound(pods, ["a1", "a2", "a3"]))
        }
    }

    @Test("(d) pods without a gang keep scheduling while a gang waits")
    func noStarvation() async throws {
        var broken = gangPod("g3", group: "g", min: "3")
        broken.metadata.labels["broken"] = "true"
        let gang = [gangPod("g1", group: "g", min: "3"), gangPod("g2", group: "g", min: "3"), broken]
        let nodes = [makeNode("n1", cpu: "8")]
        try await withGangScheduler(nodes: nodes, pods: gang, extra: [BreakLabelled()]) { scheduler, pods, _ in
            #expect(await eventually { waiting(scheduler).count == 2 })
            let others = (1...5).map { "web\($0)" }
            for name in others { _ = try await pods.create(requesting(name, cpu: "1", memory: nil)) }
            // A group of one is not a gang either: it is not held back by the gang being placed.
            _ = try await pods.create(gangPod("solo", group: "s", min: nil))
            #expect(try await eventually { try await allBound(pods, others + ["solo"]) })
            #expect(waiting(scheduler).count == 2)
            #expect(try await noneBound(pods, ["g1", "g2", "g3"]))
        }
    }

    @Test("(e) a partial gang reserves nothing; its last member brings it in")
    func partialGang() async throws {
        let partial = ["p1", "p2"].map { gangPod($0, group: "part", min: "3") }
        try await withGangScheduler(nodes: [makeNode("n1", cpu: "4")], pods: partial) { scheduler, pods, _ in
            for name in ["p1", "p2"] {
                #expect(try await eventually {
                    let condition = try await pods.get(name).status?.conditions?.first { $0.type == "PodScheduled" }
                    return condition?.message
                        == "0/1 nodes are available: pod group default/part has 2 of the 3 pods it needs (scheduling.x-k8s.io/min-available)."
                })
            }
            #expect(scheduler.cache.podCount == 0)
            #expect(scheduler.stats.bindingFailures == 0)
            #expect(waiting(scheduler).isEmpty)
            _ = try await pods.create(gangPod("p3", group: "part", min: "3"))
            #expect(try await eventually { try await allBound(pods, ["p1", "p2", "p3"]) })
        }
    }

    @Test("an invalid min-available, through the scheduler: unresolvable, with the message on the pod")
    func invalidMinimumScheduled() async throws {
        try await withGangScheduler(nodes: [makeNode("n1")]) { _, pods, _ in
            _ = try await pods.create(gangPod("bad", group: "g", min: "0"))
            #expect(try await eventually {
                let condition = try await pods.get("bad").status?.conditions?.first { $0.type == "PodScheduled" }
                return condition?.message == "0/1 nodes are available: pod group default/g has an invalid "
                    + "scheduling.x-k8s.io/min-available annotation \"0\": it must be a positive integer."
            })
        }
    }
}
