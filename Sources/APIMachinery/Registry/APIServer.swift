public import Store
import Synchronization

/// An in-process Kubernetes-style API server over a ``Store/KeyValueStore``: the resource registry with
/// authorization, admission, validation, optimistic concurrency, list and watch with resourceVersion
/// semantics, patches and subresources. Typed and dynamic clients (``ResourceClient``, ``DynamicClient``)
/// and the transport-agnostic ``RESTHandler`` call into it.
public final class APIServer: Sendable {
    /// How the server authorizes, admits and stamps objects.
    public struct Options: Sendable {
        /// Decides every request; the default allows everything. See ``useRBAC()``.
        public var authorizer: any Authorizer = AlwaysAllowAuthorizer()
        /// An RBAC authorizer the server keeps in step with its stored Roles, ClusterRoles and bindings (also
        /// followed when ``authorizer`` is itself an ``RBACAuthorizer``).
        public var rbac: RBACAuthorizer?
        /// Plugins run after the built-in ones (defaulting first among mutating, namespace lifecycle first
        /// among validating).
        public var admission = AdmissionChain()
        /// Include ``DefaultingAdmission`` and ``NamespaceLifecycle``.
        public var builtinAdmission = true
        /// Register the built-in Kubernetes types (core, apps, coordination, policy, discovery, rbac).
        public var registerBuiltinTypes = true
        /// Largest request body accepted, in bytes (Kubernetes: 3 MiB).
        public var maxRequestBytes = 3 * 1024 * 1024
        /// Wall-clock time for creation and deletion timestamps.
        public var now: @Sendable () -> Time = { Time.now() }
        /// Ends watches that ask for a timeout; tests pass a manual clock.
        public var clock: any Clock<Duration> = ContinuousClock()
        /// The version `/version` reports.
        public var version = VersionInfo()

        public init() {}

        /// Authorizes like a default Kubernetes API server: `system:masters` may do anything, everyone else
        /// what the stored RBAC objects grant.
        public mutating func useRBAC() {
            let rbac = RBACAuthorizer()
            self.rbac = rbac
            authorizer = UnionAuthorizer([PrivilegedGroupAuthorizer(), rbac])
        }
    }

    let store: KeyValueStore
    let options: Options
    let admission: AdmissionChain
    let resources: ResourceTable
    /// The caches an authorizer follows (the RBAC types when the authorizer is an ``RBACAuthorizer``).
    let authorizationSources: [ResourceStorage]
    let authorizationSourcesReady = Atomic<Bool>(false)

    /// - Parameters:
    ///   - store: where objects live (an embedded `KeyValueStore.open(directory:)`, in memory, or replicated).
    ///   - options: authorization, admission and limits.
    public init(store: KeyValueStore, options: Options = Options()) {
        self.store = store
        self.options = options
        let table = ResourceTable(now: options.now)
        resources = table
        var chain = AdmissionChain()
        if options.builtinAdmission {
            chain.mutating.append(DefaultingAdmission())
        }
        chain.mutating += options.admission.mutating
        if options.builtinAdmission {
            chain.validating.append(NamespaceLifecycle(lookup: { name async throws(APIError) in
                try await table.namespaceState(name)
            }))
        }
        chain.validating += options.admission.validating
        admission = chain
        var sources: [ResourceStorage] = []
        if options.registerBuiltinTypes {
            for type in BuiltinResources.all + RBACResources.all {
                try? table.register(ResourceType.typed(type), store: store)
            }
            if options.rbac != nil || options.authorizer is RBACAuthorizer {
                sources = ["roles", "clusterroles", "rolebindings", "clusterrolebindings"].compactMap {
                    table.storage(group: "rbac.authorization.k8s.io", plural: $0)
                }
            }
        }
        authorizationSources = sources
        if let rbac = options.rbac ?? (options.authorizer as? RBACAuthorizer), !sources.isEmpty {
            followRBAC(into: rbac)
        }
    }

    /// Stops the object caches' store watches. The store itself stays open (its owner closes it).
    public func close() {
        let all = resources.table.withLock { Array($0.byResource.values) }
        for storage in all { storage.cache.stop() }
    }

    /// Registers a typed resource. Registering the same group and plural twice is an error.
    public func register<R: Resource>(_ type: R.Type) throws(APIError) {
        try registerType(ResourceType.typed(type))
    }

    /// Registers a resource type without a Swift type; its objects are ``DynamicObject``s.
    /// - Parameter schema: its OpenAPI v3 schema, served to clients that validate (`kubectl apply`).
    public func register(dynamic descriptor: ResourceDescriptor, schema: JSONValue? = nil) throws(APIError) {
        try registerType(ResourceType.dynamic(descriptor, schema: schema))
    }

    func registerType(_ type: ResourceType) throws(APIError) { try resources.register(type, store: store) }

    /// Creates the system namespaces (`default`, `kube-system`, `kube-public`, `kube-node-lease`) that do not
    /// exist yet, as a starting API server does. Otherwise each appears on first use.
    public func createSystemNamespaces() async throws(APIError) {
        for name in ResourceTable.systemNamespaces.sorted() {
            _ = try await resources.namespaceState(name)
        }
    }

