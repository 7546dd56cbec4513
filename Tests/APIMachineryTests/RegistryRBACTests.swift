import Store
import Testing

@testable import APIMachinery

@Suite("Registry: RBAC through the API")
struct RegistryRBACTests {
    @Test func rolesAndBindingsWrittenThroughTheAPIGovernTheNextRequest() async throws {
        let (server, _) = try await makeServer { $0.useRBAC() }
        let admin = server.client()
        let alice = server.client(as: UserInfo(name: "alice", groups: ["system:authenticated"]))
        let widgets = alice.resource(Widget.self, namespace: "default")

        let before = await #expect(throws: APIError.self) { try await widgets.create(Widget(name: "a")) }
        #expect(before?.code == 403)

        _ = try await admin.resource(Role.self, namespace: "default").create(Role(
            metadata: ObjectMeta(name: "widget-maker"),
            rules: [PolicyRule(verbs: ["create", "get"], apiGroups: ["example.com"], resources: ["widgets"])]))
        _ = try await admin.resource(RoleBinding.self, namespace: "default").create(RoleBinding(
            metadata: ObjectMeta(name: "alice-makes-widgets"), subjects: [.user("alice")], roleRef: .role("widget-maker")))
        _ = try await widgets.create(Widget(name: "a"))
        _ = try await widgets.get("a")

        let list = await #expect(throws: APIError.self) { try await widgets.list() }
        #expect(list?.message == "widgets.example.com is forbidden: User \"alice\" cannot list resource \"widgets\" in "
            + "API group \"example.com\" in the namespace \"default\"")
        let status = await #expect(throws: APIError.self) {
            try await widgets.patch("a", type: .merge, ["status": ["phase": "x"]], subresource: "status")
        }
        #expect(status?.code == 403)
        #expect(status?.message.contains("cannot patch resource \"widgets/status\"") == true)
        let elsewhere = await #expect(throws: APIError.self) {
            try await alice.resource(Widget.self, namespace: "kube-system").create(Widget(name: "b"))
        }
        #expect(elsewhere?.code == 403)

        _ = try await admin.resource(RoleBinding.self, namespace: "default").delete("alice-makes-widgets")
        let revoked = await #expect(throws: APIError.self) { try await widgets.get("a") }
        #expect(revoked?.code == 403)
    }
}
