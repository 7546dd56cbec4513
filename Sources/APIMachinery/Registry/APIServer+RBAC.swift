import Synchronization

extension APIServer {
    /// Feeds an ``RBACAuthorizer`` from the RBAC objects in storage: each of the four RBAC types' object caches
    /// reports its changes to the authorizer. Writes of RBAC objects through this server wait until the
    /// authorizer has seen them, so a request right after a RoleBinding is created is judged by it.
    func followRBAC(into authorizer: RBACAuthorizer) {
        for plural in ["roles", "clusterroles", "rolebindings", "clusterrolebindings"] {
            guard let storage = storage(group: "rbac.authorization.k8s.io", plural: plural) else { continue }
            let known = Mutex<Set<[String]>>([])
            storage.cache.observer.withLock {
                $0 = { change in
                    switch change {
                    case .reset(let objects):
                        let current = Set(objects.map { [$0.metadata.namespace, $0.metadata.name] })
                        let stale = known.withLock { known in
                            defer { known = current }
                            return known.subtracting(current)
                        }
                        for key in stale { Self.remove(plural, namespace: key[0], name: key[1], from: authorizer) }
                        for object in objects { Self.apply(object, to: authorizer) }
                    case .upsert(let object):
                        _ = known.withLock { $0.insert([object.metadata.namespace, object.metadata.name]) }
                        Self.apply(object, to: authorizer)
                    case .delete(let namespace, let name):
                        _ = known.withLock { $0.remove([namespace, name]) }
                        Self.remove(plural, namespace: namespace, name: name, from: authorizer)
                    }
                }
            }
        }
    }

    static func apply(_ object: any APIObject, to authorizer: RBACAuthorizer) {
        switch object {
        case let role as Role: authorizer.apply(role)
        case let role as ClusterRole: authorizer.apply(role)
        case let binding as RoleBinding: authorizer.apply(binding)
        case let binding as ClusterRoleBinding: authorizer.apply(binding)
        default: break
        }
    }

    static func remove(_ plural: String, namespace: String, name: String, from authorizer: RBACAuthorizer) {
        switch plural {
        case "roles": authorizer.removeRole(namespace: namespace, name: name)
        case "clusterroles": authorizer.removeClusterRole(name: name)
        case "rolebindings": authorizer.removeRoleBinding(namespace: namespace, name: name)
        default: authorizer.removeClusterRoleBinding(name: name)
        }
    }

    /// The RBAC object caches, loaded before the first authorization.
    func waitForAuthorizationSources() async throws(APIError) {
        guard !authorizationSourcesReady.load(ordering: .acquiring) else { return }
        for storage in authorizationSources { try await storage.cache.waitUntilFresh(0) }
        authorizationSourcesReady.store(true, ordering: .releasing)
    }

    /// After a write of an object whose cache decides later requests — the RBAC objects the authorizer
    /// follows, and namespaces, which NamespaceLifecycle admission reads — waits until the cache has it, so
    /// the writer's next request is decided on what it wrote (a create right after a namespace's deletion
    /// must see it terminating).
    func awaitDecisionCache(_ storage: ResourceStorage, revision: Int64) async throws(APIError) {
        guard storage.descriptor.isNamespaceType || authorizationSources.contains(where: { $0 === storage }) else {
            return
        }
        try await storage.cache.waitUntilFresh(revision)
    }
}
