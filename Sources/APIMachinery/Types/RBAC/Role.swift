/// A namespaced set of permissions (`rbac.authorization.k8s.io/v1` Role), granted by RoleBindings in its namespace.
public struct Role: Resource, Hashable {
    public var metadata: ObjectMeta
    public var rules: [PolicyRule]?

    public init(metadata: ObjectMeta = ObjectMeta(), rules: [PolicyRule]? = nil) {
        self.metadata = metadata
        self.rules = rules
    }

    public static let descriptor = ResourceDescriptor(
        group: RBAC.groupName, version: RBAC.version, kind: "Role", plural: "roles", scope: .namespaced
    )

    public static var strategicMergeSchema: StrategicMergeSchema? { .objectMeta }

    /// `ValidateRole`: every rule needs verbs; resource rules need API groups and resources; no non-resource URLs.
    public func validate() -> [FieldError] {
        RBACValidation.metadataNameErrors(metadata) + RBACValidation.rules(rules, namespaced: true)
    }
}
