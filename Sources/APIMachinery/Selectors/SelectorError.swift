/// The error thrown when a label or field selector is malformed or invalid.
public struct SelectorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem a ``SelectorError`` reports. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case syntax
            case invalidKey
            case invalidValue
            case invalidRequirement
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The selector string does not follow the grammar (a missing parenthesis, an unexpected
        /// token, an empty requirement, a term without an operator).
        public static let syntax = Code(.syntax)
        /// A label key is not a qualified name.
        public static let invalidKey = Code(.invalidKey)
        /// A label value is not a valid label value, or a field value has a bad escape.
        public static let invalidValue = Code(.invalidValue)
        /// The operator and values of a requirement do not go together (`in` without values,
        /// `exists` with values, `>` with a value that is not an integer, an unknown operator).
        public static let invalidRequirement = Code(.invalidRequirement)

        public var description: String {
            switch base {
            case .syntax: "syntax"
            case .invalidKey: "invalidKey"
            case .invalidValue: "invalidValue"
            case .invalidRequirement: "invalidRequirement"
            }
        }
    }

    /// What kind of problem this is.
    public let code: Code
    /// A message naming the offending token.
    public let message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
