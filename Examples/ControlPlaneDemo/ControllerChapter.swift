import APIMachinery
import Informers
import Raft
import Reconcile
import Synchronization

/// FeastFlow's storefront: a custom resource whose controller keeps a Deployment of its image.
struct Storefront: Resource, Hashable {
    struct Spec: Codable, Sendable, Hashable {
        var image: String?
        var replicas: Int32?
    }

    static let descriptor = ResourceDescriptor(
        group: "feastflow.io", version: "v1", kind: "Storefront", plural: "storefronts")

    var metadata: ObjectMeta
    var spec: Spec?
}

/// Makes a Storefront's Deployment match it (created with a controller reference, so the garbage collector
/// removes it with its Storefront). Says which replica did the work.
struct StorefrontReconciler: Reconciler {
    let replica: String
    let client: Client
    let storefronts: Lister<Storefront>
    let log: @Sendable (String) -> Void

    func reconcile(_ request: Request) async throws -> ReconcileResult {
        guard let storefront = storefronts.get(request.name, namespace: request.namespace) else { return .done }
        let replicas = storefront.spec?.replicas ?? 1
        let image = storefront.spec?.image ?? "registry.feastflow.io/storefront:1"
        let deployments = client.resource(Deployment.self, namespace: request.namespace)
        if var deployment = try? await deployments.get(request.name) {
            guard deployment.spec?.replicas != replicas else { return .done }
            deployment.spec?.replicas = replicas
            _ = try await deployments.update(deployment)
            log("   \(replica) reconciles \(request): Deployment scaled to \(replicas)")
            return .done
        }
        let labels = ["app": request.name]
        _ = try await deployments.create(Deployment(
            metadata: ObjectMeta(name: request.name, namespace: request.namespace, labels: labels,
                ownerReferences: [OwnerReferences.controllerReference(to: storefront)]),
            spec: DeploymentSpec(replicas: replicas, selector: LabelSelector(matchLabels: labels),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: labels),
                    spec: PodSpec(containers: [Container(name: "web", image: image)])))))
        log("   \(replica) reconciles \(request): Deployment created, \(replicas) × \(image)")
        return .done
    }
}

/// Chapter 4 of the demo: informers, controllers and leader election, on the test environment's virtual
/// time. Three controller-manager replicas campaign for one Lease; the leader's controller reconciles
/// Storefronts into Deployments through its informer cache; the leader crashes, and after the 15 s lease
/// (virtual: milliseconds of real time) another replica takes over and carries on; deleting the
/// Storefront takes its Deployment along (garbage collector).
struct ControllerChapter {
    func show(_ text: String) { print(text) }

    func run() async -> Bool {
        do {
            return try await story()
        } catch {
            show("   unexpected: \(error)")
            return false
        }
    }

    final class Replica: Sendable {
        let name: String
        let manager: Manager
        let task = Mutex<Task<Void, any Error>?>(nil)

        init(name: String, env: TestEnvironment, log: @escaping @Sendable (String) -> Void) {
            self.name = name
            var options = ManagerOptions()
            options.clock = env.clock
            var election = LeaderElectionConfig(leaseName: "storefront-controller", leaseNamespace: "kube-system",
                identity: name)
            election.releaseOnCancel = false  // the leader crashes: nobody hands the lease over
            election.jitterSeed = 7
            options.leaderElection = election
            manager = Manager(client: env.server.client(fieldManager: name), options: options)
            let storefronts = manager.informers.informer(for: Storefront.self).lister
            manager.controller(for: Storefront.self)
                .owns(Deployment.self)
                .complete(StorefrontReconciler(replica: name, client: manager.client, storefronts: storefronts, log: log))
        }

        func start() {
            let manager = manager
            task.withLock { $0 = Task { try await manager.run() } }
        }

        func crash() async {
            let running = task.withLock { $0 }
            running?.cancel()
            _ = await running?.result
        }
    }

    /// Steps virtual time until `condition` holds (at most a minute).
    func advance(_ env: TestEnvironment, until condition: () -> Bool) async throws -> Bool {
        for _ in 0..<120 {
            if condition() { return true }
            try await env.advance(by: .milliseconds(500))
        }
        return condition()
    }

    func story() async throws -> Bool {
        show("== 4. Controllers: a Storefront controller, three replicas, one leader")
        let started = ContinuousClock.now
        let env = try await TestEnvironment.start()
        let startup = started.duration(to: ContinuousClock.now)
        let tenths = startup.components.seconds * 10_000 + startup.components.attoseconds / 100_000_000_000_000
        show("   test environment (store, API server, informers, garbage collector, namespace controller) "
            + "ready in \(tenths / 10).\(tenths % 10) ms")
        defer { Task { await env.stop() } }
        try env.register(Storefront.self)

        let lines = Mutex<[String]>([])
        let log: @Sendable (String) -> Void = { line in lines.withLock { $0.append(line) } }
        let flush = { for line in lines.withLock({ lines in defer { lines.removeAll() }; return lines }) { print(line) } }
        let replicas = ["manager-a", "manager-b", "manager-c"].map { Replica(name: $0, env: env, log: log) }
        for replica in replicas { replica.start() }
        guard try await advance(env, until: { replicas.filter(\.manager.isLeader).count == 1 }),
            let leader = replicas.first(where: \.manager.isLeader)
        else { return false }
        show("   \(leader.name) holds lease kube-system/storefront-controller; the others stand by")

        let storefronts = env.client.resource(Storefront.self, namespace: "default")
        let deployments = env.client.resource(Deployment.self, namespace: "default")
        _ = try await storefronts.create(Storefront(metadata: ObjectMeta(name: "menu", namespace: "default"),
            spec: .init(image: "registry.feastflow.io/menu:2.1", replicas: 2)))
        guard try await advance(env, until: { lines.withLock { !$0.isEmpty } }) else { return false }
        flush()

        show("   \(leader.name) crashes (no lease release) at t=\(env.clock.now.offset)")
        await leader.crash()
        guard try await advance(env, until: { replicas.contains { $0 !== leader && $0.manager.isLeader } }),
            let next = replicas.first(where: { $0 !== leader && $0.manager.isLeader })
        else { return false }
        let lease = try await env.client.resource(Lease.self, namespace: "kube-system").get("storefront-controller")
        show("   t=\(env.clock.now.offset): \(next.name) acquired the expired lease "
            + "(holder \(lease.spec?.holderIdentity ?? "?"), transitions \(lease.spec?.leaseTransitions ?? 0))")

        var menu = try await storefronts.get("menu")
        menu.spec?.replicas = 5
        _ = try await storefronts.update(menu)
        guard try await advance(env, until: { lines.withLock { !$0.isEmpty } }) else { return false }
        flush()
        let scaled = try await deployments.get("menu")
        show("   Deployment menu: replicas \(scaled.spec?.replicas ?? 0), owner \(scaled.metadata.controllerReference?.kind ?? "?")/"
            + "\(scaled.metadata.controllerReference?.name ?? "?")")

        _ = try await storefronts.delete("menu")
        try await env.settle()
        let remaining = try await deployments.list().items.count
        show("   Storefront menu deleted: the garbage collector removed its Deployment (\(remaining) left)")
        for replica in replicas where replica !== leader { await replica.crash() }
        return remaining == 0
    }
}
