public import APIMachinery
public import Informers

/// A pod with what scheduling derives from it computed once: its key, effective requests, host ports and
/// parsed affinity terms. Immutable, and shared by the queue, the cache and every snapshot that holds it.
public final class PodInfo: Sendable {
    public let pod: Pod
    public let key: ObjectKey
    public let uid: String
    public let namespace: String
    public let labels: [String: String]
    /// 0 when the pod names no priority.
    public let priority: Int32
    /// The effective request (``Resource/podRequests(_:nonZero:)``).
    public let requests: Resource
    /// The effective request with defaults for containers without a CPU or memory request.
    public let nonZeroRequests: Resource
    /// Host ports the pod's containers ask for.
    public let hostPorts: [HostPort]
    public let requiredAffinityTerms: [AffinityTerm]
    public let requiredAntiAffinityTerms: [AffinityTerm]
    public let preferredAffinityTerms: [WeightedAffinityTerm]
    public let preferredAntiAffinityTerms: [WeightedAffinityTerm]
    /// A problem parsing one of the affinity terms' selectors (the pod is then unschedulable).
    public let parseError: String?
    /// Whether the pod is being deleted (read out once: the metadata is large).
    public let isTerminating: Bool
    /// `spec.tolerations` (read out once: Filter and Score read them per node, and the spec is large).
    public let tolerations: [Toleration]
    /// When the pod started, in seconds since the epoch (its creation when it has not; `Int64.max` with
    /// neither): preemption orders victims by it.
    public let startTime: Int64

