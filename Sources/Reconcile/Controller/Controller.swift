import APIMachinery
public import Informers
import Synchronization

/// How a controller runs its reconciler.
public struct ControllerOptions: Sendable {
    /// Reconciles that may run at once (for different requests: one request never runs twice at once).
    public var maxConcurrentReconciles = 1
    /// Backoff for errors and ``ReconcileResult/requeue``; nil: the default (max of per-item exponential
    /// 5 ms → 1000 s and a 10 qps / burst 100 token bucket).
    public var rateLimiter: (any RateLimiter<Request>)?
    /// Work-queue metrics hooks.
    public var metrics: (any WorkQueueMetrics)?
    /// Reconcile errors kept for inspection (``Controller/recentErrors``).
    public var recentErrorLimit = 100

    public init() {}
}

/// Counts of what a controller's reconciles returned.
public struct ReconcileStatistics: Sendable, Hashable {
    public var reconciles = 0
    public var successes = 0
    public var errors = 0
    public var terminalErrors = 0
    public var requeues = 0
    public var requeuesAfter = 0
}

/// A reconcile error as a controller recorded it.
public struct ReconcileFailure: Sendable, CustomStringConvertible {
    public var request: Request
    public var error: any Error
    public var isTerminal: Bool

    public var description: String { "\(request): \(error)" }
}

/// Runs a ``Reconciler`` over a work queue fed by informer event handlers (controller-runtime's controller):
/// waits for its sources' caches, then runs up to ``ControllerOptions/maxConcurrentReconciles`` workers.
/// Built with ``Manager/controller(for:named:)``.
public final class Controller: Sendable {
    public let name: String
    /// The requests waiting, delayed or being reconciled.
    public let queue: WorkQueue<Request>
    let reconciler: any Reconciler
    let options: ControllerOptions
    /// Each source's cache-sync wait, registered by the builder.
    let syncWaits: [@Sendable () async -> Bool]
    let state = Mutex(State())

    struct State {
        var statistics = ReconcileStatistics()
        var recentErrors: [ReconcileFailure] = []
    }

    init(
        name: String, reconciler: any Reconciler, queue: WorkQueue<Request>, options: ControllerOptions,
        syncWaits: [@Sendable () async -> Bool]
    ) {
        self.name = name
        self.reconciler = reconciler
        self.queue = queue
        self.options = options
        self.syncWaits = syncWaits
    }

    /// What reconciles returned so far.
    public var statistics: ReconcileStatistics { state.withLock { $0.statistics } }

    /// The latest reconcile errors, oldest first (at most ``ControllerOptions/recentErrorLimit``).
    public var recentErrors: [ReconcileFailure] { state.withLock { $0.recentErrors } }

    /// No request ready or being reconciled (delayed requeues may wait).
    public var isIdle: Bool { queue.count == 0 && queue.processingCount == 0 }

    /// Waits for the sources' caches, then reconciles until the task is cancelled; in-flight reconciles finish.
    public func run() async throws {
        for wait in syncWaits where !(await wait()) { return }
        let workers = max(1, options.maxConcurrentReconciles)
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for _ in 0..<workers {
                    group.addTask { await self.work() }
                }
            }
        } onCancel: {
            queue.shutDown()
        }
    }

    func work() async {
        while let request = await queue.get() {
            await process(request)
        }
    }

    func process(_ request: Request) async {
        defer { queue.done(request) }
        do {
            let result = try await reconciler.reconcile(request)
            if let delay = result.requeueAfter {
                queue.forget(request)
                queue.addAfter(request, delay)
                record { $0.requeuesAfter += 1 }
            } else if result.requeue {
                queue.addRateLimited(request)
                record { $0.requeues += 1 }
            } else {
                queue.forget(request)
                record { $0.successes += 1 }
            }
        } catch let error as TerminalError {
            queue.forget(request)
            record(ReconcileFailure(request: request, error: error.underlying, isTerminal: true)) { $0.terminalErrors += 1 }
        } catch {
            queue.addRateLimited(request)
            record(ReconcileFailure(request: request, error: error, isTerminal: false)) { $0.errors += 1 }
        }
    }

    func record(_ failure: ReconcileFailure? = nil, _ count: (inout ReconcileStatistics) -> Void) {
        let limit = options.recentErrorLimit
        state.withLock { state in
            state.statistics.reconciles += 1
            count(&state.statistics)
            if let failure, limit > 0 {
                if state.recentErrors.count >= limit { state.recentErrors.removeFirst() }
                state.recentErrors.append(failure)
            }
        }
    }
}
