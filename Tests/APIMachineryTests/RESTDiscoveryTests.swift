import Store
import Testing

@testable import APIMachinery

/// A type exercising the schema generator: every mapped Swift type, a non-optional enum, nested and
/// recursive structs.
struct Sprocket: Resource, Hashable {
    static let descriptor = ResourceDescriptor(
        group: "tools.example.org", version: "v1beta1", kind: "Sprocket", plural: "sprockets", shortNames: ["sp"],
        categories: ["all"])

    enum Mode: String, Codable, Sendable, Hashable, CaseIterable {
        case fast = "Fast"
        case slow = "Slow"
    }

    struct Part: Codable, Sendable, Hashable {
        var name: String
        var count: Int64?
    }

    struct Node: Codable, Sendable, Hashable {
        var name: String?
        var children: [Node]?
    }

    struct Spec: Codable, Sendable, Hashable {
        var size: Int32?
        var ratio: Double?
        var enabled: Bool?
        var started: Time?
        var renewed: MicroTime?
        var port: IntOrString?
        var memory: Quantity?
        var extra: JSONValue?
        var limits: [String: Quantity]?
        var tags: [String]?
        var parts: [Part]?
        var mode: Mode
        var tree: Node?
    }

    var metadata: ObjectMeta
    var spec: Spec?

    static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema(
        listMergeKeys: ["spec.parts": "name"], mergedScalarLists: ["spec.tags"])
}

@Suite("REST: discovery")
struct RESTDiscoveryTests {
    @Test func coreGroupVersions() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let api = await handler.send("GET", "/api", headers: [(name: "Host", value: "10.0.0.1:6443")])
        #expect(api.status == 200)
        #expect(api.json["kind"] == "APIVersions")
        #expect(api.json["versions"] == ["v1"])
        #expect(api.json["serverAddressByClientCIDRs"]?.arrayValue?.first?["serverAddress"] == "10.0.0.1:6443")
    }

    @Test func groupListWithPreferredVersions() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let list = await handler.send("GET", "/apis")
        #expect(list.json["kind"] == "APIGroupList")
        #expect(list.json["apiVersion"] == "v1")
        let groups = list.json["groups"]?.arrayValue ?? []
        let names = groups.compactMap { $0["name"]?.stringValue }
        #expect(names.contains("apps"))
        #expect(names.contains("example.com"))
        #expect(!names.contains(""))
        let example = try #require(groups.first { $0["name"] == "example.com" })
        #expect(example["versions"] == [["groupVersion": "example.com/v1", "version": "v1"]])
        #expect(example["preferredVersion"] == ["groupVersion": "example.com/v1", "version": "v1"])
        let group = await handler.send("GET", "/apis/apps")
        #expect(group.json["kind"] == "APIGroup")
        #expect(group.json["preferredVersion"]?["groupVersion"] == "apps/v1")
        #expect(await handler.send("GET", "/apis/nothing.io").status == 404)
    }

    @Test func resourceListsCarryWhatKubectlReads() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let core = await handler.send("GET", "/api/v1")
        #expect(core.json["kind"] == "APIResourceList")
        #expect(core.json["groupVersion"] == "v1")
        let resources = core.json["resources"]?.arrayValue ?? []
        let names = resources.compactMap { $0["name"]?.stringValue }
        #expect(names == names.sorted())
        let pods = try #require(resources.first { $0["name"] == "pods" })
        #expect(pods["singularName"] == "pod")
        #expect(pods["namespaced"] == true)
        #expect(pods["kind"] == "Pod")
        #expect(pods["verbs"] == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
        #expect(pods["shortNames"] == ["po"])
        let podStatus = try #require(resources.first { $0["name"] == "pods/status" })
        #expect(podStatus["verbs"] == ["get", "patch", "update"])
        #expect(podStatus["kind"] == "Pod")
        let finalize = try #require(resources.first { $0["name"] == "namespaces/finalize" })
        #expect(finalize["namespaced"] == false)
        #expect(finalize["verbs"] == ["update"])
        let namespaces = try #require(resources.first { $0["name"] == "namespaces" })
        #expect(namespaces["namespaced"] == false)
        #expect(namespaces["verbs"]?.arrayValue?.contains("deletecollection") == false)

        let apps = await handler.send("GET", "/apis/apps/v1").json["resources"]?.arrayValue ?? []
        let scale = try #require(apps.first { $0["name"] == "deployments/scale" })
        #expect(scale["group"] == "autoscaling")
        #expect(scale["version"] == "v1")
        #expect(scale["kind"] == "Scale")
        #expect(scale["verbs"] == ["get", "patch", "update"])
        #expect(apps.first { $0["name"] == "deployments" }?["categories"] == ["all"])

        let custom = await handler.send("GET", "/apis/example.com/v1").json["resources"]?.arrayValue ?? []
        #expect(
            custom.compactMap { $0["name"]?.stringValue } == ["gadgets", "widgets", "widgets/scale", "widgets/status"])
        #expect(custom.first { $0["name"] == "widgets" }?["shortNames"] == ["wd"])
        #expect(custom.first { $0["name"] == "gadgets" }?["shortNames"] == nil)
    }

    @Test func versionHealthAndRoot() async throws {
        let (handler, server, _) = try await makeRESTHandler()
        let version = await handler.send("GET", "/version")
        #expect(version.json["gitVersion"] == .string(server.options.version.gitVersion))
        #expect(version.json["major"] == "1")
        for path in ["/healthz", "/livez", "/readyz"] {
            let health = await handler.send("GET", path)
            #expect(health.status == 200)
            #expect(health.text == "ok")
        }
        let root = await handler.send("GET", "/")
        let paths = root.json["paths"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(paths.contains("/apis/example.com/v1"))
        #expect(paths.contains("/api/v1"))
        #expect(paths.contains("/openapi/v3"))
    }

    @Test func versionPriorityLikeKubernetes() {
        let sorted = ["v1alpha1", "foo", "v1beta1", "v2", "v1", "v1beta2", "v10", "bar"]
            .sorted(by: RESTHandler.versionPrecedes)
        #expect(sorted == ["v10", "v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "bar", "foo"])
    }
}

