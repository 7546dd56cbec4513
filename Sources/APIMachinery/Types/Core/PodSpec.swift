/// What a pod runs and where it may be scheduled (core/v1 `PodSpec`).
public struct PodSpec: Sendable, Hashable, Codable {
    public var volumes: [Volume]?
    public var initContainers: [Container]?
    public var containers: [Container]?
    /// `Always` (default), `OnFailure` or `Never`.
    public var restartPolicy: String?
    public var terminationGracePeriodSeconds: Int64?
    public var activeDeadlineSeconds: Int64?
    public var dnsPolicy: String?
    public var nodeSelector: [String: String]?
    public var serviceAccountName: String?
    /// Deprecated alias of `serviceAccountName`.
    public var serviceAccount: String?
    public var automountServiceAccountToken: Bool?
    /// The node the pod is bound to; set by the scheduler's binding.
    public var nodeName: String?
    public var hostNetwork: Bool?
    public var hostPID: Bool?
    public var hostIPC: Bool?
    public var shareProcessNamespace: Bool?
    public var securityContext: PodSecurityContext?
    public var imagePullSecrets: [LocalObjectReference]?
    public var hostname: String?
    public var subdomain: String?
    public var affinity: Affinity?
    public var schedulerName: String?
    public var tolerations: [Toleration]?
    public var hostAliases: [HostAlias]?
    public var priorityClassName: String?
    public var priority: Int32?
    public var dnsConfig: PodDNSConfig?
    public var readinessGates: [PodReadinessGate]?
    public var runtimeClassName: String?
    public var enableServiceLinks: Bool?
    public var preemptionPolicy: String?
    public var overhead: [String: Quantity]?
    public var topologySpreadConstraints: [TopologySpreadConstraint]?
    public var setHostnameAsFQDN: Bool?
    public var os: PodOS?
    public var hostUsers: Bool?
    public var schedulingGates: [PodSchedulingGate]?
    /// Pod-level resources.
    public var resources: ResourceRequirements?

    public init(
        volumes: [Volume]? = nil, initContainers: [Container]? = nil, containers: [Container]? = nil,
        restartPolicy: String? = nil, terminationGracePeriodSeconds: Int64? = nil,
        activeDeadlineSeconds: Int64? = nil, dnsPolicy: String? = nil, nodeSelector: [String: String]? = nil,
        serviceAccountName: String? = nil, serviceAccount: String? = nil, automountServiceAccountToken: Bool? = nil,
        nodeName: String? = nil, hostNetwork: Bool? = nil, hostPID: Bool? = nil, hostIPC: Bool? = nil,
        shareProcessNamespace: Bool? = nil, securityContext: PodSecurityContext? = nil,
        imagePullSecrets: [LocalObjectReference]? = nil, hostname: String? = nil, subdomain: String? = nil,
        affinity: Affinity? = nil, schedulerName: String? = nil, tolerations: [Toleration]? = nil,
        hostAliases: [HostAlias]? = nil, priorityClassName: String? = nil, priority: Int32? = nil,
        dnsConfig: PodDNSConfig? = nil, readinessGates: [PodReadinessGate]? = nil, runtimeClassName: String? = nil,
        enableServiceLinks: Bool? = nil, preemptionPolicy: String? = nil, overhead: [String: Quantity]? = nil,
        topologySpreadConstraints: [TopologySpreadConstraint]? = nil, setHostnameAsFQDN: Bool? = nil,
        os: PodOS? = nil, hostUsers: Bool? = nil, schedulingGates: [PodSchedulingGate]? = nil,
        resources: ResourceRequirements? = nil
    ) {
        self.volumes = volumes
        self.initContainers = initContainers
        self.containers = containers
        self.restartPolicy = restartPolicy
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.dnsPolicy = dnsPolicy
        self.nodeSelector = nodeSelector
        self.serviceAccountName = serviceAccountName
        self.serviceAccount = serviceAccount
        self.automountServiceAccountToken = automountServiceAccountToken
        self.nodeName = nodeName
        self.hostNetwork = hostNetwork
        self.hostPID = hostPID
        self.hostIPC = hostIPC
        self.shareProcessNamespace = shareProcessNamespace
        self.securityContext = securityContext
        self.imagePullSecrets = imagePullSecrets
        self.hostname = hostname
        self.subdomain = subdomain
        self.affinity = affinity
        self.schedulerName = schedulerName
        self.tolerations = tolerations
        self.hostAliases = hostAliases
        self.priorityClassName = priorityClassName
        self.priority = priority
        self.dnsConfig = dnsConfig
        self.readinessGates = readinessGates
        self.runtimeClassName = runtimeClassName
        self.enableServiceLinks = enableServiceLinks
        self.preemptionPolicy = preemptionPolicy
        self.overhead = overhead
        self.topologySpreadConstraints = topologySpreadConstraints
        self.setHostnameAsFQDN = setHostnameAsFQDN
        self.os = os
        self.hostUsers = hostUsers
        self.schedulingGates = schedulingGates
        self.resources = resources
    }
}

