/// Receives an informer's notifications. The methods are `async`, so a slow handler suspends its own
/// listener task and never holds a thread; each handler has its own buffer, so it never delays the
/// informer or other handlers.
///
/// Per object, notifications arrive in order. When a handler falls far behind, pending notifications of
/// one object may be merged (see <doc:Informers#Slow-handlers>): in particular a delete followed by a
/// re-create can arrive as one ``onUpdate(old:new:)``, so compare `uid`s where that matters.
public protocol ResourceEventHandler<Object>: Sendable {
    associatedtype Object: Sendable
    /// An object appeared; `isInInitialList` is true for the informer's first list (or, for a handler
    /// added to a running informer, the cache's content when it was added).
    func onAdd(_ object: Object, isInInitialList: Bool) async
    /// An object changed (or, on resync, `old` and `new` are the same object).
    func onUpdate(old: Object, new: Object) async
    /// An object was deleted, or vanished between two lists (a tombstone).
    func onDelete(_ deleted: DeletedObject<Object>) async
}

/// A ``ResourceEventHandler`` made of closures; a missing closure ignores its notifications.
public struct ResourceEventHandlerFunctions<Object: Sendable>: ResourceEventHandler {
    public var add: (@Sendable (Object, Bool) async -> Void)?
    public var update: (@Sendable (Object, Object) async -> Void)?
    public var delete: (@Sendable (DeletedObject<Object>) async -> Void)?

    public init(
        onAdd: (@Sendable (Object, Bool) async -> Void)? = nil,
        onUpdate: (@Sendable (Object, Object) async -> Void)? = nil,
        onDelete: (@Sendable (DeletedObject<Object>) async -> Void)? = nil
    ) {
        self.add = onAdd
        self.update = onUpdate
        self.delete = onDelete
    }

    public func onAdd(_ object: Object, isInInitialList: Bool) async { await add?(object, isInInitialList) }
    public func onUpdate(old: Object, new: Object) async { await update?(old, new) }
    public func onDelete(_ deleted: DeletedObject<Object>) async { await delete?(deleted) }
}

/// One notification, as ``SharedInformer/events(bufferCapacity:)`` delivers it.
public enum InformerEvent<Object: Sendable>: Sendable {
    case added(Object, isInInitialList: Bool)
    case updated(old: Object, new: Object)
    case deleted(DeletedObject<Object>)
}

extension InformerEvent {
    var isInitialAdd: Bool {
        if case .added(_, true) = self { return true }
        return false
    }
}
