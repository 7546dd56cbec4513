import Store
import Synchronization

/// One resource type's current objects, decoded, kept up to date by a store watch (Kubernetes' watch cache).
///
/// Lists and `resourceVersion="0"` reads are served from here. A consistent list first learns the store's
/// current revision with a quorum read, then waits until the cache has applied it: the cache asks its
/// watch for a progress notification, so it catches up even when no object of this type changed.
final class ObjectCache: Sendable {
    struct Entry: Sendable {
        let object: any APIObject
        let labels: [String: String]
        let namespace: String
        let name: String
        let modRevision: Int64
        /// The store key, for ordering and continue tokens.
        let key: [UInt8]
    }

    enum Phase {
        case idle
        case loading
        case ready
        case stopped(APIError)
    }

    struct State {
        var phase = Phase.idle
        /// The store revision the cache reflects.
        var revision: Int64 = 0
        var namespaces: [String: [String: Entry]] = [:]
        var waiters: [(revision: Int64, continuation: CheckedContinuation<Void, any Error>)] = []
        var watch: Watch?
        var task: Task<Void, Never>?
    }

    let store: KeyValueStore
    let codec: ObjectCodec
    let keys: StorageKeys
    let state = Mutex(State())
    /// Told of every change before waiters for its revision resume (the RBAC authorizer follows its
    /// objects this way, so an authorization after a write of a role sees the role).
    let observer = Mutex<(@Sendable (Change) -> Void)?>(nil)

    enum Change: Sendable {
        /// A full (re)load: these are all the objects.
        case reset([any APIObject])
        case upsert(any APIObject)
        case delete(namespace: String, name: String)
    }

    init(store: KeyValueStore, codec: ObjectCodec, keys: StorageKeys) {
        self.store = store
        self.codec = codec
        self.keys = keys
    }

    /// Starts loading on first use.
    func start() {
        let begin = state.withLock { state -> Bool in
            guard case .idle = state.phase else { return false }
            state.phase = .loading
            return true
        }
        guard begin else { return }
        let task = Task { [self] in await self.run() }
        // A stop between the claim above and here must still cancel the task.
        let stopped = state.withLock { state -> Bool in
            if case .stopped = state.phase { return true }
            state.task = task
            return false
        }
        if stopped { task.cancel() }
    }

    func stop() {
        let (task, watch, waiters) = state.withLock { state in
            state.phase = .stopped(.serviceUnavailable("the API server is shutting down"))
            defer { state.waiters = [] }
            return (state.task, state.watch, state.waiters)
        }
        task?.cancel()
        watch?.cancel()
        for waiter in waiters { waiter.continuation.resume(throwing: APIError.serviceUnavailable("shutting down")) }
    }

    private func run() async {
        while !Task.isCancelled {
            do {
                try await loadAndFollow()
            } catch let error as StoreError where error.code == .compacted {
                continue  // fell behind retained history: relist
            } catch {
                let failure = (error as? APIError) ?? APIError.serviceUnavailable("storage: \(error)")
                let waiters = state.withLock { state in
                    state.phase = .stopped(failure)
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.continuation.resume(throwing: failure) }
                return
            }
        }
    }

