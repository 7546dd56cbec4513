import APIMachinery
import Reconcile
import Testing

/// Namespace deletion end to end: Terminating, contents deleted, finalizer removed, namespace gone.
@Suite("Namespace controller", .timeLimit(.minutes(2)))
struct NamespaceControllerTests {
    @Test("deleting a namespace deletes its contents, then itself; other namespaces are untouched")
    func deletesContentsThenItself() async throws {
        let env = try await TestEnvironment.start()
        let namespaces = env.client.resource(Namespace.self)
        _ = try await namespaces.create(Namespace(metadata: ObjectMeta(name: "shop")))
        for name in ["a", "b", "c"] {
            _ = try await env.client.resource(ConfigMap.self, namespace: "shop")
                .create(ConfigMap(metadata: ObjectMeta(name: name, namespace: "shop"), data: ["k": "v"]))
        }
        _ = try await env.client.resource(Secret.self, namespace: "shop")
            .create(Secret(metadata: ObjectMeta(name: "token", namespace: "shop"), stringData: ["t": "x"]))
        _ = try await env.client.resource(ConfigMap.self, namespace: "default")
            .create(ConfigMap(metadata: ObjectMeta(name: "keep", namespace: "default")))
        try await env.settle()

        let marked = try await namespaces.delete("shop")
        #expect(!marked.deleted)
        try await env.settle()
        await #expect(throws: APIError.self) { _ = try await namespaces.get("shop") }
        #expect(try await env.client.resource(ConfigMap.self, namespace: "shop").list().items.isEmpty)
        #expect(try await env.client.resource(Secret.self, namespace: "shop").list().items.isEmpty)
        #expect(try await env.client.resource(ConfigMap.self, namespace: "default").get("keep").metadata.name == "keep")
        await env.stop()
    }

    @Test("Pods on a node wait out their grace period on virtual time; the namespace stays Terminating until then")
    func waitsForGracefulPods() async throws {
        let env = try await TestEnvironment.start()
        let namespaces = env.client.resource(Namespace.self)
        _ = try await namespaces.create(Namespace(metadata: ObjectMeta(name: "batch")))
        let pods = env.client.resource(Pod.self, namespace: "batch")
        _ = try await pods.create(Pod(metadata: ObjectMeta(name: "worker", namespace: "batch"),
            spec: PodSpec(containers: [Container(name: "w", image: "busybox")], nodeName: "node-1")))
        try await env.settle()

        _ = try await namespaces.delete("batch")
        try await env.settle()
        let terminating = try await namespaces.get("batch")
        #expect(terminating.status?.phase == "Terminating")
        let pod = try await pods.get("worker")
        #expect(pod.metadata.deletionGracePeriodSeconds == 30)
        // Creating in a terminating namespace is refused.
        await #expect(throws: APIError.self) {
            _ = try await pods.create(Pod(metadata: ObjectMeta(name: "late", namespace: "batch"),
                spec: PodSpec(containers: [Container(name: "w", image: "busybox")])))
        }

        try await env.advance(by: .seconds(29))
        #expect(try await namespaces.get("batch").status?.phase == "Terminating")
        try await env.advance(by: .seconds(3))
        await #expect(throws: APIError.self) { _ = try await pods.get("worker") }
        await #expect(throws: APIError.self) { _ = try await namespaces.get("batch") }
        await env.stop()
    }

    @Test("an object with a finalizer holds the namespace until the finalizer is removed")
    func finalizerHoldsNamespace() async throws {
        let env = try await TestEnvironment.start()
        let namespaces = env.client.resource(Namespace.self)
        _ = try await namespaces.create(Namespace(metadata: ObjectMeta(name: "held")))
        let maps = env.client.resource(ConfigMap.self, namespace: "held")
        _ = try await maps.create(ConfigMap(metadata: ObjectMeta(name: "guarded", namespace: "held",
            finalizers: ["example.com/cleanup"])))
        try await env.settle()
        _ = try await namespaces.delete("held")
        try await env.advance(by: .seconds(10))
        #expect(try await namespaces.get("held").spec?.finalizers == ["kubernetes"])

        var guarded = try await maps.get("guarded")
        #expect(guarded.metadata.deletionTimestamp != nil)
        guarded.metadata.finalizers = []
        _ = try await maps.update(guarded)
        try await env.advance(by: .seconds(2))
        await #expect(throws: APIError.self) { _ = try await namespaces.get("held") }
        await env.stop()
    }
}
