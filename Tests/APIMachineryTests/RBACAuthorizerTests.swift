import Testing

@testable import APIMachinery

/// One row of an allow/deny table.
struct RBACCase: Sendable, CustomTestStringConvertible {
    var label: String
    var attributes: AuthorizationAttributes
    var allowed: Bool
    var testDescription: String { label }

    static func resource(
        _ label: String, user: UserInfo, _ verb: String, group: String = "", _ resource: String,
        sub: String = "", name: String = "", ns: String = "", allowed: Bool
    ) -> RBACCase {
        RBACCase(
            label: label,
            attributes: AuthorizationAttributes(
                user: user, verb: verb, namespace: ns, apiGroup: group, resource: resource, subresource: sub, name: name
            ),
            allowed: allowed)
    }

    static func path(_ label: String, user: UserInfo, _ verb: String, _ path: String, allowed: Bool) -> RBACCase {
        RBACCase(label: label, attributes: .nonResource(user: user, verb: verb, path: path), allowed: allowed)
    }
}

enum RBACFixture {
    static func clusterRole(_ name: String, _ rules: [PolicyRule]) -> ClusterRole {
        ClusterRole(metadata: ObjectMeta(name: name), rules: rules)
    }

    static func crb(_ name: String, _ subjects: [Subject], role: String) -> ClusterRoleBinding {
        ClusterRoleBinding(metadata: ObjectMeta(name: name), subjects: subjects, roleRef: .clusterRole(role))
    }

    static func rb(_ ns: String, _ name: String, _ subjects: [Subject], _ ref: RoleRef) -> RoleBinding {
        RoleBinding(metadata: ObjectMeta(name: name, namespace: ns), subjects: subjects, roleRef: ref)
    }

