extension Endpoints: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "Endpoints", plural: "endpoints", singular: "endpoints",
        shortNames: ["ep"], allowsUnconditionalUpdate: true
    )

    /// Port protocol `TCP`.
    public mutating func applyDefaults() {
        guard let count = subsets?.count else { return }
        for index in 0..<count {
            guard let ports = subsets![index].ports else { continue }
            subsets![index].ports = ports.map { port in
                var port = port
                if port.protocol == nil { port.protocol = "TCP" }
                return port
            }
        }
    }

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        for (index, subset) in (subsets ?? []).enumerated() {
            let field = "subsets[\(index)]"
            if (subset.addresses ?? []).isEmpty && (subset.notReadyAddresses ?? []).isEmpty {
                errors.append(.required(field, "must specify `addresses` or `notReadyAddresses`"))
            }
            for (list, key) in [(subset.addresses, "addresses"), (subset.notReadyAddresses, "notReadyAddresses")] {
                for (position, address) in (list ?? []).enumerated() where (address.ip ?? "").isEmpty {
                    errors.append(.required("\(field).\(key)[\(position)].ip"))
                }
            }
            let ports = subset.ports ?? []
            for (position, port) in ports.enumerated() {
                if ports.count > 1 && (port.name ?? "").isEmpty {
                    errors.append(.required("\(field).ports[\(position)].name"))
                }
                errors += BuiltinValidation.portNumber(port.port, field: "\(field).ports[\(position)].port")
                errors += BuiltinValidation.supported(
                    port.protocol ?? "TCP", BuiltinValidation.supportedProtocols,
                    field: "\(field).ports[\(position)].protocol")
            }
        }
        return errors
    }

    /// Subsets are atomic lists in Kubernetes.
    public static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema.objectMeta
}
