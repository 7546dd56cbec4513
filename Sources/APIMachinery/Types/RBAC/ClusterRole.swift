/// A cluster-wide set of permissions (`rbac.authorization.k8s.io/v1` ClusterRole), granted cluster-wide by
/// ClusterRoleBindings or within one namespace by RoleBindings.
public struct ClusterRole: Resource, Hashable {
    public var metadata: ObjectMeta
    public var rules: [PolicyRule]?
    /// Stored and validated; the aggregation controller is not implemented.
    public var aggregationRule: AggregationRule?

    public init(
        metadata: ObjectMeta = ObjectMeta(), rules: [PolicyRule]? = nil, aggregationRule: AggregationRule? = nil
    ) {
        self.metadata = metadata
        self.rules = rules
        self.aggregationRule = aggregationRule
    }

    public static let descriptor = ResourceDescriptor(
        group: RBAC.groupName, version: RBAC.version, kind: "ClusterRole", plural: "clusterroles", scope: .cluster
    )

    public static var strategicMergeSchema: StrategicMergeSchema? { .objectMeta }

    /// `ValidateClusterRole`: rules as for a Role but non-resource URLs are allowed; an aggregation rule needs
    /// at least one selector.
    public func validate() -> [FieldError] {
        var errors = RBACValidation.metadataNameErrors(metadata) + RBACValidation.rules(rules, namespaced: false)
        if let aggregationRule {
            let selectors = aggregationRule.clusterRoleSelectors ?? []
            if selectors.isEmpty {
                errors.append(
                    .required(
                        "aggregationRule.clusterRoleSelectors",
                        "at least one clusterRoleSelector required if aggregationRule is non-nil"))
            }
            for (index, selector) in selectors.enumerated() {
                if case .object = selector { continue }
                errors.append(
                    .invalid(
                        "aggregationRule.clusterRoleSelectors[\(index)]", value: "\(selector)",
                        "must be a label selector object"))
            }
        }
        return errors
    }
}
