import Synchronization

/// A value set once that any number of tasks can wait for (a cancelled waiter gets `false`).
final class Latch: Sendable {
    struct State {
        var value: Bool?
        var waiters: [UInt64: UnsafeContinuation<Bool, Never>] = [:]
        var nextID: UInt64 = 0
    }

    let state = Mutex(State())

    var value: Bool? { state.withLock { $0.value } }

    /// Sets the value (only the first call counts) and wakes every waiter.
    func resolve(_ value: Bool) {
        let waiters = state.withLock { s -> [UnsafeContinuation<Bool, Never>] in
            guard s.value == nil else { return [] }
            s.value = value
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    /// The value, once set; false if the task is cancelled first.
    func wait() async -> Bool {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (waiter: UnsafeContinuation<Bool, Never>) in
                let immediate = state.withLock { s -> Bool? in
                    if let value = s.value { return value }
                    if Task.isCancelled { return false }
                    s.waiters[id] = waiter
                    return nil
                }
                if let immediate { waiter.resume(returning: immediate) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
        }
    }
}

/// A wake-up for one waiting task; a signal with nobody waiting is kept for the next wait.
final class Signal: Sendable {
    struct State {
        var pending = false
        var waiter: UnsafeContinuation<Void, Never>?
    }

    let state = Mutex(State())

    func fire() {
        state.withLock { s -> UnsafeContinuation<Void, Never>? in
            guard let waiter = s.waiter else {
                s.pending = true
                return nil
            }
            s.waiter = nil
            return waiter
        }?.resume()
    }

    /// Returns after a signal, or when the task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (waiter: UnsafeContinuation<Void, Never>) in
                let parked = state.withLock { s in
                    if s.pending || Task.isCancelled {
                        s.pending = false
                        return false
                    }
                    s.waiter = waiter
                    return true
                }
                if !parked { waiter.resume() }
            }
        } onCancel: {
            state.withLock { s in
                defer { s.waiter = nil }
                return s.waiter
            }?.resume()
        }
    }
}
