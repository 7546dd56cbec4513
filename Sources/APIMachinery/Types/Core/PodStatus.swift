/// What is observed about a pod (core/v1 `PodStatus`).
public struct PodStatus: Sendable, Hashable, Codable {
    public var observedGeneration: Int64?
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    public var phase: String?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var nominatedNodeName: String?
    public var hostIP: String?
    public var hostIPs: [HostIP]?
    public var podIP: String?
    public var podIPs: [PodIP]?
    public var startTime: Time?
    public var initContainerStatuses: [ContainerStatus]?
    public var containerStatuses: [ContainerStatus]?
    /// `Guaranteed`, `Burstable` or `BestEffort`.
    public var qosClass: String?
    public var ephemeralContainerStatuses: [ContainerStatus]?
    public var resize: String?

    public init(
        observedGeneration: Int64? = nil, phase: String? = nil, conditions: [PodCondition]? = nil,
        message: String? = nil, reason: String? = nil, nominatedNodeName: String? = nil, hostIP: String? = nil,
        hostIPs: [HostIP]? = nil, podIP: String? = nil, podIPs: [PodIP]? = nil, startTime: Time? = nil,
        initContainerStatuses: [ContainerStatus]? = nil, containerStatuses: [ContainerStatus]? = nil,
        qosClass: String? = nil, ephemeralContainerStatuses: [ContainerStatus]? = nil, resize: String? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.phase = phase
        self.conditions = conditions
        self.message = message
        self.reason = reason
        self.nominatedNodeName = nominatedNodeName
        self.hostIP = hostIP
        self.hostIPs = hostIPs
        self.podIP = podIP
        self.podIPs = podIPs
        self.startTime = startTime
        self.initContainerStatuses = initContainerStatuses
        self.containerStatuses = containerStatuses
        self.qosClass = qosClass
        self.ephemeralContainerStatuses = ephemeralContainerStatuses
        self.resize = resize
    }
}

/// One pod condition (`PodScheduled`, `Initialized`, `ContainersReady`, `Ready`…).
public struct PodCondition: Sendable, Hashable, Codable {
    public var type: String?
    public var observedGeneration: Int64?
    public var status: String?
    @NullEncoded public var lastProbeTime: Time?
    @NullEncoded public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String? = nil, observedGeneration: Int64? = nil, status: String? = nil, lastProbeTime: Time? = nil,
        lastTransitionTime: Time? = nil, reason: String? = nil, message: String? = nil
    ) {
        self.type = type
        self.observedGeneration = observedGeneration
        self.status = status
        self.lastProbeTime = lastProbeTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// One of a pod's IP addresses.
public struct PodIP: Sendable, Hashable, Codable {
    public var ip: String?

    public init(ip: String? = nil) {
        self.ip = ip
    }
}

/// One of the IP addresses of a pod's node.
public struct HostIP: Sendable, Hashable, Codable {
    public var ip: String?

    public init(ip: String? = nil) {
        self.ip = ip
    }
}

/// What is observed about one container.
public struct ContainerStatus: Sendable, Hashable, Codable {
    public var name: String?
    public var state: ContainerState?
    public var lastState: ContainerState?
    public var ready: Bool?
    public var restartCount: Int32?
    public var image: String?
    public var imageID: String?
    public var containerID: String?
    public var started: Bool?
    public var allocatedResources: [String: Quantity]?
    public var resources: ResourceRequirements?

    public init(
        name: String? = nil, state: ContainerState? = nil, lastState: ContainerState? = nil, ready: Bool? = nil,
        restartCount: Int32? = nil, image: String? = nil, imageID: String? = nil, containerID: String? = nil,
        started: Bool? = nil, allocatedResources: [String: Quantity]? = nil, resources: ResourceRequirements? = nil
    ) {
        self.name = name
        self.state = state
        self.lastState = lastState
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
        self.containerID = containerID
        self.started = started
        self.allocatedResources = allocatedResources
        self.resources = resources
    }
}

/// A container's state: one of the fields is set.
public struct ContainerState: Sendable, Hashable, Codable {
    public var waiting: ContainerStateWaiting?
    public var running: ContainerStateRunning?
    public var terminated: ContainerStateTerminated?

    public init(
        waiting: ContainerStateWaiting? = nil, running: ContainerStateRunning? = nil,
        terminated: ContainerStateTerminated? = nil
    ) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

/// A container not yet running.
public struct ContainerStateWaiting: Sendable, Hashable, Codable {
    public var reason: String?
    public var message: String?

    public init(reason: String? = nil, message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

/// A running container.
public struct ContainerStateRunning: Sendable, Hashable, Codable {
    @NullEncoded public var startedAt: Time?

    public init(startedAt: Time? = nil) {
        self.startedAt = startedAt
    }
}

/// A container that exited.
public struct ContainerStateTerminated: Sendable, Hashable, Codable {
    public var exitCode: Int32?
    public var signal: Int32?
    public var reason: String?
    public var message: String?
    @NullEncoded public var startedAt: Time?
    @NullEncoded public var finishedAt: Time?
    public var containerID: String?

    public init(
        exitCode: Int32? = nil, signal: Int32? = nil, reason: String? = nil, message: String? = nil,
        startedAt: Time? = nil, finishedAt: Time? = nil, containerID: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
    }
}
