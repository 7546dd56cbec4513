/// The `scale` subresource's object (`autoscaling/v1` Scale).
public struct Scale: Sendable, Hashable, Codable {
    public struct Spec: Sendable, Hashable, Codable {
        public var replicas: Int32?
        public init(replicas: Int32? = nil) { self.replicas = replicas }
    }

    public struct Status: Sendable, Hashable, Codable {
        public var replicas: Int32
        /// The label selector of the scaled pods, in string form.
        public var selector: String?
        public init(replicas: Int32 = 0, selector: String? = nil) {
            self.replicas = replicas
            self.selector = selector
        }
    }

    public var apiVersion: String = "autoscaling/v1"
    public var kind: String = "Scale"
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: Spec = Spec(), status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

extension APIServer {
    /// Reads an object's scale.
    func getScale(
        _ resource: GroupResource, namespace: String, name: String, context: RequestContext
    ) async throws(APIError) -> Scale {
        let storage = try storage(resource)
        let namespace = storage.descriptor.isNamespaced ? namespace : ""
        try checkSubresource(storage, "scale", allowed: ["scale"])
        try await authorize(context, verb: "get", storage, namespace: namespace, name: name, subresource: "scale")
        guard let (current, _) = try await storage.current(namespace: namespace, name: name) else {
            throw APIError.notFound(resource, name: name)
        }
        return try scale(of: current, storage: storage)
    }

    func scale(of object: any APIObject, storage: ResourceStorage) throws(APIError) -> Scale {
        guard let paths = storage.descriptor.scale else { throw APIError.notFound(message: "no scale subresource") }
        let tree = JSONValue.object(try storage.codec.tree(object))
        let meta = object.metadata
        var scale = Scale(metadata: ObjectMeta(name: meta.name, namespace: meta.namespace, uid: meta.uid,
            resourceVersion: meta.resourceVersion, creationTimestamp: meta.creationTimestamp))
        scale.spec.replicas = tree.value(atPath: paths.specReplicasPath)?.intValue.flatMap { Int32(exactly: $0) } ?? 0
        var selector = paths.labelSelectorPath.flatMap { tree.value(atPath: $0)?.stringValue }
        if selector == nil, let spec = tree.value(atPath: "spec.selector") {
            selector = Self.selectorString(spec)
        }
        scale.status = Scale.Status(
            replicas: tree.value(atPath: paths.statusReplicasPath)?.intValue.flatMap { Int32(exactly: $0) } ?? 0,
            selector: selector)
        return scale
    }

    /// A `LabelSelector` object rendered as a selector string (`app=web,tier in (a,b)`), as Kubernetes
    /// publishes it in a Scale's status.
    static func selectorString(_ selector: JSONValue) -> String? {
        guard case .object = selector else { return selector.stringValue }
        return (try? JSONValueDecoder().decode(LabelSelector.self, from: selector).query())?.description
    }

    /// Sets an object's desired replicas through its scale. A resourceVersion in the Scale is a precondition.
    func updateScale(
        _ resource: GroupResource, namespace: String, name: String, scale: Scale, context: RequestContext
    ) async throws(APIError) -> Scale {
        let storage = try storage(resource)
        let namespace = storage.descriptor.isNamespaced ? namespace : ""
        try checkSubresource(storage, "scale", allowed: ["scale"])
        try await authorize(context, verb: "update", storage, namespace: namespace, name: name, subresource: "scale")
        return try await writeScale(storage, namespace: namespace, name: name, scale: scale, context: context)
    }

    func writeScale(
        _ storage: ResourceStorage, namespace: String, name: String, scale: Scale, context: RequestContext
    ) async throws(APIError) -> Scale {
        guard let paths = storage.descriptor.scale else { throw APIError.notFound(message: "no scale subresource") }
        if !scale.metadata.name.isEmpty && scale.metadata.name != name {
            throw APIError.badRequest("the name of the object (\(scale.metadata.name)) does not match the name on the URL (\(name))")
        }
        guard let replicas = scale.spec.replicas, replicas >= 0 else {
            throw APIError.invalid(kind: "Scale", group: "autoscaling", name: name,
                errors: [.invalid("spec.replicas", value: "\(scale.spec.replicas ?? -1)",
                    "must be greater than or equal to 0")])
        }
        let codec = storage.codec
        let updated = try await guaranteedUpdate(
            storage, namespace: namespace, name: name, subresource: "", context: context,
            precondition: scale.metadata.resourceVersion.isEmpty ? nil : scale.metadata.resourceVersion
        ) { _, currentTree throws(APIError) in
            var tree = JSONValue.object(currentTree)
            tree.setValue(.int(Int64(replicas)), atPath: paths.specReplicasPath)
            return try codec.decodeTree(tree.objectValue ?? currentTree)
        }
        return try self.scale(of: updated, storage: storage)
    }

    /// Patches an object's scale (kubectl scale sends a merge patch of `spec.replicas`).
    func patchScale(
        _ resource: GroupResource, namespace: String, name: String, type patchType: PatchType, body: [UInt8],
        context: RequestContext
    ) async throws(APIError) -> Scale {
        let storage = try storage(resource)
        let namespace = storage.descriptor.isNamespaced ? namespace : ""
        try checkSubresource(storage, "scale", allowed: ["scale"])
        try await authorize(context, verb: "patch", storage, namespace: namespace, name: name, subresource: "scale")
        guard let (current, _) = try await storage.current(namespace: namespace, name: name) else {
            throw APIError.notFound(resource, name: name)
        }
        let currentScale = try scale(of: current, storage: storage)
        guard case .object(let scaleTree) = (try? JSONValueEncoder().encode(currentScale)) ?? .null else {
            throw APIError.internalError("encoding Scale")
        }
        let patch: JSONValue
        do {
            patch = try JSONValue(parsing: body)
        } catch {
            throw APIError.badRequest("error decoding patch: \(error)")
        }
        let patched: JSONValue
        if patchType == .apply { throw APIError.unsupportedMediaType(patchType.rawValue) }
        do throws(PatchError) {
            switch patchType {
            case .merge: patched = JSONMergePatch.apply(patch, to: .object(scaleTree))
            case .strategicMerge:
                patched = try StrategicMergePatch.apply(patch, to: .object(scaleTree), schema: StrategicMergeSchema())
            case .json, .apply: patched = try JSONPatch.apply(patch, to: .object(scaleTree))
            }
        } catch {
            throw APIError.patchFailed(error)
        }
        var newScale: Scale
        do {
            newScale = try JSONValueDecoder().decode(Scale.self, from: patched)
        } catch {
            throw APIError.badRequest("Scale cannot be handled: \(ObjectCodec.describe(error))")
        }
        if newScale.metadata.resourceVersion == currentScale.metadata.resourceVersion {
            newScale.metadata.resourceVersion = ""
        }
        return try await writeScale(storage, namespace: namespace, name: name, scale: newScale, context: context)
    }
}

extension JSONValue {
    /// Sets the value at a dotted path of object members, creating intermediate objects.
    mutating func setValue(_ value: JSONValue, atPath path: String) {
        let components = path.split(separator: ".").map(String.init)
        func set(_ target: inout JSONValue, _ index: Int) {
            guard index < components.count else {
                target = value
                return
            }
            var object = target.objectValue ?? JSONObject()
            var child = object[components[index]] ?? .object(JSONObject())
            set(&child, index + 1)
            object[components[index]] = child
            target = .object(object)
        }
        set(&self, 0)
    }
}
