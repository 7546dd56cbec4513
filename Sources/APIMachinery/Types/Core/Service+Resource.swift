extension Service: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "Service", plural: "services", shortNames: ["svc"], categories: ["all"],
        hasStatus: true, allowsUnconditionalUpdate: true
    )

    static let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]

    /// Type `ClusterIP`, session affinity `None` (client-IP affinity times out after 3 h), port protocol `TCP`,
    /// target port = port, internal traffic policy `Cluster`, external traffic policy `Cluster` for node ports and
    /// load balancers, node ports allocated for load balancers.
    public mutating func applyDefaults() {
        var spec = self.spec ?? ServiceSpec()
        if spec.type == nil { spec.type = "ClusterIP" }
        if spec.sessionAffinity == nil { spec.sessionAffinity = "None" }
        if spec.sessionAffinity == "ClientIP", spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == nil {
            spec.sessionAffinityConfig = SessionAffinityConfig(clientIP: ClientIPConfig(timeoutSeconds: 10800))
        }
        if let ports = spec.ports {
            spec.ports = ports.map { port in
                var port = port
                if port.protocol == nil { port.protocol = "TCP" }
                if port.targetPort == nil || port.targetPort == .int(0) || port.targetPort == .string("") {
                    port.targetPort = .int(port.port ?? 0)
                }
                return port
            }
        }
        if spec.type != "ExternalName", spec.internalTrafficPolicy == nil { spec.internalTrafficPolicy = "Cluster" }
        if spec.type == "NodePort" || spec.type == "LoadBalancer", spec.externalTrafficPolicy == nil {
            spec.externalTrafficPolicy = "Cluster"
        }
        if spec.type == "LoadBalancer", spec.allocateLoadBalancerNodePorts == nil {
            spec.allocateLoadBalancerNodePorts = true
        }
        self.spec = spec
        if status == nil { status = ServiceStatus(loadBalancer: LoadBalancerStatus()) }
    }

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        let spec = self.spec ?? ServiceSpec()
        let type = spec.type ?? "ClusterIP"
        errors += BuiltinValidation.supported(type, Self.types, field: "spec.type")
        let ports = spec.ports ?? []
        if type == "ExternalName" {
            if (spec.externalName ?? "").isEmpty {
                errors.append(.required("spec.externalName"))
            } else if !NameValidation.isDNS1123Subdomain(spec.externalName!) {
                errors.append(
                    .invalid(
                        "spec.externalName", value: BuiltinValidation.quoted(spec.externalName!),
                        NameValidation.subdomainMessage))
            }
        } else if ports.isEmpty && spec.clusterIP != "None" {
            errors.append(.required("spec.ports"))
        }
        var names: Set<String> = []
        for (index, port) in ports.enumerated() {
            let field = "spec.ports[\(index)]"
            let name = port.name ?? ""
            if ports.count > 1 && name.isEmpty {
                errors.append(.required("\(field).name"))
            } else if !name.isEmpty {
                errors += BuiltinValidation.dns1123Label(name, field: "\(field).name")
                if !names.insert(name).inserted {
                    errors.append(.duplicate("\(field).name", value: BuiltinValidation.quoted(name)))
                }
            }
            errors += BuiltinValidation.portNumber(port.port, field: "\(field).port")
            errors += BuiltinValidation.supported(
                port.protocol ?? "TCP", BuiltinValidation.supportedProtocols,
                field: "\(field).protocol")
            switch port.targetPort {
            case .int(let number)?:
                errors += BuiltinValidation.portNumber(number, field: "\(field).targetPort")
            case .string(let text)?:
                errors += BuiltinValidation.portName(text, field: "\(field).targetPort")
            case nil: break
            }
            if let nodePort = port.nodePort, nodePort != 0 {
                if type == "ClusterIP" {
                    errors.append(.forbidden("\(field).nodePort", "may not be used when `type` is 'ClusterIP'"))
                } else {
                    errors += BuiltinValidation.portNumber(nodePort, field: "\(field).nodePort")
                }
            }
        }
        if let affinity = spec.sessionAffinity {
            errors += BuiltinValidation.supported(affinity, ["ClientIP", "None"], field: "spec.sessionAffinity")
        }
        if let policy = spec.externalTrafficPolicy {
            errors += BuiltinValidation.supported(policy, ["Cluster", "Local"], field: "spec.externalTrafficPolicy")
        }
        if let policy = spec.internalTrafficPolicy {
            errors += BuiltinValidation.supported(policy, ["Cluster", "Local"], field: "spec.internalTrafficPolicy")
        }
        return errors
    }

    /// A cluster IP may not change once set (except when the service becomes `ExternalName`).
    public func validateUpdate(from old: Service) -> [FieldError] {
        var errors = validate()
        if let oldIP = old.spec?.clusterIP, !oldIP.isEmpty, spec?.type != "ExternalName",
            old.spec?.type != "ExternalName", (spec?.clusterIP ?? "") != oldIP
        {
            errors.append(
                .invalid(
                    "spec.clusterIPs[0]", value: BuiltinValidation.quoted(spec?.clusterIP ?? ""),
                    "may not change once set"))
        }
        return errors
    }

    public static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema.objectMeta.merging(
        StrategicMergeSchema(listMergeKeys: ["spec.ports": "port", "status.conditions": "type"])
    )
}
