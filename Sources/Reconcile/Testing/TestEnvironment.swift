public import APIMachinery
import Informers
public import Raft
public import Store
import Synchronization

/// Why a test environment call failed.
public struct TestEnvironmentError: Error, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// An in-process control plane for reconciler tests: the real store (in memory), the real registry with the
/// built-in types, admission and validation, shared informers, the garbage collector and the namespace
/// controller — on a manual clock, ready in milliseconds.
///
/// ```swift
/// let env = try await TestEnvironment.start()
/// defer { Task { await env.stop() } }
/// env.controller(for: ReplicaSet.self).owns(Pod.self).complete(MyReconciler(client: env.client))
/// _ = try await env.client.resource(ReplicaSet.self, namespace: "default").create(replicaSet)
/// try await env.settle()                      // everything that follows from it has happened
/// try await env.advance(by: .seconds(30))     // timers (requeue-after, backoff, leases) fire on the way
/// ```
///
/// What it is not: there is no kubelet (Pods do not run; a deleted Pod on a node is removed when its grace
/// period has passed on the virtual clock, see ``Options/podTermination``) and no scheduler unless a test adds
/// one.
public final class TestEnvironment: Sendable {
    /// What the environment runs.
    public struct Options: Sendable {
        /// The API server's options; its clock and `now` are replaced by the environment's virtual ones.
        public var apiServer = APIServer.Options()
        /// Run the garbage collector (owner references, propagation policies).
        public var garbageCollector = true
        /// Run the namespace controller (namespace deletion empties the namespace, then removes it).
        public var namespaceController = true
        /// Remove Pods whose graceful deletion period has passed on the virtual clock (the kubelet's part).
        public var podTermination = true
        /// Wall-clock time at virtual time zero (2025-01-01T00:00:00Z).
        public var epoch = Time(secondsSinceEpoch: 1_735_689_600)
        /// How long ``settle()`` waits, in real time, before it gives up (generous: a loaded machine running
        /// many suites at once can be slow; a system that never settles is what this catches).
        public var settleTimeout: Duration = .seconds(60)

        public init() {}
    }

    /// Virtual time: every timer of the environment and its controllers.
    public let clock: ManualClock
    public let store: KeyValueStore
    public let server: APIServer
    /// Runs the environment's informers and controllers, and those the test adds.
    public let manager: Manager
    public let garbageCollector: GarbageCollector?
    /// A cluster administrator's client.
    public let client: Client
    let options: Options
    let task = Mutex<Task<Void, any Error>?>(nil)
    let runError = Mutex<(any Error)?>(nil)

    /// Wall-clock time on the virtual clock, shared by the server, leases and events.
    let wallClock: VirtualWallClock

    init(options: Options, wallClock: VirtualWallClock, store: KeyValueStore, server: APIServer) {
        self.options = options
        self.wallClock = wallClock
        clock = wallClock.clock
        self.store = store
        self.server = server
        client = server.client(fieldManager: "test-environment")
        var managerOptions = ManagerOptions()
        managerOptions.clock = clock
        managerOptions.now = { wallClock.microTime() }
        manager = Manager(client: server.client(fieldManager: "controller-manager"), options: managerOptions)
        garbageCollector = options.garbageCollector
            ? GarbageCollector(client: server.client(fieldManager: "garbage-collector"), informers: manager.informers, clock: clock)
            : nil
    }

    /// Starts an environment and waits until its informers have synced.
    public static func start(_ options: Options = Options()) async throws -> TestEnvironment {
        let clock = ManualClock()
        let store = try await KeyValueStore.inMemory()
        var serverOptions = options.apiServer
        serverOptions.clock = clock
        let wallClock = VirtualWallClock(epoch: options.epoch, clock: clock)
        serverOptions.now = { wallClock.time() }
        let server = APIServer(store: store, options: serverOptions)
        try await server.createSystemNamespaces()
        let env = TestEnvironment(options: options, wallClock: wallClock, store: store, server: server)
        if let collector = env.garbageCollector {
            collector.refreshResources()
            env.manager.add(collector, needsLeaderElection: false)
        }
        if options.namespaceController { env.manager.addNamespaceController() }
        if options.podTermination { env.manager.addPodTermination(now: { wallClock.time() }) }
        let task = Task {
            do {
                try await env.manager.run()
            } catch {
                env.runError.withLock { $0 = error }
                throw error
            }
        }
        env.task.withLock { $0 = task }
        guard await env.manager.informers.waitForCacheSync(), await env.garbageCollector?.waitForSync() ?? true else {
            await env.stop()
            throw TestEnvironmentError(message: "the environment's informers did not sync")
        }
        return env
    }

