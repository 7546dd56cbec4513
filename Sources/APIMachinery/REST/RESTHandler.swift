import Synchronization

/// Serves the Kubernetes HTTP API over an ``APIServer`` without owning a transport: an HTTP server turns
/// each request into a ``RESTRequest``, calls ``handle(_:)`` and writes the ``RESTResponse`` back (streaming
/// the frames of a watch).
///
/// It answers resource paths (`/api/v1/namespaces/{ns}/pods/{name}/status`, `/apis/{group}/{version}/…`),
/// discovery (`/api`, `/apis`, `/api/v1`, `/apis/{group}/{version}`), `/version`, health checks and OpenAPI
/// v3 documents (`/openapi/v3`, `/openapi/v3/apis/{group}/{version}`) — what stock `kubectl` needs. Every
/// failure is a `Status` body with the matching HTTP code.
public final class RESTHandler: Sendable {
    /// Resolves the user a request comes from; nil means it is not authenticated (401).
    public typealias Authenticate = @Sendable (RESTRequest) async -> UserInfo?

    /// `system:admin` in `system:masters`: who requests are from when no authentication is configured.
    public static let admin = UserInfo.systemAdmin

    let server: APIServer
    let authenticate: Authenticate
    let openAPICache = Mutex<[String: OpenAPIDocuments.Cached]>([:])

    /// - Parameters:
    ///   - server: the API server requests go to.
    ///   - authenticate: who a request is from; nil answers 401 Unauthorized. By default every request is
    ///     ``admin``.
    public init(server: APIServer, authenticate: @escaping Authenticate = { _ in RESTHandler.admin }) {
        self.server = server
        self.authenticate = authenticate
    }

    /// - Parameters:
    ///   - server: the API server requests go to.
    ///   - authenticator: establishes the user from the request headers; a request it does not authenticate
    ///     (no credentials it accepts, or invalid ones) is 401 Unauthorized. Nil: every request is ``admin``.
    public convenience init(server: APIServer, authenticator: (any Authenticator)?) {
        guard let authenticator else {
            self.init(server: server)
            return
        }
        self.init(server: server) { request in
            await authenticator.authenticate(headers: request.headers).user
        }
    }

    /// Answers one request. Never throws: errors are `Status` responses.
    public func handle(_ request: RESTRequest) async -> RESTResponse {
        do throws(APIError) {
            guard let user = await authenticate(request) else { throw APIError.unauthorized() }
            return try await route(request, user: user)
        } catch {
            return .error(error)
        }
    }

    func route(_ request: RESTRequest, user: UserInfo) async throws(APIError) -> RESTResponse {
        let segments = request.path.split(separator: "/").map(String.init)
        switch segments.first {
        case "api"?:
            if segments.count == 1 { return try await nonResource(request, user: user) { self.apiVersions(request) } }
            return try await groupVersionRequest(
                request, user: user, group: "", version: segments[1],
                rest: Array(segments.dropFirst(2)))
        case "apis"?:
            if segments.count == 1 { return try await nonResource(request, user: user) { self.apiGroupList() } }
            if segments.count == 2 {
                return try await nonResource(request, user: user) { () throws(APIError) in
                    try self.apiGroup(segments[1])
                }
            }
            return try await groupVersionRequest(
                request, user: user, group: segments[1], version: segments[2],
                rest: Array(segments.dropFirst(3)))
        case "version"? where segments.count == 1:
            return try await nonResource(request, user: user) { () throws(APIError) in
                .json(try Self.encode(self.server.options.version))
            }
        case "healthz"?, "livez"?, "readyz"?:
            try await authorizeNonResource(request, user: user)
            guard request.method == "GET" || request.method == "HEAD" else { throw Self.methodNotAllowed(request) }
            return .text("ok")
        case "openapi"? where segments.count >= 2 && segments[1] == "v3":
            return try await nonResource(request, user: user) { () throws(APIError) in
                try self.openAPI(Array(segments.dropFirst(2)))
            }
        case nil:
            return try await nonResource(request, user: user) { self.rootPaths() }
        default:
            throw Self.pathNotFound
        }
    }

    /// A GET-only path outside the resource API, authorized by path.
    func nonResource(
        _ request: RESTRequest, user: UserInfo, _ body: () throws(APIError) -> RESTResponse
    ) async throws(APIError) -> RESTResponse {
        try await authorizeNonResource(request, user: user)
        guard request.method == "GET" else { throw Self.methodNotAllowed(request) }
        try checkAccept(request)
        return try body()
    }

    func authorizeNonResource(_ request: RESTRequest, user: UserInfo) async throws(APIError) {
        if !server.authorizationSources.isEmpty { try await server.waitForAuthorizationSources() }
        let attributes = AuthorizationAttributes.nonResource(
            user: user, verb: request.method.lowercased(),
            path: request.path)
        switch server.options.authorizer.authorize(attributes) {
        case .allow: return
        case .deny(let reason), .noOpinion(let reason):
            var message =
                "forbidden: User \"\(user.name)\" cannot \(request.method.lowercased()) path \"\(request.path)\""
            if !reason.isEmpty { message += ": \(reason)" }
            throw APIError(code: 403, reason: .forbidden, message: message, details: StatusDetails())
        }
    }

    /// JSON (any flavour, Table requests included: the client falls back to plain JSON) or a wildcard is
    /// fine; a request that accepts only other formats (protobuf, YAML) is 406.
    func checkAccept(_ request: RESTRequest) throws(APIError) {
        guard let accept = request.header("Accept"), !accept.isEmpty else { return }
        for range in accept.split(separator: ",") {
            let media =
                range.split(separator: ";", maxSplits: 1).first.map {
                    $0.trimmed(of: " \t").lowercased()
                } ?? ""
            if media == "application/json" || media == "application/*" || media == "*/*" || media.isEmpty { return }
        }
        throw APIError.notAcceptable("only the following media types are accepted: application/json")
    }

    static let pathNotFound = APIError(
        code: 404, reason: .notFound,
        message: "the server could not find the requested resource", details: StatusDetails())

    static func methodNotAllowed(_ request: RESTRequest) -> APIError {
        APIError(
            code: 405, reason: .methodNotAllowed,
            message: "the server does not allow this method on the requested resource", details: StatusDetails())
    }

    static func encode(_ value: some Encodable) throws(APIError) -> JSONValue {
        do {
            return try JSONValueEncoder().encode(value)
        } catch {
            throw APIError.internalError("encoding a response: \(error)")
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing characters from a set of ASCII characters.
    func trimmed(of characters: String) -> String {
        let set = Set(characters)
        guard let start = firstIndex(where: { !set.contains($0) }) else { return "" }
        let end = lastIndex(where: { !set.contains($0) })!
        return String(self[start...end])
    }
}
