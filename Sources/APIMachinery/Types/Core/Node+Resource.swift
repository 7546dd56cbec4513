extension Node: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "Node", plural: "nodes", scope: .cluster, shortNames: ["no"],
        hasStatus: true, selectableFields: ["spec.unschedulable"], allowsUnconditionalUpdate: true
    )

    /// Allocatable defaults to capacity.
    public mutating func applyDefaults() {
        if let capacity = status?.capacity, status?.allocatable == nil { status!.allocatable = capacity }
    }

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        var seen: Set<String> = []
        for (index, taint) in (spec?.taints ?? []).enumerated() {
            let field = "spec.taints[\(index)]"
            if (taint.key ?? "").isEmpty { errors.append(.required("\(field).key")) }
            errors += BuiltinValidation.supported(taint.effect, PodSpec.taintEffects, field: "\(field).effect")
            let identity = "\(taint.key ?? "")\u{0}\(taint.effect ?? "")"
            if !seen.insert(identity).inserted {
                errors.append(
                    FieldError(
                        .duplicate, field: field,
                        value:
                            BuiltinValidation.quoted(taint.key ?? "") + " "
                                + BuiltinValidation.quoted(taint.effect ?? ""),
                        detail: "taints must be unique by key and effect pair"))
            }
        }
        for (name, quantity) in (status?.capacity ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let allocatable = status?.allocatable?[name], allocatable > quantity {
                errors.append(
                    .invalid(
                        "status.allocatable[\(name)]", value: BuiltinValidation.quoted("\(allocatable)"),
                        "must be less than or equal to capacity"))
            }
        }
        return errors
    }

    /// A pod CIDR may be set once; the provider ID likewise.
    public func validateUpdate(from old: Node) -> [FieldError] {
        var errors = validate()
        if let oldCIDR = old.spec?.podCIDR, !oldCIDR.isEmpty, spec?.podCIDR != oldCIDR {
            errors.append(.forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"))
        }
        if let oldID = old.spec?.providerID, !oldID.isEmpty, spec?.providerID != oldID {
            errors.append(
                .forbidden(
                    "spec.providerID",
                    "node updates may not change providerID except from \"\" to valid"))
        }
        return errors
    }

    public func fieldValue(_ path: String) -> String? {
        switch path {
        case "metadata.name": metadata.name
        case "spec.unschedulable": String(spec?.unschedulable ?? false)
        default: nil
        }
    }

    /// Taints are atomic, as in Kubernetes; conditions and addresses merge by `type`, pod CIDRs as a set.
    public static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema.objectMeta.merging(
        StrategicMergeSchema(
            listMergeKeys: ["status.conditions": "type", "status.addresses": "type"],
            mergedScalarLists: ["spec.podCIDRs"]
        )
    )
}
