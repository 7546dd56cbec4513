import APIMachinery
import Informers
import Reconcile
import Testing

/// Owner-reference propagation end to end: the test environment's garbage collector on the real registry.
@Suite("Garbage collector", .timeLimit(.minutes(2)))
struct GarbageCollectorTests {
    static func reference(to owner: ConfigMap, block: Bool? = nil, controller: Bool? = nil) -> OwnerReference {
        OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: owner.metadata.name, uid: owner.metadata.uid,
            controller: controller, blockOwnerDeletion: block)
    }

    static func configMap(_ name: String, owners: [OwnerReference] = [], finalizers: [String] = []) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: "default", ownerReferences: owners, finalizers: finalizers),
            data: ["name": name])
    }

    /// Names of the ConfigMaps in `default`.
    static func names(_ env: TestEnvironment) async throws -> Set<String> {
        Set(try await env.client.resource(ConfigMap.self, namespace: "default").list().items.map(\.metadata.name))
    }

    /// The order in which `count` objects were deleted, from a watch started at `revision`.
    static func deletions(_ env: TestEnvironment, since revision: String, count: Int) async throws -> [String] {
        let watch = try await env.client.resource(ConfigMap.self, namespace: "default")
            .watch(WatchOptions(resourceVersion: revision))
        var deleted: [String] = []
        for try await event in watch {
            if event.type == .deleted, let name = event.object?.metadata.name { deleted.append(name) }
            if deleted.count == count { break }
        }
        watch.cancel()
        return deleted
    }

    @Test("background: deleting an owner deletes its dependents, and theirs")
    func background() async throws {
        let env = try await TestEnvironment.start()
        let maps = env.client.resource(ConfigMap.self, namespace: "default")
        let owner = try await maps.create(Self.configMap("owner"))
        let child = try await maps.create(Self.configMap("child", owners: [Self.reference(to: owner)]))
        _ = try await maps.create(Self.configMap("grandchild", owners: [Self.reference(to: child)]))
        _ = try await maps.create(Self.configMap("bystander"))
        try await env.settle()
        #expect(try await Self.names(env) == ["owner", "child", "grandchild", "bystander"])

        let result = try await maps.delete("owner", options: DeleteOptions(propagationPolicy: .background))
        #expect(result.deleted)
        try await env.settle()
        #expect(try await Self.names(env) == ["bystander"])
        await env.stop()
    }

    @Test("foreground: the owner stays until blocking dependents are gone, deepest first")
    func foreground() async throws {
        let env = try await TestEnvironment.start()
        let maps = env.client.resource(ConfigMap.self, namespace: "default")
        let owner = try await maps.create(Self.configMap("owner"))
        let child = try await maps.create(Self.configMap("child", owners: [Self.reference(to: owner, block: true)]))
        _ = try await maps.create(Self.configMap("grandchild", owners: [Self.reference(to: child, block: true)]))
        // A dependent holding a finalizer keeps the chain waiting until it is released.
        _ = try await maps.create(Self.configMap("held", owners: [Self.reference(to: owner, block: true)],
            finalizers: ["example.com/hold"]))
        try await env.settle()
        let start = String(env.store.currentRevision)

        let marked = try await maps.delete("owner", options: DeleteOptions(propagationPolicy: .foreground))
        #expect(!marked.deleted)
        #expect(marked.object.metadata.finalizers.contains("foregroundDeletion"))
        try await env.settle()
        #expect(try await Self.names(env) == ["owner", "held"])
        let waiting = try await maps.get("owner")
        #expect(waiting.metadata.deletionTimestamp != nil)
        #expect(try await maps.get("held").metadata.deletionTimestamp != nil)

        var held = try await maps.get("held")
        held.metadata.finalizers = []
        _ = try await maps.update(held)
        try await env.settle()
        #expect(try await Self.names(env).isEmpty)
        let order = try await Self.deletions(env, since: start, count: 4)
        #expect(Set(order) == ["grandchild", "child", "held", "owner"])
        #expect((order.firstIndex(of: "grandchild") ?? .max) < (order.firstIndex(of: "child") ?? .min))
        #expect(order.last == "owner")
        await env.stop()
    }

    @Test("foreground: dependents that do not block are deleted without holding the owner")
    func foregroundNonBlocking() async throws {
        let env = try await TestEnvironment.start()
        let maps = env.client.resource(ConfigMap.self, namespace: "default")
        let owner = try await maps.create(Self.configMap("owner"))
        _ = try await maps.create(Self.configMap("loose", owners: [Self.reference(to: owner, block: false)]))
        try await env.settle()
        _ = try await maps.delete("owner", options: DeleteOptions(propagationPolicy: .foreground))
        try await env.settle()
        #expect(try await Self.names(env).isEmpty)
        await env.stop()
    }

    @Test("orphan: the owner goes, dependents stay without the reference")
    func orphan() async throws {
        let env = try await TestEnvironment.start()
        let maps = env.client.resource(ConfigMap.self, namespace: "default")
        let owner = try await maps.create(Self.configMap("owner"))
        let other = try await maps.create(Self.configMap("other-owner"))
        _ = try await maps.create(Self.configMap("child", owners: [Self.reference(to: owner, block: true)]))
        _ = try await maps.create(Self.configMap("shared", owners: [Self.reference(to: owner), Self.reference(to: other)]))
        try await env.settle()

        let marked = try await maps.delete("owner", options: DeleteOptions(propagationPolicy: .orphan))
        #expect(marked.object.metadata.finalizers == ["orphan"])
        try await env.settle()
        #expect(try await Self.names(env) == ["other-owner", "child", "shared"])
        #expect(try await maps.get("child").metadata.ownerReferences.isEmpty)
        #expect(try await maps.get("shared").metadata.ownerReferences.map(\.name) == ["other-owner"])
        await env.stop()
    }

    @Test("a dependent with one owner left keeps living; a reference to an owner that never existed is collected")
    func partialAndDanglingOwners() async throws {
        let env = try await TestEnvironment.start()
        let maps = env.client.resource(ConfigMap.self, namespace: "default")
        let first = try await maps.create(Self.configMap("first"))
        let second = try await maps.create(Self.configMap("second"))
        _ = try await maps.create(Self.configMap("shared", owners: [Self.reference(to: first), Self.reference(to: second)]))
        try await env.settle()
        _ = try await maps.delete("first")
        try await env.settle()
        #expect(try await Self.names(env) == ["second", "shared"])
        #expect(try await maps.get("shared").metadata.ownerReferences.map(\.name) == ["second"])

        // An owner of the right name but another uid (deleted and recreated) does not count.
        let ghost = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "second", uid: "not-the-uid")
        _ = try await maps.create(Self.configMap("orphaned", owners: [ghost]))
        try await env.settle()
        #expect(try await Self.names(env) == ["second", "shared"])
        await env.stop()
    }

    @Test("owners and dependents of different types: a Deployment's ReplicaSet and Pods")
    func acrossTypes() async throws {
        let env = try await TestEnvironment.start()
        let deployment = try await env.client.resource(Deployment.self, namespace: "default").create(Deployment(
            metadata: ObjectMeta(name: "web", namespace: "default"),
            spec: DeploymentSpec(selector: LabelSelector(matchLabels: ["app": "web"]),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]),
                    spec: PodSpec(containers: [Container(name: "web", image: "nginx")])))))
        let replicaSet = try await env.client.resource(ReplicaSet.self, namespace: "default").create(ReplicaSet(
            metadata: ObjectMeta(name: "web-1", namespace: "default", labels: ["app": "web"],
                ownerReferences: [OwnerReferences.controllerReference(to: deployment)]),
            spec: ReplicaSetSpec(selector: LabelSelector(matchLabels: ["app": "web"]),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]),
                    spec: PodSpec(containers: [Container(name: "web", image: "nginx")])))))
        let pods = env.client.resource(Pod.self, namespace: "default")
        for index in 0..<3 {
            _ = try await pods.create(Pod(
                metadata: ObjectMeta(name: "web-1-\(index)", namespace: "default", labels: ["app": "web"],
                    ownerReferences: [OwnerReferences.controllerReference(to: replicaSet)]),
                spec: PodSpec(containers: [Container(name: "web", image: "nginx")])))
        }
        try await env.settle()
        _ = try await env.client.resource(Deployment.self, namespace: "default")
            .delete("web", options: DeleteOptions(propagationPolicy: .foreground))
        try await env.settle()
        #expect(try await pods.list().items.isEmpty)
        #expect(try await env.client.resource(ReplicaSet.self, namespace: "default").list().items.isEmpty)
        #expect(try await env.client.resource(Deployment.self, namespace: "default").list().items.isEmpty)
        await env.stop()
    }
}
