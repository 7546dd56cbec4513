extension APIServer {
    /// Creates an object: authorization, server-set metadata, mutating admission, validation, validating
    /// admission, then a create-if-absent transaction. Returns the object as stored, with its resourceVersion.
    func create(
        _ resource: GroupResource, namespace: String, object: any APIObject, context: RequestContext
    ) async throws(APIError) -> any APIObject {
        let storage = try storage(resource)
        let descriptor = storage.descriptor
        var object = object
        var meta = object.metadata
        if descriptor.isNamespaced {
            if meta.namespace.isEmpty {
                meta.namespace = namespace
            } else if !namespace.isEmpty && meta.namespace != namespace {
                throw APIError.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request")
            }
        } else {
            meta.namespace = ""
        }
        try await authorize(context, verb: "create", storage, namespace: meta.namespace)
        if !meta.resourceVersion.isEmpty {
            throw APIError.badRequest("resourceVersion should not be set on objects to be created")
        }
        if meta.name.isEmpty && !meta.generateName.isEmpty {
            meta.name = Self.generatedName(prefix: meta.generateName)
        }
        meta.uid = Self.newUID()
        meta.creationTimestamp = options.now()
        meta.generation = 1
        meta.deletionTimestamp = nil
        meta.deletionGracePeriodSeconds = nil
        meta.selfLink = ""
        object.metadata = meta
        object = storage.type.prepareForCreate(object)

        var request = AdmissionRequest(
            operation: .create, descriptor: descriptor, subresource: "", namespace: meta.namespace, name: meta.name,
            user: context.user, dryRun: context.dryRun, object: object, oldObject: nil)
        try await admission.admit(&request)
        object = request.object ?? object
        // Admission may not move the object or change what the server stamped.
        object.metadata.namespace = meta.namespace
        object.metadata.uid = meta.uid
        object.metadata.creationTimestamp = meta.creationTimestamp
        object.metadata.generation = 1
        request.object = object
        request.name = object.metadata.name

        var errors = NameValidation.validate(object.metadata, descriptor: descriptor)
        errors += storage.type.validate(object)
        if !errors.isEmpty {
            throw APIError.invalid(kind: descriptor.kind, group: descriptor.group, name: object.metadata.name,
                errors: errors)
        }
        try await admission.validate(request)
        if !context.fieldManager.isEmpty {
            object.metadata.managedFields = [
                ManagedFieldsEntry(manager: context.fieldManager, operation: "Update",
                    apiVersion: descriptor.apiVersion, time: meta.creationTimestamp, fieldsType: "FieldsV1",
                    fieldsV1: .object(JSONObject()))
            ]
        }
        let bytes = try storage.codec.storedBytes(object)
        if bytes.count > options.maxRequestBytes {
            throw APIError.requestEntityTooLarge("the object is \(bytes.count) bytes, over the \(options.maxRequestBytes) limit")
        }
        if context.dryRun { return object }
        let revision = try await storage.create(namespace: meta.namespace, name: object.metadata.name, bytes: bytes)
        try await awaitDecisionCache(storage, revision: revision)
        object.metadata.resourceVersion = String(revision)
        return object
    }

    /// A name from `generateName`: the prefix (cut to leave room) and five random characters, like Kubernetes.
    static func generatedName(prefix: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var name = String(prefix.prefix(58))
        for _ in 0..<5 { name.append(alphabet[Int.random(in: 0..<alphabet.count)]) }
        return name
    }

    /// A random (version 4) UUID in lower-case text form.
    static func newUID() -> String {
        var generator = SystemRandomNumberGenerator()
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let hex = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
            if index == 8 || index == 12 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(hex[Int((high >> UInt64(shift)) & 0xF)])
        }
        for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
            if index == 0 || index == 4 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(hex[Int((low >> UInt64(shift)) & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Gets one object. `resourceVersion` `"0"` may be served from the cache; otherwise a quorum read.
    func get(
        _ resource: GroupResource, namespace: String, name: String, resourceVersion: String = "",
        context: RequestContext
    ) async throws(APIError) -> any APIObject {
        let storage = try storage(resource)
        let namespace = storage.descriptor.isNamespaced ? namespace : ""
        try await authorize(context, verb: "get", storage, namespace: namespace, name: name)
        if resourceVersion == "0", storage.cache.isReady {
            guard let entry = storage.cache.get(namespace: namespace, name: name).entry else {
                throw APIError.notFound(resource, name: name)
            }
            return entry.object
        }
        if !resourceVersion.isEmpty && resourceVersion != "0" && Int64(resourceVersion) == nil {
            throw APIError.badRequest("invalid resource version \"\(resourceVersion)\"")
        }
        guard let current = try await storage.current(namespace: namespace, name: name) else {
            throw APIError.notFound(resource, name: name)
        }
        return current.object
    }
}

extension ResourceType {
    /// Applies the type's create-time strategy (status reset and the like).
    func prepareForCreate(_ object: any APIObject) -> any APIObject {
        guard let typed = object as? any Resource else { return object }
        return Self.prepared(typed)
    }

    private static func prepared<R: Resource>(_ object: R) -> R {
        var copy = object
        copy.prepareForCreate()
        return copy
    }
}
