/// Kubernetes' NamespaceLifecycle plugin: no object is created in a namespace that does not exist or is
/// being deleted, and the system namespaces cannot be deleted.
public struct NamespaceLifecycle: ValidatingAdmissionPlugin {
    /// The state of a namespace as far as admission cares.
    public enum NamespaceState: Sendable, Hashable {
        case missing
        case active
        case terminating
    }

    public var name: String { "NamespaceLifecycle" }
    /// Namespaces that may never be deleted.
    public var immortalNamespaces: Set<String>
    let lookup: @Sendable (String) async throws(APIError) -> NamespaceState

    /// - Parameter lookup: the state of a namespace by name (the API server passes its namespace cache).
    public init(
        immortalNamespaces: Set<String> = ["default", "kube-system", "kube-public"],
        lookup: @escaping @Sendable (String) async throws(APIError) -> NamespaceState
    ) {
        self.immortalNamespaces = immortalNamespaces
        self.lookup = lookup
    }

    public func validate(_ request: AdmissionRequest) async throws(APIError) {
        if request.descriptor.isNamespaceType {
            if request.operation == .delete && immortalNamespaces.contains(request.name) {
                throw APIError.forbidden(request.resource, name: request.name, message: "this namespace may not be deleted")
            }
            return
        }
        guard request.operation == .create, request.descriptor.isNamespaced, !request.namespace.isEmpty else { return }
        switch try await lookup(request.namespace) {
        case .active: return
        case .missing:
            throw APIError.notFound(GroupResource(group: "", resource: "namespaces"), name: request.namespace)
        case .terminating:
            throw APIError.forbidden(request.resource, name: request.name,
                message: "unable to create new content in namespace \(request.namespace) because it is being terminated")
        }
    }
}
