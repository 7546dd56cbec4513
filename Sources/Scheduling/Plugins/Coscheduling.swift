import APIMachinery

/// Gang scheduling: admits the pods of a group all or nothing (kubernetes-sigs/scheduler-plugins'
/// `Coscheduling`, with a label and an annotation instead of a `PodGroup` object).
///
/// A pod belongs to the group named by its label `scheduling.x-k8s.io/pod-group` in its namespace; its
/// annotation `scheduling.x-k8s.io/min-available` says how many of the group's pods must be placed together.
/// Without the annotation the minimum is 1: the group is only a name and its pods schedule one by one, like
/// pods without the label (a gang is something one asks for). An annotation that is not a positive integer
/// makes the pod unschedulable and unresolvable with a message naming it, rather than quietly scheduling a
/// would-be gang pod by pod. Pods without the label, or with a minimum of 1, pass every extension point
/// untouched.
///
/// - PreEnqueue records the group's pods as they enter the queue (it never gates one).
/// - PreFilter rejects, as unschedulable and unresolvable, a pod whose group has fewer than the minimum pods
///   waiting to be scheduled or placed (so a partial gang never reserves room); a pod whose group was just
///   rejected, for ``podGroupBackoff``, so other pods get the room it released (a member the rejection sent
///   back to the queue ends the back-off when it returns: it has served the queue's own backoff); and a pod
///   whose group cannot start placing because another group is part-way placed (see below).
/// - Permit lets the pod bind at once when the group's placed pods (bound, binding, or waiting here) and this
///   one reach the minimum, allowing every waiting member along with it; otherwise the pod waits up to
///   ``permitWaitingTime`` and the group's other pods are moved to the active queue so they are tried now.
/// - PostFilter (a member fits no node) and Unreserve (a member was rejected, timed out, was deleted or failed
///   to bind) reject every waiting member of the group, unless the group already has its minimum placed, so
///   the whole group releases its room at once and backs off.
///
/// Two groups never hold part of the cluster each while waiting for the rest (scheduler-plugins issue #117:
/// two gangs that each half-fill the cluster wait on each other): while one group has members waiting in
/// Permit, another group's pods are rejected in PreFilter and parked; they are moved back to the active queue
/// as soon as that group is complete, or once its last waiting member has released its room. A part-way
/// placed group cannot hold its room for long (scheduler-plugins issue #713): a member that fits nowhere
/// rejects it at once, and ``permitWaitingTime`` bounds the wait otherwise.
///
/// No queue-sort plugin comes with it: ``PrioritySort`` stays. Keeping a group's pods adjacent in the active
/// queue does not prevent interleaving (members wait in the backoff queue and the unschedulable pool too) and
/// sorting groups by creation time starves other pods (scheduler-plugins issues #110 and #874); the one-group-
/// at-a-time rule above and the activation of a group's pods when one waits do the job instead.
///
/// Rejected pods return to the active queue on pod deletions and additions of bound pods (room freed or a
/// member placed elsewhere), node additions and allocatable changes; a pod added to a group reaches the
/// others through Permit's activation, since unscheduled pods are not cluster events here.
///
/// Put it after `DefaultPreemption` in a profile, so preemption can make room for a member before the group
/// gives its places up. Copies of a value share their state (the pods seen, back-offs): give schedulers that
/// run at the same time a value each; replicas under leader election, of which one runs at a time, may share.
public struct Coscheduling: PreEnqueuePlugin, PreFilterPlugin, PostFilterPlugin, ReservePlugin, PermitPlugin,
    EnqueueExtensions
{
    /// Its PreFilter state does not depend on other pods: nothing to update when pods are added or removed.
    public var updatesStateOnPodChanges: Bool { false }
    public let name = "Coscheduling"
    /// The label naming a pod's group (within its namespace).
    public static let podGroupLabel = "scheduling.x-k8s.io/pod-group"
    /// The annotation with the group's minimum number of pods placed together, a positive integer.
    public static let minAvailableAnnotation = "scheduling.x-k8s.io/min-available"

    /// How long a member waits in Permit for the rest of its group (scheduler-plugins'
    /// `permitWaitingTimeSeconds`, 60 s); the framework caps it at 15 minutes.
    public let permitWaitingTime: Duration
    /// How long a rejected group's pods are turned away before they may reserve room again.
    public let podGroupBackoff: Duration
    /// The pods seen, back-offs, parked pods and admitted members (shared by copies of this value).
    let book = GangBook()

    public init(permitWaitingTime: Duration = .seconds(60), podGroupBackoff: Duration = .seconds(5)) {
        self.permitWaitingTime = permitWaitingTime
        self.podGroupBackoff = podGroupBackoff
    }

    /// A group of pods: one namespace, one value of ``Coscheduling/podGroupLabel``.
    public struct PodGroup: Sendable, Hashable, CustomStringConvertible {
        public var namespace: String
        public var name: String

        public init(namespace: String, name: String) {
            self.namespace = namespace
            self.name = name
        }

        public var description: String { namespace + "/" + name }
    }

    /// The group of `pod`; nil without the label or with an empty value.
    public static func podGroup(of pod: PodInfo) -> PodGroup? {
        guard let name = pod.labels[podGroupLabel], !name.isEmpty else { return nil }
        return PodGroup(namespace: pod.namespace, name: name)
    }

    /// The minimum an annotation value asks for: 1 without one, nil when it is not a positive integer.
    public static func minAvailable(_ annotation: String?) -> Int? {
        guard let annotation else { return 1 }
        guard let value = Int(annotation), value > 0 else { return nil }
        return value
    }

    /// What the pod asks for: nothing (no group, or a minimum of 1), a gang, or an invalid minimum.
    enum Request {
        case none
        case gang(PodGroup, minAvailable: Int)
        case invalid(String)
    }

    static func request(of pod: PodInfo) -> Request {
        guard let group = podGroup(of: pod) else { return .none }
        let annotation = pod.pod.metadata.annotations[minAvailableAnnotation]
        guard let minimum = minAvailable(annotation) else {
            return .invalid(
                "pod group \(group) has an invalid \(minAvailableAnnotation) annotation "
                    + "\"\(annotation ?? "")\": it must be a positive integer")
        }
        return minimum > 1 ? .gang(group, minAvailable: minimum) : .none
    }

    /// What PreFilter found, for the later extension points of the cycle (and the binding's Unreserve).
    struct Cycle: Sendable {
        var group: PodGroup
        var minAvailable: Int
        /// PreFilter turned the pod away: PostFilter then leaves the group alone.
        var rejectedInPreFilter = false
    }

    // MARK: Events

    public var clusterEvents: [ClusterEvent] {
        [
            ClusterEvent(.pod, [.add, .delete], label: "Coscheduling/Pod"),
            ClusterEvent(.node, [.add, .updateNodeAllocatable], label: "Coscheduling/Node"),
        ]
    }

    // MARK: PreEnqueue

    public func preEnqueue(_ pod: PodInfo) -> PluginStatus {
        if case .gang(let group, _) = Self.request(of: pod) { book.register(pod.uid, in: group) }
        return .success
    }

    // MARK: PreFilter

    public func preFilter(_ state: CycleState, _ pod: PodInfo, _ nodes: [NodeInfo]) -> (PreFilterResult?, PluginStatus)
    {
        let group: PodGroup
        let minimum: Int
        switch Self.request(of: pod) {
        case .none: return (nil, .skip)
        case .invalid(let message): return (nil, PluginStatus(.unschedulableAndUnresolvable, message))
        case .gang(let named, let minAvailable):
            group = named
            minimum = minAvailable
        }
        var cycle = Cycle(group: group, minAvailable: minimum)
        if let reason = admissionProblem(pod, group, minimum, nodes, state.handle) {
            cycle.rejectedInPreFilter = true
            state.write(cycle)
            return (nil, PluginStatus(.unschedulableAndUnresolvable, reason))
        }
        state.write(cycle)
        return (nil, .success)
    }

    /// Why the pod may not start placing now, or nil.
    func admissionProblem(
        _ pod: PodInfo, _ group: PodGroup, _ minimum: Int, _ nodes: [NodeInfo], _ handle: SchedulingHandle?
    ) -> String? {
        if let handle {
            let now = handle.clock()
            if let reason = book.backingOff(group, uid: pod.uid, now: now) {
                return "pod group \(group) was rejected (\(reason)) and backs off"
            }
            if let placing = book.parkIfAnotherGroupPlaces(pod.uid, group, owner: ObjectIdentifier(handle), now: now) {
                return "pod group \(placing) is being placed; pod group \(group) waits until it is complete or rejected"
            }
            if let queue = handle.queue, book.needsSweep { book.sweep(queue, now: now) }
        }
        var members = book.registered(in: group)
        members.insert(pod.uid)
        if let queue = handle?.queue {
            let pending = queue.pending(among: members)
            var gone = members.subtracting(pending)
            gone.remove(pod.uid)
            book.forget(gone, in: group)
            members = pending
            members.insert(pod.uid)
        }
        if members.count < minimum { members.formUnion(Self.placedMembers(group, nodes)) }
        guard members.count >= minimum else {
            return "pod group \(group) has \(members.count) of the \(minimum) pods it needs "
                + "(\(Self.minAvailableAnnotation))"
        }
        return nil
    }

    /// The group's pods on `nodes` (bound, or assumed by this scheduler).
    static func placedMembers(_ group: PodGroup, _ nodes: [NodeInfo]) -> Set<String> {
        var members = Set<String>()
        for node in nodes {
            for pod in node.pods where pod.namespace == group.namespace && pod.labels[podGroupLabel] == group.name {
                members.insert(pod.uid)
            }
        }
        return members
    }

    /// The group's pods on the snapshot that are bound or on their way to binding: pods the scheduler still
    /// has in flight count only when this plugin admitted them (a rejected member is in flight, and may still
    /// be in the snapshot, until its rejection is handled).
    func settledMembers(_ group: PodGroup, _ handle: SchedulingHandle) -> Set<String> {
        let placed = Self.placedMembers(group, handle.snapshot.nodes)
        guard let queue = handle.queue else { return placed }
        let admitted = book.admitted(in: group)
        let inFlight = queue.pending(among: placed.union(admitted))
        book.keepAdmitted(admitted, inFlight: inFlight, in: group)
        return placed.filter { !inFlight.contains($0) || admitted.contains($0) }
    }

    // MARK: PostFilter

    /// A member that fits nowhere: unless the group already has its minimum placed, its waiting members are
    /// rejected now (their room is released, not held until the timeout) and the group backs off.
    public func postFilter(
        _ state: CycleState, _ pod: PodInfo, _ statuses: [String: PluginStatus], _ handle: SchedulingHandle
    )
        async -> PostFilterResult
    {
        guard let cycle = state.read(Cycle.self), !cycle.rejectedInPreFilter,
            settledMembers(cycle.group, handle).count < cycle.minAvailable
        else { return PostFilterResult(status: PluginStatus(.unschedulable)) }
        let released = rejectGroup(
            cycle.group, member: pod, handle,
            reason: "member \(pod.key.name) fits no node")
        return PostFilterResult(
            status: PluginStatus(
                .unschedulable,
                "pod group \(cycle.group) rejected: \(released) waiting member(s) released"))
    }

    // MARK: Reserve

    public func reserve(_ state: CycleState, _ pod: PodInfo, nodeName: String) -> PluginStatus { .success }

    /// A member's placement was undone (rejected, timed out, deleted, or its binding failed): unless the rest
    /// of the group already has its minimum placed, every other waiting member is rejected and the group
    /// backs off. The scheduler forgets the pod before unreserving it, so when the group's last waiting member
    /// is unreserved its room is free and the pods parked behind the group go back to the active queue.
    public func unreserve(_ state: CycleState, _ pod: PodInfo, nodeName: String) {
        guard let cycle = state.read(Cycle.self) else { return }
        book.unadmit(pod.uid, in: cycle.group)
        guard let handle = state.handle else { return }
        var settled = settledMembers(cycle.group, handle)
        settled.remove(pod.uid)
        if settled.count < cycle.minAvailable {
            _ = rejectGroup(cycle.group, member: pod, handle, reason: "member \(pod.key.name) was unreserved")
        }
        if let parked = book.finishPlacing([pod.uid], in: cycle.group), !parked.isEmpty {
            handle.queue?.activate(parked)
        }
    }

    /// Backs the group off (the members sent back may end the back-off) and rejects its waiting members.
    /// Returns how many it rejected.
    func rejectGroup(_ group: PodGroup, member pod: PodInfo, _ handle: SchedulingHandle, reason: String) -> Int {
        let waiting = handle.waitingPods.filter {
            $0.result == nil && $0.pod.uid != pod.uid && Self.podGroup(of: $0.pod) == group
        }
        var passing = Set(waiting.map(\.pod.uid))
        passing.insert(pod.uid)
        // Back off before rejecting: a member's Permit that counted a rejected pod still in the snapshot sees
        // the back-off.
        book.backOff(group, until: handle.clock() + podGroupBackoff, passing: passing, reason: reason)
        for member in waiting {
            member.reject(name, "pod group \(group) rejected: \(reason)")
        }
        return waiting.count
    }

    // MARK: Permit

    public func permit(_ state: CycleState, _ pod: PodInfo, nodeName: String, _ handle: SchedulingHandle)
        -> (status: PluginStatus, timeout: Duration)
    {
        guard let cycle = state.read(Cycle.self) else { return (.success, .zero) }
        let group = cycle.group
        if let reason = book.backingOff(group, uid: pod.uid, now: handle.clock(), clearing: false) {
            // Rejected while this pod was being scheduled.
            return (PluginStatus(.unschedulable, "pod group \(group) was rejected (\(reason))"), .zero)
        }
        let members = handle.waitingPods.filter { Self.podGroup(of: $0.pod) == group }
        let waiting = members.filter { $0.result == nil }
        var placed = Set(members.lazy.filter { $0.result?.isSuccess ?? true }.map(\.pod.uid))
        placed.insert(pod.uid)
        if placed.count < cycle.minAvailable { placed.formUnion(settledMembers(group, handle)) }
        if placed.count >= cycle.minAvailable {
            let admitted = Set(waiting.map(\.pod.uid)).union([pod.uid])
            book.admit(admitted, in: group)
            for member in waiting { member.allow(name) }
            if let parked = book.finishPlacing(admitted, in: group), !parked.isEmpty { handle.queue?.activate(parked) }
            return (.success, .zero)
        }
        // Bring the rest of the group now rather than on their next event.
        var siblings = book.registered(in: group)
        for member in members { siblings.remove(member.pod.uid) }
        siblings.remove(pod.uid)
        if !siblings.isEmpty { handle.queue?.activate(siblings) }
        // Counted as placing until allowed or unreserved; the deadline only guards against a scheduler that
        // stopped with the pod waiting.
        let timeout = min(permitWaitingTime, Framework.maxPermitTimeout)
        book.startPlacing(
            pod.uid, in: group, owner: ObjectIdentifier(handle), deadline: handle.clock() + timeout + .seconds(30))
        return (PluginStatus(.wait), permitWaitingTime)
    }
}
