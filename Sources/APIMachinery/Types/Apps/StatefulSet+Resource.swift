extension StatefulSet: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", shortNames: ["sts"],
        categories: ["all"], hasStatus: true, scale: .standard, allowsUnconditionalUpdate: true
    )

    /// One replica, `OrderedReady` pod management, rolling updates from partition 0, ten revisions kept, claims
    /// retained, and the pod template's and claim templates' defaults.
    public mutating func applyDefaults() {
        var spec = self.spec ?? StatefulSetSpec()
        if spec.replicas == nil { spec.replicas = 1 }
        if spec.podManagementPolicy == nil { spec.podManagementPolicy = "OrderedReady" }
        var strategy = spec.updateStrategy ?? StatefulSetUpdateStrategy()
        if strategy.type == nil { strategy.type = "RollingUpdate" }
        if strategy.type == "RollingUpdate" {
            var rollingUpdate = strategy.rollingUpdate ?? RollingUpdateStatefulSetStrategy()
            if rollingUpdate.partition == nil { rollingUpdate.partition = 0 }
            strategy.rollingUpdate = rollingUpdate
        }
        spec.updateStrategy = strategy
        if spec.revisionHistoryLimit == nil { spec.revisionHistoryLimit = 10 }
        var retention = spec.persistentVolumeClaimRetentionPolicy ?? StatefulSetPersistentVolumeClaimRetentionPolicy()
        if retention.whenDeleted == nil { retention.whenDeleted = "Retain" }
        if retention.whenScaled == nil { retention.whenScaled = "Retain" }
        spec.persistentVolumeClaimRetentionPolicy = retention
        spec.template?.applyDefaults()
        if let claims = spec.volumeClaimTemplates {
            spec.volumeClaimTemplates = claims.map { claim in
                var claim = claim
                claim.applyDefaults()
                return claim
            }
        }
        self.spec = spec
        if status == nil { status = StatefulSetStatus(replicas: 0, availableReplicas: 0) }
    }

    public func validate() -> [FieldError] {
        guard let spec else { return [.required("spec")] }
        var errors = WorkloadValidation.validate(
            replicas: spec.replicas, selector: spec.selector, template: spec.template, kind: "statefulset")
        errors += BuiltinValidation.supported(
            spec.podManagementPolicy ?? "OrderedReady", ["OrderedReady", "Parallel"],
            field: "spec.podManagementPolicy")
        let strategy = spec.updateStrategy ?? StatefulSetUpdateStrategy(type: "RollingUpdate")
        errors += BuiltinValidation.supported(
            strategy.type, ["OnDelete", "RollingUpdate"], field: "spec.updateStrategy.type")
        if strategy.type == "OnDelete", strategy.rollingUpdate != nil {
            errors.append(
                .invalid(
                    "spec.updateStrategy.rollingUpdate", value: "{}",
                    "only allowed for updateStrategy 'RollingUpdate'"))
        }
        if let rollingUpdate = strategy.rollingUpdate {
            errors += BuiltinValidation.nonNegative(
                rollingUpdate.partition,
                field: "spec.updateStrategy.rollingUpdate.partition")
            errors += BuiltinValidation.intOrPercent(
                rollingUpdate.maxUnavailable,
                field: "spec.updateStrategy.rollingUpdate.maxUnavailable")
        }
        errors += BuiltinValidation.nonNegative(spec.revisionHistoryLimit, field: "spec.revisionHistoryLimit")
        errors += BuiltinValidation.nonNegative(spec.minReadySeconds, field: "spec.minReadySeconds")
        errors += BuiltinValidation.nonNegative(spec.ordinals?.start, field: "spec.ordinals.start")
        if let retention = spec.persistentVolumeClaimRetentionPolicy {
            let path = "spec.persistentVolumeClaimRetentionPolicy"
            errors += BuiltinValidation.supported(
                retention.whenDeleted ?? "Retain", ["Delete", "Retain"],
                field: "\(path).whenDeleted")
            errors += BuiltinValidation.supported(
                retention.whenScaled ?? "Retain", ["Delete", "Retain"],
                field: "\(path).whenScaled")
        }
        return errors
    }

    /// Only replicas, ordinals, template, update strategy, revision history limit, claim retention policy and
    /// min ready seconds may change.
    public func validateUpdate(from old: StatefulSet) -> [FieldError] {
        var errors = validate()
        guard var new = spec, let old = old.spec else { return errors }
        new.replicas = old.replicas
        new.ordinals = old.ordinals
        new.template = old.template
        new.updateStrategy = old.updateStrategy
        new.revisionHistoryLimit = old.revisionHistoryLimit
        new.persistentVolumeClaimRetentionPolicy = old.persistentVolumeClaimRetentionPolicy
        new.minReadySeconds = old.minReadySeconds
        if new != old {
            errors.append(
                .forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                        + "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
                        + "'minReadySeconds' are forbidden"))
        }
        return errors
    }

    /// Claim templates are atomic, as in Kubernetes.
    public static let strategicMergeSchema: StrategicMergeSchema? = WorkloadValidation.strategicMergeSchema
}

extension PersistentVolumeClaim {
    /// Volume mode `Filesystem` and phase `Pending`, as Kubernetes defaults claims (and claim templates).
    public mutating func applyDefaults() {
        var spec = self.spec ?? PersistentVolumeClaimSpec()
        if spec.volumeMode == nil { spec.volumeMode = "Filesystem" }
        self.spec = spec
        if status?.phase == nil {
            var status = self.status ?? PersistentVolumeClaimStatus()
            status.phase = "Pending"
            self.status = status
        }
    }
}
