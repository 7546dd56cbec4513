/// The `pods/binding` subresource's object (core/v1 Binding): assigns a pod to a node.
public struct Binding: Sendable, Hashable, Codable {
    public var apiVersion: String = "v1"
    public var kind: String = "Binding"
    /// The pod's name (and optionally its resourceVersion as a precondition).
    public var metadata: ObjectMeta
    /// The node, by name.
    public var target: ObjectReference

    public init(metadata: ObjectMeta = ObjectMeta(), target: ObjectReference) {
        self.metadata = metadata
        self.target = target
    }
}

extension APIServer {
    /// Binds a pod to a node, as kube-apiserver's binding REST: sets `spec.nodeName` and the `PodScheduled`
    /// condition in one write. Refused (409) when the pod is already assigned, being deleted, or still has
    /// scheduling gates. A resourceVersion in the Binding is a precondition.
    func bind(namespace: String, name: String, binding: Binding, context: RequestContext) async throws(APIError) {
        let storage = try storage(Pod.descriptor.groupResource)
        try await authorize(context, verb: "create", storage, namespace: namespace, name: name, subresource: "binding")
        guard let node = binding.target.name, !node.isEmpty else {
            throw APIError.invalid(kind: "Binding", group: "", name: name,
                errors: [.required("target.name", "must name a node")])
        }
        if !binding.metadata.name.isEmpty && binding.metadata.name != name {
            throw APIError.badRequest("the name of the object (\(binding.metadata.name)) does not match the name on the URL (\(name))")
        }
        let resource = Pod.descriptor.groupResource
        let now = options.now()
        _ = try await guaranteedUpdate(
            storage, namespace: namespace, name: name, subresource: "binding", context: context,
            precondition: binding.metadata.resourceVersion.isEmpty ? nil : binding.metadata.resourceVersion
        ) { current, _ throws(APIError) in
            guard var pod = current as? Pod else { throw APIError.internalError("pods storage holds a \(type(of: current))") }
            if pod.metadata.deletionTimestamp != nil {
                throw APIError.conflict(resource, name: name, detail: "pod \(name) is being deleted, cannot be assigned to a host")
            }
            var spec = pod.spec ?? PodSpec()
            if let assigned = spec.nodeName, !assigned.isEmpty {
                throw APIError.conflict(resource, name: name, detail: "pod \(name) is already assigned to node \"\(assigned)\"")
            }
            if !(spec.schedulingGates ?? []).isEmpty {
                throw APIError.conflict(resource, name: name, detail: "pod \(name) has non-empty .spec.schedulingGates")
            }
            spec.nodeName = node
            pod.spec = spec
            var status = pod.status ?? PodStatus()
            var conditions = status.conditions ?? []
            let scheduled = PodCondition(type: "PodScheduled", status: "True", lastTransitionTime: now)
            if let index = conditions.firstIndex(where: { $0.type == "PodScheduled" }) {
                if conditions[index].status != "True" { conditions[index] = scheduled }
            } else {
                conditions.append(scheduled)
            }
            status.conditions = conditions
            pod.status = status
            return pod
        }
    }
}
