extension ReplicaSet: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", shortNames: ["rs"],
        categories: ["all"], hasStatus: true, scale: .standard, selectableFields: ["status.replicas"],
        allowsUnconditionalUpdate: true
    )

    /// One replica and the pod template's defaults.
    public mutating func applyDefaults() {
        var spec = self.spec ?? ReplicaSetSpec()
        if spec.replicas == nil { spec.replicas = 1 }
        spec.template?.applyDefaults()
        self.spec = spec
        if status == nil { status = ReplicaSetStatus(replicas: 0) }
    }

    public func validate() -> [FieldError] {
        guard let spec else { return [.required("spec")] }
        return WorkloadValidation.validate(
            replicas: spec.replicas, selector: spec.selector, template: spec.template, kind: "ReplicaSet")
            + BuiltinValidation.nonNegative(spec.minReadySeconds, field: "spec.minReadySeconds")
    }

    /// The selector is immutable.
    public func validateUpdate(from old: ReplicaSet) -> [FieldError] {
        validate() + WorkloadValidation.immutableSelector(spec?.selector, old.spec?.selector)
    }

    public func fieldValue(_ path: String) -> String? {
        switch path {
        case "metadata.name": metadata.name
        case "metadata.namespace": metadata.namespace
        case "status.replicas": String(status?.replicas ?? 0)
        default: nil
        }
    }

    public static let strategicMergeSchema: StrategicMergeSchema? = WorkloadValidation.strategicMergeSchema
}
