/// Resource paths: `/api/v1/…` and `/apis/{group}/{version}/…`, routed like Kubernetes' request info
/// (`namespaces/{ns}/{resource}[/{name}[/{subresource}]]`, `{resource}[/{name}[/{subresource}]]`, and the
/// namespaces' own `namespaces/{name}[/status|/finalize]`).
extension RESTHandler {
    /// What a resource path names.
    struct Target {
        var storage: ResourceStorage
        /// The namespace in the path; nil for cluster-scoped types and all-namespace requests.
        var namespace: String?
        var name: String?
        var subresource: String?

        var resource: GroupResource { storage.groupResource }
        var isCollection: Bool { name == nil }
        /// A collection path where objects can be created or deleted (not the all-namespaces one).
        var isWritableCollection: Bool { name == nil && (namespace != nil || !storage.descriptor.isNamespaced) }
    }

    static let namespaceSubresources: Set<String> = ["status", "finalize"]

    func groupVersionRequest(
        _ request: RESTRequest, user: UserInfo, group: String, version: String, rest: [String]
    ) async throws(APIError) -> RESTResponse {
        let gv = GroupVersion(group: group, version: version)
        guard groupVersions.contains(gv) else { throw Self.pathNotFound }
        if rest.isEmpty { return try await nonResource(request, user: user) { self.apiResourceList(gv) } }

        var parts = rest[...]
        var legacyWatch = false
        if parts.first == "watch" {
            legacyWatch = true
            parts = parts.dropFirst()
        }
        var namespace: String?
        if parts.count > 2, parts.first == "namespaces",
            !Self.namespaceSubresources.contains(parts[parts.startIndex + 2])
        {
            namespace = parts[parts.startIndex + 1]
            parts = parts.dropFirst(2)
        }
        let segments = Array(parts)
        guard !segments.isEmpty, segments.count <= 3,
            let storage = server.storage(group: group, plural: segments[0]), storage.descriptor.version == version
        else { throw Self.pathNotFound }
        let descriptor = storage.descriptor
        let target = Target(
            storage: storage, namespace: namespace, name: segments.count > 1 ? segments[1] : nil,
            subresource: segments.count > 2 ? segments[2] : nil)
        if descriptor.isNamespaced ? (namespace == nil && target.name != nil) : namespace != nil {
            throw Self.pathNotFound
        }
        if let subresource = target.subresource, !descriptor.hasSubresource(subresource) || legacyWatch {
            throw Self.pathNotFound
        }
        try checkAccept(request)
        let query = RESTQuery(request: request)
        let context = try query.context(user: user)

        switch (request.method, target.subresource) {
        case ("GET", nil) where legacyWatch || query.isWatch:
            return try await watch(target, query: query, context: context)
        case ("GET", nil) where target.isCollection:
            return try await list(target, query: query, context: context)
        case ("GET", nil), ("GET", "status"):
            let object = try await server.get(
                target.resource, namespace: target.namespace ?? "",
                name: target.name!, resourceVersion: query.string("resourceVersion"), context: context)
            return try objectResponse(object, target)
        case ("GET", "scale"):
            return try scaleResponse(
                try await server.getScale(
                    target.resource, namespace: target.namespace ?? "",
                    name: target.name!, context: context))
        case ("POST", nil) where target.isWritableCollection:
            return try await create(target, request: request, context: context)
        case ("PUT", _) where target.name != nil:
            return try await update(target, request: request, context: context)
        case ("PATCH", nil), ("PATCH", "status"), ("PATCH", "scale"):
            guard target.name != nil else { throw Self.methodNotAllowed(request) }
            return try await patch(target, request: request, context: context)
        case ("DELETE", nil) where target.name != nil:
            return try await delete(target, request: request, query: query, context: context)
        case ("DELETE", nil) where target.isWritableCollection && !descriptor.isNamespaceType:
            return try await deleteCollection(target, request: request, query: query, context: context)
        default:
            throw Self.methodNotAllowed(request)
        }
    }

    // MARK: Verbs

    func list(_ target: Target, query: RESTQuery, context: RequestContext) async throws(APIError) -> RESTResponse {
        let result = try await server.list(
            target.resource, namespace: target.namespace, options: try query.listOptions(),
            context: context)
        return try listResponse(result.items, meta: result.listMeta, target)
    }

    func watch(_ target: Target, query: RESTQuery, context: RequestContext) async throws(APIError) -> RESTResponse {
        var options = try query.watchOptions()
        if let name = target.name {
            // A watch on one object (`…/pods/x?watch=true`, `/watch/…/pods/x`) is a watch selecting its name.
            let byName = "metadata.name=\(name)"
            options.fieldSelector = options.fieldSelector.isEmpty ? byName : options.fieldSelector + "," + byName
        }
        let watch = try await server.watch(
            target.resource, namespace: target.namespace, options: options,
            context: context)
        return RESTResponse(
            status: 200, headers: [(name: "Content-Type", value: "application/json")],
            body: .watch(WatchEventStream(watch: watch, codec: target.storage.codec)))
    }

