extension ConfigMap: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", shortNames: ["cm"],
        allowsUnconditionalUpdate: true
    )

    /// The largest total size of a ConfigMap's or Secret's data, as Kubernetes limits it.
    public static let maximumDataSize = 1024 * 1024

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        var total = 0
        for key in (data ?? [:]).keys.sorted() {
            errors += BuiltinValidation.configKey(key, field: "data[\(key)]")
            total += data![key]!.utf8.count
        }
        for key in (binaryData ?? [:]).keys.sorted() {
            errors += BuiltinValidation.configKey(key, field: "binaryData[\(key)]")
            if data?[key] != nil {
                errors.append(
                    .invalid(
                        "binaryData[\(key)]", value: BuiltinValidation.quoted(key),
                        "duplicate of key present in data"))
            }
            total += binaryData![key]!.utf8.count / 4 * 3
        }
        if total > Self.maximumDataSize {
            errors.append(
                FieldError(
                    .tooLong, field: "",
                    detail: "must have at most \(Self.maximumDataSize) bytes"))
        }
        return errors
    }

    /// An immutable ConfigMap keeps its data and stays immutable.
    public func validateUpdate(from old: ConfigMap) -> [FieldError] {
        var errors = validate()
        if old.immutable == true {
            if immutable != true {
                errors.append(.forbidden("immutable", "field is immutable when `immutable` is set"))
            }
            if data ?? [:] != old.data ?? [:] {
                errors.append(.forbidden("data", "field is immutable when `immutable` is set"))
            }
            if binaryData ?? [:] != old.binaryData ?? [:] {
                errors.append(.forbidden("binaryData", "field is immutable when `immutable` is set"))
            }
        }
        return errors
    }

    public static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema.objectMeta
}
