/// Names shared by the `rbac.authorization.k8s.io/v1` types.
public enum RBAC {
    /// `rbac.authorization.k8s.io`, the group of the RBAC types and of every valid ``RoleRef``.
    public static let groupName = "rbac.authorization.k8s.io"
    public static let version = "v1"
    /// `*`: every verb, API group, resource or non-resource URL.
    public static let all = "*"

    /// Subject kinds.
    public static let userKind = "User"
    public static let groupKind = "Group"
    public static let serviceAccountKind = "ServiceAccount"
}

/// What a role allows (`rbacv1.PolicyRule`): verbs on resources of API groups, optionally only some names,
/// or verbs on non-resource URLs (cluster roles only).
public struct PolicyRule: Sendable, Hashable, Codable {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, … or `*`.
    public var verbs: [String]?
    /// API groups (`""` is the core group) or `*`.
    public var apiGroups: [String]?
    /// Plural resources, `resource/subresource`, `*/subresource` or `*`.
    public var resources: [String]?
    /// When non-empty, only these object names. Requests without a name (create, list, watch,
    /// deletecollection) never match a rule that lists names.
    public var resourceNames: [String]?
    /// Paths such as `/healthz`, or prefixes ending in `*` such as `/apis/*`.
    public var nonResourceURLs: [String]?

    public init(
        verbs: [String]? = nil, apiGroups: [String]? = nil, resources: [String]? = nil,
        resourceNames: [String]? = nil, nonResourceURLs: [String]? = nil
    ) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }
}

/// Who a binding grants its role to (`rbacv1.Subject`).
public struct Subject: Sendable, Hashable, Codable {
    /// `User`, `Group` or `ServiceAccount`.
    public var kind: String?
    /// `rbac.authorization.k8s.io` for users and groups (the default), empty for service accounts.
    public var apiGroup: String?
    public var name: String?
    /// The service account's namespace; for a RoleBinding it defaults to the binding's namespace.
    public var namespace: String?

    public init(kind: String? = nil, apiGroup: String? = nil, name: String? = nil, namespace: String? = nil) {
        self.kind = kind
        self.apiGroup = apiGroup
        self.name = name
        self.namespace = namespace
    }

    /// A `User` subject.
    public static func user(_ name: String) -> Subject {
        Subject(kind: RBAC.userKind, apiGroup: RBAC.groupName, name: name)
    }

    /// A `Group` subject.
    public static func group(_ name: String) -> Subject {
        Subject(kind: RBAC.groupKind, apiGroup: RBAC.groupName, name: name)
    }

    /// A `ServiceAccount` subject.
    public static func serviceAccount(namespace: String?, name: String) -> Subject {
        Subject(kind: RBAC.serviceAccountKind, name: name, namespace: namespace)
    }

    /// Kubernetes' `SetDefaults_Subject`: users and groups get the RBAC API group.
    mutating func applyDefaults() {
        if apiGroup?.isEmpty ?? true, kind == RBAC.userKind || kind == RBAC.groupKind {
            apiGroup = RBAC.groupName
        }
    }
}

/// The role a binding grants (`rbacv1.RoleRef`); immutable once the binding exists.
public struct RoleRef: Sendable, Hashable, Codable {
    /// Must be `rbac.authorization.k8s.io` (the default).
    public var apiGroup: String?
    /// `Role` or `ClusterRole` (a ClusterRoleBinding takes only `ClusterRole`).
    public var kind: String?
    public var name: String?

    public init(apiGroup: String? = nil, kind: String? = nil, name: String? = nil) {
        self.apiGroup = apiGroup
        self.kind = kind
        self.name = name
    }

    /// A reference to a Role in the binding's namespace.
    public static func role(_ name: String) -> RoleRef {
        RoleRef(apiGroup: RBAC.groupName, kind: "Role", name: name)
    }

    /// A reference to a ClusterRole.
    public static func clusterRole(_ name: String) -> RoleRef {
        RoleRef(apiGroup: RBAC.groupName, kind: "ClusterRole", name: name)
    }

    /// Rendered like Go's `%#v` of `rbac.RoleRef`, as Kubernetes prints it in the "cannot change roleRef" error.
    var goDescription: String {
        "rbac.RoleRef{APIGroup:\(RBACValidation.goQuoted(apiGroup ?? "")), Kind:\(RBACValidation.goQuoted(kind ?? "")), Name:\(RBACValidation.goQuoted(name ?? ""))}"
    }
}

/// How a ClusterRole's rules are aggregated from other ClusterRoles. Stored and validated only: this
/// implementation does not run the aggregation controller.
public struct AggregationRule: Sendable, Hashable, Codable {
    /// Label selectors (`metav1.LabelSelector`) choosing the ClusterRoles to aggregate, kept as JSON.
    public var clusterRoleSelectors: [JSONValue]?

    public init(clusterRoleSelectors: [JSONValue]? = nil) {
        self.clusterRoleSelectors = clusterRoleSelectors
    }
}
