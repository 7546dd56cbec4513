import Synchronization

/// Per-cycle data plugins share between their extension points (PreFilter computes, Filter reads), keyed by
/// the stored value's type. One per scheduling attempt; preemption clones it to try node changes.
///
/// Filter and Score read it from every worker thread once per node and plugin, so reads take no lock: the
/// first read after a write publishes an immutable copy of the values, which later reads use until the next
/// write. (A mutex here made the two filter threads queue on one lock several times per node.)
public final class CycleState: Sendable {
    private let storage: Mutex<Storage>
    /// The bit pattern of the published ``Published`` (0: none, or a write came after it). Every published
    /// copy stays alive in `storage.retired` until this state is gone, so a reader never sees it freed.
    private let published = Atomic<UInt>(0)
    /// Whether scoring of this pod is skipped for the plugin (PreScore answered skip).
    let skipScore: Mutex<Set<String>>
    let skipFilter: Mutex<Set<String>>
    /// The handle of the scheduler running the cycle, for plugins that need it at extension points that do
    /// not pass it (PreFilter, Reserve); nil when the cycle runs outside a scheduler (a bare
    /// ``SchedulingAlgorithm``).
    public let handle: SchedulingHandle?

    private struct Storage {
        var values: [(ObjectIdentifier, any Sendable)] = []
        var retired: [Published] = []
    }

    /// An immutable copy of the values, read without a lock. A handful of entries: a linear scan beats
    /// hashing the key.
    private final class Published: Sendable {
        let values: [(ObjectIdentifier, any Sendable)]

        init(_ values: [(ObjectIdentifier, any Sendable)]) {
            self.values = values
        }
    }

    public init(handle: SchedulingHandle? = nil) {
        self.handle = handle
        storage = Mutex(Storage())
        skipScore = Mutex([])
        skipFilter = Mutex([])
    }

    private init(copying other: CycleState) {
        handle = other.handle
        storage = Mutex(Storage(values: other.storage.withLock { $0.values }))
        skipScore = Mutex(other.skipScore.withLock { $0 })
        skipFilter = Mutex(other.skipFilter.withLock { $0 })
    }

    /// Stores `value` under its type (replacing an earlier value of that type).
    public func write<T: Sendable>(_ value: T) {
        let key = ObjectIdentifier(T.self)
        storage.withLock { s in
            if let index = s.values.firstIndex(where: { $0.0 == key }) {
                s.values[index].1 = value
            } else {
                s.values.append((key, value))
            }
            published.store(0, ordering: .releasing)
        }
    }

    /// The value of type `T`, if one was written.
    public func read<T: Sendable>(_ type: T.Type = T.self) -> T? {
        let key = ObjectIdentifier(T.self)
        let bits = published.load(ordering: .acquiring)
        let values: [(ObjectIdentifier, any Sendable)]
        if bits != 0, let pointer = UnsafeRawPointer(bitPattern: bits) {
            values = Unmanaged<Published>.fromOpaque(pointer).takeUnretainedValue().values
        } else {
            values = storage.withLock { s in
                let copy = Published(s.values)
                s.retired.append(copy)
                published.store(UInt(bitPattern: Unmanaged.passUnretained(copy).toOpaque()), ordering: .releasing)
                return s.values
            }
        }
        for entry in values where entry.0 == key { return entry.1 as? T }
        return nil
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

/// Which of the snapshot's nodes hold pods with affinity terms and with required anti-affinity terms
/// (positions in ``Snapshot/nodes``), written by the algorithm before PreFilter: InterPodAffinity then visits
/// those nodes instead of every node of the cluster.
struct SnapshotAffinityNodes: Sendable {
    var nodeCount: Int
    var withAffinity: [Int]
    var withRequiredAntiAffinity: [Int]
}
