import APIMachinery
import Store
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Chapter 3 of the demo: the API layer. An in-process API server on the embedded store (a temporary
/// directory, fsync on) with RBAC and admission. The FeastFlow team's deployer creates the backend
/// Deployment through the API; defaulting fills it in, an image policy and namespace lifecycle guard it,
/// RBAC keeps an intern out, a stale update is refused with 409, and a watch follows every change.
struct APIChapter {
    func show(_ text: String) { print(text) }

    /// Runs a request expected to fail and prints its Status; returns the HTTP code (nil if it succeeded).
    @discardableResult
    func outcome(_ label: String, _ body: () async throws(APIError) -> Void) async -> Int? {
        do {
            try await body()
            show("   \(label): accepted")
            return nil
        } catch {
            show("   \(label): \(error.code) \(error.reason) — \(error.message)")
            return error.code
        }
    }

    func run() async -> Bool {
        var template = Array("/tmp/control-plane-demo-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return false }
        let directory = String(cString: made)
        defer { _ = system("rm -rf '\(directory)'") }
        do {
            return try await story(directory: directory)
        } catch {
            show("   unexpected: \(error)")
            return false
        }
    }

    func story(directory: String) async throws -> Bool {
        show("== 3. The API: FeastFlow's backend Deployment through admission and RBAC")
        let store = try await KeyValueStore.open(directory: directory)
        var options = APIServer.Options()
        options.useRBAC()
        options.admission.validating.append(ValidatingAdmission("FeastFlowImagePolicy") { request async throws(APIError) in
            guard let deployment = request.object(as: Deployment.self) else { return }
            for container in deployment.spec?.template?.spec?.containers ?? []
            where !(container.image ?? "").hasPrefix("registry.feastflow.io/") {
                throw APIError.forbidden(request.resource, name: request.name,
                    message: "image \(container.image ?? "") is not from registry.feastflow.io")
            }
        })
        let server = APIServer(store: store, options: options)
        defer { server.close() }
        let admin = server.client()
        let deployer = server.client(as: UserInfo(name: "dana", groups: ["system:authenticated"]), fieldManager: "dana")
        let intern = server.client(as: UserInfo(name: "ivan", groups: ["system:authenticated"]))

        show("   admin creates namespace feastflow, Role deployer and a RoleBinding for dana")
        _ = try await admin.resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "feastflow")))
        _ = try await admin.resource(Role.self, namespace: "feastflow").create(Role(
            metadata: ObjectMeta(name: "deployer"),
            rules: [PolicyRule(verbs: ["get", "list", "watch", "create", "update", "patch"], apiGroups: ["apps"],
                resources: ["deployments", "deployments/scale"])]))
        _ = try await admin.resource(RoleBinding.self, namespace: "feastflow").create(RoleBinding(
            metadata: ObjectMeta(name: "dana-deploys"), subjects: [.user("dana")], roleRef: .role("deployer")))

        let deployments = deployer.resource(Deployment.self, namespace: "feastflow")
        let watch = try await deployments.watch(WatchOptions(resourceVersion: "0"))
        let seen = Mutex<[String]>([])
        let follower = Task {
            do {
                for try await event in watch {
                    let object = event.object
                    let line = "   watch: \(event.type.rawValue) \(object?.metadata.name ?? "") "
                        + "rv=\(event.resourceVersion) generation=\(object?.metadata.generation ?? 0) "
                        + "replicas=\(object?.spec?.replicas ?? 0)"
                    seen.withLock { $0.append(line) }
                }
            } catch {
                seen.withLock { $0.append("   watch ended: \(error)") }
            }
        }

        let backend = Deployment(
            metadata: ObjectMeta(name: "feastflow-backend", labels: ["app": "feastflow", "tier": "backend"]),
            spec: DeploymentSpec(
                replicas: 3, selector: LabelSelector(matchLabels: ["app": "feastflow", "tier": "backend"]),
                template: PodTemplateSpec(
                    metadata: ObjectMeta(labels: ["app": "feastflow", "tier": "backend"]),
                    spec: PodSpec(containers: [
                        Container(name: "api", image: "registry.feastflow.io/backend:1.4",
                            ports: [ContainerPort(name: "http", containerPort: 8080)],
                            resources: ResourceRequirements(requests: ["cpu": "250m", "memory": "256Mi"]))
                    ]))))

        await outcome("ivan (no role) creates it") { () async throws(APIError) in
            _ = try await intern.resource(Deployment.self, namespace: "feastflow").create(backend)
        }
        var outside = backend
        outside.spec?.template?.spec?.containers?[0].image = "docker.io/someone/backend:latest"
        await outcome("dana creates it with a docker.io image") { () async throws(APIError) in
            _ = try await deployments.create(outside)
        }
        await outcome("admin creates it in namespace feastflow-staging, which does not exist") {
            () async throws(APIError) in
            _ = try await admin.resource(Deployment.self, namespace: "feastflow-staging").create(backend)
        }

        let created = try await deployments.create(backend)
        let strategy = created.spec?.strategy
        show("   dana creates it: uid \(created.metadata.uid.prefix(8))…, resourceVersion \(created.metadata.resourceVersion), "
            + "generation \(created.metadata.generation)")
        show("   defaulted: strategy \(strategy?.type ?? "") (maxSurge \(strategy?.rollingUpdate?.maxSurge?.description ?? ""), "
            + "maxUnavailable \(strategy?.rollingUpdate?.maxUnavailable?.description ?? "")), revisionHistoryLimit "
            + "\(created.spec?.revisionHistoryLimit ?? 0), imagePullPolicy "
            + "\(created.spec?.template?.spec?.containers?.first?.imagePullPolicy ?? "")")

        var first = created
        first.spec?.replicas = 5
        let updated = try await deployments.update(first)
        show("   update from rv \(created.metadata.resourceVersion): replicas 5 → rv \(updated.metadata.resourceVersion), "
            + "generation \(updated.metadata.generation)")
        var stale = created
        stale.spec?.replicas = 2
        let conflicted = await outcome("a second update from the same stale rv \(created.metadata.resourceVersion)") {
            () async throws(APIError) in
            _ = try await deployments.update(stale)
        } == 409

        var scale = try await deployments.getScale("feastflow-backend")
        scale.spec.replicas = 4
        scale = try await deployments.updateScale("feastflow-backend", scale)
        show("   scale subresource: replicas \(scale.spec.replicas ?? 0), selector \(scale.status?.selector ?? "")")

        let rest = RESTHandler(server: server)
        let response = await rest.handle(RESTRequest(
            method: "GET", target: "/apis/apps/v1/namespaces/feastflow/deployments?labelSelector=tier%3Dbackend"))
        let listed = try JSONValue(parsing: response.bodyBytes)
        show("   REST GET /apis/apps/v1/namespaces/feastflow/deployments?labelSelector=tier=backend → \(response.status) "
            + "\(listed["kind"]?.stringValue ?? "") with \(listed["items"]?.arrayValue?.count ?? 0) item(s)")

        // Let the watch catch up: the last change's revision is the scale's.
        for _ in 0..<200 where seen.withLock({ $0.count }) < 3 { try await Task.sleep(for: .milliseconds(5)) }
        watch.cancel()
        _ = await follower.value
        for line in seen.withLock({ $0 }) { show(line) }
        await store.close()
        let events = seen.withLock { $0.count }
        show("   \(conflicted ? "stale update refused with 409" : "STALE UPDATE WAS ACCEPTED"); "
            + "the watch saw \(events) change(s)")
        return conflicted && events == 3
    }
}
