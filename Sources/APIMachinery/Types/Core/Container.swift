/// One container of a pod (core/v1 `Container`).
public struct Container: Sendable, Hashable, Codable {
    /// A DNS-1123 label, unique within the pod.
    public var name: String?
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var ports: [ContainerPort]?
    public var envFrom: [EnvFromSource]?
    public var env: [EnvVar]?
    public var resources: ResourceRequirements?
    public var resizePolicy: [ContainerResizePolicy]?
    /// Only `Always`, for sidecar init containers.
    public var restartPolicy: String?
    public var volumeMounts: [VolumeMount]?
    public var volumeDevices: [VolumeDevice]?
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    public var lifecycle: Lifecycle?
    public var terminationMessagePath: String?
    public var terminationMessagePolicy: String?
    /// `Always`, `IfNotPresent` or `Never`.
    public var imagePullPolicy: String?
    public var securityContext: SecurityContext?
    public var stdin: Bool?
    public var stdinOnce: Bool?
    public var tty: Bool?

    public init(
        name: String? = nil, image: String? = nil, command: [String]? = nil, args: [String]? = nil,
        workingDir: String? = nil, ports: [ContainerPort]? = nil, envFrom: [EnvFromSource]? = nil,
        env: [EnvVar]? = nil, resources: ResourceRequirements? = nil, resizePolicy: [ContainerResizePolicy]? = nil,
        restartPolicy: String? = nil, volumeMounts: [VolumeMount]? = nil, volumeDevices: [VolumeDevice]? = nil,
        livenessProbe: Probe? = nil, readinessProbe: Probe? = nil, startupProbe: Probe? = nil,
        lifecycle: Lifecycle? = nil, terminationMessagePath: String? = nil, terminationMessagePolicy: String? = nil,
        imagePullPolicy: String? = nil, securityContext: SecurityContext? = nil, stdin: Bool? = nil,
        stdinOnce: Bool? = nil, tty: Bool? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.workingDir = workingDir
        self.ports = ports
        self.envFrom = envFrom
        self.env = env
        self.resources = resources
        self.resizePolicy = resizePolicy
        self.restartPolicy = restartPolicy
        self.volumeMounts = volumeMounts
        self.volumeDevices = volumeDevices
        self.livenessProbe = livenessProbe
        self.readinessProbe = readinessProbe
        self.startupProbe = startupProbe
        self.lifecycle = lifecycle
        self.terminationMessagePath = terminationMessagePath
        self.terminationMessagePolicy = terminationMessagePolicy
        self.imagePullPolicy = imagePullPolicy
        self.securityContext = securityContext
        self.stdin = stdin
        self.stdinOnce = stdinOnce
        self.tty = tty
    }
}

/// A network port a container exposes.
public struct ContainerPort: Sendable, Hashable, Codable {
    public var name: String?
    public var hostPort: Int32?
    public var containerPort: Int32?
    /// `TCP` (default), `UDP` or `SCTP`.
    public var `protocol`: String?
    public var hostIP: String?

    public init(
        name: String? = nil, hostPort: Int32? = nil, containerPort: Int32? = nil, protocol: String? = nil,
        hostIP: String? = nil
    ) {
        self.name = name
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.protocol = `protocol`
        self.hostIP = hostIP
    }
}

/// An environment variable, given literally or taken from another source.
public struct EnvVar: Sendable, Hashable, Codable {
    public var name: String?
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String? = nil, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// Where an environment variable's value comes from.
public struct EnvVarSource: Sendable, Hashable, Codable {
    public var fieldRef: ObjectFieldSelector?
    public var resourceFieldRef: ResourceFieldSelector?
    public var configMapKeyRef: ConfigMapKeySelector?
    public var secretKeyRef: SecretKeySelector?

    public init(
        fieldRef: ObjectFieldSelector? = nil, resourceFieldRef: ResourceFieldSelector? = nil,
        configMapKeyRef: ConfigMapKeySelector? = nil, secretKeyRef: SecretKeySelector? = nil
    ) {
        self.fieldRef = fieldRef
        self.resourceFieldRef = resourceFieldRef
        self.configMapKeyRef = configMapKeyRef
        self.secretKeyRef = secretKeyRef
    }
}

/// A field of the pod, such as `metadata.name` or `status.podIP`.
public struct ObjectFieldSelector: Sendable, Hashable, Codable {
    public var apiVersion: String?
    public var fieldPath: String?

    public init(apiVersion: String? = nil, fieldPath: String? = nil) {
        self.apiVersion = apiVersion
        self.fieldPath = fieldPath
    }
}

/// A container's resource request or limit, such as `limits.cpu`.
public struct ResourceFieldSelector: Sendable, Hashable, Codable {
    public var containerName: String?
    public var resource: String?
    public var divisor: Quantity?

