import Synchronization

/// What ``Coscheduling`` remembers between cycles, behind one lock: the gang pods PreEnqueue saw (pruned
/// against the queue when read, and swept when it doubled), groups backing off after a rejection, groups with
/// members waiting in Permit and the pods parked behind them, and the members it admitted that may still be
/// binding.
///
/// PreEnqueue runs under the queue's lock and takes this one: nothing here calls the queue, allows or rejects
/// a pod while holding it.
final class GangBook: Sendable {
    typealias PodGroup = Coscheduling.PodGroup

    /// A rejected group: turned away until `until`, except for `passing`, the members the rejection sent back
    /// to the queue (the first of them to return ends the back-off).
    struct BackOff {
        var until: Duration
        var passing: Set<String>
        var reason: String
    }

    /// The members of a group waiting in Permit on one scheduler, with the time each stops counting anyway.
    struct Placing {
        var owner: ObjectIdentifier
        var members: [String: Duration] = [:]
    }

    struct State {
        var registered: [PodGroup: Set<String>] = [:]
        var registeredCount = 0
        var sweepAt = 1_024
        var backOffs: [PodGroup: BackOff] = [:]
        /// Groups with members waiting in Permit: while one has, other groups' pods are parked.
        var placing: [PodGroup: Placing] = [:]
        var parked: Set<String> = []
        var admitted: [PodGroup: Set<String>] = [:]
    }

    private let state = Mutex(State())

    // MARK: Pods seen

    func register(_ uid: String, in group: PodGroup) {
        state.withLock { s in
            if s.registered[group, default: []].insert(uid).inserted { s.registeredCount += 1 }
        }
    }

    /// The pods registered in `group` (some may be gone: the caller asks the queue).
    func registered(in group: PodGroup) -> Set<String> { state.withLock { $0.registered[group] ?? [] } }

    /// Drops pods the queue no longer holds (deleted, or bound: the snapshot counts those).
    func forget(_ uids: Set<String>, in group: PodGroup) {
        guard !uids.isEmpty else { return }
        state.withLock { s in
            guard var members = s.registered[group] else { return }
            let before = members.count
            members.subtract(uids)
            s.registeredCount -= before - members.count
            s.registered[group] = members.isEmpty ? nil : members
        }
    }

    /// Whether the registry doubled since the last sweep (pods of groups nobody asks about again).
    var needsSweep: Bool { state.withLock { $0.registeredCount >= $0.sweepAt } }

    /// Keeps only pods the queue still holds, and drops back-offs that ended.
    func sweep(_ queue: SchedulingQueue, now: Duration) {
        let all = state.withLock { s in s.registered.values.reduce(into: Set<String>()) { $0.formUnion($1) } }
        let pending = queue.pending(among: all)
        let gone = all.subtracting(pending)
        state.withLock { s in
            for (group, members) in s.registered {
                let kept = members.subtracting(gone)
                s.registeredCount -= members.count - kept.count
                s.registered[group] = kept.isEmpty ? nil : kept
            }
            s.backOffs = s.backOffs.filter { $0.value.until > now }
            s.sweepAt = max(1_024, 2 * s.registeredCount)
        }
    }

    // MARK: Back-offs

    /// Backs `group` off until `until` (extending a back-off in progress and adding to its passing members).
    func backOff(_ group: PodGroup, until: Duration, passing: Set<String>, reason: String) {
        state.withLock { s in
            if var current = s.backOffs[group] {
                current.until = max(current.until, until)
                current.passing.formUnion(passing)
                current.reason = reason
                s.backOffs[group] = current
            } else {
                s.backOffs[group] = BackOff(until: until, passing: passing, reason: reason)
            }
        }
    }

    /// The reason `group` is backing off for the pod `uid`, or nil. A passing member ends the back-off
    /// (with `clearing`), as does time.
    func backingOff(_ group: PodGroup, uid: String, now: Duration, clearing: Bool = true) -> String? {
        state.withLock { s in
            guard let current = s.backOffs[group] else { return nil }
            if now >= current.until {
                s.backOffs[group] = nil
                return nil
            }
            if current.passing.contains(uid) {
                if clearing { s.backOffs[group] = nil }
                return nil
            }
            return current.reason
        }
    }

    // MARK: Placing and parking

    /// Records that a member of `group` waits in Permit on the scheduler `owner`, until `deadline` at the
    /// latest (a safety net: its timeout or its allowance ends it first).
    func startPlacing(_ uid: String, in group: PodGroup, owner: ObjectIdentifier, deadline: Duration) {
        state.withLock { s in
            if s.placing[group]?.owner != owner { s.placing[group] = Placing(owner: owner) }
            s.placing[group]!.members[uid] = deadline
        }
    }

    /// Members of `group` that no longer wait (allowed, or unreserved once their room was released). When
    /// that was the group's last waiting member, returns the pods parked behind it, now unparked.
    func finishPlacing(_ uids: Set<String>, in group: PodGroup) -> Set<String>? {
        state.withLock { s in
            guard var placing = s.placing[group] else { return nil }
            let before = placing.members.count
            for uid in uids { placing.members[uid] = nil }
            guard placing.members.count < before else { return nil }
            guard placing.members.isEmpty else {
                s.placing[group] = placing
                return nil
            }
            s.placing[group] = nil
            defer { s.parked.removeAll() }
            return s.parked
        }
    }

    /// When a group other than `group` has members waiting in Permit on the scheduler `owner`, parks the pod
    /// (``finishPlacing(_:in:)`` hands it back once that group is complete or released) and returns that group.
    /// The check and the parking happen under this lock, so the release that follows always sees the pod.
    func parkIfAnotherGroupPlaces(_ uid: String, _ group: PodGroup, owner: ObjectIdentifier, now: Duration) -> PodGroup? {
        state.withLock { s in
            for (other, placing) in s.placing where other != group && placing.owner == owner {
                let live = placing.members.filter { $0.value > now }
                if live.isEmpty {
                    s.placing[other] = nil
                    continue
                }
                s.placing[other]?.members = live
                s.parked.insert(uid)
                return other
            }
            return nil
        }
    }

    // MARK: Admitted members

    func admit(_ uids: Set<String>, in group: PodGroup) {
        state.withLock { s in s.admitted[group, default: []].formUnion(uids) }
    }

    func unadmit(_ uid: String, in group: PodGroup) {
        state.withLock { s in
            s.admitted[group]?.remove(uid)
            if s.admitted[group]?.isEmpty == true { s.admitted[group] = nil }
        }
    }

    func admitted(in group: PodGroup) -> Set<String> { state.withLock { $0.admitted[group] ?? [] } }

    /// Drops the admitted members of `checked` that are no longer in flight (bound, or gone); members admitted
    /// since the caller looked stay.
    func keepAdmitted(_ checked: Set<String>, inFlight: Set<String>, in group: PodGroup) {
        let done = checked.subtracting(inFlight)
        guard !done.isEmpty else { return }
        state.withLock { s in
            guard var members = s.admitted[group] else { return }
            members.subtract(done)
            s.admitted[group] = members.isEmpty ? nil : members
        }
    }
}
