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
        /// Recent decoded changes, for API watches.
        var window = Window()
    }

    let store: KeyValueStore
    let codec: ObjectCodec
    let keys: StorageKeys
    let state = Mutex(State())
    /// How many recent changes the window keeps for API watches.
    let windowCapacity: Int
    /// Told of every change before waiters for its revision resume (the RBAC authorizer follows its
    /// objects this way, so an authorization after a write of a role sees the role).
    let observer = Mutex<(@Sendable (Change) -> Void)?>(nil)

    enum Change: Sendable {
        /// A full (re)load: these are all the objects.
        case reset([any APIObject])
        case upsert(any APIObject)
        case delete(namespace: String, name: String)
    }

    init(store: KeyValueStore, codec: ObjectCodec, keys: StorageKeys, windowCapacity: Int = defaultWindowCapacity) {
        self.store = store
        self.codec = codec
        self.keys = keys
        self.windowCapacity = max(1, windowCapacity)
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
        let (task, watch, waiters, readers) = state.withLock { state in
            state.phase = .stopped(.serviceUnavailable("the API server is shutting down"))
            defer { state.waiters = [] }
            return (state.task, state.watch, state.waiters, state.window.wakeAll())
        }
        task?.cancel()
        watch?.cancel()
        for reader in readers { reader.resume() }
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
                let (waiters, readers) = state.withLock { state in
                    state.phase = .stopped(failure)
                    defer { state.waiters = [] }
                    return (state.waiters, state.window.wakeAll())
                }
                for waiter in waiters { waiter.continuation.resume(throwing: failure) }
                for reader in readers { reader.resume() }
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
        let ready = state.withLock { state -> ([CheckedContinuation<Void, any Error>], [UnsafeContinuation<Void, Never>])? in
            if case .stopped = state.phase { return nil }
            state.namespaces = namespaces
            state.watch = watch
            state.phase = .ready
            // A (re)load loses continuity: watches that have not seen `revision` continue from the store.
            let readers = state.window.reset(at: revision)
            return (advance(&state, to: revision), readers)
        }
        guard let ready else {
            watch.cancel()  // stopped while loading
            return
        }
        for waiter in ready.0 { waiter.resume() }
        for reader in ready.1 { reader.resume() }
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
            let (woken, readers) = state.withLock { state in
                for (index, (_, entry, key)) in decoded.enumerated() {
                    let revision = update.events[index].kv.modRevision
                    if let entry {
                        let previous = state.namespaces[entry.namespace, default: [:]].updateValue(entry, forKey: entry.name)
                        let created = update.events[index].kv.createRevision == revision
                        state.window.append(CachedEvent(kind: created ? .created : .updated, revision: revision,
                            namespace: entry.namespace, object: entry.object, previous: previous?.object))
                    } else {
                        let (namespace, name) = keys.names(ofKey: key)
                        let previous = state.namespaces[namespace]?.removeValue(forKey: name)
                        if state.namespaces[namespace]?.isEmpty == true { state.namespaces[namespace] = nil }
                        var object = previous?.object ?? bareObject(namespace: namespace, name: name)
                        object?.metadata.resourceVersion = String(revision)
                        if let object {
                            state.window.append(CachedEvent(kind: .deleted, revision: revision, namespace: namespace,
                                object: object, previous: nil))
                        }
                    }
                }
                // A response's header carries the store's revision when it was sent, which is ahead of its
                // events while the watch catches up from history: only a progress notification (sent once
                // everything up to it was delivered) vouches for it.
                let through = update.events.last?.kv.modRevision ?? update.header.revision
                if update.isProgressNotify { state.window.progressRevision = through }
                let woken = advance(&state, to: through)
                return (woken, state.window.settle(capacity: windowCapacity))
            }
            for waiter in woken { waiter.resume() }
            for reader in readers { reader.resume() }
        }
        throw APIError.serviceUnavailable("the storage watch of \(codec.descriptor.groupResource) ended")
    }

    /// An object with only a name and namespace (a delete of a key the cache did not hold).
    private func bareObject(namespace: String, name: String) -> (any APIObject)? {
        var metadata = JSONObject()
        metadata["name"] = .string(name)
        if !namespace.isEmpty { metadata["namespace"] = .string(namespace) }
        var tree = JSONObject()
        tree["metadata"] = .object(metadata)
        guard var bare = try? codec.decodeTree(tree) else { return nil }
        bare.metadata.name = name
        return bare
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
        // In place, by memcmp: a byte-by-byte generic comparison was most of a 100,000-object list.
        selected.sort { compareBytes($0.key, $1.key) < 0 }
        return (revision, selected)
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
