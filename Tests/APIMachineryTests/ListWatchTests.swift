import Store
import Testing

@testable import APIMachinery

@Suite("Registry: list and resourceVersion rules")
struct ListTests {
    func populate(_ server: APIServer, count: Int, namespace: String = "default") async throws -> [Widget] {
        let widgets = server.client().resource(Widget.self, namespace: namespace)
        var created: [Widget] = []
        for index in 0..<count {
            created.append(try await widgets.create(Widget(name: String(format: "w%03d", index),
                labels: ["app": index % 10 == 0 ? "rare" : "common", "index": String(index)],
                spec: .init(color: index % 2 == 0 ? "red" : "blue"))))
        }
        return created
    }

    @Test func consistentListSeesEveryAcknowledgedWrite() async throws {
        let (server, store) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        for index in 0..<20 {
            _ = try await widgets.create(Widget(name: "w\(index)"))
            let list = try await widgets.list()
            #expect(list.items.count == index + 1)
            #expect(list.metadata.resourceVersion == String(store.status().revision))
        }
    }

    @Test func pagesCoverEveryObjectOnceInOrder() async throws {
        let (server, _) = try await makeServer()
        let created = try await populate(server, count: 25)
        let widgets = server.client().resource(Widget.self, namespace: "default")
        var names: [String] = []
        var token = ""
        var pages = 0
        var firstVersion: String?
        repeat {
            let page = try await widgets.list(ListOptions(limit: 10, continue: token))
            pages += 1
            names += page.items.map(\.metadata.name)
            if firstVersion == nil {
                firstVersion = page.metadata.resourceVersion
                #expect(page.metadata.remainingItemCount == 15)
                // A write between pages is not visible: the pages share the first page's snapshot.
                _ = try await widgets.create(Widget(name: "w000-late"))
            } else {
                #expect(page.metadata.resourceVersion == firstVersion)
            }
            token = page.metadata.continue ?? ""
        } while !token.isEmpty
        #expect(pages == 3)
        #expect(names == created.map(\.metadata.name))
    }

    @Test func pagesWithSelectorsFillUp() async throws {
        let (server, _) = try await makeServer()
        _ = try await populate(server, count: 40)
        let widgets = server.client().resource(Widget.self, namespace: "default")
        var names: [String] = []
        var token = ""
        repeat {
            let page = try await widgets.list(ListOptions(fieldSelector: "spec.color=red", limit: 7, continue: token))
            #expect(page.items.count <= 7)
            #expect(page.metadata.remainingItemCount == nil)
            names += page.items.map(\.metadata.name)
            token = page.metadata.continue ?? ""
        } while !token.isEmpty
        #expect(names == stride(from: 0, to: 40, by: 2).map { String(format: "w%03d", $0) })
    }

    @Test func exactAndNotOlderThan() async throws {
        let (server, store) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let first = try await widgets.create(Widget(name: "a"))
        _ = try await widgets.create(Widget(name: "b"))
        let exact = try await widgets.list(ListOptions(resourceVersion: first.metadata.resourceVersion,
            resourceVersionMatch: .exact))
        #expect(exact.items.map(\.metadata.name) == ["a"])
        #expect(exact.metadata.resourceVersion == first.metadata.resourceVersion)
        let notOlder = try await widgets.list(ListOptions(resourceVersion: first.metadata.resourceVersion,
            resourceVersionMatch: .notOlderThan))
        #expect(notOlder.items.count == 2, "the cache loaded the current state when this list started it")
        #expect(Int64(notOlder.metadata.resourceVersion ?? "")! >= Int64(first.metadata.resourceVersion)!)
        // "0" serves the cache as it is, which already holds both.
        let any = try await widgets.list(ListOptions(resourceVersion: "0"))
        #expect(any.items.map(\.metadata.name) == ["a", "b"])

        let future = await #expect(throws: APIError.self) {
            try await widgets.list(ListOptions(resourceVersion: String(store.status().revision + 100)))
        }
        #expect(future?.code == 504)