/// Pod-level security settings (the commonly used subset).
public struct PodSecurityContext: Sendable, Hashable, Codable {
    public var seLinuxOptions: SELinuxOptions?
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var supplementalGroups: [Int64]?
    public var supplementalGroupsPolicy: String?
    public var fsGroup: Int64?
    public var sysctls: [Sysctl]?
    public var fsGroupChangePolicy: String?
    public var seccompProfile: SeccompProfile?
    public var appArmorProfile: AppArmorProfile?

    public init(
        seLinuxOptions: SELinuxOptions? = nil, runAsUser: Int64? = nil, runAsGroup: Int64? = nil,
        runAsNonRoot: Bool? = nil, supplementalGroups: [Int64]? = nil, supplementalGroupsPolicy: String? = nil,
        fsGroup: Int64? = nil, sysctls: [Sysctl]? = nil, fsGroupChangePolicy: String? = nil,
        seccompProfile: SeccompProfile? = nil, appArmorProfile: AppArmorProfile? = nil
    ) {
        self.seLinuxOptions = seLinuxOptions
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.supplementalGroups = supplementalGroups
        self.supplementalGroupsPolicy = supplementalGroupsPolicy
        self.fsGroup = fsGroup
        self.sysctls = sysctls
        self.fsGroupChangePolicy = fsGroupChangePolicy
        self.seccompProfile = seccompProfile
        self.appArmorProfile = appArmorProfile
    }
}

/// A namespaced kernel parameter.
public struct Sysctl: Sendable, Hashable, Codable {
    public var name: String?
    public var value: String?

    public init(name: String? = nil, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// Lets a pod schedule onto (or stay on) a node with a matching taint.
public struct Toleration: Sendable, Hashable, Codable {
    public var key: String?
    /// `Exists` or `Equal` (default).
    public var `operator`: String?
    public var value: String?
    public var effect: String?
    /// How long a `NoExecute` taint is tolerated.
    public var tolerationSeconds: Int64?

    public init(
        key: String? = nil, operator: String? = nil, value: String? = nil, effect: String? = nil,
        tolerationSeconds: Int64? = nil
    ) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }
}

/// How evenly matching pods spread across a topology domain.
public struct TopologySpreadConstraint: Sendable, Hashable, Codable {
    public var maxSkew: Int32?
    public var topologyKey: String?
    /// `DoNotSchedule` or `ScheduleAnyway`.
    public var whenUnsatisfiable: String?
    public var labelSelector: LabelSelector?
    public var minDomains: Int32?
    public var nodeAffinityPolicy: String?
    public var nodeTaintsPolicy: String?
    public var matchLabelKeys: [String]?

    public init(
        maxSkew: Int32? = nil, topologyKey: String? = nil, whenUnsatisfiable: String? = nil,
        labelSelector: LabelSelector? = nil, minDomains: Int32? = nil, nodeAffinityPolicy: String? = nil,
        nodeTaintsPolicy: String? = nil, matchLabelKeys: [String]? = nil
    ) {
        self.maxSkew = maxSkew
        self.topologyKey = topologyKey
        self.whenUnsatisfiable = whenUnsatisfiable
        self.labelSelector = labelSelector
        self.minDomains = minDomains
        self.nodeAffinityPolicy = nodeAffinityPolicy
        self.nodeTaintsPolicy = nodeTaintsPolicy
        self.matchLabelKeys = matchLabelKeys
    }
}

/// An extra condition the pod needs to be ready.
public struct PodReadinessGate: Sendable, Hashable, Codable {
    public var conditionType: String?

    public init(conditionType: String? = nil) {
        self.conditionType = conditionType
    }
}

/// A gate that keeps the pod from being scheduled while present.
public struct PodSchedulingGate: Sendable, Hashable, Codable {
    public var name: String?

    public init(name: String? = nil) {
        self.name = name
    }
}

/// An /etc/hosts entry.
public struct HostAlias: Sendable, Hashable, Codable {
    public var ip: String?
    public var hostnames: [String]?

    public init(ip: String? = nil, hostnames: [String]? = nil) {
        self.ip = ip
        self.hostnames = hostnames
    }
}

/// DNS settings merged with those from `dnsPolicy`.
public struct PodDNSConfig: Sendable, Hashable, Codable {
    public var nameservers: [String]?
    public var searches: [String]?
    public var options: [PodDNSConfigOption]?

    public init(nameservers: [String]? = nil, searches: [String]? = nil, options: [PodDNSConfigOption]? = nil) {
        self.nameservers = nameservers
        self.searches = searches
        self.options = options
    }
}

/// A resolver option.
public struct PodDNSConfigOption: Sendable, Hashable, Codable {
    public var name: String?
    public var value: String?

    public init(name: String? = nil, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// The operating system a pod's containers need.
public struct PodOS: Sendable, Hashable, Codable {
    public var name: String?

    public init(name: String? = nil) {
        self.name = name
    }
}

/// A pod's metadata and spec as a workload controller stamps it out.
public struct PodTemplateSpec: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var spec: PodSpec?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: PodSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey {
        case metadata, spec
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(PodSpec.self, forKey: .spec)
    }
}
