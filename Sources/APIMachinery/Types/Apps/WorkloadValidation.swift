/// What Deployments, ReplicaSets and StatefulSets validate alike: the selector, the template and replicas.
enum WorkloadValidation {
    /// Kubernetes' apps/v1 checks: a non-empty selector that matches the template's labels, a valid pod
    /// template with restart policy `Always` and no active deadline, non-negative replicas.
    static func validate(
        replicas: Int32?, selector: LabelSelector?, template: PodTemplateSpec?, kind: String
    ) -> [FieldError] {
        var errors = BuiltinValidation.nonNegative(replicas, field: "spec.replicas")
        if let selector {
            errors += BuiltinValidation.validate(selector, field: "spec.selector")
            if BuiltinValidation.isEmpty(selector) {
                errors.append(
                    .invalid(
                        "spec.selector", value: BuiltinValidation.render(selector),
                        "empty selector is invalid for \(kind)"))
            }
        } else {
            errors.append(.required("spec.selector"))
        }
        guard let template else {
            errors.append(.required("spec.template"))
            return errors
        }
        if let selector, !BuiltinValidation.isEmpty(selector),
            !BuiltinValidation.matches(selector, labels: template.metadata.labels)
        {
            errors.append(
                .invalid(
                    "spec.template.metadata.labels",
                    value: BuiltinValidation.render(template.metadata.labels),
                    "`selector` does not match template `labels`"))
        }
        guard let spec = template.spec else {
            errors.append(.required("spec.template.spec"))
            return errors
        }
        errors += spec.validate(path: "spec.template.spec")
        if let policy = spec.restartPolicy, policy != "Always" {
            errors.append(
                .notSupported(
                    "spec.template.spec.restartPolicy", value: BuiltinValidation.quoted(policy),
                    supported: ["Always"]))
        }
        if spec.activeDeadlineSeconds != nil {
            let owner = kind == "statefulset" ? "StatefulSet" : "ReplicaSet"
            errors.append(
                .forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in \(owner) is not Supported"))
        }
        return errors
    }

    /// The selector may not change after creation (apps/v1).
    static func immutableSelector(_ new: LabelSelector?, _ old: LabelSelector?) -> [FieldError] {
        guard new != old else { return [] }
        return [.invalid("spec.selector", value: new.map(BuiltinValidation.render) ?? "null", "field is immutable")]
    }

    /// A workload's merge keys: its pod template's under `spec.template`, conditions by `type`.
    static let strategicMergeSchema = StrategicMergeSchema.objectMeta
        .merging(PodTemplateSpec.strategicMergeSchema.nested(under: "spec.template"))
        .merging(StrategicMergeSchema(listMergeKeys: ["status.conditions": "type"]))
}
