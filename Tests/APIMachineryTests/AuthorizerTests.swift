import Testing

@testable import APIMachinery

/// An authorizer answering the same for everything.
private struct Fixed: Authorizer {
    let decision: AuthorizationDecision
    func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision { decision }
}

@Suite struct AuthorizerTests {
    let attributes = AuthorizationAttributes(
        user: UserInfo(name: "alice"), verb: "list", namespace: "default", resource: "pods")

    @Test(arguments: [
        ([AuthorizationDecision.noOpinion("a"), .allow, .deny("d")], AuthorizationDecision.allow),
        ([.noOpinion("a"), .deny("d"), .allow], .deny("d")),
        ([.deny("first"), .allow], .deny("first")),
        ([.allow, .deny("second")], .allow),
        ([.noOpinion("a"), .noOpinion(""), .noOpinion("b")], .noOpinion("a\nb")),
        ([], .noOpinion("")),
    ])
    func unionOrdering(decisions: [AuthorizationDecision], expected: AuthorizationDecision) {
        let union = UnionAuthorizer(decisions.map { Fixed(decision: $0) })
        #expect(union.authorize(attributes) == expected)
    }

    @Test func alwaysAllowAndDeny() {
        #expect(AlwaysAllowAuthorizer().authorize(attributes) == .allow)
        #expect(AlwaysDenyAuthorizer().authorize(attributes) == .deny("Everything is forbidden."))
    }

    @Test func privilegedGroup() {
        let privileged = PrivilegedGroupAuthorizer()
        let master = UserInfo(name: "root", groups: ["system:authenticated", "system:masters"])
        #expect(privileged.authorize(.init(user: master, verb: "delete", resource: "nodes", name: "n")) == .allow)
        #expect(privileged.authorize(.nonResource(user: master, verb: "get", path: "/metrics")) == .allow)
        #expect(privileged.authorize(attributes) == .noOpinion(""))

        // The kube-apiserver chain: privileged groups first, then RBAC; RBAC's reason survives.
        let rbac = RBACAuthorizer(roleBindings: [
            RoleBinding(
                metadata: ObjectMeta(name: "b", namespace: "default"), subjects: [.user("alice")],
                roleRef: .clusterRole("gone"))
        ])
        let chain = UnionAuthorizer([privileged, rbac])
        #expect(chain.authorize(.init(user: master, verb: "list", resource: "secrets")) == .allow)
        #expect(
            chain.authorize(attributes) == .noOpinion("RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found"))
    }

    @Test(arguments: [
        (
            AuthorizationAttributes(
                user: UserInfo(name: "alice"), verb: "list", namespace: "default", resource: "pods"),
            "",
            "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        ),
        (
            AuthorizationAttributes(
                user: UserInfo(name: "bob"), verb: "update", namespace: "prod", apiGroup: "apps",
                resource: "deployments", subresource: "scale", name: "web"),
            "",
            "deployments.apps \"web\" is forbidden: User \"bob\" cannot update resource \"deployments/scale\" "
                + "in API group \"apps\" in the namespace \"prod\""
        ),
        (
            AuthorizationAttributes(user: .anonymous, verb: "list", resource: "nodes"),
            "",
            "nodes is forbidden: User \"system:anonymous\" cannot list resource \"nodes\" in API group \"\" "
                + "at the cluster scope"
        ),
        (
            AuthorizationAttributes(
                user: .serviceAccount(namespace: "ci", name: "builder"), verb: "get", namespace: "ci",
                resource: "secrets", name: "token"),
            "RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found",
            "secrets \"token\" is forbidden: User \"system:serviceaccount:ci:builder\" cannot get resource "
                + "\"secrets\" in API group \"\" in the namespace \"ci\": RBAC: clusterrole.rbac.authorization.k8s.io "
                + "\"x\" not found"
        ),
        (
            AuthorizationAttributes.nonResource(user: UserInfo(name: "alice"), verb: "get", path: "/metrics"),
            "",
            "forbidden: User \"alice\" cannot get path \"/metrics\""
        ),
    ])
    func forbiddenMessage(attributes: AuthorizationAttributes, reason: String, message: String) {
        let error = forbiddenError(for: attributes, reason: reason)
        #expect(error.message == message)
        #expect(error.code == 403)
        #expect(error.reason == .forbidden)
        #expect(error.status.status == "Failure")
    }

    @Test func forbiddenDetails() {
        let error = forbiddenError(
            for: AuthorizationAttributes(
                user: UserInfo(name: "bob"), verb: "get", namespace: "prod", apiGroup: "apps", resource: "deployments",
                name: "web"))
        #expect(error.status.details?.group == "apps")
        #expect(error.status.details?.kind == "deployments")
        #expect(error.status.details?.name == "web")
    }
}
