import APIMachinery
import Informers
import Reconcile
import Testing

/// The sample reconciler tested the way an operator author would: against the test environment (the real
/// registry, store, informers and garbage collector) on virtual time.
@Suite("Website reconciler (sample, on the test environment)", .timeLimit(.minutes(2)))
struct WebsiteReconcilerTests {
    @Test("a new Website gets an owned Deployment, an event and its observed generation")
    func createsOwnedDeployment() async throws {
        let env = try await TestEnvironment.start()
        try env.startWebsiteController()
        let website = try await env.client.resource(Website.self, namespace: "default")
            .create(Website(name: "shop", image: "shop:1.0", replicas: 3))
        try await env.settle()

        let deployment = try await env.client.resource(Deployment.self, namespace: "default").get("shop")
        #expect(deployment.spec?.replicas == 3)
        #expect(deployment.spec?.template?.spec?.containers?.first?.image == "shop:1.0")
        #expect(deployment.metadata.controllerReference?.uid == website.metadata.uid)
        #expect(deployment.metadata.controllerReference?.blockOwnerDeletion == true)
        let observed = try await env.client.resource(Website.self, namespace: "default").get("shop")
        #expect(observed.status?.observedGeneration == 1)
        let events = try await env.events(namespace: "default", involving: "shop")
        #expect(events.map { $0.reason } == ["Created"])
        #expect(events.first?.source?.component == "website-controller")
        await env.stop()
    }

    @Test("a spec change updates the Deployment; a status-only write does not reconcile")
    func specChangeUpdatesDeployment() async throws {
        let env = try await TestEnvironment.start()
        let controller = try env.startWebsiteController()
        let websites = env.client.resource(Website.self, namespace: "default")
        _ = try await websites.create(Website(name: "shop", image: "shop:1.0"))
        try await env.settle()
        let reconcilesAfterCreate = controller.statistics.reconciles

        var website = try await websites.get("shop")
        website.spec?.image = "shop:2.0"
        website.spec?.replicas = 5
        _ = try await websites.update(website)
        try await env.settle()
        let deployment = try await env.client.resource(Deployment.self, namespace: "default").get("shop")
        #expect(deployment.spec?.replicas == 5)
        #expect(deployment.spec?.template?.spec?.containers?.first?.image == "shop:2.0")
        #expect(try await websites.get("shop").status?.observedGeneration == 2)
        let reconcilesAfterUpdate = controller.statistics.reconciles
        #expect(reconcilesAfterUpdate > reconcilesAfterCreate)

        // The generation-changed predicate filters status writes.
        var current = try await websites.get("shop")
        current.status?.deployment = "elsewhere"
        _ = try await websites.updateStatus(current)
        try await env.settle()
        #expect(controller.statistics.reconciles == reconcilesAfterUpdate)
        await env.stop()
    }

    @Test("a deleted Deployment is recreated (owns) and a deleted Website takes its Deployment along (GC)")
    func ownedDeploymentLifecycle() async throws {
        let env = try await TestEnvironment.start()
        try env.startWebsiteController()
        let deployments = env.client.resource(Deployment.self, namespace: "default")
        _ = try await env.client.resource(Website.self, namespace: "default").create(Website(name: "shop", image: "shop:1.0"))
        try await env.settle()
        let first = try await deployments.get("shop")

        _ = try await deployments.delete("shop")
        try await env.settle()
        let second = try await deployments.get("shop")
        #expect(second.metadata.uid != first.metadata.uid)

        _ = try await env.client.resource(Website.self, namespace: "default").delete("shop")
        try await env.settle()
        await #expect(throws: APIError.self) { _ = try await deployments.get("shop") }
        await env.stop()
    }

    @Test("injected conflicts are retried with backoff on virtual time until the update lands")
    func conflictsAreRetried() async throws {
        let env = try await TestEnvironment.start()
        let faults = FaultInjector()
        let controller = try env.startWebsiteController(client: env.client(faults: faults))
        let websites = env.client.resource(Website.self, namespace: "default")
        _ = try await websites.create(Website(name: "shop", image: "shop:1.0"))
        try await env.settle()

        faults.conflict(onUpdateOf: Deployment.self, name: "shop", times: 3)
        var website = try await websites.get("shop")
        website.spec?.replicas = 4
        _ = try await websites.update(website)
        try await env.settle()
        // Failed once; the retry waits 5 ms of virtual time.
        #expect(controller.statistics.errors == 1)
        #expect(try await env.client.resource(Deployment.self, namespace: "default").get("shop").spec?.replicas == 1)
        #expect(controller.queue.delayedCount == 1)

        try await env.advance(by: .milliseconds(100))  // 5 + 10 + 20 ms of backoff
        #expect(controller.statistics.errors == 3)
        #expect(faults.failedRequests.count == 3)
        #expect(faults.failedRequests.allSatisfy { $0.verb == "update" && $0.name == "shop" })
        #expect(try await env.client.resource(Deployment.self, namespace: "default").get("shop").spec?.replicas == 4)
        #expect(controller.queue.numRequeues(Request(namespace: "default", name: "shop")) == 0)
        await env.stop()
    }

    @Test("a terminal error is recorded and not retried")
    func terminalErrorIsNotRetried() async throws {
        let env = try await TestEnvironment.start()
        let controller = try env.startWebsiteController()
        _ = try await env.client.resource(Website.self, namespace: "default").create(Website(name: "blank", image: nil))
        try await env.settle()
        try await env.advance(by: .seconds(60))
        #expect(controller.statistics.terminalErrors == 1)
        #expect(controller.statistics.errors == 0)
        #expect(controller.recentErrors.first?.isTerminal == true)
        #expect(controller.queue.isIdle)
        let events = try await env.events(namespace: "default", involving: "blank")
        #expect(events.map { $0.type } == ["Warning"])
        #expect(events.first?.reason == "InvalidSpec")
        await #expect(throws: APIError.self) {
            _ = try await env.client.resource(Deployment.self, namespace: "default").get("blank")
        }
        await env.stop()
    }

    @Test("a Deployment of the same name owned by someone else is left alone")
    func foreignDeploymentIsLeftAlone() async throws {
        let env = try await TestEnvironment.start()
        let controller = try env.startWebsiteController()
        let deployments = env.client.resource(Deployment.self, namespace: "default")
        let foreign = WebsiteReconciler(client: env.client, websites: env.manager.informers.informer(for: Website.self).lister,
            recorder: env.eventRecorder(component: "test"))
            .desiredDeployment(for: Website(name: "shop", image: "other:1"), image: "other:1", replicas: 7)
        var unowned = foreign
        unowned.metadata.ownerReferences = []
        _ = try await deployments.create(unowned)
        _ = try await env.client.resource(Website.self, namespace: "default").create(Website(name: "shop", image: "shop:1.0"))
        try await env.settle()
        #expect(try await deployments.get("shop").spec?.replicas == 7)
        #expect(controller.statistics.terminalErrors == 1)
        #expect(try await env.events(namespace: "default", involving: "shop").map { $0.reason } == ["NotOwned"])
        await env.stop()
    }
}