    static let clusterRoles = [
        clusterRole("pod-reader", [PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"])]),
        clusterRole("deployments-all", [PolicyRule(verbs: ["*"], apiGroups: ["apps"], resources: ["deployments"])]),
        clusterRole("widgets-any-group", [PolicyRule(verbs: ["get"], apiGroups: ["*"], resources: ["widgets"])]),
        clusterRole("pod-status", [PolicyRule(verbs: ["update"], apiGroups: [""], resources: ["pods/status"])]),
        clusterRole("scaler", [PolicyRule(verbs: ["get", "update"], apiGroups: ["*"], resources: ["*/scale"])]),
        clusterRole("pods-slash-star", [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods/*"])]),
        clusterRole("everything", [PolicyRule(verbs: ["get"], apiGroups: ["*"], resources: ["*"])]),
        clusterRole(
            "named-config",
            [
                PolicyRule(
                    verbs: ["get", "list", "update", "watch"], apiGroups: [""], resources: ["configmaps"],
                    resourceNames: ["app-config"])
            ]),
        clusterRole("health", [PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*"])]),
    ]

    static let roles = [
        Role(
            metadata: ObjectMeta(name: "deployer", namespace: "team-a"),
            rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["apps"], resources: ["deployments"])
            ])
    ]

    static let clusterRoleBindings = [
        crb("alice", [.user("alice")], role: "pod-reader"),
        crb("dev", [.user("dev")], role: "deployments-all"),
        crb("grp", [.user("grp")], role: "widgets-any-group"),
        crb("kubelet", [.user("kubelet")], role: "pod-status"),
        crb("hpa", [.user("hpa")], role: "scaler"),
        crb("star", [.user("star")], role: "pods-slash-star"),
        crb("reader-all", [.user("reader-all")], role: "everything"),
        crb("cm", [.user("cm")], role: "named-config"),
        crb("prober", [.user("prober")], role: "health"),
        crb("auditors", [.group("auditors")], role: "pod-reader"),
        crb("controller", [.serviceAccount(namespace: "kube-system", name: "controller")], role: "pod-reader"),
    ]

    static let roleBindings = [
        rb("team-a", "bob-reads", [.user("bob")], .clusterRole("pod-reader")),
        rb("team-a", "devs-deploy", [.group("team-a-devs")], .role("deployer")),
        rb("team-a", "ci-deploy", [.serviceAccount(namespace: nil, name: "ci")], .role("deployer")),
        rb("team-b", "bob-deploys-elsewhere", [.user("bob")], .role("deployer")),
    ]

    static func authorizer() -> RBACAuthorizer {
        RBACAuthorizer(
            roles: roles, clusterRoles: clusterRoles, roleBindings: roleBindings,
            clusterRoleBindings: clusterRoleBindings)
    }

    static func user(_ name: String, groups: [String] = []) -> UserInfo {
        UserInfo(name: name, groups: groups + [UserInfo.authenticatedGroup])
    }

    static let cases: [RBACCase] = [
        // verbs
        .resource("listed verb", user: user("alice"), "get", "pods", name: "p", ns: "default", allowed: true),
        .resource("unlisted verb", user: user("alice"), "delete", "pods", name: "p", ns: "default", allowed: false),
        .resource(
            "verb wildcard", user: user("dev"), "deletecollection", group: "apps", "deployments", ns: "x",
            allowed: true),
        .resource(
            "verb wildcard, other resource", user: user("dev"), "get", group: "apps", "replicasets", ns: "x",
            allowed: false),
        // API groups
        .resource("core group \"\"", user: user("alice"), "list", "pods", ns: "default", allowed: true),
        .resource(
            "core rule, other group", user: user("alice"), "list", group: "apps", "pods", ns: "default",
            allowed: false),
        .resource(
            "group wildcard, named group", user: user("grp"), "get", group: "example.com", "widgets",
            name: "w", allowed: true),
        .resource("group wildcard, core group", user: user("grp"), "get", "widgets", name: "w", allowed: true),
        .resource(
            "named group, other group", user: user("dev"), "get", group: "extensions", "deployments",
            name: "d", ns: "x", allowed: false),
        // resources and subresources
        .resource(
            "pods does not grant pods/log", user: user("alice"), "get", "pods", sub: "log", name: "p",
            ns: "default", allowed: false),
        .resource(
            "pods/status grants the subresource", user: user("kubelet"), "update", "pods", sub: "status",
            name: "p", ns: "default", allowed: true),
        .resource(
            "pods/status does not grant pods", user: user("kubelet"), "update", "pods", name: "p",
            ns: "default", allowed: false),
        .resource(
            "*/scale, apps deployments", user: user("hpa"), "update", group: "apps", "deployments",
            sub: "scale", name: "d", ns: "x", allowed: true),
        .resource(
            "*/scale, core replicationcontrollers", user: user("hpa"), "get", "replicationcontrollers",
            sub: "scale", name: "rc", ns: "x", allowed: true),
        .resource(
            "*/scale does not grant the resource", user: user("hpa"), "get", group: "apps", "deployments",
            name: "d", ns: "x", allowed: false),
        .resource(
            "*/scale does not grant other subresources", user: user("hpa"), "get", group: "apps",
            "deployments", sub: "status", name: "d", ns: "x", allowed: false),
        .resource(
            "pods/* is not a wildcard (Kubernetes)", user: user("star"), "get", "pods", sub: "status",
            name: "p", ns: "x", allowed: false),
        .resource(
            "pods/* does not grant pods", user: user("star"), "get", "pods", name: "p", ns: "x",
            allowed: false),
        .resource(
            "* grants resources", user: user("reader-all"), "get", group: "apps", "deployments", name: "d",
            ns: "x", allowed: true),
        .resource(
            "* grants subresources", user: user("reader-all"), "get", "pods", sub: "log", name: "p",
            ns: "x", allowed: true),
        // resource names
        .resource(
            "resourceNames, get listed name", user: user("cm"), "get", "configmaps", name: "app-config",
            ns: "x", allowed: true),
        .resource(
            "resourceNames, update listed name", user: user("cm"), "update", "configmaps",
            name: "app-config", ns: "x", allowed: true),
        .resource(
            "resourceNames, other name", user: user("cm"), "get", "configmaps", name: "other", ns: "x",
            allowed: false),
        .resource(
            "resourceNames, list has no name", user: user("cm"), "list", "configmaps", ns: "x",
            allowed: false),
        .resource(
            "resourceNames, watch has no name", user: user("cm"), "watch", "configmaps", ns: "x",
            allowed: false),
        .resource(
            "resourceNames, list narrowed by name", user: user("cm"), "list", "configmaps",
            name: "app-config", ns: "x", allowed: true),
        // namespace scoping
        .resource("ClusterRoleBinding is cluster-wide", user: user("alice"), "list", "pods", allowed: true),
        .resource(
            "RoleBinding to ClusterRole, its namespace", user: user("bob"), "get", "pods", name: "p",
            ns: "team-a", allowed: true),
        .resource(
            "RoleBinding to ClusterRole, other namespace", user: user("bob"), "get", "pods", name: "p",
            ns: "team-c", allowed: false),
        .resource("RoleBinding to ClusterRole, cluster scope", user: user("bob"), "list", "pods", allowed: false),
        .resource(
            "RoleBinding to Role of another namespace grants nothing", user: user("bob"), "create",
            group: "apps", "deployments", ns: "team-b", allowed: false),
        // subjects
        .resource(
            "group subject in RoleBinding", user: user("erin", groups: ["team-a-devs"]), "create",
            group: "apps", "deployments", ns: "team-a", allowed: true),
        .resource(
            "group subject, other namespace", user: user("erin", groups: ["team-a-devs"]), "create",
            group: "apps", "deployments", ns: "team-b", allowed: false),
        .resource(
            "group subject in ClusterRoleBinding", user: user("frank", groups: ["auditors"]), "list",
            "pods", allowed: true),
        .resource("not in the group", user: user("frank", groups: ["auditors-2"]), "list", "pods", allowed: false),
        .resource(
            "service account, namespace from RoleBinding",
            user: .serviceAccount(
                namespace: "team-a",
                name: "ci"), "create", group: "apps", "deployments", ns: "team-a", allowed: true),
        .resource(
            "same name, other namespace's service account",
            user: .serviceAccount(
                namespace: "team-b",
                name: "ci"), "create", group: "apps", "deployments", ns: "team-a", allowed: false),
        .resource(
            "service account in ClusterRoleBinding",
            user: .serviceAccount(
                namespace: "kube-system",
                name: "controller"), "list", "pods", allowed: true),
        .resource(
            "user named like the service account group", user: user("controller"), "list", "pods",
            allowed: false),
        .resource("unknown user", user: user("mallory"), "get", "pods", name: "p", ns: "default", allowed: false),
        .resource("anonymous", user: .anonymous, "get", "pods", name: "p", ns: "default", allowed: false),
        // non-resource URLs
        .path("exact URL", user: user("prober"), "get", "/healthz", allowed: true),
        .path("exact URL, longer path", user: user("prober"), "get", "/healthz/etcd", allowed: false),
        .path("prefix with *", user: user("prober"), "get", "/apis/apps/v1", allowed: true),
        .path("prefix with *, the prefix itself", user: user("prober"), "get", "/apis/", allowed: true),
        .path("prefix with *, without the slash", user: user("prober"), "get", "/apis", allowed: false),
        .path("URL not listed", user: user("prober"), "get", "/api/v1", allowed: false),
        .path("verb not listed", user: user("prober"), "post", "/healthz", allowed: false),
        .path("resource rules grant no URLs", user: user("reader-all"), "get", "/healthz", allowed: false),
    ]
}

@Suite struct RBACAuthorizerTests {
    let authorizer = RBACFixture.authorizer()

    @Test(arguments: RBACFixture.cases)
    func decision(_ row: RBACCase) {
        let decision = authorizer.authorize(row.attributes)
        #expect(decision.isAllowed == row.allowed, "\(row.label): \(decision)")
        if !row.allowed {
            guard case .noOpinion = decision else {
                Issue.record("RBAC never denies outright: \(decision)")
                return
            }
        }
    }

    @Test func missingRoleGrantsNothingAndIsNamedInTheReason() {
        let authorizer = RBACAuthorizer(
            roleBindings: [RBACFixture.rb("ns", "b1", [.user("carol")], .role("missing"))],
            clusterRoleBindings: [RBACFixture.crb("b2", [.group("carol-group")], role: "ghost")])
        let carol = UserInfo(name: "carol", groups: ["carol-group"])
        let get = AuthorizationAttributes(user: carol, verb: "get", namespace: "ns", resource: "pods", name: "p")
        #expect(
            authorizer.authorize(get)
                == .noOpinion(
                    "RBAC: [clusterrole.rbac.authorization.k8s.io \"ghost\" not found, "
                        + "role.rbac.authorization.k8s.io \"missing\" not found]"))

        var clusterScope = get
        clusterScope.namespace = ""
        #expect(
            authorizer.authorize(clusterScope)
                == .noOpinion("RBAC: clusterrole.rbac.authorization.k8s.io \"ghost\" not found"))

        // The role appearing later grants its rules.
        authorizer.apply(
            Role(
                metadata: ObjectMeta(name: "missing", namespace: "ns"),
                rules: [
                    PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"])
                ]))
        #expect(authorizer.authorize(get) == .allow)
        #expect(authorizer.authorize(clusterScope) != .allow)

        let nobody = AuthorizationAttributes(user: UserInfo(name: "x"), verb: "get", resource: "pods")
        #expect(authorizer.authorize(nobody) == .noOpinion(""))
    }

    @Test func updatesAndRemovalsChangeDecisions() {
        let authorizer = RBACAuthorizer()
        let dana = UserInfo(name: "dana")
        let getSecret = AuthorizationAttributes(
            user: dana, verb: "get", namespace: "ns", resource: "secrets", name: "s")
        #expect(!authorizer.authorize(getSecret).isAllowed)

        authorizer.apply(
            Role(
                metadata: ObjectMeta(name: "secrets", namespace: "ns"),
                rules: [
                    PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"])
                ]))
        #expect(!authorizer.authorize(getSecret).isAllowed, "a role without a binding grants nothing")

        authorizer.apply(RBACFixture.rb("ns", "dana", [.user("dana")], .role("secrets")))
        #expect(authorizer.authorize(getSecret).isAllowed)

        // Role update narrows the rules.
        authorizer.apply(
            Role(
                metadata: ObjectMeta(name: "secrets", namespace: "ns"),
                rules: [
                    PolicyRule(verbs: ["list"], apiGroups: [""], resources: ["secrets"])
                ]))
        #expect(!authorizer.authorize(getSecret).isAllowed)
        var list = getSecret
        list.verb = "list"
        list.name = ""
        #expect(authorizer.authorize(list).isAllowed)

        // Binding update moves the grant to another subject.
        authorizer.apply(RBACFixture.rb("ns", "dana", [.user("eve")], .role("secrets")))
        #expect(!authorizer.authorize(list).isAllowed)
        var eveList = list
        eveList.user = UserInfo(name: "eve")
        #expect(authorizer.authorize(eveList).isAllowed)

        // Removing the role, then the binding.
        authorizer.removeRole(namespace: "ns", name: "secrets")
        #expect(
            authorizer.authorize(eveList) == .noOpinion("RBAC: role.rbac.authorization.k8s.io \"secrets\" not found"))
        authorizer.removeRoleBinding(namespace: "ns", name: "dana")
        #expect(authorizer.authorize(eveList) == .noOpinion(""))

        // Cluster-wide objects.
        authorizer.apply(
            RBACFixture.clusterRole("reader", [PolicyRule(verbs: ["list"], apiGroups: ["*"], resources: ["*"])]))
        authorizer.apply(RBACFixture.crb("eve-reads", [.user("eve")], role: "reader"))
        #expect(authorizer.authorize(eveList).isAllowed)
        authorizer.removeClusterRoleBinding(name: "eve-reads")
        #expect(!authorizer.authorize(eveList).isAllowed)
        authorizer.apply(RBACFixture.crb("eve-reads", [.user("eve")], role: "reader"))
        authorizer.removeClusterRole(name: "reader")
        #expect(
            authorizer.authorize(eveList)
                == .noOpinion("RBAC: clusterrole.rbac.authorization.k8s.io \"reader\" not found"))

