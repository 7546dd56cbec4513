import Synchronization

/// Role-based access control over Roles, ClusterRoles, RoleBindings and ClusterRoleBindings, decided as
/// Kubernetes' RBAC authorizer decides.
///
/// A request is allowed when some rule allows it among the rules of the ClusterRoles bound cluster-wide to
/// the user, one of its groups or its service account, and (for a request in a namespace) the Roles and
/// ClusterRoles bound by RoleBindings in that namespace. Otherwise the answer is
/// ``AuthorizationDecision/noOpinion(_:)`` (RBAC never denies outright), with a reason naming bindings whose
/// role is missing.
///
/// The objects are kept under a `Mutex` together with an index from subject to grants and from role to
/// compiled rules. Each change updates the index in place and publishes it as an immutable snapshot;
/// ``authorize(_:)`` holds the lock only to take that snapshot and, when it allows, allocates nothing.
public final class RBACAuthorizer: Authorizer, Sendable {
    /// A namespaced object, or a (namespace, user or group) pair for RoleBinding subjects.
    struct Key: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    enum BindingID: Hashable, Sendable {
        case roleBinding(Key)
        case clusterRoleBinding(String)
    }

    enum RoleID: Hashable, Sendable {
        case role(Key)
        case clusterRole(String)
        case unsupported(kind: String)
    }

    /// A role granted to a subject by a binding.
    struct Grant: Hashable, Sendable {
        var binding: BindingID
        var role: RoleID
    }

    struct Index: Sendable {
        var roleRules: [Key: [CompiledRule]] = [:]
        var clusterRoleRules: [String: [CompiledRule]] = [:]
        /// Cluster-wide grants by user name (service accounts by their user name).
        var clusterUsers: [String: [Grant]] = [:]
        var clusterGroups: [String: [Grant]] = [:]
        /// Grants by (namespace, user name) and (namespace, group) from RoleBindings.
        var namespaceUsers: [Key: [Grant]] = [:]
        var namespaceGroups: [Key: [Grant]] = [:]
    }

    final class Snapshot: Sendable {
        let index: Index
        init(_ index: Index) { self.index = index }
    }

    struct State: Sendable {
        var roles: [Key: Role] = [:]
        var clusterRoles: [String: ClusterRole] = [:]
        var roleBindings: [Key: RoleBinding] = [:]
        var clusterRoleBindings: [String: ClusterRoleBinding] = [:]
        var index = Index()
        var snapshot = Snapshot(Index())

        mutating func publish() { snapshot = Snapshot(index) }
    }

    private let state: Mutex<State>

    /// An authorizer with no objects (it allows nothing).
    public init() {
        state = Mutex(State())
    }

    /// An authorizer holding these objects.
    public convenience init(
        roles: [Role] = [], clusterRoles: [ClusterRole] = [], roleBindings: [RoleBinding] = [],
        clusterRoleBindings: [ClusterRoleBinding] = []
    ) {
        self.init()
        replaceAll(
            roles: roles, clusterRoles: clusterRoles, roleBindings: roleBindings,
            clusterRoleBindings: clusterRoleBindings)
    }

    /// An authorizer holding ``RBACBootstrapPolicy``'s default ClusterRoles and ClusterRoleBindings.
    public static func withBootstrapPolicy() -> RBACAuthorizer {
        RBACAuthorizer(
            clusterRoles: RBACBootstrapPolicy.clusterRoles(),
            clusterRoleBindings: RBACBootstrapPolicy.clusterRoleBindings())
    }

    // MARK: Authorizing

    public func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision {
        let snapshot = state.withLock { $0.snapshot }
        if snapshot.index.allows(attributes) { return .allow }
        return .noOpinion(snapshot.index.denyReason(attributes))
    }

    /// The rules that apply to a user in a namespace (cluster-wide ones included; empty namespace: only those),
    /// as `kubectl auth can-i --list` shows them.
    public func rules(for user: UserInfo, namespace: String = "") -> [PolicyRule] {
        let snapshot = state.withLock { $0.snapshot }
        var rules: [PolicyRule] = []
        snapshot.index.forEachGrant(user: user, namespace: namespace) { grant in
            for rule in snapshot.index.rules(for: grant.role) ?? [] { rules.append(rule.source) }
            return false
        }
        return rules
    }

    // MARK: Changes

    public func apply(_ role: Role) {
        let key = Key(namespace: role.metadata.namespace, name: role.metadata.name)
        state.withLock { state in
            state.roles[key] = role
            state.index.roleRules[key] = (role.rules ?? []).map(CompiledRule.init)
            state.publish()
        }
    }

    public func apply(_ clusterRole: ClusterRole) {
        let name = clusterRole.metadata.name
        state.withLock { state in
            state.clusterRoles[name] = clusterRole
            state.index.clusterRoleRules[name] = (clusterRole.rules ?? []).map(CompiledRule.init)
            state.publish()
        }
    }

