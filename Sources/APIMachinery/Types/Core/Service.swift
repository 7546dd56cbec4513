/// A stable virtual address for a set of pods (core/v1 `Service`).
public struct Service: Sendable, Hashable, Codable {
    public var metadata: ObjectMeta
    public var spec: ServiceSpec?
    public var status: ServiceStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ServiceSpec? = nil, status: ServiceStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case metadata, spec, status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(ServiceSpec.self, forKey: .spec)
        status = try container.decodeIfPresent(ServiceStatus.self, forKey: .status)
    }
}

/// How a service is exposed and which pods back it.
public struct ServiceSpec: Sendable, Hashable, Codable {
    public var ports: [ServicePort]?
    public var selector: [String: String]?
    public var clusterIP: String?
    public var clusterIPs: [String]?
    /// `ClusterIP` (default), `NodePort`, `LoadBalancer` or `ExternalName`.
    public var type: String?
    public var externalIPs: [String]?
    public var sessionAffinity: String?
    public var loadBalancerIP: String?
    public var loadBalancerSourceRanges: [String]?
    public var externalName: String?
    public var externalTrafficPolicy: String?
    public var healthCheckNodePort: Int32?
    public var publishNotReadyAddresses: Bool?
    public var sessionAffinityConfig: SessionAffinityConfig?
    public var ipFamilies: [String]?
    public var ipFamilyPolicy: String?
    public var allocateLoadBalancerNodePorts: Bool?
    public var loadBalancerClass: String?
    public var internalTrafficPolicy: String?
    public var trafficDistribution: String?

    public init(
        ports: [ServicePort]? = nil, selector: [String: String]? = nil, clusterIP: String? = nil,
        clusterIPs: [String]? = nil, type: String? = nil, externalIPs: [String]? = nil,
        sessionAffinity: String? = nil, loadBalancerIP: String? = nil, loadBalancerSourceRanges: [String]? = nil,
        externalName: String? = nil, externalTrafficPolicy: String? = nil, healthCheckNodePort: Int32? = nil,
        publishNotReadyAddresses: Bool? = nil, sessionAffinityConfig: SessionAffinityConfig? = nil,
        ipFamilies: [String]? = nil, ipFamilyPolicy: String? = nil, allocateLoadBalancerNodePorts: Bool? = nil,
        loadBalancerClass: String? = nil, internalTrafficPolicy: String? = nil, trafficDistribution: String? = nil
    ) {
        self.ports = ports
        self.selector = selector
        self.clusterIP = clusterIP
        self.clusterIPs = clusterIPs
        self.type = type
        self.externalIPs = externalIPs
        self.sessionAffinity = sessionAffinity
        self.loadBalancerIP = loadBalancerIP
        self.loadBalancerSourceRanges = loadBalancerSourceRanges
        self.externalName = externalName
        self.externalTrafficPolicy = externalTrafficPolicy
        self.healthCheckNodePort = healthCheckNodePort
        self.publishNotReadyAddresses = publishNotReadyAddresses
        self.sessionAffinityConfig = sessionAffinityConfig
        self.ipFamilies = ipFamilies
        self.ipFamilyPolicy = ipFamilyPolicy
        self.allocateLoadBalancerNodePorts = allocateLoadBalancerNodePorts
        self.loadBalancerClass = loadBalancerClass
        self.internalTrafficPolicy = internalTrafficPolicy
        self.trafficDistribution = trafficDistribution
    }
}

/// One port a service exposes and where it forwards.
public struct ServicePort: Sendable, Hashable, Codable {
    public var name: String?
    public var `protocol`: String?
    public var appProtocol: String?
    public var port: Int32?
    /// A number or a container port name.
    public var targetPort: IntOrString?
    public var nodePort: Int32?

    public init(
        name: String? = nil, protocol: String? = nil, appProtocol: String? = nil, port: Int32? = nil,
        targetPort: IntOrString? = nil, nodePort: Int32? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.appProtocol = appProtocol
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
    }
}

/// Session affinity settings.
public struct SessionAffinityConfig: Sendable, Hashable, Codable {
    public var clientIP: ClientIPConfig?

    public init(clientIP: ClientIPConfig? = nil) {
        self.clientIP = clientIP
    }
}

/// Client-IP session affinity settings.
public struct ClientIPConfig: Sendable, Hashable, Codable {
    public var timeoutSeconds: Int32?

    public init(timeoutSeconds: Int32? = nil) {
        self.timeoutSeconds = timeoutSeconds
    }
}

/// What is observed about a service.
public struct ServiceStatus: Sendable, Hashable, Codable {
    public var loadBalancer: LoadBalancerStatus?
    public var conditions: [Condition]?

    public init(loadBalancer: LoadBalancerStatus? = nil, conditions: [Condition]? = nil) {
        self.loadBalancer = loadBalancer
        self.conditions = conditions
    }
}

/// A load balancer's ingress points.
public struct LoadBalancerStatus: Sendable, Hashable, Codable {
    public var ingress: [LoadBalancerIngress]?

    public init(ingress: [LoadBalancerIngress]? = nil) {
        self.ingress = ingress
    }
}

/// One ingress point of a load balancer.
public struct LoadBalancerIngress: Sendable, Hashable, Codable {
    public var ip: String?
    public var hostname: String?
    public var ipMode: String?
    public var ports: [PortStatus]?

    public init(ip: String? = nil, hostname: String? = nil, ipMode: String? = nil, ports: [PortStatus]? = nil) {
        self.ip = ip
        self.hostname = hostname
        self.ipMode = ipMode
        self.ports = ports
    }
}

/// The state of one load balancer port.
public struct PortStatus: Sendable, Hashable, Codable {
    public var port: Int32?
    public var `protocol`: String?
    public var error: String?

    public init(port: Int32? = nil, protocol: String? = nil, error: String? = nil) {
        self.port = port
        self.protocol = `protocol`
        self.error = error
    }
}
