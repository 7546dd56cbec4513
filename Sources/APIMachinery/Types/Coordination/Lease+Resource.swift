extension Lease: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases"
    )

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        guard let spec else { return errors }
        if let duration = spec.leaseDurationSeconds, duration <= 0 {
            errors.append(.invalid("spec.leaseDurationSeconds", value: String(duration), "must be greater than 0"))
        }
        errors += BuiltinValidation.nonNegative(spec.leaseTransitions, field: "spec.leaseTransitions")
        if let strategy = spec.strategy {
            errors += BuiltinValidation.supported(strategy, ["OldestEmulationVersion"], field: "spec.strategy")
        }
        if let preferred = spec.preferredHolder, !preferred.isEmpty, (spec.strategy ?? "").isEmpty {
            errors.append(.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"))
        }
        return errors
    }

    public static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema.objectMeta
}
