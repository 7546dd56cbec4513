import Store
import Testing

@testable import APIMachinery

/// Watches served from the object cache's window of decoded changes (each stored event decoded once for
/// every watch of the type), and the fall back to the store's history when the window no longer holds them.
@Suite("Registry: watches from the cache's window")
struct WatchCacheTests {
    func collect(_ watch: ResourceWatch<Widget>, count: Int) async throws -> [WatchEvent<Widget>] {
        var events: [WatchEvent<Widget>] = []
        for try await event in watch {
            events.append(event)
            if events.count == count { break }
        }
        return events
    }

    func collect(_ watch: ObjectWatch, count: Int) async -> [WatchEvent<any APIObject>] {
        var events: [WatchEvent<any APIObject>] = []
        for await event in watch {
            events.append(event)
            if events.count == count || event.type == .error { break }
        }
        return events
    }

    func isServedFromCache(_ watch: ObjectWatch) -> Bool {
        if case .cache = watch.source { return true }
        return false
    }

    /// A watch from a list's resourceVersion (the cache is loaded and holds every later change).
    func cachedWatch(_ server: APIServer, namespace: String = "default", _ options: WatchOptions = WatchOptions())
        async throws -> ObjectWatch
    {
        let list = try await server.client().resource(Widget.self, namespace: namespace).list(
            ListOptions(resourceVersion: "0"))
        var options = options
        options.resourceVersion = list.metadata.resourceVersion ?? ""
        return try await server.watch(Widget.descriptor.groupResource, namespace: namespace, options: options,
            context: RequestContext(user: .systemAdmin))
    }

