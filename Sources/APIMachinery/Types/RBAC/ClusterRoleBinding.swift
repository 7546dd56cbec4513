/// Grants a ClusterRole to subjects across the whole cluster (`rbac.authorization.k8s.io/v1`).
public struct ClusterRoleBinding: Resource, Hashable {
    public var metadata: ObjectMeta
    public var subjects: [Subject]?
    /// Immutable after creation; must name a ClusterRole.
    public var roleRef: RoleRef?

    public init(metadata: ObjectMeta = ObjectMeta(), subjects: [Subject]? = nil, roleRef: RoleRef? = nil) {
        self.metadata = metadata
        self.subjects = subjects
        self.roleRef = roleRef
    }

    public static let descriptor = ResourceDescriptor(
        group: RBAC.groupName, version: RBAC.version, kind: "ClusterRoleBinding", plural: "clusterrolebindings",
        scope: .cluster
    )

    public static var strategicMergeSchema: StrategicMergeSchema? { .objectMeta }

    /// v1 defaulting: roleRef and user/group subjects get the RBAC API group.
    public mutating func applyDefaults() {
        var ref = roleRef ?? RoleRef()
        if ref.apiGroup?.isEmpty ?? true { ref.apiGroup = RBAC.groupName }
        roleRef = ref
        if var list = subjects {
            for index in list.indices { list[index].applyDefaults() }
            subjects = list
        }
    }

    /// `ValidateClusterRoleBinding`: roleRef names a ClusterRole; service account subjects need a namespace.
    public func validate() -> [FieldError] {
        RBACValidation.metadataNameErrors(metadata)
            + RBACValidation.roleRef(roleRef, allowedKinds: ["ClusterRole"])
            + RBACValidation.subjects(subjects, namespaced: false)
    }

    /// `ValidateClusterRoleBindingUpdate`: roleRef cannot change.
    public func validateUpdate(from old: ClusterRoleBinding) -> [FieldError] {
        validate() + RBACValidation.roleRefUnchanged(roleRef, old.roleRef)
    }
}