@Suite("REST: OpenAPI")
struct RESTOpenAPITests {
    func document(_ handler: RESTHandler, _ path: String) async throws -> JSONValue {
        let index = await handler.send("GET", "/openapi/v3")
        #expect(index.status == 200)
        let url = try #require(index.json["paths"]?[path]?["serverRelativeURL"]?.stringValue)
        #expect(url.hasPrefix("/openapi/v3/\(path)?hash="))
        let response = await handler.send("GET", url)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        return response.json
    }

    @Test func indexListsEveryGroupVersion() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let index = await handler.send("GET", "/openapi/v3").json
        let keys = index["paths"]?.objectValue?.keys ?? []
        #expect(keys.contains("api/v1"))
        #expect(keys.contains("apis/apps/v1"))
        #expect(keys.contains("apis/example.com/v1"))
        // The hash is stable while nothing changes.
        #expect(await handler.send("GET", "/openapi/v3").json == index)
        #expect(await handler.send("GET", "/openapi/v3/apis/nothing.io/v1").status == 404)
        #expect(await handler.send("GET", "/openapi/v3/apis/example.com").status == 404)
    }

    @Test func documentHasFieldValidationOnPatchOperations() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let doc = try await document(handler, "apis/example.com/v1")
        #expect(doc["openapi"] == "3.0.0")
        #expect(doc["info"]?["title"] == "Kubernetes")
        #expect(doc["info"]?["version"] == "v1.32.0")
        let paths = try #require(doc["paths"]?.objectValue)
        let item = try #require(paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"])
        let patch = try #require(item["patch"])
        #expect(
            patch["x-kubernetes-group-version-kind"] == ["group": "example.com", "kind": "Widget", "version": "v1"])
        let parameters = patch["parameters"]?.arrayValue ?? []
        #expect(parameters.contains { $0["name"] == "fieldValidation" && $0["in"] == "query" })
        #expect(patch["requestBody"]?["content"]?["application/merge-patch+json"] != nil)
        #expect(patch["requestBody"]?["content"]?["application/strategic-merge-patch+json"] == nil)
        for path in [
            "/apis/example.com/v1/namespaces/{namespace}/widgets",
            "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status",
            "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/scale",
            "/apis/example.com/v1/widgets", "/apis/example.com/v1/gadgets/{name}",
        ] {
            #expect(paths[path] != nil, "\(path)")
        }
        #expect(
            paths["/apis/example.com/v1/namespaces/{namespace}/widgets"]?["post"]?["parameters"]?.arrayValue?
                .contains { $0["name"] == "fieldValidation" } == true)
        #expect(
            paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/scale"]?["patch"]?[
                "x-kubernetes-group-version-kind"]?["kind"] == "Scale")

        let schemas = try #require(doc["components"]?["schemas"]?.objectValue)
        let widget = try #require(schemas["com.example.v1.Widget"])
        #expect(
            widget["x-kubernetes-group-version-kind"] == [["group": "example.com", "kind": "Widget", "version": "v1"]])
        let properties = try #require(widget["properties"])
        #expect(properties.objectValue?.keys.prefix(3) == ["apiVersion", "kind", "metadata"])
        #expect(
            properties["metadata"] == [
                "allOf": [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]]
            ])
        #expect(properties["spec"]?["properties"]?["replicas"] == ["type": "integer", "format": "int32"])
        #expect(properties["spec"]?["properties"]?["size"] == ["type": "integer", "format": "int64"])
        #expect(properties["spec"]?["properties"]?["tags"] == ["type": "array", "items": ["type": "string"]])
        #expect(properties["status"]?["properties"]?["phase"] == ["type": "string"])
        #expect(
            schemas["com.example.v1.WidgetList"]?["properties"]?["items"]?["items"]
                == ["$ref": "#/components/schemas/com.example.v1.Widget"])
        #expect(
            schemas["io.k8s.api.autoscaling.v1.Scale"]?["x-kubernetes-group-version-kind"]?.arrayValue?.first?["kind"]
                == "Scale")
        let meta = try #require(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]?["properties"])
        #expect(meta["creationTimestamp"] == ["type": "string", "format": "date-time"])
        #expect(meta["labels"] == ["type": "object", "additionalProperties": ["type": "string"]])
        #expect(meta["finalizers"]?["x-kubernetes-patch-strategy"] == "merge")
        #expect(meta["ownerReferences"]?["x-kubernetes-patch-merge-key"] == "uid")
        #expect(meta["ownerReferences"]?["items"]?["properties"]?["controller"] == ["type": "boolean"])
        for name in ["Status", "DeleteOptions", "Patch", "ListMeta"] {
            #expect(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.\(name)"] != nil, "\(name)")
        }
    }

    @Test func builtinSchemasCarryPatchStrategies() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let core = try await document(handler, "api/v1")
        let pod = try #require(core["components"]?["schemas"]?["io.k8s.api.core.v1.Pod"])
        #expect(pod["x-kubernetes-group-version-kind"] == [["group": "", "kind": "Pod", "version": "v1"]])
        let containers = try #require(pod["properties"]?["spec"]?["properties"]?["containers"])
        #expect(containers["type"] == "array")
        #expect(containers["x-kubernetes-patch-merge-key"] == "name")
        #expect(containers["x-kubernetes-patch-strategy"] == "merge")
        #expect(containers["items"]?["properties"]?["image"] == ["type": "string"])
        #expect(core["paths"]?["/api/v1/namespaces/{name}/finalize"]?["put"] != nil)
        #expect(
            core["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}"]?["patch"]?["requestBody"]?["content"]?[
                "application/strategic-merge-patch+json"] != nil)

        let apps = try await document(handler, "apis/apps/v1")
        let deployment = try #require(apps["components"]?["schemas"]?["io.k8s.api.apps.v1.Deployment"])
        #expect(
            deployment["properties"]?["spec"]?["properties"]?["template"]?["properties"]?["metadata"]?["allOf"] != nil)
        #expect(
            deployment["properties"]?["spec"]?["properties"]?["template"]?["properties"]?["spec"]?["properties"]?[
                "containers"]?["x-kubernetes-patch-merge-key"] == "name")
        #expect(apps["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"] != nil)
    }

    @Test func generatedSchemaOfATestType() async throws {
        let (handler, server, _) = try await makeRESTHandler()
        try server.register(Sprocket.self)
        let doc = try await document(handler, "apis/tools.example.org/v1beta1")
        let sprocket = try #require(doc["components"]?["schemas"]?["org.example.tools.v1beta1.Sprocket"])
        let spec = try #require(sprocket["properties"]?["spec"]?["properties"])
        #expect(
            spec.objectValue?.keys == [
                "size", "ratio", "enabled", "started", "renewed", "port", "memory", "extra",
                "limits", "tags", "parts", "mode", "tree",
            ])
        #expect(spec["size"] == ["type": "integer", "format": "int32"])
        #expect(spec["ratio"] == ["type": "number", "format": "double"])
        #expect(spec["enabled"] == ["type": "boolean"])
        #expect(spec["started"] == ["type": "string", "format": "date-time"])
        #expect(spec["renewed"] == ["type": "string", "format": "date-time"])
        #expect(spec["port"] == ["x-kubernetes-int-or-string": true])
        #expect(spec["memory"] == ["x-kubernetes-int-or-string": true])
        #expect(spec["extra"] == ["x-kubernetes-preserve-unknown-fields": true])
        #expect(spec["limits"] == ["type": "object", "additionalProperties": ["x-kubernetes-int-or-string": true]])
        #expect(spec["tags"] == ["type": "array", "items": ["type": "string"], "x-kubernetes-patch-strategy": "merge"])
        #expect(spec["parts"]?["x-kubernetes-patch-merge-key"] == "name")
        #expect(
            spec["parts"]?["items"]?["properties"] == [
                "name": ["type": "string"],
                "count": ["type": "integer", "format": "int64"],
            ])
        #expect(spec["mode"] == ["type": "string"])
        // A recursive type stops at its second level as an open object.
        let tree = try #require(spec["tree"])
        #expect(tree["properties"]?["name"] == ["type": "string"])
        #expect(tree["properties"]?["children"]?["items"] == SchemaRecorder.openObject)
        let patch = doc["paths"]?["/apis/tools.example.org/v1beta1/namespaces/{namespace}/sprockets/{name}"]?["patch"]
        #expect(patch?["requestBody"]?["content"]?["application/strategic-merge-patch+json"] != nil)
    }

    @Test func dynamicTypesEmbedTheirSchema() async throws {
        let (handler, server, _) = try await makeRESTHandler()
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "spec": [
                    "type": "object",
                    "properties": ["size": ["type": "integer"]],
                ]
            ],
        ]
        try server.register(
            dynamic: ResourceDescriptor(
                group: "dyn.example.io", version: "v1", kind: "Thing",
                plural: "things"), schema: schema)
        try server.register(
            dynamic: ResourceDescriptor(
                group: "dyn.example.io", version: "v1", kind: "Blob",
                plural: "blobs", scope: .cluster))
        let doc = try await document(handler, "apis/dyn.example.io/v1")
        let schemas = try #require(doc["components"]?["schemas"])
        let thing = try #require(schemas["io.example.dyn.v1.Thing"])
        #expect(thing["properties"]?["spec"]?["properties"]?["size"] == ["type": "integer"])
        #expect(thing["properties"]?["metadata"]?["allOf"] != nil)
        #expect(thing["x-kubernetes-group-version-kind"]?.arrayValue?.first?["kind"] == "Thing")
        let blob = try #require(schemas["io.example.dyn.v1.Blob"])
        #expect(blob["x-kubernetes-preserve-unknown-fields"] == true)
        #expect(blob["type"] == "object")
        #expect(
            doc["paths"]?["/apis/dyn.example.io/v1/blobs/{name}"]?["patch"]?["parameters"]?.arrayValue?
                .contains { $0["name"] == "fieldValidation" } == true)
    }

    @Test func schemaNames() {
        #expect(OpenAPIDocuments.schemaName(group: "", version: "v1", kind: "Pod") == "io.k8s.api.core.v1.Pod")
        #expect(
            OpenAPIDocuments.schemaName(group: "apps", version: "v1", kind: "Deployment")
                == "io.k8s.api.apps.v1.Deployment")
        #expect(
            OpenAPIDocuments.schemaName(group: "rbac.authorization.k8s.io", version: "v1", kind: "Role")
                == "io.k8s.api.rbac.v1.Role")
        #expect(
            OpenAPIDocuments.schemaName(group: "stable.example.com", version: "v1", kind: "CronTab")
                == "com.example.stable.v1.CronTab")
    }
}