        // replaceAll drops what is not listed.
        authorizer.replaceAll(
            roles: [], clusterRoles: RBACFixture.clusterRoles, roleBindings: [],
            clusterRoleBindings: [RBACFixture.crb("alice", [.user("alice")], role: "pod-reader")])
        #expect(!authorizer.authorize(eveList).isAllowed)
        let aliceList = AuthorizationAttributes(user: UserInfo(name: "alice"), verb: "list", resource: "pods")
        #expect(authorizer.authorize(aliceList).isAllowed)
        #expect(authorizer.objects.clusterRoleBindings.count == 1)
    }

    @Test func subjectListedTwiceAndBindingRemovedCleanly() {
        let authorizer = RBACAuthorizer(clusterRoles: RBACFixture.clusterRoles)
        authorizer.apply(RBACFixture.crb("twice", [.user("zed"), .user("zed"), .group("g")], role: "pod-reader"))
        authorizer.apply(RBACFixture.crb("other", [.user("zed")], role: "health"))
        let list = AuthorizationAttributes(user: UserInfo(name: "zed"), verb: "list", resource: "pods")
        #expect(authorizer.authorize(list).isAllowed)
        authorizer.removeClusterRoleBinding(name: "twice")
        #expect(!authorizer.authorize(list).isAllowed)
        #expect(
            authorizer.authorize(.nonResource(user: UserInfo(name: "zed"), verb: "get", path: "/healthz")).isAllowed)
        #expect(authorizer.rules(for: UserInfo(name: "zed")) == RBACFixture.clusterRoles.last!.rules)
    }

    @Test func rulesForUserIncludeNamespacedAndClusterRules() {
        let rules = authorizer.rules(for: UserInfo(name: "bob"), namespace: "team-a")
        #expect(rules == [PolicyRule(verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"])])
        #expect(authorizer.rules(for: UserInfo(name: "bob")).isEmpty)
    }

    @Test func bootstrapPolicy() {
        let authorizer = RBACAuthorizer.withBootstrapPolicy()
        let admin = UserInfo(name: "root", groups: [UserInfo.systemMastersGroup, UserInfo.authenticatedGroup])
        #expect(authorizer.authorize(.init(user: admin, verb: "delete", resource: "nodes", name: "n")).isAllowed)
        #expect(authorizer.authorize(.nonResource(user: admin, verb: "post", path: "/anything")).isAllowed)

        let someone = UserInfo(name: "someone", groups: [UserInfo.authenticatedGroup])
        #expect(authorizer.authorize(.nonResource(user: someone, verb: "get", path: "/apis/apps/v1")).isAllowed)
        #expect(authorizer.authorize(.nonResource(user: someone, verb: "get", path: "/openapi/v3")).isAllowed)
        #expect(!authorizer.authorize(.init(user: someone, verb: "list", resource: "pods")).isAllowed)
        #expect(authorizer.authorize(.nonResource(user: .anonymous, verb: "get", path: "/healthz")).isAllowed)
        #expect(!authorizer.authorize(.nonResource(user: .anonymous, verb: "get", path: "/api")).isAllowed)

        // admin / edit / view granted in one namespace by RoleBindings.
        authorizer.apply(RBACFixture.rb("dev", "a", [.user("ann")], .clusterRole("admin")))
        authorizer.apply(RBACFixture.rb("dev", "e", [.user("ed")], .clusterRole("edit")))
        authorizer.apply(RBACFixture.rb("dev", "v", [.user("vic")], .clusterRole("view")))
        func can(
            _ user: String, _ verb: String, _ group: String, _ resource: String, sub: String = "", ns: String = "dev"
        )
            -> Bool
        {
            authorizer.authorize(
                .init(
                    user: UserInfo(name: user), verb: verb, namespace: ns, apiGroup: group, resource: resource,
                    subresource: sub)
            ).isAllowed
        }
        #expect(can("ann", "create", RBAC.groupName, "rolebindings"))
        #expect(!can("ed", "create", RBAC.groupName, "rolebindings"))
        #expect(can("ed", "create", "apps", "deployments"))
        #expect(can("ed", "update", "apps", "deployments", sub: "scale"))
        #expect(can("ed", "get", "", "secrets"))
        #expect(can("vic", "list", "apps", "deployments"))
        #expect(!can("vic", "create", "apps", "deployments"))
        #expect(!can("vic", "get", "", "secrets"))
        #expect(!can("vic", "list", "apps", "deployments", ns: "prod"))

        for role in RBACBootstrapPolicy.clusterRoles() { #expect(role.validate().isEmpty, "\(role.metadata.name)") }
        for binding in RBACBootstrapPolicy.clusterRoleBindings() { #expect(binding.validate().isEmpty) }
    }

    @Test func concurrentReadersSeeConsistentDecisionsWhileWritersChangePolicy() async {
        let authorizer = RBACFixture.authorizer()
        let alice = AuthorizationAttributes(
            user: RBACFixture.user("alice"), verb: "get", namespace: "default", resource: "pods", name: "p")
        let flapping = AuthorizationAttributes(
            user: RBACFixture.user("flap"), verb: "get", namespace: "default", resource: "pods", name: "p")
        await withTaskGroup(of: Int.self) { group in
            group.addTask {
                for i in 0..<200 {
                    if i % 2 == 0 {
                        authorizer.apply(RBACFixture.crb("flap", [.user("flap")], role: "pod-reader"))
                    } else {
                        authorizer.removeClusterRoleBinding(name: "flap")
                    }
                }
                return 0
            }
            for _ in 0..<64 {
                group.addTask {
                    var denied = 0
                    for _ in 0..<500 {
                        if !authorizer.authorize(alice).isAllowed { denied += 1 }
                        _ = authorizer.authorize(flapping)
                    }
                    return denied
                }
            }
            var totalDenied = 0
            for await denied in group { totalDenied += denied }
            #expect(totalDenied == 0)
        }
    }
}
