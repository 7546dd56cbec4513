import APIMachinery
import Informers
import Raft
import Scheduling
import Testing

/// Rejects every pod, so tests can fail attempts on purpose; registered for node additions only.
struct RejectAll: FilterPlugin, EnqueueExtensions {
    let name = "RejectAll"
    func filter(_ state: CycleState, _ pod: PodInfo, _ node: NodeInfo) -> PluginStatus { PluginStatus(.unschedulable, "no") }
    var clusterEvents: [ClusterEvent] { [ClusterEvent(.node, .add)] }
}

struct GateAll: PreEnqueuePlugin {
    let name = "Gate"
    func preEnqueue(_ pod: PodInfo) -> PluginStatus {
        pod.labels["gated"] == "true" ? PluginStatus(.pending, "gated") : .success
    }
}

@Suite("SchedulingQueue on the manual clock")
struct SchedulingQueueTests {
    let clock = ManualClock()

    func makeQueue(_ options: SchedulingQueue.Options = SchedulingQueue.Options()) throws -> SchedulingQueue {
        let framework = try Framework(Profile(schedulerName: "default-scheduler", plugins: [PrioritySort(), RejectAll(), GateAll()]))
        return SchedulingQueue(options: options, clock: ElapsedTime(clock), framework: { _ in framework })
    }

    @Test("pops by priority, then by arrival")
    func order() throws {
        let queue = try makeQueue()
        queue.add(PodInfo(makePod("low", priority: 1)))
        clock.advance(by: .milliseconds(1))
        queue.add(PodInfo(makePod("high", priority: 10)))
        clock.advance(by: .milliseconds(1))
        queue.add(PodInfo(makePod("low-later", priority: 1)))
        #expect([queue.tryPop(), queue.tryPop(), queue.tryPop()].map { $0?.podInfo.key.name } == ["high", "low", "low-later"])
        #expect(queue.tryPop() == nil)
    }

    @Test("backoff: 1 s, 2 s, 4 s, 8 s, then capped at 10 s, on the manual clock")
    func backoff() throws {
        let queue = try makeQueue()
        queue.add(PodInfo(makePod("p")))
        for expected in [1, 2, 4, 8, 10, 10] {
            let popped = try #require(queue.tryPop())
            // An error is not "unschedulable": straight to backoff.
            queue.addUnschedulable(popped, rejectedBy: [], error: true)
            #expect(queue.isBackingOff(uid: popped.podInfo.uid))
            clock.advance(by: .seconds(expected) - .milliseconds(1))
            queue.flush()
            #expect(queue.tryPop() == nil, "still backing off just before \(expected) s")
            clock.advance(by: .milliseconds(1))
            queue.flush()
            #expect(queue.isActive(uid: popped.podInfo.uid), "active after \(expected) s")
        }
    }

    @Test("an unschedulable pod moves only on an event its rejecting plugin registered; else after 5 minutes")
    func eventDrivenRequeue() throws {
        let queue = try makeQueue()
        let pod = PodInfo(makePod("p"))
        queue.add(pod)
        queue.addUnschedulable(try #require(queue.tryPop()), rejectedBy: ["RejectAll"])
        #expect(queue.isUnschedulable(uid: pod.uid))
        queue.moveAllToActiveOrBackoff(ClusterEvent(.pod, .delete))
        #expect(queue.isUnschedulable(uid: pod.uid), "RejectAll did not register pod deletions")
        queue.moveAllToActiveOrBackoff(ClusterEvent(.node, .add))
        #expect(queue.isBackingOff(uid: pod.uid), "node add registered; the 1 s backoff still runs")
        clock.advance(by: .seconds(1))
        queue.flush()
        #expect(queue.isActive(uid: pod.uid))
        // The periodic flush: unschedulable for 5 minutes → back in the queue without any event.
        queue.addUnschedulable(try #require(queue.tryPop()), rejectedBy: ["RejectAll"])
        clock.advance(by: .seconds(299))
        queue.flush()
        #expect(queue.isUnschedulable(uid: pod.uid))
        clock.advance(by: .seconds(1))
        queue.flush()
        #expect(queue.isActive(uid: pod.uid))
    }

    @Test("an event while the pod was being scheduled sends it to backoff, not to the unschedulable pool")
    func eventDuringFlight() throws {
        let queue = try makeQueue()
        let pod = PodInfo(makePod("p"))
        queue.add(pod)
        let popped = try #require(queue.tryPop())
        queue.moveAllToActiveOrBackoff(ClusterEvent(.node, .add))
        queue.addUnschedulable(popped, rejectedBy: ["RejectAll"])
        #expect(queue.isBackingOff(uid: pod.uid))
    }

    @Test("PreEnqueue gates a pod until an update clears the gate; status-only updates leave it be")
    func gates() throws {
        let queue = try makeQueue()
        let gated = PodInfo(makePod("g", labels: ["gated": "true"]))
        queue.add(gated)
        #expect(queue.tryPop() == nil)
        #expect(queue.isUnschedulable(uid: gated.uid))
        queue.moveAllToActiveOrBackoff(.wildcard)
        #expect(queue.isUnschedulable(uid: gated.uid), "events do not move gated pods")
        queue.update(gated, specChanged: false)
        #expect(queue.isUnschedulable(uid: gated.uid))
        queue.update(PodInfo(makePod("g", labels: ["gated": "false"])))
        #expect(queue.tryPop()?.podInfo.key.name == "g")
    }

    @Test("pop waits for a pod and ends on close")
    func popWaits() async throws {
        let queue = try makeQueue()
        let waiter = Task { await queue.pop()?.podInfo.key.name }
        try await Task.sleep(for: .milliseconds(20))
        queue.add(PodInfo(makePod("late")))
        #expect(await waiter.value == "late")
        let closed = Task { await queue.pop() }
        queue.close()
        #expect(await closed.value == nil)
    }
}
