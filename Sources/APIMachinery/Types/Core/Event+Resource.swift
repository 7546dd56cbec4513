extension Event: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "Event", plural: "events", shortNames: ["ev"],
        selectableFields: [
            "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
            "reportingComponent", "source", "type",
        ],
        allowsUnconditionalUpdate: true
    )

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        let involved = involvedObject ?? ObjectReference()
        if let namespace = involved.namespace, !namespace.isEmpty, !metadata.namespace.isEmpty,
            namespace != metadata.namespace
        {
            errors.append(
                .invalid(
                    "involvedObject.namespace", value: BuiltinValidation.quoted(namespace),
                    "does not match event.namespace"))
        }
        if eventTime != nil {
            // Events written through the newer API carry who reported them and what it did.
            if (reportingComponent ?? "").isEmpty { errors.append(.required("reportingController")) }
            if (reportingInstance ?? "").isEmpty { errors.append(.required("reportingInstance")) }
            if (action ?? "").isEmpty { errors.append(.required("action")) }
        }
        if let type, !type.isEmpty {
            errors += BuiltinValidation.supported(type, ["Normal", "Warning"], field: "type")
        }
        errors += BuiltinValidation.nonNegative(count, field: "count")
        return errors
    }

    public func fieldValue(_ path: String) -> String? {
        let involved = involvedObject ?? ObjectReference()
        switch path {
        case "metadata.name": return metadata.name
        case "metadata.namespace": return metadata.namespace
        case "involvedObject.kind": return involved.kind ?? ""
        case "involvedObject.namespace": return involved.namespace ?? ""
        case "involvedObject.name": return involved.name ?? ""
        case "involvedObject.uid": return involved.uid ?? ""
        case "involvedObject.apiVersion": return involved.apiVersion ?? ""
        case "involvedObject.resourceVersion": return involved.resourceVersion ?? ""
        case "involvedObject.fieldPath": return involved.fieldPath ?? ""
        case "reason": return reason ?? ""
        case "reportingComponent": return reportingComponent ?? ""
        case "source":
            let component = source?.component ?? ""
            return component.isEmpty ? reportingComponent ?? "" : component
        case "type": return type ?? ""
        default: return nil
        }
    }

    public static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema.objectMeta
}
