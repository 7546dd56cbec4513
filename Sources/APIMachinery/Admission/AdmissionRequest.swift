/// What an admission plugin sees: the operation, the resource, the user, and the object (mutable for
/// mutating plugins) with its previous state on update and delete.
public struct AdmissionRequest: Sendable {
    public enum Operation: String, Sendable, Hashable {
        case create = "CREATE"
        case update = "UPDATE"
        case delete = "DELETE"
    }

    public var operation: Operation
    public var descriptor: ResourceDescriptor
    /// `status`, `scale`… or empty for the main resource.
    public var subresource: String
    public var namespace: String
    public var name: String
    public var user: UserInfo
    public var dryRun: Bool
    /// The incoming object (nil on delete).
    public var object: (any APIObject)?
    /// The stored object (update and delete).
    public var oldObject: (any APIObject)?

    public var resource: GroupResource { descriptor.groupResource }

    /// The incoming object as a given type, if it is one.
    public func object<T: APIObject>(as type: T.Type) -> T? { object as? T }

    /// Changes the incoming object in place when it is of the given type; returns whether it was.
    @discardableResult
    public mutating func mutate<T: APIObject>(_ type: T.Type, _ body: (inout T) throws(APIError) -> Void) throws(APIError)
        -> Bool
    {
        guard var typed = object as? T else { return false }
        try body(&typed)
        object = typed
        return true
    }
}

/// A named admission step.
public protocol AdmissionPlugin: Sendable {
    var name: String { get }
}

/// A plugin that may change the object. All mutating plugins run before any validating plugin.
public protocol MutatingAdmissionPlugin: AdmissionPlugin {
    func admit(_ request: inout AdmissionRequest) async throws(APIError)
}

/// A plugin that may only accept or refuse.
public protocol ValidatingAdmissionPlugin: AdmissionPlugin {
    func validate(_ request: AdmissionRequest) async throws(APIError)
}

/// A mutating plugin from a closure.
public struct MutatingAdmission: MutatingAdmissionPlugin {
    public let name: String
    let body: @Sendable (inout AdmissionRequest) async throws(APIError) -> Void

    public init(_ name: String, _ body: @escaping @Sendable (inout AdmissionRequest) async throws(APIError) -> Void) {
        self.name = name
        self.body = body
    }

    public func admit(_ request: inout AdmissionRequest) async throws(APIError) { try await body(&request) }
}

/// A validating plugin from a closure.
public struct ValidatingAdmission: ValidatingAdmissionPlugin {
    public let name: String
    let body: @Sendable (AdmissionRequest) async throws(APIError) -> Void

    public init(_ name: String, _ body: @escaping @Sendable (AdmissionRequest) async throws(APIError) -> Void) {
        self.name = name
        self.body = body
    }

    public func validate(_ request: AdmissionRequest) async throws(APIError) { try await body(request) }
}

/// The ordered admission chain: every mutating plugin in order, then every validating plugin in order.
public struct AdmissionChain: Sendable {
    public var mutating: [any MutatingAdmissionPlugin]
    public var validating: [any ValidatingAdmissionPlugin]

    public init(mutating: [any MutatingAdmissionPlugin] = [], validating: [any ValidatingAdmissionPlugin] = []) {
        self.mutating = mutating
        self.validating = validating
    }

    /// Runs the mutating phase.
    func admit(_ request: inout AdmissionRequest) async throws(APIError) {
        for plugin in mutating { try await plugin.admit(&request) }
    }

    /// Runs the validating phase.
    func validate(_ request: AdmissionRequest) async throws(APIError) {
        for plugin in validating { try await plugin.validate(request) }
    }
}
