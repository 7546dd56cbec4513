extension Namespace: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "Namespace", plural: "namespaces", scope: .cluster, shortNames: ["ns"],
        hasStatus: true, selectableFields: ["status.phase"], allowsUnconditionalUpdate: true
    )

    /// The `kubernetes.io/metadata.name` label, the `kubernetes` finalizer (set by Kubernetes' namespace strategy)
    /// and phase `Active`.
    public mutating func applyDefaults() {
        if !metadata.name.isEmpty { metadata.labels["kubernetes.io/metadata.name"] = metadata.name }
        if spec == nil { spec = NamespaceSpec(finalizers: ["kubernetes"]) }
        if status?.phase == nil {
            var status = self.status ?? NamespaceStatus()
            status.phase = "Active"
            self.status = status
        }
    }

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        for (index, finalizer) in (spec?.finalizers ?? []).enumerated() where finalizer.isEmpty {
            errors.append(.required("spec.finalizers[\(index)]"))
        }
        if let phase = status?.phase {
            errors += BuiltinValidation.supported(phase, ["Active", "Terminating"], field: "status.phase")
        }
        return errors
    }

    public func fieldValue(_ path: String) -> String? {
        switch path {
        case "metadata.name": metadata.name
        case "status.phase": status?.phase ?? ""
        default: nil
        }
    }

    public static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema.objectMeta.merging(
        StrategicMergeSchema(listMergeKeys: ["status.conditions": "type"])
    )
}
