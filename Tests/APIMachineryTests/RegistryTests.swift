import Store
import Synchronization
import Testing

@testable import APIMachinery

@Suite("Registry: create, get, update, status")
struct RegistryWriteTests {
    @Test func createStampsServerFields() async throws {
        let (server, store) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let created = try await widgets.create(Widget(name: "a", spec: .init(color: "red"), status: .init(phase: "Lying")))
        #expect(created.metadata.uid.count == 36)
        #expect(created.metadata.generation == 1)
        #expect(created.metadata.creationTimestamp != nil)
        #expect(created.metadata.namespace == "default")
        #expect(created.metadata.resourceVersion == String(store.status().revision))
        #expect(created.spec?.replicas == 1, "defaulting admission ran")
        #expect(created.status == nil, "status is reset on create")
        let fetched = try await widgets.get("a")
        #expect(fetched == created)
        let raw = try #require(try await store.get("/registry/example.com/widgets/default/a"))
        let stored = try JSONValue(parsing: raw.value)
        #expect(stored["apiVersion"] == "example.com/v1")
        #expect(stored["kind"] == "Widget")
        #expect(stored["metadata"]?["resourceVersion"] == nil, "the stored object has no resourceVersion")
    }

    @Test func generateNameAndConflicts() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        var template = Widget()
        template.metadata.generateName = "web-"
        let first = try await widgets.create(template)
        let second = try await widgets.create(template)
        #expect(first.metadata.name.hasPrefix("web-") && first.metadata.name.count == 9)
        #expect(first.metadata.name != second.metadata.name)
        let error = await #expect(throws: APIError.self) { try await widgets.create(Widget(name: first.metadata.name)) }
        #expect(error?.code == 409)
        #expect(error?.reason == .alreadyExists)
        #expect(error?.message == "widgets.example.com \"\(first.metadata.name)\" already exists")
    }

    @Test(arguments: [
        (Widget(name: "Bad_Name"), "metadata.name"),
        (Widget(name: "ok", labels: ["app": "no spaces allowed"]), "metadata.labels"),
        (Widget(name: "ok", labels: ["bad key!": "x"]), "metadata.labels"),
        (Widget(name: "ok", spec: .init(replicas: -1)), "spec.replicas"),
        (Widget(name: "ok", spec: .init(color: "invisible")), "spec.color"),
        (Widget(name: ""), "metadata.name"),
    ])
    func invalidObjectsAreRefusedAndNothingIsWritten(widget: Widget, field: String) async throws {
        let (server, store) = try await makeServer()
        let before = store.status().revision
        let error = await #expect(throws: APIError.self) {
            try await server.client().resource(Widget.self, namespace: "default").create(widget)
        }
        #expect(error?.code == 422)
        #expect(error?.reason == .invalid)
        #expect(error?.status.details?.causes?.contains { $0.field == field } == true, "\(String(describing: error))")
        #expect(error?.message.contains(field) == true)
        #expect(store.status().revision == before)
    }

    @Test func createRefusesResourceVersionAndNamespaceMismatch() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        var withVersion = Widget(name: "a")
        withVersion.metadata.resourceVersion = "5"
        let versionError = await #expect(throws: APIError.self) { try await widgets.create(withVersion) }
        #expect(versionError?.code == 400)
        let mismatch = await #expect(throws: APIError.self) {
            try await server.create(Widget.descriptor.groupResource, namespace: "other",
                object: Widget(name: "b", namespace: "default"), context: server.client().context)
        }
        #expect(mismatch?.code == 400)
    }

    @Test func getMissingIsNotFound() async throws {
        let (server, _) = try await makeServer()
        let error = await #expect(throws: APIError.self) {
            try await server.client().resource(Widget.self, namespace: "default").get("nope")
        }
        #expect(error?.code == 404)
        #expect(error?.message == "widgets.example.com \"nope\" not found")
        #expect(error?.status.details?.name == "nope")
    }

    @Test func updateRules() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let created = try await widgets.create(Widget(name: "a", spec: .init(color: "red", size: 3)))

        var noVersion = created
        noVersion.metadata.resourceVersion = ""
        let missing = await #expect(throws: APIError.self) { try await widgets.update(noVersion) }
        #expect(missing?.code == 422)

        var relabeled = created
        relabeled.metadata.labels = ["tier": "web"]
        let afterLabels = try await widgets.update(relabeled)
        #expect(afterLabels.metadata.generation == 1, "metadata changes do not bump generation")
        #expect(afterLabels.metadata.resourceVersion != created.metadata.resourceVersion)

        let stale = await #expect(throws: APIError.self) { try await widgets.update(relabeled) }
        #expect(stale?.code == 409)
        #expect(stale?.reason == .conflict)
        #expect(stale?.message == "Operation cannot be fulfilled on widgets.example.com \"a\": the object has been "
            + "modified; please apply your changes to the latest version and try again")

        var recolored = afterLabels
        recolored.spec?.color = "blue"
        recolored.status = .init(phase: "Ignored")
        recolored.metadata.uid = "forged"
        let afterSpec = try await widgets.update(recolored)
        #expect(afterSpec.metadata.generation == 2)
        #expect(afterSpec.status == nil, "the main endpoint ignores status")
        #expect(afterSpec.metadata.uid == created.metadata.uid, "uid is carried forward")

        let unchanged = try await widgets.update(afterSpec)
        #expect(unchanged.metadata.resourceVersion == afterSpec.metadata.resourceVersion, "a no-op writes nothing")

        var immutable = afterSpec
        immutable.spec?.size = 4
        let immutableError = await #expect(throws: APIError.self) { try await widgets.update(immutable) }
        #expect(immutableError?.code == 422)
        #expect(immutableError?.status.details?.causes?.first?.field == "spec.size")
    }

    @Test func statusSubresourceChangesOnlyStatus() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        var widget = try await widgets.create(Widget(name: "a", spec: .init(color: "red")))
        widget.status = .init(replicas: 2, phase: "Running")
        widget.spec?.color = "blue"
        widget.metadata.labels = ["ignored": "yes"]
        let updated = try await widgets.updateStatus(widget)
        #expect(updated.status?.phase == "Running")
        #expect(updated.spec?.color == "red")
        #expect(updated.metadata.labels.isEmpty)
        #expect(updated.metadata.generation == 1)
        let fields = try await widgets.list(ListOptions(fieldSelector: "status.phase=Running"))
        #expect(fields.items.map(\.metadata.name) == ["a"])
    }

    @Test func unconditionalUpdateWhereAllowed() async throws {
        let (server, _) = try await makeServer()
        let gadgets = server.client().resource(Gadget.self)
        _ = try await gadgets.create(Gadget(name: "g", data: ["a": "1"]))
        let updated = try await gadgets.update(Gadget(name: "g", data: ["a": "2"]))
        #expect(updated.data == ["a": "2"])
        #expect(updated.metadata.namespace.isEmpty)
    }

    @Test func concurrentConflictingUpdatesHaveExactlyOneWinner() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let created = try await widgets.create(Widget(name: "contended", spec: .init(color: "red")))
        let outcomes = await withTaskGroup(of: Int.self) { group in
            for index in 0..<32 {
                group.addTask {
                    var copy = created
                    copy.spec?.color = "c\(index)"
                    do throws(APIError) {
                        _ = try await widgets.update(copy)
                        return 200
                    } catch {
                        return error.code
                    }
                }
            }
            var codes: [Int] = []
            for await code in group { codes.append(code) }
            return codes
        }
        #expect(outcomes.filter { $0 == 200 }.count == 1)
        #expect(outcomes.filter { $0 == 409 }.count == 31)
        let final = try await widgets.get("contended")
        #expect(final.metadata.generation == 2)
    }

    @Test func dryRunWritesNothing() async throws {
        let (server, store) = try await makeServer()
        var client = server.client()
        client.context.dryRun = true
        let before = store.status().revision
        let created = try await client.resource(Widget.self, namespace: "default").create(Widget(name: "dry"))
        #expect(created.metadata.uid.count == 36)
        #expect(store.status().revision == before)
    }
}

