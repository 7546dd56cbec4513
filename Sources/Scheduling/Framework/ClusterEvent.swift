/// A change in the cluster that may make unschedulable pods schedulable: what the queue matches against the
/// events each rejecting plugin registered (``EnqueueExtensions``).
public struct ClusterEvent: Sendable, Hashable, CustomStringConvertible {
    public enum Resource: Sendable, Hashable {
        case pod
        case node
        /// Any other kind, by resource name (`persistentvolumeclaims`, a custom resource, …).
        case other(String)
        /// Matches every resource (for plugins that register interest in everything).
        case any
    }

    /// What happened; a registration names a set of these.
    public struct Action: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let add = Action(rawValue: 1 << 0)
        public static let delete = Action(rawValue: 1 << 1)
        public static let updateNodeAllocatable = Action(rawValue: 1 << 2)
        public static let updateNodeLabel = Action(rawValue: 1 << 3)
        public static let updateNodeTaint = Action(rawValue: 1 << 4)
        public static let updateNodeCondition = Action(rawValue: 1 << 5)
        public static let updateNodeAnnotation = Action(rawValue: 1 << 6)
        public static let updatePodLabel = Action(rawValue: 1 << 7)
        public static let updatePodScaleDown = Action(rawValue: 1 << 8)
        public static let updatePodTolerations = Action(rawValue: 1 << 9)
        public static let updatePodSchedulingGatesEliminated = Action(rawValue: 1 << 10)
        /// Any other update.
        public static let updateOther = Action(rawValue: 1 << 11)

        public static let update: Action = [
            .updateNodeAllocatable, .updateNodeLabel, .updateNodeTaint, .updateNodeCondition, .updateNodeAnnotation,
            .updatePodLabel, .updatePodScaleDown, .updatePodTolerations, .updatePodSchedulingGatesEliminated,
            .updateOther,
        ]
        public static let all: Action = [.add, .delete, .update]
    }

    public var resource: Resource
    public var actions: Action
    /// A name for logs and metrics.
    public var label: String

    public init(_ resource: Resource, _ actions: Action, label: String = "") {
        self.resource = resource
        self.actions = actions
        self.label = label
    }

    /// Whether this registration covers `event`.
    public func matches(_ event: ClusterEvent) -> Bool {
        (resource == .any || event.resource == .any || resource == event.resource)
            && !actions.intersection(event.actions).isEmpty
    }

    public var description: String { label.isEmpty ? "\(resource)/\(actions.rawValue)" : label }

    /// Every event: the queue moves every unschedulable pod (kube-scheduler's `WildCardEvent`).
    public static let wildcard = ClusterEvent(.any, .all, label: "WildCardEvent")
    /// The unschedulable pool's periodic flush.
    public static let unschedulableTimeout = ClusterEvent(.any, .all, label: "UnschedulableTimeout")
}
