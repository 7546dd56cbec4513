// Validation of pod specs, after Kubernetes' pkg/apis/core/validation (the rules that matter most).

extension PodSpec {
    static let restartPolicies = ["Always", "Never", "OnFailure"]
    static let dnsPolicies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]
    static let pullPolicies = ["Always", "IfNotPresent", "Never"]
    static let taintEffects = ["NoExecute", "NoSchedule", "PreferNoSchedule"]

    /// Validates a pod spec found at `path` (`spec`, or `spec.template.spec` in a workload).
    func validate(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        var volumeNames: Set<String> = []
        for (index, volume) in (volumes ?? []).enumerated() {
            let field = "\(path).volumes[\(index)].name"
            let name = volume.name ?? ""
            errors += BuiltinValidation.dns1123Label(name, field: field)
            if !name.isEmpty && !volumeNames.insert(name).inserted {
                errors.append(.duplicate(field, value: BuiltinValidation.quoted(name)))
            }
        }
        var containerNames: Set<String> = []
        for (index, container) in (initContainers ?? []).enumerated() {
            errors += container.validate(path: "\(path).initContainers[\(index)]", names: &containerNames)
        }
        if (containers ?? []).isEmpty { errors.append(.required("\(path).containers")) }
        for (index, container) in (containers ?? []).enumerated() {
            errors += container.validate(path: "\(path).containers[\(index)]", names: &containerNames)
        }
        errors += BuiltinValidation.supported(restartPolicy, Self.restartPolicies, field: "\(path).restartPolicy")
        if let dnsPolicy {
            errors += BuiltinValidation.supported(dnsPolicy, Self.dnsPolicies, field: "\(path).dnsPolicy")
        }
        errors += BuiltinValidation.nonNegative(
            terminationGracePeriodSeconds, field: "\(path).terminationGracePeriodSeconds")
        if let activeDeadlineSeconds, activeDeadlineSeconds <= 0 {
            errors.append(
                .invalid(
                    "\(path).activeDeadlineSeconds", value: String(activeDeadlineSeconds),
                    "must be between 1 and 2147483647, inclusive"))
        }
        for (index, toleration) in (tolerations ?? []).enumerated() {
            errors += toleration.validate(path: "\(path).tolerations[\(index)]")
        }
        for (index, constraint) in (topologySpreadConstraints ?? []).enumerated() {
            let field = "\(path).topologySpreadConstraints[\(index)]"
            if let maxSkew = constraint.maxSkew, maxSkew <= 0 {
                errors.append(.invalid("\(field).maxSkew", value: String(maxSkew), "must be greater than zero"))
            } else if constraint.maxSkew == nil {
                errors.append(.required("\(field).maxSkew"))
            }
            if (constraint.topologyKey ?? "").isEmpty {
                errors.append(.required("\(field).topologyKey", "can not be empty"))
            }
            errors += BuiltinValidation.supported(
                constraint.whenUnsatisfiable, ["DoNotSchedule", "ScheduleAnyway"],
                field: "\(field).whenUnsatisfiable")
        }
        if let preemptionPolicy {
            errors += BuiltinValidation.supported(
                preemptionPolicy, ["Never", "PreemptLowerPriority"],
                field: "\(path).preemptionPolicy")
        }
        for (index, gate) in (schedulingGates ?? []).enumerated() where (gate.name ?? "").isEmpty {
            errors.append(.required("\(path).schedulingGates[\(index)].name"))
        }
        return errors
    }
}

