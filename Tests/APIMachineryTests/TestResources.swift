import Store

@testable import APIMachinery

/// A namespaced test type with status and scale subresources.
struct Widget: Resource, Hashable {
    struct Spec: Codable, Sendable, Hashable {
        var replicas: Int32?
        var color: String?
        var size: Int64?
        var tags: [String]?
    }

    struct Status: Codable, Sendable, Hashable {
        var replicas: Int32?
        var phase: String?
    }

    static let descriptor = ResourceDescriptor(
        group: "example.com", version: "v1", kind: "Widget", plural: "widgets", shortNames: ["wd"],
        hasStatus: true, scale: ScaleSubresource(specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas"),
        selectableFields: ["spec.color", "status.phase"])

    var metadata: ObjectMeta
    var spec: Spec?
    var status: Status?

    init(name: String = "", namespace: String = "", labels: [String: String] = [:], spec: Spec? = nil, status: Status? = nil) {
        metadata = ObjectMeta(name: name, namespace: namespace, labels: labels)
        self.spec = spec
        self.status = status
    }

    mutating func applyDefaults() {
        if spec == nil { spec = Spec() }
        if spec?.replicas == nil { spec?.replicas = 1 }
    }

    mutating func prepareForCreate() { status = nil }

    func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if let replicas = spec?.replicas, replicas < 0 {
            errors.append(.invalid("spec.replicas", value: "\(replicas)", "must be greater than or equal to 0"))
        }
        if spec?.color == "invisible" {
            errors.append(.notSupported("spec.color", value: "\"invisible\"", supported: ["red", "blue"]))
        }
        return errors
    }

    func validateUpdate(from old: Widget) -> [FieldError] {
        var errors = validate()
        if let size = old.spec?.size, spec?.size != size {
            errors.append(.invalid("spec.size", value: "\(spec?.size ?? 0)", "field is immutable"))
        }
        return errors
    }

    func fieldValue(_ path: String) -> String? {
        switch path {
        case "spec.color": spec?.color
        case "status.phase": status?.phase
        default: nil
        }
    }

    func deletionGracePeriod(requested: Int64?) -> Int64? {
        metadata.labels["graceful"] == "true" ? (requested ?? 30) : nil
    }
}

/// A cluster-scoped test type without subresources, allowing unconditional updates.
struct Gadget: Resource, Hashable {
    static let descriptor = ResourceDescriptor(
        group: "example.com", version: "v1", kind: "Gadget", plural: "gadgets", scope: .cluster,
        allowsUnconditionalUpdate: true)

    var metadata: ObjectMeta
    var data: [String: String]?

    init(name: String, data: [String: String]? = nil) {
        metadata = ObjectMeta(name: name)
        self.data = data
    }
}

/// A server on an in-memory store with the test types registered.
func makeServer(
    _ configure: (inout APIServer.Options) -> Void = { _ in }
) async throws -> (APIServer, KeyValueStore) {
    let store = try await KeyValueStore.inMemory()
    var options = APIServer.Options()
    configure(&options)
    let server = APIServer(store: store, options: options)
    try server.register(Widget.self)
    try server.register(Gadget.self)
    // The system namespace `default` exists from the start, as on a real server.
    _ = try await server.resources.namespaceState("default")
    return (server, store)
}

/// Creates namespaces through the API.
func createNamespaces(_ server: APIServer, _ names: String...) async throws {
    for name in names {
        _ = try await server.client().resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: name)))
    }
}
