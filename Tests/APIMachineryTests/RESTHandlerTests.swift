import Store
import Testing

@testable import APIMachinery

@Suite("REST: resources")
struct RESTHandlerTests {
    static let widgets = "/apis/example.com/v1/namespaces/default/widgets"

    @Test func createGetUpdateDeleteNamespaced() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let created = await handler.send("POST", Self.widgets, json: widgetJSON("a"))
        #expect(created.status == 201)
        #expect(created.header("content-type") == "application/json")
        let object = created.json
        #expect(object["apiVersion"] == "example.com/v1")
        #expect(object["kind"] == "Widget")
        #expect(object["metadata"]?["namespace"] == "default")
        #expect(object["metadata"]?["uid"]?.stringValue?.count == 36)
        let version = try #require(object["metadata"]?["resourceVersion"]?.stringValue)

        let got = await handler.send("GET", Self.widgets + "/a")
        #expect(got.status == 200)
        #expect(got.json["spec"]?["color"] == "red")

        var update = object
        update = .object(
            {
                var tree = update.objectValue!
                tree["spec"] = ["color": "blue", "replicas": 2]
                return tree
            }())
        let updated = await handler.send("PUT", Self.widgets + "/a", json: update)
        #expect(updated.status == 200)
        #expect(updated.json["spec"]?["color"] == "blue")
        #expect(updated.json["metadata"]?["generation"] == 2)
        #expect(updated.json["metadata"]?["resourceVersion"]?.stringValue != version)

        // The old resourceVersion is stale now: 409 Conflict with a Kubernetes Status.
        let stale = await handler.send("PUT", Self.widgets + "/a", json: update)
        #expect(stale.status == 409)
        #expect(stale.json["kind"] == "Status")
        #expect(stale.json["apiVersion"] == "v1")
        #expect(stale.json["status"] == "Failure")
        #expect(stale.json["reason"] == "Conflict")
        #expect(stale.json["code"] == 409)
        #expect(stale.json["message"]?.stringValue?.contains("the object has been modified") == true)
        #expect(stale.json["details"]?["name"] == "a")

        let deleted = await handler.send("DELETE", Self.widgets + "/a")
        #expect(deleted.status == 200)
        #expect(deleted.json["metadata"]?["name"] == "a")

