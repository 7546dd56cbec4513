/// A parsed field selector: a conjunction of ``FieldRequirement``s (Kubernetes' `fields.Selector`).
///
/// The `fieldSelector` query parameter: comma-separated `field=value`, `field==value` or
/// `field!=value` terms. Which fields exist is up to the resource (every resource has
/// `metadata.name` and `metadata.namespace`); check ``fields`` against them.
public struct FieldQuery: Sendable, Hashable, CustomStringConvertible {
    /// The requirements, in the order Kubernetes keeps them (parsed terms sorted as text).
    public let requirements: [FieldRequirement]

    /// A query of the given requirements, all of which must hold, in the given order.
    ///
    /// - Parameter requirements: The requirements.
    public init(requirements: [FieldRequirement]) {
        self.requirements = requirements
    }

    /// The query requiring each field of `fields` to have its value (Kubernetes'
    /// `fields.SelectorFromSet`), sorted by field.
    ///
    /// - Parameter fields: Field paths and the values they must have.
    public init(matching fields: [String: String]) {
        self.init(
            requirements: fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { FieldRequirement(field: $0.key, operator: .equals, value: $0.value) }
        )
    }

    /// The query that matches every object.
    public static let everything = FieldQuery(requirements: [])

    /// Whether the query has no requirements and so matches every object.
    public var isEverything: Bool { requirements.isEmpty }

    /// The field paths the query refers to, for refusing fields a resource does not support.
    public var fields: Set<String> { Set(requirements.map(\.field)) }

    /// Whether an object satisfies every requirement.
    ///
    /// - Parameter value: The object's value for a field path; `nil` (no such field) counts as `""`.
    /// - Returns: `true` if every requirement holds.
    public func matches(_ value: (String) -> String?) -> Bool {
        for requirement in requirements where !requirement.matches(value(requirement.field) ?? "") {
            return false
        }
        return true
    }

    /// Whether an object whose fields have these values satisfies every requirement.
    ///
    /// - Parameter fields: Field paths and the object's values; a missing field counts as `""`.
    /// - Returns: `true` if every requirement holds.
    public func matches(_ fields: [String: String]) -> Bool {
        matches { fields[$0] }
    }

    /// The value `field` must have for an object to match, if the query requires one with `=`
    /// (Kubernetes' `RequiresExactMatch`); for index lookups.
    ///
    /// - Parameter field: A field path.
    /// - Returns: The value, or `nil` when the query does not pin `field` to one value.
    public func exactValue(for field: String) -> String? {
        requirements.first { $0.field == field && $0.operator == .equals }?.value
    }

    /// The canonical form: the requirements joined by commas, values escaped, `==` written `=`.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }
}

extension FieldQuery {
    /// Parses a field selector the way Kubernetes' `fields.ParseSelector` does.
    ///
    /// The text is split at commas not preceded by a backslash; empty terms are skipped; the
    /// terms are sorted as text; each is split at its first `!=`, `==` or `=` (field paths have no
    /// escapes, and no whitespace is trimmed) and its value unescaped (`\\`, `\,`, `\=`). An empty
    /// string is ``everything``.
    ///
    /// - Parameter selector: The selector text.
    /// - Throws: ``SelectorError`` for a term without an operator, or a value with an unescaped
    ///   `,` or `=` or an unknown escape sequence.
    public init(parsing selector: String) throws(SelectorError) {
        let terms = FieldQuery.splitTerms(Array(selector.utf8))
            .sorted { $0.lexicographicallyPrecedes($1) }
        var requirements: [FieldRequirement] = []
        for term in terms where !term.isEmpty {
            guard let (field, op, rawValue) = FieldQuery.splitTerm(term) else {
                throw SelectorError(
                    code: .syntax,
                    message: "invalid selector: '\(selector)'; can't understand "
                        + "'\(String(decoding: term, as: UTF8.self))'"
                )
            }
            let value = try FieldQuery.unescapeValue(rawValue)
            requirements.append(FieldRequirement(field: field, operator: op, value: value))
        }
        self.init(requirements: requirements)
    }

    /// Escapes a value for use in a field selector: `\` → `\\`, `,` → `\,`, `=` → `\=`
    /// (Kubernetes' `fields.EscapeValue`).
    ///
    /// - Parameter value: A literal value.
    /// - Returns: The escaped text.
    public static func escapeValue(_ value: String) -> String {
        guard value.utf8.contains(where: isSpecialInValue) else {
            return value
        }
        var escaped = ""
        for scalar in value.unicodeScalars {
            if scalar == "\\" || scalar == "," || scalar == "=" {
                escaped.unicodeScalars.append("\\")
            }
            escaped.unicodeScalars.append(scalar)
        }
        return escaped
    }

    /// Undoes ``escapeValue(_:)`` (Kubernetes' `fields.UnescapeValue`).
    ///
    /// - Parameter text: Escaped text.
    /// - Returns: The literal value.
    /// - Throws: ``SelectorError`` for an escape other than `\\`, `\,` and `\=`, a trailing
    ///   backslash, or an unescaped `,` or `=`.
    public static func unescapeValue(_ text: String) throws(SelectorError) -> String {
        guard text.utf8.contains(where: isSpecialInValue) else {
            return text
        }
        var value = ""
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                guard scalar == "\\" || scalar == "," || scalar == "=" else {
                    throw SelectorError(
                        code: .invalidValue,
                        message: "invalid field selector: invalid escape sequence: \\\(scalar) in '\(text)'"
                    )
                }
                value.unicodeScalars.append(scalar)
                inEscape = false
                continue
            }
            switch scalar {
            case "\\":
                inEscape = true
            case ",", "=":
                throw SelectorError(
                    code: .invalidValue,
                    message: "invalid field selector: unescaped character in value: \(scalar) in '\(text)'"
                )
            default:
                value.unicodeScalars.append(scalar)
            }
        }
        if inEscape {
            throw SelectorError(
                code: .invalidValue,
                message: "invalid field selector: invalid escape sequence: \\ at the end of '\(text)'"
            )
        }
        return value
    }

    private static func isSpecialInValue(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "=")
    }

    /// The comma-separated terms; a backslash-escaped comma is data and stays in its term.
    private static func splitTerms(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        guard !bytes.isEmpty else {
            return []
        }
        var terms: [ArraySlice<UInt8>] = []
        var start = 0
        var inEscape = false
        for (index, byte) in bytes.enumerated() {
            if inEscape {
                inEscape = false
            } else if byte == UInt8(ascii: "\\") {
                inEscape = true
            } else if byte == UInt8(ascii: ",") {
                terms.append(bytes[start..<index])
                start = index + 1
            }
        }
        terms.append(bytes[start...])
        return terms
    }

    /// Splits a term at its first `!=`, `==` or `=` (tried in that order at each position).
    private static func splitTerm(
        _ term: ArraySlice<UInt8>
    ) -> (field: String, operator: FieldRequirement.Operator, value: String)? {
        let bang = UInt8(ascii: "!")
        let equals = UInt8(ascii: "=")
        for index in term.indices {
            let next: UInt8? = index + 1 < term.endIndex ? term[index + 1] : nil
            if term[index] == bang && next == equals {
                let field = String(decoding: term[term.startIndex..<index], as: UTF8.self)
                return (field, .notEquals, String(decoding: term[(index + 2)...], as: UTF8.self))
            }
            if term[index] == equals {
                let field = String(decoding: term[term.startIndex..<index], as: UTF8.self)
                let valueStart = next == equals ? index + 2 : index + 1
                return (field, .equals, String(decoding: term[valueStart...], as: UTF8.self))
            }
        }
        return nil
    }
}