    public init(containerName: String? = nil, resource: String? = nil, divisor: Quantity? = nil) {
        self.containerName = containerName
        self.resource = resource
        self.divisor = divisor
    }
}

/// One key of a ConfigMap.
public struct ConfigMapKeySelector: Sendable, Hashable, Codable {
    public var name: String?
    public var key: String?
    public var optional: Bool?

    public init(name: String? = nil, key: String? = nil, optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }
}

/// One key of a Secret.
public struct SecretKeySelector: Sendable, Hashable, Codable {
    public var name: String?
    public var key: String?
    public var optional: Bool?

    public init(name: String? = nil, key: String? = nil, optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }
}

/// Environment variables taken from every key of a ConfigMap or Secret.
public struct EnvFromSource: Sendable, Hashable, Codable {
    public var prefix: String?
    public var configMapRef: ConfigMapEnvSource?
    public var secretRef: SecretEnvSource?

    public init(prefix: String? = nil, configMapRef: ConfigMapEnvSource? = nil, secretRef: SecretEnvSource? = nil) {
        self.prefix = prefix
        self.configMapRef = configMapRef
        self.secretRef = secretRef
    }
}

/// A ConfigMap whose keys become environment variables.
public struct ConfigMapEnvSource: Sendable, Hashable, Codable {
    public var name: String?
    public var optional: Bool?

    public init(name: String? = nil, optional: Bool? = nil) {
        self.name = name
        self.optional = optional
    }
}

/// A Secret whose keys become environment variables.
public struct SecretEnvSource: Sendable, Hashable, Codable {
    public var name: String?
    public var optional: Bool?

    public init(name: String? = nil, optional: Bool? = nil) {
        self.name = name
        self.optional = optional
    }
}

/// Compute resources a container requests and may not exceed.
public struct ResourceRequirements: Sendable, Hashable, Codable {
    public var limits: [String: Quantity]?
    public var requests: [String: Quantity]?
    public var claims: [ResourceClaim]?

    public init(
        limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil, claims: [ResourceClaim]? = nil
    ) {
        self.limits = limits
        self.requests = requests
        self.claims = claims
    }
}

/// A reference to one of the pod's resource claims.
public struct ResourceClaim: Sendable, Hashable, Codable {
    public var name: String?
    public var request: String?

    public init(name: String? = nil, request: String? = nil) {
        self.name = name
        self.request = request
    }
}

/// How a container is resized in place.
public struct ContainerResizePolicy: Sendable, Hashable, Codable {
    public var resourceName: String?
    public var restartPolicy: String?

    public init(resourceName: String? = nil, restartPolicy: String? = nil) {
        self.resourceName = resourceName
        self.restartPolicy = restartPolicy
    }
}

/// Where a pod volume is mounted in a container.
public struct VolumeMount: Sendable, Hashable, Codable {
    public var name: String?
    public var readOnly: Bool?
    public var recursiveReadOnly: String?
    public var mountPath: String?
    public var subPath: String?
    public var mountPropagation: String?
    public var subPathExpr: String?

    public init(
        name: String? = nil, readOnly: Bool? = nil, recursiveReadOnly: String? = nil, mountPath: String? = nil,
        subPath: String? = nil, mountPropagation: String? = nil, subPathExpr: String? = nil
    ) {
        self.name = name
        self.readOnly = readOnly
        self.recursiveReadOnly = recursiveReadOnly
        self.mountPath = mountPath
        self.subPath = subPath
        self.mountPropagation = mountPropagation
        self.subPathExpr = subPathExpr
    }
}

/// A raw block volume mapped into a container.
public struct VolumeDevice: Sendable, Hashable, Codable {
    public var name: String?
    public var devicePath: String?

    public init(name: String? = nil, devicePath: String? = nil) {
        self.name = name
        self.devicePath = devicePath
    }
}

/// A health check the kubelet runs against a container.
public struct Probe: Sendable, Hashable, Codable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var grpc: GRPCAction?
    public var initialDelaySeconds: Int32?
    public var timeoutSeconds: Int32?
    public var periodSeconds: Int32?
    public var successThreshold: Int32?
    public var failureThreshold: Int32?
    public var terminationGracePeriodSeconds: Int64?

    public init(
        exec: ExecAction? = nil, httpGet: HTTPGetAction? = nil, tcpSocket: TCPSocketAction? = nil,
        grpc: GRPCAction? = nil, initialDelaySeconds: Int32? = nil, timeoutSeconds: Int32? = nil,
        periodSeconds: Int32? = nil, successThreshold: Int32? = nil, failureThreshold: Int32? = nil,
        terminationGracePeriodSeconds: Int64? = nil
    ) {
        self.exec = exec
        self.httpGet = httpGet
        self.tcpSocket = tcpSocket
        self.grpc = grpc
        self.initialDelaySeconds = initialDelaySeconds
        self.timeoutSeconds = timeoutSeconds
        self.periodSeconds = periodSeconds
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
    }
}

/// A command run inside the container.
public struct ExecAction: Sendable, Hashable, Codable {
    public var command: [String]?

    public init(command: [String]? = nil) {
        self.command = command
    }
}

