import APIMachinery
import Informers
import Reconcile
import Testing

@Suite("Test environment", .timeLimit(.minutes(2)))
struct TestEnvironmentTests {
    @Test("a stopped environment frees its server, manager and informers (no retain cycles)")
    func stopFreesEverything() async throws {
        weak var server: APIServer?
        weak var manager: Manager?
        weak var informers: InformerFactory?
        weak var collector: GarbageCollector?
        do {
            let env = try await TestEnvironment.start()
            server = env.server
            manager = env.manager
            informers = env.manager.informers
            collector = env.garbageCollector
            env.controller(for: ConfigMap.self).complete(ReconcilerFunction { _ in .requeue(after: .seconds(1)) })
            _ = try await env.client.resource(ConfigMap.self, namespace: "default")
                .create(ConfigMap(metadata: ObjectMeta(name: "c", namespace: "default")))
            try await env.advance(by: .seconds(3))
            await env.stop()
        }
        for _ in 0..<100 where server != nil || manager != nil || informers != nil || collector != nil {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(server == nil)
        #expect(manager == nil)
        #expect(informers == nil)
        #expect(collector == nil)
    }

    @Test("ready when it returns: system namespaces exist and the caches have synced")
    func readyOnReturn() async throws {
        let env = try await TestEnvironment.start()
        #expect(await env.manager.informers.waitForCacheSync())
        #expect(try await env.client.resource(Namespace.self).get("default").metadata.name == "default")
        #expect(env.now == Time(secondsSinceEpoch: 1_735_689_600))
        try await env.advance(by: .seconds(90))
        #expect(env.now == Time(secondsSinceEpoch: 1_735_689_690))
        await env.stop()
    }

    @Test("the event recorder aggregates a repeated event into one Event with a count")
    func eventsAggregate() async throws {
        let env = try await TestEnvironment.start()
        let map = try await env.client.resource(ConfigMap.self, namespace: "default")
            .create(ConfigMap(metadata: ObjectMeta(name: "c", namespace: "default")))
        let recorder = env.eventRecorder(component: "test")
        await recorder.record(map, reason: "Synced", message: "all good")
        try await env.advance(by: .seconds(5))
        await recorder.record(map, reason: "Synced", message: "all good")
        await recorder.record(map, type: .warning, reason: "Failed", message: "not good")
        let events = try await env.events(namespace: "default", involving: "c")
        #expect(events.map { $0.reason } == ["Synced", "Failed"])
        #expect(events.first?.count == 2)
        #expect(events.first?.lastTimestamp == env.now)
        #expect(events.first?.firstTimestamp == Time(secondsSinceEpoch: 1_735_689_600))
        await env.stop()
    }
}

