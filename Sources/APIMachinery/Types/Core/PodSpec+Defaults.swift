// Defaulting of pod specs, containers and volumes, after Kubernetes' pkg/apis/core/v1/defaults.go.

extension Container {
    /// `Always` for an image without a tag or tagged `latest`, else `IfNotPresent` (a digest counts as pinned).
    public static func defaultImagePullPolicy(image: String?) -> String {
        guard let image, !image.isEmpty else { return "Always" }
        let bytes = image.utf8
        if bytes.contains(UInt8(ascii: "@")) { return "IfNotPresent" }
        // The tag is what follows the last ':' after the last '/' (a registry port is not a tag).
        let lastComponent = bytes.lastIndex(of: UInt8(ascii: "/")).map { bytes[bytes.index(after: $0)...] } ?? bytes[...]
        guard let colon = lastComponent.lastIndex(of: UInt8(ascii: ":")) else { return "Always" }
        return lastComponent[lastComponent.index(after: colon)...].elementsEqual("latest".utf8) ? "Always" : "IfNotPresent"
    }

    /// Fills the defaults Kubernetes gives a container: pull policy, termination message path and policy,
    /// port protocols, probe timings, field reference versions and an empty `resources`.
    public mutating func applyDefaults() {
        if imagePullPolicy == nil { imagePullPolicy = Container.defaultImagePullPolicy(image: image) }
        if terminationMessagePath == nil { terminationMessagePath = "/dev/termination-log" }
        if terminationMessagePolicy == nil { terminationMessagePolicy = "File" }
        if resources == nil { resources = ResourceRequirements() }
        if let count = ports?.count {
            for index in 0..<count where ports![index].protocol == nil { ports![index].protocol = "TCP" }
        }
        if let count = env?.count {
            for index in 0..<count where env![index].valueFrom?.fieldRef != nil {
                if env![index].valueFrom!.fieldRef!.apiVersion == nil {
                    env![index].valueFrom!.fieldRef!.apiVersion = "v1"
                }
            }
        }
        livenessProbe?.applyDefaults()
        readinessProbe?.applyDefaults()
        startupProbe?.applyDefaults()
        lifecycle?.postStart?.httpGet?.applyDefaults()
        lifecycle?.preStop?.httpGet?.applyDefaults()
    }
}

extension Probe {
    /// Timeout 1 s, period 10 s, success threshold 1, failure threshold 3; HTTP path `/` over `HTTP`.
    public mutating func applyDefaults() {
        if timeoutSeconds == nil { timeoutSeconds = 1 }
        if periodSeconds == nil { periodSeconds = 10 }
        if successThreshold == nil { successThreshold = 1 }
        if failureThreshold == nil { failureThreshold = 3 }
        httpGet?.applyDefaults()
    }
}

extension HTTPGetAction {
    public mutating func applyDefaults() {
        if path == nil { path = "/" }
        if scheme == nil { scheme = "HTTP" }
    }
}

extension Volume {
    /// An `emptyDir` when no source is given; file mode 0644 (420) for Secret, ConfigMap, downward API and
    /// projected volumes; an empty host path type.
    public mutating func applyDefaults() {
        if hostPath == nil, emptyDir == nil, secret == nil, nfs == nil, persistentVolumeClaim == nil,
            downwardAPI == nil, configMap == nil, projected == nil, csi == nil, ephemeral == nil
        {
            emptyDir = EmptyDirVolumeSource()
        }
        if hostPath != nil, hostPath!.type == nil { hostPath!.type = "" }
        if secret != nil, secret!.defaultMode == nil { secret!.defaultMode = 420 }
        if configMap != nil, configMap!.defaultMode == nil { configMap!.defaultMode = 420 }
        if downwardAPI != nil {
            if downwardAPI!.defaultMode == nil { downwardAPI!.defaultMode = 420 }
            Volume.defaultFieldRefs(&downwardAPI!.items)
        }
        if projected != nil {
            if projected!.defaultMode == nil { projected!.defaultMode = 420 }
            if let count = projected!.sources?.count {
                for index in 0..<count where projected!.sources![index].downwardAPI != nil {
                    Volume.defaultFieldRefs(&projected!.sources![index].downwardAPI!.items)
                }
            }
        }
    }

    static func defaultFieldRefs(_ items: inout [DownwardAPIVolumeFile]?) {
        guard let count = items?.count else { return }
        for index in 0..<count where items![index].fieldRef != nil && items![index].fieldRef!.apiVersion == nil {
            items![index].fieldRef!.apiVersion = "v1"
        }
    }
}

extension PodSpec {
    /// Kubernetes' pod spec defaults: restart policy `Always`, DNS policy `ClusterFirst`, grace period 30 s,
    /// an empty security context, scheduler `default-scheduler`, plus every container's
    /// and volume's defaults. The deprecated `serviceAccount` mirrors `serviceAccountName`.
    public mutating func applyDefaults() {
        if restartPolicy == nil { restartPolicy = "Always" }
        if dnsPolicy == nil { dnsPolicy = "ClusterFirst" }
        if terminationGracePeriodSeconds == nil { terminationGracePeriodSeconds = 30 }
        if securityContext == nil { securityContext = PodSecurityContext() }
        if schedulerName == nil { schedulerName = "default-scheduler" }
        if serviceAccountName == nil, let serviceAccount { serviceAccountName = serviceAccount }
        if let serviceAccountName { serviceAccount = serviceAccountName }
        if let count = containers?.count { for index in 0..<count { containers![index].applyDefaults() } }
        if let count = initContainers?.count { for index in 0..<count { initContainers![index].applyDefaults() } }
        if let count = volumes?.count { for index in 0..<count { volumes![index].applyDefaults() } }
    }

    /// The pod's quality-of-service class: `Guaranteed` when every container limits CPU and memory and
    /// requests equal limits, `BestEffort` when nothing is requested or limited, else `Burstable`.
    public var qosClass: String {
        let all = (initContainers ?? []) + (containers ?? [])
        var anySet = false
        var guaranteed = !all.isEmpty
        for container in all {
            let requests = container.resources?.requests ?? [:]
            let limits = container.resources?.limits ?? [:]
            let relevant = { (name: String) in name == "cpu" || name == "memory" || name.hasPrefix("hugepages-") }
            if requests.keys.contains(where: relevant) || limits.keys.contains(where: relevant) { anySet = true }
            guard limits["cpu"] != nil, limits["memory"] != nil else {
                guaranteed = false
                continue
            }
            for (name, request) in requests where relevant(name) && limits[name] != request { guaranteed = false }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
