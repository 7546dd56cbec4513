/// OpenAPI v3 documents: `/openapi/v3` (the index of group-versions, each with a content hash) and one
/// document per group-version with its paths and schemas.
///
/// `kubectl` reads them for two things: whether the server validates fields itself (a `fieldValidation`
/// query parameter on the PATCH operation of the kind, found through `x-kubernetes-group-version-kind`),
/// and the strategic merge patch metadata of built-in kinds (`x-kubernetes-patch-strategy`).
enum OpenAPIDocuments {
    /// A built document and the resources it was built from.
    struct Cached: Sendable {
        var resources: [ResourceDescriptor]
        var bytes: [UInt8]
        var hash: String
    }

    /// The schema name Kubernetes uses for a kind: `io.k8s.api.core.v1.Pod`, `io.k8s.api.apps.v1.Deployment`,
    /// `io.k8s.api.rbac.v1.Role`; a custom group is reversed (`com.example.v1.Widget`).
    static func schemaName(group: String, version: String, kind: String) -> String {
        if group.isEmpty { return "io.k8s.api.core.\(version).\(kind)" }
        if !group.contains(".") || group.hasSuffix(".k8s.io") {
            let short = group.split(separator: ".").first.map(String.init) ?? group
            return "io.k8s.api.\(short).\(version).\(kind)"
        }
        return group.split(separator: ".").reversed().joined(separator: ".") + ".\(version).\(kind)"
    }

    static func gvk(_ group: String, _ version: String, _ kind: String) -> JSONValue {
        ["group": .string(group), "kind": .string(kind), "version": .string(version)]
    }

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    /// FNV-1a (64 bits, twice with different bases) as upper-case hex: a stable content hash for the index.
    static func hash(_ bytes: [UInt8]) -> String {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in bytes {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = (second ^ UInt64(byte ^ 0x5A)) &* 0x0000_0100_0000_01B3
        }
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return hex(first) + hex(second)
    }
}

extension RESTHandler {
    /// `/openapi/v3[/api/v1 | /apis/{group}/{version}]`.
    func openAPI(_ rest: [String]) throws(APIError) -> RESTResponse {
        if rest.isEmpty {
            var paths = JSONObject()
            for gv in groupVersions {
                let document = openAPIDocument(gv)
                paths[gv.path] = ["serverRelativeURL": .string("/openapi/v3/\(gv.path)?hash=\(document.hash)")]
            }
            return .json(["paths": .object(paths)])
        }
        let gv: GroupVersion
        switch rest.count {
        case 2 where rest[0] == "api": gv = GroupVersion(group: "", version: rest[1])
        case 3 where rest[0] == "apis": gv = GroupVersion(group: rest[1], version: rest[2])
        default: throw Self.pathNotFound
        }
        guard groupVersions.contains(gv) else { throw Self.pathNotFound }
        let document = openAPIDocument(gv)
        return RESTResponse(
            status: 200,
            headers: [
                (name: "Content-Type", value: "application/json"), (name: "Etag", value: "\"\(document.hash)\""),
            ],
            body: .bytes(document.bytes))
    }

    /// The document of a group-version, built once per set of registered resources.
    func openAPIDocument(_ gv: GroupVersion) -> OpenAPIDocuments.Cached {
        let resources = resources(in: gv)
        if let cached = openAPICache.withLock({ $0[gv.path] }), cached.resources == resources { return cached }
        let bytes = OpenAPIBuilder(server: server, gv: gv, resources: resources).document().serialized()
        let built = OpenAPIDocuments.Cached(resources: resources, bytes: bytes, hash: OpenAPIDocuments.hash(bytes))
        openAPICache.withLock { $0[gv.path] = built }
        return built
    }
}

/// Builds one group-version's OpenAPI v3 document.
struct OpenAPIBuilder {
    let server: APIServer
    let gv: RESTHandler.GroupVersion
    let resources: [ResourceDescriptor]

    static let metaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1."
    static let statusName = metaPrefix + "Status"
    static let deleteOptionsName = metaPrefix + "DeleteOptions"
    static let patchName = metaPrefix + "Patch"
    static let scaleName = "io.k8s.api.autoscaling.v1.Scale"

