import APIMachinery
import Informers
import Raft
import Testing
import TestSupport

@Suite("SharedInformer against the API server", .timeLimit(.minutes(2)))
struct SharedInformerTests {
    func options(clock: ManualClock = ManualClock()) -> InformerOptions<ConfigMap> {
        var options = InformerOptions<ConfigMap>()
        options.clock = clock
        options.backoff.seed = 7
        return options
    }

    @Test("lists, then watches: adds, updates and deletes reach handlers and the lister")
    func listThenWatch() async throws {
        try await withTestServer { server, _ in
            let client = server.client().resource(ConfigMap.self, namespace: "default")
            let existing = try await client.create(configMap("existing"))
            let informer = SharedInformer(listWatch: ListWatch(client), options: options())
            let recorder = Recorder<ConfigMap>()
            let registration = informer.addEventHandler(recorder)
            try await running(informer.run) {
                #expect(await informer.waitForSync())
                #expect(informer.hasSynced)
                #expect(await eventually { registration.hasSynced })
                #expect(recorder.initialAdds == 1)
                #expect(informer.lister.get("existing", namespace: "default")?.metadata.uid == existing.metadata.uid)

                let created = try await client.create(configMap("new"))
                var changed = created
                changed.data = ["key": "changed"]
                let updated = try await client.update(changed)
                let deleted = try await client.delete("existing")
                #expect(deleted.deleted)
                let revision = UInt64(updated.metadata.resourceVersion)!
                #expect(await eventually { informer.processedResourceVersion > revision && informer.isIdle })
                #expect(informer.lister.get("new", namespace: "default")?.data?["key"] == "changed")
                #expect(informer.lister.get("existing", namespace: "default") == nil)
                #expect(informer.lister.list(namespace: "default").map(\.metadata.name) == ["new"])
                #expect(recorder.lines == [
                    "add default/existing \(existing.metadata.resourceVersion)",
                    "add default/new \(created.metadata.resourceVersion)",
                    "update default/new \(created.metadata.resourceVersion)->\(updated.metadata.resourceVersion)",
                    "delete default/existing",
                ])
                #expect(informer.lastSyncResourceVersion != "")
            }
        }
    }

    @Test("the transform runs before caching and handlers see transformed objects")
    func transform() async throws {
        try await withTestServer { server, _ in
            let client = server.client().resource(ConfigMap.self, namespace: "default")
            _ = try await client.create(configMap("a", labels: ["keep": "yes"]))
            var options = options()
            options.transform = { object in
                var trimmed = object
                trimmed.data = nil
                trimmed.metadata.managedFields = []
                return trimmed
            }
            let informer = SharedInformer(listWatch: ListWatch(client), options: options)
            let sawData = Recorder<ConfigMap>()
            informer.addEventHandler(onAdd: { object, _ in
                sawData.record(object.data == nil ? "trimmed" : "full")
            })
            try await running(informer.run) {
                #expect(await informer.waitForSync())
                _ = try await client.create(configMap("b"))
                #expect(await eventually { sawData.count == 2 })
                #expect(informer.lister.list().allSatisfy { $0.data == nil && $0.metadata.managedFields.isEmpty })
                #expect(informer.lister.get("a", namespace: "default")?.metadata.labels["keep"] == "yes")
            }
            #expect(sawData.lines == ["trimmed", "trimmed"])
        }
    }

    @Test("resync replays the cache as updates (old == new) to handlers whose period is due")
    func resync() async throws {
        try await withTestServer { server, _ in
            let client = server.client().resource(ConfigMap.self, namespace: "default")
            for name in ["a", "b"] { _ = try await client.create(configMap(name)) }
            let clock = ManualClock()
            var options = options(clock: clock)
            options.resyncPeriod = .seconds(30)
            let informer = SharedInformer(listWatch: ListWatch(client), options: options)
            let every30 = Recorder<ConfigMap>()
            let every60 = Recorder<ConfigMap>()
            let never = Recorder<ConfigMap>()
            informer.addEventHandler(every30)
            informer.addEventHandler(every60, resyncPeriod: .seconds(60))
            informer.addEventHandler(ResourceEventHandlerFunctions<ConfigMap>(onUpdate: { _, _ in never.record("update") }),
                resyncPeriod: nil)
            try await running(informer.run) {
                #expect(await informer.waitForSync())
                #expect(await eventually { clock.sleeperCount == 1 })
                #expect(clock.nextDeadline?.offset == .seconds(30))
                clock.advance(by: .seconds(30))
                #expect(await eventually { every30.count == 4 && informer.isIdle })
                #expect(every60.count == 2)
                #expect(await eventually { clock.sleeperCount == 1 })
                clock.advance(by: .seconds(30))
                #expect(await eventually { every30.count == 6 && every60.count == 4 && informer.isIdle })
            }
            let updates = every30.lines.dropFirst(2)
            #expect(updates.allSatisfy { line in
                let versions = line.split(separator: " ").last!.split(separator: ">")
                return line.hasPrefix("update") && versions[0].dropLast() == versions[1]
            })
            // The third handler inherited the informer's 30 s period.
            #expect(never.count == 4)
        }
    }

    @Test("a handler registration's waitForSync returns once the handler has handled its initial list")
    func registrationWaitForSync() async throws {
        try await withTestServer { server, _ in
            let client = server.client().resource(ConfigMap.self, namespace: "default")
            for i in 0..<3 { _ = try await client.create(configMap("cm-\(i)")) }
            let informer = SharedInformer(listWatch: ListWatch(client), options: options())
            let gate = Gate()
            let handled = Recorder<ConfigMap>()
            let registration = informer.addEventHandler(ResourceEventHandlerFunctions<ConfigMap>(
                onAdd: { object, initial in
                    await gate.wait()
                    await handled.onAdd(object, isInInitialList: initial)
                }))
            try await running(informer.run) {
                #expect(await informer.waitForSync())
                let waiter = Task { await registration.waitForSync() }
                // The informer has synced, the handler is held at the gate: the registration has not.
                try await Task.sleep(for: .milliseconds(20))
                #expect(!registration.hasSynced && handled.initialAdds == 0)
                gate.open()
                #expect(await waiter.value)
                #expect(handled.initialAdds == 3 && registration.hasSynced)
            }
            // A registration that never synced answers false once its informer stopped.
            let stopped = SharedInformer(listWatch: ListWatch(client), options: options())
            let never = stopped.addEventHandler(Recorder<ConfigMap>())
            let task = Task { try await stopped.run() }
            task.cancel()
            _ = await task.result
            #expect(await never.waitForSync() == false)
        }
    }

    @Test("a handler added to a synced informer gets the cache first, then live events")
    func lateHandler() async throws {
        try await withTestServer { server, _ in
            let client = server.client().resource(ConfigMap.self, namespace: "default")
            for i in 0..<5 { _ = try await client.create(configMap("cm-\(i)")) }
            let informer = SharedInformer(listWatch: ListWatch(client), options: options())
            try await running(informer.run) {
                #expect(await informer.waitForSync())
                let late = Recorder<ConfigMap>()
                let registration = informer.addEventHandler(late)
                #expect(await eventually { registration.hasSynced })
                #expect(late.initialAdds == 5)
                _ = try await client.create(configMap("cm-5"))
                #expect(await eventually { late.count == 6 })
                #expect(late.initialAdds == 5)
                informer.removeEventHandler(registration)
                _ = try await client.create(configMap("cm-6"))
                #expect(await eventually { informer.lister.list().count == 7 && informer.isIdle })
                #expect(late.count == 6)
            }
        }
    }

    @Test("events() delivers the same notifications as an async sequence and ends when the informer stops")
    func eventsSequence() async throws {
        try await withTestServer { server, _ in
            let client = server.client().resource(ConfigMap.self, namespace: "default")
            _ = try await client.create(configMap("a"))
            let informer = SharedInformer(listWatch: ListWatch(client), options: options())
            let events = informer.events(bufferCapacity: 16)
            let task = Task { try await informer.run() }
            var iterator = events.makeAsyncIterator()
            guard case .added(let a, isInInitialList: true)? = await iterator.next() else {
                Issue.record("expected the initial add")
                return
            }
            #expect(a.metadata.name == "a")
            var changed = a
            changed.data = ["key": "2"]
            _ = try await client.update(changed)
            _ = try await client.delete("a")
            guard case .updated(let old, let new)? = await iterator.next() else {
                Issue.record("expected an update")
                return
            }
            #expect(old.data?["key"] == "v" && new.data?["key"] == "2")
            guard case .deleted(let deleted)? = await iterator.next() else {
                Issue.record("expected a delete")
                return
            }
            #expect(deleted.key == ObjectKey(namespace: "default", name: "a") && !deleted.isFinalStateUnknown)
            // The delete counts as being handled until the consumer asks for the next event.
            #expect(await eventually { informer.pendingNotifications == 0 })
            #expect(!informer.isIdle)
            let tail = Task { [iterator] in
                var iterator = iterator
                return await iterator.next()
            }
            #expect(await eventually { informer.isIdle })
            task.cancel()
            try await task.value
            let end = await tail.value
            #expect(end == nil)
        }
    }

    @Test("the factory shares one informer per type, starts them and waits for their caches")
    func factory() async throws {
        try await withTestServer { server, _ in
            let admin = server.client()
            _ = try await admin.resource(ConfigMap.self, namespace: "default").create(configMap("a"))
            let factory = InformerFactory(client: admin, clock: ManualClock())
            let configMaps = factory.informer(for: ConfigMap.self)
            #expect(factory.informer(for: ConfigMap.self) === configMaps)
            let pods = factory.informer(for: Pod.self)
            let custom = factory.informer(key: "custom/configmaps") {
                SharedInformer(listWatch: ListWatch(admin.resource(ConfigMap.self, namespace: "kube-system")))
            }
            #expect(factory.informer(key: "custom/configmaps") { Issue.record("made twice"); return custom } === custom)
            factory.start()
            #expect(await factory.waitForCacheSync())
            #expect(configMaps.hasSynced && pods.hasSynced && custom.hasSynced)
            #expect(configMaps.lister.list().map(\.metadata.name) == ["a"])
            // An informer asked for after start() starts with the next start().
            let leases = factory.informer(for: Lease.self)
            #expect(!leases.hasSynced)
            factory.start()
            #expect(await factory.waitForCacheSync())
            #expect(leases.hasSynced)
            #expect(await eventually { factory.isIdle })
            await factory.shutdown()
            #expect(await configMaps.waitForSync())
            await #expect(throws: InformerError.self) { try await configMaps.run() }
        }
    }

    @Test("factory.run() runs until cancelled")
    func factoryRun() async throws {
        try await withTestServer { server, _ in
            let factory = InformerFactory(client: server.client(), clock: ManualClock())
            let informer = factory.informer(for: ConfigMap.self)
            let task = Task { try await factory.run() }
            #expect(await informer.waitForSync())
            task.cancel()
            try await task.value
            let events = informer.events()
            var iterator = events.makeAsyncIterator()
            let end = await iterator.next()
            #expect(end == nil)
        }
    }
}
