import Store
import Synchronization

/// An API watch over one resource type: synthetic initial events (when asked), then every change in
/// revision order, filtered by selectors, with BOOKMARKs. Errors (410 Expired when the start is compacted)
/// arrive as an ``WatchEventType/error`` event that ends it.
///
/// Like Kubernetes' watch cache, a watch whose start the type's ``ObjectCache`` window still holds reads the
/// objects the cache already decoded (each stored event is decoded once, whatever the number of watches);
/// other watches, and one that falls behind the window, read the store's history and decode on their own.
/// Memory is bounded by the window and the store watch's buffer.
public final class ObjectWatch: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<any APIObject>
    public typealias Failure = Never

    /// Where the changes after the initial events come from.
    enum Source: Sendable {
        /// A store watch (with prevKV, and progress notifications when bookmarks were asked for).
        case store(Watch)
        /// The cache's window, after a revision.
        case cache(ObjectCache.Reader, after: Int64)
        /// None: the initial events are all.
        case none
    }

    /// The watch's cancellation and the store watch it reads (when it reads one).
    final class Control: Sendable {
        struct State {
            var cancelled = false
            var storeWatch: Watch?
        }

        let state = Mutex(State())
        let reader: ObjectCache.Reader?

        init(reader: ObjectCache.Reader?, storeWatch: Watch?) {
            self.reader = reader
            state.withLock { $0.storeWatch = storeWatch }
        }

        func cancel() {
            let watch = state.withLock { state -> Watch? in
                state.cancelled = true
                return state.storeWatch
            }
            watch?.cancel()
            reader?.cancel()
        }

        /// Keeps a store watch for cancelling; false (and the watch cancelled) when already cancelled.
        func adopt(_ watch: Watch) -> Bool {
            let adopted = state.withLock { state -> Bool in
                guard !state.cancelled else { return false }
                state.storeWatch = watch
                return true
            }
            if !adopted { watch.cancel() }
            return adopted
        }
    }

    let initial: [WatchEvent<any APIObject>]
    let source: Source
    let selection: Selection?
    /// Only this namespace's changes (the cache's window holds every namespace).
    let namespace: String?
    let codec: ObjectCodec
    let keys: StorageKeys
    let bookmarks: Bool
    let control: Control
    let timeout: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(
        initial: [WatchEvent<any APIObject>], source: Source, selection: Selection?, namespace: String?,
        codec: ObjectCodec, keys: StorageKeys, bookmarks: Bool
    ) {
        self.initial = initial
        self.source = source
        self.selection = selection
        self.namespace = namespace
        self.codec = codec
        self.keys = keys
        self.bookmarks = bookmarks
        switch source {
        case .cache(let reader, _): control = Control(reader: reader, storeWatch: nil)
        case .store(let storeWatch): control = Control(reader: nil, storeWatch: storeWatch)
        case .none: control = Control(reader: nil, storeWatch: nil)
        }
    }

    deinit { cancel() }

    /// Stops the watch; the sequence ends.
    public func cancel() {
        control.cancel()
        timeout.withLock { $0 }?.cancel()
    }

    /// Ends the watch after a duration on a clock.
    func expire<C: Clock>(after duration: Duration, clock: C) where C.Duration == Duration {
        let control = control
        let task = Task {
            try? await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil)
            if !Task.isCancelled { control.cancel() }
        }
        timeout.withLock { $0 = task }
    }

    public func makeAsyncIterator() -> Iterator { Iterator(watch: self) }

    public struct Iterator: AsyncIteratorProtocol {
        let watch: ObjectWatch
        var initialIndex = 0
        var pending: [WatchEvent<any APIObject>] = []
        var pendingIndex = 0
        var finished = false
        /// Reading the cache's window: where this watch stands in it.
        var cursor: ObjectCache.Cursor?
        /// Reading the store (from the start, or after falling behind the window).
        var storeIterator: Watch.Iterator?

        init(watch: ObjectWatch) {
            self.watch = watch
            switch watch.source {
            case .cache(_, let after): cursor = ObjectCache.Cursor(after: after, bookmarks: watch.bookmarks)
            case .store(let storeWatch): storeIterator = storeWatch.makeAsyncIterator()
            case .none: break
            }
        }

        public mutating func next() async -> WatchEvent<any APIObject>? {
            if initialIndex < watch.initial.count {
                defer { initialIndex += 1 }
                return watch.initial[initialIndex]
            }
            while !finished {
                if pendingIndex < pending.count {
                    defer { pendingIndex += 1 }
                    return pending[pendingIndex]
                }
                pending.removeAll(keepingCapacity: true)
                pendingIndex = 0
                if let error = await fill() {
                    finished = true
                    return error
                }
            }
            return nil
        }

        /// Fills `pending` from the window or the store; an error event (or `finished`) ends the watch.
        mutating func fill() async -> WatchEvent<any APIObject>? {
            if case .cache(let reader, _) = watch.source, var position = cursor {
                let read = await reader.cache.read(&position, reader: reader)
                cursor = position
                switch read {
                case .changes(let changes):
                    if let reported = watch.convert(changes, into: &pending) {
                        cursor?.reported = Swift.max(position.reported, reported)
                    }
                    return nil
                case .bookmark(let revision):
                    pending.append(WatchEvent(type: .bookmark, object: nil, resourceVersion: String(revision)))
                    return nil
                case .cancelled:
                    finished = true
                    return nil
                case .stopped(let error):
                    return WatchEvent(type: .error, object: nil, status: error.status, resourceVersion: "")
                case .behind:
                    cursor = nil
                    return startStore(from: position.position + 1)
                }
            }
            guard storeIterator != nil else {
                finished = true
                return nil
            }
            do {
                guard let response = try await storeIterator!.next() else {
                    finished = true
                    return nil
                }
                try watch.convert(response, into: &pending)
                return nil
            } catch let error as StoreError {
                return WatchEvent(type: .error, object: nil,
                    status: ResourceStorage.translate(error, requested: 0).status, resourceVersion: "")
            } catch let error as APIError {
                return WatchEvent(type: .error, object: nil, status: error.status, resourceVersion: "")
            } catch {
                return WatchEvent(type: .error, object: nil, status: APIError.internalError("\(error)").status,
                    resourceVersion: "")
            }
        }

        /// Continues from the store's history at `revision` (a watch that fell behind the cache's window).
        mutating func startStore(from revision: Int64) -> WatchEvent<any APIObject>? {
            guard case .cache(let reader, _) = watch.source else { return nil }
            let prefix = watch.keys.prefix(namespace: watch.namespace)
            let request = WatchRequest(key: prefix, rangeEnd: KeyRange.prefixEnd(prefix), startRevision: revision,
                prevKV: true, progressNotify: watch.bookmarks)
            do {
                let storeWatch = try reader.cache.store.watch(request)
                guard watch.control.adopt(storeWatch) else {
                    finished = true
                    return nil
                }
                storeIterator = storeWatch.makeAsyncIterator()
                return nil
            } catch {
                let failure = ResourceStorage.translate(error, requested: Swift.max(0, revision - 1))
                return WatchEvent(type: .error, object: nil, status: failure.status, resourceVersion: "")
            }
        }
    }

    /// The window's changes as this watch's events: its namespace, selector transitions as added/deleted.
    /// Returns the revision of the last event added, if any.
    func convert(_ changes: [ObjectCache.CachedEvent], into events: inout [WatchEvent<any APIObject>]) -> Int64? {
        events.reserveCapacity(changes.count)
        var last: Int64?
        for change in changes {
            if let namespace, change.namespace != namespace { continue }
            let type: WatchEventType
            switch change.kind {
            case .created, .updated:
                let created = change.kind == .created
                guard let selection else {
                    type = created ? .added : .modified
                    break
                }
                let matchesNow = selection.matches(change.object)
                let matchedBefore = !created && change.previous.map { selection.matches($0) } == true
                switch (matchedBefore, matchesNow) {
                case (true, true): type = .modified
                case (false, true): type = .added
                case (true, false): type = .deleted
                case (false, false): continue
                }
            case .deleted:
                if let selection, !selection.matches(change.object) { continue }
                type = .deleted
            }
            events.append(WatchEvent(type: type, object: change.object, resourceVersion: change.resourceVersion))
            last = change.revision
        }
        return last
    }

    func convert(_ response: WatchResponse, into events: inout [WatchEvent<any APIObject>]) throws(APIError) {
        if response.isProgressNotify {
            if bookmarks {
                events.append(WatchEvent(type: .bookmark, object: nil,
                    resourceVersion: String(response.header.revision)))
            }
            return
        }
        for event in response.events {
            let revision = String(event.kv.modRevision)
            switch event.kind {
            case .put:
                let object = try codec.decodeStored(event.kv)
                let created = event.kv.createRevision == event.kv.modRevision
                guard let selection, !selection.isEverything else {
                    events.append(WatchEvent(type: created ? .added : .modified, object: object, resourceVersion: revision))
                    continue
                }
                let matchesNow = selection.matches(object)
                var matchedBefore = false
                if !created, let previous = event.prevKV {
                    matchedBefore = selection.matches(try codec.decodeStored(previous))
                }
                switch (matchedBefore, matchesNow) {
                case (true, true): events.append(WatchEvent(type: .modified, object: object, resourceVersion: revision))
                case (false, true): events.append(WatchEvent(type: .added, object: object, resourceVersion: revision))
                case (true, false): events.append(WatchEvent(type: .deleted, object: object, resourceVersion: revision))
                case (false, false): continue
                }
            case .delete:
                var object: any APIObject
                if let previous = event.prevKV {
                    object = try codec.decodeStored(previous)
                } else {
                    let (namespace, name) = keys.names(ofKey: event.kv.key)
                    var metadata = JSONObject()
                    metadata["name"] = .string(name)
                    if !namespace.isEmpty { metadata["namespace"] = .string(namespace) }
                    var tree = JSONObject()
                    tree["metadata"] = .object(metadata)
                    var bare = try codec.decodeTree(tree)
                    bare.metadata.name = name
                    object = bare
                }
                object.metadata.resourceVersion = revision
                if let selection, !selection.matches(object) { continue }
                events.append(WatchEvent(type: .deleted, object: object, resourceVersion: revision))
            }
        }
    }
}
