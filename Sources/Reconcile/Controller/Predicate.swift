public import APIMachinery
public import Informers

/// Filters the events that reach a controller's queue (controller-runtime's predicates). Each closure says
/// whether its kind of event should enqueue; all default to yes.
public struct Predicate<Object: APIObject>: Sendable {
    public var create: @Sendable (Object) -> Bool
    public var update: @Sendable (_ old: Object, _ new: Object) -> Bool
    public var delete: @Sendable (DeletedObject<Object>) -> Bool

    public init(
        create: @escaping @Sendable (Object) -> Bool = { _ in true },
        update: @escaping @Sendable (Object, Object) -> Bool = { _, _ in true },
        delete: @escaping @Sendable (DeletedObject<Object>) -> Bool = { _ in true }
    ) {
        self.create = create
        self.update = update
        self.delete = delete
    }

    /// Updates only when `metadata.generation` changed (spec changes; status-only writes are ignored).
    public static var generationChanged: Predicate {
        Predicate(update: { old, new in old.metadata.generation != new.metadata.generation })
    }

    /// Updates only when labels changed.
    public static var labelsChanged: Predicate {
        Predicate(update: { old, new in old.metadata.labels != new.metadata.labels })
    }

    /// Updates only when annotations changed.
    public static var annotationsChanged: Predicate {
        Predicate(update: { old, new in old.metadata.annotations != new.metadata.annotations })
    }

    /// Drops resync notifications (the same resourceVersion replayed).
    public static var resourceVersionChanged: Predicate {
        Predicate(update: { old, new in old.metadata.resourceVersion != new.metadata.resourceVersion })
    }

    /// Only objects whose labels match a selector.
    public static func labels(_ query: LabelQuery) -> Predicate {
        Predicate(
            create: { query.matches($0.metadata.labels) },
            update: { _, new in query.matches(new.metadata.labels) },
            delete: { query.matches($0.object.metadata.labels) })
    }

    /// Events every one of the predicates lets through.
    public static func all(_ predicates: [Predicate]) -> Predicate {
        Predicate(
            create: { object in predicates.allSatisfy { $0.create(object) } },
            update: { old, new in predicates.allSatisfy { $0.update(old, new) } },
            delete: { deleted in predicates.allSatisfy { $0.delete(deleted) } })
    }

    /// Events any of the predicates lets through.
    public static func any(_ predicates: [Predicate]) -> Predicate {
        Predicate(
            create: { object in predicates.contains { $0.create(object) } },
            update: { old, new in predicates.contains { $0.update(old, new) } },
            delete: { deleted in predicates.contains { $0.delete(deleted) } })
    }
}
