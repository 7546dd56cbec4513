public import APIMachinery
import Synchronization

/// What a factory needs of an informer whatever its type.
protocol FactoryInformer: Sendable {
    func run() async throws
    func waitForSync() async -> Bool
    var isIdle: Bool { get }
}

extension SharedInformer: FactoryInformer {}

/// One informer per resource type (and namespace), shared by everyone who asks; started, synced and shut
/// down together.
public final class InformerFactory: Sendable {
    struct Entry {
        var informer: any FactoryInformer
        var task: Task<Void, Never>?
    }

    struct State {
        var informers: [String: Entry] = [:]
        /// Keys in the order informers were requested (start order).
        var order: [String] = []
        var shutDown = false
    }

    public let client: Client
    public let namespace: String
    public let defaultResync: Duration?
    let clock: any Clock<Duration>
    let state = Mutex(State())

    /// - Parameters:
    ///   - namespace: the namespace of namespaced informers; empty for all namespaces.
    ///   - defaultResync: the resync period of informers the factory makes.
    ///   - clock: the clock of their backoff and resync timers.
    public init(
        client: Client, namespace: String = "", defaultResync: Duration? = nil,
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.client = client
        self.namespace = namespace
        self.defaultResync = defaultResync
        self.clock = clock
    }

    /// The informer of a typed resource (the same instance for the same type).
    public func informer<R: Resource>(for type: R.Type) -> SharedInformer<R> {
        let descriptor = R.descriptor
        return informer(key: "\(descriptor.group)/\(descriptor.groupResource.resource)") {
            var options = InformerOptions<R>()
            options.resyncPeriod = defaultResync
            options.clock = clock
            return SharedInformer(listWatch: ListWatch(client.resource(R.self, namespace: namespace)), options: options)
        }
    }

    /// A custom informer shared under `key`: made by `make` the first time the key is asked for.
    /// Asking for an existing key with another object type is a programming error.
    public func informer<Object: APIObject>(
        key: String, make: () -> SharedInformer<Object>
    ) -> SharedInformer<Object> {
        if let existing = state.withLock({ $0.informers[key]?.informer }) {
            guard let typed = existing as? SharedInformer<Object> else {
                preconditionFailure("informer \"\(key)\" holds \(type(of: existing)), not SharedInformer<\(Object.self)>")
            }
            return typed
        }
        let made = make()
        return state.withLock { s -> SharedInformer<Object> in
            if let existing = s.informers[key]?.informer as? SharedInformer<Object> { return existing }
            s.informers[key] = Entry(informer: made, task: nil)
            s.order.append(key)
            return made
        }
    }

    /// Starts every informer not started yet (call again after asking for more), in tasks the factory owns.
    public func start() {
        state.withLock { s in
            guard !s.shutDown else { return }
            for key in s.order where s.informers[key]!.task == nil {
                let informer = s.informers[key]!.informer
                s.informers[key]!.task = Task { try? await informer.run() }
            }
        }
    }

    /// Starts the informers, waits until the task is cancelled, then shuts them down.
    public func run() async throws {
        start()
        let stopped = Latch()
        await withTaskCancellationHandler {
            _ = await stopped.wait()
        } onCancel: {
            stopped.resolve(true)
        }
        await shutdown()
    }

    /// Waits until every started informer has synced; false if one stopped first or the task was cancelled.
    public func waitForCacheSync() async -> Bool {
        let informers = state.withLock { s in s.order.compactMap { s.informers[$0]!.task == nil ? nil : s.informers[$0]!.informer } }
        for informer in informers where !(await informer.waitForSync()) { return false }
        return true
    }

    /// Stops every informer and waits for their tasks.
    public func shutdown() async {
        let tasks = state.withLock { s -> [Task<Void, Never>] in
            s.shutDown = true
            return s.order.compactMap { s.informers[$0]!.task }
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    /// Every informer is idle (see ``SharedInformer/isIdle``).
    public var isIdle: Bool {
        let informers = state.withLock { s in s.order.map { s.informers[$0]!.informer } }
        return informers.allSatisfy(\.isIdle)
    }
}
