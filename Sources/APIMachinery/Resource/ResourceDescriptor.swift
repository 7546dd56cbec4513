/// A resource type's group and plural name (`pods`, `deployments.apps`), as errors and RBAC name it.
public struct GroupResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var resource: String

    public init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// A schema's group, version and kind.
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// `v1` for the core group, `apps/v1` otherwise.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { "\(apiVersion), Kind=\(kind)" }
}

/// Whether objects of a type live in a namespace.
public enum ResourceScope: String, Sendable, Hashable {
    case namespaced = "Namespaced"
    case cluster = "Cluster"
}

/// Where a type keeps its replica counts, for the `scale` subresource (like a CRD's scale subresource).
public struct ScaleSubresource: Sendable, Hashable {
    /// Dotted JSON path of the desired replicas, such as `spec.replicas`.
    public var specReplicasPath: String
    /// Dotted JSON path of the observed replicas, such as `status.replicas`.
    public var statusReplicasPath: String
    /// Dotted JSON path of the serialized label selector in status, if the type publishes one.
    public var labelSelectorPath: String?

    public init(specReplicasPath: String, statusReplicasPath: String, labelSelectorPath: String? = nil) {
        self.specReplicasPath = specReplicasPath
        self.statusReplicasPath = statusReplicasPath
        self.labelSelectorPath = labelSelectorPath
    }

    /// `spec.replicas`, `status.replicas`, `status.selector` — the apps/v1 layout.
    public static let standard = ScaleSubresource(
        specReplicasPath: "spec.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: "status.selector"
    )
}

/// Everything the registry, discovery and the REST layer need to know about a resource type.
public struct ResourceDescriptor: Sendable, Hashable {
    public var group: String
    public var version: String
    public var kind: String
    /// The lower-case plural used in paths and RBAC rules (`pods`).
    public var plural: String
    public var singular: String
    public var scope: ResourceScope
    public var shortNames: [String]
    public var categories: [String]
    /// Whether the type has a `status` subresource (the main endpoint then ignores status changes).
    public var hasStatus: Bool
    public var scale: ScaleSubresource?
    /// Field paths usable in field selectors besides `metadata.name` and `metadata.namespace`.
    public var selectableFields: [String]
    /// Whether the main endpoint accepts updates without a resourceVersion (last write wins).
    public var allowsUnconditionalUpdate: Bool

    public init(
        group: String, version: String, kind: String, plural: String, singular: String? = nil,
        scope: ResourceScope = .namespaced, shortNames: [String] = [], categories: [String] = [],
        hasStatus: Bool = false, scale: ScaleSubresource? = nil, selectableFields: [String] = [],
        allowsUnconditionalUpdate: Bool = false
    ) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.singular = singular ?? kind.lowercased()
        self.scope = scope
        self.shortNames = shortNames
        self.categories = categories
        self.hasStatus = hasStatus
        self.scale = scale
        self.selectableFields = selectableFields
        self.allowsUnconditionalUpdate = allowsUnconditionalUpdate
    }

    public var groupResource: GroupResource { GroupResource(group: group, resource: plural) }
    public var groupVersionKind: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var listKind: String { kind + "List" }
    public var isNamespaced: Bool { scope == .namespaced }

    /// Whether this is core/v1 Namespace, whose lifecycle (Terminating, `/finalize`) is special.
    var isNamespaceType: Bool { group.isEmpty && plural == "namespaces" }

    /// Whether the type serves a subresource (`status`, `scale`, and `finalize` for namespaces).
    func hasSubresource(_ name: String) -> Bool {
        switch name {
        case "status": hasStatus
        case "scale": scale != nil
        case "finalize": isNamespaceType
        default: false
        }
    }
}
