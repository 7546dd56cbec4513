/// Grants a Role or ClusterRole to subjects within the binding's namespace (`rbac.authorization.k8s.io/v1`).
public struct RoleBinding: Resource, Hashable {
    public var metadata: ObjectMeta
    public var subjects: [Subject]?
    /// Immutable after creation.
    public var roleRef: RoleRef?

    public init(metadata: ObjectMeta = ObjectMeta(), subjects: [Subject]? = nil, roleRef: RoleRef? = nil) {
        self.metadata = metadata
        self.subjects = subjects
        self.roleRef = roleRef
    }

    public static let descriptor = ResourceDescriptor(
        group: RBAC.groupName, version: RBAC.version, kind: "RoleBinding", plural: "rolebindings", scope: .namespaced
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

    /// `ValidateRoleBinding`: roleRef names a Role or ClusterRole of `rbac.authorization.k8s.io`; subjects
    /// are valid users, groups or service accounts.
    public func validate() -> [FieldError] {
        RBACValidation.metadataNameErrors(metadata)
            + RBACValidation.roleRef(roleRef, allowedKinds: ["Role", "ClusterRole"])
            + RBACValidation.subjects(subjects, namespaced: true)
    }

    /// `ValidateRoleBindingUpdate`: roleRef cannot change.
    public func validateUpdate(from old: RoleBinding) -> [FieldError] {
        validate() + RBACValidation.roleRefUnchanged(roleRef, old.roleRef)
    }
}
