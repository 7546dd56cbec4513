/// One requirement of a ``FieldQuery``: a field path, `=` or `!=`, and a value.
public struct FieldRequirement: Sendable, Hashable, CustomStringConvertible {
    /// A field selector operator (`==` parses as ``equals``).
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// The field has the value.
        case equals = "="
        /// The field has another value.
        case notEquals = "!="
    }

    /// The field path, such as `metadata.name`.
    public let field: String
    /// The operator.
    public let `operator`: Operator
    /// The (unescaped) value.
    public let value: String

    /// Creates a requirement.
    ///
    /// - Parameters:
    ///   - field: The field path.
    ///   - operator: The operator.
    ///   - value: The value, unescaped.
    public init(field: String, operator: Operator, value: String) {
        self.field = field
        self.operator = `operator`
        self.value = value
    }

    /// Whether an object's value for ``field`` satisfies the requirement.
    ///
    /// - Parameter fieldValue: The object's value (`""` for a field it does not have).
    /// - Returns: `true` if the requirement holds.
    public func matches(_ fieldValue: String) -> Bool {
        (fieldValue == value) == (`operator` == .equals)
    }

    /// `field=value` or `field!=value`, with the value escaped as ``FieldQuery/escapeValue(_:)`` does.
    public var description: String {
        field + `operator`.rawValue + FieldQuery.escapeValue(value)
    }
}
