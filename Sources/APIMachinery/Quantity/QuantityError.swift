/// The error thrown when a string is not a valid ``Quantity``.
///
/// The ``code`` says what kind of problem it is; ``input`` is the string that was refused.
public struct QuantityError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem a ``QuantityError`` reports. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidFormat
            case invalidSuffix
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The string does not have the shape `<signedNumber><suffix>` (Kubernetes' `ErrFormatWrong`).
        public static let invalidFormat = Code(.invalidFormat)
        /// The number is followed by a suffix that is not a known unit or a decimal exponent within
        /// ±2147483647 (Kubernetes' `ErrSuffix`).
        public static let invalidSuffix = Code(.invalidSuffix)

        public var description: String {
            switch base {
            case .invalidFormat: "invalidFormat"
            case .invalidSuffix: "invalidSuffix"
            }
        }
    }

    /// What kind of problem this is.
    public let code: Code
    /// The string that could not be parsed.
    public let input: String

    /// Creates an error for `input`.
    public init(code: Code, input: String) {
        self.code = code
        self.input = input
    }

    /// A message naming the input, in the words Kubernetes uses.
    public var description: String {
        if code == .invalidSuffix {
            return "quantity \"\(input)\": unable to parse quantity's suffix"
        }
        return "quantity \"\(input)\": quantities must match the regular expression "
            + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    }
}
