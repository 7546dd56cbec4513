/// A label selector as it appears in API objects (Kubernetes' `metav1.LabelSelector`), such as a
/// Deployment's `spec.selector`.
///
/// Its requirements are ANDed: every `matchLabels` entry and every `matchExpressions` requirement
/// must hold. A selector with neither (``isEmpty``) matches every object, as Kubernetes'
/// `LabelSelectorAsSelector(&LabelSelector{})` does. (A *missing* selector, a `nil`
/// `LabelSelector?`, is the caller's to interpret: Kubernetes treats it as matching nothing.)
public struct LabelSelector: Codable, Sendable, Hashable {
    /// Labels the object must carry with exactly these values.
    public var matchLabels: [String: String]?
    /// Further requirements the object's labels must satisfy.
    public var matchExpressions: [LabelSelectorRequirement]?

    /// Creates a selector.
    ///
    /// - Parameters:
    ///   - matchLabels: Labels the object must carry with exactly these values.
    ///   - matchExpressions: Further requirements.
    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Whether the selector has no requirement and so matches every object.
    public var isEmpty: Bool {
        (matchLabels?.isEmpty ?? true) && (matchExpressions?.isEmpty ?? true)
    }

    /// The selector as a validated ``LabelQuery`` (Kubernetes' `LabelSelectorAsSelector`): each
    /// `matchLabels` entry becomes `key=value`, each expression `key in (…)`, `key notin (…)`,
    /// `key` or `!key`. An empty selector gives ``LabelQuery/everything``.
    ///
    /// - Returns: The query.
    /// - Throws: ``SelectorError`` when a key or value is invalid, when `In` or `NotIn` has no
    ///   values, or when `Exists` or `DoesNotExist` has some.
    public func query() throws(SelectorError) -> LabelQuery {
        if isEmpty {
            return .everything
        }
        var requirements: [LabelRequirement] = []
        let labels = (matchLabels ?? [:]).sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        for (key, value) in labels {
            requirements.append(try LabelRequirement(key: key, operator: .equals, values: [value]))
        }
        for expression in matchExpressions ?? [] {
            let op: LabelRequirement.Operator =
                switch expression.operator {
                case .in: .in
                case .notIn: .notIn
                case .exists: .exists
                case .doesNotExist: .doesNotExist
                }
            requirements.append(
                try LabelRequirement(key: expression.key, operator: op, values: expression.values ?? [])
            )
        }
        return LabelQuery(requirements: requirements)
    }
}