        try await store.compact(store.status().revision)
        let expired = await #expect(throws: APIError.self) {
            try await widgets.list(ListOptions(resourceVersion: first.metadata.resourceVersion, resourceVersionMatch: .exact))
        }
        #expect(expired?.code == 410)
        #expect(expired?.reason == .expired)
    }

    @Test func expiredContinueTokenIs410WithAFreshToken() async throws {
        let (server, store) = try await makeServer()
        _ = try await populate(server, count: 6)
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let page = try await widgets.list(ListOptions(limit: 2))
        _ = try await widgets.create(Widget(name: "zzz"))
        try await store.compact(store.status().revision)
        let error = await #expect(throws: APIError.self) {
            try await widgets.list(ListOptions(limit: 2, continue: page.metadata.continue ?? ""))
        }
        #expect(error?.code == 410)
        let fresh = try #require(error?.status.metadata.continue)
        let rest = try await widgets.list(ListOptions(limit: 100, continue: fresh))
        #expect(rest.items.map(\.metadata.name) == ["w002", "w003", "w004", "w005", "zzz"])
    }

    @Test(arguments: [
        ListOptions(resourceVersion: "abc"),
        ListOptions(resourceVersion: "-1"),
        ListOptions(resourceVersionMatch: .exact),
        ListOptions(resourceVersion: "0", resourceVersionMatch: .exact),
        ListOptions(resourceVersionMatch: .notOlderThan),
        ListOptions(continue: "not-a-token"),
        ListOptions(limit: -1),
        ListOptions(fieldSelector: "spec.unknown=x"),
    ])
    func badListOptionsAre400(options: ListOptions) async throws {
        let (server, _) = try await makeServer()
        let error = await #expect(throws: APIError.self) {
            try await server.client().resource(Widget.self, namespace: "default").list(options)
        }
        #expect(error?.code == 400)
    }

    @Test func continueWithResourceVersionIs400() async throws {
        let (server, _) = try await makeServer()
        _ = try await populate(server, count: 3)
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let page = try await widgets.list(ListOptions(limit: 1))
        let error = await #expect(throws: APIError.self) {
            try await widgets.list(ListOptions(continue: page.metadata.continue ?? "", resourceVersion: "5"))
        }
        #expect(error?.code == 400)
    }

    @Test func namespacesAndAllNamespaces() async throws {
        let (server, _) = try await makeServer()
        try await createNamespaces(server, "one", "two")
        _ = try await populate(server, count: 3, namespace: "one")
        _ = try await populate(server, count: 2, namespace: "two")
        let all = try await server.client().resource(Widget.self).list()
        #expect(all.items.map { "\($0.metadata.namespace)/\($0.metadata.name)" }
            == ["one/w000", "one/w001", "one/w002", "two/w000", "two/w001"])
        let two = try await server.client().resource(Widget.self, namespace: "two").list()
        #expect(two.items.count == 2)
        let byName = try await server.client().resource(Widget.self).list(ListOptions(fieldSelector: "metadata.name=w001"))
        #expect(byName.items.count == 2)
        let byNamespace = try await server.client().resource(Widget.self).list(
            ListOptions(fieldSelector: "metadata.namespace=one,metadata.name!=w001"))
        #expect(byNamespace.items.map(\.metadata.name) == ["w000", "w002"])
    }

    @Test func labelSelectors() async throws {
        let (server, _) = try await makeServer()
        _ = try await populate(server, count: 30)
        let widgets = server.client().resource(Widget.self, namespace: "default")
        #expect(try await widgets.list(ListOptions(labelSelector: "app=rare")).items.count == 3)
        #expect(try await widgets.list(ListOptions(labelSelector: "app!=rare")).items.count == 27)
        #expect(try await widgets.list(ListOptions(labelSelector: "index in (1,2,3),app")).items.count == 3)
        #expect(try await widgets.list(ListOptions(labelSelector: "index notin (1,2,3)")).items.count == 27)
        #expect(try await widgets.list(ListOptions(labelSelector: "!app")).items.isEmpty)
        #expect(try await widgets.list(ListOptions(labelSelector: "index>25")).items.count == 4)
        #expect(try await widgets.list(ListOptions(labelSelector: "index<2")).items.count == 2)
        let bad = await #expect(throws: APIError.self) { try await widgets.list(ListOptions(labelSelector: "app in (")) }
        #expect(bad?.code == 400)
    }
}

@Suite("Registry: watch")
struct WatchTests {
    func collect(_ watch: ResourceWatch<Widget>, count: Int) async throws -> [WatchEvent<Widget>] {
        var events: [WatchEvent<Widget>] = []
        for try await event in watch {
            events.append(event)
            if events.count == count { break }
        }
        return events
    }

