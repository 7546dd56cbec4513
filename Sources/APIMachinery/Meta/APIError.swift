/// An API error: a failed ``Status`` with its HTTP code and machine-readable reason.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The Status the REST layer returns as the response body.
    public var status: Status

    public init(status: Status) { self.status = status }

    init(code: Int32, reason: Reason, message: String, details: StatusDetails? = nil) {
        status = Status(status: "Failure", message: message, reason: reason.rawValue, details: details, code: code)
    }

    /// The HTTP status code.
    public var code: Int { Int(status.code ?? 500) }
    /// The reason, such as ``Reason/conflict``.
    public var reason: Reason { Reason(rawValue: status.reason ?? "") }
    public var message: String { status.message ?? "" }
    public var description: String { "\(code) \(reason.rawValue): \(message)" }

    /// A Kubernetes `StatusReason`.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let notFound = Reason(rawValue: "NotFound")
        public static let alreadyExists = Reason(rawValue: "AlreadyExists")
        public static let conflict = Reason(rawValue: "Conflict")
        public static let invalid = Reason(rawValue: "Invalid")
        public static let badRequest = Reason(rawValue: "BadRequest")
        public static let forbidden = Reason(rawValue: "Forbidden")
        public static let unauthorized = Reason(rawValue: "Unauthorized")
        public static let expired = Reason(rawValue: "Expired")
        public static let gone = Reason(rawValue: "Gone")
        public static let methodNotAllowed = Reason(rawValue: "MethodNotAllowed")
        public static let unsupportedMediaType = Reason(rawValue: "UnsupportedMediaType")
        public static let notAcceptable = Reason(rawValue: "NotAcceptable")
        public static let requestEntityTooLarge = Reason(rawValue: "RequestEntityTooLarge")
        public static let timeout = Reason(rawValue: "Timeout")
        public static let tooManyRequests = Reason(rawValue: "TooManyRequests")
        public static let internalError = Reason(rawValue: "InternalError")
        public static let serviceUnavailable = Reason(rawValue: "ServiceUnavailable")
    }

    static func details(_ resource: GroupResource, _ name: String?) -> StatusDetails {
        StatusDetails(name: name, group: resource.group, kind: resource.resource)
    }

    /// 404: `pods "x" not found`.
    public static func notFound(_ resource: GroupResource, name: String) -> APIError {
        APIError(code: 404, reason: .notFound, message: "\(resource) \"\(name)\" not found",
            details: details(resource, name))
    }

    /// 404 for a path or resource type that does not exist.
    public static func notFound(message: String) -> APIError {
        APIError(code: 404, reason: .notFound, message: message)
    }

    /// 409: `pods "x" already exists`.
    public static func alreadyExists(_ resource: GroupResource, name: String) -> APIError {
        APIError(code: 409, reason: .alreadyExists, message: "\(resource) \"\(name)\" already exists",
            details: details(resource, name))
    }

    /// 409: the object was modified since the resourceVersion the client holds (or a precondition failed).
    public static func conflict(_ resource: GroupResource, name: String, detail: String? = nil) -> APIError {
        let why = detail ?? "the object has been modified; please apply your changes to the latest version and try again"
        return APIError(code: 409, reason: .conflict,
            message: "Operation cannot be fulfilled on \(resource) \"\(name)\": \(why)", details: details(resource, name))
    }

    /// 422: the object failed validation; one cause per field.
    public static func invalid(kind: String, group: String, name: String, errors: [FieldError]) -> APIError {
        let list = errors.map(\.description)
        let summary = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        return APIError(code: 422, reason: .invalid, message: "\(kind) \"\(name)\" is invalid: \(summary)",
            details: StatusDetails(name: name, group: group, kind: kind, causes: errors.map(\.cause)))
    }

    /// 400.
    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: .badRequest, message: message)
    }

    /// 403 naming the user, verb and resource, worded like Kubernetes.
    public static func forbidden(
        user: String, verb: String, resource: GroupResource, subresource: String = "", name: String = "",
        namespace: String = "", reason: String = ""
    ) -> APIError {
        let target = subresource.isEmpty ? resource.resource : "\(resource.resource)/\(subresource)"
        var message = name.isEmpty ? "\(resource) is forbidden: " : "\(resource) \"\(name)\" is forbidden: "
        message += "User \"\(user)\" cannot \(verb) resource \"\(target)\" in API group \"\(resource.group)\""
        message += namespace.isEmpty ? " at the cluster scope" : " in the namespace \"\(namespace)\""
        if !reason.isEmpty { message += ": \(reason)" }
        return APIError(code: 403, reason: .forbidden, message: message, details: details(resource, name))
    }

    /// 403 for reasons other than authorization (admission refusals).
    public static func forbidden(_ resource: GroupResource, name: String, message: String) -> APIError {
        APIError(code: 403, reason: .forbidden, message: "\(resource) \"\(name)\" is forbidden: \(message)",
            details: details(resource, name))
    }

    /// 401.
    public static func unauthorized(_ message: String = "Unauthorized") -> APIError {
        APIError(code: 401, reason: .unauthorized, message: message)
    }

    /// 410 Expired: the requested resourceVersion (or continue token) is older than retained history.
    public static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: .expired, message: message)
    }

    /// 405.
    public static func methodNotAllowed(_ message: String) -> APIError {
        APIError(code: 405, reason: .methodNotAllowed, message: message)
    }

    /// 415.
    public static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(code: 415, reason: .unsupportedMediaType,
            message: "the body of the request was in an unknown format - accepted media types include: "
                + "application/json, application/json-patch+json, application/merge-patch+json, "
                + "application/strategic-merge-patch+json (got \"\(contentType)\")")
    }

    /// 406.
    public static func notAcceptable(_ message: String) -> APIError {
        APIError(code: 406, reason: .notAcceptable, message: message)
    }

    /// 413.
    public static func requestEntityTooLarge(_ message: String) -> APIError {
        APIError(code: 413, reason: .requestEntityTooLarge, message: message)
    }

    /// 504.
    public static func timeout(_ message: String, retryAfterSeconds: Int32 = 1) -> APIError {
        APIError(code: 504, reason: .timeout, message: message,
            details: StatusDetails(retryAfterSeconds: retryAfterSeconds))
    }

    /// 429.
    public static func tooManyRequests(_ message: String, retryAfterSeconds: Int32 = 1) -> APIError {
        APIError(code: 429, reason: .tooManyRequests, message: message,
            details: StatusDetails(retryAfterSeconds: retryAfterSeconds))
    }

    /// 500.
    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: .internalError, message: "Internal error occurred: \(message)")
    }

    /// 503.
    public static func serviceUnavailable(_ message: String) -> APIError {
        APIError(code: 503, reason: .serviceUnavailable, message: message)
    }
}

