/// The result of an operation that returns no object, and the body of every API error (`metav1.Status`).
public struct Status: Sendable, Hashable, Codable {
    public var kind: String = "Status"
    public var apiVersion: String = "v1"
    public var metadata: ListMeta = ListMeta()
    /// `"Success"` or `"Failure"`.
    public var status: String?
    public var message: String?
    /// A machine-readable reason (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Forbidden`, `Expired`…).
    public var reason: String?
    public var details: StatusDetails?
    /// The HTTP status code this corresponds to.
    public var code: Int32?

    public init(
        status: String? = nil, message: String? = nil, reason: String? = nil, details: StatusDetails? = nil,
        code: Int32? = nil
    ) {
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }

    /// A success Status (what delete returns for an object already gone).
    public static func success(details: StatusDetails? = nil) -> Status {
        Status(status: "Success", details: details)
    }
}

/// Which object a Status is about and, for validation errors, each offending field.
public struct StatusDetails: Sendable, Hashable, Codable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int32?

    public init(
        name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
        causes: [StatusCause]? = nil, retryAfterSeconds: Int32? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One reason an operation failed, usually a field (`spec.containers[0].image`).
public struct StatusCause: Sendable, Hashable, Codable {
    /// `FieldValueRequired`, `FieldValueInvalid`, `FieldValueDuplicate`, `FieldValueNotSupported`,
    /// `FieldValueTooLong`, `FieldValueForbidden`, `FieldValueTypeInvalid`, `UnexpectedServerResponse`…
    public var reason: String?
    public var message: String?
    public var field: String?

    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}
