import APIMachinery
import Store
import StoreWorkloads

/// An API server on an embedded store (fsync on) with the chain a real cluster runs: the RBAC
/// authorizer (the benchmark user may create and list pods in one namespace through a Role and a
/// RoleBinding), three admission plugins (defaulting, an image-registry policy, namespace lifecycle)
/// and validation.
public struct APIFixture: Sendable {
    public static let namespace = "bench"
    public static let user = UserInfo(name: "bench-client", groups: ["system:authenticated"])

    public let server: APIServer
    public let store: KeyValueStore
    public let directory: ScratchDirectory
    public let client: Client

    public static func start() async throws -> APIFixture {
        let directory = try ScratchDirectory(prefix: "api-bench")
        let store = try await KeyValueStore.open(directory: directory.path)
        var options = APIServer.Options()
        options.useRBAC()
        options.admission.validating.append(ValidatingAdmission("ImagePolicy") { request async throws(APIError) in
            guard let pod = request.object(as: Pod.self) else { return }
            for container in pod.spec?.containers ?? [] where !(container.image ?? "").hasPrefix("registry.local/") {
                throw APIError.forbidden(request.resource, name: request.name,
                    message: "image \(container.image ?? "") is not from registry.local")
            }
        })
        let server = APIServer(store: store, options: options)
        let admin = server.client()
        _ = try await admin.resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: namespace)))
        _ = try await admin.resource(Role.self, namespace: namespace).create(Role(
            metadata: ObjectMeta(name: "pod-writer"),
            rules: [PolicyRule(verbs: ["create", "get", "list", "watch"], apiGroups: [""], resources: ["pods"])]))
        _ = try await admin.resource(RoleBinding.self, namespace: namespace).create(RoleBinding(
            metadata: ObjectMeta(name: "bench-client-writes-pods"),
            subjects: [Subject(kind: "User", apiGroup: "rbac.authorization.k8s.io", name: user.name)],
            roleRef: RoleRef(apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-writer")))
        return APIFixture(server: server, store: store, directory: directory, client: server.client(as: user))
    }

    public func stop() async {
        server.close()
        await store.close()
        directory.remove()
    }

    /// A small realistic Pod: one container with requests and limits, a few labels.
    public static func pod(_ name: String, labels: [String: String]) -> Pod {
        Pod(
            metadata: ObjectMeta(name: name, labels: labels),
            spec: PodSpec(containers: [
                Container(
                    name: "app", image: "registry.local/feastflow/backend:1.4",
                    ports: [ContainerPort(name: "http", containerPort: 8080)],
                    resources: ResourceRequirements(
                        limits: ["cpu": "500m", "memory": "256Mi"], requests: ["cpu": "100m", "memory": "128Mi"]))
            ]))
    }
}
