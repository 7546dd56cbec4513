extension Pod: Resource {
    public static let descriptor = ResourceDescriptor(
        group: "", version: "v1", kind: "Pod", plural: "pods", shortNames: ["po"], categories: ["all"],
        hasStatus: true,
        selectableFields: [
            "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
        ],
        allowsUnconditionalUpdate: true
    )

    /// Pod spec defaults and service links enabled; requests default to limits; host-network pods publish their
    /// container ports on the host; a new pod's status starts `Pending` with its QoS class (what Kubernetes' pod
    /// strategy sets on create).
    public mutating func applyDefaults() {
        var spec = self.spec ?? PodSpec()
        for keyPath in [\PodSpec.containers, \PodSpec.initContainers] {
            guard var containers = spec[keyPath: keyPath] else { continue }
            for index in containers.indices {
                if var resources = containers[index].resources, let limits = resources.limits {
                    var requests = resources.requests ?? [:]
                    for (name, limit) in limits where requests[name] == nil { requests[name] = limit }
                    resources.requests = requests
                    containers[index].resources = resources
                }
                if spec.hostNetwork == true, let ports = containers[index].ports {
                    containers[index].ports = ports.map { port in
                        var port = port
                        if port.hostPort == nil { port.hostPort = port.containerPort }
                        return port
                    }
                }
            }
            spec[keyPath: keyPath] = containers
        }
        if spec.enableServiceLinks == nil { spec.enableServiceLinks = true }
        spec.applyDefaults()
        self.spec = spec
        if status == nil { status = PodStatus(phase: "Pending", qosClass: spec.qosClass) }
    }

    public func validate() -> [FieldError] {
        guard let spec else { return [.required("spec")] }
        return spec.validate(path: "spec")
    }

    /// Pod specs are immutable except container images, `activeDeadlineSeconds`, additions to tolerations,
    /// removal of scheduling gates and setting `nodeName` when it was unset (binding).
    public func validateUpdate(from old: Pod) -> [FieldError] {
        var errors = validate()
        guard var new = spec, let old = old.spec else { return errors }
        if let oldNode = old.nodeName, !oldNode.isEmpty, new.nodeName != oldNode {
            errors.append(
                .invalid(
                    "spec.nodeName", value: BuiltinValidation.quoted(new.nodeName ?? ""),
                    "field is immutable once set"))
        }
        new.nodeName = old.nodeName
        for keyPath in [\PodSpec.containers, \PodSpec.initContainers] {
            guard let count = new[keyPath: keyPath]?.count, count == old[keyPath: keyPath]?.count else { continue }
            for index in 0..<count { new[keyPath: keyPath]![index].image = old[keyPath: keyPath]![index].image }
        }
        new.activeDeadlineSeconds = old.activeDeadlineSeconds
        if (old.tolerations ?? []).allSatisfy({ (new.tolerations ?? []).contains($0) }) {
            new.tolerations = old.tolerations
        }
        if (new.schedulingGates ?? []).allSatisfy({ (old.schedulingGates ?? []).contains($0) }) {
            new.schedulingGates = old.schedulingGates
        }
        if let grace = old.terminationGracePeriodSeconds, grace < 0, new.terminationGracePeriodSeconds == 1 {
            new.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds
        }
        if new != old {
            errors.append(
                .forbidden(
                    "spec",
                    "pod updates may not change fields other than `spec.containers[*].image`,"
                        + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
                        + "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                        + "(allow it to be set to 1 if it was previously negative)"))
        }
        return errors
    }

    /// Kubernetes' graceful deletion of Pods: a Pod on a node gets its grace period (the request's, else
    /// `spec.terminationGracePeriodSeconds`, default 30 s) for its kubelet to stop it; a Pod never scheduled,
    /// or already finished, goes at once.
    public func deletionGracePeriod(requested: Int64?) -> Int64? {
        guard let node = spec?.nodeName, !node.isEmpty else { return 0 }
        if let phase = status?.phase, phase == "Succeeded" || phase == "Failed" { return 0 }
        return max(0, requested ?? spec?.terminationGracePeriodSeconds ?? 30)
    }

    public func fieldValue(_ path: String) -> String? {
        switch path {
        case "metadata.name": metadata.name
        case "metadata.namespace": metadata.namespace
        case "spec.nodeName": spec?.nodeName ?? ""
        case "spec.restartPolicy": spec?.restartPolicy ?? ""
        case "spec.schedulerName": spec?.schedulerName ?? ""
        case "spec.serviceAccountName": spec?.serviceAccountName ?? ""
        case "spec.hostNetwork": String(spec?.hostNetwork ?? false)
        case "status.phase": status?.phase ?? ""
        case "status.podIP": status?.podIPs?.first?.ip ?? status?.podIP ?? ""
        case "status.nominatedNodeName": status?.nominatedNodeName ?? ""
        default: nil
        }
    }

    public static let strategicMergeSchema: StrategicMergeSchema? = StrategicMergeSchema.objectMeta
        .merging(PodSpec.strategicMergeSchema.nested(under: "spec"))
        .merging(
            StrategicMergeSchema(listMergeKeys: [
                "status.conditions": "type", "status.podIPs": "ip", "status.hostIPs": "ip",
            ]))
}

extension PodSpec {
    /// The `patchMergeKey` tags of the pod spec, relative to the spec.
    public static let strategicMergeSchema: StrategicMergeSchema = {
        var keys: [String: String] = [
            "volumes": "name", "imagePullSecrets": "name", "hostAliases": "ip",
            "topologySpreadConstraints": "topologyKey",
            "schedulingGates": "name",
        ]
        for list in ["containers", "initContainers"] {
            keys[list] = "name"
            keys["\(list).ports"] = "containerPort"
            keys["\(list).env"] = "name"
            keys["\(list).volumeMounts"] = "mountPath"
            keys["\(list).volumeDevices"] = "devicePath"
        }
        return StrategicMergeSchema(listMergeKeys: keys)
    }()
}

extension PodTemplateSpec {
    /// The template's metadata and spec merge keys, relative to the template.
    public static let strategicMergeSchema: StrategicMergeSchema = StrategicMergeSchema.objectMeta
        .merging(PodSpec.strategicMergeSchema.nested(under: "spec"))

    /// Fills the pod spec defaults (an absent spec stays absent).
    public mutating func applyDefaults() { spec?.applyDefaults() }
}
