import Store
import Testing

@testable import APIMachinery

@Suite("Registry: patch")
struct RegistryPatchTests {
    @Test func mergePatchChangesFieldsAndBumpsGeneration() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "a", spec: .init(color: "red", tags: ["x"])))
        let patched = try await widgets.patch("a", type: .merge,
            ["spec": ["color": "blue", "tags": nil], "metadata": ["labels": ["tier": "web"]]])
        #expect(patched.spec?.color == "blue")
        #expect(patched.spec?.tags == nil)
        #expect(patched.metadata.labels == ["tier": "web"])
        #expect(patched.metadata.generation == 2)
    }

    @Test func jsonPatchTestFailureWritesNothing() async throws {
        let (server, store) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "a", spec: .init(color: "red")))
        let before = store.status().revision
        let error = await #expect(throws: APIError.self) {
            try await widgets.patch("a", type: .json, [
                ["op": "test", "path": "/spec/color", "value": "green"],
                ["op": "replace", "path": "/spec/color", "value": "blue"],
            ])
        }
        #expect(error?.code == 422)
        #expect(store.status().revision == before)
        let applied = try await widgets.patch("a", type: .json, [
            ["op": "test", "path": "/spec/color", "value": "red"],
            ["op": "replace", "path": "/spec/color", "value": "blue"],
            ["op": "add", "path": "/spec/tags", "value": ["new"]],
        ])
        #expect(applied.spec?.color == "blue")
        #expect(applied.spec?.tags == ["new"])
        let malformed = await #expect(throws: APIError.self) {
            try await widgets.patch("a", type: .json, ["op": "replace"])
        }
        #expect(malformed?.code == 400)
    }

    @Test func strategicMergeAndApplyAreUnsupportedForCustomTypes() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "a"))
        let strategic = await #expect(throws: APIError.self) {
            try await widgets.patch("a", type: .strategicMerge, ["spec": ["color": "x"]])
        }
        #expect(strategic?.code == 415)
        let apply = await #expect(throws: APIError.self) {
            try await widgets.patch("a", type: .apply, ["spec": ["color": "x"]])
        }
        #expect(apply?.code == 415)
    }

    @Test func patchNamingAStaleResourceVersionConflicts() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let created = try await widgets.create(Widget(name: "a"))
        _ = try await widgets.patch("a", type: .merge, ["spec": ["color": "red"]])
        let error = await #expect(throws: APIError.self) {
            try await widgets.patch("a", type: .merge,
                ["metadata": ["resourceVersion": .string(created.metadata.resourceVersion)], "spec": ["color": "blue"]])
        }
        #expect(error?.code == 409)
    }

    @Test func patchesWithoutAVersionAllApplyUnderContention() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "a"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    _ = try await widgets.patch("a", type: .merge, ["metadata": ["labels": [.init("k\(index)"): "v"]]])
                }
            }
            try await group.waitForAll()
        }
        #expect(try await widgets.get("a").metadata.labels.count == 16)
    }

    @Test func statusPatchTouchesOnlyStatus() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "a", spec: .init(color: "red")))
        let patched = try await widgets.patch("a", type: .merge,
            ["status": ["phase": "Ready"], "spec": ["color": "blue"]], subresource: "status")
        #expect(patched.status?.phase == "Ready")
        #expect(patched.spec?.color == "red")
    }

    @Test func patchProducingAnInvalidObjectIsRefused() async throws {
        let (server, store) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "a"))
        let before = store.status().revision
        let typeError = await #expect(throws: APIError.self) {
            try await widgets.patch("a", type: .merge, ["spec": ["replicas": "many"]])
        }
        #expect(typeError?.code == 400)
        let unknown = await #expect(throws: APIError.self) {
            try await widgets.patch("a", type: .merge, ["spec": ["colour": "red"]])
        }
        #expect(unknown?.code == 400)
        #expect(unknown?.message.contains("unknown field \"spec.colour\"") == true)
        let invalid = await #expect(throws: APIError.self) {
            try await widgets.patch("a", type: .merge, ["spec": ["replicas": -3]])
        }
        #expect(invalid?.code == 422)
        #expect(store.status().revision == before)
    }
}

@Suite("Registry: namespace lifecycle")
struct NamespaceLifecycleTests {
    @Test func createsNeedAnActiveNamespace() async throws {
        let (server, store) = try await makeServer()
        let admin = server.client()
        let before = store.status().revision
        let missing = await #expect(throws: APIError.self) {
            try await admin.resource(Widget.self, namespace: "nowhere").create(Widget(name: "a"))
        }
        #expect(missing?.code == 404)
        #expect(missing?.message == "namespaces \"nowhere\" not found")
        #expect(store.status().revision == before)

        try await createNamespaces(server, "team")
        _ = try await admin.resource(Widget.self, namespace: "team").create(Widget(name: "a"))
        let deleting = try await admin.resource(Namespace.self).delete("team")
        #expect(!deleting.deleted, "spec.finalizers keep the namespace until the namespace controller finalizes it")
        #expect(deleting.object.status?.phase == "Terminating")
        let terminating = await #expect(throws: APIError.self) {
            try await admin.resource(Widget.self, namespace: "team").create(Widget(name: "b"))
        }
        #expect(terminating?.code == 403)
        #expect(terminating?.message.contains("because it is being terminated") == true)

        // What the namespace controller does once the content is gone: empty spec.finalizers via /finalize.
        var namespace = deleting.object
        namespace.spec?.finalizers = []
        _ = try await server.update(Namespace.descriptor.groupResource, namespace: "", name: "team", object: namespace,
            subresource: "finalize", context: admin.context)
        let gone = await #expect(throws: APIError.self) { try await admin.resource(Namespace.self).get("team") }
        #expect(gone?.code == 404)
    }

    @Test func systemNamespacesCannotBeDeleted() async throws {
        let (server, _) = try await makeServer()
        let error = await #expect(throws: APIError.self) { try await server.client().resource(Namespace.self).delete("default") }
        #expect(error?.code == 403)
        #expect(error?.message == "namespaces \"default\" is forbidden: this namespace may not be deleted")
    }
}
