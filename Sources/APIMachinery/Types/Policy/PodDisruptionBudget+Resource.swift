extension PodDisruptionBudget: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "policy", version: "v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets",
        shortNames: ["pdb"], hasStatus: true
    )

    /// An empty status (Go always writes its four counters).
    public mutating func applyDefaults() {
        if status == nil {
            status = PodDisruptionBudgetStatus(
                disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0)
        }
    }

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        guard let spec else { return errors }
        if spec.minAvailable != nil, spec.maxUnavailable != nil {
            errors.append(
                .invalid(
                    "spec", value: (try? JSONValueEncoder().encode(spec).jsonString) ?? "{}",
                    "minAvailable and maxUnavailable cannot be both set"))
        }
        if let selector = spec.selector {
            errors += BuiltinValidation.validate(selector, field: "spec.selector")
        }
        errors += BuiltinValidation.intOrPercent(spec.minAvailable, field: "spec.minAvailable")
        errors += BuiltinValidation.intOrPercent(spec.maxUnavailable, field: "spec.maxUnavailable")
        if let policy = spec.unhealthyPodEvictionPolicy {
            errors += BuiltinValidation.supported(
                policy, ["AlwaysAllow", "IfHealthyBudget"],
                field: "spec.unhealthyPodEvictionPolicy")
        }
        if let status {
            for (value, key) in [
                (status.disruptionsAllowed, "disruptionsAllowed"),
                (status.currentHealthy, "currentHealthy"), (status.desiredHealthy, "desiredHealthy"),
                (status.expectedPods, "expectedPods"),
            ] {
                errors += BuiltinValidation.nonNegative(value, field: "status.\(key)")
            }
        }
        return errors
    }

    public static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema.objectMeta.merging(
        StrategicMergeSchema(listMergeKeys: ["status.conditions": "type"])
    )
}
