/// Anything with object metadata that can be stored: typed resources and ``DynamicObject``.
public protocol APIObject: Codable, Sendable {
    var metadata: ObjectMeta { get set }
}

/// A typed resource: a `Codable` Swift type registered under a group, version and kind.
///
/// The registry writes `apiVersion` and `kind` from ``descriptor``; the type itself holds `metadata` and
/// whatever else it needs (conventionally `spec` and `status`). Properties should be optionals so absent
/// JSON fields are omitted, as Kubernetes' `omitempty` does.
public protocol Resource: APIObject {
    /// The type's names, scope and subresources.
    static var descriptor: ResourceDescriptor { get }

    /// Fills unset fields with their defaults (run by the defaulting admission plugin).
    mutating func applyDefaults()

    /// Resets what a client may not set on create (usually `status`), before admission.
    mutating func prepareForCreate()

    /// How long a delete request waits before the object goes (Pods on a node: their grace period); nil or 0
    /// deletes at once. `requested` is the client's `gracePeriodSeconds`.
    func deletionGracePeriod(requested: Int64?) -> Int64?

    /// Type-specific validation on create; metadata is validated by the registry.
    func validate() -> [FieldError]

    /// Type-specific validation on update (immutable fields and the like).
    func validateUpdate(from old: Self) -> [FieldError]

    /// The value of a selectable field (``ResourceDescriptor/selectableFields``) for field selectors.
    func fieldValue(_ path: String) -> String?

    /// How strategic merge patch merges this type's lists. Nil for types that do not support strategic
    /// merge (the REST layer answers 415, as Kubernetes does for custom resources).
    static var strategicMergeSchema: StrategicMergeSchema? { get }
}

extension Resource {
    public mutating func applyDefaults() {}
    public mutating func prepareForCreate() {}
    public func deletionGracePeriod(requested: Int64?) -> Int64? { nil }
    public func validate() -> [FieldError] { [] }
    public func validateUpdate(from old: Self) -> [FieldError] { validate() }
    public func fieldValue(_ path: String) -> String? { nil }
    public static var strategicMergeSchema: StrategicMergeSchema? { nil }
}

/// What a watch event says happened.
public enum WatchEventType: String, Sendable, Hashable, Codable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    case bookmark = "BOOKMARK"
    case error = "ERROR"
}

/// A watch event carrying a typed object (for ``WatchEventType/error`` see ``status``).
public struct WatchEvent<Object: Sendable>: Sendable {
    public var type: WatchEventType
    public var object: Object?
    /// The Status of an ``WatchEventType/error`` event.
    public var status: Status?
    /// The resourceVersion of a bookmark (also `object.metadata.resourceVersion` when there is an object).
    public var resourceVersion: String
    /// Marks the bookmark that ends the initial events of a `sendInitialEvents` watch
    /// (annotation `k8s.io/initial-events-end: "true"` on the wire).
    public var isInitialEventsEnd: Bool

    public init(
        type: WatchEventType, object: Object?, status: Status? = nil, resourceVersion: String,
        isInitialEventsEnd: Bool = false
    ) {
        self.type = type
        self.object = object
        self.status = status
        self.resourceVersion = resourceVersion
        self.isInitialEventsEnd = isInitialEventsEnd
    }
}

/// A page of objects of one type.
public struct ObjectList<Item: APIObject>: Sendable {
    public var metadata: ListMeta
    public var items: [Item]

    public init(metadata: ListMeta = ListMeta(), items: [Item] = []) {
        self.metadata = metadata
        self.items = items
    }
}

/// How a type's lists merge under strategic merge patch (Go struct tags `patchStrategy` and `patchMergeKey`).
///
/// Paths are dotted field names from the object root with list levels left out: Pod containers are
/// `spec.containers`, a container's ports `spec.containers.ports`, Deployment containers
/// `spec.template.spec.containers`. A list not named here is atomic (a patch replaces it).
public struct StrategicMergeSchema: Sendable, Hashable {
    /// Lists of objects merged element by element, matched on the given key (`spec.containers` → `name`).
    public var listMergeKeys: [String: String]
    /// Lists of scalars merged as sets (`metadata.finalizers`).
    public var mergedScalarLists: Set<String>
    /// Objects that a patch replaces whole rather than merges (`patchStrategy:"replace"`), rare.
    public var replacedObjects: Set<String>

    public init(
        listMergeKeys: [String: String] = [:], mergedScalarLists: Set<String> = [], replacedObjects: Set<String> = []
    ) {
        self.listMergeKeys = listMergeKeys
        self.mergedScalarLists = mergedScalarLists
        self.replacedObjects = replacedObjects
    }

    /// What every object shares: owner references merge by uid, finalizers as a set.
    public static let objectMeta = StrategicMergeSchema(
        listMergeKeys: ["metadata.ownerReferences": "uid"], mergedScalarLists: ["metadata.finalizers"]
    )

    /// This schema with another's entries added.
    public func merging(_ other: StrategicMergeSchema) -> StrategicMergeSchema {
        StrategicMergeSchema(
            listMergeKeys: listMergeKeys.merging(other.listMergeKeys) { $1 },
            mergedScalarLists: mergedScalarLists.union(other.mergedScalarLists),
            replacedObjects: replacedObjects.union(other.replacedObjects)
        )
    }

    /// This schema with every path placed under a prefix (a Pod template inside a Deployment: `spec.template`).
    public func nested(under prefix: String) -> StrategicMergeSchema {
        StrategicMergeSchema(
            listMergeKeys: Dictionary(uniqueKeysWithValues: listMergeKeys.map { ("\(prefix).\($0.key)", $0.value) }),
            mergedScalarLists: Set(mergedScalarLists.map { "\(prefix).\($0)" }),
            replacedObjects: Set(replacedObjects.map { "\(prefix).\($0)" })
        )
    }
}
