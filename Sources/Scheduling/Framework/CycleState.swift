import Synchronization

/// Per-cycle data plugins share between their extension points (PreFilter computes, Filter reads), keyed by
/// the stored value's type. One per scheduling attempt; preemption clones it to try node changes.
public final class CycleState: Sendable {
    private let storage: Mutex<[ObjectIdentifier: any Sendable]>
    /// Whether scoring of this pod is skipped for the plugin (PreScore answered skip).
    let skipScore: Mutex<Set<String>>
    let skipFilter: Mutex<Set<String>>
    /// The handle of the scheduler running the cycle, for plugins that need it at extension points that do
    /// not pass it (PreFilter, Reserve); nil when the cycle runs outside a scheduler (a bare
    /// ``SchedulingAlgorithm``).
    public let handle: SchedulingHandle?

    public init(handle: SchedulingHandle? = nil) {
        self.handle = handle
        storage = Mutex([:])
        skipScore = Mutex([])
        skipFilter = Mutex([])
    }

    private init(copying other: CycleState) {
        handle = other.handle
        storage = Mutex(other.storage.withLock { $0 })
        skipScore = Mutex(other.skipScore.withLock { $0 })
        skipFilter = Mutex(other.skipFilter.withLock { $0 })
    }

    /// Stores `value` under its type (replacing an earlier value of that type).
    public func write<T: Sendable>(_ value: T) {
        storage.withLock { $0[ObjectIdentifier(T.self)] = value }
    }

    /// The value of type `T`, if one was written.
    public func read<T: Sendable>(_ type: T.Type = T.self) -> T? {
        storage.withLock { $0[ObjectIdentifier(T.self)] as? T }
    }

    /// A copy whose later writes do not affect this one (stored values are values, or immutable).
    public func clone() -> CycleState { CycleState(copying: self) }
}

/// A reference holding a plugin's per-cycle value, so reading it from a ``CycleState`` copies nothing (a
/// struct of arrays read out on every Filter call would be copied each time).
final class StateBox<Value: Sendable>: Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}

/// Every node of the snapshot, stored by PreFilter for PreScore (which only gets the feasible nodes) in
/// plugins whose scores count pods on all nodes.
struct SnapshotNodes: Sendable {
    var nodes: [NodeInfo]
}