extension Container {
    func validate(path: String, names: inout Set<String>) -> [FieldError] {
        var errors: [FieldError] = []
        let name = self.name ?? ""
        errors += BuiltinValidation.dns1123Label(name, field: "\(path).name")
        if !name.isEmpty && !names.insert(name).inserted {
            errors.append(.duplicate("\(path).name", value: BuiltinValidation.quoted(name)))
        }
        if (image ?? "").trimmingSpaces.isEmpty { errors.append(.required("\(path).image")) }
        var portNames: Set<String> = []
        for (index, port) in (ports ?? []).enumerated() {
            let field = "\(path).ports[\(index)]"
            if let portName = port.name, !portName.isEmpty {
                errors += BuiltinValidation.portName(portName, field: "\(field).name")
                if !portNames.insert(portName).inserted {
                    errors.append(.duplicate("\(field).name", value: BuiltinValidation.quoted(portName)))
                }
            }
            errors += BuiltinValidation.portNumber(port.containerPort, field: "\(field).containerPort")
            if let hostPort = port.hostPort, hostPort != 0 {
                errors += BuiltinValidation.portNumber(hostPort, field: "\(field).hostPort")
            }
            errors += BuiltinValidation.supported(
                port.protocol, BuiltinValidation.supportedProtocols,
                field: "\(field).protocol")
        }
        for (index, variable) in (env ?? []).enumerated() where (variable.name ?? "").isEmpty {
            errors.append(.required("\(path).env[\(index)].name"))
        }
        for (index, mount) in (volumeMounts ?? []).enumerated() {
            if (mount.name ?? "").isEmpty { errors.append(.required("\(path).volumeMounts[\(index)].name")) }
            if (mount.mountPath ?? "").isEmpty { errors.append(.required("\(path).volumeMounts[\(index)].mountPath")) }
        }
        if let resources {
            let limits = resources.limits ?? [:]
            for name in (resources.requests ?? [:]).keys.sorted() {
                let request = resources.requests![name]!
                if let limit = limits[name], request > limit {
                    errors.append(
                        .invalid(
                            "\(path).resources.requests[\(name)]",
                            value: BuiltinValidation.quoted("\(request)"),
                            "must be less than or equal to \(name) limit of \(limit)"))
                }
            }
        }
        if let imagePullPolicy {
            errors += BuiltinValidation.supported(
                imagePullPolicy, PodSpec.pullPolicies, field: "\(path).imagePullPolicy")
        }
        if let terminationMessagePolicy {
            errors += BuiltinValidation.supported(
                terminationMessagePolicy, ["FallbackToLogsOnError", "File"],
                field: "\(path).terminationMessagePolicy")
        }
        for (probe, key) in [
            (livenessProbe, "livenessProbe"), (readinessProbe, "readinessProbe"),
            (startupProbe, "startupProbe"),
        ] {
            guard let probe else { continue }
            let handlers = [probe.exec != nil, probe.httpGet != nil, probe.tcpSocket != nil, probe.grpc != nil]
                .filter { $0 }.count
            if handlers == 0 {
                errors.append(.required("\(path).\(key)", "must specify a handler type"))
            } else if handlers > 1 {
                errors.append(.forbidden("\(path).\(key)", "may not specify more than 1 handler type"))
            }
            for (value, field) in [
                (probe.initialDelaySeconds, "initialDelaySeconds"),
                (probe.timeoutSeconds, "timeoutSeconds"), (probe.periodSeconds, "periodSeconds"),
                (probe.successThreshold, "successThreshold"), (probe.failureThreshold, "failureThreshold"),
            ] {
                errors += BuiltinValidation.nonNegative(value, field: "\(path).\(key).\(field)")
            }
        }
        return errors
    }
}

extension Toleration {
    func validate(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        switch self.operator ?? "Equal" {
        case "Equal":
            if (key ?? "").isEmpty {
                errors.append(
                    .invalid(
                        "\(path).operator", value: BuiltinValidation.quoted("Equal"),
                        "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
            }
        case "Exists":
            if let value, !value.isEmpty {
                errors.append(
                    .invalid(
                        "\(path).operator", value: BuiltinValidation.quoted(value),
                        "value must be empty when `operator` is 'Exists'"))
            }
        default:
            errors.append(
                .notSupported(
                    "\(path).operator", value: BuiltinValidation.quoted(self.operator!),
                    supported: ["Equal", "Exists"]))
        }
        if let effect, !effect.isEmpty {
            errors += BuiltinValidation.supported(effect, PodSpec.taintEffects, field: "\(path).effect")
            if tolerationSeconds != nil && effect != "NoExecute" {
                errors.append(
                    .invalid(
                        "\(path).effect", value: BuiltinValidation.quoted(effect),
                        "effect must be 'NoExecute' when `tolerationSeconds` is set"))
            }
        }
        return errors
    }
}

fileprivate extension String {
    var trimmingSpaces: Substring {
        var text = self[...]
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return text
    }
}