    func document() -> JSONValue {
        var schemas = JSONObject()
        var paths = JSONObject()
        for descriptor in resources {
            guard let storage = server.storage(group: descriptor.group, plural: descriptor.plural) else { continue }
            let kindName = OpenAPIDocuments.schemaName(
                group: descriptor.group, version: descriptor.version,
                kind: descriptor.kind)
            let listName = OpenAPIDocuments.schemaName(
                group: descriptor.group, version: descriptor.version,
                kind: descriptor.listKind)
            schemas[kindName] = kindSchema(storage)
            schemas[listName] = listSchema(descriptor, itemName: kindName)
            if descriptor.scale != nil, schemas[Self.scaleName] == nil {
                var scale = SchemaRecorder(merge: nil).schema(of: Scale.self).objectValue ?? JSONObject()
                scale["x-kubernetes-group-version-kind"] = [OpenAPIDocuments.gvk("autoscaling", "v1", "Scale")]
                schemas[Self.scaleName] = .object(scale)
            }
            for (path, item) in self.paths(descriptor, storage: storage, kindName: kindName, listName: listName) {
                paths[path] = item
            }
        }
        let metaRecorder = SchemaRecorder(merge: StrategicMergeSchema.objectMeta)
        schemas[SchemaRecorder.objectMetaName] = metaRecorder.schema(of: ObjectMeta.self, path: "metadata")
        schemas[SchemaRecorder.listMetaName] = SchemaRecorder(merge: nil).schema(of: ListMeta.self)
        var status = SchemaRecorder(merge: nil).schema(of: Status.self).objectValue ?? JSONObject()
        status["x-kubernetes-group-version-kind"] = [OpenAPIDocuments.gvk("", "v1", "Status")]
        schemas[Self.statusName] = .object(status)
        var delete = SchemaRecorder(merge: nil).schema(of: DeleteOptions.self).objectValue ?? JSONObject()
        if case .object(var properties)? = delete["properties"] {
            properties.prepend("kind", ["type": "string"])
            properties.prepend("apiVersion", ["type": "string"])
            delete["properties"] = .object(properties)
        }
        schemas[Self.deleteOptionsName] = .object(delete)
        schemas[Self.patchName] = [
            "type": "object",
            "description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
        ]

        var document = JSONObject()
        document["openapi"] = "3.0.0"
        document["info"] = [
            "title": "Kubernetes",
            "version": .string(
                server.options.version.gitVersion.isEmpty
                    ? "v1.32.0" : Self.shortVersion(server.options.version)),
        ]
        document["paths"] = .object(paths)
        document["components"] = ["schemas": .object(schemas)]
        return .object(document)
    }

    /// `v1.32.0` from the version info.
    static func shortVersion(_ version: VersionInfo) -> String {
        let git = version.gitVersion
        if let dash = git.firstIndex(of: "-") { return String(git[..<dash]) }
        return git
    }

    /// A kind's schema: generated from its Swift type, or a dynamic type's registered schema (an open object
    /// without one), with `apiVersion`, `kind`, `metadata` and `x-kubernetes-group-version-kind`.
    func kindSchema(_ storage: ResourceStorage) -> JSONValue {
        let descriptor = storage.descriptor
        var schema: JSONObject
        if storage.type.objectType == DynamicObject.self {
            schema =
                storage.type.openAPISchema?.objectValue
                ?? (SchemaRecorder.openObject.objectValue ?? JSONObject())
        } else {
            func generate<T: Decodable>(_ type: T.Type) -> JSONValue {
                SchemaRecorder(merge: storage.type.strategicMergeSchema).schema(of: type)
            }
            schema = generate(storage.type.objectType).objectValue ?? JSONObject()
        }
        if case .object(var properties)? = schema["properties"] {
            properties["metadata"] = SchemaRecorder.reference(SchemaRecorder.objectMetaName)
            if properties["kind"] == nil { properties.prepend("kind", ["type": "string"]) }
            if properties["apiVersion"] == nil { properties.prepend("apiVersion", ["type": "string"]) }
            schema["properties"] = .object(properties)
        }
        if schema["type"] == nil { schema["type"] = "object" }
        schema["x-kubernetes-group-version-kind"] = [
            OpenAPIDocuments.gvk(descriptor.group, descriptor.version, descriptor.kind)
        ]
        return .object(schema)
    }