    private func loadAndFollow() async throws {
        let prefix = keys.prefix
        let response = try await store.range(.prefix(prefix))
        var namespaces: [String: [String: Entry]] = [:]
        for kv in response.kvs {
            let entry = try entry(for: kv)
            namespaces[entry.namespace, default: [:]][entry.name] = entry
        }
        let revision = response.header.revision
        let watch = try store.watch(
            WatchRequest(key: prefix, rangeEnd: KeyRange.prefixEnd(prefix), startRevision: revision + 1,
                progressNotify: true))
        if let observe = observer.withLock({ $0 }) {
            observe(.reset(namespaces.values.flatMap { $0.values.map(\.object) }))
        }
        let ready = state.withLock { state -> [CheckedContinuation<Void, any Error>]? in
            if case .stopped = state.phase { return nil }
            state.namespaces = namespaces
            state.watch = watch
            state.phase = .ready
            return advance(&state, to: revision)
        }
        guard let ready else {
            watch.cancel()  // stopped while loading
            return
        }
        for waiter in ready { waiter.resume() }
        for try await update in watch {
            var decoded: [(Store.Event.Kind, Entry?, [UInt8])] = []
            decoded.reserveCapacity(update.events.count)
            for event in update.events {
                if event.kind == .put {
                    decoded.append((.put, try entry(for: event.kv), event.kv.key))
                } else {
                    decoded.append((.delete, nil, event.kv.key))
                }
            }
            if let observe = observer.withLock({ $0 }) {
                for (_, entry, key) in decoded {
                    if let entry {
                        observe(.upsert(entry.object))
                    } else {
                        let (namespace, name) = keys.names(ofKey: key)
                        observe(.delete(namespace: namespace, name: name))
                    }
                }
            }
            let woken = state.withLock { state in
                for (kind, entry, key) in decoded {
                    if let entry {
                        state.namespaces[entry.namespace, default: [:]][entry.name] = entry
                    } else if kind == .delete {
                        let (namespace, name) = keys.names(ofKey: key)
                        state.namespaces[namespace]?[name] = nil
                        if state.namespaces[namespace]?.isEmpty == true { state.namespaces[namespace] = nil }
                    }
                }
                return advance(&state, to: update.header.revision)
            }
            for waiter in woken { waiter.resume() }
        }
        throw APIError.serviceUnavailable("the storage watch of \(codec.descriptor.groupResource) ended")
    }

    private func advance(_ state: inout State, to revision: Int64) -> [CheckedContinuation<Void, any Error>] {
        if revision > state.revision { state.revision = revision }
        var ready: [CheckedContinuation<Void, any Error>] = []
        state.waiters.removeAll { waiter in
            guard waiter.revision <= state.revision else { return false }
            ready.append(waiter.continuation)
            return true
        }
        return ready
    }

    private func entry(for kv: KeyValue) throws(APIError) -> Entry {
        let object = try codec.decodeStored(kv)
        let metadata = object.metadata
        return Entry(object: object, labels: metadata.labels, namespace: metadata.namespace, name: metadata.name,
            modRevision: kv.modRevision, key: kv.key)
    }

    /// Waits until the cache reflects at least `revision`.
    func waitUntilFresh(_ revision: Int64) async throws(APIError) {
        start()
        let fresh = state.withLock { state -> Bool in
            if case .ready = state.phase { return state.revision >= revision }
            return false
        }
        if fresh { return }
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resume, failure, watch) = state.withLock { state -> (Bool, APIError?, Watch?) in
                    if case .stopped(let error) = state.phase { return (false, error, nil) }
                    if case .ready = state.phase, state.revision >= revision { return (true, nil, nil) }
                    state.waiters.append((revision, continuation))
                    return (false, nil, state.watch)
                }
                if let failure {
                    continuation.resume(throwing: failure)
                } else if resume {
                    continuation.resume()
                } else {
                    watch?.requestProgress()
                }
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.internalError("\(error)")
        }
    }

    /// The cache's revision and the entries a predicate accepts, in key order. The predicate (which may run
    /// a type's `fieldValue`) runs outside the lock, on the namespaces' dictionaries as they were.
    func select(namespace: String?, _ predicate: (Entry) -> Bool) -> (revision: Int64, entries: [Entry]) {
        let (revision, snapshot) = state.withLock { state -> (Int64, [[String: Entry]]) in
            guard let namespace else { return (state.revision, Array(state.namespaces.values)) }
            return (state.revision, state.namespaces[namespace].map { [$0] } ?? [])
        }
        var selected: [Entry] = []
        for objects in snapshot {
            for entry in objects.values where predicate(entry) { selected.append(entry) }
        }
        return (revision, selected.sorted { $0.key.lexicographicallyPrecedes($1.key) })
    }

    /// One cached object.
    func get(namespace: String, name: String) -> (revision: Int64, entry: Entry?) {
        state.withLock { state in (state.revision, state.namespaces[namespace]?[name]) }
    }

    var isReady: Bool {
        state.withLock { state in
            if case .ready = state.phase { return true }
            return false
        }
    }
}