    /// Every registered type, in registration order.
    public var registeredResources: [ResourceDescriptor] {
        resources.table.withLock { table in table.order.map { table.byResource[$0]!.descriptor } }
    }

    func storage(_ resource: GroupResource) throws(APIError) -> ResourceStorage {
        guard let storage = resources.table.withLock({ $0.byResource[resource] }) else {
            throw APIError.notFound(message: "the server could not find the requested resource (\(resource))")
        }
        return storage
    }

    func storage(group: String, plural: String) -> ResourceStorage? { resources.storage(group: group, plural: plural) }

    func storage<R: Resource>(for type: R.Type) throws(APIError) -> ResourceStorage {
        try storage(R.descriptor.groupResource)
    }

    /// Checks a request against the authorizer; a refusal is a Forbidden Status naming user, verb and resource.
    func authorize(
        _ context: RequestContext, verb: String, _ storage: ResourceStorage, namespace: String, name: String = "",
        subresource: String = ""
    ) async throws(APIError) {
        if !authorizationSources.isEmpty { try await waitForAuthorizationSources() }
        let descriptor = storage.descriptor
        let attributes = AuthorizationAttributes(
            user: context.user, verb: verb, namespace: descriptor.isNamespaced ? namespace : "",
            apiGroup: descriptor.group, apiVersion: descriptor.version, resource: descriptor.plural,
            subresource: subresource, name: name)
        switch options.authorizer.authorize(attributes) {
        case .allow: return
        case .deny(let reason), .noOpinion(let reason):
            throw APIError.forbidden(user: context.user.name, verb: verb, resource: descriptor.groupResource,
                subresource: subresource, name: name, namespace: descriptor.isNamespaced ? namespace : "",
                reason: reason)
        }
    }
}

/// What `/version` reports.
public struct VersionInfo: Sendable, Hashable, Codable {
    public var major = "1"
    public var minor = "32"
    public var gitVersion = "v1.32.0-swift-control-plane"
    public var gitCommit = ""
    public var gitTreeState = "clean"
    public var buildDate = "2026-01-01T00:00:00Z"
    public var goVersion = "swift6"
    public var compiler = "swift"
    public var platform = "linux/amd64"

    public init() {}
}

/// The registered types, shared with the namespace lifecycle plugin.
final class ResourceTable: Sendable {
    struct Entries {
        var byResource: [GroupResource: ResourceStorage] = [:]
        var order: [GroupResource] = []
    }

    let table = Mutex(Entries())
    let now: @Sendable () -> Time

    /// Namespaces the server creates on first use, as Kubernetes' API server does at start-up.
    static let systemNamespaces: Set<String> = ["default", "kube-system", "kube-public", "kube-node-lease"]

    init(now: @escaping @Sendable () -> Time) { self.now = now }

    func storage(group: String, plural: String) -> ResourceStorage? {
        table.withLock { $0.byResource[GroupResource(group: group, resource: plural)] }
    }

    func register(_ type: ResourceType, store: KeyValueStore) throws(APIError) {
        let descriptor = type.descriptor
        guard NameValidation.isDNS1123Label(descriptor.plural) else {
            throw APIError.badRequest("resource plural \"\(descriptor.plural)\" must be a DNS-1123 label")
        }
        let storage = ResourceStorage(store: store, type: type)
        try table.withLock { (table) throws(APIError) in
            guard table.byResource[descriptor.groupResource] == nil else {
                throw APIError.alreadyExists(GroupResource(group: "apiextensions.k8s.io", resource: "resources"),
                    name: descriptor.groupResource.description)
            }
            table.byResource[descriptor.groupResource] = storage
            table.order.append(descriptor.groupResource)
        }
    }

    /// The state of a namespace for admission: the namespace cache when it has it, else a store read.
    func namespaceState(_ name: String) async throws(APIError) -> NamespaceLifecycle.NamespaceState {
        guard let namespaces = storage(group: "", plural: "namespaces") else { return .active }
        namespaces.cache.start()
        let cached = namespaces.cache.get(namespace: "", name: name).entry?.object
        let object: (any APIObject)?
        if let cached {
            object = cached
        } else {
            object = try await namespaces.current(namespace: "", name: name)?.object
        }
        guard let object else {
            guard Self.systemNamespaces.contains(name) else { return .missing }
            try await createSystemNamespace(name, in: namespaces)
            return .active
        }
        return object.metadata.deletionTimestamp == nil ? .active : .terminating
    }

    private func createSystemNamespace(_ name: String, in storage: ResourceStorage) async throws(APIError) {
        var metadata = JSONObject()
        metadata["name"] = .string(name)
        metadata["uid"] = .string(APIServer.newUID())
        metadata["creationTimestamp"] = .string(now().description)
        metadata["labels"] = ["kubernetes.io/metadata.name": .string(name)]
        var tree = JSONObject()
        tree["metadata"] = .object(metadata)
        tree["spec"] = ["finalizers": ["kubernetes"]]
        tree["status"] = ["phase": "Active"]
        let object = try storage.codec.decodeTree(tree)
        let bytes = storage.codec.storedBytes(try storage.codec.tree(object))
        do {
            _ = try await storage.create(namespace: "", name: name, bytes: bytes)
        } catch where error.reason == .alreadyExists {
            return
        }
    }
}
