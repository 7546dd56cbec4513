import APIMachinery

/// The scheduling workloads, after kube-scheduler's scheduler_perf (test/integration/scheduler_perf,
/// performance-config.yaml and its templates): fake nodes, pods created through the API, a real `Scheduler`
/// binding them through `pods/binding`.
///
/// - `basic` (SchedulingBasic): 5,000 nodes, 1,000 initial pods, 10,000 measured pods of the pod-default
///   template.
/// - `spread` (TopologySpreading): 5,000 nodes in zones moon-1…moon-3, 5,000 initial pod-default pods, 5,000
///   measured pods with a hard zone topology spread constraint over their `app` label. scheduler_perf's
///   template says maxSkew 5 over `color: blue`; this workload uses maxSkew 1, the strictest constraint
///   (two of the three zones reject a pod whenever the zones' counts differ).
/// - `preemption` (PreemptionBasic, the 5000Nodes variant): 5,000 nodes filled by 20,000 low-priority pods
///   (900m each, four per node leave 400m; created bound to their nodes, as the scheduler would place them),
///   then 5,000 pods of priority 10 asking for 3 CPUs, each of which must preempt three of a node's
///   low-priority pods.
public enum SchedulingWorkload: String, CaseIterable, Sendable {
    case basic
    case spread
    case preemption

    public static let namespace = "sched-bench"
    public static let nodeCount = 5_000

    /// The package-benchmark name.
    public var benchmarkName: String {
        switch self {
        case .basic: "Scheduling.Basic5000Nodes"
        case .spread: "Scheduling.TopologySpreading5000Nodes"
        case .preemption: "Scheduling.Preemption"
        }
    }

    /// Pods scheduled during setup, before the measurement.
    public var initialPods: Int {
        switch self {
        case .basic: 1_000
        case .spread: 5_000
        case .preemption: 20_000
        }
    }

    /// Whether the initial pods are created bound to their nodes (else the scheduler places them in setup).
    public var initialPodsAreBound: Bool { self == .preemption }

    /// Pods created and scheduled while measuring.
    public var measuredPods: Int {
        switch self {
        case .basic: 10_000
        case .spread, .preemption: 5_000
        }
    }

    /// The zones of the spread workload (scheduler_perf's labelNodePrepareStrategy values).
    public static let zones = ["moon-1", "moon-2", "moon-3"]
    public static let zoneKey = "topology.kubernetes.io/zone"
    public static let hostnameKey = "kubernetes.io/hostname"

    /// scheduler_perf's node-default: 4 CPUs, 32Gi, 110 pods, Ready; named and labelled by hostname (the
    /// spread workload adds a zone, round robin).
    public func node(_ index: Int) -> Node {
        let name = "scheduler-perf-\(index)"
        var labels = [Self.hostnameKey: name]
        if self == .spread { labels[Self.zoneKey] = Self.zones[index % Self.zones.count] }
        let resources: [String: Quantity] = ["cpu": "4", "memory": "32Gi", "pods": "110"]
        return Node(
            metadata: ObjectMeta(name: name, labels: labels),
            spec: NodeSpec(),
            status: NodeStatus(capacity: resources, allocatable: resources, phase: "Running",
                conditions: [NodeCondition(type: "Ready", status: "True")]))
    }

    /// A pod of the setup phase.
    public func initialPod(_ index: Int) -> Pod {
        switch self {
        case .basic, .spread: Self.pod("init-\(index)", cpu: "100m")
        case .preemption:
            // Four per node, bound at creation: the end state scheduling them would reach (four 900m pods fill
            // a 4-CPU node), without a minute of setup.
            Self.pod("low-\(index)", cpu: "900m", labels: ["priority": "low"], gracePeriod: 0) { spec in
                spec.nodeName = "scheduler-perf-\(index / 4)"
            }
        }
    }

    /// A pod of the measured phase.
    public func measuredPod(_ index: Int) -> Pod {
        switch self {
        case .basic: Self.pod("pod-\(index)", cpu: "100m", labels: ["phase": "measured"])
        case .spread:
            Self.pod("spread-\(index)", cpu: "100m", labels: ["app": "spread", "phase": "measured"]) { spec in
                spec.topologySpreadConstraints = [TopologySpreadConstraint(
                    maxSkew: 1, topologyKey: Self.zoneKey, whenUnsatisfiable: "DoNotSchedule",
                    labelSelector: LabelSelector(matchLabels: ["app": "spread"]))]
            }
        case .preemption:
            Self.pod("high-\(index)", cpu: "3", labels: ["priority": "high", "phase": "measured"]) { spec in
                spec.priority = 10
            }
        }
    }

    /// The label selector of the measured pods.
    public static let measuredSelector = "phase=measured"

    /// scheduler_perf's pod templates: one `pause` container with port 80 and equal requests and limits
    /// (`cpu`, 500Mi memory).
    static func pod(
        _ name: String, cpu: Quantity, labels: [String: String] = [:], gracePeriod: Int64? = nil,
        edit: (inout PodSpec) -> Void = { _ in }
    ) -> Pod {
        let resources: [String: Quantity] = ["cpu": cpu, "memory": "500Mi"]
        var spec = PodSpec(containers: [
            Container(name: "pause", image: "registry.k8s.io/pause:3.10",
                ports: [ContainerPort(containerPort: 80)],
                resources: ResourceRequirements(limits: resources, requests: resources))
        ])
        spec.terminationGracePeriodSeconds = gracePeriod
        edit(&spec)
        return Pod(metadata: ObjectMeta(name: name, namespace: namespace, labels: labels), spec: spec)
    }
}
