/// One requirement of a ``LabelQuery``: a key, an operator and the values it compares with
/// (Kubernetes' `labels.Requirement`).
public struct LabelRequirement: Sendable, Hashable, CustomStringConvertible {
    /// A label selector operator; the raw values are Kubernetes' `selection.Operator` strings.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// `key=value`: the label is present with that value.
        case equals = "="
        /// `key==value`: the same as ``equals``.
        case doubleEquals = "=="
        /// `key!=value`: the label is absent or has another value.
        case notEquals = "!="
        /// `key in (a,b)`: the label is present with one of the values.
        case `in` = "in"
        /// `key notin (a,b)`: the label is absent or has none of the values.
        case notIn = "notin"
        /// `key`: the label is present.
        case exists = "exists"
        /// `!key`: the label is absent.
        case doesNotExist = "!"
        /// `key>5`: the label is present and is an integer greater than the value.
        case greaterThan = "gt"
        /// `key<5`: the label is present and is an integer less than the value.
        case lessThan = "lt"
    }

    /// The label key.
    public let key: String
    /// The operator.
    public let `operator`: Operator
    /// The values: one for `=`, `==`, `!=`, `>` and `<`; at least one, sorted and without
    /// duplicates, for `in` and `notin`; none for `exists` and `!`.
    public let values: [String]
    /// The integer a `>` or `<` requirement compares with (0 otherwise).
    private let bound: Int64

    /// Creates a requirement after validating it as Kubernetes' `NewRequirement` does: the key
    /// must be a qualified name, every value a valid label value, and the number of values must
    /// suit the operator (exactly one integer for `>` and `<`).
    ///
    /// - Parameters:
    ///   - key: The label key.
    ///   - operator: The operator.
    ///   - values: The values; sorted and deduplicated for `in` and `notin`.
    /// - Throws: ``SelectorError`` describing every problem found.
    public init(key: String, operator: Operator, values: [String] = []) throws(SelectorError) {
        var problems: [SelectorError] = []
        if let problem = LabelRequirement.keyProblem(key) {
            problems.append(problem)
        }
        switch `operator` {
        case .in, .notIn:
            if values.isEmpty {
                problems.append(
                    LabelRequirement.requirementProblem(key, "for 'in', 'notin' operators, values set can't be empty")
                )
            }
        case .equals, .doubleEquals, .notEquals:
            if values.count != 1 {
                problems.append(
                    LabelRequirement.requirementProblem(key, "exact-match compatibility requires one single value")
                )
            }
        case .exists, .doesNotExist:
            if !values.isEmpty {
                problems.append(
                    LabelRequirement.requirementProblem(
                        key,
                        "values set must be empty for exists and does not exist"
                    )
                )
            }
        case .greaterThan, .lessThan:
            if values.count != 1 {
                problems.append(
                    LabelRequirement.requirementProblem(key, "for 'Gt', 'Lt' operators, exactly one value is required")
                )
            }
            for value in values where Int64(value) == nil {
                problems.append(
                    LabelRequirement.requirementProblem(
                        key,
                        "for 'Gt', 'Lt' operators, the value must be an integer, not \"\(value)\""
                    )
                )
            }
        }
        for value in values {
            if let problem = LabelRequirement.valueProblem(value, key: key) {
                problems.append(problem)
            }
        }
        if let first = problems.first {
            throw SelectorError(code: first.code, message: problems.map(\.message).joined(separator: "; "))
        }
        self.init(unchecked: key, operator: `operator`, values: values)
    }

    /// A requirement taken as given (values of `in` and `notin` are still sorted and
    /// deduplicated).
    internal init(unchecked key: String, operator: Operator, values: [String]) {
        self.key = key
        self.operator = `operator`
        switch `operator` {
        case .in, .notIn:
            self.values = LabelRequirement.sortedUnique(values)
        default:
            self.values = values
        }
        switch `operator` {
        case .greaterThan, .lessThan:
            bound = values.first.flatMap { Int64($0) } ?? 0
        default:
            bound = 0
        }
    }

    /// Whether a set of labels satisfies the requirement (Kubernetes' `Requirement.Matches`).
    ///
    /// - Parameter labels: An object's labels.
    /// - Returns: `true` if the requirement holds; allocates nothing.
    public func matches(_ labels: [String: String]) -> Bool {
        matches(value: labels[key])
    }

    /// Whether a label value satisfies the requirement, `nil` meaning the label is absent.
    ///
    /// - Parameter value: The object's value for ``key``, or `nil` when it has no such label.
    /// - Returns: `true` if the requirement holds.
    public func matches(value: String?) -> Bool {
        switch `operator` {
        case .equals, .doubleEquals, .in:
            guard let value else {
                return false
            }
            return contains(value)
        case .notEquals, .notIn:
            guard let value else {
                return true
            }
            return !contains(value)
        case .exists:
            return value != nil
        case .doesNotExist:
            return value == nil
        case .greaterThan, .lessThan:
            guard let value, let number = Int64(value) else {
                return false
            }
            return `operator` == .greaterThan ? number > bound : number < bound
        }
    }

    private func contains(_ value: String) -> Bool {
        for candidate in values where candidate == value {
            return true
        }
        return false
    }

    /// The requirement as Kubernetes writes it: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
    /// `k notin (a,b)`, `k`, `!k`, `k>5`, `k<5`.
    public var description: String {
        switch `operator` {
        case .equals: key + "=" + values.joined(separator: ",")
        case .doubleEquals: key + "==" + values.joined(separator: ",")
        case .notEquals: key + "!=" + values.joined(separator: ",")
        case .in: key + " in (" + values.joined(separator: ",") + ")"
        case .notIn: key + " notin (" + values.joined(separator: ",") + ")"
        case .exists: key
        case .doesNotExist: "!" + key
        case .greaterThan: key + ">" + values.joined(separator: ",")
        case .lessThan: key + "<" + values.joined(separator: ",")
        }
    }

    private static func sortedUnique(_ values: [String]) -> [String] {
        var result: [String] = []
        for value in values.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where result.last != value {
            result.append(value)
        }
        return result
    }

    private static func requirementProblem(_ key: String, _ message: String) -> SelectorError {
        SelectorError(code: .invalidRequirement, message: "requirement on key \"\(key)\": \(message)")
    }
}