    func create(_ target: Target, request: RESTRequest, context: RequestContext) async throws(APIError) -> RESTResponse
    {
        let body = try jsonBody(request)
        let (object, warnings) = try decodeObject(body, target.storage, context: context)
        let created = try await server.create(
            target.resource, namespace: target.namespace ?? "", object: object,
            context: context)
        return try objectResponse(created, target, status: 201, warnings: warnings)
    }

    func update(_ target: Target, request: RESTRequest, context: RequestContext) async throws(APIError) -> RESTResponse
    {
        let body = try jsonBody(request)
        if target.subresource == "scale" {
            let scale = try decodeScale(body, validation: context.fieldValidation)
            return try scaleResponse(
                try await server.updateScale(
                    target.resource, namespace: target.namespace ?? "",
                    name: target.name!, scale: scale.scale, context: context), warnings: scale.warnings)
        }
        let (object, warnings) = try decodeObject(body, target.storage, context: context)
        let updated = try await server.update(
            target.resource, namespace: target.namespace ?? "", name: target.name!,
            object: object, subresource: target.subresource ?? "", context: context)
        return try objectResponse(updated, target, warnings: warnings)
    }

    func patch(_ target: Target, request: RESTRequest, context: RequestContext) async throws(APIError) -> RESTResponse {
        try checkSize(request)
        let media = Self.mediaType(request)
        guard let type = PatchType(rawValue: media) else {
            throw APIError.unsupportedMediaType(request.header("Content-Type") ?? "")
        }
        if target.subresource == "scale" {
            return try scaleResponse(
                try await server.patchScale(
                    target.resource, namespace: target.namespace ?? "",
                    name: target.name!, type: type, body: request.body, context: context))
        }
        let patched = try await server.patch(
            target.resource, namespace: target.namespace ?? "", name: target.name!,
            type: type, body: request.body, subresource: target.subresource ?? "", context: context)
        return try objectResponse(patched, target)
    }

    func delete(
        _ target: Target, request: RESTRequest, query: RESTQuery, context: RequestContext
    ) async throws(APIError) -> RESTResponse {
        let options = try deleteOptions(request, query: query)
        let outcome = try await server.delete(
            target.resource, namespace: target.namespace ?? "", name: target.name!,
            options: options, context: context)
        // Kubernetes answers 202 only when the object remains and the client asked for cascading deletion the
        // old way (orphanDependents=false); otherwise 200, with the object either way.
        let status = !outcome.deleted && options.orphanDependents == false ? 202 : 200
        return try objectResponse(outcome.object, target, status: status)
    }

    func deleteCollection(
        _ target: Target, request: RESTRequest, query: RESTQuery, context: RequestContext
    ) async throws(APIError) -> RESTResponse {
        let options = try deleteOptions(request, query: query)
        let deleted = try await server.deleteCollection(
            target.resource, namespace: target.namespace ?? "",
            listOptions: try query.listOptions(), options: options, context: context)
        return try listResponse(deleted, meta: ListMeta(), target)
    }

    // MARK: Bodies

    func checkSize(_ request: RESTRequest) throws(APIError) {
        let limit = server.options.maxRequestBytes
        if request.body.count > limit {
            throw APIError.requestEntityTooLarge("Request entity too large: limit is \(limit)")
        }
    }

    /// The media type of the body, lower-cased, without parameters.
    static func mediaType(_ request: RESTRequest) -> String {
        guard let header = request.header("Content-Type") else { return "" }
        return (header.split(separator: ";", maxSplits: 1).first.map { $0.trimmed(of: " \t") } ?? "").lowercased()
    }

    /// A JSON request body (POST, PUT, DELETE): size-limited, `application/json` only, well-formed.
    func jsonBody(_ request: RESTRequest) throws(APIError) -> JSONValue {
        try checkSize(request)
        let media = Self.mediaType(request)
        guard media.isEmpty || media == "application/json" else {
            throw APIError.unsupportedMediaType(request.header("Content-Type") ?? "")
        }
        guard !request.body.isEmpty else { throw APIError.badRequest("the request body is empty") }
        do {
            return try JSONValue(parsing: request.body)
        } catch {
            throw APIError.badRequest("the request body could not be decoded: \(error)")
        }
    }