        let gone = await handler.send("GET", Self.widgets + "/a")
        #expect(gone.status == 404)
        #expect(gone.json["reason"] == "NotFound")
        #expect(gone.json["message"] == "widgets.example.com \"a\" not found")
        #expect(gone.json["details"]?["name"] == "a")
        #expect(gone.json["details"]?["group"] == "example.com")
        #expect(gone.json["details"]?["kind"] == "widgets")
    }

    @Test func duplicateCreateIsAlreadyExists() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("a")).status == 201)
        let again = await handler.send("POST", Self.widgets, json: widgetJSON("a"))
        #expect(again.status == 409)
        #expect(again.json["reason"] == "AlreadyExists")
    }

    @Test func clusterScopedPaths() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let gadget: JSONValue = [
            "apiVersion": "example.com/v1", "kind": "Gadget", "metadata": ["name": "g"],
            "data": ["k": "v"],
        ]
        let created = await handler.send("POST", "/apis/example.com/v1/gadgets", json: gadget)
        #expect(created.status == 201)
        #expect(created.json["metadata"]?["namespace"] == nil)
        #expect(await handler.send("GET", "/apis/example.com/v1/gadgets/g").json["data"]?["k"] == "v")
        // A cluster-scoped type has no namespaced path.
        #expect(await handler.send("GET", "/apis/example.com/v1/namespaces/default/gadgets/g").status == 404)
        #expect(await handler.send("GET", "/apis/example.com/v1/gadgets").json.itemNames == ["g"])
    }

    @Test func allNamespacesListAndItsMethods() async throws {
        let (handler, server, _) = try await makeRESTHandler()
        try await createNamespaces(server, "other")
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("a")).status == 201)
        #expect(
            await handler.send(
                "POST", "/apis/example.com/v1/namespaces/other/widgets",
                json: widgetJSON("b")
            ).status == 201)
        let all = await handler.send("GET", "/apis/example.com/v1/widgets")
        #expect(all.status == 200)
        #expect(Set(all.json.itemNames) == ["a", "b"])
        #expect(await handler.send("GET", Self.widgets).json.itemNames == ["a"])
        // Objects are created, read and deleted in their namespace only.
        let post = await handler.send("POST", "/apis/example.com/v1/widgets", json: widgetJSON("c"))
        #expect(post.status == 405)
        #expect(post.json["reason"] == "MethodNotAllowed")
        #expect(await handler.send("DELETE", "/apis/example.com/v1/widgets").status == 405)
        #expect(await handler.send("GET", "/apis/example.com/v1/widgets/a").status == 404)
    }

    @Test func listShapeAndPagination() async throws {
        let (handler, _, store) = try await makeRESTHandler()
        for name in ["a", "b", "c"] {
            #expect(await handler.send("POST", Self.widgets, json: widgetJSON(name)).status == 201)
        }
        let first = await handler.send("GET", Self.widgets + "?limit=2")
        #expect(first.status == 200)
        let page = first.json
        #expect(page.objectValue?.keys == ["kind", "apiVersion", "metadata", "items"])
        #expect(page["kind"] == "WidgetList")
        #expect(page["apiVersion"] == "example.com/v1")
        #expect(page.itemNames == ["a", "b"])
        #expect(page["items"]?.arrayValue?.first?["kind"] == "Widget")
        #expect(page["items"]?.arrayValue?.first?["apiVersion"] == "example.com/v1")
        #expect(page["metadata"]?["resourceVersion"]?.stringValue == String(store.status().revision))
        #expect(page["metadata"]?["remainingItemCount"] == 1)
        let token = try #require(page["metadata"]?["continue"]?.stringValue)

        let second = await handler.send("GET", Self.widgets + "?limit=2&continue=\(queryEscape(token))")
        #expect(second.json.itemNames == ["c"])
        #expect(second.json["metadata"]?["continue"] == nil)

        let empty = await handler.send("GET", "/apis/example.com/v1/namespaces/nothing/widgets")
        #expect(empty.json["items"] == [])
    }

    @Test func selectorsFromTheQuery() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("a", labels: ["app": "web"])).status == 201)
        #expect(
            await handler.send(
                "POST", Self.widgets,
                json: widgetJSON("b", color: "blue", labels: ["app": "db"])
            ).status == 201)
        #expect(await handler.send("GET", Self.widgets + "?labelSelector=app%3Dweb").json.itemNames == ["a"])
        #expect(await handler.send("GET", Self.widgets + "?labelSelector=app+in+(db,x)").json.itemNames == ["b"])
        #expect(await handler.send("GET", Self.widgets + "?fieldSelector=spec.color%3Dblue").json.itemNames == ["b"])
        #expect(await handler.send("GET", Self.widgets + "?fieldSelector=metadata.name%3Da").json.itemNames == ["a"])
        // Parameters Kubernetes does not know are ignored.
        #expect(await handler.send("GET", Self.widgets + "?pretty=true&bogus=1").json.itemNames == ["a", "b"])

        let badLabel = await handler.send("GET", Self.widgets + "?labelSelector=app%3D%3D%3D")
        #expect(badLabel.status == 400)
        #expect(badLabel.json["reason"] == "BadRequest")
        #expect(await handler.send("GET", Self.widgets + "?fieldSelector=spec.size%3D1").status == 400)
        #expect(await handler.send("GET", Self.widgets + "?limit=many").status == 400)
        #expect(await handler.send("GET", Self.widgets + "?resourceVersionMatch=Newest").status == 400)
        #expect(await handler.send("GET", Self.widgets + "?resourceVersion=abc").status == 400)
    }

    @Test func statusSubresource() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let created = await handler.send("POST", Self.widgets, json: widgetJSON("a")).json
        var tree = try #require(created.objectValue)
        tree["status"] = ["phase": "Ready", "replicas": 1]
        tree["spec"] = ["color": "green", "replicas": 1]
        let updated = await handler.send("PUT", Self.widgets + "/a/status", json: .object(tree))
        #expect(updated.status == 200)
        #expect(updated.json["status"]?["phase"] == "Ready")
        #expect(updated.json["spec"]?["color"] == "red")  // status ignores spec changes
        #expect(await handler.send("GET", Self.widgets + "/a/status").json["status"]?["phase"] == "Ready")
        let patched = await handler.send("PATCH", Self.widgets + "/a/status", json: ["status": ["phase": "Done"]])
        #expect(patched.status == 200)
        #expect(patched.json["status"]?["phase"] == "Done")
        // Unknown subresources do not exist; finalize is for namespaces only.
        #expect(await handler.send("GET", Self.widgets + "/a/logs").status == 404)
        #expect(await handler.send("PUT", Self.widgets + "/a/finalize", json: .object(tree)).status == 404)
        #expect(await handler.send("GET", "/apis/example.com/v1/gadgets/g/status").status == 404)
    }

    @Test func scaleSubresource() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("a", replicas: 2)).status == 201)
        let scale = await handler.send("GET", Self.widgets + "/a/scale")
        #expect(scale.status == 200)
        #expect(scale.json["kind"] == "Scale")
        #expect(scale.json["apiVersion"] == "autoscaling/v1")
        #expect(scale.json["spec"]?["replicas"] == 2)
        // kubectl scale: a merge patch of spec.replicas.
        let patched = await handler.send("PATCH", Self.widgets + "/a/scale", json: ["spec": ["replicas": 5]])
        #expect(patched.status == 200)
        #expect(patched.json["spec"]?["replicas"] == 5)
        #expect(await handler.send("GET", Self.widgets + "/a").json["spec"]?["replicas"] == 5)
        let put = await handler.send(
            "PUT", Self.widgets + "/a/scale",
            json: ["apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": ["name": "a"], "spec": ["replicas": 3]])
        #expect(put.status == 200)
        #expect(put.json["spec"]?["replicas"] == 3)
        let negative = await handler.send("PUT", Self.widgets + "/a/scale", json: ["spec": ["replicas": -1]])
        #expect(negative.status == 422)
        #expect(await handler.send("GET", Self.widgets + "/a").json["spec"]?["replicas"] == 3)
        let wrongKind = await handler.send("PUT", Self.widgets + "/a/scale", json: ["kind": "Widget", "spec": [:]])
        #expect(wrongKind.status == 400)
    }

    @Test func namespaceDeletionAndFinalize() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let created = await handler.send(
            "POST", "/api/v1/namespaces",
            json: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]])
        #expect(created.status == 201)
        #expect(created.json["spec"]?["finalizers"] == ["kubernetes"])
        #expect(await handler.send("GET", "/api/v1/namespaces/team").json["status"]?["phase"] == "Active")
        #expect(await handler.send("GET", "/api/v1/namespaces/team/status").status == 200)

        let deleted = await handler.send("DELETE", "/api/v1/namespaces/team")
        #expect(deleted.status == 200)
        #expect(deleted.json["status"]?["phase"] == "Terminating")
        var namespace = try #require(await handler.send("GET", "/api/v1/namespaces/team").json.objectValue)
        #expect(namespace["metadata"]?["deletionTimestamp"] != nil)

        namespace["spec"] = ["finalizers": []]
        let finalized = await handler.send("PUT", "/api/v1/namespaces/team/finalize", json: .object(namespace))
        #expect(finalized.status == 200)
        #expect(await handler.send("GET", "/api/v1/namespaces/team").status == 404)
        // Namespaces have no deletecollection, and finalize takes PUT only.
        #expect(await handler.send("DELETE", "/api/v1/namespaces").status == 405)
        #expect(await handler.send("GET", "/api/v1/namespaces/default/finalize").status == 405)
    }

    @Test func deleteStatusCodesFollowKubernetes() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        for name in ["a", "b"] {
            var body = widgetJSON(name).objectValue!
            body["metadata"] = ["name": .string(name), "finalizers": ["example.com/hold"]]
            #expect(await handler.send("POST", Self.widgets, json: .object(body)).status == 201)
        }
        // The object stays (a finalizer): 200 with the object marked for deletion...
        let marked = await handler.send("DELETE", Self.widgets + "/a?propagationPolicy=Foreground")
        #expect(marked.status == 200)
        #expect(marked.json["metadata"]?["deletionTimestamp"] != nil)
        #expect(marked.json["metadata"]?["finalizers"] == ["example.com/hold", "foregroundDeletion"])
        // ...and 202 Accepted when cascading deletion was asked for with orphanDependents=false.
        let accepted = await handler.send(
            "DELETE", Self.widgets + "/b",
            json: ["kind": "DeleteOptions", "apiVersion": "v1", "orphanDependents": false])
        #expect(accepted.status == 202)
        #expect(accepted.json["metadata"]?["deletionTimestamp"] != nil)

        let badPolicy = await handler.send("DELETE", Self.widgets + "/a", json: ["propagationPolicy": "Sideways"])
        #expect(badPolicy.status == 422)
        let precondition = await handler.send(
            "DELETE", Self.widgets + "/a",
            json: ["preconditions": ["uid": "not-the-uid"]])
        #expect(precondition.status == 409)
        #expect(await handler.send("DELETE", Self.widgets + "/a?gracePeriodSeconds=x").status == 400)
        #expect(await handler.send("DELETE", Self.widgets + "/a/status").status == 405)
    }

    @Test func deleteCollectionWithSelector() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        for (name, app) in [("a", "web"), ("b", "web"), ("c", "db")] {
            #expect(
                await handler.send("POST", Self.widgets, json: widgetJSON(name, labels: ["app": .string(app)])).status
                    == 201)
        }
        let deleted = await handler.send("DELETE", Self.widgets + "?labelSelector=app%3Dweb")
        #expect(deleted.status == 200)
        #expect(deleted.json["kind"] == "WidgetList")
        #expect(Set(deleted.json.itemNames) == ["a", "b"])
        #expect(await handler.send("GET", Self.widgets).json.itemNames == ["c"])
    }

    @Test func patchesByContentType() async throws {
        let (handler, _, store) = try await makeRESTHandler()
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("a")).status == 201)
        let merge = await handler.send("PATCH", Self.widgets + "/a", json: ["spec": ["color": "blue"]])
        #expect(merge.status == 200)
        #expect(merge.json["spec"]?["color"] == "blue")
        let jsonPatch = await handler.send(
            "PATCH", Self.widgets + "/a",
            json: [["op": "replace", "path": "/spec/color", "value": "green"]],
            contentType: "application/json-patch+json")
        #expect(jsonPatch.json["spec"]?["color"] == "green")

        let before = store.status().revision
        let failedTest = await handler.send(
            "PATCH", Self.widgets + "/a",
            json: [["op": "test", "path": "/spec/color", "value": "red"]], contentType: "application/json-patch+json")
        #expect(failedTest.status == 422)
        let malformed = await handler.send("PATCH", Self.widgets + "/a", body: Array("{\"spec\":".utf8))
        #expect(malformed.status == 400)
        // Custom types have no strategic merge patch; unknown patch types are 415 too.
        let strategic = await handler.send(
            "PATCH", Self.widgets + "/a", json: ["spec": ["color": "x"]],
            contentType: "application/strategic-merge-patch+json")
        #expect(strategic.status == 415)
        let unknown = await handler.send(
            "PATCH", Self.widgets + "/a", json: ["spec": ["color": "x"]],
            contentType: "application/json")
        #expect(unknown.status == 415)
        #expect(unknown.json["reason"] == "UnsupportedMediaType")
        let invalid = await handler.send("PATCH", Self.widgets + "/a", json: ["spec": ["replicas": -3]])
        #expect(invalid.status == 422)
        #expect(store.status().revision == before)
        #expect(await handler.send("PATCH", Self.widgets, json: ["spec": [:]]).status == 405)
    }

    @Test func strategicMergePatchOnBuiltinTypes() async throws {
        let (handler, _, _) = try await makeRESTHandler()
        let pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
            "spec": ["containers": [["name": "app", "image": "nginx"], ["name": "side", "image": "busybox"]]],
        ]
        #expect(await handler.send("POST", "/api/v1/namespaces/default/pods", json: pod).status == 201)
        let patched = await handler.send(
            "PATCH", "/api/v1/namespaces/default/pods/p",
            json: ["spec": ["containers": [["name": "side", "image": "busybox:2"]]]],
            contentType: "application/strategic-merge-patch+json")
        #expect(patched.status == 200)
        let images = patched.json["spec"]?["containers"]?.arrayValue?.compactMap { $0["image"]?.stringValue }
        #expect(images == ["nginx", "busybox:2"])
    }

    @Test func dryRunWritesNothing() async throws {
        let (handler, _, store) = try await makeRESTHandler()
        let before = store.status().revision
        let created = await handler.send("POST", Self.widgets + "?dryRun=All", json: widgetJSON("a"))
        #expect(created.status == 201)
        #expect(created.json["metadata"]?["uid"] != nil)
        #expect(store.status().revision == before)
        #expect(await handler.send("GET", Self.widgets).json.itemNames == [])
        let bad = await handler.send("POST", Self.widgets + "?dryRun=Some", json: widgetJSON("a"))
        #expect(bad.status == 400)
    }
}