    public func apply(_ binding: RoleBinding) {
        let key = Key(namespace: binding.metadata.namespace, name: binding.metadata.name)
        state.withLock { state in
            if let old = state.roleBindings[key] { state.index.removeGrants(of: old) }
            state.roleBindings[key] = binding
            state.index.addGrants(of: binding)
            state.publish()
        }
    }

    public func apply(_ binding: ClusterRoleBinding) {
        let name = binding.metadata.name
        state.withLock { state in
            if let old = state.clusterRoleBindings[name] { state.index.removeGrants(of: old) }
            state.clusterRoleBindings[name] = binding
            state.index.addGrants(of: binding)
            state.publish()
        }
    }

    public func removeRole(namespace: String, name: String) {
        let key = Key(namespace: namespace, name: name)
        state.withLock { state in
            guard state.roles.removeValue(forKey: key) != nil else { return }
            state.index.roleRules[key] = nil
            state.publish()
        }
    }

    public func removeClusterRole(name: String) {
        state.withLock { state in
            guard state.clusterRoles.removeValue(forKey: name) != nil else { return }
            state.index.clusterRoleRules[name] = nil
            state.publish()
        }
    }

    public func removeRoleBinding(namespace: String, name: String) {
        let key = Key(namespace: namespace, name: name)
        state.withLock { state in
            guard let old = state.roleBindings.removeValue(forKey: key) else { return }
            state.index.removeGrants(of: old)
            state.publish()
        }
    }

    public func removeClusterRoleBinding(name: String) {
        state.withLock { state in
            guard let old = state.clusterRoleBindings.removeValue(forKey: name) else { return }
            state.index.removeGrants(of: old)
            state.publish()
        }
    }

    /// Replaces every object (after a relist).
    public func replaceAll(
        roles: [Role], clusterRoles: [ClusterRole], roleBindings: [RoleBinding],
        clusterRoleBindings: [ClusterRoleBinding]
    ) {
        var fresh = State()
        for role in roles {
            let key = Key(namespace: role.metadata.namespace, name: role.metadata.name)
            fresh.roles[key] = role
            fresh.index.roleRules[key] = (role.rules ?? []).map(CompiledRule.init)
        }
        for clusterRole in clusterRoles {
            fresh.clusterRoles[clusterRole.metadata.name] = clusterRole
            fresh.index.clusterRoleRules[clusterRole.metadata.name] = (clusterRole.rules ?? []).map(CompiledRule.init)
        }
        for binding in roleBindings {
            let key = Key(namespace: binding.metadata.namespace, name: binding.metadata.name)
            if let old = fresh.roleBindings[key] { fresh.index.removeGrants(of: old) }
            fresh.roleBindings[key] = binding
            fresh.index.addGrants(of: binding)
        }
        for binding in clusterRoleBindings {
            if let old = fresh.clusterRoleBindings[binding.metadata.name] { fresh.index.removeGrants(of: old) }
            fresh.clusterRoleBindings[binding.metadata.name] = binding
            fresh.index.addGrants(of: binding)
        }
        fresh.publish()
        state.withLock { $0 = fresh }
    }

    /// The objects held, for inspection.
    public var objects:
        (
            roles: [Role], clusterRoles: [ClusterRole], roleBindings: [RoleBinding],
            clusterRoleBindings: [ClusterRoleBinding]
        )
    {
        state.withLock { state in
            (
                Array(state.roles.values), Array(state.clusterRoles.values), Array(state.roleBindings.values),
                Array(state.clusterRoleBindings.values)
            )
        }
    }
}

extension RBACAuthorizer.Index {
    typealias Key = RBACAuthorizer.Key
    typealias Grant = RBACAuthorizer.Grant

    func rules(for role: RBACAuthorizer.RoleID) -> [RBACAuthorizer.CompiledRule]? {
        switch role {
        case .role(let key): roleRules[key]
        case .clusterRole(let name): clusterRoleRules[name]
        case .unsupported: nil
        }
    }

    /// Whether any applicable rule allows the request. Allocation-free: dictionary lookups with the
    /// request's own strings and iteration over stored arrays.
    func allows(_ attributes: AuthorizationAttributes) -> Bool {
        forEachGrant(user: attributes.user, namespace: attributes.namespace) { grant in
            guard let rules = rules(for: grant.role) else { return false }
            for rule in rules where rule.allows(attributes) { return true }
            return false
        }
    }

    /// Visits the grants that apply to a user in a namespace until `body` returns true; returns whether it did.
    @discardableResult
    func forEachGrant(user: UserInfo, namespace: String, _ body: (Grant) -> Bool) -> Bool {
        if let grants = clusterUsers[user.name] {
            for grant in grants where body(grant) { return true }
        }
        if !clusterGroups.isEmpty {
            for group in user.groups {
                guard let grants = clusterGroups[group] else { continue }
                for grant in grants where body(grant) { return true }
            }
        }
        guard !namespace.isEmpty else { return false }
        if let grants = namespaceUsers[Key(namespace: namespace, name: user.name)] {
            for grant in grants where body(grant) { return true }
        }
        if !namespaceGroups.isEmpty {
            for group in user.groups {
                guard let grants = namespaceGroups[Key(namespace: namespace, name: group)] else { continue }
                for grant in grants where body(grant) { return true }
            }
        }
        return false
    }

