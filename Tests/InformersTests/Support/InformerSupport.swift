import APIMachinery
import Informers
import Synchronization

/// Polls `condition` (for asynchronous progress) every 2 ms for at most `timeout` of real time.
func eventually(_ timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
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
    }

    let state = Mutex(State())

    init() {}

    var lines: [String] { state.withLock { $0.lines } }
    var count: Int { state.withLock { $0.lines.count } }
    var initialAdds: Int { state.withLock { $0.initialAdds } }

    func record(_ line: String) { state.withLock { $0.lines.append(line) } }

    func onAdd(_ object: Object, isInInitialList: Bool) async {
        state.withLock { s in
            s.lines.append("add \(ObjectKey(object.metadata)) \(object.metadata.resourceVersion)")
            if isInInitialList { s.initialAdds += 1 }
        }
    }

    func onUpdate(old: Object, new: Object) async {
        record("update \(ObjectKey(new.metadata)) \(old.metadata.resourceVersion)->\(new.metadata.resourceVersion)")
    }

    func onDelete(_ deleted: DeletedObject<Object>) async {
        record("delete \(deleted.key)\(deleted.isFinalStateUnknown ? " tombstone" : "")")
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
