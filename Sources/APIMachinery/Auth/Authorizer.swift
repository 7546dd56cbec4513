/// What a request wants to do, as an authorizer sees it (Kubernetes `authorizer.Attributes`).
public struct AuthorizationAttributes: Sendable, Hashable {
    public var user: UserInfo
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, or for non-resource
    /// requests the lower-cased HTTP method (`get`, `post`, …).
    public var verb: String
    /// Empty for cluster-scoped resources, requests across all namespaces, and non-resource requests.
    public var namespace: String
    /// `""` is the core group.
    public var apiGroup: String
    public var apiVersion: String
    /// The plural resource (`pods`).
    public var resource: String
    /// `status`, `scale`, `log`, … or empty.
    public var subresource: String
    /// The object name; empty for create, list, watch and deletecollection.
    public var name: String
    /// False for requests to paths outside the resource API (`/healthz`, `/version`, `/apis`).
    public var isResourceRequest: Bool
    /// The request path (what non-resource rules match).
    public var path: String

    public init(
        user: UserInfo, verb: String, namespace: String = "", apiGroup: String = "", apiVersion: String = "",
        resource: String, subresource: String = "", name: String = "", path: String = ""
    ) {
        self.user = user
        self.verb = verb
        self.namespace = namespace
        self.apiGroup = apiGroup
        self.apiVersion = apiVersion
        self.resource = resource
        self.subresource = subresource
        self.name = name
        self.isResourceRequest = true
        self.path = path
    }

    /// A request to a path outside the resource API.
    public static func nonResource(user: UserInfo, verb: String, path: String) -> AuthorizationAttributes {
        var attributes = AuthorizationAttributes(user: user, verb: verb, resource: "", path: path)
        attributes.isResourceRequest = false
        return attributes
    }
}

/// An authorizer's answer.
public enum AuthorizationDecision: Sendable, Hashable {
    case allow
    /// Refused; a union stops here.
    case deny(String)
    /// This authorizer does not decide; a union asks the next one. Refused when it is the last word.
    case noOpinion(String)

    public var isAllowed: Bool { self == .allow }

    /// The reason given with a refusal (empty for ``allow``).
    public var reason: String {
        switch self {
        case .allow: ""
        case .deny(let reason), .noOpinion(let reason): reason
        }
    }
}

/// Decides whether a request may proceed. Runs on every request, synchronously: implementations must be
/// cheap and must not block.
public protocol Authorizer: Sendable {
    func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision
}

/// Allows everything (`--authorization-mode=AlwaysAllow`).
public struct AlwaysAllowAuthorizer: Authorizer {
    public init() {}
    public func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision { .allow }
}

/// Refuses everything (`--authorization-mode=AlwaysDeny`).
public struct AlwaysDenyAuthorizer: Authorizer {
    public init() {}
    public func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision {
        .deny("Everything is forbidden.")
    }
}

/// Allows every request of users in a privileged group (`system:masters` by default), and has no opinion
/// on the rest, as kube-apiserver puts in front of its other authorizers.
public struct PrivilegedGroupAuthorizer: Authorizer {
    public let groups: [String]

    public init(groups: [String] = [UserInfo.systemMastersGroup]) { self.groups = groups }

    public func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision {
        for group in attributes.user.groups where groups.contains(group) { return .allow }
        return .noOpinion("")
    }
}

/// Asks authorizers in order: the first allow or deny is the answer; no opinion moves on. If none decides,
/// the answer is no opinion with the reasons given, one per line (Kubernetes `union.New`).
public struct UnionAuthorizer: Authorizer {
    public let authorizers: [any Authorizer]

    public init(_ authorizers: [any Authorizer]) { self.authorizers = authorizers }

    public func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision {
        var reasons: [String] = []
        for authorizer in authorizers {
            let decision = authorizer.authorize(attributes)
            switch decision {
            case .allow, .deny:
                return decision
            case .noOpinion(let reason):
                if !reason.isEmpty { reasons.append(reason) }
            }
        }
        return .noOpinion(reasons.joined(separator: "\n"))
    }
}

/// The 403 Forbidden for a refused request, worded as kube-apiserver words it:
/// `pods "x" is forbidden: User "u" cannot get resource "pods/log" in API group "" in the namespace "ns"`,
/// `… at the cluster scope`, or for non-resource requests `forbidden: User "u" cannot get path "/logs"`;
/// a non-empty reason is appended after `: `.
public func forbiddenError(for attributes: AuthorizationAttributes, reason: String = "") -> APIError {
    guard attributes.isResourceRequest else {
        var message =
            "forbidden: User \"\(attributes.user.name)\" cannot \(attributes.verb) path \"\(attributes.path)\""
        if !reason.isEmpty { message += ": \(reason)" }
        return APIError(code: 403, reason: .forbidden, message: message, details: StatusDetails())
    }
    return APIError.forbidden(
        user: attributes.user.name, verb: attributes.verb,
        resource: GroupResource(group: attributes.apiGroup, resource: attributes.resource),
        subresource: attributes.subresource, name: attributes.name, namespace: attributes.namespace, reason: reason
    )
}
