public import APIMachinery

/// An amount of every resource the scheduler accounts for: CPU in millicores, memory and ephemeral storage
/// in bytes, a pod count, and extended or other scalar resources (`nvidia.com/gpu`, `hugepages-2Mi`) in
/// their integer units.
public struct Resource: Sendable, Hashable {
    public var milliCPU: Int64
    public var memory: Int64
    public var ephemeralStorage: Int64
    public var allowedPodNumber: Int64
    /// Every other resource by name; absent means zero.
    public var scalarResources: [String: Int64]

    public init(
        milliCPU: Int64 = 0, memory: Int64 = 0, ephemeralStorage: Int64 = 0, allowedPodNumber: Int64 = 0,
        scalarResources: [String: Int64] = [:]
    ) {
        self.milliCPU = milliCPU
        self.memory = memory
        self.ephemeralStorage = ephemeralStorage
        self.allowedPodNumber = allowedPodNumber
        self.scalarResources = scalarResources
    }

    /// A resource list (`cpu`, `memory`, `ephemeral-storage`, `pods`, anything else as a scalar).
    public init(_ list: [String: Quantity]?) {
        self.init()
        guard let list else { return }
        for (name, quantity) in list { add(name, quantity) }
    }

    /// The canonical names of the built-in resources.
    public enum Name {
        public static let cpu = "cpu"
        public static let memory = "memory"
        public static let ephemeralStorage = "ephemeral-storage"
        public static let pods = "pods"
    }

    /// The amount of `name` (CPU in millicores).
    public func amount(of name: String) -> Int64 {
        switch name {
        case Name.cpu: milliCPU
        case Name.memory: memory
        case Name.ephemeralStorage: ephemeralStorage
        case Name.pods: allowedPodNumber
        default: scalarResources[name] ?? 0
        }
    }

    /// Adds a quantity of `name`.
    public mutating func add(_ name: String, _ quantity: Quantity) {
        switch name {
        case Name.cpu: milliCPU += quantity.milliValue
        case Name.memory: memory += quantity.value
        case Name.ephemeralStorage: ephemeralStorage += quantity.value
        case Name.pods: allowedPodNumber += quantity.value
        default: scalarResources[name, default: 0] += quantity.value
        }
    }

    public static func += (lhs: inout Resource, rhs: Resource) {
        lhs.milliCPU += rhs.milliCPU
        lhs.memory += rhs.memory
        lhs.ephemeralStorage += rhs.ephemeralStorage
        lhs.allowedPodNumber += rhs.allowedPodNumber
        for (name, value) in rhs.scalarResources { lhs.scalarResources[name, default: 0] += value }
    }

    public static func -= (lhs: inout Resource, rhs: Resource) {
        lhs.milliCPU -= rhs.milliCPU
        lhs.memory -= rhs.memory
        lhs.ephemeralStorage -= rhs.ephemeralStorage
        lhs.allowedPodNumber -= rhs.allowedPodNumber
        for (name, value) in rhs.scalarResources { lhs.scalarResources[name, default: 0] -= value }
    }

    public static func + (lhs: Resource, rhs: Resource) -> Resource {
        var sum = lhs
        sum += rhs
        return sum
    }

    /// Each resource's maximum of the two.
    public func maximum(_ other: Resource) -> Resource {
        var result = Resource(milliCPU: max(milliCPU, other.milliCPU), memory: max(memory, other.memory),
            ephemeralStorage: max(ephemeralStorage, other.ephemeralStorage),
            allowedPodNumber: max(allowedPodNumber, other.allowedPodNumber), scalarResources: scalarResources)
        for (name, value) in other.scalarResources { result.scalarResources[name] = max(value, scalarResources[name] ?? 0) }
        return result
    }
}

extension Resource {
    /// What the scheduler assumes a container without a CPU request uses (for scoring only): 100m.
    public static let defaultMilliCPURequest: Int64 = 100
    /// What the scheduler assumes a container without a memory request uses (for scoring only): 200 MiB.
    public static let defaultMemoryRequest: Int64 = 200 * 1024 * 1024

    /// A pod's effective request, as kube-scheduler computes it: the sum over its containers (restartable
    /// init containers, "sidecars", included, since they keep running), or the largest init container plus
    /// the sidecars started before it when that is more, plus the pod overhead.
    ///
    /// With `nonZero`, a container without a CPU or memory request counts the defaults (100m, 200 MiB): the
    /// figure scoring uses so that best-effort pods still spread.
    public static func podRequests(_ spec: PodSpec?, nonZero: Bool = false) -> Resource {
        guard let spec else { return Resource() }
        func requests(_ container: Container) -> Resource {
            var resource = Resource(container.resources?.requests)
            if nonZero {
                let requests = container.resources?.requests
                if requests?[Name.cpu] == nil { resource.milliCPU = defaultMilliCPURequest }
                if requests?[Name.memory] == nil { resource.memory = defaultMemoryRequest }
            }
            return resource
        }
        var sum = Resource()
        for container in spec.containers ?? [] { sum += requests(container) }
        var sidecars = Resource()
        var initMaximum = Resource()
        for container in spec.initContainers ?? [] {
            let request = requests(container)
            if container.restartPolicy == "Always" {
                sidecars += request
                initMaximum = initMaximum.maximum(sidecars)
            } else {
                initMaximum = initMaximum.maximum(request + sidecars)
            }
        }
        var result = (sum + sidecars).maximum(initMaximum)
        if let overhead = spec.overhead { result += Resource(overhead) }
        return result
    }
}
