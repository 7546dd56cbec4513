/// The RBAC resource types, for registration.
public enum RBACResources {
    public static let all: [any Resource.Type] = [
        Role.self, ClusterRole.self, RoleBinding.self, ClusterRoleBinding.self,
    ]
}

/// Validation shared by the RBAC types (Kubernetes `pkg/apis/rbac/validation`).
enum RBACValidation {
    /// `ValidateRBACName`: RBAC names are path segments (`system:masters` is fine; `/`, `%`, `.`, `..` are not).
    static func pathSegmentNameErrors(_ name: String) -> [String] {
        if name == "." || name == ".." { return ["may not be '\(name)'"] }
        var errors: [String] = []
        if name.contains("/") { errors.append("may not contain '/'") }
        if name.contains("%") { errors.append("may not contain '%'") }
        return errors
    }

    static func metadataNameErrors(_ metadata: ObjectMeta) -> [FieldError] {
        pathSegmentNameErrors(metadata.name).map {
            .invalid("metadata.name", value: goQuoted(metadata.name), $0)
        }
    }

    /// `ValidatePolicyRule`.
    static func policyRule(_ rule: PolicyRule, namespaced: Bool, path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if rule.verbs?.isEmpty ?? true {
            errors.append(.required("\(path).verbs", "verbs must contain at least one value"))
        }
        if let urls = rule.nonResourceURLs, !urls.isEmpty {
            if namespaced {
                errors.append(
                    .invalid(
                        "\(path).nonResourceURLs", value: goStringSlice(urls),
                        "namespaced rules cannot apply to non-resource URLs"))
            }
            if !(rule.apiGroups?.isEmpty ?? true) || !(rule.resources?.isEmpty ?? true)
                || !(rule.resourceNames?.isEmpty ?? true)
            {
                errors.append(
                    .invalid(
                        "\(path).nonResourceURLs", value: goStringSlice(urls),
                        "rules cannot apply to both regular resources and non-resource URLs"))
            }
            return errors
        }
        if rule.apiGroups?.isEmpty ?? true {
            errors.append(.required("\(path).apiGroups", "resource rules must supply at least one api group"))
        }
        if rule.resources?.isEmpty ?? true {
            errors.append(.required("\(path).resources", "resource rules must supply at least one resource"))
        }
        return errors
    }

    static func rules(_ rules: [PolicyRule]?, namespaced: Bool) -> [FieldError] {
        (rules ?? []).enumerated().flatMap { policyRule($1, namespaced: namespaced, path: "rules[\($0)]") }
    }

    /// The roleRef checks of `ValidateRoleBinding` / `ValidateClusterRoleBinding`.
    static func roleRef(_ ref: RoleRef?, allowedKinds: [String]) -> [FieldError] {
        var errors: [FieldError] = []
        let apiGroup = ref?.apiGroup ?? ""
        if apiGroup != RBAC.groupName {
            errors.append(.notSupported("roleRef.apiGroup", value: goQuoted(apiGroup), supported: [RBAC.groupName]))
        }
        let kind = ref?.kind ?? ""
        if !allowedKinds.contains(kind) {
            errors.append(.notSupported("roleRef.kind", value: goQuoted(kind), supported: allowedKinds))
        }
        let name = ref?.name ?? ""
        if name.isEmpty {
            errors.append(.required("roleRef.name"))
        } else {
            for message in pathSegmentNameErrors(name) {
                errors.append(.invalid("roleRef.name", value: goQuoted(name), message))
            }
        }
        return errors
    }

    /// `ValidateRoleBindingSubject`.
    static func subject(_ subject: Subject, namespaced: Bool, path: String) -> [FieldError] {
        var errors: [FieldError] = []
        let name = subject.name ?? ""
        let apiGroup = subject.apiGroup ?? ""
        if name.isEmpty { errors.append(.required("\(path).name")) }
        switch subject.kind ?? "" {
        case RBAC.serviceAccountKind:
            if !name.isEmpty {
                for message in dns1123SubdomainErrors(name) {
                    errors.append(.invalid("\(path).name", value: goQuoted(name), message))
                }
            }
            if !apiGroup.isEmpty {
                errors.append(.notSupported("\(path).apiGroup", value: goQuoted(apiGroup), supported: [""]))
            }
            if !namespaced && (subject.namespace ?? "").isEmpty {
                errors.append(.required("\(path).namespace"))
            }
        case RBAC.userKind, RBAC.groupKind:
            if apiGroup != RBAC.groupName {
                errors.append(.notSupported("\(path).apiGroup", value: goQuoted(apiGroup), supported: [RBAC.groupName]))
            }
        default:
            errors.append(
                .notSupported(
                    "\(path).kind", value: goQuoted(subject.kind ?? ""),
                    supported: [RBAC.serviceAccountKind, RBAC.userKind, RBAC.groupKind]))
        }
        return errors
    }

    static func subjects(_ subjects: [Subject]?, namespaced: Bool) -> [FieldError] {
        (subjects ?? []).enumerated().flatMap { subject($1, namespaced: namespaced, path: "subjects[\($0)]") }
    }

    static func roleRefUnchanged(_ new: RoleRef?, _ old: RoleRef?) -> [FieldError] {
        guard new != old else { return [] }
        return [.invalid("roleRef", value: (new ?? RoleRef()).goDescription, "cannot change roleRef")]
    }

    /// `IsDNS1123Subdomain`, the rule for service account names.
    static func dns1123SubdomainErrors(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 253 { errors.append("must be no more than 253 characters") }
        if !NameValidation.hasDNS1123SubdomainShape(value) { errors.append(NameValidation.subdomainMessage) }
        return errors
    }

    /// A string as Go's `%q` prints it (enough for names and paths).
    static func goQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A string list as Go's `%#v` prints it (`[]string{"/a", "/b"}`).
    static func goStringSlice(_ items: [String]) -> String {
        "[]string{" + items.map(goQuoted).joined(separator: ", ") + "}"
    }
}