@Suite("Registry: delete, finalizers, propagation")
struct RegistryDeleteTests {
    @Test func immediateDeleteAndPreconditions() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let created = try await widgets.create(Widget(name: "a"))
        let wrongUID = await #expect(throws: APIError.self) {
            try await widgets.delete("a", options: DeleteOptions(preconditions: Preconditions(uid: "other")))
        }
        #expect(wrongUID?.code == 409)
        #expect(wrongUID?.message.contains("Precondition failed: UID in precondition: other") == true)
        let wrongVersion = await #expect(throws: APIError.self) {
            try await widgets.delete("a", options: DeleteOptions(preconditions: Preconditions(resourceVersion: "1")))
        }
        #expect(wrongVersion?.code == 409)
        let result = try await widgets.delete("a", options: DeleteOptions(
            preconditions: Preconditions(uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion)))
        #expect(result.deleted)
        await #expect(throws: APIError.self) { try await widgets.get("a") }
        let again = await #expect(throws: APIError.self) { try await widgets.delete("a") }
        #expect(again?.code == 404)
    }

    @Test func finalizersHoldTheObjectUntilRemoved() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        var widget = Widget(name: "held")
        widget.metadata.finalizers = ["example.com/cleanup"]
        _ = try await widgets.create(widget)
        let pending = try await widgets.delete("held")
        #expect(!pending.deleted)
        #expect(pending.object.metadata.deletionTimestamp != nil)
        #expect(pending.object.metadata.generation == 2)
        var current = try await widgets.get("held")
        #expect(current.metadata.deletionTimestamp != nil)

        var adding = current
        adding.metadata.finalizers.append("example.com/another")
        let refused = await #expect(throws: APIError.self) { try await widgets.update(adding) }
        #expect(refused?.code == 422)

        current.metadata.finalizers = []
        _ = try await widgets.update(current)
        let gone = await #expect(throws: APIError.self) { try await widgets.get("held") }
        #expect(gone?.code == 404)
    }

    @Test(arguments: [(PropagationPolicy.orphan, "orphan"), (.foreground, "foregroundDeletion")])
    func propagationPolicyAddsItsFinalizer(policy: PropagationPolicy, finalizer: String) async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "owner"))
        let result = try await widgets.delete("owner", options: DeleteOptions(propagationPolicy: policy))
        #expect(!result.deleted)
        #expect(result.object.metadata.finalizers == [finalizer])
        // Deleting again in the background drops the policy's finalizer; nothing else holds the object, so it goes.
        let background = try await widgets.delete("owner", options: DeleteOptions(propagationPolicy: .background))
        #expect(background.deleted)
        let gone = await #expect(throws: APIError.self) { try await widgets.get("owner") }
        #expect(gone?.code == 404)
    }

    @Test func gracefulDeletion() async throws {
        let (server, _) = try await makeServer { $0.now = { Time(secondsSinceEpoch: 1_000) } }
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "slow", labels: ["graceful": "true"]))
        let first = try await widgets.delete("slow", options: DeleteOptions(gracePeriodSeconds: 20))
        #expect(!first.deleted)
        #expect(first.object.metadata.deletionTimestamp == Time(secondsSinceEpoch: 1_020))
        #expect(first.object.metadata.deletionGracePeriodSeconds == 20)
        let final = try await widgets.delete("slow", options: DeleteOptions(gracePeriodSeconds: 0))
        #expect(final.deleted)
        let negative = await #expect(throws: APIError.self) {
            try await widgets.delete("x", options: DeleteOptions(gracePeriodSeconds: -1))
        }
        #expect(negative?.code == 422)
    }

    @Test func deleteCollection() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        for index in 0..<5 { _ = try await widgets.create(Widget(name: "w\(index)", spec: .init(color: index < 3 ? "red" : "blue"))) }
        let deleted = try await widgets.deleteCollection(ListOptions(fieldSelector: "spec.color=red"))
        #expect(deleted.map(\.metadata.name) == ["w0", "w1", "w2"])
        #expect(try await widgets.list().items.map(\.metadata.name) == ["w3", "w4"])
    }
}

