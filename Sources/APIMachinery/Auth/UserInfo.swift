/// Who made a request, as authentication established it (Kubernetes `user.Info`).
public struct UserInfo: Sendable, Hashable {
    public var name: String
    public var uid: String
    public var groups: [String]
    /// Authenticator-specific extra attributes (scopes, credential ids, …).
    public var extra: [String: [String]]

    public init(name: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]) {
        self.name = name
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }

    /// `system:anonymous`, the user of requests that carry no credentials (when anonymous access is enabled).
    public static let anonymousName = "system:anonymous"
    /// `system:masters`: members may do anything (see ``PrivilegedGroupAuthorizer``).
    public static let systemMastersGroup = "system:masters"
    /// `system:authenticated`: every authenticated user.
    public static let authenticatedGroup = "system:authenticated"
    /// `system:unauthenticated`: anonymous requests.
    public static let unauthenticatedGroup = "system:unauthenticated"
    /// `system:serviceaccounts`: every service account.
    public static let serviceAccountsGroup = "system:serviceaccounts"
    /// `system:serviceaccount:` — the prefix of service account user names.
    public static let serviceAccountUsernamePrefix = "system:serviceaccount:"

    /// `system:serviceaccounts:<namespace>`: the service accounts of one namespace.
    public static func serviceAccountsGroup(namespace: String) -> String { "system:serviceaccounts:\(namespace)" }

    /// `system:serviceaccount:<namespace>:<name>`.
    public static func serviceAccountUsername(namespace: String, name: String) -> String {
        "\(serviceAccountUsernamePrefix)\(namespace):\(name)"
    }

    /// `system:admin` in `system:masters`: in-process clients and unauthenticated REST handlers act as it
    /// unless told otherwise.
    public static let systemAdmin = UserInfo(name: "system:admin", groups: [systemMastersGroup, authenticatedGroup])

    /// The anonymous user: `system:anonymous` in group `system:unauthenticated`.
    public static let anonymous = UserInfo(name: anonymousName, groups: [unauthenticatedGroup])

    /// A service account's user: `system:serviceaccount:<ns>:<name>` in groups `system:serviceaccounts` and
    /// `system:serviceaccounts:<ns>`.
    public static func serviceAccount(namespace: String, name: String, uid: String = "") -> UserInfo {
        UserInfo(
            name: serviceAccountUsername(namespace: namespace, name: name), uid: uid,
            groups: [serviceAccountsGroup, serviceAccountsGroup(namespace: namespace)]
        )
    }

    /// The namespace and name when this is a service account user (`system:serviceaccount:ns:name`).
    public var serviceAccountReference: (namespace: String, name: String)? {
        guard name.hasPrefix(Self.serviceAccountUsernamePrefix) else { return nil }
        let rest = name.dropFirst(Self.serviceAccountUsernamePrefix.count)
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}