    /// Kubernetes' reason for a refusal: `RBAC: clusterrole.rbac.authorization.k8s.io "x" not found` for each
    /// applicable binding whose role is missing (several in brackets), or empty.
    func denyReason(_ attributes: AuthorizationAttributes) -> String {
        var seen: Set<RBACAuthorizer.BindingID> = []
        var messages: [String] = []
        _ = forEachGrant(user: attributes.user, namespace: attributes.namespace) { grant in
            guard rules(for: grant.role) == nil, seen.insert(grant.binding).inserted else { return false }
            let message =
                switch grant.role {
                case .role(let key): "role.rbac.authorization.k8s.io \"\(key.name)\" not found"
                case .clusterRole(let name): "clusterrole.rbac.authorization.k8s.io \"\(name)\" not found"
                case .unsupported(let kind): "unsupported role reference kind: \"\(kind)\""
                }
            if !messages.contains(message) { messages.append(message) }
            return false
        }
        if messages.isEmpty { return "" }
        return "RBAC: " + (messages.count == 1 ? messages[0] : "[" + messages.joined(separator: ", ") + "]")
    }

    // MARK: Maintaining grants

    private static func role(_ ref: RoleRef?, bindingNamespace: String) -> RBACAuthorizer.RoleID {
        let name = ref?.name ?? ""
        switch ref?.kind ?? "" {
        case "Role": return .role(Key(namespace: bindingNamespace, name: name))
        case "ClusterRole": return .clusterRole(name)
        case let kind: return .unsupported(kind: kind)
        }
    }

    /// Where each subject's grant goes: a user name (service accounts resolved to theirs) or a group.
    private enum SubjectSlot {
        case user(String)
        case group(String)
    }

    private static func slots(_ subjects: [Subject]?, bindingNamespace: String) -> [SubjectSlot] {
        (subjects ?? []).compactMap { subject in
            let name = subject.name ?? ""
            switch subject.kind ?? "" {
            case RBAC.userKind: return .user(name)
            case RBAC.groupKind: return .group(name)
            case RBAC.serviceAccountKind:
                let namespace = subject.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? bindingNamespace
                return .user(UserInfo.serviceAccountUsername(namespace: namespace, name: name))
            default: return nil
            }
        }
    }

    mutating func addGrants(of binding: RoleBinding) {
        let namespace = binding.metadata.namespace
        let grant = Grant(
            binding: .roleBinding(Key(namespace: namespace, name: binding.metadata.name)),
            role: Self.role(binding.roleRef, bindingNamespace: namespace))
        for slot in Self.slots(binding.subjects, bindingNamespace: namespace) {
            switch slot {
            case .user(let name): namespaceUsers[Key(namespace: namespace, name: name), default: []].append(grant)
            case .group(let name): namespaceGroups[Key(namespace: namespace, name: name), default: []].append(grant)
            }
        }
    }

    mutating func removeGrants(of binding: RoleBinding) {
        let namespace = binding.metadata.namespace
        let id = RBACAuthorizer.BindingID.roleBinding(Key(namespace: namespace, name: binding.metadata.name))
        for slot in Self.slots(binding.subjects, bindingNamespace: namespace) {
            switch slot {
            case .user(let name): Self.remove(id, at: Key(namespace: namespace, name: name), in: &namespaceUsers)
            case .group(let name): Self.remove(id, at: Key(namespace: namespace, name: name), in: &namespaceGroups)
            }
        }
    }

    mutating func addGrants(of binding: ClusterRoleBinding) {
        let grant = Grant(
            binding: .clusterRoleBinding(binding.metadata.name), role: Self.role(binding.roleRef, bindingNamespace: ""))
        for slot in Self.slots(binding.subjects, bindingNamespace: "") {
            switch slot {
            case .user(let name): clusterUsers[name, default: []].append(grant)
            case .group(let name): clusterGroups[name, default: []].append(grant)
            }
        }
    }

    mutating func removeGrants(of binding: ClusterRoleBinding) {
        let id = RBACAuthorizer.BindingID.clusterRoleBinding(binding.metadata.name)
        for slot in Self.slots(binding.subjects, bindingNamespace: "") {
            switch slot {
            case .user(let name): Self.remove(id, at: name, in: &clusterUsers)
            case .group(let name): Self.remove(id, at: name, in: &clusterGroups)
            }
        }
    }

    private static func remove<K: Hashable>(_ id: RBACAuthorizer.BindingID, at key: K, in table: inout [K: [Grant]]) {
        guard var grants = table[key] else { return }
        grants.removeAll { $0.binding == id }
        table[key] = grants.isEmpty ? nil : grants
    }
}