@Suite("Registry: admission and authorization")
struct RegistryAdmissionTests {
    @Test func mutatingPluginsRunBeforeValidatingOnesInOrder() async throws {
        let order = Mutex<[String]>([])
        let (server, store) = try await makeServer { options in
            options.admission = AdmissionChain(
                mutating: [
                    MutatingAdmission("m1") { (request: inout AdmissionRequest) async throws(APIError) in
                        order.withLock { $0.append("m1") }
                        try request.mutate(Widget.self) { (widget: inout Widget) throws(APIError) in
                            widget.metadata.labels["m1"] = "yes"
                            #expect(widget.spec?.replicas == 1, "defaulting ran first")
                        }
                    },
                    MutatingAdmission("m2") { (request: inout AdmissionRequest) async throws(APIError) in
                        order.withLock { $0.append("m2") }
                        #expect(request.object?.metadata.labels["m1"] == "yes")
                    },
                ],
                validating: [
                    ValidatingAdmission("v1") { (request: AdmissionRequest) async throws(APIError) in
                        order.withLock { $0.append("v1") }
                        if request.object?.metadata.name == "refused" {
                            throw APIError.forbidden(request.resource, name: request.name, message: "not today")
                        }
                    }
                ])
        }
        let widgets = server.client().resource(Widget.self, namespace: "default")
        let created = try await widgets.create(Widget(name: "ok"))
        #expect(created.metadata.labels["m1"] == "yes")
        #expect(order.withLock { $0 } == ["m1", "m2", "v1"])
        let before = store.status().revision
        let error = await #expect(throws: APIError.self) { try await widgets.create(Widget(name: "refused")) }
        #expect(error?.code == 403)
        #expect(error?.message == "widgets.example.com \"refused\" is forbidden: not today")
        #expect(store.status().revision == before)
    }

