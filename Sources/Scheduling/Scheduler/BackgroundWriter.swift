import Synchronization

/// Runs API writes that must not hold up scheduling (Events, pod conditions) one at a time on its own task.
/// Bounded: when ``capacity`` jobs wait, new ones are dropped and counted (kube-scheduler's event broadcaster
/// drops too), so a slow API server cannot make the scheduler's memory grow.
final class BackgroundWriter: Sendable {
    typealias Job = @Sendable () async -> Void

    struct State {
        var jobs: [Job] = []
        var head = 0
        var waiter: UnsafeContinuation<Job?, Never>?
        var closed = false
        var dropped = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Queues `job`; false (and dropped) when the buffer is full or the writer stopped.
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        let outcome = state.withLock { s -> (accepted: Bool, waiter: UnsafeContinuation<Job?, Never>?) in
            guard !s.closed, s.jobs.count - s.head < capacity else {
                s.dropped += 1
                return (false, nil)
            }
            if let waiter = s.waiter {
                s.waiter = nil
                return (true, waiter)
            }
            s.jobs.append(job)
            return (true, nil)
        }
        outcome.waiter?.resume(returning: job)
        return outcome.accepted
    }

    /// Jobs dropped because the buffer was full.
    var dropped: Int { state.withLock { $0.dropped } }

    /// Runs jobs until cancelled; jobs already queued then still run.
    func run() async {
        while let job = await next() { await job() }
    }

    private func next() async -> Job? {
        if let job = state.withLock({ Self.take(&$0) }) { return job }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Job?, Never>) in
                let immediate = state.withLock { s -> Job?? in
                    if let job = Self.take(&s) { return .some(job) }
                    if s.closed || Task.isCancelled { return .some(nil) }
                    s.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            state.withLock { s in
                s.closed = true
                defer { s.waiter = nil }
                return s.waiter
            }?.resume(returning: nil)
        }
    }

    private static func take(_ s: inout State) -> Job? {
        guard s.head < s.jobs.count else { return nil }
        let job = s.jobs[s.head]
        s.head += 1
        if s.head == s.jobs.count {
            s.jobs.removeAll(keepingCapacity: true)
            s.head = 0
        }
        return job
    }
}