    @Test func watchesAfterAListReadTheCachedObjects() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "a"))
        let first = try await cachedWatch(server)
        let second = try await cachedWatch(server)
        #expect(isServedFromCache(first) && isServedFromCache(second))
        var b = try await widgets.create(Widget(name: "b"))
        b.metadata.labels["x"] = "y"
        b = try await widgets.update(b)
        _ = try await widgets.delete("a")
        for watch in [first, second] {
            let events = await collect(watch, count: 3)
            #expect(events.map(\.type) == [.added, .modified, .deleted])
            #expect(events.map { $0.object?.metadata.name } == ["b", "b", "a"])
            #expect(events[1].object?.metadata.resourceVersion == b.metadata.resourceVersion)
            #expect(events[1].object?.metadata.labels == ["x": "y"])
            // A delete carries the last state, at the delete's resourceVersion.
            #expect(events[2].object?.metadata.resourceVersion == events[2].resourceVersion)
            #expect(Int64(events[2].resourceVersion)! > Int64(b.metadata.resourceVersion)!)
            watch.cancel()
        }
    }

    @Test func aWatchBeforeTheCacheLoadedReadsTheStore() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let a = try await widgets.create(Widget(name: "a"))
        let watch = try await server.watch(Widget.descriptor.groupResource, namespace: "default",
            options: WatchOptions(resourceVersion: a.metadata.resourceVersion), context: RequestContext(user: .systemAdmin))
        #expect(!isServedFromCache(watch))
    }

    @Test func onlyTheWatchedNamespace() async throws {
        let (server, _) = try await makeServer()
        _ = try await server.client().resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "other")))
        let watch = try await cachedWatch(server, namespace: "other")
        #expect(isServedFromCache(watch))
        _ = try await server.client().resource(Widget.self, namespace: "default").create(Widget(name: "elsewhere"))
        _ = try await server.client().resource(Widget.self, namespace: "other").create(Widget(name: "here"))
        let events = await collect(watch, count: 1)
        #expect(events.map { $0.object?.metadata.name } == ["here"])
    }

    @Test func selectorTransitionsUseTheCachedPreviousState() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        var widget = try await widgets.create(Widget(name: "a", spec: .init(color: "blue")))
        _ = try await widgets.create(Widget(name: "other", spec: .init(color: "blue")))
        let watch = try await cachedWatch(server, WatchOptions(fieldSelector: "spec.color=red"))
        #expect(isServedFromCache(watch))
        widget.spec?.color = "red"
        widget = try await widgets.update(widget)
        widget.metadata.labels["touch"] = "1"
        widget = try await widgets.update(widget)
        widget.spec?.color = "blue"
        widget = try await widgets.update(widget)
        _ = try await widgets.delete("other")  // never matched: no event
        widget.spec?.color = "red"
        widget = try await widgets.update(widget)
        _ = try await widgets.delete("a")
        let events = await collect(watch, count: 5)
        #expect(events.map(\.type) == [.added, .modified, .deleted, .added, .deleted])
        #expect(events.allSatisfy { $0.object?.metadata.name == "a" })
    }

    @Test func aWatchBehindTheWindowContinuesFromTheStoreWithoutGapsOrDuplicates() async throws {
        let (server, store) = try await makeServer()
        let storage = try server.storage(for: Widget.self)
        let cache = ObjectCache(store: store, codec: storage.codec, keys: storage.keys, windowCapacity: 4)
        try await cache.waitUntilFresh(0)
        let start = cache.get(namespace: "default", name: "").revision
        let reader = try #require(cache.reader(from: start + 1))
        let watch = ObjectWatch(initial: [], source: .cache(reader, after: start), selection: nil,
            namespace: "default", codec: storage.codec, keys: storage.keys, bookmarks: false)
        let widgets = server.client().resource(Widget.self, namespace: "default")
        var last: Int64 = 0
        for index in 0..<20 { last = Int64(try await widgets.create(Widget(name: "w\(index)")).metadata.resourceVersion)! }
        try await cache.waitUntilFresh(last)
        #expect(cache.reader(from: start + 1) == nil)  // the window moved on
        let events = await collect(watch, count: 20)
        #expect(events.map { $0.object?.metadata.name } == (0..<20).map { "w\($0)" })
        #expect(events.allSatisfy { $0.type == .added })
        #expect(!watch.control.state.withLock { $0.storeWatch == nil })
        cache.stop()
    }

    @Test func aWatchBehindTheWindowWhoseHistoryWasCompactedGets410() async throws {
        let (server, store) = try await makeServer()
        let storage = try server.storage(for: Widget.self)
        let cache = ObjectCache(store: store, codec: storage.codec, keys: storage.keys, windowCapacity: 2)
        try await cache.waitUntilFresh(0)
        let start = cache.get(namespace: "default", name: "").revision
        let reader = try #require(cache.reader(from: start + 1))
        let watch = ObjectWatch(initial: [], source: .cache(reader, after: start), selection: nil,
            namespace: "default", codec: storage.codec, keys: storage.keys, bookmarks: false)
        let widgets = server.client().resource(Widget.self, namespace: "default")
        var last: Int64 = 0
        for index in 0..<5 { last = Int64(try await widgets.create(Widget(name: "w\(index)")).metadata.resourceVersion)! }
        try await cache.waitUntilFresh(last)
        try await store.compact(last)
        let events = await collect(watch, count: 1)
        #expect(events.map(\.type) == [.error])
        #expect(events.first?.status?.code == 410)
        cache.stop()
    }

    @Test func caughtUpWatchesGetABookmarkWhenTheCacheProgresses() async throws {
        let (server, _) = try await makeServer()
        _ = try await server.client().resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "quiet")))
        let storage = try server.storage(for: Widget.self)
        let watch = try await cachedWatch(server, namespace: "quiet", WatchOptions(allowWatchBookmarks: true))
        let silent = try await cachedWatch(server, namespace: "quiet")
        let elsewhere = try await server.client().resource(Widget.self, namespace: "default").create(Widget(name: "a"))
        let revision = Int64(elsewhere.metadata.resourceVersion)!
        try await storage.cache.waitUntilFresh(revision)
        storage.cache.state.withLock { $0.watch }?.requestProgress()
        let events = await collect(watch, count: 1)
        #expect(events.map(\.type) == [.bookmark])
        #expect(Int64(events[0].resourceVersion)! >= revision)
        // Without allowWatchBookmarks: nothing until the next change.
        _ = try await server.client().resource(Widget.self, namespace: "quiet").create(Widget(name: "b"))
        #expect(await collect(silent, count: 1).map(\.type) == [.added])
    }

    @Test(.timeLimit(.minutes(1))) func cancelAndTimeoutEndAWaitingWatch() async throws {
        let (server, _) = try await makeServer()
        let watch = try await cachedWatch(server)
        #expect(isServedFromCache(watch))
        let reading = Task { await collect(watch, count: 1) }
        try await Task.sleep(for: .milliseconds(50))
        watch.cancel()
        #expect(await reading.value.isEmpty)

        let timed = try await cachedWatch(server, WatchOptions(timeoutSeconds: 1))
        #expect(isServedFromCache(timed))
        #expect(await collect(timed, count: 1).isEmpty)

        let cancelledTask = try await cachedWatch(server)
        let consumer = Task { await collect(cancelledTask, count: 1) }
        try await Task.sleep(for: .milliseconds(50))
        consumer.cancel()
        #expect(await consumer.value.isEmpty)
    }

    @Test func closingTheServerEndsCachedWatchesWith503() async throws {
        let (server, _) = try await makeServer()
        let watch = try await cachedWatch(server)
        #expect(isServedFromCache(watch))
        server.close()
        let events = await collect(watch, count: 1)
        #expect(events.map(\.type) == [.error])
        #expect(events.first?.status?.code == 503)
    }

    @Test func typedWatchesOfTheCacheKeepRevisionOrderUnderConcurrentWriters() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let list = try await widgets.list(ListOptions(resourceVersion: "0"))
        let watch = try await widgets.watch(WatchOptions(resourceVersion: list.metadata.resourceVersion ?? ""))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for index in 0..<25 { _ = try await widgets.create(Widget(name: "w\(writer)-\(index)")) }
                }
            }
            try await group.waitForAll()
        }
        let events = try await collect(watch, count: 100)
        let versions = events.compactMap { Int64($0.resourceVersion) }
        #expect(versions == versions.sorted())
        #expect(Set(versions).count == 100)
    }

    /// The cache's store watch falls behind its buffer and catches up from history: responses then carry the
    /// store's revision, ahead of their events. Neither the cache nor its watches may take that as applied.
    @Test(.timeLimit(.minutes(1))) func aCacheCatchingUpFromHistoryLosesNothing() async throws {
        var storeOptions = KeyValueStore.Options()
        storeOptions.watchBufferEvents = 2
        let store = try await KeyValueStore.inMemory(options: storeOptions)
        let server = APIServer(store: store)
        try server.register(Widget.self)
        _ = try await server.resources.namespaceState("default")
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let list = try await widgets.list(ListOptions(resourceVersion: "0"))
        let watch = try await widgets.watch(WatchOptions(resourceVersion: list.metadata.resourceVersion ?? ""))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for index in 0..<50 { _ = try await widgets.create(Widget(name: "w\(writer)-\(index)")) }
                }
            }
            try await group.waitForAll()
        }
        let events = try await collect(watch, count: 200)
        #expect(Set(events.compactMap { $0.object?.metadata.name }).count == 200)
        let versions = events.compactMap { Int64($0.resourceVersion) }
        #expect(versions == versions.sorted())
        server.close()
        await store.close()
    }
}