    struct DenyAll: Authorizer {
        func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision { .deny("") }
    }

    @Test func forbiddenNamesUserVerbAndResource() async throws {
        let (server, store) = try await makeServer { $0.authorizer = DenyAll() }
        let client = server.client(as: UserInfo(name: "alice", groups: []))
        let before = store.status().revision
        let error = await #expect(throws: APIError.self) {
            try await client.resource(Widget.self, namespace: "default").create(Widget(name: "a"))
        }
        #expect(error?.code == 403)
        #expect(error?.message == "widgets.example.com is forbidden: User \"alice\" cannot create resource \"widgets\" "
            + "in API group \"example.com\" in the namespace \"default\"")
        let getError = await #expect(throws: APIError.self) { try await client.resource(Gadget.self).get("g") }
        #expect(getError?.message == "gadgets.example.com \"g\" is forbidden: User \"alice\" cannot get resource "
            + "\"gadgets\" in API group \"example.com\" at the cluster scope")
        #expect(store.status().revision == before)
    }
}

@Suite("Registry: scale subresource")
struct RegistryScaleTests {
    @Test func scaleReadsAndWritesReplicas() async throws {
        let (server, _) = try await makeServer()
        let widgets = server.client().resource(Widget.self, namespace: "default")
        _ = try await widgets.create(Widget(name: "a", spec: .init(replicas: 2)))
        var scale = try await widgets.getScale("a")
        #expect(scale.spec.replicas == 2)
        #expect(scale.metadata.name == "a")
        scale.spec.replicas = 5
        let updated = try await widgets.updateScale("a", scale)
        #expect(updated.spec.replicas == 5)
        let widget = try await widgets.get("a")
        #expect(widget.spec?.replicas == 5)
        #expect(widget.metadata.generation == 2)
        let stale = await #expect(throws: APIError.self) { try await widgets.updateScale("a", scale) }
        #expect(stale?.code == 409)
        scale.metadata.resourceVersion = ""
        scale.spec.replicas = -1
        let negative = await #expect(throws: APIError.self) { try await widgets.updateScale("a", scale) }
        #expect(negative?.code == 422)
        let none = await #expect(throws: APIError.self) { try await server.client().resource(Gadget.self).getScale("g") }
        #expect(none?.code == 404)
    }
}
