public import APIMachinery

/// An object's cache key, `namespace/name` (cluster-scoped objects: `name`): the key of an
/// ``Indexer`` and the request a reconciler receives.
public struct ObjectKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Empty for cluster-scoped objects.
    public var namespace: String
    public var name: String

    public init(namespace: String = "", name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of the object with this metadata.
    public init(_ metadata: ObjectMeta) {
        self.namespace = metadata.namespace
        self.name = metadata.name
    }

    /// Parses `"namespace/name"` or `"name"`; nil for an empty name or more than one `/`.
    public init?(parsing key: String) {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !parts[0].isEmpty:
            self.init(name: String(parts[0]))
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            self.init(namespace: String(parts[0]), name: String(parts[1]))
        default:
            return nil
        }
    }

    /// `"namespace/name"`, or `"name"` when the namespace is empty.
    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    /// Orders by namespace, then name.
    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        lhs.namespace == rhs.namespace ? lhs.name < rhs.name : lhs.namespace < rhs.namespace
    }
}