    func listSchema(_ descriptor: ResourceDescriptor, itemName: String) -> JSONValue {
        [
            "type": "object",
            "required": ["items"],
            "properties": [
                "apiVersion": ["type": "string"],
                "items": ["type": "array", "items": OpenAPIDocuments.ref(itemName)],
                "kind": ["type": "string"],
                "metadata": SchemaRecorder.reference(SchemaRecorder.listMetaName),
            ],
            "x-kubernetes-group-version-kind": [
                OpenAPIDocuments.gvk(descriptor.group, descriptor.version, descriptor.listKind)
            ],
        ]
    }

    // MARK: Paths

    static func queryParameter(_ name: String, _ type: String, _ description: String) -> JSONValue {
        [
            "name": .string(name), "in": "query", "description": .string(description),
            "schema": ["type": .string(type), "uniqueItems": true],
        ]
    }

    static func pathParameter(_ name: String, _ description: String) -> JSONValue {
        [
            "name": .string(name), "in": "path", "description": .string(description), "required": true,
            "schema": ["type": "string", "uniqueItems": true],
        ]
    }

    static let pretty = queryParameter("pretty", "string", "If 'true', then the output is pretty printed.")
    static let dryRun = queryParameter(
        "dryRun", "string",
        "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run "
            + "stages will be processed")
    static let fieldManager = queryParameter(
        "fieldManager", "string",
        "fieldManager is a name associated with the actor or entity that is making these changes.")
    static let fieldValidation = queryParameter(
        "fieldValidation", "string",
        "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing "
            + "unknown or duplicate fields. Valid values are: - Ignore - Warn (the default) - Strict")
    static let listParameters: [JSONValue] = [
        queryParameter(
            "allowWatchBookmarks", "boolean",
            "allowWatchBookmarks requests watch events with type "
                + "\"BOOKMARK\"."),
        queryParameter(
            "continue", "string",
            "The continue option should be set when retrieving more results from "
                + "the server."),
        queryParameter(
            "fieldSelector", "string",
            "A selector to restrict the list of returned objects by their "
                + "fields. Defaults to everything."),
        queryParameter(
            "labelSelector", "string",
            "A selector to restrict the list of returned objects by their "
                + "labels. Defaults to everything."),
        queryParameter("limit", "integer", "limit is a maximum number of responses to return for a list call."),
        queryParameter(
            "resourceVersion", "string",
            "resourceVersion sets a constraint on what resource versions a "
                + "request may be served from."),
        queryParameter(
            "resourceVersionMatch", "string",
            "resourceVersionMatch determines how resourceVersion is "
                + "applied to list calls."),
        queryParameter(
            "sendInitialEvents", "boolean",
            "`sendInitialEvents=true` may be set together with "
                + "`watch=true`: the stream begins with synthetic events for the current state."),
        queryParameter("timeoutSeconds", "integer", "Timeout for the list/watch call."),
        queryParameter(
            "watch", "boolean",
            "Watch for changes to the described resources and return them as a "
                + "stream of add, update, and remove notifications."),
    ]
    static let deleteParameters: [JSONValue] = [
        dryRun,
        queryParameter(
            "gracePeriodSeconds", "integer",
            "The duration in seconds before the object should be "
                + "deleted."),
        queryParameter("orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy."),
        queryParameter(
            "propagationPolicy", "string",
            "Whether and how garbage collection will be performed: "
                + "'Orphan', 'Background' or 'Foreground'."),
    ]

    static func jsonContent(_ schema: JSONValue) -> JSONValue { ["application/json": ["schema": schema]] }

    static func responses(_ codes: [String], _ schema: JSONValue) -> JSONValue {
        var object = JSONObject()
        let descriptions = ["200": "OK", "201": "Created", "202": "Accepted"]
        for code in codes {
            object[code] = ["description": .string(descriptions[code] ?? "OK"), "content": jsonContent(schema)]
        }
        object["401"] = ["description": "Unauthorized"]
        return .object(object)
    }