    public init(_ pod: Pod) {
        self.pod = pod
        let metadata = pod.metadata
        key = ObjectKey(metadata)
        uid = metadata.uid
        namespace = metadata.namespace
        labels = metadata.labels
        isTerminating = metadata.deletionTimestamp != nil
        let spec = pod.spec
        tolerations = spec?.tolerations ?? []
        startTime = pod.status?.startTime?.secondsSinceEpoch ?? metadata.creationTimestamp?.secondsSinceEpoch ?? .max
        priority = spec?.priority ?? 0
        requests = Resource.podRequests(spec)
        nonZeroRequests = Resource.podRequests(spec, nonZero: true)
        var ports: [HostPort] = []
        for container in spec?.containers ?? [] {
            for port in container.ports ?? [] {
                guard let hostPort = port.hostPort, hostPort > 0 else { continue }
                ports.append(HostPort(ip: port.hostIP ?? "", protocol: port.protocol ?? "TCP", port: hostPort))
            }
        }
        hostPorts = ports
        var problem: String?
        func terms(_ list: [PodAffinityTerm]?) -> [AffinityTerm] {
            (list ?? []).compactMap { term -> AffinityTerm? in
                do throws(SelectorError) {
                    return try AffinityTerm(term, podNamespace: metadata.namespace, podLabels: metadata.labels)
                } catch {
                    if problem == nil { problem = "\(error)" }
                    return nil
                }
            }
        }
        func weighted(_ list: [WeightedPodAffinityTerm]?) -> [WeightedAffinityTerm] {
            (list ?? []).compactMap { weighted -> WeightedAffinityTerm? in
                guard let term = weighted.podAffinityTerm else { return nil }
                do throws(SelectorError) {
                    let parsed = try AffinityTerm(term, podNamespace: metadata.namespace, podLabels: metadata.labels)
                    return WeightedAffinityTerm(term: parsed, weight: weighted.weight ?? 0)
                } catch {
                    if problem == nil { problem = "\(error)" }
                    return nil
                }
            }
        }
        let affinity = spec?.affinity
        requiredAffinityTerms = terms(affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
        requiredAntiAffinityTerms = terms(affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
        preferredAffinityTerms = weighted(affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
        preferredAntiAffinityTerms = weighted(affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
        parseError = problem
    }

    private init(_ other: PodInfo, pod: Pod) {
        self.pod = pod
        key = other.key
        uid = other.uid
        namespace = other.namespace
        labels = other.labels
        isTerminating = other.isTerminating
        tolerations = other.tolerations
        startTime = other.startTime
        priority = other.priority
        requests = other.requests
        nonZeroRequests = other.nonZeroRequests
        hostPorts = other.hostPorts
        requiredAffinityTerms = other.requiredAffinityTerms
        requiredAntiAffinityTerms = other.requiredAntiAffinityTerms
        preferredAffinityTerms = other.preferredAffinityTerms
        preferredAntiAffinityTerms = other.preferredAntiAffinityTerms
        parseError = other.parseError
    }

    /// The same pod assumed on `nodeName` (what the scheduler puts in its cache before binding); shares
    /// everything already computed.
    public func assumed(on nodeName: String) -> PodInfo {
        var pod = self.pod
        var spec = pod.spec ?? PodSpec()
        spec.nodeName = nodeName
        pod.spec = spec
        return PodInfo(self, pod: pod)
    }

    /// The node the pod is bound (or assumed) to; empty when unscheduled.
    public var nodeName: String { pod.spec?.nodeName ?? "" }

    /// Whether the pod has any pod affinity or anti-affinity term.
    public var hasAffinityTerms: Bool {
        !requiredAffinityTerms.isEmpty || !requiredAntiAffinityTerms.isEmpty || !preferredAffinityTerms.isEmpty
            || !preferredAntiAffinityTerms.isEmpty
    }
}

/// A host port a container binds: `(ip, protocol, port)`; an empty or `0.0.0.0` ip means every address.
public struct HostPort: Sendable, Hashable {
    public var ip: String
    public var `protocol`: String
    public var port: Int32

    public init(ip: String, protocol: String, port: Int32) {
        self.ip = ip
        self.protocol = `protocol`
        self.port = port
    }

    /// Whether two host ports cannot be on one node: same protocol and port, and the same address or either
    /// one on every address.
    public func conflicts(with other: HostPort) -> Bool {
        guard port == other.port, self.protocol == other.protocol else { return false }
        let wildcard = ip.isEmpty || ip == "0.0.0.0"
        let otherWildcard = other.ip.isEmpty || other.ip == "0.0.0.0"
        return wildcard || otherWildcard || ip == other.ip
    }
}

/// A pod (anti-)affinity term with its selectors parsed: which pods (by namespace and labels) it selects, and
/// the topology key that groups nodes.
public struct AffinityTerm: Sendable, Hashable {
    /// Namespaces named by the term (the pod's own when it names none and has no namespace selector).
    public var namespaces: Set<String>
    /// Selects namespaces by label; nil when the term has none. An empty selector selects every namespace.
    public var namespaceSelector: LabelQuery?
    public var selector: LabelQuery
    /// A term without a label selector selects no pod (Kubernetes' `labels.Nothing()`).
    public var selectsNoPod: Bool
    public var topologyKey: String

    public init(
        namespaces: Set<String>, namespaceSelector: LabelQuery?, selector: LabelQuery, selectsNoPod: Bool = false,
        topologyKey: String
    ) {
        self.namespaces = namespaces
        self.namespaceSelector = namespaceSelector
        self.selector = selector
        self.selectsNoPod = selectsNoPod
        self.topologyKey = topologyKey
    }

    /// Parses `term` for a pod in `podNamespace` with `podLabels` (for `matchLabelKeys` and
    /// `mismatchLabelKeys`, which add `key in (value)` / `key notin (value)` requirements from the pod's labels).
    public init(_ term: PodAffinityTerm, podNamespace: String, podLabels: [String: String]) throws(SelectorError) {
        var selector = try (term.labelSelector ?? LabelSelector()).query()
        var extra: [LabelRequirement] = []
        for key in term.matchLabelKeys ?? [] {
            if let value = podLabels[key] { extra.append(try LabelRequirement(key: key, operator: .in, values: [value])) }
        }
        for key in term.mismatchLabelKeys ?? [] {
            if let value = podLabels[key] { extra.append(try LabelRequirement(key: key, operator: .notIn, values: [value])) }
        }
        if !extra.isEmpty { selector = LabelQuery(requirements: selector.requirements + extra) }
        let namespaceSelector = try term.namespaceSelector.map { selector throws(SelectorError) in try selector.query() }
        var namespaces = Set(term.namespaces ?? [])
        if namespaces.isEmpty && namespaceSelector == nil { namespaces = [podNamespace] }
        self.init(namespaces: namespaces, namespaceSelector: namespaceSelector, selector: selector,
            selectsNoPod: term.labelSelector == nil, topologyKey: term.topologyKey ?? "")
    }

    /// Whether the term selects `pod`; `namespaceLabels` looks up a namespace's labels for a namespace selector.
    public func matches(_ pod: PodInfo, namespaceLabels: (String) -> [String: String]? = { _ in nil }) -> Bool {
        guard !selectsNoPod, selects(namespace: pod.namespace, namespaceLabels: namespaceLabels) else { return false }
        return selector.matches(pod.labels)
    }

    /// Whether a pod in `namespace` is in the term's scope.
    public func selects(namespace: String, namespaceLabels: (String) -> [String: String]?) -> Bool {
        if namespaces.contains(namespace) { return true }
        guard let namespaceSelector else { return false }
        if namespaceSelector.isEverything { return true }
        return namespaceSelector.matches(namespaceLabels(namespace) ?? [:])
    }
}

/// A preferred affinity term and its weight (1–100).
public struct WeightedAffinityTerm: Sendable, Hashable {
    public var term: AffinityTerm
    public var weight: Int32

    public init(term: AffinityTerm, weight: Int32) {
        self.term = term
        self.weight = weight
    }
}
