import APIMachinery
import Informers
import Synchronization

/// Polls `condition` (for asynchronous progress) every 2 ms for at most `timeout` of real time, and at least
/// as many polls as that takes on an idle machine: when other tests keep the cooperative pool busy, real time
/// passes without the awaited task getting a turn, so a deadline alone would fail a test that is merely slow.
func eventually(_ timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    let minimumPolls = Int(timeout / .milliseconds(2))
    var polls = 0
    while ContinuousClock.now < deadline || polls < minimumPolls {
        if condition() { return true }
        polls += 1
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}

/// A ConfigMap in `namespace` with one data entry.
func configMap(_ name: String, namespace: String = "default", value: String = "v", labels: [String: String] = [:])
    -> ConfigMap
{
    ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace, labels: labels), data: ["key": value])
}

/// Runs an informer (or anything with `run()`) in a task for the duration of `body`, then cancels it and
/// waits for it to stop.
func running<T>(_ run: @escaping @Sendable () async throws -> Void, _ body: () async throws -> T) async throws -> T {
    let task = Task { try await run() }
    do {
        let result = try await body()
        task.cancel()
        _ = await task.result
        return result
    } catch {
        task.cancel()
        _ = await task.result
        throw error
    }
}

/// Records what a handler receives, as text lines and per-object version histories.
final class Recorder<Object: APIObject>: ResourceEventHandler, Sendable {
    struct State {
        var lines: [String] = []
        var initialAdds = 0
        var history: [Step] = []
    }

    /// One notification as resourceVersions: `old` is 0 for adds; deletes carry the deleted object's version.
    struct Step: Sendable {
        enum Kind: Sendable { case add, update, delete }
        var kind: Kind
        var key: ObjectKey
        var old: UInt64
        var new: UInt64
    }

    let state = Mutex(State())

    init() {}

    var lines: [String] { state.withLock { $0.lines } }
    var count: Int { state.withLock { $0.lines.count } }
    var initialAdds: Int { state.withLock { $0.initialAdds } }
    var history: [Step] { state.withLock { $0.history } }

    func record(_ line: String) { state.withLock { $0.lines.append(line) } }

    func onAdd(_ object: Object, isInInitialList: Bool) async {
        state.withLock { s in
            s.lines.append("add \(ObjectKey(object.metadata)) \(object.metadata.resourceVersion)")
            if isInInitialList { s.initialAdds += 1 }
            s.history.append(Step(kind: .add, key: ObjectKey(object.metadata), old: 0,
                new: UInt64(object.metadata.resourceVersion) ?? 0))
        }
    }

    func onUpdate(old: Object, new: Object) async {
        state.withLock { s in
            s.lines.append("update \(ObjectKey(new.metadata)) \(old.metadata.resourceVersion)->\(new.metadata.resourceVersion)")
            s.history.append(Step(kind: .update, key: ObjectKey(new.metadata),
                old: UInt64(old.metadata.resourceVersion) ?? 0, new: UInt64(new.metadata.resourceVersion) ?? 0))
        }
    }

    func onDelete(_ deleted: DeletedObject<Object>) async {
        state.withLock { s in
            s.lines.append("delete \(deleted.key)\(deleted.isFinalStateUnknown ? " tombstone" : "")")
            s.history.append(Step(kind: .delete, key: deleted.key, old: 0,
                new: UInt64(deleted.object.metadata.resourceVersion) ?? 0))
        }
    }
}

/// A gate a handler awaits until it is opened (a blocked handler in isolation tests).
final class Gate: Sendable {
    let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let open = state.withLock { s in
                if !s.open { s.waiters.append(waiter) }
                return s.open
            }
            if open { waiter.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { s in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Replays notifications per object and reports what breaks the rules: an add of an object that exists,
/// an update whose old version is not the last one seen or whose new version is not newer, a delete of an
/// object that does not exist or not newer. Returns the problems and every object's versions in order.
func checkHistory<Object>(_ steps: [Recorder<Object>.Step]) -> (problems: [String], versions: [ObjectKey: [UInt64]]) {
    var exists: [ObjectKey: Bool] = [:]
    var last: [ObjectKey: UInt64] = [:]
    var versions: [ObjectKey: [UInt64]] = [:]
    var problems: [String] = []
    for step in steps {
        let seen = last[step.key] ?? 0
        switch step.kind {
        case .add:
            if exists[step.key] == true { problems.append("add of existing \(step.key) at \(step.new)") }
            exists[step.key] = true
        case .update:
            // A coalesced delete + re-create arrives as an update from the deleted state.
            if step.old != seen { problems.append("update of \(step.key) from \(step.old), last seen \(seen)") }
            exists[step.key] = true
        case .delete:
            if exists[step.key] != true { problems.append("delete of absent \(step.key) at \(step.new)") }
            exists[step.key] = false
        }
        if step.new <= seen { problems.append("\(step.key) went from \(seen) to \(step.new)") }
        last[step.key] = step.new
        versions[step.key, default: []].append(step.new)
    }
    return (problems, versions)
}