/// An HTTP GET against the container.
public struct HTTPGetAction: Sendable, Hashable, Codable {
    public var path: String?
    public var port: IntOrString?
    public var host: String?
    public var scheme: String?
    public var httpHeaders: [HTTPHeader]?

    public init(
        path: String? = nil, port: IntOrString? = nil, host: String? = nil, scheme: String? = nil,
        httpHeaders: [HTTPHeader]? = nil
    ) {
        self.path = path
        self.port = port
        self.host = host
        self.scheme = scheme
        self.httpHeaders = httpHeaders
    }
}

/// A header sent with an HTTP probe.
public struct HTTPHeader: Sendable, Hashable, Codable {
    public var name: String?
    public var value: String?

    public init(name: String? = nil, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// A TCP connection attempt against the container.
public struct TCPSocketAction: Sendable, Hashable, Codable {
    public var port: IntOrString?
    public var host: String?

    public init(port: IntOrString? = nil, host: String? = nil) {
        self.port = port
        self.host = host
    }
}

/// A gRPC health check against the container.
public struct GRPCAction: Sendable, Hashable, Codable {
    public var port: Int32?
    public var service: String?

    public init(port: Int32? = nil, service: String? = nil) {
        self.port = port
        self.service = service
    }
}

/// Actions run right after a container starts and before it stops.
public struct Lifecycle: Sendable, Hashable, Codable {
    public var postStart: LifecycleHandler?
    public var preStop: LifecycleHandler?

    public init(postStart: LifecycleHandler? = nil, preStop: LifecycleHandler? = nil) {
        self.postStart = postStart
        self.preStop = preStop
    }
}

/// One lifecycle action.
public struct LifecycleHandler: Sendable, Hashable, Codable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var sleep: SleepAction?

    public init(
        exec: ExecAction? = nil, httpGet: HTTPGetAction? = nil, tcpSocket: TCPSocketAction? = nil,
        sleep: SleepAction? = nil
    ) {
        self.exec = exec
        self.httpGet = httpGet
        self.tcpSocket = tcpSocket
        self.sleep = sleep
    }
}

/// A pause before the container is stopped.
public struct SleepAction: Sendable, Hashable, Codable {
    public var seconds: Int64?

    public init(seconds: Int64? = nil) {
        self.seconds = seconds
    }
}

/// Container-level security settings (the commonly used subset).
public struct SecurityContext: Sendable, Hashable, Codable {
    public var capabilities: Capabilities?
    public var privileged: Bool?
    public var seLinuxOptions: SELinuxOptions?
    public var runAsUser: Int64?
    public var runAsGroup: Int64?
    public var runAsNonRoot: Bool?
    public var readOnlyRootFilesystem: Bool?
    public var allowPrivilegeEscalation: Bool?
    public var procMount: String?
    public var seccompProfile: SeccompProfile?
    public var appArmorProfile: AppArmorProfile?

    public init(
        capabilities: Capabilities? = nil, privileged: Bool? = nil, seLinuxOptions: SELinuxOptions? = nil,
        runAsUser: Int64? = nil, runAsGroup: Int64? = nil, runAsNonRoot: Bool? = nil,
        readOnlyRootFilesystem: Bool? = nil, allowPrivilegeEscalation: Bool? = nil, procMount: String? = nil,
        seccompProfile: SeccompProfile? = nil, appArmorProfile: AppArmorProfile? = nil
    ) {
        self.capabilities = capabilities
        self.privileged = privileged
        self.seLinuxOptions = seLinuxOptions
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.allowPrivilegeEscalation = allowPrivilegeEscalation
        self.procMount = procMount
        self.seccompProfile = seccompProfile
        self.appArmorProfile = appArmorProfile
    }
}

/// POSIX capabilities added to or dropped from a container.
public struct Capabilities: Sendable, Hashable, Codable {
    public var add: [String]?
    public var drop: [String]?

    public init(add: [String]? = nil, drop: [String]? = nil) {
        self.add = add
        self.drop = drop
    }
}

/// SELinux labels.
public struct SELinuxOptions: Sendable, Hashable, Codable {
    public var user: String?
    public var role: String?
    public var type: String?
    public var level: String?

    public init(user: String? = nil, role: String? = nil, type: String? = nil, level: String? = nil) {
        self.user = user
        self.role = role
        self.type = type
        self.level = level
    }
}

/// A seccomp profile.
public struct SeccompProfile: Sendable, Hashable, Codable {
    public var type: String?
    public var localhostProfile: String?

    public init(type: String? = nil, localhostProfile: String? = nil) {
        self.type = type
        self.localhostProfile = localhostProfile
    }
}

/// An AppArmor profile.
public struct AppArmorProfile: Sendable, Hashable, Codable {
    public var type: String?
    public var localhostProfile: String?

    public init(type: String? = nil, localhostProfile: String? = nil) {
        self.type = type
        self.localhostProfile = localhostProfile
    }
}
