extension RBACAuthorizer {
    /// A ``PolicyRule`` prepared for matching without allocating: resources are split once into resource and
    /// subresource so a request's `resource/subresource` never has to be concatenated, and URL prefixes are
    /// trimmed once.
    struct CompiledRule: Sendable, Hashable {
        struct ResourcePattern: Sendable, Hashable {
            /// `*` matches everything, subresources included.
            var isAll: Bool
            /// The part before the first `/` (`pods`, or `*` in `*/scale`).
            var resource: String
            /// The part after the first `/`; nil when the rule names a resource alone.
            var subresource: String?
        }

        struct URLPattern: Sendable, Hashable {
            /// The URL, or for a pattern ending in `*` the prefix before the trailing `*`s.
            var text: String
            var isPrefix: Bool
        }

        let source: PolicyRule
        let verbs: [String]
        let apiGroups: [String]
        let resources: [ResourcePattern]
        let resourceNames: [String]
        let nonResourceURLs: [URLPattern]

        init(_ rule: PolicyRule) {
            source = rule
            verbs = rule.verbs ?? []
            apiGroups = rule.apiGroups ?? []
            resources = (rule.resources ?? []).map { text in
                if text == RBAC.all { return ResourcePattern(isAll: true, resource: text, subresource: nil) }
                guard let slash = text.firstIndex(of: "/") else {
                    return ResourcePattern(isAll: false, resource: text, subresource: nil)
                }
                return ResourcePattern(
                    isAll: false, resource: String(text[..<slash]),
                    subresource: String(text[text.index(after: slash)...]))
            }
            resourceNames = rule.resourceNames ?? []
            nonResourceURLs = (rule.nonResourceURLs ?? []).map { text in
                if text == RBAC.all { return URLPattern(text: "", isPrefix: true) }
                guard text.hasSuffix("*") else { return URLPattern(text: text, isPrefix: false) }
                var prefix = Substring(text)
                while prefix.last == "*" { prefix = prefix.dropLast() }
                return URLPattern(text: String(prefix), isPrefix: true)
            }
        }

        /// Kubernetes `rbac.RuleAllows`.
        func allows(_ attributes: AuthorizationAttributes) -> Bool {
            guard verbMatches(attributes.verb) else { return false }
            if attributes.isResourceRequest {
                return apiGroupMatches(attributes.apiGroup)
                    && resourceMatches(attributes.resource, attributes.subresource)
                    && resourceNameMatches(attributes.name)
            }
            return nonResourceURLMatches(attributes.path)
        }

        func verbMatches(_ verb: String) -> Bool {
            for ruleVerb in verbs where ruleVerb == RBAC.all || ruleVerb == verb { return true }
            return false
        }

        func apiGroupMatches(_ group: String) -> Bool {
            for ruleGroup in apiGroups where ruleGroup == RBAC.all || ruleGroup == group { return true }
            return false
        }

        /// `*`; the exact `resource` or `resource/subresource`; or `*/subresource` when the request has one.
        /// (`pods/*` is not a wildcard in Kubernetes: it matches only a subresource literally named `*`.)
        func resourceMatches(_ resource: String, _ subresource: String) -> Bool {
            for pattern in resources {
                if pattern.isAll { return true }
                if subresource.isEmpty {
                    if pattern.subresource == nil && pattern.resource == resource { return true }
                } else if let ruleSubresource = pattern.subresource, ruleSubresource == subresource,
                    pattern.resource == resource || pattern.resource == RBAC.all
                {
                    return true
                }
            }
            return false
        }

        /// No names means every name; otherwise the request's name must be listed (an empty name never is).
        func resourceNameMatches(_ name: String) -> Bool {
            if resourceNames.isEmpty { return true }
            for ruleName in resourceNames where ruleName == name { return true }
            return false
        }

        /// `*`, the exact path, or a prefix for patterns ending in `*` (byte-wise, like Go's `strings.HasPrefix`).
        func nonResourceURLMatches(_ path: String) -> Bool {
            for pattern in nonResourceURLs {
                if pattern.isPrefix {
                    if path.utf8.starts(with: pattern.text.utf8) { return true }
                } else if pattern.text == path {
                    return true
                }
            }
            return false
        }
    }
}
