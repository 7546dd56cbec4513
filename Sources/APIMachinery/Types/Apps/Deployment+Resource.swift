extension Deployment: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "apps", version: "v1", kind: "Deployment", plural: "deployments", shortNames: ["deploy"],
        categories: ["all"], hasStatus: true, scale: .standard, allowsUnconditionalUpdate: true
    )

    /// One replica, rolling updates with 25% surge and 25% unavailable, ten old ReplicaSets kept, a 600 s
    /// progress deadline, and the pod template's defaults.
    public mutating func applyDefaults() {
        var spec = self.spec ?? DeploymentSpec()
        if spec.replicas == nil { spec.replicas = 1 }
        var strategy = spec.strategy ?? DeploymentStrategy()
        if strategy.type == nil { strategy.type = "RollingUpdate" }
        if strategy.type == "RollingUpdate" {
            var rollingUpdate = strategy.rollingUpdate ?? RollingUpdateDeployment()
            if rollingUpdate.maxUnavailable == nil { rollingUpdate.maxUnavailable = "25%" }
            if rollingUpdate.maxSurge == nil { rollingUpdate.maxSurge = "25%" }
            strategy.rollingUpdate = rollingUpdate
        }
        spec.strategy = strategy
        if spec.revisionHistoryLimit == nil { spec.revisionHistoryLimit = 10 }
        if spec.progressDeadlineSeconds == nil { spec.progressDeadlineSeconds = 600 }
        spec.template?.applyDefaults()
        self.spec = spec
        if status == nil { status = DeploymentStatus() }
    }

    public func validate() -> [FieldError] {
        guard let spec else { return [.required("spec")] }
        var errors = WorkloadValidation.validate(
            replicas: spec.replicas, selector: spec.selector, template: spec.template, kind: "deployment")
        if let strategy = spec.strategy {
            errors += BuiltinValidation.supported(
                strategy.type, ["Recreate", "RollingUpdate"], field: "spec.strategy.type")
            if strategy.type == "Recreate", strategy.rollingUpdate != nil {
                errors.append(
                    .forbidden(
                        "spec.strategy.rollingUpdate",
                        "may not be specified when strategy `type` is 'Recreate'"))
            }
            if let rollingUpdate = strategy.rollingUpdate, strategy.type == "RollingUpdate" {
                let path = "spec.strategy.rollingUpdate"
                errors += BuiltinValidation.intOrPercent(rollingUpdate.maxUnavailable, field: "\(path).maxUnavailable")
                errors += BuiltinValidation.intOrPercent(
                    rollingUpdate.maxSurge, field: "\(path).maxSurge",
                    atMost100Percent: false)
                if BuiltinValidation.isZero(rollingUpdate.maxUnavailable),
                    BuiltinValidation.isZero(rollingUpdate.maxSurge)
                {
                    errors.append(
                        .invalid(
                            "\(path).maxUnavailable",
                            value: rollingUpdate.maxUnavailable.map { "\($0)" } ?? "0",
                            "may not be 0 when `maxSurge` is 0"))
                }
            }
        }
        errors += BuiltinValidation.nonNegative(spec.minReadySeconds, field: "spec.minReadySeconds")
        errors += BuiltinValidation.nonNegative(spec.revisionHistoryLimit, field: "spec.revisionHistoryLimit")
        if let deadline = spec.progressDeadlineSeconds {
            errors += BuiltinValidation.nonNegative(deadline, field: "spec.progressDeadlineSeconds")
            if deadline <= spec.minReadySeconds ?? 0 {
                errors.append(
                    .invalid(
                        "spec.progressDeadlineSeconds", value: String(deadline),
                        "must be greater than minReadySeconds"))
            }
        }
        return errors
    }

    /// The selector is immutable.
    public func validateUpdate(from old: Deployment) -> [FieldError] {
        validate() + WorkloadValidation.immutableSelector(spec?.selector, old.spec?.selector)
    }

    public static let strategicMergeSchema: StrategicMergeSchema? = WorkloadValidation.strategicMergeSchema
}