/// One validation failure, rendered like Kubernetes' `field.Error` (`spec.replicas: Invalid value: -1: must be
/// greater than or equal to 0`).
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case required = "FieldValueRequired"
        case invalid = "FieldValueInvalid"
        case duplicate = "FieldValueDuplicate"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case typeInvalid = "FieldValueTypeInvalid"
    }

    public var kind: Kind
    /// The field path, such as `spec.containers[0].image`.
    public var field: String
    /// The offending value rendered as JSON-ish text (nil where Kubernetes shows none).
    public var value: String?
    public var detail: String

    public init(_ kind: Kind, field: String, value: String? = nil, detail: String = "") {
        self.kind = kind
        self.field = field
        self.value = value
        self.detail = detail
    }

    public static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(.required, field: field, detail: detail)
    }

    public static func invalid(_ field: String, value: String, _ detail: String) -> FieldError {
        FieldError(.invalid, field: field, value: value, detail: detail)
    }

    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(.forbidden, field: field, detail: detail)
    }

    public static func notSupported(_ field: String, value: String, supported: [String]) -> FieldError {
        FieldError(.notSupported, field: field, value: value,
            detail: "supported values: " + supported.map { "\"\($0)\"" }.joined(separator: ", "))
    }

    public static func duplicate(_ field: String, value: String) -> FieldError {
        FieldError(.duplicate, field: field, value: value)
    }

    var typeText: String {
        switch kind {
        case .required: "Required value"
        case .invalid: "Invalid value"
        case .duplicate: "Duplicate value"
        case .notSupported: "Unsupported value"
        case .forbidden: "Forbidden"
        case .tooLong: "Too long"
        case .tooMany: "Too many"
        case .typeInvalid: "Invalid value"
        }
    }

    public var description: String {
        var text = "\(field): \(typeText)"
        if let value { text += ": \(value)" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }

    var cause: StatusCause {
        var message = typeText
        if let value { message += ": \(value)" }
        if !detail.isEmpty { message += ": \(detail)" }
        return StatusCause(reason: kind.rawValue, message: message, field: field)
    }
}
