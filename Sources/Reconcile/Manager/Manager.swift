public import APIMachinery
public import Informers
import Synchronization

/// A long-running component a ``Manager`` runs (swift-service-lifecycle's shape): runs until its task is
/// cancelled, then stops gracefully.
public protocol Runnable: Sendable {
    func run() async throws
}

extension Controller: Runnable {}

/// Why a manager stopped on its own.
public struct ManagerError: Error, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        let raw: String
        /// Leader election was lost: the controllers stopped (controller-runtime exits the process).
        public static let leadershipLost = Code(raw: "leadershipLost")
        /// ``Manager/run()`` was called while the manager runs, or after it ran: a manager runs once (its
        /// controllers' queues shut down when it stops), as controller-runtime's does.
        public static let alreadyRunning = Code(raw: "alreadyRunning")
    }

    public var code: Code
    public var message: String

    public var description: String { message }
}

/// Settings of a ``Manager``.
public struct ManagerOptions: Sendable {
    /// Every timer (work-queue delays, resyncs, leader election) runs on this clock.
    public var clock: any Clock<Duration> = ContinuousClock()
    /// Restricts the informers to one namespace (empty: all).
    public var namespace = ""
    /// How often informers replay their caches to handlers (nil: never).
    public var defaultResync: Duration?
    /// Campaign for this lease before starting controllers; nil runs them at once.
    public var leaderElection: LeaderElectionConfig?
    /// Wall-clock time written into leases.
    public var now: @Sendable () -> MicroTime = { MicroTime.now() }

    public init() {}
}

/// Runs informers, controllers and other runnables as one `run() async throws` (controller-runtime's
/// manager): informers and runnables that do not need leadership start at once; controllers and the rest
/// start when this replica leads (at once without leader election), and stop when it no longer does.
/// Cancelling ``run()`` stops everything gracefully: in-flight reconciles finish, the lease is released.
public final class Manager: Sendable {
    public let client: Client
    public let informers: InformerFactory
    public let options: ManagerOptions
    let state = Mutex(State())

    struct State {
        var leaderRunnables: [any Runnable] = []
        var otherRunnables: [any Runnable] = []
        var controllers: [Controller] = []
        var running = false
        var ran = false
        var leading = false
        /// Where runnables added while leading go, to start at once.
        var mailbox: RunnableMailbox?
        var otherMailbox: RunnableMailbox?
        var elector: LeaderElector?
    }

    public init(client: Client, options: ManagerOptions = ManagerOptions()) {
        self.client = client
        self.options = options
        informers = InformerFactory(client: client, namespace: options.namespace, defaultResync: options.defaultResync,
            clock: options.clock)
    }

    /// Starts building a controller whose primary type is `Primary` (its name defaults to the kind, lowercased).
    public func controller<Primary: Resource>(for type: Primary.Type, named name: String? = nil) -> ControllerBuilder<Primary> {
        ControllerBuilder(manager: self, name: name ?? Primary.descriptor.kind.lowercased())
    }

    /// Adds a runnable; one that needs leader election runs only while this replica leads. Runnables added
    /// while the manager runs start at once (when their condition holds).
    public func add(_ runnable: some Runnable, needsLeaderElection: Bool = true) {
        let (mailbox, running) = state.withLock { state -> (RunnableMailbox?, Bool) in
            if needsLeaderElection {
                state.leaderRunnables.append(runnable)
                return (state.mailbox, state.running)
            }
            state.otherRunnables.append(runnable)
            return (state.otherMailbox, state.running)
        }
        mailbox?.post(runnable)
        // A runnable added to a running manager may have asked for informers nobody started yet.
        if running { informers.start() }
    }

    func add(controller: Controller) {
        state.withLock { $0.controllers.append(controller) }
        add(controller, needsLeaderElection: true)
    }

    /// The controllers built on this manager.
    public var controllers: [Controller] { state.withLock { $0.controllers } }

    /// Whether controllers run here (always while running without leader election).
    public var isLeader: Bool { state.withLock { $0.leading } }

    /// The leader elector while the manager runs with leader election.
    public var elector: LeaderElector? { state.withLock { $0.elector } }

    /// Every informer idle and every controller without ready or running work.
    public var isIdle: Bool { informers.isIdle && controllers.allSatisfy(\.isIdle) }

    /// Runs until cancelled (then stops gracefully) or until leadership is lost (then throws
    /// ``ManagerError/Code/leadershipLost``).
    public func run() async throws {
        let others = RunnableMailbox()
        let alreadyRunning = state.withLock { state -> Bool in
            if state.running || state.ran { return true }
            state.running = true
            state.ran = true
            others.post(contentsOf: state.otherRunnables)
            state.otherMailbox = others
            return false
        }
        if alreadyRunning {
            throw ManagerError(code: .alreadyRunning, message: "the manager is running or has run (a manager runs once)")
        }
        defer {
            state.withLock { state in
                state.running = false
                state.otherMailbox = nil
                state.elector = nil
            }
        }
        let elector = try options.leaderElection.map {
            try LeaderElector(client: client, config: $0, clock: options.clock, now: options.now)
        }
        state.withLock { $0.elector = elector }
        informers.start()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await others.runAll() }
            group.addTask {
                if let elector {
                    try await elector.run(lead: { try await self.lead() })
                    if !Task.isCancelled {
                        throw ManagerError(code: .leadershipLost, message: "leader election lost")
                    }
                } else {
                    try await self.lead()
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
        await informers.shutdown()
    }

    /// Runs the leader's runnables (controllers among them) until cancelled.
    func lead() async throws {
        let mailbox = RunnableMailbox()
        state.withLock { state in
            mailbox.post(contentsOf: state.leaderRunnables)
            state.mailbox = mailbox
            state.leading = true
        }
        defer {
            state.withLock { state in
                state.mailbox = nil
                state.leading = false
            }
        }
        try await mailbox.runAll()
    }
}

/// Runnables waiting to be started by a running task group; ``runAll()`` starts each as it arrives and
/// returns when cancelled, after they stopped.
final class RunnableMailbox: Sendable {
    struct State {
        var pending: [any Runnable] = []
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }

    let state = Mutex(State())

    func post(_ runnable: any Runnable) { post(contentsOf: [runnable]) }

    func post(contentsOf runnables: [any Runnable]) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.closed else { return nil }
            state.pending += runnables
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Takes what is pending, waiting until something is or the mailbox closes (nil).
    func take() async -> [any Runnable]? {
        while true {
            enum Step { case take([any Runnable]), closed, wait }
            let step = state.withLock { state -> Step in
                if !state.pending.isEmpty {
                    defer { state.pending.removeAll() }
                    return .take(state.pending)
                }
                return state.closed ? .closed : .wait
            }
            switch step {
            case .take(let runnables): return runnables
            case .closed: return nil
            case .wait:
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool in
                        if !state.pending.isEmpty || state.closed { return true }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    func runAll() async throws {
        try await withTaskCancellationHandler {
            try await withThrowingDiscardingTaskGroup { group in
                while let runnables = await take() {
                    for runnable in runnables {
                        group.addTask { try await runnable.run() }
                    }
                }
                group.cancelAll()
            }
        } onCancel: {
            close()
        }
    }
}