    /// Stops the controllers and informers, then the server and store.
    public func stop() async {
        let task = task.withLock { task -> Task<Void, any Error>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        _ = await task?.result
        server.close()
        await store.close()
    }

    /// The wall-clock time of the environment (its epoch plus virtual time).
    public var now: Time { wallClock.time() }

    /// Registers a custom resource type (the garbage collector follows it at once).
    public func register<R: Resource>(_ type: R.Type) throws(APIError) {
        try server.register(type)
        garbageCollector?.refreshResources()
    }

    /// Starts building a controller run by the environment's manager.
    public func controller<Primary: Resource>(for type: Primary.Type, named name: String? = nil) -> ControllerBuilder<Primary> {
        manager.controller(for: type, named: name)
    }

    /// A client acting as `user`; with `faults`, its requests pass the injector first.
    public func client(as user: UserInfo = .systemAdmin, faults: FaultInjector? = nil, fieldManager: String = "") -> Client {
        var client = server.client(as: user, fieldManager: fieldManager)
        client.interceptor = faults
        return client
    }

    /// An event recorder writing through the environment (timestamps on virtual time).
    public func eventRecorder(component: String) -> EventRecorder {
        let wallClock = wallClock
        return EventRecorder(client: client, component: component, now: { wallClock.time() })
    }

    /// The event log: Events in a namespace (all when nil), about one object when `name` is given, oldest first.
    public func events(namespace: String? = nil, involving name: String? = nil) async throws -> [APIMachinery.Event] {
        let events = try await client.resource(APIMachinery.Event.self, namespace: namespace ?? "").list().items
        return events
            .filter { name == nil || $0.involvedObject?.name == name }
            .sorted { ($0.firstTimestamp ?? Time(secondsSinceEpoch: 0), $0.metadata.name)
                < ($1.firstTimestamp ?? Time(secondsSinceEpoch: 0), $1.metadata.name) }
    }

    /// Waits until the system is quiescent: every informer has dispatched what it received, no controller has
    /// a request ready or running, the garbage collector has nothing to do, and the store's revision stayed
    /// the same across several checks (so no write is still on its way to a watch). Delayed requeues wait for
    /// virtual time (see ``advance(by:)``).
    public func settle() async throws {
        if let error = runError.withLock({ $0 }) { throw error }
        let deadline = ContinuousClock.now.advanced(by: options.settleTimeout)
        var stableChecks = 0
        var lastRevision: Int64 = -1
        while stableChecks < 3 {
            guard ContinuousClock.now < deadline else {
                throw TestEnvironmentError(message: "not quiescent after \(options.settleTimeout): \(busyComponents)")
            }
            for _ in 0..<8 { await Task.yield() }
            try await Task.sleep(for: .microseconds(300))
            let revision = store.currentRevision
            if isIdle && revision == lastRevision { stableChecks += 1 } else { stableChecks = 0 }
            lastRevision = revision
        }
    }

    /// Whether every component is idle right now.
    public var isIdle: Bool { manager.isIdle && (garbageCollector?.isIdle ?? true) }

    var busyComponents: String {
        var busy: [String] = []
        if !manager.informers.isIdle { busy.append("informers") }
        for controller in manager.controllers where !controller.isIdle {
            busy.append("controller \(controller.name) (\(controller.queue.count) queued)")
        }
        if garbageCollector?.isIdle == false { busy.append("garbage collector") }
        return busy.isEmpty ? "store writes kept coming" : busy.joined(separator: ", ")
    }

    /// Moves virtual time forward, stopping at every timer due on the way and settling after each, so
    /// requeue-after delays, backoffs, lease renewals and grace periods fire in order.
    public func advance(by duration: Duration) async throws {
        let target = clock.now.advanced(by: duration)
        try await settle()
        while let next = clock.nextDeadline, next <= target {
            clock.advance(by: max(.zero, clock.now.duration(to: next)))
            try await settle()
        }
        if clock.now < target {
            clock.advance(by: clock.now.duration(to: target))
            try await settle()
        }
    }
}

/// Wall-clock time on a manual clock: the epoch plus virtual time. The API server, the leases and the event
/// recorder all read it, so timestamps agree.
struct VirtualWallClock: Sendable {
    let epoch: Time
    let clock: ManualClock

    func time() -> Time { epoch.adding(seconds: clock.now.offset.components.seconds) }

    func microTime() -> MicroTime {
        let offset = clock.now.offset.components
        return MicroTime(microsecondsSinceEpoch: (epoch.secondsSinceEpoch + offset.seconds) * 1_000_000
            + offset.attoseconds / 1_000_000_000_000)
    }
}