    /// Decodes an object of the target's type. Under `Warn` the unknown fields become warnings; under
    /// `Strict` they are a 400 naming them (``ObjectCodec/decodeRequest(_:validation:)``).
    func decodeObject(
        _ body: JSONValue, _ storage: ResourceStorage, context: RequestContext
    ) throws(APIError) -> (any APIObject, [String]) {
        let object = try storage.codec.decodeRequest(body, validation: context.fieldValidation)
        var warnings: [String] = []
        if context.fieldValidation == .warn, storage.type.objectType != DynamicObject.self {
            let collector = UnknownFieldCollector()
            if (try? storage.type.decode(body, collector)) != nil {
                warnings = collector.unknownFields.filter { $0 != "apiVersion" && $0 != "kind" }
                    .map { Self.warning("unknown field \"\($0)\"") }
            }
        }
        return (object, warnings)
    }

    func decodeScale(
        _ body: JSONValue, validation: RequestContext.FieldValidation
    ) throws(APIError) -> (scale: Scale, warnings: [String]) {
        guard case .object(var object) = body else {
            throw APIError.badRequest("the request body must be a JSON object, not \(body.typeName)")
        }
        if let apiVersion = object["apiVersion"], apiVersion != "autoscaling/v1" {
            throw APIError.badRequest(
                "the API version in the data (\(apiVersion.selectorText ?? apiVersion.jsonString)) "
                    + "does not match the expected API version (autoscaling/v1)")
        }
        if let kind = object["kind"], kind != "Scale" {
            throw APIError.badRequest(
                "the kind in the data (\(kind.selectorText ?? kind.jsonString)) does not match "
                    + "the expected kind (Scale)")
        }
        object["apiVersion"] = "autoscaling/v1"
        object["kind"] = "Scale"
        if object["metadata"] == nil { object["metadata"] = .object(JSONObject()) }
        if object["spec"] == nil { object["spec"] = .object(JSONObject()) }
        let collector = validation == .ignore ? nil : UnknownFieldCollector()
        let scale: Scale
        do {
            scale = try JSONValueDecoder().decode(Scale.self, from: .object(object), unknownFields: collector)
        } catch {
            throw APIError.badRequest(
                "Scale in version \"v1\" cannot be handled as a Scale: "
                    + ObjectCodec.describe(error))
        }
        let unknown = collector?.unknownFields ?? []
        if validation == .strict && !unknown.isEmpty {
            throw APIError.badRequest(
                "strict decoding error: "
                    + unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", "))
        }
        return (scale, unknown.map { Self.warning("unknown field \"\($0)\"") })
    }

    /// Delete options from the body (a `DeleteOptions` object) or, without a body, from the query.
    func deleteOptions(_ request: RESTRequest, query: RESTQuery) throws(APIError) -> DeleteOptions {
        guard !request.body.isEmpty else { return try query.deleteOptions() }
        let body = try jsonBody(request)
        guard case .object(var object) = body else {
            throw APIError.badRequest("the request body must be a DeleteOptions object, not \(body.typeName)")
        }
        if let kind = object["kind"], kind != "DeleteOptions" {
            throw APIError.badRequest(
                "the kind in the data (\(kind.selectorText ?? kind.jsonString)) does not match "
                    + "the expected kind (DeleteOptions)")
        }
        object["kind"] = nil
        object["apiVersion"] = nil
        if let policy = object["propagationPolicy"]?.stringValue, PropagationPolicy(rawValue: policy) == nil {
            throw RESTQuery.invalidPropagationPolicy(policy)
        }
        do {
            return try JSONValueDecoder().decode(DeleteOptions.self, from: .object(object))
        } catch {
            throw APIError.badRequest("DeleteOptions cannot be decoded: \(ObjectCodec.describe(error))")
        }
    }

    // MARK: Responses

    func objectResponse(
        _ object: any APIObject, _ target: Target, status: Int = 200, warnings: [String] = []
    ) throws(APIError) -> RESTResponse {
        .json(.object(try target.storage.codec.tree(object)), status: status, warnings: warnings)
    }

    func scaleResponse(_ scale: Scale, warnings: [String] = []) throws(APIError) -> RESTResponse {
        .json(try Self.encode(scale), warnings: warnings)
    }

    /// `{"kind":"WidgetList","apiVersion":…,"metadata":{"resourceVersion":…,"continue":…},"items":[…]}`.
    func listResponse(_ items: [any APIObject], meta: ListMeta, _ target: Target) throws(APIError) -> RESTResponse {
        let codec = target.storage.codec
        var trees: [JSONValue] = []
        trees.reserveCapacity(items.count)
        for item in items { trees.append(.object(try codec.tree(item))) }
        var list = JSONObject()
        list["kind"] = .string(codec.descriptor.listKind)
        list["apiVersion"] = .string(codec.descriptor.apiVersion)
        list["metadata"] = try Self.encode(meta)
        list["items"] = .array(trees)
        return .json(.object(list))
    }

    /// A `Warning` header value: `299 - "text"` with quotes and backslashes escaped.
    static func warning(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\"" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "299 - \"\(escaped)\""
    }
}