@Suite("REST: bad requests")
struct RESTBadRequestTests {
    static let widgets = RESTHandlerTests.widgets

    /// Sends a bad request and checks its code, reason and that the store did not change.
    func expectRefused(
        _ handler: RESTHandler, _ store: KeyValueStore, _ method: String, _ target: String, json: JSONValue? = nil,
        body: [UInt8]? = nil, contentType: String? = nil, headers: [(name: String, value: String)] = [],
        code: Int, reason: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async -> JSONValue {
        let before = store.status().revision
        let response = await handler.send(
            method, target, json: json, body: body, contentType: contentType,
            headers: headers)
        #expect(response.status == code, sourceLocation: sourceLocation)
        #expect(response.json["kind"] == "Status", sourceLocation: sourceLocation)
        #expect(response.json["status"] == "Failure", sourceLocation: sourceLocation)
        #expect(response.json["reason"] == .string(reason), sourceLocation: sourceLocation)
        #expect(response.json["code"] == .int(Int64(code)), sourceLocation: sourceLocation)
        #expect(store.status().revision == before, sourceLocation: sourceLocation)
        return response.json
    }

    @Test func malformedBodies() async throws {
        let (handler, _, store) = try await makeRESTHandler()
        let malformed = await expectRefused(
            handler, store, "POST", Self.widgets,
            body: Array("{\"metadata\": {\"name\": \"a\"".utf8), code: 400, reason: "BadRequest")
        #expect(malformed["message"]?.stringValue?.contains("at byte") == true)
        _ = await expectRefused(
            handler, store, "POST", Self.widgets, body: [], contentType: "application/json",
            code: 400, reason: "BadRequest")
        _ = await expectRefused(
            handler, store, "POST", Self.widgets, json: ["a", "b"], code: 400,
            reason: "BadRequest")
        let kind = await expectRefused(
            handler, store, "POST", Self.widgets,
            json: ["apiVersion": "example.com/v1", "kind": "Gadget", "metadata": ["name": "a"]],
            code: 400, reason: "BadRequest")
        #expect(kind["message"]?.stringValue?.contains("kind") == true)
        _ = await expectRefused(
            handler, store, "POST", Self.widgets,
            json: ["apiVersion": "example.com/v2", "kind": "Widget", "metadata": ["name": "a"]],
            code: 400, reason: "BadRequest")
        _ = await expectRefused(
            handler, store, "POST", Self.widgets,
            json: ["metadata": ["name": "a"], "spec": ["replicas": "three"]], code: 400, reason: "BadRequest")
        #expect(await handler.send("GET", Self.widgets).json.itemNames == [])
    }

    @Test func unknownFieldsFollowFieldValidation() async throws {
        let (handler, _, store) = try await makeRESTHandler()
        var body = widgetJSON("a").objectValue!
        body["spec"] = ["color": "red", "colour": "red"]
        let strict = await expectRefused(
            handler, store, "POST", Self.widgets + "?fieldValidation=Strict",
            json: .object(body), code: 400, reason: "BadRequest")
        #expect(strict["message"]?.stringValue?.contains("unknown field \"spec.colour\"") == true)
        _ = await expectRefused(
            handler, store, "POST", Self.widgets + "?fieldValidation=Loose",
            json: .object(body), code: 400, reason: "BadRequest")

        // The server default is Warn: created, with a Warning header naming the field.
        let warned = await handler.send("POST", Self.widgets, json: .object(body))
        #expect(warned.status == 201)
        #expect(warned.headerValues("Warning") == ["299 - \"unknown field \\\"spec.colour\\\"\""])
        #expect(warned.json["spec"]?["colour"] == nil)
        body["metadata"] = ["name": "b"]
        let ignored = await handler.send("POST", Self.widgets + "?fieldValidation=Ignore", json: .object(body))
        #expect(ignored.status == 201)
        #expect(ignored.header("Warning") == nil)
    }

    @Test func validationErrorsNameTheField() async throws {
        let (handler, _, store) = try await makeRESTHandler()
        let name = await expectRefused(
            handler, store, "POST", Self.widgets, json: widgetJSON("Not_Valid"),
            code: 422, reason: "Invalid")
        #expect(name["message"]?.stringValue?.contains("metadata.name") == true)
        #expect(name["details"]?["causes"]?.arrayValue?.first?["field"] == "metadata.name")
        #expect(name["details"]?["kind"] == "Widget")
        #expect(name["details"]?["group"] == "example.com")
        let label = await expectRefused(
            handler, store, "POST", Self.widgets,
            json: widgetJSON("a", labels: ["app": "not a valid value!"]), code: 422, reason: "Invalid")
        #expect(label["details"]?["causes"]?.arrayValue?.first?["field"] == "metadata.labels")
        let replicas = await expectRefused(
            handler, store, "POST", Self.widgets, json: widgetJSON("a", replicas: -1),
            code: 422, reason: "Invalid")
        #expect(replicas["details"]?["causes"]?.arrayValue?.first?["field"] == "spec.replicas")
        #expect(await handler.send("GET", Self.widgets).json.itemNames == [])
    }

    @Test func mediaTypesAndSizes() async throws {
        let (handler, _, store) = try await makeRESTHandler { $0.maxRequestBytes = 512 }
        _ = await expectRefused(
            handler, store, "POST", Self.widgets, body: Array("metadata:\n  name: a\n".utf8),
            contentType: "application/yaml", code: 415, reason: "UnsupportedMediaType")
        _ = await expectRefused(
            handler, store, "POST", Self.widgets, json: widgetJSON("a"),
            contentType: "application/vnd.kubernetes.protobuf", code: 415, reason: "UnsupportedMediaType")
        var big = widgetJSON("a").objectValue!
        big["spec"] = ["color": .string(String(repeating: "x", count: 600))]
        let tooLarge = await expectRefused(
            handler, store, "POST", Self.widgets, json: .object(big), code: 413,
            reason: "RequestEntityTooLarge")
        #expect(tooLarge["message"]?.stringValue?.contains("512") == true)
        #expect(await handler.send("POST", Self.widgets, json: widgetJSON("a")).status == 201)
        _ = await expectRefused(
            handler, store, "PATCH", Self.widgets + "/a", json: .object(big), code: 413,
            reason: "RequestEntityTooLarge")

        _ = await expectRefused(
            handler, store, "GET", Self.widgets,
            headers: [(name: "Accept", value: "application/vnd.kubernetes.protobuf")], code: 406,
            reason: "NotAcceptable")
        // Table requests fall back to plain JSON, as kubectl accepts.
        let table = await handler.send(
            "GET", Self.widgets,
            headers: [
                (
                    name: "Accept",
                    value: "application/json;as=Table;v=v1;g=meta.k8s.io,"
                        + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
                )
            ])
        #expect(table.status == 200)
        #expect(table.json["kind"] == "WidgetList")
        let wildcard = await handler.send("GET", Self.widgets, headers: [(name: "accept", value: "*/*")])
        #expect(wildcard.status == 200)
    }

    @Test func unknownPathsAndMethods() async throws {
        let (handler, _, store) = try await makeRESTHandler()
        _ = await expectRefused(handler, store, "GET", "/apis/nothing.io/v1/things", code: 404, reason: "NotFound")
        _ = await expectRefused(
            handler, store, "GET", "/apis/example.com/v2/namespaces/default/widgets", code: 404,
            reason: "NotFound")
        _ = await expectRefused(handler, store, "GET", "/apis/example.com/v2", code: 404, reason: "NotFound")
        _ = await expectRefused(
            handler, store, "GET", "/apis/example.com/v1/namespaces/default/sprockets",
            code: 404, reason: "NotFound")
        _ = await expectRefused(handler, store, "GET", "/api/v2/pods", code: 404, reason: "NotFound")
        _ = await expectRefused(handler, store, "GET", "/nothing", code: 404, reason: "NotFound")
        _ = await expectRefused(
            handler, store, "GET", Self.widgets + "/a/status/extra", code: 404,
            reason: "NotFound")
        _ = await expectRefused(handler, store, "OPTIONS", Self.widgets, code: 405, reason: "MethodNotAllowed")
        _ = await expectRefused(
            handler, store, "POST", Self.widgets + "/a", json: widgetJSON("a"), code: 405,
            reason: "MethodNotAllowed")
        _ = await expectRefused(
            handler, store, "PUT", Self.widgets, json: widgetJSON("a"), code: 405,
            reason: "MethodNotAllowed")
        _ = await expectRefused(handler, store, "POST", "/api", json: [:], code: 405, reason: "MethodNotAllowed")
    }

    @Test func unauthenticatedAndForbidden() async throws {
        let (anonymous, _, store) = try await makeRESTHandler(authenticate: { _ in nil })
        let unauthorized = await expectRefused(
            anonymous, store, "GET", Self.widgets, code: 401,
            reason: "Unauthorized")
        #expect(unauthorized["message"] == "Unauthorized")
        _ = await expectRefused(anonymous, store, "GET", "/api", code: 401, reason: "Unauthorized")

        let (denied, _, deniedStore) = try await makeRESTHandler { $0.authorizer = AlwaysDenyAuthorizer() }
        let forbidden = await expectRefused(
            denied, deniedStore, "POST", Self.widgets, json: widgetJSON("a"),
            code: 403, reason: "Forbidden")
        #expect(forbidden["message"]?.stringValue?.contains("cannot create resource \"widgets\"") == true)
        _ = await expectRefused(denied, deniedStore, "GET", "/apis", code: 403, reason: "Forbidden")
    }

    @Test func tokenAuthenticator() async throws {
        let (server, _) = try await makeServer { $0.useRBAC() }
        for role in RBACBootstrapPolicy.clusterRoles() {
            _ = try await server.client().resource(ClusterRole.self).create(role)
        }
        for binding in RBACBootstrapPolicy.clusterRoleBindings() {
            _ = try await server.client().resource(ClusterRoleBinding.self).create(binding)
        }
        let handler = RESTHandler(
            server: server,
            authenticator: StaticTokenAuthenticator(tokens: [
                "admin-token": RESTHandler.admin, "user-token": UserInfo(name: "jane"),
            ]))
        let admin = [(name: "Authorization", value: "Bearer admin-token")]
        let user = [(name: "Authorization", value: "Bearer user-token")]
        #expect(await handler.send("GET", Self.widgets, headers: admin).status == 200)
        #expect(await handler.send("GET", Self.widgets, headers: user).status == 403)
        #expect(await handler.send("GET", "/api", headers: user).status == 200)  // system:discovery
        #expect(await handler.send("GET", Self.widgets).status == 401)
        #expect(
            await handler.send(
                "GET", Self.widgets,
                headers: [(name: "Authorization", value: "Bearer wrong")]
            ).status == 401)
    }
}

