extension EndpointSlice: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice", plural: "endpointslices",
        allowsUnconditionalUpdate: true
    )

    /// Port names default to empty and protocols to `TCP`.
    public mutating func applyDefaults() {
        guard let ports else { return }
        self.ports = ports.map { port in
            var port = port
            if port.name == nil { port.name = "" }
            if port.protocol == nil { port.protocol = "TCP" }
            return port
        }
    }

    public func validate() -> [FieldError] {
        var errors = BuiltinValidation.supported(addressType, ["FQDN", "IPv4", "IPv6"], field: "addressType")
        let endpoints = self.endpoints ?? []
        if endpoints.count > 1000 {
            errors.append(
                FieldError(
                    .tooMany, field: "endpoints", value: String(endpoints.count),
                    detail: "must have at most 1000 items"))
        }
        for (index, endpoint) in endpoints.enumerated() {
            let addresses = endpoint.addresses ?? []
            if addresses.isEmpty {
                errors.append(.required("endpoints[\(index)].addresses", "must contain at least 1 address"))
            } else if addresses.count > 100 {
                errors.append(
                    FieldError(
                        .tooMany, field: "endpoints[\(index)].addresses",
                        value: String(addresses.count), detail: "must have at most 100 items"))
            }
            if let hostname = endpoint.hostname {
                errors += BuiltinValidation.dns1123Label(hostname, field: "endpoints[\(index)].hostname")
            }
        }
        var names: Set<String> = []
        for (index, port) in (ports ?? []).enumerated() {
            let name = port.name ?? ""
            if !name.isEmpty { errors += BuiltinValidation.dns1123Label(name, field: "ports[\(index)].name") }
            if !names.insert(name).inserted {
                errors.append(.duplicate("ports[\(index)].name", value: BuiltinValidation.quoted(name)))
            }
            if let port = port.port { errors += BuiltinValidation.portNumber(port, field: "ports[\(index)].port") }
            errors += BuiltinValidation.supported(
                port.protocol ?? "TCP", BuiltinValidation.supportedProtocols,
                field: "ports[\(index)].protocol")
        }
        return errors
    }

    /// The address type is immutable.
    public func validateUpdate(from old: EndpointSlice) -> [FieldError] {
        var errors = validate()
        if addressType != old.addressType {
            errors.append(
                .invalid(
                    "addressType", value: BuiltinValidation.quoted(addressType ?? ""),
                    BuiltinValidation.immutableMessage))
        }
        return errors
    }

    /// Endpoints and ports are atomic lists in Kubernetes.
    public static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema.objectMeta
}
