public import APIMachinery

/// What a ``Delta`` says happened to an object.
public enum DeltaType: Sendable, Hashable {
    /// A watch reported a new object.
    case added
    /// A watch reported a changed object.
    case updated
    /// A watch reported a deletion, or a relist no longer contains a known object (a tombstone).
    case deleted
    /// The object was in a (re)list.
    case replaced
    /// A periodic resync replays the cached object.
    case sync
}

/// What a delete delivers: the object as deleted, or a tombstone when its final state is unknown
/// (it vanished between two lists, so only its last known state is available).
public enum DeletedObject<Object: Sendable>: Sendable {
    case object(Object)
    case tombstone(key: ObjectKey, lastKnown: Object)

    /// The object, or the tombstone's last known state.
    public var object: Object {
        switch self {
        case .object(let object): object
        case .tombstone(_, let lastKnown): lastKnown
        }
    }

    /// Whether this is a tombstone (final state unknown).
    public var isFinalStateUnknown: Bool {
        if case .tombstone = self { return true }
        return false
    }
}

extension DeletedObject where Object: APIObject {
    /// The object's key.
    public var key: ObjectKey {
        switch self {
        case .object(let object): ObjectKey(object.metadata)
        case .tombstone(let key, _): key
        }
    }
}

/// One change in a ``DeltaQueue``: its type and the object (for deletes possibly a tombstone).
public struct Delta<Object: Sendable>: Sendable {
    public var type: DeltaType
    /// The object; a tombstone only for ``DeltaType/deleted`` deltas a relist produced.
    public var object: DeletedObject<Object>
    public var key: ObjectKey
    /// Whether the delta belongs to the queue's first ``DeltaQueue/replace(_:resourceVersion:)``.
    public var isInInitialList: Bool
    /// The object's resourceVersion as a number (0 when it is not one).
    var revision: UInt64 = 0
    /// For sync deltas the informer queued: the handlers whose resync is due.
    var syncTargets: SyncTargets?

    public init(type: DeltaType, object: DeletedObject<Object>, key: ObjectKey, isInInitialList: Bool = false) {
        self.type = type
        self.object = object
        self.key = key
        self.isInInitialList = isInInitialList
    }
}

/// The handlers a resync round is for (shared by all of the round's deltas).
final class SyncTargets: Sendable {
    let ids: Set<UInt64>
    init(_ ids: Set<UInt64>) { self.ids = ids }
}
