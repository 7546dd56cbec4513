public import Informers

/// What a reconciler is asked to converge: the namespace and name of one object (controller-runtime's
/// `reconcile.Request`). The object itself is read from a cache or the API; it may be gone.
public typealias Request = ObjectKey

/// What a reconcile asks of its controller next.
public struct ReconcileResult: Sendable, Hashable {
    /// Requeue with the rate limiter's backoff.
    public var requeue: Bool
    /// Requeue after this long (takes precedence over ``requeue``).
    public var requeueAfter: Duration?

    public init(requeue: Bool = false, requeueAfter: Duration? = nil) {
        self.requeue = requeue
        self.requeueAfter = requeueAfter
    }

    /// Converged: nothing to do until the next event.
    public static let done = ReconcileResult()
    /// Try again with backoff (without counting as an error).
    public static let requeue = ReconcileResult(requeue: true)
    /// Look again after a fixed delay (a periodic check, a timeout).
    public static func requeue(after delay: Duration) -> ReconcileResult { ReconcileResult(requeueAfter: delay) }
}

/// An error that retrying cannot fix: the controller records it and does not requeue the request.
public struct TerminalError: Error, CustomStringConvertible {
    public var underlying: any Error

    public init(_ underlying: any Error) { self.underlying = underlying }

    public var description: String { "terminal error: \(underlying)" }
}

/// Converges one object at a time: reads the desired state, compares it with the actual, acts, and says
/// whether to look again. Errors requeue the request with backoff, unless they are ``TerminalError``s.
///
/// Reconcilers must be idempotent and level-based: they are told *which* object to look at, never *what*
/// changed, and the same request may come again at any time.
public protocol Reconciler: Sendable {
    func reconcile(_ request: Request) async throws -> ReconcileResult
}

/// A reconciler from a closure.
public struct ReconcilerFunction: Reconciler {
    let body: @Sendable (Request) async throws -> ReconcileResult

    public init(_ body: @escaping @Sendable (Request) async throws -> ReconcileResult) { self.body = body }

    public func reconcile(_ request: Request) async throws -> ReconcileResult { try await body(request) }
}
