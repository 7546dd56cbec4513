/// A parsed label selector: a conjunction of ``LabelRequirement``s (Kubernetes' `labels.Selector`).
///
/// Parse one from the `labelSelector` query parameter with ``init(parsing:)``, build one from an
/// API ``LabelSelector`` with ``LabelSelector/query()``, or from a label set with
/// ``init(matching:)``. The empty query (``everything``) matches every object.
public struct LabelQuery: Sendable, Hashable, CustomStringConvertible {
    /// The requirements, sorted by key (requirements on the same key keep their order).
    public let requirements: [LabelRequirement]

    /// A query of the given requirements, all of which must hold.
    ///
    /// - Parameter requirements: The requirements, in any order; they are sorted by key.
    public init(requirements: [LabelRequirement]) {
        self.requirements = requirements.enumerated()
            .sorted { lhs, rhs in
                if lhs.element.key != rhs.element.key {
                    return lhs.element.key.utf8.lexicographicallyPrecedes(rhs.element.key.utf8)
                }
                return lhs.offset < rhs.offset
            }
            .map(\.element)
    }

    /// The query that selects objects carrying every label of `labels` with the same value
    /// (Kubernetes' `SelectorFromSet`). The labels are not validated: they are meant to come
    /// from an object that already passed validation.
    ///
    /// - Parameter labels: The labels to require; empty gives ``everything``.
    public init(matching labels: [String: String]) {
        self.init(
            requirements: labels.map { key, value in
                LabelRequirement(unchecked: key, operator: .equals, values: [value])
            }
        )
    }

    /// The query that matches every object.
    public static let everything = LabelQuery(requirements: [])

    /// Whether the query has no requirements and so matches every object.
    public var isEverything: Bool { requirements.isEmpty }

    /// Whether an object's labels satisfy every requirement. Allocates nothing.
    ///
    /// - Parameter labels: The object's labels.
    /// - Returns: `true` if every requirement holds.
    public func matches(_ labels: [String: String]) -> Bool {
        for requirement in requirements where !requirement.matches(value: labels[requirement.key]) {
            return false
        }
        return true
    }

    /// The single value an object must have for `key` to match, if the query pins one with `=`,
    /// `==` or a one-value `in` (Kubernetes' `RequiresExactMatch`); for index lookups.
    ///
    /// - Parameter key: A label key.
    /// - Returns: The value, or `nil` when the query does not require one exact value for `key`.
    public func exactValue(forKey key: String) -> String? {
        for requirement in requirements where requirement.key == key {
            switch requirement.operator {
            case .equals, .doubleEquals:
                return requirement.values.first
            case .in where requirement.values.count == 1:
                return requirement.values.first
            default:
                continue
            }
        }
        return nil
    }

    /// The canonical form: the requirements sorted by key, joined by commas
    /// (`app=web,tier in (a,b),!canary`). Parsing it gives back an equal query.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }
}
