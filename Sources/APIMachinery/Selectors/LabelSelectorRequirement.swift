/// One `matchExpressions` entry of a ``LabelSelector`` (Kubernetes'
/// `metav1.LabelSelectorRequirement`).
public struct LabelSelectorRequirement: Codable, Sendable, Hashable {
    /// The label key.
    public var key: String
    /// How the label relates to ``values``.
    public var `operator`: LabelSelectorOperator
    /// The values: at least one for `In` and `NotIn`, none for `Exists` and `DoesNotExist`.
    public var values: [String]?

    /// Creates a requirement.
    ///
    /// - Parameters:
    ///   - key: The label key.
    ///   - operator: How the label relates to the values.
    ///   - values: The values.
    public init(key: String, operator: LabelSelectorOperator, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}

/// The operator of a ``LabelSelectorRequirement``; the raw values are the API's.
public enum LabelSelectorOperator: String, Codable, Sendable, Hashable, CaseIterable {
    /// The label is present with one of the values.
    case `in` = "In"
    /// The label is absent or has none of the values.
    case notIn = "NotIn"
    /// The label is present.
    case exists = "Exists"
    /// The label is absent.
    case doesNotExist = "DoesNotExist"
}
