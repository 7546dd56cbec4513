/// Default ClusterRoles and ClusterRoleBindings, simplified from kube-apiserver's bootstrap policy.
///
/// - `cluster-admin`: everything, bound to group `system:masters`.
/// - `admin`: read and write in a namespace, including Roles and RoleBindings (for RoleBindings).
/// - `edit`: read and write of workloads, services, config and secrets; no RBAC objects.
/// - `view`: read-only; no secrets.
/// - `system:discovery` and `system:public-info-viewer`: the discovery, OpenAPI, health and version paths,
///   so kubectl works for any authenticated user.
public enum RBACBootstrapPolicy {
    static let bootstrapLabels = ["kubernetes.io/bootstrapping": "rbac-defaults"]
    static let bootstrapAnnotations = ["rbac.authorization.kubernetes.io/autoupdate": "true"]

    static let readVerbs = ["get", "list", "watch"]
    static let writeVerbs = ["create", "delete", "deletecollection", "patch", "update"]

    static func metadata(_ name: String) -> ObjectMeta {
        ObjectMeta(name: name, labels: bootstrapLabels, annotations: bootstrapAnnotations)
    }

    /// Resources `view` may read, by API group.
    static let viewable: [(group: String, resources: [String])] = [
        (
            "",
            [
                "configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                "pods/log", "pods/status", "replicationcontrollers", "replicationcontrollers/scale",
                "replicationcontrollers/status", "serviceaccounts", "services", "services/status", "bindings", "events",
                "limitranges", "resourcequotas", "resourcequotas/status", "namespaces", "namespaces/status",
            ]
        ),
        (
            "apps",
            [
                "controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
                "statefulsets/scale", "statefulsets/status",
            ]
        ),
        ("batch", ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
        ("autoscaling", ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        ("policy", ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        ("networking.k8s.io", ["ingresses", "ingresses/status", "networkpolicies"]),
        ("discovery.k8s.io", ["endpointslices"]),
        ("coordination.k8s.io", ["leases"]),
    ]

    /// Resources `edit` may write, by API group.
    static let editable: [(group: String, resources: [String])] = [
        (
            "",
            [
                "pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "pods/eviction", "configmaps",
                "endpoints", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale",
                "secrets", "serviceaccounts", "services", "services/proxy",
            ]
        ),
        (
            "apps",
            [
                "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                "replicasets/scale", "statefulsets", "statefulsets/scale",
            ]
        ),
        ("batch", ["cronjobs", "jobs"]),
        ("autoscaling", ["horizontalpodautoscalers"]),
        ("policy", ["poddisruptionbudgets"]),
        ("networking.k8s.io", ["ingresses", "networkpolicies"]),
        ("discovery.k8s.io", ["endpointslices"]),
        ("coordination.k8s.io", ["leases"]),
    ]

    static func viewRules() -> [PolicyRule] {
        viewable.map { PolicyRule(verbs: readVerbs, apiGroups: [$0.group], resources: $0.resources) }
    }

    static func editRules() -> [PolicyRule] {
        viewRules()
            + [PolicyRule(verbs: readVerbs, apiGroups: [""], resources: ["secrets"])]
            + editable.map { PolicyRule(verbs: writeVerbs, apiGroups: [$0.group], resources: $0.resources) }
            + [PolicyRule(verbs: ["impersonate"], apiGroups: [""], resources: ["serviceaccounts"])]
    }

    /// Everything, resources and non-resource URLs.
    public static func clusterAdmin() -> ClusterRole {
        ClusterRole(
            metadata: metadata("cluster-admin"),
            rules: [
                PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
                PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
            ])
    }

    /// `edit` plus Roles and RoleBindings (meant to be bound per namespace with a RoleBinding).
    public static func admin() -> ClusterRole {
        ClusterRole(
            metadata: metadata("admin"),
            rules: editRules() + [
                PolicyRule(
                    verbs: readVerbs + writeVerbs, apiGroups: [RBAC.groupName], resources: ["rolebindings", "roles"]),
                PolicyRule(
                    verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"]),
            ])
    }

    /// Read and write of namespaced workloads, services, config and secrets.
    public static func edit() -> ClusterRole {
        ClusterRole(metadata: metadata("edit"), rules: editRules())
    }

    /// Read-only access to namespaced objects except secrets.
    public static func view() -> ClusterRole {
        ClusterRole(metadata: metadata("view"), rules: viewRules())
    }

    /// Discovery and OpenAPI paths (bound to `system:authenticated`).
    public static func discovery() -> ClusterRole {
        ClusterRole(
            metadata: metadata("system:discovery"),
            rules: [
                PolicyRule(
                    verbs: ["get"],
                    nonResourceURLs: [
                        "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz",
                        "/version", "/version/",
                    ])
            ])
    }

    /// Health and version paths (bound to `system:authenticated` and `system:unauthenticated`).
    public static func publicInfoViewer() -> ClusterRole {
        ClusterRole(
            metadata: metadata("system:public-info-viewer"),
            rules: [
                PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"])
            ])
    }

    /// `cluster-admin`, `admin`, `edit`, `view`, `system:discovery`, `system:public-info-viewer`.
    public static func clusterRoles() -> [ClusterRole] {
        [clusterAdmin(), admin(), edit(), view(), discovery(), publicInfoViewer()]
    }

    /// `cluster-admin` → group `system:masters`; `system:discovery` → `system:authenticated`;
    /// `system:public-info-viewer` → `system:authenticated` and `system:unauthenticated`.
    public static func clusterRoleBindings() -> [ClusterRoleBinding] {
        [
            ClusterRoleBinding(
                metadata: metadata("cluster-admin"), subjects: [.group(UserInfo.systemMastersGroup)],
                roleRef: .clusterRole("cluster-admin")),
            ClusterRoleBinding(
                metadata: metadata("system:discovery"), subjects: [.group(UserInfo.authenticatedGroup)],
                roleRef: .clusterRole("system:discovery")),
            ClusterRoleBinding(
                metadata: metadata("system:public-info-viewer"),
                subjects: [.group(UserInfo.authenticatedGroup), .group(UserInfo.unauthenticatedGroup)],
                roleRef: .clusterRole("system:public-info-viewer")),
        ]
    }
}
