import Store
import Synchronization

/// An API watch over one resource type: synthetic initial events (when asked), then every change in
/// revision order, filtered by selectors, with BOOKMARKs from the store's progress notifications. Errors
/// (410 Expired when the start is compacted) arrive as an ``WatchEventType/error`` event that ends it.
///
/// Memory is bounded by the store watch's buffer: events are decoded as the consumer pulls them.
public final class ObjectWatch: AsyncSequence, Sendable {
    public typealias Element = WatchEvent<any APIObject>
    public typealias Failure = Never

    let initial: [WatchEvent<any APIObject>]
    let storeWatch: Watch?
    let selection: Selection?
    let codec: ObjectCodec
    let keys: StorageKeys
    let bookmarks: Bool
    let timeout: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(
        initial: [WatchEvent<any APIObject>], storeWatch: Watch?, selection: Selection?, codec: ObjectCodec,
        keys: StorageKeys, bookmarks: Bool
    ) {
        self.initial = initial
        self.storeWatch = storeWatch
        self.selection = selection
        self.codec = codec
        self.keys = keys
        self.bookmarks = bookmarks
    }

    deinit { cancel() }

    /// Stops the watch; the sequence ends.
    public func cancel() {
        storeWatch?.cancel()
        timeout.withLock { $0 }?.cancel()
    }

    /// Ends the watch after a duration on a clock.
    func expire<C: Clock>(after duration: Duration, clock: C) where C.Duration == Duration {
        let watch = storeWatch
        let task = Task {
            try? await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil)
            if !Task.isCancelled { watch?.cancel() }
        }
        timeout.withLock { $0 = task }
    }

    public func makeAsyncIterator() -> Iterator { Iterator(watch: self, storeIterator: storeWatch?.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        let watch: ObjectWatch
        var storeIterator: Watch.Iterator?
        var initialIndex = 0
        var pending: [WatchEvent<any APIObject>] = []
        var pendingIndex = 0
        var finished = false

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
                } catch let error as StoreError {
                    finished = true
                    return WatchEvent(type: .error, object: nil,
                        status: ResourceStorage.translate(error, requested: 0).status, resourceVersion: "")
                } catch let error as APIError {
                    finished = true
                    return WatchEvent(type: .error, object: nil, status: error.status, resourceVersion: "")
                } catch {
                    finished = true
                    return WatchEvent(type: .error, object: nil, status: APIError.internalError("\(error)").status,
                        resourceVersion: "")
                }
            }
            return nil
        }
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