    static func operation(
        _ id: String, action: String, gvk: JSONValue, parameters: [JSONValue], body: JSONValue? = nil,
        responses: JSONValue
    ) -> JSONValue {
        var object = JSONObject()
        object["operationId"] = .string(id)
        object["parameters"] = .array(parameters)
        if let body { object["requestBody"] = body }
        object["responses"] = responses
        object["x-kubernetes-action"] = .string(action)
        object["x-kubernetes-group-version-kind"] = gvk
        return .object(object)
    }

    /// `CoreV1`, `AppsV1`, `ExampleComV1`: the group-version part of operation ids.
    var operationGroup: String {
        let group =
            gv.group.isEmpty ? "core" : (gv.group.hasSuffix(".k8s.io") ? String(gv.group.dropLast(7)) : gv.group)
        let words = group.split(whereSeparator: { $0 == "." || $0 == "-" })
        return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + gv.version.prefix(1).uppercased()
            + gv.version.dropFirst()
    }

    /// The paths of one resource: collection, all-namespaces list, item and subresources.
    func paths(
        _ descriptor: ResourceDescriptor, storage: ResourceStorage, kindName: String, listName: String
    ) -> [(String, JSONValue)] {
        let prefix = gv.group.isEmpty ? "/api/\(gv.version)" : "/apis/\(gv.group)/\(gv.version)"
        let namespaced = descriptor.isNamespaced
        let collection =
            namespaced
            ? "\(prefix)/namespaces/{namespace}/\(descriptor.plural)" : "\(prefix)/\(descriptor.plural)"
        let item = "\(collection)/{name}"
        let scope = namespaced ? "Namespaced" : ""
        let kind = descriptor.kind
        let group = operationGroup
        let gvk = OpenAPIDocuments.gvk(descriptor.group, descriptor.version, kind)
        let kindRef = OpenAPIDocuments.ref(kindName)
        let statusRef = OpenAPIDocuments.ref(Self.statusName)
        let writeParameters = [Self.dryRun, Self.fieldManager, Self.fieldValidation]
        let objectBody: JSONValue = ["content": ["*/*": ["schema": kindRef]], "required": true]
        let deleteBody: JSONValue = ["content": ["*/*": ["schema": OpenAPIDocuments.ref(Self.deleteOptionsName)]]]
        var patchTypes = [PatchType.json.rawValue, PatchType.merge.rawValue]
        if storage.type.strategicMergeSchema != nil { patchTypes.append(PatchType.strategicMerge.rawValue) }
        func patchBody(_ types: [String]) -> JSONValue {
            var content = JSONObject()
            for type in types { content[type] = ["schema": OpenAPIDocuments.ref(Self.patchName)] }
            return ["content": .object(content), "required": true]
        }
        var commonParameters = [Self.pretty]
        if namespaced { commonParameters.insert(Self.pathParameter("namespace", "object name and auth scope"), at: 0) }
        let itemParameters = [Self.pathParameter("name", "name of the \(kind)")] + commonParameters

        var result: [(String, JSONValue)] = []
        var collectionItem = JSONObject()
        collectionItem["get"] = Self.operation(
            "list\(group)\(scope)\(kind)", action: "list", gvk: gvk,
            parameters: Self.listParameters, responses: Self.responses(["200"], OpenAPIDocuments.ref(listName)))
        collectionItem["post"] = Self.operation(
            "create\(group)\(scope)\(kind)", action: "post", gvk: gvk,
            parameters: writeParameters, body: objectBody, responses: Self.responses(["200", "201", "202"], kindRef))
        if !descriptor.isNamespaceType {
            collectionItem["delete"] = Self.operation(
                "deletecollection\(group)\(scope)\(kind)",
                action:
                    "deletecollection", gvk: gvk, parameters: Self.deleteParameters + Self.listParameters,
                body: deleteBody,
                responses: Self.responses(["200"], statusRef))
        }
        collectionItem["parameters"] = .array(commonParameters)
        result.append((collection, .object(collectionItem)))

        var objectItem = JSONObject()
        objectItem["get"] = Self.operation(
            "read\(group)\(scope)\(kind)", action: "get", gvk: gvk, parameters: [],
            responses: Self.responses(["200"], kindRef))
        objectItem["put"] = Self.operation(
            "replace\(group)\(scope)\(kind)", action: "put", gvk: gvk,
            parameters: writeParameters, body: objectBody, responses: Self.responses(["200", "201"], kindRef))
        objectItem["patch"] = Self.operation(
            "patch\(group)\(scope)\(kind)", action: "patch", gvk: gvk,
            parameters: writeParameters, body: patchBody(patchTypes),
            responses: Self.responses(["200", "201"], kindRef))
        objectItem["delete"] = Self.operation(
            "delete\(group)\(scope)\(kind)", action: "delete", gvk: gvk,
            parameters: Self.deleteParameters, body: deleteBody, responses: Self.responses(["200", "202"], kindRef))
        objectItem["parameters"] = .array(itemParameters)
        result.append((item, .object(objectItem)))

        if descriptor.hasStatus {
            var status = JSONObject()
            status["get"] = Self.operation(
                "read\(group)\(scope)\(kind)Status", action: "get", gvk: gvk,
                parameters: [], responses: Self.responses(["200"], kindRef))
            status["put"] = Self.operation(
                "replace\(group)\(scope)\(kind)Status", action: "put", gvk: gvk,
                parameters: writeParameters, body: objectBody, responses: Self.responses(["200", "201"], kindRef))
            status["patch"] = Self.operation(
                "patch\(group)\(scope)\(kind)Status", action: "patch", gvk: gvk,
                parameters: writeParameters, body: patchBody(patchTypes),
                responses: Self.responses(["200", "201"], kindRef))
            status["parameters"] = .array(itemParameters)
            result.append(("\(item)/status", .object(status)))
        }
        if descriptor.scale != nil {
            let scaleGVK = OpenAPIDocuments.gvk("autoscaling", "v1", "Scale")
            let scaleRef = OpenAPIDocuments.ref(Self.scaleName)
            let scaleBody: JSONValue = ["content": ["*/*": ["schema": scaleRef]], "required": true]
            var scale = JSONObject()
            scale["get"] = Self.operation(
                "read\(group)\(scope)\(kind)Scale", action: "get", gvk: scaleGVK,
                parameters: [], responses: Self.responses(["200"], scaleRef))
            scale["put"] = Self.operation(
                "replace\(group)\(scope)\(kind)Scale", action: "put", gvk: scaleGVK,
                parameters: writeParameters, body: scaleBody, responses: Self.responses(["200", "201"], scaleRef))
            scale["patch"] = Self.operation(
                "patch\(group)\(scope)\(kind)Scale", action: "patch", gvk: scaleGVK,
                parameters: writeParameters,
                body: patchBody(
                    patchTypes
                        + (patchTypes.count == 2
                            ? [PatchType.strategicMerge.rawValue] : [])),
                responses: Self.responses(["200", "201"], scaleRef))
            scale["parameters"] = .array(itemParameters)
            result.append(("\(item)/scale", .object(scale)))
        }
        if descriptor.isNamespaceType {
            var finalize = JSONObject()
            finalize["put"] = Self.operation(
                "replace\(group)\(kind)Finalize", action: "put", gvk: gvk,
                parameters: writeParameters, body: objectBody, responses: Self.responses(["200", "201"], kindRef))
            finalize["parameters"] = .array(itemParameters)
            result.append(("\(item)/finalize", .object(finalize)))
        }
        if namespaced {
            var all = JSONObject()
            all["get"] = Self.operation(
                "list\(group)\(kind)ForAllNamespaces", action: "list", gvk: gvk,
                parameters: Self.listParameters, responses: Self.responses(["200"], OpenAPIDocuments.ref(listName)))
            all["parameters"] = .array([Self.pretty])
            result.append(("\(prefix)/\(descriptor.plural)", .object(all)))
        }
        return result
    }
}