    @Test func unsetResourceVersionStartsWithCurrentState() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "a"))
        _ = try await widgets.create(Widget(name: "b"))
        let watch = try await widgets.watch()
        var a = try await widgets.get("a")
        a.metadata.labels["x"] = "y"
        a = try await widgets.update(a)
        _ = try await widgets.delete("b")
        let events = try await collect(watch, count: 4)
        #expect(events.map(\.type) == [.added, .added, .modified, .deleted])
        #expect(events.map { $0.object?.metadata.name } == ["a", "b", "a", "b"])
        #expect(events[2].object?.metadata.resourceVersion == a.metadata.resourceVersion)
        watch.cancel()
    }

    @Test func fromAResourceVersionSendsOnlyLaterChanges() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let a = try await widgets.create(Widget(name: "a"))
        _ = try await widgets.create(Widget(name: "b"))
        let watch = try await widgets.watch(WatchOptions(resourceVersion: a.metadata.resourceVersion))
        let events = try await collect(watch, count: 1)
        #expect(events.map { $0.object?.metadata.name } == ["b"])
        #expect(events.map(\.type) == [.added])
    }

    @Test func compactedResourceVersionIsExpired() async throws {
        let (server, store) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let a = try await widgets.create(Widget(name: "a"))
        _ = try await widgets.create(Widget(name: "b"))
        try await store.compact(store.status().revision)
        let watch = try await widgets.watch(WatchOptions(resourceVersion: a.metadata.resourceVersion))
        let error = await #expect(throws: APIError.self) { _ = try await collect(watch, count: 1) }
        #expect(error?.code == 410)
        #expect(error?.reason == .expired)
    }

    @Test func sendInitialEventsEndsWithAnAnnotatedBookmark() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "a"))
        let watch = try await widgets.watch(WatchOptions(allowWatchBookmarks: true, sendInitialEvents: true,
            resourceVersionMatch: .notOlderThan))
        _ = try await widgets.create(Widget(name: "b"))
        let events = try await collect(watch, count: 3)
        #expect(events.map(\.type) == [.added, .bookmark, .added])
        #expect(events[1].isInitialEventsEnd)
        #expect(events[2].object?.metadata.name == "b")
    }

    @Test(arguments: [
        WatchOptions(sendInitialEvents: true, resourceVersionMatch: .notOlderThan),
        WatchOptions(allowWatchBookmarks: true, sendInitialEvents: true),
        WatchOptions(resourceVersionMatch: .notOlderThan),
    ])
    func unsupportedWatchOptionCombinationsAreRefused(options: WatchOptions) async throws {
        let (server, _) = try await makeServer()
        let error = await #expect(throws: APIError.self) {
            try await server.client().resource(Widget.self, namespace: "default").watch(options)
        }
        #expect(error?.code == 422)
    }

    @Test func selectorTransitionsBecomeAddedAndDeleted() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        var widget = try await widgets.create(Widget(name: "a", spec: .init(color: "blue")))
        let watch = try await widgets.watch(WatchOptions(fieldSelector: "spec.color=red",
            resourceVersion: widget.metadata.resourceVersion))
        widget.spec?.color = "red"
        widget = try await widgets.update(widget)
        widget.metadata.labels["touch"] = "1"
        widget = try await widgets.update(widget)
        widget.spec?.color = "blue"
        widget = try await widgets.update(widget)
        let events = try await collect(watch, count: 3)
        #expect(events.map(\.type) == [.added, .modified, .deleted])
    }

    @Test func watchOrderHasNoGapsOrDuplicatesUnderConcurrentWriters() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let start = try await widgets.create(Widget(name: "start"))
        let watch = try await widgets.watch(WatchOptions(resourceVersion: start.metadata.resourceVersion))
        let writers = 4
        let perWriter = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in 0..<perWriter { _ = try await widgets.create(Widget(name: "w\(writer)-\(index)")) }
                }
            }
            try await group.waitForAll()
        }
        let events = try await collect(watch, count: writers * perWriter)
        let versions = events.compactMap { Int64($0.resourceVersion) }
        #expect(versions == versions.sorted())
        #expect(Set(versions).count == versions.count)
        #expect(Set(events.compactMap { $0.object?.metadata.name }).count == writers * perWriter)
        let listed = try await widgets.list(ListOptions(resourceVersion: String(versions.last!), resourceVersionMatch: .exact))
        #expect(listed.items.count == writers * perWriter + 1)
    }

    @Test(.timeLimit(.minutes(1))) func timeoutEndsTheWatch() async throws {
        let (server, _) = try await makeServer()
        let watch = try await server.client().resource(Widget.self, namespace: "default").watch(
            WatchOptions(resourceVersion: "1", timeoutSeconds: 1))
        var count = 0
        for try await _ in watch { count += 1 }
        #expect(count == 0)
    }
}