@Suite("REST: requests")
struct RESTRequestTests {
    @Test func targetsAreDecoded() {
        let request = RESTRequest(
            method: "get",
            target: "/api/v1/namespaces/my%2Dns/pods?labelSelector=app%3Dweb%2Ctier+in+(a%2Cb)&watch&limit=5&limit=6")
        #expect(request.method == "GET")
        #expect(request.path == "/api/v1/namespaces/my-ns/pods")
        #expect(request.queryValue("labelSelector") == "app=web,tier in (a,b)")
        #expect(request.queryValue("watch") == "")
        #expect(request.queryValues("limit") == ["5", "6"])
        #expect(request.queryValue("missing") == nil)
        #expect(RESTRequest.percentDecode("a+b%zz%41", plusIsSpace: false) == "a+b%zzA")
    }

    @Test func headersCompareWithoutCase() {
        let request = RESTRequest(method: "GET", path: "/", headers: [(name: "content-TYPE", value: "x")])
        #expect(request.header("Content-Type") == "x")
        #expect(request.header("Accept") == nil)
    }

    @Test func booleanParametersReadLikeKubernetes() {
        func value(_ query: String) -> Bool? {
            RESTQuery(request: RESTRequest(method: "GET", target: "/x?\(query)")).bool("watch")
        }
        #expect(value("watch=true") == true)
        #expect(value("watch=1") == true)
        #expect(value("watch=") == true)
        #expect(value("watch=0") == false)
        #expect(value("watch=False") == false)
        #expect(value("other=1") == nil)
    }
}
